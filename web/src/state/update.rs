//! The body of the reducer: [`AppState::update`] applies one [`Action`], and playing turns
//! animation frames into logical time (pausing at guide steps, looping embeds).

use std::rc::Rc;

use brokerlab::sim;
use brokerlab::{Duration, Instant};

use super::{
    Action, AppState, CUSTOM, Edit, LOOP_HOLD_MS, MAX_FRAME_MS, SPEED_MAX, SPEED_MIN,
    empty_scenario, guide,
};

impl AppState {
    /// Applies one action (the body of the reducer).
    pub fn update(&mut self, action: Action) {
        self.revision += 1;
        match action {
            Action::Load(id) => {
                self.start_over(AppState::new(&id));
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
                self.step_event();
            }
            Action::Step100ms => {
                self.playing = false;
                let now = self.engine.borrow().sim.now();
                self.advance_to(now + Duration::from_millis(100));
            }
            Action::RunTo(t) => {
                self.playing = false;
                self.seek(Instant::from_millis(t));
            }
            Action::ShowStory(message) => self.story = message,
            Action::StepBackEvent => {
                self.playing = false;
                let now = self.now_ms();
                // The latest moment before now where anything happened, as the log shows it.
                let back = self
                    .log
                    .iter()
                    .rev()
                    .map(|r| r.at_ms)
                    .find(|&t| t < now)
                    .unwrap_or(0);
                self.seek(Instant::from_millis(back));
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
                self.start_over(AppState::with_scenario(CUSTOM, empty_scenario()));
                self.building = true;
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
            Action::Crash(consumer) => self.apply_by_hand(&sim::Action::Crash { consumer }),
            Action::Restart(consumer) => self.apply_by_hand(&sim::Action::Restart { consumer }),
            Action::Apply(action) => self.apply_by_hand(&action),
            Action::Notice(text) => self.notice = Some(text),
            Action::ImportJson(text) => match sim::Scenario::from_json(&text) {
                Ok(scenario) => self.start_over(AppState::with_scenario(CUSTOM, scenario)),
                Err(e) => self.notice = Some(format!("That file is not a scenario: {e}")),
            },
            Action::ImportRabbitMq(text) => self.import_rabbitmq(&text),
            Action::Publish(form) => match form.to_action() {
                Ok(action) => self.apply_by_hand(&action),
                Err(why) => self.notice = Some(why),
            },
            Action::AddMember(group) => {
                let spec = self.engine.borrow().member_like(&group);
                self.apply_by_hand(&sim::Action::AddConsumer(spec));
            }
            Action::FilterEntity(entity) => self.filter.entity = entity,
            Action::FilterKind(kind) => self.filter.kind = kind,
            Action::OpenCounterexample(found) => {
                let at = found.violation.at;
                self.start_over(AppState::with_scenario(CUSTOM, found.scenario.clone()));
                self.advance_to(at);
                self.playing = false;
                self.counterexample = Some(Rc::new(found.violation.clone()));
            }
            Action::CloseCounterexample => self.counterexample = None,
            #[cfg(feature = "editor")]
            Action::SwapFork => self.swap_fork(),
            #[cfg(feature = "editor")]
            Action::CloseFork => self.fork = None,
            #[cfg(feature = "editor")]
            Action::Become(state) => {
                // The story opened in this drawing stays open as the fork moves on.
                let story = self.story;
                *self = (*state).clone();
                self.story = story;
                return;
            }
        }
        #[cfg(feature = "editor")]
        self.sync_fork();
        self.refresh();
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
}
