//! What a run reports: [`SimEvent`] (a broker [`Event`] or a [`SimNote`] from the
//! simulation, at a logical time), and how the [`Simulation`] records them (trace hash,
//! per-step slice, recent-events ring) and drains the broker (routing deliveries to
//! consumers, auto-acks, rebalance follow-up).

use alloc::string::{String, ToString};

use crate::event::Event;
use crate::ids::{ConsumerId, DeliveryTag, MessageId, Offset};
use crate::sim::metrics::{SimConsumerId, SimProducerId};
use crate::sim::scenario::AckSpec;
use crate::storage::Storage;
use crate::stream::StreamPartition;
use crate::time::Instant;

use super::consumers::{Handle, Work};
use super::work_log::WorkStep;
use super::{MAX_STEP_EVENTS, RECENT_EVENTS, Simulation};
/// Something that happened during a run, at a logical time.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SimEvent {
    /// When.
    pub at: Instant,
    /// What.
    pub kind: SimEventKind,
}

impl SimEvent {
    /// The broker event, when it is one.
    #[must_use]
    pub fn broker(&self) -> Option<&Event> {
        match &self.kind {
            SimEventKind::Broker(e) => Some(e),
            SimEventKind::Sim(_) => None,
        }
    }
}

/// A broker event or a note from the simulation itself.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum SimEventKind {
    /// From the broker.
    Broker(Event),
    /// From the simulation.
    Sim(SimNote),
}

/// What the simulation reports beyond the broker's events.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum SimNote {
    /// A consumer crashed (what it held but had not acked or committed is lost to it).
    ConsumerCrashed {
        /// The consumer.
        consumer: SimConsumerId,
    },
    /// A crashed consumer came back.
    ConsumerRestarted {
        /// The consumer.
        consumer: SimConsumerId,
    },
    /// A consumer was added by the script or by [`Simulation::apply`].
    ConsumerAdded {
        /// The consumer.
        consumer: SimConsumerId,
    },
    /// A consumer was removed.
    ConsumerRemoved {
        /// The consumer.
        consumer: SimConsumerId,
    },
    /// A producer's rate changed.
    RateChanged {
        /// The producer.
        producer: SimProducerId,
        /// The new rate.
        rate_per_sec: u32,
    },
    /// The broker refused a publish (`None`: a scripted publish).
    PublishFailed {
        /// The producer.
        producer: Option<SimProducerId>,
        /// The broker's error.
        error: String,
    },
    /// A consumer's poll, ack, commit or join failed.
    ConsumerFailed {
        /// The consumer.
        consumer: SimConsumerId,
        /// The broker's error.
        error: String,
    },
    /// A standalone stream consumer committed (kept by the simulation: the broker stores
    /// commits for groups only).
    StreamCommitted {
        /// The consumer.
        consumer: SimConsumerId,
        /// The partition.
        partition: StreamPartition,
        /// The committed offset.
        offset: Offset,
    },
    /// A scripted action could not be applied.
    ActionFailed {
        /// Why.
        error: String,
    },
    /// The broker was replaced by one recovered from storage
    /// ([`Simulation::replace_broker`]); consumers reconnect.
    BrokerRestarted,
}

impl<S: Storage> Simulation<S> {
    /// Hashes and counts an event and stores it once: in this step's events while they have
    /// room, past [`MAX_STEP_EVENTS`] in the overflow ring (which keeps the last
    /// [`RECENT_EVENTS`] of them for [`recent_events`](Self::recent_events)).
    fn record(&mut self, kind: SimEventKind) {
        let e = SimEvent { at: self.now, kind };
        self.hasher.event(&e);
        #[cfg(feature = "stories")]
        if let Some(stories) = &mut self.stories {
            stories.observe(&e);
        }
        self.totals.events += 1;
        if self.step_events.len() < MAX_STEP_EVENTS {
            self.step_events.push(e);
        } else {
            self.step_events_dropped += 1;
            if self.overflow.len() == RECENT_EVENTS {
                self.overflow.pop_front();
            }
            self.overflow.push_back(e);
        }
    }

    /// Starts a step: the last [`RECENT_EVENTS`] of the events so far move (not copied) into
    /// the `recent` ring, and this step's lists are emptied.
    pub(super) fn carry_recent(&mut self) {
        let fresh = self.step_events.len() + self.overflow.len();
        let keep_old = RECENT_EVENTS.saturating_sub(fresh).min(self.recent.len());
        self.recent.drain(..self.recent.len() - keep_old);
        let from_step = RECENT_EVENTS
            .saturating_sub(self.overflow.len())
            .min(self.step_events.len());
        let start = self.step_events.len() - from_step;
        self.recent.extend(self.step_events.drain(start..));
        self.recent.extend(self.overflow.drain(..));
        self.step_events.clear();
    }

    pub(super) fn note(&mut self, n: SimNote) {
        if self.options.trace {
            self.record(SimEventKind::Sim(n));
        }
    }

