//! Typed errors of the stream operations (pattern D), one small enum per operation, each
//! convertible into the umbrella [`Error`](crate::Error).

use core::fmt;

use crate::common_error::{LimitError, NameError, error_boilerplate};
use crate::ids::{GroupId, Offset, StreamConsumerId, StreamId};
use crate::storage::StorageError;
use crate::stream::{Partition, StreamPartition};

/// Errors of [`Broker::declare_stream`](crate::Broker::declare_stream) and
/// [`Broker::add_partitions`](crate::Broker::add_partitions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeclareStreamError {
    /// The name is not valid.
    InvalidName(NameError),
    /// A stream with this name exists.
    AlreadyExists(StreamId),
    /// No stream with this name or id (adding partitions).
    UnknownStream,
    /// The configuration is inconsistent or beyond the limits; the text says which field.
    InvalidConfig(&'static str),
    /// Too many streams or partitions.
    Limit(LimitError),
    /// The storage could not create a partition's log.
    Storage(StorageError),
}

impl fmt::Display for DeclareStreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidName(e) => write!(f, "invalid stream name: {e}"),
            Self::AlreadyExists(id) => write!(f, "stream already exists as {id}"),
            Self::UnknownStream => f.write_str("unknown stream"),
            Self::InvalidConfig(why) => write!(f, "invalid stream config: {why}"),
            Self::Limit(e) => e.fmt(f),
            Self::Storage(e) => write!(f, "storage: {e}"),
        }
    }
}
error_boilerplate!(DeclareStreamError {
    NameError => InvalidName,
    LimitError => Limit,
    StorageError => Storage,
});

/// Errors of [`Broker::produce`](crate::Broker::produce) and
/// [`Broker::produce_to`](crate::Broker::produce_to). On error nothing is appended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProduceError {
    /// No such stream.
    UnknownStream,
    /// The explicit partition is not below the stream's partition count.
    PartitionOutOfRange {
        /// The partition asked for.
        partition: Partition,
        /// How many partitions the stream has.
        partitions: u32,
    },
    /// The payload is larger than [`Limits::max_payload_bytes`](crate::Limits).
    PayloadTooLarge {
        /// Its size.
        len: usize,
        /// The maximum.
        max: usize,
    },
    /// The key is longer than [`Limits::max_key_len`](crate::Limits).
    KeyTooLarge {
        /// Its size.
        len: usize,
        /// The maximum.
        max: usize,
    },
    /// The partition holds [`Limits::max_partition_records`](crate::Limits), or an id counter
    /// ran out.
    Limit(LimitError),
    /// Storage refused the append.
    Storage(StorageError),
    /// More headers than [`Limits::max_headers`](crate::Limits).
    TooManyHeaders {
        /// How many were given.
        count: usize,
        /// The maximum.
        max: usize,
    },
    /// A header name is empty, or a name or value is longer than
    /// [`Limits::max_key_len`](crate::Limits) or holds a control character.
    InvalidHeader(NameError),
    /// A record without a key for a compacted stream (Kafka's `InvalidRecordException`:
    /// "Compacted topic cannot accept message without key").
    KeyRequired,
}

impl fmt::Display for ProduceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownStream => f.write_str("unknown stream"),
            Self::PartitionOutOfRange {
                partition,
                partitions,
            } => write!(
                f,
                "partition {partition} is out of range (the stream has {partitions})"
            ),
            Self::PayloadTooLarge { len, max } => {
                write!(f, "payload of {len} bytes exceeds the maximum of {max}")
            }
            Self::KeyTooLarge { len, max } => {
                write!(f, "key of {len} bytes exceeds the maximum of {max}")
            }
            Self::Limit(e) => e.fmt(f),
            Self::Storage(e) => write!(f, "storage: {e}"),
            Self::TooManyHeaders { count, max } => {
                write!(f, "{count} headers exceed the maximum of {max}")
            }
            Self::InvalidHeader(e) => write!(f, "invalid header: {e}"),
            Self::KeyRequired => {
                f.write_str("a compacted stream cannot take a record without a key")
            }
        }
    }
}
error_boilerplate!(ProduceError { LimitError => Limit, StorageError => Storage, NameError => InvalidHeader });

