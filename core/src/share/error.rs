//! Typed errors of the share-partition operations ([`AcquireError`], [`AcknowledgeError`])
//! and of the broker's share-group calls, one small enum per operation, each convertible
//! into the umbrella [`Error`](crate::Error).

use core::fmt;

use crate::common_error::{LimitError, NameError, error_boilerplate};
use crate::ids::{Offset, ShareGroupId, ShareMemberId};
use crate::storage::StorageError;
use crate::stream::StreamPartition;

/// Errors of [`SharePartition::acquire`](crate::share::SharePartition::acquire). On error
/// nothing changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AcquireError {
    /// Nothing could be acquired because the partition already has `limit` records in
    /// flight (Kafka's `group.share.partition.max.record.locks`) and none of them is
    /// available, while the log holds more: the fetch must wait for acknowledgements or
    /// expired locks.
    RecordLocksFull {
        /// The limit.
        limit: u32,
    },
}

impl fmt::Display for AcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::RecordLocksFull { limit } => {
                write!(
                    f,
                    "{limit} records in flight, the partition's record-lock limit"
                )
            }
        }
    }
}
error_boilerplate!(AcquireError {});

/// Errors of [`SharePartition::acknowledge`](crate::share::SharePartition::acknowledge)
/// (Kafka's `INVALID_RECORD_STATE` and `INVALID_REQUEST` cases). An acknowledgement of a
/// range is all or nothing: on error nothing changes (as Kafka rolls back,
/// `SharePartitionTest.testAcknowledgeWithAnotherMemberRollbackBatchError`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AcknowledgeError {
    /// The offset is not in flight: below the start offset (settled long ago) or at or past
    /// the end offset (never fetched).
    UnknownOffset(Offset),
    /// The record is in flight but not acquired (available, acknowledged or archived), for
    /// instance because its lock expired.
    NotAcquired(Offset),
    /// Another member holds the record.
    NotHolder {
        /// The record.
        offset: Offset,
        /// Its holder.
        holder: ShareMemberId,
    },
    /// The range is empty or reversed.
    EmptyRange,
}

impl fmt::Display for AcknowledgeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownOffset(o) => write!(f, "offset {o} is not in flight"),
            Self::NotAcquired(o) => write!(f, "the record at {o} is not acquired"),
            Self::NotHolder { offset, holder } => {
                write!(f, "the record at {offset} is held by {holder}")
            }
            Self::EmptyRange => f.write_str("empty offset range"),
        }
    }
}
error_boilerplate!(AcknowledgeError {});

/// Errors of [`Broker::create_share_group`](crate::Broker::create_share_group). On error
/// nothing changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CreateShareGroupError {
    /// The group name is not valid.
    InvalidName(NameError),
    /// A share group has this name already.
    AlreadyExists(ShareGroupId),
    /// No stream was given.
    NoStreams,
    /// A stream does not exist.
    UnknownStream,
    /// A setting is out of range (see
    /// [`ShareGroupConfig::validate`](crate::ShareGroupConfig::validate)), or
    /// `max_record_locks` is above [`Limits::max_share_record_locks`](crate::Limits).
    InvalidConfig(&'static str),
    /// Too many share groups, or the id counter ran out.
    Limit(LimitError),
}

impl fmt::Display for CreateShareGroupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidName(e) => write!(f, "invalid share group name: {e}"),
            Self::AlreadyExists(id) => write!(f, "share group exists already as {id}"),
            Self::NoStreams => f.write_str("a share group must read at least one stream"),
            Self::UnknownStream => f.write_str("unknown stream"),
            Self::InvalidConfig(why) => write!(f, "invalid share group config: {why}"),
            Self::Limit(e) => e.fmt(f),
        }
    }
}
error_boilerplate!(CreateShareGroupError { NameError => InvalidName, LimitError => Limit });

/// Errors of [`Broker::join_share_group`](crate::Broker::join_share_group). On error nothing
/// changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum JoinShareGroupError {
    /// The member id is not valid.
    InvalidName(NameError),
    /// No share group has this name.
    UnknownGroup,
    /// A member with this id is in the group already.
    DuplicateMember(ShareMemberId),
    /// Too many members in the group, or the id counter ran out.
    Limit(LimitError),
}

impl fmt::Display for JoinShareGroupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidName(e) => write!(f, "invalid member id: {e}"),
            Self::UnknownGroup => f.write_str("unknown share group"),
            Self::DuplicateMember(id) => write!(f, "member id already in the group as {id}"),
            Self::Limit(e) => e.fmt(f),
        }
    }
}
error_boilerplate!(JoinShareGroupError { NameError => InvalidName, LimitError => Limit });

/// Errors of [`Broker::share_fetch`](crate::Broker::share_fetch),
/// [`Broker::leave_share_group`](crate::Broker::leave_share_group) and
/// [`Broker::crash_share_member`](crate::Broker::crash_share_member).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ShareMemberError {
    /// No such member (never joined, or left or crashed).
    UnknownMember,
    /// Storage failed to read an acquired record; the records acquired and not returned
    /// stay locked until their locks expire.
    Storage(StorageError),
}

impl fmt::Display for ShareMemberError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownMember => f.write_str("unknown share group member"),
            Self::Storage(e) => write!(f, "storage: {e}"),
        }
    }
}
error_boilerplate!(ShareMemberError { StorageError => Storage });

/// Errors of [`Broker::share_acknowledge`](crate::Broker::share_acknowledge). On error
/// nothing changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ShareAcknowledgeError {
    /// No such member (never joined, or left or crashed).
    UnknownMember,
    /// The partition is not one the member's group reads.
    NotAssigned(StreamPartition),
    /// The records cannot be acknowledged by this member (see [`AcknowledgeError`]).
    Record(AcknowledgeError),
}

impl fmt::Display for ShareAcknowledgeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownMember => f.write_str("unknown share group member"),
            Self::NotAssigned(p) => write!(f, "the share group does not read {p}"),
            Self::Record(e) => e.fmt(f),
        }
    }
}
error_boilerplate!(ShareAcknowledgeError { AcknowledgeError => Record });
