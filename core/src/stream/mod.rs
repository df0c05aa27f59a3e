//! Streams (pattern D): partitioned append-only logs with offsets, timestamps and retention.
//!
//! A stream has `N` partitions; each is a log in [`Storage`] with dense offsets from its log
//! start, and each record carries the `now` of its append as timestamp, its key if any, and
//! its application headers (in the order produced, in the record's `MessageMeta`). Consumers hold their
//! own positions; reading never deletes. Retention by record count, bytes and age advances the
//! log start (`drop_prefix`), checked on every append and in `handle_timeout`. A stream with
//! [`CleanupPolicy::Compact`] also keeps only the latest record per key (`compact.rs`: the
//! rules, when it runs, tombstones), leaving gaps in the offsets. Semantics follow Kafka
//! (SEMANTICS.md, "Streams and offsets").

mod compact;
mod error;
pub(crate) use compact::Compacted;
pub use compact::{
    COMPACT_MIN_DIRTY, CleanupPolicy, DEFAULT_TOMBSTONE_RETENTION, MAX_TOMBSTONE_RETENTION,
};
pub use error::{DeclareStreamError, PollError, ProduceError, SeekError, StreamConsumerError};

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;

use crate::ids::{LogId, MessageId, Offset, StreamId};
use crate::message::{MessageMeta, Payload};
use crate::partitioner::{KeylessPartitioner, KeylessStrategy, to_positive};
use crate::storage::{LogBounds, Record, Storage, StorageError};
use crate::time::{Duration, Instant};

pub use crate::partitioner::Partition;

/// Kafka's default `batch.size`: a sticky keyless partitioner moves on after this many bytes.
pub(crate) const DEFAULT_STICKY_BATCH_BYTES: u32 = 16_384;

/// Slots of a stream's key-metadata cache (direct-mapped by the key's murmur2 hash).
const KEY_META_SLOTS: usize = 64;

/// One partition of one stream, e.g. `st1/0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct StreamPartition {
    /// The stream.
    pub stream: StreamId,
    /// The partition.
    pub partition: Partition,
}

impl StreamPartition {
    /// Partition `partition` of `stream`.
    #[must_use]
    pub const fn new(stream: StreamId, partition: u32) -> Self {
        StreamPartition {
            stream,
            partition: Partition(partition),
        }
    }
}

impl fmt::Display for StreamPartition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.stream, self.partition)
    }
}

/// How long a stream keeps records. Each bound that is set advances the log start of a
/// partition past the oldest records until the partition is within it; `None` means no bound
/// (the partition is still capped by [`Limits::max_partition_records`](crate::Limits)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default))]
#[non_exhaustive]
pub struct Retention {
    /// Most records per partition.
    pub max_records: Option<u64>,
    /// Most bytes (payload plus key) per partition (Kafka's `retention.bytes`).
    pub max_bytes: Option<u64>,
    /// Oldest record age, measured from its timestamp (Kafka's `retention.ms`).
    pub max_age: Option<Duration>,
}

impl Retention {
    /// Keeps at most `n` records per partition.
    #[must_use]
    pub fn with_max_records(mut self, n: u64) -> Self {
        self.max_records = Some(n);
        self
    }

    /// Keeps at most `n` bytes per partition.
    #[must_use]
    pub fn with_max_bytes(mut self, n: u64) -> Self {
        self.max_bytes = Some(n);
        self
    }

    /// Drops records older than `age`.
    #[must_use]
    pub fn with_max_age(mut self, age: Duration) -> Self {
        self.max_age = Some(age);
        self
    }
}

/// Which retention bound removed records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum RetentionReason {
    /// [`Retention::max_records`].
    Records,
    /// [`Retention::max_bytes`].
    Bytes,
    /// [`Retention::max_age`].
    Age,
}

impl fmt::Display for RetentionReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RetentionReason::Records => "records",
            RetentionReason::Bytes => "bytes",
            RetentionReason::Age => "age",
        })
    }
}

