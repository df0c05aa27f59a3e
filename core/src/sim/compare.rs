//! Two futures of one run, message by message: what became of each message ([`Fate`], read
//! from its [story](super::Story)) and which messages fared differently ([`Differences`]):
//! processed in one future and not the other, redelivered, dead-lettered or lost.
//!
//! Both runs must keep stories ([`Simulation::keep_stories`]); messages are compared by id
//! (the broker numbers them in publish order, so two futures of one run agree on ids until
//! one publishes something the other does not), and only those whose stories both runs
//! still keep.

use alloc::collections::BTreeSet;
use alloc::vec::Vec;

use super::simulation::Simulation;
use super::{SimEvent, Story};
use crate::event::Event;
use crate::ids::MessageId;
use crate::storage::Storage;

/// What became of one message in one run, so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Fate {
    /// A consumer acknowledged it (a queue), a subscriber received it (pub/sub) or a poll
    /// read it (a stream record).
    pub processed: bool,
    /// It was delivered again after a crash, a nack or a timeout.
    pub redelivered: bool,
    /// It went to a dead-letter queue.
    pub dead_lettered: bool,
    /// It was lost: unroutable, refused by a full queue, dropped, expired without a
    /// dead-letter queue, or a subscriber's copy overflowed its inbox.
    pub lost: bool,
}

impl Fate {
    /// The fate its story tells.
    #[must_use]
    pub fn of(story: &Story) -> Fate {
        Fate::of_events(&story.events)
    }

    /// The fate a message's events tell.
    fn of_events(events: &[SimEvent]) -> Fate {
        let mut fate = Fate::default();
        let mut expired = false;
        for e in events.iter().filter_map(SimEvent::broker) {
            match e {
                Event::Acked { .. } | Event::Received { .. } | Event::Polled { .. } => {
                    fate.processed = true;
                }
                Event::Delivered {
                    redelivered: true, ..
                } => fate.redelivered = true,
                Event::DeadLettered { .. } => fate.dead_lettered = true,
                Event::Expired { .. } => expired = true,
                Event::Unroutable { .. }
                | Event::Rejected { .. }
                | Event::Dropped { .. }
                | Event::Lagged { .. } => fate.lost = true,
                _ => {}
            }
        }
        fate.lost |= expired && !fate.dead_lettered;
        fate
    }
}

/// Messages in one future and not the other, for one outcome.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Split {
    /// Messages with the outcome in the first future only.
    pub ours: Vec<MessageId>,
    /// Messages with the outcome in the second future only.
    pub theirs: Vec<MessageId>,
}

impl Split {
    fn note(&mut self, m: MessageId, ours: bool, theirs: bool) {
        match (ours, theirs) {
            (true, false) => self.ours.push(m),
            (false, true) => self.theirs.push(m),
            _ => {}
        }
    }

    /// Whether no message differs.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.ours.is_empty() && self.theirs.is_empty()
    }
}

/// The messages whose fates differ between two runs, now ([`differences`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Differences {
    /// Processed in one and not the other.
    pub processed: Split,
    /// Redelivered in one and not the other.
    pub redelivered: Split,
    /// Dead-lettered in one and not the other.
    pub dead_lettered: Split,
    /// Lost in one and not the other.
    pub lost: Split,
    /// How many messages were compared (those whose stories both runs keep, and those only
    /// one run has published).
    pub compared: usize,
}

impl Differences {
    /// Whether every message compared fared the same.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.processed.is_empty()
            && self.redelivered.is_empty()
            && self.dead_lettered.is_empty()
            && self.lost.is_empty()
    }
}

/// The messages whose fates differ between `ours` and `theirs` at their current moments
/// (usually the same moment of two futures of one run). Messages older than the oldest
/// story either run still keeps are left out.
///
/// ```
/// use brokerlab::sim::{compare, ready, Action, Simulation, Timeline, TimelineConfig};
/// use brokerlab::Instant;
///
/// let mut sim = Simulation::new(&ready::load("a").unwrap()).unwrap();
/// sim.keep_stories(1_000);
/// let mut original = Timeline::from_simulation(sim, TimelineConfig::default());
/// original.seek(Instant::from_millis(3_000));
/// let mut spared = original.fork();
/// spared.apply(&Action::CancelCrashes { consumer: "worker-2".into() }).unwrap();
/// for t in [&mut original, &mut spared] {
///     t.seek(Instant::from_millis(8_000));
/// }
/// let d = compare::differences(original.sim(), spared.sim());
/// // The job worker-2 held when it crashed was redelivered only in the original.
/// assert_eq!(d.redelivered.ours.len(), 1);
/// assert!(d.redelivered.theirs.is_empty());
/// ```
#[must_use]
pub fn differences<S: Storage>(ours: &Simulation<S>, theirs: &Simulation<S>) -> Differences {
    let oldest = |s: &Simulation<S>| s.story_ids().next();
    let floor = oldest(ours).max(oldest(theirs));
    let ids: BTreeSet<MessageId> = ours
        .story_ids()
        .chain(theirs.story_ids())
        .filter(|m| floor.is_none_or(|f| *m >= f))
        .collect();
    let mut d = Differences {
        compared: ids.len(),
        ..Differences::default()
    };
    for m in ids {
        let fate = |s: &Simulation<S>| s.story_events(m).map(Fate::of_events).unwrap_or_default();
        let (a, b) = (fate(ours), fate(theirs));
        d.processed.note(m, a.processed, b.processed);
        d.redelivered.note(m, a.redelivered, b.redelivered);
        d.dead_lettered.note(m, a.dead_lettered, b.dead_lettered);
        d.lost.note(m, a.lost, b.lost);
    }
    d
}
