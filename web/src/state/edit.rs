//! Building a topology: edits to the scenario (add, connect, replace a spec, delete), each
//! checked as a whole before it is taken. An edit that would leave an invalid scenario is
//! refused with the reason, and the scenario stays as it was.
// The viewer build (embeds) refuses edits before they get here.
#![cfg_attr(not(feature = "editor"), allow(dead_code))]

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
        Entity::Stream(n) => pretty(t.streams.iter().find(|x| x.name == *n)?),
        Entity::Group(n) => pretty(t.groups.iter().find(|g| g.name == *n)?),
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
    }
}

fn add(s: &mut Scenario, kind: NewKind) -> Result<Entity, String> {
    let name = fresh_name(s, kind.word());
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
            });
            Entity::Stream(name)
        }
        NewKind::Group => {
            let stream = t
                .streams
                .first()
                .ok_or_else(|| need("a stream"))?
                .name
                .clone();
            t.groups.push(sim::GroupSpec {
                name: name.clone(),
                streams: vec![stream],
                assignor: sim::AssignorSpec::default(),
                session_timeout_ms: 10_000,
                auto_offset_reset: sim::OffsetResetSpec::default(),
            });
            let member = fresh_name(s, &name);
            s.consumers
                .push(consumer(member, sim::Attach::Group(name.clone())));
            Entity::Group(name)
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
            let group = group.ok_or("no such group")?;
            if group.streams.contains(x) {
                return Err(format!("{g} already reads {x}"));
            }
            group.streams.push(x.clone());
        }
        (E::Group(g), E::Consumer(c)) | (E::Consumer(c), E::Group(g)) => {
            consumer_mut(s, c).ok_or("no such consumer")?.attach = sim::Attach::Group(g.clone());
        }
        _ => {
            let (a, _) = from.parts();
            let (b, _) = to.parts();
            return Err(format!(
                "a {a} cannot connect to a {b}: connect producers to queues, exchanges or \
                 streams; exchanges to queues or subscribers; queues, streams or groups to \
                 consumers; a queue to its dead-letter queue; a stream to a group"
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
        Entity::Consumer(_) | Entity::Subscription(_) => (
            swap(&mut s.consumers, old, |c| &c.name, json)?,
            Entity::Consumer,
        ),
    };
    rename(s, old, &new);
    Ok(made(new))
}

/// Follows a rename everywhere the old name was referred to.
fn rename(s: &mut Scenario, old: &str, new: &str) {
    if old == new {
        return;
    }
    let fix = |n: &mut String| {
        if n == old {
            new.clone_into(n);
        }
    };
    let t = &mut s.topology;
    for b in &mut t.bindings {
        fix(&mut b.exchange);
        fix(&mut b.queue);
    }
    for q in &mut t.queues {
        if let Some(d) = &mut q.dead_letter_queue {
            fix(d);
        }
    }
    for g in &mut t.groups {
        g.streams.iter_mut().for_each(fix);
    }
    for p in &mut s.producers {
        match &mut p.target {
            sim::TargetSpec::Queue(n) | sim::TargetSpec::Stream(n) => fix(n),
            sim::TargetSpec::Exchange { exchange, .. } => fix(exchange),
        }
    }
    for c in &mut s.consumers {
        match &mut c.attach {
            sim::Attach::Queue(n) | sim::Attach::Group(n) => fix(n),
            sim::Attach::Subscription { exchange, .. } => fix(exchange),
            sim::Attach::Stream { stream, .. } => fix(stream),
        }
    }
}

fn delete(s: &mut Scenario, entity: &Entity) {
    let name = entity.name().to_owned();
    let t = &mut s.topology;
    match entity {
        Entity::Producer(_) => s.producers.retain(|p| p.name != name),
        Entity::Consumer(_) | Entity::Subscription(_) => s.consumers.retain(|c| c.name != name),
        Entity::Exchange(_) => {
            t.exchanges.retain(|x| x.name != name);
            t.bindings.retain(|b| b.exchange != name);
            s.producers.retain(|p| !matches!(&p.target, sim::TargetSpec::Exchange { exchange, .. } if *exchange == name));
            s.consumers.retain(|c| !matches!(&c.attach, sim::Attach::Subscription { exchange, .. } if *exchange == name));
        }
        Entity::Queue(_) => {
            t.queues.retain(|q| q.name != name);
            t.bindings.retain(|b| b.queue != name);
            for q in &mut t.queues {
                if q.dead_letter_queue.as_deref() == Some(name.as_str()) {
                    q.dead_letter_queue = None;
                }
            }
            s.producers
                .retain(|p| !matches!(&p.target, sim::TargetSpec::Queue(q) if *q == name));
            s.consumers
                .retain(|c| !matches!(&c.attach, sim::Attach::Queue(q) if *q == name));
        }
        Entity::Stream(_) => {
            t.streams.retain(|x| x.name != name);
            for g in &mut t.groups {
                g.streams.retain(|x| *x != name);
            }
            let orphans: Vec<String> = t
                .groups
                .iter()
                .filter(|g| g.streams.is_empty())
                .map(|g| g.name.clone())
                .collect();
            t.groups.retain(|g| !g.streams.is_empty());
            s.producers
                .retain(|p| !matches!(&p.target, sim::TargetSpec::Stream(x) if *x == name));
            s.consumers.retain(|c| match &c.attach {
                sim::Attach::Stream { stream, .. } => *stream != name,
                sim::Attach::Group(g) => !orphans.contains(g),
                _ => true,
            });
        }
        Entity::Group(_) => {
            t.groups.retain(|g| g.name != name);
            s.consumers
                .retain(|c| !matches!(&c.attach, sim::Attach::Group(g) if *g == name));
        }
    }
    // Scripted actions about what is gone would no longer validate.
    let mut known: Vec<String> = names(s).into_iter().map(str::to_owned).collect();
    known.extend(s.script.iter().filter_map(|step| match &step.action {
        sim::Action::AddConsumer(c) => Some(c.name.clone()),
        _ => None,
    }));
    s.script
        .retain(|step| script_names(&step.action).iter().all(|n| known.contains(n)));
}

/// The names a scripted action refers to (an added consumer: what it attaches to).
fn script_names(a: &sim::Action) -> Vec<String> {
    match a {
        sim::Action::Publish { target, .. } => vec![match target {
            sim::TargetSpec::Queue(n) | sim::TargetSpec::Stream(n) => n.clone(),
            sim::TargetSpec::Exchange { exchange, .. } => exchange.clone(),
        }],
        sim::Action::Crash { consumer }
        | sim::Action::Restart { consumer }
        | sim::Action::RemoveConsumer { consumer }
        | sim::Action::Seek { consumer, .. }
        | sim::Action::Commit { consumer, .. } => vec![consumer.clone()],
        sim::Action::AddConsumer(c) => match &c.attach {
            sim::Attach::Queue(n) | sim::Attach::Group(n) => vec![n.clone()],
            sim::Attach::Subscription { exchange, .. } => vec![exchange.clone()],
            sim::Attach::Stream { stream, .. } => vec![stream.clone()],
        },
        sim::Action::Bind(b) | sim::Action::Unbind(b) => vec![b.exchange.clone(), b.queue.clone()],
        sim::Action::SetRate { producer, .. } => vec![producer.clone()],
    }
}
