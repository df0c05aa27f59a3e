//! Export to real brokers: a scenario's topology as a RabbitMQ `definitions.json`
//! ([`rabbitmq`]), a Kafka `kafka-topics.sh` script ([`kafka`]) or AWS CLI commands for SNS
//! and SQS ([`aws`]), each with plain-words notes on what does not map; [`Format`] picks one.
//! This module also holds what the exporters share: the consumers the scenario runs, the
//! subscribers, scripted bindings, retention notes and shell quoting.
//!
//! Every exporter is deterministic: entities come out in the scenario's order, arguments
//! sorted by name, and shell text quotes every name.

pub mod aws;
pub mod kafka;
pub mod rabbitmq;

pub(crate) use super::name_list;

use brokerlab::sim::references::dependents_of;
use brokerlab::sim::{
    Action, ActionField, AssignorSpec, Attach, ConsumerSpec, EntityKind, Scenario, Site,
};

/// What an exporter produced: the text to save or paste, and what did not map, in words.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Export {
    /// The generated file (JSON or a shell script).
    pub text: String,
    /// One sentence per thing of the scenario that the target has no exact equivalent for.
    pub notes: Vec<String>,
}

/// The brokers a scenario exports to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// RabbitMQ `definitions.json` (`rabbitmqadmin import`, the management API).
    RabbitMq,
    /// A shell script of `kafka-topics.sh --create` commands, groups as comments.
    Kafka,
    /// A shell script of AWS CLI commands: SNS topics, SQS queues, subscriptions.
    Aws,
}

impl Format {
    /// Every format, in the order the panel shows them.
    pub const ALL: [Format; 3] = [Format::RabbitMq, Format::Kafka, Format::Aws];

    /// The button's label.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Format::RabbitMq => "RabbitMQ",
            Format::Kafka => "Kafka",
            Format::Aws => "AWS",
        }
    }

    /// A short id (`rabbitmq`, `kafka`, `aws`), used in element ids.
    #[must_use]
    pub fn id(self) -> &'static str {
        match self {
            Format::RabbitMq => "rabbitmq",
            Format::Kafka => "kafka",
            Format::Aws => "aws",
        }
    }

    /// The name a download gets.
    #[must_use]
    pub fn file_name(self) -> &'static str {
        match self {
            Format::RabbitMq => "definitions.json",
            Format::Kafka => "kafka-topics.sh",
            Format::Aws => "aws-sns-sqs.sh",
        }
    }

    /// The download's media type.
    #[must_use]
    pub fn media_type(self) -> &'static str {
        match self {
            Format::RabbitMq => "application/json",
            Format::Kafka | Format::Aws => "text/x-shellscript",
        }
    }

    /// Exports `scenario` in this format.
    #[must_use]
    pub fn export(self, scenario: &Scenario) -> Export {
        match self {
            Format::RabbitMq => rabbitmq::export(scenario),
            Format::Kafka => kafka::export(scenario),
            Format::Aws => aws::export(scenario),
        }
    }
}

/// Every consumer the scenario runs: its own, then those the script adds (first of a name
/// wins), in that order.
pub(crate) fn consumers(scenario: &Scenario) -> Vec<&ConsumerSpec> {
    let scripted = scenario
        .script
        .iter()
        .filter_map(|step| match &step.action {
            Action::AddConsumer(c) => Some(c),
            _ => None,
        });
    let mut all: Vec<&ConsumerSpec> = Vec::new();
    for c in scenario.consumers.iter().chain(scripted) {
        if !all.iter().any(|seen| seen.name == c.name) {
            all.push(c);
        }
    }
    all
}

/// The pub/sub subscribers: `(subscriber, exchange, binding key, inbox capacity)`.
pub(crate) fn subscribers(scenario: &Scenario) -> Vec<(&str, &str, &str, u32)> {
    consumers(scenario)
        .into_iter()
        .filter_map(|c| match &c.attach {
            Attach::Subscription {
                exchange,
                key,
                capacity,
            } => Some((c.name.as_str(), exchange.as_str(), key.as_str(), *capacity)),
            _ => None,
        })
        .collect()
}

