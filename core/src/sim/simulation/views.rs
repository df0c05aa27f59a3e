//! What the [`Simulation`] shows: per-queue, per-partition, per-consumer and per-group views,
//! the time series and its sampling, and the totals.

use alloc::string::ToString;
use alloc::vec::Vec;

use crate::ids::{ConsumerId, GroupId, Offset, ShareMemberId, StreamConsumerId};
use crate::share::RecordState;
use crate::sim::metrics::{
    ConsumerStatus, ConsumerView, GroupView, PartitionPosition, PartitionView, QueueView, Sample,
    SharePartitionView, ShareRecordState, ShareRecordView, SimConsumerId, SimProducerId,
    TimeSeries, Totals,
};
use crate::storage::Storage;
use crate::stream::StreamPartition;
use crate::time::Instant;

use super::Simulation;
use super::consumers::{Handle, get_offset};
impl<S: Storage> Simulation<S> {
    pub(super) fn sample(&mut self) {
        let s = Sample {
            at: self.now,
            published: self.totals.published - self.last_sample.published,
            processed: self.totals.processed - self.last_sample.processed,
            queue_depth: self
                .queues
                .iter()
                .map(|(_, q)| {
                    self.broker
                        .queue_stats(*q)
                        .map_or(0, |s| (s.ready + s.unacked) as u64)
                })
                .collect(),
            group_lag: self
                .groups
                .iter()
                .map(|g| g.id.map_or(0, |id| self.group_lag(id)))
                .collect(),
            consumer_lag: (0..self.consumers.len())
                .map(|i| self.consumer_lag(i))
                .collect(),
        };
        self.last_sample = self.totals;
        self.series.push(s);
    }

    fn group_lag(&self, id: GroupId) -> u64 {
        self.broker.group_partitions(id).iter().map(|p| p.lag).sum()
    }

    fn consumer_lag(&self, i: usize) -> u64 {
        self.partition_positions(i).iter().map(|p| p.lag).sum()
    }

    fn partition_positions(&self, i: usize) -> Vec<PartitionPosition> {
        let c = &self.consumers[i];
        let (id, group) = match c.handle {
            Handle::Stream { id: Some(id), .. } => (id, None),
            Handle::Group {
                group,
                id: Some(id),
            } => (id, self.groups[group].id),
            _ => return Vec::new(),
        };
        if c.status != ConsumerStatus::Running {
            return Vec::new();
        }
        self.broker
            .assigned_partitions(id)
            .into_iter()
            .map(|p| {
                let committed = match group {
                    Some(g) => self.broker.committed(g, p),
                    None => get_offset(&c.committed, p),
                };
                let bounds = self.broker.partition_stats(p).map(|s| s.bounds);
                let lag = bounds.map_or(0, |b| {
                    b.end
                        .0
                        .saturating_sub(committed.unwrap_or(b.start).0.max(b.start.0))
                });
                PartitionPosition {
                    partition: p,
                    position: self.broker.position(id, p),
                    processed: get_offset(&c.processed_at, p),
                    committed,
                    lag,
                }
            })
            .collect()
    }

    /// Totals since the start.
    #[must_use]
    pub fn totals(&self) -> Totals {
        self.totals
    }

    /// The time series sampled every `sample_interval_ms`.
    #[must_use]
    pub fn series(&self) -> &TimeSeries {
        &self.series
    }

    /// Every queue's state, in scenario order.
    #[must_use]
    pub fn queue_views(&self) -> Vec<QueueView> {
        self.queues
            .iter()
            .map(|(name, id)| {
                let s = self.broker.queue_stats(*id);
                let ready = s.map_or(0, |s| s.ready as u64);
                let in_flight = s.map_or(0, |s| s.unacked as u64);
                QueueView {
                    name: name.clone(),
                    id: *id,
                    ready,
                    in_flight,
                    depth: ready + in_flight,
                    dead_lettered: self.dead_lettered.get(id).copied().unwrap_or(0),
                    enqueued: s.map_or(0, |s| s.enqueued),
                }
            })
            .collect()
    }

