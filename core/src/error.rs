//! Typed errors of exchanges, queues, consumers and subscriptions (patterns A to C), one
//! small enum per operation, and the umbrella [`Error`], which every per-operation error
//! converts into, the streams' (`stream/error.rs`) and groups' (`group/error.rs`) too. What they all share
//! (`NameError`, `LimitError`) is in `common_error.rs`, below both: the umbrella imports the
//! per-operation errors, never the other way.
//!
//! Operating errors (bad names, unknown ids, full queues, limits) are `Result`s; no input
//! makes the broker panic.

use core::fmt;

use crate::common_error::{LimitError, NameError, error_boilerplate};
use crate::group::{CommitError, GroupError, JoinGroupError};
use crate::ids::{ConsumerId, DeliveryTag, ExchangeId, MessageId, QueueId, SubscriptionId};
use crate::storage::StorageError;
use crate::stream::{DeclareStreamError, PollError, ProduceError, SeekError, StreamConsumerError};

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

/// Errors of [`Broker::declare_queue`](crate::Broker::declare_queue).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeclareQueueError {
    /// The name is not valid.
    InvalidName(NameError),
    /// A queue with this name exists.
    AlreadyExists(QueueId),
    /// The configuration is inconsistent or beyond the limits; the text says which field.
    InvalidConfig(&'static str),
    /// Too many queues.
    Limit(LimitError),
    /// The storage could not create the queue's log.
    Storage(StorageError),
}

impl fmt::Display for DeclareQueueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidName(e) => write!(f, "invalid queue name: {e}"),
            Self::AlreadyExists(id) => write!(f, "queue already exists as {id}"),
            Self::InvalidConfig(why) => write!(f, "invalid queue config: {why}"),
            Self::Limit(e) => e.fmt(f),
            Self::Storage(e) => write!(f, "storage: {e}"),
        }
    }
}
error_boilerplate!(DeclareQueueError {
    NameError => InvalidName,
    LimitError => Limit,
    StorageError => Storage,
});

/// Errors of operations on an existing queue (purge, delete).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum QueueError {
    /// No such queue.
    UnknownQueue,
}

impl fmt::Display for QueueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownQueue => f.write_str("unknown queue"),
        }
    }
}
error_boilerplate!(QueueError {});

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

/// Errors of [`Broker::publish`](crate::Broker::publish).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PublishError {
    /// No exchange with this name.
    UnknownExchange,
    /// The default exchange was given a routing key that names no queue.
    UnknownQueue,
    /// The payload is larger than [`Limits::max_payload_bytes`](crate::Limits).
    PayloadTooLarge {
        /// Its size.
        len: usize,
        /// The maximum.
        max: usize,
    },
    /// More headers than [`Limits::max_headers`](crate::Limits).
    TooManyHeaders {
        /// How many were given.
        count: usize,
        /// The maximum.
        max: usize,
    },
    /// The routing key or a header is too long or otherwise invalid.
    InvalidKey(NameError),
    /// A full queue with the `reject-publish` overflow refused the message. Other queues the
    /// message was routed to (fan-out) did take it; the events say which.
    Rejected {
        /// The message.
        message: MessageId,
        /// The queue that refused it.
        queue: QueueId,
    },
    /// Storage refused the append to this queue (other targets may have taken it).
    Storage {
        /// The message.
        message: MessageId,
        /// The queue.
        queue: QueueId,
        /// The error.
        error: StorageError,
    },
    /// An id counter ran out, or the queue holds [`Limits::max_queue_messages`](crate::Limits).
    Limit(LimitError),
}

impl fmt::Display for PublishError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownExchange => f.write_str("unknown exchange"),
            Self::UnknownQueue => f.write_str("no queue is named by the routing key"),
            Self::PayloadTooLarge { len, max } => {
                write!(f, "payload of {len} bytes exceeds the maximum of {max}")
            }
            Self::TooManyHeaders { count, max } => {
                write!(f, "{count} headers exceed the maximum of {max}")
            }
            Self::InvalidKey(e) => write!(f, "invalid routing key or header: {e}"),
            Self::Rejected { message, queue } => {
                write!(f, "queue {queue} is full and rejected {message}")
            }
            Self::Storage {
                message,
                queue,
                error,
            } => write!(f, "storage refused {message} for {queue}: {error}"),
            Self::Limit(e) => e.fmt(f),
        }
    }
}
error_boilerplate!(PublishError { LimitError => Limit });

