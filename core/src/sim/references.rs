//! Scenario cross-references: every place a [`Scenario`] names another entity, with the kind
//! of entity named and where the name sits.
//!
//! A scenario refers to entities by name: a producer's target exchange, queue or stream,
//! bindings' exchange and queue, consumers' attach targets, dead-letter queues, groups' and
//! share groups' streams, and script actions naming consumers, producers, exchanges, queues and streams.
//! [`visit_names`] walks them all, in one fixed order (dead-letter queues, bindings, groups'
//! streams, share groups' streams, producers, consumers, then the script in list order); [`visit_names_mut`] walks
//! the same places with the names writable. Both come from one definition, so they never
//! disagree. On top of them:
//!
//! - [`rename`]: an entity and every reference to it get a new name;
//! - [`dependents_of`]: where an entity is referred to (what breaks if it goes).
//!
//! A [`Site`] displays as the path [`Scenario::validate`] uses in its errors
//! (`consumers[2].attach`, `script[4].action.crash.consumer`), and the validator checks these
//! same references: an unknown name is reported at its site's path.
//!
//! Names live in one space per kind: a queue and a stream may share a name, and
//! [`rename`] or [`dependents_of`] on one leaves the other alone.

use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;
use core::convert::Infallible;
use core::fmt;

use super::scenario::{Action, Attach, Scenario, TargetSpec};

/// The kind of entity a name refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EntityKind {
    /// An exchange (`topology.exchanges`).
    Exchange,
    /// A queue (`topology.queues`).
    Queue,
    /// A stream (`topology.streams`).
    Stream,
    /// A consumer group (`topology.groups`).
    Group,
    /// A share group (`topology.share_groups`).
    ShareGroup,
    /// A producer (`producers`).
    Producer,
    /// A consumer (`consumers`, or added by the script's `add_consumer`).
    Consumer,
}

impl EntityKind {
    /// Every kind, in declaration order.
    pub const ALL: [EntityKind; 7] = [
        EntityKind::Exchange,
        EntityKind::Queue,
        EntityKind::Stream,
        EntityKind::Group,
        EntityKind::ShareGroup,
        EntityKind::Producer,
        EntityKind::Consumer,
    ];

    /// The kind as a word (`"queue"`), as in `unknown queue "emial"`.
    #[must_use]
    pub fn word(self) -> &'static str {
        match self {
            EntityKind::Exchange => "exchange",
            EntityKind::Queue => "queue",
            EntityKind::Stream => "stream",
            EntityKind::Group => "group",
            EntityKind::ShareGroup => "share group",
            EntityKind::Producer => "producer",
            EntityKind::Consumer => "consumer",
        }
    }
}

impl fmt::Display for EntityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

/// Where a reference sits in a scenario; the indices are positions in the scenario's lists.
/// Displayed as the validator's error path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Site {
    /// `topology.queues[i].dead_letter_queue` (a queue).
    DeadLetterQueue(usize),
    /// `topology.bindings[i].exchange`.
    BindingExchange(usize),
    /// `topology.bindings[i].queue`.
    BindingQueue(usize),
    /// `topology.groups[i].streams[j]`.
    GroupStream(usize, usize),
    /// `topology.share_groups[i].streams[j]`.
    ShareGroupStream(usize, usize),
    /// `producers[i].target` (an exchange, queue or stream).
    ProducerTarget(usize),
    /// `consumers[i].attach` (a queue, a subscription's exchange, a stream or a group).
    ConsumerAttach(usize),
    /// `script[i].action.…`: a name in the action of script step `i`.
    Script(usize, ActionField),
}

impl fmt::Display for Site {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Site::DeadLetterQueue(i) => write!(f, "topology.queues[{i}].dead_letter_queue"),
            Site::BindingExchange(i) => write!(f, "topology.bindings[{i}].exchange"),
            Site::BindingQueue(i) => write!(f, "topology.bindings[{i}].queue"),
            Site::GroupStream(i, j) => write!(f, "topology.groups[{i}].streams[{j}]"),
            Site::ShareGroupStream(i, j) => {
                write!(f, "topology.share_groups[{i}].streams[{j}]")
            }
            Site::ProducerTarget(i) => write!(f, "producers[{i}].target"),
            Site::ConsumerAttach(i) => write!(f, "consumers[{i}].attach"),
            Site::Script(i, field) => write!(f, "script[{i}].action.{field}"),
        }
    }
}

