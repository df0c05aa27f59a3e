//! Log compaction of a stream with [`CleanupPolicy::Compact`]: keep the latest record per key.
//!
//! Follows Kafka's log cleaner (`kafka.log.LogCleaner`, `Cleaner`, and `LogCleanerTest`):
//!
//! - **What is kept.** For each key, the record with the highest offset; every older record
//!   with that key is removed. Offsets never change: the removed ones become gaps
//!   ([`Storage::remove_records`]) and readers step over them.
//! - **Tombstones.** A keyed record with an empty payload deletes its key: compaction removes
//!   the older records of the key at once, and the tombstone itself once it is the key's
//!   latest record and `tombstone_retention` (Kafka's `delete.retention.ms`) has passed since
//!   its timestamp, so a reader that is behind by less than that still sees the delete.
//! - **Keys are required.** A compacted stream refuses records without a key (Kafka's
//!   `InvalidRecordException`: "Compacted topic cannot accept message without key").
//! - **When it runs.** Deterministically, in the call that appends or in `handle_timeout`, for
//!   one partition at a time: after an append, when the records appended since the last
//!   compaction (the dirty part) are at least as many as those it kept, and at least
//!   [`COMPACT_MIN_DIRTY`] (Kafka's `min.cleanable.dirty.ratio` of 0.5, counted in records);
//!   in `handle_timeout`, when a kept tombstone's time is up. Kafka never cleans the active
//!   segment; here the whole log is cleaned, which is safe because the latest record of every
//!   key is always kept (the tail is where the latest records are).
//! - **On top of retention.** Retention by records, bytes and age still moves the log start;
//!   it counts the records kept. The offsets a compacted partition spans (kept records and
//!   gaps) still count against [`Limits::max_partition_records`](crate::Limits): compaction
//!   frees payloads, not offsets.
//!
//! One compaction reads the partition once (a bounded scan: at most the partition's records)
//! and keeps a map of the keys it met, bounded by the same count.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use core::fmt;

use super::{PartitionLog, Stream, StreamPartition, record_size};
use crate::ids::Offset;
use crate::message::Payload;
use crate::storage::{Record, Storage};
use crate::time::{Duration, Instant};

/// Fewest records appended since the last compaction before a partition is compacted again.
pub const COMPACT_MIN_DIRTY: u64 = 4;

/// Kafka's default `delete.retention.ms`: one day.
pub const DEFAULT_TOMBSTONE_RETENTION: Duration = Duration::from_secs(24 * 3600);

/// The longest `tombstone_retention` a stream may declare: 30 days.
pub const MAX_TOMBSTONE_RETENTION: Duration = Duration::from_secs(30 * 24 * 3600);

/// Records read from storage at a time while compacting.
const SCAN_CHUNK: usize = 1024;

/// What removes records from a stream (Kafka's `cleanup.policy`).
///
/// With [`Compact`](CleanupPolicy::Compact) only the latest record per key stays; older ones
/// become gaps (offsets never change, readers step over them); a keyed record with an empty
/// payload is a tombstone that goes after
/// [`StreamConfig::tombstone_retention`](crate::StreamConfig); records without a key are
/// refused. A partition is compacted after an append once the records appended since its last
/// compaction are at least as many as it kept and at least [`COMPACT_MIN_DIRTY`], and in
/// `handle_timeout` when a tombstone's time is up. SEMANTICS.md, "Streams and offsets", has
/// the rules and their Kafka sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
#[non_exhaustive]
pub enum CleanupPolicy {
    /// Retention only: records leave from the start of the log.
    #[default]
    Delete,
    /// Retention, and compaction: only the latest record per key is kept.
    Compact,
}

impl fmt::Display for CleanupPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CleanupPolicy::Delete => "delete",
            CleanupPolicy::Compact => "compact",
        })
    }
}

