//! Share groups on the broker (Kafka's KIP-932): create, join, leave, crash, fetch and
//! acknowledge, lock expiry through [`Broker::handle_timeout`]; read-only answers in
//! `lookup.rs`. The state machine of one partition is [`crate::share::SharePartition`]; this
//! file wires it to the streams, the storage and the events.
//!
//! A share group reads a set of streams. Partitions are assigned on the server side by
//! Kafka's `SimpleAssignor`: every member is assigned every partition of the group's streams,
//! so more members than partitions all get work, and what one member takes another does not:
//! the records are shared, each acquired by one member at a time. A share-partition is
//! initialized when the group first fetches from it, at the log start or end as the group's
//! `auto_offset_reset` says; retention that moved the log start is caught up at each fetch.
//! Members have no session of their own here: a member that stops fetching loses its records
//! when their locks expire, and leaves (or crashes) when the caller says so.

mod lookup;

use alloc::string::String;
use alloc::vec::Vec;

use super::streams::PollOut;
use super::{Broker, next_id};
use crate::common_error::{LimitError, LimitKind, check_name};
use crate::event::Event;
use crate::ids::{Offset, ShareGroupId, ShareMemberId, StreamId};
use crate::outbox::Out;
use crate::registry::{Named, Registry};
use crate::share::{
    AcknowledgeType, AcquiredRecord, CreateShareGroupError, JoinShareGroupError, ReleaseReason,
    ShareAcknowledgeError, ShareChange, ShareGroupConfig, ShareMemberError, ShareOffsetReset,
    SharePartition,
};
use crate::storage::{Storage, StorageError};
use crate::stream::{StreamPartition, StreamRecord};
use crate::time::Instant;
use crate::vec_map::VecMap;

/// A share group: its streams, settings, members and the share-partitions it has read.
#[derive(Clone, Debug)]
pub(crate) struct ShareGroup {
    pub(crate) name: String,
    pub(crate) config: ShareGroupConfig,
    /// The streams it reads, sorted.
    pub(crate) streams: Vec<StreamId>,
    /// Members by member id.
    pub(crate) members: VecMap<String, ShareMemberId>,
    /// The partitions fetched from so far (initialized on first fetch).
    pub(crate) partitions: VecMap<StreamPartition, SharePartition>,
}

impl Named for ShareGroup {
    fn name(&self) -> &str {
        &self.name
    }
}

/// A member of a share group.
#[derive(Clone, Debug)]
pub(crate) struct ShareMember {
    pub(crate) name: String,
    pub(crate) group: ShareGroupId,
    /// Where its next fetch starts among the group's partitions (round-robin fairness).
    pub(crate) next: usize,
}

/// Everything the broker keeps for share groups.
#[derive(Clone, Debug)]
pub(crate) struct ShareSide {
    pub(crate) groups: Registry<ShareGroupId, ShareGroup>,
    pub(crate) members: VecMap<ShareMemberId, ShareMember>,
    pub(crate) next_member: u32,
    /// Scratch for the changes of one operation (empty between calls).
    changes: Vec<ShareChange>,
}

impl ShareSide {
    pub(crate) fn new() -> Self {
        ShareSide {
            groups: Registry::new(),
            members: VecMap::new(),
            next_member: 1,
            changes: Vec::new(),
        }
    }

    /// The earliest record lock deadline of any share group.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.groups
            .values()
            .flat_map(|g| g.partitions.values())
            .filter_map(SharePartition::next_deadline)
            .min()
    }
}

/// Reports one operation's changes on `partition` of `group` as events (all but
/// `Acquired`, which the fetch reports with the record's message).
fn report(out: &mut Out, group: ShareGroupId, partition: StreamPartition, changes: &[ShareChange]) {
    for c in changes {
        out.emit(match *c {
            ShareChange::Acquired { .. } => continue,
            ShareChange::Acknowledged {
                offset,
                member,
                kind,
            } => Event::ShareAcknowledged {
                group,
                member,
                partition,
                offset,
                kind,
            },
            ShareChange::LockExpired { offset, member } => Event::ShareLockExpired {
                group,
                member,
                partition,
                offset,
            },
            ShareChange::Released {
                offset,
                member,
                reason,
            } => Event::ShareReleased {
                group,
                member,
                partition,
                offset,
                reason,
            },
            ShareChange::Archived {
                offset,
                delivery_count,
                reason,
            } => Event::ShareArchived {
                group,
                partition,
                offset,
                delivery_count,
                reason,
            },
            ShareChange::StartMoved { start, previous } => Event::ShareStartMoved {
                group,
                partition,
                start,
                previous,
            },
        });
    }
}

