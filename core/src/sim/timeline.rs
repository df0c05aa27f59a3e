//! Time travel over a run: a [`Timeline`] seeks a [`Simulation`] to any moment, backwards
//! too, by restoring the nearest checkpoint at or before it and replaying from there; and it
//! forks, so that a change made in the past starts a second future beside the first.
//!
//! A checkpoint is a copy of the whole simulation (broker, storage, consumers, time series),
//! taken as a run passes each multiple of the checkpoint spacing. Their number is capped:
//! when the cap is reached, every other checkpoint is dropped and the spacing doubles, so a
//! long run keeps evenly spread checkpoints in bounded memory, and a seek replays at most
//! one spacing of simulated time. Because the simulation is deterministic, a seek gives the
//! very state (and trace hash) a fresh run to that moment gives.

use alloc::vec::Vec;

use super::ScenarioError;
use super::scenario::{Action, Scenario, ScriptStep};
use super::simulation::{ActionError, SimEvent, SimOptions, Simulation};
use crate::storage::MemoryStorage;
use crate::storage::Storage;
use crate::time::Instant;

/// How a [`Timeline`] takes checkpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimelineConfig {
    /// Simulated milliseconds between checkpoints at first (doubled each time the cap is hit).
    pub every_ms: u64,
    /// The most checkpoints kept (at least 2).
    pub max_checkpoints: usize,
}

impl Default for TimelineConfig {
    fn default() -> Self {
        TimelineConfig {
            every_ms: 1_000,
            max_checkpoints: 32,
        }
    }
}

/// A [`Simulation`] that can seek to any moment of its run and fork.
///
/// ```
/// use brokerlab::sim::{ready, Action, Timeline, TimelineConfig};
/// use brokerlab::Instant;
///
/// let scenario = ready::load("a").unwrap();
/// let mut timeline = Timeline::new(&scenario, TimelineConfig::default()).unwrap();
/// timeline.seek(Instant::from_millis(6_000));
/// let at_6s = timeline.sim().trace_hash();
/// timeline.seek(Instant::from_millis(2_000)); // back: from the checkpoint at 2 s
/// timeline.seek(Instant::from_millis(6_000)); // and forward again
/// assert_eq!(timeline.sim().trace_hash(), at_6s);
///
/// // At 2 s, a second future where worker-1 crashes too.
/// timeline.seek(Instant::from_millis(2_000));
/// let mut fork = timeline.fork();
/// fork.apply(&Action::Crash { consumer: "worker-1".into() }).unwrap();
/// fork.seek(Instant::from_millis(6_000));
/// timeline.seek(Instant::from_millis(6_000));
/// assert_ne!(fork.sim().trace_hash(), timeline.sim().trace_hash());
/// // The fork is a scenario of its own: the original with the change scripted at 2 s.
/// assert_eq!(fork.scenario().script.len(), scenario.script.len() + 1);
/// ```
#[derive(Debug, Clone)]
pub struct Timeline<S: Storage + Clone = MemoryStorage> {
    sim: Simulation<S>,
    /// Copies of the run at increasing times; the first is at the run's start.
    checkpoints: Vec<Simulation<S>>,
    every_ms: u64,
    max: usize,
    /// The actions applied by hand, with their times (they are part of this future).
    applied: Vec<ScriptStep>,
    /// How many of `applied` the current simulation has had applied.
    done: usize,
}

impl Timeline<MemoryStorage> {
    /// A timeline of `scenario` at time 0, over memory storage, recording every event.
    ///
    /// Errors: the scenario does not validate.
    pub fn new(scenario: &Scenario, config: TimelineConfig) -> Result<Self, ScenarioError> {
        let sim = Simulation::with_options(scenario, SimOptions::default())?;
        Ok(Timeline::from_simulation(sim, config))
    }
}

impl<S: Storage + Clone> Timeline<S> {
    /// A timeline that starts from `sim` as it is now (its first checkpoint).
    #[must_use]
    pub fn from_simulation(sim: Simulation<S>, config: TimelineConfig) -> Self {
        Timeline {
            checkpoints: alloc::vec![sim.clone()],
            sim,
            every_ms: config.every_ms.max(1),
            max: config.max_checkpoints.max(2),
            applied: Vec::new(),
            done: 0,
        }
    }

    /// The simulation at the current moment.
    #[must_use]
    pub fn sim(&self) -> &Simulation<S> {
        &self.sim
    }

    /// The scenario of this future: the original one with the actions applied by hand
    /// scripted at their times (what a link or an export of this future carries). A scripted
    /// action applies within its instant, before that instant's publishes; one applied by
    /// hand applies after them, so a run of this scenario can differ within that one ms.
    #[must_use]
    pub fn scenario(&self) -> Scenario {
        let mut s = self.checkpoints[0].scenario().clone();
        s.script.extend(self.applied.iter().cloned());
        s
    }

