//! Errors of pub/sub calls.

use core::fmt;

use crate::common_error::{LimitError, NameError, error_boilerplate};
use crate::exchange::BindError;
use crate::ids::SubscriptionId;

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
