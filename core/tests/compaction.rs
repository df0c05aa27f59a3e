//! Log compaction of streams with `cleanup: compact` (SEMANTICS.md, "Streams and offsets";
//! Kafka's `LogCleaner`, `Cleaner` and `LogCleanerTest`): the latest record per key stays,
//! older ones become gaps, offsets never change, tombstones go after their retention, keyless
//! records are refused, readers (standalone and group members) step over the gaps, and
//! retention still applies on top.
//!
//! Every body runs on each storage backend and ends with a flush and a restart whose
//! recovered broker must hold the same records, gaps and counts (`support/backend.rs`): the
//! compacted view survives a restart, also a `kill -9` right after the flush.

mod support;

use support::backend;

use brokerlab::{
    Broker, CleanupPolicy, Duration, Error, Event, GroupConfig, Instant, Offset, OffsetReset,
    ProduceError, Retention, Storage, StreamConfig, StreamConsumerConfig, StreamPartition,
};

fn t(ms: u64) -> Instant {
    Instant::from_millis(ms)
}

fn compacted(partitions: u32) -> StreamConfig {
    StreamConfig::new(partitions)
        .with_cleanup(CleanupPolicy::Compact)
        .with_tombstone_retention(Duration::from_millis(1_000))
}

fn earliest() -> StreamConsumerConfig {
    StreamConsumerConfig::default().with_auto_offset_reset(OffsetReset::Earliest)
}

fn drain<S: Storage>(b: &mut Broker<S>) -> Vec<Event> {
    std::iter::from_fn(|| b.poll_event()).collect()
}

/// The offsets of partition `sp` that hold a record, with its key and payload.
fn kept<S: Storage>(b: &Broker<S>, sp: StreamPartition) -> Vec<(u64, String, String)> {
    let bounds = b.partition_stats(sp).expect("partition").bounds;
    (bounds.start.0..bounds.end.0)
        .filter_map(|o| b.stream_record(sp, Offset(o)))
        .map(|r| {
            let key = r.key.map(|k| String::from_utf8_lossy(&k).into_owned());
            let value = String::from_utf8_lossy(&r.payload).into_owned();
            (r.offset.0, key.unwrap_or_default(), value)
        })
        .collect()
}

fn the_latest_record_per_key_stays_and_offsets_never_change<S: Storage>(
    b: &mut Broker<S>,
) -> Result<(), Error> {
    let s = b.declare_stream(t(0), "users", compacted(1))?;
    let p0 = StreamPartition::new(s, 0);
    // LogCleanerTest.testCleanSegments: keys written over and over, only the last of each stays.
    for (i, key) in ["a", "b", "a", "c"].iter().enumerate() {
        let produced = b.produce(
            t(i as u64),
            "users",
            Some(key.as_bytes()),
            format!("{key}{i}"),
        )?;
        assert_eq!(
            produced.offset,
            Offset(i as u64),
            "offsets are dense when appended"
        );
    }
    let events = drain(b);
    let compactions: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Event::Compacted {
                partition,
                removed,
                tombstones,
                kept,
            } => Some((*partition, *removed, *tombstones, *kept)),
            _ => None,
        })
        .collect();
    assert_eq!(
        compactions,
        [(p0, 1, 0, 3)],
        "4 dirty records: compacted once"
    );
    assert_eq!(
        kept(b, p0),
        [
            (1, "b".into(), "b1".into()),
            (2, "a".into(), "a2".into()),
            (3, "c".into(), "c3".into())
        ]
    );
    let stats = b.partition_stats(p0).expect("stats");
    assert_eq!(
        (stats.bounds.start, stats.bounds.end, stats.records),
        (Offset(0), Offset(4), 3)
    );
    assert_eq!(
        stats.bytes,
        3 * 3,
        "three records of a 1-byte key and a 2-byte payload"
    );
    // More writes: the next compaction waits until the dirty part is as large as the clean.
    for (i, key) in ["b", "b", "a"].iter().enumerate() {
        b.produce(
            t(10 + i as u64),
            "users",
            Some(key.as_bytes()),
            format!("{key}{}", 4 + i),
        )?;
    }
    assert!(
        !drain(b)
            .iter()
            .any(|e| matches!(e, Event::Compacted { .. }))
    );
    assert_eq!(kept(b, p0).len(), 6);
    b.produce(t(20), "users", Some(b"d"), "d7")?;
    assert!(drain(b).iter().any(|e| matches!(
        e,
        Event::Compacted {
            removed: 3,
            kept: 4,
            ..
        }
    )));
    assert_eq!(
        kept(b, p0),
        [
            (3, "c".into(), "c3".into()),
            (5, "b".into(), "b5".into()),
            (6, "a".into(), "a6".into()),
            (7, "d".into(), "d7".into())
        ]
    );
    // A reader from the start sees the latest value of every key, in offset order.
    let c = b.stream_consumer(t(30), "users", "late", earliest())?;
    let read: Vec<u64> = b.poll(t(30), c, 100)?.iter().map(|r| r.offset.0).collect();
    assert_eq!(read, [3, 5, 6, 7]);
    assert_eq!(b.position(c, p0), Some(Offset(8)));
    // Polled events name runs of consecutive offsets.
    let polled: Vec<(u64, u64)> = drain(b)
        .iter()
        .filter_map(|e| match e {
            Event::Polled { first, count, .. } => Some((first.0, *count)),
            _ => None,
        })
        .collect();
    assert_eq!(polled, [(3, 1), (5, 3)]);
    Ok(())
}

