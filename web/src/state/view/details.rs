//! The inspector's content for the selected entity: facts, listed items, what can be done.

use brokerlab::sim::Simulation;
use brokerlab::{MessageId, Offset, StreamPartition};

use super::{Attachment, ConsumerState, ViewModel};
use crate::state::Entity;

/// Records or messages the inspector lists for a selected queue or stream.
const INSPECT_ITEMS: usize = 12;

/// One listed item: its line, and the message it is about (its story opens from it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// The line (payloads as text).
    pub text: String,
    /// The message, when the line is about one.
    pub message: Option<MessageId>,
}

impl Item {
    pub(super) fn line(text: String) -> Item {
        Item {
            text,
            message: None,
        }
    }
}

/// The selected entity's state, as label/value lines plus listed items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Details {
    /// What is shown.
    pub entity: Entity,
    /// `label: value` lines.
    pub facts: Vec<(String, String)>,
    /// A titled list (ready messages, recent records).
    pub items_title: String,
    /// The list's lines, each with its message when it is about one.
    pub items: Vec<Item>,
    /// For a consumer: whether it can be crashed / restarted now.
    pub can_crash: bool,
    /// See `can_crash`.
    pub can_restart: bool,
    /// For a consumer: whether it can be removed (it leaves its queue, exchange or group).
    pub can_remove: bool,
    /// For a running consumer: whether "commit now" applies (acks for queue consumers).
    pub can_commit: bool,
    /// For a running stream reader or group member: the partitions it can seek in.
    pub seek_partitions: Vec<u32>,
    /// For a group: members can be added.
    pub can_add_member: bool,
    /// For a consumer: when its spec's next planned crash comes (it can be called off).
    pub planned_crash_ms: Option<u64>,
}

pub(super) fn fact(label: &str, value: impl ToString) -> (String, String) {
    (label.to_owned(), value.to_string())
}

