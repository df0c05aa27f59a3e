//! Consumer groups on the broker: join, leave, heartbeat, session-timeout eviction,
//! rebalancing into generations (pattern E); commits in `commit.rs`, read-only answers in
//! `lookup.rs`, offset resets of an empty group in `reset.rs`.

mod classic;
mod commit;
mod consumer;
mod lookup;
mod reset;

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

use super::streams::{StreamConsumer, reset_position};
use super::{Broker, next_id};
use crate::common_error::{LimitError, LimitKind, check_name};
use crate::event::Event;
use crate::group::assign::{AssignInput, Assignment, MemberId, TopicPartition, cooperative_sticky};
use crate::group::{DeleteGroupError, GroupError, JoinGroupError};
use crate::group::{Group, GroupConfig, GroupProtocol, GroupState, HeartbeatReply};
use crate::group::{LeaveReason, MemberAssignment, Membership, Rejoin};
use crate::ids::{GroupId, StreamConsumerId, StreamId};
use crate::storage::Storage;
use crate::stream::StreamPartition;
use crate::time::{Duration, Instant};
use crate::vec_map::VecMap;

impl<S: Storage> Broker<S> {
    /// Adds member `member` to group `group` (created on first join), subscribed to
    /// `streams`, and rebalances: a new generation with a full assignment is reported as
    /// `Rebalanced`. Returns the member's consumer id, which [`poll`](Self::poll) and
    /// [`seek`](Self::seek) take. Member ids are strings the caller chooses, as in Kafka, and
    /// are unique within a group.
    ///
    /// A partition newly assigned to a member starts at the group's committed offset, or where
    /// `config.auto_offset_reset` says when there is none (or it fell out of the log).
    ///
    /// Errors: invalid names, no or unknown streams, a duplicate member id, a zero session
    /// timeout, [`Limits::max_groups`](crate::Limits), [`Limits::max_group_members`](crate::Limits),
    /// [`Limits::max_stream_consumers`](crate::Limits). On error nothing changes.
    pub fn join_group(
        &mut self,
        now: Instant,
        group: &str,
        member: &str,
        streams: &[&str],
        config: GroupConfig,
    ) -> Result<StreamConsumerId, JoinGroupError> {
        self.join(now, group, member, None, streams, config)
    }

    /// [`join_group`](Self::join_group) as a static member with group instance id
    /// `instance_id` (Kafka's `group.instance.id`, KIP-345). The assignors order static
    /// members first, by instance id. When a member with this instance id is still in the
    /// group (it crashed and its session has not timed out, or it is alive: then it is
    /// fenced), the new one takes its place and its partitions in the same generation, with
    /// no rebalance, reported as [`Event::StaticMemberRejoined`] after the old one's
    /// `MemberLeft` (reason [`Fenced`](LeaveReason::Fenced)); it resumes from the group's
    /// committed offsets. A static member whose session timed out was evicted like any other:
    /// it joins afresh and the group rebalances.
    ///
    /// Errors: those of [`join_group`](Self::join_group), and an invalid instance id.
    pub fn join_group_static(
        &mut self,
        now: Instant,
        group: &str,
        member: &str,
        instance_id: &str,
        streams: &[&str],
        config: GroupConfig,
    ) -> Result<StreamConsumerId, JoinGroupError> {
        self.join(now, group, member, Some(instance_id), streams, config)
    }

