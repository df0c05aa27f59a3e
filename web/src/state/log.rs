//! The event log: each simulation event becomes a row in words, with the names of the
//! entities it concerns (what the filters match) and payloads as text.

use brokerlab::sim::{SimEvent, SimEventKind, SimNote, Simulation};
use brokerlab::{Event, Offset, Target};

use super::view::header_list;

/// Most rows one poll of a stream turns into (one per record read).
const ROWS_PER_POLL: u64 = 50;

/// One line of the event log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRow {
    /// Logical time in ms.
    pub at_ms: u64,
    /// What happened, in one kebab-case word (`delivered`, `crashed`, `read`, …).
    pub kind: &'static str,
    /// Names of the entities involved (first: where it happened).
    pub entities: Vec<String>,
    /// The line, in words; payloads are plain text.
    pub text: String,
    /// A redelivery or a replayed record.
    pub again: bool,
    /// The message it is about, if one (its story opens from the row).
    pub message: Option<brokerlab::MessageId>,
}

/// The event log's filters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LogFilter {
    /// Only rows involving this entity name.
    pub entity: Option<String>,
    /// Only rows of this kind.
    pub kind: Option<String>,
}

impl LogFilter {
    /// Whether `row` passes.
    #[must_use]
    pub fn matches(&self, row: &LogRow) -> bool {
        self.entity
            .as_ref()
            .is_none_or(|e| row.entities.iter().any(|n| n == e))
            && self.kind.as_ref().is_none_or(|k| k == row.kind)
    }
}