impl<S: Storage> Broker<S> {
    /// Creates share group `group` reading `streams` (Kafka's KIP-932 share group, "queues
    /// for Kafka"): members that join share the records of every partition of these
    /// streams, each record acquired by one member at a time and settled by that member.
    /// Reported as [`Event::ShareGroupCreated`]. Share groups are independent of each other
    /// and of consumer groups: each reads every record.
    ///
    /// Errors: an invalid or taken name, no or unknown streams, a setting out of range
    /// ([`ShareGroupConfig::validate`], `max_record_locks` above
    /// [`Limits::max_share_record_locks`](crate::Limits)),
    /// [`Limits::max_share_groups`](crate::Limits). On error nothing changes.
    pub fn create_share_group(
        &mut self,
        now: Instant,
        group: &str,
        streams: &[&str],
        config: ShareGroupConfig,
    ) -> Result<ShareGroupId, CreateShareGroupError> {
        self.clock(now);
        config
            .validate()
            .map_err(CreateShareGroupError::InvalidConfig)?;
        if config.max_record_locks > self.limits.max_share_record_locks {
            return Err(CreateShareGroupError::InvalidConfig(
                "max_record_locks is above Limits::max_share_record_locks",
            ));
        }
        self.share_side
            .groups
            .check_vacant(group, self.limits.max_name_len)
            .map_err(|t| match t {
                crate::registry::Taken::Invalid(e) => CreateShareGroupError::InvalidName(e),
                crate::registry::Taken::Exists(id) => CreateShareGroupError::AlreadyExists(id),
            })?;
        if streams.is_empty() {
            return Err(CreateShareGroupError::NoStreams);
        }
        let mut ids = Vec::with_capacity(streams.len());
        for s in streams {
            ids.push(
                self.stream_side
                    .streams
                    .id_of(s)
                    .ok_or(CreateShareGroupError::UnknownStream)?,
            );
        }
        crate::sort::sort(&mut ids);
        ids.dedup();
        self.share_side
            .groups
            .check_room(self.limits.max_share_groups, LimitKind::ShareGroups)?;
        let id = self.share_side.groups.peek_id()?;
        self.share_side.groups.insert(
            id,
            ShareGroup {
                name: String::from(group),
                config,
                streams: ids,
                members: VecMap::new(),
                partitions: VecMap::new(),
            },
        );
        let partitions = self.share_group_partitions(id);
        self.out.emit(Event::ShareGroupCreated {
            group: id,
            partitions,
        });
        Ok(id)
    }

    /// Every partition of `group`'s streams, sorted: what Kafka's `SimpleAssignor` assigns
    /// to each member of a share group.
    pub(super) fn share_group_partitions(&self, group: ShareGroupId) -> Vec<StreamPartition> {
        let Some(g) = self.share_side.groups.get(&group) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for &s in &g.streams {
            if let Some(stream) = self.stream_side.streams.get(&s) {
                for p in 0..stream.partition_count() {
                    out.push(StreamPartition::new(s, p));
                }
            }
        }
        out
    }

    /// Adds member `member` to share group `group` and returns its id, which
    /// [`share_fetch`](Self::share_fetch) and [`share_acknowledge`](Self::share_acknowledge)
    /// take. Reported as [`Event::ShareMemberJoined`] with its assignment: every partition of
    /// the group's streams (Kafka's `SimpleAssignor`). Member ids are strings the caller
    /// chooses, unique within the group.
    ///
    /// Errors: an unknown group, an invalid or duplicate member id,
    /// [`Limits::max_share_group_members`](crate::Limits). On error nothing changes.
    pub fn join_share_group(
        &mut self,
        now: Instant,
        group: &str,
        member: &str,
    ) -> Result<ShareMemberId, JoinShareGroupError> {
        self.clock(now);
        check_name(member, self.limits.max_name_len)?;
        let gid = self
            .share_side
            .groups
            .id_of(group)
            .ok_or(JoinShareGroupError::UnknownGroup)?;
        let g = &self.share_side.groups[&gid];
        if let Some(&id) = g.members.get(member) {
            return Err(JoinShareGroupError::DuplicateMember(id));
        }
        if g.members.len() >= self.limits.max_share_group_members {
            return Err(LimitError {
                kind: LimitKind::ShareGroupMembers,
                limit: self.limits.max_share_group_members,
            }
            .into());
        }
        let id = ShareMemberId(next_id(&mut self.share_side.next_member)?);
        self.share_side.members.insert(
            id,
            ShareMember {
                name: String::from(member),
                group: gid,
                next: 0,
            },
        );
        if let Some(g) = self.share_side.groups.get_mut(&gid) {
            g.members.insert(String::from(member), id);
        }
        let partitions = self.share_group_partitions(gid);
        self.out.emit(Event::ShareMemberJoined {
            group: gid,
            member: id,
            partitions,
        });
        Ok(id)
    }

