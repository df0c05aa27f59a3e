//! A scenario's streams as a Kafka shell script: one `kafka-topics.sh --create` per stream
//! with its partitions, retention (`retention.ms`, `retention.bytes`) and compaction
//! (`cleanup.policy`, `delete.retention.ms`), and comments with
//! each consumer group's consumer settings (`group.id`, `group.protocol`, the classic
//! protocol's `partition.assignment.strategy`, `session.timeout.ms`, `heartbeat.interval.ms`
//! and `max.poll.interval.ms` or the consumer protocol's `group.remote.assignor`,
//! `auto.offset.reset`, commits, a static member's `group.instance.id`) and each standalone
//! reader's. A consumer-protocol group's session timeout and heartbeat interval are group
//! configs on the broker: one `kafka-configs.sh --alter --entity-type groups` each. The
//! classic groups' initial rebalance delay is a broker setting (`server.properties`).
//! Each share group gets its group configs, its broker settings as comments and its
//! members' share-consumer settings (see `share_groups`).
//!
//! Queues, exchanges and pub/sub subscriptions have no Kafka equivalent: the notes say so.

mod groups;
mod share_groups;

use brokerlab::GroupProtocol;
use brokerlab::sim::{
    AckSpec, AssignorSpec, Attach, ConsumerSpec, KeySpec, OffsetResetSpec, Scenario, StreamSpec,
    TargetSpec,
};

use super::{
    Export, comment_line, consumers, name_list, retention_notes, safe_name, shell_quote,
    subscribers,
};

/// The longest topic name Kafka accepts.
const MAX_TOPIC_BYTES: usize = 249;

/// The broker's default `group.min.session.timeout.ms`.
const MIN_SESSION_TIMEOUT_MS: u64 = 6_000;

/// The broker's default `group.max.session.timeout.ms`.
const MAX_SESSION_TIMEOUT_MS: u64 = 1_800_000;

/// The Java class of an assignor, for `partition.assignment.strategy`.
#[must_use]
pub fn assignor_class(assignor: AssignorSpec) -> &'static str {
    match assignor {
        AssignorSpec::Range => "org.apache.kafka.clients.consumer.RangeAssignor",
        AssignorSpec::RoundRobin => "org.apache.kafka.clients.consumer.RoundRobinAssignor",
        AssignorSpec::Sticky => "org.apache.kafka.clients.consumer.StickyAssignor",
        AssignorSpec::CooperativeSticky => {
            "org.apache.kafka.clients.consumer.CooperativeStickyAssignor"
        }
    }
}

fn offset_reset(reset: OffsetResetSpec) -> &'static str {
    match reset {
        OffsetResetSpec::Earliest => "earliest",
        OffsetResetSpec::Latest => "latest",
        OffsetResetSpec::None => "none",
    }
}

/// A consumer's poll size and commit policy as consumer settings and words.
fn member_settings(c: &ConsumerSpec) -> String {
    let poll = if c.prefetch == 0 { 500 } else { c.prefetch };
    let commit = match c.ack {
        AckSpec::Auto => "enable.auto.commit=true (commits what it polled)".to_owned(),
        AckSpec::AfterProcessing => {
            "enable.auto.commit=false, commitSync after each record".to_owned()
        }
        AckSpec::Every(n) => format!("enable.auto.commit=false, commitSync every {n} records"),
        AckSpec::Manual => "enable.auto.commit=false, commits only when told".to_owned(),
    };
    let instance = c.instance_id.as_deref().map_or(String::new(), |i| {
        format!(", group.instance.id={}", comment_line(i))
    });
    format!("max.poll.records={poll}, {commit}{instance}")
}

