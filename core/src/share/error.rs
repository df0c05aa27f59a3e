//! Typed errors of the share-partition operations: [`AcquireError`] and
//! [`AcknowledgeError`].

use core::fmt;

use crate::common_error::error_boilerplate;
use crate::ids::{Offset, ShareMemberId};

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

