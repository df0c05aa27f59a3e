//! Streams on the broker (pattern D); consumer groups build on this in `groups/`.
//!
//! This file holds the state ([`StreamSide`]: streams, stream consumers, their names) and
//! the poll machinery shared by standalone consumers and group members; `declare.rs`
//! declares streams and adds partitions, `produce.rs` appends records, `consumers.rs` opens,
//! polls, seeks and closes stream consumers, `lookup.rs` answers by name and id.

use alloc::string::String;
use alloc::vec::Vec;

use super::Broker;

mod consumers;
mod declare;
mod lookup;
mod produce;
use crate::event::Event;
use crate::group::{Group, Membership};
use crate::ids::{GroupId, LogId, Offset, Ref, StreamConsumerId, StreamId};
use crate::outbox::Out;
use crate::registry::Registry;
use crate::storage::{LogBounds, Storage};
use crate::stream::{
    CleanupPolicy, Compacted, OffsetReset, PolledPosition, Retained, Stream, StreamPartition,
    StreamRecord,
};
use crate::time::Instant;
use crate::vec_map::VecMap;

/// Names a stream by name or by id.
pub type StreamRef<'a> = Ref<'a, StreamId>;

/// A stream consumer: standalone (all partitions of one stream) or a group member (the
/// partitions its group assigned it).
#[derive(Clone, Debug)]
pub(crate) struct StreamConsumer {
    pub(crate) name: String,
    pub(crate) membership: Option<Membership>,
    pub(crate) reset: OffsetReset,
    /// Subscribed streams, sorted.
    pub(crate) streams: Vec<StreamId>,
    /// Assigned partitions and the position in each (`None`: no position yet).
    pub(crate) positions: VecMap<StreamPartition, Option<Offset>>,
    /// Standalone consumers: one past the highest offset polled, per partition.
    pub(crate) polled_end: VecMap<StreamPartition, Offset>,
    /// Where the next poll starts among the assigned partitions (round-robin fairness).
    pub(crate) next: usize,
}

/// Everything the broker keeps for streams and groups.
#[derive(Clone, Debug)]
pub(crate) struct StreamSide {
    pub(crate) streams: Registry<StreamId, Stream>,
    /// Stream consumers and group members. Not a [`Registry`]: only standalone consumers
    /// are named here, group members are named within their group.
    pub(crate) consumers: VecMap<StreamConsumerId, StreamConsumer>,
    /// Names of standalone consumers.
    pub(crate) consumer_names: VecMap<String, StreamConsumerId>,
    pub(crate) groups: Registry<GroupId, Group>,
    pub(crate) next_consumer: u32,
    /// Scratch for `poll_into`: the partitions of the poll under way (empty between polls).
    pub(crate) poll_plan: Vec<PollPlan>,
}

/// One partition of a poll: where it starts, the log end, and how far the poll read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PollPlan {
    partition: StreamPartition,
    log: LogId,
    /// Whether compaction left gaps in the log (the poll steps over them).
    gapped: bool,
    at: Offset,
    end: Offset,
    reached: Offset,
}

/// Walks a consumer's positions and a poll plan together in one pass. The plan follows the
/// positions' order and skips only partitions of a missing stream, so each plan entry meets
/// its position slot without a map lookup.
fn walk_plan(
    positions: &mut VecMap<StreamPartition, Option<Offset>>,
    plan: &[PollPlan],
    mut f: impl FnMut(&PollPlan, &mut Option<Offset>),
) {
    let mut k = 0;
    for (&sp, slot) in positions {
        let Some(entry) = plan.get(k) else {
            break;
        };
        if entry.partition != sp {
            continue;
        }
        k += 1;
        f(entry, slot);
    }
}

impl StreamSide {
    pub(crate) fn new() -> Self {
        StreamSide {
            streams: Registry::new(),
            consumers: VecMap::new(),
            consumer_names: VecMap::new(),
            groups: Registry::new(),
            next_consumer: 1,
            poll_plan: Vec::new(),
        }
    }

    pub(crate) fn resolve(&self, s: StreamRef<'_>) -> Option<StreamId> {
        self.streams.resolve(s)
    }

