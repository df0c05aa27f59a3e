//! What happened: every state change of the broker is drained as an [`Event`].
//!
//! Events name entities by id. Every event about a message names the message and the
//! entities it concerns, so one message's whole journey (published → routed → enqueued →
//! delivered → acked, or nacked, requeued, expired, dead-lettered, dropped, lagged) can be
//! rebuilt from the events alone. Their `Display` is a compact one-line form used by the
//! transcript tests and the examples.

use core::fmt;

use crate::exchange::ExchangeKind;
use crate::ids::{
    BindingId, ConsumerId, DeliveryTag, ExchangeId, MessageId, Offset, QueueId, SubscriptionId,
    Target,
};
use crate::message::Payload;
use crate::storage::StorageError;

use crate::group::{LeaveReason, MemberAssignment};
use crate::ids::{GroupId, StreamConsumerId, StreamId};
use crate::stream::{OffsetReset, RetentionReason, StreamPartition};
use alloc::vec::Vec;

/// Why a message was dead-lettered (RabbitMQ's `x-death` reasons).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum DeadLetterReason {
    /// A consumer nacked or rejected it without requeue.
    Rejected,
    /// Its TTL (the queue's or its own) passed.
    Expired,
    /// The queue's `max_length` was exceeded and it was the oldest (`drop-head`).
    MaxLength,
    /// It was delivered `max_deliveries` times without an ack.
    DeliveryLimit,
}

/// Why a message left a queue without an ack and without going to a dead-letter queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum DropReason {
    /// A dead-letter reason applied and the queue has no (usable) dead-letter queue.
    DeadLetter(DeadLetterReason),
    /// The queue was purged.
    Purged,
    /// The queue was deleted.
    QueueDeleted,
}

/// Why an unacked delivery went back to its queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum RequeueReason {
    /// The consumer nacked or rejected it with `requeue = true`.
    Nacked,
    /// The consumer was cancelled (disconnected).
    ConsumerCancelled,
    /// The consumer crashed.
    ConsumerCrashed,
    /// The queue's visibility timeout passed before an ack.
    VisibilityTimeout,
}

