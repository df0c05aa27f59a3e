//! The [`Simulation`]: a [`Scenario`] driving a [`Broker`] through logical time.
//!
//! Time moves only in [`step`](Simulation::step), [`run_until`](Simulation::run_until) and
//! [`step_event`](Simulation::step_event). At each instant where something is due, in this
//! order: group members heartbeat, the broker acts on its deadlines
//! ([`Broker::handle_timeout`]), script steps apply, consumers start, crash and restart,
//! producers publish, consumers finish and start work (repeatedly, until nothing moves), and
//! a time-series sample is taken. Ties break by list order. All randomness comes from
//! [`Rng`](super::rng::Rng)s forked from the scenario's seed, one per producer and per
//! consumer.
//!
//! This file holds the [`Simulation`] type, its construction and the stepping API. The rest,
//! one concern a file: `setup` (declaring the topology, building producer and consumer
//! slots), `producers` (arrivals and publishing) with `template` (payload and routing-key
//! templates), `consumers` (connect, crash, restart, remove), `processing` (work, polls,
//! acks and commits), `actions` ([`Simulation::apply`] and [`ActionError`]), `restart`
//! (flushing, and a broker recovered from storage taking over), `events`
//! ([`SimEvent`], [`SimNote`], recording and draining the broker) and `views` (the
//! per-entity views, time series and totals).

use alloc::collections::VecDeque;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::Broker;
use crate::event::{Delivery, EventFilter, EventKind};
use crate::ids::{
    ConsumerId, DeliveryTag, MessageId, Offset, QueueId, ShareMemberId, StreamConsumerId,
};
use crate::storage::{MemoryStorage, Storage};
use crate::stream::StreamPartition;
use crate::time::{Duration, Instant};
use crate::vec_map::VecMap;

use super::ScenarioError;
use super::metrics::{ConsumerStatus, TimeSeries, Totals};
use super::scenario::Scenario;
use super::trace::TraceHasher;
use consumers::{Consumer, Group, Handle};
use producers::Producer;
mod actions;
mod consumers;
mod events;
mod processing;
mod producers;
mod restart;
mod setup;
#[cfg(feature = "stories")]
mod story;
mod template;
mod views;
mod work_log;

pub use work_log::{PublishedKeys, WorkEntry, WorkItem, WorkStep};

pub use actions::ActionError;
pub use events::{SimEvent, SimEventKind, SimNote};
pub use producers::KEYS_KEPT;
#[cfg(feature = "stories")]
pub use story::{STORY_EVENTS, Story};

/// The events a simulation without a trace still needs: those that change which partitions
/// a group member owns.
fn ownership_events() -> EventFilter {
    EventFilter::NONE
        .with(EventKind::Rebalanced)
        .with(EventKind::PartitionsRevoked)
        .with(EventKind::MemberAssigned)
}

/// The most recent events [`Simulation::recent_events`] keeps.
pub const RECENT_EVENTS: usize = 1024;
/// The most events one step returns; the rest are still hashed and counted.
pub const MAX_STEP_EVENTS: usize = 1 << 16;
/// Records a stream poll returns when the consumer's `prefetch` is 0.
const DEFAULT_POLL: usize = 500;
const NS_PER_MS: u64 = 1_000_000;

/// Run options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SimOptions {
    /// Record every event: per-step slices, the recent-events ring and the trace hash.
    /// Without it the broker buffers only what the simulation needs (deliveries go through
    /// [`Broker::poll_deliveries`]), which is faster; [`Simulation::trace_hash`] is then
    /// `None`. The broker behaves identically either way.
    pub trace: bool,
}

impl Default for SimOptions {
    fn default() -> Self {
        SimOptions { trace: true }
    }
}

