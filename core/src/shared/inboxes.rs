//! [`Inboxes`]: the deliveries the broker made that no thread has received yet, one queue of
//! them per consumer, and the bookkeeping that drops the ones the broker took back.

use std::collections::{BTreeMap, VecDeque};
use std::vec::Vec;

use crate::event::{DeadLetterReason, Delivery, DropReason, Event};
use crate::ids::{ConsumerId, DeliveryTag, MessageId, QueueId};

/// Per-consumer queues of deliveries waiting for [`recv`](super::SharedBroker::recv).
///
/// Each holds at most the consumer's prefetch: the broker delivers no more than that before
/// an ack, and the deliveries it takes back (visibility timeout, cancel, …) are removed here.
#[derive(Debug, Default)]
pub(super) struct Inboxes {
    by_consumer: BTreeMap<ConsumerId, VecDeque<Delivery>>,
}

impl Inboxes {
    /// Files a delivery under its consumer.
    pub(super) fn push(&mut self, delivery: Delivery) {
        self.by_consumer
            .entry(delivery.consumer)
            .or_default()
            .push_back(delivery);
    }

    /// The oldest delivery waiting for `consumer`.
    pub(super) fn pop(&mut self, consumer: ConsumerId) -> Option<Delivery> {
        self.by_consumer.get_mut(&consumer)?.pop_front()
    }

    /// Forgets a consumer and what waited for it.
    pub(super) fn remove(&mut self, consumer: ConsumerId) {
        self.by_consumer.remove(&consumer);
    }

    /// Drops `consumer`'s deliveries up to and including tag `up_to` (tags grow with each
    /// delivery, so these are the ones an `ack_multiple` up to it settled).
    pub(super) fn drop_through(&mut self, consumer: ConsumerId, up_to: DeliveryTag) {
        if let Some(inbox) = self.by_consumer.get_mut(&consumer) {
            inbox.retain(|d| d.delivery > up_to);
        }
    }

    /// Deliveries waiting for `consumer`.
    pub(super) fn len(&self, consumer: ConsumerId) -> usize {
        self.by_consumer.get(&consumer).map_or(0, VecDeque::len)
    }

    /// Drops what an event says the broker took back.
    pub(super) fn apply(&mut self, event: &Event) {
        match *event {
            Event::Requeued {
                consumer, delivery, ..
            } => self.drop_tag(consumer, delivery),
            Event::DeadLettered {
                queue,
                message,
                reason: DeadLetterReason::DeliveryLimit,
                ..
            }
            | Event::Dropped {
                queue,
                message,
                reason: DropReason::DeadLetter(DeadLetterReason::DeliveryLimit),
            } => self.drop_message(queue, message),
            _ => {}
        }
    }

    /// Keeps only deliveries the broker still counts as outstanding: `outstanding(consumer)`
    /// gives a consumer's delivery tags, or `None` if the consumer is gone.
    pub(super) fn retain_outstanding(
        &mut self,
        mut outstanding: impl FnMut(ConsumerId) -> Option<Vec<DeliveryTag>>,
    ) {
        self.by_consumer.retain(|&consumer, inbox| {
            let Some(mut tags) = outstanding(consumer) else {
                return false;
            };
            if !inbox.is_empty() {
                tags.sort_unstable();
                inbox.retain(|d| tags.binary_search(&d.delivery).is_ok());
            }
            true
        });
    }

    fn drop_tag(&mut self, consumer: ConsumerId, tag: DeliveryTag) {
        if let Some(inbox) = self.by_consumer.get_mut(&consumer) {
            inbox.retain(|d| d.delivery != tag);
        }
    }

    /// A message past its delivery limit left the queue while its last delivery waited here.
    fn drop_message(&mut self, queue: QueueId, message: MessageId) {
        for inbox in self.by_consumer.values_mut() {
            inbox.retain(|d| d.queue != queue || d.message != message);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::RequeueReason;
    use crate::message::Payload;

    fn delivery(consumer: u32, tag: u64, message: u64) -> Delivery {
        Delivery {
            message: MessageId(message),
            queue: QueueId(1),
            consumer: ConsumerId(consumer),
            delivery: DeliveryTag(tag),
            redelivered: false,
            delivery_count: 1,
            payload: Payload::from("x"),
        }
    }

    #[test]
    fn deliveries_the_broker_took_back_are_dropped() {
        let mut inboxes = Inboxes::default();
        for (c, tag, m) in [(1, 1, 10), (1, 2, 11), (2, 3, 12), (2, 4, 13)] {
            inboxes.push(delivery(c, tag, m));
        }
        inboxes.apply(&Event::Requeued {
            message: MessageId(10),
            queue: QueueId(1),
            consumer: ConsumerId(1),
            delivery: DeliveryTag(1),
            reason: RequeueReason::VisibilityTimeout,
        });
        inboxes.apply(&Event::Dropped {
            message: MessageId(12),
            queue: QueueId(1),
            reason: DropReason::DeadLetter(DeadLetterReason::DeliveryLimit),
        });
        assert_eq!(
            inboxes.pop(ConsumerId(1)).map(|d| d.delivery),
            Some(DeliveryTag(2))
        );
        assert_eq!(inboxes.len(ConsumerId(2)), 1);

        inboxes.retain_outstanding(|c| (c == ConsumerId(2)).then(Vec::new));
        assert_eq!(inboxes.len(ConsumerId(2)), 0);
        assert!(inboxes.by_consumer.keys().eq([&ConsumerId(2)]));
    }
}
