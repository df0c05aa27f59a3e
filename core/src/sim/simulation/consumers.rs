//! Consumers: their state in the simulation (what they are attached to, what they hold,
//! what they processed and committed) and their lifecycle — connect, crash, restart, remove.

use alloc::collections::VecDeque;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::group::GroupConfig;
use crate::ids::{
    ConsumerId, DeliveryTag, GroupId, MessageId, Offset, QueueId, ShareMemberId, StreamConsumerId,
    StreamId, SubscriptionId,
};
use crate::pubsub::SubscriptionConfig;
use crate::queue::ConsumerConfig;
use crate::sim::metrics::{ConsumerStatus, SimConsumerId};
use crate::sim::rng::Rng;
use crate::sim::scenario::{Attach, ConsumerSpec};
use crate::storage::Storage;
use crate::stream::{SeekTo, StreamConsumerConfig, StreamPartition};

use super::Simulation;
use super::events::SimNote;
use super::setup::reset;
/// One unit of work a consumer holds or processes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Work {
    Delivery {
        tag: DeliveryTag,
        message: MessageId,
        queue: QueueId,
    },
    Record {
        partition: StreamPartition,
        offset: Offset,
    },
    Message {
        message: MessageId,
    },
}

/// What a consumer is attached to, and its broker id once connected.
#[derive(Debug, Clone, Copy)]
pub(super) enum Handle {
    Queue {
        queue: QueueId,
        id: Option<ConsumerId>,
    },
    Subscription {
        id: Option<SubscriptionId>,
    },
    Stream {
        stream: StreamId,
        id: Option<StreamConsumerId>,
    },
    Group {
        group: usize,
        id: Option<StreamConsumerId>,
    },
    /// A share-group member: `group` indexes `topology.share_groups`; a new member id at
    /// each (re)join.
    Share {
        group: usize,
        id: Option<ShareMemberId>,
    },
}

/// One consumer's state in the simulation.
#[derive(Clone, Debug)]
pub(super) struct Consumer {
    pub(super) spec: ConsumerSpec,
    pub(super) handle: Handle,
    pub(super) status: ConsumerStatus,
    pub(super) rng: Rng,
    pub(super) inbox: VecDeque<Work>,
    pub(super) busy: Option<(Work, u64)>,
    /// Pending lifecycle changes: (time, crash = true / restart = false), in order.
    pub(super) lifecycle: VecDeque<(u64, bool)>,
    pub(super) processed: u64,
    pub(super) since_ack: u32,
    /// Queues: the last processed delivery not yet acked.
    pub(super) unacked_processed: Option<DeliveryTag>,
    /// Streams and groups: next offset after the processed record, per partition.
    pub(super) processed_at: Vec<(StreamPartition, Offset)>,
    /// Standalone streams: the simulation-held committed offsets.
    pub(super) committed: Vec<(StreamPartition, Offset)>,
    pub(super) stalled: bool,
    pub(super) next_heartbeat: u64,
    /// `(appends, epoch)` when a poll last read everything there was: until either moves,
    /// another poll would return nothing and emit nothing, so it is skipped.
    pub(super) idle_mark: Option<(u64, u64)>,
}

/// Sets the offset kept for `p`.
pub(super) fn set_offset(list: &mut Vec<(StreamPartition, Offset)>, p: StreamPartition, o: Offset) {
    match list.iter_mut().find(|e| e.0 == p) {
        Some(e) => e.1 = o,
        None => list.push((p, o)),
    }
}

/// The offset kept for `p`, if any.
pub(super) fn get_offset(list: &[(StreamPartition, Offset)], p: StreamPartition) -> Option<Offset> {
    list.iter().find(|e| e.0 == p).map(|e| e.1)
}

/// A consumer group of the scenario; `id` is known once its first member has joined.
#[derive(Clone, Debug)]
pub(super) struct Group {
    pub(super) name: String,
    pub(super) streams: Vec<String>,
    pub(super) config: GroupConfig,
    pub(super) id: Option<GroupId>,
    /// Deleted by [`Action::DeleteGroup`](crate::sim::Action::DeleteGroup) and not joined
    /// since.
    pub(super) deleted: bool,
}