/// A scenario running against a [`Broker`], in logical time: over [`MemoryStorage`] unless
/// built with [`with_broker`](Simulation::with_broker).
///
/// ```
/// use brokerlab::sim::{Scenario, Simulation};
/// use brokerlab::Duration;
///
/// let json = r#"{ "version": 1, "duration_ms": 1000,
///   "topology": { "queues": [{ "name": "work" }] },
///   "producers": [{ "name": "api", "target": { "queue": "work" }, "rate_per_sec": 10 }],
///   "consumers": [{ "name": "w1", "attach": { "queue": "work" }, "processing": { "fixed": 20 } }] }"#;
/// let scenario = Scenario::from_json(json).unwrap();
/// let mut sim = Simulation::new(&scenario).unwrap();
/// sim.step(Duration::from_millis(500));
/// sim.run_until(sim.end());
/// // Arrivals at 0, 100, …, 1000 ms (the end is included); the last is still in hand.
/// assert_eq!(sim.totals().published, 11);
/// assert_eq!(sim.totals().processed, 10);
/// ```
#[derive(Debug, Clone)]
pub struct Simulation<S: Storage = MemoryStorage> {
    scenario: Scenario,
    broker: Broker<S>,
    options: SimOptions,
    now: Instant,
    end: u64,
    started: bool,
    hasher: TraceHasher,
    step_events: Vec<SimEvent>,
    step_events_dropped: u64,
    /// The stories of recent messages, when kept (`Simulation::keep_stories`).
    #[cfg(feature = "stories")]
    stories: Option<story::Stories>,
    /// The work log, when kept ([`Simulation::record_work`]).
    work_log: Option<Vec<WorkEntry>>,
    /// Keys of the messages published since the last [`Simulation::take_published`].
    published: Vec<PublishedKeys>,
    /// The last [`RECENT_EVENTS`] events of the steps before this one.
    recent: VecDeque<SimEvent>,
    /// This step's events beyond [`MAX_STEP_EVENTS`], the last [`RECENT_EVENTS`] of them.
    overflow: VecDeque<SimEvent>,
    producers: Vec<Producer>,
    consumers: Vec<Consumer>,
    consumer_names: VecMap<String, usize>,
    by_consumer_id: VecMap<ConsumerId, usize>,
    /// The consumer behind each broker stream consumer (reader or group member) it ever
    /// connected, so events name it after the broker forgot it.
    by_stream_consumer: VecMap<StreamConsumerId, usize>,
    /// The consumer behind each share-group member id it ever had.
    by_share_member: VecMap<ShareMemberId, usize>,
    script: Vec<usize>,
    next_script: usize,
    queues: Vec<(String, QueueId)>,
    dead_lettered: VecMap<QueueId, u64>,
    groups: Vec<Group>,
    totals: Totals,
    series: TimeSeries,
    next_sample: u64,
    last_sample: Totals,
    /// The payload being rendered, reused by every publish.
    scratch: Vec<u8>,
    /// Where published payloads are copied to: one allocation per buffer, not per message.
    arena: crate::message::PayloadArena,
    key_buf: String,
    /// The key hash of recent messages, at `id % KEYS_KEPT` (see [`Simulation::message_key_hash`]).
    message_keys: Vec<(MessageId, u64)>,
    deliveries: Vec<Delivery>,
    auto_acks: Vec<(usize, DeliveryTag)>,
    rebalanced: bool,
    /// Records appended to any stream so far.
    appends: u64,
    /// Bumped by whatever can move a poll's outcome besides appends: rebalances, seeks,
    /// timeouts (retention by age), connects.
    epoch: u64,
    offsets_scratch: Vec<(StreamPartition, Offset)>,
    /// Reused by every poll (`Broker::poll_positions_into`).
    records_scratch: Vec<crate::stream::PolledPosition>,
}

impl Simulation {
    /// Validates the scenario and declares its topology at time 0 (those events are the
    /// first in the trace and in [`last_step_events`](Self::last_step_events)). Nothing
    /// else happens until time is moved.
    pub fn new(scenario: &Scenario) -> Result<Simulation, ScenarioError> {
        Self::with_options(scenario, SimOptions::default())
    }

    /// [`new`](Self::new) with options.
    pub fn with_options(
        scenario: &Scenario,
        options: SimOptions,
    ) -> Result<Simulation, ScenarioError> {
        Simulation::with_broker(scenario, options, Broker::new(MemoryStorage::new()))
    }
}

