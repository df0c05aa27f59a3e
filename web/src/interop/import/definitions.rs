//! Reading the file: its JSON into [`Definitions`] (every section optional, unknown fields
//! ignored), the vhost to import, and a note on the sections that are not imported.

use std::collections::BTreeSet;

use brokerlab::sim::scenario::MAX_JSON_BYTES;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::ImportError;
use crate::interop::name_list;
use crate::interop::rabbitmq_args::{DEFAULT_VHOST, DESTINATION_QUEUE};

/// The sections of a definitions file that are read, or counted for the note on what is
/// not imported.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct Definitions {
    pub(super) queues: Vec<QueueDef>,
    pub(super) exchanges: Vec<ExchangeDef>,
    pub(super) bindings: Vec<BindingDef>,
    pub(super) policies: Vec<Value>,
    pub(super) operator_policies: Vec<Value>,
    pub(super) users: Vec<Value>,
    pub(super) permissions: Vec<Value>,
    pub(super) topic_permissions: Vec<Value>,
    pub(super) parameters: Vec<Value>,
    pub(super) global_parameters: Vec<Value>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct QueueDef {
    pub(super) name: String,
    pub(super) vhost: Option<String>,
    pub(super) arguments: Map<String, Value>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ExchangeDef {
    pub(super) name: String,
    pub(super) vhost: Option<String>,
    #[serde(rename = "type")]
    pub(super) kind: String,
    pub(super) arguments: Map<String, Value>,
}

#[derive(Deserialize)]
#[serde(default)]
pub(super) struct BindingDef {
    pub(super) source: String,
    pub(super) vhost: Option<String>,
    pub(super) destination: String,
    pub(super) destination_type: String,
    pub(super) routing_key: String,
    pub(super) arguments: Map<String, Value>,
}

impl Default for BindingDef {
    fn default() -> Self {
        BindingDef {
            source: String::new(),
            vhost: None,
            destination: String::new(),
            destination_type: DESTINATION_QUEUE.to_owned(),
            routing_key: String::new(),
            arguments: Map::new(),
        }
    }
}

/// The definitions in `json`.
///
/// # Errors
/// A file over [`MAX_JSON_BYTES`], or text that is not JSON or not shaped like definitions
/// (with line and column).
pub(super) fn read(json: &str) -> Result<Definitions, ImportError> {
    if json.len() > MAX_JSON_BYTES {
        return Err(ImportError(format!(
            "the file is {} bytes; at most {MAX_JSON_BYTES} are read",
            json.len()
        )));
    }
    serde_json::from_str(json).map_err(|e| {
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
    })
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
pub(super) fn choose_vhost(defs: &Definitions, notes: &mut Vec<String>) -> String {
    let named: Vec<&str> = defs
        .queues
        .iter()
        .map(|q| &q.vhost)
        .chain(defs.exchanges.iter().map(|x| &x.vhost))
        .chain(defs.bindings.iter().map(|b| &b.vhost))
        .filter_map(|v| v.as_deref())
        .collect();
    let vhost = if named.is_empty() || named.contains(&DEFAULT_VHOST) {
        DEFAULT_VHOST
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

pub(super) fn in_vhost(item: &Option<String>, vhost: &str) -> bool {
    item.as_deref().is_none_or(|v| v == vhost)
}

pub(super) fn skipped_sections(defs: &Definitions, notes: &mut Vec<String>) {
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
