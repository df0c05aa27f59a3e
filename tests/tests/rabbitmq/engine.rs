//! Runs a workload on Brokerlab: the scenario's topology declared by the simulation's own
//! code, then each step on the [`Broker`], draining its events after each one. Besides what
//! it observed, it says after each step what RabbitMQ should have reached (deliveries per
//! consumer, ready messages per queue) so that RabbitMQ's side waits for that state rather
//! than for a fixed time.

use std::collections::BTreeMap;

use brokerlab::sim::Simulation;
use brokerlab::{
    Broker, ConsumerConfig, ConsumerId, DeadLetterReason, DeliveryTag, Duration, Event, Instant,
    LimitKind, MemoryStorage, MessageId, Publish, PublishError, QueueId, Received,
    SubscriptionConfig, SubscriptionId,
};

use super::observed::{Confirm, Death, Got, Left, Observed};
use super::workload::{Step, Workload};

/// What RabbitMQ should have reached after a step: deliveries so far per consumer, ready
/// messages and live consumers per queue (`-1`: the queue does not exist). Only what changed
/// in the step.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Expect {
    pub(crate) deliveries: BTreeMap<String, usize>,
    pub(crate) ready: BTreeMap<String, i64>,
    pub(crate) consumers: BTreeMap<String, i64>,
}

/// Brokerlab's run of a workload.
pub(crate) struct Run {
    pub(crate) observed: Observed,
    /// One per step.
    pub(crate) expects: Vec<Expect>,
    /// The queues drained at the end (the topology's, in order).
    pub(crate) drain: Vec<String>,
}

struct Consumer {
    id: ConsumerId,
    queue: String,
    no_ack: bool,
    alive: bool,
    held: Vec<(DeliveryTag, String)>,
}

struct Subscriber {
    id: Option<SubscriptionId>,
    listen: bool,
}

struct Engine<'w> {
    workload: &'w Workload,
    broker: Broker<MemoryStorage>,
    now: Instant,
    consumers: BTreeMap<String, Consumer>,
    subscribers: BTreeMap<String, Subscriber>,
    deaths: BTreeMap<MessageId, Death>,
    auto_acks: Vec<(ConsumerId, DeliveryTag)>,
    observed: Observed,
}

/// Runs `workload` on a fresh broker.
pub(crate) fn run(workload: &Workload) -> Run {
    let mut topology_only = workload.scenario.clone();
    topology_only.producers.clear();
    topology_only.consumers.clear();
    topology_only.script.clear();
    let mut sim = Simulation::new(&topology_only)
        .unwrap_or_else(|e| panic!("workload {}: invalid topology: {e}", workload.name));
    let mut broker = sim.replace_broker(Broker::new(MemoryStorage::new()));
    while broker.poll_event().is_some() {}
    let mut engine = Engine {
        workload,
        broker,
        now: Instant::ZERO,
        consumers: BTreeMap::new(),
        subscribers: BTreeMap::new(),
        deaths: BTreeMap::new(),
        auto_acks: Vec::new(),
        observed: Observed::default(),
    };
    let drain: Vec<String> = workload
        .scenario
        .topology
        .queues
        .iter()
        .map(|q| q.name.clone())
        .collect();
    let mut expects = Vec::new();
    let mut before = engine.snapshot();
    for (i, step) in workload.steps.iter().enumerate() {
        engine
            .observed
            .history
            .push(format!("step {i} {}", describe(step)));
        engine.apply(i, step);
        engine.settle();
        let after = engine.snapshot();
        expects.push(changed(&before, &after, i == 0));
        before = after;
    }
    for queue in &drain {
        engine.drain(queue);
    }
    Run {
        observed: engine.observed,
        expects,
        drain,
    }
}

/// A step in a few words, as both histories print it.
pub(crate) fn describe(step: &Step) -> String {
    match step {
        Step::Publish {
            exchange,
            routing_key,
            body,
            ttl_ms,
        } => {
            let ttl = ttl_ms.map_or(String::new(), |ms| format!(" ttl {ms} ms"));
            format!("publish {exchange}/'{routing_key}' {body}{ttl}")
        }
        Step::Consume {
            consumer,
            queue,
            prefetch,
            no_ack,
        } => format!(
            "{consumer} consumes {queue} prefetch {prefetch}{}",
            if *no_ack { " no-ack" } else { "" }
        ),
        Step::Ack { consumer, body } => format!("{consumer} ack {body}"),
        Step::Nack {
            consumer,
            body,
            requeue,
        } => format!("{consumer} nack {body}{}", requeue_word(*requeue)),
        Step::Reject {
            consumer,
            body,
            requeue,
        } => format!("{consumer} reject {body}{}", requeue_word(*requeue)),
        Step::Die { consumer } => format!("{consumer} connection dies"),
        Step::Subscribe {
            subscriber,
            exchange,
            key,
            capacity,
            listen,
        } => format!(
            "{subscriber} subscribes {exchange}/'{key}' capacity {capacity}{}",
            if *listen { " listening" } else { "" }
        ),
        Step::Receive { subscriber } => format!("{subscriber} receives"),
        Step::Unsubscribe { subscriber } => format!("{subscriber} leaves"),
        Step::Wait { ms } => format!("wait {ms} ms"),
    }
}