impl<S: Storage> Simulation<S> {
    pub(super) fn fail(&mut self, i: usize, error: impl ToString) {
        self.note(SimNote::ConsumerFailed {
            consumer: SimConsumerId(i as u32),
            error: error.to_string(),
        });
    }

    /// Connects the consumer to the broker (first start or restart).
    fn connect(&mut self, i: usize) -> bool {
        let now = self.now;
        let spec = self.consumers[i].spec.clone();
        let result: Result<Handle, String> = match (&spec.attach, self.consumers[i].handle) {
            (Attach::Queue(q), Handle::Queue { queue, id }) => match id {
                Some(id) => self
                    .broker
                    .restart_consumer(now, id)
                    .map(|()| Handle::Queue {
                        queue,
                        id: Some(id),
                    })
                    .map_err(|e| e.to_string()),
                None => self
                    .broker
                    .consume(
                        now,
                        q.as_str(),
                        &spec.name,
                        ConsumerConfig::default().with_prefetch(spec.prefetch),
                    )
                    .map(|id| {
                        self.by_consumer_id.insert(id, i);
                        Handle::Queue {
                            queue,
                            id: Some(id),
                        }
                    })
                    .map_err(|e| e.to_string()),
            },
            (
                Attach::Subscription {
                    exchange,
                    key,
                    capacity,
                },
                Handle::Subscription { .. },
            ) => self
                .broker
                .subscribe(
                    now,
                    exchange.as_str(),
                    key,
                    &spec.name,
                    SubscriptionConfig::default().with_capacity(*capacity as usize),
                )
                .map(|id| Handle::Subscription { id: Some(id) })
                .map_err(|e| e.to_string()),
            (
                Attach::Stream {
                    auto_offset_reset, ..
                },
                Handle::Stream { stream, .. },
            ) => {
                let cfg = StreamConsumerConfig::default()
                    .with_auto_offset_reset(reset(*auto_offset_reset));
                match self.broker.stream_consumer(now, stream, &spec.name, cfg) {
                    Ok(id) => {
                        self.by_stream_consumer.insert(id, i);
                        // Resume from what this consumer committed before a crash.
                        let committed = self.consumers[i].committed.clone();
                        for (p, o) in committed {
                            let _ = self.broker.seek(now, id, p, SeekTo::Offset(o));
                        }
                        Ok(Handle::Stream {
                            stream,
                            id: Some(id),
                        })
                    }
                    Err(e) => Err(e.to_string()),
                }
            }
            (Attach::Group(_), Handle::Group { group, .. }) => {
                let g = &self.groups[group];
                let streams: Vec<&str> = g.streams.iter().map(String::as_str).collect();
                let joined = match &spec.instance_id {
                    Some(instance) => self
                        .broker
                        .join_group_static(now, &g.name, &spec.name, instance, &streams, g.config),
                    None => self
                        .broker
                        .join_group(now, &g.name, &spec.name, &streams, g.config),
                };
                match joined {
                    Ok(id) => {
                        self.by_stream_consumer.insert(id, i);
                        if self.groups[group].id.is_none() {
                            self.groups[group].deleted = false;
                            self.groups[group].id = self.broker.group_id(&self.groups[group].name);
                        }
                        Ok(Handle::Group {
                            group,
                            id: Some(id),
                        })
                    }
                    Err(e) => Err(e.to_string()),
                }
            }
            (Attach::ShareGroup(_), Handle::Share { group, .. }) => {
                let name = &self.scenario.topology.share_groups[group].name;
                match self.broker.join_share_group(now, name, &spec.name) {
                    Ok(id) => {
                        self.by_share_member.insert(id, i);
                        Ok(Handle::Share {
                            group,
                            id: Some(id),
                        })
                    }
                    Err(e) => Err(e.to_string()),
                }
            }
            _ => Err(String::from("attachment does not match")),
        };
        self.epoch += 1;
        self.drop_work(i);
        let c = &mut self.consumers[i];
        c.processed_at.clear();
        c.stalled = false;
        c.since_ack = 0;
        c.unacked_processed = None;
        c.next_heartbeat = self.now.as_millis();
        match result {
            Ok(h) => {
                c.handle = h;
                c.status = ConsumerStatus::Running;
                self.drain();
                true
            }
            Err(e) => {
                c.status = ConsumerStatus::Crashed;
                self.drain();
                self.fail(i, e);
                false
            }
        }
    }