    /// Every stream partition's log bounds.
    #[must_use]
    pub fn partition_views(&self) -> Vec<PartitionView> {
        let mut out = Vec::new();
        for st in self.broker.streams() {
            let name = self.broker.stream_name(st).unwrap_or_default();
            let n = self.broker.stream_config(st).map_or(0, |c| c.partitions);
            for p in 0..n {
                let sp = StreamPartition::new(st, p);
                if let Some(s) = self.broker.partition_stats(sp) {
                    out.push(PartitionView {
                        stream: name.to_string(),
                        partition: sp,
                        start: s.bounds.start,
                        end: s.bounds.end,
                        kept: s.records,
                    });
                }
            }
        }
        out
    }

    /// When `consumer` next crashes as its spec plans (`crashes`), unless a
    /// [`CancelCrashes`](crate::sim::Action::CancelCrashes) called it off.
    #[must_use]
    pub fn planned_crash(&self, consumer: &str) -> Option<Instant> {
        let i = *self.consumer_names.get(consumer)?;
        let (at, _) = self.consumers[i]
            .lifecycle
            .iter()
            .find(|(_, crash)| *crash)?;
        Some(Instant::from_millis(*at))
    }

    /// Every consumer's state, in index order.
    #[must_use]
    pub fn consumer_views(&self) -> Vec<ConsumerView> {
        (0..self.consumers.len())
            .map(|i| {
                let c = &self.consumers[i];
                ConsumerView {
                    id: SimConsumerId(i as u32),
                    name: c.spec.name.clone(),
                    status: c.status,
                    processed: c.processed,
                    buffered: c.inbox.len() as u64,
                    busy: c.busy.is_some(),
                    partitions: self.partition_positions(i),
                    member: match c.handle {
                        Handle::Group { id, .. } => id,
                        _ => None,
                    },
                    share_member: match c.handle {
                        Handle::Share { id, .. } => id,
                        _ => None,
                    },
                    holding: match c.handle {
                        Handle::Share { id: Some(id), .. } => self.share_holding(id),
                        _ => Vec::new(),
                    },
                }
            })
            .collect()
    }

    /// The records share member `id` holds, by partition and offset.
    fn share_holding(&self, id: ShareMemberId) -> Vec<(StreamPartition, Offset)> {
        let b = &self.broker;
        let Some(group) = b.share_member_group(id) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for p in b.share_member_partitions(id).unwrap_or_default() {
            if let Some(sp) = b.share_partition(group, p) {
                for (offset, r) in sp.records() {
                    if matches!(r.state, RecordState::Acquired { member, .. } if member == id) {
                        out.push((p, offset));
                    }
                }
            }
        }
        out
    }

    /// Every share group's state of every partition it has read (a share-partition starts
    /// at the group's first fetch from it), share groups in scenario order, partitions in
    /// order: the start and end offsets (SPSO, SPEO) and each record between them with its
    /// state, holder and delivery count.
    #[must_use]
    pub fn share_partition_views(&self) -> Vec<SharePartitionView> {
        let b = &self.broker;
        let mut out = Vec::new();
        for g in &self.scenario.topology.share_groups {
            let Some(gid) = b.share_group_id(&g.name) else {
                continue;
            };
            for st in &g.streams {
                let Some(sid) = b.stream_id(st) else {
                    continue;
                };
                let n = b.stream_config(sid).map_or(0, |c| c.partitions);
                for p in 0..n {
                    let sp = StreamPartition::new(sid, p);
                    let Some(part) = b.share_partition(gid, sp) else {
                        continue;
                    };
                    let records = part
                        .records()
                        .map(|(offset, r)| {
                            let (state, holder, until) = match r.state {
                                RecordState::Available => (ShareRecordState::Available, None, None),
                                RecordState::Acquired { member, until } => (
                                    ShareRecordState::Acquired,
                                    self.by_share_member
                                        .get(&member)
                                        .map(|&i| self.consumers[i].spec.name.clone()),
                                    Some(until),
                                ),
                                RecordState::Acknowledged => {
                                    (ShareRecordState::Acknowledged, None, None)
                                }
                                RecordState::Archived => (ShareRecordState::Archived, None, None),
                            };
                            ShareRecordView {
                                offset,
                                state,
                                holder,
                                until,
                                delivery_count: r.delivery_count,
                            }
                        })
                        .collect();
                    out.push(SharePartitionView {
                        group: g.name.clone(),
                        stream: st.clone(),
                        partition: sp,
                        start: part.start(),
                        end: part.end(),
                        records,
                    });
                }
            }
        }
        out
    }

