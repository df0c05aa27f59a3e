//! Streams on the broker: declaring streams and partitions, producing, standalone stream
//! consumers, polling and seeking (pattern D). Consumer groups build on this in `groups.rs`.

use alloc::string::String;
use alloc::vec::Vec;

use super::{Broker, next_id};
use crate::common_error::{LimitError, LimitKind, check_name};
use crate::event::Event;
use crate::group::{Group, Membership};
use crate::ids::{GroupId, LogId, MessageId, Offset, StreamConsumerId, StreamId};
use crate::message::Payload;
use crate::outbox::Out;
use crate::partitioner::murmur2;
use crate::storage::{LogBounds, Record, Storage};
use crate::stream::{
    OffsetReset, Partition, PartitionLog, PartitionStats, PolledPosition, Produced, Retained,
    SeekTo, Stream, StreamConfig, StreamConsumerConfig, StreamPartition, StreamRecord,
};
use crate::stream_error::{
    DeclareStreamError, PollError, ProduceError, SeekError, StreamConsumerError,
};
use crate::time::Instant;
use crate::vec_map::VecMap;

/// Names a stream by name or by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamRef<'a> {
    /// By name.
    Name(&'a str),
    /// By id.
    Id(StreamId),
}

impl<'a> From<&'a str> for StreamRef<'a> {
    fn from(name: &'a str) -> Self {
        StreamRef::Name(name)
    }
}

impl<'a> From<&'a String> for StreamRef<'a> {
    fn from(name: &'a String) -> Self {
        StreamRef::Name(name)
    }
}

impl From<StreamId> for StreamRef<'_> {
    fn from(id: StreamId) -> Self {
        StreamRef::Id(id)
    }
}

/// A stream consumer: standalone (all partitions of one stream) or a group member (the
/// partitions its group assigned it).
#[derive(Debug)]
pub(crate) struct StreamConsumer {
    pub(crate) name: String,
    pub(crate) membership: Option<Membership>,
    pub(crate) reset: OffsetReset,
    /// Subscribed streams, sorted.
    pub(crate) streams: Vec<StreamId>,
    /// Assigned partitions and the position in each (`None`: no position yet).
    pub(crate) positions: VecMap<StreamPartition, Option<Offset>>,
    /// Standalone consumers: one past the highest offset polled, per partition.
    pub(crate) polled_end: VecMap<StreamPartition, Offset>,
    /// Where the next poll starts among the assigned partitions (round-robin fairness).
    pub(crate) next: usize,
}

/// Everything the broker keeps for streams and groups.
#[derive(Debug)]
pub(crate) struct StreamState {
    pub(crate) streams: VecMap<StreamId, Stream>,
    pub(crate) stream_names: VecMap<String, StreamId>,
    pub(crate) consumers: VecMap<StreamConsumerId, StreamConsumer>,
    /// Names of standalone consumers (group members are named within their group).
    pub(crate) consumer_names: VecMap<String, StreamConsumerId>,
    pub(crate) groups: VecMap<GroupId, Group>,
    pub(crate) group_names: VecMap<String, GroupId>,
    pub(crate) next_stream: u32,
    pub(crate) next_consumer: u32,
    pub(crate) next_group: u32,
    /// Scratch for `poll_into`: the partitions of the poll under way (empty between polls).
    pub(crate) poll_plan: Vec<PollPlan>,
}

/// One partition of a poll: where it starts, the log end, and how far the poll read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PollPlan {
    partition: StreamPartition,
    log: LogId,
    at: Offset,
    end: Offset,
    reached: Offset,
}

/// Walks a consumer's positions and a poll plan together in one pass. The plan follows the
/// positions' order and skips only partitions of a missing stream, so each plan entry meets
/// its position slot without a map lookup.
fn walk_plan(
    positions: &mut VecMap<StreamPartition, Option<Offset>>,
    plan: &[PollPlan],
    mut f: impl FnMut(&PollPlan, &mut Option<Offset>),
) {
    let mut k = 0;
    for (&sp, slot) in positions {
        let Some(entry) = plan.get(k) else {
            break;
        };
        if entry.partition != sp {
            continue;
        }
        k += 1;
        f(entry, slot);
    }
}

