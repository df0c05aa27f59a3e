//! Consumer work: fetching (stream polls, subscription receives), processing times, and the
//! ack and commit policies applied when work finishes.

use alloc::vec::Vec;

use crate::ids::{DeliveryTag, Offset, ShareMemberId};
use crate::pubsub::Received;
use crate::share::AcknowledgeType;
use crate::sim::metrics::{ConsumerStatus, SimConsumerId};
use crate::sim::scenario::{AckSpec, ProcessingSpec};
use crate::storage::Storage;
use crate::stream::StreamPartition;

use super::consumers::{Handle, Work, get_offset, set_offset};
use super::events::SimNote;
use super::work_log::{WorkEntry, WorkStep};
use super::{DEFAULT_POLL, Simulation};
impl<S: Storage> Simulation<S> {
    pub(super) fn work_all(&mut self, t: u64) {
        loop {
            let mut progress = false;
            for i in 0..self.consumers.len() {
                progress |= self.work(i, t);
            }
            if !progress {
                break;
            }
        }
    }

    /// Finishes and starts work for one consumer; returns whether anything moved.
    fn work(&mut self, i: usize, t: u64) -> bool {
        let mut progress = false;
        loop {
            if self.consumers[i].status != ConsumerStatus::Running {
                return progress;
            }
            if let Some((w, done)) = self.consumers[i].busy {
                if done > t {
                    return progress;
                }
                self.consumers[i].busy = None;
                self.finish(i, w);
                progress = true;
                continue;
            }
            if self.consumers[i].inbox.is_empty() && !self.fetch(i) {
                return progress;
            }
            let c = &mut self.consumers[i];
            let Some(w) = c.inbox.pop_front() else {
                return progress;
            };
            let d = match c.spec.processing {
                ProcessingSpec::Fixed(ms) => ms,
                ProcessingSpec::Uniform { min_ms, max_ms } => c.rng.range_inclusive(min_ms, max_ms),
                ProcessingSpec::Exponential { mean_ms } => c.rng.exponential(mean_ms),
            };
            let done = t.saturating_add(d);
            progress = true;
            if done <= t {
                // Instant work finishes now, as it would on the next turn of this loop.
                self.finish(i, w);
            } else {
                c.busy = Some((w, done));
            }
        }
    }

    /// Pulls more work for stream consumers, members and subscribers. Queue consumers are
    /// pushed their deliveries.
    fn fetch(&mut self, i: usize) -> bool {
        let now = self.now;
        let c = &self.consumers[i];
        if c.stalled || c.idle_mark == Some((self.appends, self.epoch)) {
            return false;
        }
        let max = if c.spec.prefetch == 0 {
            DEFAULT_POLL
        } else {
            c.spec.prefetch as usize
        };
        match c.handle {
            Handle::Stream { id: Some(id), .. } | Handle::Group { id: Some(id), .. } => {
                let mut records = core::mem::take(&mut self.records_scratch);
                records.clear();
                let polled = self.broker.poll_positions_into(now, id, max, &mut records);
                match polled {
                    Ok(n) => {
                        let c = &mut self.consumers[i];
                        // A short read reached the end of every partition it holds.
                        c.idle_mark = (n < max).then_some((self.appends, self.epoch));
                        for r in records.drain(..) {
                            let w = Work::Record {
                                partition: r.partition,
                                offset: r.offset,
                            };
                            if let Some(log) = &mut self.work_log {
                                log.push(WorkEntry {
                                    at: now,
                                    consumer: SimConsumerId(i as u32),
                                    item: (&w).into(),
                                    step: WorkStep::Received,
                                });
                            }
                            self.consumers[i].inbox.push_back(w);
                        }
                        let c = &mut self.consumers[i];
                        self.records_scratch = records;
                        if c.spec.ack == AckSpec::Auto && n > 0 {
                            self.commit_positions(i);
                        }
                        self.drain();
                        n > 0
                    }
                    Err(e) => {
                        self.records_scratch = records;
                        self.consumers[i].stalled = true;
                        self.drain();
                        self.fail(i, e);
                        false
                    }
                }
            }
            Handle::Share { id: Some(id), .. } => self.share_fetch(i, id, max),
            Handle::Subscription { id: Some(id) } => {
                let mut got = false;
                loop {
                    match self.broker.receive(now, id) {
                        Ok(Some(Received::Message { message, .. })) => {
                            let w = Work::Message { message };
                            self.log_work(i, &w, WorkStep::Received);
                            self.consumers[i].inbox.push_back(w);
                            got = true;
                            break;
                        }
                        Ok(Some(Received::Lagged(_))) => {}
                        Ok(None) | Err(_) => break,
                    }
                }
                self.drain();
                got
            }
            _ => false,
        }
    }

