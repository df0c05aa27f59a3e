//! Building a topology: edits to the scenario (add, connect, replace a spec, delete), each
//! checked as a whole before it is taken. An edit that would leave an invalid scenario is
//! refused with the reason, and the scenario stays as it was.
// The viewer build (embeds) refuses edits before they get here.
#![cfg_attr(not(feature = "editor"), allow(dead_code))]

use brokerlab::sim::references::{self, EntityKind, Site};
use brokerlab::sim::{self, Scenario};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::Entity;

/// What the palette adds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewKind {
    /// A producer (sends to the first queue, exchange or stream).
    Producer,
    /// An exchange of this type.
    Exchange(sim::ExchangeKindSpec),
    /// A queue.
    Queue,
    /// A pub/sub subscriber on the first exchange.
    Subscriber,
    /// A stream with three partitions.
    Stream,
    /// A consumer on the first queue or stream.
    Consumer,
    /// A consumer group on the first stream, with one member.
    Group,
    /// A share group on the first stream with Kafka's defaults, with one member.
    ShareGroup,
}

impl NewKind {
    /// The word used in names and on the palette.
    #[must_use]
    pub fn word(self) -> &'static str {
        match self {
            NewKind::Producer => "producer",
            NewKind::Exchange(_) => "exchange",
            NewKind::Queue => "queue",
            NewKind::Subscriber => "subscriber",
            NewKind::Stream => "stream",
            NewKind::Consumer => "consumer",
            NewKind::Group => "group",
            NewKind::ShareGroup => "share group",
        }
    }
}

/// One change to the scenario.
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    /// Add something with a fresh name.
    Add(NewKind),
    /// Connect `from` to `to` (the binding or subscription key is `key`).
    Connect {
        /// Where the arrow starts.
        from: Entity,
        /// Where it ends.
        to: Entity,
        /// A binding key (exchange → queue) or subscription key (exchange → consumer).
        key: String,
    },
    /// Replace an entity's spec with this JSON (its own format in the scenario).
    Replace {
        /// What is edited.
        entity: Entity,
        /// The new spec.
        json: String,
    },
    /// Delete an entity and what only makes sense with it.
    Delete(Entity),
}

/// The scenario after `edit`, validated; or why the edit is refused.
///
/// # Errors
/// In words: an edit that does not apply, or one that leaves an invalid scenario (with the
/// field's path), or a topic pattern with an empty word, or a binding that cannot route.
pub(super) fn apply(
    scenario: &Scenario,
    edit: &Edit,
) -> Result<(Scenario, Option<Entity>), String> {
    let mut s = scenario.clone();
    let made = match edit {
        Edit::Add(kind) => Some(add(&mut s, *kind)?),
        Edit::Connect { from, to, key } => {
            connect(&mut s, from, to, key)?;
            None
        }
        Edit::Replace { entity, json } => Some(replace(&mut s, entity, json)?),
        Edit::Delete(entity) => {
            delete(&mut s, entity);
            None
        }
    };
    check(&s)?;
    Ok((s, made))
}

/// Whether connecting `from` to `to` takes a key: a binding to a direct or topic exchange's
/// queue or subscriber, or a producer's routing key on such an exchange.
#[must_use]
pub(super) fn takes_key(s: &Scenario, from: &Entity, to: &Entity) -> bool {
    let keyed = |x: &str| {
        s.topology
            .exchanges
            .iter()
            .any(|e| e.name == x && e.kind != sim::ExchangeKindSpec::Fanout)
    };
    match (from, to) {
        (Entity::Exchange(x), Entity::Queue(_) | Entity::Consumer(_) | Entity::Subscription(_))
        | (Entity::Producer(_), Entity::Exchange(x)) => keyed(x),
        _ => false,
    }
}

