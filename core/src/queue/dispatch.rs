//! Dispatch: choosing the next consumer with free prefetch and delivering to it; publishing
//! into the queue.

use crate::event::{DeadLetterReason, Delivery, Event};
use crate::ids::{MessageId, Offset};
use crate::message::Payload;
use crate::outbox::Out;
use crate::storage::{Record, Storage};
use crate::time::Instant;

use super::*;

impl Queue {
    /// The next consumer with free capacity, round-robin from `rr`.
    #[inline]
    pub(super) fn next_consumer(&self) -> Option<usize> {
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
    pub(super) fn dispatch_ready<S: Storage>(
        &mut self,
        storage: &mut S,
        out: &mut Out,
        now: Instant,
    ) {
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
    pub(super) fn deliver_to(
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
        let offset = self.append(storage, out, record)?;
        self.cursor = self.end;
        self.deliver_to(out, now, ci, offset.0, 0, message, payload);
        Ok(offset)
    }
}