    fn join(
        &mut self,
        now: Instant,
        group: &str,
        member: &str,
        instance: Option<&str>,
        streams: &[&str],
        config: GroupConfig,
    ) -> Result<StreamConsumerId, JoinGroupError> {
        let now = self.clock(now);
        check_name(group, self.limits.max_name_len)?;
        check_name(member, self.limits.max_name_len)?;
        if let Some(instance) = instance {
            check_name(instance, self.limits.max_name_len)?;
        }
        if streams.is_empty() {
            return Err(JoinGroupError::NoStreams);
        }
        if config.session_timeout == Duration::ZERO {
            return Err(JoinGroupError::InvalidConfig(
                "session_timeout must be above zero",
            ));
        }
        let mut ids: Vec<StreamId> = Vec::with_capacity(streams.len());
        for s in streams {
            ids.push(
                self.stream_side
                    .streams
                    .id_of(s)
                    .ok_or(JoinGroupError::UnknownStream)?,
            );
        }
        crate::sort::sort(&mut ids);
        ids.dedup();
        let existing = self.stream_side.groups.id_of(group);
        if let (Some(instance), Some(gid)) = (instance, existing)
            && let Some(previous) = self.stream_side.groups[&gid].instances.get(instance)
            && let Some(&old) = self.stream_side.groups[&gid].members.get(previous.as_str())
        {
            let previous = (old, previous.clone());
            return self.replace_static(now, gid, previous, member, instance, ids, config);
        }
        match existing.and_then(|g| self.stream_side.groups.get(&g)) {
            Some(g) => {
                if let Some(&id) = g.members.get(member) {
                    return Err(JoinGroupError::DuplicateMember(id));
                }
                // An empty group (one recovered from storage, or whose members all left)
                // takes the protocol and assignor of whoever joins first, as Kafka's does.
                if g.protocol != config.protocol && g.members.len() > 0 {
                    return Err(JoinGroupError::InconsistentProtocol {
                        group: g.protocol,
                        asked: config.protocol,
                    });
                }
                let classic = config.protocol == GroupProtocol::Classic;
                if classic && g.assignor != config.assignor && g.members.len() > 0 {
                    return Err(JoinGroupError::InconsistentAssignor {
                        group: g.assignor,
                        asked: config.assignor,
                    });
                }
                if g.members.len() >= self.limits.max_group_members {
                    return Err(LimitError {
                        kind: LimitKind::GroupMembers,
                        limit: self.limits.max_group_members,
                    }
                    .into());
                }
            }
            None => self
                .stream_side
                .groups
                .check_room(self.limits.max_groups, LimitKind::Groups)?,
        }
        self.check_consumer_limit()?;
        if self.limits.max_group_members == 0 {
            return Err(LimitError {
                kind: LimitKind::GroupMembers,
                limit: 0,
            }
            .into());
        }
        let mut counter = self.stream_side.next_consumer;
        let id = StreamConsumerId(next_id(&mut counter)?);
        let gid = match existing {
            Some(g) => {
                if let Some(group) = self.stream_side.groups.get_mut(&g)
                    && group.members.len() == 0
                {
                    group.assignor = config.assignor;
                    group.protocol = config.protocol;
                    group.server_assignor = config.server_assignor;
                }
                g
            }
            None => {
                let gid = self.stream_side.groups.peek_id()?;
                self.stream_side
                    .groups
                    .insert(gid, Group::new(gid, String::from(group), &config));
                self.out.emit(Event::GroupCreated { group: gid });
                gid
            }
        };
        self.stream_side.next_consumer = counter;
        self.stream_side.consumers.insert(
            id,
            member_consumer(member, gid, config, now, ids, VecMap::new(), Rejoin::Joined),
        );
        if let Some(g) = self.stream_side.groups.get_mut(&gid) {
            g.members.insert(String::from(member), id);
            if let Some(instance) = instance {
                g.instances
                    .insert(String::from(instance), String::from(member));
            }
        }
        self.out.emit(Event::MemberJoined {
            group: gid,
            member: id,
        });
        self.rebalance(gid, now, true);
        if self.stream_side.groups[&gid].protocol == GroupProtocol::Consumer {
            // Its join is its first heartbeat.
            self.reconcile(gid, id, now);
        }
        Ok(id)
    }