fn requeue_word(requeue: bool) -> &'static str {
    if requeue { " requeue" } else { "" }
}

/// RabbitMQ's `x-death` reason for a dead-letter reason.
pub(crate) fn rabbit_reason(reason: DeadLetterReason) -> &'static str {
    match reason {
        DeadLetterReason::Rejected => "rejected",
        DeadLetterReason::Expired => "expired",
        DeadLetterReason::MaxLength => "maxlen",
        DeadLetterReason::DeliveryLimit => "delivery_limit",
        _ => "unknown",
    }
}

#[derive(Clone, PartialEq, Eq)]
struct Snapshot {
    deliveries: BTreeMap<String, usize>,
    ready: BTreeMap<String, i64>,
    consumers: BTreeMap<String, i64>,
}

/// The entries of `after` that differ from `before` (all of them when `all`).
fn changed_entries<V: Copy + PartialEq>(
    before: &BTreeMap<String, V>,
    after: &BTreeMap<String, V>,
    all: bool,
) -> BTreeMap<String, V> {
    after
        .iter()
        .filter(|(k, v)| all || before.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), *v))
        .collect()
}

fn changed(before: &Snapshot, after: &Snapshot, all: bool) -> Expect {
    Expect {
        deliveries: changed_entries(&before.deliveries, &after.deliveries, all),
        ready: changed_entries(&before.ready, &after.ready, all),
        consumers: changed_entries(&before.consumers, &after.consumers, all),
    }
}