/// The JSON of `entity`'s spec, for editing.
#[must_use]
pub fn spec_json(s: &Scenario, entity: &Entity) -> Option<String> {
    fn pretty<T: Serialize>(v: &T) -> Option<String> {
        serde_json::to_string_pretty(v).ok()
    }
    let t = &s.topology;
    match entity {
        Entity::Producer(n) => pretty(s.producers.iter().find(|p| p.name == *n)?),
        Entity::Exchange(n) => pretty(t.exchanges.iter().find(|x| x.name == *n)?),
        Entity::Queue(n) => pretty(t.queues.iter().find(|q| q.name == *n)?),
        Entity::Stream(n) => {
            // The cleanup policy is left out of the scenario's JSON when it is the default;
            // the editor shows it so that `"compact"` is one word away.
            let mut v = serde_json::to_value(t.streams.iter().find(|x| x.name == *n)?).ok()?;
            if let Some(o) = v.as_object_mut() {
                o.entry("cleanup").or_insert_with(|| "delete".into());
            }
            pretty(&v)
        }
        Entity::Group(n) => pretty(t.groups.iter().find(|g| g.name == *n)?),
        Entity::ShareGroup(n) => pretty(t.share_groups.iter().find(|g| g.name == *n)?),
        Entity::Consumer(n) | Entity::Subscription(n) => {
            pretty(s.consumers.iter().find(|c| c.name == *n)?)
        }
    }
}