    /// A static member rejoins while its previous incarnation (`previous`) is still in the
    /// group: the new one takes its partitions, starting from the committed offsets, in the
    /// same generation. A changed subscription rebalances, as Kafka does when the protocol
    /// metadata changed.
    #[allow(clippy::too_many_arguments)]
    fn replace_static(
        &mut self,
        now: Instant,
        gid: GroupId,
        (old, previous): (StreamConsumerId, String),
        member: &str,
        instance: &str,
        streams: Vec<StreamId>,
        config: GroupConfig,
    ) -> Result<StreamConsumerId, JoinGroupError> {
        let g = &self.stream_side.groups[&gid];
        // Rejoining during a rebalance counts as this member's rejoin.
        let same = self
            .stream_side
            .consumers
            .get(&old)
            .is_some_and(|c| c.streams == streams);
        let rejoin = match g.state {
            GroupState::PreparingRebalance => Rejoin::Joined,
            _ if !same => Rejoin::Joined,
            _ => Rejoin::InSync,
        };
        if member != previous
            && let Some(&taken) = g.members.get(member)
        {
            return Err(JoinGroupError::DuplicateMember(taken));
        }
        if g.protocol == GroupProtocol::Classic && g.assignor != config.assignor {
            return Err(JoinGroupError::InconsistentAssignor {
                group: g.assignor,
                asked: config.assignor,
            });
        }
        let generation = g.generation;
        let mut counter = self.stream_side.next_consumer;
        let id = StreamConsumerId(next_id(&mut counter)?);
        self.stream_side.next_consumer = counter;
        let Some(before) = self.stream_side.consumers.remove(&old) else {
            return Err(JoinGroupError::DuplicateMember(old));
        };
        let rebalancing = g.state == GroupState::PreparingRebalance;
        let keeps = !rebalancing || g.assignor.is_cooperative();
        let mut positions = VecMap::new();
        if same && keeps {
            for sp in before.positions.keys() {
                positions.insert(*sp, self.start_position(gid, config.auto_offset_reset, *sp));
            }
        }
        let mut epoch = 0;
        if let Some(g) = self.stream_side.groups.get_mut(&gid) {
            g.members.remove(previous.as_str());
            g.members.insert(String::from(member), id);
            g.instances
                .insert(String::from(instance), String::from(member));
            // A consumer-protocol member takes its predecessor's target and epoch.
            if let Some(target) = g.target.remove(previous.as_str()) {
                g.target.insert(String::from(member), target);
            }
            epoch = before.membership.map_or(0, |m| m.epoch);
        }
        self.out.emit(Event::MemberLeft {
            group: gid,
            member: old,
            reason: LeaveReason::Fenced,
        });
        let mut consumer = member_consumer(member, gid, config, now, streams, positions, rejoin);
        if let Some(m) = &mut consumer.membership {
            m.epoch = epoch;
        }
        self.stream_side.consumers.insert(id, consumer);
        self.out.emit(Event::MemberJoined {
            group: gid,
            member: id,
        });
        if same {
            self.out.emit(Event::StaticMemberRejoined {
                group: gid,
                member: id,
                previous: old,
                generation,
            });
            if rebalancing {
                self.classic_rebalance(gid, now, false);
            }
        } else {
            self.rebalance(gid, now, true);
        }
        Ok(id)
    }

    /// Where a member starts on partition `sp` it newly owns: the group's committed offset
    /// while it is in the log, or where `reset` says.
    fn start_position(
        &self,
        gid: GroupId,
        reset: crate::stream::OffsetReset,
        sp: StreamPartition,
    ) -> Option<crate::ids::Offset> {
        let bounds = self
            .stream_side
            .log_of(sp)
            .and_then(|l| self.storage.bounds(l).ok());
        let committed = self
            .stream_side
            .groups
            .get(&gid)
            .and_then(|g| g.committed.get(&sp).copied());
        match (committed, bounds) {
            (Some(o), Some(b)) if o >= b.start && o <= b.end => Some(o),
            (Some(o), None) => Some(o),
            (_, Some(b)) => reset_position(reset, b),
            (None, None) => None,
        }
    }

    fn locate_member(
        &self,
        group: &str,
        member: &str,
    ) -> Result<(GroupId, StreamConsumerId), GroupError> {
        let gid = self
            .stream_side
            .groups
            .id_of(group)
            .ok_or(GroupError::UnknownGroup)?;
        let id = *self
            .stream_side
            .groups
            .get(&gid)
            .and_then(|g| g.members.get(member))
            .ok_or(GroupError::UnknownMember)?;
        Ok((gid, id))
    }

