//! The playground's one reducer: [`AppState`] owns the running [`Simulation`](brokerlab::sim::Simulation) and what the
//! user chose (scenario, seed, speed, playing, selection, event-log filters); every UI intent
//! and every animation frame is an [`Action`]. The reducer is plain Rust and is tested
//! natively; after each action it derives the [`ViewModel`] the components draw from.

mod action;
mod edit;
mod editing;
mod engine;
mod entity;
mod flights;
#[cfg(feature = "editor")]
mod fork;
mod guide;
mod log;
mod marks;
mod open;
mod publish;
mod query;
mod rebalances;
mod share_log;
#[cfg(feature = "editor")]
mod story;
mod update;
mod view;

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use brokerlab::Duration;
use brokerlab::Instant;
use brokerlab::sim::{self, ready};
use yew::prelude::*;

use crate::share::Shared;

pub use action::Action;
pub use edit::{Edit, NewKind, spec_json};
use engine::Engine;
pub use engine::{CHECKPOINT_MS, CHECKPOINTS_KEPT};
pub use entity::Entity;
pub use flights::{FLIGHT_MS, Flight, Flights, Hop, MAX_FLIGHTS};
#[cfg(feature = "editor")]
pub use fork::{CompareRow, Comparison, DivergenceView, Fork, MessageSplit};
pub use guide::{Guide, Step, guide, guides};
pub use log::{LogFilter, LogRow};
pub use marks::{MARKS_KEPT, Mark, Marks};
pub use open::{open, open_in_full};
pub use publish::{HandPublish, parse_headers};
pub use query::Query;
pub use rebalances::{Move, Phase, RebalanceStep, Rebalances, STEPS_KEPT};
#[cfg(feature = "editor")]
pub use story::{STORIES_KEPT, StoryView};
pub(crate) use view::TREND_MS;
pub use view::{
    Attachment, BindingNode, Chart, ConsumerNode, ConsumerState, Details, ExchangeNode, GroupNode,
    GroupRow, Item, LagOutlook, Marker, PartitionNode, ProducerNode, QueueNode, ShareCell,
    ShareGroupNode, ShareWindow, StreamNode, SubscriptionNode, ViewModel, share_state_word,
};

/// The slowest and fastest playback speeds (logical time per wall-clock time).
pub const SPEED_MIN: f64 = 0.1;
/// See [`SPEED_MIN`].
pub const SPEED_MAX: f64 = 100.0;
/// The speeds offered by the speed control.
pub const SPEEDS: [f64; 10] = [0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 25.0, 50.0, 100.0];
/// The longest wall-clock gap one animation frame may advance (a background tab resumes
/// without a jump).
pub const MAX_FRAME_MS: f64 = 250.0;
/// How long a looping run (an embed) shows its last moment before it starts over, in ms of
/// wall-clock time.
pub const LOOP_HOLD_MS: f64 = 1_500.0;
/// Rows the event log keeps.
pub const LOG_ROWS: usize = 600;
/// Logical time run between two turns of the log (records are looked up while retained).
pub const SLICE_MS: u64 = 100;

/// The scenario id of a scenario that is not one of the ready-made ones.
pub const CUSTOM: &str = "custom";
/// What the viewer build (embeds, without the editor) says to an edit or an import.
#[cfg(not(feature = "editor"))]
pub const VIEWER_ONLY: &str =
    "This embedded view plays the scenario; open it in Brokerlab to change it.";
/// The most JSON a shared state (scenario, the user's actions, time, selection) may take,
/// so that every link the app writes is one its decoder reads: the decoder takes at most
/// [`MAX_LINK_BYTES`](crate::share::MAX_LINK_BYTES) of text, and `v1.` + base64url of raw
/// deflate is at most 4/3 of the JSON plus a few bytes even for JSON that does not compress.
pub const LINK_JSON_BUDGET: usize = crate::share::MAX_LINK_BYTES / 4 * 3 - 1_024;
/// Edits undo can take back.
pub const UNDO_STEPS: usize = 100;

