//! The view model: what the canvas, the inspector, the group tables and the chart draw,
//! derived from the simulation after every action (names, not ids; numbers, not handles).

mod chart;
mod details;
mod lag;
mod nodes;
mod share_groups;

use brokerlab::sim::{self, ConsumerStatus, Simulation};
use brokerlab::{ExchangeKind, Offset, StreamPartition, Target};

pub use chart::Chart;
pub(crate) use details::header_list;
pub use details::{Details, Item};
pub use lag::LagOutlook;
pub(crate) use lag::TREND_MS;
pub use nodes::*;
pub use share_groups::ShareGroupNode;

use super::Entity;

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
    /// Share groups, scenario order.
    pub share_groups: Vec<ShareGroupNode>,
    /// The selected entity's details.
    pub details: Option<Details>,
    /// The chart for the selection (or the whole run).
    pub chart: Chart,
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
                rate_per_sec: sim.producer_rate(&p.name).unwrap_or(p.rate_per_sec),
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
            attach: attach_of(&c.name).map_or(Attachment::Queue(String::new()), |a| {
                attachment(&sim.scenario().topology, a)
            }),
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
    let share_views = sim.share_partition_views();
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
                    kept: p.kept,
                    gaps: if p.kept < p.end.0 - p.start.0 {
                        let from = p.end.0.saturating_sub(GAP_WINDOW).max(p.start.0);
                        (from..p.end.0)
                            .filter(|&o| {
                                sim.broker().stream_record(p.partition, Offset(o)).is_none()
                            })
                            .collect()
                    } else {
                        Vec::new()
                    },
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
                    shares: share_windows(&share_views, p.partition, &consumer_views),
                })
                .collect(),
        })
        .collect();

    let now_ms = sim.now().as_millis();
    let groups = sim
        .group_views()
        .into_iter()
        .enumerate()
        .map(|(index, g)| {
            let spec = topo.groups.iter().find(|s| s.name == g.name);
            let target: Vec<(String, Vec<brokerlab::StreamPartition>)> =
                g.id.map(|id| b.group_target(id))
                    .unwrap_or_default()
                    .into_iter()
                    .map(|a| {
                        let name = b
                            .stream_consumer_name(a.member)
                            .map_or_else(|| a.member.to_string(), ToString::to_string);
                        (name, a.partitions)
                    })
                    .collect();
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
                    let moving_to = target
                        .iter()
                        .find(|(_, ps)| ps.contains(&p.partition))
                        .map(|(m, _)| m.clone())
                        .filter(|m| owner.as_ref() != Some(m));
                    rows.push(GroupRow {
                        stream: stream.clone(),
                        partition: p.partition.partition.0,
                        owner,
                        moving_to,
                        log_end: p.end.0,
                        committed: committed.map(|o: Offset| o.0),
                        lag: p.end.0.saturating_sub(from.0),
                    });
                }
            }
            let lag: u64 = rows.iter().map(|r| r.lag).sum();
            let trend = lag::trend(sim.series(), index, now_ms);
            let scenario = sim.scenario();
            let scripted = scenario.script.iter().filter_map(|s| match &s.action {
                sim::Action::AddConsumer(c) => Some(c),
                _ => None,
            });
            let statics = g
                .assignment
                .iter()
                .filter_map(|(m, _)| {
                    let spec = scenario
                        .consumers
                        .iter()
                        .chain(scripted.clone())
                        .find(|c| c.name == *m)?;
                    Some((m.clone(), spec.instance_id.clone()?))
                })
                .collect();
            let protocol = spec.map(|s| s.protocol).unwrap_or_default();
            let assigning = match (protocol, spec) {
                (brokerlab::GroupProtocol::Consumer, Some(s)) => {
                    format!("{} (server-side)", s.server_assignor)
                }
                (_, Some(s)) => match s.assignor {
                    sim::AssignorSpec::Range => "range (eager)".to_owned(),
                    sim::AssignorSpec::RoundRobin => "round-robin (eager)".to_owned(),
                    sim::AssignorSpec::Sticky => "sticky (eager)".to_owned(),
                    sim::AssignorSpec::CooperativeSticky => "cooperative-sticky".to_owned(),
                },
                (_, None) => String::new(),
            };
            GroupNode {
                state: g.state,
                protocol,
                assigning,
                members: g
                    .assignment
                    .iter()
                    .map(|(m, ps)| (m.clone(), ps.is_empty()))
                    .collect(),
                statics,
                outlook: lag::outlook(lag, &trend, now_ms),
                sparkline: lag::sparkline(&trend, now_ms, 60.0, 16.0),
                lag,
                name: g.name,
                generation: g.generation,
                rows,
            }
        })
        .collect();
    let share_groups = share_groups::share_groups(topo, &consumers);

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
        share_groups,
        details: None,
        chart: Chart::default(),
    };
    // The viewer build (embeds) has no inspector or chart to fill.
    if cfg!(feature = "editor") {
        view.details = selected.and_then(|e| details::details(sim, &view, e));
        view.chart = chart::chart(sim, &view, selected);
    }
    view
}

/// The share groups' windows on partition `p`, holders named with their colour index.
fn share_windows(
    views: &[sim::SharePartitionView],
    p: StreamPartition,
    consumers: &[sim::ConsumerView],
) -> Vec<ShareWindow> {
    views
        .iter()
        .filter(|v| v.partition == p)
        .map(|v| ShareWindow {
            group: v.group.clone(),
            start: v.start.0,
            end: v.end.0,
            records: v
                .records
                .iter()
                .map(|r| ShareCell {
                    offset: r.offset.0,
                    state: r.state,
                    holder: r.holder.as_ref().map(|h| {
                        let colour = consumers.iter().position(|c| c.name == *h);
                        (h.clone(), colour.unwrap_or(0))
                    }),
                    until_ms: r.until.map(brokerlab::Instant::as_millis),
                    delivery_count: r.delivery_count,
                })
                .collect(),
        })
        .collect()
}