/// What one compaction removed from one partition; the broker reports it as
/// [`Event::Compacted`](crate::Event::Compacted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Compacted {
    pub(crate) partition: StreamPartition,
    /// Records removed (superseded records and expired tombstones).
    pub(crate) removed: u64,
    /// Of those, tombstones whose time was up.
    pub(crate) tombstones: u64,
    /// Records the partition keeps.
    pub(crate) kept: u64,
}

/// One record met by the scan: its offset, whether it is a tombstone, when its time is up
/// (tombstones), and its size.
struct Seen {
    offset: Offset,
    tombstone_due: Option<Instant>,
    size: u64,
}

impl Stream {
    /// Compacts partition `p` (see the [module docs](self)); returns what it removed, if
    /// anything. A storage error stops the compaction without changing anything.
    pub(crate) fn compact<S: Storage>(
        &mut self,
        storage: &mut S,
        p: u32,
        now: Instant,
    ) -> Option<Compacted> {
        let retention = self.config.tombstone_retention;
        let sp = StreamPartition::new(self.id, p);
        let part = &mut self.parts[p as usize];
        part.dirty = 0;
        let (seen, latest) = scan(storage, part, retention)?;
        let mut remove = Vec::new();
        let mut removed_bytes = 0;
        let mut tombstones = 0;
        let mut due: Option<Instant> = None;
        let mut first_kept = None;
        for (key_latest, s) in latest.iter().zip(&seen) {
            let superseded = *key_latest != s.offset;
            let expired = !superseded && s.tombstone_due.is_some_and(|d| d <= now);
            if superseded || expired {
                remove.push(s.offset);
                removed_bytes += s.size;
                tombstones += u64::from(expired);
            } else {
                if let Some(d) = s.tombstone_due {
                    due = Some(due.map_or(d, |x| x.min(d)));
                }
                first_kept.get_or_insert(s.offset);
            }
        }
        part.tombstone_due = due;
        if remove.is_empty() {
            return None;
        }
        let removed = storage.remove_records(part.log, &remove).ok()? as u64;
        part.records -= removed;
        part.gaps += removed;
        part.bytes -= removed_bytes;
        part.oldest = match first_kept {
            Some(o) => storage.read(part.log, o).ok().map(|r| r.timestamp),
            None => None,
        };
        Some(Compacted {
            partition: sp,
            removed,
            tombstones,
            kept: part.records,
        })
    }
}

/// Reads every record of the partition in offset order; returns what it met and, for each,
/// the offset of the latest record with the same key (its own offset when keyless).
fn scan<S: Storage>(
    storage: &S,
    part: &PartitionLog,
    retention: Duration,
) -> Option<(Vec<Seen>, Vec<Offset>)> {
    let end = storage.bounds(part.log).ok()?.end;
    let mut seen = Vec::new();
    let mut keys: Vec<Option<Payload>> = Vec::new();
    let mut latest_of: BTreeMap<Payload, Offset> = BTreeMap::new();
    let mut chunk: Vec<Record> = Vec::new();
    let mut at = storage.next_record(part.log, Offset(0)).ok()?;
    while at < end {
        chunk.clear();
        storage
            .read_range(part.log, at, SCAN_CHUNK, &mut chunk)
            .ok()?;
        if chunk.is_empty() {
            break;
        }
        for r in chunk.drain(..) {
            let key = r.meta.as_ref().and_then(|m| m.key.clone());
            let tombstone = key.is_some() && r.payload.is_empty();
            seen.push(Seen {
                offset: at,
                tombstone_due: tombstone.then(|| r.timestamp.saturating_add(retention)),
                size: record_size(&r),
            });
            if let Some(k) = &key {
                latest_of.insert(k.clone(), at);
            }
            keys.push(key);
            at = at.next();
        }
        at = storage.next_record(part.log, at).ok()?;
    }
    let latest = seen
        .iter()
        .zip(&keys)
        .map(|(s, k)| {
            k.as_ref()
                .and_then(|k| latest_of.get(k))
                .map_or(s.offset, |o| *o)
        })
        .collect();
    Some((seen, latest))
}
