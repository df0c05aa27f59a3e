//! Property tests of [`SharePartition`] over random operations, against a tiny reference
//! model (one `BTreeMap` entry per offset ever fetched, never removed). After every step the
//! partition must agree with the model on every result, record state, delivery count, start
//! and end, and the reported changes must keep the invariants:
//! - a record is acquired by at most one member, and only when it was available or new;
//! - no acknowledged or archived record is ever acquired (or changed) again;
//! - delivery counts never exceed `delivery_count_limit`;
//! - the start offset (SPSO) only moves forward, and only past finished records;
//! - the window never holds more than `max_record_locks` records;
//! - nothing below the log start (retention) is ever acquired, and what is skipped there
//!   was never fetched.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use proptest::prelude::*;

use super::*;
use crate::ids::{Offset, ShareMemberId};
use crate::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum St {
    Available,
    Acquired(u32, u64),
    Acknowledged,
    Archived,
}

#[derive(Debug, Clone)]
enum Op {
    /// A member fetches up to `max` records; the log has grown by `grow`.
    Acquire { member: u32, max: usize, grow: u64 },
    /// A member settles `first..first + len` (relative to the model's start).
    Ack {
        member: u32,
        first: u64,
        len: u64,
        kind: AcknowledgeType,
    },
    /// Time passes by `ms` and expired locks are acted on.
    Tick { ms: u64 },
    /// A member leaves.
    Leave { member: u32 },
    /// Retention moves the log start up by `by` (at most to the log end).
    Retain { by: u64 },
}

fn op() -> impl Strategy<Value = Op> {
    let kind = prop_oneof![
        Just(AcknowledgeType::Accept),
        Just(AcknowledgeType::Release),
        Just(AcknowledgeType::Reject),
    ];
    prop_oneof![
        4 => (0u32..3, 0usize..5, 0u64..4).prop_map(|(member, max, grow)| Op::Acquire { member, max, grow }),
        4 => (0u32..3, 0u64..8, 1u64..3, kind).prop_map(|(member, first, len, kind)| Op::Ack { member, first, len, kind }),
        2 => (0u64..40).prop_map(|ms| Op::Tick { ms }),
        1 => (0u32..3).prop_map(|member| Op::Leave { member }),
        1 => (0u64..4).prop_map(|by| Op::Retain { by }),
    ]
}

struct Model {
    records: BTreeMap<u64, (St, u32)>,
    start: u64,
    end: u64,
    log_start: u64,
}

impl Model {
    fn put_back(&mut self, o: u64, limit: u32) {
        let r = self.records.get_mut(&o).unwrap();
        r.0 = if r.1 >= limit || o < self.log_start {
            St::Archived
        } else {
            St::Available
        };
    }

    fn advance(&mut self) {
        while self.start < self.end
            && matches!(self.records[&self.start].0, St::Acknowledged | St::Archived)
        {
            self.start += 1;
        }
    }
}

