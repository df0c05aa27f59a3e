//! The consumer rebalance protocol (Kafka's KIP-848, `group.protocol=consumer`): no
//! group-wide barrier. A change of membership or of the subscribed partitions bumps the group
//! epoch, and the server-side assignor computes the new target assignment at once from the
//! previous target. Each member then reconciles on its own heartbeats: it gives up the owned
//! partitions that are not in its target, and gets a target partition only once no other
//! member owns it. A partition is thus revoked from its old owner before its new owner gets
//! it, and members whose partitions do not move never stop.
//!
//! Kafka's member acknowledges a revocation in the heartbeat after it (its member epoch
//! stays behind until then); here the heartbeat that revokes also acknowledges, so a member
//! takes the group epoch on the heartbeat where it has nothing left to give up.

use alloc::collections::BTreeSet;
use alloc::vec::Vec;

use super::super::Broker;
use crate::event::Event;
use crate::group::{GroupState, HeartbeatReply, MemberAssignment};
use crate::ids::{GroupId, StreamConsumerId};
use crate::storage::Storage;
use crate::stream::StreamPartition;
use crate::time::Instant;
use crate::vec_map::VecMap;

impl<S: Storage> Broker<S> {
    /// Bumps the group epoch of `gid`, computes and reports the target assignment, and
    /// updates the group's state.
    pub(super) fn consumer_rebalance(&mut self, gid: GroupId, _now: Instant) {
        let Some(g) = self.stream_side.groups.get(&gid) else {
            return;
        };
        let input = self.assign_input(g, true);
        let assignment = g.server_assignor.assign(&input);
        let mut target = VecMap::new();
        let mut report = Vec::with_capacity(g.members.len());
        for (name, &id) in &g.members {
            let parts = self.partitions_of(&assignment, name);
            report.push(MemberAssignment {
                member: id,
                partitions: parts.clone(),
            });
            target.insert(name.clone(), parts);
        }
        let Some(g) = self.stream_side.groups.get_mut(&gid) else {
            return;
        };
        g.generation = g.generation.wrapping_add(1);
        g.target = target;
        let epoch = g.generation;
        let empty = g.members.len() == 0;
        let _ = self.storage.put_meta(
            &alloc::format!("group/{}/generation", g.name),
            &epoch.to_le_bytes(),
        );
        if !empty {
            self.set_group_state(gid, GroupState::Assigning);
        }
        self.out.emit(Event::TargetAssignmentChanged {
            group: gid,
            epoch,
            assignment: report,
        });
        self.update_consumer_state(gid);
    }

    /// One heartbeat of consumer-protocol member `id`: it gives up what is not in its target
    /// (`PartitionsRevoked`), takes the target partitions nobody else owns (starting at the
    /// committed offsets), and moves to the group epoch (`MemberAssigned` when anything
    /// changed).
    pub(super) fn reconcile(
        &mut self,
        gid: GroupId,
        id: StreamConsumerId,
        _now: Instant,
    ) -> HeartbeatReply {
        let Some(g) = self.stream_side.groups.get(&gid) else {
            return HeartbeatReply::Ok;
        };
        let Some(c) = self.stream_side.consumers.get(&id) else {
            return HeartbeatReply::Ok;
        };
        let epoch = g.generation;
        let target: Vec<StreamPartition> = g.target.get(&c.name).cloned().unwrap_or_default();
        let revoked: Vec<StreamPartition> = c
            .positions
            .keys()
            .filter(|p| !target.contains(p))
            .copied()
            .collect();
        let mut taken = BTreeSet::new();
        for other in g.members.values().filter(|&&o| o != id) {
            if let Some(o) = self.stream_side.consumers.get(other) {
                taken.extend(o.positions.keys().copied());
            }
        }
        let mut pending = 0u32;
        let mut gained = Vec::new();
        for &p in &target {
            if c.positions.contains_key(&p) {
                continue;
            }
            if taken.contains(&p) {
                pending += 1;
            } else {
                gained.push((p, self.start_position(gid, c.reset, p)));
            }
        }
        let old_epoch = c.membership.map_or(0, |m| m.epoch);
        let Some(c) = self.stream_side.consumers.get_mut(&id) else {
            return HeartbeatReply::Ok;
        };
        if !revoked.is_empty() {
            for p in &revoked {
                c.positions.remove(p);
            }
            self.out.emit(Event::PartitionsRevoked {
                group: gid,
                generation: old_epoch,
                member: id,
                partitions: revoked.clone(),
            });
        }
        for &(p, at) in &gained {
            c.positions.insert(p, at);
        }
        c.next = 0;
        if let Some(m) = &mut c.membership {
            m.epoch = epoch;
        }
        let changed = !revoked.is_empty() || !gained.is_empty();
        if changed || old_epoch != epoch {
            let partitions = c.positions.keys().copied().collect();
            self.out.emit(Event::MemberAssigned {
                group: gid,
                member: id,
                epoch,
                partitions,
                pending,
            });
        }
        self.update_consumer_state(gid);
        if changed {
            HeartbeatReply::AssignmentChanged
        } else {
            HeartbeatReply::Ok
        }
    }

    /// `Stable` when every member owns exactly its target in the group epoch, else
    /// `Reconciling` (`Empty` without members).
    fn update_consumer_state(&mut self, gid: GroupId) {
        let Some(g) = self.stream_side.groups.get(&gid) else {
            return;
        };
        let state = if g.members.len() == 0 {
            GroupState::Empty
        } else {
            let done = g.members.iter().all(|(name, id)| {
                let Some(c) = self.stream_side.consumers.get(id) else {
                    return true;
                };
                let target = g.target.get(name).map_or(&[][..], Vec::as_slice);
                c.membership.is_some_and(|m| m.epoch == g.generation)
                    && c.positions.len() == target.len()
                    && target.iter().all(|p| c.positions.contains_key(p))
            });
            if done {
                GroupState::Stable
            } else {
                GroupState::Reconciling
            }
        };
        self.set_group_state(gid, state);
    }
}