/// Something that happened in the broker. Drain them with
/// [`Broker::poll_event`](crate::Broker::poll_event).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Event {
    /// An exchange was declared.
    ExchangeDeclared {
        /// The exchange.
        exchange: ExchangeId,
        /// Its routing kind.
        kind: ExchangeKind,
    },
    /// An exchange and its bindings were deleted.
    ExchangeDeleted {
        /// The exchange.
        exchange: ExchangeId,
    },
    /// A queue was declared.
    QueueDeclared {
        /// The queue.
        queue: QueueId,
    },
    /// A queue was deleted (its messages are reported as dropped first).
    QueueDeleted {
        /// The queue.
        queue: QueueId,
    },
    /// A queue's ready messages were removed (each is also reported as dropped).
    QueuePurged {
        /// The queue.
        queue: QueueId,
        /// How many messages were removed.
        count: u64,
    },
    /// A binding was created.
    Bound {
        /// The binding.
        binding: BindingId,
        /// Its exchange.
        exchange: ExchangeId,
        /// Where it sends messages.
        target: Target,
    },
    /// A binding was removed.
    Unbound {
        /// The binding.
        binding: BindingId,
        /// Its exchange.
        exchange: ExchangeId,
        /// Where it sent messages.
        target: Target,
    },
    /// A consumer attached to a queue.
    ConsumerAdded {
        /// The consumer.
        consumer: ConsumerId,
        /// Its queue.
        queue: QueueId,
    },
    /// A consumer was cancelled and forgotten.
    ConsumerCancelled {
        /// The consumer.
        consumer: ConsumerId,
        /// Its queue.
        queue: QueueId,
    },
    /// A consumer crashed; it receives nothing until restarted.
    ConsumerCrashed {
        /// The consumer.
        consumer: ConsumerId,
        /// Its queue.
        queue: QueueId,
    },
    /// A crashed consumer came back.
    ConsumerRestarted {
        /// The consumer.
        consumer: ConsumerId,
        /// Its queue.
        queue: QueueId,
    },
    /// A pub/sub subscription was created.
    Subscribed {
        /// The subscription.
        subscription: SubscriptionId,
    },
    /// A subscription and its bindings were removed.
    Unsubscribed {
        /// The subscription.
        subscription: SubscriptionId,
    },
    /// A message was accepted for routing.
    Published {
        /// The message.
        message: MessageId,
        /// The exchange it was published to.
        exchange: ExchangeId,
    },
    /// A message matched a binding (or the default exchange's queue).
    Routed {
        /// The message.
        message: MessageId,
        /// The exchange.
        exchange: ExchangeId,
        /// The binding that matched; `None` for the default exchange.
        binding: Option<BindingId>,
        /// Where it goes.
        target: Target,
    },
    /// A message matched no binding and was discarded.
    Unroutable {
        /// The message.
        message: MessageId,
        /// The exchange.
        exchange: ExchangeId,
    },
    /// A copy of a message was appended to a queue's log.
    Enqueued {
        /// The message.
        message: MessageId,
        /// The queue.
        queue: QueueId,
        /// Its offset in the queue's log.
        offset: Offset,
    },
    /// A full `reject-publish` queue refused a message.
    Rejected {
        /// The message.
        message: MessageId,
        /// The queue.
        queue: QueueId,
    },
    /// A message was handed to a consumer.
    Delivered {
        /// The message.
        message: MessageId,
        /// The queue.
        queue: QueueId,
        /// The consumer.
        consumer: ConsumerId,
        /// The handle to ack or nack it with.
        delivery: DeliveryTag,
        /// Whether it was delivered before.
        redelivered: bool,
        /// How many times it has been delivered, this time included.
        delivery_count: u32,
        /// The bytes.
        payload: Payload,
    },
    /// A delivery was acknowledged; the message is gone.
    Acked {
        /// The message.
        message: MessageId,
        /// The queue.
        queue: QueueId,
        /// The consumer.
        consumer: ConsumerId,
        /// The delivery.
        delivery: DeliveryTag,
    },
    /// A delivery was negatively acknowledged (nack or reject).
    Nacked {
        /// The message.
        message: MessageId,
        /// The queue.
        queue: QueueId,
        /// The consumer.
        consumer: ConsumerId,
        /// The delivery.
        delivery: DeliveryTag,
        /// Whether the consumer asked for it to be requeued.
        requeue: bool,
    },
    /// An unacked delivery went back to the queue, to be redelivered.
    Requeued {
        /// The message.
        message: MessageId,
        /// The queue.
        queue: QueueId,
        /// The consumer that held it.
        consumer: ConsumerId,
        /// The delivery that ended.
        delivery: DeliveryTag,
        /// Why.
        reason: RequeueReason,
    },
    /// A message's TTL passed while it was waiting in a queue; it will never be delivered.
    Expired {
        /// The message.
        message: MessageId,
        /// The queue.
        queue: QueueId,
    },
    /// A message moved to its queue's dead-letter queue.
    DeadLettered {
        /// The message.
        message: MessageId,
        /// The queue it left.
        queue: QueueId,
        /// The dead-letter queue it goes to.
        dead_letter_queue: QueueId,
        /// Why.
        reason: DeadLetterReason,
    },
    /// A message was removed from a queue without an ack.
    Dropped {
        /// The message.
        message: MessageId,
        /// The queue.
        queue: QueueId,
        /// Why.
        reason: DropReason,
    },
    /// A message was put in a subscription's inbox.
    Buffered {
        /// The message.
        message: MessageId,
        /// The subscription.
        subscription: SubscriptionId,
    },
    /// A subscriber took a message from its inbox.
    Received {
        /// The message.
        message: MessageId,
        /// The subscription.
        subscription: SubscriptionId,
    },
    /// A full inbox overwrote its oldest message; the subscriber will be told it lagged.
    Lagged {
        /// The message that was lost.
        message: MessageId,
        /// The subscription.
        subscription: SubscriptionId,
        /// Messages lost since the subscriber last received.
        missed: u64,
    },
    /// Storage failed while the broker served a queue; see [`Storage`](crate::Storage).
    StorageFailed {
        /// The queue.
        queue: QueueId,
        /// The error.
        error: StorageError,
    },
    /// The event buffer was full and this many of the oldest events were discarded.
    EventsLost {
        /// How many.
        count: u64,
    },
    /// A stream was declared.
    StreamDeclared {
        /// The stream.
        stream: StreamId,
        /// Its partition count.
        partitions: u32,
    },
    /// Partitions were added to a stream.
    PartitionsAdded {
        /// The stream.
        stream: StreamId,
        /// Its partition count now.
        partitions: u32,
    },
    /// A record was appended to a stream partition.
    Appended {
        /// The record's message id.
        message: MessageId,
        /// Where.
        partition: StreamPartition,
        /// Its offset.
        offset: Offset,
    },
    /// Retention advanced a partition's log start; the records before it are gone.
    RetentionApplied {
        /// The partition.
        partition: StreamPartition,
        /// The new log start.
        start: Offset,
        /// How many records were removed.
        dropped: u64,
        /// The bound that removed the first of them.
        reason: RetentionReason,
    },
    /// A standalone stream consumer was created.
    StreamConsumerCreated {
        /// The consumer.
        consumer: StreamConsumerId,
        /// Its stream.
        stream: StreamId,
    },
    /// A standalone stream consumer was closed.
    StreamConsumerClosed {
        /// The consumer.
        consumer: StreamConsumerId,
    },
    /// A consumer read `count` records of a partition, offsets `first..first + count`.
    Polled {
        /// The consumer.
        consumer: StreamConsumerId,
        /// The partition.
        partition: StreamPartition,
        /// The first offset read.
        first: Offset,
        /// How many records.
        count: u64,
        /// How many of them lie below the furthest offset handed out before (to this standalone
        /// consumer, or to any member of its group): a replay, or an at-least-once redelivery.
        redelivered: u64,
    },
    /// A consumer moved its position by seeking.
    Seeked {
        /// The consumer.
        consumer: StreamConsumerId,
        /// The partition.
        partition: StreamPartition,
        /// The new position.
        offset: Offset,
    },
    /// `auto_offset_reset` moved a position that was missing or outside the log.
    OffsetReset {
        /// The consumer.
        consumer: StreamConsumerId,
        /// The partition.
        partition: StreamPartition,
        /// The position before (`None`: there was none).
        from: Option<Offset>,
        /// The position now.
        to: Offset,
        /// The policy applied.
        policy: OffsetReset,
    },
    /// A consumer group was created by its first join.
    GroupCreated {
        /// The group.
        group: GroupId,
    },
    /// A member joined a group.
    MemberJoined {
        /// The group.
        group: GroupId,
        /// The member.
        member: StreamConsumerId,
    },
    /// A member left a group or was evicted.
    MemberLeft {
        /// The group.
        group: GroupId,
        /// The member.
        member: StreamConsumerId,
        /// Why.
        reason: LeaveReason,
    },
    /// A member gave up partitions in the first phase of a cooperative rebalance; they are
    /// assigned to their new owners in the next generation.
    PartitionsRevoked {
        /// The group.
        group: GroupId,
        /// The generation in which the member no longer owns them.
        generation: u32,
        /// The member.
        member: StreamConsumerId,
        /// The partitions.
        partitions: Vec<StreamPartition>,
    },
    /// A group entered a new generation with this full assignment (members sorted by id;
    /// idle members have no partitions).
    Rebalanced {
        /// The group.
        group: GroupId,
        /// The new generation.
        generation: u32,
        /// Every member and its partitions.
        assignment: Vec<MemberAssignment>,
    },
    /// A group committed an offset for a partition.
    Committed {
        /// The group.
        group: GroupId,
        /// The member that committed.
        member: StreamConsumerId,
        /// The partition.
        partition: StreamPartition,
        /// The committed offset (the next one to read).
        offset: Offset,
        /// The offset committed before, if any.
        previous: Option<Offset>,
    },
}