    /// Removes a member from its group and rebalances the others. Its uncommitted progress is
    /// lost: whoever gets its partitions resumes from the group's committed offsets.
    pub fn leave_group(
        &mut self,
        now: Instant,
        group: &str,
        member: &str,
    ) -> Result<(), GroupError> {
        let now = self.clock(now);
        let (gid, id) = self.locate_member(group, member)?;
        self.remove_member(gid, id, LeaveReason::Left);
        self.rebalance(gid, now, false);
        Ok(())
    }

    /// Deletes a group without members (`kafka-consumer-groups --delete`): its committed
    /// offsets are removed, it is reported `Dead` ([`Event::GroupStateChanged`]) and forgotten;
    /// a later join creates a new group of that name.
    ///
    /// Errors: unknown group; members in it (Kafka's `NON_EMPTY_GROUP`). On error nothing
    /// changes.
    pub fn delete_group(&mut self, now: Instant, group: &str) -> Result<(), DeleteGroupError> {
        self.clock(now);
        let gid = self
            .stream_side
            .groups
            .id_of(group)
            .ok_or(DeleteGroupError::UnknownGroup)?;
        let g = &self.stream_side.groups[&gid];
        if g.members.len() > 0 {
            return Err(DeleteGroupError::NotEmpty {
                members: g.members.len(),
            });
        }
        self.set_group_state(gid, GroupState::Dead);
        if let Some(g) = self.stream_side.groups.remove(&gid) {
            for key in g.commit_keys.values() {
                let _ = self.storage.delete_meta(key);
            }
            let _ = self
                .storage
                .delete_meta(&alloc::format!("group/{}/generation", g.name));
        }
        self.out.topology_changed = true;
        Ok(())
    }

    /// Tells the group a member is alive (polling does too). A member silent for its session
    /// timeout is evicted by [`handle_timeout`](Self::handle_timeout).
    ///
    /// The reply is what Kafka's heartbeat response says. In a classic group it is how a
    /// member learns of a rebalance ([`HeartbeatReply::RejoinNeeded`]): it rejoins with its
    /// next [`poll`](Self::poll), so call `heartbeat` every
    /// [`heartbeat_interval`](GroupConfig::heartbeat_interval), as Kafka's clients do from a
    /// background thread. In a consumer-protocol group each heartbeat reconciles the member
    /// with its target ([`HeartbeatReply::AssignmentChanged`] when its partitions changed).
    pub fn heartbeat(
        &mut self,
        now: Instant,
        group: &str,
        member: &str,
    ) -> Result<HeartbeatReply, GroupError> {
        let now = self.clock(now);
        let (gid, id) = self.locate_member(group, member)?;
        if let Some(m) = self
            .stream_side
            .consumers
            .get_mut(&id)
            .and_then(|c| c.membership.as_mut())
        {
            m.last_seen = now;
        }
        Ok(match self.stream_side.groups[&gid].protocol {
            GroupProtocol::Consumer => self.reconcile(gid, id, now),
            _ => self.classic_heartbeat(gid, id),
        })
    }

    fn remove_member(&mut self, gid: GroupId, id: StreamConsumerId, reason: LeaveReason) {
        if let Some(c) = self.stream_side.consumers.remove(&id)
            && let Some(g) = self.stream_side.groups.get_mut(&gid)
        {
            g.members.remove(&c.name);
            let instance = g
                .instances
                .iter()
                .find(|(_, m)| **m == c.name)
                .map(|(i, _)| i.clone());
            if let Some(instance) = instance {
                g.instances.remove(&instance);
            }
        }
        self.out.emit(Event::MemberLeft {
            group: gid,
            member: id,
            reason,
        });
    }

