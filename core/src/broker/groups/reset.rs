//! Offset resets of an empty group (`kafka-consumer-groups.sh --reset-offsets`): a plan
//! (dry run) and its application. The rules are in [`crate::group::reset`].

use alloc::vec::Vec;

use crate::broker::Broker;
use crate::event::Event;
use crate::group::{ResetOffsetsError, ResetPlan, ResetScope, ResetTarget};
use crate::ids::{Offset, StreamId};
use crate::storage::Storage;
use crate::stream::StreamPartition;
use crate::time::Instant;

impl<S: Storage> Broker<S> {
    /// What resetting `group`'s committed offsets over `scope` to `to` would commit, per
    /// partition (the previous offset, the new one and the lag it leaves), without changing
    /// anything: Kafka's `--dry-run`.
    ///
    /// Errors: unknown group or partition, a group with members
    /// ([`ResetOffsetsError::GroupNotEmpty`], in Kafka's words), `ShiftBy` on a partition
    /// without a committed offset, storage failures reading the log.
    pub fn plan_offset_reset(
        &self,
        group: &str,
        scope: ResetScope,
        to: ResetTarget,
    ) -> Result<Vec<ResetPlan>, ResetOffsetsError> {
        let st = &self.stream_side;
        let gid = st
            .groups
            .id_of(group)
            .ok_or(ResetOffsetsError::UnknownGroup)?;
        let g = &st.groups[&gid];
        if g.members.len() > 0 {
            return Err(ResetOffsetsError::GroupNotEmpty {
                group: g.name.clone(),
                members: g.members.len(),
                state: g.state,
            });
        }
        let mut plan = Vec::new();
        for sp in self.reset_partitions(&g.committed, scope)? {
            let log = st.log_of(sp).ok_or(ResetOffsetsError::UnknownPartition)?;
            let bounds = self.storage.bounds(log)?;
            let previous = g.committed.get(&sp).copied();
            let clamp = |o: u64| Offset(o.clamp(bounds.start.0, bounds.end.0));
            let offset = match to {
                ResetTarget::Earliest => bounds.start,
                ResetTarget::Latest => bounds.end,
                ResetTarget::Offset(o) => clamp(o),
                ResetTarget::ShiftBy(n) => {
                    let from = previous.ok_or(ResetOffsetsError::NoCommittedOffset(sp))?;
                    clamp(from.0.saturating_add_signed(n))
                }
                // Kafka's `offsetsForTimes`, the log end when no record is that late.
                ResetTarget::Timestamp(t) => {
                    st.streams[&sp.stream].offset_for_time(&self.storage, sp.partition.0, t)?
                }
            };
            plan.push(ResetPlan {
                partition: sp,
                previous,
                offset,
                lag: bounds.end.0 - offset.0,
            });
        }
        Ok(plan)
    }

    /// Resets `group`'s committed offsets as [`plan_offset_reset`](Self::plan_offset_reset)
    /// plans them (Kafka's `--execute`): each new offset is committed, stored like a member's
    /// commit and reported as [`Event::OffsetsReset`]; members that join later start there.
    /// Returns the plan applied.
    pub fn reset_offsets(
        &mut self,
        now: Instant,
        group: &str,
        scope: ResetScope,
        to: ResetTarget,
    ) -> Result<Vec<ResetPlan>, ResetOffsetsError> {
        self.clock(now);
        let plan = self.plan_offset_reset(group, scope, to)?;
        let st = &mut self.stream_side;
        let gid = st
            .groups
            .id_of(group)
            .ok_or(ResetOffsetsError::UnknownGroup)?;
        let g = st
            .groups
            .get_mut(&gid)
            .ok_or(ResetOffsetsError::UnknownGroup)?;
        for line in &plan {
            let sp = line.partition;
            g.committed.insert(sp, line.offset);
            let streams = &st.streams;
            let key = g.commit_keys.get_or_insert_with(sp, || {
                let stream = streams.get(&sp.stream).map_or("", |s| &s.name);
                alloc::format!("group/{}/{}/{}", g.name, stream, sp.partition)
            });
            self.storage.put_meta(key, &line.offset.0.to_le_bytes())?;
            self.out.emit(Event::OffsetsReset {
                group: gid,
                partition: sp,
                offset: line.offset,
                previous: line.previous,
            });
        }
        Ok(plan)
    }

    /// The partitions a reset covers, in order.
    fn reset_partitions(
        &self,
        committed: &crate::vec_map::VecMap<StreamPartition, Offset>,
        scope: ResetScope,
    ) -> Result<Vec<StreamPartition>, ResetOffsetsError> {
        let st = &self.stream_side;
        let all_of = |s: StreamId| -> Result<Vec<StreamPartition>, ResetOffsetsError> {
            let stream = st
                .streams
                .get(&s)
                .ok_or(ResetOffsetsError::UnknownPartition)?;
            Ok((0..stream.parts.len() as u32)
                .map(|p| StreamPartition::new(s, p))
                .collect())
        };
        match scope {
            ResetScope::Partition(sp) => {
                st.log_of(sp).ok_or(ResetOffsetsError::UnknownPartition)?;
                Ok(alloc::vec![sp])
            }
            ResetScope::Stream(s) => all_of(s),
            ResetScope::AllStreams => {
                let mut streams: Vec<StreamId> = committed.keys().map(|sp| sp.stream).collect();
                streams.dedup();
                let mut out = Vec::new();
                for s in streams {
                    out.extend(all_of(s)?);
                }
                Ok(out)
            }
        }
    }
}