pub(super) fn details(sim: &Simulation, view: &ViewModel, entity: &Entity) -> Option<Details> {
    let b = sim.broker();
    let mut d = Details {
        entity: entity.clone(),
        facts: Vec::new(),
        items_title: String::new(),
        items: Vec::new(),
        can_crash: false,
        can_restart: false,
        can_remove: false,
        can_commit: false,
        seek_partitions: Vec::new(),
        can_add_member: false,
        planned_crash_ms: None,
    };
    match entity {
        Entity::Producer(name) => {
            let p = view.producers.iter().find(|p| p.name == *name)?;
            let (kind, target) = p.target.parts();
            d.facts.push(fact("sends to", format!("{kind} {target}")));
            if !p.routing_key.is_empty() {
                d.facts.push(fact("routing key", &p.routing_key));
            }
            d.facts
                .push(fact("rate", format!("{} per second", p.rate_per_sec)));
        }
        Entity::Exchange(name) => {
            let x = view.exchanges.iter().find(|x| x.name == *name)?;
            d.facts.push(fact("type", &x.kind));
            d.items_title = "bindings".to_owned();
            d.items = view
                .bindings
                .iter()
                .filter(|bd| bd.exchange == *name)
                .map(|bd| {
                    let (kind, target) = bd.target.parts();
                    Item::line(if bd.key.is_empty() {
                        format!("\u{2192} {kind} {target}")
                    } else {
                        format!("\u{2192} {kind} {target} (key \u{201c}{}\u{201d})", bd.key)
                    })
                })
                .collect();
        }
        Entity::Queue(name) => {
            let q = view.queues.iter().find(|q| q.name == *name)?;
            d.facts.push(fact("ready", q.ready));
            d.facts.push(fact("in flight", q.in_flight));
            d.facts.push(fact("depth", q.depth()));
            d.facts.push(fact("enqueued so far", q.enqueued));
            d.facts.push(fact("dead-lettered", q.dead_lettered));
            if let Some(dlq) = &q.dead_letter_queue {
                d.facts.push(fact("dead-letter queue", dlq));
            }
            if let Some(id) = b.queue_id(name) {
                d.items_title = "next ready messages".to_owned();
                d.items = b
                    .ready_messages(id)
                    .into_iter()
                    .take(INSPECT_ITEMS)
                    .map(|m| {
                        let payload = b
                            .message_payload(id, m.message)
                            .map(|p| String::from_utf8_lossy(p.as_bytes()).into_owned())
                            .unwrap_or_default();
                        let headers = b
                            .message_meta(id, m.message)
                            .map(|meta| header_list(&meta.headers))
                            .unwrap_or_default();
                        let text = if headers.is_empty() {
                            format!("{} \u{201c}{payload}\u{201d}", m.message)
                        } else {
                            format!("{} \u{201c}{payload}\u{201d} [{headers}]", m.message)
                        };
                        Item {
                            text,
                            message: Some(m.message),
                        }
                    })
                    .collect();
            }
        }
        Entity::Subscription(name) => {
            let s = view.subscriptions.iter().find(|s| s.name == *name)?;
            d.facts.push(fact("exchange", &s.exchange));
            d.facts
                .push(fact("inbox", format!("{} of {}", s.inbox, s.capacity)));
            d.facts
                .push(fact("subscribed", if s.connected { "yes" } else { "no" }));
        }
        Entity::Stream(name) => {
            let s = view.streams.iter().find(|s| s.name == *name)?;
            for p in &s.partitions {
                d.facts.push(fact(
                    &format!("partition {}", p.index),
                    if p.kept < p.end - p.start {
                        format!(
                            "offsets {}\u{2013}{} ({} kept, {} compacted away)",
                            p.start,
                            p.end,
                            p.kept,
                            p.end - p.start - p.kept
                        )
                    } else {
                        format!("offsets {}\u{2013}{} ({} kept)", p.start, p.end, p.kept)
                    },
                ));
            }
            for p in &s.partitions {
                for w in &p.shares {
                    d.facts.push(fact(
                        &format!("share group {}, partition {}", w.group, p.index),
                        w.words(),
                    ));
                }
            }
            if let Some(id) = b.stream_id(name) {
                d.items_title = "latest records".to_owned();
                for p in &s.partitions {
                    let sp = StreamPartition::new(id, p.index);
                    // The last 4 records kept (a compacted log has gaps to step over).
                    let records: Vec<_> = (p.start..p.end)
                        .rev()
                        .take(4 + p.gaps.len())
                        .filter_map(|o| b.stream_record(sp, Offset(o)))
                        .take(4)
                        .collect();
                    for r in records.into_iter().rev() {
                        let payload = String::from_utf8_lossy(r.payload.as_bytes());
                        let o = r.offset.0;
                        let mut item = format!("p{} @{o}: \u{201c}{payload}\u{201d}", p.index);
                        if !r.headers.is_empty() {
                            item.push_str(&format!(" [{}]", header_list(&r.headers)));
                        }
                        d.items.push(Item {
                            text: item,
                            message: Some(r.message),
                        });
                    }
                }
            }
        }
        Entity::Consumer(name) => {
            let c = view.consumers.iter().find(|c| c.name == *name)?;
            let reads = match &c.attach {
                Attachment::Queue(q) => format!("queue {q}"),
                Attachment::Subscription(x) => format!("subscription on {x}"),
                Attachment::Stream(s) => format!("stream {s}"),
                Attachment::Group(g) => format!("group {g}"),
                Attachment::ShareGroup { group, stream } => {
                    format!("share group {group} on {stream}")
                }
            };
            d.facts.push(fact("reads", reads));
            d.facts.push(fact("state", c.state.word()));
            d.facts.push(fact("processed", c.processed));
            d.facts.push(fact("buffered", c.buffered));
            d.items_title = "partitions: position / committed / lag".to_owned();
            d.items = c
                .partitions
                .iter()
                .map(|(label, pos, com, lag)| {
                    let o = |v: &Option<u64>| {
                        v.map_or_else(|| "\u{2013}".to_owned(), |v| v.to_string())
                    };
                    Item::line(format!("{label}: {} / {} / {lag}", o(pos), o(com)))
                })
                .collect();
            if let (Attachment::Queue(_), Some(id)) = (&c.attach, b.consumer_id(name)) {
                // A queue consumer: the deliveries it holds, not acked yet.
                d.items_title = "holding (delivered, not acked)".to_owned();
                d.items = b
                    .unacked(id)
                    .into_iter()
                    .take(INSPECT_ITEMS)
                    .map(|u| Item {
                        text: format!("{} (delivery {})", u.message, u.delivery_count),
                        message: Some(u.message),
                    })
                    .collect();
            }
            let running = matches!(c.state, ConsumerState::Idle | ConsumerState::Busy);
            d.can_crash = running;
            d.planned_crash_ms = sim.planned_crash(&c.name).map(|t| t.as_millis());
            d.can_restart = c.state == ConsumerState::Crashed;
            d.can_remove = running || c.state == ConsumerState::Crashed;
            d.can_commit = running
                && !matches!(
                    c.attach,
                    Attachment::Subscription(_) | Attachment::ShareGroup { .. }
                );
            if matches!(c.attach, Attachment::ShareGroup { .. }) {
                // A share member holds records, not partitions: each with its delivery count.
                d.items_title = "records held: delivery count, lock".to_owned();
                let windows = view.streams.iter().flat_map(|s| {
                    (s.partitions.iter()).flat_map(move |p| p.shares.iter().map(move |w| (s, p, w)))
                });
                d.items = windows
                    .flat_map(|(s, p, w)| {
                        (w.records.iter())
                            .filter(|r| r.holder.as_ref().is_some_and(|(h, _)| *h == c.name))
                            .map(move |r| {
                                Item::line(format!(
                                    "{}/{} @{}: delivery {}, locked until {} ms",
                                    s.name,
                                    p.index,
                                    r.offset,
                                    r.delivery_count,
                                    r.until_ms.unwrap_or(0)
                                ))
                            })
                    })
                    .collect();
            }
            if running && matches!(c.attach, Attachment::Stream(_) | Attachment::Group(_)) {
                d.seek_partitions = c
                    .partitions
                    .iter()
                    .filter_map(|(label, ..)| label.rsplit('/').next()?.parse().ok())
                    .collect();
            }
        }
        Entity::Group(name) => {
            let g = view.groups.iter().find(|g| g.name == *name)?;
            d.facts.push(fact("generation", g.generation));
            d.facts.push(fact("members", g.members.len()));
            d.facts.push(fact("lag", g.lag));
            d.can_add_member = true;
        }
        Entity::ShareGroup(name) => super::share_groups::details(sim, view, name, &mut d)?,
    }
    Some(d)
}

/// Headers as the inspector and the event log show them: `name=value`, comma-separated, in
/// order (empty without headers).
pub(crate) fn header_list(headers: &[(String, String)]) -> String {
    headers
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}