/// Where a name sits in an [`Action`]. Displayed as the path below the action
/// (`crash.consumer`, `bind.exchange`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ActionField {
    /// `publish.target` (an exchange, queue or stream).
    PublishTarget,
    /// `crash.consumer`.
    CrashConsumer,
    /// `restart.consumer`.
    RestartConsumer,
    /// `cancel_crashes.consumer`.
    CancelCrashesConsumer,
    /// `add_consumer.attach`: what the added consumer attaches to.
    AddConsumerAttach,
    /// `remove_consumer.consumer`.
    RemoveConsumer,
    /// `seek.consumer`.
    SeekConsumer,
    /// `commit.consumer`.
    CommitConsumer,
    /// `bind.exchange`.
    BindExchange,
    /// `bind.queue`.
    BindQueue,
    /// `unbind.exchange`.
    UnbindExchange,
    /// `unbind.queue`.
    UnbindQueue,
    /// `set_rate.producer`.
    SetRateProducer,
    /// `add_partitions.stream`.
    AddPartitionsStream,
    /// `reset_offsets.group`.
    ResetOffsetsGroup,
    /// `reset_offsets.stream`.
    ResetOffsetsStream,
    /// `delete_group.group`.
    DeleteGroupGroup,
}

impl ActionField {
    /// The path below the action.
    #[must_use]
    pub fn path(self) -> &'static str {
        match self {
            ActionField::PublishTarget => "publish.target",
            ActionField::CrashConsumer => "crash.consumer",
            ActionField::RestartConsumer => "restart.consumer",
            ActionField::CancelCrashesConsumer => "cancel_crashes.consumer",
            ActionField::AddConsumerAttach => "add_consumer.attach",
            ActionField::RemoveConsumer => "remove_consumer.consumer",
            ActionField::SeekConsumer => "seek.consumer",
            ActionField::CommitConsumer => "commit.consumer",
            ActionField::BindExchange => "bind.exchange",
            ActionField::BindQueue => "bind.queue",
            ActionField::UnbindExchange => "unbind.exchange",
            ActionField::UnbindQueue => "unbind.queue",
            ActionField::SetRateProducer => "set_rate.producer",
            ActionField::AddPartitionsStream => "add_partitions.stream",
            ActionField::ResetOffsetsGroup => "reset_offsets.group",
            ActionField::ResetOffsetsStream => "reset_offsets.stream",
            ActionField::DeleteGroupGroup => "delete_group.group",
        }
    }
}

impl fmt::Display for ActionField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.path())
    }
}

/// One name a scenario refers to: the kind of entity, the name and where it sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reference<'a> {
    /// The kind of entity named.
    pub kind: EntityKind,
    /// The name.
    pub name: &'a str,
    /// Where the name sits.
    pub site: Site,
}

