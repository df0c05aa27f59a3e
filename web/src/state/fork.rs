//! Fork and compare: a change made in the past (after a seek back) keeps the future it would
//! have replaced as a second future beside the first. Both run time-locked (every seek or
//! step moves both), and the playground calls out where they differ: the first instant
//! their histories part, message by message what was processed, redelivered, dead-lettered
//! or lost in one and not the other, and where depths, lags and consumers differ now.
//!
//! Everything comes from the engine: the other future is a run of its own (the same
//! scenario and seed with its own actions), the divergence is [`Timeline::divergence`] and
//! the messages are [`compare::differences`] of the two runs' stories.

use std::rc::Rc;

use brokerlab::Instant;
use brokerlab::sim::{self, Timeline, TimelineConfig, compare};

use super::{Action, AppState, Edit, log};

/// The other future, shown beside the one on show.
#[derive(Debug, Clone)]
pub struct Fork {
    /// The other future: its own run, actions, log and view, at the same moment.
    pub other: AppState,
    /// When the futures part: the time of the change.
    pub at_ms: u64,
    /// The future on show, in words (`worker-2 crashed by hand at 3.0 s`).
    pub this_label: String,
    /// The other future, in words.
    pub other_label: String,
    /// The first instant their histories differ, over the whole run.
    pub divergence: Option<DivergenceView>,
}

/// Where two futures first differ, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DivergenceView {
    /// The instant.
    pub at_ms: u64,
    /// The first event there that only the future on show has, as the event log words it.
    pub this: Option<String>,
    /// The same for the other future.
    pub other: Option<String>,
}

/// One line of the side-by-side comparison: a figure in each future.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompareRow {
    /// What is compared (`queue jobs: ready + in flight`).
    pub what: String,
    /// In the future on show.
    pub this: String,
    /// In the other future.
    pub other: String,
}

impl CompareRow {
    /// Whether the futures differ here.
    #[must_use]
    pub fn differs(&self) -> bool {
        self.this != self.other
    }
}

/// Messages with one outcome in one future only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageSplit {
    /// The outcome (`processed`, `redelivered`, `dead-lettered`, `lost`).
    pub outcome: &'static str,
    /// Messages with it in the future on show only.
    pub this: Vec<brokerlab::MessageId>,
    /// Messages with it in the other future only.
    pub other: Vec<brokerlab::MessageId>,
}

/// The two futures compared now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    /// Figures, side by side, the differing ones and the totals first.
    pub rows: Vec<CompareRow>,
    /// Messages that fared differently, per outcome (outcomes where none did are left out).
    pub messages: Vec<MessageSplit>,
    /// How many messages were compared (those whose stories both futures keep).
    pub compared: usize,
}

/// A change, in words, for the fork's labels.
fn describe(action: &sim::Action, at_ms: u64) -> String {
    let what = match action {
        sim::Action::Crash { consumer } => format!("{consumer} crashed by hand"),
        sim::Action::Restart { consumer } => format!("{consumer} restarted by hand"),
        sim::Action::CancelCrashes { consumer } => {
            format!("{consumer}'s planned crash called off")
        }
        sim::Action::AddConsumer(c) => format!("{} added", c.name),
        sim::Action::RemoveConsumer { consumer } => format!("{consumer} removed"),
        sim::Action::SetRate {
            producer,
            rate_per_sec,
        } => format!("{producer} set to {rate_per_sec}/s"),
        sim::Action::Publish { count, .. } => format!("{count} published by hand"),
        sim::Action::Seek { consumer, .. } => format!("{consumer} moved its position"),
        sim::Action::Commit { consumer, .. } => format!("{consumer} committed by hand"),
        _ => "a change by hand".to_owned(),
    };
    format!("{what} at {:.1} s", at_ms as f64 / 1_000.0)
}