/// What "New" starts from: nothing, a minute long.
#[must_use]
pub fn empty_scenario() -> sim::Scenario {
    sim::Scenario {
        version: sim::scenario::SCENARIO_VERSION,
        title: "My topology".to_owned(),
        description: String::new(),
        seed: 1,
        duration_ms: 60_000,
        sample_interval_ms: 100,
        ..sim::Scenario::default()
    }
}

/// The playground's state. Cheap to clone: the simulation is shared, the view is an `Rc`.
#[derive(Debug, Clone)]
pub struct AppState {
    engine: Rc<RefCell<Engine>>,
    /// The loaded ready-made scenario's id (`custom` for a scenario of the user's).
    pub scenario_id: String,
    /// The scenario the simulation runs (its seed aside: see `seed`).
    pub scenario: Rc<sim::Scenario>,
    /// The actions the user applied since the start, with their times (replayed to go back
    /// in time, and carried by a shared link).
    pub history: Rc<Vec<sim::ScriptStep>>,
    /// How many of `history` the run has had applied: a seek back keeps the later ones and
    /// applies them again as the run reaches their times.
    applied: usize,
    /// The seed the simulation runs with.
    pub seed: u64,
    /// Playback speed.
    pub speed: f64,
    /// Whether animation frames advance time.
    pub playing: bool,
    /// Whether playing pauses at the moments of the ready-made scenario's guide steps.
    pub guided: bool,
    /// Whether a finished run starts over by itself after [`LOOP_HOLD_MS`].
    pub looping: bool,
    /// Whether the build tools show (a view preference: not part of links).
    pub building: bool,
    /// What the inspector shows.
    pub selected: Option<Entity>,
    /// The event log's filters.
    pub filter: LogFilter,
    /// The last rows of the event log, oldest first.
    pub log: VecDeque<Rc<LogRow>>,
    /// What the view draws, derived after every action.
    pub view: Rc<ViewModel>,
    /// The last refused action, in words.
    pub notice: Option<String>,
    /// Topologies before the edits made (newest last), for undo.
    pub undo: Rc<Vec<Rc<sim::Scenario>>>,
    /// Topologies taken back by undo (newest last), for redo.
    pub redo: Rc<Vec<Rc<sim::Scenario>>>,
    /// The next selected node ends a connection from this one.
    pub connect_from: Option<Entity>,
    /// A connection waiting for its key.
    pub pending_connect: Option<(Entity, Entity)>,
    /// Nodes the user moved, with their top-left corner in drawing units.
    pub moved: Rc<std::collections::BTreeMap<Entity, (f64, f64)>>,
    /// What the last RabbitMQ import could not simulate, one sentence each.
    pub import_notes: Rc<Vec<String>>,
    /// The counterexample on show (opened from a search), with its sentence and the names
    /// of the entities it involves.
    pub counterexample: Option<Rc<sim::check::Violation>>,
    /// Messages moving along edges.
    pub flights: Rc<Flights>,
    /// Each group's recent rebalance steps.
    pub rebalances: Rc<Rebalances>,
    /// The moments that matter, for the timeline.
    pub marks: Rc<Marks>,
    /// The message whose story ("Why?") is open.
    pub story: Option<brokerlab::MessageId>,
    /// The other future, after a change made in the past (fork and compare).
    #[cfg(feature = "editor")]
    pub fork: Option<Rc<Fork>>,
    /// The playground's wall clock: milliseconds of animation frames played so far.
    pub wall_ms: f64,
    carry_ms: f64,
    /// Wall-clock ms a looping run has shown its end.
    held_ms: f64,
    revision: u64,
}

impl PartialEq for AppState {
    fn eq(&self, other: &Self) -> bool {
        self.revision == other.revision && Rc::ptr_eq(&self.engine, &other.engine)
    }
}

/// One partition of an offset reset's preview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetLine {
    /// `stream/partition`.
    pub partition: String,
    /// The committed offset now.
    pub previous: Option<u64>,
    /// The offset the reset would commit.
    pub offset: u64,
    /// The lag it would leave.
    pub lag: u64,
}