fn keyless_records_are_refused<S: Storage>(b: &mut Broker<S>) -> Result<(), Error> {
    b.declare_stream(t(0), "users", compacted(2))?;
    assert_eq!(
        b.produce(t(1), "users", None, "x"),
        Err(ProduceError::KeyRequired)
    );
    assert_eq!(
        b.produce_to(t(1), "users", brokerlab::Partition(1), None, "x"),
        Err(ProduceError::KeyRequired)
    );
    let s = b.stream_id("users").expect("users");
    for p in 0..2 {
        let stats = b
            .partition_stats(StreamPartition::new(s, p))
            .expect("stats");
        assert_eq!(stats.bounds.end, Offset(0), "nothing appended");
    }
    Ok(())
}

fn tombstones_go_after_their_retention<S: Storage>(b: &mut Broker<S>) -> Result<(), Error> {
    let s = b.declare_stream(t(0), "users", compacted(1))?;
    let p0 = StreamPartition::new(s, 0);
    b.produce(t(0), "users", Some(b"a"), "a0")?;
    b.produce(t(0), "users", Some(b"b"), "b1")?;
    b.produce(t(100), "users", Some(b"a"), "")?; // a tombstone for a
    b.produce(t(100), "users", Some(b"c"), "c3")?; // the 4th dirty record compacts
    assert_eq!(
        kept(b, p0),
        [
            (1, "b".into(), "b1".into()),
            (2, "a".into(), String::new()),
            (3, "c".into(), "c3".into())
        ],
        "the tombstone stays while its retention runs: a reader behind still sees the delete"
    );
    assert_eq!(
        b.poll_timeout(),
        Some(t(1_100)),
        "when the tombstone may go"
    );
    b.handle_timeout(t(1_099));
    assert_eq!(kept(b, p0).len(), 3);
    b.handle_timeout(t(1_100));
    assert_eq!(
        kept(b, p0),
        [(1, "b".into(), "b1".into()), (3, "c".into(), "c3".into())]
    );
    assert!(drain(b).iter().any(|e| matches!(
        e,
        Event::Compacted {
            removed: 1,
            tombstones: 1,
            kept: 2,
            ..
        }
    )));
    assert_eq!(b.poll_timeout(), None);
    Ok(())
}

fn group_members_commit_and_lag_across_gaps<S: Storage>(b: &mut Broker<S>) -> Result<(), Error> {
    let s = b.declare_stream(t(0), "users", compacted(1))?;
    let p0 = StreamPartition::new(s, 0);
    for i in 0..8u64 {
        b.produce(
            t(i),
            "users",
            Some(if i % 2 == 0 { b"a" } else { b"b" }),
            format!("v{i}"),
        )?;
    }
    assert_eq!(
        kept(b, p0).iter().map(|k| k.0).collect::<Vec<_>>(),
        [6, 7],
        "compacted at 4 and 8 records"
    );
    let config = GroupConfig::default().with_auto_offset_reset(OffsetReset::Earliest);
    let m = b.join_group(t(10), "g", "m", &["users"], config)?;
    let g = b.group_id("g").expect("g");
    let read: Vec<String> = b
        .poll(t(10), m, 1)?
        .iter()
        .map(|r| String::from_utf8_lossy(&r.payload).into_owned())
        .collect();
    assert_eq!(read, ["v6"], "the first kept record, past the gaps at 0..6");
    b.commit_positions(t(10), "g", "m")?;
    assert_eq!(b.committed(g, p0), Some(Offset(7)));
    assert_eq!(b.lag(g, p0), Some(1), "lag counts offsets, as Kafka's does");
    b.poll(t(11), m, 10)?;
    b.commit_positions(t(11), "g", "m")?;
    assert_eq!(
        (b.committed(g, p0), b.lag(g, p0)),
        (Some(Offset(8)), Some(0))
    );
    Ok(())
}

fn retention_applies_on_top_and_counts_the_records_kept<S: Storage>(
    b: &mut Broker<S>,
) -> Result<(), Error> {
    let config = compacted(1).with_retention(Retention::default().with_max_records(3));
    let s = b.declare_stream(t(0), "users", config)?;
    let p0 = StreamPartition::new(s, 0);
    for (i, key) in ["a", "a", "a", "b", "c", "d"].iter().enumerate() {
        b.produce(
            t(i as u64),
            "users",
            Some(key.as_bytes()),
            format!("{key}{i}"),
        )?;
    }
    // At 3 records retention dropped the first a; compaction at the 4th append removed the
    // second; retention keeps the last 3 of what is left.
    let left = kept(b, p0);
    assert_eq!(
        left,
        [
            (3, "b".into(), "b3".into()),
            (4, "c".into(), "c4".into()),
            (5, "d".into(), "d5".into())
        ]
    );
    let stats = b.partition_stats(p0).expect("stats");
    assert_eq!(stats.records, 3);
    assert_eq!(stats.oldest, Some(t(3)));
    let r = b.stream_consumer(t(10), "users", "r", earliest())?;
    let at = b.seek(t(10), r, p0, brokerlab::SeekTo::Timestamp(t(4)))?;
    assert_eq!(at, Offset(4));
    Ok(())
}

on_every_backend! {
    broker:
        the_latest_record_per_key_stays_and_offsets_never_change,
        keyless_records_are_refused,
        tombstones_go_after_their_retention,
        group_members_commit_and_lag_across_gaps,
        retention_applies_on_top_and_counts_the_records_kept;
}