impl fmt::Display for DeadLetterReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DeadLetterReason::Rejected => "rejected",
            DeadLetterReason::Expired => "expired",
            DeadLetterReason::MaxLength => "maxlen",
            DeadLetterReason::DeliveryLimit => "delivery_limit",
        })
    }
}

impl fmt::Display for DropReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DropReason::DeadLetter(r) => r.fmt(f),
            DropReason::Purged => f.write_str("purged"),
            DropReason::QueueDeleted => f.write_str("queue_deleted"),
        }
    }
}

impl fmt::Display for RequeueReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RequeueReason::Nacked => "nacked",
            RequeueReason::ConsumerCancelled => "cancelled",
            RequeueReason::ConsumerCrashed => "crashed",
            RequeueReason::VisibilityTimeout => "visibility_timeout",
        })
    }
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::ExchangeDeclared { exchange, kind } => {
                write!(f, "exchange-declared {exchange} {kind}")
            }
            Event::ExchangeDeleted { exchange } => write!(f, "exchange-deleted {exchange}"),
            Event::QueueDeclared { queue } => write!(f, "queue-declared {queue}"),
            Event::QueueDeleted { queue } => write!(f, "queue-deleted {queue}"),
            Event::QueuePurged { queue, count } => write!(f, "purged {queue} n={count}"),
            Event::Bound {
                binding,
                exchange,
                target,
            } => write!(f, "bound {binding} {exchange}->{target}"),
            Event::Unbound {
                binding,
                exchange,
                target,
            } => write!(f, "unbound {binding} {exchange}->{target}"),
            Event::ConsumerAdded { consumer, queue } => {
                write!(f, "consumer-added {consumer} {queue}")
            }
            Event::ConsumerCancelled { consumer, queue } => {
                write!(f, "consumer-cancelled {consumer} {queue}")
            }
            Event::ConsumerCrashed { consumer, queue } => {
                write!(f, "consumer-crashed {consumer} {queue}")
            }
            Event::ConsumerRestarted { consumer, queue } => {
                write!(f, "consumer-restarted {consumer} {queue}")
            }
            Event::Subscribed { subscription } => write!(f, "subscribed {subscription}"),
            Event::Unsubscribed { subscription } => write!(f, "unsubscribed {subscription}"),
            Event::Published { message, exchange } => write!(f, "published {message} {exchange}"),
            Event::Routed {
                message,
                exchange,
                binding,
                target,
            } => match binding {
                Some(b) => write!(f, "routed {message} {exchange}->{target} via {b}"),
                None => write!(f, "routed {message} {exchange}->{target}"),
            },
            Event::Unroutable { message, exchange } => write!(f, "unroutable {message} {exchange}"),
            Event::Enqueued {
                message,
                queue,
                offset,
            } => write!(f, "enqueued {message} {queue}{offset}"),
            Event::Rejected { message, queue } => write!(f, "rejected {message} {queue}"),
            Event::Delivered {
                message,
                queue,
                consumer,
                delivery,
                redelivered,
                delivery_count,
                payload,
            } => {
                write!(f, "delivered {message} {queue}->{consumer} {delivery}")?;
                if *redelivered {
                    write!(f, " redelivered n={delivery_count}")?;
                }
                write!(f, " {payload:?}")
            }
            Event::Acked {
                message,
                consumer,
                delivery,
                ..
            } => write!(f, "acked {message} {consumer} {delivery}"),
            Event::Nacked {
                message,
                consumer,
                delivery,
                requeue,
                ..
            } => write!(
                f,
                "nacked {message} {consumer} {delivery}{}",
                if *requeue { " requeue" } else { "" }
            ),
            Event::Requeued {
                message,
                queue,
                consumer,
                delivery,
                reason,
            } => write!(
                f,
                "requeued {message} {queue} from {consumer} {delivery} ({reason})"
            ),
            Event::Expired { message, queue } => write!(f, "expired {message} {queue}"),
            Event::DeadLettered {
                message,
                queue,
                dead_letter_queue,
                reason,
            } => write!(
                f,
                "dead-lettered {message} {queue}->{dead_letter_queue} ({reason})"
            ),
            Event::Dropped {
                message,
                queue,
                reason,
            } => write!(f, "dropped {message} {queue} ({reason})"),
            Event::Buffered {
                message,
                subscription,
            } => write!(f, "buffered {message} {subscription}"),
            Event::Received {
                message,
                subscription,
            } => write!(f, "received {message} {subscription}"),
            Event::Lagged {
                message,
                subscription,
                missed,
            } => write!(f, "lagged {message} {subscription} missed={missed}"),
            Event::StorageFailed { queue, error } => {
                write!(f, "storage-failed {queue}: {error}")
            }
            Event::EventsLost { count } => write!(f, "events-lost n={count}"),
            Event::StreamDeclared { stream, partitions } => {
                write!(f, "stream-declared {stream} partitions={partitions}")
            }
            Event::PartitionsAdded { stream, partitions } => {
                write!(f, "partitions-added {stream} partitions={partitions}")
            }
            Event::Appended {
                message,
                partition,
                offset,
            } => write!(f, "appended {message} {partition}{offset}"),
            Event::RetentionApplied {
                partition,
                start,
                dropped,
                reason,
            } => write!(
                f,
                "retention {partition} start={start} dropped={dropped} ({reason})"
            ),
            Event::StreamConsumerCreated { consumer, stream } => {
                write!(f, "stream-consumer-created {consumer} {stream}")
            }
            Event::StreamConsumerClosed { consumer } => {
                write!(f, "stream-consumer-closed {consumer}")
            }
            Event::Polled {
                consumer,
                partition,
                first,
                count,
                redelivered,
            } => {
                write!(f, "polled {consumer} {partition}{first} n={count}")?;
                if *redelivered > 0 {
                    write!(f, " redelivered={redelivered}")?;
                }
                Ok(())
            }
            Event::Seeked {
                consumer,
                partition,
                offset,
            } => write!(f, "seeked {consumer} {partition}{offset}"),
            Event::OffsetReset {
                consumer,
                partition,
                from,
                to,
                policy,
            } => {
                write!(f, "offset-reset {consumer} {partition} ")?;
                match from {
                    Some(o) => write!(f, "{o}")?,
                    None => f.write_str("none")?,
                }
                write!(f, "->{to} ({policy})")
            }
            Event::GroupCreated { group } => write!(f, "group-created {group}"),
            Event::MemberJoined { group, member } => write!(f, "joined {group} {member}"),
            Event::MemberLeft {
                group,
                member,
                reason,
            } => write!(f, "left {group} {member} ({reason})"),
            Event::PartitionsRevoked {
                group,
                generation,
                member,
                partitions,
            } => {
                write!(f, "revoked {group} gen={generation} {member} [")?;
                write_partitions(f, partitions)?;
                f.write_str("]")
            }
            Event::Rebalanced {
                group,
                generation,
                assignment,
            } => {
                write!(f, "rebalanced {group} gen={generation}")?;
                for a in assignment {
                    write!(f, " {}=[", a.member)?;
                    write_partitions(f, &a.partitions)?;
                    f.write_str("]")?;
                }
                Ok(())
            }
            Event::Committed {
                group,
                member,
                partition,
                offset,
                previous,
            } => {
                write!(f, "committed {group} {member} {partition}{offset}")?;
                if let Some(p) = previous {
                    write!(f, " was {p}")?;
                }
                Ok(())
            }
        }
    }
}