    /// Evicts every group member whose session deadline is at or before `now`, then
    /// rebalances each group that lost one.
    pub(super) fn evict_silent_members(&mut self, now: Instant) {
        let expired: Vec<(GroupId, StreamConsumerId)> = self
            .stream_side
            .consumers
            .iter()
            .filter_map(|(&id, c)| {
                c.membership
                    .filter(|m| m.deadline() <= now)
                    .map(|m| (m.group, id))
            })
            .collect();
        let mut groups: Vec<GroupId> = Vec::new();
        for (gid, id) in expired {
            self.remove_member(gid, id, LeaveReason::SessionTimeout);
            groups.push(gid);
        }
        crate::sort::sort(&mut groups);
        groups.dedup();
        for g in groups {
            self.rebalance(g, now, false);
        }
    }

    /// The membership or the subscribed partitions of `gid` changed (`added`: a member
    /// joined): a classic group rebalances, a consumer-protocol group moves to a new epoch.
    pub(super) fn rebalance(&mut self, gid: GroupId, now: Instant, added: bool) {
        match self.stream_side.groups.get(&gid).map(|g| g.protocol) {
            Some(GroupProtocol::Consumer) => self.consumer_rebalance(gid, now),
            Some(_) => self.classic_rebalance(gid, now, added),
            None => {}
        }
    }

    /// Runs the assignor for a new generation of `gid` and reports it. With
    /// cooperative-sticky, partitions that change owner are only revoked in this generation
    /// (`PartitionsRevoked`, then `Rebalanced` without them); returns the members that gave
    /// some up, which rejoin at once for a second rebalance that assigns them.
    pub(super) fn assign_generation(&mut self, gid: GroupId) -> Vec<StreamConsumerId> {
        let Some(g) = self.stream_side.groups.get(&gid) else {
            return Vec::new();
        };
        let input = self.assign_input(g, false);
        if g.assignor.is_cooperative() {
            let plan = cooperative_sticky::plan(&input);
            if plan.needs_second_assignment() || !plan.revoked.is_empty() {
                let revoking = plan
                    .revoked
                    .iter()
                    .filter(|(_, ps)| !ps.is_empty())
                    .filter_map(|(m, _)| g.members.get(m.as_str()).copied())
                    .collect();
                self.apply_assignment(gid, &plan.first, &plan.revoked);
                revoking
            } else {
                self.apply_assignment(gid, &plan.target, &BTreeMap::new());
                Vec::new()
            }
        } else {
            let assignment = g.assignor.assign(&input);
            self.apply_assignment(gid, &assignment, &BTreeMap::new());
            Vec::new()
        }
    }

    /// The assignor's input for `g`: its members (static ones with their instance id), what
    /// each owns (`from_target`: its current target instead, as the consumer protocol's
    /// server assignors take it), and the partition counts of their streams.
    pub(super) fn assign_input(&self, g: &Group, from_target: bool) -> AssignInput {
        let mut input = AssignInput::new();
        let mut stream_ids: Vec<StreamId> = Vec::new();
        for (name, id) in &g.members {
            let Some(c) = self.stream_side.consumers.get(id) else {
                continue;
            };
            let names = c
                .streams
                .iter()
                .filter_map(|s| self.stream_side.streams.get(s))
                .map(|s| s.name.clone());
            let instance = g.instances.iter().find(|(_, m)| *m == name);
            input = match instance {
                Some((instance, _)) => {
                    input.with_static_member(name.as_str(), instance.as_str(), names)
                }
                None => input.with_member(name.as_str(), names),
            };
            let owned: Vec<StreamPartition> = if from_target {
                g.target.get(name).cloned().unwrap_or_default()
            } else {
                c.positions.keys().copied().collect()
            };
            let owned = owned.into_iter().filter_map(|sp| {
                let s = self.stream_side.streams.get(&sp.stream)?;
                Some(TopicPartition::new(s.name.clone(), sp.partition.0))
            });
            input = input.with_owned(name.as_str(), owned);
            stream_ids.extend_from_slice(&c.streams);
        }
        crate::sort::sort(&mut stream_ids);
        stream_ids.dedup();
        for s in &stream_ids {
            if let Some(s) = self.stream_side.streams.get(s) {
                input = input.with_stream(s.name.clone(), s.partition_count());
            }
        }
        input
    }

