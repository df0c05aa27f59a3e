//! [`State`]: what the [`SharedBroker`](super::SharedBroker)'s mutex guards — the broker and
//! the per-consumer inboxes its deliveries are routed into.

use std::vec::Vec;

use super::commit::Ledger;
use super::inboxes::Inboxes;
use crate::Broker;
use crate::event::{Delivery, EventFilter, EventKind};
use crate::ids::ConsumerId;
use crate::storage::{Storage, StorageError};
use crate::time::Instant;

/// The events the handle reads: the ones that say a delivery ended without a settle from
/// its thread. `Delivered` is left out, so deliveries come through
/// [`Broker::poll_deliveries`]; every other kind is never built.
const TRACKED: EventFilter = EventFilter::NONE
    .with(EventKind::Requeued)
    .with(EventKind::DeadLettered)
    .with(EventKind::Dropped);

/// The broker and the deliveries waiting to be received.
#[derive(Debug)]
pub(super) struct State<S: Storage> {
    pub(super) broker: Broker<S>,
    pub(super) inboxes: Inboxes,
    /// Set when a blocking attempt changed what other blocked threads may be waiting for.
    pub(super) changed: bool,
    /// What the flushes said about the calls (group commit).
    pub(super) ledger: Ledger,
    scratch: Vec<Delivery>,
}

impl<S: Storage> State<S> {
    /// Takes over `broker`: sets the handle's event filter and routes what it had buffered.
    pub(super) fn new(broker: Broker<S>) -> Self {
        let mut state = State {
            broker,
            inboxes: Inboxes::default(),
            changed: false,
            ledger: Ledger::default(),
            scratch: Vec::new(),
        };
        state.restore();
        state
    }

    /// Moves buffered deliveries into their consumers' inboxes and applies the tracked
    /// events; every other event is discarded.
    pub(super) fn route(&mut self) {
        self.broker.poll_deliveries(usize::MAX, &mut self.scratch);
        for delivery in self.scratch.drain(..) {
            self.inboxes.push(delivery);
        }
        while let Some(event) = self.broker.poll_event() {
            match Delivery::try_from(event) {
                Ok(delivery) => self.inboxes.push(delivery),
                Err(other) => self.inboxes.apply(&other),
            }
        }
    }

    /// After arbitrary calls on the broker: puts the handle's event filter back, routes what
    /// was buffered, and keeps in the inboxes only deliveries the broker still counts as
    /// outstanding (the calls may have acked, cancelled or crashed anything).
    pub(super) fn restore(&mut self) {
        self.route();
        self.broker.set_event_filter(TRACKED);
        let broker = &self.broker;
        self.inboxes.retain_outstanding(|consumer| {
            broker.consumer_info(consumer)?;
            Some(
                broker
                    .unacked(consumer)
                    .iter()
                    .map(|u| u.delivery)
                    .collect(),
            )
        });
    }

    /// Acts on the broker's deadlines due at `now` and routes what that delivered. Returns
    /// whether any was due (and then sets [`changed`](Self::changed)).
    pub(super) fn handle_due(&mut self, now: Instant) -> bool {
        match self.broker.poll_timeout() {
            Some(deadline) if deadline <= now => {
                self.broker.handle_timeout(now);
                self.route();
                self.changed = true;
                true
            }
            _ => false,
        }
    }

    /// [`handle_due`](Self::handle_due), then flushes if anything was due.
    pub(super) fn handle_due_and_flush(&mut self, now: Instant) -> Result<(), StorageError> {
        if self.handle_due(now) {
            self.flush()?;
        }
        Ok(())
    }

    /// Flushes the broker; the calls applied so far and not yet in a flush get its outcome.
    pub(super) fn flush(&mut self) -> Result<(), StorageError> {
        let outcome = self.broker.flush();
        self.ledger.flushed(outcome);
        outcome
    }

    /// Whether `consumer` exists (running or crashed).
    pub(super) fn has_consumer(&self, consumer: ConsumerId) -> bool {
        self.broker.consumer_info(consumer).is_some()
    }
}
