//! A restarted broker against the account: what the last flush saved must be back, what
//! happened after it may be back in part, nothing may be invented.
//!
//! With `F` the account at the last flush and `C` the account at the crash:
//!
//! - **queues**: every copy live (ready or in flight) at both `F` and `C` is ready again
//!   (or, in a `drop-head` queue now over its limit, reported trimmed as it starts),
//!   delivered at least as often as at `F` (so one in flight comes back redelivered); a copy
//!   below `F`'s log end that `F` had settled never comes back; a copy past it must be one the
//!   queue appended there, and every one still live at `C` below the recovered end is back;
//!   the log end lies between `F`'s and `C`'s; nothing is in flight and no consumer or
//!   subscription survives;
//! - **bindings**: every binding to a queue that `F` and `C` both had survives;
//! - **streams**: each partition's end lies between `F`'s and `C`'s, its start between `F`'s
//!   and `C`'s (or the end), and every record in it reads as it did (checked at the end of the
//!   step, all of them); the partition count between `F`'s and `C`'s;
//! - **groups**: no members; the generation not below `F`'s; each committed offset `F`'s or
//!   one committed since, and never beyond the recovered end;
//! - **message ids**: the next one is above every id recovered.
//!
//! Then the account continues from the recovered state.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::Auditor;
use super::ctx::Ctx;
use super::queues::Stored;
use super::violation::{Rule, Violation};
use crate::event::{DeadLetterReason, DropReason, Event};
use crate::ids::{MessageId, QueueId};
use crate::sim::{SimEvent, SimEventKind};
use crate::storage::Storage;
use crate::stream::StreamPartition;

/// What the recovered broker reported as it started, per queue: the messages trimmed from
/// `drop-head` queues over their limit, and the copies dead-lettered into queues (offset,
/// message).
#[derive(Debug, Default)]
struct Started {
    trimmed: BTreeMap<QueueId, Vec<MessageId>>,
    added: BTreeMap<QueueId, Vec<(u64, MessageId)>>,
}

fn v(now: u64, detail: String) -> Violation {
    Violation::new(Rule::Recovery, now, detail)
}

impl Auditor {
    /// The broker was just replaced by one recovered from storage; `after` is what it
    /// reported as it started (trims of `drop-head` queues over their limit, and where the
    /// trimmed messages went).
    pub(super) fn restarted<S: Storage>(
        &mut self,
        cx: &Ctx<'_, S>,
        after: &[SimEvent],
    ) -> Result<(), Violation> {
        let Some(flush) = self.flushed.take() else {
            return Err(Violation::new(
                Rule::Harness,
                cx.now,
                "a broker restart without a flush before it (call Auditor::flushed)",
            ));
        };
        let mut start = Started::default();
        for e in after {
            match &e.kind {
                SimEventKind::Broker(
                    Event::DeadLettered {
                        message,
                        queue,
                        reason: DeadLetterReason::MaxLength,
                        ..
                    }
                    | Event::Dropped {
                        message,
                        queue,
                        reason: DropReason::DeadLetter(DeadLetterReason::MaxLength),
                    },
                ) => start.trimmed.entry(*queue).or_default().push(*message),
                SimEventKind::Broker(Event::Enqueued {
                    message,
                    queue,
                    offset,
                }) => start
                    .added
                    .entry(*queue)
                    .or_default()
                    .push((offset.0, *message)),
                SimEventKind::Broker(Event::Rejected { .. }) => {}
                other => {
                    return Err(Violation::new(
                        Rule::Harness,
                        cx.now,
                        format!(
                            "{other:?} between a restart and its observation: observe right \
                             after Simulation::replace_broker"
                        ),
                    ));
                }
            }
        }
        self.stats.restarts += 1;
        self.full = true;
        self.shares.restarted(cx)?;
        let mut top = 0u64;
        self.recover_queues(cx, &flush, &start, &mut top)?;
        if cx.broker.subscriptions().next().is_some() {
            return Err(v(
                cx.now,
                String::from("a subscription survived the restart"),
            ));
        }
        self.subs.reset_connections();
        self.routing.rebuild(cx, &flush.routing)?;
        self.recover_streams(cx, &flush, &mut top)?;
        self.recover_groups(cx, &flush)?;
        self.readers.readers.clear();
        let next = cx.broker.next_message_id().0;
        if next <= top {
            return Err(v(
                cx.now,
                format!("the next message id is m{next}, yet m{top} was recovered"),
            ));
        }
        self.last_message = next - 1;
        // Keep the flush: until the next one, another restart goes back to it.
        self.flushed = Some(flush);
        Ok(())
    }