fn write_partitions(f: &mut fmt::Formatter<'_>, partitions: &[StreamPartition]) -> fmt::Result {
    for (i, p) in partitions.iter().enumerate() {
        if i > 0 {
            f.write_str(" ")?;
        }
        write!(f, "{p}")?;
    }
    Ok(())
}

impl Event {
    /// The message this event is about, if it is about one.
    #[must_use]
    pub fn message(&self) -> Option<MessageId> {
        match self {
            Event::Published { message, .. }
            | Event::Routed { message, .. }
            | Event::Unroutable { message, .. }
            | Event::Enqueued { message, .. }
            | Event::Rejected { message, .. }
            | Event::Delivered { message, .. }
            | Event::Acked { message, .. }
            | Event::Nacked { message, .. }
            | Event::Requeued { message, .. }
            | Event::Expired { message, .. }
            | Event::DeadLettered { message, .. }
            | Event::Dropped { message, .. }
            | Event::Buffered { message, .. }
            | Event::Received { message, .. }
            | Event::Appended { message, .. }
            | Event::Lagged { message, .. } => Some(*message),
            _ => None,
        }
    }
}

/// The kind of an [`Event`], without its data; what an [`EventFilter`] selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
#[repr(u8)]
pub enum EventKind {
    /// [`Event::ExchangeDeclared`].
    ExchangeDeclared,
    /// [`Event::ExchangeDeleted`].
    ExchangeDeleted,
    /// [`Event::QueueDeclared`].
    QueueDeclared,
    /// [`Event::QueueDeleted`].
    QueueDeleted,
    /// [`Event::QueuePurged`].
    QueuePurged,
    /// [`Event::Bound`].
    Bound,
    /// [`Event::Unbound`].
    Unbound,
    /// [`Event::ConsumerAdded`].
    ConsumerAdded,
    /// [`Event::ConsumerCancelled`].
    ConsumerCancelled,
    /// [`Event::ConsumerCrashed`].
    ConsumerCrashed,
    /// [`Event::ConsumerRestarted`].
    ConsumerRestarted,
    /// [`Event::Subscribed`].
    Subscribed,
    /// [`Event::Unsubscribed`].
    Unsubscribed,
    /// [`Event::Published`].
    Published,
    /// [`Event::Routed`].
    Routed,
    /// [`Event::Unroutable`].
    Unroutable,
    /// [`Event::Enqueued`].
    Enqueued,
    /// [`Event::Rejected`].
    Rejected,
    /// [`Event::Delivered`].
    Delivered,
    /// [`Event::Acked`].
    Acked,
    /// [`Event::Nacked`].
    Nacked,
    /// [`Event::Requeued`].
    Requeued,
    /// [`Event::Expired`].
    Expired,
    /// [`Event::DeadLettered`].
    DeadLettered,
    /// [`Event::Dropped`].
    Dropped,
    /// [`Event::Buffered`].
    Buffered,
    /// [`Event::Received`].
    Received,
    /// [`Event::Lagged`].
    Lagged,
    /// [`Event::StorageFailed`].
    StorageFailed,
    /// [`Event::EventsLost`].
    EventsLost,
    /// [`Event::StreamDeclared`].
    StreamDeclared,
    /// [`Event::PartitionsAdded`].
    PartitionsAdded,
    /// [`Event::Appended`].
    Appended,
    /// [`Event::RetentionApplied`].
    RetentionApplied,
    /// [`Event::StreamConsumerCreated`].
    StreamConsumerCreated,
    /// [`Event::StreamConsumerClosed`].
    StreamConsumerClosed,
    /// [`Event::Polled`].
    Polled,
    /// [`Event::Seeked`].
    Seeked,
    /// [`Event::OffsetReset`].
    OffsetReset,
    /// [`Event::GroupCreated`].
    GroupCreated,
    /// [`Event::MemberJoined`].
    MemberJoined,
    /// [`Event::MemberLeft`].
    MemberLeft,
    /// [`Event::PartitionsRevoked`].
    PartitionsRevoked,
    /// [`Event::Rebalanced`].
    Rebalanced,
    /// [`Event::Committed`].
    Committed,
}