    pub(super) fn finish(&mut self, i: usize, w: Work) {
        self.log_work(i, &w, WorkStep::Finished);
        self.totals.processed += 1;
        let c = &mut self.consumers[i];
        c.processed += 1;
        match w {
            Work::Delivery { tag, .. } => {
                if c.spec.ack == AckSpec::Auto {
                    return;
                }
                if let Some(nack) = c.spec.nack
                    && c.processed.is_multiple_of(u64::from(nack.every.max(1)))
                {
                    self.give_back(i, tag, nack.requeue);
                    return;
                }
                c.unacked_processed = Some(tag);
                c.since_ack += 1;
                let due = match c.spec.ack {
                    AckSpec::AfterProcessing => true,
                    AckSpec::Every(n) => c.since_ack >= n,
                    _ => false,
                };
                if due {
                    self.ack_processed(i);
                }
            }
            Work::Record { partition, offset } if matches!(c.handle, Handle::Share { .. }) => {
                if c.spec.ack == AckSpec::Auto {
                    return;
                }
                let kind = match c.spec.nack {
                    Some(nack) if c.processed.is_multiple_of(u64::from(nack.every.max(1))) => {
                        if nack.requeue {
                            AcknowledgeType::Release
                        } else {
                            AcknowledgeType::Reject
                        }
                    }
                    _ => AcknowledgeType::Accept,
                };
                self.share_acknowledge(i, partition, offset, kind);
            }
            Work::Record { partition, offset } => {
                set_offset(&mut c.processed_at, partition, offset.next());
                c.since_ack += 1;
                let due = match c.spec.ack {
                    // Kafka's poll → process → commitSync loop: commit once the polled batch
                    // is processed (each record with a prefetch of 1).
                    AckSpec::AfterProcessing => c.inbox.is_empty(),
                    AckSpec::Every(n) => c.since_ack >= n,
                    _ => false,
                };
                if due {
                    self.commit_processed(i, None);
                }
            }
            Work::Message { .. } => {}
        }
    }

    /// A share-group member's fetch: acquires up to `max` records; with `ack: auto` accepts
    /// them at once (at most once: a crash loses them).
    fn share_fetch(&mut self, i: usize, id: ShareMemberId, max: usize) -> bool {
        let now = self.now;
        match self.broker.share_fetch(now, id, max) {
            Ok(records) => {
                let n = records.len();
                // Nothing to acquire: until something is appended, released, expires or
                // settles (each moves `appends` or `epoch`), fetching again gives nothing.
                self.consumers[i].idle_mark = (n == 0).then_some((self.appends, self.epoch));
                self.drain();
                let auto = self.consumers[i].spec.ack == AckSpec::Auto;
                for a in records {
                    let (partition, offset) = (a.record.partition, a.record.offset);
                    let w = Work::Record { partition, offset };
                    self.log_work(i, &w, WorkStep::Received);
                    self.consumers[i].inbox.push_back(w);
                    if auto {
                        self.share_acknowledge(i, partition, offset, AcknowledgeType::Accept);
                    }
                }
                n > 0
            }
            Err(e) => {
                self.consumers[i].stalled = true;
                self.drain();
                self.fail(i, e);
                false
            }
        }
    }

    /// Settles a record a share member processed (or received, with `ack: auto`). A record
    /// whose lock expired meanwhile is no longer the member's to settle (Kafka's
    /// acknowledgement fails with `InvalidRecordState`): it went back to the group, and the
    /// failure is only noted.
    fn share_acknowledge(
        &mut self,
        i: usize,
        partition: StreamPartition,
        offset: Offset,
        kind: AcknowledgeType,
    ) {
        let Handle::Share { id: Some(id), .. } = self.consumers[i].handle else {
            return;
        };
        let result = self
            .broker
            .share_acknowledge(self.now, id, partition, offset, kind);
        // Settling frees the window and a release makes the record available: fetches that
        // found nothing may find something now.
        self.epoch += 1;
        if let Err(e) = result {
            self.fail(
                i,
                alloc::format!("acknowledge {partition}{offset} {kind}: {e}"),
            );
        }
        self.drain();
    }

