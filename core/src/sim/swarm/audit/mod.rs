//! The [`Auditor`]: an account of a run built from what the run did, checked against the
//! broker after every step.
//!
//! The account is kept from the events each step reports (the simulation must record them:
//! [`SimOptions::trace`](crate::sim::SimOptions::trace), the default) and from the
//! scenario's promises (queue limits, prefetch, inbox capacity, offset resets, retention),
//! never from the broker's own bookkeeping; the broker's public read API (queue stats, ready
//! messages, unacked deliveries, inbox lengths, partition bounds and records, positions,
//! assignments, committed offsets) is what it is checked against. One file per pattern:
//! `queues` (with dead-lettering; `queue_moves`, `queue_checks`), `pubsub`, `routing` (exchanges and bindings), `streams`
//! (logs, records, retention), `readers` (positions), `groups` (generations, ownership,
//! commits), `shares` (share groups' records, holders and delivery counts); `recovery` checks a restarted broker against the account at the last flush.
//!
//! Call [`Auditor::observe`] after the simulation is built and after every step (and after
//! [`Simulation::replace_broker`]); call [`Auditor::flushed`] right after
//! [`Simulation::flush_broker`].

mod coverage;
mod ctx;
mod groups;
mod pubsub;
mod queue_checks;
mod queue_moves;
mod queues;
mod readers;
mod recovery;
mod routing;
mod shares;
mod specs;
mod streams;
mod violation;

pub use coverage::Coverage;
pub use violation::{Rule, Violation};

use alloc::boxed::Box;
use alloc::format;
use alloc::sync::Arc;

use crate::event::Event;
use crate::sim::scenario::Scenario;
use crate::sim::{SimEventKind, SimNote, Simulation};
use crate::storage::Storage;
use coverage::Tally;
use ctx::Ctx;
use groups::Groups;
use pubsub::Subscriptions;
use queues::Queues;
use readers::Readers;
use routing::Routing;
use shares::Shares;
use specs::Specs;
use streams::Streams;

/// What an auditor has looked at so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AuditStats {
    /// Steps checked.
    pub steps: u64,
    /// Events read.
    pub events: u64,
    /// Broker restarts checked.
    pub restarts: u64,
}

/// Checks a [`Simulation`] against the engine's invariants ([`Rule`]) after every step.
///
/// ```
/// use brokerlab::sim::{Scenario, Simulation};
/// use brokerlab::sim::swarm::Auditor;
///
/// let json = r#"{ "version": 1, "duration_ms": 2000,
///   "topology": { "queues": [{ "name": "work", "max_length": 5 }] },
///   "producers": [{ "name": "api", "target": { "queue": "work" }, "rate_per_sec": 20 }],
///   "consumers": [{ "name": "w1", "attach": { "queue": "work" }, "processing": { "fixed": 80 },
///                   "crashes": [{ "at_ms": 700, "restart_at_ms": 900 }] }] }"#;
/// let scenario = Scenario::from_json(json).unwrap();
/// let mut sim = Simulation::new(&scenario).unwrap();
/// let mut auditor = Auditor::new(&scenario);
/// auditor.observe(&sim).unwrap();
/// while !sim.is_finished() {
///     sim.step_event();
///     auditor.observe(&sim).unwrap();
/// }
/// assert!(auditor.stats().steps > 40);
/// ```
#[derive(Debug, Clone)]
pub struct Auditor {
    specs: Arc<Specs>,
    /// Events read so far (the simulation's event count when last observed).
    seen: u64,
    last_message: u64,
    queues: Queues,
    subs: Subscriptions,
    routing: Routing,
    streams: Streams,
    readers: Readers,
    groups: Groups,
    shares: Shares,
    /// The account when the broker was last flushed.
    flushed: Option<Box<Auditor>>,
    /// Re-read everything at the end of the next step (after a restart).
    full: bool,
    stats: AuditStats,
    tally: Tally,
}

impl Auditor {
    /// An auditor for runs of `scenario` (its limits and names are the promises checked).
    #[must_use]
    pub fn new(scenario: &Scenario) -> Auditor {
        Auditor {
            specs: Arc::new(Specs::new(scenario)),
            seen: 0,
            last_message: 0,
            queues: Queues::default(),
            subs: Subscriptions::default(),
            routing: Routing::default(),
            streams: Streams::default(),
            readers: Readers::default(),
            groups: Groups::default(),
            shares: Shares::new(scenario),
            flushed: None,
            full: false,
            stats: AuditStats::default(),
            tally: Tally::default(),
        }
    }

    /// What has been checked so far.
    #[must_use]
    pub fn stats(&self) -> AuditStats {
        self.stats
    }

    /// What the run exercised so far.
    #[must_use]
    pub fn coverage(&self) -> &Coverage {
        &self.tally.0
    }

