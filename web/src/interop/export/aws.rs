//! A scenario's fan-out as AWS CLI commands: an SNS topic per exchange, an SQS queue per
//! queue (and per pub/sub subscriber) with its attributes (`MessageRetentionPeriod` from the
//! TTL, `VisibilityTimeout` from the ack timeout, a `RedrivePolicy` with `maxReceiveCount`
//! to the dead-letter queue's ARN), the queue policy that lets a topic send to the queues
//! subscribed to it, and `aws sns subscribe --protocol sqs` per binding with raw message
//! delivery. Direct and topic exchanges become filter policies on a `routing_key` message
//! attribute where a pattern can be written as one.
//!
//! Streams and consumer groups are not SNS or SQS: Kinesis commands are left as comments.
//! Everything that does not map is in the notes.

use std::collections::BTreeMap;

use brokerlab::sim::{ExchangeKindSpec, Scenario};
use serde_json::{Value, json};

use super::{
    Export, comment_line, name_list, queue_consumers, safe_name, scripted_bindings_note,
    shell_quote, subscribers,
};

/// The longest SQS queue name.
const MAX_QUEUE_NAME: usize = 80;
/// The longest SNS topic name.
const MAX_TOPIC_NAME: usize = 256;
/// SQS's retention bounds in seconds (1 minute to 14 days).
const RETENTION_S: (u64, u64) = (60, 1_209_600);
/// SQS's longest visibility timeout in seconds (12 hours).
const MAX_VISIBILITY_S: u64 = 43_200;
/// The message attribute that carries the routing key for filter policies.
pub const ROUTING_KEY_ATTRIBUTE: &str = "routing_key";

/// An SQS queue to create.
struct Sqs {
    /// The scenario's name (queue or subscriber).
    source: String,
    /// The SQS name.
    name: String,
    /// The shell variables' stem (`q_email` → `$q_email_url`, `$q_email_arn`).
    var: String,
    /// Creation attributes.
    attributes: BTreeMap<&'static str, String>,
    /// Whether it is a pub/sub subscriber's queue.
    subscriber: bool,
}

/// An SNS topic to create.
struct Sns {
    source: String,
    name: String,
    var: String,
    kind: ExchangeKindSpec,
}

/// The `routing_key` values a binding's filter policy accepts: `Ok(None)` for every message,
/// `Err` when the pattern cannot be written as a filter policy.
fn filter_values(kind: ExchangeKindSpec, key: &str) -> Result<Option<Vec<Value>>, ()> {
    match kind {
        ExchangeKindSpec::Fanout => Ok(None),
        ExchangeKindSpec::Direct => Ok(Some(vec![json!(key)])),
        ExchangeKindSpec::Topic => {
            let words: Vec<&str> = key.split('.').collect();
            let wild = |w: &&str| *w == "*" || *w == "#";
            match words.as_slice() {
                ["#"] => Ok(None),
                _ if !words.iter().any(wild) => Ok(Some(vec![json!(key)])),
                [stem @ .., "#"] if !stem.iter().any(wild) => {
                    let stem = stem.join(".");
                    Ok(Some(vec![
                        json!(stem.clone()),
                        json!({ "prefix": format!("{stem}.") }),
                    ]))
                }
                _ => Err(()),
            }
        }
    }
}

/// A `printf` format for a JSON text with `%s` placeholders: backslashes doubled, quoted.
fn printf_format(json_text: &str) -> String {
    shell_quote(&json_text.replace('\\', r"\\"))
}

