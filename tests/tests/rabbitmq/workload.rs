//! A workload: a topology (a scenario, which the exporter turns into RabbitMQ definitions)
//! and the client actions to run on it, in order. The same steps drive Brokerlab
//! ([`engine`](super::engine)) and RabbitMQ ([`amqp`](super::amqp)).

use brokerlab::sim::Scenario;

use super::differences::Difference;

/// One client action, in the words both sides understand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    /// Publish `body` (unique within the workload) with publisher confirms.
    Publish {
        exchange: String,
        routing_key: String,
        body: String,
        ttl_ms: Option<u64>,
    },
    /// A consumer connects and consumes from a queue (`prefetch` 0: unlimited).
    Consume {
        consumer: String,
        queue: String,
        prefetch: u32,
        no_ack: bool,
    },
    /// Acknowledge the delivery of `body` the consumer holds.
    Ack { consumer: String, body: String },
    /// Negatively acknowledge it (`basic.nack`).
    Nack {
        consumer: String,
        body: String,
        requeue: bool,
    },
    /// Reject it (`basic.reject`).
    Reject {
        consumer: String,
        body: String,
        requeue: bool,
    },
    /// The consumer's connection dies (no close handshake): what it held goes back.
    Die { consumer: String },
    /// A pub/sub subscriber joins: its queue (named after it, `x-max-length` its capacity,
    /// auto-delete) is declared and bound. `listen`: it holds a consumer with automatic acks
    /// (deliveries are pushed; its leaving auto-deletes the queue); otherwise it takes
    /// messages one by one with [`Step::Receive`] (`basic.get`).
    Subscribe {
        subscriber: String,
        exchange: String,
        key: String,
        capacity: u32,
        listen: bool,
    },
    /// A subscriber takes its next message, if any.
    Receive { subscriber: String },
    /// A subscriber leaves: a listening one's connection closes (auto-delete removes the
    /// queue and its binding); the queue of one that receives is deleted.
    Unsubscribe { subscriber: String },
    /// Time passes (TTLs): RabbitMQ's side waits until its queues match Brokerlab's.
    Wait { ms: u64 },
}

/// A topology and the steps to run on it.
#[derive(Debug, Clone)]
pub(crate) struct Workload {
    /// Short, unique: also the RabbitMQ vhost's suffix.
    pub(crate) name: &'static str,
    /// What it checks, for the report.
    pub(crate) about: &'static str,
    /// The topology (and, for ready-made scenarios, their subscribers' specs).
    pub(crate) scenario: Scenario,
    /// The client actions.
    pub(crate) steps: Vec<Step>,
    /// Differences from RabbitMQ that are intended and documented.
    pub(crate) differences: Vec<Difference>,
}

impl Workload {
    /// A workload over the topology in `topology_json` (a scenario's `topology` object).
    pub(crate) fn new(name: &'static str, about: &'static str, topology_json: &str) -> Self {
        let topology = serde_json::from_str(topology_json)
            .unwrap_or_else(|e| panic!("workload {name}: bad topology: {e}"));
        Workload {
            name,
            about,
            scenario: Scenario {
                version: 1,
                title: name.to_owned(),
                duration_ms: 1_000,
                sample_interval_ms: 100,
                topology,
                ..Scenario::default()
            },
            steps: Vec::new(),
            differences: Vec::new(),
        }
    }

    /// Appends steps.
    pub(crate) fn steps(mut self, steps: impl IntoIterator<Item = Step>) -> Self {
        self.steps.extend(steps);
        self
    }

    /// Declares an intended difference.
    pub(crate) fn differs(mut self, difference: Difference) -> Self {
        self.differences.push(difference);
        self
    }

    /// The RabbitMQ vhost the workload runs in.
    pub(crate) fn vhost(&self) -> String {
        format!("brokerlab-{}", self.name)
    }

    /// The queues that count deliveries (exported as quorum queues).
    pub(crate) fn is_quorum(&self, queue: &str) -> bool {
        self.scenario
            .topology
            .queues
            .iter()
            .any(|q| q.name == queue && q.max_deliveries.is_some())
    }
}

/// Publishes `body` through `exchange` with `key`.
pub(crate) fn publish(exchange: &str, key: &str, body: &str) -> Step {
    Step::Publish {
        exchange: exchange.to_owned(),
        routing_key: key.to_owned(),
        body: body.to_owned(),
        ttl_ms: None,
    }
}

/// Publishes `body` straight to `queue` (the default exchange).
pub(crate) fn send(queue: &str, body: &str) -> Step {
    publish("", queue, body)
}

/// Publishes `body` to `queue` with a per-message TTL.
pub(crate) fn send_with_ttl(queue: &str, body: &str, ttl_ms: u64) -> Step {
    Step::Publish {
        exchange: String::new(),
        routing_key: queue.to_owned(),
        body: body.to_owned(),
        ttl_ms: Some(ttl_ms),
    }
}

/// A consumer with manual acks.
pub(crate) fn consume(consumer: &str, queue: &str, prefetch: u32) -> Step {
    Step::Consume {
        consumer: consumer.to_owned(),
        queue: queue.to_owned(),
        prefetch,
        no_ack: false,
    }
}

/// Acks `body`.
pub(crate) fn ack(consumer: &str, body: &str) -> Step {
    Step::Ack {
        consumer: consumer.to_owned(),
        body: body.to_owned(),
    }
}

/// Nacks `body`.
pub(crate) fn nack(consumer: &str, body: &str, requeue: bool) -> Step {
    Step::Nack {
        consumer: consumer.to_owned(),
        body: body.to_owned(),
        requeue,
    }
}

/// Rejects `body`.
pub(crate) fn reject(consumer: &str, body: &str, requeue: bool) -> Step {
    Step::Reject {
        consumer: consumer.to_owned(),
        body: body.to_owned(),
        requeue,
    }
}

/// The consumer's connection dies.
pub(crate) fn die(consumer: &str) -> Step {
    Step::Die {
        consumer: consumer.to_owned(),
    }
}

/// A subscriber joins `exchange` with binding key `key`.
pub(crate) fn subscribe(
    subscriber: &str,
    exchange: &str,
    key: &str,
    capacity: u32,
    listen: bool,
) -> Step {
    Step::Subscribe {
        subscriber: subscriber.to_owned(),
        exchange: exchange.to_owned(),
        key: key.to_owned(),
        capacity,
        listen,
    }
}

/// A subscriber takes its next message.
pub(crate) fn receive(subscriber: &str) -> Step {
    Step::Receive {
        subscriber: subscriber.to_owned(),
    }
}

/// A subscriber leaves.
pub(crate) fn unsubscribe(subscriber: &str) -> Step {
    Step::Unsubscribe {
        subscriber: subscriber.to_owned(),
    }
}

/// Time passes.
pub(crate) fn wait(ms: u64) -> Step {
    Step::Wait { ms }
}

/// `n` messages `prefix1` … `prefixn` to `queue`.
pub(crate) fn send_many(queue: &str, prefix: &str, n: u32) -> Vec<Step> {
    (1..=n)
        .map(|i| send(queue, &format!("{prefix}{i}")))
        .collect()
}
