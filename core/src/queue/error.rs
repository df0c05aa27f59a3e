//! Typed errors of the queue operations (declare, publish, consume, ack), one small enum per
//! operation, each convertible into the umbrella [`Error`](crate::Error).

use core::fmt;

use crate::common_error::{LimitError, NameError, error_boilerplate};
use crate::ids::{ConsumerId, DeliveryTag, MessageId, QueueId};
use crate::storage::StorageError;

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