/// Errors of [`Broker::consume`](crate::Broker::consume).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConsumeError {
    /// No such queue.
    UnknownQueue,
    /// The consumer name is not valid.
    InvalidName(NameError),
    /// A consumer with this name exists.
    DuplicateName(ConsumerId),
    /// The prefetch is above [`Limits::max_prefetch`](crate::Limits).
    PrefetchTooLarge {
        /// Asked for.
        prefetch: u32,
        /// The maximum.
        max: u32,
    },
    /// Too many consumers.
    Limit(LimitError),
}

impl fmt::Display for ConsumeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownQueue => f.write_str("unknown queue"),
            Self::InvalidName(e) => write!(f, "invalid consumer name: {e}"),
            Self::DuplicateName(id) => write!(f, "consumer name already used by {id}"),
            Self::PrefetchTooLarge { prefetch, max } => {
                write!(f, "prefetch {prefetch} exceeds the maximum of {max}")
            }
            Self::Limit(e) => e.fmt(f),
        }
    }
}
error_boilerplate!(ConsumeError { NameError => InvalidName, LimitError => Limit });

/// Errors of consumer lifecycle calls (cancel, crash, restart).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConsumerError {
    /// No such consumer.
    UnknownConsumer,
    /// `crash_consumer` on a consumer that is already crashed.
    AlreadyCrashed,
    /// `restart_consumer` on a consumer that is running.
    NotCrashed,
}

impl fmt::Display for ConsumerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownConsumer => f.write_str("unknown consumer"),
            Self::AlreadyCrashed => f.write_str("consumer is already crashed"),
            Self::NotCrashed => f.write_str("consumer is not crashed"),
        }
    }
}
error_boilerplate!(ConsumerError {});

/// Errors of [`Broker::ack`](crate::Broker::ack), [`nack`](crate::Broker::nack) and
/// [`reject`](crate::Broker::reject).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AckError {
    /// No such consumer.
    UnknownConsumer,
    /// This tag was never handed out.
    UnknownDelivery(DeliveryTag),
    /// This tag is not outstanding for this consumer: already acked, nacked, requeued, or
    /// delivered to another consumer.
    NotOutstanding(DeliveryTag),
}

impl fmt::Display for AckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownConsumer => f.write_str("unknown consumer"),
            Self::UnknownDelivery(t) => write!(f, "delivery {t} was never made"),
            Self::NotOutstanding(t) => {
                write!(f, "delivery {t} is not outstanding for this consumer")
            }
        }
    }
}
error_boilerplate!(AckError {});

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

/// Any broker error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// From declaring an exchange.
    DeclareExchange(DeclareExchangeError),
    /// From deleting an exchange.
    DeleteExchange(DeleteExchangeError),
    /// From declaring a queue.
    DeclareQueue(DeclareQueueError),
    /// From purging or deleting a queue.
    Queue(QueueError),
    /// From binding.
    Bind(BindError),
    /// From unbinding.
    Unbind(UnbindError),
    /// From publishing.
    Publish(PublishError),
    /// From attaching a consumer.
    Consume(ConsumeError),
    /// From cancelling, crashing or restarting a consumer.
    Consumer(ConsumerError),
    /// From ack, nack or reject.
    Ack(AckError),
    /// From subscribing.
    Subscribe(SubscribeError),
    /// From receiving or unsubscribing.
    Subscription(SubscriptionError),
    /// From storage.
    Storage(StorageError),
    /// From declaring a stream or adding partitions.
    DeclareStream(crate::stream::DeclareStreamError),
    /// From producing to a stream.
    Produce(crate::stream::ProduceError),
    /// From creating or closing a stream consumer.
    StreamConsumer(crate::stream::StreamConsumerError),
    /// From polling a stream consumer.
    Poll(crate::stream::PollError),
    /// From seeking a stream consumer.
    Seek(crate::stream::SeekError),
    /// From joining a consumer group.
    JoinGroup(crate::group::JoinGroupError),
    /// From leaving a group or heartbeating.
    Group(crate::group::GroupError),
    /// From committing offsets.
    Commit(crate::group::CommitError),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::DeclareExchange(e) => write!(f, "declare exchange: {e}"),
            Error::DeleteExchange(e) => write!(f, "delete exchange: {e}"),
            Error::DeclareQueue(e) => write!(f, "declare queue: {e}"),
            Error::Queue(e) => write!(f, "queue: {e}"),
            Error::Bind(e) => write!(f, "bind: {e}"),
            Error::Unbind(e) => write!(f, "unbind: {e}"),
            Error::Publish(e) => write!(f, "publish: {e}"),
            Error::Consume(e) => write!(f, "consume: {e}"),
            Error::Consumer(e) => write!(f, "consumer: {e}"),
            Error::Ack(e) => write!(f, "ack: {e}"),
            Error::Subscribe(e) => write!(f, "subscribe: {e}"),
            Error::Subscription(e) => write!(f, "subscription: {e}"),
            Error::Storage(e) => write!(f, "storage: {e}"),
            Error::DeclareStream(e) => write!(f, "declare stream: {e}"),
            Error::Produce(e) => write!(f, "produce: {e}"),
            Error::StreamConsumer(e) => write!(f, "stream consumer: {e}"),
            Error::Poll(e) => write!(f, "poll: {e}"),
            Error::Seek(e) => write!(f, "seek: {e}"),
            Error::JoinGroup(e) => write!(f, "join group: {e}"),
            Error::Group(e) => write!(f, "group: {e}"),
            Error::Commit(e) => write!(f, "commit: {e}"),
        }
    }
}