    fn recover_queues<S: Storage>(
        &mut self,
        cx: &Ctx<'_, S>,
        flush: &Auditor,
        start: &Started,
        top: &mut u64,
    ) -> Result<(), Violation> {
        let now = cx.now;
        if cx.broker.consumers().next().is_some() {
            return Err(v(
                now,
                String::from("a queue consumer survived the restart"),
            ));
        }
        let ids: Vec<QueueId> = self.queues.books.keys().copied().collect();
        for q in ids {
            let before = flush.queues.books.get(&q);
            let Some(stats) = cx.broker.queue_stats(q) else {
                if let Some(b) = before {
                    return Err(v(
                        now,
                        format!("{} was saved by the last flush and is gone", b.name),
                    )
                    .entity(b.name.clone()));
                }
                self.queues.books.remove(&q);
                continue;
            };
            let Some(book) = self.queues.books.get_mut(&q) else {
                continue;
            };
            let fail = |d: String| v(now, d).entity(book.name.clone());
            let live = |b: &super::queues::QueueBook| -> BTreeMap<u64, (MessageId, u32)> {
                b.ready
                    .iter()
                    .map(|(&o, s)| (o, (s.message, s.count)))
                    .chain(
                        b.held
                            .values()
                            .map(|h| (h.offset, (h.stored.message, h.stored.count))),
                    )
                    .collect()
            };
            let trimmed = start.trimmed.get(&q).map_or(&[][..], Vec::as_slice);
            let added = start.added.get(&q).map_or(&[][..], Vec::as_slice);
            let at_flush = before.map(live).unwrap_or_default();
            let at_crash = live(book);
            let end_f = before.map_or(0, |b| b.log.len() as u64);
            let end_c = book.log.len() as u64;
            // The log end as recovered, before the start moved dead-lettered copies in.
            let end_r = stats.enqueued.saturating_sub(added.len() as u64);
            if end_r < end_f || end_r > end_c || stats.unacked != 0 {
                return Err(fail(format!(
                    "{}: recovered with log end {end_r} and {} unacked; the flush saved end \
                     {end_f}, the crash found {end_c}",
                    book.name, stats.unacked
                )));
            }
            let recovered: BTreeMap<u64, (MessageId, u32)> = cx
                .broker
                .ready_messages(q)
                .iter()
                .map(|r| (r.offset.0, (r.message, r.delivery_count)))
                .collect();
            let back = |o: u64, m: MessageId, count: u32| match recovered.get(&o) {
                Some(&(rm, rc)) => rm == m && rc >= count,
                None => trimmed.contains(&m),
            };
            for (&o, &(m, count)) in &at_flush {
                if at_crash.contains_key(&o) && !back(o, m, count) {
                    return Err(fail(format!(
                        "{}: {m} at offset {o} (delivered {count} times) was saved by the last \
                         flush and not settled since; recovered as {:?}",
                        book.name,
                        recovered.get(&o)
                    ))
                    .message(m));
                }
            }
            for (&o, &(m, _)) in at_crash.range(end_f..end_r) {
                if !back(o, m, 0) {
                    return Err(fail(format!(
                        "{}: {m} at offset {o} survived the crash in the log and is not back",
                        book.name
                    ))
                    .message(m));
                }
            }
            for (&o, &(m, _)) in &recovered {
                *top = (*top).max(m.0);
                let known = if o >= end_r {
                    added.contains(&(o, m))
                } else if o < end_f {
                    at_flush.get(&o).is_some_and(|x| x.0 == m)
                } else {
                    book.log.get(o as usize).is_some_and(|x| x.0 == m)
                };
                if !known {
                    return Err(fail(format!(
                        "{}: {m} recovered at offset {o}, which the last flush had settled or \
                         the queue never held",
                        book.name
                    ))
                    .message(m));
                }
            }
            book.log.truncate(end_r as usize);
            let mut added = added.to_vec();
            added.sort_unstable();
            for (o, m) in added {
                if o != book.log.len() as u64 {
                    return Err(fail(format!(
                        "{}: {m} dead-lettered in at offset {o}, the next offset is {}",
                        book.name,
                        book.log.len()
                    ))
                    .message(m));
                }
                book.log.push((m, now));
            }
            book.ready = recovered
                .iter()
                .map(|(&o, &(message, count))| {
                    let since = book.log.get(o as usize).map_or(now, |x| x.1);
                    (
                        o,
                        Stored {
                            message,
                            count,
                            since,
                        },
                    )
                })
                .collect();
            book.held.clear();
            book.dead_lettered += trimmed.len() as u64;
        }
        self.queues.reset_connections();
        Ok(())
    }