impl AppState {
    /// The playground with ready-made scenario `id` loaded (scenario A when `id` is unknown).
    #[must_use]
    pub fn new(id: &str) -> AppState {
        let id = if ready::load(id).is_some() { id } else { "a" };
        let scenario = ready::load(id).unwrap_or_default();
        let mut state = AppState::with_scenario(id, scenario);
        state.refresh();
        state
    }

    /// The playground running `scenario` (paused at time 0), shown as scenario `id`.
    fn with_scenario(id: &str, scenario: sim::Scenario) -> AppState {
        let seed = scenario.seed;
        let engine = Engine::build(&scenario, seed);
        AppState {
            engine: Rc::new(RefCell::new(engine)),
            scenario_id: id.to_owned(),
            scenario: Rc::new(scenario),
            history: Rc::default(),
            applied: 0,
            seed,
            speed: 1.0,
            playing: false,
            guided: true,
            looping: false,
            building: false,
            selected: None,
            filter: LogFilter::default(),
            log: VecDeque::new(),
            view: Rc::default(),
            notice: None,
            undo: Rc::default(),
            redo: Rc::default(),
            connect_from: None,
            pending_connect: None,
            moved: Rc::default(),
            import_notes: Rc::default(),
            counterexample: None,
            flights: Rc::default(),
            rebalances: Rc::default(),
            marks: Rc::default(),
            story: None,
            #[cfg(feature = "editor")]
            fork: None,
            wall_ms: 0.0,
            carry_ms: 0.0,
            held_ms: 0.0,
            revision: 0,
        }
    }

    /// The playground as a URL query asks for it (`?s=d&t=4000&seed=9&speed=10`).
    #[must_use]
    pub fn from_query(query: &Query) -> AppState {
        let mut state = AppState::new(query.scenario.as_deref().unwrap_or("a"));
        if let Some(seed) = query.seed {
            state.update(Action::SetSeed(seed));
        }
        if let Some(speed) = query.speed {
            state.update(Action::SetSpeed(speed));
        }
        if let Some(t) = query.t_ms {
            state.update(Action::RunTo(t));
        }
        state
    }

    /// The playground a shared link describes: its scenario, run to each action's time and
    /// the action applied, then to the link's time, with its speed and selection.
    ///
    /// # Errors
    /// An action that no longer applies (the link was edited by hand), in words.
    pub fn from_shared(shared: &Shared) -> Result<AppState, String> {
        let mut state = AppState::with_scenario(&shared.id, shared.scenario.clone());
        for (i, step) in shared.actions.iter().enumerate() {
            if step.at_ms > shared.t_ms {
                // The future the link's moment has not reached yet: applied when it comes.
                Rc::make_mut(&mut state.history).extend(shared.actions[i..].iter().cloned());
                break;
            }
            state.advance_to(Instant::from_millis(step.at_ms));
            state.apply(&step.action);
            if let Some(why) = state.notice.take() {
                return Err(format!(
                    "the link's action {} (at {} ms) does not apply: {why}",
                    i + 1,
                    step.at_ms
                ));
            }
        }
        state.advance_to(Instant::from_millis(shared.t_ms));
        state.speed = shared.speed.clamp(SPEED_MIN, SPEED_MAX);
        state.selected = shared.selected.as_deref().and_then(Entity::from_key);
        for (key, x, y) in &shared.positions {
            if let Some(entity) = Entity::from_key(key) {
                state.update(Action::Move {
                    entity,
                    x: *x,
                    y: *y,
                });
            }
        }
        #[cfg(feature = "editor")]
        if let Some(f) = &shared.fork {
            // An other future that no longer rebuilds is left out, and the notice says why.
            let scenario = f
                .scenario
                .clone()
                .unwrap_or_else(|| shared.scenario.clone());
            match AppState::from_shared(&Shared {
                scenario,
                actions: f.actions.clone(),
                fork: None,
                ..shared.clone()
            }) {
                Ok(other) => {
                    state.fork = Some(Rc::new(Fork {
                        other,
                        at_ms: f.at_ms,
                        this_label: f.this_label.clone(),
                        other_label: f.other_label.clone(),
                        divergence: None,
                    }));
                    state.refresh_divergence();
                }
                Err(e) => {
                    state.notice = Some(format!(
                        "The link's other future could not be rebuilt, so it is left out: {e}"
                    ));
                }
            }
        }
        state.refresh();
        Ok(state)
    }