/// The scenario as AWS CLI commands, with notes on what does not map.
#[must_use]
pub fn export(s: &Scenario) -> Export {
    let mut notes = Vec::new();
    let t = &s.topology;
    let mut sqs_names = Vec::new();
    let mut vars = Vec::new();
    let mut renamed = Vec::new();
    let sqs_allowed = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let mut queues: Vec<Sqs> = Vec::new();
    let mut kept_forever = Vec::new();
    let mut short_ttl = Vec::new();
    let mut no_visibility = Vec::new();
    for q in &t.queues {
        let name = safe_name(&q.name, sqs_allowed, '-', MAX_QUEUE_NAME, &mut sqs_names);
        let mut attributes = BTreeMap::new();
        let retention = match q.message_ttl_ms {
            Some(ms) => {
                let s = ms.div_ceil(1000).clamp(RETENTION_S.0, RETENTION_S.1);
                if s * 1000 != ms {
                    short_ttl.push(format!("{} {ms} ms → {s} s", q.name));
                }
                s
            }
            None => {
                kept_forever.push(q.name.as_str());
                RETENTION_S.1
            }
        };
        attributes.insert("MessageRetentionPeriod", retention.to_string());
        match q.visibility_timeout_ms {
            Some(ms) => {
                let s = ms.div_ceil(1000).min(MAX_VISIBILITY_S);
                attributes.insert("VisibilityTimeout", s.to_string());
            }
            None => no_visibility.push(q.name.as_str()),
        }
        queues.push(Sqs {
            source: q.name.clone(),
            var: safe_name(&format!("q_{name}"), is_var_char, '_', 200, &mut vars),
            name,
            attributes,
            subscriber: false,
        });
    }
    let subs = subscribers(s);
    let mut sub_queues = Vec::new();
    for (subscriber, ..) in &subs {
        let name = safe_name(subscriber, sqs_allowed, '-', MAX_QUEUE_NAME, &mut sqs_names);
        let mut attributes = BTreeMap::new();
        attributes.insert("MessageRetentionPeriod", RETENTION_S.1.to_string());
        sub_queues.push(name.clone());
        queues.push(Sqs {
            source: (*subscriber).to_owned(),
            var: safe_name(&format!("q_{name}"), is_var_char, '_', 200, &mut vars),
            name,
            attributes,
            subscriber: true,
        });
    }
    for q in &queues {
        if q.name != q.source {
            let kind = if q.subscriber { "subscriber " } else { "" };
            renamed.push(format!("{kind}{} is {}", q.source, q.name));
        }
    }
    let mut sns_names = Vec::new();
    let topics: Vec<Sns> = t
        .exchanges
        .iter()
        .map(|x| {
            let name = safe_name(&x.name, sqs_allowed, '-', MAX_TOPIC_NAME, &mut sns_names);
            if name != x.name {
                renamed.push(format!("topic {} is {name}", x.name));
            }
            Sns {
                source: x.name.clone(),
                var: safe_name(&format!("t_{name}"), is_var_char, '_', 200, &mut vars),
                name,
                kind: x.kind,
            }
        })
        .collect();
    let queue = |source: &str, subscriber: bool| {
        queues
            .iter()
            .find(|q| q.source == source && q.subscriber == subscriber)
    };
    let topic = |source: &str| topics.iter().find(|x| x.source == source);

    let mut out = String::new();
    out.push_str("#!/bin/sh\n");
    out.push_str(&format!(
        "# AWS SNS topics, SQS queues and subscriptions for the Brokerlab scenario \"{}\".\n",
        comment_line(&s.title)
    ));
    out.push_str(
        "# Needs the AWS CLI with credentials and a default region (aws configure).\nset -eu\n",
    );
    if !queues.is_empty() {
        out.push_str("\n# SQS queues, their URLs and ARNs\n");
    }
    for q in &queues {
        let attributes = serde_json::to_string(&q.attributes).unwrap_or_default();
        out.push_str(&format!(
            "{v}_url=$(aws sqs create-queue --queue-name {} --attributes {} --query QueueUrl \
             --output text)\n",
            shell_quote(&q.name),
            shell_quote(&attributes),
            v = q.var
        ));
        out.push_str(&format!(
            "{v}_arn=$(aws sqs get-queue-attributes --queue-url \"${v}_url\" --attribute-names \
             QueueArn --query Attributes.QueueArn --output text)\n",
            v = q.var
        ));
    }

    // Redrive policies.
    let mut redrive = String::new();
    let mut dlq_without_limit = Vec::new();
    let mut limit_without_dlq = Vec::new();
    for spec in &t.queues {
        match (&spec.dead_letter_queue, spec.max_deliveries) {
            (Some(dlq), Some(max)) => {
                let (Some(q), Some(d)) = (queue(&spec.name, false), queue(dlq, false)) else {
                    continue;
                };
                let policy = json!({
                    "deadLetterTargetArn": "%s",
                    "maxReceiveCount": max.to_string(),
                })
                .to_string();
                let attributes = json!({ "RedrivePolicy": policy }).to_string();
                redrive.push_str(&format!(
                    "aws sqs set-queue-attributes --queue-url \"${}_url\" --attributes \
                     \"$(printf {} \"${}_arn\")\"\n",
                    q.var,
                    printf_format(&attributes),
                    d.var
                ));
            }
            (Some(_), None) => dlq_without_limit.push(spec.name.as_str()),
            (None, Some(_)) => limit_without_dlq.push(spec.name.as_str()),
            (None, None) => {}
        }
    }
    if !redrive.is_empty() {
        out.push_str(
            "\n# Dead-letter queues: a message received maxReceiveCount times moves there\n",
        );
        out.push_str(&redrive);
    }

    if !topics.is_empty() {
        out.push_str("\n# SNS topics, one per exchange\n");
    }
    for x in &topics {
        out.push_str(&format!(
            "{}_arn=$(aws sns create-topic --name {} --query TopicArn --output text)\n",
            x.var,
            shell_quote(&x.name)
        ));
    }

    // Every binding: (exchange, queue, key), subscribers' included.
    let mut bindings: Vec<(&str, &Sqs, &str)> = t
        .bindings
        .iter()
        .filter_map(|b| Some((b.exchange.as_str(), queue(&b.queue, false)?, b.key.as_str())))
        .collect();
    bindings.extend(
        subs.iter()
            .filter_map(|(sub, x, key, _)| Some((*x, queue(sub, true)?, *key))),
    );

    // Queue policies: each queue accepts what its topics send.
    let mut policies = String::new();
    for q in &queues {
        let mut senders: Vec<&Sns> = Vec::new();
        for (x, target, _) in &bindings {
            if target.var == q.var
                && let Some(x) = topic(x)
                && !senders.iter().any(|s| s.var == x.var)
            {
                senders.push(x);
            }
        }
        if senders.is_empty() {
            continue;
        }
        // Written by hand to keep the policy's usual key order; `%s` are the ARNs, queue first.
        let sources = vec![r#""%s""#; senders.len()].join(",");
        let policy = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Service":"sns.amazonaws.com"}},"Action":"sqs:SendMessage","Resource":"%s","Condition":{{"ArnEquals":{{"aws:SourceArn":[{sources}]}}}}}}]}}"#
        );
        let attributes = json!({ "Policy": policy }).to_string();
        let mut args = format!("\"${}_arn\"", q.var);
        for x in &senders {
            args.push_str(&format!(" \"${}_arn\"", x.var));
        }
        policies.push_str(&format!(
            "aws sqs set-queue-attributes --queue-url \"${}_url\" --attributes \"$(printf {} \
             {args})\"\n",
            q.var,
            printf_format(&attributes)
        ));
    }
    if !policies.is_empty() {
        out.push_str("\n# Queue policies: each queue accepts messages from its topics\n");
        out.push_str(&policies);
    }

    // One subscription per topic and queue (SNS refuses a second one with other attributes):
    // the filter values of its bindings together, or none when one binding takes everything.
    let mut unfiltered = Vec::new();
    let mut subscriptions: Vec<(&Sns, &Sqs, Option<Vec<Value>>)> = Vec::new();
    for &(x, q, key) in &bindings {
        let Some(x) = topic(x) else {
            continue;
        };
        let values = filter_values(x.kind, key).unwrap_or_else(|()| {
            unfiltered.push(format!("{key} ({} → {})", x.source, q.source));
            None
        });
        match subscriptions
            .iter_mut()
            .find(|(sx, sq, _)| sx.var == x.var && sq.var == q.var)
        {
            Some((_, _, known)) => match (known.as_mut(), values) {
                (Some(known), Some(values)) => {
                    for v in values {
                        if !known.contains(&v) {
                            known.push(v);
                        }
                    }
                }
                _ => *known = None,
            },
            None => subscriptions.push((x, q, values)),
        }
    }
    let mut subscribe = String::new();
    for (x, q, values) in subscriptions {
        let mut attributes: BTreeMap<&str, String> = BTreeMap::new();
        attributes.insert("RawMessageDelivery", "true".to_owned());
        if let Some(values) = values {
            let policy = json!({ ROUTING_KEY_ATTRIBUTE: values });
            attributes.insert("FilterPolicy", policy.to_string());
        }
        subscribe.push_str(&format!(
            "aws sns subscribe --topic-arn \"${}_arn\" --protocol sqs --notification-endpoint \
             \"${}_arn\" --attributes {}\n",
            x.var,
            q.var,
            shell_quote(&serde_json::to_string(&attributes).unwrap_or_default())
        ));
    }
    if !subscribe.is_empty() {
        out.push_str("\n# Subscriptions: a topic's messages to its bound queues\n");
        out.push_str(&subscribe);
    }

    if !t.streams.is_empty() {
        out.push_str(
            "\n# Streams are not SNS or SQS; the nearest is Kinesis (uncomment to create)\n",
        );
        for st in &t.streams {
            out.push_str(&format!(
                "# aws kinesis create-stream --stream-name {} --shard-count {}\n",
                shell_quote(&comment_line(&st.name)),
                st.partitions
            ));
        }
    }

    // Notes, in the order of the script.
    if !renamed.is_empty() {
        notes.push(format!(
            "SQS and SNS names allow letters, digits, '-' and '_' only: {}.",
            renamed.join(", ")
        ));
    }
    let limited: Vec<String> = t
        .queues
        .iter()
        .filter(|q| q.max_length.is_some())
        .map(|q| q.name.clone())
        .collect();
    if !limited.is_empty() {
        notes.push(format!(
            "SQS queues are unbounded: the max_length and overflow policy of {} do not map.",
            name_list(&limited)
        ));
    }
    if !short_ttl.is_empty() {
        notes.push(format!(
            "A TTL becomes MessageRetentionPeriod in whole seconds, 60 s to 14 days ({}), and \
             SQS deletes an expired message instead of dead-lettering it.",
            short_ttl.join(", ")
        ));
    } else if t.queues.iter().any(|q| q.message_ttl_ms.is_some()) {
        notes.push(
            "A TTL becomes MessageRetentionPeriod: SQS deletes an expired message instead of \
             dead-lettering it."
                .to_owned(),
        );
    }
    if !kept_forever.is_empty() {
        notes.push(format!(
            "SQS keeps a message 14 days at most: {} (no TTL in the scenario) get that \
             maximum.",
            name_list(&kept_forever)
        ));
    }
    if !no_visibility.is_empty() {
        notes.push(format!(
            "SQS always has a visibility timeout: {} (no ack timeout in the scenario) get the \
             default of 30 s, so a message not deleted within 30 s is received again, where the \
             simulation waits for its consumer to fail.",
            name_list(&no_visibility)
        ));
    }
    if !dlq_without_limit.is_empty() {
        notes.push(format!(
            "{} dead-letter{} expired or dropped messages in the simulation; SQS moves only \
             messages received maxReceiveCount times, so no redrive policy is set.",
            name_list(&dlq_without_limit),
            if dlq_without_limit.len() == 1 {
                "s"
            } else {
                ""
            }
        ));
    }
    if !limit_without_dlq.is_empty() {
        notes.push(format!(
            "The delivery limit of {} does not map: SQS counts receives only toward a redrive \
             to a dead-letter queue, and there is none.",
            name_list(&limit_without_dlq)
        ));
    }
    let routed: Vec<&str> = topics
        .iter()
        .filter(|x| x.kind != ExchangeKindSpec::Fanout)
        .map(|x| x.source.as_str())
        .collect();
    if !routed.is_empty() {
        notes.push(format!(
            "SNS has no routing keys: publishers to {} must set a String message attribute \
             {ROUTING_KEY_ATTRIBUTE}, and each subscription filters on it with a filter policy \
             (topic patterns: exact words, or a trailing # as a prefix).",
            name_list(&routed)
        ));
    }
    if !unfiltered.is_empty() {
        notes.push(format!(
            "Topic patterns with * or an inner # cannot be SNS filter policies: {} get every \
             message of the topic; filter in the consumer.",
            unfiltered.join(", ")
        ));
    }
    if !sub_queues.is_empty() {
        notes.push(format!(
            "Subscribers get an SQS queue of their own ({}) subscribed to the topic; unlike \
             the simulation's inbox, the queue keeps what is published while the subscriber is \
             away, and has no capacity.",
            name_list(&sub_queues)
        ));
    }
    let mut settings = Vec::new();
    for q in &t.queues {
        for c in queue_consumers(s, &q.name) {
            let prefetch = match c.prefetch {
                0 => "unlimited".to_owned(),
                n => n.to_string(),
            };
            settings.push(format!("{} on {} (prefetch {prefetch})", c.name, q.name));
        }
    }
    if !settings.is_empty() {
        notes.push(format!(
            "Consumers are clients: prefetch maps to receive-message --max-number-of-messages \
             (1 to 10), an ack to delete-message: {}.",
            settings.join(", ")
        ));
    }
    if !t.streams.is_empty() {
        let names: Vec<&str> = t.streams.iter().map(|st| st.name.as_str()).collect();
        notes.push(format!(
            "Streams do not map to SNS or SQS ({}): the commented Kinesis commands create a \
             shard per partition; Kinesis keeps records 24 hours to 365 days and hashes keys \
             with MD5, not murmur2.",
            name_list(&names)
        ));
    }
    if !t.groups.is_empty() {
        let names: Vec<&str> = t.groups.iter().map(|g| g.name.as_str()).collect();
        notes.push(format!(
            "Consumer groups do not map ({}): Kinesis consumers share shards through the \
             Kinesis Client Library's lease table, with no assignor or session timeout to set.",
            name_list(&names)
        ));
    }
    if !t.share_groups.is_empty() {
        let names: Vec<&str> = t.share_groups.iter().map(|g| g.name.as_str()).collect();
        notes.push(format!(
            "Share groups do not map ({}): Kinesis has no per-record acknowledgement. The \
             nearest is an SQS queue read by competing consumers (the visibility timeout for \
             the record lock, maxReceiveCount with a dead-letter queue for the delivery count \
             limit), which deletes what is processed instead of keeping the stream for other \
             readers.",
            name_list(&names)
        ));
    }
    scripted_bindings_note(s, &mut notes);
    Export { text: out, notes }
}

fn is_var_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}
