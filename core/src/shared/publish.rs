//! Publishing to exchanges and producing to streams through a [`SharedBroker`].

use super::{SharedBroker, SharedError};
use crate::ids::MessageId;
use crate::message::{Payload, Publish};
use crate::queue::PublishError;
use crate::storage::Storage;
use crate::stream::ProduceError;
use crate::stream::Produced;
use crate::{PublishedBatch, StreamRef};

impl<S: Storage> SharedBroker<S> {
    /// Publishes `payload` to `exchange` with `routing_key` (the default exchange `""` routes
    /// to the queue named by the key) and returns its id once the storage flushed it.
    /// Consumers the message is delivered to are woken.
    ///
    /// # Errors
    /// As [`Broker::publish`](crate::Broker::publish) (some errors mean other targets did take
    /// the message); a failed flush; [`SharedError::Poisoned`].
    pub fn publish(
        &self,
        exchange: &str,
        routing_key: &str,
        payload: impl Into<Payload>,
    ) -> Result<MessageId, SharedError<PublishError>> {
        self.publish_message(Publish::new(exchange, routing_key, payload))
    }

    /// Publishes a message built with [`Publish`] (headers, time-to-live); otherwise as
    /// [`publish`](Self::publish).
    ///
    /// # Errors
    /// As [`publish`](Self::publish).
    pub fn publish_message(
        &self,
        message: Publish<'_>,
    ) -> Result<MessageId, SharedError<PublishError>> {
        self.mutate(|state, now| state.broker.publish(now, message))
    }

    /// Publishes many payloads to one exchange with one routing key under one lock and one
    /// flush ([`Broker::publish_batch`](crate::Broker::publish_batch)).
    ///
    /// # Errors
    /// As [`Broker::publish_batch`](crate::Broker::publish_batch): it stops at the first
    /// error and the messages before it stay published (and are flushed); a failed flush;
    /// [`SharedError::Poisoned`].
    pub fn publish_batch<P: Into<Payload>>(
        &self,
        exchange: &str,
        routing_key: &str,
        payloads: impl IntoIterator<Item = P>,
    ) -> Result<PublishedBatch, SharedError<PublishError>> {
        self.mutate(|state, now| {
            state
                .broker
                .publish_batch(now, exchange, routing_key, payloads)
        })
    }

    /// Appends a record to a stream ([`Broker::produce`](crate::Broker::produce)) and wakes
    /// threads blocked in [`poll`](Self::poll).
    ///
    /// # Errors
    /// As [`Broker::produce`](crate::Broker::produce); a failed flush;
    /// [`SharedError::Poisoned`].
    pub fn produce<'a>(
        &self,
        stream: impl Into<StreamRef<'a>>,
        key: Option<&[u8]>,
        payload: impl Into<Payload>,
    ) -> Result<Produced, SharedError<ProduceError>> {
        let stream = stream.into();
        self.mutate(|state, now| state.broker.produce(now, stream, key, payload))
    }
}
