//! A RabbitMQ `definitions.json` (from `rabbitmqctl export_definitions`, `rabbitmqadmin
//! export` or the management UI) read into a scenario that simulates its routing.
//!
//! What is read, for vhost `/` (or, when no entity names `/`, the first vhost named; entities
//! that name no vhost, as in a single-vhost export, always count):
//! - `fanout`, `direct` and `topic` exchanges;
//! - queues with `x-max-length`, `x-overflow`, `x-message-ttl`, `x-delivery-limit`,
//!   `x-consumer-timeout` (the ack timeout) and a dead-letter queue, resolved from
//!   `x-dead-letter-exchange` and `x-dead-letter-routing-key` when they lead to exactly one
//!   queue (the default exchange with the queue's name as routing key, or an exchange whose
//!   matching bindings all go to one queue);
//! - exchange → queue bindings with their routing keys;
//! - stream queues (`x-queue-type: stream`, with `x-max-length-bytes` and `x-max-age`) as
//!   one-partition streams, and super streams (a direct exchange with `x-super-stream: true`
//!   bound to stream queues by `x-stream-partition-order`) as one stream with a partition
//!   per stream queue.
//!
//! Everything else is skipped with a note: headers and plugin exchanges and their bindings,
//! exchange → exchange bindings, other vhosts, policies, users, permissions, parameters,
//! arguments the simulation has no counterpart for, and values outside the scenario bounds
//! (clamped).
//!
//! Definitions describe the broker, not its clients, so the scenario adds the clients:
//! **one producer per exchange that has bindings** (two messages a second, with a routing
//! key for every binding key in turn, wildcards filled in) **and one per stream**, so that
//! messages flow and the routing shows; and **no consumers**, so queues fill up and their
//! limits, TTLs and dead-lettering show too. The run lasts 30 seconds.

use std::collections::BTreeSet;

use brokerlab::sim::scenario::{MAX_JSON_BYTES, SCENARIO_VERSION};
use brokerlab::sim::{
    BindingSpec, ExchangeKindSpec, ExchangeSpec, KeySpec, OverflowSpec, ProducerSpec, QueueSpec,
    RetentionSpec, Scenario, StreamSpec, TargetSpec, Topology, bounds,
};
use brokerlab::topic_matches;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::name_list;

/// How long an imported scenario runs.
pub const DURATION_MS: u64 = 30_000;
/// Messages a second from each added producer.
pub const RATE_PER_SEC: u32 = 2;

/// A definitions file read into a scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    /// The scenario (valid: [`Scenario::validate`] accepts it).
    pub scenario: Scenario,
    /// What was skipped or changed, one sentence each.
    pub notes: Vec<String>,
}

