//! The classic rebalance protocol's timing (Kafka's JoinGroup/SyncGroup, as its group
//! coordinator runs it): a change of membership puts the group in `PreparingRebalance`;
//! each member learns of it from a heartbeat and rejoins with its next poll; when every
//! member has rejoined, or the rebalance timeout passed and the missing ones were removed,
//! the group enters a new generation (`CompletingRebalance`, then `Stable`). An empty group
//! first waits its initial rebalance delay, extended while members keep joining (Kafka's
//! `InitialDelayedJoin`).

use alloc::vec::Vec;

use super::super::Broker;
use crate::event::Event;
use crate::group::{GroupState, HeartbeatReply, JoinPhase, LeaveReason, Rejoin};
use crate::ids::{GroupId, StreamConsumerId};
use crate::storage::Storage;
use crate::stream::StreamPartition;
use crate::time::{Duration, Instant};

impl<S: Storage> Broker<S> {
    /// Moves `gid` to `to`, reporting it when it is a change.
    pub(super) fn set_group_state(&mut self, gid: GroupId, to: GroupState) {
        let Some(g) = self.stream_side.groups.get_mut(&gid) else {
            return;
        };
        let from = g.state;
        if from != to {
            g.state = to;
            self.out.emit(Event::GroupStateChanged {
                group: gid,
                from,
                to,
            });
        }
    }

    /// A classic group's membership changed (`added`: a member joined): a rebalance starts,
    /// or the one under way takes the change in.
    pub(super) fn classic_rebalance(&mut self, gid: GroupId, now: Instant, added: bool) {
        let Some(g) = self.stream_side.groups.get_mut(&gid) else {
            return;
        };
        if g.state == GroupState::PreparingRebalance {
            if let Some(join) = &mut g.join {
                join.new_member_added |= added;
            }
        } else {
            let empty = g.state == GroupState::Empty;
            let mut timeout = Duration::ZERO;
            let mut delay = Duration::ZERO;
            for id in g.members.values() {
                if let Some(m) = self
                    .stream_side
                    .consumers
                    .get_mut(id)
                    .and_then(|c| c.membership.as_mut())
                {
                    if m.rejoin != Rejoin::Joined {
                        m.rejoin = Rejoin::Pending;
                    }
                    timeout = timeout.max(m.rebalance_timeout);
                    delay = delay.max(m.initial_delay);
                }
            }
            let initial = (empty && delay > Duration::ZERO)
                .then(|| (delay.min(timeout), timeout.saturating_sub(delay)));
            let wait = initial.map_or(timeout, |(d, _)| d);
            g.join = Some(JoinPhase {
                deadline: now.saturating_add(wait),
                initial,
                new_member_added: false,
            });
            self.set_group_state(gid, GroupState::PreparingRebalance);
        }
        self.try_complete_join(gid, now);
    }

    /// Completes the join phase of `gid` if every member has rejoined (never during an
    /// initial delay, which only its timer ends).
    fn try_complete_join(&mut self, gid: GroupId, now: Instant) {
        let Some(g) = self.stream_side.groups.get(&gid) else {
            return;
        };
        if g.state != GroupState::PreparingRebalance || g.join.is_some_and(|j| j.initial.is_some())
        {
            return;
        }
        let all = g.members.values().all(|id| {
            self.stream_side
                .consumers
                .get(id)
                .and_then(|c| c.membership)
                .is_some_and(|m| m.rejoin == Rejoin::Joined)
        });
        if all {
            self.complete_join(gid, now);
        }
    }