/// The scenario's streams as a `kafka-topics.sh` script, with notes on what does not map.
#[must_use]
pub fn export(s: &Scenario) -> Export {
    let mut notes = Vec::new();
    let mut out = String::new();
    out.push_str("#!/bin/sh\n");
    out.push_str(&format!(
        "# Kafka topics for the Brokerlab scenario \"{}\".\n",
        comment_line(&s.title)
    ));
    out.push_str(
        "# Run with Kafka's bin/ on the PATH: BOOTSTRAP=host:9092 sh kafka-topics.sh\n\
         set -eu\n\
         BOOTSTRAP=\"${BOOTSTRAP:-localhost:9092}\"\n",
    );
    let t = &s.topology;
    let mut taken = Vec::new();
    let mut topics: Vec<(&str, String)> = Vec::new();
    let mut renamed = Vec::new();
    for st in &t.streams {
        let topic = safe_name(
            &st.name,
            |c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'),
            '_',
            MAX_TOPIC_BYTES,
            &mut taken,
        );
        if topic != st.name {
            renamed.push(format!("{} is {topic}", st.name));
        }
        topics.push((st.name.as_str(), topic));
    }
    let topic_of = |stream: &str| {
        topics
            .iter()
            .find(|(name, _)| *name == stream)
            .map_or_else(|| stream.to_owned(), |(_, topic)| topic.clone())
    };
    if t.streams.is_empty() {
        out.push_str("\n# Nothing to create: the scenario has no streams.\n");
    }
    for st in &t.streams {
        topic_command(s, st, &topic_of(&st.name), &mut out);
    }
    retention_notes(
        &t.streams,
        "Kafka topics",
        "time (retention.ms) and bytes (retention.bytes)",
        "segment.bytes, 1 GiB by default",
        &mut notes,
    );
    if !renamed.is_empty() {
        notes.push(format!(
            "Kafka topic names allow letters, digits, '.', '_' and '-' only: {}.",
            renamed.join(", ")
        ));
    }
    let all = consumers(s);
    groups::initial_delay(&t.groups, &mut out, &mut notes);
    for g in &t.groups {
        let topics: Vec<String> = g.streams.iter().map(|st| topic_of(st)).collect();
        groups::settings(g, &topics, &mut out);
        for c in all
            .iter()
            .filter(|c| matches!(&c.attach, Attach::Group(name) if *name == g.name))
        {
            out.push_str(&format!(
                "# Member {}: {}\n",
                comment_line(&c.name),
                member_settings(c)
            ));
        }
        if let [topic] = topics.as_slice() {
            let properties: String = groups::console_properties(g)
                .iter()
                .map(|p| format!(" --consumer-property {p}"))
                .collect();
            out.push_str(&format!(
                "# Try it: kafka-console-consumer.sh --bootstrap-server \"$BOOTSTRAP\" --topic {} \
                 --group {}{properties}\n",
                shell_quote(&comment_line(topic)),
                shell_quote(&comment_line(&g.name)),
            ));
        }
        if g.protocol == GroupProtocol::Consumer {
            groups::consumer_group_configs(g, &mut out, &mut notes);
            continue;
        }
        if g.session_timeout_ms < MIN_SESSION_TIMEOUT_MS {
            notes.push(format!(
                "Group {}: session.timeout.ms={} is below the broker's default \
                 group.min.session.timeout.ms ({MIN_SESSION_TIMEOUT_MS}): lower that broker \
                 setting, or members are refused when they join.",
                g.name, g.session_timeout_ms
            ));
        } else if g.session_timeout_ms > MAX_SESSION_TIMEOUT_MS {
            notes.push(format!(
                "Group {}: session.timeout.ms={} is above the broker's default \
                 group.max.session.timeout.ms ({MAX_SESSION_TIMEOUT_MS}): raise that broker \
                 setting, or members are refused when they join.",
                g.name, g.session_timeout_ms
            ));
        }
        if g.assignor == AssignorSpec::CooperativeSticky {
            notes.push(format!(
                "Group {} rebalances cooperatively: every member must list \
                 CooperativeStickyAssignor, or the group falls back to eager rebalancing.",
                g.name
            ));
        }
    }
    if !t.share_groups.is_empty() {
        share_groups::enable(&mut out);
    }
    for g in &t.share_groups {
        let topics: Vec<String> = g.streams.iter().map(|st| topic_of(st)).collect();
        let members = share_groups::members(&all, g);
        share_groups::share_group(g, &topics, &members, &mut out, &mut notes);
    }
    share_groups::broker_settings_note(&t.share_groups, &mut notes);
    for c in &all {
        if let Attach::Stream {
            stream,
            auto_offset_reset,
        } = &c.attach
        {
            out.push_str(&format!(
                "\n# Reader {} on {}: no group; assign() every partition, auto.offset.reset={}, \
                 {} (committing needs a group.id)\n",
                comment_line(&c.name),
                comment_line(&topic_of(stream)),
                offset_reset(*auto_offset_reset),
                member_settings(c)
            ));
        }
    }
    header_notes(s, &topic_of, &mut notes);
    not_mapped(s, &mut notes);
    Export { text: out, notes }
}

