//! The state of one record of a share-partition ([`RecordState`], [`ShareRecord`]) and the
//! three ways a member settles a record ([`AcknowledgeType`]).

use core::fmt;

use crate::ids::ShareMemberId;
use crate::time::Instant;

/// Where a record between the share-partition start and end offsets stands (Kafka's
/// `RecordState`: `AVAILABLE`, `ACQUIRED`, `ACKNOWLEDGED`, `ARCHIVED`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordState {
    /// Any member may acquire it.
    Available,
    /// A member holds it until `until`, when the lock expires.
    Acquired {
        /// The holder.
        member: ShareMemberId,
        /// When the lock expires and the record becomes available again.
        until: Instant,
    },
    /// A member accepted it: done, never delivered again.
    Acknowledged,
    /// Rejected, delivered too often, or gone from the log: never delivered again.
    Archived,
}

impl RecordState {
    /// Whether the record is settled for good (acknowledged or archived): the start offset
    /// may move past it.
    #[must_use]
    pub fn is_finished(self) -> bool {
        matches!(self, RecordState::Acknowledged | RecordState::Archived)
    }
}

impl fmt::Display for RecordState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordState::Available => f.write_str("available"),
            RecordState::Acquired { member, until } => write!(f, "acquired {member} until {until}"),
            RecordState::Acknowledged => f.write_str("acknowledged"),
            RecordState::Archived => f.write_str("archived"),
        }
    }
}

/// One record of a share-partition: its state and how many times it was acquired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ShareRecord {
    /// Where it stands.
    pub state: RecordState,
    /// How many times it was acquired (delivered); never above the group's
    /// `delivery_count_limit`.
    pub delivery_count: u32,
}

/// How a member settles a record it holds (Kafka's `AcknowledgeType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum AcknowledgeType {
    /// Processed: the record is acknowledged and never delivered again.
    Accept,
    /// Not processed: the record becomes available for any member (or is archived when it was
    /// delivered `delivery_count_limit` times).
    Release,
    /// Unprocessable: the record is archived and never delivered again.
    Reject,
}

impl fmt::Display for AcknowledgeType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AcknowledgeType::Accept => "accept",
            AcknowledgeType::Release => "release",
            AcknowledgeType::Reject => "reject",
        })
    }
}

/// Why a member lost the records it held without settling them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum ReleaseReason {
    /// The member left the group.
    Left,
    /// The member crashed.
    Crashed,
}

impl fmt::Display for ReleaseReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ReleaseReason::Left => "left",
            ReleaseReason::Crashed => "crashed",
        })
    }
}

/// Why a record was archived other than by a member's `Reject`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum ArchiveReason {
    /// It was delivered `delivery_count_limit` times and came back once more.
    DeliveryLimit,
    /// Retention (or compaction) removed it from the log before it was settled.
    Gone,
}

impl fmt::Display for ArchiveReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ArchiveReason::DeliveryLimit => "delivery_limit",
            ArchiveReason::Gone => "gone",
        })
    }
}
