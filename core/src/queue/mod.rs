//! Queues (pattern A): a log in [`Storage`] plus acknowledgement state.
//!
//! A queue's messages are records in its storage log. The broker keeps three cursors over it:
//! `head` (everything before it is settled and dropped from storage), `cursor` (everything from
//! it to `end` is ready and was never delivered) and `end`. Between `head` and `cursor` each
//! offset is exactly one of: in flight at one consumer, requeued (ready again, with its
//! delivery count), or settled out of order (waiting for `head` to pass it). A plain ready
//! message therefore costs only its storage record.
//!
//! Semantics follow RabbitMQ classic queues and SQS (SEMANTICS.md, "Queues"): round-robin
//! dispatch among consumers with free prefetch capacity, requeue near the head, visibility
//! timeout, `max_deliveries`, `max_length` with `drop-head` or `reject-publish`, and queue and
//! per-message TTL where the lower wins and an expired message is never delivered.
//!
//! This file holds the configs, the queue's state and what the broker reads of it (stats,
//! what `broker/durable` saves); `store.rs` the log (append, find, settle, limits, expiry of
//! the oldest), `dispatch.rs` choosing a consumer and delivering, `acks.rs` acks, nacks,
//! requeues, dead-lettering, released consumers, timeouts and purges.

use alloc::collections::{BTreeMap, BTreeSet, VecDeque};
use alloc::string::String;

use crate::ids::{ConsumerId, DeliveryTag, LogId, MessageId, Offset, QueueId};
use crate::storage::StorageError;
use crate::time::{Duration, Instant};

mod acks;
mod dispatch;
mod error;
mod store;

pub(crate) use acks::dead_letter_copy;
pub use error::{
    AckError, ConsumeError, ConsumerError, DeclareQueueError, PublishError, QueueError,
};

/// What a full queue does with a new message (RabbitMQ `x-overflow`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Overflow {
    /// Accept it and drop (or dead-letter) the oldest ready message.
    #[default]
    DropHead,
    /// Refuse it with [`PublishError::Rejected`](crate::PublishError::Rejected).
    RejectPublish,
}

/// How a queue behaves. Build with the `with_*` methods.
///
/// ```
/// use brokerlab::{Duration, Overflow, QueueConfig};
/// let cfg = QueueConfig::default()
///     .with_max_length(100)
///     .with_overflow(Overflow::RejectPublish)
///     .with_message_ttl(Duration::from_secs(60))
///     .with_max_deliveries(3)
///     .with_dead_letter_queue("work.dlq")
///     .with_visibility_timeout(Duration::from_secs(30));
/// assert_eq!(cfg.max_length, Some(100));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default))]
#[non_exhaustive]
pub struct QueueConfig {
    /// Most ready messages (unacked ones do not count); `None` means
    /// [`Limits::max_queue_messages`](crate::Limits::max_queue_messages).
    pub max_length: Option<usize>,
    /// What happens when `max_length` is reached.
    pub overflow: Overflow,
    /// Time-to-live of every message in the queue, counted from its enqueueing.
    pub message_ttl: Option<Duration>,
    /// Deliveries after which an unacked message is dead-lettered instead of requeued.
    pub max_deliveries: Option<u32>,
    /// Name of the queue that receives dead-lettered messages; without one they are dropped.
    pub dead_letter_queue: Option<String>,
    /// Time a delivery may stay unacked before it is requeued (SQS visibility timeout).
    pub visibility_timeout: Option<Duration>,
}

impl QueueConfig {
    /// Sets `max_length`.
    #[must_use]
    pub fn with_max_length(mut self, max_length: usize) -> Self {
        self.max_length = Some(max_length);
        self
    }

    /// Sets the overflow policy.
    #[must_use]
    pub fn with_overflow(mut self, overflow: Overflow) -> Self {
        self.overflow = overflow;
        self
    }

    /// Sets the queue's message TTL.
    #[must_use]
    pub fn with_message_ttl(mut self, ttl: Duration) -> Self {
        self.message_ttl = Some(ttl);
        self
    }

    /// Sets `max_deliveries`.
    #[must_use]
    pub fn with_max_deliveries(mut self, max_deliveries: u32) -> Self {
        self.max_deliveries = Some(max_deliveries);
        self
    }

    /// Sets the dead-letter queue by name.
    #[must_use]
    pub fn with_dead_letter_queue(mut self, queue: impl Into<String>) -> Self {
        self.dead_letter_queue = Some(queue.into());
        self
    }

