//! Standalone stream consumers: opening and closing them, polling and seeking.

use alloc::string::String;
use alloc::vec::Vec;

use super::super::{Broker, next_id};
use super::{PollOut, PollPlan, StreamConsumer, StreamRef, reset_position, walk_plan};
use crate::common_error::{LimitError, LimitKind, check_name};
use crate::event::Event;
use crate::ids::{Offset, StreamConsumerId};
use crate::storage::Storage;
use crate::stream::{PollError, SeekError, StreamConsumerError};
use crate::stream::{PolledPosition, SeekTo, StreamConsumerConfig, StreamPartition, StreamRecord};
use crate::time::Instant;
use crate::vec_map::VecMap;

impl<S: Storage> Broker<S> {
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
            .stream_side
            .resolve(stream.into())
            .ok_or(StreamConsumerError::UnknownStream)?;
        check_name(name, self.limits.max_name_len)?;
        if let Some(&id) = self.stream_side.consumer_names.get(name) {
            return Err(StreamConsumerError::DuplicateName(id));
        }
        self.check_consumer_limit()?;
        let id = StreamConsumerId(next_id(&mut self.stream_side.next_consumer)?);
        let s = &self.stream_side.streams[&stream];
        let mut positions = VecMap::new();
        for (p, part) in s.parts.iter().enumerate() {
            let pos = self
                .storage
                .bounds(part.log)
                .ok()
                .and_then(|b| reset_position(config.auto_offset_reset, b));
            positions.insert(StreamPartition::new(stream, p as u32), pos);
        }
        self.stream_side.consumers.insert(
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
        self.stream_side
            .consumer_names
            .insert(String::from(name), id);
        self.out.emit(Event::StreamConsumerCreated {
            consumer: id,
            stream,
        });
        Ok(id)
    }

    pub(in crate::broker) fn check_consumer_limit(&self) -> Result<(), LimitError> {
        if self.stream_side.consumers.len() >= self.limits.max_stream_consumers {
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
            .stream_side
            .consumers
            .get(&consumer)
            .ok_or(StreamConsumerError::UnknownConsumer)?;
        if let Some(m) = c.membership {
            return Err(StreamConsumerError::GroupMember(m.group));
        }
        if let Some(c) = self.stream_side.consumers.remove(&consumer) {
            self.stream_side.consumer_names.remove(&c.name);
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
    /// a group member's heartbeat, and it is how a classic member told of a rebalance rejoins
    /// (see [`heartbeat`](Self::heartbeat)). A poll of `max` 0 reads and moves nothing.
    /// Reading never deletes.
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
        // A classic member told of a rebalance rejoins with this poll.
        let now = self.clock(now);
        self.classic_rejoin(consumer, now);
        let mut plan = core::mem::take(&mut self.stream_side.poll_plan);
        let had = out.len();
        let result = self.poll_with(now, consumer, max, out, &mut plan);
        if result.is_err() {
            out.truncate(had);
        }
        plan.clear();
        self.stream_side.poll_plan = plan;
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
        let st = &mut self.stream_side;
        let c = st
            .consumers
            .get_mut(&consumer)
            .ok_or(PollError::UnknownConsumer)?;
        if let Some(m) = &mut c.membership {
            m.last_seen = now;
        }
        if max == 0 {
            return Ok(0);
        }
        // Resolve every position first, so an error leaves everything as it was.
        plan.clear();
        for (&sp, &pos) in &c.positions {
            let Some((log, gapped)) = st
                .streams
                .get(&sp.stream)
                .and_then(|s| s.parts.get(sp.partition.0 as usize))
                .map(|p| (p.log, p.gaps > 0))
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
                gapped,
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
            let before = *polled_end;
            // One `Polled` per run of consecutive offsets: a gap left by compaction ends a run.
            let (mut run_first, mut run, mut redelivered) = (offset, 0u64, 0u64);
            let mut got = 0;
            while got < want && offset < entry.end {
                if entry.gapped {
                    let next = self.storage.next_record(entry.log, offset)?;
                    if next != offset {
                        if run > 0 {
                            self.out.emit(Event::Polled {
                                consumer,
                                partition: sp,
                                first: run_first,
                                count: run,
                                redelivered,
                            });
                        }
                        (run_first, run, redelivered) = (next, 0, 0);
                        offset = next;
                        if offset >= entry.end {
                            break;
                        }
                    }
                }
                let again = offset < before;
                out.push(T::read(&self.storage, entry.log, sp, offset, again)?);
                redelivered += u64::from(again);
                run += 1;
                got += 1;
                offset = offset.next();
            }
            if got > 0 {
                count += got as usize;
                *polled_end = before.max(offset);
            }
            if run > 0 {
                self.out.emit(Event::Polled {
                    consumer,
                    partition: sp,
                    first: run_first,
                    count: run,
                    redelivered,
                });
            }
            entry.reached = offset;
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
            .stream_side
            .consumers
            .get(&consumer)
            .ok_or(SeekError::UnknownConsumer)?;
        if !c.positions.contains_key(&partition) {
            return Err(SeekError::NotAssigned(partition));
        }
        let s = self
            .stream_side
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
        if let Some(c) = self.stream_side.consumers.get_mut(&consumer) {
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
            .stream_side
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
}