/// How a stream is declared. Build with [`StreamConfig::new`] and the `with_*` methods.
///
/// ```
/// use brokerlab::{Duration, Retention, StreamConfig};
/// let cfg = StreamConfig::new(3)
///     .with_retention(Retention::default().with_max_age(Duration::from_secs(3600)));
/// assert_eq!(cfg.partitions, 3);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default))]
#[non_exhaustive]
pub struct StreamConfig {
    /// Number of partitions, at least 1.
    pub partitions: u32,
    /// What is kept.
    pub retention: Retention,
    /// How records without a key are spread (round-robin by default).
    pub keyless: KeylessStrategy,
    /// With [`KeylessStrategy::Sticky`], the bytes appended to one partition before the next
    /// keyless record moves to the next partition (Kafka's `batch.size`).
    pub sticky_batch_bytes: u32,
    /// Whether only retention removes records ([`CleanupPolicy::Delete`], the default) or
    /// compaction also keeps just the latest record per key (Kafka's `cleanup.policy`).
    pub cleanup: CleanupPolicy,
    /// How long a tombstone (a keyed record with an empty payload) of a compacted stream
    /// stays after its timestamp before compaction removes it (Kafka's
    /// `delete.retention.ms`); at most [`MAX_TOMBSTONE_RETENTION`].
    pub tombstone_retention: Duration,
}

impl Default for StreamConfig {
    fn default() -> Self {
        StreamConfig::new(1)
    }
}

impl StreamConfig {
    /// A stream of `partitions` partitions that keeps everything (up to the limits).
    #[must_use]
    pub const fn new(partitions: u32) -> Self {
        StreamConfig {
            partitions,
            retention: Retention {
                max_records: None,
                max_bytes: None,
                max_age: None,
            },
            keyless: KeylessStrategy::RoundRobin,
            sticky_batch_bytes: DEFAULT_STICKY_BATCH_BYTES,
            cleanup: CleanupPolicy::Delete,
            tombstone_retention: DEFAULT_TOMBSTONE_RETENTION,
        }
    }

    /// Sets the cleanup policy.
    #[must_use]
    pub fn with_cleanup(mut self, cleanup: CleanupPolicy) -> Self {
        self.cleanup = cleanup;
        self
    }

    /// Sets how long tombstones of a compacted stream stay.
    #[must_use]
    pub fn with_tombstone_retention(mut self, retention: Duration) -> Self {
        self.tombstone_retention = retention;
        self
    }

    /// Sets how keyless records are spread.
    #[must_use]
    pub fn with_keyless(mut self, strategy: KeylessStrategy) -> Self {
        self.keyless = strategy;
        self
    }

    /// Sets the retention.
    #[must_use]
    pub fn with_retention(mut self, retention: Retention) -> Self {
        self.retention = retention;
        self
    }
}

/// Where a consumer starts when it has no valid position: no committed offset, or a position
/// outside the log (below its start after retention). Kafka's `auto.offset.reset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum OffsetReset {
    /// The log start: read everything still retained.
    Earliest,
    /// The log end: read only what is appended from now on (Kafka's default).
    #[default]
    Latest,
    /// Nowhere: [`Broker::poll`](crate::Broker::poll) fails with a typed error until the
    /// consumer seeks.
    None,
}

impl fmt::Display for OffsetReset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OffsetReset::Earliest => "earliest",
            OffsetReset::Latest => "latest",
            OffsetReset::None => "none",
        })
    }
}

/// Where [`Broker::seek`](crate::Broker::seek) moves a position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum SeekTo {
    /// The log start.
    Beginning,
    /// The log end (the next record appended).
    End,
    /// An offset at or below the log end. Below the log start, the next poll applies
    /// `auto_offset_reset`.
    Offset(Offset),
    /// The earliest offset whose timestamp is at or after the instant (the log end if none is).
    Timestamp(Instant),
}

/// How a standalone stream consumer starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default))]
#[non_exhaustive]
pub struct StreamConsumerConfig {
    /// Where to start, and what to do when the position falls out of the log.
    pub auto_offset_reset: OffsetReset,
}

impl StreamConsumerConfig {
    /// Sets `auto_offset_reset`.
    #[must_use]
    pub fn with_auto_offset_reset(mut self, reset: OffsetReset) -> Self {
        self.auto_offset_reset = reset;
        self
    }
}