    pub(crate) fn log_of(&self, sp: StreamPartition) -> Option<LogId> {
        self.streams
            .get(&sp.stream)?
            .parts
            .get(sp.partition.0 as usize)
            .map(|p| p.log)
    }

    /// When the next retention age or session deadline falls.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        let retention = self
            .streams
            .values()
            .filter_map(Stream::next_deadline)
            .min();
        let sessions = self
            .consumers
            .values()
            .filter_map(|c| c.membership.map(|m| m.deadline()))
            .min();
        let joins = self
            .groups
            .values()
            .filter_map(|g| g.join.map(|j| j.deadline));
        [retention, sessions]
            .into_iter()
            .flatten()
            .chain(joins)
            .min()
    }
}

/// The position `reset` gives on a log with `bounds`.
pub(crate) fn reset_position(reset: OffsetReset, bounds: LogBounds) -> Option<Offset> {
    match reset {
        OffsetReset::Earliest => Some(bounds.start),
        OffsetReset::Latest => Some(bounds.end),
        OffsetReset::None => None,
    }
}

impl<S: Storage> Broker<S> {
    /// Retention by age (and any retention after a restart) on every partition, compaction
    /// of compacted partitions whose tombstones' time is up, then session-timeout eviction.
    pub(super) fn handle_stream_timeouts(&mut self, now: Instant) {
        for s in self.stream_side.streams.values_mut() {
            if s.config.retention.max_age.is_some() || s.over_retention() {
                for p in 0..s.partition_count() {
                    let retained = s.apply_retention(&mut self.storage, p, now);
                    report_retention(&mut self.out, retained);
                }
            }
            if s.config.cleanup == CleanupPolicy::Compact {
                for p in 0..s.partition_count() {
                    if s.parts[p as usize].tombstone_due.is_some_and(|d| d <= now) {
                        let compacted = s.compact(&mut self.storage, p, now);
                        report_compaction(&mut self.out, compacted);
                    }
                }
            }
        }
        self.evict_silent_members(now);
        self.handle_join_deadlines(now);
    }
}

/// Reports what retention dropped, if anything.
#[inline]
fn report_retention(out: &mut Out, retained: Option<Retained>) {
    if let Some(r) = retained {
        out.emit(Event::RetentionApplied {
            partition: r.partition,
            start: r.start,
            dropped: r.dropped,
            reason: r.reason,
        });
    }
}

/// Reports what compaction removed, if anything.
#[inline]
fn report_compaction(out: &mut Out, compacted: Option<Compacted>) {
    if let Some(c) = compacted {
        out.emit(Event::Compacted {
            partition: c.partition,
            removed: c.removed,
            tombstones: c.tombstones,
            kept: c.kept,
        });
    }
}

/// What a poll hands out per record: the whole [`StreamRecord`] or only its [`PolledPosition`].
pub(super) trait PollOut: Sized {
    fn read<S: Storage>(
        storage: &S,
        log: LogId,
        partition: StreamPartition,
        offset: Offset,
        redelivered: bool,
    ) -> Result<Self, crate::storage::StorageError>;
}

impl PollOut for StreamRecord {
    #[inline]
    fn read<S: Storage>(
        storage: &S,
        log: LogId,
        partition: StreamPartition,
        offset: Offset,
        redelivered: bool,
    ) -> Result<Self, crate::storage::StorageError> {
        let r = storage.read(log, offset)?;
        Ok(StreamRecord {
            partition,
            offset,
            timestamp: r.timestamp,
            message: r.message,
            key: r.meta.as_ref().and_then(|m| m.key.clone()),
            headers: r.meta.map(|m| m.headers.clone()).unwrap_or_default(),
            payload: r.payload,
            redelivered,
        })
    }
}

impl PollOut for PolledPosition {
    #[inline]
    fn read<S: Storage>(
        storage: &S,
        log: LogId,
        partition: StreamPartition,
        offset: Offset,
        redelivered: bool,
    ) -> Result<Self, crate::storage::StorageError> {
        storage.check_readable(log, offset)?;
        Ok(PolledPosition {
            partition,
            offset,
            redelivered,
        })
    }
}
