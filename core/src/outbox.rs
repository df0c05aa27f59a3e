//! The outbox every operation reports into: buffered events (through the [`EventFilter`]),
//! deliveries when the filter moves them out of the events, the delivery-tag counter and
//! pending dead-letter moves.
//!
//! Plumbing below the patterns: queues emit their events and dead-letter jobs here, the broker
//! owns one [`Out`] and drains it (`poll_event`, `poll_deliveries`) and appends the jobs.

use alloc::collections::VecDeque;
use alloc::vec::Vec;

use crate::event::{DeadLetterReason, Delivery, DropReason, Event, EventFilter, EventKind};
use crate::ids::{DeliveryTag, QueueId};
use crate::storage::Record;

/// A dead-lettered message on its way to queue `to`, appended after the call that caused it.
#[derive(Clone, Debug)]
pub(crate) struct DeadLetterJob {
    pub(crate) to: QueueId,
    pub(crate) record: Record,
    pub(crate) hops: u32,
}

#[derive(Clone, Debug)]
pub(crate) struct Out {
    events: VecDeque<Event>,
    deliveries: VecDeque<Delivery>,
    filter: EventFilter,
    max_events: usize,
    lost: u64,
    next_delivery: u64,
    pub(crate) dead_letters: VecDeque<DeadLetterJob>,
    pub(crate) hops: u32,
    pub(crate) max_hops: u32,
    /// Set by every event that changes what `Broker::flush` saves as the topology; cleared
    /// when it is saved.
    pub(crate) topology_changed: bool,
}

impl Out {
    pub(crate) fn new(max_events: usize, max_hops: u32) -> Self {
        Out {
            events: VecDeque::new(),
            deliveries: VecDeque::new(),
            filter: EventFilter::ALL,
            max_events: max_events.max(1),
            lost: 0,
            next_delivery: 1,
            dead_letters: VecDeque::new(),
            hops: 0,
            max_hops,
            topology_changed: true,
        }
    }

    pub(crate) fn filter(&self) -> EventFilter {
        self.filter
    }

    pub(crate) fn set_filter(&mut self, filter: EventFilter) {
        self.filter = filter;
    }

    /// Whether events of `kind` are buffered.
    #[inline]
    pub(crate) fn wants(&self, kind: EventKind) -> bool {
        self.filter.contains(kind)
    }

    /// Buffers `event` unless the filter leaves its kind out. Always inlined: the kind of the
    /// event built at the call site is then a constant and a filtered event is never built.
    #[inline(always)]
    pub(crate) fn emit(&mut self, event: Event) {
        let kind = event.kind();
        if matches!(
            kind,
            EventKind::ExchangeDeclared
                | EventKind::ExchangeDeleted
                | EventKind::QueueDeclared
                | EventKind::QueueDeleted
                | EventKind::Bound
                | EventKind::Unbound
                | EventKind::StreamDeclared
                | EventKind::PartitionsAdded
                | EventKind::GroupCreated
                | EventKind::Rebalanced
                | EventKind::TargetAssignmentChanged
        ) {
            self.topology_changed = true;
        }
        if self.filter.contains(kind) {
            self.push(event);
        }
    }

    fn push(&mut self, event: Event) {
        if self.events.len() >= self.max_events {
            self.events.pop_front();
            self.lost += 1;
        }
        self.events.push_back(event);
    }

    /// Reports a delivery: as an `Event::Delivered`, or in the delivery buffer when the filter
    /// leaves `Delivered` out. Never dropped by the filter.
    #[inline]
    pub(crate) fn deliver(&mut self, delivery: Delivery) {
        if self.filter.contains(EventKind::Delivered) {
            self.emit(delivery.into());
            return;
        }
        if self.deliveries.len() >= self.max_events {
            self.drop_oldest_delivery();
        }
        self.deliveries.push_back(delivery);
    }

    #[cold]
    fn drop_oldest_delivery(&mut self) {
        self.deliveries.pop_front();
        self.lost += 1;
    }

    #[inline]
    pub(crate) fn poll_delivery(&mut self) -> Option<Delivery> {
        self.deliveries.pop_front()
    }

    /// Moves up to `max` buffered deliveries to `into`, oldest first.
    pub(crate) fn poll_deliveries(&mut self, max: usize, into: &mut Vec<Delivery>) -> usize {
        let n = max.min(self.deliveries.len());
        if n == self.deliveries.len() && into.is_empty() {
            // Everything into an empty vector: swap the buffers (each keeps its capacity).
            let spare = VecDeque::from(core::mem::take(into));
            *into = Vec::from(core::mem::replace(&mut self.deliveries, spare));
            return n;
        }
        into.reserve(n);
        into.extend(self.deliveries.drain(..n));
        n
    }

    pub(crate) fn pending_deliveries(&self) -> usize {
        self.deliveries.len()
    }

    #[inline]
    pub(crate) fn poll(&mut self) -> Option<Event> {
        if self.lost > 0 {
            return Some(Event::EventsLost {
                count: core::mem::take(&mut self.lost),
            });
        }
        self.events.pop_front()
    }

    pub(crate) fn pending(&self) -> usize {
        self.events.len() + usize::from(self.lost > 0)
    }

    #[inline]
    pub(crate) fn next_delivery_tag(&mut self) -> DeliveryTag {
        let t = DeliveryTag(self.next_delivery);
        self.next_delivery = self.next_delivery.saturating_add(1);
        t
    }

    /// Whether `tag` was ever handed out (tags start at 1).
    pub(crate) fn issued(&self, tag: DeliveryTag) -> bool {
        tag.0 >= 1 && tag.0 < self.next_delivery
    }

    /// Reports a message leaving `from` for `reason`: `DeadLettered` and a job to append it to
    /// the dead-letter queue, or `Dropped` if there is none or the cascade is too deep.
    pub(crate) fn dead_letter(
        &mut self,
        from: QueueId,
        to: Option<QueueId>,
        record: Record,
        reason: DeadLetterReason,
    ) {
        let message = record.message;
        match to.filter(|_| self.hops < self.max_hops) {
            Some(to) => {
                self.emit(Event::DeadLettered {
                    message,
                    queue: from,
                    dead_letter_queue: to,
                    reason,
                });
                self.dead_letters.push_back(DeadLetterJob {
                    to,
                    record,
                    hops: self.hops,
                });
            }
            None => self.emit(Event::Dropped {
                message,
                queue: from,
                reason: DropReason::DeadLetter(reason),
            }),
        }
    }
}
