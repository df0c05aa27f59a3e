//! Acknowledgements and their opposites: ack, nack, requeue, dead-lettering a delivery,
//! releasing a consumer's deliveries, timeouts, purge.

use alloc::sync::Arc;

use crate::event::{DeadLetterReason, DropReason, Event, EventKind, RequeueReason};
use crate::ids::{ConsumerId, DeliveryTag, Offset};
use crate::message::MessageMeta;
use crate::outbox::Out;
use crate::storage::{Record, Storage};
use crate::time::Instant;

use super::*;

impl Queue {
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
    pub(super) fn ack_deferred(
        &mut self,
        out: &mut Out,
        consumer: ConsumerId,
        f: InFlight,
    ) -> bool {
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

    pub(super) fn dead_letter_delivery<S: Storage>(
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
    pub(super) fn requeue<S: Storage>(
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
        // A requeue counts towards `max_length` too: `drop-head` trims the oldest, as
        // RabbitMQ's `requeue_and_run` does (`maybe_drop_head`).
        if self.over_max_length() {
            self.trim_to_max_length(storage, out);
        }
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
        #[cfg(feature = "planted-bug")]
        let last = held.len().wrapping_sub(1);
        #[cfg_attr(not(feature = "planted-bug"), allow(unused_variables))]
        for (i, f) in held.into_iter().enumerate() {
            #[cfg(feature = "planted-bug")]
            if i == last && reason == RequeueReason::ConsumerCrashed && crate::planted::on() {
                continue;
            }
            self.requeue(storage, out, id, f, reason);
        }
    }

    /// Requeues deliveries past their visibility timeout and expires the oldest ready
    /// messages whose TTL passed; a `drop-head` queue over its length limit (after a
    /// restart) trims its oldest, as RabbitMQ applies `max-length` when a queue starts.
    pub(crate) fn handle_timeout<S: Storage>(
        &mut self,
        storage: &mut S,
        out: &mut Out,
        now: Instant,
    ) {
        if self.over_max_length() {
            self.trim_to_max_length(storage, out);
        }
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

    pub(super) fn expire_head<S: Storage>(&mut self, storage: &mut S, out: &mut Out, now: Instant) {
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

    pub(super) fn any_meta_ttl<S: Storage>(&self, storage: &S) -> bool {
        self.oldest_ready().is_some_and(|(o, _)| {
            storage
                .read(self.log, Offset(o))
                .is_ok_and(|r| r.meta.is_some_and(|m| m.ttl.is_some()))
        })
    }

    /// The earliest time this queue needs `handle_timeout`.
    pub(crate) fn next_deadline<S: Storage>(&self, storage: &S) -> Option<Instant> {
        if self.over_max_length() {
            return Some(Instant::ZERO);
        }
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
