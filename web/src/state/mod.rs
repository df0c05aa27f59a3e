//! The playground's one reducer: [`AppState`] owns the running [`Simulation`] and what the
//! user chose (scenario, seed, speed, playing, selection, event-log filters); every UI intent
//! and every animation frame is an [`Action`]. The reducer is plain Rust and is tested
//! natively; after each action it derives the [`ViewModel`] the components draw from.

mod edit;
mod flights;
mod guide;
mod log;
mod open;
mod publish;
mod query;
mod rebalances;
mod view;

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use brokerlab::Duration;
use brokerlab::Instant;
use brokerlab::sim::{self, Simulation, ready};
use yew::prelude::*;

use crate::share::Shared;

pub use edit::{Edit, NewKind, spec_json};
pub use flights::{FLIGHT_MS, Flight, Flights, Hop, MAX_FLIGHTS};
pub use guide::{Guide, Step, guide, guides};
pub use log::{LogFilter, LogRow};
pub use open::{open, open_in_full};
pub use publish::{HandPublish, parse_headers};
pub use query::Query;
pub use rebalances::{Move, Phase, RebalanceStep, Rebalances, STEPS_KEPT};
pub use view::{
    Attachment, BindingNode, Chart, ConsumerNode, ConsumerState, Details, ExchangeNode, GroupNode,
    GroupRow, Marker, PartitionNode, ProducerNode, QueueNode, StreamNode, SubscriptionNode,
    ViewModel,
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

/// Something shown on the canvas that can be selected and inspected.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Entity {
    /// A producer, by name.
    Producer(String),
    /// An exchange.
    Exchange(String),
    /// A queue.
    Queue(String),
    /// A pub/sub subscription (named after its consumer).
    Subscription(String),
    /// A stream.
    Stream(String),
    /// A consumer (queue consumer, subscriber, stream reader or group member).
    Consumer(String),
    /// A consumer group.
    Group(String),
}

impl Entity {
    /// `kind:name`, stable across renders (used as DOM key and in `data-entity`).
    #[must_use]
    pub fn key(&self) -> String {
        let (kind, name) = self.parts();
        format!("{kind}:{name}")
    }

    /// The kind in words and the name.
    #[must_use]
    pub fn parts(&self) -> (&'static str, &str) {
        match self {
            Entity::Producer(n) => ("producer", n),
            Entity::Exchange(n) => ("exchange", n),
            Entity::Queue(n) => ("queue", n),
            Entity::Subscription(n) => ("subscription", n),
            Entity::Stream(n) => ("stream", n),
            Entity::Consumer(n) => ("consumer", n),
            Entity::Group(n) => ("group", n),
        }
    }

    /// The entity a [`key`](Self::key) names.
    #[must_use]
    pub fn from_key(key: &str) -> Option<Entity> {
        let (kind, name) = key.split_once(':')?;
        let name = name.to_owned();
        Some(match kind {
            "producer" => Entity::Producer(name),
            "exchange" => Entity::Exchange(name),
            "queue" => Entity::Queue(name),
            "subscription" => Entity::Subscription(name),
            "stream" => Entity::Stream(name),
            "consumer" => Entity::Consumer(name),
            "group" => Entity::Group(name),
            _ => return None,
        })
    }

    /// The name alone.
    #[must_use]
    pub fn name(&self) -> &str {
        self.parts().1
    }
}

