//! Durability of the broker itself: what [`Broker::flush`] saves to the storage metadata and
//! how [`Broker::recover`] builds a broker again from it and the logs.
//!
//! Saved at every flush, each as one metadata value (a backend skips values that did not
//! change): the topology with the id counters (`broker/topology`, see `snapshot.rs`) after an
//! event that changed it, the next message id and the broker's time (`broker/clock`), per
//! queue whose state changed since the last save (its `AckSignature` tells) its
//! acknowledgement state (`queue-acks/<queue>`: cursor, offsets settled out of order,
//! delivered offsets with their delivery counts), and per stream what retention needs of each partition
//! (`stream-parts/<stream>`: the log end, records and bytes retained, the oldest timestamp,
//! the last record's message id), so recovery reads only records appended after it. Group commits are saved as they happen
//! (`group/<group>/<stream>/<partition>`). Share groups and their share-partitions
//! (`share/…`) are saved at every flush once one exists (see `share.rs`). The logs carry the rest: a queue's log start is its
//! acknowledged head, a partition's start is where retention left it.

mod codec;
mod report;
mod share;
mod snapshot;

pub use report::{QueueRecovery, RecoverError, Recovered, StreamRecovery};

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use codec::{Reader, Writer};
use snapshot::Snapshot;

use super::Broker;
use crate::exchange::Exchange;
use crate::group::Group;
use crate::ids::{
    BindingId, ExchangeId, GroupId, LogId, MessageId, Offset, QueueId, StreamId, Target,
};
use crate::limits::Limits;
use crate::queue::{AckSignature, Queue};
use crate::storage::{Storage, StorageError};
use crate::stream::{PartitionLog, Stream, StreamPartition, record_size};
use crate::time::Instant;
use crate::vec_map::VecMap;

const TOPOLOGY: &str = "broker/topology";
const CLOCK: &str = "broker/clock";

const ACKS_PREFIX: &str = "queue-acks/";
const PARTS_PREFIX: &str = "stream-parts/";

fn acks_key(queue: &str) -> String {
    format!("{ACKS_PREFIX}{queue}")
}

fn parts_key(stream: &str) -> String {
    format!("{PARTS_PREFIX}{stream}")
}

fn commit_key(group: &str, stream: &str, partition: u32) -> String {
    format!("group/{group}/{stream}/{partition}")
}

/// A partition as last saved: the log end then, its records, bytes and oldest timestamp, and
/// the message id of its last record, which tells whether the record now at `end - 1` is the
/// one counted (a log cut by a crash and grown again holds other records there).
#[derive(Debug, Clone, Copy)]
struct SavedPartition {
    end: u64,
    records: u64,
    bytes: u64,
    oldest: Option<Instant>,
    last: Option<u64>,
}

fn decode_partitions(bytes: &[u8]) -> Option<Vec<SavedPartition>> {
    let mut r = Reader(bytes);
    let n = r.count(26)?;
    let mut parts = Vec::with_capacity(n);
    for _ in 0..n {
        parts.push(SavedPartition {
            end: r.u64()?,
            records: r.u64()?,
            bytes: r.u64()?,
            oldest: r.opt_u64()?.map(Instant::from_millis),
            last: r.opt_u64()?,
        });
    }
    r.is_empty().then_some(parts)
}

/// What the last flush saved of each queue's acknowledgement state, so the next one skips the
/// queues whose [`AckSignature`] did not move.
#[derive(Clone, Debug, Default)]
pub(super) struct SavedAcks(VecMap<QueueId, SavedAck>);

impl SavedAcks {
    /// Forgets a deleted queue.
    pub(super) fn forget(&mut self, queue: QueueId) {
        self.0.remove(&queue);
    }
}

#[derive(Clone, Debug)]
struct SavedAck {
    signature: AckSignature,
    /// The bytes saved, to check in debug builds that an unchanged signature means unchanged
    /// state.
    #[cfg(debug_assertions)]
    bytes: Vec<u8>,
}

