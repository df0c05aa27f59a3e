//! Pub/sub subscriptions (pattern B): a bounded in-memory inbox per subscriber.
//!
//! As tokio's `broadcast` and non-durable RabbitMQ subscriptions: a subscriber sees only
//! messages published after it subscribed, in publish order. When its inbox is full the oldest
//! message is overwritten and the next [`Broker::receive`](crate::Broker::receive) returns
//! [`Received::Lagged`] with how many were lost, so a gap is never silent. Nobody persists an
//! inbox.

use alloc::collections::VecDeque;
use alloc::string::String;

use core::fmt;

use crate::common_error::{LimitError, NameError, error_boilerplate};
use crate::exchange::BindError;
use crate::ids::{MessageId, SubscriptionId};
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

#[derive(Debug)]
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

/// Errors of [`Broker::subscribe`](crate::Broker::subscribe).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SubscribeError {
    /// The subscription name is not valid.
    InvalidName(NameError),
    /// A subscription with this name exists.
    DuplicateName(SubscriptionId),
    /// The inbox capacity is zero or above [`Limits::max_inbox`](crate::Limits).
    InvalidCapacity {
        /// Asked for.
        capacity: usize,
        /// The maximum.
        max: usize,
    },
    /// Binding the subscription failed.
    Bind(BindError),
    /// Too many subscriptions.
    Limit(LimitError),
}

impl fmt::Display for SubscribeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidName(e) => write!(f, "invalid subscription name: {e}"),
            Self::DuplicateName(id) => write!(f, "subscription name already used by {id}"),
            Self::InvalidCapacity { capacity, max } => {
                write!(f, "inbox capacity {capacity} is not within 1..={max}")
            }
            Self::Bind(e) => e.fmt(f),
            Self::Limit(e) => e.fmt(f),
        }
    }
}
error_boilerplate!(SubscribeError {
    NameError => InvalidName,
    BindError => Bind,
    LimitError => Limit,
});

/// Errors of calls on an existing subscription (receive, unsubscribe).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SubscriptionError {
    /// No such subscription.
    UnknownSubscription,
}

impl fmt::Display for SubscriptionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownSubscription => f.write_str("unknown subscription"),
        }
    }
}
error_boilerplate!(SubscriptionError {});
