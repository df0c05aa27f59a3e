//! Tests of streams and consumer groups (SEMANTICS.md, "Streams and offsets" and "Consumer
//! groups"). Transcripts (files in `transcripts/` named as the tests; language and blessing in
//! `support/mod.rs`): retention, `auto_offset_reset = none`, session-timeout eviction,
//! crash-and-replace resuming from the committed offset with the redelivery visible in the
//! events, cooperative revocation, adding partitions. Rust tests of the typed API: seek by
//! timestamp, Kafka's key partitioner, commit and join errors, limits.
//!
//! Everything runs on each storage backend: `memory::*` over `MemoryStorage`, `file::*` over
//! `FileStorage` in a fresh temporary folder, `killed::*` over `FileStorage` on a file system
//! that crashes; each ends with a flush and a restart that must keep the durable state
//! (`support/backend.rs`).

mod support;

use support::backend;

use brokerlab::assign::Assignor;
use brokerlab::partitioner::partition_for_key;
use brokerlab::{
    Broker, CommitError, Error, GroupConfig, Instant, JoinGroupError, Limits, Offset, Partition,
    ProduceError, SeekError, SeekTo, Storage, StreamConfig, StreamConsumerConfig, StreamPartition,
};

fn t(ms: u64) -> Instant {
    Instant::from_millis(ms)
}

fn seek_by_timestamp_end_offset_and_errors<S: Storage>(b: &mut Broker<S>) -> Result<(), Error> {
    let s = b.declare_stream(t(0), "s", StreamConfig::new(2))?;
    let p0 = StreamPartition::new(s, 0);
    for ms in [10, 20, 20, 30] {
        b.produce_to(t(ms), "s", Partition(0), None, format!("at {ms}"))?;
    }
    let c = b.stream_consumer(t(30), "s", "c", StreamConsumerConfig::default())?;
    assert_eq!(b.position(c, p0), Some(Offset(4))); // latest
    assert_eq!(b.seek(t(30), c, p0, SeekTo::Timestamp(t(20)))?, Offset(1));
    assert_eq!(b.seek(t(30), c, p0, SeekTo::Timestamp(t(15)))?, Offset(1));
    assert_eq!(b.seek(t(30), c, p0, SeekTo::Timestamp(t(0)))?, Offset(0));
    assert_eq!(b.seek(t(30), c, p0, SeekTo::Timestamp(t(31)))?, Offset(4));
    assert_eq!(b.seek(t(30), c, p0, SeekTo::Offset(Offset(2)))?, Offset(2));
    let r = b.poll(t(30), c, 1)?;
    assert_eq!(&*r[0].payload, b"at 20");
    assert!(!r[0].redelivered);
    assert_eq!(
        b.seek(t(30), c, p0, SeekTo::Offset(Offset(5))),
        Err(SeekError::BeyondEnd {
            offset: Offset(5),
            end: Offset(4)
        })
    );
    let other = StreamPartition::new(s, 7);
    assert_eq!(
        b.seek(t(30), c, other, SeekTo::End),
        Err(SeekError::NotAssigned(other))
    );
    assert_eq!(
        b.produce_to(t(30), "s", Partition(2), None, "x"),
        Err(ProduceError::PartitionOutOfRange {
            partition: Partition(2),
            partitions: 2
        })
    );
    assert_eq!(
        b.produce(t(30), "nope", None, "x"),
        Err(ProduceError::UnknownStream)
    );
    // Replaying from the beginning reads the same records again, flagged as redelivered below
    // the furthest offset this consumer had read.
    b.seek(t(30), c, p0, SeekTo::Beginning)?;
    let again = b.poll(t(30), c, 10)?;
    assert_eq!(again.len(), 4);
    assert_eq!(
        again.iter().map(|r| r.redelivered).collect::<Vec<_>>(),
        [true, true, true, false]
    );
    Ok(())
}

fn keyed_records_follow_kafkas_partitioner_and_keyless_round_robin<S: Storage>(
    b: &mut Broker<S>,
) -> Result<(), Error> {
    b.declare_stream(t(0), "s", StreamConfig::new(3))?;
    for key in ["21", "foobar", "abc", "a-little-bit-long-string"] {
        let p = b.produce(t(0), "s", Some(key.as_bytes()), "v")?;
        assert_eq!(
            Ok(p.partition.partition),
            partition_for_key(key.as_bytes(), 3)
        );
    }
    let parts: Vec<u32> = (0..4)
        .map(|_| {
            b.produce(t(0), "s", None, "v")
                .unwrap()
                .partition
                .partition
                .0
        })
        .collect();
    assert_eq!(parts, [0, 1, 2, 0]);
    Ok(())
}

