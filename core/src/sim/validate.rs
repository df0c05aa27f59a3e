//! Scenario validation: every reference resolves, every list, string and number is within a
//! bound, every time lies inside the run. Errors name the field by path, for example
//! `consumers[2].attach: unknown queue "emial"`. Validation never panics.
//!
//! Names are resolved by kind with [`Names::knows`]; targets, attach targets and the names in
//! script actions are read with the [`references`](super::references) walkers, so the paths
//! of unknown names are the [`Site`](super::Site) paths the visitor reports.
//!
//! One file on purpose (about 640 lines): the checks follow the format field by field, in
//! the order the error paths name them, so a reader finds a message by its path.

use crate::sort::by_insertion;
use crate::vec_map::VecSet;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::ScenarioError;
use super::references::{EntityKind, attach_name, target_name, try_action_names};
use super::scenario::{
    AckSpec, Action, Attach, BindingSpec, CleanupSpec, ConsumerSpec, KeySpec, ProcessingSpec,
    ProducerSpec, ResetSpec, SCENARIO_VERSION, Scenario, SeekSpec, ShareGroupSpec, TargetSpec,
};

/// Bounds every scenario must respect.
pub mod bounds {
    /// Longest entity name, in bytes.
    pub const MAX_NAME_BYTES: usize = 128;
    /// Longest title, in bytes.
    pub const MAX_TITLE_BYTES: usize = 256;
    /// Longest description, in bytes.
    pub const MAX_DESCRIPTION_BYTES: usize = 8192;
    /// Longest payload template, routing key or message key, in bytes.
    pub const MAX_TEXT_BYTES: usize = 1024;
    /// Most entities of one kind (exchanges, queues, bindings, streams, groups, producers,
    /// consumers), including consumers added by the script.
    pub const MAX_ENTITIES: usize = 256;
    /// Most script steps.
    pub const MAX_SCRIPT_STEPS: usize = 4096;
    /// Most explicit times, bursts, crashes or keys in one list.
    pub const MAX_LIST: usize = 4096;
    /// The latest time anything may happen (about 11.6 days), and the longest duration.
    pub const MAX_TIME_MS: u64 = 1_000_000_000;
    /// The highest producer rate, in messages per second.
    pub const MAX_RATE_PER_SEC: u32 = 10_000_000;
    /// The largest burst or scripted publish count.
    pub const MAX_BURST: u32 = 1_000_000;
    /// Most headers on one published message.
    pub const MAX_HEADERS: usize = 32;
    /// Most partitions per stream.
    pub const MAX_PARTITIONS: u32 = 256;
    /// Most keys of a `uniform` or `skewed` key space.
    pub const MAX_KEYS: u32 = 65_536;
    /// Largest prefetch or poll size.
    pub const MAX_PREFETCH: u32 = 65_535;
    /// Largest subscription inbox.
    pub const MAX_INBOX: u32 = 65_536;
    /// Largest queue `max_length` and stream `max_records`.
    pub const MAX_RECORDS: u64 = 1 << 20;
    /// The largest share group `delivery_count_limit` (Kafka's range tops out at 10).
    pub const MAX_SHARE_DELIVERY_COUNT_LIMIT: u32 = 10;
    /// Largest stream `max_bytes`.
    pub const MAX_BYTES: u64 = 1 << 30;
    /// Largest `max_deliveries`.
    pub const MAX_DELIVERIES: u32 = 1000;
    /// Longest processing time of one message, in milliseconds (one hour).
    pub const MAX_PROCESSING_MS: u64 = 3_600_000;
}

use bounds::*;

fn err(path: impl Into<String>, message: impl Into<String>) -> ScenarioError {
    ScenarioError::new(path, message)
}

fn check_name(path: &str, name: &str) -> Result<(), ScenarioError> {
    if name.is_empty() {
        return Err(err(path, "must not be empty"));
    }
    check_text(path, name, MAX_NAME_BYTES)?;
    if name.chars().any(char::is_control) {
        return Err(err(path, "must not contain control characters"));
    }
    Ok(())
}

