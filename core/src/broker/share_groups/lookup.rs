//! Read-only answers about share groups: ids and names, members, assignments, and each
//! share-partition's state.

use alloc::vec::Vec;

use crate::broker::Broker;
use crate::ids::{ShareGroupId, ShareMemberId};
use crate::share::{ShareGroupConfig, SharePartition};
use crate::storage::Storage;
use crate::stream::StreamPartition;

impl<S: Storage> Broker<S> {
    /// The id of share group `name`, if it exists.
    #[must_use]
    pub fn share_group_id(&self, name: &str) -> Option<ShareGroupId> {
        self.share_side.groups.id_of(name)
    }

    /// The name of share group `group`.
    #[must_use]
    pub fn share_group_name(&self, group: ShareGroupId) -> Option<&str> {
        self.share_side.groups.get(&group).map(|g| g.name.as_str())
    }

    /// The settings of share group `group`.
    #[must_use]
    pub fn share_group_config(&self, group: ShareGroupId) -> Option<ShareGroupConfig> {
        self.share_side.groups.get(&group).map(|g| g.config)
    }

    /// The share groups, by id.
    #[must_use]
    pub fn share_groups(&self) -> Vec<ShareGroupId> {
        self.share_side.groups.keys().copied().collect()
    }

    /// The members of share group `group`, sorted by member id (the caller's string).
    #[must_use]
    pub fn share_group_members(&self, group: ShareGroupId) -> Vec<ShareMemberId> {
        self.share_side
            .groups
            .get(&group)
            .map(|g| g.members.values().copied().collect())
            .unwrap_or_default()
    }

    /// Every partition of share group `group`'s streams, sorted: what each of its members is
    /// assigned (Kafka's `SimpleAssignor`). Empty for an unknown group.
    #[must_use]
    pub fn share_group_assignment(&self, group: ShareGroupId) -> Vec<StreamPartition> {
        self.share_group_partitions(group)
    }

    /// The member id (the caller's string) of share member `member`.
    #[must_use]
    pub fn share_member_name(&self, member: ShareMemberId) -> Option<&str> {
        self.share_side
            .members
            .get(&member)
            .map(|m| m.name.as_str())
    }

    /// The share group of member `member`.
    #[must_use]
    pub fn share_member_group(&self, member: ShareMemberId) -> Option<ShareGroupId> {
        self.share_side.members.get(&member).map(|m| m.group)
    }

    /// The partitions member `member` may fetch from: every partition of its group's streams
    /// (Kafka's `SimpleAssignor`). `None` for an unknown member.
    #[must_use]
    pub fn share_member_partitions(&self, member: ShareMemberId) -> Option<Vec<StreamPartition>> {
        let m = self.share_side.members.get(&member)?;
        Some(self.share_group_partitions(m.group))
    }

    /// Share group `group`'s state of `partition`: its start and end offsets and the state of
    /// each record in flight. `None` until the group first fetched from the partition.
    #[must_use]
    pub fn share_partition(
        &self,
        group: ShareGroupId,
        partition: StreamPartition,
    ) -> Option<&SharePartition> {
        self.share_side
            .groups
            .get(&group)?
            .partitions
            .get(&partition)
    }
}