/// A queue's saved acknowledgement state: cursor, settled offsets, delivered offsets.
type AckState = (u64, BTreeSet<u64>, BTreeMap<u64, u32>);

/// What a restart needs of a queue's acknowledgement state (`queue-acks/<queue>`): the
/// cursor, the offsets settled out of order, and every delivered, unsettled offset (in flight
/// or requeued) with its delivery count. [`decode_acks`] reads it back.
fn encode_acks(q: &Queue, w: &mut Writer) {
    w.u64(q.cursor());
    let settled = q.settled_offsets();
    w.u64(settled.len() as u64);
    for &o in settled {
        w.u64(o);
    }
    let delivered = q.delivered();
    w.u64(delivered.len() as u64);
    for (o, c) in delivered {
        w.u64(o);
        w.u32(c);
    }
}

fn decode_acks(bytes: &[u8]) -> Option<AckState> {
    let mut r = Reader(bytes);
    let cursor = r.u64()?;
    let mut settled = BTreeSet::new();
    for _ in 0..r.count(8)? {
        settled.insert(r.u64()?);
    }
    let mut delivered = BTreeMap::new();
    for _ in 0..r.count(12)? {
        delivered.insert(r.u64()?, r.u32()?);
    }
    r.is_empty().then_some((cursor, settled, delivered))
}

/// Rebuilds what retention needs of one partition from its log and what the last flush saved:
/// when the log still starts where it did then and still holds the last record counted, only
/// the records appended since are read; otherwise every retained record is. A compacted
/// partition (`compacted`) is always read whole, stepping over its gaps, and is due for
/// compaction at once (when its tombstones may go is not saved). Also moves `next_message`
/// past the log's last record. Returns the partition, its `start..end` and the records read.
fn recover_partition<S: Storage>(
    storage: &S,
    log: LogId,
    saved: Option<&SavedPartition>,
    compacted: bool,
    next_message: &mut u64,
) -> Result<(PartitionLog, (u64, u64), u64), StorageError> {
    let bounds = storage.bounds(log)?;
    let (start, end) = (bounds.start.0, bounds.end.0);
    let mut part = PartitionLog {
        log,
        records: end - start,
        gaps: 0,
        dirty: 0,
        tombstone_due: None,
        bytes: 0,
        oldest: None,
        last: None,
    };
    let mut at = start;
    let counted = |s: &&SavedPartition| {
        !compacted
            && s.end <= end
            && s.end.checked_sub(s.records) == Some(start)
            && (s.records == 0
                || storage
                    .read(log, Offset(s.end - 1))
                    .ok()
                    .map(|r| r.message.0)
                    == s.last)
    };
    if let Some(s) = saved.filter(counted) {
        part.bytes = s.bytes;
        part.oldest = s.oldest;
        at = s.end;
    }
    let mut scratch = Vec::new();
    let mut read = 0;
    let mut last = None;
    while at < end {
        at = storage.next_record(log, Offset(at))?.0;
        if at >= end {
            break;
        }
        scratch.clear();
        storage.read_range(log, Offset(at), 4096, &mut scratch)?;
        if scratch.is_empty() {
            break;
        }
        part.oldest = part.oldest.or(scratch.first().map(|r| r.timestamp));
        part.bytes += scratch.iter().map(record_size).sum::<u64>();
        last = scratch.last().map(|r| r.message);
        read += scratch.len() as u64;
        at += scratch.len() as u64;
    }
    if compacted {
        part.records = read;
        part.gaps = (end - start) - read;
        part.dirty = read;
        part.tombstone_due = (read > 0).then_some(Instant::ZERO);
        part.last = last;
    } else if end > start {
        part.last = Some(storage.read(log, Offset(end - 1))?.message);
    }
    if let Some(last) = part.last {
        // A stored id of u64::MAX (damage, or a hand-made file) must not overflow.
        *next_message = (*next_message).max(last.0.saturating_add(1));
    }
    Ok((part, (start, end), read))
}

