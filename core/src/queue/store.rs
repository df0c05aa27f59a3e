//! A queue's log: appending, finding records, settling and dropping the settled prefix,
//! length limits and expiry of the oldest ready message.

use crate::event::{DeadLetterReason, Event};
use crate::ids::{MessageId, Offset};
use crate::outbox::Out;
use crate::storage::{Record, Storage};
use crate::time::Instant;

use super::*;

impl Queue {
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
        let offset = self.append(storage, out, record)?;
        if self.ready() > self.max_length {
            self.trim_to_max_length(storage, out);
        }
        Ok(offset)
    }

    /// Appends `record` at the end of the log and reports it `Enqueued`: the one append of
    /// both `enqueue` and the direct-delivery path of `publish`.
    #[inline(always)]
    pub(super) fn append<S: Storage>(
        &mut self,
        storage: &mut S,
        out: &mut Out,
        record: Record,
    ) -> Result<Offset, EnqueueError> {
        let message = record.message;
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
        Ok(offset)
    }

    #[inline(always)]
    pub(super) fn note_appended(&mut self, message: MessageId) {
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

    /// Whether a `drop-head` queue holds more ready messages than `max_length`: for a moment
    /// after a requeue (which then trims), or after a restart brought its unacked deliveries
    /// back as ready (then it is due for [`handle_timeout`](Queue::handle_timeout) at once).
    pub(super) fn over_max_length(&self) -> bool {
        self.config.overflow == Overflow::DropHead && self.ready() > self.max_length
    }

    /// `drop-head`: removes the oldest ready messages past `max_length`.
    #[inline(never)]
    pub(super) fn trim_to_max_length<S: Storage>(&mut self, storage: &mut S, out: &mut Out) {
        while self.ready() > self.max_length {
            if !self.remove_oldest_ready(storage, out, DeadLetterReason::MaxLength) {
                break;
            }
        }
    }

    pub(super) fn oldest_ready(&self) -> Option<(u64, u32)> {
        if let Some((&o, &c)) = self.requeued.first_key_value() {
            return Some((o, c));
        }
        (self.cursor < self.end).then_some((self.cursor, 0))
    }

    pub(super) fn take_ready(&mut self, offset: u64) {
        if self.requeued.remove(&offset).is_none() && offset == self.cursor {
            self.cursor += 1;
        }
    }

    /// Marks an offset between `head` and `cursor` as done and drops the settled prefix.
    pub(super) fn settle<S: Storage>(&mut self, storage: &mut S, out: &mut Out, offset: u64) {
        if self.mark_settled(offset) {
            self.drop_settled(storage, out);
        }
    }

    /// Marks an offset as done; true if `head` moved (the settled prefix should be dropped).
    #[inline]
    pub(super) fn mark_settled(&mut self, offset: u64) -> bool {
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
    pub(super) fn drop_settled<S: Storage>(&mut self, storage: &mut S, out: &mut Out) {
        if let Err(error) = storage.drop_prefix(self.log, Offset(self.head)) {
            out.emit(Event::StorageFailed {
                queue: self.id,
                error,
            });
        }
    }

    pub(super) fn read<S: Storage>(
        &self,
        storage: &S,
        out: &mut Out,
        offset: u64,
    ) -> Option<Record> {
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

    pub(super) fn expires_at(&self, record: &Record) -> Option<Instant> {
        let own = record.meta.as_ref().and_then(|m| m.ttl);
        let ttl = match (self.config.message_ttl, own) {
            (Some(a), Some(b)) => a.min(b),
            (a, b) => a.or(b)?,
        };
        Some(record.timestamp + ttl)
    }

    /// Removes the oldest ready message for `reason`; false if there was none or storage
    /// failed.
    pub(super) fn remove_oldest_ready<S: Storage>(
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
}
