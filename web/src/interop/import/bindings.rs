//! Bindings: exchange → queue bindings with their routing keys; exchange → exchange
//! bindings, bindings to stream queues and ones the scenario cannot hold skipped with a note.

use brokerlab::sim::{BindingSpec, Topology, bounds};

use super::definitions::{Definitions, in_vhost};
use super::exchanges::Exchanges;
use super::queues::StreamQueues;
use crate::interop::rabbitmq_args::DESTINATION_EXCHANGE;

pub(super) fn read_bindings(
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
        if b.destination_type == DESTINATION_EXCHANGE {
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