/// An edit, in words, for the fork's labels.
fn describe_edit(edit: &Edit) -> String {
    match edit {
        Edit::Add(_) => "a node added".to_owned(),
        Edit::Connect { from, to, .. } => format!("{} connected to {}", from.name(), to.name()),
        Edit::Replace { entity, .. } => format!("{} edited", entity.name()),
        Edit::Delete(entity) => format!("{} deleted", entity.name()),
    }
}

impl AppState {
    /// Whether the run has a future beyond now that a change would replace: the user went
    /// back in time (the run was seen later than now, or actions wait later in its history).
    fn has_future(&self) -> bool {
        let now = self.engine.borrow().sim.now().as_millis();
        self.applied < self.history.len() || self.marks.seen_ms().is_some_and(|s| s > now)
    }

    /// Applies a change by hand; made in the past, it forks: the future it replaces stays
    /// beside this one as the other future (or, with a fork open already, the other future
    /// stays as it is and this one changes).
    pub(super) fn apply_forking(&mut self, action: &sim::Action) {
        let past = self.has_future();
        let before = (past && self.fork.is_none()).then(|| {
            let mut before = self.clone();
            // The original keeps a copy of the engine; the future on show goes on.
            before.engine = Rc::new(std::cell::RefCell::new(self.engine.borrow().clone()));
            before
        });
        self.apply(action);
        if self.notice.is_some() {
            return;
        }
        if let Some(mut other) = before {
            other.refresh();
            self.fork = Some(Rc::new(Fork {
                other,
                at_ms: 0,
                this_label: String::new(),
                other_label: String::new(),
                divergence: None,
            }));
        }
        // With a fork open already, this future changed again and the other stays.
        self.refresh_divergence();
    }

    /// The run as it is, kept before an edit made in the past (the edit forks), or `None`.
    pub(super) fn fork_point(&self) -> Option<AppState> {
        let now = self.engine.borrow().sim.now().as_millis();
        if now == 0 || !self.has_future() {
            return None;
        }
        let mut before = self.clone();
        before.fork = None;
        before.engine = Rc::new(std::cell::RefCell::new(self.engine.borrow().clone()));
        Some(before)
    }

    /// After an edit made in the past: the edited topology runs from the start to the
    /// moment of the edit, beside the run as it was (or beside the other future of a fork
    /// that was open, which stays).
    pub(super) fn fork_edit(&mut self, before: AppState, open: Option<Rc<Fork>>, edit: &Edit) {
        let at_ms = before.engine.borrow().sim.now().as_millis();
        self.advance_to(Instant::from_millis(at_ms));
        let label = format!("{} (from the start)", describe_edit(edit));
        self.fork = Some(match open {
            Some(f) => {
                let mut f = (*f).clone();
                f.at_ms = 0;
                f.this_label = label;
                Rc::new(f)
            }
            None => {
                let mut other = before;
                other.refresh();
                Rc::new(Fork {
                    other,
                    at_ms: 0,
                    this_label: label,
                    other_label: "the topology as it was".to_owned(),
                    divergence: None,
                })
            }
        });
        self.refresh_divergence();
    }

    /// Recomputes where the futures first part and, for two futures of one topology, what
    /// each did that the other did not (after a change to either).
    pub(super) fn refresh_divergence(&mut self) {
        let Some(fork) = &self.fork else {
            return;
        };
        let divergence = divergence(self, &fork.other);
        let same_topology = self.scenario == fork.other.scenario && self.seed == fork.other.seed;
        let (ours, theirs) = (&*self.history, &*fork.other.history);
        let shared = ours.iter().zip(theirs).take_while(|(a, b)| a == b).count();
        let own = |steps: &[sim::ScriptStep]| {
            let words: Vec<String> = steps.iter().map(|s| describe(&s.action, s.at_ms)).collect();
            if words.is_empty() {
                "as it was".to_owned()
            } else {
                words.join("; ")
            }
        };
        let (this_label, other_label) = (own(&ours[shared..]), own(&theirs[shared..]));
        let part = ours[shared..]
            .iter()
            .chain(&theirs[shared..])
            .map(|s| s.at_ms)
            .min();
        if let Some(f) = &mut self.fork {
            let f = Rc::make_mut(f);
            f.divergence = divergence;
            if same_topology {
                f.this_label = this_label;
                f.other_label = other_label;
                f.at_ms = part.unwrap_or(f.at_ms);
            }
        }
    }