impl Event {
    /// This event's kind.
    #[must_use]
    #[inline]
    pub fn kind(&self) -> EventKind {
        match self {
            Event::ExchangeDeclared { .. } => EventKind::ExchangeDeclared,
            Event::ExchangeDeleted { .. } => EventKind::ExchangeDeleted,
            Event::QueueDeclared { .. } => EventKind::QueueDeclared,
            Event::QueueDeleted { .. } => EventKind::QueueDeleted,
            Event::QueuePurged { .. } => EventKind::QueuePurged,
            Event::Bound { .. } => EventKind::Bound,
            Event::Unbound { .. } => EventKind::Unbound,
            Event::ConsumerAdded { .. } => EventKind::ConsumerAdded,
            Event::ConsumerCancelled { .. } => EventKind::ConsumerCancelled,
            Event::ConsumerCrashed { .. } => EventKind::ConsumerCrashed,
            Event::ConsumerRestarted { .. } => EventKind::ConsumerRestarted,
            Event::Subscribed { .. } => EventKind::Subscribed,
            Event::Unsubscribed { .. } => EventKind::Unsubscribed,
            Event::Published { .. } => EventKind::Published,
            Event::Routed { .. } => EventKind::Routed,
            Event::Unroutable { .. } => EventKind::Unroutable,
            Event::Enqueued { .. } => EventKind::Enqueued,
            Event::Rejected { .. } => EventKind::Rejected,
            Event::Delivered { .. } => EventKind::Delivered,
            Event::Acked { .. } => EventKind::Acked,
            Event::Nacked { .. } => EventKind::Nacked,
            Event::Requeued { .. } => EventKind::Requeued,
            Event::Expired { .. } => EventKind::Expired,
            Event::DeadLettered { .. } => EventKind::DeadLettered,
            Event::Dropped { .. } => EventKind::Dropped,
            Event::Buffered { .. } => EventKind::Buffered,
            Event::Received { .. } => EventKind::Received,
            Event::Lagged { .. } => EventKind::Lagged,
            Event::StorageFailed { .. } => EventKind::StorageFailed,
            Event::EventsLost { .. } => EventKind::EventsLost,
            Event::StreamDeclared { .. } => EventKind::StreamDeclared,
            Event::PartitionsAdded { .. } => EventKind::PartitionsAdded,
            Event::Appended { .. } => EventKind::Appended,
            Event::RetentionApplied { .. } => EventKind::RetentionApplied,
            Event::StreamConsumerCreated { .. } => EventKind::StreamConsumerCreated,
            Event::StreamConsumerClosed { .. } => EventKind::StreamConsumerClosed,
            Event::Polled { .. } => EventKind::Polled,
            Event::Seeked { .. } => EventKind::Seeked,
            Event::OffsetReset { .. } => EventKind::OffsetReset,
            Event::GroupCreated { .. } => EventKind::GroupCreated,
            Event::MemberJoined { .. } => EventKind::MemberJoined,
            Event::MemberLeft { .. } => EventKind::MemberLeft,
            Event::PartitionsRevoked { .. } => EventKind::PartitionsRevoked,
            Event::Rebalanced { .. } => EventKind::Rebalanced,
            Event::Committed { .. } => EventKind::Committed,
        }
    }
}