/// Whole-scenario checks: the core's validation, then what the editor refuses besides.
fn check(s: &Scenario) -> Result<(), String> {
    s.validate().map_err(|e| e.to_string())?;
    let t = &s.topology;
    for b in &t.bindings {
        let kind = t
            .exchanges
            .iter()
            .find(|x| x.name == b.exchange)
            .map(|x| x.kind);
        if kind == Some(sim::ExchangeKindSpec::Topic) && has_empty_word(&b.key) {
            return Err(format!(
                "the topic pattern \u{201c}{}\u{201d} has an empty word: words are separated by \
                 single dots; use * for exactly one word and # for any number",
                b.key
            ));
        }
        if kind == Some(sim::ExchangeKindSpec::Fanout) && !b.key.is_empty() {
            return Err(format!(
                "{} is a fanout exchange: it ignores binding keys, so \u{201c}{}\u{201d} would \
                 mean nothing; leave the key empty",
                b.exchange, b.key
            ));
        }
        let same = t
            .bindings
            .iter()
            .filter(|o| o.exchange == b.exchange && o.queue == b.queue && o.key == b.key)
            .count();
        if same > 1 {
            return Err(format!(
                "{} is already bound to {} with this key",
                b.queue, b.exchange
            ));
        }
    }
    for q in &t.queues {
        if q.dead_letter_queue.as_deref() == Some(q.name.as_str()) {
            return Err(format!("{} cannot be its own dead-letter queue", q.name));
        }
        if q.max_length == Some(0) {
            return Err(format!(
                "{}: a max length of 0 keeps nothing; leave it empty for no limit",
                q.name
            ));
        }
    }
    for c in &s.consumers {
        if c.prefetch == 0 {
            return Err(format!("{}: a prefetch of 0 would never receive", c.name));
        }
    }
    // Last, what only setting the broker up finds.
    sim::Simulation::new(s)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

fn has_empty_word(pattern: &str) -> bool {
    !pattern.is_empty() && pattern.split('.').any(str::is_empty)
}

/// Every name in use (all kinds share one space, so a link or a log is never ambiguous).
fn names(s: &Scenario) -> Vec<&str> {
    let t = &s.topology;
    t.exchanges
        .iter()
        .map(|x| x.name.as_str())
        .chain(t.queues.iter().map(|q| q.name.as_str()))
        .chain(t.streams.iter().map(|x| x.name.as_str()))
        .chain(t.groups.iter().map(|g| g.name.as_str()))
        .chain(t.share_groups.iter().map(|g| g.name.as_str()))
        .chain(s.producers.iter().map(|p| p.name.as_str()))
        .chain(s.consumers.iter().map(|c| c.name.as_str()))
        .collect()
}

fn fresh_name(s: &Scenario, word: &str) -> String {
    let taken = names(s);
    (1..)
        .map(|n| format!("{word}-{n}"))
        .find(|n| !taken.contains(&n.as_str()))
        .unwrap_or_default()
}

fn first_target(s: &Scenario) -> Option<sim::TargetSpec> {
    let t = &s.topology;
    t.exchanges
        .first()
        .map(|x| sim::TargetSpec::Exchange {
            exchange: x.name.clone(),
            routing_key: String::new(),
        })
        .or_else(|| {
            t.queues
                .first()
                .map(|q| sim::TargetSpec::Queue(q.name.clone()))
        })
        .or_else(|| {
            t.streams
                .first()
                .map(|x| sim::TargetSpec::Stream(x.name.clone()))
        })
}

fn consumer(name: String, attach: sim::Attach) -> sim::ConsumerSpec {
    sim::ConsumerSpec {
        name,
        attach,
        processing: sim::ProcessingSpec::Fixed(100),
        ack: sim::AckSpec::default(),
        prefetch: 1,
        start_ms: 0,
        crashes: Vec::new(),
        nack: None,
        instance_id: None,
    }
}

fn add(s: &mut Scenario, kind: NewKind) -> Result<Entity, String> {
    // Names are one word: "share group" names its groups share-group-1, share-group-2, …
    let name = fresh_name(s, &kind.word().replace(' ', "-"));
    let t = &mut s.topology;
    let need = |what: &str| format!("add {what} first: a {} needs one", kind.word());
    Ok(match kind {
        NewKind::Producer => {
            let target = first_target(s).ok_or_else(|| need("a queue, an exchange or a stream"))?;
            s.producers.push(sim::ProducerSpec {
                name: name.clone(),
                target,
                rate_per_sec: 2,
                arrival: sim::ArrivalSpec::default(),
                start_ms: 0,
                stop_ms: None,
                times_ms: Vec::new(),
                bursts: Vec::new(),
                keys: sim::KeySpec::default(),
                payload: "{producer} {n}".to_owned(),
            });
            Entity::Producer(name)
        }
        NewKind::Exchange(k) => {
            t.exchanges.push(sim::ExchangeSpec {
                name: name.clone(),
                kind: k,
            });
            Entity::Exchange(name)
        }
        NewKind::Queue => {
            t.queues.push(sim::QueueSpec {
                name: name.clone(),
                ..sim::QueueSpec::default()
            });
            Entity::Queue(name)
        }
        NewKind::Stream => {
            t.streams.push(sim::StreamSpec {
                name: name.clone(),
                partitions: 3,
                retention: sim::RetentionSpec::default(),
                keyless: sim::KeylessSpec::default(),
                cleanup: sim::CleanupSpec::default(),
                tombstone_retention_ms: None,
            });
            Entity::Stream(name)
        }
        NewKind::Group | NewKind::ShareGroup => {
            let stream = t
                .streams
                .first()
                .ok_or_else(|| need("a stream"))?
                .name
                .clone();
            let member = fresh_name(s, &name);
            let (attach, made) = if kind == NewKind::Group {
                (s.topology.groups).push(sim::GroupSpec::new(name.clone(), vec![stream]));
                (sim::Attach::Group(name.clone()), Entity::Group(name))
            } else {
                (s.topology.share_groups)
                    .push(sim::ShareGroupSpec::new(name.clone(), vec![stream]));
                (
                    sim::Attach::ShareGroup(name.clone()),
                    Entity::ShareGroup(name),
                )
            };
            s.consumers.push(consumer(member, attach));
            made
        }
        NewKind::Subscriber => {
            let exchange = t
                .exchanges
                .first()
                .ok_or_else(|| need("an exchange"))?
                .name
                .clone();
            s.consumers.push(consumer(
                name.clone(),
                sim::Attach::Subscription {
                    exchange,
                    key: String::new(),
                    capacity: 64,
                },
            ));
            Entity::Consumer(name)
        }
        NewKind::Consumer => {
            let attach = t
                .queues
                .first()
                .map(|q| sim::Attach::Queue(q.name.clone()))
                .or_else(|| {
                    t.streams.first().map(|x| sim::Attach::Stream {
                        stream: x.name.clone(),
                        auto_offset_reset: sim::OffsetResetSpec::default(),
                    })
                })
                .ok_or_else(|| need("a queue or a stream"))?;
            s.consumers.push(consumer(name.clone(), attach));
            Entity::Consumer(name)
        }
    })
}

/// The scenario's consumer behind a canvas consumer or subscription.
fn consumer_mut<'a>(s: &'a mut Scenario, name: &str) -> Option<&'a mut sim::ConsumerSpec> {
    s.consumers.iter_mut().find(|c| c.name == name)
}

