//! The groups' account: members, generations, who owns what, and commits. A generation
//! follows the one before by one; in each, a partition has at most one owner, every member
//! is in the assignment, and while the group has members every partition of its streams is
//! owned (checked at the end of each step, when a cooperative rebalance has finished both of
//! its generations). A commit must come from a member that owns the partition in the current
//! generation, reach no further than the log end, and report the previous offset the account
//! holds. A member's new partition starts at the group's committed offset, or where the
//! reset says when there is none (the readers' account checks it from there). The broker's
//! generation, assignment and committed offsets must match.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::ctx::Ctx;
use super::readers::Readers;
use super::streams::Streams;
use super::violation::{Rule, Violation};
use crate::event::Event;
use crate::group::MemberAssignment;
use crate::ids::{GroupId, StreamConsumerId, StreamId};
use crate::sim::scenario::OffsetResetSpec;
use crate::storage::Storage;
use crate::stream::StreamPartition;

/// One group's account.
#[derive(Debug, Clone)]
pub(super) struct GroupBook {
    pub(super) name: String,
    reset: Option<OffsetResetSpec>,
    streams: Vec<StreamId>,
    pub(super) generation: u32,
    pub(super) members: BTreeSet<StreamConsumerId>,
    pub(super) owners: BTreeMap<StreamConsumerId, Vec<StreamPartition>>,
    pub(super) committed: BTreeMap<StreamPartition, u64>,
    /// Offsets committed since the last flush, per partition.
    pub(super) since_flush: BTreeMap<StreamPartition, Vec<u64>>,
}

/// Every group.
#[derive(Debug, Clone, Default)]
pub(super) struct Groups {
    pub(super) books: BTreeMap<GroupId, GroupBook>,
}

fn v(rule: Rule, now: u64, detail: String) -> Violation {
    Violation::new(rule, now, detail)
}

