//! A share group's lines in the Kafka script (KIP-932, Kafka 4.x). Per group, Kafka configures
//! two of its settings as group configs on the broker (`kafka-configs.sh --entity-type
//! groups`): `share.auto.offset.reset` and `share.record.lock.duration.ms` (which must lie
//! within the broker's `group.share.min.record.lock.duration.ms` and
//! `group.share.max.record.lock.duration.ms`). The delivery count limit and the record locks
//! per partition are broker settings for every share group
//! (`group.share.delivery.count.limit`, `group.share.partition.max.record.locks` in
//! `server.properties`): commented lines, and a note when the groups disagree. Each member is
//! a `KafkaShareConsumer` with the group's `group.id` (no `group.protocol`: a share consumer
//! always joins a share group), acknowledging each record explicitly, or implicitly with
//! `ack: auto` (`share.acknowledgement.mode`, Kafka 4.1); how often it releases or rejects is the application's choice, said in the
//! notes. The config names come from Kafka's `GroupConfig` and `ShareGroupConfig`.

use brokerlab::sim::{AckSpec, Attach, ConsumerSpec, ShareGroupSpec};
use brokerlab::{ShareGroupConfig, ShareOffsetReset};

use super::super::{comment_line, name_list, shell_quote};

/// The broker's default `group.share.min.record.lock.duration.ms`.
const MIN_RECORD_LOCK_DURATION_MS: u64 = 15_000;

/// The broker's default `group.share.max.record.lock.duration.ms`.
const MAX_RECORD_LOCK_DURATION_MS: u64 = 60_000;

/// The lock durations Kafka accepts at all: `group.share.min.record.lock.duration.ms` may be
/// lowered to 1000 ms at least, `group.share.max.record.lock.duration.ms` raised to 3600000 ms
/// at most.
const LOCK_DURATIONS: core::ops::RangeInclusive<u64> = 1_000..=3_600_000;

/// The values Kafka accepts for `group.share.delivery.count.limit`.
const DELIVERY_COUNT_LIMITS: core::ops::RangeInclusive<u32> = 2..=10;

/// The values Kafka accepts for `group.share.partition.max.record.locks`.
const MAX_RECORD_LOCKS: core::ops::RangeInclusive<u32> = 100..=10_000;

/// The share group `g` reading `topics`: its group configs as a `kafka-configs.sh` command,
/// the broker settings as comments, each member's consumer settings and the tools to try
/// it, with notes on what does not map.
pub(super) fn share_group(
    g: &ShareGroupSpec,
    topics: &[String],
    members: &[&ConsumerSpec],
    out: &mut String,
    notes: &mut Vec<String>,
) {
    let name = comment_line(&g.name);
    out.push_str(&format!(
        "\n# Share group {name} on {} (KIP-932): every member reads every partition and \
         acquires records one at a time under a lock.\n\
         # Each member is a KafkaShareConsumer subscribed to {}, with\n\
         #   group.id={name}\n\
         # (no group.protocol: a share consumer always joins a share group).\n",
        comment_line(&topics.join(", ")),
        comment_line(&topics.join(", ")),
    ));
    out.push_str(&format!(
        "# Group configs on the broker (where the group starts on a partition, the record \
         lock):\n\
         kafka-configs.sh --bootstrap-server \"$BOOTSTRAP\" --alter --entity-type groups \
         --entity-name {} --add-config share.auto.offset.reset={},share.record.lock.duration.ms={}\n",
        shell_quote(&g.name),
        reset_name(g.auto_offset_reset),
        g.record_lock_duration_ms,
    ));
    out.push_str(&format!(
        "# Broker settings for every share group, in every broker's server.properties (not \
         per group):\n\
         #   group.share.delivery.count.limit={}{}\n\
         #   group.share.partition.max.record.locks={}{}\n",
        g.delivery_count_limit,
        default_mark(g.delivery_count_limit == ShareGroupConfig::DEFAULT_DELIVERY_COUNT_LIMIT,),
        g.max_record_locks,
        default_mark(g.max_record_locks == ShareGroupConfig::DEFAULT_MAX_RECORD_LOCKS),
    ));
    for c in members {
        out.push_str(&format!(
            "# Member {}: {}\n",
            comment_line(&c.name),
            member_settings(c)
        ));
    }
    if let [topic] = topics {
        out.push_str(&format!(
            "# Try it: kafka-console-share-consumer.sh --bootstrap-server \"$BOOTSTRAP\" \
             --topic {} --group {}\n",
            shell_quote(&comment_line(topic)),
            shell_quote(&name),
        ));
    }
    out.push_str(&format!(
        "# Watch it: kafka-share-groups.sh --bootstrap-server \"$BOOTSTRAP\" --describe \
         --group {0} (its start offset per partition), and with --members (who is assigned \
         what)\n",
        shell_quote(&name),
    ));
    limit_notes(g, notes);
    member_notes(g, members, notes);
}