/// Which events the broker buffers for [`Broker::poll_event`](crate::Broker::poll_event).
///
/// The default, [`EventFilter::ALL`], buffers every event. A caller that does not need some
/// kinds (a worker that only wants its deliveries, a benchmark) can leave them out to save the
/// work of recording them; state changes are exactly the same either way. Two kinds are never
/// lost by filtering:
///
/// - [`EventKind::Delivered`]: a filter without it moves deliveries to a separate buffer drained
///   with [`Broker::poll_deliveries`](crate::Broker::poll_deliveries) (as [`Delivery`] values),
///   so a consumer always learns what it holds.
/// - [`EventKind::EventsLost`] is always reported.
///
/// ```
/// use brokerlab::{EventFilter, EventKind};
/// let f = EventFilter::ALL.without(EventKind::Published).without(EventKind::Routed);
/// assert!(!f.contains(EventKind::Published));
/// assert!(f.contains(EventKind::Delivered));
/// assert!(EventFilter::NONE.contains(EventKind::EventsLost));
/// assert_eq!(EventFilter::default(), EventFilter::ALL);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct EventFilter {
    bits: u64,
}

impl EventFilter {
    const ALWAYS: u64 = 1 << EventKind::EventsLost as u8;

    /// Every event (the default).
    pub const ALL: EventFilter = EventFilter { bits: u64::MAX };

