//! "No message processed twice": a queue message finished twice by any consumers of its
//! queue, a record twice by one reader (a seek back resets it) or by any members of one
//! share group, a copy twice by one subscriber.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use crate::event::{Event, RequeueReason};
use crate::ids::{MessageId, QueueId};
use crate::sim::{Attach, SimConsumerId, SimEventKind, Simulation, WorkItem, WorkStep};
use crate::storage::Storage;
use crate::stream::StreamPartition;
use crate::time::Instant;

use super::loss::{reader_of, reader_of_stream_consumer, stream_name};
use super::{Guarantee, Seen, Violation, consumer_name, partition_label, secs};

#[derive(Debug, Default)]
pub(crate) struct Twice {
    /// Who finished each queue message first, and when.
    queue: BTreeMap<(QueueId, MessageId), (SimConsumerId, Instant)>,
    /// Why each queue message was last given back.
    requeued: BTreeMap<(QueueId, MessageId), RequeueReason>,
    copies: BTreeMap<(SimConsumerId, MessageId), Instant>,
    /// Offsets each reader finished, per partition (a seek back forgets those it replays).
    readers: BTreeMap<(String, StreamPartition), BTreeSet<u64>>,
    /// Share groups: who first finished each record, and when.
    shared: BTreeMap<(String, StreamPartition, u64), (SimConsumerId, Instant)>,
}

impl Twice {
    pub(crate) fn observe<S: Storage>(
        &mut self,
        seen: &Seen<'_>,
        sim: &Simulation<S>,
    ) -> Option<Violation> {
        for e in seen.events {
            match &e.kind {
                SimEventKind::Broker(Event::Requeued {
                    message,
                    queue,
                    reason,
                    ..
                }) => {
                    self.requeued.insert((*queue, *message), *reason);
                }
                SimEventKind::Broker(Event::Seeked {
                    consumer,
                    partition,
                    offset,
                }) => {
                    if let Some(r) = reader_of_stream_consumer(sim, *consumer) {
                        self.reader(&r, *partition).retain(|&o| o < offset.0);
                    }
                }
                _ => {}
            }
        }
        for w in seen.work {
            if w.step != WorkStep::Finished {
                continue;
            }
            let who = consumer_name(sim, w.consumer);
            match w.item {
                WorkItem::Delivery { queue, message } => {
                    let Some(&(first, when)) = self.queue.get(&(queue, message)) else {
                        self.queue.insert((queue, message), (w.consumer, seen.now));
                        continue;
                    };
                    let first = consumer_name(sim, first);
                    let name = String::from(sim.broker().queue_name(queue).unwrap_or("its queue"));
                    let why = match self.requeued.get(&(queue, message)) {
                        Some(RequeueReason::VisibilityTimeout) => format!(
                            "{name}'s visibility timeout passed before {first} acked it, so {name} delivered it again"
                        ),
                        Some(RequeueReason::ConsumerCrashed) => format!(
                            "the consumer holding it crashed after processing it but before its ack, so {name} delivered it again"
                        ),
                        Some(RequeueReason::ConsumerCancelled) => format!(
                            "the consumer holding it left after processing it but before its ack, so {name} delivered it again"
                        ),
                        Some(RequeueReason::Nacked) => String::from(
                            "it was nacked with requeue after being processed, so it came back",
                        ),
                        _ => String::from("it was delivered again"),
                    };
                    return Some(Violation {
                        guarantee: Guarantee::NoDuplicate,
                        at: seen.now,
                        what: format!(
                            "{message} was processed twice: by {first} at {} and by {who} at {}; {why}.",
                            secs(when),
                            secs(seen.now)
                        ),
                        messages: vec![message],
                        records: Vec::new(),
                        entities: dedup(vec![first, who, name]),
                    });
                }
                WorkItem::Copy(message) => {
                    if self
                        .copies
                        .insert((w.consumer, message), seen.now)
                        .is_some()
                    {
                        return Some(Violation {
                            guarantee: Guarantee::NoDuplicate,
                            at: seen.now,
                            what: format!("{who} processed its copy of {message} twice."),
                            messages: vec![message],
                            records: Vec::new(),
                            entities: vec![who],
                        });
                    }
                }
                WorkItem::Record { partition, offset } => {
                    if let Some(Attach::ShareGroup(group)) =
                        sim.consumer_spec(w.consumer).map(|c| &c.attach)
                    {
                        let key = (group.clone(), partition, offset.0);
                        let Some(&(first, when)) = self.shared.get(&key) else {
                            self.shared.insert(key, (w.consumer, seen.now));
                            continue;
                        };
                        let first = consumer_name(sim, first);
                        let label = partition_label(sim, partition);
                        return Some(Violation {
                            guarantee: Guarantee::NoDuplicate,
                            at: seen.now,
                            what: format!(
                                "share group {group} had {label} offset {} processed twice: by {first} at {} and by {who} at {}. A share group delivers a record again when its holder releases it, crashes or leaves, or its lock expires before the holder acknowledges it (at least once).",
                                offset.0,
                                secs(when),
                                secs(seen.now)
                            ),
                            messages: Vec::new(),
                            records: vec![(partition, offset)],
                            entities: dedup(vec![first, who, group.clone()]),
                        });
                    }
                    let Some(reader) = reader_of(sim, w.consumer) else {
                        continue;
                    };
                    if !self.reader(&reader, partition).insert(offset.0) {
                        let label = partition_label(sim, partition);
                        return Some(Violation {
                            guarantee: Guarantee::NoDuplicate,
                            at: seen.now,
                            what: format!(
                                "{reader} processed {label} offset {} twice (again by {who} at {}): it was read again from the last committed offset, after a crash or a rebalance, because the commit came after the processing.",
                                offset.0,
                                secs(seen.now)
                            ),
                            messages: Vec::new(),
                            records: vec![(partition, offset)],
                            entities: dedup(vec![who, reader, stream_name(sim, partition)]),
                        });
                    }
                }
            }
        }
        None
    }

    fn reader(&mut self, reader: &str, p: StreamPartition) -> &mut BTreeSet<u64> {
        self.readers.entry((String::from(reader), p)).or_default()
    }
}

/// `names` without repeats, first occurrence kept.
pub(crate) fn dedup(names: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in names {
        if !out.contains(&n) {
            out.push(n);
        }
    }
    out
}
