//! Compaction against a model, over random runs (Kafka's `LogCleanerTest` checks the same
//! properties on fixed logs): keys written over and over, tombstones, time passing, polls and
//! flushes, on a compacted stream with a `tombstone_retention` of 1 s. The model is the list
//! of records the test produced; after every command:
//! - offsets only ever increase, and every record still readable is the one produced there
//!   (same key and payload); removed ones read as nothing;
//! - the latest record of every key is kept, unless it is a tombstone whose retention has
//!   passed; once `handle_timeout` ran at or after that time, such a tombstone is gone;
//! - the log stays small: at most twice the keys;
//! - a reader that started at offset 0 reads strictly increasing offsets, each the record
//!   produced there;
//! - at the end a new reader from offset 0, applying what it reads (an empty payload deletes
//!   its key), rebuilds exactly the model's latest value per key.
//!
//! Runs on every backend: `memory` (64 cases), `file` and `killed` (16 each); each run ends
//! with a flush and a restart that must keep the compacted view (`support/backend.rs`).

#[path = "support/backend.rs"]
mod backend;

use std::collections::BTreeMap;

use backend::Backend;
use brokerlab::{
    Broker, COMPACT_MIN_DIRTY, CleanupPolicy, Duration, Instant, Limits, Offset, OffsetReset,
    Storage, StreamConfig, StreamConsumerConfig, StreamPartition,
};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

const KEYS: u8 = 5;
const RETENTION_MS: u64 = 1_000;

#[derive(Debug, Clone)]
enum Cmd {
    /// A record for key `k` after `dt` ms; a tombstone when `tombstone`.
    Produce {
        k: u8,
        tombstone: bool,
        dt: u64,
    },
    /// Time passes; `handle_timeout` runs if the broker asked for it.
    Tick(u64),
    /// The early reader polls up to this many records.
    Poll(usize),
    Flush,
}

fn cmd() -> impl Strategy<Value = Cmd> {
    prop_oneof![
        8 => (0..KEYS, prop::bool::weighted(0.15), 0..200u64)
            .prop_map(|(k, tombstone, dt)| Cmd::Produce { k, tombstone, dt }),
        2 => (0..1_500u64).prop_map(Cmd::Tick),
        2 => (1..8usize).prop_map(Cmd::Poll),
        1 => Just(Cmd::Flush),
    ]
}

/// What the test produced: per offset, the key, the payload and the time.
type Model = Vec<(u8, String, u64)>;

fn check_log<S: Storage>(
    b: &Broker<S>,
    sp: StreamPartition,
    model: &Model,
    now: u64,
    timed_out_at: Option<u64>,
) -> Result<(), TestCaseError> {
    let stats = b.partition_stats(sp).expect("partition");
    prop_assert_eq!(stats.bounds.end.0, model.len() as u64);
    let mut kept = 0;
    for (o, (k, v, _)) in model.iter().enumerate() {
        if let Some(r) = b.stream_record(sp, Offset(o as u64)) {
            kept += 1;
            prop_assert_eq!(r.key.as_deref(), Some(&[b'k', b'0' + k][..]));
            prop_assert_eq!(r.payload.as_bytes(), v.as_bytes(), "offset {}", o);
        }
    }
    prop_assert_eq!(stats.records, kept);
    let mut latest: BTreeMap<u8, usize> = BTreeMap::new();
    for (o, (k, _, _)) in model.iter().enumerate() {
        latest.insert(*k, o);
    }
    for (&k, &o) in &latest {
        let (_, v, at) = &model[o];
        let present = b.stream_record(sp, Offset(o as u64)).is_some();
        let expired = v.is_empty() && at + RETENTION_MS <= now;
        if !expired {
            prop_assert!(present, "key {} lost its latest record at {}", k, o);
        }
        if v.is_empty() && timed_out_at.is_some_and(|t| at + RETENTION_MS <= t) {
            prop_assert!(
                !present,
                "tombstone of key {} at {} outlived its retention",
                k,
                o
            );
        }
    }
    // After a compaction at most one record per key is left; the next one comes before the
    // dirty part outgrows that (or `COMPACT_MIN_DIRTY`, 4 here, below the 5 keys).
    assert_eq!(COMPACT_MIN_DIRTY, 4);
    let bound = 2 * u64::from(KEYS);
    prop_assert!(kept <= bound, "{} records kept, more than {}", kept, bound);
    Ok(())
}