    /// The story of the message whose "Why?" is open, now (`None`: none open, or its story
    /// is no longer kept).
    #[cfg(feature = "editor")]
    #[must_use]
    pub fn story_view(&self) -> Option<StoryView> {
        story::story_view(&self.engine.borrow().sim, self.story?)
    }

    /// Whether the story of `message` is kept.
    #[cfg(feature = "editor")]
    #[must_use]
    pub fn has_story(&self, message: brokerlab::MessageId) -> bool {
        self.engine.borrow().sim.story(message).is_some()
    }

    /// What a link needs to reopen this moment.
    #[must_use]
    pub fn to_shared(&self) -> Shared {
        let mut scenario = (*self.scenario).clone();
        scenario.seed = self.seed;
        Shared {
            id: self.scenario_id.clone(),
            scenario,
            actions: (*self.history).clone(),
            t_ms: self.now_ms(),
            speed: self.speed,
            selected: self.selected.as_ref().map(Entity::key),
            positions: self
                .moved
                .iter()
                .map(|(e, (x, y))| (e.key(), *x, *y))
                .collect(),
            fork: self.shared_fork(),
        }
    }

    /// The other future, for a link.
    #[cfg(feature = "editor")]
    fn shared_fork(&self) -> Option<crate::share::SharedFork> {
        let f = self.fork.as_ref()?;
        let mut other = (*f.other.scenario).clone();
        other.seed = f.other.seed;
        let mut this = (*self.scenario).clone();
        this.seed = self.seed;
        Some(crate::share::SharedFork {
            scenario: (other != this).then_some(other),
            actions: (*f.other.history).clone(),
            at_ms: f.at_ms,
            this_label: f.this_label.clone(),
            other_label: f.other_label.clone(),
        })
    }

    /// The viewer build shows no forks.
    #[cfg(not(feature = "editor"))]
    #[allow(clippy::unused_self)]
    fn shared_fork(&self) -> Option<crate::share::SharedFork> {
        None
    }

    /// The scenario of the future on show, for an export: the seed it runs with and the
    /// user's actions scripted at their times (a fork's change is one of them). A scripted
    /// action applies before that instant's publishes, a hand action after them, so a run
    /// of the export can differ within the instant of each action.
    #[must_use]
    pub fn scenario_with_actions(&self) -> sim::Scenario {
        let mut scenario = (*self.scenario).clone();
        scenario.seed = self.seed;
        scenario.script.extend(self.history.iter().cloned());
        scenario.script.sort_by_key(|s| s.at_ms);
        scenario
    }

    /// A dry run of resetting `group`'s committed offsets (the preview of the group table's
    /// reset form): per partition its label, the committed offset, the new one and the lag
    /// it leaves; or why it is refused, in Kafka's words.
    pub fn plan_offset_reset(
        &self,
        group: &str,
        stream: Option<&str>,
        partition: Option<u32>,
        to: sim::ResetSpec,
    ) -> Result<Vec<ResetLine>, String> {
        let engine = self.engine.borrow();
        let plan = engine
            .sim
            .plan_offset_reset(group, stream, partition, to)
            .map_err(|e| e.to_string())?;
        let b = engine.sim.broker();
        Ok(plan
            .into_iter()
            .map(|line| ResetLine {
                partition: format!(
                    "{}/{}",
                    b.stream_name(line.partition.stream).unwrap_or("?"),
                    line.partition.partition
                ),
                previous: line.previous.map(|o| o.0),
                offset: line.offset.0,
                lag: line.lag,
            })
            .collect())
    }

    /// The current logical time in ms.
    #[must_use]
    pub fn now_ms(&self) -> u64 {
        self.view.now_ms
    }

    /// The ready-made scenario's guide step showing now, when there is a guide.
    #[must_use]
    pub fn guide_step(&self) -> Option<(&'static Guide, usize)> {
        let g = guide(&self.scenario_id)?;
        Some((g, g.step_at(self.now_ms())))
    }