impl core::error::Error for Error {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        Some(match self {
            Error::DeclareExchange(e) => e,
            Error::DeleteExchange(e) => e,
            Error::DeclareQueue(e) => e,
            Error::Queue(e) => e,
            Error::Bind(e) => e,
            Error::Unbind(e) => e,
            Error::Publish(e) => e,
            Error::Consume(e) => e,
            Error::Consumer(e) => e,
            Error::Ack(e) => e,
            Error::Subscribe(e) => e,
            Error::Subscription(e) => e,
            Error::Storage(e) => e,
            Error::DeclareStream(e) => e,
            Error::Produce(e) => e,
            Error::StreamConsumer(e) => e,
            Error::Poll(e) => e,
            Error::Seek(e) => e,
            Error::JoinGroup(e) => e,
            Error::Group(e) => e,
            Error::Commit(e) => e,
        })
    }
}

macro_rules! into_umbrella {
    ($($from:ident => $variant:ident),* $(,)?) => {
        $(impl From<$from> for Error {
            fn from(e: $from) -> Self {
                Error::$variant(e)
            }
        })*
    };
}

into_umbrella!(
    DeclareExchangeError => DeclareExchange,
    DeleteExchangeError => DeleteExchange,
    DeclareQueueError => DeclareQueue,
    QueueError => Queue,
    BindError => Bind,
    UnbindError => Unbind,
    PublishError => Publish,
    ConsumeError => Consume,
    ConsumerError => Consumer,
    AckError => Ack,
    SubscribeError => Subscribe,
    SubscriptionError => Subscription,
    StorageError => Storage,
);

into_umbrella!(
    DeclareStreamError => DeclareStream,
    ProduceError => Produce,
    StreamConsumerError => StreamConsumer,
    PollError => Poll,
    SeekError => Seek,
    JoinGroupError => JoinGroup,
    GroupError => Group,
    CommitError => Commit,
);

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn display_and_conversion() {
        let e: Error = AckError::NotOutstanding(DeliveryTag(4)).into();
        assert_eq!(
            e.to_string(),
            "ack: delivery d4 is not outstanding for this consumer"
        );
        assert!(core::error::Error::source(&e).is_some());
    }

    #[test]
    fn the_chain_reaches_the_cause() {
        use crate::common_error::LimitKind;
        use core::error::Error as _;
        let limit = LimitError {
            kind: LimitKind::Queues,
            limit: 3,
        };
        let e: Error = DeclareQueueError::from(limit).into();
        let operation = e.source().expect("the operation's error");
        let cause = operation.source().expect("the limit");
        assert_eq!(cause.to_string(), limit.to_string());
        let e = DeclareQueueError::AlreadyExists(QueueId(1));
        assert!(e.source().is_none(), "nothing below a plain refusal");
    }
}