    /// Reads the events of the step just taken and checks the account against the broker.
    ///
    /// # Errors
    /// The first broken rule. A simulation without [`SimOptions::trace`] or a step whose
    /// events did not all fit ([`MAX_STEP_EVENTS`](crate::sim::MAX_STEP_EVENTS)), or a
    /// step not observed, is a [`Rule::Harness`] violation: the account would be
    /// incomplete.
    ///
    /// [`SimOptions::trace`]: crate::sim::SimOptions::trace
    pub fn observe<S: Storage>(&mut self, sim: &Simulation<S>) -> Result<(), Violation> {
        let now = sim.now().as_millis();
        if sim.trace_hash().is_none() {
            return Err(Violation::new(
                Rule::Harness,
                now,
                "the auditor needs a simulation that records its events (SimOptions::trace)",
            ));
        }
        let total = sim.totals().events;
        let events = sim.last_step_events();
        let new = total.saturating_sub(self.seen);
        if new > events.len() as u64 || sim.last_step_events_dropped() > 0 {
            return Err(Violation::new(
                Rule::Harness,
                now,
                format!(
                    "{new} events since the last observation, {} kept: a step was not observed \
                     or reported more than it keeps",
                    events.len()
                ),
            ));
        }
        self.seen = total;
        self.stats.steps += 1;
        self.stats.events += new;
        let broker = sim.broker();
        let specs = Arc::clone(&self.specs);
        let fresh = &events[events.len() - new as usize..];
        for (i, e) in fresh.iter().enumerate() {
            let cx = Ctx {
                now: e.at.as_millis(),
                broker,
                specs: &specs,
            };
            match &e.kind {
                SimEventKind::Broker(ev) => self.event(&cx, ev)?,
                // What follows a restart is what the recovered broker reported as it started.
                SimEventKind::Sim(SimNote::BrokerRestarted) => {
                    self.tally.note(&SimNote::BrokerRestarted);
                    self.restarted(&cx, &fresh[i + 1..])?;
                    break;
                }
                SimEventKind::Sim(note) => {
                    self.tally.note(note);
                    self.note(&cx, sim, note)?;
                }
            }
        }
        let cx = Ctx {
            now,
            broker,
            specs: &specs,
        };
        self.end_step(&cx)
    }

    /// Notes that the broker was just flushed ([`Simulation::flush_broker`]): a restart is
    /// later checked against the account as it is now.
    pub fn flushed<S: Storage>(&mut self, _sim: &Simulation<S>) {
        let mut snapshot = self.clone();
        snapshot.flushed = None;
        for g in self.groups.books.values_mut() {
            g.since_flush.clear();
        }
        self.flushed = Some(Box::new(snapshot));
    }

    fn event<S: Storage>(&mut self, cx: &Ctx<'_, S>, e: &Event) -> Result<(), Violation> {
        let assignor = match e {
            Event::Rebalanced { group, .. } => self
                .groups
                .books
                .get(group)
                .and_then(|g| self.specs.rebalance_case(&g.name)),
            _ => None,
        };
        self.tally.event(e, assignor);
        match e {
            Event::Published { message, .. } | Event::Appended { message, .. } => {
                if message.0 <= self.last_message {
                    return Err(Violation::new(
                        Rule::StreamOffsets,
                        cx.now,
                        format!(
                            "message id {message} reused (the last was m{})",
                            self.last_message
                        ),
                    )
                    .message(*message));
                }
                self.last_message = message.0;
            }
            Event::EventsLost { count } => {
                return Err(Violation::new(
                    Rule::Harness,
                    cx.now,
                    format!("the broker lost {count} events"),
                ));
            }
            Event::PartitionsAdded { stream, partitions } => {
                let old = self.streams.counts.get(stream).copied().unwrap_or(0);
                self.readers.partitions_added(*stream, old, *partitions);
            }
            _ => {}
        }
        self.routing.on_event(cx, e)?;
        self.queues.on_event(cx, e)?;
        self.subs.on_event(cx, e)?;
        self.streams.on_event(cx, e)?;
        self.groups
            .on_event(cx, &self.streams, &mut self.readers, e)?;
        self.readers.on_event(cx, &self.streams, e)?;
        self.shares.on_event(cx, e)?;
        if let Event::Polled {
            consumer,
            partition,
            ..
        } = e
            && let Some(g) = self.readers.readers.get(consumer).and_then(|r| r.group)
        {
            let owns = self
                .groups
                .books
                .get(&g)
                .and_then(|b| b.owners.get(consumer))
                .is_some_and(|ps| ps.contains(partition));
            if !owns {
                return Err(Violation::new(
                    Rule::GroupOwnership,
                    cx.now,
                    format!(
                        "{} read {}, which it does not own",
                        cx.reader(*consumer),
                        cx.partition(*partition)
                    ),
                )
                .entity(cx.reader(*consumer)));
            }
        }
        Ok(())
    }

    fn note<S: Storage>(
        &mut self,
        cx: &Ctx<'_, S>,
        sim: &Simulation<S>,
        n: &SimNote,
    ) -> Result<(), Violation> {
        match n {
            SimNote::StreamCommitted {
                consumer,
                partition,
                offset,
            } => {
                let end = self.streams.end(*partition).unwrap_or(0);
                if offset.0 > end {
                    let who = sim.consumer_name(*consumer).unwrap_or_default();
                    return Err(Violation::new(
                        Rule::StreamPositions,
                        cx.now,
                        format!(
                            "{who} committed {} in {}, beyond the end {end}",
                            offset.0,
                            cx.partition(*partition)
                        ),
                    )
                    .entity(who));
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn end_step<S: Storage>(&mut self, cx: &Ctx<'_, S>) -> Result<(), Violation> {
        let full = core::mem::take(&mut self.full);
        self.queues.end_step(cx)?;
        let books = &self.queues.books;
        self.routing.end_step(cx, |q, m| {
            books.get(&q).is_some_and(|b| {
                b.ready.values().any(|s| s.message == m)
                    || b.held.values().any(|h| h.stored.message == m)
            })
        })?;
        self.subs.end_step(cx)?;
        self.streams.end_step(cx, full)?;
        self.readers.end_step(cx, &self.streams)?;
        self.groups.end_step(cx, &self.streams)?;
        self.shares.end_step(cx)
    }
}
