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
mod state;
pub use error::{CommitError, DeleteGroupError, GroupError, JoinGroupError};
pub use reset::{ResetOffsetsError, ResetPlan, ResetScope, ResetTarget};
pub use state::{GroupProtocol, GroupState, HeartbeatReply};

use crate::ids::{GroupId, Offset, StreamConsumerId};
use crate::stream::{OffsetReset, StreamPartition};
use crate::time::{Duration, Instant};
use crate::vec_map::VecMap;
use assign::{Assignor, ServerAssignor};

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
    /// The rebalance protocol; the first member's choice is the group's.
    pub protocol: GroupProtocol,
    /// Consumer protocol: the broker's assignor (Kafka's `group.remote.assignor`, uniform by
    /// default). The first member's choice is the group's.
    pub server_assignor: ServerAssignor,
    /// Classic: how long a rebalance waits for members to rejoin before it removes the
    /// missing ones (Kafka's `max.poll.interval.ms`, default 300 s). The group uses the
    /// largest of its members'.
    pub rebalance_timeout: Duration,
    /// Classic: how long a rebalance of an empty group waits for more members, extended by
    /// as much for each one that joins meanwhile, up to the rebalance timeout (Kafka's
    /// broker setting `group.initial.rebalance.delay.ms`, taken here from the member that
    /// starts the rebalance). Kafka's default is 3 s; its `server.properties` sets 0 for
    /// development, as this default does.
    pub initial_rebalance_delay: Duration,
    /// How often the member heartbeats (Kafka's `heartbeat.interval.ms`, 3 s, for classic
    /// groups; the broker's `group.consumer.heartbeat.interval.ms`, 5 s, for the consumer
    /// protocol). `None`: that default, or a third of the session timeout when that is
    /// shorter (Kafka's advice). The broker does not enforce it: the
    /// [`Simulation`](crate::sim::Simulation) heartbeats at this pace.
    pub heartbeat_interval: Option<Duration>,
}

impl Default for GroupConfig {
    fn default() -> Self {
        GroupConfig {
            assignor: Assignor::Range,
            session_timeout: Duration::from_secs(45),
            auto_offset_reset: OffsetReset::Latest,
            protocol: GroupProtocol::Classic,
            server_assignor: ServerAssignor::Uniform,
            rebalance_timeout: Duration::from_secs(300),
            initial_rebalance_delay: Duration::ZERO,
            heartbeat_interval: None,
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

    /// Sets the rebalance protocol.
    #[must_use]
    pub fn with_protocol(mut self, protocol: GroupProtocol) -> Self {
        self.protocol = protocol;
        self
    }

    /// Sets the consumer protocol's server-side assignor.
    #[must_use]
    pub fn with_server_assignor(mut self, assignor: ServerAssignor) -> Self {
        self.server_assignor = assignor;
        self
    }

    /// Sets the rebalance timeout.
    #[must_use]
    pub fn with_rebalance_timeout(mut self, timeout: Duration) -> Self {
        self.rebalance_timeout = timeout;
        self
    }

    /// Sets the initial rebalance delay.
    #[must_use]
    pub fn with_initial_rebalance_delay(mut self, delay: Duration) -> Self {
        self.initial_rebalance_delay = delay;
        self
    }

    /// Sets the heartbeat interval.
    #[must_use]
    pub fn with_heartbeat_interval(mut self, interval: Duration) -> Self {
        self.heartbeat_interval = Some(interval);
        self
    }

    /// The heartbeat interval, or its default (see
    /// [`heartbeat_interval`](Self::heartbeat_interval)).
    #[must_use]
    pub fn heartbeat_every(&self) -> Duration {
        self.heartbeat_interval.unwrap_or_else(|| {
            let kafka = match self.protocol {
                GroupProtocol::Classic => Duration::from_secs(3),
                GroupProtocol::Consumer => Duration::from_secs(5),
            };
            kafka.min(Duration::from_millis(self.session_timeout.as_millis() / 3))
        })
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
    /// A classic group's rebalance timed out before it rejoined (Kafka's
    /// `max.poll.interval.ms` passed): the rebalance went on without it.
    RebalanceTimeout,
}

impl fmt::Display for LeaveReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LeaveReason::Left => "left",
            LeaveReason::SessionTimeout => "session_timeout",
            LeaveReason::Fenced => "fenced",
            LeaveReason::RebalanceTimeout => "rebalance_timeout",
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

#[derive(Clone, Debug)]
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
    pub(crate) protocol: GroupProtocol,
    pub(crate) server_assignor: ServerAssignor,
    pub(crate) state: GroupState,
    /// Classic: the rebalance waiting for members to rejoin.
    pub(crate) join: Option<JoinPhase>,
    /// Consumer protocol: each member's target partitions in the current group epoch
    /// (`generation`).
    pub(crate) target: VecMap<String, Vec<StreamPartition>>,
}

impl Group {
    pub(crate) fn new(id: GroupId, name: String, config: &GroupConfig) -> Self {
        Group {
            id,
            name,
            generation: 0,
            assignor: config.assignor,
            members: VecMap::new(),
            committed: VecMap::new(),
            commit_keys: VecMap::new(),
            polled_end: VecMap::new(),
            instances: VecMap::new(),
            protocol: config.protocol,
            server_assignor: config.server_assignor,
            state: GroupState::Empty,
            join: None,
            target: VecMap::new(),
        }
    }
}

/// A classic group's rebalance while it waits for its members to rejoin.
#[derive(Debug, Clone, Copy)]
pub(crate) struct JoinPhase {
    /// When the wait ends: the initial delay's end, or the rebalance timeout.
    pub(crate) deadline: Instant,
    /// An empty group's initial delay: the delay, and what is left of the rebalance timeout
    /// after it (Kafka's `InitialDelayedJoin`).
    pub(crate) initial: Option<(Duration, Duration)>,
    /// A member joined during the current initial delay.
    pub(crate) new_member_added: bool,
}

/// Where a classic member is in its group's current rebalance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rejoin {
    /// No rebalance is waiting for it.
    InSync,
    /// A rebalance started; the member has not heard of it yet.
    Pending,
    /// Its heartbeat told it; it rejoins with its next poll.
    Told,
    /// It rejoined (or it is the member whose join started the rebalance).
    Joined,
}

/// Group membership of a stream consumer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Membership {
    pub(crate) group: GroupId,
    pub(crate) session_timeout: Duration,
    pub(crate) last_seen: Instant,
    pub(crate) rebalance_timeout: Duration,
    pub(crate) initial_delay: Duration,
    /// Classic: where it is in the group's rebalance.
    pub(crate) rejoin: Rejoin,
    /// Consumer protocol: the group epoch its partitions come from (0 before its first).
    pub(crate) epoch: u32,
}

impl Membership {
    pub(crate) fn deadline(&self) -> Instant {
        self.last_seen.saturating_add(self.session_timeout)
    }
}
