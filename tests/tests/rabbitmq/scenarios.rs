//! Workloads from the ready-made scenarios: the simulation runs the scenario and its events
//! give the client actions in order (publishes, consumers joining, acks and nacks, crashes
//! and restarts, subscribers joining, receiving and leaving), which become the workload's
//! steps. Messages are named `m<id>` after the simulation's message ids. Streams and groups
//! have no RabbitMQ counterpart here and are left out.

use std::collections::BTreeMap;

use brokerlab::sim::{AckSpec, Attach, PublishedKeys, Scenario, SimEventKind, Simulation};
use brokerlab::{Event, ExchangeId, MessageId, SubscriptionId, Target};

use super::observed::Got;
use super::workload::{Step, Workload};

/// The ready-made scenarios with queues, pub/sub or fan-out.
pub(crate) fn all() -> Vec<Workload> {
    vec![
        derive(
            "scenario-a",
            "ready-made scenario A (queue)",
            include_str!("../../../core/scenarios/a.json"),
        ),
        derive(
            "scenario-b",
            "ready-made scenario B (pub/sub)",
            include_str!("../../../core/scenarios/b.json"),
        ),
        derive(
            "scenario-c",
            "ready-made scenario C (fan-out)",
            include_str!("../../../core/scenarios/c.json"),
        ),
        derive(
            "comparison",
            "the comparison scenario's queue, pub/sub and fan-out parts",
            include_str!("../../../core/scenarios/comparison.json"),
        ),
    ]
}

/// A body for a message.
fn body(message: MessageId) -> String {
    format!("m{}", message.0)
}

/// What the simulation itself delivered: per consumer, and per subscriber what it received
/// (for checking the replay).
pub(crate) type SimSaw = (
    BTreeMap<String, Vec<Got>>,
    BTreeMap<String, Vec<Option<String>>>,
);

/// Runs `json`'s scenario and turns its events into a workload; also returns what the
/// simulation delivered, to check the replay against.
pub(crate) fn derive_with_sim(
    name: &'static str,
    about: &'static str,
    json: &str,
) -> (Workload, SimSaw) {
    let scenario: Scenario = serde_json::from_str(json).expect("a ready-made scenario parses");
    let mut sim = Simulation::new(&scenario).expect("a ready-made scenario is valid");
    sim.record_work(true);
    let mut steps = Vec::new();
    let mut keys: BTreeMap<MessageId, PublishedKeys> = BTreeMap::new();
    let mut subscriptions: BTreeMap<SubscriptionId, String> = BTreeMap::new();
    let mut delivered: BTreeMap<String, Vec<Got>> = BTreeMap::new();
    let mut received: BTreeMap<String, Vec<Option<String>>> = BTreeMap::new();
    let mut published = Vec::new();
    loop {
        let events: Vec<Event> = sim
            .step_event()
            .iter()
            .filter_map(|e| match &e.kind {
                SimEventKind::Broker(ev) => Some(ev.clone()),
                SimEventKind::Sim(_) => None,
            })
            .collect();
        sim.take_published(&mut published);
        for p in published.drain(..) {
            keys.insert(p.message, p);
        }
        if events.is_empty() && sim.next_due().is_none() {
            break;
        }
        for (i, event) in events.iter().enumerate() {
            let consumer_name = |id| sim.queue_consumer_name(id).map(str::to_owned);
            let spec = |name: &str| scenario.consumers.iter().find(|c| c.name == name);
            match event {
                Event::Published { message, exchange } => {
                    let key = publish_key(&sim, &keys, &events[i..], *message, *exchange);
                    steps.push(Step::Publish {
                        exchange: sim
                            .broker()
                            .exchange_name(*exchange)
                            .unwrap_or("")
                            .to_owned(),
                        routing_key: key,
                        body: body(*message),
                        ttl_ms: None,
                    });
                }
                Event::ConsumerAdded { consumer, queue }
                | Event::ConsumerRestarted { consumer, queue } => {
                    let name = consumer_name(*consumer).expect("a consumer of the scenario");
                    let c = spec(&name).expect("its spec");
                    steps.push(Step::Consume {
                        consumer: name,
                        queue: sim.broker().queue_name(*queue).unwrap_or("").to_owned(),
                        prefetch: c.prefetch,
                        no_ack: c.ack == AckSpec::Auto,
                    });
                }
                Event::Delivered {
                    message,
                    consumer,
                    redelivered,
                    ..
                } => {
                    let name = consumer_name(*consumer).expect("a consumer of the scenario");
                    delivered.entry(name).or_default().push(Got {
                        body: body(*message),
                        redelivered: *redelivered,
                        delivery_count: None,
                    });
                }
                Event::Acked {
                    message, consumer, ..
                } => {
                    let name = consumer_name(*consumer).expect("a consumer of the scenario");
                    if spec(&name).is_some_and(|c| c.ack != AckSpec::Auto) {
                        steps.push(Step::Ack {
                            consumer: name,
                            body: body(*message),
                        });
                    }
                }
                Event::Nacked {
                    message,
                    consumer,
                    requeue,
                    ..
                } => {
                    let name = consumer_name(*consumer).expect("a consumer of the scenario");
                    steps.push(Step::Nack {
                        consumer: name,
                        body: body(*message),
                        requeue: *requeue,
                    });
                }
                Event::ConsumerCrashed { consumer, .. }
                | Event::ConsumerCancelled { consumer, .. } => {
                    let name = consumer_name(*consumer).expect("a consumer of the scenario");
                    steps.push(Step::Die { consumer: name });
                }
                Event::Subscribed { subscription } => {
                    let name = sim
                        .broker()
                        .subscription_name(*subscription)
                        .expect("a subscription made in this step is still there")
                        .to_owned();
                    let Some(Attach::Subscription {
                        exchange,
                        key,
                        capacity,
                    }) = spec(&name).map(|c| c.attach.clone())
                    else {
                        panic!("{name} is a subscriber of the scenario");
                    };
                    subscriptions.insert(*subscription, name.clone());
                    steps.push(Step::Subscribe {
                        subscriber: name,
                        exchange,
                        key,
                        capacity,
                        listen: false,
                    });
                }
                Event::Received {
                    message,
                    subscription,
                } => {
                    let name = subscriptions[subscription].clone();
                    received
                        .entry(name.clone())
                        .or_default()
                        .push(Some(body(*message)));
                    steps.push(Step::Receive { subscriber: name });
                }
                Event::Unsubscribed { subscription } => {
                    let name = subscriptions[subscription].clone();
                    steps.push(Step::Unsubscribe { subscriber: name });
                }
                _ => {}
            }
        }
    }
    let mut workload = Workload::new(name, about, "{}");
    workload.scenario = scenario;
    workload.steps = steps;
    (workload, (delivered, received))
}

fn derive(name: &'static str, about: &'static str, json: &str) -> Workload {
    derive_with_sim(name, about, json).0
}

/// The routing key of a publish: the producer's, or for the default exchange the queue the
/// message was routed to.
fn publish_key(
    sim: &Simulation,
    keys: &BTreeMap<MessageId, PublishedKeys>,
    later: &[Event],
    message: MessageId,
    exchange: ExchangeId,
) -> String {
    if let Some(key) = keys.get(&message).and_then(|k| k.routing_key.clone()) {
        return key;
    }
    if exchange == ExchangeId::DEFAULT {
        for e in later {
            if let Event::Routed {
                message: m,
                target: Target::Queue(q),
                ..
            } = e
                && *m == message
            {
                return sim.broker().queue_name(*q).unwrap_or("").to_owned();
            }
        }
    }
    String::new()
}