    /// Sets the visibility timeout.
    #[must_use]
    pub fn with_visibility_timeout(mut self, timeout: Duration) -> Self {
        self.visibility_timeout = Some(timeout);
        self
    }
}

/// How a consumer takes messages. Build with the `with_*` methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default))]
#[non_exhaustive]
pub struct ConsumerConfig {
    /// Most unacked deliveries at once; `0` means unlimited (capped by
    /// [`Limits::max_prefetch`](crate::Limits::max_prefetch)), `1` gives fair dispatch.
    pub prefetch: u32,
}

impl ConsumerConfig {
    /// Sets the prefetch.
    #[must_use]
    pub fn with_prefetch(mut self, prefetch: u32) -> Self {
        self.prefetch = prefetch;
        self
    }
}

/// Whether a consumer receives deliveries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum ConsumerState {
    /// Running and taking deliveries.
    Active,
    /// Crashed: its deliveries went back to the queue and it gets nothing until restarted.
    Crashed,
}

/// A snapshot of a queue's counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct QueueStats {
    /// Messages waiting for a consumer (what `max_length` counts).
    pub ready: usize,
    /// Messages delivered and not yet settled.
    pub unacked: usize,
    /// Consumers attached, crashed ones included.
    pub consumers: usize,
    /// Offset of the next message to enqueue (messages ever enqueued).
    pub enqueued: u64,
}

/// A snapshot of one consumer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ConsumerInfo {
    /// Its queue.
    pub queue: QueueId,
    /// Its prefetch as configured.
    pub prefetch: u32,
    /// Deliveries it holds unacked.
    pub unacked: usize,
    /// Running or crashed.
    pub state: ConsumerState,
}

/// One delivery a consumer holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct InFlight {
    pub(crate) tag: DeliveryTag,
    pub(crate) offset: u64,
    pub(crate) message: MessageId,
    pub(crate) count: u32,
    pub(crate) deadline: Instant,
}

/// A consumer as its queue sees it.
#[derive(Clone, Debug)]
pub(crate) struct QueueConsumer {
    pub(crate) id: ConsumerId,
    pub(crate) prefetch: u32,
    capacity: usize,
    pub(crate) state: ConsumerState,
    pub(crate) in_flight: VecDeque<InFlight>,
}

/// Why `enqueue` refused a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EnqueueError {
    Rejected,
    Full,
    Storage(StorageError),
}

/// A queue's acknowledgement state over its storage log.
#[derive(Clone, Debug)]
pub(crate) struct Queue {
    pub(crate) id: QueueId,
    pub(crate) name: String,
    pub(crate) config: QueueConfig,
    pub(crate) log: LogId,
    /// The dead-letter queue, resolved from `config.dead_letter_queue` while it exists.
    pub(crate) dead_letter_to: Option<QueueId>,
    max_length: usize,
    max_messages: u64,
    head: u64,
    cursor: u64,
    end: u64,
    requeued: BTreeMap<u64, u32>,
    settled: BTreeSet<u64>,
    pub(crate) consumers: alloc::vec::Vec<QueueConsumer>,
    rr: usize,
    /// Deliveries made: with the cursors and the settled count, it changes whenever the saved
    /// acknowledgement state does (see [`AckSignature`]).
    deliveries: u64,
    /// The id of the last message appended (0 before the first).
    last_message: u64,
    /// Whether the log holds strictly ascending message ids (published messages do; a
    /// dead-lettered copy keeps its older id), so a message is found by binary search.
    ascending: bool,
}

/// Changes whenever a queue's saved acknowledgement state (cursor, settled offsets,
/// delivered offsets with their counts) does, so a flush can skip queues left alone:
/// - the cursor is saved as is;
/// - the settled set only grows while `head` stays (it shrinks only as `head` moves on);
/// - a delivered offset is added or its count raised only by a delivery;
/// - one leaves the delivered set only when it is settled (acked, rejected, expired,
///   purged, trimmed: `head` or the settled set moves); a requeue or a cancelled consumer
///   moves it between in flight and requeued, which the saved state does not tell apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AckSignature {
    cursor: u64,
    head: u64,
    settled: usize,
    deliveries: u64,
}