/// Errors of [`Broker::stream_consumer`](crate::Broker::stream_consumer) and
/// [`Broker::close_stream_consumer`](crate::Broker::close_stream_consumer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StreamConsumerError {
    /// No such stream.
    UnknownStream,
    /// No such consumer.
    UnknownConsumer,
    /// The consumer is a group member; it leaves with
    /// [`Broker::leave_group`](crate::Broker::leave_group).
    GroupMember(GroupId),
    /// The name is not valid.
    InvalidName(NameError),
    /// A standalone stream consumer with this name exists.
    DuplicateName(StreamConsumerId),
    /// Too many stream consumers.
    Limit(LimitError),
}

impl fmt::Display for StreamConsumerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownStream => f.write_str("unknown stream"),
            Self::UnknownConsumer => f.write_str("unknown stream consumer"),
            Self::GroupMember(g) => write!(f, "the consumer is a member of group {g}"),
            Self::InvalidName(e) => write!(f, "invalid consumer name: {e}"),
            Self::DuplicateName(id) => write!(f, "consumer name already used by {id}"),
            Self::Limit(e) => e.fmt(f),
        }
    }
}
error_boilerplate!(StreamConsumerError { NameError => InvalidName, LimitError => Limit });

/// Errors of [`Broker::poll`](crate::Broker::poll). On error nothing is read and no position
/// moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PollError {
    /// No such consumer.
    UnknownConsumer,
    /// The consumer has no position for this partition (no committed offset, never sought)
    /// and its `auto_offset_reset` is `None` (Kafka's `NoOffsetForPartitionException`).
    NoOffset(StreamPartition),
    /// The position is outside the log (below its start after retention) and
    /// `auto_offset_reset` is `None` (Kafka's `OffsetOutOfRangeException`).
    OffsetOutOfRange {
        /// The partition.
        partition: StreamPartition,
        /// The consumer's position.
        offset: Offset,
        /// The log start.
        start: Offset,
        /// The log end.
        end: Offset,
    },
    /// Storage failed to read.
    Storage(StorageError),
}

impl fmt::Display for PollError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownConsumer => f.write_str("unknown stream consumer"),
            Self::NoOffset(p) => write!(f, "no offset for {p} and auto_offset_reset is none"),
            Self::OffsetOutOfRange {
                partition,
                offset,
                start,
                end,
            } => write!(
                f,
                "offset {offset} of {partition} is outside {start}..{end} and auto_offset_reset is none"
            ),
            Self::Storage(e) => write!(f, "storage: {e}"),
        }
    }
}
error_boilerplate!(PollError { StorageError => Storage });

/// Errors of [`Broker::seek`](crate::Broker::seek) and [`Broker::seek_all`](crate::Broker::seek_all).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SeekError {
    /// No such consumer.
    UnknownConsumer,
    /// The consumer is not assigned this partition.
    NotAssigned(StreamPartition),
    /// The offset is beyond the log end (seeking to the end itself is allowed).
    BeyondEnd {
        /// The offset asked for.
        offset: Offset,
        /// The log end.
        end: Offset,
    },
    /// Storage failed to read (seeking by timestamp).
    Storage(StorageError),
}

impl fmt::Display for SeekError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownConsumer => f.write_str("unknown stream consumer"),
            Self::NotAssigned(p) => write!(f, "{p} is not assigned to this consumer"),
            Self::BeyondEnd { offset, end } => {
                write!(f, "offset {offset} is beyond the log end {end}")
            }
            Self::Storage(e) => write!(f, "storage: {e}"),
        }
    }
}
error_boilerplate!(SeekError { StorageError => Storage });
