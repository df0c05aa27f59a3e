//! A scenario as a RabbitMQ `definitions.json`, the file `rabbitmqadmin import`, the
//! management UI's "Import definitions" and `load_definitions` accept, for vhost `/`.
//!
//! - The file names vhost `/` and the user `guest` (password `guest`, every permission on
//!   `/`): a node booted with it seeds neither, and imports nothing into an unnamed vhost.
//! - Exchanges keep their kind (`fanout`, `direct`, `topic`) and are durable.
//! - Queues are durable classic queues with their limits as `arguments`: `x-max-length`,
//!   `x-overflow` (when it is `reject-publish`), `x-message-ttl`, a dead-letter queue as
//!   `x-dead-letter-exchange: ""` (the default exchange) with `x-dead-letter-routing-key`
//!   set to the dead-letter queue's name, and an ack timeout as `x-consumer-timeout`. A queue
//!   with `max_deliveries` becomes a quorum queue (`x-queue-type: quorum`) with
//!   `x-delivery-limit` one less than `max_deliveries` (RabbitMQ counts returns, see
//!   [`delivery_limit`](crate::interop::rabbitmq_args::delivery_limit)).
//! - Pub/sub subscribers there from the start become auto-delete queues named after them,
//!   `x-max-length` their inbox capacity, bound to their exchange; later ones declare their
//!   queue when they join (a note says how).
//!
//! `tests/tests/rabbitmq/` imports these files into a real RabbitMQ and checks that it
//! behaves as the simulation does.
//! - Streams become stream queues (`x-queue-type: stream`, `x-max-length-bytes`,
//!   `x-max-age`); a stream of several partitions becomes a super stream: a direct exchange
//!   (`x-super-stream: true`) and one stream queue `<name>-<i>` per partition, bound with
//!   routing key `<i>` and `x-stream-partition-order: i`.
//!
//! Consumers, producers and the script are clients' behaviour, not definitions: the notes
//! say how to set them.

use std::collections::BTreeMap;

use brokerlab::sim::{
    AckSpec, Attach, ExchangeKindSpec, OverflowSpec, QueueSpec, Scenario, StreamSpec,
};
use serde::Serialize;
use serde_json::Value;

use super::{
    Export, assignor_name, consumers, name_list, queue_consumers, retention_notes,
    scripted_bindings_note, subscribers,
};
use crate::interop::rabbitmq_args::{
    self as args, CONSUMER_TIMEOUT, DEAD_LETTER_EXCHANGE, DEAD_LETTER_ROUTING_KEY, DELIVERY_LIMIT,
    DESTINATION_QUEUE, MAX_AGE, MAX_LENGTH, MAX_LENGTH_BYTES, MESSAGE_TTL, OVERFLOW, QUEUE_TYPE,
    QUORUM, REJECT_PUBLISH, STREAM, STREAM_PARTITION_ORDER, SUPER_STREAM,
};
pub use crate::interop::rabbitmq_args::{exchange_type, max_age};

/// The one vhost exported to.
pub const VHOST: &str = args::DEFAULT_VHOST;

#[derive(Serialize)]
struct Definitions {
    users: Vec<UserDef>,
    vhosts: Vec<VhostDef>,
    permissions: Vec<PermissionDef>,
    queues: Vec<QueueDef>,
    exchanges: Vec<ExchangeDef>,
    bindings: Vec<BindingDef>,
}