fn check_text(path: &str, text: &str, max: usize) -> Result<(), ScenarioError> {
    if text.len() > max {
        return Err(err(
            path,
            format!("{} bytes long; at most {max} allowed", text.len()),
        ));
    }
    Ok(())
}

/// A routing or binding key, or a header: bounded, and free of the control characters the
/// broker refuses in them (a scenario that validates must start and run).
fn check_key(path: &str, key: &str) -> Result<(), ScenarioError> {
    check_text(path, key, MAX_NAME_BYTES)?;
    if key.chars().any(char::is_control) {
        return Err(err(path, "must not contain control characters"));
    }
    Ok(())
}

fn check_len<T>(path: &str, list: &[T], max: usize) -> Result<(), ScenarioError> {
    if list.len() > max {
        return Err(err(
            path,
            format!("{} entries; at most {max} allowed", list.len()),
        ));
    }
    Ok(())
}

fn check_range(path: &str, value: u64, min: u64, max: u64) -> Result<(), ScenarioError> {
    if value < min || value > max {
        return Err(err(path, format!("{value} is outside {min}..={max}")));
    }
    Ok(())
}

fn check_time(path: &str, t: u64, duration: u64) -> Result<(), ScenarioError> {
    if t > duration {
        return Err(err(
            path,
            format!("{t} is after the end of the run (duration_ms {duration})"),
        ));
    }
    Ok(())
}

/// Names declared so far, by kind.
struct Names<'a> {
    exchanges: VecSet<&'a str>,
    queues: VecSet<&'a str>,
    streams: Vec<(&'a str, u32)>,
    groups: Vec<(&'a str, u32)>,
    share_groups: VecSet<&'a str>,
    producers: VecSet<&'a str>,
    consumers: VecSet<String>,
    duration: u64,
}

impl Names<'_> {
    fn stream_partitions(&self, name: &str) -> Option<u32> {
        self.streams.iter().find(|s| s.0 == name).map(|s| s.1)
    }
    fn group_partitions(&self, name: &str) -> Option<u32> {
        self.groups.iter().find(|g| g.0 == name).map(|g| g.1)
    }
    /// Whether an entity of `kind` named `name` is declared (so far).
    fn knows(&self, kind: EntityKind, name: &str) -> bool {
        match kind {
            EntityKind::Exchange => self.exchanges.contains(name),
            EntityKind::Queue => self.queues.contains(name),
            EntityKind::Stream => self.stream_partitions(name).is_some(),
            EntityKind::Group => self.group_partitions(name).is_some(),
            EntityKind::ShareGroup => self.share_groups.contains(name),
            EntityKind::Producer => self.producers.contains(name),
            EntityKind::Consumer => self.consumers.contains(name),
        }
    }
}

/// A reference (at the path `path` builds) must name a declared entity of its kind.
fn known(
    n: &Names<'_>,
    kind: EntityKind,
    name: &str,
    path: impl FnOnce() -> String,
) -> Result<(), ScenarioError> {
    if n.knows(kind, name) {
        Ok(())
    } else {
        Err(err(path(), format!("unknown {kind} \"{}\"", clip(name))))
    }
}

fn unique<'a>(
    set: &mut VecSet<&'a str>,
    path: &str,
    name: &'a str,
    kind: &str,
) -> Result<(), ScenarioError> {
    check_name(path, name)?;
    if !set.insert(name) {
        return Err(err(path, format!("duplicate {kind} name \"{name}\"")));
    }
    Ok(())
}

