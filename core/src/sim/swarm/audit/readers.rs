//! The readers' account: every stream consumer's and group member's position in each
//! partition it reads. Positions start where the offset reset (or, for a member, the group's
//! committed offset) says, move only by seeks, resets and reads, and a read must start
//! exactly at the position and stay within the log: nothing skipped, nothing read twice
//! without a seek, a reset or a rebalance. Seeks never go beyond the end. The broker's
//! assignment and positions must match.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::ctx::Ctx;
use super::streams::Streams;
use super::violation::{Rule, Violation};
use crate::event::Event;
use crate::ids::{GroupId, StreamConsumerId, StreamId};
use crate::sim::scenario::OffsetResetSpec;
use crate::storage::Storage;
use crate::stream::StreamPartition;

/// Where `reset` puts a reader in a log `start..end` (`None`: no position).
pub(super) fn reset_to(reset: OffsetResetSpec, start: u64, end: u64) -> Option<u64> {
    match reset {
        OffsetResetSpec::Earliest => Some(start),
        OffsetResetSpec::Latest => Some(end),
        OffsetResetSpec::None => None,
    }
}

/// One stream consumer or group member.
#[derive(Debug, Clone)]
pub(super) struct Reader {
    pub(super) name: String,
    pub(super) group: Option<GroupId>,
    /// Its offset reset, when the scenario names it.
    pub(super) reset: Option<OffsetResetSpec>,
    pub(super) stream: Option<StreamId>,
    pub(super) positions: BTreeMap<StreamPartition, Option<u64>>,
    /// Positions unknown to the account (no reset known): taken from the broker at the end
    /// of the step, then followed.
    adopt: bool,
}

/// Every live reader.
#[derive(Debug, Clone, Default)]
pub(super) struct Readers {
    pub(super) readers: BTreeMap<StreamConsumerId, Reader>,
}

fn v(now: u64, detail: String) -> Violation {
    Violation::new(Rule::StreamPositions, now, detail)
}

impl Readers {
    pub(super) fn on_event<S: Storage>(
        &mut self,
        cx: &Ctx<'_, S>,
        streams: &Streams,
        e: &Event,
    ) -> Result<(), Violation> {
        let now = cx.now;
        match *e {
            Event::StreamConsumerCreated { consumer, stream } => {
                let name = cx.reader(consumer);
                let reset = cx.specs.stream_reset(&name);
                let count = streams.counts.get(&stream).copied().unwrap_or(0);
                let mut positions = BTreeMap::new();
                for p in 0..count {
                    let sp = StreamPartition::new(stream, p);
                    let (start, end) = (streams.start(sp), streams.end(sp));
                    let pos = match (reset, start, end) {
                        (Some(r), Some(s), Some(e)) => reset_to(r, s, e),
                        _ => None,
                    };
                    positions.insert(sp, pos);
                }
                self.readers.insert(
                    consumer,
                    Reader {
                        name,
                        group: None,
                        reset,
                        stream: Some(stream),
                        positions,
                        adopt: reset.is_none(),
                    },
                );
            }
            Event::MemberJoined { group, member } => {
                let name = cx.reader(member);
                let reset = cx
                    .broker
                    .group_name(group)
                    .and_then(|g| cx.specs.group(g))
                    .map(|(r, _)| r);
                self.readers.insert(
                    member,
                    Reader {
                        name,
                        group: Some(group),
                        reset,
                        stream: None,
                        positions: BTreeMap::new(),
                        adopt: reset.is_none(),
                    },
                );
            }
            Event::StreamConsumerClosed { consumer } => {
                self.readers.remove(&consumer);
            }
            Event::MemberLeft { member, .. } => {
                self.readers.remove(&member);
            }
            Event::Seeked {
                consumer,
                partition,
                offset,
            } => {
                let end = streams.end(partition).unwrap_or(0);
                let r = self.reader(cx, consumer)?;
                if !r.positions.contains_key(&partition) {
                    return Err(v(
                        now,
                        format!(
                            "{} seeked in {}, which it does not read",
                            r.name,
                            cx.partition(partition)
                        ),
                    )
                    .entity(r.name.clone()));
                }
                if offset.0 > end {
                    return Err(v(
                        now,
                        format!(
                            "{} seeked to {} in {}, beyond the end {end}",
                            r.name,
                            offset.0,
                            cx.partition(partition)
                        ),
                    )
                    .entity(r.name.clone()));
                }
                r.positions.insert(partition, Some(offset.0));
            }
            Event::OffsetReset {
                consumer,
                partition,
                from,
                to,
                policy,
            } => {
                let (start, end) = (
                    streams.start(partition).unwrap_or(0),
                    streams.end(partition).unwrap_or(0),
                );
                let r = self.reader(cx, consumer)?;
                let at = r.positions.get(&partition).copied().flatten();
                let fell_out = at.is_none_or(|o| o < start || o > end);
                let want = match policy {
                    crate::stream::OffsetReset::Earliest => Some(start),
                    crate::stream::OffsetReset::Latest => Some(end),
                    _ => None,
                };
                if !r.adopt && (from.map(|o| o.0) != at || !fell_out || want != Some(to.0)) {
                    return Err(v(
                        now,
                        format!(
                            "{} reset in {} from {from:?} to {} ({policy}); its position was \
                             {at:?}, the log {start}..{end}",
                            r.name,
                            cx.partition(partition),
                            to.0
                        ),
                    )
                    .entity(r.name.clone()));
                }
                r.positions.insert(partition, Some(to.0));
            }
            Event::Polled {
                consumer,
                partition,
                first,
                count,
                ..
            } => {
                let (start, end) = (
                    streams.start(partition).unwrap_or(0),
                    streams.end(partition).unwrap_or(0),
                );
                let r = self.reader(cx, consumer)?;
                let at = r.positions.get(&partition).copied().flatten();
                let last = first.0 + count;
                if (!r.adopt && at != Some(first.0)) || first.0 < start || last > end {
                    return Err(v(
                        now,
                        format!(
                            "{} read {}..{last} of {}; its position was {at:?}, the log \
                             {start}..{end}",
                            r.name,
                            first.0,
                            cx.partition(partition)
                        ),
                    )
                    .entity(r.name.clone()));
                }
                r.positions.insert(partition, Some(last));
            }
            _ => {}
        }
        Ok(())
    }