    /// The actions applied by hand, with their times.
    #[must_use]
    pub fn applied(&self) -> &[ScriptStep] {
        &self.applied
    }

    /// The times of the checkpoints kept.
    pub fn checkpoints(&self) -> impl Iterator<Item = Instant> + '_ {
        self.checkpoints.iter().map(Simulation::now)
    }

    /// The current spacing of checkpoints in simulated ms.
    #[must_use]
    pub fn spacing_ms(&self) -> u64 {
        self.every_ms
    }

    /// Moves the run to `t` (clamped to the scenario's end): forward by running, backwards by
    /// restoring the last checkpoint at or before `t` and running from it.
    pub fn seek(&mut self, t: Instant) -> &Simulation<S> {
        let t = t.min(self.sim.end());
        if t < self.sim.now() {
            let i = self
                .checkpoints
                .iter()
                .rposition(|c| c.now() <= t)
                .unwrap_or(0);
            self.sim = self.checkpoints[i].clone();
            // A checkpoint at an action's time was taken before the action.
            let from = self.sim.now().as_millis();
            self.done = self.applied.iter().take_while(|s| s.at_ms < from).count();
        }
        while let Some(step) = self.applied.get(self.done) {
            if step.at_ms > t.as_millis() {
                break;
            }
            let (at, action) = (Instant::from_millis(step.at_ms), step.action.clone());
            self.run_to(at);
            // It applied once; replayed on the same state, it applies again.
            let _ = self.sim.apply(&action);
            self.done += 1;
        }
        self.run_to(t);
        &self.sim
    }

    /// Runs forward to `t`, taking a checkpoint at each multiple of the spacing it passes
    /// that is later than the last one kept.
    fn run_to(&mut self, t: Instant) {
        loop {
            let last = self.checkpoints.last().map_or(0, |c| c.now().as_millis());
            let next = (last / self.every_ms + 1) * self.every_ms;
            if next > t.as_millis() || self.sim.now().as_millis() > next {
                break;
            }
            self.sim.run_until(Instant::from_millis(next));
            if self.sim.now().as_millis() == next {
                self.keep_checkpoint();
            }
        }
        self.sim.run_until(t);
    }

    fn keep_checkpoint(&mut self) {
        self.checkpoints.push(self.sim.clone());
        if self.checkpoints.len() > self.max {
            // Keep the start and every other one after it; the spacing doubles.
            let mut i = 0;
            self.checkpoints.retain(|_| {
                i += 1;
                i % 2 == 1
            });
            self.every_ms = self.every_ms.saturating_mul(2);
        }
    }

    /// Applies `action` at the current moment, in this future: checkpoints after now are
    /// dropped (they belong to the future the action changes) and the action joins
    /// [`applied`](Self::applied).
    ///
    /// Errors: as [`Simulation::apply`]; then nothing changes.
    pub fn apply(&mut self, action: &Action) -> Result<(), ActionError> {
        let now = self.sim.now();
        let mut changed = self.sim.clone();
        changed.apply(action)?;
        self.sim = changed;
        self.checkpoints.retain(|c| c.now() <= now);
        self.applied.truncate(self.done);
        self.applied.push(ScriptStep {
            at_ms: now.as_millis(),
            action: action.clone(),
        });
        self.done = self.applied.len();
        Ok(())
    }

    /// Plans actions for later in this future: each applies by hand as the run reaches its
    /// time, as the actions kept after a seek back do. They replace what was planned after
    /// now; steps before now are left out. Used to rebuild a future from a link (the
    /// actions a user took, with their times).
    pub fn plan(&mut self, steps: impl IntoIterator<Item = ScriptStep>) {
        let now = self.sim.now().as_millis();
        let mut later: Vec<ScriptStep> = steps.into_iter().filter(|s| s.at_ms >= now).collect();
        later.sort_by_key(|s| s.at_ms);
        self.applied.truncate(self.done);
        self.applied.extend(later);
    }

    /// The first moment this future and `other` differ, up to `until`: copies of both run
    /// in step from the latest checkpoint they share (same moment, same trace hash), each
    /// applying its own actions, until an instant leaves them with different traces. `None`:
    /// they do not differ by `until`, or they share no past (different scenarios or seeds,
    /// or runs without a trace: [`SimOptions::trace`]).
    ///
    /// ```
    /// use brokerlab::sim::{ready, Action, Timeline, TimelineConfig};
    /// use brokerlab::Instant;
    ///
    /// // Scenario A: what if worker-2 had not crashed at 3.1 s?
    /// let mut original = Timeline::new(&ready::load("a").unwrap(), TimelineConfig::default()).unwrap();
    /// original.seek(Instant::from_millis(3_000));
    /// let mut spared = original.fork();
    /// spared.apply(&Action::CancelCrashes { consumer: "worker-2".into() }).unwrap();
    /// let d = original.divergence(&spared, Instant::from_millis(10_000)).unwrap();
    /// assert_eq!(d.at, Instant::from_millis(3_100));
    /// assert!(d.ours.is_some(), "the crash, in the original only");
    /// ```
    #[must_use]
    pub fn divergence(&self, other: &Timeline<S>, until: Instant) -> Option<Divergence> {
        let (ours, theirs) = self
            .checkpoints
            .iter()
            .zip(&other.checkpoints)
            .take_while(|(a, b)| a.now() == b.now() && a.trace_hash() == b.trace_hash())
            .last()?;
        let mut a = Replay::new(ours.clone(), &self.applied);
        let mut b = Replay::new(theirs.clone(), &other.applied);
        let until = until.min(a.sim.end()).min(b.sim.end());
        loop {
            let next = match (a.next(), b.next()) {
                (Some(x), Some(y)) => x.min(y),
                (x, y) => x.or(y)?,
            };
            if next > until {
                return None;
            }
            let (fresh_a, fresh_b) = (a.run_to(next), b.run_to(next));
            if a.sim.trace_hash() != b.sim.trace_hash() {
                let ours: Vec<&SimEvent> = a.sim.recent_events().collect();
                let theirs: Vec<&SimEvent> = b.sim.recent_events().collect();
                if fresh_a > ours.len() || fresh_b > theirs.len() {
                    // Too many events at one instant to line them up one by one.
                    return Some(Divergence {
                        at: next,
                        ours: None,
                        theirs: None,
                    });
                }
                let ours = &ours[ours.len() - fresh_a..];
                let theirs = &theirs[theirs.len() - fresh_b..];
                let i = (0..ours.len().max(theirs.len()))
                    .find(|&i| ours.get(i) != theirs.get(i))
                    .unwrap_or(0);
                return Some(Divergence {
                    at: next,
                    ours: ours.get(i).map(|e| (*e).clone()),
                    theirs: theirs.get(i).map(|e| (*e).clone()),
                });
            }
        }
    }

    /// A second future from this moment: a copy that shares the past (its checkpoints up to
    /// now) and goes its own way once something is [`apply`](Self::apply)d to it.
    #[must_use]
    pub fn fork(&self) -> Timeline<S> {
        let now = self.sim.now();
        Timeline {
            sim: self.sim.clone(),
            checkpoints: self
                .checkpoints
                .iter()
                .filter(|c| c.now() <= now)
                .cloned()
                .collect(),
            every_ms: self.every_ms,
            max: self.max,
            applied: self.applied[..self.done].to_vec(),
            done: self.done,
        }
    }
}