/// One record read from a stream by [`Broker::poll`](crate::Broker::poll).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct StreamRecord {
    /// The stream and partition.
    pub partition: StreamPartition,
    /// Its offset.
    pub offset: Offset,
    /// The `now` of its append.
    pub timestamp: Instant,
    /// Its message id.
    pub message: MessageId,
    /// Its key, if produced with one.
    pub key: Option<Payload>,
    /// The bytes.
    pub payload: Payload,
    /// Application headers, in the order produced (empty when produced without any).
    pub headers: Vec<(String, String)>,
    /// Whether this offset is below the furthest offset handed out before, to this standalone
    /// consumer or to any member of its group: a replay after a seek, or an at-least-once
    /// redelivery after a crash or a rebalance resumed from an older committed offset.
    pub redelivered: bool,
}

/// Where one record read by [`Broker::poll_positions_into`](crate::Broker::poll_positions_into)
/// is: a [`StreamRecord`] without its timestamp, message id, key and payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PolledPosition {
    /// The stream and partition.
    pub partition: StreamPartition,
    /// Its offset.
    pub offset: Offset,
    /// As [`StreamRecord::redelivered`].
    pub redelivered: bool,
}

/// What [`Broker::produce`](crate::Broker::produce) appended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Produced {
    /// The message id of the record.
    pub message: MessageId,
    /// Where it went.
    pub partition: StreamPartition,
    /// Its offset.
    pub offset: Offset,
}

/// A partition's state, as reported by [`Broker::partition_stats`](crate::Broker::partition_stats).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartitionStats {
    /// The retained offsets `start..end`.
    pub bounds: LogBounds,
    /// Records kept: `end − start`, less the gaps compaction left.
    pub records: u64,
    /// Bytes (payload plus key) of the retained records.
    pub bytes: u64,
    /// Timestamp of the oldest retained record.
    pub oldest: Option<Instant>,
}

/// One partition's log and the accounting retention needs.
#[derive(Clone, Debug)]
pub(crate) struct PartitionLog {
    pub(crate) log: LogId,
    /// Records retained (`end − start − gaps`), so appending needs no storage call to check
    /// the cap.
    pub(crate) records: u64,
    /// Offsets in `start..end` whose record compaction removed.
    pub(crate) gaps: u64,
    /// Records appended since the last compaction (compacted streams only).
    pub(crate) dirty: u64,
    /// When the earliest tombstone kept by the last compaction may go (compacted streams).
    pub(crate) tombstone_due: Option<Instant>,
    pub(crate) bytes: u64,
    /// Timestamp of the record at the log start, if any.
    pub(crate) oldest: Option<Instant>,
    /// Message id of the last record appended, if any: what a saved count was taken up to
    /// (see `broker/durable`).
    pub(crate) last: Option<MessageId>,
}

#[derive(Clone, Debug)]
pub(crate) struct Stream {
    pub(crate) id: StreamId,
    pub(crate) name: String,
    pub(crate) config: StreamConfig,
    pub(crate) parts: Vec<PartitionLog>,
    pub(crate) keyless: KeylessPartitioner,
    /// Bytes of keyless records in the open sticky batch.
    pub(crate) sticky_bytes: u64,
    /// The metadata of recently produced keys, direct-mapped by murmur2 hash (empty until the
    /// first keyed record): records with a key seen before share its `MessageMeta` instead of
    /// allocating one each. At most [`KEY_META_SLOTS`] entries.
    key_metas: Vec<Option<Arc<MessageMeta>>>,
}

/// The bytes retention counts for a record.
pub(crate) fn record_size(r: &Record) -> u64 {
    let key = r
        .meta
        .as_ref()
        .and_then(|m| m.key.as_ref())
        .map_or(0, Payload::len);
    (r.payload.len() + key) as u64
}

