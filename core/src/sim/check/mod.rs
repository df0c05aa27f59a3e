//! Guarantees a topology may or may not keep, checked on a run: no message lost, none
//! processed twice, per-key order kept, every partition owned while its group has members.
//!
//! Unlike the engine's invariants (which always hold), these are promises a *topology* makes
//! or breaks: a queue with auto-ack loses what a crashing worker held, a visibility timeout
//! shorter than the processing time makes a message processed twice. A [`Checker`] watches a
//! [`Simulation`] step by step, from its events and its work log (what each consumer
//! finished or dropped unfinished, [`Simulation::record_work`]), and reports the first
//! [`Violation`] with the messages and entities involved and a sentence saying what
//! happened. [`search`](search::search) runs many variants of a scenario (other seeds, random
//! faults) looking for one.
//!
//! What counts:
//! - **Lost**: a queue message that left its queue (dropped by max-length, expired without a
//!   dead-letter queue, or acked on delivery and then dropped by a crashing consumer) without
//!   any consumer finishing it; a pub/sub copy overwritten in a full inbox (`Lagged`), dropped
//!   by a crashing subscriber, or published while a subscriber was down; a stream record a
//!   reader (a group, or a standalone consumer) had committed past but dropped unprocessed, or
//!   that retention removed before the reader processed it. Refused publishes are not losses:
//!   the publisher was told.
//! - **Processed twice**: the same queue message finished twice (by any consumers of that
//!   queue), the same record finished twice by one reader (a deliberate seek back resets it)
//!   or by any members of one share group (released, expired or let go by a crash, then
//!   delivered again), the same copy twice by one subscriber.
//! - **Order**: for one key and one reader, a message finished after a later-published one.
//! - **Owned**: a partition of a group's streams with no running member owning it while the
//!   group has running members.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::ids::MessageId;
use crate::sim::{PublishedKeys, SimEvent, Simulation, WorkEntry};
use crate::storage::Storage;
use crate::stream::StreamPartition;
use crate::time::Instant;

mod loss;
mod order;
mod owned;
pub mod search;
mod twice;

use loss::Loss;
use order::Order;
use owned::Owned;
use twice::Twice;

/// A promise a topology can keep or break.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Guarantee {
    /// Every message reaches a consumer that finishes it (or is still on its way).
    NoLoss,
    /// No message is processed twice.
    NoDuplicate,
    /// Messages of one key are processed in the order they were published.
    KeyOrder,
    /// Every partition of a group's streams has a running owner while the group has running
    /// members.
    PartitionsOwned,
}

impl Guarantee {
    /// Every guarantee, in display order.
    pub const ALL: [Guarantee; 4] = [
        Guarantee::NoLoss,
        Guarantee::NoDuplicate,
        Guarantee::KeyOrder,
        Guarantee::PartitionsOwned,
    ];

    /// The identifier used in links and messages (`no_loss`, …).
    #[must_use]
    pub fn id(self) -> &'static str {
        match self {
            Guarantee::NoLoss => "no_loss",
            Guarantee::NoDuplicate => "no_duplicate",
            Guarantee::KeyOrder => "key_order",
            Guarantee::PartitionsOwned => "partitions_owned",
        }
    }

    /// The guarantee with this [`id`](Self::id).
    #[must_use]
    pub fn from_id(id: &str) -> Option<Guarantee> {
        Guarantee::ALL.into_iter().find(|g| g.id() == id)
    }

    /// In plain words.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Guarantee::NoLoss => "No message lost",
            Guarantee::NoDuplicate => "No message processed twice",
            Guarantee::KeyOrder => "Per-key order kept",
            Guarantee::PartitionsOwned => "Every partition owned while members exist",
        }
    }
}