    fn recover_streams<S: Storage>(
        &mut self,
        cx: &Ctx<'_, S>,
        flush: &Auditor,
        top: &mut u64,
    ) -> Result<(), Violation> {
        let now = cx.now;
        let streams: Vec<_> = self.streams.counts.iter().map(|(&s, &n)| (s, n)).collect();
        for (s, count_c) in streams {
            let count_f = flush.streams.counts.get(&s).copied().unwrap_or(0);
            let count_r = cx.broker.stream_config(s).map_or(0, |c| c.partitions);
            if count_r < count_f || count_r > count_c {
                return Err(v(
                    now,
                    format!(
                        "stream {s} recovered with {count_r} partitions; the flush saved \
                         {count_f}, the crash found {count_c}"
                    ),
                ));
            }
            self.streams.counts.insert(s, count_r);
            self.streams
                .parts
                .retain(|p, _| p.stream != s || p.partition.0 < count_r);
        }
        let parts: Vec<StreamPartition> = self.streams.parts.keys().copied().collect();
        for p in parts {
            let name = cx.partition(p);
            let before = flush.streams.parts.get(&p);
            let Some(stats) = cx.broker.partition_stats(p) else {
                return Err(v(now, format!("{name} is gone after the restart")).entity(name));
            };
            let Some(part) = self.streams.parts.get_mut(&p) else {
                continue;
            };
            let (start_f, end_f) = before.map_or((0, 0), |b| (b.start, b.end()));
            let (start_c, end_c) = (part.start, part.end());
            let (start_r, end_r) = (stats.bounds.start.0, stats.bounds.end.0);
            if end_r < end_f || end_r > end_c || start_r < start_f || start_r > start_c.max(end_r) {
                return Err(v(
                    now,
                    format!(
                        "{name} recovered as {start_r}..{end_r}; the flush saved \
                         {start_f}..{end_f}, the crash found {start_c}..{end_c}"
                    ),
                )
                .entity(name));
            }
            part.prints.truncate(end_r as usize);
            part.start = start_r;
            if let Some(last) = part.prints.get(start_r as usize..).and_then(<[_]>::last) {
                *top = (*top).max(last.message.0);
            }
        }
        Ok(())
    }

    fn recover_groups<S: Storage>(
        &mut self,
        cx: &Ctx<'_, S>,
        flush: &Auditor,
    ) -> Result<(), Violation> {
        let now = cx.now;
        let old = core::mem::take(&mut self.groups.books);
        for (gid, mut g) in old {
            let before = flush.groups.books.get(&gid);
            let Some(id) = cx.broker.group_id(&g.name) else {
                if before.is_some_and(|b| !b.committed.is_empty()) {
                    return Err(v(
                        now,
                        format!("group {} had commits saved and is gone", g.name),
                    ));
                }
                continue;
            };
            let generation = cx.broker.group_generation(id).unwrap_or(0);
            if before.is_some_and(|b| generation < b.generation)
                || !cx.broker.group_assignment(id).is_empty()
            {
                return Err(v(
                    now,
                    format!(
                        "group {} recovered at generation {generation} with {} members; the \
                         flush saved generation {:?}",
                        g.name,
                        cx.broker.group_assignment(id).len(),
                        before.map(|b| b.generation)
                    ),
                ));
            }
            let mut committed = BTreeMap::new();
            let partitions: Vec<StreamPartition> = self.streams.parts.keys().copied().collect();
            for p in partitions {
                let Some(c) = cx.broker.committed(id, p) else {
                    if before.is_some_and(|b| b.committed.contains_key(&p)) {
                        return Err(v(
                            now,
                            format!(
                                "group {}: the commit of {} saved by the flush is gone",
                                g.name,
                                cx.partition(p)
                            ),
                        ));
                    }
                    continue;
                };
                let saved = before.and_then(|b| b.committed.get(&p)).copied();
                let later = g.since_flush.get(&p).is_some_and(|l| l.contains(&c.0));
                let end = self.streams.end(p).unwrap_or(0);
                if saved != Some(c.0) && !later {
                    return Err(v(
                        now,
                        format!(
                            "group {}: {} recovered committed at {}; the flush saved {saved:?}",
                            g.name,
                            cx.partition(p),
                            c.0
                        ),
                    ));
                }
                if c.0 > end {
                    return Err(Violation::new(
                        Rule::StreamPositions,
                        now,
                        format!(
                            "group {}: {} recovered committed at {}, beyond the recovered end \
                             {end}",
                            g.name,
                            cx.partition(p),
                            c.0
                        ),
                    ));
                }
                committed.insert(p, c.0);
            }
            g.generation = generation;
            g.members.clear();
            g.owners.clear();
            g.committed = committed;
            g.since_flush.clear();
            self.groups.books.insert(id, g);
        }
        Ok(())
    }
}
