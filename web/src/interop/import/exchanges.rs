//! Exchanges: `fanout`, `direct` and `topic` ones kept, super streams set aside for
//! [`streams`](super::streams), the rest skipped with why.

use brokerlab::sim::{ExchangeKindSpec, ExchangeSpec, Topology, bounds};
use serde_json::Value;

use super::bad_name;
use super::definitions::{Definitions, in_vhost};
use crate::interop::rabbitmq_args::{SUPER_STREAM, exchange_kind};

/// The exchanges read: `(name, kind, is a super stream)`.
pub(super) struct Exchanges {
    pub(super) kept: Vec<(String, ExchangeKindSpec)>,
    pub(super) super_streams: Vec<String>,
    /// Skipped exchanges by name, with why.
    pub(super) skipped: Vec<(String, String)>,
}

impl Exchanges {
    pub(super) fn kind(&self, name: &str) -> Option<ExchangeKindSpec> {
        self.kept.iter().find(|(n, _)| n == name).map(|(_, k)| *k)
    }
}

pub(super) fn read_exchanges(
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
        if x.arguments.get(SUPER_STREAM) == Some(&Value::Bool(true)) {
            out.super_streams.push(x.name.clone());
            continue;
        }
        let Some(kind) = exchange_kind(&x.kind) else {
            out.skipped
                .push((x.name.clone(), format!("type {} is not simulated", x.kind)));
            continue;
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