    /// `member`'s partitions in `assignment`, sorted.
    pub(super) fn partitions_of(
        &self,
        assignment: &Assignment,
        member: &str,
    ) -> Vec<StreamPartition> {
        let mut parts: Vec<StreamPartition> = assignment
            .get(member)
            .unwrap_or_default()
            .iter()
            .filter_map(|tp| self.to_stream_partition(tp))
            .collect();
        crate::sort::sort(&mut parts);
        parts
    }

    fn to_stream_partition(&self, tp: &TopicPartition) -> Option<StreamPartition> {
        let id = self.stream_side.streams.id_of(tp.stream.as_str())?;
        Some(StreamPartition {
            stream: id,
            partition: tp.partition,
        })
    }

    /// Bumps the generation, reports revocations, gives every member its partitions and
    /// reports the assignment.
    fn apply_assignment(
        &mut self,
        gid: GroupId,
        assignment: &Assignment,
        revoked: &BTreeMap<MemberId, Vec<TopicPartition>>,
    ) {
        let Some(g) = self.stream_side.groups.get(&gid) else {
            return;
        };
        let generation = g.generation.wrapping_add(1);
        type Positions = VecMap<StreamPartition, Option<crate::ids::Offset>>;
        let mut plan: Vec<(StreamConsumerId, Vec<StreamPartition>, Positions)> =
            Vec::with_capacity(g.members.len());
        let mut revocations: Vec<(StreamConsumerId, Vec<StreamPartition>)> = Vec::new();
        for (name, &id) in &g.members {
            let parts = self.partitions_of(assignment, name);
            let mut positions = VecMap::new();
            if let Some(c) = self.stream_side.consumers.get(&id) {
                for sp in &parts {
                    // A partition the member keeps keeps its position.
                    let pos = match c.positions.get(sp) {
                        Some(&pos) => pos,
                        None => self.start_position(gid, c.reset, *sp),
                    };
                    positions.insert(*sp, pos);
                }
            }
            plan.push((id, parts, positions));
            if let Some(gone) = revoked.get(name.as_str()) {
                let mut gone: Vec<StreamPartition> = gone
                    .iter()
                    .filter_map(|tp| self.to_stream_partition(tp))
                    .collect();
                crate::sort::sort(&mut gone);
                revocations.push((id, gone));
            }
        }
        let Some(g) = self.stream_side.groups.get_mut(&gid) else {
            return;
        };
        g.generation = generation;
        for (member, partitions) in revocations {
            self.out.emit(Event::PartitionsRevoked {
                group: gid,
                generation,
                member,
                partitions,
            });
        }
        let mut report = Vec::with_capacity(plan.len());
        for (id, new, positions) in plan {
            let Some(c) = self.stream_side.consumers.get_mut(&id) else {
                continue;
            };
            c.positions = positions;
            c.next = 0;
            report.push(MemberAssignment {
                member: id,
                partitions: new,
            });
        }
        let _ = self.storage.put_meta(
            &alloc::format!("group/{}/generation", g.name),
            &generation.to_le_bytes(),
        );
        self.out.emit(Event::Rebalanced {
            group: gid,
            generation,
            assignment: report,
        });
    }
}

/// The stream consumer of a group member that joins `gid` now.
fn member_consumer(
    member: &str,
    gid: GroupId,
    config: GroupConfig,
    now: Instant,
    streams: Vec<StreamId>,
    positions: VecMap<StreamPartition, Option<crate::ids::Offset>>,
    rejoin: Rejoin,
) -> StreamConsumer {
    StreamConsumer {
        name: String::from(member),
        membership: Some(Membership {
            group: gid,
            session_timeout: config.session_timeout,
            last_seen: now,
            rebalance_timeout: config.rebalance_timeout,
            initial_delay: config.initial_rebalance_delay,
            rejoin,
            epoch: 0,
        }),
        reset: config.auto_offset_reset,
        streams,
        positions,
        polled_end: VecMap::new(),
        next: 0,
    }
}
