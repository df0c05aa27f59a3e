//! Share groups' account (Kafka's KIP-932): each record's state and delivery count per group
//! and partition, kept from the share events, and checked as they come: a record is acquired
//! by at most one member at a time, a record accepted or archived is never acquired again,
//! delivery counts rise by one per delivery and never pass the group's limit, only the holder
//! settles a record, and the start offset only moves forward. At the end of each step the
//! broker's share-partitions must agree with the account.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};

use super::ctx::Ctx;
use super::violation::{Rule, Violation};
use crate::event::Event;
use crate::ids::{Offset, ShareGroupId, ShareMemberId};
use crate::share::{AcknowledgeType, RecordState};
use crate::sim::scenario::Scenario;
use crate::storage::Storage;
use crate::stream::StreamPartition;

/// Where a record stands in the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Held {
    Available,
    Acquired(ShareMemberId),
    Accepted,
    Archived,
}

/// One record of the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    held: Held,
    deliveries: u32,
}

/// The account of every share group.
#[derive(Debug, Clone, Default)]
pub(super) struct Shares {
    /// Each share group's delivery limit, by name, from the scenario.
    limits: BTreeMap<String, u32>,
    /// Records by group, partition and offset.
    records: BTreeMap<(ShareGroupId, StreamPartition, Offset), Entry>,
    /// Each share-partition's start offset.
    starts: BTreeMap<(ShareGroupId, StreamPartition), Offset>,
}

fn violation(now: u64, detail: String) -> Violation {
    Violation::new(Rule::ShareGroups, now, detail)
}

impl Shares {
    pub(super) fn new(scenario: &Scenario) -> Shares {
        let mut limits = BTreeMap::new();
        for g in &scenario.topology.share_groups {
            limits.insert(g.name.clone(), g.delivery_count_limit);
        }
        Shares {
            limits,
            ..Shares::default()
        }
    }

    fn limit<S: Storage>(&self, cx: &Ctx<'_, S>, group: ShareGroupId) -> u32 {
        cx.broker
            .share_group_name(group)
            .and_then(|n| self.limits.get(n).copied())
            .unwrap_or(u32::MAX)
    }

    fn who<S: Storage>(cx: &Ctx<'_, S>, m: ShareMemberId) -> String {
        cx.broker
            .share_member_name(m)
            .map_or_else(|| m.to_string(), ToString::to_string)
    }

    /// Takes the holder's record back; a record not held by `member` is a violation.
    fn settle<S: Storage>(
        &mut self,
        cx: &Ctx<'_, S>,
        key: (ShareGroupId, StreamPartition, Offset),
        member: ShareMemberId,
        to: Held,
        what: &str,
    ) -> Result<(), Violation> {
        let e = self.records.get_mut(&key);
        match e {
            Some(e) if e.held == Held::Acquired(member) => {
                e.held = to;
                Ok(())
            }
            other => Err(violation(
                cx.now,
                format!(
                    "{what} {}@{} by {}, which does not hold it ({:?})",
                    cx.partition(key.1),
                    key.2.0,
                    Self::who(cx, member),
                    other.map(|e| e.held)
                ),
            )
            .entity(Self::who(cx, member))),
        }
    }