    /// Member `member` leaves its share group: every record it holds is released (available
    /// again, or archived at the delivery limit), then [`Event::ShareMemberLeft`].
    ///
    /// # Errors
    /// [`ShareMemberError::UnknownMember`].
    pub fn leave_share_group(
        &mut self,
        now: Instant,
        member: ShareMemberId,
    ) -> Result<(), ShareMemberError> {
        self.remove_share_member(now, member, ReleaseReason::Left)
    }

    /// Member `member` crashed: as [`leave_share_group`](Self::leave_share_group), with
    /// reason [`ReleaseReason::Crashed`]. A member that comes back joins again.
    ///
    /// # Errors
    /// [`ShareMemberError::UnknownMember`].
    pub fn crash_share_member(
        &mut self,
        now: Instant,
        member: ShareMemberId,
    ) -> Result<(), ShareMemberError> {
        self.remove_share_member(now, member, ReleaseReason::Crashed)
    }

    fn remove_share_member(
        &mut self,
        now: Instant,
        member: ShareMemberId,
        reason: ReleaseReason,
    ) -> Result<(), ShareMemberError> {
        self.clock(now);
        let m = self
            .share_side
            .members
            .remove(&member)
            .ok_or(ShareMemberError::UnknownMember)?;
        let side = &mut self.share_side;
        if let Some(g) = side.groups.get_mut(&m.group) {
            g.members.remove(m.name.as_str());
            for (&sp, p) in &mut g.partitions {
                side.changes.clear();
                p.release_member(member, reason, &g.config, &mut side.changes);
                report(&mut self.out, m.group, sp, &side.changes);
            }
        }
        side.changes.clear();
        self.out.emit(Event::ShareMemberLeft {
            group: m.group,
            member,
            reason,
        });
        Ok(())
    }