    /// The name of the consumer that was share-group member `id` (also after it left or
    /// crashed).
    #[must_use]
    pub fn share_member_name(&self, id: ShareMemberId) -> Option<&str> {
        let i = *self.by_share_member.get(&id)?;
        self.consumers.get(i).map(|c| c.spec.name.as_str())
    }

    /// Every group's state, in scenario order.
    #[must_use]
    pub fn group_views(&self) -> Vec<GroupView> {
        self.groups
            .iter()
            .map(|g| {
                let (generation, assignment, lag) = match g.id {
                    Some(id) => (
                        self.broker.group_generation(id).unwrap_or(0),
                        self.broker
                            .group_assignment(id)
                            .into_iter()
                            .map(|a| {
                                let name = self
                                    .broker
                                    .stream_consumer_name(a.member)
                                    .map_or_else(|| a.member.to_string(), ToString::to_string);
                                (name, a.partitions)
                            })
                            .collect(),
                        self.group_lag(id),
                    ),
                    None => (0, Vec::new(), 0),
                };
                let state = match g.id {
                    Some(id) => self.broker.group_state(id).unwrap_or_default(),
                    None if g.deleted => crate::group::GroupState::Dead,
                    None => crate::group::GroupState::Empty,
                };
                GroupView {
                    name: g.name.clone(),
                    id: g.id,
                    generation,
                    assignment,
                    lag,
                    state,
                }
            })
            .collect()
    }

    /// A consumer's name.
    #[must_use]
    pub fn consumer_name(&self, id: SimConsumerId) -> Option<&str> {
        self.consumers
            .get(id.0 as usize)
            .map(|c| c.spec.name.as_str())
    }

    /// The name of the consumer that had broker queue consumer `id`, also after it was
    /// cancelled or crashed (when the broker no longer knows the name).
    #[must_use]
    pub fn queue_consumer_name(&self, id: ConsumerId) -> Option<&str> {
        let i = *self.by_consumer_id.get(&id)?;
        self.consumers.get(i).map(|c| c.spec.name.as_str())
    }

    /// The name of the consumer that had broker stream consumer `id` (a stream reader or a
    /// group member), also after it left, was evicted, fenced or closed (when the broker no
    /// longer knows the name).
    #[must_use]
    pub fn stream_consumer_name(&self, id: StreamConsumerId) -> Option<&str> {
        let i = *self.by_stream_consumer.get(&id)?;
        self.consumers.get(i).map(|c| c.spec.name.as_str())
    }

    /// A producer's name.
    #[must_use]
    pub fn producer_name(&self, id: SimProducerId) -> Option<&str> {
        self.producers.get(id.0 as usize).map(|p| p.name.as_str())
    }

    /// A producer's rate now, in messages per second (the scenario's, or the last
    /// [`Action::SetRate`](crate::sim::Action::SetRate)); `None` for an unknown name.
    #[must_use]
    pub fn producer_rate(&self, name: &str) -> Option<u32> {
        self.producers
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.rate)
    }
}