    pub(super) fn on_event<S: Storage>(
        &mut self,
        cx: &Ctx<'_, S>,
        e: &Event,
    ) -> Result<(), Violation> {
        match *e {
            Event::ShareAcquired {
                group,
                member,
                partition,
                offset,
                message,
                delivery_count,
                ..
            } => {
                let limit = self.limit(cx, group);
                let entry = self
                    .records
                    .entry((group, partition, offset))
                    .or_insert(Entry {
                        held: Held::Available,
                        deliveries: 0,
                    });
                let place = format!("{}@{}", cx.partition(partition), offset.0);
                let wrong = match entry.held {
                    Held::Available => None,
                    Held::Acquired(other) => Some(format!(
                        "{place} acquired by {} while {} holds it",
                        Self::who(cx, member),
                        Self::who(cx, other)
                    )),
                    Held::Accepted => Some(format!("{place} acquired again after it was accepted")),
                    Held::Archived => Some(format!("{place} acquired again after it was archived")),
                };
                if let Some(detail) = wrong {
                    return Err(violation(cx.now, detail).message(message));
                }
                if delivery_count != entry.deliveries + 1 || delivery_count > limit {
                    return Err(violation(
                        cx.now,
                        format!(
                            "{place} delivered with count {delivery_count} after {} deliveries \
                             (limit {limit})",
                            entry.deliveries
                        ),
                    )
                    .message(message));
                }
                *entry = Entry {
                    held: Held::Acquired(member),
                    deliveries: delivery_count,
                };
                Ok(())
            }
            Event::ShareAcknowledged {
                group,
                member,
                partition,
                offset,
                kind,
            } => {
                let to = match kind {
                    AcknowledgeType::Accept => Held::Accepted,
                    AcknowledgeType::Release => Held::Available,
                    AcknowledgeType::Reject => Held::Archived,
                };
                self.settle(cx, (group, partition, offset), member, to, "acknowledged")
            }
            Event::ShareLockExpired {
                group,
                member,
                partition,
                offset,
            } => self.settle(
                cx,
                (group, partition, offset),
                member,
                Held::Available,
                "lock expired on",
            ),
            Event::ShareReleased {
                group,
                member,
                partition,
                offset,
                ..
            } => self.settle(
                cx,
                (group, partition, offset),
                member,
                Held::Available,
                "released",
            ),
            Event::ShareArchived {
                group,
                partition,
                offset,
                delivery_count,
                ..
            } => {
                let entry = self
                    .records
                    .entry((group, partition, offset))
                    .or_insert(Entry {
                        held: Held::Available,
                        deliveries: delivery_count,
                    });
                if matches!(entry.held, Held::Accepted) {
                    return Err(violation(
                        cx.now,
                        format!(
                            "{}@{} archived after it was accepted",
                            cx.partition(partition),
                            offset.0
                        ),
                    ));
                }
                entry.held = Held::Archived;
                Ok(())
            }
            Event::ShareStartMoved {
                group,
                partition,
                start,
                previous,
            } => {
                let known = self.starts.get(&(group, partition)).copied();
                if start <= previous || known.is_some_and(|k| k != previous) {
                    return Err(violation(
                        cx.now,
                        format!(
                            "the start of {} moved from {} to {} (the account had {known:?})",
                            cx.partition(partition),
                            previous.0,
                            start.0
                        ),
                    ));
                }
                self.starts.insert((group, partition), start);
                // Below the start the records are settled for good: forget them, so the
                // account stays as small as the window.
                self.records
                    .retain(|k, _| !(k.0 == group && k.1 == partition && k.2 < start));
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// The broker's share-partitions agree with the account: each record the broker keeps
    /// in a window has the state and delivery count the events said.
    pub(super) fn end_step<S: Storage>(&self, cx: &Ctx<'_, S>) -> Result<(), Violation> {
        for group in cx.broker.share_groups() {
            let Some(name) = cx.broker.share_group_name(group) else {
                continue;
            };
            let limit = self.limits.get(name).copied().unwrap_or(u32::MAX);
            for partition in cx.broker.share_group_assignment(group) {
                let Some(sp) = cx.broker.share_partition(group, partition) else {
                    continue;
                };
                for (offset, r) in sp.records() {
                    if r.delivery_count > limit {
                        return Err(violation(
                            cx.now,
                            format!(
                                "{}@{} has delivery count {} above the limit {limit}",
                                cx.partition(partition),
                                offset.0,
                                r.delivery_count
                            ),
                        ));
                    }
                    let Some(e) = self.records.get(&(group, partition, offset)) else {
                        continue;
                    };
                    let agrees = match (r.state, e.held) {
                        (RecordState::Available, Held::Available)
                        | (RecordState::Acknowledged, Held::Accepted)
                        | (RecordState::Archived, Held::Archived) => true,
                        (RecordState::Acquired { member, .. }, Held::Acquired(m)) => member == m,
                        _ => false,
                    };
                    if !agrees || r.delivery_count != e.deliveries {
                        return Err(violation(
                            cx.now,
                            format!(
                                "{}@{} is {} with {} deliveries; the events said {:?} with {}",
                                cx.partition(partition),
                                offset.0,
                                r.state,
                                r.delivery_count,
                                e.held,
                                e.deliveries
                            ),
                        )
                        .entity(String::from(name)));
                    }
                }
            }
        }
        Ok(())
    }

    /// After a broker restart: the recovered share-partitions become the account (what was
    /// settled after the last flush may come back, acquisitions are released), with no record
    /// acquired, none above its group's limit.
    pub(super) fn restarted<S: Storage>(&mut self, cx: &Ctx<'_, S>) -> Result<(), Violation> {
        self.records.clear();
        self.starts.clear();
        for group in cx.broker.share_groups() {
            for partition in cx.broker.share_group_assignment(group) {
                let Some(sp) = cx.broker.share_partition(group, partition) else {
                    continue;
                };
                self.starts.insert((group, partition), sp.start());
                for (offset, r) in sp.records() {
                    let held = match r.state {
                        RecordState::Available => Held::Available,
                        RecordState::Acquired { .. } => {
                            return Err(violation(
                                cx.now,
                                format!(
                                    "{}@{} is still acquired after a broker restart",
                                    cx.partition(partition),
                                    offset.0
                                ),
                            ));
                        }
                        RecordState::Acknowledged => Held::Accepted,
                        RecordState::Archived => Held::Archived,
                    };
                    self.records.insert(
                        (group, partition, offset),
                        Entry {
                            held,
                            deliveries: r.delivery_count,
                        },
                    );
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use alloc::vec;
    use alloc::vec::Vec;

    use super::*;
    use crate::sim::scenario::ShareGroupSpec;
    use crate::sim::swarm::audit::specs::Specs;
    use crate::{Broker, Instant, MessageId, ShareGroupConfig, StreamConfig};

    const A: ShareMemberId = ShareMemberId(1);
    const B: ShareMemberId = ShareMemberId(2);

    /// Feeds `events` to a share account of group `g` (delivery limit 2) on stream `s`.
    fn feed(events: &[Event]) -> Result<(), Violation> {
        let t0 = Instant::ZERO;
        let mut broker = Broker::default();
        broker
            .declare_stream(t0, "s", StreamConfig::new(1))
            .unwrap();
        let config = ShareGroupConfig {
            delivery_count_limit: 2,
            ..ShareGroupConfig::default()
        };
        broker.create_share_group(t0, "g", &["s"], config).unwrap();
        let mut spec = ShareGroupSpec::new("g", vec![String::from("s")]);
        spec.delivery_count_limit = 2;
        let mut scenario = Scenario::default();
        scenario.topology.share_groups.push(spec);
        let specs = Specs::new(&scenario);
        let cx = Ctx {
            now: 0,
            broker: &broker,
            specs: &specs,
        };
        let mut shares = Shares::new(&scenario);
        for e in events {
            shares.on_event(&cx, e)?;
        }
        Ok(())
    }

    fn group() -> ShareGroupId {
        ShareGroupId(1)
    }

    fn partition() -> StreamPartition {
        StreamPartition::new(crate::StreamId(1), 0)
    }

    fn acquired(member: ShareMemberId, delivery_count: u32) -> Event {
        Event::ShareAcquired {
            group: group(),
            member,
            partition: partition(),
            offset: Offset(0),
            message: MessageId(1),
            delivery_count,
            until: Instant::from_millis(100),
        }
    }

    fn acked(member: ShareMemberId, kind: AcknowledgeType) -> Event {
        Event::ShareAcknowledged {
            group: group(),
            member,
            partition: partition(),
            offset: Offset(0),
            kind,
        }
    }

    fn expired(member: ShareMemberId) -> Event {
        Event::ShareLockExpired {
            group: group(),
            member,
            partition: partition(),
            offset: Offset(0),
        }
    }

    #[test]
    fn a_release_and_a_redelivery_within_the_limit_pass() {
        let ok: Vec<Event> = vec![
            acquired(A, 1),
            acked(A, AcknowledgeType::Release),
            acquired(B, 2),
            acked(B, AcknowledgeType::Accept),
        ];
        assert_eq!(feed(&ok), Ok(()));
    }

    #[test]
    fn each_broken_promise_is_a_violation() {
        for bad in [
            // Two holders at once.
            vec![acquired(A, 1), acquired(B, 1)],
            // Accepted, then acquired again.
            vec![
                acquired(A, 1),
                acked(A, AcknowledgeType::Accept),
                acquired(B, 2),
            ],
            // Rejected (archived), then acquired again.
            vec![
                acquired(A, 1),
                acked(A, AcknowledgeType::Reject),
                acquired(B, 2),
            ],
            // Settled by a member that does not hold it.
            vec![acquired(A, 1), acked(B, AcknowledgeType::Accept)],
            // A delivery count that skips, and one past the limit of 2.
            vec![acquired(A, 2)],
            vec![
                acquired(A, 1),
                expired(A),
                acquired(B, 2),
                expired(B),
                acquired(A, 3),
            ],
        ] {
            let v = feed(&bad).expect_err("a broken promise");
            assert_eq!(v.rule, Rule::ShareGroups, "{bad:?}");
        }
    }
}