    /// A share fetch: acquires up to `max` records for `member` across its partitions
    /// (round-robin from where its last fetch started), each under a lock of the group's
    /// `record_lock_duration`, and returns them with their delivery counts. Per partition,
    /// available records come first in offset order (released or expired before), then new
    /// ones from the log, while at most `max_record_locks` records are in flight; a
    /// partition at that limit gives nothing until records are settled. Each is reported as
    /// [`Event::ShareAcquired`]. An empty result is not an error.
    ///
    /// # Errors
    /// [`ShareMemberError::UnknownMember`]; [`ShareMemberError::Storage`] when a record
    /// cannot be read (those acquired but not returned stay locked until they expire). A
    /// record compaction or retention removed is archived as gone and skipped.
    pub fn share_fetch(
        &mut self,
        now: Instant,
        member: ShareMemberId,
        max: usize,
    ) -> Result<Vec<AcquiredRecord>, ShareMemberError> {
        let now = self.clock(now);
        let m = self
            .share_side
            .members
            .get(&member)
            .ok_or(ShareMemberError::UnknownMember)?;
        let gid = m.group;
        let start = m.next;
        let assignment = self.share_group_partitions(gid);
        let mut fetched = Vec::new();
        if assignment.is_empty() {
            return Ok(fetched);
        }
        if let Some(m) = self.share_side.members.get_mut(&member) {
            m.next = (start + 1) % assignment.len();
        }
        let n = assignment.len();
        for k in 0..n {
            if fetched.len() >= max {
                break;
            }
            let sp = assignment[(start + k) % n];
            let Some(log) = self.stream_side.log_of(sp) else {
                continue;
            };
            let bounds = self.storage.bounds(log)?;
            let side = &mut self.share_side;
            let Some(g) = side.groups.get_mut(&gid) else {
                break;
            };
            let config = g.config;
            let p = g.partitions.get_or_insert_with(sp, || {
                SharePartition::new(match config.auto_offset_reset {
                    ShareOffsetReset::Latest => bounds.end,
                    ShareOffsetReset::Earliest => bounds.start,
                })
            });
            side.changes.clear();
            p.log_start_moved(bounds.start, &mut side.changes);
            report(&mut self.out, gid, sp, &side.changes);
            side.changes.clear();
            // The window full is a normal outcome of a fetch: nothing from this partition.
            let _ = p.acquire(
                member,
                now,
                max - fetched.len(),
                bounds.end,
                &config,
                &mut side.changes,
            );
            let acquired: Vec<ShareChange> = side.changes.drain(..).collect();
            for c in acquired {
                let ShareChange::Acquired {
                    offset,
                    delivery_count,
                    until,
                    ..
                } = c
                else {
                    // Offsets retention removed, skipped.
                    report(&mut self.out, gid, sp, &[c]);
                    continue;
                };
                match <StreamRecord as PollOut>::read(
                    &self.storage,
                    log,
                    sp,
                    offset,
                    delivery_count > 1,
                ) {
                    Ok(record) => {
                        self.out.emit(Event::ShareAcquired {
                            group: gid,
                            member,
                            partition: sp,
                            offset,
                            message: record.message,
                            delivery_count,
                            until,
                        });
                        fetched.push(AcquiredRecord {
                            record,
                            delivery_count,
                        });
                    }
                    Err(StorageError::OutOfRange { .. }) => {
                        let side = &mut self.share_side;
                        if let Some(p) = side
                            .groups
                            .get_mut(&gid)
                            .and_then(|g| g.partitions.get_mut(&sp))
                        {
                            side.changes.clear();
                            p.discard(offset, &mut side.changes);
                            report(&mut self.out, gid, sp, &side.changes);
                            side.changes.clear();
                        }
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        }
        Ok(fetched)
    }

    /// Member `member` settles the record at `offset` of `partition` as `kind`: `Accept`
    /// (done), `Release` (available again for any member, or archived at the delivery limit)
    /// or `Reject` (archived, never delivered again). Only the member holding the record may
    /// settle it. Reported as [`Event::ShareAcknowledged`], then any
    /// [`Event::ShareArchived`] and [`Event::ShareStartMoved`].
    ///
    /// # Errors
    /// An unknown member, a partition its group does not read, or a record it does not hold
    /// ([`AcknowledgeError`](crate::share::AcknowledgeError)). On error nothing changes.
    pub fn share_acknowledge(
        &mut self,
        now: Instant,
        member: ShareMemberId,
        partition: StreamPartition,
        offset: Offset,
        kind: AcknowledgeType,
    ) -> Result<(), ShareAcknowledgeError> {
        self.share_acknowledge_range(now, member, partition, offset, offset, kind)
    }

    /// [`share_acknowledge`](Self::share_acknowledge) for the records `first..=last`, all or
    /// nothing (Kafka's acknowledgement batches).
    ///
    /// # Errors
    /// As [`share_acknowledge`](Self::share_acknowledge); the first record that cannot be
    /// settled fails the whole range and nothing changes.
    pub fn share_acknowledge_range(
        &mut self,
        now: Instant,
        member: ShareMemberId,
        partition: StreamPartition,
        first: Offset,
        last: Offset,
        kind: AcknowledgeType,
    ) -> Result<(), ShareAcknowledgeError> {
        self.clock(now);
        let gid = self
            .share_side
            .members
            .get(&member)
            .ok_or(ShareAcknowledgeError::UnknownMember)?
            .group;
        let side = &mut self.share_side;
        let g = side
            .groups
            .get_mut(&gid)
            .ok_or(ShareAcknowledgeError::UnknownMember)?;
        if !g.streams.contains(&partition.stream) {
            return Err(ShareAcknowledgeError::NotAssigned(partition));
        }
        let config = g.config;
        let Some(p) = g.partitions.get_mut(&partition) else {
            return Err(ShareAcknowledgeError::Record(
                crate::share::AcknowledgeError::UnknownOffset(first),
            ));
        };
        side.changes.clear();
        let result = p.acknowledge(member, first, last, kind, &config, &mut side.changes);
        report(&mut self.out, gid, partition, &side.changes);
        side.changes.clear();
        result.map_err(Into::into)
    }

    /// Expires the record locks whose deadline passed (from
    /// [`handle_timeout`](Self::handle_timeout)).
    pub(super) fn handle_share_timeouts(&mut self, now: Instant) {
        let side = &mut self.share_side;
        for (&gid, g) in side.groups.iter_mut() {
            for (&sp, p) in &mut g.partitions {
                if p.next_deadline().is_some_and(|d| d <= now) {
                    side.changes.clear();
                    p.expire_locks(now, &g.config, &mut side.changes);
                    report(&mut self.out, gid, sp, &side.changes);
                }
            }
        }
        side.changes.clear();
    }
}