pub(super) fn validate(s: &Scenario) -> Result<(), ScenarioError> {
    if s.version != SCENARIO_VERSION {
        return Err(err(
            "version",
            format!(
                "{} is not supported; expected {SCENARIO_VERSION}",
                s.version
            ),
        ));
    }
    check_text("title", &s.title, MAX_TITLE_BYTES)?;
    check_text("description", &s.description, MAX_DESCRIPTION_BYTES)?;
    check_range("duration_ms", s.duration_ms, 1, MAX_TIME_MS)?;
    check_range("sample_interval_ms", s.sample_interval_ms, 1, MAX_TIME_MS)?;
    let t = &s.topology;
    check_len("topology.exchanges", &t.exchanges, MAX_ENTITIES)?;
    check_len("topology.queues", &t.queues, MAX_ENTITIES)?;
    check_len("topology.bindings", &t.bindings, MAX_ENTITIES)?;
    check_len("topology.streams", &t.streams, MAX_ENTITIES)?;
    check_len("topology.groups", &t.groups, MAX_ENTITIES)?;
    check_len("topology.share_groups", &t.share_groups, MAX_ENTITIES)?;
    check_len("producers", &s.producers, MAX_ENTITIES)?;
    check_len("consumers", &s.consumers, MAX_ENTITIES)?;
    check_len("script", &s.script, MAX_SCRIPT_STEPS)?;

    let mut n = Names {
        exchanges: VecSet::new(),
        queues: VecSet::new(),
        streams: Vec::new(),
        groups: Vec::new(),
        share_groups: VecSet::new(),
        producers: VecSet::new(),
        consumers: VecSet::new(),
        duration: s.duration_ms,
    };
    for (i, x) in t.exchanges.iter().enumerate() {
        unique(
            &mut n.exchanges,
            &format!("topology.exchanges[{i}].name"),
            &x.name,
            "exchange",
        )?;
    }
    for (i, q) in t.queues.iter().enumerate() {
        let p = format!("topology.queues[{i}]");
        unique(&mut n.queues, &format!("{p}.name"), &q.name, "queue")?;
        if let Some(m) = q.max_length {
            check_range(&format!("{p}.max_length"), m, 0, MAX_RECORDS)?;
        }
        if let Some(ms) = q.message_ttl_ms {
            check_range(&format!("{p}.message_ttl_ms"), ms, 0, MAX_TIME_MS)?;
        }
        if let Some(d) = q.max_deliveries {
            check_range(
                &format!("{p}.max_deliveries"),
                d.into(),
                1,
                MAX_DELIVERIES.into(),
            )?;
        }
        if let Some(ms) = q.visibility_timeout_ms {
            check_range(&format!("{p}.visibility_timeout_ms"), ms, 1, MAX_TIME_MS)?;
        }
    }
    for (i, q) in t.queues.iter().enumerate() {
        if let Some(d) = &q.dead_letter_queue {
            let p = || format!("topology.queues[{i}].dead_letter_queue");
            known(&n, EntityKind::Queue, d, p)?;
            if *d == q.name {
                return Err(err(p(), "a queue cannot be its own dead-letter queue"));
            }
        }
    }
    for (i, b) in t.bindings.iter().enumerate() {
        check_binding(&n, &format!("topology.bindings[{i}]"), b)?;
    }
    let mut stream_names = VecSet::new();
    for (i, st) in t.streams.iter().enumerate() {
        let p = format!("topology.streams[{i}]");
        unique(&mut stream_names, &format!("{p}.name"), &st.name, "stream")?;
        check_range(
            &format!("{p}.partitions"),
            st.partitions.into(),
            1,
            MAX_PARTITIONS.into(),
        )?;
        let r = &st.retention;
        if let Some(v) = r.max_records {
            check_range(&format!("{p}.retention.max_records"), v, 1, MAX_RECORDS)?;
        }
        if let Some(v) = r.max_bytes {
            check_range(&format!("{p}.retention.max_bytes"), v, 1, MAX_BYTES)?;
        }
        if let Some(v) = r.max_age_ms {
            check_range(&format!("{p}.retention.max_age_ms"), v, 1, MAX_TIME_MS)?;
        }
        if let Some(v) = st.tombstone_retention_ms {
            let max = crate::MAX_TOMBSTONE_RETENTION.as_millis();
            check_range(&format!("{p}.tombstone_retention_ms"), v, 0, max)?;
        }
        n.streams.push((&st.name, st.partitions));
    }
    let mut group_names = VecSet::new();
    for (i, g) in t.groups.iter().enumerate() {
        let p = format!("topology.groups[{i}]");
        unique(&mut group_names, &format!("{p}.name"), &g.name, "group")?;
        if g.streams.is_empty() {
            return Err(err(format!("{p}.streams"), "a group needs a stream"));
        }
        check_len(&format!("{p}.streams"), &g.streams, MAX_ENTITIES)?;
        for (j, st) in g.streams.iter().enumerate() {
            known(&n, EntityKind::Stream, st, || format!("{p}.streams[{j}]"))?;
        }
        let first = g.streams.first().and_then(|st| n.stream_partitions(st));
        check_range(
            &format!("{p}.session_timeout_ms"),
            g.session_timeout_ms,
            1,
            MAX_TIME_MS,
        )?;
        if let Some(ms) = g.rebalance_timeout_ms {
            check_range(&format!("{p}.rebalance_timeout_ms"), ms, 1, MAX_TIME_MS)?;
        }
        if let Some(ms) = g.initial_rebalance_delay_ms {
            check_range(
                &format!("{p}.initial_rebalance_delay_ms"),
                ms,
                0,
                MAX_TIME_MS,
            )?;
        }
        if let Some(heartbeat) = g.heartbeat_interval_ms
            && (heartbeat == 0 || heartbeat >= g.session_timeout_ms)
        {
            return Err(err(
                format!("{p}.heartbeat_interval_ms"),
                format!(
                    "members heartbeat every {heartbeat} ms: that must be above 0 and below the \
                     session timeout ({} ms), or every member is evicted",
                    g.session_timeout_ms
                ),
            ));
        }
        n.groups.push((&g.name, first.unwrap_or(0)));
    }
    for (i, g) in t.share_groups.iter().enumerate() {
        check_share_group(&mut n, &format!("topology.share_groups[{i}]"), g)?;
    }
    for (i, pr) in s.producers.iter().enumerate() {
        check_producer(&mut n, &format!("producers[{i}]"), pr)?;
        if matches!(pr.keys, KeySpec::None) && compacted(t, &pr.target) {
            return Err(err(
                format!("producers[{i}].keys"),
                "a compacted stream takes only records with a key",
            ));
        }
    }
    for (i, step) in s.script.iter().enumerate() {
        if let Action::Publish { target, key, .. } = &step.action
            && key.as_deref().is_none_or(str::is_empty)
            && compacted(t, target)
        {
            return Err(err(
                format!("script[{i}].action.publish.key"),
                "a compacted stream takes only records with a key",
            ));
        }
    }
    for (i, c) in s.consumers.iter().enumerate() {
        let p = format!("consumers[{i}]");
        check_consumer(&n, &p, c, true)?;
        if !n.consumers.insert(c.name.clone()) {
            return Err(err(
                format!("{p}.name"),
                format!("duplicate consumer name \"{}\"", c.name),
            ));
        }
    }
    // The script runs in time order (ties in list order): names added by `add_consumer`
    // are known from then on.
    let mut order: Vec<usize> = (0..s.script.len()).collect();
    crate::sort::sort_by_key(&mut order, |&i| s.script[i].at_ms);
    for i in order {
        let step = &s.script[i];
        let p = format!("script[{i}]");
        check_time(&format!("{p}.at_ms"), step.at_ms, n.duration)?;
        check_action(&mut n, &format!("{p}.action"), &step.action)?;
    }
    Ok(())
}