/// Where two futures of one run first differ ([`Timeline::divergence`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Divergence {
    /// The instant after which their traces differ.
    pub at: Instant,
    /// The first event at that instant that this future has and the other has not in its
    /// place (`None`: this future has fewer events there, or too many to compare one by one).
    pub ours: Option<SimEvent>,
    /// The same for the other future.
    pub theirs: Option<SimEvent>,
}

/// One future run forward instant by instant, applying its actions at their times.
struct Replay<'a, S: Storage> {
    sim: Simulation<S>,
    steps: &'a [ScriptStep],
    seen: u64,
}

impl<'a, S: Storage> Replay<'a, S> {
    fn new(sim: Simulation<S>, applied: &'a [ScriptStep]) -> Self {
        // A checkpoint at an action's time was taken before the action.
        let from = sim.now().as_millis();
        let first = applied.iter().take_while(|s| s.at_ms < from).count();
        let seen = sim.totals().events;
        Replay {
            sim,
            steps: &applied[first..],
            seen,
        }
    }

    /// The next instant where this future does anything.
    fn next(&self) -> Option<Instant> {
        let action = self.steps.first().map(|s| Instant::from_millis(s.at_ms));
        match (self.sim.next_due(), action) {
            (Some(x), Some(y)) => Some(x.min(y)),
            (x, y) => x.or(y),
        }
    }

    /// Runs to `t` and applies the actions due; returns how many events that made.
    fn run_to(&mut self, t: Instant) -> usize {
        self.sim.run_until(t);
        while let Some(step) = self.steps.first().filter(|s| s.at_ms <= t.as_millis()) {
            // It applied once in this future; replayed on the same state, it applies again.
            let _ = self.sim.apply(&step.action);
            self.steps = &self.steps[1..];
        }
        let total = self.sim.totals().events;
        let fresh = total - self.seen;
        self.seen = total;
        usize::try_from(fresh).unwrap_or(usize::MAX)
    }
}