    /// Whether the showing guide step talks about `entity` (drawn highlighted while the
    /// guided tour is on).
    #[must_use]
    pub fn highlighted(&self, entity: &Entity) -> bool {
        if let Some(v) = &self.counterexample {
            let (_, name) = entity.parts();
            return v.entities.iter().any(|n| n == name);
        }
        self.guided
            && self.guide_step().is_some_and(|(g, i)| {
                let key = entity.key();
                g.steps
                    .get(i)
                    .is_some_and(|s| s.look.contains(&key.as_str()))
            })
    }

    /// Replaces the whole state by `next` (another scenario, opened at 0), keeping what the
    /// user chose for the playground itself (speed, the guide, looping, build mode); the
    /// revision goes on, so the page sees a change.
    fn start_over(&mut self, next: AppState) {
        *self = AppState {
            revision: self.revision,
            speed: self.speed,
            guided: self.guided,
            looping: self.looping,
            building: self.building,
            ..next
        };
    }

    /// Applies an action the user took now, unless the history would then outgrow what a
    /// link can carry ([`LINK_JSON_BUDGET`]): then nothing changes and the notice says why.
    fn apply_by_hand(&mut self, action: &sim::Action) {
        if self.link_has_room_for(action) {
            #[cfg(feature = "editor")]
            self.apply_forking(action);
            #[cfg(not(feature = "editor"))]
            self.apply(action);
        } else {
            self.notice = Some(format!(
                "This run holds as many actions as a link can carry ({} KB): reset the run, \
                 or export the scenario and add what you need to its script.",
                LINK_JSON_BUDGET / 1024
            ));
        }
    }

    /// Whether the link to this state, with `action` added to its history, stays within
    /// [`LINK_JSON_BUDGET`].
    #[cfg(feature = "editor")]
    fn link_has_room_for(&self, action: &sim::Action) -> bool {
        let step = sim::ScriptStep {
            at_ms: self.now_ms(),
            action: action.clone(),
        };
        let now = serde_json::to_vec(&self.to_shared()).map_or(usize::MAX, |j| j.len());
        let more = serde_json::to_vec(&step).map_or(usize::MAX, |j| j.len());
        now.saturating_add(more).saturating_add(1) <= LINK_JSON_BUDGET
    }

    /// The viewer build (embeds) writes no links, so its history is never cut short.
    #[cfg(not(feature = "editor"))]
    fn link_has_room_for(&self, _action: &sim::Action) -> bool {
        true
    }

    /// Applies `action` now; remembers it in the history when it applies.
    fn apply(&mut self, action: &sim::Action) {
        let mut e = self.engine.borrow_mut();
        let result = e.sim.apply(action);
        if let (Ok(()), sim::Action::AddConsumer(c)) = (&result, action) {
            e.attach.push((c.name.clone(), c.attach.clone()));
        }
        if result.is_ok() {
            let now = e.sim.now().as_millis();
            // A change replaces the future it changes: later actions go.
            let history = Rc::make_mut(&mut self.history);
            history.truncate(self.applied);
            history.push(sim::ScriptStep {
                at_ms: now,
                action: action.clone(),
            });
            self.applied = history.len();
            // The future the marks and later checkpoints describe changes from here.
            Rc::make_mut(&mut self.marks).truncate_after(now);
            e.checkpoints.retain(|c| c.sim.now().as_millis() <= now);
        }
        self.notice = result.err().map(|e| e.to_string());
    }

    /// A fresh simulation of the scenario with the current seed; the log and the history
    /// start over.
    fn rebuild(&mut self) {
        #[cfg(feature = "editor")]
        {
            self.fork = None;
        }
        self.engine = Rc::new(RefCell::new(Engine::build(&self.scenario, self.seed)));
        self.history = Rc::default();
        self.applied = 0;
        self.log.clear();
        self.flights = Rc::default();
        self.rebalances = Rc::default();
        self.marks = Rc::default();
        self.carry_ms = 0.0;
        self.notice = None;
    }