/// Adds stream `x` to the streams group `g` reads, unless it reads it already.
fn read_too(streams: &mut Vec<String>, g: &str, x: &str) -> Result<(), String> {
    if streams.iter().any(|s| s == x) {
        return Err(format!("{g} already reads {x}"));
    }
    streams.push(x.to_owned());
    Ok(())
}

fn connect(s: &mut Scenario, from: &Entity, to: &Entity, key: &str) -> Result<(), String> {
    use Entity as E;
    let key = key.trim().to_owned();
    match (from, to) {
        (E::Producer(p), E::Queue(_) | E::Exchange(_) | E::Stream(_)) => {
            let target = match to {
                E::Queue(q) => sim::TargetSpec::Queue(q.clone()),
                E::Exchange(x) => sim::TargetSpec::Exchange {
                    exchange: x.clone(),
                    routing_key: key,
                },
                E::Stream(x) => sim::TargetSpec::Stream(x.clone()),
                _ => unreachable!("matched above"),
            };
            let p = s.producers.iter_mut().find(|x| x.name == *p);
            p.ok_or("no such producer")?.target = target;
        }
        (E::Exchange(x), E::Queue(q)) => s.topology.bindings.push(sim::BindingSpec {
            exchange: x.clone(),
            queue: q.clone(),
            key,
        }),
        (E::Exchange(x), E::Consumer(c) | E::Subscription(c)) => {
            let capacity = 64;
            consumer_mut(s, c).ok_or("no such consumer")?.attach = sim::Attach::Subscription {
                exchange: x.clone(),
                key,
                capacity,
            };
        }
        (E::Queue(q), E::Consumer(c)) => {
            consumer_mut(s, c).ok_or("no such consumer")?.attach = sim::Attach::Queue(q.clone());
        }
        (E::Queue(q), E::Queue(d)) => {
            let queue = s.topology.queues.iter_mut().find(|x| x.name == *q);
            queue.ok_or("no such queue")?.dead_letter_queue = Some(d.clone());
        }
        (E::Stream(x), E::Consumer(c)) => {
            consumer_mut(s, c).ok_or("no such consumer")?.attach = sim::Attach::Stream {
                stream: x.clone(),
                auto_offset_reset: sim::OffsetResetSpec::default(),
            };
        }
        (E::Stream(x), E::Group(g)) => {
            let group = s.topology.groups.iter_mut().find(|y| y.name == *g);
            read_too(&mut group.ok_or("no such group")?.streams, g, x)?;
        }
        (E::Group(g), E::Consumer(c)) | (E::Consumer(c), E::Group(g)) => {
            consumer_mut(s, c).ok_or("no such consumer")?.attach = sim::Attach::Group(g.clone());
        }
        (E::Stream(x), E::ShareGroup(g)) => {
            let group = s.topology.share_groups.iter_mut().find(|y| y.name == *g);
            read_too(&mut group.ok_or("no such share group")?.streams, g, x)?;
        }
        (E::ShareGroup(g), E::Consumer(c)) | (E::Consumer(c), E::ShareGroup(g)) => {
            consumer_mut(s, c).ok_or("no such consumer")?.attach =
                sim::Attach::ShareGroup(g.clone());
        }
        _ => {
            let (a, _) = from.parts();
            let (b, _) = to.parts();
            return Err(format!(
                "a {a} cannot connect to a {b}: connect producers to queues, exchanges or \
                 streams; exchanges to queues or subscribers; queues, streams, groups or share \
                 groups to consumers; a queue to its dead-letter queue; a stream to a group or \
                 a share group"
            ));
        }
    }
    Ok(())
}