// The walkers, written once and expanded twice: over shared references and over mutable ones
// (`$m` is `mut` or nothing). Each calls `f` for every name, in the documented order, and
// stops at the first error `f` returns.
macro_rules! walkers {
    ($target:ident, $attach:ident, $action:ident, $scenario:ident, [$($m:tt)?]) => {
        /// The kind and name of what a target sends to.
        pub(crate) fn $target(t: & $($m)? TargetSpec) -> (EntityKind, & $($m)? String) {
            match t {
                TargetSpec::Queue(n) => (EntityKind::Queue, n),
                TargetSpec::Exchange { exchange, .. } => (EntityKind::Exchange, exchange),
                TargetSpec::Stream(n) => (EntityKind::Stream, n),
            }
        }

        /// The kind and name of what a consumer attaches to.
        pub(crate) fn $attach(a: & $($m)? Attach) -> (EntityKind, & $($m)? String) {
            match a {
                Attach::Queue(n) => (EntityKind::Queue, n),
                Attach::Subscription { exchange, .. } => (EntityKind::Exchange, exchange),
                Attach::Stream { stream, .. } => (EntityKind::Stream, stream),
                Attach::Group(n) => (EntityKind::Group, n),
                Attach::ShareGroup(n) => (EntityKind::ShareGroup, n),
            }
        }

        pub(crate) fn $action<'a, E>(
            a: &'a $($m)? Action,
            f: &mut impl FnMut(EntityKind, &'a $($m)? String, ActionField) -> Result<(), E>,
        ) -> Result<(), E> {
            use ActionField as F;
            use EntityKind as K;
            match a {
                Action::Publish { target, .. } => {
                    let (kind, name) = $target(target);
                    f(kind, name, F::PublishTarget)
                }
                Action::Crash { consumer } => f(K::Consumer, consumer, F::CrashConsumer),
                Action::Restart { consumer } => f(K::Consumer, consumer, F::RestartConsumer),
                Action::CancelCrashes { consumer } => {
                    f(K::Consumer, consumer, F::CancelCrashesConsumer)
                }
                Action::AddConsumer(c) => {
                    let (kind, name) = $attach(& $($m)? c.attach);
                    f(kind, name, F::AddConsumerAttach)
                }
                Action::RemoveConsumer { consumer } => f(K::Consumer, consumer, F::RemoveConsumer),
                Action::Seek { consumer, .. } => f(K::Consumer, consumer, F::SeekConsumer),
                Action::Commit { consumer, .. } => f(K::Consumer, consumer, F::CommitConsumer),
                Action::Bind(b) => {
                    f(K::Exchange, & $($m)? b.exchange, F::BindExchange)?;
                    f(K::Queue, & $($m)? b.queue, F::BindQueue)
                }
                Action::Unbind(b) => {
                    f(K::Exchange, & $($m)? b.exchange, F::UnbindExchange)?;
                    f(K::Queue, & $($m)? b.queue, F::UnbindQueue)
                }
                Action::SetRate { producer, .. } => f(K::Producer, producer, F::SetRateProducer),
                Action::AddPartitions { stream, .. } => {
                    f(K::Stream, stream, F::AddPartitionsStream)
                }
                Action::ResetOffsets { group, stream, .. } => {
                    f(K::Group, group, F::ResetOffsetsGroup)?;
                    match stream {
                        Some(stream) => f(K::Stream, stream, F::ResetOffsetsStream),
                        None => Ok(()),
                    }
                }
                Action::DeleteGroup { group } => f(K::Group, group, F::DeleteGroupGroup),
            }
        }

        fn $scenario<'a, E>(
            s: &'a $($m)? Scenario,
            f: &mut impl FnMut(EntityKind, &'a $($m)? String, Site) -> Result<(), E>,
        ) -> Result<(), E> {
            let t = & $($m)? s.topology;
            for (i, q) in (& $($m)? t.queues).into_iter().enumerate() {
                if let Some(d) = & $($m)? q.dead_letter_queue {
                    f(EntityKind::Queue, d, Site::DeadLetterQueue(i))?;
                }
            }
            for (i, b) in (& $($m)? t.bindings).into_iter().enumerate() {
                f(EntityKind::Exchange, & $($m)? b.exchange, Site::BindingExchange(i))?;
                f(EntityKind::Queue, & $($m)? b.queue, Site::BindingQueue(i))?;
            }
            for (i, g) in (& $($m)? t.groups).into_iter().enumerate() {
                for (j, st) in (& $($m)? g.streams).into_iter().enumerate() {
                    f(EntityKind::Stream, st, Site::GroupStream(i, j))?;
                }
            }
            for (i, g) in (& $($m)? t.share_groups).into_iter().enumerate() {
                for (j, st) in (& $($m)? g.streams).into_iter().enumerate() {
                    f(EntityKind::Stream, st, Site::ShareGroupStream(i, j))?;
                }
            }
            for (i, p) in (& $($m)? s.producers).into_iter().enumerate() {
                let (kind, name) = $target(& $($m)? p.target);
                f(kind, name, Site::ProducerTarget(i))?;
            }
            for (i, c) in (& $($m)? s.consumers).into_iter().enumerate() {
                let (kind, name) = $attach(& $($m)? c.attach);
                f(kind, name, Site::ConsumerAttach(i))?;
            }
            for (i, step) in (& $($m)? s.script).into_iter().enumerate() {
                $action(& $($m)? step.action, &mut |kind, name, field| {
                    f(kind, name, Site::Script(i, field))
                })?;
            }
            Ok(())
        }
    };
}

walkers!(target_name, attach_name, try_action_names, try_walk, []);
walkers!(
    target_name_mut,
    attach_name_mut,
    try_action_names_mut,
    try_walk_mut,
    [mut]
);

