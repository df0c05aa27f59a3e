//! "No message lost": queue messages, pub/sub copies and stream records (see the module
//! docs of [`check`](super) for what counts).

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use crate::event::Event;
use crate::ids::{MessageId, Offset, QueueId};
use crate::sim::scenario::{Attach, ExchangeKindSpec};
use crate::sim::{
    ConsumerStatus, SimConsumerId, SimEventKind, SimNote, Simulation, WorkItem, WorkStep,
};
use crate::storage::Storage;
use crate::stream::StreamPartition;
use crate::topic::topic_matches;

use super::{Guarantee, Seen, Violation, consumer_name, partition_label};

/// What a reader (a group, or a standalone stream consumer) has done on one partition.
#[derive(Debug, Default)]
pub(crate) struct ReaderPart {
    /// The first offset it has not finished, counted from where it began.
    pub(crate) low: Option<u64>,
    /// Offsets at or above `low` it finished.
    pub(crate) done: BTreeSet<u64>,
    /// Its committed offset.
    pub(crate) committed: u64,
    /// How many of its consumers hold each offset (taken, not yet finished or dropped).
    pub(crate) held: BTreeMap<u64, u32>,
}

impl ReaderPart {
    pub(crate) fn begin(&mut self, offset: u64) {
        if self.low.is_none() {
            self.low = Some(offset);
        }
    }

    pub(crate) fn finish(&mut self, offset: u64) {
        self.begin(offset);
        self.done.insert(offset);
        while let Some(low) = self.low
            && self.done.remove(&low)
        {
            self.low = Some(low + 1);
        }
    }

    pub(crate) fn take(&mut self, offset: u64) {
        self.begin(offset);
        *self.held.entry(offset).or_default() += 1;
    }

    pub(crate) fn release(&mut self, offset: u64) {
        if let Some(n) = self.held.get_mut(&offset) {
            *n -= 1;
            if *n == 0 {
                self.held.remove(&offset);
            }
        }
    }

    pub(crate) fn finished(&self, offset: u64) -> bool {
        self.low.is_some_and(|low| offset < low) || self.done.contains(&offset)
    }

    pub(crate) fn seek(&mut self, offset: u64) {
        self.low = Some(offset);
        self.done.retain(|&o| o > offset);
        while let Some(low) = self.low
            && self.done.remove(&low)
        {
            self.low = Some(low + 1);
        }
    }
}

/// The reader a stream consumer reads for: its group's name, or its own.
pub(crate) fn reader_of<S: Storage>(sim: &Simulation<S>, c: SimConsumerId) -> Option<String> {
    match &sim.consumer_spec(c)?.attach {
        Attach::Group(g) => Some(g.clone()),
        Attach::Stream { .. } => Some(String::from(sim.consumer_name(c)?)),
        _ => None,
    }
}

/// The reader a broker stream consumer id reads for.
pub(crate) fn reader_of_stream_consumer<S: Storage>(
    sim: &Simulation<S>,
    consumer: crate::ids::StreamConsumerId,
) -> Option<String> {
    let b = sim.broker();
    match b.member_group(consumer) {
        Some(g) => b.group_name(g).map(String::from),
        None => b.stream_consumer_name(consumer).map(String::from),
    }
}

#[derive(Debug, Default)]
pub(crate) struct Loss {
    acked: BTreeSet<(QueueId, MessageId)>,
    finished: BTreeSet<(QueueId, MessageId)>,
    readers: BTreeMap<(String, StreamPartition), ReaderPart>,
}