/// Why a file could not be imported, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError(String);

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ImportError {}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Definitions {
    queues: Vec<QueueDef>,
    exchanges: Vec<ExchangeDef>,
    bindings: Vec<BindingDef>,
    policies: Vec<Value>,
    operator_policies: Vec<Value>,
    users: Vec<Value>,
    permissions: Vec<Value>,
    topic_permissions: Vec<Value>,
    parameters: Vec<Value>,
    global_parameters: Vec<Value>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct QueueDef {
    name: String,
    vhost: Option<String>,
    arguments: Map<String, Value>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ExchangeDef {
    name: String,
    vhost: Option<String>,
    #[serde(rename = "type")]
    kind: String,
    arguments: Map<String, Value>,
}

#[derive(Deserialize)]
#[serde(default)]
struct BindingDef {
    source: String,
    vhost: Option<String>,
    destination: String,
    destination_type: String,
    routing_key: String,
    arguments: Map<String, Value>,
}

impl Default for BindingDef {
    fn default() -> Self {
        BindingDef {
            source: String::new(),
            vhost: None,
            destination: String::new(),
            destination_type: "queue".to_owned(),
            routing_key: String::new(),
            arguments: Map::new(),
        }
    }
}

/// Queue arguments that are read (the rest are listed in a note).
const READ_QUEUE_ARGUMENTS: [&str; 9] = [
    "x-max-length",
    "x-overflow",
    "x-message-ttl",
    "x-delivery-limit",
    "x-consumer-timeout",
    "x-dead-letter-exchange",
    "x-dead-letter-routing-key",
    "x-queue-type",
    "x-max-length-bytes",
];

/// Why a name cannot be a scenario name, if it cannot.
fn bad_name(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        Some("an empty name")
    } else if name.len() > bounds::MAX_NAME_BYTES {
        Some("a name over 128 bytes")
    } else if name.chars().any(char::is_control) {
        Some("control characters in its name")
    } else {
        None
    }
}

/// A non-negative integer argument, clamped to `min..=max`, with a note when it is not one or
/// was clamped.
fn number(value: &Value, what: &str, min: u64, max: u64, notes: &mut Vec<String>) -> Option<u64> {
    let n = value
        .as_u64()
        .or_else(|| value.as_str().and_then(|s| s.trim().parse().ok()));
    match n {
        Some(n) if (min..=max).contains(&n) => Some(n),
        Some(n) => {
            let clamped = n.clamp(min, max);
            notes.push(format!(
                "{what} {n} is outside what the simulation allows; {clamped} is used."
            ));
            Some(clamped)
        }
        None => {
            notes.push(format!(
                "{what} {value} is not a whole number; it is ignored."
            ));
            None
        }
    }
}

/// RabbitMQ's `x-max-age` (`7D`, `12h`, `30m`, `45s`, also `Y` and `M`) in milliseconds.
#[must_use]
pub fn parse_max_age(text: &str) -> Option<u64> {
    let text = text.trim();
    let unit = text.chars().last()?;
    let n: u64 = text[..text.len() - unit.len_utf8()].parse().ok()?;
    let seconds = match unit {
        'Y' => 365 * 86_400,
        'M' => 30 * 86_400,
        'D' => 86_400,
        'h' => 3_600,
        'm' => 60,
        's' => 1,
        _ => return None,
    };
    n.checked_mul(seconds)?.checked_mul(1000)
}

/// Reads a `definitions.json` into a scenario (see the module docs for what maps).
///
/// # Errors
/// A file over [`MAX_JSON_BYTES`], text that is not JSON or not shaped like definitions (with
/// line and column), or definitions with no exchange, queue or stream to simulate.
pub fn import(json: &str) -> Result<Imported, ImportError> {
    if json.len() > MAX_JSON_BYTES {
        return Err(ImportError(format!(
            "the file is {} bytes; at most {MAX_JSON_BYTES} are read",
            json.len()
        )));
    }
    let defs: Definitions = serde_json::from_str(json).map_err(|e| {
        let what = if e.is_data() {
            "not a definitions file"
        } else {
            "not valid JSON"
        };
        ImportError(format!(
            "{what}: line {}, column {}: {}",
            e.line(),
            e.column(),
            plain_message(&e)
        ))
    })?;
    let mut notes = Vec::new();
    let vhost = choose_vhost(&defs, &mut notes);
    let mut topology = Topology::default();
    let exchanges = read_exchanges(&defs, &vhost, &mut topology, &mut notes);
    let (stream_queues, dead_letters) = read_queues(&defs, &vhost, &mut topology, &mut notes);
    read_streams(
        &defs,
        &vhost,
        &exchanges,
        &stream_queues,
        &mut topology,
        &mut notes,
    );
    read_bindings(
        &defs,
        &vhost,
        &exchanges,
        &stream_queues,
        &mut topology,
        &mut notes,
    );
    resolve_dead_letters(&dead_letters, &exchanges, &mut topology, &mut notes);
    skipped_sections(&defs, &mut notes);
    if topology.exchanges.is_empty() && topology.queues.is_empty() && topology.streams.is_empty() {
        return Err(ImportError(format!(
            "the file defines no exchange, queue or stream for vhost {vhost}"
        )));
    }
    let producers = producers(&topology);
    let scenario = Scenario {
        version: SCENARIO_VERSION,
        title: format!("Imported RabbitMQ definitions (vhost {vhost})"),
        description: format!(
            "{} exchanges, {} queues, {} bindings and {} streams from a RabbitMQ definitions \
             file. A producer per exchange and per stream publishes {RATE_PER_SEC} messages a second with \
             each binding key in turn; there are no consumers, so queues fill up and show \
             their limits, TTLs and dead-letter queues.",
            topology.exchanges.len(),
            topology.queues.len(),
            topology.bindings.len(),
            topology.streams.len()
        ),
        seed: 1,
        duration_ms: DURATION_MS,
        sample_interval_ms: 100,
        topology,
        producers,
        consumers: Vec::new(),
        script: Vec::new(),
    };
    scenario
        .validate()
        .map_err(|e| ImportError(format!("the imported topology is not valid: {e}")))?;
    Ok(Imported { scenario, notes })
}

/// serde_json's message without its trailing ` at line L column C`.
fn plain_message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}

