//! Looking the queue side up: names and ids of queues, exchanges, consumers and
//! subscriptions, stats, bindings, messages.

use alloc::sync::Arc;
use alloc::vec::Vec;

use crate::exchange::{BindingInfo, ExchangeKind};
use crate::ids::{BindingId, ConsumerId, ExchangeId, MessageId, QueueId, SubscriptionId};
use crate::pubsub::Subscription;
use crate::queue::{ConsumerInfo, Queue, QueueStats};
use crate::storage::Storage;

use super::*;

impl<S: Storage> Broker<S> {
    /// The name of a queue.
    #[must_use]
    pub fn queue_name(&self, queue: QueueId) -> Option<&str> {
        self.queue_side.queues.get(&queue).map(|q| q.name.as_str())
    }

    /// The id of the queue with this name.
    #[must_use]
    pub fn queue_id(&self, name: &str) -> Option<QueueId> {
        self.queue_side.queues.id_of(name)
    }

    /// The name of an exchange (`""` for the default exchange).
    #[must_use]
    pub fn exchange_name(&self, exchange: ExchangeId) -> Option<&str> {
        self.queue_side
            .exchanges
            .get(&exchange)
            .map(|x| x.name.as_str())
    }

    /// The id of the exchange with this name.
    #[must_use]
    pub fn exchange_id(&self, name: &str) -> Option<ExchangeId> {
        self.queue_side.exchanges.id_of(name)
    }

    /// The kind of an exchange.
    #[must_use]
    pub fn exchange_kind(&self, exchange: ExchangeId) -> Option<ExchangeKind> {
        self.queue_side.exchanges.get(&exchange).map(|x| x.kind)
    }

    /// The name of a consumer.
    #[must_use]
    pub fn consumer_name(&self, consumer: ConsumerId) -> Option<&str> {
        self.queue_side
            .consumers
            .get(&consumer)
            .map(|c| c.name.as_str())
    }

    /// The id of the consumer with this name.
    #[must_use]
    pub fn consumer_id(&self, name: &str) -> Option<ConsumerId> {
        self.queue_side.consumers.id_of(name)
    }

    /// The name of a subscription.
    #[must_use]
    pub fn subscription_name(&self, subscription: SubscriptionId) -> Option<&str> {
        self.queue_side
            .subscriptions
            .get(&subscription)
            .map(|s| s.name.as_str())
    }

    /// The id of the subscription with this name.
    #[must_use]
    pub fn subscription_id(&self, name: &str) -> Option<SubscriptionId> {
        self.queue_side.subscriptions.id_of(name)
    }

    /// Messages waiting in a subscription's inbox.
    #[must_use]
    pub fn inbox_len(&self, subscription: SubscriptionId) -> Option<usize> {
        self.queue_side
            .subscriptions
            .get(&subscription)
            .map(Subscription::len)
    }

    /// A queue's counters.
    #[must_use]
    pub fn queue_stats(&self, queue: QueueId) -> Option<QueueStats> {
        self.queue_side.queues.get(&queue).map(Queue::stats)
    }

    /// A consumer's queue, prefetch, unacked count and state.
    #[must_use]
    pub fn consumer_info(&self, consumer: ConsumerId) -> Option<ConsumerInfo> {
        let entry = self.queue_side.consumers.get(&consumer)?;
        let q = self.queue_side.queues.get(&entry.queue)?;
        let c = &q.consumers[q.consumer_index(consumer)?];
        Some(ConsumerInfo {
            queue: entry.queue,
            prefetch: c.prefetch,
            unacked: c.in_flight.len(),
            state: c.state,
        })
    }