impl StreamState {
    pub(crate) fn new() -> Self {
        StreamState {
            streams: VecMap::new(),
            stream_names: VecMap::new(),
            consumers: VecMap::new(),
            consumer_names: VecMap::new(),
            groups: VecMap::new(),
            group_names: VecMap::new(),
            next_stream: 1,
            next_consumer: 1,
            next_group: 1,
            poll_plan: Vec::new(),
        }
    }

    pub(crate) fn resolve(&self, s: StreamRef<'_>) -> Option<StreamId> {
        match s {
            StreamRef::Name(n) => self.stream_names.get(n).copied(),
            StreamRef::Id(id) => self.streams.contains_key(&id).then_some(id),
        }
    }

    pub(crate) fn log_of(&self, sp: StreamPartition) -> Option<LogId> {
        self.streams
            .get(&sp.stream)?
            .parts
            .get(sp.partition.0 as usize)
            .map(|p| p.log)
    }

    /// When the next retention age or session deadline falls.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        let retention = self
            .streams
            .values()
            .filter_map(Stream::next_deadline)
            .min();
        let sessions = self
            .consumers
            .values()
            .filter_map(|c| c.membership.map(|m| m.deadline()))
            .min();
        match (retention, sessions) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

/// The position `reset` gives on a log with `bounds`.
pub(crate) fn reset_position(reset: OffsetReset, bounds: LogBounds) -> Option<Offset> {
    match reset {
        OffsetReset::Earliest => Some(bounds.start),
        OffsetReset::Latest => Some(bounds.end),
        OffsetReset::None => None,
    }
}

impl<S: Storage> Broker<S> {
    /// Declares a stream named `name` with `config.partitions` partitions, each a new log in
    /// storage.
    ///
    /// Errors: invalid or duplicate name, zero partitions or more than
    /// [`Limits::max_partitions`](crate::Limits), a retention `max_records` of 0 or above
    /// [`Limits::max_partition_records`](crate::Limits), [`Limits::max_streams`](crate::Limits),
    /// storage refusing a log. On error nothing is declared.
    pub fn declare_stream(
        &mut self,
        now: Instant,
        name: &str,
        config: StreamConfig,
    ) -> Result<StreamId, DeclareStreamError> {
        self.clock(now);
        check_name(name, self.limits.max_name_len)?;
        if let Some(&id) = self.st.stream_names.get(name) {
            return Err(DeclareStreamError::AlreadyExists(id));
        }
        if config.partitions == 0 {
            return Err(DeclareStreamError::InvalidConfig(
                "a stream needs at least one partition",
            ));
        }
        if config.partitions > self.limits.max_partitions {
            return Err(self.partition_limit());
        }
        let max = self.limits.max_partition_records as u64;
        if let Some(m) = config.retention.max_records
            && (m == 0 || m > max)
        {
            return Err(DeclareStreamError::InvalidConfig(
                "retention max_records must be within 1..=Limits::max_partition_records",
            ));
        }
        if config.retention.max_bytes == Some(0) {
            return Err(DeclareStreamError::InvalidConfig(
                "retention max_bytes must be at least 1",
            ));
        }
        if self.st.streams.len() >= self.limits.max_streams {
            return Err(LimitError {
                kind: LimitKind::Streams,
                limit: self.limits.max_streams,
            }
            .into());
        }
        let mut counter = self.st.next_stream;
        let id = StreamId(next_id(&mut counter)?);
        let parts = self.create_partition_logs(0, config.partitions)?;
        self.st.next_stream = counter;
        let _ = self.storage.put_meta(
            &alloc::format!("stream/{name}"),
            &config.partitions.to_le_bytes(),
        );
        self.st
            .streams
            .insert(id, Stream::new(id, String::from(name), config, parts));
        self.st.stream_names.insert(String::from(name), id);
        self.out.emit(Event::StreamDeclared {
            stream: id,
            partitions: config.partitions,
        });
        Ok(id)
    }