    /// Ends the join phase: members that did not rejoin are removed, a new generation is
    /// assigned and handed out. A cooperative assignment that revoked partitions starts the
    /// second rebalance at once, with the revoking members already rejoined.
    fn complete_join(&mut self, gid: GroupId, now: Instant) {
        let Some(g) = self.stream_side.groups.get_mut(&gid) else {
            return;
        };
        g.join = None;
        let missing: Vec<StreamConsumerId> = g
            .members
            .values()
            .copied()
            .filter(|id| {
                self.stream_side
                    .consumers
                    .get(id)
                    .and_then(|c| c.membership)
                    .is_some_and(|m| m.rejoin != Rejoin::Joined)
            })
            .collect();
        for id in missing {
            self.remove_member(gid, id, LeaveReason::RebalanceTimeout);
        }
        let has_members = self
            .stream_side
            .groups
            .get(&gid)
            .is_some_and(|g| g.members.len() > 0);
        if has_members {
            self.set_group_state(gid, GroupState::CompletingRebalance);
        }
        let revoking = self.assign_generation(gid);
        let members: Vec<StreamConsumerId> = self
            .stream_side
            .groups
            .get(&gid)
            .map(|g| g.members.values().copied().collect())
            .unwrap_or_default();
        for id in &members {
            if let Some(m) = self
                .stream_side
                .consumers
                .get_mut(id)
                .and_then(|c| c.membership.as_mut())
            {
                m.rejoin = if revoking.contains(id) {
                    Rejoin::Joined
                } else {
                    Rejoin::InSync
                };
            }
        }
        if !has_members {
            self.set_group_state(gid, GroupState::Empty);
            return;
        }
        self.set_group_state(gid, GroupState::Stable);
        if !revoking.is_empty() {
            self.classic_rebalance(gid, now, false);
        }
    }

    /// A classic member's heartbeat: it learns of a rebalance in progress.
    pub(super) fn classic_heartbeat(
        &mut self,
        gid: GroupId,
        id: StreamConsumerId,
    ) -> HeartbeatReply {
        let preparing = self
            .stream_side
            .groups
            .get(&gid)
            .is_some_and(|g| g.state == GroupState::PreparingRebalance);
        let Some(m) = self
            .stream_side
            .consumers
            .get_mut(&id)
            .and_then(|c| c.membership.as_mut())
        else {
            return HeartbeatReply::Ok;
        };
        match m.rejoin {
            Rejoin::Pending | Rejoin::Told if preparing => {
                m.rejoin = Rejoin::Told;
                HeartbeatReply::RejoinNeeded
            }
            _ => HeartbeatReply::Ok,
        }
    }

    /// A classic member told of a rebalance polls: that poll is its rejoin. With an eager
    /// assignor it first gives up every partition it owns (reported as `PartitionsRevoked`
    /// in the current generation); a cooperative one keeps reading them.
    pub(in crate::broker) fn classic_rejoin(&mut self, id: StreamConsumerId, now: Instant) {
        let Some(c) = self.stream_side.consumers.get_mut(&id) else {
            return;
        };
        let Some(m) = c.membership.as_mut().filter(|m| m.rejoin == Rejoin::Told) else {
            return;
        };
        m.rejoin = Rejoin::Joined;
        let gid = m.group;
        let Some(g) = self.stream_side.groups.get(&gid) else {
            return;
        };
        if !g.assignor.is_cooperative() && c.positions.len() > 0 {
            let partitions: Vec<StreamPartition> = c.positions.keys().copied().collect();
            c.positions = crate::vec_map::VecMap::new();
            c.next = 0;
            self.out.emit(Event::PartitionsRevoked {
                group: gid,
                generation: g.generation,
                member: id,
                partitions,
            });
        }
        self.try_complete_join(gid, now);
    }

    /// Ends every join phase whose time is up: an initial delay during which members joined
    /// is extended (by at most the delay, within the rebalance timeout); otherwise the
    /// rebalance completes without the members that did not rejoin.
    pub(in crate::broker) fn handle_join_deadlines(&mut self, now: Instant) {
        let due: Vec<GroupId> = self
            .stream_side
            .groups
            .values()
            .filter(|g| g.join.is_some_and(|j| j.deadline <= now))
            .map(|g| g.id)
            .collect();
        for gid in due {
            let Some(g) = self.stream_side.groups.get_mut(&gid) else {
                continue;
            };
            let Some(join) = &mut g.join else {
                continue;
            };
            if let Some((delay, remaining)) = join.initial
                && join.new_member_added
                && remaining > Duration::ZERO
            {
                let next = delay.min(remaining);
                join.initial = Some((next, remaining.saturating_sub(delay)));
                join.deadline = now.saturating_add(next);
                join.new_member_added = false;
                continue;
            }
            self.complete_join(gid, now);
        }
    }
}
