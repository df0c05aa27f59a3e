//! Queues (pattern A): a log in [`Storage`] plus acknowledgement state.
//!
//! A queue's messages are records in its storage log. The broker keeps three cursors over it:
//! `head` (everything before it is settled and dropped from storage), `cursor` (everything from
//! it to `end` is ready and was never delivered) and `end`. Between `head` and `cursor` each
//! offset is exactly one of: in flight at one consumer, requeued (ready again, with its
//! delivery count), or settled out of order (waiting for `head` to pass it). A plain ready
//! message therefore costs only its storage record.
//!
//! Semantics follow RabbitMQ classic queues and SQS (DESIGN.md, "Queues"): round-robin
//! dispatch among consumers with free prefetch capacity, requeue near the head, visibility
//! timeout, `max_deliveries`, `max_length` with `drop-head` or `reject-publish`, and queue and
//! per-message TTL where the lower wins and an expired message is never delivered.

use alloc::collections::{BTreeMap, BTreeSet, VecDeque};
use alloc::string::String;
use alloc::sync::Arc;

use crate::event::{DeadLetterReason, Delivery, DropReason, Event, EventKind, RequeueReason};
use crate::ids::{ConsumerId, DeliveryTag, LogId, MessageId, Offset, QueueId};
use crate::message::{MessageMeta, Payload};
use crate::outbox::Out;
use crate::storage::{Record, Storage, StorageError};
use crate::time::{Duration, Instant};

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
#[derive(Debug)]
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
#[derive(Debug)]
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

    /// Appends a record; with `drop-head`, then trims the oldest ready messages past
    /// `max_length`. Emits `Enqueued` (or `Rejected`).
    #[inline]
    pub(crate) fn enqueue<S: Storage>(
        &mut self,
        storage: &mut S,
        out: &mut Out,
        record: Record,
    ) -> Result<Offset, EnqueueError> {
        if self.end - self.head >= self.max_messages {
            return Err(EnqueueError::Full);
        }
        let message = record.message;
        if self.config.overflow == Overflow::RejectPublish && self.ready() >= self.max_length {
            out.emit(Event::Rejected {
                message,
                queue: self.id,
            });
            return Err(EnqueueError::Rejected);
        }
        let offset = storage
            .append(self.log, record)
            .map_err(EnqueueError::Storage)?;
        debug_assert_eq!(offset.0, self.end, "storage offsets must be dense");
        self.end = offset.0 + 1;
        self.note_appended(message);
        out.emit(Event::Enqueued {
            message,
            queue: self.id,
            offset,
        });
        if self.ready() > self.max_length {
            self.trim_to_max_length(storage, out);
        }
        Ok(offset)
    }

    #[inline(always)]
    fn note_appended(&mut self, message: MessageId) {
        self.ascending &= message.0 > self.last_message;
        self.last_message = message.0;
    }

    /// The record of `message` if the queue's log still holds it (the same answer as reading
    /// every retained record until one has that id): a binary search while the log's ids
    /// ascend, else (or if a read fails) that scan.
    pub(crate) fn find_record<S: Storage>(
        &self,
        storage: &S,
        message: MessageId,
    ) -> Option<Record> {
        let b = storage.bounds(self.log).ok()?;
        let (start, end) = (b.start.0, b.end.0);
        if self.ascending {
            let (mut lo, mut hi) = (start, end);
            let mut failed = false;
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                let Ok(r) = storage.read(self.log, Offset(mid)) else {
                    failed = true;
                    break;
                };
                match r.message.cmp(&message) {
                    core::cmp::Ordering::Equal => return Some(r),
                    core::cmp::Ordering::Less => lo = mid + 1,
                    core::cmp::Ordering::Greater => hi = mid,
                }
            }
            if !failed {
                return None;
            }
        }
        (start..end)
            .filter_map(|o| storage.read(self.log, Offset(o)).ok())
            .find(|r| r.message == message)
    }

    /// `drop-head`: removes the oldest ready messages past `max_length`.
    #[inline(never)]
    fn trim_to_max_length<S: Storage>(&mut self, storage: &mut S, out: &mut Out) {
        while self.ready() > self.max_length {
            if !self.remove_oldest_ready(storage, out, DeadLetterReason::MaxLength) {
                break;
            }
        }
    }

    fn oldest_ready(&self) -> Option<(u64, u32)> {
        if let Some((&o, &c)) = self.requeued.first_key_value() {
            return Some((o, c));
        }
        (self.cursor < self.end).then_some((self.cursor, 0))
    }

    fn take_ready(&mut self, offset: u64) {
        if self.requeued.remove(&offset).is_none() && offset == self.cursor {
            self.cursor += 1;
        }
    }

    /// Marks an offset between `head` and `cursor` as done and drops the settled prefix.
    fn settle<S: Storage>(&mut self, storage: &mut S, out: &mut Out, offset: u64) {
        if self.mark_settled(offset) {
            self.drop_settled(storage, out);
        }
    }

    /// Marks an offset as done; true if `head` moved (the settled prefix should be dropped).
    #[inline]
    fn mark_settled(&mut self, offset: u64) -> bool {
        if offset != self.head {
            self.settled.insert(offset);
            return false;
        }
        self.head += 1;
        while self.settled.first() == Some(&self.head) {
            self.settled.pop_first();
            self.head += 1;
        }
        true
    }

    /// Drops everything before `head` from storage.
    fn drop_settled<S: Storage>(&mut self, storage: &mut S, out: &mut Out) {
        if let Err(error) = storage.drop_prefix(self.log, Offset(self.head)) {
            out.emit(Event::StorageFailed {
                queue: self.id,
                error,
            });
        }
    }

    fn read<S: Storage>(&self, storage: &S, out: &mut Out, offset: u64) -> Option<Record> {
        match storage.read(self.log, Offset(offset)) {
            Ok(r) => Some(r),
            Err(error) => {
                out.emit(Event::StorageFailed {
                    queue: self.id,
                    error,
                });
                None
            }
        }
    }

    fn expires_at(&self, record: &Record) -> Option<Instant> {
        let own = record.meta.as_ref().and_then(|m| m.ttl);
        let ttl = match (self.config.message_ttl, own) {
            (Some(a), Some(b)) => a.min(b),
            (a, b) => a.or(b)?,
        };
        Some(record.timestamp + ttl)
    }

    /// Removes the oldest ready message for `reason`; false if there was none or storage
    /// failed.
    fn remove_oldest_ready<S: Storage>(
        &mut self,
        storage: &mut S,
        out: &mut Out,
        reason: DeadLetterReason,
    ) -> bool {
        let Some((offset, _)) = self.oldest_ready() else {
            return false;
        };
        let Some(record) = self.read(storage, out, offset) else {
            return false;
        };
        self.take_ready(offset);
        self.settle(storage, out, offset);
        out.dead_letter(self.id, self.dead_letter_to, record, reason);
        true
    }

    /// The next consumer with free capacity, round-robin from `rr`.
    #[inline]
    fn next_consumer(&self) -> Option<usize> {
        let n = self.consumers.len();
        let mut i = if self.rr < n { self.rr } else { 0 };
        for _ in 0..n {
            let c = &self.consumers[i];
            if c.state == ConsumerState::Active && c.in_flight.len() < c.capacity {
                return Some(i);
            }
            i = if i + 1 == n { 0 } else { i + 1 };
        }
        None
    }

    /// Hands ready messages to consumers with free capacity, round-robin.
    #[inline]
    pub(crate) fn dispatch<S: Storage>(&mut self, storage: &mut S, out: &mut Out, now: Instant) {
        if self.cursor < self.end || !self.requeued.is_empty() {
            self.dispatch_ready(storage, out, now);
        }
    }

    /// [`dispatch`](Self::dispatch) when something is ready.
    fn dispatch_ready<S: Storage>(&mut self, storage: &mut S, out: &mut Out, now: Instant) {
        while let Some((offset, count)) = self.oldest_ready() {
            let Some(ci) = self.next_consumer() else {
                return;
            };
            let Some(record) = self.read(storage, out, offset) else {
                return;
            };
            self.take_ready(offset);
            if self.expires_at(&record).is_some_and(|t| now >= t) {
                out.emit(Event::Expired {
                    message: record.message,
                    queue: self.id,
                });
                self.settle(storage, out, offset);
                out.dead_letter(
                    self.id,
                    self.dead_letter_to,
                    record,
                    DeadLetterReason::Expired,
                );
                continue;
            }
            self.deliver_to(out, now, ci, offset, count, record.message, record.payload);
        }
    }

    /// Hands the ready message at `offset` (delivered `count` times before, already taken
    /// out of the ready set) to consumer `ci` and moves the round-robin past it.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn deliver_to(
        &mut self,
        out: &mut Out,
        now: Instant,
        ci: usize,
        offset: u64,
        count: u32,
        message: MessageId,
        payload: Payload,
    ) {
        let delivery = out.next_delivery_tag();
        let count = count.saturating_add(1);
        self.deliveries += 1;
        let deadline = match self.config.visibility_timeout {
            Some(t) => now + t,
            None => Instant::MAX,
        };
        let consumer = &mut self.consumers[ci];
        consumer.in_flight.push_back(InFlight {
            tag: delivery,
            offset,
            message,
            count,
            deadline,
        });
        out.deliver(Delivery {
            message,
            queue: self.id,
            consumer: consumer.id,
            delivery,
            redelivered: count > 1,
            delivery_count: count,
            payload,
        });
        self.rr = if ci + 1 == self.consumers.len() {
            0
        } else {
            ci + 1
        };
    }

    /// [`enqueue`](Self::enqueue) then [`dispatch`](Self::dispatch), with a shortcut for the
    /// common case of a queue with nothing ready, no TTL and a consumer with room: the new
    /// message is then exactly what `dispatch` would hand to that consumer, so it is delivered
    /// without reading the record just appended back from storage. Same state, same events.
    #[inline(always)]
    pub(crate) fn publish<S: Storage>(
        &mut self,
        storage: &mut S,
        out: &mut Out,
        record: Record,
        now: Instant,
    ) -> Result<Offset, EnqueueError> {
        let direct = self.cursor == self.end
            && self.requeued.is_empty()
            && self.max_length >= 1
            && self.config.message_ttl.is_none()
            && record.meta.as_ref().is_none_or(|m| m.ttl.is_none());
        let Some(ci) = direct.then(|| self.next_consumer()).flatten() else {
            let offset = self.enqueue(storage, out, record)?;
            self.dispatch(storage, out, now);
            return Ok(offset);
        };
        // What `enqueue` does when nothing is ready and `max_length >= 1`: the append is
        // neither refused nor trimmed for length, and the new record is the oldest ready one.
        if self.end - self.head >= self.max_messages {
            return Err(EnqueueError::Full);
        }
        let message = record.message;
        let payload = record.payload.clone();
        let offset = storage
            .append(self.log, record)
            .map_err(EnqueueError::Storage)?;
        debug_assert_eq!(offset.0, self.end, "storage offsets must be dense");
        self.end = offset.0 + 1;
        self.note_appended(message);
        out.emit(Event::Enqueued {
            message,
            queue: self.id,
            offset,
        });
        self.cursor = self.end;
        self.deliver_to(out, now, ci, offset.0, 0, message, payload);
        Ok(offset)
    }

    /// Removes the outstanding delivery `tag` of consumer `ci`.
    pub(crate) fn take_in_flight(&mut self, ci: usize, tag: DeliveryTag) -> Option<InFlight> {
        let c = self.consumers.get_mut(ci)?;
        if c.in_flight.front().is_some_and(|f| f.tag == tag) {
            return c.in_flight.pop_front();
        }
        let i = c.in_flight.binary_search_by_key(&tag, |f| f.tag).ok()?;
        c.in_flight.remove(i)
    }

    /// Acks every outstanding delivery of consumer `ci` before `up_to`, then `last` (the
    /// delivery `up_to` itself), in order; the settled prefix is dropped from storage once at
    /// the end. Emits one `Acked` each. Returns how many were acked.
    pub(crate) fn ack_up_to<S: Storage>(
        &mut self,
        storage: &mut S,
        out: &mut Out,
        ci: usize,
        last: InFlight,
    ) -> usize {
        let Some(consumer) = self.consumers.get(ci).map(|c| c.id) else {
            return 0;
        };
        if !out.wants(EventKind::Acked) && self.settled.is_empty() {
            // Without `Acked` events, when the deliveries up to `last` hold exactly the offsets
            // from `head` on, in order, acking them one by one would just move `head` past
            // them: do that at once.
            let head = self.head;
            let held = &mut self.consumers[ci].in_flight;
            let k = held.partition_point(|f| f.tag < last.tag);
            if last.offset == head + k as u64
                && held
                    .iter()
                    .take(k)
                    .zip(head..)
                    .all(|(f, offset)| f.offset == offset)
            {
                held.drain(..k);
                self.head = last.offset + 1;
                self.drop_settled(storage, out);
                return k + 1;
            }
        }
        let mut count = 0;
        let mut moved = false;
        while let Some(f) = self.pop_in_flight_before(ci, last.tag) {
            moved |= self.ack_deferred(out, consumer, f);
            count += 1;
        }
        moved |= self.ack_deferred(out, consumer, last);
        if moved {
            self.drop_settled(storage, out);
        }
        count + 1
    }

    #[inline]
    fn ack_deferred(&mut self, out: &mut Out, consumer: ConsumerId, f: InFlight) -> bool {
        out.emit(Event::Acked {
            message: f.message,
            queue: self.id,
            consumer,
            delivery: f.tag,
        });
        self.mark_settled(f.offset)
    }

    /// Settles an acked delivery. Emits `Acked`.
    pub(crate) fn ack<S: Storage>(
        &mut self,
        storage: &mut S,
        out: &mut Out,
        consumer: ConsumerId,
        f: InFlight,
    ) {
        out.emit(Event::Acked {
            message: f.message,
            queue: self.id,
            consumer,
            delivery: f.tag,
        });
        self.settle(storage, out, f.offset);
    }

    /// Settles a rejected delivery: requeue it, or dead-letter it.
    pub(crate) fn nack<S: Storage>(
        &mut self,
        storage: &mut S,
        out: &mut Out,
        consumer: ConsumerId,
        f: InFlight,
        requeue: bool,
    ) {
        out.emit(Event::Nacked {
            message: f.message,
            queue: self.id,
            consumer,
            delivery: f.tag,
            requeue,
        });
        if requeue {
            self.requeue(storage, out, consumer, f, RequeueReason::Nacked);
        } else {
            self.dead_letter_delivery(storage, out, f, DeadLetterReason::Rejected);
        }
    }

    fn dead_letter_delivery<S: Storage>(
        &mut self,
        storage: &mut S,
        out: &mut Out,
        f: InFlight,
        reason: DeadLetterReason,
    ) {
        match self.read(storage, out, f.offset) {
            Some(record) => {
                self.settle(storage, out, f.offset);
                out.dead_letter(self.id, self.dead_letter_to, record, reason);
            }
            // Unreadable: keep it ready so nothing is lost silently.
            None => {
                self.requeued.insert(f.offset, f.count);
            }
        }
    }

    /// Returns an unacked delivery to the ready set, or dead-letters it past `max_deliveries`.
    fn requeue<S: Storage>(
        &mut self,
        storage: &mut S,
        out: &mut Out,
        consumer: ConsumerId,
        f: InFlight,
        reason: RequeueReason,
    ) {
        if self.config.max_deliveries.is_some_and(|m| f.count >= m) {
            self.dead_letter_delivery(storage, out, f, DeadLetterReason::DeliveryLimit);
            return;
        }
        self.requeued.insert(f.offset, f.count);
        out.emit(Event::Requeued {
            message: f.message,
            queue: self.id,
            consumer,
            delivery: f.tag,
            reason,
        });
    }

    /// Returns every delivery of consumer `ci` to the queue.
    pub(crate) fn release_consumer<S: Storage>(
        &mut self,
        storage: &mut S,
        out: &mut Out,
        ci: usize,
        reason: RequeueReason,
    ) {
        let Some(c) = self.consumers.get_mut(ci) else {
            return;
        };
        let id = c.id;
        let held = core::mem::take(&mut c.in_flight);
        for f in held {
            self.requeue(storage, out, id, f, reason);
        }
    }

    /// Requeues deliveries past their visibility timeout and expires the oldest ready
    /// messages whose TTL passed.
    pub(crate) fn handle_timeout<S: Storage>(
        &mut self,
        storage: &mut S,
        out: &mut Out,
        now: Instant,
    ) {
        for ci in 0..self.consumers.len() {
            loop {
                let c = &mut self.consumers[ci];
                let id = c.id;
                let Some(f) = c.in_flight.front().copied() else {
                    break;
                };
                if f.deadline > now {
                    break;
                }
                c.in_flight.pop_front();
                self.requeue(storage, out, id, f, RequeueReason::VisibilityTimeout);
            }
        }
        self.expire_head(storage, out, now);
    }

    fn expire_head<S: Storage>(&mut self, storage: &mut S, out: &mut Out, now: Instant) {
        if self.config.message_ttl.is_none() && !self.any_meta_ttl(storage) {
            return;
        }
        while let Some((offset, _)) = self.oldest_ready() {
            let Some(record) = self.read(storage, out, offset) else {
                return;
            };
            if self.expires_at(&record).is_none_or(|t| now < t) {
                return;
            }
            self.take_ready(offset);
            out.emit(Event::Expired {
                message: record.message,
                queue: self.id,
            });
            self.settle(storage, out, offset);
            out.dead_letter(
                self.id,
                self.dead_letter_to,
                record,
                DeadLetterReason::Expired,
            );
        }
    }

    fn any_meta_ttl<S: Storage>(&self, storage: &S) -> bool {
        self.oldest_ready().is_some_and(|(o, _)| {
            storage
                .read(self.log, Offset(o))
                .is_ok_and(|r| r.meta.is_some_and(|m| m.ttl.is_some()))
        })
    }

    /// The earliest time this queue needs `handle_timeout`.
    pub(crate) fn next_deadline<S: Storage>(&self, storage: &S) -> Option<Instant> {
        let mut best = self
            .consumers
            .iter()
            .filter_map(|c| c.in_flight.front().map(|f| f.deadline))
            .filter(|&d| d != Instant::MAX)
            .min();
        if let Some((o, _)) = self.oldest_ready()
            && let Ok(r) = storage.read(self.log, Offset(o))
            && let Some(t) = self.expires_at(&r)
        {
            best = Some(best.map_or(t, |b| b.min(t)));
        }
        best
    }

    /// Removes every ready message (unacked ones stay). Emits a `Dropped` per message.
    pub(crate) fn purge<S: Storage>(&mut self, storage: &mut S, out: &mut Out) -> u64 {
        let mut count = 0;
        while let Some((offset, _)) = self.oldest_ready() {
            let message = self.read(storage, out, offset).map(|r| r.message);
            self.take_ready(offset);
            self.settle(storage, out, offset);
            if let Some(message) = message {
                out.emit(Event::Dropped {
                    message,
                    queue: self.id,
                    reason: DropReason::Purged,
                });
            }
            count += 1;
        }
        count
    }

    /// Reports every message still in the queue as dropped, before deletion.
    pub(crate) fn drop_all<S: Storage>(&mut self, storage: &mut S, out: &mut Out) {
        let mut offsets: alloc::vec::Vec<u64> = self
            .consumers
            .iter()
            .flat_map(|c| c.in_flight.iter().map(|f| f.offset))
            .collect();
        offsets.extend(self.ready_offsets().map(|(o, _)| o.0));
        crate::sort::sort(&mut offsets);
        for o in offsets {
            if let Some(r) = self.read(storage, out, o) {
                out.emit(Event::Dropped {
                    message: r.message,
                    queue: self.id,
                    reason: DropReason::QueueDeleted,
                });
            }
        }
    }
}

impl Queue {
    // ----- consumer bookkeeping -----

    pub(crate) fn remove_consumer(&mut self, ci: usize) {
        if ci < self.consumers.len() {
            self.consumers.remove(ci);
            if self.rr > ci {
                self.rr -= 1;
            }
            if self.rr >= self.consumers.len() {
                self.rr = 0;
            }
        }
    }

    #[inline]
    pub(crate) fn pop_in_flight_before(&mut self, ci: usize, tag: DeliveryTag) -> Option<InFlight> {
        let c = self.consumers.get_mut(ci)?;
        if c.in_flight.front()?.tag < tag {
            c.in_flight.pop_front()
        } else {
            None
        }
    }
}

/// A copy of `record` for a dead-letter queue: stamped `now` and without its own TTL (as
/// RabbitMQ does, so it does not expire again at once).
pub(crate) fn dead_letter_copy(record: Record, now: Instant) -> Record {
    let meta = match record.meta {
        Some(m) if m.ttl.is_some() => {
            let stripped = MessageMeta {
                ttl: None,
                ..(*m).clone()
            };
            (stripped != MessageMeta::default()).then(|| Arc::new(stripped))
        }
        other => other,
    };
    Record {
        timestamp: now,
        meta,
        ..record
    }
}
