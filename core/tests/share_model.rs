//! Property test of share groups on the broker over random runs (produce, join, leave,
//! crash, fetch, acknowledge, time passing, flush, restart), checked against a model the test
//! builds from what it did, never from the broker's state:
//! - every call's outcome is the one the model predicts (an acknowledgement succeeds exactly
//!   when the member holds the record; leave and crash succeed exactly for members);
//! - a record fetched is held by no one else, was never accepted, rejected or archived, and
//!   carries the model's delivery count, never above `delivery_count_limit`;
//! - a fetch returns records in offset order and never more than asked;
//! - the start offset is the first record not settled;
//! - a restart brings back what the last flush saved: records settled after it come back
//!   (at least once), acquired ones are available again with their counts kept.

use std::collections::{BTreeMap, BTreeSet};

use brokerlab::{
    AcknowledgeType, Broker, Duration, Instant, Limits, MemoryStorage, Offset, ShareGroupConfig,
    ShareMemberId, ShareOffsetReset, StreamConfig, StreamPartition,
};
use proptest::prelude::*;

const LIMIT: u32 = 3;
const LOCK_MS: u64 = 50;

#[derive(Debug, Clone)]
enum Op {
    Produce(u8),
    Join,
    Leave(usize),
    Crash(usize),
    Fetch(usize, usize),
    Ack(usize, usize, AcknowledgeType),
    Tick(u64),
    Flush,
    Restart,
}

fn op() -> impl Strategy<Value = Op> {
    let kind = prop_oneof![
        Just(AcknowledgeType::Accept),
        Just(AcknowledgeType::Release),
        Just(AcknowledgeType::Reject),
    ];
    prop_oneof![
        3 => (1u8..4).prop_map(Op::Produce),
        2 => Just(Op::Join),
        1 => (0usize..4).prop_map(Op::Leave),
        1 => (0usize..4).prop_map(Op::Crash),
        5 => (0usize..4, 0usize..4).prop_map(|(m, n)| Op::Fetch(m, n)),
        5 => (0usize..4, 0usize..6, kind).prop_map(|(m, j, k)| Op::Ack(m, j, k)),
        2 => (0u64..60).prop_map(Op::Tick),
        1 => Just(Op::Flush),
        1 => Just(Op::Restart),
    ]
}

/// The model's view of the share-partition.
#[derive(Debug, Clone, Default)]
struct Records {
    /// Offset → (holder, lock deadline in ms).
    held: BTreeMap<u64, (ShareMemberId, u64)>,
    /// Accepted, rejected or archived.
    settled: BTreeSet<u64>,
    /// Offset → delivery count.
    count: BTreeMap<u64, u32>,
}

impl Records {
    fn put_back(&mut self, o: u64) {
        self.held.remove(&o);
        if self.count[&o] >= LIMIT {
            self.settled.insert(o);
        }
    }

    fn start(&self, end: u64) -> u64 {
        (0..end).find(|o| !self.settled.contains(o)).unwrap_or(end)
    }
}

