//! Durability of share groups, as Kafka's share coordinator keeps them: the groups
//! (`share/groups`: the next share group and member ids, then per group its id, name,
//! settings and streams) and, per share-partition a group has read
//! (`share/<group>/<stream>/<partition>`), its start offset (SPSO) and the state and delivery
//! count of every record after it up to the end offset. Written at every flush, and only
//! once a share group exists (a broker without share groups saves exactly what it saved
//! before them).
//!
//! On recovery the states come back through
//! [`SharePartition::restore`](crate::share::SharePartition::restore): acknowledged and
//! archived records stay settled, acquired ones are available again (acquisitions are lost on
//! a restart, as in Kafka), keeping their delivery counts; members join again.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::codec::{Reader, Writer};
use super::{Broker, RecoverError};
use crate::ids::{Offset, ShareGroupId, StreamId};
use crate::share::{RecordState, ShareGroupConfig, ShareOffsetReset, SharePartition, ShareRecord};
use crate::storage::{Storage, StorageError};
use crate::stream::StreamPartition;
use crate::time::{Duration, Instant};
use crate::vec_map::VecMap;

const GROUPS: &str = "share/groups";

fn damaged() -> RecoverError {
    RecoverError::Damaged("share/groups")
}

fn partition_key(group: &str, stream: &str, partition: u32) -> String {
    format!("share/{group}/{stream}/{partition}")
}

fn encode_config(c: &ShareGroupConfig, w: &mut Writer) {
    w.u64(c.record_lock_duration.as_millis());
    w.u32(c.delivery_count_limit);
    w.u32(c.max_record_locks);
    w.u8(match c.auto_offset_reset {
        ShareOffsetReset::Latest => 0,
        ShareOffsetReset::Earliest => 1,
    });
}

fn decode_config(r: &mut Reader<'_>) -> Option<ShareGroupConfig> {
    Some(ShareGroupConfig {
        record_lock_duration: Duration::from_millis(r.u64()?),
        delivery_count_limit: r.u32()?,
        max_record_locks: r.u32()?,
        auto_offset_reset: match r.u8()? {
            0 => ShareOffsetReset::Latest,
            1 => ShareOffsetReset::Earliest,
            _ => return None,
        },
    })
}

fn state_code(s: RecordState) -> u8 {
    match s {
        RecordState::Available => 0,
        RecordState::Acquired { .. } => 1,
        RecordState::Acknowledged => 2,
        RecordState::Archived => 3,
    }
}

fn encode_partition(p: &SharePartition, w: &mut Writer) {
    w.u64(p.start().0);
    w.u64(p.in_flight() as u64);
    for (_, r) in p.records() {
        w.u8(state_code(r.state));
        w.u32(r.delivery_count);
    }
}

fn decode_partition(bytes: &[u8]) -> Option<(Offset, Vec<ShareRecord>)> {
    let mut r = Reader(bytes);
    let start = Offset(r.u64()?);
    let n = r.count(5)?;
    let mut records = Vec::with_capacity(n);
    for _ in 0..n {
        let state = match r.u8()? {
            0 => RecordState::Available,
            // An acquisition does not survive a restart: `restore` makes it available.
            1 => RecordState::Acquired {
                member: crate::ids::ShareMemberId(0),
                until: Instant::ZERO,
            },
            2 => RecordState::Acknowledged,
            3 => RecordState::Archived,
            _ => return None,
        };
        records.push(ShareRecord {
            state,
            delivery_count: r.u32()?,
        });
    }
    r.is_empty().then_some((start, records))
}

impl<S: Storage> Broker<S> {
    /// Saves every share group and share-partition (see the [module docs](self)); nothing
    /// while no share group exists.
    pub(super) fn save_share_state(&mut self) -> Result<(), StorageError> {
        let side = &self.share_side;
        if side.groups.values().len() == 0 {
            return Ok(());
        }
        let mut w = Writer::default();
        w.u32(side.groups.next_seq());
        w.u32(side.next_member);
        w.u64(side.groups.values().len() as u64);
        for (id, g) in side.groups.keys().zip(side.groups.values()) {
            w.u32(id.0);
            w.str(&g.name);
            encode_config(&g.config, &mut w);
            w.u64(g.streams.len() as u64);
            for s in &g.streams {
                w.u32(s.0);
            }
        }
        self.storage.put_meta(GROUPS, &w.0)?;
        for g in side.groups.values() {
            for (sp, p) in &g.partitions {
                let Some(stream) = self.stream_side.streams.get(&sp.stream) else {
                    continue;
                };
                w.0.clear();
                encode_partition(p, &mut w);
                let key = partition_key(&g.name, &stream.name, sp.partition.0);
                self.storage.put_meta(&key, &w.0)?;
            }
        }
        Ok(())
    }

    /// Restores the share groups and their share-partitions saved by
    /// [`save_share_state`](Self::save_share_state), after the streams; returns each group's
    /// name and how many share-partitions it got back.
    pub(super) fn recover_share_groups(&mut self) -> Result<Vec<(String, usize)>, RecoverError> {
        let mut report = Vec::new();
        let Some(bytes) = self.storage.get_meta(GROUPS)? else {
            return Ok(report);
        };
        let mut r = Reader(&bytes);
        let next_group = r.u32().ok_or(damaged())?;
        let next_member = r.u32().ok_or(damaged())?;
        let n = r.count(8).ok_or(damaged())?;
        let mut groups = Vec::with_capacity(n);
        for _ in 0..n {
            let id = ShareGroupId(r.u32().ok_or(damaged())?);
            let name = r.str().ok_or(damaged())?;
            let config = decode_config(&mut r).ok_or(damaged())?;
            let count = r.count(4).ok_or(damaged())?;
            let mut streams = Vec::with_capacity(count);
            for _ in 0..count {
                streams.push(StreamId(r.u32().ok_or(damaged())?));
            }
            groups.push((id, name, config, streams));
        }
        if !r.is_empty() {
            return Err(damaged());
        }
        self.share_side.groups.set_next_seq(next_group);
        self.share_side.next_member = next_member;
        for (id, name, config, streams) in groups {
            let mut partitions = VecMap::new();
            for &s in &streams {
                let Some(stream) = self.stream_side.streams.get(&s) else {
                    continue;
                };
                for p in 0..stream.partition_count() {
                    let key = partition_key(&name, &stream.name, p);
                    if let Some(v) = self.storage.get_meta(&key)? {
                        let (start, records) =
                            decode_partition(&v).ok_or(RecoverError::Damaged("share-partition"))?;
                        partitions.insert(
                            StreamPartition::new(s, p),
                            SharePartition::restore(start, records, &config),
                        );
                    }
                }
            }
            report.push((name.clone(), partitions.len()));
            self.share_side.groups.restore(
                id,
                crate::broker::share_groups::ShareGroup {
                    name,
                    config,
                    streams,
                    members: VecMap::new(),
                    partitions,
                },
            );
        }
        Ok(report)
    }
}
