//! Streams: super streams (a direct exchange marked `x-super-stream` bound to stream queues
//! by `x-stream-partition-order`) as one stream with a partition per stream queue, other
//! stream queues as one-partition streams; retention from `x-max-length-bytes` and
//! `x-max-age`.

use std::collections::BTreeSet;

use brokerlab::sim::{RetentionSpec, StreamSpec, Topology, bounds};
use serde_json::{Map, Value};

use super::definitions::{Definitions, in_vhost};
use super::exchanges::Exchanges;
use super::queues::StreamQueues;
use super::{bad_name, number};
use crate::interop::rabbitmq_args::{
    MAX_AGE, MAX_LENGTH_BYTES, STREAM_PARTITION_ORDER, parse_max_age,
};

pub(super) fn stream_retention(
    name: &str,
    args: &Map<String, Value>,
    notes: &mut Vec<String>,
) -> RetentionSpec {
    let mut retention = RetentionSpec::default();
    if let Some(v) = args.get(MAX_LENGTH_BYTES) {
        retention.max_bytes = number(
            v,
            &format!("Stream {name}'s {MAX_LENGTH_BYTES}"),
            1,
            bounds::MAX_BYTES,
            notes,
        );
    }
    if let Some(v) = args.get(MAX_AGE) {
        match v.as_str().and_then(parse_max_age) {
            Some(ms) => {
                retention.max_age_ms = Some(ms.clamp(1, bounds::MAX_TIME_MS));
                if ms > bounds::MAX_TIME_MS {
                    notes.push(format!(
                        "Stream {name}'s {MAX_AGE} {v} is longer than a simulation runs; \
                         {} ms is used.",
                        bounds::MAX_TIME_MS
                    ));
                }
            }
            None => notes.push(format!(
                "Stream {name}'s {MAX_AGE} {v} is not an age like 7D or 12h; it is ignored."
            )),
        }
    }
    retention
}

pub(super) fn read_streams(
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
                    .get(STREAM_PARTITION_ORDER)
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
            cleanup: brokerlab::sim::CleanupSpec::Delete,
            tombstone_retention_ms: None,
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
            cleanup: brokerlab::sim::CleanupSpec::Delete,
            tombstone_retention_ms: None,
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