    /// Runs to `to` (at most the end) in slices of [`SLICE_MS`], turning each slice's events
    /// into log rows while the records they name are still retained.
    fn advance_to(&mut self, to: Instant) {
        loop {
            let mut e = self.engine.borrow_mut();
            let to = to.min(e.sim.end());
            let now = e.sim.now();
            if now >= to {
                break;
            }
            let pending = self
                .history
                .get(self.applied)
                .map(|s| Instant::from_millis(s.at_ms));
            let mut next = (now + Duration::from_millis(SLICE_MS)).min(to);
            if let Some(at) = pending {
                next = next.min(at);
            }
            e.sim.run_until(next);
            drop(e);
            self.ingest();
            self.checkpoint();
            self.apply_pending();
        }
        self.apply_pending();
    }

    /// Advances to the next instant where anything happens, or to the time of the next action
    /// of the history still to apply when that comes first.
    fn step_event(&mut self) {
        self.apply_pending();
        let Some(at) = self.history.get(self.applied).map(|s| s.at_ms) else {
            self.engine.borrow_mut().sim.step_event();
            return;
        };
        self.step_event_before(at);
    }

    /// One event forward, but no further than `at`, where an action of the history waits.
    #[cfg(feature = "editor")]
    fn step_event_before(&mut self, at: u64) {
        let mut probe = self.engine.borrow().sim.clone();
        probe.step_event();
        if probe.now().as_millis() > at {
            self.advance_to(Instant::from_millis(at));
        } else {
            self.engine.borrow_mut().sim = probe;
        }
    }

    /// The viewer build (embeds) steps by event only through a link's own moment: it steps,
    /// then applies what became due.
    #[cfg(not(feature = "editor"))]
    fn step_event_before(&mut self, _at: u64) {
        self.engine.borrow_mut().sim.step_event();
        self.apply_pending();
    }

    /// Applies the actions of the history that are due now and not applied yet (after a
    /// seek back, as the run reaches their times again).
    fn apply_pending(&mut self) {
        loop {
            let now = self.engine.borrow().sim.now().as_millis();
            let Some(step) = self.history.get(self.applied).filter(|s| s.at_ms <= now) else {
                return;
            };
            let action = step.action.clone();
            let mut e = self.engine.borrow_mut();
            let result = e.sim.apply(&action);
            if let (Ok(()), sim::Action::AddConsumer(c)) = (&result, &action) {
                e.attach.push((c.name.clone(), c.attach.clone()));
            }
            drop(e);
            self.applied += 1;
            self.ingest();
        }
    }

    /// Puts the engine back to the last checkpoint at or before `to`; returns the log and
    /// rebalance steps derived up to it.
    #[cfg(feature = "editor")]
    fn restore_checkpoint(
        &mut self,
        to: Instant,
    ) -> Option<(VecDeque<Rc<LogRow>>, Rc<Rebalances>)> {
        let mut e = self.engine.borrow_mut();
        let i = e.checkpoints.iter().rposition(|c| c.sim.now() <= to)?;
        let c = e.checkpoints[i].clone();
        e.sim = c.sim;
        e.attach = c.attach;
        e.seen_events = c.seen_events;
        Some((c.log, c.rebalances))
    }

    /// The viewer build keeps no checkpoints.
    #[cfg(not(feature = "editor"))]
    fn restore_checkpoint(
        &mut self,
        _to: Instant,
    ) -> Option<(VecDeque<Rc<LogRow>>, Rc<Rebalances>)> {
        None
    }

    /// Takes a checkpoint of the run and what was derived from it, when one is due. The
    /// viewer build (embeds) has no timeline: it keeps none, and a seek back replays from
    /// the start.
    #[cfg(not(feature = "editor"))]
    fn checkpoint(&mut self) {}

    /// Takes a checkpoint of the run and what was derived from it, when one is due.
    #[cfg(feature = "editor")]
    fn checkpoint(&mut self) {
        let mut e = self.engine.borrow_mut();
        if !e.checkpoint_due() {
            return;
        }
        let c = engine::Checkpoint {
            sim: e.sim.clone(),
            attach: e.attach.clone(),
            seen_events: e.seen_events,
            log: self.log.clone(),
            rebalances: Rc::clone(&self.rebalances),
        };
        e.keep(c);
    }

