//! Transcript and behaviour tests for streams and consumer groups (DESIGN.md, "Streams and
//! offsets" and "Consumer groups"): retention, seek by timestamp, `auto_offset_reset = none`,
//! session-timeout eviction, crash-and-replace resuming from the committed offset with the
//! redelivery visible in the events, cooperative revocation, and typed errors.
//!
//! Every test is a generic body run on both storage backends: `memory::*` over
//! `MemoryStorage`, `file::*` over `FileStorage` in a fresh temporary folder; each ends with a
//! flush and a restart that must keep the durable state (`support/backend.rs`).

#[path = "support/backend.rs"]
mod backend;

use std::fmt::Write as _;

use brokerlab::assign::Assignor;
use brokerlab::partitioner::partition_for_key;
use brokerlab::{
    Broker, CommitError, Duration, Error, Event, GroupConfig, Instant, JoinGroupError, Limits,
    Offset, OffsetReset, Partition, PollError, ProduceError, Retention, SeekError, SeekTo, Storage,
    StreamConfig, StreamConsumerConfig, StreamPartition,
};

fn t(ms: u64) -> Instant {
    Instant::from_millis(ms)
}

/// Drains the events in their one-line form.
fn drain<S: Storage>(broker: &mut Broker<S>) -> String {
    let mut out = String::new();
    while let Some(e) = broker.poll_event() {
        writeln!(out, "{e}").unwrap();
    }
    out
}

#[track_caller]
fn same(got: &str, expect: &str) {
    let norm = |s: &str| -> Vec<String> {
        s.lines()
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
            .collect()
    };
    assert_eq!(
        norm(got),
        norm(expect),
        "\n--- got ---\n{got}--- expected ---\n{expect}"
    );
}

fn retention_by_count_bytes_and_age_advances_the_log_start<S: Storage>(
    b: &mut Broker<S>,
) -> Result<(), Error> {
    let cfg = StreamConfig::new(1).with_retention(
        Retention::default()
            .with_max_records(3)
            .with_max_bytes(10)
            .with_max_age(Duration::from_millis(100)),
    );
    let s = b.declare_stream(t(0), "log", cfg)?;
    let sp = StreamPartition::new(s, 0);
    for (i, p) in ["a", "b", "c", "d"].iter().enumerate() {
        b.produce(t(i as u64), "log", None, *p)?;
    }
    b.produce(t(10), "log", None, "0123456789")?; // 10 bytes alone fill max_bytes
    same(
        &drain(b),
        "
        stream-declared st1 partitions=1
        appended m1 st1/0@0
        appended m2 st1/0@1
        appended m3 st1/0@2
        appended m4 st1/0@3
        retention st1/0 start=@1 dropped=1 (records)
        appended m5 st1/0@4
        retention st1/0 start=@4 dropped=3 (records)
        ",
    );
    // Reading never deletes.
    let c = b.stream_consumer(
        t(10),
        "log",
        "reader",
        StreamConsumerConfig::default().with_auto_offset_reset(OffsetReset::Earliest),
    )?;
    assert_eq!(b.poll(t(10), c, 10)?.len(), 1);
    assert_eq!(b.poll(t(10), c, 10)?.len(), 0);
    assert_eq!(b.partition_stats(sp).unwrap().bounds.start, Offset(4));
    // Age: the timeout reports the deadline of the oldest record and acts on it.
    assert_eq!(b.poll_timeout(), Some(t(110)));
    b.handle_timeout(t(109));
    assert_eq!(b.partition_stats(sp).unwrap().bounds.start, Offset(4));
    drain(b);
    b.handle_timeout(t(110));
    same(&drain(b), "retention st1/0 start=@5 dropped=1 (age)");
    assert_eq!(b.poll_timeout(), None);
    let stats = b.partition_stats(sp).unwrap();
    assert_eq!(
        (stats.bounds.start, stats.bounds.end, stats.bytes),
        (Offset(5), Offset(5), 0)
    );
    Ok(())
}

