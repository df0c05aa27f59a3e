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
//!   matching bindings all go to one queue). The exporter's translations are undone: `x-delivery-limit` counts returns, so
//!   `max_deliveries` is one more; a quorum queue refusing publishes keeps one message
//!   beyond its `x-max-length`, so `max_length` is one more;
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
//!
//! One file per stage, in the order [`import`] runs them: `definitions` (reading the JSON,
//! choosing the vhost), `exchanges`, `queues` (and their arguments), `streams`, `bindings`,
//! `dead_letters` (resolution, once bindings are known) and `producers`.

mod bindings;
mod dead_letters;
mod definitions;
mod exchanges;
mod producers;
mod queues;
mod streams;

use brokerlab::sim::scenario::SCENARIO_VERSION;
use brokerlab::sim::{Scenario, Topology, bounds};
use serde_json::Value;

pub use crate::interop::rabbitmq_args::parse_max_age;

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

/// Reads a `definitions.json` into a scenario (see the module docs for what maps).
///
/// # Errors
/// A file over [`MAX_JSON_BYTES`](brokerlab::sim::scenario::MAX_JSON_BYTES), text that is not JSON or not shaped like definitions (with
/// line and column), or definitions with no exchange, queue or stream to simulate.
pub fn import(json: &str) -> Result<Imported, ImportError> {
    let defs = definitions::read(json)?;
    let mut notes = Vec::new();
    let vhost = definitions::choose_vhost(&defs, &mut notes);
    let mut topology = Topology::default();
    let exchanges = exchanges::read_exchanges(&defs, &vhost, &mut topology, &mut notes);
    let (stream_queues, dead_letters) =
        queues::read_queues(&defs, &vhost, &mut topology, &mut notes);
    streams::read_streams(
        &defs,
        &vhost,
        &exchanges,
        &stream_queues,
        &mut topology,
        &mut notes,
    );
    bindings::read_bindings(
        &defs,
        &vhost,
        &exchanges,
        &stream_queues,
        &mut topology,
        &mut notes,
    );
    dead_letters::resolve_dead_letters(&dead_letters, &exchanges, &mut topology, &mut notes);
    definitions::skipped_sections(&defs, &mut notes);
    if topology.exchanges.is_empty() && topology.queues.is_empty() && topology.streams.is_empty() {
        return Err(ImportError(format!(
            "the file defines no exchange, queue or stream for vhost {vhost}"
        )));
    }
    let producers = producers::producers(&topology);
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