/// Checks one action against the names known now; `add_consumer` adds its name.
pub(super) fn check_action_names(
    s: &Scenario,
    known_consumers: &[&str],
    action: &Action,
) -> Result<(), ScenarioError> {
    let mut n = Names {
        exchanges: by_insertion(s.topology.exchanges.iter().map(|x| x.name.as_str())),
        queues: by_insertion(s.topology.queues.iter().map(|q| q.name.as_str())),
        streams: s
            .topology
            .streams
            .iter()
            .map(|st| (st.name.as_str(), st.partitions))
            .collect(),
        groups: Vec::new(),
        share_groups: by_insertion(s.topology.share_groups.iter().map(|g| g.name.as_str())),
        producers: by_insertion(s.producers.iter().map(|p| p.name.as_str())),
        consumers: by_insertion(known_consumers.iter().map(|c| String::from(*c))),
        duration: MAX_TIME_MS,
    };
    for g in &s.topology.groups {
        let parts = g
            .streams
            .first()
            .and_then(|st| n.stream_partitions(st))
            .unwrap_or(0);
        n.groups.push((g.name.as_str(), parts));
    }
    check_action(&mut n, "action", action)
}

fn clip(s: &str) -> &str {
    let mut end = s.len().min(64);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// A topology binding: its exchange and queue are known, its key bounded.
fn check_binding(n: &Names<'_>, p: &str, b: &BindingSpec) -> Result<(), ScenarioError> {
    known(n, EntityKind::Exchange, &b.exchange, || {
        format!("{p}.exchange")
    })?;
    known(n, EntityKind::Queue, &b.queue, || format!("{p}.queue"))?;
    check_key(&format!("{p}.key"), &b.key)
}

/// A producer's target: what it names is known, a routing key is bounded.
fn check_target(n: &Names<'_>, p: &str, t: &TargetSpec) -> Result<(), ScenarioError> {
    let (kind, name) = target_name(t);
    known(n, kind, name, || p.into())?;
    check_routing_key(p, t)
}

fn check_routing_key(p: &str, t: &TargetSpec) -> Result<(), ScenarioError> {
    match t {
        TargetSpec::Exchange { routing_key, .. } => {
            check_key(&format!("{p}.routing_key"), routing_key)
        }
        TargetSpec::Queue(_) | TargetSpec::Stream(_) => Ok(()),
    }
}

fn check_producer<'a>(
    n: &mut Names<'a>,
    p: &str,
    pr: &'a ProducerSpec,
) -> Result<(), ScenarioError> {
    unique(&mut n.producers, &format!("{p}.name"), &pr.name, "producer")?;
    check_target(n, &format!("{p}.target"), &pr.target)?;
    check_range(
        &format!("{p}.rate_per_sec"),
        pr.rate_per_sec.into(),
        0,
        MAX_RATE_PER_SEC.into(),
    )?;
    check_time(&format!("{p}.start_ms"), pr.start_ms, n.duration)?;
    if let Some(stop) = pr.stop_ms {
        check_time(&format!("{p}.stop_ms"), stop, n.duration)?;
        if stop < pr.start_ms {
            return Err(err(format!("{p}.stop_ms"), "is before start_ms"));
        }
    }
    check_len(&format!("{p}.times_ms"), &pr.times_ms, MAX_LIST)?;
    for (j, &t) in pr.times_ms.iter().enumerate() {
        check_time(&format!("{p}.times_ms[{j}]"), t, n.duration)?;
    }
    check_len(&format!("{p}.bursts"), &pr.bursts, MAX_LIST)?;
    for (j, b) in pr.bursts.iter().enumerate() {
        check_time(&format!("{p}.bursts[{j}].at_ms"), b.at_ms, n.duration)?;
        check_range(
            &format!("{p}.bursts[{j}].count"),
            b.count.into(),
            1,
            MAX_BURST.into(),
        )?;
    }
    check_keys(&format!("{p}.keys"), &pr.keys)?;
    check_text(&format!("{p}.payload"), &pr.payload, MAX_TEXT_BYTES)
}