impl Stream {
    pub(crate) fn new(
        id: StreamId,
        name: String,
        config: StreamConfig,
        parts: Vec<PartitionLog>,
    ) -> Self {
        Stream {
            id,
            name,
            keyless: KeylessPartitioner::new(config.keyless),
            config,
            parts,
            sticky_bytes: 0,
            key_metas: Vec::new(),
        }
    }

    /// The partition of a record: keyed records exactly as Kafka's Java producer
    /// (`(murmur2(key) & 0x7fffffff) % N`, `key_hash` being `murmur2(key)`), keyless ones by
    /// the stream's keyless partitioner.
    pub(crate) fn choose_partition(&mut self, key_hash: Option<i32>, size: usize) -> u32 {
        let n = self.partition_count();
        if n == 0 {
            // A stream always has at least one partition.
            return 0;
        }
        match key_hash {
            Some(h) => to_positive(h) % n,
            None => {
                let p = self.keyless.partition(n);
                if self.config.keyless == KeylessStrategy::Sticky {
                    self.sticky_bytes += size as u64;
                    if self.sticky_bytes >= u64::from(self.config.sticky_batch_bytes) {
                        self.keyless.batch_complete();
                        self.sticky_bytes = 0;
                    }
                }
                p.map_or(0, |p| p.0)
            }
        }
    }

    /// The metadata of a record with key `key` (`hash` is `murmur2(key)`): the one the last
    /// record with this key got, when it is still in its cache slot, so repeated keys allocate
    /// nothing; otherwise a new one, which takes the slot.
    pub(crate) fn key_meta(&mut self, key: &[u8], hash: i32) -> Arc<MessageMeta> {
        if self.key_metas.is_empty() {
            self.key_metas = alloc::vec![None; KEY_META_SLOTS];
        }
        let slot = &mut self.key_metas[(hash as u32 as usize) % KEY_META_SLOTS];
        if let Some(m) = slot
            && m.key.as_deref() == Some(key)
        {
            return Arc::clone(m);
        }
        let m = Arc::new(MessageMeta {
            key: Some(Payload::from(key)),
            ..MessageMeta::default()
        });
        *slot = Some(Arc::clone(&m));
        m
    }

    pub(crate) fn partition_count(&self) -> u32 {
        self.parts.len() as u32
    }

    /// Appends `record` to partition `p` and applies retention to it, then compaction when
    /// it is due (see `compact.rs`); returns the record's offset, what retention dropped and
    /// what compaction removed, if anything (the caller reports `Appended`, then
    /// `RetentionApplied`, then `Compacted`).
    pub(crate) fn append<S: Storage>(
        &mut self,
        storage: &mut S,
        p: u32,
        record: Record,
        now: Instant,
    ) -> Result<(Offset, Option<Retained>, Option<Compacted>), StorageError> {
        let part = &mut self.parts[p as usize];
        let size = record_size(&record);
        let timestamp = record.timestamp;
        let message = record.message;
        let tombstone = record.payload.is_empty();
        let offset = storage.append(part.log, record)?;
        part.bytes += size;
        part.records += 1;
        part.oldest.get_or_insert(timestamp);
        part.last = Some(message);
        let retained = self.apply_retention(storage, p, now);
        let compacted = if self.config.cleanup == CleanupPolicy::Compact {
            let part = &mut self.parts[p as usize];
            part.dirty += 1;
            if tombstone {
                let due = timestamp.saturating_add(self.config.tombstone_retention);
                part.tombstone_due = Some(part.tombstone_due.map_or(due, |d| d.min(due)));
            }
            let clean = part.records.saturating_sub(part.dirty);
            if part.dirty >= COMPACT_MIN_DIRTY.max(clean) {
                self.compact(storage, p, now)
            } else {
                None
            }
        } else {
            None
        };
        Ok((offset, retained, compacted))
    }