/// Everything the user (or an animation frame) can ask of the playground.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Load a ready-made scenario by id (`a` … `e`, `comparison`), paused at time 0.
    Load(String),
    /// Start playing.
    Play,
    /// Stop playing.
    Pause,
    /// Whether a run played through a guide step's moment pauses there.
    SetGuided(bool),
    /// Whether a finished run starts over by itself (embeds).
    SetLooping(bool),
    /// Show or hide the build tools (palette, property editor, undo and redo).
    SetBuilding(bool),
    /// An animation frame: `elapsed_ms` of wall-clock time passed (scaled by the speed).
    Tick {
        /// Wall-clock milliseconds since the previous frame.
        elapsed_ms: f64,
    },
    /// Advance to the next instant where anything happens.
    StepEvent,
    /// Advance 100 ms of logical time.
    Step100ms,
    /// Run (paused) to this logical time in ms (clamped to the scenario's end).
    RunTo(u64),
    /// Set the playback speed (clamped to 0.1×–100×).
    SetSpeed(f64),
    /// Rebuild the simulation from the scenario, keeping the seed.
    Reset,
    /// Use another seed and reset.
    SetSeed(u64),
    /// Select something to inspect (or nothing).
    Select(Option<Entity>),
    /// Crash a consumer now.
    Crash(String),
    /// Restart a crashed consumer now.
    Restart(String),
    /// Apply a simulation action now: remove a consumer, seek, commit, publish by hand,
    /// change a producer's rate (a refused one changes nothing and shows why).
    Apply(sim::Action),
    /// Open a scenario from JSON (an imported file) at time 0; malformed JSON or an invalid
    /// scenario changes nothing and says why (with the field's path or line and column).
    ImportJson(String),
    /// Open a RabbitMQ `definitions.json` as a scenario at time 0 (see
    /// [`crate::export::rabbitmq_import`]); what it cannot simulate goes to `import_notes`.
    ImportRabbitMq(String),
    /// Show a message about the user's input (a form that could not be read).
    Notice(String),
    /// Publish what the publish form holds (a malformed form publishes nothing and says why).
    Publish(HandPublish),
    /// Change the topology (restarts the run at 0; refused edits change nothing and say why).
    Edit(Edit),
    /// Take back the last edit.
    Undo,
    /// Redo the last edit taken back.
    Redo,
    /// Start from an empty topology.
    NewEmpty,
    /// Connect two nodes; asks for a key first when the connection takes one.
    Connect {
        /// Where the arrow starts.
        from: Entity,
        /// Where it ends.
        to: Entity,
    },
    /// Make the next selected node the end of a connection from this one (`None`: cancel).
    ConnectFrom(Option<Entity>),
    /// Finish the pending connection with this binding or routing key.
    ConfirmConnect(String),
    /// Move a node on the canvas to `(x, y)` in drawing units.
    Move {
        /// The node.
        entity: Entity,
        /// Left.
        x: f64,
        /// Top.
        y: f64,
    },
    /// Add a member to a group, shaped like its existing members, named `<group>-<n>`.
    AddMember(String),
    /// Filter the event log by entity name (`None`: all).
    FilterEntity(Option<String>),
    /// Filter the event log by kind (`None`: all).
    FilterKind(Option<String>),
}

