//! Group commits: offsets checked against the member's generation and ownership.

use alloc::vec::Vec;

use crate::broker::Broker;
use crate::event::Event;
use crate::group::{CommitError, GroupError};
use crate::ids::Offset;
use crate::storage::Storage;
use crate::stream::StreamPartition;
use crate::time::Instant;

impl<S: Storage> Broker<S> {
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
}
