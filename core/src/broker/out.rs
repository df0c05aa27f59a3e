//! The broker's outbox: buffered events, the delivery-tag counter and pending dead-letter moves.

use alloc::collections::VecDeque;

use crate::event::Event;
use crate::ids::{DeliveryTag, QueueId};
use crate::storage::Record;

/// A dead-lettered message on its way to queue `to`, appended after the call that caused it.
#[derive(Debug)]
pub(crate) struct DeadLetterJob {
    pub(crate) to: QueueId,
    pub(crate) record: Record,
    pub(crate) hops: u32,
}

#[derive(Debug)]
pub(crate) struct Out {
    events: VecDeque<Event>,
    max_events: usize,
    lost: u64,
    next_delivery: u64,
    pub(crate) dead_letters: VecDeque<DeadLetterJob>,
    pub(crate) hops: u32,
    pub(crate) max_hops: u32,
}

impl Out {
    pub(crate) fn new(max_events: usize, max_hops: u32) -> Self {
        Out {
            events: VecDeque::new(),
            max_events: max_events.max(1),
            lost: 0,
            next_delivery: 1,
            dead_letters: VecDeque::new(),
            hops: 0,
            max_hops,
        }
    }

    #[inline]
    pub(crate) fn emit(&mut self, event: Event) {
        if self.events.len() >= self.max_events {
            self.events.pop_front();
            self.lost += 1;
        }
        self.events.push_back(event);
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
}