impl<S: Storage> Simulation<S> {
    /// [`with_options`](Simulation::with_options) over a broker of the caller's, on any
    /// storage (a new, empty one: the scenario declares its topology on it).
    pub fn with_broker(
        scenario: &Scenario,
        options: SimOptions,
        mut broker: Broker<S>,
    ) -> Result<Simulation<S>, ScenarioError> {
        scenario.validate()?;
        if !options.trace {
            broker.set_event_filter(ownership_events());
        }
        let mut script: Vec<usize> = (0..scenario.script.len()).collect();
        crate::sort::sort_by_key(&mut script, |&i| scenario.script[i].at_ms);
        let mut sim = Simulation {
            scenario: scenario.clone(),
            broker,
            options,
            now: Instant::ZERO,
            end: scenario.duration_ms,
            started: false,
            hasher: TraceHasher::new(),
            step_events: Vec::new(),
            step_events_dropped: 0,
            #[cfg(feature = "stories")]
            stories: None,
            work_log: None,
            published: Vec::new(),
            recent: VecDeque::new(),
            overflow: VecDeque::new(),
            producers: Vec::new(),
            consumers: Vec::new(),
            consumer_names: VecMap::new(),
            by_consumer_id: VecMap::new(),
            by_stream_consumer: VecMap::new(),
            by_share_member: VecMap::new(),
            script,
            next_script: 0,
            queues: Vec::new(),
            dead_lettered: VecMap::new(),
            groups: Vec::new(),
            totals: Totals::default(),
            series: TimeSeries {
                interval_ms: scenario.sample_interval_ms,
                samples: VecDeque::new(),
            },
            next_sample: 0,
            last_sample: Totals::default(),
            scratch: Vec::new(),
            arena: crate::message::PayloadArena::new(),
            key_buf: String::new(),
            message_keys: Vec::new(),
            deliveries: Vec::new(),
            auto_acks: Vec::new(),
            rebalanced: false,
            appends: 0,
            epoch: 0,
            offsets_scratch: Vec::new(),
            records_scratch: Vec::new(),
        };
        sim.declare()?;
        Ok(sim)
    }

    /// The broker being driven (read-only: change it through [`apply`](Self::apply)).
    #[must_use]
    pub fn broker(&self) -> &Broker<S> {
        &self.broker
    }

    /// The scenario as given.
    #[must_use]
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The current logical time.
    #[must_use]
    pub fn now(&self) -> Instant {
        self.now
    }

    /// Where the scenario ends (`duration_ms`).
    #[must_use]
    pub fn end(&self) -> Instant {
        Instant::from_millis(self.end)
    }

    /// Whether everything up to the end has run.
    #[must_use]
    pub fn is_finished(&self) -> bool {
        self.started && self.next_due().is_none()
    }

    /// When something is next due (at most the end), or `None` when the run is over.
    #[must_use]
    pub fn next_due(&self) -> Option<Instant> {
        self.next_due_ms().map(Instant::from_millis)
    }

    fn next_due_ms(&self) -> Option<u64> {
        self.next_due_and_broker_ms().0
    }

    /// When something is next due (at most the end), and the broker's own next deadline
    /// ([`Broker::poll_timeout`]), which [`tick`](Self::tick) reuses.
    fn next_due_and_broker_ms(&self) -> (Option<u64>, Option<Instant>) {
        let broker_due = self.broker.poll_timeout();
        let floor = if self.started {
            self.now.as_millis() + 1
        } else {
            0
        };
        let mut next = u64::MAX;
        let mut see = |t: u64| next = next.min(t.max(floor));
        if let Some(t) = broker_due {
            see(t.as_millis());
        }
        if let Some(&i) = self.script.get(self.next_script) {
            see(self.scenario.script[i].at_ms);
        }
        for p in &self.producers {
            if let Some(t) = p.due_ms() {
                see(t);
            }
        }
        for c in &self.consumers {
            match c.status {
                ConsumerStatus::Waiting => see(c.next_heartbeat),
                ConsumerStatus::Removed => continue,
                ConsumerStatus::Running => {
                    if let Some((_, done)) = c.busy {
                        see(done);
                    }
                    if matches!(c.handle, Handle::Group { .. }) {
                        see(c.next_heartbeat);
                    }
                }
                ConsumerStatus::Crashed => {}
            }
            if let Some(&(t, _)) = c.lifecycle.front() {
                see(t);
            }
        }
        see(self.next_sample);
        ((next <= self.end).then_some(next), broker_due)
    }