fn run(ops: &[Op]) {
    let config = ShareGroupConfig {
        record_lock_duration: Duration::from_millis(50),
        delivery_count_limit: 3,
        max_record_locks: 6,
        auto_offset_reset: ShareOffsetReset::Earliest,
    };
    let limit = config.delivery_count_limit;
    let mut p = SharePartition::new(Offset(0));
    let mut m = Model {
        records: BTreeMap::new(),
        start: 0,
        end: 0,
        log_start: 0,
    };
    let mut log_end = 0u64;
    let mut now = 0u64;
    let mut changes = Vec::new();
    for op in ops {
        changes.clear();
        let before = m.records.clone();
        let start_before = p.start();
        match *op {
            Op::Acquire { member, max, grow } => {
                log_end += grow;
                let until = now + 50;
                let mut taken = 0;
                for o in m.start..m.end {
                    if taken == max {
                        break;
                    }
                    let r = m.records.get_mut(&o).unwrap();
                    if r.0 == St::Available {
                        *r = (St::Acquired(member, until), r.1 + 1);
                        taken += 1;
                    }
                }
                let mut skipped = false;
                while taken < max && m.end - m.start < 6 && m.end < log_end {
                    if m.end < m.log_start {
                        skipped = true;
                        if m.start == m.end {
                            m.start = m.log_start.min(log_end);
                            m.end = m.start;
                        } else {
                            m.records.insert(m.end, (St::Archived, 0));
                            m.end += 1;
                        }
                        continue;
                    }
                    m.records.insert(m.end, (St::Acquired(member, until), 1));
                    m.end += 1;
                    taken += 1;
                }
                m.advance();
                let full = m.end - m.start >= 6 && m.end < log_end;
                let expect = if taken == 0 && max > 0 && !skipped && full {
                    Err(AcquireError::RecordLocksFull { limit: 6 })
                } else {
                    Ok(taken)
                };
                let got = p.acquire(
                    ShareMemberId(member),
                    Instant::from_millis(now),
                    max,
                    Offset(log_end),
                    &config,
                    &mut changes,
                );
                assert_eq!(got, expect);
            }
            Op::Ack {
                member,
                first,
                len,
                kind,
            } => {
                let first = m.start + first;
                let last = first + len - 1;
                let ok = last < m.end
                    && (first..=last)
                        .all(|o| matches!(m.records[&o].0, St::Acquired(h, _) if h == member));
                if ok {
                    for o in first..=last {
                        match kind {
                            AcknowledgeType::Accept => {
                                m.records.get_mut(&o).unwrap().0 = St::Acknowledged;
                            }
                            AcknowledgeType::Reject => {
                                m.records.get_mut(&o).unwrap().0 = St::Archived;
                            }
                            AcknowledgeType::Release => m.put_back(o, limit),
                        }
                    }
                    m.advance();
                }
                let got = p.acknowledge(
                    ShareMemberId(member),
                    Offset(first),
                    Offset(last),
                    kind,
                    &config,
                    &mut changes,
                );
                assert_eq!(got.is_ok(), ok, "{got:?}");
            }
            Op::Retain { by } => {
                let ls = (m.log_start + by).min(log_end);
                m.log_start = m.log_start.max(ls);
                if ls > m.start {
                    for o in m.start..m.end.min(ls) {
                        let r = m.records.get_mut(&o).unwrap();
                        if r.0 == St::Available {
                            r.0 = St::Archived;
                        }
                    }
                    m.advance();
                    if m.start == m.end && m.start < ls {
                        m.start = ls;
                        m.end = ls;
                    }
                }
                p.log_start_moved(Offset(ls), &mut changes);
            }
            Op::Tick { ms } => {
                now += ms;
                let mut n = 0;
                for o in m.start..m.end {
                    if let St::Acquired(_, until) = m.records[&o].0
                        && until <= now
                    {
                        m.put_back(o, limit);
                        n += 1;
                    }
                }
                m.advance();
                assert_eq!(
                    p.expire_locks(Instant::from_millis(now), &config, &mut changes),
                    n
                );
            }
            Op::Leave { member } => {
                let mut n = 0;
                for o in m.start..m.end {
                    if matches!(m.records[&o].0, St::Acquired(h, _) if h == member) {
                        m.put_back(o, limit);
                        n += 1;
                    }
                }
                m.advance();
                assert_eq!(
                    p.release_member(
                        ShareMemberId(member),
                        ReleaseReason::Left,
                        &config,
                        &mut changes
                    ),
                    n
                );
            }
        }
        // The invariants, on the changes reported.
        let mut holders: BTreeMap<u64, u32> = before
            .iter()
            .filter_map(|(&o, r)| match r.0 {
                St::Acquired(h, _) => Some((o, h)),
                _ => None,
            })
            .collect();
        for c in &changes {
            match *c {
                ShareChange::Acquired {
                    offset,
                    member,
                    delivery_count,
                    ..
                } => {
                    let was = before.get(&offset.0).map(|r| r.0);
                    assert!(
                        matches!(was, None | Some(St::Available)),
                        "{offset} acquired from {was:?}"
                    );
                    assert!(holders.insert(offset.0, member.0).is_none(), "two holders");
                    assert!(delivery_count <= limit);
                    assert!(offset.0 >= m.log_start, "{offset} is gone from the log");
                }
                ShareChange::Acknowledged { offset, .. }
                | ShareChange::LockExpired { offset, .. }
                | ShareChange::Released { offset, .. } => {
                    assert!(holders.remove(&offset.0).is_some());
                }
                ShareChange::Archived { .. } => {}
                ShareChange::StartMoved { start, previous } => {
                    assert!(start > previous);
                    for o in previous.0..start.0 {
                        match m.records.get(&o) {
                            Some(r) => assert!(matches!(r.0, St::Acknowledged | St::Archived)),
                            // Never fetched: only past what retention removed.
                            None => assert!(o < m.log_start),
                        }
                    }
                }
            }
        }
        for (o, r) in &before {
            if matches!(r.0, St::Acknowledged | St::Archived) {
                assert_eq!(m.records[o], *r, "a finished record changed");
            }
        }
        // The partition agrees with the model.
        assert!(p.start() >= start_before);
        assert_eq!((p.start().0, p.end().0), (m.start, m.end));
        assert!(p.in_flight() <= 6);
        for (o, r) in p.records() {
            let (st, count) = m.records[&o.0];
            assert!(r.delivery_count <= limit);
            assert_eq!(r.delivery_count, count);
            let want = match st {
                St::Available => RecordState::Available,
                St::Acquired(h, until) => RecordState::Acquired {
                    member: ShareMemberId(h),
                    until: Instant::from_millis(until),
                },
                St::Acknowledged => RecordState::Acknowledged,
                St::Archived => RecordState::Archived,
            };
            assert_eq!(r.state, want, "at {o}");
        }
        let acquired = m
            .records
            .values()
            .filter(|r| matches!(r.0, St::Acquired(..)))
            .count();
        assert_eq!(p.acquired_count() as usize, acquired);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_share_partition_agrees_with_the_model(ops in proptest::collection::vec(op(), 0..80)) {
        run(&ops);
    }
}