    /// Nacks (`requeue`) or rejects a processed delivery instead of acking it.
    fn give_back(&mut self, i: usize, tag: DeliveryTag, requeue: bool) {
        let Handle::Queue { id: Some(id), .. } = self.consumers[i].handle else {
            return;
        };
        let result = if requeue {
            self.broker.nack(self.now, id, tag, true)
        } else {
            self.broker.reject(self.now, id, tag, false)
        };
        if let Err(e) = result {
            self.fail(i, e);
        }
        self.drain();
    }

    pub(super) fn ack_processed(&mut self, i: usize) {
        let c = &mut self.consumers[i];
        c.since_ack = 0;
        let Some(tag) = c.unacked_processed.take() else {
            return;
        };
        let Handle::Queue { id: Some(id), .. } = c.handle else {
            return;
        };
        let result = match c.spec.ack {
            AckSpec::AfterProcessing => self.broker.ack(self.now, id, tag).map(|()| 1),
            _ => self.broker.ack_multiple(self.now, id, tag),
        };
        if let Err(e) = result {
            self.fail(i, e);
        }
        self.drain();
    }

    fn commit_positions(&mut self, i: usize) {
        let now = self.now;
        match self.consumers[i].handle {
            Handle::Group { group, id: Some(_) } => {
                let g = self.groups[group].name.clone();
                let name = self.consumers[i].spec.name.clone();
                if let Err(e) = self.broker.commit_positions(now, &g, &name) {
                    self.fail(i, e);
                }
                self.drain();
            }
            Handle::Stream { id: Some(id), .. } => {
                for p in self.broker.assigned_partitions(id) {
                    if let Some(o) = self.broker.position(id, p) {
                        self.commit_standalone(i, p, o);
                    }
                }
            }
            _ => {}
        }
    }

    fn commit_standalone(&mut self, i: usize, p: StreamPartition, o: Offset) {
        // As the broker refuses a group's commit beyond the log end, so does the simulation
        // for the commits it keeps for standalone consumers.
        match self.broker.partition_stats(p).map(|s| s.bounds.end) {
            Some(end) if o <= end => {}
            end => {
                let why = match end {
                    Some(end) => alloc::format!("commit {o} beyond the log end {end} of {p}"),
                    None => alloc::format!("commit in {p}, which does not exist"),
                };
                self.fail(i, why);
                return;
            }
        }
        let c = &mut self.consumers[i];
        if get_offset(&c.committed, p) != Some(o) {
            set_offset(&mut c.committed, p, o);
            self.note(SimNote::StreamCommitted {
                consumer: SimConsumerId(i as u32),
                partition: p,
                offset: o,
            });
        }
    }

    /// Commits the processed positions (or `explicit` offsets).
    pub(super) fn commit_processed(
        &mut self,
        i: usize,
        explicit: Option<Vec<(StreamPartition, Offset)>>,
    ) {
        let now = self.now;
        self.consumers[i].since_ack = 0;
        let implicit = explicit.is_none();
        let mut offsets = core::mem::take(&mut self.offsets_scratch);
        offsets.clear();
        match explicit {
            Some(list) => offsets.extend(list),
            None => offsets.extend_from_slice(&self.consumers[i].processed_at),
        }
        match self.consumers[i].handle {
            Handle::Group {
                group,
                id: Some(id),
            } => {
                if let Some(gid) = self.groups[group].id {
                    let broker = &self.broker;
                    // What was processed of a partition that moved away in a rebalance is
                    // not this member's to commit any more (Kafka's commit would fail); it
                    // comes again. Nor is anything already committed worth an event.
                    offsets.retain(|&(p, o)| {
                        (!implicit || broker.position(id, p).is_some())
                            && broker.committed(gid, p) != Some(o)
                    });
                    if !offsets.is_empty() {
                        let generation = self.broker.group_generation(gid).unwrap_or(0);
                        let result = self.broker.commit(
                            now,
                            &self.groups[group].name,
                            &self.consumers[i].spec.name,
                            generation,
                            &offsets,
                        );
                        if let Err(e) = result {
                            self.fail(i, e);
                        }
                        self.drain();
                    }
                }
            }
            Handle::Stream { .. } => {
                for &(p, o) in &offsets {
                    self.commit_standalone(i, p, o);
                }
            }
            _ => {}
        }
        self.offsets_scratch = offsets;
    }
}