fn check_keys(p: &str, k: &KeySpec) -> Result<(), ScenarioError> {
    match k {
        KeySpec::None => Ok(()),
        KeySpec::Fixed(key) => check_text(p, key, MAX_NAME_BYTES),
        KeySpec::RoundRobin(keys) => {
            if keys.is_empty() {
                return Err(err(p, "round_robin needs at least one key"));
            }
            check_len(p, keys, MAX_LIST)?;
            for (j, key) in keys.iter().enumerate() {
                check_text(&format!("{p}.round_robin[{j}]"), key, MAX_NAME_BYTES)?;
            }
            Ok(())
        }
        KeySpec::Uniform { count, prefix } | KeySpec::Skewed { count, prefix } => {
            check_range(&format!("{p}.count"), (*count).into(), 1, MAX_KEYS.into())?;
            check_text(&format!("{p}.prefix"), prefix, MAX_NAME_BYTES - 8)
        }
    }
}

/// A share group: a unique name, known streams, settings in Kafka's ranges (a delivery limit
/// of 1 allowed) and a record-lock limit the broker accepts.
fn check_share_group<'a>(
    n: &mut Names<'a>,
    p: &str,
    g: &'a ShareGroupSpec,
) -> Result<(), ScenarioError> {
    unique(
        &mut n.share_groups,
        &format!("{p}.name"),
        &g.name,
        "share group",
    )?;
    if g.streams.is_empty() {
        return Err(err(format!("{p}.streams"), "a share group needs a stream"));
    }
    check_len(&format!("{p}.streams"), &g.streams, MAX_ENTITIES)?;
    for (j, st) in g.streams.iter().enumerate() {
        known(n, EntityKind::Stream, st, || format!("{p}.streams[{j}]"))?;
    }
    check_range(
        &format!("{p}.record_lock_duration_ms"),
        g.record_lock_duration_ms,
        1,
        MAX_TIME_MS,
    )?;
    check_range(
        &format!("{p}.delivery_count_limit"),
        g.delivery_count_limit.into(),
        1,
        MAX_SHARE_DELIVERY_COUNT_LIMIT.into(),
    )?;
    check_range(
        &format!("{p}.max_record_locks"),
        g.max_record_locks.into(),
        1,
        crate::Limits::default().max_share_record_locks.into(),
    )
}