    fn reader<S: Storage>(
        &mut self,
        cx: &Ctx<'_, S>,
        id: StreamConsumerId,
    ) -> Result<&mut Reader, Violation> {
        self.readers.get_mut(&id).ok_or_else(|| {
            v(
                cx.now,
                format!("{} moved, but it does not exist", cx.reader(id)),
            )
        })
    }

    /// Standalone readers of `stream` take its new partitions `old..new` (empty logs).
    pub(super) fn partitions_added(&mut self, stream: StreamId, old: u32, new: u32) {
        for r in self.readers.values_mut() {
            if r.group.is_none() && r.stream == Some(stream) {
                for p in old..new {
                    let pos = r.reset.and_then(|x| reset_to(x, 0, 0));
                    r.positions.insert(StreamPartition::new(stream, p), pos);
                }
            }
        }
    }

    /// Checks positions and assignments against the broker; adopts what the account could
    /// not know.
    pub(super) fn end_step<S: Storage>(
        &mut self,
        cx: &Ctx<'_, S>,
        streams: &Streams,
    ) -> Result<(), Violation> {
        let now = cx.now;
        for (&id, r) in &mut self.readers {
            let assigned = cx.broker.assigned_partitions(id);
            if r.adopt {
                r.positions = assigned
                    .iter()
                    .map(|&p| (p, cx.broker.position(id, p).map(|o| o.0)))
                    .collect();
                r.adopt = false;
            }
            let mine: Vec<StreamPartition> = r.positions.keys().copied().collect();
            let mut theirs = assigned;
            crate::sort::sort(&mut theirs);
            if mine != theirs {
                return Err(v(
                    now,
                    format!(
                        "{} reads {} partitions in the broker, {} in the account",
                        r.name,
                        theirs.len(),
                        mine.len()
                    ),
                )
                .entity(r.name.clone()));
            }
            for (&p, &pos) in &r.positions {
                let theirs = cx.broker.position(id, p).map(|o| o.0);
                let end = streams.end(p).unwrap_or(0);
                if theirs != pos || pos.is_some_and(|o| o > end) {
                    return Err(v(
                        now,
                        format!(
                            "{} in {}: the broker's position is {theirs:?}, the account's \
                             {pos:?}, the end {end}",
                            r.name,
                            cx.partition(p)
                        ),
                    )
                    .entity(r.name.clone()));
                }
            }
        }
        Ok(())
    }

    /// The position a member's new partition starts at: the group's committed offset when it
    /// lies in the log, else where the reset says.
    pub(super) fn resume(
        reset: Option<OffsetResetSpec>,
        committed: Option<u64>,
        start: u64,
        end: u64,
    ) -> Result<Option<u64>, ()> {
        match committed {
            Some(c) if c >= start && c <= end => Ok(Some(c)),
            _ => reset.map(|r| reset_to(r, start, end)).ok_or(()),
        }
    }

    /// Sets a member's partitions after a rebalance: kept ones keep their position, new ones
    /// start at `start_of(p)` (`Err`: unknown, adopted from the broker).
    pub(super) fn assign(
        &mut self,
        member: StreamConsumerId,
        partitions: &[StreamPartition],
        mut start_of: impl FnMut(StreamPartition) -> Result<Option<u64>, ()>,
    ) {
        let Some(r) = self.readers.get_mut(&member) else {
            return;
        };
        let mut next = BTreeMap::new();
        for &p in partitions {
            let pos = match r.positions.get(&p) {
                Some(&pos) => pos,
                None => match start_of(p) {
                    Ok(pos) => pos,
                    Err(()) => {
                        r.adopt = true;
                        None
                    }
                },
            };
            next.insert(p, pos);
        }
        r.positions = next;
    }

    /// Drops revoked partitions of a member.
    pub(super) fn revoke(&mut self, member: StreamConsumerId, partitions: &[StreamPartition]) {
        if let Some(r) = self.readers.get_mut(&member) {
            for p in partitions {
                r.positions.remove(p);
            }
        }
    }
}