    /// Keeps the other future at this one's moment.
    pub(super) fn sync_fork(&mut self) {
        let now = self.engine.borrow().sim.now().as_millis();
        let Some(f) = &mut self.fork else {
            return;
        };
        if f.other.engine.borrow().sim.now().as_millis() != now || f.other.selected != self.selected
        {
            let f = Rc::make_mut(f);
            f.other.selected.clone_from(&self.selected);
            f.other.update(Action::RunTo(now));
        }
    }

    /// Shows the other future instead (this one becomes the other).
    pub(super) fn swap_fork(&mut self) {
        let Some(fork) = self.fork.take() else {
            return;
        };
        let Fork {
            other,
            at_ms,
            this_label,
            other_label,
            divergence,
        } = (*fork).clone();
        let this = std::mem::replace(self, other);
        let keep = |me: &mut AppState, was: &AppState| {
            me.revision = was.revision;
            me.speed = was.speed;
            me.guided = was.guided;
            me.looping = was.looping;
            me.building = was.building;
            me.selected.clone_from(&was.selected);
            me.filter = was.filter.clone();
        };
        keep(self, &this);
        self.fork = Some(Rc::new(Fork {
            other: this,
            at_ms,
            this_label: other_label,
            other_label: this_label,
            divergence: divergence.map(|d| DivergenceView {
                at_ms: d.at_ms,
                this: d.other,
                other: d.this,
            }),
        }));
    }

    /// The two futures compared now (`None`: no fork open).
    #[must_use]
    pub fn comparison(&self) -> Option<Comparison> {
        let fork = self.fork.as_ref()?;
        let other = &fork.other;
        let (a, b) = (&self.view, &other.view);
        let mut rows = vec![
            row("published", a.totals.published, b.totals.published),
            row("processed", a.totals.processed, b.totals.processed),
        ];
        let ready = |q: &super::QueueNode| q.ready + q.in_flight;
        per_item(
            &mut rows,
            &a.queues,
            &b.queues,
            |q| &q.name,
            "queue {}: ready + in flight",
            ready,
        );
        per_item(
            &mut rows,
            &a.queues,
            &b.queues,
            |q| &q.name,
            "queue {}: dead-lettered",
            |q| q.dead_lettered,
        );
        per_item(
            &mut rows,
            &a.subscriptions,
            &b.subscriptions,
            |s| &s.name,
            "subscriber {}: inbox",
            |s| s.inbox,
        );
        per_item(
            &mut rows,
            &a.groups,
            &b.groups,
            |g| &g.name,
            "group {}: lag",
            |g| g.lag,
        );
        for c in &a.consumers {
            let theirs = b.consumers.iter().find(|x| x.name == c.name);
            rows.push(CompareRow {
                what: format!("{}: state, processed", c.name),
                this: format!("{}, {}", c.state.word(), c.processed),
                other: theirs.map_or_else(
                    || "not there".to_owned(),
                    |x| format!("{}, {}", x.state.word(), x.processed),
                ),
            });
        }
        // Differences first; the order within each part stays.
        rows.sort_by_key(|r| !r.differs());
        let e = self.engine.borrow();
        let o = other.engine.borrow();
        let d = compare::differences(&e.sim, &o.sim);
        let messages = [
            ("processed", &d.processed),
            ("redelivered", &d.redelivered),
            ("dead-lettered", &d.dead_lettered),
            ("lost", &d.lost),
        ]
        .into_iter()
        .filter(|(_, s)| !s.is_empty())
        .map(|(outcome, s)| MessageSplit {
            outcome,
            this: s.ours.clone(),
            other: s.theirs.clone(),
        })
        .collect();
        Some(Comparison {
            rows,
            messages,
            compared: d.compared,
        })
    }