    /// No event except [`EventKind::EventsLost`]; deliveries go to
    /// [`Broker::poll_deliveries`](crate::Broker::poll_deliveries).
    pub const NONE: EventFilter = EventFilter { bits: Self::ALWAYS };

    /// This filter with `kind` buffered too.
    #[must_use]
    pub const fn with(self, kind: EventKind) -> Self {
        EventFilter {
            bits: self.bits | 1 << kind as u8,
        }
    }

    /// This filter with `kind` left out (no effect on [`EventKind::EventsLost`]).
    #[must_use]
    pub const fn without(self, kind: EventKind) -> Self {
        EventFilter {
            bits: (self.bits & !(1 << kind as u8)) | Self::ALWAYS,
        }
    }

    /// Whether events of `kind` are buffered.
    #[must_use]
    #[inline]
    pub const fn contains(self, kind: EventKind) -> bool {
        self.bits & (1 << kind as u8) != 0
    }
}

impl Default for EventFilter {
    fn default() -> Self {
        EventFilter::ALL
    }
}

/// One delivery of a message to a consumer: the data of [`Event::Delivered`], drained with
/// [`Broker::poll_deliveries`](crate::Broker::poll_deliveries) when the
/// [`EventFilter`] leaves `Delivered` out.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Delivery {
    /// The message.
    pub message: MessageId,
    /// The queue.
    pub queue: QueueId,
    /// The consumer.
    pub consumer: ConsumerId,
    /// The handle to ack or nack it with.
    pub delivery: DeliveryTag,
    /// Whether it was delivered before.
    pub redelivered: bool,
    /// How many times it has been delivered, this time included.
    pub delivery_count: u32,
    /// The bytes.
    pub payload: Payload,
}

impl TryFrom<Event> for Delivery {
    type Error = Event;

    /// The delivery an [`Event::Delivered`] reports; any other event comes back as the error.
    fn try_from(event: Event) -> Result<Self, Event> {
        match event {
            Event::Delivered {
                message,
                queue,
                consumer,
                delivery,
                redelivered,
                delivery_count,
                payload,
            } => Ok(Delivery {
                message,
                queue,
                consumer,
                delivery,
                redelivered,
                delivery_count,
                payload,
            }),
            other => Err(other),
        }
    }
}

impl From<Delivery> for Event {
    #[inline]
    fn from(d: Delivery) -> Self {
        Event::Delivered {
            message: d.message,
            queue: d.queue,
            consumer: d.consumer,
            delivery: d.delivery,
            redelivered: d.redelivered,
            delivery_count: d.delivery_count,
            payload: d.payload,
        }
    }
}

// Every kind must fit in an `EventFilter`'s bits.
const _: () = assert!((EventKind::EventsLost as u8) < 64);