    fn partition_limit(&self) -> DeclareStreamError {
        LimitError {
            kind: LimitKind::Partitions,
            limit: self.limits.max_partitions as usize,
        }
        .into()
    }

    /// Creates `count` logs; on a storage error deletes the ones already made.
    fn create_partition_logs(
        &mut self,
        _from: u32,
        count: u32,
    ) -> Result<Vec<PartitionLog>, DeclareStreamError> {
        let mut parts = Vec::with_capacity(count as usize);
        for i in 0..u64::from(count) {
            let log = LogId(self.next_log + i);
            if let Err(e) = self.storage.create_log(log) {
                for p in &parts {
                    let p: &PartitionLog = p;
                    let _ = self.storage.delete_log(p.log);
                }
                return Err(e.into());
            }
            parts.push(PartitionLog {
                log,
                records: 0,
                bytes: 0,
                oldest: None,
                last: None,
            });
        }
        self.next_log += u64::from(count);
        Ok(parts)
    }

    /// Adds `count` partitions to a stream (partitions are never removed). Standalone
    /// consumers of the stream get the new partitions at once (positioned by their
    /// `auto_offset_reset`); every group subscribed to it rebalances. Returns the new
    /// partition count.
    ///
    /// Keyed records may map to different partitions afterwards, as in Kafka.
    pub fn add_partitions<'a>(
        &mut self,
        now: Instant,
        stream: impl Into<StreamRef<'a>>,
        count: u32,
    ) -> Result<u32, DeclareStreamError> {
        let now = self.clock(now);
        let id = self
            .st
            .resolve(stream.into())
            .ok_or(DeclareStreamError::UnknownStream)?;
        if count == 0 {
            return Err(DeclareStreamError::InvalidConfig(
                "add at least one partition",
            ));
        }
        let old = self.st.streams[&id].partition_count();
        let total = old.saturating_add(count);
        if total > self.limits.max_partitions {
            return Err(self.partition_limit());
        }
        let parts = self.create_partition_logs(old, count)?;
        let s = self
            .st
            .streams
            .get_mut(&id)
            .ok_or(DeclareStreamError::UnknownStream)?;
        s.parts.extend(parts);
        s.config.partitions = total;
        let _ = self
            .storage
            .put_meta(&alloc::format!("stream/{}", s.name), &total.to_le_bytes());
        self.out.emit(Event::PartitionsAdded {
            stream: id,
            partitions: total,
        });
        // Standalone consumers take the new partitions.
        for c in self.st.consumers.values_mut() {
            if c.membership.is_none() && c.streams.contains(&id) {
                for p in old..total {
                    let log = self.st.streams[&id].parts[p as usize].log;
                    let pos = self
                        .storage
                        .bounds(log)
                        .ok()
                        .and_then(|b| reset_position(c.reset, b));
                    c.positions.insert(StreamPartition::new(id, p), pos);
                }
            }
        }
        // Groups subscribed to the stream rebalance.
        let groups: Vec<GroupId> = self
            .st
            .groups
            .values()
            .filter(|g| {
                g.members.values().any(|m| {
                    self.st
                        .consumers
                        .get(m)
                        .is_some_and(|c| c.streams.contains(&id))
                })
            })
            .map(|g| g.id)
            .collect();
        for g in groups {
            self.rebalance(g, now);
        }
        Ok(total)
    }