impl Loss {
    pub(crate) fn observe<S: Storage>(
        &mut self,
        seen: &Seen<'_>,
        sim: &Simulation<S>,
    ) -> Option<Violation> {
        let at = seen.now;
        let violation = |what: String, messages: Vec<MessageId>, entities: Vec<String>| {
            Some(Violation {
                guarantee: Guarantee::NoLoss,
                at,
                what,
                messages,
                records: Vec::new(),
                entities,
            })
        };
        let queue = |q: QueueId| String::from(sim.broker().queue_name(q).unwrap_or("a queue"));
        // What was finished by the end of this step counts for every check of the step:
        // events and work entries of one step are reported in two lists, not interleaved.
        for w in seen.work {
            if w.step != WorkStep::Finished {
                continue;
            }
            match w.item {
                WorkItem::Delivery { queue: q, message } => {
                    self.finished.insert((q, message));
                }
                WorkItem::Record { partition, offset } => {
                    if let Some(reader) = reader_of(sim, w.consumer) {
                        self.reader(&reader, partition).finish(offset.0);
                    }
                }
                WorkItem::Copy(_) => {}
            }
        }
        for e in seen.events {
            match &e.kind {
                SimEventKind::Broker(Event::Acked { message, queue, .. }) => {
                    self.acked.insert((*queue, *message));
                }
                SimEventKind::Broker(Event::Dropped {
                    message,
                    queue: q,
                    reason,
                }) if !self.finished.contains(&(*q, *message)) => {
                    let name = queue(*q);
                    return violation(
                        format!(
                            "{message} was dropped from {name} ({}) before any consumer finished it: it is gone.",
                            drop_words(*reason)
                        ),
                        vec![*message],
                        vec![name],
                    );
                }
                SimEventKind::Broker(Event::Expired { message, queue: q })
                    if !self.finished.contains(&(*q, *message))
                        && !has_dead_letter_queue(sim, *q) =>
                {
                    let name = queue(*q);
                    return violation(
                        format!(
                            "{message} expired in {name} (its TTL passed) and {name} has no dead-letter queue: no consumer ever finished it."
                        ),
                        vec![*message],
                        vec![name],
                    );
                }
                SimEventKind::Broker(Event::Lagged {
                    message,
                    subscription,
                    missed,
                }) => {
                    let name = String::from(
                        sim.broker()
                            .subscription_name(*subscription)
                            .unwrap_or("a subscriber"),
                    );
                    return violation(
                        format!(
                            "{name}'s inbox was full: {message} was overwritten before {name} read it ({missed} missed; {name} is told it lagged, but the messages are gone)."
                        ),
                        vec![*message],
                        vec![name],
                    );
                }
                SimEventKind::Broker(Event::Published { message, exchange }) => {
                    if let Some(v) = self.offline_subscribers(seen, sim, *message, *exchange) {
                        return Some(v);
                    }
                }
                SimEventKind::Broker(Event::Committed {
                    group,
                    partition,
                    offset,
                    ..
                }) => {
                    if let Some(g) = sim.broker().group_name(*group) {
                        self.reader(g, *partition).committed = offset.0;
                    }
                }
                SimEventKind::Sim(SimNote::StreamCommitted {
                    consumer,
                    partition,
                    offset,
                }) => {
                    if let Some(r) = reader_of(sim, *consumer) {
                        self.reader(&r, *partition).committed = offset.0;
                    }
                }
                SimEventKind::Broker(Event::Seeked {
                    consumer,
                    partition,
                    offset,
                }) => {
                    if let Some(r) = reader_of_stream_consumer(sim, *consumer) {
                        self.reader(&r, *partition).seek(offset.0);
                    }
                }
                SimEventKind::Broker(Event::RetentionApplied {
                    partition, start, ..
                }) => {
                    for ((reader, p), part) in &self.readers {
                        if p != partition {
                            continue;
                        }
                        if let Some(low) = part.low
                            && low < start.0
                        {
                            let label = partition_label(sim, *p);
                            return Some(Violation {
                                guarantee: Guarantee::NoLoss,
                                at,
                                what: format!(
                                    "Retention removed {label} below offset {} while {reader} had processed only up to {low}: {} before {reader} read {}.",
                                    start.0,
                                    if start.0 - low == 1 {
                                        format!("record {low} is gone")
                                    } else {
                                        format!("records {low}–{} are gone", start.0 - 1)
                                    },
                                    if start.0 - low == 1 { "it" } else { "them" }
                                ),
                                messages: Vec::new(),
                                records: (low..start.0.min(low + 8))
                                    .map(|o| (*p, Offset(o)))
                                    .collect(),
                                entities: vec![reader.clone(), stream_name(sim, *p)],
                            });
                        }
                    }
                }
                _ => {}
            }
        }
        let mut dropped = Vec::new();
        for w in seen.work {
            let who = consumer_name(sim, w.consumer);
            match (w.item, w.step) {
                (WorkItem::Delivery { queue: q, message }, WorkStep::Dropped)
                    if self.acked.contains(&(q, message))
                        && !self.finished.contains(&(q, message)) =>
                {
                    let name = queue(q);
                    return violation(
                        format!(
                            "{message} was acked by nobody who processed it and is gone: {who} dropped it unfinished (it crashed or left) while holding it with auto-ack, and {name} had already counted it acked on delivery."
                        ),
                        vec![message],
                        vec![who, name],
                    );
                }
                (WorkItem::Copy(message), WorkStep::Dropped) => {
                    return violation(
                        format!(
                            "{who} held its copy of {message} unprocessed when it went down: pub/sub keeps no copy for it, so it is gone."
                        ),
                        vec![message],
                        vec![who],
                    );
                }
                (WorkItem::Record { partition, offset }, end) => {
                    let Some(reader) = reader_of(sim, w.consumer) else {
                        continue;
                    };
                    let part = self.reader(&reader, partition);
                    match end {
                        WorkStep::Received => part.take(offset.0),
                        WorkStep::Finished => part.release(offset.0),
                        WorkStep::Dropped => {
                            part.release(offset.0);
                            dropped.push((who, reader, partition, offset));
                        }
                    }
                }
                _ => {}
            }
        }
        // A dropped record is lost once the whole step is seen: its reader committed past
        // it, nobody finished it, and no other consumer of the reader took it meanwhile.
        for (who, reader, partition, offset) in dropped {
            let part = self.reader(&reader, partition);
            if part.committed > offset.0
                && !part.finished(offset.0)
                && !part.held.contains_key(&offset.0)
            {
                let committed = part.committed;
                let label = partition_label(sim, partition);
                return Some(Violation {
                    guarantee: Guarantee::NoLoss,
                    at,
                    what: format!(
                        "{reader} had committed {label} up to offset {committed} before processing offset {}; {who} dropped that record unprocessed (it crashed, left or lost the partition), and {reader} resumes from {committed}: the record is skipped.",
                        offset.0
                    ),
                    messages: Vec::new(),
                    records: vec![(partition, offset)],
                    entities: vec![who, reader, stream_name(sim, partition)],
                });
            }
        }
        None
    }

