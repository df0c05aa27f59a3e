//! A consumer group's settings in the Kafka script. Every member sets `group.protocol`.
//! A classic group's members also set the client assignor
//! (`partition.assignment.strategy`) and their timings (`session.timeout.ms`,
//! `heartbeat.interval.ms`, `max.poll.interval.ms`). A consumer-protocol group's members set
//! `group.remote.assignor` only: Kafka refuses the client assignor and the timings with
//! `group.protocol=consumer`, and takes the session timeout and heartbeat interval from the
//! group's configs on the broker (`kafka-configs.sh --entity-type groups`). The initial
//! rebalance delay is one broker setting for every classic group.

use brokerlab::GroupProtocol;
use brokerlab::sim::GroupSpec;

use super::super::{assignor_name, comment_line, name_list, shell_quote};
use super::{assignor_class, offset_reset};

/// The broker's default `group.consumer.min.session.timeout.ms`.
const CONSUMER_MIN_SESSION_TIMEOUT_MS: u64 = 45_000;

/// The broker's default `group.consumer.max.session.timeout.ms`.
const CONSUMER_MAX_SESSION_TIMEOUT_MS: u64 = 60_000;

/// The broker's default `group.consumer.min.heartbeat.interval.ms`.
const CONSUMER_MIN_HEARTBEAT_INTERVAL_MS: u64 = 5_000;

/// The broker's default `group.consumer.max.heartbeat.interval.ms`.
const CONSUMER_MAX_HEARTBEAT_INTERVAL_MS: u64 = 15_000;

/// The group's heading and the consumer settings every member sets.
pub(super) fn settings(g: &GroupSpec, topics: &[String], out: &mut String) {
    let how = match g.protocol {
        GroupProtocol::Consumer => {
            format!(
                "consumer protocol, {} server assignor",
                g.server_assignor.name()
            )
        }
        _ => format!("{} assignor", assignor_name(g.assignor)),
    };
    out.push_str(&format!(
        "\n# Consumer group {} on {} ({how}): set in every member's consumer config\n",
        comment_line(&g.name),
        comment_line(&topics.join(", ")),
    ));
    out.push_str(&format!("#   group.id={}\n", comment_line(&g.name)));
    out.push_str(&format!("#   group.protocol={}\n", g.protocol.name()));
    for setting in member_properties(g) {
        out.push_str(&format!("#   {setting}\n"));
    }
    out.push_str(&format!(
        "#   auto.offset.reset={}\n",
        offset_reset(g.auto_offset_reset)
    ));
}

/// The group's consumer settings besides `group.id`, `group.protocol` and
/// `auto.offset.reset`.
fn member_properties(g: &GroupSpec) -> Vec<String> {
    if g.protocol == GroupProtocol::Consumer {
        return vec![format!(
            "group.remote.assignor={}",
            g.server_assignor.name()
        )];
    }
    let mut settings = vec![
        format!(
            "partition.assignment.strategy={}",
            assignor_class(g.assignor)
        ),
        format!("session.timeout.ms={}", g.session_timeout_ms),
    ];
    if let Some(ms) = g.heartbeat_interval_ms {
        settings.push(format!("heartbeat.interval.ms={ms}"));
    }
    if let Some(ms) = g.rebalance_timeout_ms {
        settings.push(format!("max.poll.interval.ms={ms}"));
    }
    settings
}

/// The `--consumer-property` values of the group's console consumer line: its settings
/// besides `group.id` and `auto.offset.reset` (`group.protocol` only when it is not the
/// default).
pub(super) fn console_properties(g: &GroupSpec) -> Vec<String> {
    let mut properties = Vec::new();
    if g.protocol == GroupProtocol::Consumer {
        properties.push(format!("group.protocol={}", g.protocol.name()));
    }
    properties.extend(member_properties(g));
    properties
}

