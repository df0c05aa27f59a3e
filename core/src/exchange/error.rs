//! Typed errors of the exchange operations (declare, delete, bind, unbind), one small enum
//! per operation, each convertible into the umbrella [`Error`](crate::Error).

use core::fmt;

use crate::common_error::{LimitError, NameError, error_boilerplate};
use crate::ids::ExchangeId;

/// Errors of [`Broker::declare_exchange`](crate::Broker::declare_exchange).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeclareExchangeError {
    /// The name is not valid.
    InvalidName(NameError),
    /// An exchange with this name exists.
    AlreadyExists(ExchangeId),
    /// Too many exchanges.
    Limit(LimitError),
}

impl fmt::Display for DeclareExchangeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidName(e) => write!(f, "invalid exchange name: {e}"),
            Self::AlreadyExists(id) => write!(f, "exchange already exists as {id}"),
            Self::Limit(e) => e.fmt(f),
        }
    }
}
error_boilerplate!(DeclareExchangeError { NameError => InvalidName, LimitError => Limit });

/// Errors of [`Broker::delete_exchange`](crate::Broker::delete_exchange).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeleteExchangeError {
    /// No such exchange.
    UnknownExchange,
    /// The default exchange cannot be deleted.
    DefaultExchange,
}

impl fmt::Display for DeleteExchangeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownExchange => f.write_str("unknown exchange"),
            Self::DefaultExchange => f.write_str("the default exchange cannot be deleted"),
        }
    }
}
error_boilerplate!(DeleteExchangeError {});

/// Errors of [`Broker::bind`](crate::Broker::bind) and
/// [`Broker::bind_subscription`](crate::Broker::bind_subscription).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BindError {
    /// No such exchange.
    UnknownExchange,
    /// No such queue.
    UnknownQueue,
    /// No such subscription.
    UnknownSubscription,
    /// The default exchange has implicit bindings only.
    DefaultExchange,
    /// The binding key is not valid.
    InvalidKey(NameError),
    /// Too many bindings.
    Limit(LimitError),
}

impl fmt::Display for BindError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownExchange => f.write_str("unknown exchange"),
            Self::UnknownQueue => f.write_str("unknown queue"),
            Self::UnknownSubscription => f.write_str("unknown subscription"),
            Self::DefaultExchange => f.write_str("the default exchange cannot be bound"),
            Self::InvalidKey(e) => write!(f, "invalid binding key: {e}"),
            Self::Limit(e) => e.fmt(f),
        }
    }
}
error_boilerplate!(BindError { LimitError => Limit });

/// Errors of [`Broker::unbind`](crate::Broker::unbind).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum UnbindError {
    /// No such binding.
    UnknownBinding,
}

impl fmt::Display for UnbindError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownBinding => f.write_str("unknown binding"),
        }
    }
}
error_boilerplate!(UnbindError {});