/// `/` when anything names it, else the first vhost named, else `/`.
fn choose_vhost(defs: &Definitions, notes: &mut Vec<String>) -> String {
    let named: Vec<&str> = defs
        .queues
        .iter()
        .map(|q| &q.vhost)
        .chain(defs.exchanges.iter().map(|x| &x.vhost))
        .chain(defs.bindings.iter().map(|b| &b.vhost))
        .filter_map(|v| v.as_deref())
        .collect();
    let vhost = if named.is_empty() || named.contains(&"/") {
        "/"
    } else {
        named[0]
    };
    let others: BTreeSet<&str> = named.iter().copied().filter(|v| *v != vhost).collect();
    if !others.is_empty() {
        let others: Vec<&str> = others.into_iter().collect();
        notes.push(format!(
            "Only vhost {vhost} is imported; vhost {} {} skipped.",
            name_list(&others),
            if others.len() == 1 { "is" } else { "are" }
        ));
    }
    vhost.to_owned()
}

fn in_vhost(item: &Option<String>, vhost: &str) -> bool {
    item.as_deref().is_none_or(|v| v == vhost)
}

/// The exchanges read: `(name, kind, is a super stream)`.
struct Exchanges {
    kept: Vec<(String, ExchangeKindSpec)>,
    super_streams: Vec<String>,
    /// Skipped exchanges by name, with why.
    skipped: Vec<(String, String)>,
}

impl Exchanges {
    fn kind(&self, name: &str) -> Option<ExchangeKindSpec> {
        self.kept.iter().find(|(n, _)| n == name).map(|(_, k)| *k)
    }
}

fn read_exchanges(
    defs: &Definitions,
    vhost: &str,
    topology: &mut Topology,
    notes: &mut Vec<String>,
) -> Exchanges {
    let mut out = Exchanges {
        kept: Vec::new(),
        super_streams: Vec::new(),
        skipped: Vec::new(),
    };
    let mut unread = Vec::new();
    for x in defs.exchanges.iter().filter(|x| in_vhost(&x.vhost, vhost)) {
        if x.name.is_empty() {
            continue; // The default exchange exists anyway.
        }
        if x.arguments.get("x-super-stream") == Some(&Value::Bool(true)) {
            out.super_streams.push(x.name.clone());
            continue;
        }
        let kind = match x.kind.as_str() {
            "fanout" => ExchangeKindSpec::Fanout,
            "direct" => ExchangeKindSpec::Direct,
            "topic" => ExchangeKindSpec::Topic,
            other => {
                out.skipped
                    .push((x.name.clone(), format!("type {other} is not simulated")));
                continue;
            }
        };
        if let Some(why) = bad_name(&x.name) {
            out.skipped.push((x.name.clone(), format!("it has {why}")));
            continue;
        }
        if out.kind(&x.name).is_some() {
            out.skipped
                .push((x.name.clone(), "it is defined twice".to_owned()));
            continue;
        }
        if out.kept.len() == bounds::MAX_ENTITIES {
            out.skipped.push((
                x.name.clone(),
                format!(
                    "a scenario holds {} exchanges at most",
                    bounds::MAX_ENTITIES
                ),
            ));
            continue;
        }
        for arg in x.arguments.keys() {
            unread.push(format!("{arg} on {}", x.name));
        }
        out.kept.push((x.name.clone(), kind));
        topology.exchanges.push(ExchangeSpec {
            name: x.name.clone(),
            kind,
        });
    }
    if !out.skipped.is_empty() {
        let list: Vec<String> = out
            .skipped
            .iter()
            .map(|(name, why)| format!("{name} ({why})"))
            .collect();
        notes.push(format!(
            "Exchanges skipped, with their bindings: {}.",
            list.join(", ")
        ));
    }
    if !unread.is_empty() {
        notes.push(format!(
            "Exchange arguments not simulated: {}.",
            unread.join(", ")
        ));
    }
    out
}