impl fmt::Display for Guarantee {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A broken guarantee: when, what, and who was involved.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Violation {
    /// Which guarantee.
    pub guarantee: Guarantee,
    /// When it was broken (logical time).
    pub at: Instant,
    /// What happened, in one sentence.
    pub what: String,
    /// The messages involved.
    pub messages: Vec<MessageId>,
    /// The records involved.
    pub records: Vec<(StreamPartition, crate::ids::Offset)>,
    /// The names of the entities involved (queues, consumers, streams, groups, exchanges).
    pub entities: Vec<String>,
}

/// Watches one run for one guarantee.
#[derive(Debug)]
pub struct Checker {
    guarantee: Guarantee,
    work: Vec<WorkEntry>,
    published: Vec<PublishedKeys>,
    loss: Loss,
    twice: Twice,
    order: Order,
    owned: Owned,
    found: Option<Violation>,
}

impl Checker {
    /// A checker for `guarantee` on `sim`, which must not have moved yet (its setup events
    /// are read now). Turns the simulation's work log on.
    pub fn new<S: Storage>(guarantee: Guarantee, sim: &mut Simulation<S>) -> Checker {
        sim.record_work(true);
        let mut checker = Checker {
            guarantee,
            work: Vec::new(),
            published: Vec::new(),
            loss: Loss::default(),
            twice: Twice::default(),
            order: Order::default(),
            owned: Owned,
            found: None,
        };
        checker.observe(sim);
        checker
    }

    /// The guarantee watched.
    #[must_use]
    pub fn guarantee(&self) -> Guarantee {
        self.guarantee
    }

    /// The first violation seen so far.
    #[must_use]
    pub fn violation(&self) -> Option<&Violation> {
        self.found.as_ref()
    }

    /// Reads what the last step did (call after every step); returns the first violation
    /// once there is one.
    pub fn observe<S: Storage>(&mut self, sim: &mut Simulation<S>) -> Option<&Violation> {
        if self.found.is_some() {
            return self.found.as_ref();
        }
        self.work.clear();
        sim.take_work_log(&mut self.work);
        self.published.clear();
        sim.take_published(&mut self.published);
        let sim = &*sim;
        let seen = Seen {
            events: sim.last_step_events(),
            work: &self.work,
            published: &self.published,
            now: sim.now(),
        };
        self.found = match self.guarantee {
            Guarantee::NoLoss => self.loss.observe(&seen, sim),
            Guarantee::NoDuplicate => self.twice.observe(&seen, sim),
            Guarantee::KeyOrder => self.order.observe(&seen, sim),
            Guarantee::PartitionsOwned => self.owned.observe(&seen, sim),
        };
        self.found.as_ref()
    }
}

/// What one step showed.
pub(crate) struct Seen<'a> {
    pub(crate) events: &'a [SimEvent],
    pub(crate) work: &'a [WorkEntry],
    pub(crate) published: &'a [PublishedKeys],
    pub(crate) now: Instant,
}

/// Runs `sim` to its end one event at a time under a checker; the first violation, if any.
pub fn check_run<S: Storage>(sim: &mut Simulation<S>, guarantee: Guarantee) -> Option<Violation> {
    let mut checker = Checker::new(guarantee, sim);
    while !sim.is_finished() {
        sim.step_event();
        if checker.observe(sim).is_some() {
            break;
        }
    }
    checker.found
}

/// A consumer's name, or `#i` if the simulation has none for it.
pub(crate) fn consumer_name<S: Storage>(
    sim: &Simulation<S>,
    id: crate::sim::SimConsumerId,
) -> String {
    sim.consumer_name(id)
        .map_or_else(|| alloc::format!("consumer #{}", id.0), String::from)
}

/// `stream pN` for a partition.
pub(crate) fn partition_label<S: Storage>(sim: &Simulation<S>, p: StreamPartition) -> String {
    let stream = sim.broker().stream_name(p.stream).unwrap_or("stream");
    alloc::format!("{stream} p{}", p.partition.0)
}

/// Seconds with one decimal, as the playground shows times.
pub(crate) fn secs(at: Instant) -> String {
    let ms = at.as_millis();
    alloc::format!("{}.{} s", ms / 1000, (ms % 1000) / 100)
}
