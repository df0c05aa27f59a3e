//! "Per-key order kept": for one key and one reader (a queue, a subscriber, a group or a
//! standalone stream consumer), messages are first processed in the order they were
//! published (message ids ascend in publish order).

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use crate::event::Event;
use crate::ids::{MessageId, Offset};
use crate::sim::{SimEventKind, Simulation, WorkItem, WorkStep};
use crate::storage::Storage;
use crate::stream::StreamPartition;

use super::loss::reader_of;
use super::twice::dedup;
use super::{Guarantee, Seen, Violation, consumer_name};

#[derive(Debug, Default)]
pub(crate) struct Order {
    keys: BTreeMap<MessageId, String>,
    records: BTreeMap<(StreamPartition, Offset), MessageId>,
    /// Per reader and key: the latest message finished so far and who finished it.
    last: BTreeMap<(String, String), (MessageId, String)>,
    /// Messages each reader has finished once (only the first finish counts for order).
    seen_once: BTreeSet<(String, MessageId)>,
}

impl Order {
    pub(crate) fn observe<S: Storage>(
        &mut self,
        seen: &Seen<'_>,
        sim: &Simulation<S>,
    ) -> Option<Violation> {
        for p in seen.published {
            if let Some(k) = &p.key {
                self.keys.insert(p.message, k.clone());
            }
        }
        for e in seen.events {
            if let SimEventKind::Broker(Event::Appended {
                message,
                partition,
                offset,
            }) = &e.kind
            {
                self.records.insert((*partition, *offset), *message);
            }
        }
        for w in seen.work {
            if w.step != WorkStep::Finished {
                continue;
            }
            let who = consumer_name(sim, w.consumer);
            let (reader, message) = match w.item {
                WorkItem::Delivery { queue, message } => (
                    String::from(sim.broker().queue_name(queue).unwrap_or("queue")),
                    message,
                ),
                WorkItem::Copy(message) => (who.clone(), message),
                WorkItem::Record { partition, offset } => {
                    let (Some(r), Some(m)) = (
                        reader_of(sim, w.consumer),
                        self.records.get(&(partition, offset)),
                    ) else {
                        continue;
                    };
                    (r, *m)
                }
            };
            let Some(key) = self.keys.get(&message) else {
                continue;
            };
            if !self.seen_once.insert((reader.clone(), message)) {
                continue;
            }
            let slot = (reader.clone(), key.clone());
            if let Some((later, by)) = self.last.get(&slot)
                && *later > message
            {
                return Some(Violation {
                    guarantee: Guarantee::KeyOrder,
                    at: seen.now,
                    what: format!(
                        "Key {key}: {message} was processed (by {who}) after {later} (by {by}), which was published after it. Messages of one key reach {reader} out of order: several consumers share its messages, or one was redelivered."
                    ),
                    messages: vec![message, *later],
                    records: Vec::new(),
                    entities: dedup(vec![who, by.clone(), reader]),
                });
            }
            self.last.insert(slot, (message, who));
        }
        None
    }
}