    /// Appends a record to a stream and returns where it went. A keyed record goes to the
    /// partition its key hashes to; a keyless one round-robin over the partitions. Retention is
    /// applied to the partition right after the append.
    ///
    /// Errors: unknown stream, payload or key beyond the limits, a full partition
    /// ([`LimitKind::PartitionRecords`]), storage refusing the append. On error nothing is
    /// appended.
    pub fn produce<'a>(
        &mut self,
        now: Instant,
        stream: impl Into<StreamRef<'a>>,
        key: Option<&[u8]>,
        payload: impl Into<Payload>,
    ) -> Result<Produced, ProduceError> {
        let id = self
            .st
            .resolve(stream.into())
            .ok_or(ProduceError::UnknownStream)?;
        self.produce_inner(now, id, None, key, payload.into())
    }

    /// Appends a record to an explicit partition of a stream (the key, if any, is stored but
    /// does not choose the partition).
    ///
    /// Errors: as [`produce`](Self::produce), and a partition out of range.
    pub fn produce_to<'a>(
        &mut self,
        now: Instant,
        stream: impl Into<StreamRef<'a>>,
        partition: Partition,
        key: Option<&[u8]>,
        payload: impl Into<Payload>,
    ) -> Result<Produced, ProduceError> {
        let id = self
            .st
            .resolve(stream.into())
            .ok_or(ProduceError::UnknownStream)?;
        self.produce_inner(now, id, Some(partition), key, payload.into())
    }

    fn produce_inner(
        &mut self,
        now: Instant,
        id: StreamId,
        partition: Option<Partition>,
        key: Option<&[u8]>,
        payload: Payload,
    ) -> Result<Produced, ProduceError> {
        let now = self.clock(now);
        if payload.len() > self.limits.max_payload_bytes {
            return Err(ProduceError::PayloadTooLarge {
                len: payload.len(),
                max: self.limits.max_payload_bytes,
            });
        }
        if let Some(k) = key
            && k.len() > self.limits.max_key_len
        {
            return Err(ProduceError::KeyTooLarge {
                len: k.len(),
                max: self.limits.max_key_len,
            });
        }
        let s = self
            .st
            .streams
            .get_mut(&id)
            .ok_or(ProduceError::UnknownStream)?;
        let key_hash = key.map(murmur2);
        let n = s.partition_count();
        let p = match partition {
            Some(p) if p.0 < n => p.0,
            Some(p) => {
                return Err(ProduceError::PartitionOutOfRange {
                    partition: p,
                    partitions: n,
                });
            }
            None => s.choose_partition(key_hash, payload.len()),
        };
        if s.parts[p as usize].records >= self.limits.max_partition_records as u64 {
            return Err(LimitError {
                kind: LimitKind::PartitionRecords,
                limit: self.limits.max_partition_records,
            }
            .into());
        }
        let message = MessageId(self.next_message);
        let next = self.next_message.checked_add(1).ok_or(LimitError {
            kind: LimitKind::Ids,
            limit: usize::MAX,
        })?;
        let record = Record {
            message,
            timestamp: now,
            payload,
            meta: key.zip(key_hash).map(|(k, h)| s.key_meta(k, h)),
        };
        let (offset, retained) = s.append(&mut self.storage, p, record, now)?;
        self.out.emit(Event::Appended {
            message,
            partition: StreamPartition::new(id, p),
            offset,
        });
        report_retention(&mut self.out, retained);
        self.next_message = next;
        Ok(Produced {
            message,
            partition: StreamPartition::new(id, p),
            offset,
        })
    }

    /// Creates a standalone consumer named `name` (unique among standalone stream consumers)
    /// reading every partition of `stream`, present and added later, with its own positions.
    /// Each position starts where `auto_offset_reset` says: the log start (`Earliest`), the
    /// log end (`Latest`), or nowhere (`None`: poll fails until the consumer seeks).
    ///
    /// Errors: unknown stream, invalid or duplicate name,
    /// [`Limits::max_stream_consumers`](crate::Limits).
    pub fn stream_consumer<'a>(
        &mut self,
        now: Instant,
        stream: impl Into<StreamRef<'a>>,
        name: &str,
        config: StreamConsumerConfig,
    ) -> Result<StreamConsumerId, StreamConsumerError> {
        self.clock(now);
        let stream = self
            .st
            .resolve(stream.into())
            .ok_or(StreamConsumerError::UnknownStream)?;
        check_name(name, self.limits.max_name_len)?;
        if let Some(&id) = self.st.consumer_names.get(name) {
            return Err(StreamConsumerError::DuplicateName(id));
        }
        self.check_consumer_limit()?;
        let id = StreamConsumerId(next_id(&mut self.st.next_consumer)?);
        let s = &self.st.streams[&stream];
        let mut positions = VecMap::new();
        for (p, part) in s.parts.iter().enumerate() {
            let pos = self
                .storage
                .bounds(part.log)
                .ok()
                .and_then(|b| reset_position(config.auto_offset_reset, b));
            positions.insert(StreamPartition::new(stream, p as u32), pos);
        }
        self.st.consumers.insert(
            id,
            StreamConsumer {
                name: String::from(name),
                membership: None,
                reset: config.auto_offset_reset,
                streams: alloc::vec![stream],
                positions,
                polled_end: VecMap::new(),
                next: 0,
            },
        );
        self.st.consumer_names.insert(String::from(name), id);
        self.out.emit(Event::StreamConsumerCreated {
            consumer: id,
            stream,
        });
        Ok(id)
    }

    pub(super) fn check_consumer_limit(&self) -> Result<(), LimitError> {
        if self.st.consumers.len() >= self.limits.max_stream_consumers {
            return Err(LimitError {
                kind: LimitKind::StreamConsumers,
                limit: self.limits.max_stream_consumers,
            });
        }
        Ok(())
    }

    /// Removes a standalone stream consumer (group members use
    /// [`leave_group`](Self::leave_group)). Its positions are forgotten; the log is untouched.
    pub fn close_stream_consumer(
        &mut self,
        now: Instant,
        consumer: StreamConsumerId,
    ) -> Result<(), StreamConsumerError> {
        self.clock(now);
        let c = self
            .st
            .consumers
            .get(&consumer)
            .ok_or(StreamConsumerError::UnknownConsumer)?;
        if let Some(m) = c.membership {
            return Err(StreamConsumerError::GroupMember(m.group));
        }
        if let Some(c) = self.st.consumers.remove(&consumer) {
            self.st.consumer_names.remove(&c.name);
        }
        self.out.emit(Event::StreamConsumerClosed { consumer });
        Ok(())
    }

    /// Reads up to `max` records from the consumer's partitions, starting each partition at
    /// the consumer's position and moving it past what was read. Partitions take turns from
    /// one poll to the next; within a partition records come in offset order. A position
    /// that has no value yet, or that retention left below the log start, is first moved by
    /// `auto_offset_reset` (reported as `OffsetReset`). Each partition read emits `Polled`,
    /// counting the records that were handed out before (redelivered). Polling also counts as
    /// a group member's heartbeat. Reading never deletes.
    ///
    /// A consumer that polls often can reuse one buffer with [`poll_into`](Self::poll_into).
    ///
    /// Errors: unknown consumer; with `auto_offset_reset = None`, no position or a position
    /// outside the log; storage failing. On error nothing is read and no position moves.
    pub fn poll(
        &mut self,
        now: Instant,
        consumer: StreamConsumerId,
        max: usize,
    ) -> Result<Vec<StreamRecord>, PollError> {
        let mut records = Vec::new();
        self.poll_into(now, consumer, max, &mut records)?;
        Ok(records)
    }

    /// [`poll`](Self::poll) into a buffer the caller keeps: appends up to `max` records to
    /// `out` (what it already holds is left in place) and returns how many it appended. The
    /// same positions move and the same events are emitted as with `poll`; a caller that
    /// clears and reuses `out` allocates nothing once it has grown.
    ///
    /// Errors: as [`poll`](Self::poll); on error `out` is as it was.
    pub fn poll_into(
        &mut self,
        now: Instant,
        consumer: StreamConsumerId,
        max: usize,
        out: &mut Vec<StreamRecord>,
    ) -> Result<usize, PollError> {
        self.poll_buffered(now, consumer, max, out)
    }

    /// [`poll_into`](Self::poll_into) for a caller that needs only where each record is: the
    /// same positions move and the same events are emitted, but no record is read: storage is
    /// only asked whether each one is readable ([`Storage::check_readable`]).
    ///
    /// Errors: as [`poll`](Self::poll); on error `out` is as it was.
    pub fn poll_positions_into(
        &mut self,
        now: Instant,
        consumer: StreamConsumerId,
        max: usize,
        out: &mut Vec<PolledPosition>,
    ) -> Result<usize, PollError> {
        self.poll_buffered(now, consumer, max, out)
    }

    fn poll_buffered<T: PollOut>(
        &mut self,
        now: Instant,
        consumer: StreamConsumerId,
        max: usize,
        out: &mut Vec<T>,
    ) -> Result<usize, PollError> {
        let mut plan = core::mem::take(&mut self.st.poll_plan);
        let had = out.len();
        let result = self.poll_with(now, consumer, max, out, &mut plan);
        if result.is_err() {
            out.truncate(had);
        }
        plan.clear();
        self.st.poll_plan = plan;
        result
    }

    fn poll_with<T: PollOut>(
        &mut self,
        now: Instant,
        consumer: StreamConsumerId,
        max: usize,
        out: &mut Vec<T>,
        plan: &mut Vec<PollPlan>,
    ) -> Result<usize, PollError> {
        let now = self.clock(now);
        let st = &mut self.st;
        let c = st
            .consumers
            .get_mut(&consumer)
            .ok_or(PollError::UnknownConsumer)?;
        if let Some(m) = &mut c.membership {
            m.last_seen = now;
        }
        // Resolve every position first, so an error leaves everything as it was.
        plan.clear();
        for (&sp, &pos) in &c.positions {
            let Some(log) = st
                .streams
                .get(&sp.stream)
                .and_then(|s| s.parts.get(sp.partition.0 as usize))
                .map(|p| p.log)
            else {
                continue;
            };
            let b = self.storage.bounds(log)?;
            let at = match pos {
                Some(o) if o >= b.start && o <= b.end => o,
                other => match (reset_position(c.reset, b), other) {
                    (Some(o), _) => o,
                    (None, None) => return Err(PollError::NoOffset(sp)),
                    (None, Some(offset)) => {
                        return Err(PollError::OffsetOutOfRange {
                            partition: sp,
                            offset,
                            start: b.start,
                            end: b.end,
                        });
                    }
                },
            };
            plan.push(PollPlan {
                partition: sp,
                log,
                at,
                end: b.end,
                reached: at,
            });
        }
        let policy = c.reset;
        let events = &mut self.out;
        walk_plan(&mut c.positions, plan, |entry, slot| {
            if *slot != Some(entry.at) {
                events.emit(Event::OffsetReset {
                    consumer,
                    partition: entry.partition,
                    from: *slot,
                    to: entry.at,
                    policy,
                });
                *slot = Some(entry.at);
            }
        });
        if plan.is_empty() {
            return Ok(0);
        }
        let mut group = c
            .membership
            .and_then(|m| st.groups.get_mut(&m.group))
            .map(|g| &mut g.polled_end);
        let n = plan.len();
        let first = c.next % n;
        c.next = (first + 1) % n;
        let mut count = 0;
        for k in 0..n {
            if count >= max {
                break;
            }
            let entry = &mut plan[(first + k) % n];
            if entry.at >= entry.end {
                continue;
            }
            let sp = entry.partition;
            let polled_end = match group.as_deref_mut() {
                Some(ends) => ends.get_or_insert_with(sp, || Offset(0)),
                None => c.polled_end.get_or_insert_with(sp, || Offset(0)),
            };
            let want = (entry.end.0 - entry.at.0).min((max - count) as u64);
            let mut offset = entry.at;
            let mut redelivered = 0;
            let before = *polled_end;
            let stop = Offset(entry.at.0 + want);
            while offset < stop {
                let again = offset < before;
                out.push(T::read(&self.storage, entry.log, sp, offset, again)?);
                redelivered += u64::from(again);
                offset = offset.next();
            }
            let got = offset.0 - entry.at.0;
            if got > 0 {
                count += got as usize;
                *polled_end = before.max(offset);
                entry.reached = offset;
                self.out.emit(Event::Polled {
                    consumer,
                    partition: sp,
                    first: entry.at,
                    count: got,
                    redelivered,
                });
            }
        }
        // Move the positions past what was read.
        walk_plan(&mut c.positions, plan, |entry, slot| {
            if entry.reached != entry.at {
                *slot = Some(entry.reached);
            }
        });
        Ok(count)
    }

    /// Moves a consumer's position in one of its partitions: to the log start, the log end,
    /// an offset, or the earliest offset whose timestamp is at or after an instant. Returns
    /// the new position. Seeking below the log start is allowed (the next poll applies
    /// `auto_offset_reset`); beyond the log end is an error.
    pub fn seek(
        &mut self,
        now: Instant,
        consumer: StreamConsumerId,
        partition: StreamPartition,
        to: SeekTo,
    ) -> Result<Offset, SeekError> {
        self.clock(now);
        let c = self
            .st
            .consumers
            .get(&consumer)
            .ok_or(SeekError::UnknownConsumer)?;
        if !c.positions.contains_key(&partition) {
            return Err(SeekError::NotAssigned(partition));
        }
        let s = self
            .st
            .streams
            .get(&partition.stream)
            .ok_or(SeekError::NotAssigned(partition))?;
        let log = s.parts[partition.partition.0 as usize].log;
        let b = self.storage.bounds(log)?;
        let offset = match to {
            SeekTo::Beginning => b.start,
            SeekTo::End => b.end,
            SeekTo::Offset(o) if o > b.end => {
                return Err(SeekError::BeyondEnd {
                    offset: o,
                    end: b.end,
                });
            }
            SeekTo::Offset(o) => o,
            SeekTo::Timestamp(t) => s.offset_for_time(&self.storage, partition.partition.0, t)?,
        };
        if let Some(c) = self.st.consumers.get_mut(&consumer) {
            c.positions.insert(partition, Some(offset));
        }
        self.out.emit(Event::Seeked {
            consumer,
            partition,
            offset,
        });
        Ok(offset)
    }

    /// [`seek`](Self::seek) in every partition the consumer is assigned.
    pub fn seek_all(
        &mut self,
        now: Instant,
        consumer: StreamConsumerId,
        to: SeekTo,
    ) -> Result<(), SeekError> {
        let parts: Vec<StreamPartition> = self
            .st
            .consumers
            .get(&consumer)
            .ok_or(SeekError::UnknownConsumer)?
            .positions
            .keys()
            .copied()
            .collect();
        for sp in parts {
            self.seek(now, consumer, sp, to)?;
        }
        Ok(())
    }

    // ----- lookups -----

    /// The id of the stream with this name.
    #[must_use]
    pub fn stream_id(&self, name: &str) -> Option<StreamId> {
        self.st.stream_names.get(name).copied()
    }

    /// The name of a stream.
    #[must_use]
    pub fn stream_name(&self, stream: StreamId) -> Option<&str> {
        self.st.streams.get(&stream).map(|s| s.name.as_str())
    }

    /// All streams, by id.
    pub fn streams(&self) -> impl Iterator<Item = StreamId> + '_ {
        self.st.streams.keys().copied()
    }

    /// A stream's configuration (its partition count included).
    #[must_use]
    pub fn stream_config(&self, stream: StreamId) -> Option<StreamConfig> {
        self.st.streams.get(&stream).map(|s| s.config)
    }

    /// A partition's retained offsets, bytes and oldest timestamp.
    #[must_use]
    pub fn partition_stats(&self, partition: StreamPartition) -> Option<PartitionStats> {
        let s = self.st.streams.get(&partition.stream)?;
        let part = s.parts.get(partition.partition.0 as usize)?;
        Some(PartitionStats {
            bounds: self.storage.bounds(part.log).ok()?,
            bytes: part.bytes,
            oldest: part.oldest,
        })
    }

    /// Reads one retained record without moving any consumer (for inspection).
    #[must_use]
    pub fn stream_record(
        &self,
        partition: StreamPartition,
        offset: Offset,
    ) -> Option<StreamRecord> {
        let log = self.st.log_of(partition)?;
        let r = self.storage.read(log, offset).ok()?;
        Some(StreamRecord {
            partition,
            offset,
            timestamp: r.timestamp,
            message: r.message,
            key: r.meta.and_then(|m| m.key.clone()),
            payload: r.payload,
            redelivered: false,
        })
    }

    /// The name of a stream consumer (a group member's member id).
    #[must_use]
    pub fn stream_consumer_name(&self, consumer: StreamConsumerId) -> Option<&str> {
        self.st.consumers.get(&consumer).map(|c| c.name.as_str())
    }

    /// The id of the standalone stream consumer with this name.
    #[must_use]
    pub fn stream_consumer_id(&self, name: &str) -> Option<StreamConsumerId> {
        self.st.consumer_names.get(name).copied()
    }

    /// A consumer's position in a partition (the next offset it reads), if it is assigned the
    /// partition and has one.
    #[must_use]
    pub fn position(
        &self,
        consumer: StreamConsumerId,
        partition: StreamPartition,
    ) -> Option<Offset> {
        self.st
            .consumers
            .get(&consumer)?
            .positions
            .get(&partition)
            .copied()
            .flatten()
    }

    /// The partitions a consumer is assigned, sorted.
    #[must_use]
    pub fn assigned_partitions(&self, consumer: StreamConsumerId) -> Vec<StreamPartition> {
        self.st
            .consumers
            .get(&consumer)
            .map(|c| c.positions.keys().copied().collect())
            .unwrap_or_default()
    }
}