    /// Drains the broker: routes deliveries to consumers, records events, acks what
    /// auto-ack consumers received.
    pub(super) fn drain(&mut self) {
        loop {
            while let Some(e) = self.broker.poll_event() {
                match &e {
                    Event::Delivered {
                        consumer,
                        delivery,
                        message,
                        ..
                    } => self.deliver(*consumer, *delivery, *message),
                    Event::Rebalanced { .. }
                    | Event::PartitionsRevoked { .. }
                    | Event::MemberAssigned { .. } => self.rebalanced = true,
                    Event::DeadLettered { queue, .. }
                    | Event::Dropped {
                        queue,
                        reason: crate::event::DropReason::DeadLetter(_),
                        ..
                    } => *self.dead_lettered.get_or_insert_with(*queue, || 0) += 1,
                    _ => {}
                }
                if self.options.trace {
                    self.record(SimEventKind::Broker(e));
                }
            }
            if self.broker.pending_deliveries() > 0 {
                let mut ds = core::mem::take(&mut self.deliveries);
                self.broker.poll_deliveries(usize::MAX, &mut ds);
                for d in ds.drain(..) {
                    self.deliver(d.consumer, d.delivery, d.message);
                }
                self.deliveries = ds;
            }
            if self.auto_acks.is_empty() {
                break;
            }
            let acks = core::mem::take(&mut self.auto_acks);
            for &(i, tag) in &acks {
                if let Handle::Queue { id: Some(id), .. } = self.consumers[i].handle
                    && let Err(e) = self.broker.ack(self.now, id, tag)
                {
                    self.note(SimNote::ConsumerFailed {
                        consumer: SimConsumerId(i as u32),
                        error: e.to_string(),
                    });
                }
            }
            self.auto_acks = acks;
            self.auto_acks.clear();
        }
        if self.rebalanced {
            self.rebalanced = false;
            self.epoch += 1;
            self.after_rebalance();
        }
    }

    fn deliver(&mut self, consumer: ConsumerId, tag: DeliveryTag, message: MessageId) {
        if let Some(&i) = self.by_consumer_id.get(&consumer) {
            let c = &mut self.consumers[i];
            let Handle::Queue { queue, .. } = c.handle else {
                return;
            };
            let w = Work::Delivery {
                tag,
                message,
                queue,
            };
            c.inbox.push_back(w);
            self.log_work(i, &w, WorkStep::Received);
            let c = &mut self.consumers[i];
            if c.spec.ack == AckSpec::Auto {
                self.auto_acks.push((i, tag));
            }
        }
    }

    /// Members drop buffered records of partitions they no longer own.
    fn after_rebalance(&mut self) {
        for i in 0..self.consumers.len() {
            if let Handle::Group { id: Some(id), .. } = self.consumers[i].handle {
                let owned = self.broker.assigned_partitions(id);
                self.retain_work(i, |w| match w {
                    Work::Record { partition, .. } => owned.contains(partition),
                    _ => true,
                });
                self.consumers[i]
                    .processed_at
                    .retain(|(p, _)| owned.contains(p));
            }
        }
    }

    pub(super) fn end_step_bookkeeping(&mut self) {
        // Nothing to do yet; kept so setup and steps share one exit path.
    }

    /// The events of the last step (or of the setup, before the first step).
    #[must_use]
    pub fn last_step_events(&self) -> &[SimEvent] {
        &self.step_events
    }

    /// Events of the last step that did not fit in [`MAX_STEP_EVENTS`].
    #[must_use]
    pub fn last_step_events_dropped(&self) -> u64 {
        self.step_events_dropped
    }

    /// The most recent [`RECENT_EVENTS`] events, oldest first.
    pub fn recent_events(&self) -> impl Iterator<Item = &SimEvent> + '_ {
        let total = self.recent.len() + self.step_events.len() + self.overflow.len();
        self.recent
            .iter()
            .chain(&self.step_events)
            .chain(&self.overflow)
            .skip(total.saturating_sub(RECENT_EVENTS))
    }

    /// [`recent_events`](Self::recent_events), newest first.
    fn recent_events_rev(&self) -> impl Iterator<Item = &SimEvent> + '_ {
        self.overflow
            .iter()
            .rev()
            .chain(self.step_events.iter().rev())
            .chain(self.recent.iter().rev())
            .take(RECENT_EVENTS)
    }

    /// The hash of every event so far, in order (see [`trace`](crate::sim::trace)); `None`
    /// without [`SimOptions::trace`](super::SimOptions::trace).
    #[must_use]
    pub fn trace_hash(&self) -> Option<u64> {
        self.options.trace.then(|| self.hasher.finish())
    }

    /// The messages a message id carried are not kept by the simulation; this returns the
    /// id of the most recently published message, if any (for UIs that follow one message).
    #[must_use]
    pub fn last_message(&self) -> Option<MessageId> {
        self.recent_events_rev().find_map(|e| match &e.kind {
            SimEventKind::Broker(ev) => ev.message(),
            SimEventKind::Sim(_) => None,
        })
    }
}