fn run<S: Storage>(b: &mut Broker<S>, cmds: &[Cmd]) -> Result<(), TestCaseError> {
    let config = StreamConfig::new(1)
        .with_cleanup(CleanupPolicy::Compact)
        .with_tombstone_retention(Duration::from_millis(RETENTION_MS));
    let s = b
        .declare_stream(Instant::ZERO, "changelog", config)
        .expect("declare");
    let sp = StreamPartition::new(s, 0);
    let earliest = StreamConsumerConfig::default().with_auto_offset_reset(OffsetReset::Earliest);
    let early = b
        .stream_consumer(Instant::ZERO, "changelog", "early", earliest)
        .expect("reader");
    let mut model: Model = Vec::new();
    let mut now = 0;
    let mut read_up_to: Option<u64> = None;
    let mut timed_out_at = None;
    for (i, cmd) in cmds.iter().enumerate() {
        match cmd {
            Cmd::Produce { k, tombstone, dt } => {
                now += dt;
                let value = if *tombstone {
                    String::new()
                } else {
                    format!("v{i}")
                };
                let key = [b'k', b'0' + k];
                let p = b
                    .produce(Instant::from_millis(now), s, Some(&key), value.as_str())
                    .expect("produce");
                prop_assert_eq!(p.offset.0, model.len() as u64, "offsets only increase");
                model.push((*k, value, now));
            }
            Cmd::Tick(dt) => {
                now += dt;
                if b.poll_timeout()
                    .is_some_and(|d| d <= Instant::from_millis(now))
                {
                    b.handle_timeout(Instant::from_millis(now));
                    timed_out_at = Some(now);
                }
            }
            Cmd::Poll(max) => {
                for r in b
                    .poll(Instant::from_millis(now), early, *max)
                    .expect("poll")
                {
                    prop_assert!(read_up_to.is_none_or(|o| r.offset.0 > o));
                    read_up_to = Some(r.offset.0);
                    let (k, v, _) = &model[r.offset.0 as usize];
                    prop_assert_eq!(r.key.as_deref(), Some(&[b'k', b'0' + k][..]));
                    prop_assert_eq!(r.payload.as_bytes(), v.as_bytes());
                }
            }
            Cmd::Flush => b.flush().expect("flush"),
        }
        check_log(b, sp, &model, now, timed_out_at)?;
    }
    // A late reader rebuilds the latest value per key.
    let late = b
        .stream_consumer(Instant::from_millis(now), "changelog", "late", earliest)
        .expect("late reader");
    let mut state: BTreeMap<Vec<u8>, Vec<u8>> = BTreeMap::new();
    loop {
        let got = b.poll(Instant::from_millis(now), late, 7).expect("poll");
        if got.is_empty() {
            break;
        }
        for r in got {
            let key = r.key.expect("keyed").as_bytes().to_vec();
            if r.payload.is_empty() {
                state.remove(&key);
            } else {
                state.insert(key, r.payload.as_bytes().to_vec());
            }
        }
    }
    let mut expected: BTreeMap<Vec<u8>, Vec<u8>> = BTreeMap::new();
    for (k, v, _) in &model {
        if v.is_empty() {
            expected.remove(&vec![b'k', b'0' + k]);
        } else {
            expected.insert(vec![b'k', b'0' + k], v.as_bytes().to_vec());
        }
    }
    prop_assert_eq!(state, expected);
    Ok(())
}

fn check<S: Backend>(cmds: &[Cmd]) -> Result<(), TestCaseError> {
    S::run("compaction_model", Limits::default(), |b| run(b, cmds))
}

mod memory {
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        #[test]
        fn compaction_keeps_the_latest_value_per_key(
            cmds in proptest::collection::vec(super::cmd(), 1..150),
        ) {
            super::check::<brokerlab::MemoryStorage>(&cmds)?;
        }
    }
}

mod file {
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

        #[test]
        fn compaction_keeps_the_latest_value_per_key(
            cmds in proptest::collection::vec(super::cmd(), 1..150),
        ) {
            super::check::<brokerlab::storage::FileStorage>(&cmds)?;
        }
    }
}

mod killed {
    use proptest::prelude::*;

    type Killed = brokerlab::storage::FileStorage<super::backend::crash_fs::CrashFs>;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

        #[test]
        fn compaction_keeps_the_latest_value_per_key(
            cmds in proptest::collection::vec(super::cmd(), 1..150),
        ) {
            super::check::<Killed>(&cmds)?;
        }
    }
}