fn topic_command(s: &Scenario, st: &StreamSpec, topic: &str, out: &mut String) {
    let r = &st.retention;
    out.push_str(&format!(
        "\n# Stream {}: {} partition{}",
        comment_line(&st.name),
        st.partitions,
        if st.partitions == 1 { "" } else { "s" }
    ));
    let mut configs = Vec::new();
    match r.max_age_ms {
        Some(ms) => configs.push(format!("retention.ms={ms}")),
        None => {
            out.push_str(", kept forever (no age limit: retention.ms=-1)");
            configs.push("retention.ms=-1".to_owned());
        }
    }
    if let Some(bytes) = r.max_bytes {
        configs.push(format!("retention.bytes={bytes}"));
    }
    if st.cleanup == brokerlab::sim::CleanupSpec::Compact {
        // Kafka applies retention to a compacted topic only with `compact,delete`.
        let bounded = r.max_age_ms.is_some() || r.max_bytes.is_some() || r.max_records.is_some();
        out.push_str("; compacted: the latest record per key stays");
        configs.push(format!(
            "cleanup.policy={}",
            if bounded { "compact,delete" } else { "compact" }
        ));
        configs.push(format!(
            "delete.retention.ms={}",
            st.tombstone_retention_ms
                .unwrap_or(brokerlab::DEFAULT_TOMBSTONE_RETENTION.as_millis())
        ));
    }
    let keyless = s.producers.iter().any(|p| {
        matches!(&p.target, TargetSpec::Stream(name) if *name == st.name) && p.keys == KeySpec::None
    });
    if keyless {
        match st.keyless {
            brokerlab::sim::KeylessSpec::RoundRobin => out.push_str(
                "; keyless records round-robin: producers set \
                 partitioner.class=org.apache.kafka.clients.producer.RoundRobinPartitioner",
            ),
            brokerlab::sim::KeylessSpec::Sticky => {
                out.push_str("; keyless records sticky: the producers' default partitioner");
            }
        }
    }
    out.push('\n');
    out.push_str(&format!(
        "kafka-topics.sh --bootstrap-server \"$BOOTSTRAP\" --create --topic {} --partitions {} \
         --replication-factor 1",
        shell_quote(topic),
        st.partitions
    ));
    for config in configs {
        out.push_str(&format!(" --config {config}"));
    }
    out.push('\n');
}

/// How the script's stream records with headers are produced with Kafka's console producer:
/// its `parse.headers=true` reads `name:value,name:value`, a tab, the key (with
/// `parse.key=true`), a tab and the value on each line (the defaults of `headers.delimiter`,
/// `headers.separator`, `headers.key.separator` and `key.separator`).
fn header_notes(s: &Scenario, topic_of: &dyn Fn(&str) -> String, notes: &mut Vec<String>) {
    for step in &s.script {
        let brokerlab::sim::Action::Publish {
            target: TargetSpec::Stream(stream),
            key,
            payload,
            headers,
            ..
        } = &step.action
        else {
            continue;
        };
        if headers.is_empty() {
            continue;
        }
        let line = format!(
            "{}\t{}\t{payload}",
            headers
                .iter()
                .map(|(k, v)| format!("{k}:{v}"))
                .collect::<Vec<_>>()
                .join(","),
            key.as_deref().unwrap_or("null"),
        );
        notes.push(format!(
            "At {} ms a record with headers goes to {}: kafka-console-producer.sh \
             --bootstrap-server \"$BOOTSTRAP\" --topic {} --property parse.headers=true \
             --property parse.key=true, then the line {line:?} (headers, a tab, the key, a tab, \
             the value; a header's name and value must not hold ':', ',' or a tab).",
            step.at_ms,
            stream,
            topic_of(stream),
        ));
    }
}

fn not_mapped(s: &Scenario, notes: &mut Vec<String>) {
    let t = &s.topology;
    let queues: Vec<&str> = t.queues.iter().map(|q| q.name.as_str()).collect();
    let exchanges: Vec<&str> = t.exchanges.iter().map(|x| x.name.as_str()).collect();
    if !queues.is_empty() {
        notes.push(format!(
            "Queues do not map to Kafka ({}): Kafka has no per-message acks, redelivery, \
             queue limits, TTL or dead-letter queues. The nearest is a topic per queue read by \
             one consumer group, with those policies in the application.",
            name_list(&queues)
        ));
    }
    if !exchanges.is_empty() {
        notes.push(format!(
            "Exchanges do not map to Kafka ({}): Kafka does not route by key to several \
             destinations. Producers write to every topic themselves, or a stream processor \
             copies records between topics.",
            name_list(&exchanges)
        ));
    }
    let subs: Vec<&str> = subscribers(s).into_iter().map(|(name, ..)| name).collect();
    if !subs.is_empty() {
        notes.push(format!(
            "Pub/sub subscribers do not map ({}): the nearest is a consumer per subscriber in \
             a group of its own with auto.offset.reset=latest, reading a topic that keeps \
             everything instead of a bounded inbox.",
            name_list(&subs)
        ));
    }
}