impl<S: Storage> Broker<S> {
    /// Saves the topology, the clock, the acknowledgement state of each queue whose state
    /// changed since the last save, and each stream's partition counts to the storage
    /// metadata (see the [module docs](self)).
    pub(super) fn save_state(&mut self) -> Result<(), StorageError> {
        if self.out.topology_changed {
            self.storage.put_meta(TOPOLOGY, &self.snapshot().encode())?;
            self.out.topology_changed = false;
        }
        let mut w = Writer::default();
        w.u64(self.next_message);
        w.u64(self.now.as_millis());
        self.storage.put_meta(CLOCK, &w.0)?;
        // One buffer and one key string for every queue: this runs at every flush.
        let mut key = String::new();
        for q in self.queue_side.queues.values() {
            let signature = q.ack_signature();
            if let Some(saved) = self.saved_acks.0.get(&q.id)
                && saved.signature == signature
            {
                #[cfg(debug_assertions)]
                {
                    let mut now = Writer::default();
                    encode_acks(q, &mut now);
                    debug_assert_eq!(
                        now.0, saved.bytes,
                        "queue {}: the acknowledgement state changed, its signature did not",
                        q.name
                    );
                }
                continue;
            }
            w.0.clear();
            encode_acks(q, &mut w);
            key.clear();
            key.push_str(ACKS_PREFIX);
            key.push_str(&q.name);
            self.storage.put_meta(&key, &w.0)?;
            self.saved_acks.0.insert(
                q.id,
                SavedAck {
                    signature,
                    #[cfg(debug_assertions)]
                    bytes: w.0.clone(),
                },
            );
        }
        for s in self.stream_side.streams.values() {
            w.0.clear();
            w.u64(s.parts.len() as u64);
            for part in &s.parts {
                w.u64(self.storage.bounds(part.log)?.end.0);
                w.u64(part.records);
                w.u64(part.bytes);
                w.opt_u64(part.oldest.map(Instant::as_millis));
                w.opt_u64(part.last.map(|m| m.0));
            }
            key.clear();
            key.push_str(PARTS_PREFIX);
            key.push_str(&s.name);
            self.storage.put_meta(&key, &w.0)?;
        }
        self.save_share_state()
    }

    /// Forgets a deleted queue's saved acknowledgement state.
    pub(super) fn forget_queue_state(&mut self, queue: &str) {
        let _ = self.storage.delete_meta(&acks_key(queue));
    }