fn infallible(r: Result<(), Infallible>) {
    if let Err(never) = r {
        match never {}
    }
}

/// Calls `f` for every name `scenario` refers to (not the names it declares), each once: the
/// queues' dead-letter queues, the bindings' exchanges and queues, the groups' streams, the
/// producers' targets, the consumers' attach targets, then the names in each script step's
/// action (an added consumer's attach target, not its own name), in list order.
pub fn visit_names<'a>(scenario: &'a Scenario, mut f: impl FnMut(Reference<'a>)) {
    infallible(try_walk(scenario, &mut |kind, name, site| {
        f(Reference {
            kind,
            name: name.as_str(),
            site,
        });
        Ok(())
    }));
}

/// [`visit_names`] with each name writable: the same names in the same order, so a caller can
/// rename (see [`rename`]) or rewrite them.
pub fn visit_names_mut(scenario: &mut Scenario, mut f: impl FnMut(EntityKind, &mut String, Site)) {
    infallible(try_walk_mut(scenario, &mut |kind, name, site| {
        f(kind, name, site);
        Ok(())
    }));
}

/// Calls `f` for every name one action refers to (what [`visit_names`] reports for a script
/// step), with where it sits in the action.
pub fn visit_action_names<'a>(
    action: &'a Action,
    mut f: impl FnMut(EntityKind, &'a str, ActionField),
) {
    infallible(try_action_names(action, &mut |kind, name, field| {
        f(kind, name.as_str(), field);
        Ok(())
    }));
}

/// [`visit_action_names`] with each name writable.
pub fn visit_action_names_mut(
    action: &mut Action,
    mut f: impl FnMut(EntityKind, &mut String, ActionField),
) {
    infallible(try_action_names_mut(action, &mut |kind, name, field| {
        f(kind, name, field);
        Ok(())
    }));
}

/// Every name `scenario` refers to, in [`visit_names`] order.
#[must_use]
pub fn references(scenario: &Scenario) -> Vec<Reference<'_>> {
    let mut out = Vec::new();
    visit_names(scenario, |r| out.push(r));
    out
}

/// Where `scenario` refers to the `kind` named `name`, in [`visit_names`] order: what would no
/// longer resolve if it went.
#[must_use]
pub fn dependents_of(scenario: &Scenario, kind: EntityKind, name: &str) -> Vec<Site> {
    let mut out = Vec::new();
    visit_names(scenario, |r| {
        if r.kind == kind && r.name == name {
            out.push(r.site);
        }
    });
    out
}

/// Renames the `kind` named `old` to `new`: its declaration (for a consumer, also one the
/// script adds) and every reference to it. Returns how many names changed, declarations
/// included (0 when `old` is not used, or `old == new`). Other kinds' names are left alone,
/// even when equal to `old`. The result is not validated: renaming onto a name in use makes
/// a duplicate, which [`Scenario::validate`] reports.
pub fn rename(scenario: &mut Scenario, kind: EntityKind, old: &str, new: &str) -> usize {
    if old == new {
        return 0;
    }
    let mut changed = 0;
    let mut fix = |name: &mut String| {
        if name == old {
            new.clone_into(name);
            changed += 1;
        }
    };
    let t = &mut scenario.topology;
    match kind {
        EntityKind::Exchange => t.exchanges.iter_mut().for_each(|x| fix(&mut x.name)),
        EntityKind::Queue => t.queues.iter_mut().for_each(|q| fix(&mut q.name)),
        EntityKind::Stream => t.streams.iter_mut().for_each(|st| fix(&mut st.name)),
        EntityKind::Group => t.groups.iter_mut().for_each(|g| fix(&mut g.name)),
        EntityKind::ShareGroup => t.share_groups.iter_mut().for_each(|g| fix(&mut g.name)),
        EntityKind::Producer => scenario.producers.iter_mut().for_each(|p| fix(&mut p.name)),
        EntityKind::Consumer => {
            scenario.consumers.iter_mut().for_each(|c| fix(&mut c.name));
            for step in &mut scenario.script {
                if let Action::AddConsumer(c) = &mut step.action {
                    fix(&mut c.name);
                }
            }
        }
    }
    visit_names_mut(scenario, |k, name, _| {
        if k == kind {
            fix(name);
        }
    });
    changed
}

#[cfg(all(test, feature = "serde"))]
mod tests;