    /// Advances the log start of partition `p` until it is within every retention bound;
    /// returns what it dropped, if anything (the caller reports `RetentionApplied`).
    pub(crate) fn apply_retention<S: Storage>(
        &mut self,
        storage: &mut S,
        p: u32,
        now: Instant,
    ) -> Option<Retained> {
        let retention = self.config.retention;
        if retention == Retention::default() {
            return None;
        }
        let sp = StreamPartition::new(self.id, p);
        let part = &mut self.parts[p as usize];
        let Ok(bounds) = storage.bounds(part.log) else {
            return None;
        };
        // The first record kept (compaction may have removed the ones at the start).
        let Ok(mut start) = storage.next_record(part.log, bounds.start) else {
            return None;
        };
        let mut kept = part.records;
        let mut reason = None;
        let mut dropped_bytes = 0;
        let mut oldest = part.oldest;
        while start < bounds.end {
            let over_records = retention.max_records.is_some_and(|m| kept > m);
            let over_bytes = retention
                .max_bytes
                .is_some_and(|m| part.bytes - dropped_bytes > m);
            let too_old = retention
                .max_age
                .is_some_and(|age| oldest.is_some_and(|t| t.saturating_add(age) <= now));
            let why = if over_records {
                RetentionReason::Records
            } else if over_bytes {
                RetentionReason::Bytes
            } else if too_old {
                RetentionReason::Age
            } else {
                break;
            };
            let Ok(head) = storage.read(part.log, start) else {
                break;
            };
            dropped_bytes += record_size(&head);
            kept = kept.saturating_sub(1);
            reason.get_or_insert(why);
            let Ok(next) = storage.next_record(part.log, start.next()) else {
                break;
            };
            start = next;
            oldest = if start < bounds.end {
                storage.read(part.log, start).ok().map(|r| r.timestamp)
            } else {
                None
            };
        }
        let reason = reason?;
        if storage.drop_prefix(part.log, start).is_err() {
            return None;
        }
        let dropped = part.records - kept;
        part.bytes -= dropped_bytes;
        part.records = kept;
        part.gaps = (bounds.end.0 - start.0).saturating_sub(kept);
        part.oldest = oldest;
        Some(Retained {
            partition: sp,
            start,
            dropped,
            reason,
        })
    }

    /// Whether some partition holds more records or bytes than retention allows (only after
    /// a restart, whose saved start may predate what retention removed since): then the
    /// stream is due for retention at once.
    pub(crate) fn over_retention(&self) -> bool {
        let r = self.config.retention;
        self.parts.iter().any(|p| {
            r.max_records.is_some_and(|m| p.records > m) || r.max_bytes.is_some_and(|m| p.bytes > m)
        })
    }

    /// When the oldest record of some partition passes `max_age`, or a tombstone of a
    /// compacted partition may go; at once when a partition is over its retention.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        if self.over_retention() {
            return Some(Instant::ZERO);
        }
        let tombstones = self.parts.iter().filter_map(|p| p.tombstone_due).min();
        let age = self.config.retention.max_age.and_then(|age| {
            self.parts
                .iter()
                .filter_map(|p| p.oldest)
                .min()
                .map(|t| t.saturating_add(age))
        });
        match (age, tombstones) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The earliest offset of partition `p` holding a record whose timestamp is at or after
    /// `t`, or the log end. Timestamps are non-decreasing (the broker's clock never runs backwards), so this is
    /// a binary search.
    pub(crate) fn offset_for_time<S: Storage>(
        &self,
        storage: &S,
        p: u32,
        t: Instant,
    ) -> Result<Offset, StorageError> {
        let log = self.parts[p as usize].log;
        let b = storage.bounds(log)?;
        let (mut lo, mut hi) = (b.start.0, b.end.0);
        // Over the offsets, each standing for the first record at or after it (a gap left by
        // compaction reads as the record after it; past the last one, as the log end).
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let at = storage.next_record(log, Offset(mid))?;
            if at < b.end && storage.read(log, at)?.timestamp < t {
                lo = at.0 + 1;
            } else {
                hi = mid;
            }
        }
        storage.next_record(log, Offset(lo))
    }
}

/// What retention dropped from the start of one partition's log; the broker reports it as
/// [`Event::RetentionApplied`](crate::Event::RetentionApplied).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Retained {
    pub(crate) partition: StreamPartition,
    /// The new log start.
    pub(crate) start: Offset,
    /// How many records were dropped.
    pub(crate) dropped: u64,
    pub(crate) reason: RetentionReason,
}