fn consumer_below_the_log_start_is_reset_or_fails_with_none<S: Storage>(
    b: &mut Broker<S>,
) -> Result<(), Error> {
    let cfg = StreamConfig::new(1).with_retention(Retention::default().with_max_records(2));
    let s = b.declare_stream(t(0), "s", cfg)?;
    let sp = StreamPartition::new(s, 0);
    let early = StreamConsumerConfig::default().with_auto_offset_reset(OffsetReset::Earliest);
    let none = StreamConsumerConfig::default().with_auto_offset_reset(OffsetReset::None);
    let e = b.stream_consumer(t(0), "s", "e", early)?;
    let n = b.stream_consumer(t(0), "s", "n", none)?;
    // `none` has no position at all: a typed error until it seeks.
    assert_eq!(b.poll(t(0), n, 10), Err(PollError::NoOffset(sp)));
    b.seek(t(0), n, sp, SeekTo::Beginning)?;
    for i in 0..5 {
        b.produce(t(1), "s", None, format!("r{i}"))?;
    }
    drain(b);
    // Both positions are at 0, now below the log start 3.
    assert_eq!(
        b.poll(t(2), n, 10),
        Err(PollError::OffsetOutOfRange {
            partition: sp,
            offset: Offset(0),
            start: Offset(3),
            end: Offset(5)
        })
    );
    let got = b.poll(t(2), e, 10)?;
    assert_eq!(got.iter().map(|r| r.offset.0).collect::<Vec<_>>(), [3, 4]);
    same(
        &drain(b),
        "
        offset-reset sc1 st1/0 @0->@3 (earliest)
        polled sc1 st1/0@3 n=2
        ",
    );
    Ok(())
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

fn session_timeout_evicts_a_silent_member_and_rebalances<S: Storage>(
    b: &mut Broker<S>,
) -> Result<(), Error> {
    b.declare_stream(t(0), "s", StreamConfig::new(3))?;
    let cfg = GroupConfig::default().with_session_timeout(Duration::from_millis(100));
    b.join_group(t(0), "g", "a", &["s"], cfg)?;
    b.join_group(t(10), "g", "b", &["s"], cfg)?;
    b.heartbeat(t(50), "g", "a")?;
    assert_eq!(b.poll_timeout(), Some(t(110))); // b's deadline
    b.handle_timeout(t(110));
    same(
        &drain(b),
        "
        stream-declared st1 partitions=3
        group-created g1
        joined g1 sc1
        rebalanced g1 gen=1 sc1=[st1/0 st1/1 st1/2]
        joined g1 sc2
        rebalanced g1 gen=2 sc1=[st1/0 st1/1] sc2=[st1/2]
        left g1 sc2 (session_timeout)
        rebalanced g1 gen=3 sc1=[st1/0 st1/1 st1/2]
        ",
    );
    assert_eq!(b.poll_timeout(), Some(t(150)));
    assert_eq!(
        b.heartbeat(t(110), "g", "b"),
        Err(brokerlab::GroupError::UnknownMember)
    );
    Ok(())
}

fn crash_and_replace_resumes_from_the_committed_offset_with_redelivery<S: Storage>(
    b: &mut Broker<S>,
) -> Result<(), Error> {
    let s = b.declare_stream(t(0), "orders", StreamConfig::new(1))?;
    let sp = StreamPartition::new(s, 0);
    let cfg = GroupConfig::default()
        .with_session_timeout(Duration::from_millis(100))
        .with_auto_offset_reset(OffsetReset::Earliest);
    let w1 = b.join_group(t(0), "billing", "w1", &["orders"], cfg)?;
    for i in 0..5 {
        b.produce(t(1), "orders", None, format!("order {i}"))?;
    }
    assert_eq!(b.poll(t(2), w1, 3)?.len(), 3);
    b.commit(t(3), "billing", "w1", 1, &[(sp, Offset(2))])?; // processed 0 and 1 only
    assert_eq!(b.poll(t(4), w1, 10)?.len(), 2); // read up to the end, then crash
    assert_eq!(b.group_id("billing").and_then(|g| b.lag(g, sp)), Some(3));
    drain(b);
    // w1 goes silent; its session times out; w2 replaces it and resumes from offset 2.
    b.handle_timeout(t(104));
    let w2 = b.join_group(t(105), "billing", "w2", &["orders"], cfg)?;
    let again = b.poll(t(106), w2, 10)?;
    assert_eq!(
        again
            .iter()
            .map(|r| (r.offset.0, r.redelivered))
            .collect::<Vec<_>>(),
        [(2, true), (3, true), (4, true)]
    );
    b.produce(t(107), "orders", None, "order 5")?;
    let fresh = b.poll(t(108), w2, 10)?;
    assert!(!fresh[0].redelivered);
    b.commit_positions(t(109), "billing", "w2")?;
    same(
        &drain(b),
        "
        left g1 sc1 (session_timeout)
        rebalanced g1 gen=2
        joined g1 sc2
        rebalanced g1 gen=3 sc2=[st1/0]
        polled sc2 st1/0@2 n=3 redelivered=3
        appended m6 st1/0@5
        polled sc2 st1/0@5 n=1
        committed g1 sc2 st1/0@6 was @2
        ",
    );
    assert_eq!(b.group_id("billing").and_then(|g| b.lag(g, sp)), Some(0));
    Ok(())
}

fn commit_errors_old_generation_foreign_partition_and_unknowns<S: Storage>(
    b: &mut Broker<S>,
) -> Result<(), Error> {
    let s = b.declare_stream(t(0), "s", StreamConfig::new(2))?;
    let (p0, p1) = (StreamPartition::new(s, 0), StreamPartition::new(s, 1));
    b.join_group(t(0), "g", "a", &["s"], GroupConfig::default())?;
    b.join_group(t(0), "g", "b", &["s"], GroupConfig::default())?;
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

fn cooperative_sticky_revokes_first_then_assigns<S: Storage>(
    b: &mut Broker<S>,
) -> Result<(), Error> {
    b.declare_stream(t(0), "s", StreamConfig::new(4))?;
    let cfg = GroupConfig::default().with_assignor(Assignor::CooperativeSticky);
    b.join_group(t(0), "g", "a", &["s"], cfg)?;
    b.join_group(t(0), "g", "b", &["s"], cfg)?;
    drain(b);
    b.join_group(t(0), "g", "c", &["s"], cfg)?;
    let events: Vec<Event> = std::iter::from_fn(|| b.poll_event()).collect();
    let text: Vec<String> = events.iter().map(ToString::to_string).collect();
    // b's join took two generations already (2: a revokes, 3: b gets them). Now b gives up
    // st1/3 in generation 4 (nobody owns it then) and c gets it in generation 5.
    assert_eq!(
        text,
        [
            "joined g1 sc3",
            "revoked g1 gen=4 sc2 [st1/3]",
            "rebalanced g1 gen=4 sc1=[st1/0 st1/1] sc2=[st1/2] sc3=[]",
            "rebalanced g1 gen=5 sc1=[st1/0 st1/1] sc2=[st1/2] sc3=[st1/3]",
        ]
    );
    assert_eq!(text.len(), 4);
    let Event::PartitionsRevoked { partitions, .. } = &events[1] else {
        panic!()
    };
    let Event::Rebalanced { assignment, .. } = &events[3] else {
        panic!()
    };
    let c = assignment.iter().find(|a| a.member.0 == 3).unwrap();
    assert_eq!(&c.partitions, partitions);
    Ok(())
}

fn adding_partitions_rebalances_groups_and_extends_standalone_consumers<S: Storage>(
    b: &mut Broker<S>,
) -> Result<(), Error> {
    let s = b.declare_stream(t(0), "s", StreamConfig::new(1))?;
    let solo = b.stream_consumer(t(0), "s", "solo", StreamConsumerConfig::default())?;
    b.join_group(t(0), "g", "a", &["s"], GroupConfig::default())?;
    b.join_group(t(0), "g", "b", &["s"], GroupConfig::default())?;
    drain(b);
    assert_eq!(b.add_partitions(t(1), "s", 2)?, 3);
    same(
        &drain(b),
        "
        partitions-added st1 partitions=3
        rebalanced g1 gen=3 sc2=[st1/0 st1/1] sc3=[st1/2]
        ",
    );
    assert_eq!(b.assigned_partitions(solo).len(), 3);
    assert_eq!(
        b.position(solo, StreamPartition::new(s, 2)),
        Some(Offset(0))
    );
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
        retention_by_count_bytes_and_age_advances_the_log_start,
        consumer_below_the_log_start_is_reset_or_fails_with_none,
        seek_by_timestamp_end_offset_and_errors,
        keyed_records_follow_kafkas_partitioner_and_keyless_round_robin,
        session_timeout_evicts_a_silent_member_and_rebalances,
        crash_and_replace_resumes_from_the_committed_offset_with_redelivery,
        commit_errors_old_generation_foreign_partition_and_unknowns,
        cooperative_sticky_revokes_first_then_assigns,
        adding_partitions_rebalances_groups_and_extends_standalone_consumers,
        limits_are_typed_errors with super::tight_limits();
}
