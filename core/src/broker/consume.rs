//! Consumers: attach, settle deliveries (ack, nack, reject), cancel, crash and restart.

use alloc::string::String;

use super::{Broker, ConsumerEntry, QueueRef};
use crate::common_error::LimitKind;
use crate::event::{Event, RequeueReason};
use crate::ids::{ConsumerId, DeliveryTag, QueueId};
use crate::queue::{AckError, ConsumeError, ConsumerError};
use crate::queue::{ConsumerConfig, ConsumerState};
use crate::storage::Storage;
use crate::time::Instant;

impl<S: Storage> Broker<S> {
    /// Attaches a consumer named `name` (unique among live consumers) to a queue and
    /// dispatches to it at once.
    ///
    /// Errors: unknown queue, invalid or duplicate name, prefetch above
    /// [`Limits::max_prefetch`](crate::Limits), [`Limits::max_consumers`](crate::Limits).
    pub fn consume<'a>(
        &mut self,
        now: Instant,
        queue: impl Into<QueueRef<'a>>,
        name: &str,
        config: ConsumerConfig,
    ) -> Result<ConsumerId, ConsumeError> {
        let now = self.clock(now);
        let queue = self
            .resolve_queue(queue.into())
            .ok_or(ConsumeError::UnknownQueue)?;
        self.queue_side
            .consumers
            .check_vacant(name, self.limits.max_name_len)?;
        if config.prefetch > self.limits.max_prefetch {
            return Err(ConsumeError::PrefetchTooLarge {
                prefetch: config.prefetch,
                max: self.limits.max_prefetch,
            });
        }
        self.queue_side
            .consumers
            .check_room(self.limits.max_consumers, LimitKind::Consumers)?;
        let Some(q) = self.queue_side.queues.get_mut(&queue) else {
            return Err(ConsumeError::UnknownQueue);
        };
        let id = self.queue_side.consumers.peek_id()?;
        q.add_consumer(id, config.prefetch, self.limits.max_prefetch);
        self.queue_side.consumers.insert(
            id,
            ConsumerEntry {
                name: String::from(name),
                queue,
            },
        );
        self.out.emit(Event::ConsumerAdded {
            consumer: id,
            queue,
        });
        self.dispatch(queue, now);
        self.flush_dead_letters(now);
        Ok(id)
    }

    fn locate(&self, consumer: ConsumerId) -> Option<(QueueId, usize)> {
        let queue = self.queue_side.consumers.get(&consumer)?.queue;
        let ci = self
            .queue_side
            .queues
            .get(&queue)?
            .consumer_index(consumer)?;
        Some((queue, ci))
    }

    /// Cancels (disconnects) a consumer: its unacked deliveries go back to the queue and are
    /// redelivered to the others, and its name becomes free.
    pub fn cancel(&mut self, now: Instant, consumer: ConsumerId) -> Result<(), ConsumerError> {
        let now = self.clock(now);
        let (queue, ci) = self
            .locate(consumer)
            .ok_or(ConsumerError::UnknownConsumer)?;
        self.out.emit(Event::ConsumerCancelled { consumer, queue });
        self.release(queue, ci, RequeueReason::ConsumerCancelled);
        if let Some(q) = self.queue_side.queues.get_mut(&queue) {
            q.remove_consumer(ci);
        }
        self.queue_side.consumers.remove(&consumer);
        self.dispatch(queue, now);
        self.flush_dead_letters(now);
        Ok(())
    }

    /// Crashes a consumer: like [`cancel`](Self::cancel) its unacked deliveries are
    /// redelivered, but it stays registered (receiving nothing) until
    /// [`restart_consumer`](Self::restart_consumer).
    pub fn crash_consumer(
        &mut self,
        now: Instant,
        consumer: ConsumerId,
    ) -> Result<(), ConsumerError> {
        let now = self.clock(now);
        let (queue, ci) = self
            .locate(consumer)
            .ok_or(ConsumerError::UnknownConsumer)?;
        let Some(q) = self.queue_side.queues.get_mut(&queue) else {
            return Err(ConsumerError::UnknownConsumer);
        };
        if q.consumers[ci].state == ConsumerState::Crashed {
            return Err(ConsumerError::AlreadyCrashed);
        }
        q.consumers[ci].state = ConsumerState::Crashed;
        self.out.emit(Event::ConsumerCrashed { consumer, queue });
        self.release(queue, ci, RequeueReason::ConsumerCrashed);
        self.dispatch(queue, now);
        self.flush_dead_letters(now);
        Ok(())
    }

    /// Brings a crashed consumer back; it receives deliveries again at once.
    pub fn restart_consumer(
        &mut self,
        now: Instant,
        consumer: ConsumerId,
    ) -> Result<(), ConsumerError> {
        let now = self.clock(now);
        let (queue, ci) = self
            .locate(consumer)
            .ok_or(ConsumerError::UnknownConsumer)?;
        let Some(q) = self.queue_side.queues.get_mut(&queue) else {
            return Err(ConsumerError::UnknownConsumer);
        };
        if q.consumers[ci].state != ConsumerState::Crashed {
            return Err(ConsumerError::NotCrashed);
        }
        q.consumers[ci].state = ConsumerState::Active;
        self.out.emit(Event::ConsumerRestarted { consumer, queue });
        self.dispatch(queue, now);
        self.flush_dead_letters(now);
        Ok(())
    }

    fn settle_target(
        &mut self,
        consumer: ConsumerId,
        delivery: DeliveryTag,
    ) -> Result<(QueueId, crate::queue::InFlight), AckError> {
        let (queue, ci) = self.locate(consumer).ok_or(AckError::UnknownConsumer)?;
        let q = self
            .queue_side
            .queues
            .get_mut(&queue)
            .ok_or(AckError::UnknownConsumer)?;
        match q.take_in_flight(ci, delivery) {
            Some(f) => Ok((queue, f)),
            None if self.out.issued(delivery) => Err(AckError::NotOutstanding(delivery)),
            None => Err(AckError::UnknownDelivery(delivery)),
        }
    }

    /// Acknowledges a delivery: the message is gone for good. Acking an unknown or already
    /// settled delivery is an error, not a silent no-op.
    ///
    /// Looks up the consumer's queue once (by id, no name), then its delivery.
    pub fn ack(
        &mut self,
        now: Instant,
        consumer: ConsumerId,
        delivery: DeliveryTag,
    ) -> Result<(), AckError> {
        let now = self.clock(now);
        let q = self
            .queue_side
            .consumers
            .get(&consumer)
            .and_then(|c| self.queue_side.queues.get_mut(&c.queue))
            .ok_or(AckError::UnknownConsumer)?;
        let ci = q
            .consumer_index(consumer)
            .ok_or(AckError::UnknownConsumer)?;
        let Some(f) = q.take_in_flight(ci, delivery) else {
            return Err(if self.out.issued(delivery) {
                AckError::NotOutstanding(delivery)
            } else {
                AckError::UnknownDelivery(delivery)
            });
        };
        q.ack(&mut self.storage, &mut self.out, consumer, f);
        q.dispatch(&mut self.storage, &mut self.out, now);
        if !self.out.dead_letters.is_empty() {
            self.flush_dead_letters(now);
        }
        Ok(())
    }

    /// Acknowledges every outstanding delivery of `consumer` up to and including `up_to`
    /// (AMQP `multiple = true`). `up_to` itself must be outstanding. Returns how many were
    /// acked.
    pub fn ack_multiple(
        &mut self,
        now: Instant,
        consumer: ConsumerId,
        up_to: DeliveryTag,
    ) -> Result<usize, AckError> {
        let now = self.clock(now);
        let (queue, last) = self.settle_target(consumer, up_to)?;
        let Some(q) = self.queue_side.queues.get_mut(&queue) else {
            return Ok(0);
        };
        let count = match q.consumer_index(consumer) {
            Some(ci) => q.ack_up_to(&mut self.storage, &mut self.out, ci, last),
            None => {
                q.ack(&mut self.storage, &mut self.out, consumer, last);
                1
            }
        };
        q.dispatch(&mut self.storage, &mut self.out, now);
        self.flush_dead_letters(now);
        Ok(count)
    }

    /// Negatively acknowledges a delivery. With `requeue` it goes back near the head of the
    /// queue and is redelivered with `redelivered = true` and its delivery count + 1 (or is
    /// dead-lettered once it reached `max_deliveries`); without, it is dead-lettered (reason
    /// `rejected`) or dropped when the queue has no dead-letter queue.
    pub fn nack(
        &mut self,
        now: Instant,
        consumer: ConsumerId,
        delivery: DeliveryTag,
        requeue: bool,
    ) -> Result<(), AckError> {
        let now = self.clock(now);
        let (queue, f) = self.settle_target(consumer, delivery)?;
        if let Some(q) = self.queue_side.queues.get_mut(&queue) {
            q.nack(&mut self.storage, &mut self.out, consumer, f, requeue);
            q.dispatch(&mut self.storage, &mut self.out, now);
        }
        self.flush_dead_letters(now);
        Ok(())
    }

    /// Rejects one delivery (AMQP `basic.reject`): the same as [`nack`](Self::nack).
    pub fn reject(
        &mut self,
        now: Instant,
        consumer: ConsumerId,
        delivery: DeliveryTag,
        requeue: bool,
    ) -> Result<(), AckError> {
        self.nack(now, consumer, delivery, requeue)
    }
}