    /// Moves the run (paused) to `to`: forward by running; back by restoring the last
    /// checkpoint at or before `to` and running from it, applying the user's actions again
    /// at their times. Seeking changes nothing of the run's future.
    fn seek(&mut self, to: Instant) {
        let now = self.engine.borrow().sim.now();
        if to < now {
            let marks = Rc::clone(&self.marks);
            let restored = self.restore_checkpoint(to);
            match restored {
                Some((log, rebalances)) => {
                    let from = self.engine.borrow().sim.now().as_millis();
                    self.log = log;
                    self.rebalances = rebalances;
                    // A checkpoint at an action's time was taken before it.
                    self.applied = self.history.iter().take_while(|s| s.at_ms < from).count();
                }
                None => {
                    // Before the first checkpoint: from the start, the history kept.
                    let checkpoints = std::mem::take(&mut self.engine.borrow_mut().checkpoints);
                    let spacing = self.engine.borrow().checkpoint_ms;
                    let mut fresh = Engine::build(&self.scenario, self.seed);
                    fresh.checkpoints = checkpoints;
                    fresh.checkpoint_ms = spacing;
                    self.engine = Rc::new(RefCell::new(fresh));
                    self.log.clear();
                    self.rebalances = Rc::default();
                    self.applied = 0;
                }
            }
            self.flights = Rc::default();
            self.carry_ms = 0.0;
            self.marks = marks;
        }
        self.advance_to(to);
    }

    /// Turns events not seen yet into log rows, rebalance steps and flights.
    fn ingest(&mut self) {
        let mut e = self.engine.borrow_mut();
        let Engine {
            sim,
            seen_events,
            attach,
            ..
        } = &mut *e;
        let total = sim.totals().events;
        let fresh = usize::try_from(total - *seen_events).unwrap_or(usize::MAX);
        if fresh == 0 {
            return;
        }
        *seen_events = total;
        let recent: Vec<&sim::SimEvent> = sim.recent_events().collect();
        let skip = recent.len().saturating_sub(fresh.min(LOG_ROWS));
        let fresh = &recent[skip..];
        let flying = fresh.len().saturating_sub(MAX_FLIGHTS);
        Rc::make_mut(&mut self.flights).observe(
            sim,
            attach,
            fresh[flying..].iter().copied(),
            self.wall_ms,
            self.playing,
        );
        let rebalances = Rc::make_mut(&mut self.rebalances);
        let now = sim.now().as_millis();
        for event in fresh {
            rebalances.observe(sim, event);
            // The viewer build (embeds) shows no event log: it keeps no rows.
            if cfg!(feature = "editor") {
                for row in log::rows(sim, event) {
                    Rc::make_mut(&mut self.marks).observe(&row);
                    if self.log.len() == LOG_ROWS {
                        self.log.pop_front();
                    }
                    self.log.push_back(Rc::new(row));
                }
            }
        }
        Rc::make_mut(&mut self.marks).seen_to(now);
    }

    /// Ingests new events, stops at the end, derives the view.
    fn refresh(&mut self) {
        self.ingest();
        let e = self.engine.borrow();
        let Engine { sim, attach, .. } = &*e;
        if self.playing && !self.looping && sim.now() >= sim.end() {
            self.playing = false;
        }
        self.view = Rc::new(view::build(sim, attach, self.selected.as_ref()));
    }
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        next.update(action);
        Rc::new(next)
    }
}

/// The handle components use to read the state and dispatch actions.
pub type AppHandle = UseReducerHandle<AppState>;

/// The playground's state and dispatcher, from the context the root component provides.
#[hook]
pub fn use_app() -> AppHandle {
    use_context::<AppHandle>().expect("use_app is called under the App component")
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod tests_actions;

#[cfg(test)]
mod tests_build;

#[cfg(test)]
mod tests_guide;

#[cfg(test)]
mod tests_counterexample;

#[cfg(test)]
mod tests_history;

#[cfg(test)]
mod tests_timeline;

#[cfg(test)]
mod tests_fork;

#[cfg(test)]
mod tests_story;