impl Engine<'_> {
    fn queue(&self, name: &str) -> Option<QueueId> {
        self.broker.queue_id(name)
    }

    fn error(&mut self, i: usize, what: String) {
        self.observed.errors.push(format!("step {i}: {what}"));
        self.observed.history.push(format!("  error: {what}"));
    }

    fn apply(&mut self, i: usize, step: &Step) {
        let now = self.now;
        match step {
            Step::Publish {
                exchange,
                routing_key,
                body,
                ttl_ms,
            } => {
                let mut p = Publish::new(exchange.as_str(), routing_key.as_str(), body.as_str());
                if let Some(ms) = ttl_ms {
                    p = p.with_ttl(Duration::from_millis(*ms));
                }
                let confirm = match self.broker.publish(now, p) {
                    Ok(_) => "ack",
                    Err(PublishError::Rejected { .. })
                    | Err(PublishError::Limit(brokerlab::LimitError {
                        kind: LimitKind::QueueMessages,
                        ..
                    })) => "nack",
                    Err(e) => {
                        self.error(i, format!("publish {body}: {e}"));
                        return;
                    }
                };
                self.observed.history.push(format!("  confirm {confirm}"));
                self.observed.confirms.push(Confirm {
                    body: body.clone(),
                    confirm: confirm.to_owned(),
                });
            }
            Step::Consume {
                consumer,
                queue,
                prefetch,
                no_ack,
            } => self.consume(i, consumer, queue, *prefetch, *no_ack),
            Step::Ack { consumer, body } => self.settle_one(i, consumer, body, None),
            Step::Nack {
                consumer,
                body,
                requeue,
            }
            | Step::Reject {
                consumer,
                body,
                requeue,
            } => self.settle_one(i, consumer, body, Some(*requeue)),
            Step::Die { consumer } => self.die(i, consumer),
            Step::Subscribe {
                subscriber,
                exchange,
                key,
                capacity,
                listen,
            } => {
                let config = SubscriptionConfig::default().with_capacity(*capacity as usize);
                match self
                    .broker
                    .subscribe(now, exchange.as_str(), key, subscriber, config)
                {
                    Ok(id) => {
                        self.subscribers.insert(
                            subscriber.clone(),
                            Subscriber {
                                id: Some(id),
                                listen: *listen,
                            },
                        );
                    }
                    Err(e) => self.error(i, format!("subscribe {subscriber}: {e}")),
                }
            }
            Step::Receive { subscriber } => {
                let got = self.receive(subscriber);
                self.observed.history.push(format!(
                    "  {subscriber} got {}",
                    got.as_deref().unwrap_or("(empty)")
                ));
                self.observed
                    .gets
                    .entry(subscriber.clone())
                    .or_default()
                    .push(got);
            }
            Step::Unsubscribe { subscriber } => {
                let id = self
                    .subscribers
                    .get_mut(subscriber)
                    .and_then(|s| s.id.take());
                match id {
                    Some(id) => {
                        if let Err(e) = self.broker.unsubscribe(now, id) {
                            self.error(i, format!("unsubscribe {subscriber}: {e}"));
                        }
                    }
                    None => self.error(i, format!("{subscriber} is not subscribed")),
                }
            }
            Step::Wait { ms } => {
                self.now = self.now + Duration::from_millis(*ms);
                self.broker.handle_timeout(self.now);
            }
        }
    }

    fn consume(&mut self, i: usize, name: &str, queue: &str, prefetch: u32, no_ack: bool) {
        let now = self.now;
        if let Some(c) = self.consumers.get_mut(name) {
            if c.alive || c.queue != queue {
                self.error(i, format!("{name} is already consuming"));
                return;
            }
            // A consumer that died reconnects: the broker's restart brings it back.
            let id = c.id;
            c.alive = true;
            c.no_ack = no_ack;
            if let Err(e) = self.broker.restart_consumer(now, id) {
                self.error(i, format!("restart {name}: {e}"));
            }
            return;
        }
        match self.broker.consume(
            now,
            queue,
            name,
            ConsumerConfig::default().with_prefetch(prefetch),
        ) {
            Ok(id) => {
                self.consumers.insert(
                    name.to_owned(),
                    Consumer {
                        id,
                        queue: queue.to_owned(),
                        no_ack,
                        alive: true,
                        held: Vec::new(),
                    },
                );
            }
            Err(e) => self.error(i, format!("consume {name}: {e}")),
        }
    }

    /// Acks (`requeue` `None`) or nacks the consumer's delivery of `body`.
    fn settle_one(&mut self, i: usize, name: &str, body: &str, requeue: Option<bool>) {
        let now = self.now;
        let Some(c) = self.consumers.get_mut(name) else {
            self.error(i, format!("no consumer {name}"));
            return;
        };
        let Some(at) = c.held.iter().rposition(|(_, b)| b == body) else {
            self.error(i, format!("{name} holds no delivery of {body}"));
            return;
        };
        let (tag, _) = c.held.remove(at);
        let id = c.id;
        let result = match requeue {
            None => self.broker.ack(now, id, tag),
            Some(requeue) => self.broker.nack(now, id, tag, requeue),
        };
        if let Err(e) = result {
            self.error(i, format!("settle {body}: {e}"));
        }
    }

    fn die(&mut self, i: usize, name: &str) {
        let now = self.now;
        if let Some(s) = self.subscribers.get_mut(name) {
            if let Some(id) = s.id.take()
                && let Err(e) = self.broker.unsubscribe(now, id)
            {
                self.error(i, format!("unsubscribe {name}: {e}"));
            }
            return;
        }
        let Some(c) = self.consumers.get_mut(name) else {
            self.error(i, format!("no consumer {name}"));
            return;
        };
        c.alive = false;
        c.held.clear();
        let id = c.id;
        if let Err(e) = self.broker.crash_consumer(now, id) {
            self.error(i, format!("crash {name}: {e}"));
        }
    }

    fn receive(&mut self, name: &str) -> Option<String> {
        let id = self.subscribers.get(name)?.id?;
        loop {
            match self.broker.receive(self.now, id).ok()?? {
                Received::Message { payload, .. } => {
                    return Some(String::from_utf8_lossy(payload.as_bytes()).into_owned());
                }
                Received::Lagged(n) => {
                    self.observed
                        .history
                        .push(format!("  {name} lagged: {n} overwritten"));
                }
            }
        }
    }

    fn name_of(&self, id: ConsumerId) -> Option<&str> {
        self.consumers
            .iter()
            .find(|(_, c)| c.id == id)
            .map(|(n, _)| n.as_str())
    }

    /// Drains the broker's events (deliveries, dead letters), handles due timeouts, acks for
    /// no-ack consumers and pushes to listening subscribers until nothing more happens.
    fn settle(&mut self) {
        loop {
            let mut progressed = false;
            while let Some(event) = self.broker.poll_event() {
                progressed = true;
                self.on_event(event);
            }
            // The sans-IO contract: call `handle_timeout` once `poll_timeout` is due (a
            // new queue head whose TTL already passed expires at once).
            if self.broker.poll_timeout().is_some_and(|t| t <= self.now) {
                self.broker.handle_timeout(self.now);
                if self.broker.pending_events() > 0 {
                    progressed = true;
                }
            }
            for (id, tag) in std::mem::take(&mut self.auto_acks) {
                progressed = true;
                let _ = self.broker.ack(self.now, id, tag);
            }
            let listening: Vec<String> = self
                .subscribers
                .iter()
                .filter(|(_, s)| s.listen && s.id.is_some())
                .map(|(n, _)| n.clone())
                .collect();
            for name in listening {
                while let Some(body) = self.receive(&name) {
                    progressed = true;
                    self.observed.history.push(format!("  {name} <- {body}"));
                    self.observed
                        .deliveries
                        .entry(name.clone())
                        .or_default()
                        .push(Got {
                            body,
                            redelivered: false,
                            delivery_count: None,
                        });
                }
            }
            if !progressed {
                break;
            }
        }
    }

    fn on_event(&mut self, event: Event) {
        match event {
            Event::Delivered {
                consumer,
                queue,
                delivery,
                redelivered,
                delivery_count,
                payload,
                ..
            } => {
                let body = String::from_utf8_lossy(payload.as_bytes()).into_owned();
                let Some(name) = self.name_of(consumer).map(str::to_owned) else {
                    return;
                };
                let quorum = self
                    .broker
                    .queue_name(queue)
                    .is_some_and(|q| self.workload.is_quorum(q));
                let got = Got {
                    body: body.clone(),
                    redelivered,
                    // RabbitMQ's quorum queues add `x-delivery-count` from the first
                    // return on: a first delivery carries none.
                    delivery_count: (quorum && delivery_count > 1).then(|| delivery_count - 1),
                };
                self.observed
                    .history
                    .push(format!("  {name} <- {}", super::observed::got(&got)));
                self.observed
                    .deliveries
                    .entry(name.clone())
                    .or_default()
                    .push(got);
                let Some(c) = self.consumers.get_mut(&name) else {
                    return;
                };
                if c.no_ack {
                    self.auto_acks.push((consumer, delivery));
                } else {
                    c.held.push((delivery, body));
                }
            }
            Event::DeadLettered {
                message,
                queue,
                reason,
                ..
            } => {
                let queue = self.broker.queue_name(queue).unwrap_or("?").to_owned();
                self.observed.history.push(format!(
                    "  dead-lettered from {queue} ({})",
                    rabbit_reason(reason)
                ));
                self.deaths.insert(
                    message,
                    Death {
                        reason: rabbit_reason(reason).to_owned(),
                        queue,
                    },
                );
            }
            Event::Dropped { queue, reason, .. } => {
                let queue = self.broker.queue_name(queue).unwrap_or("?").to_owned();
                self.observed
                    .history
                    .push(format!("  dropped from {queue} ({reason})"));
            }
            Event::Expired { queue, .. } => {
                let queue = self.broker.queue_name(queue).unwrap_or("?").to_owned();
                self.observed.history.push(format!("  expired in {queue}"));
            }
            _ => {}
        }
    }

    fn snapshot(&self) -> Snapshot {
        let mut ready = BTreeMap::new();
        let mut consumers = BTreeMap::new();
        for q in &self.workload.scenario.topology.queues {
            let n = self
                .queue(&q.name)
                .and_then(|id| self.broker.queue_stats(id))
                .map_or(-1, |s| s.ready as i64);
            ready.insert(q.name.clone(), n);
            let live = self
                .consumers
                .values()
                .filter(|c| c.alive && c.queue == q.name)
                .count();
            consumers.insert(q.name.clone(), if n < 0 { -1 } else { live as i64 });
        }
        for (name, s) in &self.subscribers {
            let n =
                s.id.and_then(|id| self.broker.inbox_len(id))
                    .map_or(-1, |n| n as i64);
            ready.insert(name.clone(), n);
            let listening = i64::from(s.listen && s.id.is_some());
            consumers.insert(name.clone(), if n < 0 { -1 } else { listening });
        }
        let deliveries = self
            .observed
            .deliveries
            .iter()
            .map(|(k, v)| (k.clone(), v.len()))
            .collect();
        Snapshot {
            deliveries,
            ready,
            consumers,
        }
    }

    fn drain(&mut self, queue: &str) {
        let Some(id) = self.queue(queue) else {
            return;
        };
        let quorum = self.workload.is_quorum(queue);
        let mut left = Vec::new();
        for m in self.broker.ready_messages(id) {
            let body = self
                .broker
                .message_payload(id, m.message)
                .map(|p| String::from_utf8_lossy(p.as_bytes()).into_owned())
                .unwrap_or_default();
            left.push(Left {
                body,
                redelivered: m.delivery_count > 0,
                delivery_count: quorum.then_some(m.delivery_count),
                death: self.deaths.get(&m.message).cloned(),
            });
        }
        self.observed.queues.insert(queue.to_owned(), left);
    }
}