fn parse<T: DeserializeOwned>(json: &str) -> Result<T, String> {
    serde_json::from_str(json).map_err(|e| format!("not a valid spec: {e}"))
}

/// Replaces the spec named `name` in `list` with the one `json` holds; its new name.
fn swap<T: DeserializeOwned>(
    list: &mut [T],
    name: &str,
    name_of: fn(&T) -> &String,
    json: &str,
) -> Result<String, String> {
    let i = list
        .iter()
        .position(|x| name_of(x) == name)
        .ok_or("it no longer exists")?;
    list[i] = parse(json)?;
    Ok(name_of(&list[i]).clone())
}

fn replace(s: &mut Scenario, entity: &Entity, json: &str) -> Result<Entity, String> {
    let t = &mut s.topology;
    let old = entity.name();
    let (new, made): (String, fn(String) -> Entity) = match entity {
        Entity::Producer(_) => (
            swap(&mut s.producers, old, |p| &p.name, json)?,
            Entity::Producer,
        ),
        Entity::Exchange(_) => (
            swap(&mut t.exchanges, old, |x| &x.name, json)?,
            Entity::Exchange,
        ),
        Entity::Queue(_) => (swap(&mut t.queues, old, |q| &q.name, json)?, Entity::Queue),
        Entity::Stream(_) => (
            swap(&mut t.streams, old, |x| &x.name, json)?,
            Entity::Stream,
        ),
        Entity::Group(_) => (swap(&mut t.groups, old, |g| &g.name, json)?, Entity::Group),
        Entity::ShareGroup(_) => (
            swap(&mut t.share_groups, old, |g| &g.name, json)?,
            Entity::ShareGroup,
        ),
        Entity::Consumer(_) | Entity::Subscription(_) => (
            swap(&mut s.consumers, old, |c| &c.name, json)?,
            Entity::Consumer,
        ),
    };
    // The scenario's references follow the new name (the script's too).
    references::rename(s, kind_of(entity), old, &new);
    Ok(made(new))
}

/// The kind of scenario entity behind a canvas entity.
fn kind_of(entity: &Entity) -> EntityKind {
    match entity {
        Entity::Producer(_) => EntityKind::Producer,
        Entity::Exchange(_) => EntityKind::Exchange,
        Entity::Queue(_) => EntityKind::Queue,
        Entity::Stream(_) => EntityKind::Stream,
        Entity::Group(_) => EntityKind::Group,
        Entity::ShareGroup(_) => EntityKind::ShareGroup,
        Entity::Consumer(_) | Entity::Subscription(_) => EntityKind::Consumer,
    }
}

fn delete(s: &mut Scenario, entity: &Entity) {
    remove_with_dependents(s, kind_of(entity), entity.name());
    // Scripted actions about what is gone would no longer validate.
    let added: Vec<String> = s
        .script
        .iter()
        .filter_map(|step| match &step.action {
            sim::Action::AddConsumer(c) => Some(c.name.clone()),
            _ => None,
        })
        .collect();
    let t = &s.topology;
    let declared = |kind: EntityKind, name: &str| match kind {
        EntityKind::Exchange => t.exchanges.iter().any(|x| x.name == name),
        EntityKind::Queue => t.queues.iter().any(|q| q.name == name),
        EntityKind::Stream => t.streams.iter().any(|x| x.name == name),
        EntityKind::Group => t.groups.iter().any(|g| g.name == name),
        EntityKind::ShareGroup => t.share_groups.iter().any(|g| g.name == name),
        EntityKind::Producer => s.producers.iter().any(|p| p.name == name),
        EntityKind::Consumer => {
            s.consumers.iter().any(|c| c.name == name) || added.iter().any(|c| c == name)
        }
    };
    let keep: Vec<bool> = s
        .script
        .iter()
        .map(|step| {
            script_names(&step.action)
                .into_iter()
                .all(|(kind, name)| declared(kind, name))
        })
        .collect();
    let mut i = 0;
    s.script.retain(|_| {
        i += 1;
        keep[i - 1]
    });
}

