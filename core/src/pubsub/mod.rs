//! Pub/sub subscriptions (pattern B): a bounded in-memory inbox per subscriber.
//!
//! As tokio's `broadcast` and non-durable RabbitMQ subscriptions: a subscriber sees only
//! messages published after it subscribed, in publish order. When its inbox is full the oldest
//! message is overwritten and the next [`Broker::receive`](crate::Broker::receive) returns
//! [`Received::Lagged`] with how many were lost, so a gap is never silent. Nobody persists an
//! inbox.

use alloc::collections::VecDeque;
use alloc::string::String;

mod error;

pub use error::{SubscribeError, SubscriptionError};

use crate::ids::MessageId;
use crate::message::Payload;

/// How a subscription buffers. Build with the `with_*` methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default))]
#[non_exhaustive]
pub struct SubscriptionConfig {
    /// Inbox capacity in messages (at least 1).
    pub capacity: usize,
}

impl Default for SubscriptionConfig {
    fn default() -> Self {
        SubscriptionConfig { capacity: 16 }
    }
}

impl SubscriptionConfig {
    /// Sets the inbox capacity.
    #[must_use]
    pub fn with_capacity(mut self, capacity: usize) -> Self {
        self.capacity = capacity;
        self
    }
}

/// What [`Broker::receive`](crate::Broker::receive) returns.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Received {
    /// The next message.
    Message {
        /// The message.
        message: MessageId,
        /// Its bytes.
        payload: Payload,
    },
    /// This many messages were overwritten since the last receive; the next receive returns
    /// the oldest message still buffered.
    Lagged(u64),
}

#[derive(Clone, Debug)]
pub(crate) struct Subscription {
    pub(crate) name: String,
    capacity: usize,
    inbox: VecDeque<(MessageId, Payload)>,
    missed: u64,
}

impl Subscription {
    pub(crate) fn new(name: String, capacity: usize) -> Self {
        Subscription {
            name,
            capacity,
            inbox: VecDeque::new(),
            missed: 0,
        }
    }

    /// Buffers a message; returns the overwritten one and the running missed count.
    pub(crate) fn push(
        &mut self,
        message: MessageId,
        payload: Payload,
    ) -> Option<(MessageId, u64)> {
        let lost = if self.inbox.len() >= self.capacity {
            self.inbox.pop_front().map(|(m, _)| {
                self.missed += 1;
                (m, self.missed)
            })
        } else {
            None
        };
        self.inbox.push_back((message, payload));
        lost
    }

    pub(crate) fn pop(&mut self) -> Option<Received> {
        if self.missed > 0 {
            return Some(Received::Lagged(core::mem::take(&mut self.missed)));
        }
        self.inbox
            .pop_front()
            .map(|(message, payload)| Received::Message { message, payload })
    }

    pub(crate) fn len(&self) -> usize {
        self.inbox.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overwrites_oldest_and_reports_lag() {
        let mut s = Subscription::new("s".into(), 2);
        assert_eq!(s.push(MessageId(1), "a".into()), None);
        assert_eq!(s.push(MessageId(2), "b".into()), None);
        assert_eq!(s.push(MessageId(3), "c".into()), Some((MessageId(1), 1)));
        assert_eq!(s.push(MessageId(4), "d".into()), Some((MessageId(2), 2)));
        assert_eq!(s.pop(), Some(Received::Lagged(2)));
        assert!(matches!(
            s.pop(),
            Some(Received::Message {
                message: MessageId(3),
                ..
            })
        ));
        assert_eq!(s.len(), 1);
    }
}
