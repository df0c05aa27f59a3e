//! Queues and their arguments: limits, overflow, TTL, delivery limit, ack timeout; stream
//! queues set aside (with their retention) for [`streams`](super::streams), dead-letter
//! targets for [`dead_letters`](super::dead_letters).

use brokerlab::sim::{OverflowSpec, QueueSpec, RetentionSpec, Topology, bounds};
use serde_json::Value;

use super::definitions::{Definitions, in_vhost};
use super::streams::stream_retention;
use super::{bad_name, number};
use crate::interop::name_list;
use crate::interop::rabbitmq_args::{
    CLASSIC, CONSUMER_TIMEOUT, DEAD_LETTER_EXCHANGE, DEAD_LETTER_ROUTING_KEY, DELIVERY_LIMIT,
    DROP_HEAD, MAX_AGE, MAX_LENGTH, MAX_LENGTH_BYTES, MESSAGE_TTL, OVERFLOW, QUEUE_TYPE, QUORUM,
    REJECT_PUBLISH, REJECT_PUBLISH_DLX, STREAM, max_deliveries, max_length_of,
};

/// Queue arguments that are read (the rest are listed in a note).
const READ_QUEUE_ARGUMENTS: [&str; 9] = [
    MAX_LENGTH,
    OVERFLOW,
    MESSAGE_TTL,
    DELIVERY_LIMIT,
    CONSUMER_TIMEOUT,
    DEAD_LETTER_EXCHANGE,
    DEAD_LETTER_ROUTING_KEY,
    QUEUE_TYPE,
    MAX_LENGTH_BYTES,
];

/// A queue's dead-letter target, to resolve once bindings are read.
pub(super) struct DeadLetter {
    pub(super) queue: String,
    pub(super) exchange: String,
    pub(super) routing_key: Option<String>,
}

/// Stream queues read: `(name, retention)`.
pub(super) type StreamQueues = Vec<(String, RetentionSpec)>;

pub(super) fn read_queues(
    defs: &Definitions,
    vhost: &str,
    topology: &mut Topology,
    notes: &mut Vec<String>,
) -> (StreamQueues, Vec<DeadLetter>) {
    let mut streams = Vec::new();
    let mut dead_letters = Vec::new();
    let mut unread = Vec::new();
    let mut skipped = Vec::new();
    let mut reject_dlx = Vec::new();
    for q in defs.queues.iter().filter(|q| in_vhost(&q.vhost, vhost)) {
        if let Some(why) = bad_name(&q.name) {
            skipped.push(format!("{} (it has {why})", q.name));
            continue;
        }
        let args = &q.arguments;
        let queue_type = args.get(QUEUE_TYPE).and_then(Value::as_str);
        if queue_type == Some(STREAM) {
            if streams.iter().any(|(n, _)| *n == q.name) {
                skipped.push(format!("{} (defined twice)", q.name));
                continue;
            }
            streams.push((q.name.clone(), stream_retention(&q.name, args, notes)));
            for arg in args.keys() {
                if ![QUEUE_TYPE, MAX_LENGTH_BYTES, MAX_AGE].contains(&arg.as_str()) {
                    unread.push(format!("{arg} on {}", q.name));
                }
            }
            continue;
        }
        if topology.queues.iter().any(|known| known.name == q.name) {
            skipped.push(format!("{} (defined twice)", q.name));
            continue;
        }
        if topology.queues.len() == bounds::MAX_ENTITIES {
            skipped.push(format!(
                "{} (a scenario holds {} queues at most)",
                q.name,
                bounds::MAX_ENTITIES
            ));
            continue;
        }
        let mut spec = QueueSpec {
            name: q.name.clone(),
            ..QueueSpec::default()
        };
        let what = |arg: &str| format!("Queue {}'s {arg}", q.name);
        if let Some(v) = args.get(MAX_LENGTH) {
            spec.max_length = number(v, &what(MAX_LENGTH), 0, bounds::MAX_RECORDS, notes);
        }
        match args.get(OVERFLOW).and_then(Value::as_str) {
            Some(REJECT_PUBLISH) => spec.overflow = OverflowSpec::RejectPublish,
            Some(REJECT_PUBLISH_DLX) => {
                spec.overflow = OverflowSpec::RejectPublish;
                reject_dlx.push(q.name.clone());
            }
            Some(DROP_HEAD) | None => {}
            Some(other) => unread.push(format!("{OVERFLOW} {other} on {}", q.name)),
        }
        spec.max_length = spec.max_length.map(|n| {
            let reject = spec.overflow == OverflowSpec::RejectPublish;
            max_length_of(queue_type == Some(QUORUM), reject, n).min(bounds::MAX_RECORDS)
        });
        if let Some(v) = args.get(MESSAGE_TTL) {
            spec.message_ttl_ms = number(v, &what(MESSAGE_TTL), 0, bounds::MAX_TIME_MS, notes);
        }
        if let Some(v) = args.get(DELIVERY_LIMIT) {
            spec.max_deliveries = number(
                v,
                &what(DELIVERY_LIMIT),
                0,
                u64::from(bounds::MAX_DELIVERIES) - 1,
                notes,
            )
            .map(max_deliveries)
            .and_then(|n| u32::try_from(n).ok());
        }
        if let Some(v) = args.get(CONSUMER_TIMEOUT) {
            spec.visibility_timeout_ms =
                number(v, &what(CONSUMER_TIMEOUT), 1, bounds::MAX_TIME_MS, notes);
        }
        if let Some(exchange) = args.get(DEAD_LETTER_EXCHANGE).and_then(Value::as_str) {
            dead_letters.push(DeadLetter {
                queue: q.name.clone(),
                exchange: exchange.to_owned(),
                routing_key: args
                    .get(DEAD_LETTER_ROUTING_KEY)
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            });
        }
        if let Some(other) = queue_type.filter(|t| !matches!(*t, CLASSIC | QUORUM)) {
            unread.push(format!("{QUEUE_TYPE} {other} on {}", q.name));
        }
        if args.contains_key(MAX_LENGTH_BYTES) {
            unread.push(format!("{MAX_LENGTH_BYTES} on {}", q.name));
        }
        for arg in args.keys() {
            if !READ_QUEUE_ARGUMENTS.contains(&arg.as_str()) {
                unread.push(format!("{arg} on {}", q.name));
            }
        }
        topology.queues.push(spec);
    }
    if !skipped.is_empty() {
        notes.push(format!("Queues skipped: {}.", skipped.join(", ")));
    }
    if !reject_dlx.is_empty() {
        notes.push(format!(
            "{OVERFLOW} {REJECT_PUBLISH_DLX} on {} is simulated as {REJECT_PUBLISH}: the refused \
             message is not dead-lettered.",
            name_list(&reject_dlx)
        ));
    }
    if !unread.is_empty() {
        notes.push(format!(
            "Queue arguments not simulated: {}.",
            unread.join(", ")
        ));
    }
    (streams, dead_letters)
}