fn check_consumer(
    n: &Names<'_>,
    p: &str,
    c: &ConsumerSpec,
    initial: bool,
) -> Result<(), ScenarioError> {
    check_name(&format!("{p}.name"), &c.name)?;
    let a = format!("{p}.attach");
    let (kind, name) = attach_name(&c.attach);
    known(n, kind, name, || a.clone())?;
    if let Attach::Subscription { key, capacity, .. } = &c.attach {
        check_key(&format!("{a}.key"), key)?;
        check_range(
            &format!("{a}.capacity"),
            (*capacity).into(),
            1,
            MAX_INBOX.into(),
        )?;
    }
    let pp = format!("{p}.processing");
    match c.processing {
        ProcessingSpec::Fixed(ms) => check_range(&pp, ms, 0, MAX_PROCESSING_MS)?,
        ProcessingSpec::Uniform { min_ms, max_ms } => {
            check_range(&format!("{pp}.max_ms"), max_ms, 0, MAX_PROCESSING_MS)?;
            check_range(&format!("{pp}.min_ms"), min_ms, 0, max_ms)?;
        }
        ProcessingSpec::Exponential { mean_ms } => {
            check_range(&format!("{pp}.mean_ms"), mean_ms, 0, MAX_PROCESSING_MS / 16)?;
        }
    }
    if let AckSpec::Every(k) = c.ack {
        check_range(&format!("{p}.ack.every"), k.into(), 1, MAX_PREFETCH.into())?;
    }
    check_range(
        &format!("{p}.prefetch"),
        c.prefetch.into(),
        0,
        MAX_PREFETCH.into(),
    )?;
    if let Some(instance) = &c.instance_id {
        let ip = format!("{p}.instance_id");
        check_name(&ip, instance)?;
        if !matches!(c.attach, Attach::Group(_)) {
            return Err(err(ip, "only a group member can be a static member"));
        }
    }
    if matches!(c.attach, Attach::ShareGroup(_))
        && matches!(c.ack, AckSpec::Every(_) | AckSpec::Manual)
    {
        return Err(err(
            format!("{p}.ack"),
            "a share-group member acknowledges each record: after_processing or auto",
        ));
    }
    if let Some(nack) = c.nack {
        check_range(
            &format!("{p}.nack.every"),
            nack.every.into(),
            2,
            u32::MAX.into(),
        )?;
    }
    if initial {
        check_time(&format!("{p}.start_ms"), c.start_ms, n.duration)?;
    }
    check_len(&format!("{p}.crashes"), &c.crashes, MAX_LIST)?;
    let mut free_from = if initial { c.start_ms } else { 0 };
    for (j, cr) in c.crashes.iter().enumerate() {
        let cp = format!("{p}.crashes[{j}]");
        check_time(&format!("{cp}.at_ms"), cr.at_ms, n.duration)?;
        if cr.at_ms < free_from {
            return Err(err(
                format!("{cp}.at_ms"),
                format!(
                    "{} is before the consumer is running again ({free_from})",
                    cr.at_ms
                ),
            ));
        }
        match cr.restart_at_ms {
            Some(r) => {
                check_time(&format!("{cp}.restart_at_ms"), r, n.duration)?;
                if r <= cr.at_ms {
                    return Err(err(
                        format!("{cp}.restart_at_ms"),
                        "must be after the crash",
                    ));
                }
                free_from = r;
            }
            None if j + 1 < c.crashes.len() => {
                return Err(err(
                    format!("{cp}.restart_at_ms"),
                    "missing: only the last crash may be permanent",
                ));
            }
            None => {}
        }
    }
    Ok(())
}

