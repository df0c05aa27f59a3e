//! What happened: every state change of the broker is drained as an [`Event`].
//!
//! Events name entities by id. Every event about a message names the message and the
//! entities it concerns, so one message's whole journey (published → routed → enqueued →
//! delivered → acked, or nacked, requeued, expired, dead-lettered, dropped, lagged) can be
//! rebuilt from the events alone. Their `Display` is a compact one-line form used by the
//! transcript tests and the examples.
//!
//! # One table
//!
//! The events are defined once, in `table.rs`: an `event_table!` invocation (`macros.rs`)
//! with one entry per variant, from which come the [`Event`] enum, the [`EventKind`] enum,
//! [`Event::kind`], `Display for Event` and the simulation's trace encoding of an event
//! ([`sim::trace`](crate::sim::trace)). An entry is the variant's doc comment, its name and
//! kind number (the [`EventKind`] discriminant, which the trace writes and an
//! [`EventFilter`] uses as a bit, below 64), its fields with their docs, and its line:
//!
//! ```text
//! /// A queue's ready messages were removed (each is also reported as dropped).
//! QueuePurged = 4 {
//!     /// The queue.
//!     queue: QueueId,
//!     /// How many messages were removed.
//!     count: u64,
//! }
//! display("purged {queue} n={count}");
//! ```
//!
//! `display` takes a format string over the fields, or `|f| { … }`, a block that writes to
//! the formatter `f` (the fields are bound by reference) and returns `fmt::Result`. The trace
//! encodes an event as its kind number, then its fields in declaration order, each through
//! `TraceWords` (`trace_words.rs`): ids, counts and offsets as one word, booleans as 0/1,
//! reasons and policies by fixed codes, `Option` as 0 or 1 and the value, vectors and byte
//! strings with their length first.
//!
//! **Adding an event** is one entry at the end of the table, with the next kind number (plus
//! the code that emits it); a field of a type not seen before also needs a `TraceWords` impl.
//! Never renumber a kind or change an existing encoding: the pinned trace hashes
//! (`core/scenarios/trace-hashes.txt`) and the per-variant samples in
//! `sim/trace/samples.txt` would change.

use core::fmt;

use crate::ids::{ConsumerId, DeliveryTag, MessageId, QueueId};
use crate::message::Payload;
use crate::stream::StreamPartition;

#[macro_use]
mod macros;
mod table;
pub(crate) mod trace_words;

pub use table::{Event, EventKind};
pub(crate) use trace_words::{TraceWords, WordSink};

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
            | Event::Lagged { message, .. }
            | Event::ShareAcquired { message, .. } => Some(*message),
            _ => None,
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