    /// All queues, by id.
    pub fn queues(&self) -> impl Iterator<Item = QueueId> + '_ {
        self.queue_side.queues.keys().copied()
    }

    /// All exchanges, by id (the default exchange first).
    pub fn exchanges(&self) -> impl Iterator<Item = ExchangeId> + '_ {
        self.queue_side.exchanges.keys().copied()
    }

    /// All consumers, by id.
    pub fn consumers(&self) -> impl Iterator<Item = ConsumerId> + '_ {
        self.queue_side.consumers.keys().copied()
    }

    /// The consumers of a queue in dispatch order.
    pub fn queue_consumers(&self, queue: QueueId) -> impl Iterator<Item = ConsumerId> + '_ {
        self.queue_side
            .queues
            .get(&queue)
            .into_iter()
            .flat_map(|q| q.consumers.iter().map(|c| c.id))
    }

    /// All subscriptions, by id.
    pub fn subscriptions(&self) -> impl Iterator<Item = SubscriptionId> + '_ {
        self.queue_side.subscriptions.keys().copied()
    }

    /// The bindings of an exchange, in creation order.
    pub fn bindings(&self, exchange: ExchangeId) -> impl Iterator<Item = BindingInfo<'_>> + '_ {
        self.queue_side
            .exchanges
            .get(&exchange)
            .into_iter()
            .flat_map(|x| {
                x.bindings.iter().map(move |b| BindingInfo {
                    id: b.id,
                    exchange: x.id,
                    target: b.target,
                    key: &b.key,
                })
            })
    }

    /// One binding.
    #[must_use]
    pub fn binding(&self, binding: BindingId) -> Option<BindingInfo<'_>> {
        let x = self.queue_side.binding_index.get(&binding)?;
        self.bindings(*x).find(|b| b.id == binding)
    }

    /// The ready messages of a queue, oldest first (reads storage; for inspection).
    #[must_use]
    pub fn ready_messages(&self, queue: QueueId) -> Vec<ReadyMessage> {
        let Some(q) = self.queue_side.queues.get(&queue) else {
            return Vec::new();
        };
        q.ready_offsets()
            .filter_map(|(offset, delivery_count)| {
                let r = self.storage.read(q.log, offset).ok()?;
                Some(ReadyMessage {
                    message: r.message,
                    offset,
                    delivery_count,
                })
            })
            .collect()
    }

    /// The deliveries a consumer holds, oldest first.
    #[must_use]
    pub fn unacked(&self, consumer: ConsumerId) -> Vec<Unacked> {
        let Some(q) = self
            .queue_side
            .consumers
            .get(&consumer)
            .and_then(|e| self.queue_side.queues.get(&e.queue))
        else {
            return Vec::new();
        };
        let Some(ci) = q.consumer_index(consumer) else {
            return Vec::new();
        };
        q.consumers[ci]
            .in_flight
            .iter()
            .map(|f| Unacked {
                delivery: f.tag,
                message: f.message,
                delivery_count: f.count,
                deadline: f.deadline,
            })
            .collect()
    }

    /// The id the next published or produced message will get.
    #[must_use]
    pub fn next_message_id(&self) -> MessageId {
        MessageId(self.next_message)
    }

    /// The payload of a message still held by a queue (ready or unacked).
    #[must_use]
    pub fn message_payload(
        &self,
        queue: QueueId,
        message: MessageId,
    ) -> Option<crate::message::Payload> {
        self.held_record(queue, message).map(|r| r.payload)
    }

    /// The properties (routing key, headers, time-to-live) of a message still held by a
    /// queue; `None` when it has none or is gone.
    #[must_use]
    pub fn message_meta(
        &self,
        queue: QueueId,
        message: MessageId,
    ) -> Option<Arc<crate::message::MessageMeta>> {
        self.held_record(queue, message)?.meta
    }

    /// The stored record of a message a queue still holds (a binary search of its retained
    /// log while its ids ascend, a scan otherwise; see `Queue::find_record`).
    fn held_record(&self, queue: QueueId, message: MessageId) -> Option<crate::storage::Record> {
        self.queue_side
            .queues
            .get(&queue)?
            .find_record(&self.storage, message)
    }
}