/// How share groups are turned on, once before the first: a feature in Kafka 4.1 and
/// later, the rebalance protocols in 4.0 (early access).
pub(super) fn enable(out: &mut String) {
    out.push_str(
        "\n# Share groups must be enabled first. Kafka 4.1 and later:\n\
         #   kafka-features.sh --bootstrap-server \"$BOOTSTRAP\" upgrade --feature share.version=1\n\
         # Kafka 4.0 (early access), in every broker's server.properties:\n\
         #   group.coordinator.rebalance.protocols=classic,consumer,share\n\
         #   unstable.api.versions.enable=true\n",
    );
}

/// The consumers in share group `g`.
pub(super) fn members<'a>(all: &[&'a ConsumerSpec], g: &ShareGroupSpec) -> Vec<&'a ConsumerSpec> {
    all.iter()
        .copied()
        .filter(|c| matches!(&c.attach, Attach::ShareGroup(name) if *name == g.name))
        .collect()
}

/// A note when several share groups ask for different broker-level settings, which Kafka
/// sets once for all of them.
pub(super) fn broker_settings_note(groups: &[ShareGroupSpec], notes: &mut Vec<String>) {
    let differ =
        |value: fn(&ShareGroupSpec) -> u32| groups.iter().any(|g| value(g) != value(&groups[0]));
    if groups.len() < 2 || (!differ(|g| g.delivery_count_limit) && !differ(|g| g.max_record_locks))
    {
        return;
    }
    let each: Vec<String> = groups
        .iter()
        .map(|g| {
            format!(
                "{}: delivery count limit {}, {} record locks per partition",
                g.name, g.delivery_count_limit, g.max_record_locks
            )
        })
        .collect();
    notes.push(format!(
        "The share groups' delivery count limits and record locks do not map per group ({}): \
         Kafka's group.share.delivery.count.limit and group.share.partition.max.record.locks \
         are broker settings in server.properties for every share group; pick one value of \
         each for the broker.",
        name_list(&each)
    ));
}

fn reset_name(reset: ShareOffsetReset) -> &'static str {
    match reset {
        ShareOffsetReset::Latest => "latest",
        ShareOffsetReset::Earliest => "earliest",
    }
}

fn default_mark(is_default: bool) -> &'static str {
    if is_default { " (Kafka's default)" } else { "" }
}

/// A share member's poll size and how it acknowledges, in consumer settings and words.
fn member_settings(c: &ConsumerSpec) -> String {
    let poll = if c.prefetch == 0 { 500 } else { c.prefetch };
    let ack = if c.ack == AckSpec::Auto {
        "share.acknowledgement.mode=implicit (each poll accepts what the last one returned; \
         here accepted on receipt)"
            .to_owned()
    } else {
        let settle = match c.nack {
            Some(n) if n.requeue => format!(
                "acknowledge(record, RELEASE) for one processed record in {}, ACCEPT for the rest",
                n.every
            ),
            Some(n) => format!(
                "acknowledge(record, REJECT) for one processed record in {}, ACCEPT for the rest",
                n.every
            ),
            None => "acknowledge(record, ACCEPT) after processing each record".to_owned(),
        };
        format!(
            "share.acknowledgement.mode=explicit, {settle} (sent with the next poll or \
             commitSync)"
        )
    };
    format!("max.poll.records={poll}, {ack}")
}

