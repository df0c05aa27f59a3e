//! Queue consumers through a [`SharedBroker`]: attach, receive (blocking or not), settle,
//! cancel.

use super::state::State;
use super::{SharedBroker, SharedError};
use crate::QueueRef;
use crate::event::Delivery;
use crate::ids::{ConsumerId, DeliveryTag};
use crate::queue::ConsumerConfig;
use crate::queue::{AckError, ConsumeError, ConsumerError};
use crate::storage::Storage;
use crate::time::Instant;

impl<S: Storage> SharedBroker<S> {
    /// Attaches a consumer named `name` to `queue` ([`Broker::consume`](crate::Broker::consume)).
    /// Its deliveries wait in its inbox for [`recv`](Self::recv); any thread may receive,
    /// settle and cancel with the returned id.
    ///
    /// # Errors
    /// As [`Broker::consume`](crate::Broker::consume); a failed flush;
    /// [`SharedError::Poisoned`].
    pub fn consume<'a>(
        &self,
        queue: impl Into<QueueRef<'a>>,
        name: &str,
        config: ConsumerConfig,
    ) -> Result<ConsumerId, SharedError<ConsumeError>> {
        let queue = queue.into();
        self.mutate(|state, now| state.broker.consume(now, queue, name, config))
    }

    /// Takes `consumer`'s oldest delivery, blocking for at most `timeout` of real time until
    /// there is one. `Ok(None)` when the time is up. While blocked, the thread acts on the
    /// broker's deadlines as they fall due (a visibility timeout that passes redelivers to
    /// whoever waits). A crashed consumer waits until it is restarted or the time is up.
    ///
    /// Settle what you receive with [`ack`](Self::ack) or [`nack`](Self::nack) before its
    /// visibility timeout passes, or the broker takes it back and delivers it again.
    ///
    /// # Errors
    /// [`ConsumerError::UnknownConsumer`] if the consumer does not exist or is cancelled while
    /// waiting; a failed flush of what a deadline changed; [`SharedError::Poisoned`].
    pub fn recv(
        &self,
        consumer: ConsumerId,
        timeout: std::time::Duration,
    ) -> Result<Option<Delivery>, SharedError<ConsumerError>> {
        self.block(Some(timeout), |state, now| take(state, now, consumer))
    }

    /// Takes `consumer`'s oldest delivery if there is one; never blocks.
    ///
    /// # Errors
    /// As [`recv`](Self::recv).
    pub fn try_recv(
        &self,
        consumer: ConsumerId,
    ) -> Result<Option<Delivery>, SharedError<ConsumerError>> {
        self.block(None, |state, now| take(state, now, consumer))
    }

    /// Deliveries made to `consumer` that no thread has received yet (at most its prefetch).
    ///
    /// # Errors
    /// A failed flush of what a deadline changed; [`SharedError::Poisoned`].
    pub fn buffered(&self, consumer: ConsumerId) -> Result<usize, SharedError<ConsumerError>> {
        let len = self.block(None, |state, now| {
            state
                .handle_due_and_flush(now)
                .map_err(SharedError::Flush)?;
            Ok(Some(state.inboxes.len(consumer)))
        })?;
        Ok(len.unwrap_or(0))
    }

    /// Acknowledges a delivery ([`Broker::ack`](crate::Broker::ack)); returns once the
    /// storage flushed it. Frees a prefetch slot, so it may deliver the next message.
    ///
    /// # Errors
    /// As [`Broker::ack`](crate::Broker::ack) (among others: the visibility timeout passed
    /// and the broker took the delivery back); a failed flush; [`SharedError::Poisoned`].
    pub fn ack(
        &self,
        consumer: ConsumerId,
        delivery: DeliveryTag,
    ) -> Result<(), SharedError<AckError>> {
        self.mutate(|state, now| state.broker.ack(now, consumer, delivery))
    }

    /// Acknowledges every outstanding delivery of `consumer` up to and including `up_to`
    /// ([`Broker::ack_multiple`](crate::Broker::ack_multiple)), received or not; returns how
    /// many.
    ///
    /// # Errors
    /// As [`ack`](Self::ack).
    pub fn ack_multiple(
        &self,
        consumer: ConsumerId,
        up_to: DeliveryTag,
    ) -> Result<usize, SharedError<AckError>> {
        self.mutate(|state, now| {
            let count = state.broker.ack_multiple(now, consumer, up_to)?;
            state.inboxes.drop_through(consumer, up_to);
            Ok(count)
        })
    }

    /// Negatively acknowledges a delivery ([`Broker::nack`](crate::Broker::nack)): with
    /// `requeue` it is delivered again, to a waiting consumer if there is one.
    ///
    /// # Errors
    /// As [`ack`](Self::ack).
    pub fn nack(
        &self,
        consumer: ConsumerId,
        delivery: DeliveryTag,
        requeue: bool,
    ) -> Result<(), SharedError<AckError>> {
        self.mutate(|state, now| state.broker.nack(now, consumer, delivery, requeue))
    }

    /// Rejects a delivery ([`Broker::reject`](crate::Broker::reject)): the same as
    /// [`nack`](Self::nack).
    ///
    /// # Errors
    /// As [`ack`](Self::ack).
    pub fn reject(
        &self,
        consumer: ConsumerId,
        delivery: DeliveryTag,
        requeue: bool,
    ) -> Result<(), SharedError<AckError>> {
        self.mutate(|state, now| state.broker.reject(now, consumer, delivery, requeue))
    }

    /// Cancels a consumer ([`Broker::cancel`](crate::Broker::cancel)): what it held, received
    /// or not, goes back to the queue for the other consumers, and threads blocked in
    /// [`recv`](Self::recv) for it return [`ConsumerError::UnknownConsumer`].
    ///
    /// # Errors
    /// As [`Broker::cancel`](crate::Broker::cancel); a failed flush;
    /// [`SharedError::Poisoned`].
    pub fn cancel(&self, consumer: ConsumerId) -> Result<(), SharedError<ConsumerError>> {
        self.mutate(|state, now| {
            state.broker.cancel(now, consumer)?;
            state.inboxes.remove(consumer);
            Ok(())
        })
    }
}

/// One look at `consumer`'s inbox, after acting on due deadlines.
fn take<S: Storage>(
    state: &mut State<S>,
    now: Instant,
    consumer: ConsumerId,
) -> Result<Option<Delivery>, SharedError<ConsumerError>> {
    state
        .handle_due_and_flush(now)
        .map_err(SharedError::Flush)?;
    match state.inboxes.pop(consumer) {
        Some(delivery) => Ok(Some(delivery)),
        None if state.has_consumer(consumer) => Ok(None),
        None => Err(SharedError::Broker(ConsumerError::UnknownConsumer)),
    }
}
