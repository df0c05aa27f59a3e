//! The view model: what the canvas, the inspector, the group tables and the chart draw,
//! derived from the simulation after every action (names, not ids; numbers, not handles).

use brokerlab::sim::{self, ConsumerStatus, Simulation};
use brokerlab::{ExchangeKind, Offset, StreamPartition, Target};

use super::Entity;

// Samples the chart shows (the most recent).
const CHART_SAMPLES: usize = 150;
/// Records or messages the inspector lists for a selected queue or stream.
const INSPECT_ITEMS: usize = 12;

/// Everything the view draws.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ViewModel {
    /// Logical time now.
    pub now_ms: u64,
    /// The scenario's end.
    pub end_ms: u64,
    /// Whether the run reached its end.
    pub finished: bool,
    /// Published, processed, events so far.
    pub totals: sim::Totals,
    /// Producers, scenario order.
    pub producers: Vec<ProducerNode>,
    /// Exchanges (the default exchange left out).
    pub exchanges: Vec<ExchangeNode>,
    /// Exchange bindings.
    pub bindings: Vec<BindingNode>,
    /// Queues, scenario order.
    pub queues: Vec<QueueNode>,
    /// Pub/sub subscriptions (one per subscriber).
    pub subscriptions: Vec<SubscriptionNode>,
    /// Streams with their partitions.
    pub streams: Vec<StreamNode>,
    /// Consumers, index order.
    pub consumers: Vec<ConsumerNode>,
    /// Consumer groups, scenario order.
    pub groups: Vec<GroupNode>,
    /// The selected entity's details.
    pub details: Option<Details>,
    /// The chart for the selection (or the whole run).
    pub chart: Chart,
}

/// A producer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProducerNode {
    /// Its name.
    pub name: String,
    /// Where it sends.
    pub target: Entity,
    /// The routing key template, for exchanges.
    pub routing_key: String,
    /// Messages per second in the scenario.
    pub rate_per_sec: u32,
}

/// An exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangeNode {
    /// Its name.
    pub name: String,
    /// `fanout`, `direct` or `topic`.
    pub kind: String,
}

/// A binding of an exchange to a queue or a subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindingNode {
    /// The exchange.
    pub exchange: String,
    /// The queue or subscription.
    pub target: Entity,
    /// The binding key (empty for fanout).
    pub key: String,
}

/// A queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueNode {
    /// Its name.
    pub name: String,
    /// Ready messages.
    pub ready: u64,
    /// Delivered, not acked.
    pub in_flight: u64,
    /// Messages ever enqueued.
    pub enqueued: u64,
    /// Messages that left for the dead-letter queue.
    pub dead_lettered: u64,
    /// Its dead-letter queue.
    pub dead_letter_queue: Option<String>,
    /// Whether another queue dead-letters into it.
    pub is_dead_letter_queue: bool,
}

impl QueueNode {
    /// Ready plus in flight.
    #[must_use]
    pub fn depth(&self) -> u64 {
        self.ready + self.in_flight
    }
}

/// A pub/sub subscription: a subscriber's inbox bound to an exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionNode {
    /// The subscriber's name (the subscription's name).
    pub name: String,
    /// Its exchange.
    pub exchange: String,
    /// Messages waiting in the inbox (0 while it is not subscribed).
    pub inbox: u64,
    /// Inbox capacity.
    pub capacity: u32,
    /// Whether it is subscribed now.
    pub connected: bool,
}

/// A stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamNode {
    /// Its name.
    pub name: String,
    /// Its partitions.
    pub partitions: Vec<PartitionNode>,
}

/// One partition's log and who reads where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionNode {
    /// The partition number.
    pub index: u32,
    /// Log start offset.
    pub start: u64,
    /// Log end offset (next to write).
    pub end: u64,
    /// One per consumer reading it.
    pub markers: Vec<Marker>,
}

/// A consumer's place in a partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    /// The consumer.
    pub consumer: String,
    /// Its index (for its colour).
    pub colour: usize,
    /// Next offset it reads.
    pub position: Option<u64>,
    /// Committed offset.
    pub committed: Option<u64>,
    /// Log end minus committed.
    pub lag: u64,
}

/// What a consumer reads from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attachment {
    /// A queue.
    Queue(String),
    /// Its own subscription on an exchange.
    Subscription(String),
    /// A stream, standalone.
    Stream(String),
    /// A group.
    Group(String),
}

/// What a consumer is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsumerState {
    /// Not started yet.
    Waiting,
    /// Connected, nothing in hand.
    Idle,
    /// Processing a message.
    Busy,
    /// Crashed.
    Crashed,
    /// Removed.
    Removed,
}