/// Whether `target` is a compacted stream of `t`.
fn compacted(t: &super::scenario::Topology, target: &TargetSpec) -> bool {
    matches!(target, TargetSpec::Stream(name)
        if t.streams.iter().any(|st| st.name == *name && st.cleanup == CleanupSpec::Compact))
}

/// Headers on a published message or a produced stream record: at most [`MAX_HEADERS`],
/// names non-empty, names and values bounded.
fn check_headers(p: &str, headers: &[(String, String)]) -> Result<(), ScenarioError> {
    check_len(p, headers, MAX_HEADERS)?;
    for (j, (name, value)) in headers.iter().enumerate() {
        if name.is_empty() {
            return Err(err(format!("{p}[{j}]"), "a header needs a name"));
        }
        check_key(&format!("{p}[{j}].name"), name)?;
        check_key(&format!("{p}[{j}].value"), value)?;
    }
    Ok(())
}

fn check_action(n: &mut Names<'_>, p: &str, a: &Action) -> Result<(), ScenarioError> {
    // The names the action refers to come first; an added consumer's attach target is
    // checked with the rest of the consumer, after its name.
    if !matches!(a, Action::AddConsumer(_)) {
        try_action_names(a, &mut |kind, name, field| {
            known(n, kind, name, || format!("{p}.{field}"))
        })?;
    }
    match a {
        Action::Publish {
            target,
            key,
            payload,
            count,
            headers,
        } => {
            check_routing_key(&format!("{p}.publish.target"), target)?;
            check_headers(&format!("{p}.publish.headers"), headers)?;
            if let Some(k) = key {
                check_text(&format!("{p}.publish.key"), k, MAX_NAME_BYTES)?;
            }
            check_text(&format!("{p}.publish.payload"), payload, MAX_TEXT_BYTES)?;
            check_range(
                &format!("{p}.publish.count"),
                (*count).into(),
                1,
                MAX_BURST.into(),
            )
        }
        Action::Crash { .. }
        | Action::Restart { .. }
        | Action::CancelCrashes { .. }
        | Action::RemoveConsumer { .. } => Ok(()),
        Action::AddConsumer(c) => {
            let cp = format!("{p}.add_consumer");
            check_consumer(n, &cp, c, false)?;
            if !c.crashes.is_empty() {
                return Err(err(
                    format!("{cp}.crashes"),
                    "script crashes with `crash` actions instead",
                ));
            }
            if n.consumers.len() >= MAX_ENTITIES {
                return Err(err(cp, format!("more than {MAX_ENTITIES} consumers")));
            }
            if !n.consumers.insert(c.name.clone()) {
                return Err(err(
                    format!("{cp}.name"),
                    format!("duplicate consumer name \"{}\"", c.name),
                ));
            }
            Ok(())
        }
        Action::Seek { partition, to, .. } => {
            if let Some(part) = partition {
                check_range(
                    &format!("{p}.seek.partition"),
                    (*part).into(),
                    0,
                    u64::from(MAX_PARTITIONS) - 1,
                )?;
            }
            if let SeekSpec::TimestampMs(t) = to {
                check_range(&format!("{p}.seek.to.timestamp_ms"), *t, 0, MAX_TIME_MS)?;
            }
            Ok(())
        }
        Action::Commit { offsets, .. } => {
            if let Some(o) = offsets {
                check_len(&format!("{p}.commit.offsets"), o, MAX_PARTITIONS as usize)?;
                for (j, off) in o.iter().enumerate() {
                    check_range(
                        &format!("{p}.commit.offsets[{j}].partition"),
                        off.partition.into(),
                        0,
                        u64::from(MAX_PARTITIONS) - 1,
                    )?;
                    check_range(
                        &format!("{p}.commit.offsets[{j}].offset"),
                        off.offset,
                        0,
                        MAX_TIME_MS * u64::from(MAX_RATE_PER_SEC),
                    )?;
                }
            }
            Ok(())
        }
        Action::Bind(b) => check_key(&format!("{p}.bind.key"), &b.key),
        Action::Unbind(b) => check_key(&format!("{p}.unbind.key"), &b.key),
        Action::SetRate { rate_per_sec, .. } => check_range(
            &format!("{p}.set_rate.rate_per_sec"),
            (*rate_per_sec).into(),
            0,
            MAX_RATE_PER_SEC.into(),
        ),
        Action::ResetOffsets {
            stream,
            partition,
            to,
            ..
        } => {
            if let Some(part) = partition {
                let pp = format!("{p}.reset_offsets.partition");
                if stream.is_none() {
                    return Err(err(pp, String::from("a partition needs its stream")));
                }
                check_range(&pp, (*part).into(), 0, u64::from(MAX_PARTITIONS) - 1)?;
            }
            let most = MAX_TIME_MS * u64::from(MAX_RATE_PER_SEC);
            match *to {
                ResetSpec::TimestampMs(t) => check_range(
                    &format!("{p}.reset_offsets.to.timestamp_ms"),
                    t,
                    0,
                    MAX_TIME_MS,
                ),
                ResetSpec::Offset(o) => {
                    check_range(&format!("{p}.reset_offsets.to.offset"), o, 0, most)
                }
                ResetSpec::ShiftBy(n) => check_range(
                    &format!("{p}.reset_offsets.to.shift_by"),
                    n.unsigned_abs(),
                    0,
                    most,
                ),
                ResetSpec::Earliest | ResetSpec::Latest => Ok(()),
            }
        }
        // Its group's name was checked above.
        Action::DeleteGroup { .. } => Ok(()),
        Action::AddPartitions { stream, count } => {
            let cp = format!("{p}.add_partitions.count");
            check_range(&cp, (*count).into(), 1, MAX_PARTITIONS.into())?;
            if let Some(s) = n.streams.iter_mut().find(|s| s.0 == stream.as_str()) {
                s.1 = s.1.saturating_add(*count);
                if s.1 > MAX_PARTITIONS {
                    return Err(err(
                        cp,
                        format!(
                            "the stream would have {} partitions; at most {MAX_PARTITIONS}",
                            s.1
                        ),
                    ));
                }
            }
            Ok(())
        }
    }
}