    pub(super) fn start_consumer(&mut self, i: usize) {
        self.connect(i);
    }

    pub(super) fn crash(&mut self, i: usize) {
        if self.consumers[i].status != ConsumerStatus::Running {
            return;
        }
        let now = self.now;
        self.consumers[i].status = ConsumerStatus::Crashed;
        self.note(SimNote::ConsumerCrashed {
            consumer: SimConsumerId(i as u32),
        });
        match self.consumers[i].handle {
            Handle::Queue { id: Some(id), .. } => {
                let _ = self.broker.crash_consumer(now, id);
            }
            Handle::Subscription { id: Some(id) } => {
                let _ = self.broker.unsubscribe(now, id);
            }
            Handle::Stream { id: Some(id), .. } => {
                let _ = self.broker.close_stream_consumer(now, id);
            }
            // A crashed share member's records are released at once (Kafka learns it from
            // the closed connection): they go to other members, their delivery counts kept.
            Handle::Share {
                group,
                id: Some(id),
            } => {
                let _ = self.broker.crash_share_member(now, id);
                self.consumers[i].handle = Handle::Share { group, id: None };
                self.epoch += 1;
            }
            // A crashed member just goes silent: the group evicts it after its session
            // timeout and moves its partitions.
            _ => {}
        }
        self.drop_work(i);
        self.drain();
    }

    pub(super) fn restart(&mut self, i: usize) {
        if self.consumers[i].status != ConsumerStatus::Crashed {
            return;
        }
        self.note(SimNote::ConsumerRestarted {
            consumer: SimConsumerId(i as u32),
        });
        // A member not yet evicted leaves first: the restarted process joins afresh and
        // resumes from the group's committed offsets. A static member does not: it rejoins
        // with its instance id and takes its place back, with no rebalance.
        if let Handle::Group { group, id: Some(_) } = self.consumers[i].handle
            && self.consumers[i].spec.instance_id.is_none()
        {
            let g = self.groups[group].name.clone();
            let name = self.consumers[i].spec.name.clone();
            if self.broker.group_member(&g, &name).is_some() {
                let _ = self.broker.leave_group(self.now, &g, &name);
                self.drain();
            }
        }
        self.connect(i);
    }

    pub(super) fn remove(&mut self, i: usize) {
        let now = self.now;
        let was = self.consumers[i].status;
        self.consumers[i].status = ConsumerStatus::Removed;
        self.consumers[i].lifecycle.clear();
        match self.consumers[i].handle {
            Handle::Queue { id: Some(id), .. } => {
                let _ = self.broker.cancel(now, id);
            }
            Handle::Subscription { id: Some(id) } if was == ConsumerStatus::Running => {
                let _ = self.broker.unsubscribe(now, id);
            }
            Handle::Stream { id: Some(id), .. } if was == ConsumerStatus::Running => {
                let _ = self.broker.close_stream_consumer(now, id);
            }
            Handle::Group { group, id: Some(_) } => {
                let g = self.groups[group].name.clone();
                let _ = self
                    .broker
                    .leave_group(now, &g, &self.consumers[i].spec.name);
            }
            Handle::Share {
                group,
                id: Some(id),
            } if was == ConsumerStatus::Running => {
                let _ = self.broker.leave_share_group(now, id);
                self.consumers[i].handle = Handle::Share { group, id: None };
                self.epoch += 1;
            }
            _ => {}
        }
        self.drop_work(i);
        self.note(SimNote::ConsumerRemoved {
            consumer: SimConsumerId(i as u32),
        });
        self.drain();
    }
}
