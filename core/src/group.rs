//! Consumer groups (pattern E): membership, generations, assignments and committed offsets.
//!
//! A group is created by its first `join_group` and outlives its members (its committed
//! offsets stay). Every membership change and every partition addition to a subscribed stream
//! starts a new generation with a full assignment; inside a generation each partition is
//! owned by at most one member, and by exactly one while the group has members. Commits are
//! per (group, stream, partition) and are accepted only from the partition's owner in the
//! current generation. Semantics follow Kafka (DESIGN.md, "Consumer groups").

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::ids::{GroupId, Offset, StreamConsumerId, StreamId};
use crate::stream::{OffsetReset, StreamPartition};
use crate::time::{Duration, Instant};

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
            session_timeout: Duration::from_secs(45),
            auto_offset_reset: OffsetReset::Latest,
        }
    }
}

impl GroupConfig {
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
}

impl fmt::Display for LeaveReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LeaveReason::Left => "left",
            LeaveReason::SessionTimeout => "session_timeout",
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
    /// Members by member id; a `BTreeMap` keeps them sorted as strings, as Kafka's assignors
    /// sort them.
    pub(crate) members: BTreeMap<String, StreamConsumerId>,
    pub(crate) committed: BTreeMap<StreamPartition, Offset>,
    /// One past the highest offset ever handed to a member of this group, per partition:
    /// anything below it that is polled again is a redelivery.
    pub(crate) polled_end: BTreeMap<StreamPartition, Offset>,
}

impl Group {
    pub(crate) fn new(id: GroupId, name: String) -> Self {
        Group {
            id,
            name,
            generation: 0,
            members: BTreeMap::new(),
            committed: BTreeMap::new(),
            polled_end: BTreeMap::new(),
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

/// Input of an assignment: members sorted by id with their subscribed streams, and streams
/// sorted by name with their partition counts.
pub(crate) struct AssignInput<'a> {
    pub(crate) members: Vec<(&'a str, StreamConsumerId, &'a [StreamId])>,
    pub(crate) streams: Vec<(&'a str, StreamId, u32)>,
}

/// Kafka's range assignor: per stream, the subscribed members sorted by id; member `i` of `c`
/// gets `n/c + (i < n%c)` consecutive partitions starting at `n/c*i + min(i, n%c)`.
pub(crate) fn range_assign(
    input: &AssignInput<'_>,
) -> BTreeMap<StreamConsumerId, Vec<StreamPartition>> {
    let mut out: BTreeMap<StreamConsumerId, Vec<StreamPartition>> = input
        .members
        .iter()
        .map(|(_, id, _)| (*id, Vec::new()))
        .collect();
    for &(_, stream, n) in &input.streams {
        let subscribed: Vec<StreamConsumerId> = input
            .members
            .iter()
            .filter(|(_, _, s)| s.contains(&stream))
            .map(|(_, id, _)| *id)
            .collect();
        let c = subscribed.len() as u32;
        if c == 0 {
            continue;
        }
        for (i, id) in subscribed.iter().enumerate() {
            let i = i as u32;
            let first = n / c * i + i.min(n % c);
            let count = n / c + u32::from(i < n % c);
            if let Some(v) = out.get_mut(id) {
                v.extend((first..first + count).map(|p| StreamPartition::new(stream, p)));
            }
        }
    }
    for v in out.values_mut() {
        v.sort_unstable();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_matches_kafka_rule() {
        let s = [StreamId(1)];
        let input = AssignInput {
            members: alloc::vec![
                ("c0", StreamConsumerId(1), &s[..]),
                ("c1", StreamConsumerId(2), &s[..]),
            ],
            streams: alloc::vec![("t", StreamId(1), 3)],
        };
        let a = range_assign(&input);
        assert_eq!(a[&StreamConsumerId(1)].len(), 2);
        assert_eq!(
            a[&StreamConsumerId(2)],
            alloc::vec![StreamPartition::new(StreamId(1), 2)]
        );
    }
}