impl ConsumerState {
    /// The word shown and used as a CSS class.
    #[must_use]
    pub fn word(self) -> &'static str {
        match self {
            ConsumerState::Waiting => "waiting",
            ConsumerState::Idle => "idle",
            ConsumerState::Busy => "busy",
            ConsumerState::Crashed => "crashed",
            ConsumerState::Removed => "removed",
        }
    }
}

/// A consumer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsumerNode {
    /// Its name.
    pub name: String,
    /// Its index (colour).
    pub index: usize,
    /// What it reads.
    pub attach: Attachment,
    /// Waiting, idle, busy, crashed, removed.
    pub state: ConsumerState,
    /// Messages or records processed.
    pub processed: u64,
    /// Received, not started.
    pub buffered: u64,
    /// Partitions it holds (streams and groups): partition label, position, committed, lag.
    pub partitions: Vec<(String, Option<u64>, Option<u64>, u64)>,
}

/// A consumer group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupNode {
    /// Its name.
    pub name: String,
    /// The current generation.
    pub generation: u32,
    /// One row per partition of its streams.
    pub rows: Vec<GroupRow>,
    /// Members, sorted by id, with whether they own nothing.
    pub members: Vec<(String, bool)>,
    /// Total lag.
    pub lag: u64,
}

/// A row of a group's assignment table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRow {
    /// The stream.
    pub stream: String,
    /// The partition.
    pub partition: u32,
    /// The member that owns it in this generation.
    pub owner: Option<String>,
    /// Log end offset.
    pub log_end: u64,
    /// The group's committed offset.
    pub committed: Option<u64>,
    /// Log end minus committed.
    pub lag: u64,
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
    /// The list's lines (payloads as text).
    pub items: Vec<String>,
    /// For a consumer: whether it can be crashed / restarted now.
    pub can_crash: bool,
    /// See `can_crash`.
    pub can_restart: bool,
}

/// A small time chart: one metric of the selection and the run's throughput.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Chart {
    /// What the first line is (`depth of email`, `lag of analytics`, `published per second`).
    pub title: String,
    /// `(time ms, value)` of the metric.
    pub metric: Vec<(u64, u64)>,
    /// `(time ms, processed per second)` over the whole run.
    pub throughput: Vec<(u64, u64)>,
}

fn attachment(a: &sim::Attach) -> Attachment {
    match a {
        sim::Attach::Queue(q) => Attachment::Queue(q.clone()),
        sim::Attach::Subscription { exchange, .. } => Attachment::Subscription(exchange.clone()),
        sim::Attach::Stream { stream, .. } => Attachment::Stream(stream.clone()),
        sim::Attach::Group(g) => Attachment::Group(g.clone()),
    }
}