impl Groups {
    pub(super) fn on_event<S: Storage>(
        &mut self,
        cx: &Ctx<'_, S>,
        streams: &Streams,
        readers: &mut Readers,
        e: &Event,
    ) -> Result<(), Violation> {
        let now = cx.now;
        match e {
            Event::GroupCreated { group } => {
                let name = cx
                    .broker
                    .group_name(*group)
                    .map_or_else(|| format!("{group}"), String::from);
                let (reset, names) = cx.specs.group(&name).unzip();
                let streams = names
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|s| cx.broker.stream_id(s))
                    .collect();
                self.books.insert(
                    *group,
                    GroupBook {
                        name,
                        reset,
                        streams,
                        generation: 0,
                        members: BTreeSet::new(),
                        owners: BTreeMap::new(),
                        committed: BTreeMap::new(),
                        since_flush: BTreeMap::new(),
                    },
                );
            }
            Event::GroupStateChanged {
                group,
                to: crate::group::GroupState::Dead,
                ..
            } => {
                let g = self.book(cx, *group)?;
                if !g.members.is_empty() {
                    return Err(v(
                        Rule::GroupOwnership,
                        now,
                        format!("{} was deleted with {} members", g.name, g.members.len()),
                    )
                    .entity(g.name.clone()));
                }
                self.books.remove(group);
            }
            Event::MemberJoined { group, member } => {
                let g = self.book(cx, *group)?;
                g.members.insert(*member);
                g.owners.entry(*member).or_default();
            }
            Event::MemberLeft { group, member, .. } => {
                let g = self.book(cx, *group)?;
                g.members.remove(member);
                g.owners.remove(member);
            }
            Event::PartitionsRevoked {
                group,
                generation,
                member,
                partitions,
            } => {
                let g = self.book(cx, *group)?;
                let owned = g.owners.entry(*member).or_default();
                // Eager members give up everything when they rejoin (current generation), a
                // cooperative assignment revokes in the new one, a consumer-protocol member
                // in the epoch it had.
                if *generation > g.generation.wrapping_add(1)
                    || partitions.iter().any(|p| !owned.contains(p))
                {
                    return Err(v(
                        Rule::GroupOwnership,
                        now,
                        format!(
                            "{}: {} revoked {partitions:?} in generation {generation} (account: \
                             generation {}, owns {owned:?})",
                            g.name,
                            cx.reader(*member),
                            g.generation
                        ),
                    )
                    .entity(g.name.clone()));
                }
                owned.retain(|p| !partitions.contains(p));
                readers.revoke(*member, partitions);
            }
            Event::Rebalanced {
                group,
                generation,
                assignment,
            } => self.rebalanced(cx, streams, readers, *group, *generation, assignment)?,
            Event::TargetAssignmentChanged { group, epoch, .. } => {
                let g = self.book(cx, *group)?;
                if *epoch != g.generation.wrapping_add(1) {
                    return Err(v(
                        Rule::GroupOwnership,
                        now,
                        format!("{}: epoch {epoch} follows {}", g.name, g.generation),
                    )
                    .entity(g.name.clone()));
                }
                g.generation = *epoch;
            }
            Event::MemberAssigned {
                group,
                member,
                epoch,
                partitions,
                ..
            } => {
                self.member_assigned(cx, streams, readers, *group, (*member, *epoch), partitions)?
            }
            Event::Committed {
                group,
                member,
                partition,
                offset,
                previous,
            } => {
                let end = streams.end(*partition).unwrap_or(0);
                let g = self.book(cx, *group)?;
                let owns = g
                    .owners
                    .get(member)
                    .is_some_and(|ps| ps.contains(partition));
                let before = g.committed.get(partition).copied();
                if !g.members.contains(member) || !owns || previous.map(|o| o.0) != before {
                    return Err(v(
                        Rule::GroupCommits,
                        now,
                        format!(
                            "{}: {} committed {} in {} without owning it in generation {} (or \
                             the previous offset {previous:?} is not {before:?})",
                            g.name,
                            cx.reader(*member),
                            offset.0,
                            cx.partition(*partition),
                            g.generation
                        ),
                    )
                    .entity(g.name.clone()));
                }
                if offset.0 > end {
                    return Err(v(
                        Rule::StreamPositions,
                        now,
                        format!(
                            "{}: commit {} in {} beyond the end {end}",
                            g.name,
                            offset.0,
                            cx.partition(*partition)
                        ),
                    )
                    .entity(g.name.clone()));
                }
                g.committed.insert(*partition, offset.0);
                g.since_flush.entry(*partition).or_default().push(offset.0);
            }
            _ => {}
        }
        Ok(())
    }

    fn book<S: Storage>(
        &mut self,
        cx: &Ctx<'_, S>,
        group: GroupId,
    ) -> Result<&mut GroupBook, Violation> {
        self.books.get_mut(&group).ok_or_else(|| {
            v(
                Rule::GroupOwnership,
                cx.now,
                format!("an event names {group}, which was never created"),
            )
        })
    }

    fn rebalanced<S: Storage>(
        &mut self,
        cx: &Ctx<'_, S>,
        streams: &Streams,
        readers: &mut Readers,
        group: GroupId,
        generation: u32,
        assignment: &[MemberAssignment],
    ) -> Result<(), Violation> {
        let now = cx.now;
        let g = self.book(cx, group)?;
        let fail = |d: String| v(Rule::GroupOwnership, now, d).entity(g.name.clone());
        if generation != g.generation.wrapping_add(1) {
            return Err(fail(format!(
                "{}: generation {generation} follows {}",
                g.name, g.generation
            )));
        }
        let listed: BTreeSet<StreamConsumerId> = assignment.iter().map(|a| a.member).collect();
        if listed != g.members || listed.len() != assignment.len() {
            return Err(fail(format!(
                "{}: generation {generation} assigns {} members; the group has {}",
                g.name,
                assignment.len(),
                g.members.len()
            )));
        }
        let mut seen = BTreeSet::new();
        for a in assignment {
            for &p in &a.partitions {
                let count = streams.counts.get(&p.stream).copied().unwrap_or(0);
                if !g.streams.contains(&p.stream) || p.partition.0 >= count {
                    return Err(fail(format!(
                        "{}: generation {generation} assigns {}, not a partition of its streams",
                        g.name,
                        cx.partition(p)
                    )));
                }
                if !seen.insert(p) {
                    return Err(fail(format!(
                        "{}: generation {generation} gives {} to two members",
                        g.name,
                        cx.partition(p)
                    )));
                }
            }
        }
        g.generation = generation;
        let reset = g.reset;
        for a in assignment {
            let committed = &g.committed;
            readers.assign(a.member, &a.partitions, |p| {
                let start = streams.start(p).unwrap_or(0);
                let end = streams.end(p).unwrap_or(0);
                Readers::resume(reset, committed.get(&p).copied(), start, end)
            });
            g.owners.insert(a.member, a.partitions.clone());
        }
        Ok(())
    }

    /// A consumer-protocol member's partitions after its heartbeat: in the group epoch, of
    /// its streams, and none owned by another member.
    fn member_assigned<S: Storage>(
        &mut self,
        cx: &Ctx<'_, S>,
        streams: &Streams,
        readers: &mut Readers,
        group: GroupId,
        (member, epoch): (StreamConsumerId, u32),
        partitions: &[StreamPartition],
    ) -> Result<(), Violation> {
        let now = cx.now;
        let g = self.book(cx, group)?;
        let fail = |d: String| v(Rule::GroupOwnership, now, d).entity(g.name.clone());
        if epoch != g.generation {
            return Err(fail(format!(
                "{}: {} reconciled to epoch {epoch}; the group is at {}",
                g.name,
                cx.reader(member),
                g.generation
            )));
        }
        for &p in partitions {
            let count = streams.counts.get(&p.stream).copied().unwrap_or(0);
            let taken = g
                .owners
                .iter()
                .any(|(&m, ps)| m != member && ps.contains(&p));
            if !g.streams.contains(&p.stream) || p.partition.0 >= count || taken {
                return Err(fail(format!(
                    "{}: {} got {}, not a free partition of its streams",
                    g.name,
                    cx.reader(member),
                    cx.partition(p)
                )));
            }
        }
        let reset = g.reset;
        let committed = &g.committed;
        readers.assign(member, partitions, |p| {
            let start = streams.start(p).unwrap_or(0);
            let end = streams.end(p).unwrap_or(0);
            Readers::resume(reset, committed.get(&p).copied(), start, end)
        });
        g.owners.insert(member, partitions.to_vec());
        Ok(())
    }

    /// Ownership complete while there are members and the group is stable; the broker's
    /// view agrees.
    pub(super) fn end_step<S: Storage>(
        &self,
        cx: &Ctx<'_, S>,
        streams: &Streams,
    ) -> Result<(), Violation> {
        let now = cx.now;
        for (&gid, g) in &self.books {
            let fail = |rule: Rule, d: String| v(rule, now, d).entity(g.name.clone());
            let generation = cx.broker.group_generation(gid);
            if generation != Some(g.generation) {
                return Err(fail(
                    Rule::GroupOwnership,
                    format!(
                        "{}: the broker is at generation {generation:?}, the account at {}",
                        g.name, g.generation
                    ),
                ));
            }
            let mut owned = BTreeSet::new();
            for ps in g.owners.values() {
                owned.extend(ps.iter().copied());
            }
            let stable = cx.broker.group_state(gid) == Some(crate::group::GroupState::Stable);
            if stable && !g.members.is_empty() {
                for &s in &g.streams {
                    let count = streams.counts.get(&s).copied().unwrap_or(0);
                    for p in 0..count {
                        let sp = StreamPartition::new(s, p);
                        if !owned.contains(&sp) {
                            return Err(fail(
                                Rule::GroupOwnership,
                                format!(
                                    "{}: {} has no owner in generation {} though the group has \
                                     {} members",
                                    g.name,
                                    cx.partition(sp),
                                    g.generation,
                                    g.members.len()
                                ),
                            ));
                        }
                    }
                }
            }
            let theirs: BTreeMap<StreamConsumerId, Vec<StreamPartition>> = cx
                .broker
                .group_assignment(gid)
                .into_iter()
                .map(|a| (a.member, a.partitions))
                .collect();
            let mine: BTreeMap<StreamConsumerId, Vec<StreamPartition>> = g
                .owners
                .iter()
                .map(|(&m, ps)| {
                    let mut ps = ps.clone();
                    crate::sort::sort(&mut ps);
                    (m, ps)
                })
                .collect();
            if theirs != mine {
                return Err(fail(
                    Rule::GroupOwnership,
                    format!(
                        "{}: the broker's assignment {theirs:?} differs from the account's {mine:?}",
                        g.name
                    ),
                ));
            }
            for &s in &g.streams {
                let count = streams.counts.get(&s).copied().unwrap_or(0);
                for p in 0..count {
                    let sp = StreamPartition::new(s, p);
                    let theirs = cx.broker.committed(gid, sp).map(|o| o.0);
                    let mine = g.committed.get(&sp).copied();
                    if theirs != mine {
                        return Err(fail(
                            Rule::GroupCommits,
                            format!(
                                "{}: {} committed at {theirs:?} in the broker, {mine:?} in the \
                                 account",
                                g.name,
                                cx.partition(sp)
                            ),
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}
