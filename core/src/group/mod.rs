//! Consumer groups (pattern E): membership, generations, assignments and committed offsets.
//!
//! A group is created by its first `join_group` and outlives its members (its committed
//! offsets stay). Every membership change and every partition addition to a subscribed stream
//! starts a new generation with a full assignment; inside a generation each partition is
//! owned by at most one member, and by exactly one while the group has members. Commits are
//! per (group, stream, partition) and are accepted only from the partition's owner in the
//! current generation. Semantics follow Kafka (SEMANTICS.md, "Consumer groups").

use alloc::string::String;
use alloc::vec::Vec;

use core::fmt;

pub mod assign;
mod error;
mod reset;
pub use error::{CommitError, GroupError, JoinGroupError};
pub use reset::{ResetOffsetsError, ResetPlan, ResetScope, ResetTarget};

use crate::ids::{GroupId, Offset, StreamConsumerId};
use crate::stream::{OffsetReset, StreamPartition};
use crate::time::{Duration, Instant};
use crate::vec_map::VecMap;
use assign::Assignor;

/// How a member takes part in its group. Build with the `with_*` methods.
///
/// ```
/// use brokerlab::{Duration, GroupConfig, OffsetReset};
/// let cfg = GroupConfig::default()
///     .with_session_timeout(Duration::from_secs(10))
///     .with_auto_offset_reset(OffsetReset::Earliest);
/// assert_eq!(cfg.session_timeout, Duration::from_secs(10));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default))]
#[non_exhaustive]
pub struct GroupConfig {
    /// How partitions are assigned to members. The first member's choice is the group's;
    /// a member asking for another is refused (Kafka's `INCONSISTENT_GROUP_PROTOCOL`).
    /// Range by default, as Kafka.
    pub assignor: Assignor,
    /// A member that neither heartbeats nor polls for this long is evicted (Kafka's
    /// `session.timeout.ms`, default 45 s).
    pub session_timeout: Duration,
    /// Where the member starts on a partition the group has no committed offset for, or whose
    /// committed offset fell out of the log.
    pub auto_offset_reset: OffsetReset,
}

impl Default for GroupConfig {
    fn default() -> Self {
        GroupConfig {
            assignor: Assignor::Range,
            session_timeout: Duration::from_secs(45),
            auto_offset_reset: OffsetReset::Latest,
        }
    }
}

impl GroupConfig {
    /// Sets the assignor.
    #[must_use]
    pub fn with_assignor(mut self, assignor: Assignor) -> Self {
        self.assignor = assignor;
        self
    }

    /// Sets the session timeout.
    #[must_use]
    pub fn with_session_timeout(mut self, timeout: Duration) -> Self {
        self.session_timeout = timeout;
        self
    }

    /// Sets `auto_offset_reset`.
    #[must_use]
    pub fn with_auto_offset_reset(mut self, reset: OffsetReset) -> Self {
        self.auto_offset_reset = reset;
        self
    }
}

/// The partitions one member owns in a generation.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MemberAssignment {
    /// The member (its name: [`Broker::stream_consumer_name`](crate::Broker::stream_consumer_name)).
    pub member: StreamConsumerId,
    /// Its partitions, sorted; empty for an idle member.
    pub partitions: Vec<StreamPartition>,
}

/// Why a member left its group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum LeaveReason {
    /// It called [`Broker::leave_group`](crate::Broker::leave_group).
    Left,
    /// It neither heartbeated nor polled within its session timeout.
    SessionTimeout,
    /// A member joined with its group instance id and took its place (Kafka's static
    /// membership: the older one is fenced, `FENCED_INSTANCE_ID`).
    Fenced,
}

impl fmt::Display for LeaveReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LeaveReason::Left => "left",
            LeaveReason::SessionTimeout => "session_timeout",
            LeaveReason::Fenced => "fenced",
        })
    }
}

/// One partition as the group sees it ([`Broker::group_partitions`](crate::Broker::group_partitions)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupPartitionInfo {
    /// The partition.
    pub partition: StreamPartition,
    /// Its owner in the current generation.
    pub owner: Option<StreamConsumerId>,
    /// The owner's position (next offset it will read), when it has one.
    pub position: Option<Offset>,
    /// The group's committed offset.
    pub committed: Option<Offset>,
    /// The log end.
    pub end: Offset,
    /// `end − committed` (with no commit, `end − log start`).
    pub lag: u64,
}

#[derive(Debug)]
pub(crate) struct Group {
    pub(crate) id: GroupId,
    pub(crate) name: String,
    pub(crate) generation: u32,
    pub(crate) assignor: Assignor,
    /// Members by member id; a `VecMap` keeps them sorted as strings, as Kafka's assignors
    /// sort them.
    pub(crate) members: VecMap<String, StreamConsumerId>,
    pub(crate) committed: VecMap<StreamPartition, Offset>,
    /// The storage metadata key of each partition's commit (`group/<group>/<stream>/<partition>`),
    /// built on the first commit and reused by every later one.
    pub(crate) commit_keys: VecMap<StreamPartition, String>,
    /// One past the highest offset ever handed to a member of this group, per partition:
    /// anything below it that is polled again is a redelivery.
    pub(crate) polled_end: VecMap<StreamPartition, Offset>,
    /// Static members: group instance id (Kafka's `group.instance.id`) → member id.
    pub(crate) instances: VecMap<String, String>,
}

impl Group {
    pub(crate) fn new(id: GroupId, name: String, assignor: Assignor) -> Self {
        Group {
            id,
            name,
            generation: 0,
            assignor,
            members: VecMap::new(),
            committed: VecMap::new(),
            commit_keys: VecMap::new(),
            polled_end: VecMap::new(),
            instances: VecMap::new(),
        }
    }
}

/// Group membership of a stream consumer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Membership {
    pub(crate) group: GroupId,
    pub(crate) session_timeout: Duration,
    pub(crate) last_seen: Instant,
}

impl Membership {
    pub(crate) fn deadline(&self) -> Instant {
        self.last_seen.saturating_add(self.session_timeout)
    }
}