/// Notes where the group's settings fall outside what Kafka's broker accepts by default.
fn limit_notes(g: &ShareGroupSpec, notes: &mut Vec<String>) {
    let lock = g.record_lock_duration_ms;
    if !LOCK_DURATIONS.contains(&lock) {
        notes.push(format!(
            "Share group {}: a record lock of {lock} ms does not map: however the broker is \
             set, Kafka accepts {} to {} ms only.",
            g.name,
            LOCK_DURATIONS.start(),
            LOCK_DURATIONS.end()
        ));
    } else if !(MIN_RECORD_LOCK_DURATION_MS..=MAX_RECORD_LOCK_DURATION_MS).contains(&lock) {
        let below = lock < MIN_RECORD_LOCK_DURATION_MS;
        notes.push(format!(
            "Share group {}: share.record.lock.duration.ms={lock} is {} the broker's default \
             {} ({}): {} that broker setting first, or kafka-configs.sh refuses the group \
             config and the script stops there.",
            g.name,
            if below { "below" } else { "above" },
            if below {
                "group.share.min.record.lock.duration.ms"
            } else {
                "group.share.max.record.lock.duration.ms"
            },
            if below {
                MIN_RECORD_LOCK_DURATION_MS
            } else {
                MAX_RECORD_LOCK_DURATION_MS
            },
            if below { "lower" } else { "raise" },
        ));
    }
    let outside = |what: &str, value: u32, range: &core::ops::RangeInclusive<u32>| {
        format!(
            "Share group {}: a {what} of {value} does not map: Kafka accepts {} to {} only.",
            g.name,
            range.start(),
            range.end()
        )
    };
    if !DELIVERY_COUNT_LIMITS.contains(&g.delivery_count_limit) {
        notes.push(outside(
            "delivery count limit (group.share.delivery.count.limit)",
            g.delivery_count_limit,
            &DELIVERY_COUNT_LIMITS,
        ));
    }
    if !MAX_RECORD_LOCKS.contains(&g.max_record_locks) {
        notes.push(outside(
            "record-lock limit per partition (group.share.partition.max.record.locks)",
            g.max_record_locks,
            &MAX_RECORD_LOCKS,
        ));
    }
}

/// Notes on what the members do that Kafka leaves to the application or times differently.
fn member_notes(g: &ShareGroupSpec, members: &[&ConsumerSpec], notes: &mut Vec<String>) {
    notes.push(format!(
        "Share group {}: its delivery count limit ({}) and record locks per partition ({}) are \
         per group here; Kafka sets them on the broker for every share group \
         (group.share.delivery.count.limit, group.share.partition.max.record.locks, commented \
         for server.properties).",
        g.name, g.delivery_count_limit, g.max_record_locks
    ));
    let rates: Vec<String> = members
        .iter()
        .filter(|c| c.ack != AckSpec::Auto)
        .filter_map(|c| {
            let n = c.nack?;
            let what = if n.requeue { "releases" } else { "rejects" };
            Some(format!("{} {what} one record in {}", c.name, n.every))
        })
        .collect();
    if !rates.is_empty() {
        notes.push(format!(
            "Share group {}: release and reject rates do not map ({}): they are the \
             application's choice per record (KafkaShareConsumer.acknowledge with \
             AcknowledgeType.RELEASE or REJECT), not a setting.",
            g.name,
            name_list(&rates)
        ));
    }
    let crashing: Vec<&str> = members
        .iter()
        .filter(|c| !c.crashes.is_empty())
        .map(|c| c.name.as_str())
        .collect();
    if !crashing.is_empty() {
        notes.push(format!(
            "Share group {}: a crashed member's records go back at once here ({}). In \
             Kafka they do so only on brokers that release a share session when its \
             connection closes (recent releases) and only if the crash closes it; otherwise \
             each comes back when its lock expires ({} ms), and the member leaves the group \
             when its session times out (group.share.session.timeout.ms, 45 s by default).",
            g.name,
            name_list(&crashing),
            g.record_lock_duration_ms
        ));
    }
}