/// The engine the reducer drives: the simulation and the names of what it runs.
#[derive(Debug)]
struct Engine {
    sim: Simulation,
    /// What every consumer attaches to (scenario consumers, then scripted ones).
    attach: Vec<(String, sim::Attach)>,
    /// `totals().events` already turned into log rows.
    seen_events: u64,
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
    /// Messages moving along edges.
    pub flights: Rc<Flights>,
    /// Each group's recent rebalance steps.
    pub rebalances: Rc<Rebalances>,
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
            flights: Rc::default(),
            rebalances: Rc::default(),
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
        state.refresh();
        Ok(state)
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
        }
    }

    /// Applies one action (the body of the reducer).
    pub fn update(&mut self, action: Action) {
        self.revision += 1;
        match action {
            Action::Load(id) => {
                *self = AppState {
                    revision: self.revision,
                    speed: self.speed,
                    guided: self.guided,
                    looping: self.looping,
                    building: self.building,
                    ..AppState::new(&id)
                };
                return;
            }
            Action::Play => {
                if self.engine.borrow().sim.is_finished() {
                    self.rebuild();
                }
                self.playing = true;
                self.carry_ms = 0.0;
            }
            Action::Pause => self.playing = false,
            Action::SetGuided(on) => self.guided = on,
            Action::SetLooping(on) => self.looping = on,
            Action::SetBuilding(on) => {
                self.building = on;
                if !on {
                    self.connect_from = None;
                    self.pending_connect = None;
                }
            }
            Action::Tick { elapsed_ms } => {
                if !self.playing {
                    return;
                }
                let elapsed_ms = elapsed_ms.clamp(0.0, MAX_FRAME_MS);
                self.wall_ms += elapsed_ms;
                Rc::make_mut(&mut self.flights).expire(self.wall_ms);
                if self.engine.borrow().sim.is_finished() {
                    self.hold_then_loop(elapsed_ms);
                } else {
                    self.play_for(elapsed_ms);
                }
            }
            Action::StepEvent => {
                self.playing = false;
                self.engine.borrow_mut().sim.step_event();
            }
            Action::Step100ms => {
                self.playing = false;
                let now = self.engine.borrow().sim.now();
                self.advance_to(now + Duration::from_millis(100));
            }
            Action::RunTo(t) => {
                self.playing = false;
                let to = Instant::from_millis(t);
                if to < self.engine.borrow().sim.now() {
                    // Back in time: the user's actions up to `t` are replayed, later ones dropped.
                    let mut kept = Rc::unwrap_or_clone(std::mem::take(&mut self.history));
                    kept.retain(|s| s.at_ms <= t);
                    self.rebuild();
                    self.replay(&kept);
                }
                self.advance_to(to);
            }
            Action::SetSpeed(speed) => {
                self.speed = if speed.is_finite() {
                    speed.clamp(SPEED_MIN, SPEED_MAX)
                } else {
                    1.0
                };
            }
            Action::Reset => {
                self.playing = false;
                self.rebuild();
            }
            Action::SetSeed(seed) => {
                self.seed = seed;
                self.playing = false;
                self.rebuild();
            }
            Action::Select(Some(to)) if self.connect_from.is_some() => {
                let from = self.connect_from.take().unwrap_or_else(|| to.clone());
                self.update(Action::Connect { from, to });
                return;
            }
            Action::Select(entity) => self.selected = entity,
            Action::Edit(edit) => self.edit(&edit),
            Action::Undo | Action::Redo => self.undo_redo(action == Action::Undo),
            Action::NewEmpty => {
                let speed = self.speed;
                *self = AppState {
                    revision: self.revision,
                    speed,
                    building: true,
                    ..AppState::with_scenario(CUSTOM, empty_scenario())
                };
            }
            Action::ConnectFrom(from) => {
                self.building |= from.is_some();
                self.connect_from = from;
                self.pending_connect = None;
            }
            Action::Connect { from, to } => {
                self.building = true;
                self.connect_from = None;
                if self.takes_key(&from, &to) {
                    self.pending_connect = Some((from, to));
                } else {
                    self.edit(&Edit::Connect {
                        from,
                        to,
                        key: String::new(),
                    });
                }
            }
            Action::ConfirmConnect(key) => {
                if let Some((from, to)) = self.pending_connect.take() {
                    self.edit(&Edit::Connect { from, to, key });
                }
            }
            Action::Move { entity, x, y } => {
                if x.is_finite() && y.is_finite() {
                    let (x, y) = (x.clamp(0.0, 4_000.0), y.clamp(0.0, 4_000.0));
                    Rc::make_mut(&mut self.moved).insert(entity, (x, y));
                }
            }
            Action::Crash(consumer) => self.apply(&sim::Action::Crash { consumer }),
            Action::Restart(consumer) => self.apply(&sim::Action::Restart { consumer }),
            Action::Apply(action) => self.apply(&action),
            Action::Notice(text) => self.notice = Some(text),
            Action::ImportJson(text) => match sim::Scenario::from_json(&text) {
                Ok(scenario) => {
                    let speed = self.speed;
                    *self = AppState {
                        revision: self.revision,
                        speed,
                        ..AppState::with_scenario(CUSTOM, scenario)
                    };
                }
                Err(e) => self.notice = Some(format!("That file is not a scenario: {e}")),
            },
            Action::ImportRabbitMq(text) => self.import_rabbitmq(&text),
            Action::Publish(form) => match form.to_action() {
                Ok(action) => self.apply(&action),
                Err(why) => self.notice = Some(why),
            },
            Action::AddMember(group) => {
                let spec = self.engine.borrow().member_like(&group);
                self.apply(&sim::Action::AddConsumer(spec));
            }
            Action::FilterEntity(entity) => self.filter.entity = entity,
            Action::FilterKind(kind) => self.filter.kind = kind,
        }
        self.refresh();
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
        self.guided
            && self.guide_step().is_some_and(|(g, i)| {
                let key = entity.key();
                g.steps
                    .get(i)
                    .is_some_and(|s| s.look.contains(&key.as_str()))
            })
    }

    /// Advances the logical time `elapsed_ms` of wall-clock time asks for, at the speed;
    /// with the guide on, stops and pauses at the next guide step's moment.
    fn play_for(&mut self, elapsed_ms: f64) {
        let dt = elapsed_ms * self.speed + self.carry_ms;
        let whole = dt.floor();
        self.carry_ms = dt - whole;
        if whole < 1.0 {
            return;
        }
        let now = self.engine.borrow().sim.now();
        let mut to = now + Duration::from_millis(whole as u64);
        let stop = guide(&self.scenario_id)
            .filter(|_| self.guided)
            .and_then(|g| g.stop_between(now.as_millis(), to.as_millis()));
        if let Some(at) = stop {
            to = Instant::from_millis(at);
            self.playing = false;
            self.carry_ms = 0.0;
        }
        self.advance_to(to);
    }

    /// A finished run: a looping one shows its end for [`LOOP_HOLD_MS`], then starts over
    /// (without the hand-made actions, as Play after the end does).
    fn hold_then_loop(&mut self, elapsed_ms: f64) {
        self.held_ms += elapsed_ms;
        if self.held_ms >= LOOP_HOLD_MS {
            self.held_ms = 0.0;
            self.rebuild();
        }
    }

    /// Opens RabbitMQ definitions as a scenario of the user's.
    #[cfg(feature = "editor")]
    fn import_rabbitmq(&mut self, text: &str) {
        match crate::export::rabbitmq_import::import(text) {
            Ok(imported) => {
                let speed = self.speed;
                *self = AppState {
                    revision: self.revision,
                    speed,
                    import_notes: Rc::new(imported.notes),
                    ..AppState::with_scenario(CUSTOM, imported.scenario)
                };
            }
            Err(e) => self.notice = Some(format!("That file is not RabbitMQ definitions: {e}")),
        }
    }

    /// The viewer build (embeds) has no importer.
    #[cfg(not(feature = "editor"))]
    fn import_rabbitmq(&mut self, _text: &str) {
        self.notice = Some(VIEWER_ONLY.to_owned());
    }

    /// Whether a connection from `from` to `to` asks for a key first.
    #[cfg(feature = "editor")]
    fn takes_key(&self, from: &Entity, to: &Entity) -> bool {
        edit::takes_key(&self.scenario, from, to)
    }

    /// The viewer build (embeds) edits nothing, so it asks for no key.
    #[cfg(not(feature = "editor"))]
    fn takes_key(&self, _from: &Entity, _to: &Entity) -> bool {
        false
    }

    /// The viewer build (embeds) has no editor: an edit is refused in words.
    #[cfg(not(feature = "editor"))]
    fn edit(&mut self, _edit: &Edit) {
        self.notice = Some(VIEWER_ONLY.to_owned());
    }

    /// Takes an edit: the new topology runs from 0, the old one goes on the undo stack.
    #[cfg(feature = "editor")]
    fn edit(&mut self, edit: &Edit) {
        match edit::apply(&self.scenario, edit) {
            Ok((scenario, made)) => {
                let old = std::mem::replace(&mut self.scenario, Rc::new(scenario));
                let undo = Rc::make_mut(&mut self.undo);
                undo.push(old);
                if undo.len() > UNDO_STEPS {
                    undo.remove(0);
                }
                self.redo = Rc::default();
                self.retopologise();
                match (edit, made) {
                    (Edit::Delete(gone), _) => {
                        if self.selected.as_ref() == Some(gone) {
                            self.selected = None;
                        }
                        Rc::make_mut(&mut self.moved).remove(gone);
                    }
                    (_, Some(made)) => self.selected = Some(made),
                    _ => {}
                }
            }
            Err(why) => self.notice = Some(why),
        }
    }

    fn undo_redo(&mut self, undo: bool) {
        let (from, to) = if undo {
            (&mut self.undo, &mut self.redo)
        } else {
            (&mut self.redo, &mut self.undo)
        };
        let Some(scenario) = Rc::make_mut(from).pop() else {
            self.notice = Some(format!("nothing to {}", if undo { "undo" } else { "redo" }));
            return;
        };
        let current = std::mem::replace(&mut self.scenario, scenario);
        Rc::make_mut(to).push(current);
        self.retopologise();
    }

    /// The run restarts on a changed topology, as a scenario of the user's.
    fn retopologise(&mut self) {
        self.scenario_id = CUSTOM.to_owned();
        self.playing = false;
        self.connect_from = None;
        self.pending_connect = None;
        self.rebuild();
        if self.selected.as_ref().is_some_and(|e| !self.exists(e)) {
            self.selected = None;
        }
    }

    #[cfg(feature = "editor")]
    fn exists(&self, e: &Entity) -> bool {
        edit::spec_json(&self.scenario, e).is_some()
    }

    /// The viewer build (embeds) changes no topology, so what is selected still exists.
    #[cfg(not(feature = "editor"))]
    fn exists(&self, _e: &Entity) -> bool {
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
            Rc::make_mut(&mut self.history).push(sim::ScriptStep {
                at_ms: e.sim.now().as_millis(),
                action: action.clone(),
            });
        }
        self.notice = result.err().map(|e| e.to_string());
    }

    /// Runs to each step's time and applies it, as the user did.
    fn replay(&mut self, steps: &[sim::ScriptStep]) {
        for step in steps {
            self.advance_to(Instant::from_millis(step.at_ms));
            self.apply(&step.action);
        }
    }

    /// A fresh simulation of the scenario with the current seed; the log and the history
    /// start over.
    fn rebuild(&mut self) {
        self.engine = Rc::new(RefCell::new(Engine::build(&self.scenario, self.seed)));
        self.history = Rc::default();
        self.log.clear();
        self.flights = Rc::default();
        self.rebalances = Rc::default();
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
            let next = (now + Duration::from_millis(SLICE_MS)).min(to);
            e.sim.run_until(next);
            drop(e);
            self.ingest();
        }
    }

    /// Turns events not seen yet into log rows, rebalance steps and flights.
    fn ingest(&mut self) {
        let mut e = self.engine.borrow_mut();
        let Engine {
            sim,
            seen_events,
            attach,
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
        for event in fresh {
            rebalances.observe(sim, event);
            for row in log::rows(sim, event) {
                if self.log.len() == LOG_ROWS {
                    self.log.pop_front();
                }
                self.log.push_back(Rc::new(row));
            }
        }
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

impl Engine {
    /// A new member for `group`: shaped like its first member (processing, acks, prefetch),
    /// named `<group>-<n>` with the first free `n`.
    fn member_like(&self, group: &str) -> sim::ConsumerSpec {
        let scenario = self.sim.scenario();
        let scripted = scenario.script.iter().filter_map(|s| match &s.action {
            sim::Action::AddConsumer(c) => Some(c),
            _ => None,
        });
        let like = scenario
            .consumers
            .iter()
            .chain(scripted)
            .find(|c| matches!(&c.attach, sim::Attach::Group(g) if g == group));
        let taken = |name: &str| self.attach.iter().any(|(n, _)| n == name);
        let name = (1..)
            .map(|n| format!("{group}-{n}"))
            .find(|n| !taken(n))
            .unwrap_or_default();
        sim::ConsumerSpec {
            name,
            attach: sim::Attach::Group(group.to_owned()),
            processing: like.map(|c| c.processing).unwrap_or_default(),
            ack: like.map(|c| c.ack).unwrap_or_default(),
            prefetch: like.map_or(1, |c| c.prefetch),
            start_ms: 0,
            crashes: Vec::new(),
        }
    }

    fn build(scenario: &sim::Scenario, seed: u64) -> Engine {
        let mut scenario = scenario.clone();
        scenario.seed = seed;
        // A ready-made scenario is valid; an invalid one shows as an empty run.
        let sim = Simulation::new(&scenario).unwrap_or_else(|_| {
            Simulation::new(&sim::Scenario {
                version: sim::scenario::SCENARIO_VERSION,
                ..sim::Scenario::default()
            })
            .expect("the empty scenario is valid")
        });
        let mut attach: Vec<(String, sim::Attach)> = scenario
            .consumers
            .iter()
            .map(|c| (c.name.clone(), c.attach.clone()))
            .collect();
        for step in &scenario.script {
            if let sim::Action::AddConsumer(c) = &step.action
                && !attach.iter().any(|(n, _)| *n == c.name)
            {
                attach.push((c.name.clone(), c.attach.clone()));
            }
        }
        Engine {
            sim,
            attach,
            seen_events: 0,
        }
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
