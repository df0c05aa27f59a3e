//! The trace of a run: every event in order, with its time, and a stable 64-bit hash of it.
//!
//! The hash is FNV-1a (64-bit offset basis and prime) applied to 64-bit little-endian words
//! rather than single bytes. Each event is encoded as words: its time in milliseconds, a tag
//! (the [`EventKind`](crate::EventKind) number for broker events, `200 +` a number for
//! simulation notes), then every field as a `u64` (ids, offsets, counts, booleans as 0/1,
//! enum reasons as small numbers, `None` as a distinct marker) and byte strings as their
//! length followed by their bytes packed eight to a word. Nothing depends on `usize`,
//! pointers or floats, so the hash is the same natively and in WebAssembly.

use crate::event::{DeadLetterReason, DropReason, Event, RequeueReason};
use crate::group::LeaveReason;
use crate::ids::{Offset, Target};
use crate::storage::StorageError;
use crate::stream::{OffsetReset, RetentionReason, StreamPartition};

use super::simulation::{SimEvent, SimEventKind, SimNote};

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a over 64-bit words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceHasher {
    h: u64,
}

impl Default for TraceHasher {
    fn default() -> Self {
        TraceHasher { h: FNV_OFFSET }
    }
}

impl TraceHasher {
    /// A hasher at the FNV offset basis.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Mixes one word.
    #[inline]
    pub fn word(&mut self, w: u64) {
        self.h = (self.h ^ w).wrapping_mul(FNV_PRIME);
    }

    /// Mixes a byte string: its length, then its bytes eight to a word (little-endian, the
    /// last word zero-padded).
    pub fn bytes(&mut self, b: &[u8]) {
        self.word(b.len() as u64);
        let mut chunks = b.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.word(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.word(u64::from_le_bytes(w));
        }
    }

    /// The hash so far.
    #[must_use]
    pub fn finish(&self) -> u64 {
        self.h
    }

    fn opt(&mut self, v: Option<u64>) {
        match v {
            Some(v) => {
                self.word(1);
                self.word(v);
            }
            None => self.word(0),
        }
    }

    fn part(&mut self, p: StreamPartition) {
        self.word(p.stream.0.into());
        self.word(p.partition.0.into());
    }

    fn target(&mut self, t: Target) {
        match t {
            Target::Queue(q) => {
                self.word(0);
                self.word(q.0.into());
            }
            Target::Subscription(s) => {
                self.word(1);
                self.word(s.0.into());
            }
        }
    }

    /// Mixes one simulation event.
    pub fn event(&mut self, e: &SimEvent) {
        self.word(e.at.as_millis());
        match &e.kind {
            SimEventKind::Broker(ev) => self.broker_event(ev),
            SimEventKind::Sim(note) => self.note(note),
        }
    }

    fn note(&mut self, n: &SimNote) {
        match n {
            SimNote::ConsumerCrashed { consumer } => {
                self.word(200);
                self.word(consumer.0.into());
            }
            SimNote::ConsumerRestarted { consumer } => {
                self.word(201);
                self.word(consumer.0.into());
            }
            SimNote::ConsumerAdded { consumer } => {
                self.word(202);
                self.word(consumer.0.into());
            }
            SimNote::ConsumerRemoved { consumer } => {
                self.word(203);
                self.word(consumer.0.into());
            }
            SimNote::RateChanged {
                producer,
                rate_per_sec,
            } => {
                self.word(204);
                self.word(producer.0.into());
                self.word((*rate_per_sec).into());
            }
            SimNote::PublishFailed { producer, error } => {
                self.word(205);
                self.opt(producer.map(|p| p.0.into()));
                self.bytes(error.as_bytes());
            }
            SimNote::ConsumerFailed { consumer, error } => {
                self.word(206);
                self.word(consumer.0.into());
                self.bytes(error.as_bytes());
            }
            SimNote::StreamCommitted {
                consumer,
                partition,
                offset,
            } => {
                self.word(207);
                self.word(consumer.0.into());
                self.part(*partition);
                self.word(offset.0);
            }
            SimNote::ActionFailed { error } => {
                self.word(208);
                self.bytes(error.as_bytes());
            }
        }
    }