/// An assignment in words: `member: [0,1] other: [2]`.
fn members_text(
    assignment: &[brokerlab::MemberAssignment],
    name: impl Fn(brokerlab::StreamConsumerId) -> String,
) -> String {
    assignment
        .iter()
        .map(|a| {
            let ps: Vec<String> = a
                .partitions
                .iter()
                .map(|p| p.partition.0.to_string())
                .collect();
            format!("{}: [{}]", name(a.member), ps.join(","))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The rows for one event (usually one; a stream poll gives one per record read).
pub(super) fn rows(sim: &Simulation, event: &SimEvent) -> Vec<LogRow> {
    let b = sim.broker();
    let at_ms = event.at.as_millis();
    let q = |id| b.queue_name(id).unwrap_or("?").to_owned();
    let c = |id| {
        b.consumer_name(id)
            .or_else(|| sim.queue_consumer_name(id))
            .unwrap_or("?")
            .to_owned()
    };
    let x = |id| match b.exchange_name(id) {
        Some("") => "(default)".to_owned(),
        Some(n) => n.to_owned(),
        None => "?".to_owned(),
    };
    let s = |id| b.subscription_name(id).unwrap_or("?").to_owned();
    let sc = |id| {
        b.stream_consumer_name(id)
            .or_else(|| sim.stream_consumer_name(id))
            .unwrap_or("?")
            .to_owned()
    };
    let g = |id| b.group_name(id).unwrap_or("?").to_owned();
    let stream = |p: brokerlab::StreamPartition| {
        let name = b.stream_name(p.stream).unwrap_or("?").to_owned();
        let label = format!("{name}/{}", p.partition.0);
        (name, label)
    };
    let target = |t: Target| match t {
        Target::Queue(id) => q(id),
        Target::Subscription(id) => s(id),
    };
    let about = event.broker().and_then(Event::message);
    let row = |kind, entities: Vec<String>, text: String| LogRow {
        at_ms,
        kind,
        entities,
        text,
        again: false,
        message: about,
    };
    let one = |r: LogRow| vec![r];
    match &event.kind {
        SimEventKind::Sim(note) => one(match note {
            SimNote::ConsumerCrashed { consumer } => {
                let n = sim.consumer_name(*consumer).unwrap_or("?").to_owned();
                row("crashed", vec![n.clone()], format!("{n} crashed"))
            }
            SimNote::ConsumerRestarted { consumer } => {
                let n = sim.consumer_name(*consumer).unwrap_or("?").to_owned();
                row("restarted", vec![n.clone()], format!("{n} restarted"))
            }
            SimNote::ConsumerAdded { consumer } => {
                let n = sim.consumer_name(*consumer).unwrap_or("?").to_owned();
                row("added", vec![n.clone()], format!("{n} was added"))
            }
            SimNote::ConsumerRemoved { consumer } => {
                let n = sim.consumer_name(*consumer).unwrap_or("?").to_owned();
                row("removed", vec![n.clone()], format!("{n} was removed"))
            }
            SimNote::RateChanged {
                producer,
                rate_per_sec,
            } => {
                let n = sim.producer_name(*producer).unwrap_or("?").to_owned();
                row(
                    "rate",
                    vec![n.clone()],
                    format!("{n} now sends {rate_per_sec}/s"),
                )
            }
            SimNote::StreamCommitted {
                consumer,
                partition,
                offset,
            } => {
                let n = sim.consumer_name(*consumer).unwrap_or("?").to_owned();
                let (st, label) = stream(*partition);
                row(
                    "committed",
                    vec![st, n.clone()],
                    format!("{n} committed {label} at offset {}", offset.0),
                )
            }
            other => row("note", Vec::new(), format!("{other:?}")),
        }),
        SimEventKind::Broker(e) => match e {
            Event::Published { message, exchange } => one(row(
                "published",
                vec![x(*exchange)],
                format!("{message} published to {}", x(*exchange)),
            )),
            Event::Routed {
                message,
                exchange,
                target: t,
                ..
            } => one(row(
                "routed",
                vec![x(*exchange), target(*t)],
                format!("{message} routed {} \u{2192} {}", x(*exchange), target(*t)),
            )),
            Event::Enqueued {
                message,
                queue,
                offset,
            } => one(row(
                "enqueued",
                vec![q(*queue)],
                format!("{message} enqueued in {} at {}", q(*queue), offset.0),
            )),
            Event::Delivered {
                queue,
                consumer,
                redelivered,
                delivery_count,
                payload,
                ..
            } => {
                let again = if *redelivered {
                    format!(" (redelivered, delivery {delivery_count})")
                } else {
                    String::new()
                };
                one(LogRow {
                    again: *redelivered,
                    ..row(
                        "delivered",
                        vec![q(*queue), c(*consumer)],
                        format!(
                            "{} \u{2192} {}: \u{201c}{}\u{201d}{again}",
                            q(*queue),
                            c(*consumer),
                            text(payload.as_bytes())
                        ),
                    )
                })
            }
            Event::Acked {
                message,
                queue,
                consumer,
                ..
            } => one(row(
                "acked",
                vec![q(*queue), c(*consumer)],
                format!("{} acked {message}", c(*consumer)),
            )),
            Event::Requeued {
                message,
                queue,
                consumer,
                reason,
                ..
            } => one(row(
                "requeued",
                vec![q(*queue), c(*consumer)],
                format!(
                    "{message} back to {} from {} ({reason})",
                    q(*queue),
                    c(*consumer)
                ),
            )),
            Event::DeadLettered {
                message,
                queue,
                dead_letter_queue,
                reason,
            } => one(row(
                "dead-lettered",
                vec![q(*queue), q(*dead_letter_queue)],
                format!(
                    "{message} dead-lettered {} \u{2192} {} ({reason})",
                    q(*queue),
                    q(*dead_letter_queue)
                ),
            )),
            Event::Buffered {
                message,
                subscription,
            } => one(row(
                "buffered",
                vec![s(*subscription)],
                format!("{message} copied to {}'s inbox", s(*subscription)),
            )),
            Event::Received {
                message,
                subscription,
            } => one(row(
                "received",
                vec![s(*subscription)],
                format!("{} received {message}", s(*subscription)),
            )),
            Event::Lagged {
                subscription,
                missed,
                ..
            } => one(row(
                "lagged",
                vec![s(*subscription)],
                format!("{} lagged: lost {missed}", s(*subscription)),
            )),
            Event::Appended {
                message,
                partition,
                offset,
            } => {
                let (st, label) = stream(*partition);
                let record = b.stream_record(*partition, *offset);
                let payload = record
                    .as_ref()
                    .map(|r| text(r.payload.as_bytes()))
                    .unwrap_or_default();
                let headers = record
                    .filter(|r| !r.headers.is_empty())
                    .map(|r| format!(" [{}]", header_list(&r.headers)))
                    .unwrap_or_default();
                one(row(
                    "appended",
                    vec![st],
                    format!(
                        "{message} appended to {label} at {}: \u{201c}{payload}\u{201d}{headers}",
                        offset.0
                    ),
                ))
            }
            Event::Polled {
                consumer,
                partition,
                first,
                count,
                redelivered,
            } => {
                let (st, label) = stream(*partition);
                let who = sc(*consumer);
                let n = (*count).min(ROWS_PER_POLL);
                (0..n)
                    .map(|i| {
                        let offset = Offset(first.0 + i);
                        let record = b.stream_record(*partition, offset);
                        let payload = record.as_ref().map_or_else(
                            || "(gone)".to_owned(),
                            |r| format!("\u{201c}{}\u{201d}", text(r.payload.as_bytes())),
                        );
                        LogRow {
                            again: i < *redelivered,
                            message: record.map(|r| r.message),
                            ..row(
                                "read",
                                vec![st.clone(), who.clone()],
                                format!("{who} read {label} offset {}: {payload}", offset.0),
                            )
                        }
                    })
                    .collect()
            }
            Event::Seeked {
                consumer,
                partition,
                offset,
            } => {
                let (st, label) = stream(*partition);
                one(row(
                    "seeked",
                    vec![st, sc(*consumer)],
                    format!("{} moved to {label} offset {}", sc(*consumer), offset.0),
                ))
            }
            Event::OffsetReset {
                consumer,
                partition,
                to,
                ..
            } => {
                let (st, label) = stream(*partition);
                one(row(
                    "offset-reset",
                    vec![st, sc(*consumer)],
                    format!("{} reset to {label} offset {}", sc(*consumer), to.0),
                ))
            }
            Event::RetentionApplied {
                partition,
                start,
                dropped,
                ..
            } => {
                let (st, label) = stream(*partition);
                one(row(
                    "retention",
                    vec![st],
                    format!(
                        "retention removed {dropped} from {label}; log starts at {}",
                        start.0
                    ),
                ))
            }
            Event::MemberJoined { group, member } => one(row(
                "joined",
                vec![g(*group), sc(*member)],
                format!("{} joined {}", sc(*member), g(*group)),
            )),
            Event::MemberLeft {
                group,
                member,
                reason,
            } => one(row(
                "left",
                vec![g(*group), sc(*member)],
                format!("{} left {} ({reason:?})", sc(*member), g(*group)),
            )),
            Event::PartitionsRevoked {
                group,
                generation,
                member,
                partitions,
            } => one(row(
                "revoked",
                vec![g(*group), sc(*member)],
                format!(
                    "{} gives up {} partition(s) in generation {generation}",
                    sc(*member),
                    partitions.len()
                ),
            )),
            Event::Rebalanced {
                group,
                generation,
                assignment,
            } => {
                let parts = members_text(assignment, sc);
                one(row(
                    "rebalanced",
                    vec![g(*group)],
                    format!("{} generation {generation}: {parts}", g(*group)),
                ))
            }
            Event::GroupStateChanged {
                group, from, to, ..
            } => one(row(
                "state",
                vec![g(*group)],
                format!("{} {from} \u{2192} {to}: {}", g(*group), to.explain()),
            )),
            Event::MemberAssigned {
                group,
                member,
                epoch,
                partitions,
                pending,
            } => {
                let ps: Vec<String> = partitions
                    .iter()
                    .map(|p| p.partition.0.to_string())
                    .collect();
                let waits = if *pending > 0 {
                    format!("; waits for {pending} still owned by others")
                } else {
                    String::new()
                };
                one(row(
                    "assigned",
                    vec![g(*group), sc(*member)],
                    format!(
                        "{} owns [{}] in epoch {epoch}{waits}",
                        sc(*member),
                        ps.join(",")
                    ),
                ))
            }
            Event::TargetAssignmentChanged {
                group,
                epoch,
                assignment,
            } => {
                let parts = members_text(assignment, sc);
                one(row(
                    "target",
                    vec![g(*group)],
                    format!("{} epoch {epoch} target: {parts}", g(*group)),
                ))
            }
            Event::Committed {
                group,
                member,
                partition,
                offset,
                ..
            } => {
                let (st, label) = stream(*partition);
                one(row(
                    "committed",
                    vec![g(*group), sc(*member), st],
                    format!(
                        "{} committed {label} at {} for {}",
                        sc(*member),
                        offset.0,
                        g(*group)
                    ),
                ))
            }
            Event::OffsetsReset {
                group,
                partition,
                offset,
                previous,
            } => {
                let (st, label) = stream(*partition);
                let was = previous.map_or_else(|| "none".to_owned(), |o| o.0.to_string());
                one(row(
                    "reset",
                    vec![g(*group), st],
                    format!("{} reset {label} to {} (was {was})", g(*group), offset.0),
                ))
            }
            Event::StaticMemberRejoined {
                group,
                member,
                generation,
                ..
            } => one(row(
                "rejoined",
                vec![g(*group), sc(*member)],
                format!(
                    "{} rejoined {} as a static member: generation {generation} kept, no rebalance",
                    sc(*member),
                    g(*group)
                ),
            )),

            Event::Compacted {
                partition,
                removed,
                tombstones,
                kept,
            } => {
                let (st, label) = stream(*partition);
                let deletes = if *tombstones > 0 {
                    format!(" ({tombstones} expired tombstones)")
                } else {
                    String::new()
                };
                one(row(
                    "compacted",
                    vec![st],
                    format!(
                        "compaction removed {removed} record{}{deletes} from {label}; \
                         {kept} kept, offsets unchanged",
                        if *removed == 1 { "" } else { "s" }
                    ),
                ))
            }
            Event::ConsumerCrashed { consumer, queue }
            | Event::ConsumerRestarted { consumer, queue }
            | Event::ConsumerAdded { consumer, queue }
            | Event::ConsumerCancelled { consumer, queue } => {
                let word = e.to_string();
                let word = word.split(' ').next().unwrap_or("consumer").to_owned();
                one(row(
                    "consumer",
                    vec![q(*queue), c(*consumer)],
                    format!("{word}: {} on {}", c(*consumer), q(*queue)),
                ))
            }
            other => match super::share_log::share_row(sim, other) {
                Some((kind, entities, text)) => one(row(kind, entities, text)),
                None => one(row("other", Vec::new(), other.to_string())),
            },
        },
    }
}