/// A queue's dead-letter target, to resolve once bindings are read.
struct DeadLetter {
    queue: String,
    exchange: String,
    routing_key: Option<String>,
}

/// Stream queues read: `(name, retention)`.
type StreamQueues = Vec<(String, RetentionSpec)>;

fn read_queues(
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
        let queue_type = args.get("x-queue-type").and_then(Value::as_str);
        if queue_type == Some("stream") {
            if streams.iter().any(|(n, _)| *n == q.name) {
                skipped.push(format!("{} (defined twice)", q.name));
                continue;
            }
            streams.push((q.name.clone(), stream_retention(&q.name, args, notes)));
            for arg in args.keys() {
                if !matches!(
                    arg.as_str(),
                    "x-queue-type" | "x-max-length-bytes" | "x-max-age"
                ) {
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
        if let Some(v) = args.get("x-max-length") {
            spec.max_length = number(v, &what("x-max-length"), 0, bounds::MAX_RECORDS, notes);
        }
        match args.get("x-overflow").and_then(Value::as_str) {
            Some("reject-publish") => spec.overflow = OverflowSpec::RejectPublish,
            Some("reject-publish-dlx") => {
                spec.overflow = OverflowSpec::RejectPublish;
                reject_dlx.push(q.name.clone());
            }
            Some("drop-head") | None => {}
            Some(other) => unread.push(format!("x-overflow {other} on {}", q.name)),
        }
        if let Some(v) = args.get("x-message-ttl") {
            spec.message_ttl_ms = number(v, &what("x-message-ttl"), 0, bounds::MAX_TIME_MS, notes);
        }
        if let Some(v) = args.get("x-delivery-limit") {
            spec.max_deliveries = number(
                v,
                &what("x-delivery-limit"),
                1,
                bounds::MAX_DELIVERIES.into(),
                notes,
            )
            .and_then(|n| u32::try_from(n).ok());
        }
        if let Some(v) = args.get("x-consumer-timeout") {
            spec.visibility_timeout_ms = number(
                v,
                &what("x-consumer-timeout"),
                1,
                bounds::MAX_TIME_MS,
                notes,
            );
        }
        if let Some(exchange) = args.get("x-dead-letter-exchange").and_then(Value::as_str) {
            dead_letters.push(DeadLetter {
                queue: q.name.clone(),
                exchange: exchange.to_owned(),
                routing_key: args
                    .get("x-dead-letter-routing-key")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            });
        }
        if let Some(other) = queue_type.filter(|t| !matches!(*t, "classic" | "quorum")) {
            unread.push(format!("x-queue-type {other} on {}", q.name));
        }
        if args.contains_key("x-max-length-bytes") {
            unread.push(format!("x-max-length-bytes on {}", q.name));
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
            "x-overflow reject-publish-dlx on {} is simulated as reject-publish: the refused \
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

fn stream_retention(
    name: &str,
    args: &Map<String, Value>,
    notes: &mut Vec<String>,
) -> RetentionSpec {
    let mut retention = RetentionSpec::default();
    if let Some(v) = args.get("x-max-length-bytes") {
        retention.max_bytes = number(
            v,
            &format!("Stream {name}'s x-max-length-bytes"),
            1,
            bounds::MAX_BYTES,
            notes,
        );
    }
    if let Some(v) = args.get("x-max-age") {
        match v.as_str().and_then(parse_max_age) {
            Some(ms) => {
                retention.max_age_ms = Some(ms.clamp(1, bounds::MAX_TIME_MS));
                if ms > bounds::MAX_TIME_MS {
                    notes.push(format!(
                        "Stream {name}'s x-max-age {v} is longer than a simulation runs; \
                         {} ms is used.",
                        bounds::MAX_TIME_MS
                    ));
                }
            }
            None => notes.push(format!(
                "Stream {name}'s x-max-age {v} is not an age like 7D or 12h; it is ignored."
            )),
        }
    }
    retention
}

fn read_streams(
    defs: &Definitions,
    vhost: &str,
    exchanges: &Exchanges,
    stream_queues: &StreamQueues,
    topology: &mut Topology,
    notes: &mut Vec<String>,
) {
    let mut in_super = BTreeSet::new();
    for name in &exchanges.super_streams {
        let mut parts: Vec<(u64, &str)> = defs
            .bindings
            .iter()
            .filter(|b| in_vhost(&b.vhost, vhost) && b.source == *name)
            .filter(|b| stream_queues.iter().any(|(q, _)| *q == b.destination))
            .enumerate()
            .map(|(i, b)| {
                let order = b
                    .arguments
                    .get("x-stream-partition-order")
                    .and_then(|v| v.as_u64().or_else(|| v.as_str()?.parse().ok()))
                    .unwrap_or(i as u64);
                (order, b.destination.as_str())
            })
            .collect();
        parts.sort();
        parts.dedup_by(|a, b| a.1 == b.1);
        let Some((_, first)) = parts.first() else {
            notes.push(format!(
                "Super stream {name} is skipped: no stream queue is bound to it."
            ));
            continue;
        };
        if bad_name(name).is_some() || parts.len() > bounds::MAX_PARTITIONS as usize {
            notes.push(format!(
                "Super stream {name} is skipped: its name or its {} partitions are beyond the \
                 scenario bounds.",
                parts.len()
            ));
            continue;
        }
        let retention = stream_queues
            .iter()
            .find(|(q, _)| q == first)
            .map(|(_, r)| *r)
            .unwrap_or_default();
        for (_, part) in &parts {
            in_super.insert((*part).to_owned());
        }
        topology.streams.push(StreamSpec {
            name: name.clone(),
            partitions: u32::try_from(parts.len()).unwrap_or(1),
            retention,
            keyless: brokerlab::sim::KeylessSpec::RoundRobin,
        });
        notes.push(format!(
            "Super stream {name} is a stream of {} partitions ({}), with the retention of \
             {first}; the simulation picks partitions with Kafka's murmur2, not murmur3.",
            parts.len(),
            parts.iter().map(|(_, p)| *p).collect::<Vec<_>>().join(", ")
        ));
    }
    for (name, retention) in stream_queues {
        if in_super.contains(name) {
            continue;
        }
        if topology.streams.iter().any(|st| st.name == *name) {
            notes.push(format!(
                "Stream queue {name} is skipped: a super stream has its name."
            ));
            continue;
        }
        topology.streams.push(StreamSpec {
            name: name.clone(),
            partitions: 1,
            retention: *retention,
            keyless: brokerlab::sim::KeylessSpec::RoundRobin,
        });
    }
    if topology.streams.len() > bounds::MAX_ENTITIES {
        topology.streams.truncate(bounds::MAX_ENTITIES);
        notes.push(format!(
            "Only the first {} streams are imported.",
            bounds::MAX_ENTITIES
        ));
    }
}

fn read_bindings(
    defs: &Definitions,
    vhost: &str,
    exchanges: &Exchanges,
    stream_queues: &StreamQueues,
    topology: &mut Topology,
    notes: &mut Vec<String>,
) {
    let mut e2e = Vec::new();
    let mut to_streams = Vec::new();
    let mut other = Vec::new();
    for b in defs.bindings.iter().filter(|b| in_vhost(&b.vhost, vhost)) {
        if b.source.is_empty() || exchanges.super_streams.contains(&b.source) {
            continue; // The default exchange's bindings are implicit; super streams are read.
        }
        let label = format!("{} → {}", b.source, b.destination);
        if b.destination_type == "exchange" {
            e2e.push(label);
            continue;
        }
        if exchanges.skipped.iter().any(|(n, _)| *n == b.source) {
            continue; // Counted in the skipped exchange's note.
        }
        if stream_queues.iter().any(|(q, _)| *q == b.destination) {
            to_streams.push(label);
            continue;
        }
        let known_queue = topology.queues.iter().any(|q| q.name == b.destination);
        if exchanges.kind(&b.source).is_none() || !known_queue {
            other.push(format!("{label} (unknown exchange or queue)"));
            continue;
        }
        if b.routing_key.len() > bounds::MAX_NAME_BYTES {
            other.push(format!("{label} (routing key over 128 bytes)"));
            continue;
        }
        let spec = BindingSpec {
            exchange: b.source.clone(),
            queue: b.destination.clone(),
            key: b.routing_key.clone(),
        };
        if topology.bindings.contains(&spec) {
            continue; // Binding twice is binding once.
        }
        if topology.bindings.len() == bounds::MAX_ENTITIES {
            other.push(format!(
                "{label} (a scenario holds {} bindings at most)",
                bounds::MAX_ENTITIES
            ));
            continue;
        }
        topology.bindings.push(spec);
    }
    if !e2e.is_empty() {
        notes.push(format!(
            "Exchange-to-exchange bindings are skipped (the simulation binds queues only): {}.",
            e2e.join(", ")
        ));
    }
    if !to_streams.is_empty() {
        notes.push(format!(
            "Bindings to stream queues are skipped (scenario streams are written directly): {}.",
            to_streams.join(", ")
        ));
    }
    if !other.is_empty() {
        notes.push(format!("Bindings skipped: {}.", other.join(", ")));
    }
}

fn resolve_dead_letters(
    dead_letters: &[DeadLetter],
    exchanges: &Exchanges,
    topology: &mut Topology,
    notes: &mut Vec<String>,
) {
    for dl in dead_letters {
        let targets: Vec<&str> = if dl.exchange.is_empty() {
            match &dl.routing_key {
                Some(key) => topology
                    .queues
                    .iter()
                    .filter(|q| q.name == *key)
                    .map(|q| q.name.as_str())
                    .collect(),
                None => {
                    notes.push(format!(
                        "Queue {}'s dead letters go through the default exchange with their \
                         own routing keys, which cannot be followed: no dead-letter queue.",
                        dl.queue
                    ));
                    continue;
                }
            }
        } else {
            let Some(kind) = exchanges.kind(&dl.exchange) else {
                notes.push(format!(
                    "Queue {}'s dead-letter exchange {} is not imported: no dead-letter queue.",
                    dl.queue, dl.exchange
                ));
                continue;
            };
            let mut targets: Vec<&str> = Vec::new();
            for b in topology
                .bindings
                .iter()
                .filter(|b| b.exchange == dl.exchange)
            {
                let routes = match (kind, &dl.routing_key) {
                    (ExchangeKindSpec::Fanout, _) | (_, None) => true,
                    (ExchangeKindSpec::Direct, Some(key)) => b.key == *key,
                    (ExchangeKindSpec::Topic, Some(key)) => topic_matches(&b.key, key),
                };
                if routes && !targets.contains(&b.queue.as_str()) {
                    targets.push(&b.queue);
                }
            }
            targets
        };
        match targets.as_slice() {
            [one] if *one != dl.queue => {
                let target = (*one).to_owned();
                if let Some(q) = topology.queues.iter_mut().find(|q| q.name == dl.queue) {
                    q.dead_letter_queue = Some(target);
                }
            }
            [] => notes.push(format!(
                "Queue {}'s dead letters reach no queue: no dead-letter queue.",
                dl.queue
            )),
            [_] => notes.push(format!(
                "Queue {} dead-letters into itself, which the simulation does not do: no \
                 dead-letter queue.",
                dl.queue
            )),
            many => notes.push(format!(
                "Queue {}'s dead letters reach {} queues ({}); the simulation dead-letters \
                 into one: no dead-letter queue.",
                dl.queue,
                many.len(),
                name_list(many)
            )),
        }
    }
}

fn skipped_sections(defs: &Definitions, notes: &mut Vec<String>) {
    let sections = [
        ("policies", defs.policies.len()),
        ("operator policies", defs.operator_policies.len()),
        ("users", defs.users.len()),
        ("permissions", defs.permissions.len()),
        ("topic permissions", defs.topic_permissions.len()),
        ("parameters", defs.parameters.len()),
        ("global parameters", defs.global_parameters.len()),
    ];
    let present: Vec<String> = sections
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(what, n)| format!("{what} ({n})"))
        .collect();
    if !present.is_empty() {
        notes.push(format!(
            "Not imported: {}. Policies in particular are not applied, so limits they set on \
             queues are missing.",
            name_list(&present)
        ));
    }
}

/// A routing key that `pattern` matches: wildcard words become `any`.
fn sample_key(pattern: &str) -> String {
    pattern
        .split('.')
        .map(|w| if w == "*" || w == "#" { "any" } else { w })
        .collect::<Vec<_>>()
        .join(".")
}

/// One producer per exchange with bindings and one per stream.
fn producers(t: &Topology) -> Vec<ProducerSpec> {
    let mut out: Vec<ProducerSpec> = Vec::new();
    let name_for = |base: &str, out: &Vec<ProducerSpec>| {
        let mut name = format!("{base}-publisher");
        if name.len() > bounds::MAX_NAME_BYTES {
            name = format!("publisher-{}", out.len() + 1);
        }
        while out.iter().any(|p| p.name == name) {
            name.push('+');
        }
        name
    };
    for x in &t.exchanges {
        let mut keys: Vec<String> = Vec::new();
        for b in t.bindings.iter().filter(|b| b.exchange == x.name) {
            let key = match x.kind {
                ExchangeKindSpec::Fanout => String::new(),
                ExchangeKindSpec::Direct => b.key.clone(),
                ExchangeKindSpec::Topic => sample_key(&b.key),
            };
            if key.len() <= bounds::MAX_NAME_BYTES && !keys.contains(&key) {
                keys.push(key);
            }
        }
        if keys.is_empty() || out.len() == bounds::MAX_ENTITIES {
            continue;
        }
        let (routing_key, keys) = if x.kind == ExchangeKindSpec::Fanout {
            (String::new(), KeySpec::None)
        } else {
            ("{key}".to_owned(), KeySpec::RoundRobin(keys))
        };
        let name = name_for(&x.name, &out);
        out.push(ProducerSpec {
            name,
            target: TargetSpec::Exchange {
                exchange: x.name.clone(),
                routing_key,
            },
            rate_per_sec: RATE_PER_SEC,
            arrival: brokerlab::sim::ArrivalSpec::Regular,
            start_ms: 0,
            stop_ms: None,
            times_ms: Vec::new(),
            bursts: Vec::new(),
            keys,
            payload: "{producer} {n} {key}".to_owned(),
        });
    }
    for st in &t.streams {
        if out.len() == bounds::MAX_ENTITIES {
            break;
        }
        let name = name_for(&st.name, &out);
        out.push(ProducerSpec {
            name,
            target: TargetSpec::Stream(st.name.clone()),
            rate_per_sec: RATE_PER_SEC,
            arrival: brokerlab::sim::ArrivalSpec::Regular,
            start_ms: 0,
            stop_ms: None,
            times_ms: Vec::new(),
            bursts: Vec::new(),
            keys: KeySpec::Uniform {
                count: 8,
                prefix: "key-".to_owned(),
            },
            payload: "{producer} {n} {key}".to_owned(),
        });
    }
    out
}
