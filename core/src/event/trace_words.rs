//! How an event's fields become words of the simulation's trace encoding
//! ([`sim::trace`](crate::sim::trace)): [`TraceWords`], implemented for every type an event
//! field has. The event table encodes a variant as its kind number, then its fields in
//! declaration order through this trait. Every number here is part of the pinned trace hashes
//! (`core/scenarios/trace-hashes.txt`): never change one, give a new variant a new number.
//!
//! The trait lives here, below the simulation, because the simulation depends on the events
//! and not the other way round.

use super::{DeadLetterReason, DropReason, RequeueReason};
use crate::exchange::ExchangeKind;
use crate::group::{GroupState, LeaveReason, MemberAssignment};
use crate::ids::{
    BindingId, ConsumerId, DeliveryTag, ExchangeId, GroupId, MessageId, Offset, QueueId,
    ShareGroupId, ShareMemberId, StreamConsumerId, StreamId, SubscriptionId, Target,
};
use crate::message::Payload;
use crate::share::{AcknowledgeType, ArchiveReason, ReleaseReason};
use crate::storage::StorageError;
use crate::stream::{OffsetReset, RetentionReason, StreamPartition};
use crate::time::Instant;
use alloc::string::String;
use alloc::vec::Vec;

/// What takes the words of the encoding: the trace hasher.
pub(crate) trait WordSink {
    /// Takes one word.
    fn word(&mut self, w: u64);
}

/// A value's words in the trace encoding.
pub(crate) trait TraceWords {
    /// Writes this value's words to `out`.
    fn trace_words<W: WordSink + ?Sized>(&self, out: &mut W);
}

/// Ids, counts and offsets: their number as one word.
macro_rules! number_words {
    ($($t:ty => |$v:ident| $word:expr;)*) => {$(
        impl TraceWords for $t {
            #[inline]
            fn trace_words<W: WordSink + ?Sized>(&self, out: &mut W) {
                let $v = self;
                out.word($word);
            }
        }
    )*};
}

number_words! {
    u32 => |v| u64::from(*v);
    u64 => |v| *v;
    bool => |v| u64::from(*v);
    QueueId => |v| v.0.into();
    ExchangeId => |v| v.0.into();
    BindingId => |v| v.0.into();
    ConsumerId => |v| v.0.into();
    SubscriptionId => |v| v.0.into();
    MessageId => |v| v.0;
    DeliveryTag => |v| v.0;
    Offset => |v| v.0;
    StreamId => |v| v.0.into();
    StreamConsumerId => |v| v.0.into();
    GroupId => |v| v.0.into();
    ShareGroupId => |v| v.0.into();
    ShareMemberId => |v| v.0.into();
    Instant => |v| v.as_millis();
    AcknowledgeType => |v| match v {
        AcknowledgeType::Accept => 1,
        AcknowledgeType::Release => 2,
        AcknowledgeType::Reject => 3,
    };
    ReleaseReason => |v| match v {
        ReleaseReason::Left => 1,
        ReleaseReason::Crashed => 2,
    };
    ArchiveReason => |v| match v {
        ArchiveReason::DeliveryLimit => 1,
        ArchiveReason::Gone => 2,
    };
    ExchangeKind => |v| *v as u64;
    RequeueReason => |v| match v {
        RequeueReason::Nacked => 1,
        RequeueReason::ConsumerCancelled => 2,
        RequeueReason::ConsumerCrashed => 3,
        RequeueReason::VisibilityTimeout => 4,
    };
    DeadLetterReason => |v| dead_letter_code(*v);
    DropReason => |v| match v {
        DropReason::DeadLetter(r) => 16 + dead_letter_code(*r),
        DropReason::Purged => 1,
        DropReason::QueueDeleted => 2,
    };
    StorageError => |v| match v {
        StorageError::UnknownLog(_) => 1,
        StorageError::LogExists(_) => 2,
        StorageError::OutOfRange { .. } => 3,
        StorageError::Full => 4,
        StorageError::Corrupt { .. } => 5,
        StorageError::Removed { .. } => 6,
        StorageError::Unsupported => 7,
        _ => 0,
    };
    RetentionReason => |v| match v {
        RetentionReason::Records => 1,
        RetentionReason::Bytes => 2,
        RetentionReason::Age => 3,
    };
    OffsetReset => |v| match v {
        OffsetReset::Earliest => 1,
        OffsetReset::Latest => 2,
        OffsetReset::None => 3,
    };
    LeaveReason => |v| match v {
        LeaveReason::Left => 1,
        LeaveReason::SessionTimeout => 2,
        LeaveReason::Fenced => 3,
        LeaveReason::RebalanceTimeout => 4,
    };
    GroupState => |v| match v {
        GroupState::Empty => 1,
        GroupState::PreparingRebalance => 2,
        GroupState::CompletingRebalance => 3,
        GroupState::Stable => 4,
        GroupState::Assigning => 5,
        GroupState::Reconciling => 6,
        GroupState::Dead => 7,
    };
}

fn dead_letter_code(r: DeadLetterReason) -> u64 {
    match r {
        DeadLetterReason::Rejected => 1,
        DeadLetterReason::Expired => 2,
        DeadLetterReason::MaxLength => 3,
        DeadLetterReason::DeliveryLimit => 4,
    }
}

/// `0` for `None`; `1` then the value for `Some`.
impl<T: TraceWords> TraceWords for Option<T> {
    fn trace_words<W: WordSink + ?Sized>(&self, out: &mut W) {
        match self {
            Some(v) => {
                out.word(1);
                v.trace_words(out);
            }
            None => out.word(0),
        }
    }
}

/// The length, then each element.
impl<T: TraceWords> TraceWords for Vec<T> {
    fn trace_words<W: WordSink + ?Sized>(&self, out: &mut W) {
        out.word(self.len() as u64);
        for v in self {
            v.trace_words(out);
        }
    }
}

/// A byte string: its length, then its bytes eight to a word (little-endian, the last word
/// zero-padded).
impl TraceWords for [u8] {
    fn trace_words<W: WordSink + ?Sized>(&self, out: &mut W) {
        out.word(self.len() as u64);
        let mut chunks = self.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            out.word(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            out.word(u64::from_le_bytes(w));
        }
    }
}

/// Its bytes.
impl TraceWords for Payload {
    #[inline]
    fn trace_words<W: WordSink + ?Sized>(&self, out: &mut W) {
        (**self).trace_words(out);
    }
}

/// Its UTF-8 bytes.
impl TraceWords for String {
    #[inline]
    fn trace_words<W: WordSink + ?Sized>(&self, out: &mut W) {
        self.as_bytes().trace_words(out);
    }
}

/// `0` then the queue, or `1` then the subscription.
impl TraceWords for Target {
    fn trace_words<W: WordSink + ?Sized>(&self, out: &mut W) {
        match self {
            Target::Queue(q) => {
                out.word(0);
                q.trace_words(out);
            }
            Target::Subscription(s) => {
                out.word(1);
                s.trace_words(out);
            }
        }
    }
}

/// The stream, then the partition number.
impl TraceWords for StreamPartition {
    fn trace_words<W: WordSink + ?Sized>(&self, out: &mut W) {
        self.stream.trace_words(out);
        out.word(self.partition.0.into());
    }
}

/// The member, then its partitions.
impl TraceWords for MemberAssignment {
    fn trace_words<W: WordSink + ?Sized>(&self, out: &mut W) {
        self.member.trace_words(out);
        self.partitions.trace_words(out);
    }
}