/// Removes the `kind` named `name` and what only makes sense with it, found by
/// [`references::dependents_of`]: the bindings, producers and consumers that refer to it, its
/// place in groups (a group left without a stream goes too, with its members) and dead-letter
/// settings naming it (cleared, the queue stays). Script steps are left to the caller.
fn remove_with_dependents(s: &mut Scenario, kind: EntityKind, name: &str) {
    let mut bindings = Vec::new();
    let mut group_streams = Vec::new();
    let mut share_streams = Vec::new();
    let mut producers = Vec::new();
    let mut consumers = Vec::new();
    for site in references::dependents_of(s, kind, name) {
        match site {
            Site::DeadLetterQueue(i) => s.topology.queues[i].dead_letter_queue = None,
            Site::BindingExchange(i) | Site::BindingQueue(i) => bindings.push(i),
            Site::GroupStream(g, j) => group_streams.push((g, j)),
            Site::ShareGroupStream(g, j) => share_streams.push((g, j)),
            Site::ProducerTarget(i) => producers.push(i),
            Site::ConsumerAttach(i) => consumers.push(i),
            Site::Script(..) => {}
        }
    }
    let t = &mut s.topology;
    drop_at(&mut t.bindings, &bindings);
    drop_at(&mut s.producers, &producers);
    drop_at(&mut s.consumers, &consumers);
    // Visited in order, so removing from the last keeps the earlier indices right.
    for &(g, j) in group_streams.iter().rev() {
        t.groups[g].streams.remove(j);
    }
    for &(g, j) in share_streams.iter().rev() {
        t.share_groups[g].streams.remove(j);
    }
    let mut share_orphans: Vec<String> = share_streams
        .iter()
        .map(|&(g, _)| &t.share_groups[g])
        .filter(|g| g.streams.is_empty())
        .map(|g| g.name.clone())
        .collect();
    share_orphans.dedup();
    let mut orphans: Vec<String> = group_streams
        .iter()
        .map(|&(g, _)| &t.groups[g])
        .filter(|g| g.streams.is_empty())
        .map(|g| g.name.clone())
        .collect();
    orphans.dedup();
    match kind {
        EntityKind::Exchange => t.exchanges.retain(|x| x.name != name),
        EntityKind::Queue => t.queues.retain(|q| q.name != name),
        EntityKind::Stream => t.streams.retain(|x| x.name != name),
        EntityKind::Group => t.groups.retain(|g| g.name != name),
        EntityKind::ShareGroup => t.share_groups.retain(|g| g.name != name),
        EntityKind::Producer => s.producers.retain(|p| p.name != name),
        EntityKind::Consumer => s.consumers.retain(|c| c.name != name),
    }
    for group in orphans {
        remove_with_dependents(s, EntityKind::Group, &group);
    }
    for group in share_orphans {
        remove_with_dependents(s, EntityKind::ShareGroup, &group);
    }
}

/// Removes the items at `indices` (ascending) from `list`.
fn drop_at<T>(list: &mut Vec<T>, indices: &[usize]) {
    let mut i = 0;
    list.retain(|_| {
        let keep = indices.binary_search(&i).is_err();
        i += 1;
        keep
    });
}

/// The names a scripted action refers to, with their kinds (an added consumer: what it
/// attaches to).
fn script_names(a: &sim::Action) -> Vec<(EntityKind, &str)> {
    let mut names = Vec::new();
    references::visit_action_names(a, |kind, name, _| names.push((kind, name)));
    names
}

#[cfg(test)]
#[path = "edit_tests.rs"]
mod tests;