#[derive(Serialize)]
struct UserDef {
    name: &'static str,
    password_hash: &'static str,
    hashing_algorithm: &'static str,
    tags: [&'static str; 1],
    limits: BTreeMap<&'static str, Value>,
}

#[derive(Serialize)]
struct VhostDef {
    name: &'static str,
}

#[derive(Serialize)]
struct PermissionDef {
    user: &'static str,
    vhost: &'static str,
    configure: &'static str,
    write: &'static str,
    read: &'static str,
}

/// The user a fresh node seeds when it has no definitions to load: `guest`, password `guest`
/// (RabbitMQ lets it log in from localhost only), an administrator with every permission on
/// vhost `/`.
const USER: &str = "guest";

/// `guest`'s password as RabbitMQ stores it (`rabbit_password_hashing_sha256`): base64 of a
/// 4-byte salt (`Brlb`) followed by SHA-256(salt ‖ `guest`).
const USER_PASSWORD_HASH: &str = "QnJsYk4fNLrutXaqipkWmNSTJ4UoZY02On7daN751H1/8+UM";

/// A node booted with a definitions file (`load_definitions`) seeds neither its default
/// vhost nor its default user, and imports nothing into a vhost the file does not name: the
/// file names vhost `/` and the default user, as a node without definitions would have them.
fn node_defaults() -> (Vec<UserDef>, Vec<VhostDef>, Vec<PermissionDef>) {
    (
        vec![UserDef {
            name: USER,
            password_hash: USER_PASSWORD_HASH,
            hashing_algorithm: "rabbit_password_hashing_sha256",
            tags: ["administrator"],
            limits: BTreeMap::new(),
        }],
        vec![VhostDef { name: VHOST }],
        vec![PermissionDef {
            user: USER,
            vhost: VHOST,
            configure: ".*",
            write: ".*",
            read: ".*",
        }],
    )
}

#[derive(Serialize)]
struct QueueDef {
    name: String,
    vhost: &'static str,
    durable: bool,
    auto_delete: bool,
    arguments: BTreeMap<&'static str, Value>,
}

#[derive(Serialize)]
struct ExchangeDef {
    name: String,
    vhost: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    durable: bool,
    auto_delete: bool,
    internal: bool,
    arguments: BTreeMap<&'static str, Value>,
}

#[derive(Serialize)]
struct BindingDef {
    source: String,
    vhost: &'static str,
    destination: String,
    destination_type: &'static str,
    routing_key: String,
    arguments: BTreeMap<&'static str, Value>,
}

/// How a consumer acknowledges, in AMQP words.
fn ack_words(ack: AckSpec) -> String {
    match ack {
        AckSpec::Auto => "automatic acks (no-ack)".to_owned(),
        AckSpec::AfterProcessing => "manual ack after each message".to_owned(),
        AckSpec::Every(n) => format!("one ack with multiple=true every {n} messages"),
        AckSpec::Manual => "manual acks only when told".to_owned(),
    }
}

fn queue_def(q: &QueueSpec) -> QueueDef {
    let mut arguments = BTreeMap::new();
    if let Some(n) = q.max_length {
        arguments.insert(MAX_LENGTH, Value::from(args::max_length(q, n)));
    }
    if q.overflow == OverflowSpec::RejectPublish {
        arguments.insert(OVERFLOW, Value::from(REJECT_PUBLISH));
    }
    if let Some(ms) = q.message_ttl_ms {
        arguments.insert(MESSAGE_TTL, Value::from(ms));
    }
    if let Some(dlq) = &q.dead_letter_queue {
        arguments.insert(DEAD_LETTER_EXCHANGE, Value::from(""));
        arguments.insert(DEAD_LETTER_ROUTING_KEY, Value::from(dlq.as_str()));
    }
    if let Some(n) = q.max_deliveries {
        arguments.insert(QUEUE_TYPE, Value::from(QUORUM));
        arguments.insert(DELIVERY_LIMIT, Value::from(args::delivery_limit(n)));
    }
    if let Some(ms) = q.visibility_timeout_ms {
        arguments.insert(CONSUMER_TIMEOUT, Value::from(ms));
    }
    QueueDef {
        name: q.name.clone(),
        vhost: VHOST,
        durable: true,
        auto_delete: false,
        arguments,
    }
}

fn stream_queue(name: String, st: &StreamSpec) -> QueueDef {
    let mut arguments = BTreeMap::new();
    arguments.insert(QUEUE_TYPE, Value::from(STREAM));
    if let Some(bytes) = st.retention.max_bytes {
        arguments.insert(MAX_LENGTH_BYTES, Value::from(bytes));
    }
    if let Some(ms) = st.retention.max_age_ms {
        arguments.insert(MAX_AGE, Value::from(max_age(ms)));
    }
    QueueDef {
        name,
        vhost: VHOST,
        durable: true,
        auto_delete: false,
        arguments,
    }
}

/// The scenario's topology as `definitions.json` (pretty-printed, two-space indent), with
/// notes on what does not map.
#[must_use]
pub fn export(s: &Scenario) -> Export {
    let mut notes = Vec::new();
    let t = &s.topology;
    let (users, vhosts, permissions) = node_defaults();
    let mut defs = Definitions {
        users,
        vhosts,
        permissions,
        queues: t.queues.iter().map(queue_def).collect(),
        exchanges: t
            .exchanges
            .iter()
            .map(|x| ExchangeDef {
                name: x.name.clone(),
                vhost: VHOST,
                kind: exchange_type(x.kind),
                durable: true,
                auto_delete: false,
                internal: false,
                arguments: BTreeMap::new(),
            })
            .collect(),
        bindings: t
            .bindings
            .iter()
            .map(|b| BindingDef {
                source: b.exchange.clone(),
                vhost: VHOST,
                destination: b.queue.clone(),
                destination_type: DESTINATION_QUEUE,
                routing_key: b.key.clone(),
                arguments: BTreeMap::new(),
            })
            .collect(),
    };
    queue_notes(s, &mut notes);
    subscriptions(s, &mut defs, &mut notes);
    streams(s, &mut defs, &mut notes);
    scripted_bindings_note(s, &mut notes);
    consumer_notes(s, &mut notes);
    // Serializing these plain structs into a String cannot fail.
    let mut text = serde_json::to_string_pretty(&defs).unwrap_or_default();
    text.push('\n');
    Export { text, notes }
}

fn queue_notes(s: &Scenario, notes: &mut Vec<String>) {
    let quorum: Vec<&str> = s
        .topology
        .queues
        .iter()
        .filter(|q| q.max_deliveries.is_some())
        .map(|q| q.name.as_str())
        .collect();
    if !quorum.is_empty() {
        notes.push(format!(
            "{} {} quorum queues (x-queue-type quorum): only quorum queues count deliveries. \
             x-delivery-limit is one less than the simulation's max deliveries: RabbitMQ \
             counts returns (a message with x-delivery-limit 2 is delivered 3 times, then \
             dead-lettered or dropped).",
            name_list(&quorum),
            if quorum.len() == 1 { "is a" } else { "are" }
        ));
    }
    let refusing: Vec<String> = s
        .topology
        .queues
        .iter()
        .filter(|q| q.max_deliveries.is_some() && q.overflow == OverflowSpec::RejectPublish)
        .filter_map(|q| {
            q.max_length
                .map(|n| format!("{} (x-max-length {})", q.name, args::max_length(q, n)))
        })
        .collect();
    if !refusing.is_empty() {
        notes.push(format!(
            "A quorum queue refusing publishes when full takes one message beyond its \
             x-max-length (RabbitMQ 3.10), so x-max-length is one less than the simulation's \
             max length: {}.",
            refusing.join(", ")
        ));
    }
    let timed: Vec<&str> = s
        .topology
        .queues
        .iter()
        .filter(|q| q.visibility_timeout_ms.is_some())
        .map(|q| q.name.as_str())
        .collect();
    if !timed.is_empty() {
        notes.push(format!(
            "The ack timeout of {} becomes x-consumer-timeout (RabbitMQ 3.12 or later): \
             RabbitMQ then closes the late consumer's channel and requeues all its unacked \
             messages, where the simulation requeues only the late one.",
            name_list(&timed)
        ));
    }
}

/// Whether a subscriber is there when the scenario starts: one of the scenario's own
/// consumers starting at 0 ms (not one the script adds later).
fn subscribes_at_start(s: &Scenario, name: &str) -> bool {
    s.consumers
        .iter()
        .any(|c| c.name == name && c.start_ms == 0)
}

fn subscriptions(s: &Scenario, defs: &mut Definitions, notes: &mut Vec<String>) {
    let subs = subscribers(s);
    if subs.is_empty() {
        return;
    }
    let mut names = Vec::new();
    let mut late = Vec::new();
    for (name, exchange, key, capacity) in subs {
        let mut queue = name.to_owned();
        while defs.queues.iter().any(|q| q.name == queue) {
            queue.push_str("-inbox");
        }
        if !subscribes_at_start(s, name) {
            late.push(format!(
                "{name} (queue {queue}, x-max-length {capacity}, bound to {exchange}{})",
                if key.is_empty() {
                    String::new()
                } else {
                    format!(" with {key}")
                }
            ));
            continue;
        }
        let mut arguments = BTreeMap::new();
        arguments.insert(MAX_LENGTH, Value::from(capacity));
        defs.queues.push(QueueDef {
            name: queue.clone(),
            vhost: VHOST,
            durable: false,
            auto_delete: true,
            arguments,
        });
        defs.bindings.push(BindingDef {
            source: exchange.to_owned(),
            vhost: VHOST,
            destination: queue.clone(),
            destination_type: DESTINATION_QUEUE,
            routing_key: key.to_owned(),
            arguments: BTreeMap::new(),
        });
        names.push(queue);
    }
    if !names.is_empty() {
        notes.push(format!(
            "Subscribers become auto-delete queues of their own ({}), x-max-length their \
             inbox capacity (the oldest message is dropped when full), bound to their \
             exchange. A real subscriber usually declares a server-named exclusive queue when \
             it connects. When its consumer goes, auto-delete removes the queue and its \
             binding: on reconnecting the client must declare the queue and bind it again, \
             and misses what was published meanwhile, as in the simulation.",
            name_list(&names)
        ));
    }
    if !late.is_empty() {
        notes.push(format!(
            "Subscribers that join later are left out of the definitions, or their queue \
             would keep what is published before they join: each declares its auto-delete \
             queue and binds it when it connects: {}.",
            late.join("; ")
        ));
    }
}

fn streams(s: &Scenario, defs: &mut Definitions, notes: &mut Vec<String>) {
    let t = &s.topology;
    let mut exported = Vec::new();
    for st in &t.streams {
        let taken_queue = |name: &str| defs.queues.iter().any(|q| q.name == name);
        if st.partitions <= 1 {
            if taken_queue(&st.name) {
                notes.push(format!(
                    "Stream {0} is left out: a queue named {0} exists, and RabbitMQ streams \
                     share the queues' names.",
                    st.name
                ));
                continue;
            }
            defs.queues.push(stream_queue(st.name.clone(), st));
            notes.push(format!(
                "Stream {} is a stream queue (x-queue-type stream); clients read it with the \
                 stream protocol or AMQP with x-stream-offset.",
                st.name
            ));
        } else {
            let parts: Vec<String> = (0..st.partitions)
                .map(|i| format!("{}-{i}", st.name))
                .collect();
            let clash = parts.iter().find(|p| taken_queue(p)).cloned().or_else(|| {
                defs.exchanges
                    .iter()
                    .any(|x| x.name == st.name)
                    .then(|| st.name.clone())
            });
            if let Some(clash) = clash {
                notes.push(format!(
                    "Stream {} is left out: its super stream needs the name {clash}, which is \
                     taken.",
                    st.name
                ));
                continue;
            }
            let mut arguments = BTreeMap::new();
            arguments.insert(SUPER_STREAM, Value::from(true));
            defs.exchanges.push(ExchangeDef {
                name: st.name.clone(),
                vhost: VHOST,
                kind: exchange_type(ExchangeKindSpec::Direct),
                durable: true,
                auto_delete: false,
                internal: false,
                arguments,
            });
            for (i, part) in parts.into_iter().enumerate() {
                defs.queues.push(stream_queue(part.clone(), st));
                let mut arguments = BTreeMap::new();
                arguments.insert(STREAM_PARTITION_ORDER, Value::from(i));
                defs.bindings.push(BindingDef {
                    source: st.name.clone(),
                    vhost: VHOST,
                    destination: part,
                    destination_type: DESTINATION_QUEUE,
                    routing_key: i.to_string(),
                    arguments,
                });
            }
            notes.push(format!(
                "Stream {0} becomes super stream {0}: a direct exchange and {1} stream queues \
                 {0}-0 to {0}-{2}. RabbitMQ's stream clients pick a partition by hashing the \
                 key with murmur3, not Kafka's murmur2, so a key may land in another \
                 partition than in the simulation.",
                st.name,
                st.partitions,
                st.partitions - 1
            ));
        }
        exported.push(st.clone());
        if let Some(ms) = st.retention.max_age_ms
            && ms % 1000 != 0
        {
            notes.push(format!(
                "The age limit of stream {} ({ms} ms) is rounded up to {}: x-max-age \
                     counts whole seconds.",
                st.name,
                max_age(ms)
            ));
        }
    }
    retention_notes(
        &exported,
        "RabbitMQ streams",
        "bytes (x-max-length-bytes) and age (x-max-age)",
        "x-stream-max-segment-size-bytes, 500 MB by default",
        notes,
    );
    if !t.groups.is_empty() {
        let names: Vec<&str> = t.groups.iter().map(|g| g.name.as_str()).collect();
        let assignors: Vec<&str> = t.groups.iter().map(|g| assignor_name(g.assignor)).collect();
        notes.push(format!(
            "Consumer groups do not map ({}): RabbitMQ spreads a super stream's partitions \
             over the consumers of one name with single active consumer; the broker picks, \
             so no client assignor ({}) runs and no session timeout applies.",
            name_list(&names),
            name_list(&assignors)
        ));
    }
    if !t.share_groups.is_empty() {
        let names: Vec<&str> = t.share_groups.iter().map(|g| g.name.as_str()).collect();
        notes.push(format!(
            "Share groups do not map ({}): a RabbitMQ stream has no per-message acknowledgement. \
             The nearest is a quorum queue read by competing consumers (ack to accept, nack \
             with requeue to release, reject; x-delivery-limit for the delivery count limit, \
             the consumer timeout for the record lock), which removes what is acked instead \
             of keeping the log for other readers.",
            name_list(&names)
        ));
    }
}
fn consumer_notes(s: &Scenario, notes: &mut Vec<String>) {
    let mut settings = Vec::new();
    for q in &s.topology.queues {
        for c in queue_consumers(s, &q.name) {
            let prefetch = if c.prefetch == 0 {
                "unlimited prefetch".to_owned()
            } else {
                format!("prefetch {}", c.prefetch)
            };
            settings.push(format!(
                "{} on {}: {prefetch}, {}",
                c.name,
                q.name,
                ack_words(c.ack)
            ));
        }
    }
    if !settings.is_empty() {
        notes.push(format!(
            "Consumers are client settings, not definitions (basic.qos prefetch_count, acks): \
             {}.",
            settings.join("; ")
        ));
    }
    let readers: Vec<&str> = consumers(s)
        .into_iter()
        .filter(|c| matches!(c.attach, Attach::Stream { .. }))
        .map(|c| c.name.as_str())
        .collect();
    if !readers.is_empty() {
        notes.push(format!(
            "Stream readers ({}) are clients: each names its start (x-stream-offset first or \
             next) and stores its offset on the stream by consumer name.",
            name_list(&readers)
        ));
    }
}