    fn broker_event(&mut self, e: &Event) {
        self.word(u64::from(e.kind() as u8));
        match e {
            Event::ExchangeDeclared { exchange, kind } => {
                self.word(exchange.0.into());
                self.word(*kind as u64);
            }
            Event::ExchangeDeleted { exchange } => self.word(exchange.0.into()),
            Event::QueueDeclared { queue } | Event::QueueDeleted { queue } => {
                self.word(queue.0.into());
            }
            Event::QueuePurged { queue, count } => {
                self.word(queue.0.into());
                self.word(*count);
            }
            Event::Bound {
                binding,
                exchange,
                target,
            }
            | Event::Unbound {
                binding,
                exchange,
                target,
            } => {
                self.word(binding.0.into());
                self.word(exchange.0.into());
                self.target(*target);
            }
            Event::ConsumerAdded { consumer, queue }
            | Event::ConsumerCancelled { consumer, queue }
            | Event::ConsumerCrashed { consumer, queue }
            | Event::ConsumerRestarted { consumer, queue } => {
                self.word(consumer.0.into());
                self.word(queue.0.into());
            }
            Event::Subscribed { subscription } | Event::Unsubscribed { subscription } => {
                self.word(subscription.0.into());
            }
            Event::Published { message, exchange } | Event::Unroutable { message, exchange } => {
                self.word(message.0);
                self.word(exchange.0.into());
            }
            Event::Routed {
                message,
                exchange,
                binding,
                target,
            } => {
                self.word(message.0);
                self.word(exchange.0.into());
                self.opt(binding.map(|b| b.0.into()));
                self.target(*target);
            }
            Event::Enqueued {
                message,
                queue,
                offset,
            } => {
                self.word(message.0);
                self.word(queue.0.into());
                self.word(offset.0);
            }
            Event::Rejected { message, queue } | Event::Expired { message, queue } => {
                self.word(message.0);
                self.word(queue.0.into());
            }
            Event::Delivered {
                message,
                queue,
                consumer,
                delivery,
                redelivered,
                delivery_count,
                payload,
            } => {
                self.word(message.0);
                self.word(queue.0.into());
                self.word(consumer.0.into());
                self.word(delivery.0);
                self.word(u64::from(*redelivered));
                self.word((*delivery_count).into());
                self.bytes(payload);
            }
            Event::Acked {
                message,
                queue,
                consumer,
                delivery,
            } => {
                self.word(message.0);
                self.word(queue.0.into());
                self.word(consumer.0.into());
                self.word(delivery.0);
            }
            Event::Nacked {
                message,
                queue,
                consumer,
                delivery,
                requeue,
            } => {
                self.word(message.0);
                self.word(queue.0.into());
                self.word(consumer.0.into());
                self.word(delivery.0);
                self.word(u64::from(*requeue));
            }
            Event::Requeued {
                message,
                queue,
                consumer,
                delivery,
                reason,
            } => {
                self.word(message.0);
                self.word(queue.0.into());
                self.word(consumer.0.into());
                self.word(delivery.0);
                self.word(requeue_reason(*reason));
            }
            Event::DeadLettered {
                message,
                queue,
                dead_letter_queue,
                reason,
            } => {
                self.word(message.0);
                self.word(queue.0.into());
                self.word(dead_letter_queue.0.into());
                self.word(dead_letter_reason(*reason));
            }
            Event::Dropped {
                message,
                queue,
                reason,
            } => {
                self.word(message.0);
                self.word(queue.0.into());
                self.word(match reason {
                    DropReason::DeadLetter(r) => 16 + dead_letter_reason(*r),
                    DropReason::Purged => 1,
                    DropReason::QueueDeleted => 2,
                });
            }
            Event::Buffered {
                message,
                subscription,
            }
            | Event::Received {
                message,
                subscription,
            } => {
                self.word(message.0);
                self.word(subscription.0.into());
            }
            Event::Lagged {
                message,
                subscription,
                missed,
            } => {
                self.word(message.0);
                self.word(subscription.0.into());
                self.word(*missed);
            }
            Event::StorageFailed { queue, error } => {
                self.word(queue.0.into());
                self.word(match error {
                    StorageError::UnknownLog(_) => 1,
                    StorageError::LogExists(_) => 2,
                    StorageError::OutOfRange { .. } => 3,
                    StorageError::Full => 4,
                    StorageError::Corrupt { .. } => 5,
                    _ => 0,
                });
            }
            Event::EventsLost { count } => self.word(*count),
            Event::StreamDeclared { stream, partitions }
            | Event::PartitionsAdded { stream, partitions } => {
                self.word(stream.0.into());
                self.word((*partitions).into());
            }
            Event::Appended {
                message,
                partition,
                offset,
            } => {
                self.word(message.0);
                self.part(*partition);
                self.word(offset.0);
            }
            Event::RetentionApplied {
                partition,
                start,
                dropped,
                reason,
            } => {
                self.part(*partition);
                self.word(start.0);
                self.word(*dropped);
                self.word(match reason {
                    RetentionReason::Records => 1,
                    RetentionReason::Bytes => 2,
                    RetentionReason::Age => 3,
                });
            }
            Event::StreamConsumerCreated { consumer, stream } => {
                self.word(consumer.0.into());
                self.word(stream.0.into());
            }
            Event::StreamConsumerClosed { consumer } => self.word(consumer.0.into()),
            Event::Polled {
                consumer,
                partition,
                first,
                count,
                redelivered,
            } => {
                self.word(consumer.0.into());
                self.part(*partition);
                self.word(first.0);
                self.word(*count);
                self.word(*redelivered);
            }
            Event::Seeked {
                consumer,
                partition,
                offset,
            } => {
                self.word(consumer.0.into());
                self.part(*partition);
                self.word(offset.0);
            }
            Event::OffsetReset {
                consumer,
                partition,
                from,
                to,
                policy,
            } => {
                self.word(consumer.0.into());
                self.part(*partition);
                self.opt(from.map(|o: Offset| o.0));
                self.word(to.0);
                self.word(match policy {
                    OffsetReset::Earliest => 1,
                    OffsetReset::Latest => 2,
                    OffsetReset::None => 3,
                });
            }
            Event::GroupCreated { group } => self.word(group.0.into()),
            Event::MemberJoined { group, member } => {
                self.word(group.0.into());
                self.word(member.0.into());
            }
            Event::MemberLeft {
                group,
                member,
                reason,
            } => {
                self.word(group.0.into());
                self.word(member.0.into());
                self.word(match reason {
                    LeaveReason::Left => 1,
                    LeaveReason::SessionTimeout => 2,
                });
            }
            Event::PartitionsRevoked {
                group,
                generation,
                member,
                partitions,
            } => {
                self.word(group.0.into());
                self.word((*generation).into());
                self.word(member.0.into());
                self.word(partitions.len() as u64);
                for p in partitions {
                    self.part(*p);
                }
            }
            Event::Rebalanced {
                group,
                generation,
                assignment,
            } => {
                self.word(group.0.into());
                self.word((*generation).into());
                self.word(assignment.len() as u64);
                for a in assignment {
                    self.word(a.member.0.into());
                    self.word(a.partitions.len() as u64);
                    for p in &a.partitions {
                        self.part(*p);
                    }
                }
            }
            Event::Committed {
                group,
                member,
                partition,
                offset,
                previous,
            } => {
                self.word(group.0.into());
                self.word(member.0.into());
                self.part(*partition);
                self.word(offset.0);
                self.opt(previous.map(|o| o.0));
            }
        }
    }
}

fn requeue_reason(r: RequeueReason) -> u64 {
    match r {
        RequeueReason::Nacked => 1,
        RequeueReason::ConsumerCancelled => 2,
        RequeueReason::ConsumerCrashed => 3,
        RequeueReason::VisibilityTimeout => 4,
    }
}

fn dead_letter_reason(r: DeadLetterReason) -> u64 {
    match r {
        DeadLetterReason::Rejected => 1,
        DeadLetterReason::Expired => 2,
        DeadLetterReason::MaxLength => 3,
        DeadLetterReason::DeliveryLimit => 4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_words_are_stable() {
        let mut h = TraceHasher::new();
        assert_eq!(h.finish(), FNV_OFFSET);
        h.word(0);
        assert_eq!(h.finish(), FNV_OFFSET.wrapping_mul(FNV_PRIME));
        let mut a = TraceHasher::new();
        a.bytes(b"abc");
        let mut b = TraceHasher::new();
        b.bytes(b"abc\0");
        assert_ne!(a.finish(), b.finish(), "the length is part of the encoding");
    }
}
