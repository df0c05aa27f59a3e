//! Resetting a group's committed offsets from outside the group, as Kafka's
//! `kafka-consumer-groups.sh --reset-offsets` does (`ConsumerGroupCommand.prepareOffsetsToReset`
//! in `apache/kafka`'s tools): to the earliest or latest offset, to an offset, to the first
//! record at or after a time, or shifted by a count, for one partition, one stream or every
//! stream the group has committed offsets for. Offsets out of the log are clamped to its
//! start or end, as `checkOffsetsRange` does. Only a group without members may be reset
//! ("Assignments can only be reset if the group … is inactive"). A plan can be computed
//! without applying it ([`Broker::plan_offset_reset`](crate::Broker::plan_offset_reset), Kafka's
//! `--dry-run`, its default) and applied with
//! [`Broker::reset_offsets`](crate::Broker::reset_offsets) (`--execute`).

use alloc::string::String;
use core::fmt;

use crate::common_error::error_boilerplate;
use crate::ids::{Offset, StreamId};
use crate::storage::StorageError;
use crate::stream::StreamPartition;
use crate::time::Instant;

/// Where a reset moves each offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ResetTarget {
    /// The log start (`--to-earliest`).
    Earliest,
    /// The log end (`--to-latest`).
    Latest,
    /// This offset, clamped to the log (`--to-offset`).
    Offset(u64),
    /// The first record appended at or after this time; the log end when none is
    /// (`--to-datetime`).
    Timestamp(Instant),
    /// The committed offset plus `n` (negative: back), clamped to the log (`--shift-by`);
    /// a partition without a committed offset cannot be shifted.
    ShiftBy(i64),
}

/// Which partitions a reset covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResetScope {
    /// Every partition of every stream the group has committed offsets for (`--all-topics`).
    AllStreams,
    /// Every partition of one stream (`--topic name`).
    Stream(StreamId),
    /// One partition (`--topic name:p`).
    Partition(StreamPartition),
}

/// One partition's line of a reset plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResetPlan {
    /// The partition.
    pub partition: StreamPartition,
    /// The committed offset before the reset.
    pub previous: Option<Offset>,
    /// The offset the reset commits.
    pub offset: Offset,
    /// The lag after the reset: log end − `offset`.
    pub lag: u64,
}

/// Errors of [`Broker::plan_offset_reset`](crate::Broker::plan_offset_reset) and
/// [`Broker::reset_offsets`](crate::Broker::reset_offsets). On error nothing changes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResetOffsetsError {
    /// No group has this name.
    UnknownGroup,
    /// The scope names a stream or partition that does not exist.
    UnknownPartition,
    /// The group has members: Kafka resets only an empty (inactive) group.
    GroupNotEmpty {
        /// The group's name.
        group: String,
        /// How many members it has.
        members: usize,
        /// The state it is in.
        state: super::GroupState,
    },
    /// `ShiftBy` on a partition the group has no committed offset for.
    NoCommittedOffset(StreamPartition),
    /// Reading record times or storing the new offsets failed.
    Storage(StorageError),
}

impl fmt::Display for ResetOffsetsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownGroup => f.write_str("unknown group"),
            Self::UnknownPartition => f.write_str("unknown stream or partition"),
            // Kafka's own words (ConsumerGroupCommand.resetOffsets).
            Self::GroupNotEmpty {
                group,
                members,
                state,
            } => write!(
                f,
                "Assignments can only be reset if the group '{group}' is inactive, but the \
                 current state is {state} ({members} member(s))."
            ),
            Self::NoCommittedOffset(p) => write!(
                f,
                "Cannot shift offset for partition {p} since there is no current committed \
                 offset"
            ),
            Self::Storage(e) => write!(f, "storage: {e}"),
        }
    }
}

error_boilerplate!(ResetOffsetsError { StorageError => Storage });