/// The consumers attached to queue `queue` (its own, then those the script adds; first of a
/// name wins), found through the scenario's references to the queue.
pub(crate) fn queue_consumers<'a>(scenario: &'a Scenario, queue: &str) -> Vec<&'a ConsumerSpec> {
    let mut out: Vec<&ConsumerSpec> = Vec::new();
    for site in dependents_of(scenario, EntityKind::Queue, queue) {
        let consumer = match site {
            Site::ConsumerAttach(i) => scenario.consumers.get(i),
            Site::Script(i, ActionField::AddConsumerAttach) => match &scenario.script[i].action {
                Action::AddConsumer(c) => Some(c),
                _ => None,
            },
            _ => None,
        };
        if let Some(c) = consumer
            && !out.iter().any(|seen| seen.name == c.name)
        {
            out.push(c);
        }
    }
    out
}

/// Bindings the script adds or removes later: `(at_ms, "bind" | "unbind", exchange, queue)`.
pub(crate) fn scripted_bindings(scenario: &Scenario) -> Vec<(u64, &'static str, &str, &str)> {
    scenario
        .script
        .iter()
        .filter_map(|step| match &step.action {
            Action::Bind(b) => Some((step.at_ms, "bind", b.exchange.as_str(), b.queue.as_str())),
            Action::Unbind(b) => {
                Some((step.at_ms, "unbind", b.exchange.as_str(), b.queue.as_str()))
            }
            _ => None,
        })
        .collect()
}

/// A note on the script's bindings, which no definition file carries.
pub(crate) fn scripted_bindings_note(scenario: &Scenario, notes: &mut Vec<String>) {
    let steps = scripted_bindings(scenario);
    if steps.is_empty() {
        return;
    }
    let list: Vec<String> = steps
        .iter()
        .map(|(at, what, x, q)| format!("{what} {q} to {x} at {at} ms"))
        .collect();
    notes.push(format!(
        "The script changes bindings while the scenario runs ({}); only the bindings at the \
         start are exported.",
        list.join(", ")
    ));
}

/// The assignor's name as Kafka's `partition.assignment.strategy` documentation spells it.
#[must_use]
pub fn assignor_name(assignor: AssignorSpec) -> &'static str {
    match assignor {
        AssignorSpec::Range => "range",
        AssignorSpec::RoundRobin => "roundrobin",
        AssignorSpec::Sticky => "sticky",
        AssignorSpec::CooperativeSticky => "cooperative-sticky",
    }
}

/// Notes on stream retention a target has no exact counterpart for: a record count (the
/// target retains by `bounds` only) and whole-segment deletion (`segments` says how large).
pub(crate) fn retention_notes(
    streams: &[brokerlab::sim::StreamSpec],
    target: &str,
    bounds: &str,
    segments: &str,
    notes: &mut Vec<String>,
) {
    let by_count: Vec<String> = streams
        .iter()
        .filter_map(|st| Some(format!("{}: {}", st.name, st.retention.max_records?)))
        .collect();
    if !by_count.is_empty() {
        notes.push(format!(
            "Retention by record count does not map ({} per partition): {target} retain by \
             {bounds} only.",
            name_list(&by_count)
        ));
    }
    let limited: Vec<&str> = streams
        .iter()
        .filter(|st| st.retention.max_bytes.is_some() || st.retention.max_age_ms.is_some())
        .map(|st| st.name.as_str())
        .collect();
    if !limited.is_empty() {
        notes.push(format!(
            "{target} remove whole segments ({segments}), so the retention of {} keeps more \
             than asked until a segment is full.",
            name_list(&limited)
        ));
    }
}

/// `text` as one single-quoted shell word: `it's` becomes `'it'\''s'`.
#[must_use]
pub fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// `text` fit for one line of a shell comment: control characters become spaces.
#[must_use]
pub fn comment_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// `name` with every character outside `allowed` replaced by `with`, at most `max` bytes,
/// and not in `taken` (a `-2`, `-3`, … suffix when it is), then recorded in `taken`.
pub(crate) fn safe_name(
    name: &str,
    allowed: impl Fn(char) -> bool,
    with: char,
    max: usize,
    taken: &mut Vec<String>,
) -> String {
    let mut base: String = name
        .chars()
        .map(|c| if allowed(c) { c } else { with })
        .collect();
    while base.len() > max {
        base.pop();
    }
    let mut candidate = base.clone();
    let mut n = 2;
    while taken.contains(&candidate) {
        let suffix = format!("{with}{n}");
        let mut stem = base.clone();
        while stem.len() + suffix.len() > max {
            stem.pop();
        }
        candidate = format!("{stem}{suffix}");
        n += 1;
    }
    taken.push(candidate.clone());
    candidate
}