impl Queue {
    pub(crate) fn new(
        id: QueueId,
        name: String,
        config: QueueConfig,
        log: LogId,
        max_messages: usize,
    ) -> Self {
        Queue {
            id,
            name,
            max_length: config.max_length.unwrap_or(max_messages),
            config,
            log,
            dead_letter_to: None,
            max_messages: max_messages as u64,
            head: 0,
            cursor: 0,
            end: 0,
            requeued: BTreeMap::new(),
            settled: BTreeSet::new(),
            consumers: alloc::vec::Vec::new(),
            rr: 0,
            deliveries: 0,
            last_message: 0,
            ascending: true,
        }
    }

    /// See [`AckSignature`].
    pub(crate) fn ack_signature(&self) -> AckSignature {
        AckSignature {
            cursor: self.cursor,
            head: self.head,
            settled: self.settled.len(),
            deliveries: self.deliveries,
        }
    }

    /// Where never-delivered messages start: everything from it to the log end is ready and
    /// was never delivered. Part of what a restart needs (`broker/durable` saves it).
    pub(crate) fn cursor(&self) -> u64 {
        self.cursor
    }

    /// The offsets settled out of order (past `head`), in order.
    pub(crate) fn settled_offsets(&self) -> &BTreeSet<u64> {
        &self.settled
    }

    /// Every delivered, unsettled offset (in flight or requeued) with its delivery count.
    pub(crate) fn delivered(&self) -> BTreeMap<u64, u32> {
        let mut delivered: BTreeMap<u64, u32> = self.requeued.clone();
        for c in &self.consumers {
            for f in &c.in_flight {
                delivered.insert(f.offset, f.count);
            }
        }
        delivered
    }

    /// Rebuilds the acknowledgement state of a queue just made over an existing log
    /// `start..end`, from what a flush saved of [`cursor`](Self::cursor),
    /// [`settled_offsets`](Self::settled_offsets) and [`delivered`](Self::delivered): everything delivered and not settled is ready again, keeping
    /// its delivery count (at least 1, so the next delivery is flagged as a redelivery); offsets
    /// at or past the cursor were never delivered. Returns how many messages are ready again
    /// after a delivery.
    pub(crate) fn restore(
        &mut self,
        start: u64,
        end: u64,
        cursor: u64,
        settled: &BTreeSet<u64>,
        delivered: &BTreeMap<u64, u32>,
    ) -> usize {
        self.head = start;
        self.end = end;
        // Nothing is known of the order of the ids already in the log.
        self.ascending = start == end;
        self.cursor = cursor.clamp(start, end);
        self.settled = settled.range(start..self.cursor).copied().collect();
        self.requeued = (start..self.cursor)
            .filter(|o| !self.settled.contains(o))
            .map(|o| (o, delivered.get(&o).copied().unwrap_or(1).max(1)))
            .collect();
        while self.settled.first() == Some(&self.head) {
            self.settled.pop_first();
            self.head += 1;
        }
        self.requeued.len()
    }

    /// The offset below which everything is settled (the log start once dropped).
    pub(crate) fn head(&self) -> u64 {
        self.head
    }

    pub(crate) fn ready(&self) -> usize {
        (self.end - self.cursor) as usize + self.requeued.len()
    }

    pub(crate) fn stats(&self) -> QueueStats {
        QueueStats {
            ready: self.ready(),
            unacked: self.consumers.iter().map(|c| c.in_flight.len()).sum(),
            consumers: self.consumers.len(),
            enqueued: self.end,
        }
    }

    /// The offsets of ready messages, oldest first: requeued ones, then never delivered ones.
    pub(crate) fn ready_offsets(&self) -> impl Iterator<Item = (Offset, u32)> + '_ {
        self.requeued
            .iter()
            .map(|(&o, &c)| (Offset(o), c))
            .chain((self.cursor..self.end).map(|o| (Offset(o), 0)))
    }

    pub(crate) fn consumer_index(&self, id: ConsumerId) -> Option<usize> {
        self.consumers.iter().position(|c| c.id == id)
    }

    pub(crate) fn add_consumer(&mut self, id: ConsumerId, prefetch: u32, max_prefetch: u32) {
        let capacity = if prefetch == 0 {
            max_prefetch
        } else {
            prefetch
        };
        self.consumers.push(QueueConsumer {
            id,
            prefetch,
            capacity: capacity as usize,
            state: ConsumerState::Active,
            in_flight: VecDeque::new(),
        });
    }
}
