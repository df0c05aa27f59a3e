//! Read-only answers about groups: ids, names, generations, assignments, commits, lag.

use alloc::vec::Vec;

use crate::broker::Broker;
use crate::group::{GroupPartitionInfo, GroupProtocol, GroupState, MemberAssignment};
use crate::ids::{GroupId, Offset, StreamConsumerId, StreamId};
use crate::storage::Storage;
use crate::stream::StreamPartition;
use crate::vec_map::VecMap;

impl<S: Storage> Broker<S> {
    /// The id of the group with this name.
    #[must_use]
    pub fn group_id(&self, name: &str) -> Option<GroupId> {
        self.stream_side.groups.id_of(name)
    }

    /// The name of a group.
    #[must_use]
    pub fn group_name(&self, group: GroupId) -> Option<&str> {
        self.stream_side.groups.get(&group).map(|g| g.name.as_str())
    }

    /// All groups, by id.
    pub fn groups(&self) -> impl Iterator<Item = GroupId> + '_ {
        self.stream_side.groups.keys().copied()
    }

    /// A group's current generation (0 before its first join).
    #[must_use]
    pub fn group_generation(&self, group: GroupId) -> Option<u32> {
        self.stream_side.groups.get(&group).map(|g| g.generation)
    }

    /// Where a group is in its rebalance protocol.
    #[must_use]
    pub fn group_state(&self, group: GroupId) -> Option<GroupState> {
        self.stream_side.groups.get(&group).map(|g| g.state)
    }

    /// A group's rebalance protocol.
    #[must_use]
    pub fn group_protocol(&self, group: GroupId) -> Option<GroupProtocol> {
        self.stream_side.groups.get(&group).map(|g| g.protocol)
    }

    /// Consumer protocol: the group epoch a member's partitions come from (it equals
    /// [`group_generation`](Self::group_generation) once the member has reconciled).
    #[must_use]
    pub fn member_epoch(&self, consumer: StreamConsumerId) -> Option<u32> {
        Some(self.stream_side.consumers.get(&consumer)?.membership?.epoch)
    }

    /// Consumer protocol: each member's target partitions in the current group epoch,
    /// members sorted by member id (empty for a classic group).
    #[must_use]
    pub fn group_target(&self, group: GroupId) -> Vec<MemberAssignment> {
        let Some(g) = self.stream_side.groups.get(&group) else {
            return Vec::new();
        };
        g.target
            .iter()
            .filter_map(|(name, parts)| {
                Some(MemberAssignment {
                    member: *g.members.get(name.as_str())?,
                    partitions: parts.clone(),
                })
            })
            .collect()
    }

    /// The consumer id of member `member` of `group`.
    #[must_use]
    pub fn group_member(&self, group: &str, member: &str) -> Option<StreamConsumerId> {
        self.locate_member(group, member).ok().map(|(_, id)| id)
    }

    /// The group a stream consumer is a member of.
    #[must_use]
    pub fn member_group(&self, consumer: StreamConsumerId) -> Option<GroupId> {
        self.stream_side
            .consumers
            .get(&consumer)?
            .membership
            .map(|m| m.group)
    }

    /// The current assignment of a group, members sorted by member id.
    #[must_use]
    pub fn group_assignment(&self, group: GroupId) -> Vec<MemberAssignment> {
        let Some(g) = self.stream_side.groups.get(&group) else {
            return Vec::new();
        };
        g.members
            .values()
            .filter_map(|id| {
                let c = self.stream_side.consumers.get(id)?;
                Some(MemberAssignment {
                    member: *id,
                    partitions: c.positions.keys().copied().collect(),
                })
            })
            .collect()
    }

    /// The group's committed offset for a partition.
    #[must_use]
    pub fn committed(&self, group: GroupId, partition: StreamPartition) -> Option<Offset> {
        self.stream_side
            .groups
            .get(&group)?
            .committed
            .get(&partition)
            .copied()
    }

    /// Every partition of every stream the group's members subscribe to, or that it has a
    /// commit for: owner, position, committed offset, log end and lag (`end − committed`).
    #[must_use]
    pub fn group_partitions(&self, group: GroupId) -> Vec<GroupPartitionInfo> {
        let Some(g) = self.stream_side.groups.get(&group) else {
            return Vec::new();
        };
        let mut owners: VecMap<StreamPartition, (StreamConsumerId, Option<Offset>)> = VecMap::new();
        let mut streams: Vec<StreamId> = g.committed.keys().map(|sp| sp.stream).collect();
        for id in g.members.values() {
            if let Some(c) = self.stream_side.consumers.get(id) {
                streams.extend_from_slice(&c.streams);
                for (sp, pos) in &c.positions {
                    owners.insert(*sp, (*id, *pos));
                }
            }
        }
        crate::sort::sort(&mut streams);
        streams.dedup();
        let mut out = Vec::new();
        for s in streams {
            let Some(stream) = self.stream_side.streams.get(&s) else {
                continue;
            };
            for (p, part) in stream.parts.iter().enumerate() {
                let sp = StreamPartition::new(s, p as u32);
                let Ok(b) = self.storage.bounds(part.log) else {
                    continue;
                };
                let committed = g.committed.get(&sp).copied();
                let from = committed.unwrap_or(b.start);
                out.push(GroupPartitionInfo {
                    partition: sp,
                    owner: owners.get(&sp).map(|o| o.0),
                    position: owners.get(&sp).and_then(|o| o.1),
                    committed,
                    end: b.end,
                    lag: b.end.0.saturating_sub(from.0),
                });
            }
        }
        out
    }

    /// Lag of the group on a partition: log end − committed offset (with no commit, log end −
    /// log start).
    #[must_use]
    pub fn lag(&self, group: GroupId, partition: StreamPartition) -> Option<u64> {
        let g = self.stream_side.groups.get(&group)?;
        let b = self
            .storage
            .bounds(self.stream_side.log_of(partition)?)
            .ok()?;
        let from = g.committed.get(&partition).copied().unwrap_or(b.start);
        Some(b.end.0.saturating_sub(from.0))
    }
}