    /// Builds a broker from what an earlier one saved in `storage` with [`Broker::flush`]:
    /// exchanges, queues, bindings to queues, streams and groups come back with the same
    /// names and ids; each queue holds the messages of its log that were not acknowledged
    /// (those delivered but unacknowledged are ready again and flagged as redelivered);
    /// partitions keep their retention start; groups their committed offsets; share groups
    /// their share-partitions (acknowledged and archived records stay settled, acquired ones
    /// are available again). Consumers, subscriptions, group members and share group members
    /// are not restored: clients connect again.
    ///
    /// All of it as of the last flush: an ack after it may be lost (the message comes back),
    /// and a message first delivered after it comes back ready but not flagged as redelivered,
    /// since no delivery of it was saved. `SharedBroker` (feature `std`) flushes
    /// after every call, so neither happens there.
    ///
    /// A storage holding no saved broker gives a new, empty one ([`Recovered::fresh`]); logs
    /// left by a broker that never flushed stay in storage, unused, and new declarations get
    /// logs of their own. Anything the saved topology names that storage no longer has (a
    /// queue deleted after the last flush) is skipped and listed in [`Recovered::skipped`].
    ///
    /// ```
    /// use brokerlab::{Broker, ConsumerConfig, Instant, Limits, MemoryStorage, Publish, QueueConfig};
    /// let t = Instant::ZERO;
    /// let mut broker = Broker::new(MemoryStorage::new());
    /// broker.declare_queue(t, "jobs", QueueConfig::default())?;
    /// for job in ["a", "b", "c"] {
    ///     broker.publish(t, Publish::to_queue("jobs", job))?;
    /// }
    /// let worker = broker.consume(t, "jobs", "w1", ConsumerConfig::default().with_prefetch(2))?;
    /// let first = broker.unacked(worker)[0].delivery;
    /// broker.ack(t, worker, first)?; // "a" is done; "b" and "c" are delivered, not acked
    /// broker.flush()?;
    ///
    /// // The process restarts over the same storage.
    /// let (broker, recovered) = Broker::recover(broker.into_storage(), Limits::default())?;
    /// let q = &recovered.queues[0];
    /// assert_eq!((q.acked_below, q.redelivered, q.never_delivered), (1, 2, 0));
    /// assert_eq!(broker.queue_stats(q.queue).map(|s| s.ready), Some(2));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`RecoverError::Damaged`] if the saved state cannot be read (the storage's own checks
    /// make this a version mismatch or a bug, not a torn write), [`RecoverError::Storage`] if
    /// storage fails.
    pub fn recover(storage: S, limits: Limits) -> Result<(Self, Recovered), RecoverError> {
        let max_queue_messages = limits.max_queue_messages;
        let mut b = Broker::with_limits(storage, limits);
        let mut report = Recovered {
            next_message: MessageId(1),
            ..Recovered::default()
        };
        let Some(bytes) = b.storage.get_meta(TOPOLOGY)? else {
            // Logs made before a first save that never came (a process killed between a
            // declaration and its first flush) keep their ids; new ones go past them.
            while b.storage.bounds(LogId(b.next_log)).is_ok() {
                b.next_log += 1;
            }
            report.fresh = true;
            return Ok((b, report));
        };
        let snap = Snapshot::decode(&bytes).ok_or(RecoverError::Damaged("broker/topology"))?;
        let (mut next_message, now) = match b.storage.get_meta(CLOCK)? {
            None => (1, 0),
            Some(c) => {
                let mut r = Reader(&c);
                r.u64()
                    .zip(r.u64())
                    .filter(|_| r.is_empty())
                    .ok_or(RecoverError::Damaged("broker/clock"))?
            }
        };
        b.now = Instant::from_millis(now);
        b.queue_side.queues.set_next_seq(snap.next_queue);
        b.queue_side.exchanges.set_next_seq(snap.next_exchange);
        b.queue_side.next_binding = snap.next_binding;
        b.next_log = snap.next_log;
        // Logs made after the last save (a declaration that was never flushed) keep their
        // ids; new ones go past them.
        while b.storage.bounds(LogId(b.next_log)).is_ok() {
            b.next_log += 1;
        }
        b.stream_side.streams.set_next_seq(snap.next_stream);
        b.stream_side.groups.set_next_seq(snap.next_group);
        for (id, name, kind) in snap.exchanges {
            let id = ExchangeId(id);
            b.queue_side
                .exchanges
                .restore(id, Exchange::new(id, name, kind));
        }
        // A dead-letter queue's log holds copies of older messages after newer ones, so its
        // last record need not carry its largest id.
        let dead_letter_queues: BTreeSet<String> = snap
            .queues
            .iter()
            .filter_map(|(_, _, _, config)| config.dead_letter_queue.clone())
            .collect();
        for (id, name, log, config) in snap.queues {
            let (id, log) = (QueueId(id), LogId(log));
            let bounds = match b.storage.bounds(log) {
                Ok(bounds) => bounds,
                Err(StorageError::UnknownLog(_)) => {
                    report
                        .skipped
                        .push(format!("queue {name}: its log {log} is gone"));
                    continue;
                }
                Err(e) => return Err(e.into()),
            };
            let (start, end) = (bounds.start.0, bounds.end.0);
            let (cursor, settled, delivered) = match b.storage.get_meta(&acks_key(&name))? {
                None => (start, BTreeSet::new(), BTreeMap::new()),
                Some(bytes) => decode_acks(&bytes).ok_or(RecoverError::Damaged("queue-acks"))?,
            };
            let mut q = Queue::new(id, name.clone(), config, log, max_queue_messages);
            let redelivered = q.restore(start, end, cursor, &settled, &delivered);
            if q.head() > start {
                b.storage.drop_prefix(log, Offset(q.head()))?;
            }
            // What was appended since the last flush lies at or past the saved cursor: read
            // all of it in a dead-letter queue, the last record elsewhere.
            let from = if dead_letter_queues.contains(&name) {
                q.head().max(cursor).min(end)
            } else {
                end.saturating_sub(1).max(start)
            };
            for o in from..end {
                let id = b.storage.read(log, Offset(o))?.message;
                next_message = next_message.max(id.0.saturating_add(1));
            }
            let stats = q.stats();
            report.queues.push(crate::QueueRecovery {
                queue: id,
                name: name.clone(),
                acked_below: q.head(),
                acked_above: (end - q.head()) as usize - stats.ready,
                redelivered,
                never_delivered: stats.ready as u64 - redelivered as u64,
                end,
            });
            b.queue_side.queues.restore(id, q);
        }
        b.resolve_dead_letter_queues();
        for (id, exchange, queue, key) in snap.bindings {
            let (id, x, q) = (BindingId(id), ExchangeId(exchange), QueueId(queue));
            match b.queue_side.exchanges.get_mut(&x) {
                Some(ex) if b.queue_side.queues.get(&q).is_some() => {
                    ex.add_binding(id, Target::Queue(q), key);
                    b.queue_side.binding_index.insert(id, x);
                }
                _ => report
                    .skipped
                    .push(format!("binding {id}: its queue is gone")),
            }
        }
        for (id, name, config, logs) in snap.streams {
            let id = StreamId(id);
            let saved = match b.storage.get_meta(&parts_key(&name))? {
                None => Vec::new(),
                Some(v) => decode_partitions(&v).ok_or(RecoverError::Damaged("stream-parts"))?,
            };
            let mut parts = Vec::with_capacity(logs.len());
            let mut ranges = Vec::with_capacity(logs.len());
            let mut records_read = 0;
            for (p, log) in logs.into_iter().enumerate() {
                let compacted = config.cleanup == crate::stream::CleanupPolicy::Compact;
                let (part, range, read) = recover_partition(
                    &b.storage,
                    LogId(log),
                    saved.get(p),
                    compacted,
                    &mut next_message,
                )?;
                parts.push(part);
                ranges.push(range);
                records_read += read;
            }
            report.streams.push(crate::StreamRecovery {
                stream: id,
                name: name.clone(),
                partitions: ranges,
                records_read,
            });
            b.stream_side
                .streams
                .restore(id, Stream::new(id, name, config, parts));
        }
        for (id, name, assignor, generation) in snap.groups {
            let id = GroupId(id);
            let mut g = Group::new(
                id,
                name.clone(),
                &crate::group::GroupConfig::default().with_assignor(assignor),
            );
            g.generation = generation;
            for s in b.stream_side.streams.values() {
                for p in 0..s.parts.len() as u32 {
                    let key = commit_key(&name, &s.name, p);
                    if let Some(v) = b.storage.get_meta(&key)? {
                        let offset = <[u8; 8]>::try_from(v.as_slice())
                            .map_err(|_| RecoverError::Damaged("group commit"))?;
                        let sp = StreamPartition::new(s.id, p);
                        g.committed.insert(sp, Offset(u64::from_le_bytes(offset)));
                        g.commit_keys.insert(sp, key);
                    }
                }
            }
            report.groups.push((name.clone(), g.committed.len()));
            b.stream_side.groups.restore(id, g);
        }
        report.share_groups = b.recover_share_groups()?;
        b.next_message = next_message;
        // New logs may have been found past the saved counter; saving again records them.
        b.out.topology_changed = b.next_log != snap.next_log;
        report.next_message = MessageId(next_message);
        report.now = b.now;
        Ok((b, report))
    }
}
