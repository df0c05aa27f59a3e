//! Consumer groups on the broker: join, leave, heartbeat, session-timeout eviction,
//! rebalancing into generations, and commits (pattern E).

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

use super::streams::{StreamConsumer, reset_position};
use super::{Broker, next_id};
use crate::common_error::{LimitError, LimitKind, check_name};
use crate::event::Event;
use crate::group::assign::{AssignInput, Assignment, MemberId, TopicPartition, cooperative_sticky};
use crate::group::{CommitError, GroupError, JoinGroupError};
use crate::group::{
    Group, GroupConfig, GroupPartitionInfo, LeaveReason, MemberAssignment, Membership,
};
use crate::ids::{GroupId, Offset, StreamConsumerId, StreamId};
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
        let now = self.clock(now);
        check_name(group, self.limits.max_name_len)?;
        check_name(member, self.limits.max_name_len)?;
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
        match existing.and_then(|g| self.stream_side.groups.get(&g)) {
            Some(g) => {
                if let Some(&id) = g.members.get(member) {
                    return Err(JoinGroupError::DuplicateMember(id));
                }
                // An empty group (one recovered from storage, or whose members all left)
                // takes the assignor of whoever joins first, as Kafka's does.
                if g.assignor != config.assignor && g.members.len() > 0 {
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
                }
                g
            }
            None => {
                let gid = self.stream_side.groups.peek_id()?;
                self.stream_side
                    .groups
                    .insert(gid, Group::new(gid, String::from(group), config.assignor));
                self.out.emit(Event::GroupCreated { group: gid });
                gid
            }
        };
        self.stream_side.next_consumer = counter;
        self.stream_side.consumers.insert(
            id,
            StreamConsumer {
                name: String::from(member),
                membership: Some(Membership {
                    group: gid,
                    session_timeout: config.session_timeout,
                    last_seen: now,
                }),
                reset: config.auto_offset_reset,
                streams: ids,
                positions: VecMap::new(),
                polled_end: VecMap::new(),
                next: 0,
            },
        );
        if let Some(g) = self.stream_side.groups.get_mut(&gid) {
            g.members.insert(String::from(member), id);
        }
        self.out.emit(Event::MemberJoined {
            group: gid,
            member: id,
        });
        self.rebalance(gid, now);
        Ok(id)
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
        self.rebalance(gid, now);
        Ok(())
    }

    /// Tells the group a member is alive (polling does too). A member silent for its session
    /// timeout is evicted by [`handle_timeout`](Self::handle_timeout).
    pub fn heartbeat(&mut self, now: Instant, group: &str, member: &str) -> Result<(), GroupError> {
        let now = self.clock(now);
        let (_, id) = self.locate_member(group, member)?;
        if let Some(m) = self
            .stream_side
            .consumers
            .get_mut(&id)
            .and_then(|c| c.membership.as_mut())
        {
            m.last_seen = now;
        }
        Ok(())
    }

    fn remove_member(&mut self, gid: GroupId, id: StreamConsumerId, reason: LeaveReason) {
        if let Some(c) = self.stream_side.consumers.remove(&id)
            && let Some(g) = self.stream_side.groups.get_mut(&gid)
        {
            g.members.remove(&c.name);
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
            self.rebalance(g, now);
        }
    }

    /// Starts a new generation of `gid` with the assignor's assignment and reports it. With
    /// cooperative-sticky, partitions that change owner are first revoked in one generation
    /// (`PartitionsRevoked`, then `Rebalanced` without them) and assigned in the next.
    pub(super) fn rebalance(&mut self, gid: GroupId, _now: Instant) {
        let Some(g) = self.stream_side.groups.get(&gid) else {
            return;
        };
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
            input = input.with_member(name.as_str(), names);
            let owned = c.positions.keys().filter_map(|sp| {
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
        if g.assignor.is_cooperative() {
            let plan = cooperative_sticky::plan(&input);
            let two_steps = plan.needs_second_assignment();
            if two_steps || !plan.revoked.is_empty() {
                self.apply_assignment(gid, &plan.first, &plan.revoked);
            }
            if two_steps || plan.revoked.is_empty() {
                self.apply_assignment(gid, &plan.target, &BTreeMap::new());
            }
        } else {
            let assignment = g.assignor.assign(&input);
            self.apply_assignment(gid, &assignment, &BTreeMap::new());
        }
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
        let mut plan: Vec<(StreamConsumerId, Vec<StreamPartition>)> =
            Vec::with_capacity(g.members.len());
        let mut revocations: Vec<(StreamConsumerId, Vec<StreamPartition>)> = Vec::new();
        for (name, &id) in &g.members {
            let mut parts: Vec<StreamPartition> = assignment
                .get(name)
                .unwrap_or_default()
                .iter()
                .filter_map(|tp| self.to_stream_partition(tp))
                .collect();
            crate::sort::sort(&mut parts);
            plan.push((id, parts));
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
        for (id, new) in plan {
            let Some(c) = self.stream_side.consumers.get_mut(&id) else {
                continue;
            };
            let mut positions = VecMap::new();
            for sp in &new {
                let pos = match c.positions.get(sp) {
                    // A partition the member keeps keeps its position.
                    Some(&pos) => pos,
                    None => {
                        let log = self
                            .stream_side
                            .streams
                            .get(&sp.stream)
                            .and_then(|s| s.parts.get(sp.partition.0 as usize))
                            .map(|p| p.log);
                        let bounds = log.and_then(|l| self.storage.bounds(l).ok());
                        match (g.committed.get(sp), bounds) {
                            (Some(&o), Some(b)) if o >= b.start && o <= b.end => Some(o),
                            (Some(&o), None) => Some(o),
                            (_, Some(b)) => reset_position(c.reset, b),
                            (None, None) => None,
                        }
                    }
                };
                positions.insert(*sp, pos);
            }
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

    /// Commits offsets for partitions the member owns, as of generation `generation`: the
    /// group resumes from them after a crash or a rebalance. An offset is the next one to
    /// read (Kafka's convention), so committing `o` means everything below `o` is processed.
    /// Each commit is reported as `Committed` with the previous value and stored in storage
    /// metadata under `group/<group>/<stream>/<partition>`.
    ///
    /// Errors: unknown group or member, an old generation (`IllegalGeneration`), a partition
    /// the member does not own, an offset beyond the log end. On error nothing is committed.
    pub fn commit(
        &mut self,
        now: Instant,
        group: &str,
        member: &str,
        generation: u32,
        offsets: &[(StreamPartition, Offset)],
    ) -> Result<(), CommitError> {
        let now = self.clock(now);
        // One lookup each for the group, the member and its consumer state.
        let st = &mut self.stream_side;
        let gid = st.groups.id_of(group).ok_or(CommitError::UnknownGroup)?;
        let g = st.groups.get_mut(&gid).ok_or(CommitError::UnknownMember)?;
        let id = *g.members.get(member).ok_or(CommitError::UnknownMember)?;
        if generation != g.generation {
            return Err(CommitError::IllegalGeneration {
                given: generation,
                current: g.generation,
            });
        }
        let c = st
            .consumers
            .get_mut(&id)
            .ok_or(CommitError::UnknownMember)?;
        for &(sp, offset) in offsets {
            if !c.positions.contains_key(&sp) {
                return Err(CommitError::NotAssigned(sp));
            }
            let end = st
                .streams
                .get(&sp.stream)
                .and_then(|s| s.parts.get(sp.partition.0 as usize))
                .and_then(|p| self.storage.bounds(p.log).ok())
                .map_or(Offset(0), |b| b.end);
            if offset > end {
                return Err(CommitError::BeyondEnd {
                    partition: sp,
                    offset,
                    end,
                });
            }
        }
        if let Some(m) = c.membership.as_mut() {
            m.last_seen = now;
        }
        for &(sp, offset) in offsets {
            let previous = g.committed.insert(sp, offset);
            let streams = &st.streams;
            let key = g.commit_keys.get_or_insert_with(sp, || {
                let stream = streams.get(&sp.stream).map_or("", |s| &s.name);
                alloc::format!("group/{}/{}/{}", g.name, stream, sp.partition)
            });
            let _ = self.storage.put_meta(key, &offset.0.to_le_bytes());
            self.out.emit(Event::Committed {
                group: gid,
                member: id,
                partition: sp,
                offset,
                previous,
            });
        }
        Ok(())
    }

    /// Commits the member's current position in every partition it owns that has one (Kafka's
    /// `commitSync()` without arguments), in the current generation. Returns what was
    /// committed.
    pub fn commit_positions(
        &mut self,
        now: Instant,
        group: &str,
        member: &str,
    ) -> Result<Vec<(StreamPartition, Offset)>, CommitError> {
        let (gid, id) = self.locate_member(group, member).map_err(|e| match e {
            GroupError::UnknownGroup => CommitError::UnknownGroup,
            _ => CommitError::UnknownMember,
        })?;
        let generation = self.stream_side.groups[&gid].generation;
        let offsets: Vec<(StreamPartition, Offset)> = self.stream_side.consumers[&id]
            .positions
            .iter()
            .filter_map(|(sp, pos)| pos.map(|o| (*sp, o)))
            .collect();
        self.commit(now, group, member, generation, &offsets)?;
        Ok(offsets)
    }

    // ----- lookups -----

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