    /// The first instant the future on show and `other` part, over the whole run.
    fn first_divergence(&self, other: &AppState) -> Option<sim::Divergence> {
        if self.scenario != other.scenario || self.seed != other.seed {
            return self.divergence_from_start(other);
        }
        // Both futures share the run up to their first differing action: start from this
        // run's last checkpoint before it (taken before any action at its time).
        let first_diff = self
            .history
            .iter()
            .zip(other.history.iter())
            .position(|(x, y)| x != y)
            .unwrap_or(self.history.len().min(other.history.len()));
        let part = [self.history.get(first_diff), other.history.get(first_diff)]
            .into_iter()
            .flatten()
            .map(|s| s.at_ms)
            .min()?;
        let e = self.engine.borrow();
        let start = e
            .checkpoints
            .iter()
            .rev()
            .map(|c| &c.sim)
            .find(|s| s.now().as_millis() <= part)
            .cloned()
            .or_else(|| {
                let mut scenario = (*self.scenario).clone();
                scenario.seed = self.seed;
                sim::Simulation::new(&scenario).ok()
            })?;
        let end = e.sim.end();
        drop(e);
        let config = TimelineConfig {
            every_ms: u64::MAX,
            max_checkpoints: 2,
        };
        let mut ours = Timeline::from_simulation(start.clone(), config);
        ours.plan(self.history.iter().cloned());
        let mut theirs = Timeline::from_simulation(start, config);
        theirs.plan(other.history.iter().cloned());
        ours.divergence(&theirs, end)
    }
}

impl AppState {
    /// Where two runs of different topologies (or seeds) first differ, from the start;
    /// at 0 with no events named when they differ from the outset.
    fn divergence_from_start(&self, other: &AppState) -> Option<sim::Divergence> {
        let fresh = |s: &AppState| {
            let mut scenario = (*s.scenario).clone();
            scenario.seed = s.seed;
            sim::Simulation::new(&scenario).ok()
        };
        let (a, b) = (fresh(self)?, fresh(other)?);
        if a.trace_hash() != b.trace_hash() {
            return Some(sim::Divergence {
                at: Instant::from_millis(0),
                ours: None,
                theirs: None,
            });
        }
        let end = a.end().min(b.end());
        let config = TimelineConfig {
            every_ms: u64::MAX,
            max_checkpoints: 2,
        };
        let mut ours = Timeline::from_simulation(a, config);
        ours.plan(self.history.iter().cloned());
        let mut theirs = Timeline::from_simulation(b, config);
        theirs.plan(other.history.iter().cloned());
        ours.divergence(&theirs, end)
    }
}

/// A row per item of `ours` (queue, subscriber, group): `what` with the item's name for `{}`,
/// and `value` in each future (0 where the other has no such item).
fn per_item<T>(
    rows: &mut Vec<CompareRow>,
    ours: &[T],
    theirs: &[T],
    name: impl Fn(&T) -> &String,
    what: &str,
    value: impl Fn(&T) -> u64,
) {
    for item in ours {
        let other = theirs.iter().find(|x| name(x) == name(item));
        rows.push(row(
            &what.replace("{}", name(item)),
            value(item),
            other.map_or(0, &value),
        ));
    }
}

fn row(what: &str, this: u64, other: u64) -> CompareRow {
    CompareRow {
        what: what.to_owned(),
        this: this.to_string(),
        other: other.to_string(),
    }
}

/// Where `this` and `other` first differ, in words.
fn divergence(this: &AppState, other: &AppState) -> Option<DivergenceView> {
    let d = this.first_divergence(other)?;
    let word = |state: &AppState, e: Option<&sim::SimEvent>| {
        let e = e?;
        let engine = state.engine.borrow();
        log::rows(&engine.sim, e).into_iter().next().map(|r| r.text)
    };
    Some(DivergenceView {
        at_ms: d.at.as_millis(),
        this: word(this, d.ours.as_ref()),
        other: word(other, d.theirs.as_ref()),
    })
}
