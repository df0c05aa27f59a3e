//! Typed errors of the consumer-group operations (pattern E), one small enum per operation,
//! each convertible into the umbrella [`Error`](crate::Error).

use core::fmt;

use crate::common_error::{LimitError, NameError, error_boilerplate};
use crate::group::GroupProtocol;
use crate::group::assign::Assignor;
use crate::ids::{Offset, StreamConsumerId};
use crate::stream::StreamPartition;

/// Errors of [`Broker::join_group`](crate::Broker::join_group).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum JoinGroupError {
    /// The group name or member id is not valid.
    InvalidName(NameError),
    /// A subscribed stream does not exist.
    UnknownStream,
    /// No stream was given.
    NoStreams,
    /// A member with this id is in the group already.
    DuplicateMember(StreamConsumerId),
    /// The session timeout is zero.
    InvalidConfig(&'static str),
    /// The group uses another assignor (Kafka's `INCONSISTENT_GROUP_PROTOCOL`).
    InconsistentAssignor {
        /// The group's assignor.
        group: Assignor,
        /// The one asked for.
        asked: Assignor,
    },
    /// The group uses the other rebalance protocol (Kafka's `INCONSISTENT_GROUP_PROTOCOL`).
    InconsistentProtocol {
        /// The group's protocol.
        group: GroupProtocol,
        /// The one asked for.
        asked: GroupProtocol,
    },
    /// Too many groups, members or stream consumers.
    Limit(LimitError),
}

impl fmt::Display for JoinGroupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidName(e) => write!(f, "invalid group or member name: {e}"),
            Self::UnknownStream => f.write_str("unknown stream"),
            Self::NoStreams => f.write_str("a member must subscribe to at least one stream"),
            Self::DuplicateMember(id) => write!(f, "member id already in the group as {id}"),
            Self::InvalidConfig(why) => write!(f, "invalid group config: {why}"),
            Self::InconsistentAssignor { group, asked } => {
                write!(f, "the group uses the {group} assignor, not {asked}")
            }
            Self::InconsistentProtocol { group, asked } => {
                write!(f, "the group uses the {group} protocol, not {asked}")
            }
            Self::Limit(e) => e.fmt(f),
        }
    }
}
error_boilerplate!(JoinGroupError { NameError => InvalidName, LimitError => Limit });

/// Errors of [`Broker::leave_group`](crate::Broker::leave_group) and
/// [`Broker::heartbeat`](crate::Broker::heartbeat).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum GroupError {
    /// No such group.
    UnknownGroup,
    /// No such member in the group (never joined, left, or evicted after its session timeout).
    UnknownMember,
}

impl fmt::Display for GroupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownGroup => f.write_str("unknown group"),
            Self::UnknownMember => f.write_str("unknown member"),
        }
    }
}
error_boilerplate!(GroupError {});

/// Errors of [`Broker::delete_group`](crate::Broker::delete_group). On error nothing changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeleteGroupError {
    /// No group has this name.
    UnknownGroup,
    /// The group has members (Kafka's `NON_EMPTY_GROUP`).
    NotEmpty {
        /// How many.
        members: usize,
    },
}

impl fmt::Display for DeleteGroupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownGroup => f.write_str("unknown group"),
            Self::NotEmpty { members } => write!(
                f,
                "The group is not empty ({members} member(s)): only a group without members \
                 can be deleted."
            ),
        }
    }
}
error_boilerplate!(DeleteGroupError {});

/// Errors of [`Broker::commit`](crate::Broker::commit). On error nothing is committed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CommitError {
    /// No such group.
    UnknownGroup,
    /// No such member in the group (never joined, left, or evicted).
    UnknownMember,
    /// The generation is not the group's current one (Kafka's `ILLEGAL_GENERATION`): the
    /// member missed a rebalance and must not commit for partitions it may have lost.
    IllegalGeneration {
        /// The generation the member gave.
        given: u32,
        /// The group's generation.
        current: u32,
    },
    /// The member does not own this partition in the current generation.
    NotAssigned(StreamPartition),
    /// The offset is beyond the log end.
    BeyondEnd {
        /// The partition.
        partition: StreamPartition,
        /// The offset.
        offset: Offset,
        /// The log end.
        end: Offset,
    },
}

impl fmt::Display for CommitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownGroup => f.write_str("unknown group"),
            Self::UnknownMember => f.write_str("unknown member"),
            Self::IllegalGeneration { given, current } => write!(
                f,
                "illegal generation {given}, the group is at generation {current}"
            ),
            Self::NotAssigned(p) => write!(f, "{p} is not owned by this member"),
            Self::BeyondEnd {
                partition,
                offset,
                end,
            } => write!(
                f,
                "offset {offset} of {partition} is beyond the log end {end}"
            ),
        }
    }
}
error_boilerplate!(CommitError {});