/// Derives the view model.
pub(super) fn build(
    sim: &Simulation,
    attach: &[(String, sim::Attach)],
    selected: Option<&Entity>,
) -> ViewModel {
    let b = sim.broker();
    let scenario = sim.scenario();
    let topo = &scenario.topology;

    let producers = scenario
        .producers
        .iter()
        .map(|p| {
            let (target, routing_key) = match &p.target {
                sim::TargetSpec::Queue(q) => (Entity::Queue(q.clone()), String::new()),
                sim::TargetSpec::Exchange {
                    exchange,
                    routing_key,
                } => (Entity::Exchange(exchange.clone()), routing_key.clone()),
                sim::TargetSpec::Stream(s) => (Entity::Stream(s.clone()), String::new()),
            };
            ProducerNode {
                name: p.name.clone(),
                target,
                routing_key,
                rate_per_sec: p.rate_per_sec,
            }
        })
        .collect();

    let mut exchanges = Vec::new();
    let mut bindings = Vec::new();
    for x in b.exchanges() {
        let name = b.exchange_name(x).unwrap_or_default();
        if name.is_empty() {
            continue;
        }
        let kind = match b.exchange_kind(x) {
            Some(ExchangeKind::Fanout) => "fanout",
            Some(ExchangeKind::Topic) => "topic",
            _ => "direct",
        };
        exchanges.push(ExchangeNode {
            name: name.to_owned(),
            kind: kind.to_owned(),
        });
        for info in b.bindings(x) {
            let target = match info.target {
                Target::Queue(q) => Entity::Queue(b.queue_name(q).unwrap_or("?").to_owned()),
                Target::Subscription(s) => {
                    Entity::Subscription(b.subscription_name(s).unwrap_or("?").to_owned())
                }
            };
            bindings.push(BindingNode {
                exchange: name.to_owned(),
                target,
                key: info.key.to_string(),
            });
        }
    }

    let dlqs: Vec<&str> = topo
        .queues
        .iter()
        .filter_map(|q| q.dead_letter_queue.as_deref())
        .collect();
    let queues = sim
        .queue_views()
        .into_iter()
        .map(|v| {
            let spec = topo.queues.iter().find(|q| q.name == v.name);
            QueueNode {
                is_dead_letter_queue: dlqs.contains(&v.name.as_str()),
                dead_letter_queue: spec.and_then(|q| q.dead_letter_queue.clone()),
                name: v.name,
                ready: v.ready,
                in_flight: v.in_flight,
                enqueued: v.enqueued,
                dead_lettered: v.dead_lettered,
            }
        })
        .collect();

    let consumer_views = sim.consumer_views();
    let attach_of = |name: &str| attach.iter().find(|(n, _)| n == name).map(|(_, a)| a);

    let subscriptions = consumer_views
        .iter()
        .filter_map(|c| match attach_of(&c.name)? {
            sim::Attach::Subscription {
                exchange, capacity, ..
            } => {
                let id = b.subscription_id(&c.name);
                Some(SubscriptionNode {
                    name: c.name.clone(),
                    exchange: exchange.clone(),
                    inbox: id.and_then(|id| b.inbox_len(id)).unwrap_or(0) as u64 + c.buffered,
                    capacity: *capacity,
                    connected: id.is_some(),
                })
            }
            _ => None,
        })
        .collect();

    let partition_label = |p: StreamPartition| {
        format!(
            "{}/{}",
            b.stream_name(p.stream).unwrap_or("?"),
            p.partition.0
        )
    };
    let consumers: Vec<ConsumerNode> = consumer_views
        .iter()
        .enumerate()
        .map(|(i, c)| ConsumerNode {
            name: c.name.clone(),
            index: i,
            attach: attach_of(&c.name).map_or(Attachment::Queue(String::new()), attachment),
            state: match c.status {
                ConsumerStatus::Waiting => ConsumerState::Waiting,
                ConsumerStatus::Crashed => ConsumerState::Crashed,
                ConsumerStatus::Running if c.busy => ConsumerState::Busy,
                ConsumerStatus::Running => ConsumerState::Idle,
                _ => ConsumerState::Removed,
            },
            processed: c.processed,
            buffered: c.buffered,
            partitions: c
                .partitions
                .iter()
                .map(|p| {
                    (
                        partition_label(p.partition),
                        p.position.map(|o| o.0),
                        p.committed.map(|o| o.0),
                        p.lag,
                    )
                })
                .collect(),
        })
        .collect();

    let partition_views = sim.partition_views();
    let streams = topo
        .streams
        .iter()
        .map(|s| StreamNode {
            name: s.name.clone(),
            partitions: partition_views
                .iter()
                .filter(|p| p.stream == s.name)
                .map(|p| PartitionNode {
                    index: p.partition.partition.0,
                    start: p.start.0,
                    end: p.end.0,
                    markers: consumer_views
                        .iter()
                        .enumerate()
                        .flat_map(|(i, c)| {
                            c.partitions
                                .iter()
                                .filter(|pp| pp.partition == p.partition)
                                .map(move |pp| Marker {
                                    consumer: c.name.clone(),
                                    colour: i,
                                    position: pp.position.map(|o| o.0),
                                    committed: pp.committed.map(|o| o.0),
                                    lag: pp.lag,
                                })
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect();

    let groups = sim
        .group_views()
        .into_iter()
        .map(|g| {
            let spec = topo.groups.iter().find(|s| s.name == g.name);
            let mut rows = Vec::new();
            for stream in spec.map(|s| s.streams.as_slice()).unwrap_or_default() {
                for p in partition_views.iter().filter(|p| p.stream == *stream) {
                    let committed = g.id.and_then(|id| b.committed(id, p.partition));
                    let owner = g
                        .assignment
                        .iter()
                        .find(|(_, ps)| ps.contains(&p.partition))
                        .map(|(m, _)| m.clone());
                    let from = committed.unwrap_or(p.start).max(p.start);
                    rows.push(GroupRow {
                        stream: stream.clone(),
                        partition: p.partition.partition.0,
                        owner,
                        log_end: p.end.0,
                        committed: committed.map(|o: Offset| o.0),
                        lag: p.end.0.saturating_sub(from.0),
                    });
                }
            }
            GroupNode {
                members: g
                    .assignment
                    .iter()
                    .map(|(m, ps)| (m.clone(), ps.is_empty()))
                    .collect(),
                lag: rows.iter().map(|r| r.lag).sum(),
                name: g.name,
                generation: g.generation,
                rows,
            }
        })
        .collect();

    let mut view = ViewModel {
        now_ms: sim.now().as_millis(),
        end_ms: sim.end().as_millis(),
        finished: sim.now() >= sim.end(),
        totals: sim.totals(),
        producers,
        exchanges,
        bindings,
        queues,
        subscriptions,
        streams,
        consumers,
        groups,
        details: None,
        chart: Chart::default(),
    };
    view.details = selected.and_then(|e| details(sim, &view, e));
    view.chart = chart(sim, &view, selected);
    view
}

fn fact(label: &str, value: impl ToString) -> (String, String) {
    (label.to_owned(), value.to_string())
}

fn details(sim: &Simulation, view: &ViewModel, entity: &Entity) -> Option<Details> {
    let b = sim.broker();
    let mut d = Details {
        entity: entity.clone(),
        facts: Vec::new(),
        items_title: String::new(),
        items: Vec::new(),
        can_crash: false,
        can_restart: false,
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
                    if bd.key.is_empty() {
                        format!("\u{2192} {kind} {target}")
                    } else {
                        format!("\u{2192} {kind} {target} (key \u{201c}{}\u{201d})", bd.key)
                    }
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
                        format!("{} \u{201c}{payload}\u{201d}", m.message)
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
                    format!(
                        "offsets {}\u{2013}{} ({} kept)",
                        p.start,
                        p.end,
                        p.end - p.start
                    ),
                ));
            }
            if let Some(id) = b.stream_id(name) {
                d.items_title = "latest records".to_owned();
                for p in &s.partitions {
                    let sp = StreamPartition::new(id, p.index);
                    let from = p.end.saturating_sub(4).max(p.start);
                    for o in from..p.end {
                        if let Some(r) = b.stream_record(sp, Offset(o)) {
                            d.items.push(format!(
                                "p{} @{o}: \u{201c}{}\u{201d}",
                                p.index,
                                String::from_utf8_lossy(r.payload.as_bytes())
                            ));
                        }
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
                    format!("{label}: {} / {} / {lag}", o(pos), o(com))
                })
                .collect();
            d.can_crash = matches!(c.state, ConsumerState::Idle | ConsumerState::Busy);
            d.can_restart = c.state == ConsumerState::Crashed;
        }
        Entity::Group(name) => {
            let g = view.groups.iter().find(|g| g.name == *name)?;
            d.facts.push(fact("generation", g.generation));
            d.facts.push(fact("members", g.members.len()));
            d.facts.push(fact("lag", g.lag));
        }
    }
    Some(d)
}

fn chart(sim: &Simulation, view: &ViewModel, selected: Option<&Entity>) -> Chart {
    let series = sim.series();
    let per_sec = |v: u64| v * 1000 / series.interval_ms.max(1);
    let skip = series.samples.len().saturating_sub(CHART_SAMPLES);
    let samples = || series.samples.iter().skip(skip);
    let throughput = samples()
        .map(|s| (s.at.as_millis(), per_sec(s.processed)))
        .collect();
    let (title, metric): (String, Vec<(u64, u64)>) = match selected {
        Some(Entity::Queue(q)) => {
            let i = view.queues.iter().position(|x| x.name == *q);
            (
                format!("depth of {q}"),
                samples()
                    .map(|s| {
                        let v = i.and_then(|i| s.queue_depth.get(i)).copied();
                        (s.at.as_millis(), v.unwrap_or(0))
                    })
                    .collect(),
            )
        }
        Some(Entity::Group(g)) => {
            let i = view.groups.iter().position(|x| x.name == *g);
            (
                format!("lag of {g}"),
                samples()
                    .map(|s| {
                        let v = i.and_then(|i| s.group_lag.get(i)).copied();
                        (s.at.as_millis(), v.unwrap_or(0))
                    })
                    .collect(),
            )
        }
        Some(Entity::Consumer(c)) => {
            let i = view.consumers.iter().position(|x| x.name == *c);
            (
                format!("lag of {c}"),
                samples()
                    .map(|s| {
                        let v = i.and_then(|i| s.consumer_lag.get(i)).copied();
                        (s.at.as_millis(), v.unwrap_or(0))
                    })
                    .collect(),
            )
        }
        _ => (
            "published per second".to_owned(),
            samples()
                .map(|s| (s.at.as_millis(), per_sec(s.published)))
                .collect(),
        ),
    };
    Chart {
        title,
        metric,
        throughput,
    }
}
