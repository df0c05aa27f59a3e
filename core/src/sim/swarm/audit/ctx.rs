//! What every part of the account is given while it reads a step: the time, the broker's
//! read API and the scenario's promises.

use alloc::format;
use alloc::string::{String, ToString};

use super::specs::Specs;
use crate::Broker;
use crate::ids::{ConsumerId, QueueId, StreamConsumerId, SubscriptionId};
use crate::storage::Storage;

/// The context of one event or end-of-step check.
pub(super) struct Ctx<'a, S: Storage> {
    /// The event's (or step's) logical time, in milliseconds.
    pub(super) now: u64,
    /// The broker as it is after the step.
    pub(super) broker: &'a Broker<S>,
    /// The scenario's promises.
    pub(super) specs: &'a Specs,
}

impl<S: Storage> Ctx<'_, S> {
    /// A queue's name, or its id when the broker no longer knows it.
    pub(super) fn queue(&self, q: QueueId) -> String {
        self.broker
            .queue_name(q)
            .map_or_else(|| q.to_string(), ToString::to_string)
    }

    /// A queue consumer's name, or its id.
    pub(super) fn consumer(&self, c: ConsumerId) -> String {
        self.broker
            .consumer_name(c)
            .map_or_else(|| c.to_string(), ToString::to_string)
    }

    /// A subscription's name, or its id.
    pub(super) fn subscription(&self, s: SubscriptionId) -> String {
        self.broker
            .subscription_name(s)
            .map_or_else(|| s.to_string(), ToString::to_string)
    }

    /// A stream consumer's or member's name, or its id.
    pub(super) fn reader(&self, c: StreamConsumerId) -> String {
        self.broker
            .stream_consumer_name(c)
            .map_or_else(|| c.to_string(), ToString::to_string)
    }

    /// A partition as `stream/partition`.
    pub(super) fn partition(&self, p: crate::stream::StreamPartition) -> String {
        let stream = self
            .broker
            .stream_name(p.stream)
            .map_or_else(|| p.stream.to_string(), ToString::to_string);
        format!("{stream}/{}", p.partition.0)
    }
}