fn commit_errors_old_generation_foreign_partition_and_unknowns<S: Storage>(
    b: &mut Broker<S>,
) -> Result<(), Error> {
    let s = b.declare_stream(t(0), "s", StreamConfig::new(2))?;
    let (p0, p1) = (StreamPartition::new(s, 0), StreamPartition::new(s, 1));
    b.join_group(t(0), "g", "a", &["s"], GroupConfig::default())?;
    b.join_group(t(0), "g", "b", &["s"], GroupConfig::default())?;
    let a = b.group_member("g", "a").expect("a member");
    b.heartbeat(t(0), "g", "a")?;
    b.poll(t(0), a, 0)?;
    // Generation 2: a owns p0, b owns p1.
    assert_eq!(
        b.commit(t(0), "g", "a", 1, &[(p0, Offset(0))]),
        Err(CommitError::IllegalGeneration {
            given: 1,
            current: 2
        })
    );
    assert_eq!(
        b.commit(t(0), "g", "a", 2, &[(p1, Offset(0))]),
        Err(CommitError::NotAssigned(p1))
    );
    assert!(matches!(
        b.commit(t(0), "g", "a", 2, &[(p0, Offset(1))]),
        Err(CommitError::BeyondEnd { .. })
    ));
    assert_eq!(
        b.commit(t(0), "nope", "a", 2, &[]),
        Err(CommitError::UnknownGroup)
    );
    assert_eq!(
        b.commit(t(0), "g", "zed", 2, &[]),
        Err(CommitError::UnknownMember)
    );
    assert!(matches!(
        b.join_group(t(0), "g", "a", &["s"], GroupConfig::default()),
        Err(JoinGroupError::DuplicateMember(_))
    ));
    assert_eq!(
        b.join_group(t(0), "g", "c", &["nope"], GroupConfig::default()),
        Err(JoinGroupError::UnknownStream)
    );
    assert!(matches!(
        b.join_group(
            t(0),
            "g",
            "c",
            &["s"],
            GroupConfig::default().with_assignor(Assignor::Sticky)
        ),
        Err(JoinGroupError::InconsistentAssignor { .. })
    ));
    b.commit(t(0), "g", "a", 2, &[(p0, Offset(0))])?;
    Ok(())
}

/// Room for one stream of two partitions of two records, and one group of one member.
fn tight_limits() -> Limits {
    Limits {
        max_streams: 1,
        max_partitions: 2,
        max_partition_records: 2,
        max_groups: 1,
        max_group_members: 1,
        ..Limits::default()
    }
}

/// Runs with [`tight_limits`].
fn limits_are_typed_errors<S: Storage>(b: &mut Broker<S>) -> Result<(), Error> {
    assert!(b.declare_stream(t(0), "s", StreamConfig::new(3)).is_err());
    b.declare_stream(t(0), "s", StreamConfig::new(2)).unwrap();
    assert!(b.declare_stream(t(0), "s2", StreamConfig::new(1)).is_err());
    assert!(b.add_partitions(t(0), "s", 1).is_err());
    for _ in 0..2 {
        b.produce_to(t(0), "s", Partition(0), None, "x").unwrap();
    }
    assert!(matches!(
        b.produce_to(t(0), "s", Partition(0), None, "x"),
        Err(ProduceError::Limit(_))
    ));
    b.join_group(t(0), "g", "a", &["s"], GroupConfig::default())
        .unwrap();
    assert!(matches!(
        b.join_group(t(0), "g", "b", &["s"], GroupConfig::default()),
        Err(JoinGroupError::Limit(_))
    ));
    assert!(matches!(
        b.join_group(t(0), "h", "a", &["s"], GroupConfig::default()),
        Err(JoinGroupError::Limit(_))
    ));
    Ok(())
}

on_every_backend! {
    broker:
        seek_by_timestamp_end_offset_and_errors,
        keyed_records_follow_kafkas_partitioner_and_keyless_round_robin,
        commit_errors_old_generation_foreign_partition_and_unknowns,
        limits_are_typed_errors with super::tight_limits();
    transcript:
        retention_by_count_bytes_and_age_advances_the_log_start,
        consumer_below_the_log_start_is_reset_or_fails_with_none,
        session_timeout_evicts_a_silent_member_and_rebalances,
        crash_and_replace_resumes_from_the_committed_offset_with_redelivery,
        cooperative_sticky_revokes_first_then_assigns,
        adding_partitions_rebalances_groups_and_extends_standalone_consumers,
        leave_close_keys_and_seeks;
}
