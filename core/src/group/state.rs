//! A group's rebalance protocol and the states it moves through.
//!
//! **Classic** (Kafka's `group.protocol=classic`, KIP-62/KIP-429) is the JoinGroup/SyncGroup
//! protocol: any change to the membership starts a rebalance (`PreparingRebalance`); every
//! member learns of it from its next heartbeat and rejoins with its next poll; once all have
//! rejoined (or the rebalance timeout passes and the missing ones are removed) the group
//! enters a new generation, the assignor runs (`CompletingRebalance`) and every member gets
//! its partitions (`Stable`). An *eager* assignor makes each member give up all its
//! partitions when it rejoins, so the whole group stops until the last member is back; a
//! *cooperative* one lets members keep consuming what they own and revokes only what moves,
//! in a second rebalance.
//!
//! **Consumer** (Kafka 4's `group.protocol=consumer`, KIP-848) has no group-wide barrier: a
//! change bumps the group epoch and the broker computes a target assignment at once with a
//! server-side assignor (`Assigning`); each member then converges on its own heartbeats
//! (`Reconciling`): it first gives up the partitions it must lose, and gets a new one only
//! once its previous owner has given it up. When every member owns its target the group is
//! `Stable`.

use core::fmt;

/// The rebalance protocol of a group (Kafka's consumer config `group.protocol`). The first
/// member to join an empty group chooses it; a member asking for the other is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum GroupProtocol {
    /// JoinGroup/SyncGroup rounds with a group-wide barrier; the assignor runs on the
    /// client side ([`GroupConfig::assignor`](crate::GroupConfig::assignor)). The default of
    /// Kafka's clients, 4.0 included.
    #[default]
    Classic,
    /// KIP-848: the broker assigns ([`GroupConfig::server_assignor`](crate::GroupConfig))
    /// and reconciles each member on its own heartbeats.
    Consumer,
}

impl GroupProtocol {
    /// Kafka's name: `classic` or `consumer`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            GroupProtocol::Classic => "classic",
            GroupProtocol::Consumer => "consumer",
        }
    }
}

impl fmt::Display for GroupProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where a group is in its protocol ([`Broker::group_state`](crate::Broker::group_state)).
/// Classic groups use `Empty`, `PreparingRebalance`, `CompletingRebalance` and `Stable`;
/// consumer-protocol groups `Empty`, `Assigning`, `Reconciling` and `Stable`, as Kafka's
/// `kafka-consumer-groups --describe --state` prints them; both end `Dead` when deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum GroupState {
    /// No members. Committed offsets stay.
    #[default]
    Empty,
    /// Classic: a rebalance started; the group waits for every member to rejoin.
    PreparingRebalance,
    /// Classic: everyone rejoined, a new generation began and the assignment is handed out.
    CompletingRebalance,
    /// Every member has its partitions; nothing is moving.
    Stable,
    /// Consumer protocol: the group epoch moved and the target assignment is being computed.
    Assigning,
    /// Consumer protocol: some members do not own their target partitions yet.
    Reconciling,
    /// The group was deleted ([`Broker::delete_group`](crate::Broker::delete_group)): its
    /// committed offsets are gone, and a later join creates a new group of that name.
    Dead,
}

impl GroupState {
    /// Kafka's name of the state.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            GroupState::Empty => "Empty",
            GroupState::PreparingRebalance => "PreparingRebalance",
            GroupState::CompletingRebalance => "CompletingRebalance",
            GroupState::Stable => "Stable",
            GroupState::Assigning => "Assigning",
            GroupState::Reconciling => "Reconciling",
            GroupState::Dead => "Dead",
        }
    }

    /// One plain sentence on what the state means for the group's members.
    #[must_use]
    pub fn explain(self) -> &'static str {
        match self {
            GroupState::Empty => "No members: nobody reads; committed offsets are kept.",
            GroupState::PreparingRebalance => {
                "A rebalance started: members rejoin as their heartbeats tell them; with an \
                 eager assignor everyone who rejoined has stopped."
            }
            GroupState::CompletingRebalance => {
                "Everyone rejoined: a new generation's assignment is being handed out."
            }
            GroupState::Stable => "Every member owns its partitions and reads them.",
            GroupState::Assigning => "The group epoch moved: the broker computes the target.",
            GroupState::Reconciling => {
                "Members converge one heartbeat at a time: a partition is revoked from its \
                 old owner before its new owner gets it; the others keep reading."
            }
            GroupState::Dead => "Deleted: its committed offsets are gone.",
        }
    }

    /// Whether partitions may be without an owner or moving in this state.
    #[must_use]
    pub fn is_rebalancing(self) -> bool {
        matches!(
            self,
            GroupState::PreparingRebalance
                | GroupState::CompletingRebalance
                | GroupState::Assigning
                | GroupState::Reconciling
        )
    }
}

impl fmt::Display for GroupState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a member's heartbeat tells it ([`Broker::heartbeat`](crate::Broker::heartbeat)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HeartbeatReply {
    /// Nothing to do.
    Ok,
    /// Classic: a rebalance is in progress (Kafka's `REBALANCE_IN_PROGRESS`); the member
    /// rejoins with its next poll.
    RejoinNeeded,
    /// Consumer protocol: the member's partitions changed with this heartbeat.
    AssignmentChanged,
}