/// A consumer-protocol group's session timeout and heartbeat interval as group configs on
/// the broker, with notes where the broker's defaults refuse them and on the classic
/// settings that do not apply.
pub(super) fn consumer_group_configs(g: &GroupSpec, out: &mut String, notes: &mut Vec<String>) {
    let mut configs = vec![format!(
        "consumer.session.timeout.ms={}",
        g.session_timeout_ms
    )];
    if let Some(ms) = g.heartbeat_interval_ms {
        configs.push(format!("consumer.heartbeat.interval.ms={ms}"));
    }
    out.push_str(&format!(
        "# Group configs on the broker (the consumer protocol's session timeout{}):\n\
         kafka-configs.sh --bootstrap-server \"$BOOTSTRAP\" --alter --entity-type groups \
         --entity-name {} --add-config {}\n",
        if g.heartbeat_interval_ms.is_some() {
            " and heartbeat interval"
        } else {
            ""
        },
        shell_quote(&g.name),
        configs.join(",")
    ));
    let refused = |setting: &str, ms: u64, bound: &str, default: u64, below: bool| {
        format!(
            "Group {}: {setting}={ms} is {} the broker's default {bound} ({default}): {} that \
             broker setting first, or kafka-configs.sh refuses the group config and the script \
             stops there.",
            g.name,
            if below { "below" } else { "above" },
            if below { "lower" } else { "raise" },
        )
    };
    let session = g.session_timeout_ms;
    if session < CONSUMER_MIN_SESSION_TIMEOUT_MS {
        notes.push(refused(
            "consumer.session.timeout.ms",
            session,
            "group.consumer.min.session.timeout.ms",
            CONSUMER_MIN_SESSION_TIMEOUT_MS,
            true,
        ));
    } else if session > CONSUMER_MAX_SESSION_TIMEOUT_MS {
        notes.push(refused(
            "consumer.session.timeout.ms",
            session,
            "group.consumer.max.session.timeout.ms",
            CONSUMER_MAX_SESSION_TIMEOUT_MS,
            false,
        ));
    }
    if let Some(ms) = g.heartbeat_interval_ms {
        if ms < CONSUMER_MIN_HEARTBEAT_INTERVAL_MS {
            notes.push(refused(
                "consumer.heartbeat.interval.ms",
                ms,
                "group.consumer.min.heartbeat.interval.ms",
                CONSUMER_MIN_HEARTBEAT_INTERVAL_MS,
                true,
            ));
        } else if ms > CONSUMER_MAX_HEARTBEAT_INTERVAL_MS {
            notes.push(refused(
                "consumer.heartbeat.interval.ms",
                ms,
                "group.consumer.max.heartbeat.interval.ms",
                CONSUMER_MAX_HEARTBEAT_INTERVAL_MS,
                false,
            ));
        }
    }
    let mut classic_only = Vec::new();
    if g.rebalance_timeout_ms.is_some() {
        classic_only.push("rebalance_timeout_ms");
    }
    if g.initial_rebalance_delay_ms.is_some() {
        classic_only.push("initial_rebalance_delay_ms");
    }
    if !classic_only.is_empty() {
        notes.push(format!(
            "Group {} uses the consumer protocol: {} applies to classic groups only and is \
             left out.",
            g.name,
            name_list(&classic_only)
        ));
    }
}

/// The classic groups' initial rebalance delay, when one is set: a broker setting
/// (`group.initial.rebalance.delay.ms`) for every classic group, so a line for
/// `server.properties` when they agree and a note when they do not.
pub(super) fn initial_delay(groups: &[GroupSpec], out: &mut String, notes: &mut Vec<String>) {
    let classic: Vec<&GroupSpec> = groups
        .iter()
        .filter(|g| g.protocol == GroupProtocol::Classic)
        .collect();
    if classic
        .iter()
        .all(|g| g.initial_rebalance_delay_ms.is_none())
    {
        return;
    }
    let delay = |g: &GroupSpec| g.initial_rebalance_delay_ms.unwrap_or(0);
    let mut values: Vec<u64> = classic.iter().map(|g| delay(g)).collect();
    values.sort_unstable();
    values.dedup();
    if let [ms] = values.as_slice() {
        out.push_str(&format!(
            "\n# Broker setting, in every broker's server.properties (not per group): \
             group.initial.rebalance.delay.ms={ms}\n\
             # (an empty classic group waits this long for more members before its first \
             rebalance)\n"
        ));
    } else {
        let each: Vec<String> = classic
            .iter()
            .map(|g| format!("{} {} ms", g.name, delay(g)))
            .collect();
        notes.push(format!(
            "The initial rebalance delay does not map per group ({}): Kafka's \
             group.initial.rebalance.delay.ms is one broker setting in server.properties for \
             every classic group; pick one value for the broker.",
            name_list(&each)
        ));
    }
}