impl<S: Storage> Broker<S> {
    /// Retention by age on every partition, then session-timeout eviction.
    pub(super) fn handle_stream_timeouts(&mut self, now: Instant) {
        for s in self.st.streams.values_mut() {
            if s.config.retention.max_age.is_some() {
                for p in 0..s.partition_count() {
                    let retained = s.apply_retention(&mut self.storage, p, now);
                    report_retention(&mut self.out, retained);
                }
            }
        }
        self.evict_silent_members(now);
    }
}

/// Reports what retention dropped, if anything.
#[inline]
fn report_retention(out: &mut Out, retained: Option<Retained>) {
    if let Some(r) = retained {
        out.emit(Event::RetentionApplied {
            partition: r.partition,
            start: r.start,
            dropped: r.dropped,
            reason: r.reason,
        });
    }
}

/// What a poll hands out per record: the whole [`StreamRecord`] or only its [`PolledPosition`].
trait PollOut: Sized {
    fn read<S: Storage>(
        storage: &S,
        log: LogId,
        partition: StreamPartition,
        offset: Offset,
        redelivered: bool,
    ) -> Result<Self, crate::storage::StorageError>;
}

impl PollOut for StreamRecord {
    #[inline]
    fn read<S: Storage>(
        storage: &S,
        log: LogId,
        partition: StreamPartition,
        offset: Offset,
        redelivered: bool,
    ) -> Result<Self, crate::storage::StorageError> {
        let r = storage.read(log, offset)?;
        Ok(StreamRecord {
            partition,
            offset,
            timestamp: r.timestamp,
            message: r.message,
            key: r.meta.and_then(|m| m.key.clone()),
            payload: r.payload,
            redelivered,
        })
    }
}

impl PollOut for PolledPosition {
    #[inline]
    fn read<S: Storage>(
        storage: &S,
        log: LogId,
        partition: StreamPartition,
        offset: Offset,
        redelivered: bool,
    ) -> Result<Self, crate::storage::StorageError> {
        storage.check_readable(log, offset)?;
        Ok(PolledPosition {
            partition,
            offset,
            redelivered,
        })
    }
}