/// Runs `ops`; returns how many records were fetched, how many of them redelivered, and how
/// many acknowledgements succeeded.
fn run(ops: &[Op]) -> (usize, usize, usize) {
    let mut stats = (0, 0, 0);
    let config = ShareGroupConfig {
        record_lock_duration: Duration::from_millis(LOCK_MS),
        delivery_count_limit: LIMIT,
        max_record_locks: 4,
        auto_offset_reset: ShareOffsetReset::Earliest,
    };
    let mut b = Broker::new(MemoryStorage::new());
    let s = b
        .declare_stream(Instant::ZERO, "s", StreamConfig::new(1))
        .unwrap();
    let sp = StreamPartition::new(s, 0);
    let g = b
        .create_share_group(Instant::ZERO, "g", &["s"], config)
        .unwrap();
    b.flush().unwrap();
    let mut m = Records::default();
    let mut saved = m.clone();
    let mut members: Vec<ShareMemberId> = Vec::new();
    let mut joined = 0;
    let mut now = 0u64;
    let mut log_end = 0u64;
    for op in ops {
        let t = Instant::from_millis(now);
        match *op {
            Op::Produce(n) => {
                for _ in 0..n {
                    b.produce(t, "s", None, "x").unwrap();
                    log_end += 1;
                }
            }
            Op::Join => {
                joined += 1;
                members.push(b.join_share_group(t, "g", &format!("m{joined}")).unwrap());
            }
            Op::Leave(i) | Op::Crash(i) => {
                if members.is_empty() {
                    assert!(b.leave_share_group(t, ShareMemberId(999)).is_err());
                    continue;
                }
                let who = members.remove(i % members.len());
                let r = if matches!(op, Op::Leave(_)) {
                    b.leave_share_group(t, who)
                } else {
                    b.crash_share_member(t, who)
                };
                r.unwrap();
                let theirs: Vec<u64> = m
                    .held
                    .iter()
                    .filter(|(_, (h, _))| *h == who)
                    .map(|(&o, _)| o)
                    .collect();
                for o in theirs {
                    m.put_back(o);
                }
            }
            Op::Fetch(i, max) => {
                if members.is_empty() {
                    continue;
                }
                let who = members[i % members.len()];
                let got = b.share_fetch(t, who, max).unwrap();
                assert!(got.len() <= max);
                let mut last = None;
                for r in &got {
                    let o = r.record.offset.0;
                    assert!(o < log_end);
                    assert!(last < Some(o), "offset order");
                    last = Some(o);
                    assert!(!m.held.contains_key(&o), "{o} held twice");
                    assert!(!m.settled.contains(&o), "{o} settled, delivered again");
                    let c = m.count.entry(o).or_insert(0);
                    *c += 1;
                    assert_eq!(r.delivery_count, *c);
                    assert!(r.delivery_count <= LIMIT);
                    assert_eq!(r.record.redelivered, *c > 1);
                    m.held.insert(o, (who, now + LOCK_MS));
                    stats.0 += 1;
                    stats.1 += usize::from(r.delivery_count > 1);
                }
            }
            Op::Ack(i, j, kind) => {
                if members.is_empty() {
                    continue;
                }
                let who = members[i % members.len()];
                let mine: Vec<u64> = m
                    .held
                    .iter()
                    .filter(|(_, (h, _))| *h == who)
                    .map(|(&o, _)| o)
                    .collect();
                // The j-th record it holds, or some offset it may not hold.
                let o = mine.get(j).copied().unwrap_or(j as u64);
                let ok = m.held.get(&o).is_some_and(|(h, _)| *h == who);
                let r = b.share_acknowledge(t, who, sp, Offset(o), kind);
                assert_eq!(r.is_ok(), ok, "{r:?}");
                if ok {
                    stats.2 += 1;
                    match kind {
                        AcknowledgeType::Accept | AcknowledgeType::Reject => {
                            m.held.remove(&o);
                            m.settled.insert(o);
                        }
                        AcknowledgeType::Release => m.put_back(o),
                    }
                }
            }
            Op::Tick(ms) => {
                now += ms;
                b.handle_timeout(Instant::from_millis(now));
                let due: Vec<u64> = m
                    .held
                    .iter()
                    .filter(|(_, (_, until))| *until <= now)
                    .map(|(&o, _)| o)
                    .collect();
                for o in due {
                    m.put_back(o);
                }
            }
            Op::Flush => {
                b.flush().unwrap();
                saved = m.clone();
            }
            Op::Restart => {
                let (nb, _) = Broker::recover(b.into_storage(), Limits::default()).unwrap();
                b = nb;
                // Time never runs backwards: the recovered clock is the last flush's.
                m = saved.clone();
                for o in m.held.keys().copied().collect::<Vec<_>>() {
                    m.put_back(o);
                }
                saved = m.clone();
                b.flush().unwrap();
                members.clear();
            }
        }
        while b.poll_event().is_some() {}
        if let Some(p) = b.share_partition(g, sp) {
            assert_eq!(p.start().0, m.start(p.end().0), "start offset");
            assert_eq!(p.acquired_count() as usize, m.held.len());
            for (o, r) in p.records() {
                assert!(r.delivery_count <= LIMIT);
                assert_eq!(r.delivery_count, m.count.get(&o.0).copied().unwrap_or(0));
            }
        }
    }
    stats
}

/// One fixed run that fetches, releases, lets a lock expire, restarts with settled records
/// lost since the flush, and redelivers: the checks above have something to check.
#[test]
fn a_scripted_run_redelivers_across_expiry_and_restart() {
    use AcknowledgeType::{Accept, Release};
    let ops = [
        Op::Produce(3),
        Op::Join,
        Op::Join,
        Op::Fetch(0, 2),
        Op::Fetch(1, 2),
        Op::Ack(0, 0, Release),
        Op::Tick(60),
        Op::Fetch(1, 3),
        Op::Flush,
        Op::Ack(1, 0, Accept),
        Op::Restart,
        Op::Join,
        Op::Fetch(0, 3),
    ];
    let (fetched, redelivered, acked) = run(&ops);
    assert_eq!((fetched, redelivered, acked), (9, 6, 2));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn share_groups_agree_with_the_model(ops in proptest::collection::vec(op(), 0..60)) {
        run(&ops);
    }
}