    fn reader(&mut self, reader: &str, p: StreamPartition) -> &mut ReaderPart {
        self.readers.entry((String::from(reader), p)).or_default()
    }

    /// A message published to `exchange` while a subscriber of it was down and would have
    /// matched it.
    fn offline_subscribers<S: Storage>(
        &self,
        seen: &Seen<'_>,
        sim: &Simulation<S>,
        message: MessageId,
        exchange: crate::ids::ExchangeId,
    ) -> Option<Violation> {
        let exchange_name = sim.broker().exchange_name(exchange)?;
        let kind = sim
            .scenario()
            .topology
            .exchanges
            .iter()
            .find(|x| x.name == exchange_name)?
            .kind;
        let routing_key = seen
            .published
            .iter()
            .find(|p| p.message == message)
            .and_then(|p| p.routing_key.as_deref());
        for i in 0..sim.consumer_count() {
            let c = SimConsumerId(i as u32);
            let Some(spec) = sim.consumer_spec(c) else {
                continue;
            };
            let Attach::Subscription {
                exchange: x, key, ..
            } = &spec.attach
            else {
                continue;
            };
            if x != exchange_name || sim.consumer_status(c) != Some(ConsumerStatus::Crashed) {
                continue;
            }
            let matched = match kind {
                ExchangeKindSpec::Fanout => true,
                ExchangeKindSpec::Direct => routing_key == Some(key.as_str()),
                ExchangeKindSpec::Topic => routing_key.is_some_and(|rk| topic_matches(key, rk)),
            };
            if matched {
                let who = consumer_name(sim, c);
                return Some(Violation {
                    guarantee: Guarantee::NoLoss,
                    at: seen.now,
                    what: format!(
                        "{message} was published to {exchange_name} while {who} was down: a pub/sub subscriber gets only what is published while it is subscribed, so {who} never sees it."
                    ),
                    messages: vec![message],
                    records: Vec::new(),
                    entities: vec![who, String::from(exchange_name)],
                });
            }
        }
        None
    }
}

fn has_dead_letter_queue<S: Storage>(sim: &Simulation<S>, q: QueueId) -> bool {
    let Some(name) = sim.broker().queue_name(q) else {
        return false;
    };
    sim.scenario()
        .topology
        .queues
        .iter()
        .any(|spec| spec.name == name && spec.dead_letter_queue.is_some())
}

pub(crate) fn stream_name<S: Storage>(sim: &Simulation<S>, p: StreamPartition) -> String {
    String::from(sim.broker().stream_name(p.stream).unwrap_or("stream"))
}

/// Why a queue dropped a message, in words.
fn drop_words(reason: crate::event::DropReason) -> &'static str {
    use crate::event::{DeadLetterReason, DropReason};
    match reason {
        DropReason::DeadLetter(DeadLetterReason::MaxLength) => {
            "the queue was full and its overflow policy drops the oldest message"
        }
        DropReason::DeadLetter(DeadLetterReason::Expired) => "its TTL passed",
        DropReason::DeadLetter(DeadLetterReason::Rejected) => "a consumer rejected it",
        DropReason::DeadLetter(DeadLetterReason::DeliveryLimit) => "its delivery limit was reached",
        DropReason::Purged => "the queue was purged",
        DropReason::QueueDeleted => "the queue was deleted",
    }
}
