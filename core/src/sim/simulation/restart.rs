//! Restarting the broker under a running [`Simulation`]: flushing its storage, and a broker
//! recovered from storage taking the running one's place, as after a process restart.

use crate::Broker;
use crate::sim::metrics::ConsumerStatus;
use crate::storage::{Storage, StorageError};

use super::Simulation;
use super::consumers::Handle;
use super::events::SimNote;

impl<S: Storage> Simulation<S> {
    /// Flushes the broker ([`Broker::flush`]): what a durable deployment does now and then.
    /// What a flush saved is what [`Broker::recover`] finds after a crash.
    ///
    /// # Errors
    /// The storage's.
    pub fn flush_broker(&mut self) -> Result<(), StorageError> {
        self.broker.flush()
    }

    /// Puts `broker` in place of the running one and returns the old one: `broker` is
    /// typically [`Broker::recover`]ed from the old one's storage after a crash. Connections
    /// do not survive a restart, so every consumer that was running reconnects at the next
    /// instant, as a new connection: queue consumers and subscriptions afresh under their
    /// names, stream consumers at the offsets they committed, group members by joining
    /// again. Crashed consumers stay crashed until restarted. Noted as
    /// [`SimNote::BrokerRestarted`]; until the next step the new broker is exactly as
    /// recovered, for inspection.
    pub fn replace_broker(&mut self, broker: Broker<S>) -> Broker<S> {
        let old = core::mem::replace(&mut self.broker, broker);
        if !self.options.trace {
            self.broker.set_event_filter(super::ownership_events());
        }
        self.by_consumer_id = crate::vec_map::VecMap::new();
        self.by_stream_consumer = crate::vec_map::VecMap::new();
        self.by_share_member = crate::vec_map::VecMap::new();
        self.auto_acks.clear();
        self.rebalanced = false;
        for g in &mut self.groups {
            g.id = None;
        }
        let now = self.now.as_millis();
        for i in 0..self.consumers.len() {
            // What a consumer held dies with its connection.
            self.drop_work(i);
            let c = &mut self.consumers[i];
            match &mut c.handle {
                Handle::Queue { id, .. } => *id = None,
                Handle::Subscription { id } => *id = None,
                Handle::Stream { id, .. } | Handle::Group { id, .. } => *id = None,
                Handle::Share { id, .. } => *id = None,
            }
            c.processed_at.clear();
            c.stalled = false;
            c.since_ack = 0;
            c.unacked_processed = None;
            c.idle_mark = None;
            if c.status == ConsumerStatus::Running {
                c.status = ConsumerStatus::Waiting;
                c.next_heartbeat = now;
            }
        }
        self.epoch += 1;
        self.note(SimNote::BrokerRestarted);
        self.drain();
        old
    }
}