    /// Advances logical time by `dt`, doing everything due on the way, and returns the events
    /// of this step (at most [`MAX_STEP_EVENTS`]; empty without [`SimOptions::trace`]).
    pub fn step(&mut self, dt: Duration) -> &[SimEvent] {
        let to = self.now + dt;
        self.run_until(to)
    }

    /// Advances logical time to `t` (never backwards), doing everything due up to it.
    pub fn run_until(&mut self, t: Instant) -> &[SimEvent] {
        self.begin_step();
        while let (Some(due), broker_due) = self.next_due_and_broker_ms() {
            if due > t.as_millis() {
                break;
            }
            self.tick(due, broker_due);
        }
        self.now = self.now.max(t);
        self.started |= t.as_millis() > 0;
        &self.step_events
    }

    /// Advances to the next instant where something is due and does it: the smallest step
    /// that changes anything ("pause anywhere"). Returns its events (empty at the end).
    pub fn step_event(&mut self) -> &[SimEvent] {
        self.begin_step();
        if let (Some(due), broker_due) = self.next_due_and_broker_ms() {
            self.tick(due, broker_due);
        }
        &self.step_events
    }

    /// Runs to the end of the scenario.
    pub fn run_to_end(&mut self) -> &[SimEvent] {
        let end = self.end();
        self.run_until(end)
    }

    fn begin_step(&mut self) {
        self.carry_recent();
        self.step_events_dropped = 0;
    }

    /// Does everything due at `t`; `broker_due` is [`Broker::poll_timeout`] as it was just
    /// before (nothing has changed the broker since).
    fn tick(&mut self, t: u64, broker_due: Option<Instant>) {
        self.now = Instant::from_millis(t);
        self.started = true;
        let now = self.now;
        // Live group members heartbeat first: a member that is alive is never evicted.
        for i in 0..self.consumers.len() {
            let c = &self.consumers[i];
            if c.status == ConsumerStatus::Running
                && c.next_heartbeat <= t
                && let Handle::Group { group, id: Some(_) } = c.handle
            {
                let g = &self.groups[group];
                let every = g.config.heartbeat_every().as_millis().max(1);
                let reply = self.broker.heartbeat(now, &g.name, &c.spec.name);
                self.consumers[i].next_heartbeat = t + every;
                if reply.is_ok_and(|r| r != crate::group::HeartbeatReply::Ok) {
                    // Told to rejoin, or given partitions: it polls again at once.
                    self.consumers[i].idle_mark = None;
                    self.drain();
                }
            }
        }
        // Heartbeats only move session deadlines later, so a broker deadline that was not due
        // before them is not due after them: ask again only if it was.
        if broker_due.is_some_and(|d| d <= now)
            && self.broker.poll_timeout().is_some_and(|d| d <= now)
        {
            self.epoch += 1;
            self.broker.handle_timeout(now);
            self.drain();
        }
        while let Some(&i) = self.script.get(self.next_script) {
            if self.scenario.script[i].at_ms > t {
                break;
            }
            self.next_script += 1;
            let action = self.scenario.script[i].action.clone();
            if let Err(e) = self.apply_now(&action) {
                self.note(SimNote::ActionFailed {
                    error: format!("script[{i}]: {e}"),
                });
            }
        }
        for i in 0..self.consumers.len() {
            if self.consumers[i].status == ConsumerStatus::Waiting
                && self.consumers[i].next_heartbeat <= t
            {
                self.start_consumer(i);
            }
            while let Some(&(at, crash)) = self.consumers[i].lifecycle.front() {
                if at > t {
                    break;
                }
                self.consumers[i].lifecycle.pop_front();
                if crash {
                    self.crash(i);
                } else {
                    self.restart(i);
                }
            }
        }
        for p in 0..self.producers.len() {
            self.produce_due(p, t);
        }
        self.work_all(t);
        while self.next_sample <= t {
            self.sample();
            self.next_sample = self
                .next_sample
                .saturating_add(self.scenario.sample_interval_ms);
        }
    }
}
