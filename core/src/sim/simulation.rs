//! The [`Simulation`]: a [`Scenario`] driving a [`Broker`] through logical time.
//!
//! Time moves only in [`step`](Simulation::step), [`run_until`](Simulation::run_until) and
//! [`step_event`](Simulation::step_event). At each instant where something is due, in this
//! order: group members heartbeat, the broker acts on its deadlines
//! ([`Broker::handle_timeout`]), script steps apply, consumers start, crash and restart,
//! producers publish, consumers finish and start work (repeatedly, until nothing moves), and
//! a time-series sample is taken. Ties break by list order. All randomness comes from
//! [`Rng`]s forked from the scenario's seed, one per producer and per consumer.

use alloc::collections::{BTreeMap, VecDeque};
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::assign::Assignor;
use crate::broker::Broker;
use crate::event::{Delivery, Event, EventFilter, EventKind};
use crate::exchange::ExchangeKind;
use crate::group::GroupConfig;
use crate::ids::{
    ConsumerId, DeliveryTag, GroupId, MessageId, Offset, QueueId, StreamConsumerId, StreamId,
    SubscriptionId, Target,
};
use crate::message::Publish;
use crate::queue::{ConsumerConfig, Overflow, QueueConfig};
use crate::storage::MemoryStorage;
use crate::stream::{
    OffsetReset, Retention, SeekTo, StreamConfig, StreamConsumerConfig, StreamPartition,
};
use crate::subscription::{Received, SubscriptionConfig};
use crate::time::{Duration, Instant};

use super::ScenarioError;
use super::metrics::{
    ConsumerStatus, ConsumerView, GroupView, PartitionPosition, PartitionView, QueueView, Sample,
    SimConsumerId, SimProducerId, TimeSeries, Totals,
};
use super::rng::{Rng, Skewed};
use super::scenario::{
    AckSpec, Action, ArrivalSpec, AssignorSpec, Attach, ConsumerSpec, ExchangeKindSpec, KeySpec,
    KeylessSpec, OffsetResetSpec, OverflowSpec, ProcessingSpec, Scenario, SeekSpec, TargetSpec,
};
use super::trace::TraceHasher;

/// The most recent events [`Simulation::recent_events`] keeps.
pub const RECENT_EVENTS: usize = 1024;
/// The most events one step returns; the rest are still hashed and counted.
pub const MAX_STEP_EVENTS: usize = 1 << 16;
/// Records a stream poll returns when the consumer's `prefetch` is 0.
const DEFAULT_POLL: usize = 500;
const NS_PER_MS: u64 = 1_000_000;

/// Something that happened during a run, at a logical time.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SimEvent {
    /// When.
    pub at: Instant,
    /// What.
    pub kind: SimEventKind,
}

/// A broker event or a note from the simulation itself.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum SimEventKind {
    /// From the broker.
    Broker(Event),
    /// From the simulation.
    Sim(SimNote),
}

/// What the simulation reports beyond the broker's events.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum SimNote {
    /// A consumer crashed (what it held but had not acked or committed is lost to it).
    ConsumerCrashed {
        /// The consumer.
        consumer: SimConsumerId,
    },
    /// A crashed consumer came back.
    ConsumerRestarted {
        /// The consumer.
        consumer: SimConsumerId,
    },
    /// A consumer was added by the script or by [`Simulation::apply`].
    ConsumerAdded {
        /// The consumer.
        consumer: SimConsumerId,
    },
    /// A consumer was removed.
    ConsumerRemoved {
        /// The consumer.
        consumer: SimConsumerId,
    },
    /// A producer's rate changed.
    RateChanged {
        /// The producer.
        producer: SimProducerId,
        /// The new rate.
        rate_per_sec: u32,
    },
    /// The broker refused a publish (`None`: a scripted publish).
    PublishFailed {
        /// The producer.
        producer: Option<SimProducerId>,
        /// The broker's error.
        error: String,
    },
    /// A consumer's poll, ack, commit or join failed.
    ConsumerFailed {
        /// The consumer.
        consumer: SimConsumerId,
        /// The broker's error.
        error: String,
    },
    /// A standalone stream consumer committed (kept by the simulation: the broker stores
    /// commits for groups only).
    StreamCommitted {
        /// The consumer.
        consumer: SimConsumerId,
        /// The partition.
        partition: StreamPartition,
        /// The committed offset.
        offset: Offset,
    },
    /// A scripted action could not be applied.
    ActionFailed {
        /// Why.
        error: String,
    },
}

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

/// Why [`Simulation::apply`] refused an action.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ActionError {
    /// The action names something that does not exist, or breaks a bound (path-named).
    Invalid(ScenarioError),
    /// The action does not apply to this consumer or its state.
    NotApplicable(String),
    /// The broker refused it.
    Broker(String),
}

impl core::fmt::Display for ActionError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            ActionError::Invalid(e) => write!(f, "invalid action: {e}"),
            ActionError::NotApplicable(m) => write!(f, "not applicable: {m}"),
            ActionError::Broker(m) => write!(f, "refused by the broker: {m}"),
        }
    }
}

impl core::error::Error for ActionError {}

#[derive(Debug, Clone)]
enum Piece {
    Lit(String),
    N,
    Key,
    Producer,
    T,
}

fn parse_template(t: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut lit = String::new();
    let mut rest = t;
    while let Some(i) = rest.find('{') {
        lit.push_str(&rest[..i]);
        let after = &rest[i..];
        let piece = [
            ("{n}", Piece::N),
            ("{key}", Piece::Key),
            ("{producer}", Piece::Producer),
            ("{t}", Piece::T),
        ]
        .into_iter()
        .find(|(tok, _)| after.starts_with(tok));
        match piece {
            Some((tok, p)) => {
                if !lit.is_empty() {
                    out.push(Piece::Lit(core::mem::take(&mut lit)));
                }
                out.push(p);
                rest = &after[tok.len()..];
            }
            None => {
                lit.push('{');
                rest = &after[1..];
            }
        }
    }
    lit.push_str(rest);
    if !lit.is_empty() {
        out.push(Piece::Lit(lit));
    }
    out
}

fn render(out: &mut String, pieces: &[Piece], n: u64, key: &str, producer: &str, t: u64) {
    out.clear();
    for p in pieces {
        match p {
            Piece::Lit(s) => out.push_str(s),
            Piece::N => push_u64(out, n),
            Piece::Key => out.push_str(key),
            Piece::Producer => out.push_str(producer),
            Piece::T => push_u64(out, t),
        }
    }
}

/// Appends `n` in decimal (a hot path: every payload has its sequence number).
fn push_u64(out: &mut String, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &b in &buf[i..] {
        out.push(char::from(b));
    }
}

#[derive(Debug)]
struct Producer {
    name: String,
    target: TargetSpec,
    rate: u32,
    arrival: ArrivalSpec,
    stop_ns: u64,
    /// The next rate-driven arrival, in nanoseconds (`u64::MAX`: none).
    next_ns: u64,
    times: Vec<u64>,
    next_time: usize,
    bursts: Vec<(u64, u32)>,
    next_burst: usize,
    keys: KeySpec,
    /// `{prefix}{i}` for `uniform` and `skewed` keys, built once.
    key_names: Vec<String>,
    skew: Option<Skewed>,
    rr: usize,
    payload: Vec<Piece>,
    routing: Vec<Piece>,
    seq: u64,
    rng: Rng,
}

impl Producer {
    fn gap_ns(&mut self) -> u64 {
        if self.rate == 0 {
            return u64::MAX;
        }
        let mean = 1_000_000_000 / u64::from(self.rate);
        match self.arrival {
            ArrivalSpec::Regular => mean,
            ArrivalSpec::Poisson => self.rng.exponential(mean),
        }
    }

    fn due_ms(&self) -> Option<u64> {
        let rate = (self.next_ns < self.stop_ns).then(|| self.next_ns.div_ceil(NS_PER_MS));
        let time = self.times.get(self.next_time).copied();
        let burst = self.bursts.get(self.next_burst).map(|b| b.0);
        [rate, time, burst].into_iter().flatten().min()
    }

    fn key(&mut self, buf: &mut String) {
        buf.clear();
        match &self.keys {
            KeySpec::None => {}
            KeySpec::Fixed(k) => buf.push_str(k),
            KeySpec::RoundRobin(keys) => {
                if let Some(k) = keys.get(self.rr % keys.len().max(1)) {
                    buf.push_str(k);
                }
                self.rr = self.rr.wrapping_add(1);
            }
            KeySpec::Uniform { count, .. } => {
                let i = self.rng.below(u64::from(*count)) as usize;
                buf.push_str(self.key_names.get(i).map_or("", String::as_str));
            }
            KeySpec::Skewed { .. } => {
                let i = self.skew.as_ref().map_or(0, |s| s.sample(&mut self.rng)) as usize;
                buf.push_str(self.key_names.get(i).map_or("", String::as_str));
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Work {
    Delivery {
        tag: DeliveryTag,
    },
    Record {
        partition: StreamPartition,
        offset: Offset,
    },
    Message,
}

#[derive(Debug, Clone, Copy)]
enum Handle {
    Queue {
        queue: QueueId,
        id: Option<ConsumerId>,
    },
    Subscription {
        id: Option<SubscriptionId>,
    },
    Stream {
        stream: StreamId,
        id: Option<StreamConsumerId>,
    },
    Group {
        group: usize,
        id: Option<StreamConsumerId>,
    },
}

#[derive(Debug)]
struct Consumer {
    spec: ConsumerSpec,
    handle: Handle,
    status: ConsumerStatus,
    rng: Rng,
    inbox: VecDeque<Work>,
    busy: Option<(Work, u64)>,
    /// Pending lifecycle changes: (time, crash = true / restart = false), in order.
    lifecycle: VecDeque<(u64, bool)>,
    processed: u64,
    since_ack: u32,
    /// Queues: the last processed delivery not yet acked.
    unacked_processed: Option<DeliveryTag>,
    /// Streams and groups: next offset after the processed record, per partition.
    processed_at: Vec<(StreamPartition, Offset)>,
    /// Standalone streams: the simulation-held committed offsets.
    committed: Vec<(StreamPartition, Offset)>,
    stalled: bool,
    next_heartbeat: u64,
    /// `(appends, epoch)` when a poll last read everything there was: until either moves,
    /// another poll would return nothing and emit nothing, so it is skipped.
    idle_mark: Option<(u64, u64)>,
}

fn set_offset(list: &mut Vec<(StreamPartition, Offset)>, p: StreamPartition, o: Offset) {
    match list.iter_mut().find(|e| e.0 == p) {
        Some(e) => e.1 = o,
        None => list.push((p, o)),
    }
}

fn get_offset(list: &[(StreamPartition, Offset)], p: StreamPartition) -> Option<Offset> {
    list.iter().find(|e| e.0 == p).map(|e| e.1)
}

#[derive(Debug)]
struct Group {
    name: String,
    streams: Vec<String>,
    config: GroupConfig,
    id: Option<GroupId>,
}

/// A scenario running against a [`Broker`] over [`MemoryStorage`], in logical time.
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
#[derive(Debug)]
pub struct Simulation {
    scenario: Scenario,
    broker: Broker<MemoryStorage>,
    options: SimOptions,
    now: Instant,
    end: u64,
    started: bool,
    hasher: TraceHasher,
    step_events: Vec<SimEvent>,
    step_events_dropped: u64,
    recent: VecDeque<SimEvent>,
    producers: Vec<Producer>,
    consumers: Vec<Consumer>,
    consumer_names: BTreeMap<String, usize>,
    by_consumer_id: BTreeMap<ConsumerId, usize>,
    script: Vec<usize>,
    next_script: usize,
    queues: Vec<(String, QueueId)>,
    dead_lettered: BTreeMap<QueueId, u64>,
    groups: Vec<Group>,
    totals: Totals,
    series: TimeSeries,
    next_sample: u64,
    last_sample: Totals,
    scratch: String,
    key_buf: String,
    deliveries: Vec<Delivery>,
    auto_acks: Vec<(usize, DeliveryTag)>,
    rebalanced: bool,
    /// Records appended to any stream so far.
    appends: u64,
    /// Bumped by whatever can move a poll's outcome besides appends: rebalances, seeks,
    /// timeouts (retention by age), connects.
    epoch: u64,
    offsets_scratch: Vec<(StreamPartition, Offset)>,
}

fn reset(r: OffsetResetSpec) -> OffsetReset {
    match r {
        OffsetResetSpec::Earliest => OffsetReset::Earliest,
        OffsetResetSpec::Latest => OffsetReset::Latest,
        OffsetResetSpec::None => OffsetReset::None,
    }
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
        scenario.validate()?;
        let mut broker = Broker::new(MemoryStorage::new());
        if !options.trace {
            broker.set_event_filter(EventFilter::NONE.with(EventKind::Rebalanced));
        }
        let mut script: Vec<usize> = (0..scenario.script.len()).collect();
        script.sort_by_key(|&i| scenario.script[i].at_ms);
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
            recent: VecDeque::new(),
            producers: Vec::new(),
            consumers: Vec::new(),
            consumer_names: BTreeMap::new(),
            by_consumer_id: BTreeMap::new(),
            script,
            next_script: 0,
            queues: Vec::new(),
            dead_lettered: BTreeMap::new(),
            groups: Vec::new(),
            totals: Totals::default(),
            series: TimeSeries {
                interval_ms: scenario.sample_interval_ms,
                samples: VecDeque::new(),
            },
            next_sample: 0,
            last_sample: Totals::default(),
            scratch: String::new(),
            key_buf: String::new(),
            deliveries: Vec::new(),
            auto_acks: Vec::new(),
            rebalanced: false,
            appends: 0,
            epoch: 0,
            offsets_scratch: Vec::new(),
        };
        sim.declare()?;
        Ok(sim)
    }

    fn declare(&mut self) -> Result<(), ScenarioError> {
        let t0 = Instant::ZERO;
        let s = self.scenario.clone();
        let fail = |path: String, e: &dyn core::fmt::Display| {
            ScenarioError::new(path, format!("refused by the broker: {e}"))
        };
        for (i, x) in s.topology.exchanges.iter().enumerate() {
            let kind = match x.kind {
                ExchangeKindSpec::Direct => ExchangeKind::Direct,
                ExchangeKindSpec::Fanout => ExchangeKind::Fanout,
                ExchangeKindSpec::Topic => ExchangeKind::Topic,
            };
            self.broker
                .declare_exchange(t0, &x.name, kind)
                .map_err(|e| fail(format!("topology.exchanges[{i}]"), &e))?;
            self.drain();
        }
        for (i, q) in s.topology.queues.iter().enumerate() {
            let mut c = QueueConfig::default().with_overflow(match q.overflow {
                OverflowSpec::DropHead => Overflow::DropHead,
                OverflowSpec::RejectPublish => Overflow::RejectPublish,
            });
            if let Some(m) = q.max_length {
                c = c.with_max_length(usize::try_from(m).unwrap_or(usize::MAX));
            }
            if let Some(ms) = q.message_ttl_ms {
                c = c.with_message_ttl(Duration::from_millis(ms));
            }
            if let Some(d) = q.max_deliveries {
                c = c.with_max_deliveries(d);
            }
            if let Some(d) = &q.dead_letter_queue {
                c = c.with_dead_letter_queue(d.clone());
            }
            if let Some(ms) = q.visibility_timeout_ms {
                c = c.with_visibility_timeout(Duration::from_millis(ms));
            }
            let id = self
                .broker
                .declare_queue(t0, &q.name, c)
                .map_err(|e| fail(format!("topology.queues[{i}]"), &e))?;
            self.queues.push((q.name.clone(), id));
            self.drain();
        }
        for (i, b) in s.topology.bindings.iter().enumerate() {
            self.broker
                .bind(t0, b.exchange.as_str(), b.queue.as_str(), &b.key)
                .map_err(|e| fail(format!("topology.bindings[{i}]"), &e))?;
            self.drain();
        }
        for (i, st) in s.topology.streams.iter().enumerate() {
            let r = &st.retention;
            let mut retention = Retention::default();
            if let Some(v) = r.max_records {
                retention = retention.with_max_records(v);
            }
            if let Some(v) = r.max_bytes {
                retention = retention.with_max_bytes(v);
            }
            if let Some(v) = r.max_age_ms {
                retention = retention.with_max_age(Duration::from_millis(v));
            }
            let keyless = match st.keyless {
                KeylessSpec::RoundRobin => crate::partitioner::KeylessStrategy::RoundRobin,
                KeylessSpec::Sticky => crate::partitioner::KeylessStrategy::Sticky,
            };
            let cfg = StreamConfig::new(st.partitions)
                .with_retention(retention)
                .with_keyless(keyless);
            self.broker
                .declare_stream(t0, &st.name, cfg)
                .map_err(|e| fail(format!("topology.streams[{i}]"), &e))?;
            self.drain();
        }
        for g in &s.topology.groups {
            let config = GroupConfig::default()
                .with_assignor(match g.assignor {
                    AssignorSpec::Range => Assignor::Range,
                    AssignorSpec::RoundRobin => Assignor::RoundRobin,
                    AssignorSpec::Sticky => Assignor::Sticky,
                    AssignorSpec::CooperativeSticky => Assignor::CooperativeSticky,
                })
                .with_session_timeout(Duration::from_millis(g.session_timeout_ms))
                .with_auto_offset_reset(reset(g.auto_offset_reset));
            self.groups.push(Group {
                name: g.name.clone(),
                streams: g.streams.clone(),
                config,
                id: None,
            });
        }
        for (i, p) in s.producers.iter().enumerate() {
            let mut times = p.times_ms.clone();
            times.sort_unstable();
            let mut bursts: Vec<(u64, u32)> = p.bursts.iter().map(|b| (b.at_ms, b.count)).collect();
            bursts.sort_by_key(|b| b.0);
            let routing = match &p.target {
                TargetSpec::Exchange { routing_key, .. } => parse_template(routing_key),
                _ => Vec::new(),
            };
            let mut pr = Producer {
                name: p.name.clone(),
                target: p.target.clone(),
                rate: p.rate_per_sec,
                arrival: p.arrival,
                stop_ns: p.stop_ms.map_or(u64::MAX, |s| s.saturating_mul(NS_PER_MS)),
                next_ns: u64::MAX,
                times,
                next_time: 0,
                bursts,
                next_burst: 0,
                skew: match &p.keys {
                    KeySpec::Skewed { count, .. } => Some(Skewed::new(*count)),
                    _ => None,
                },
                key_names: match &p.keys {
                    KeySpec::Uniform { count, prefix } | KeySpec::Skewed { count, prefix } => {
                        (0..*count).map(|i| format!("{prefix}{i}")).collect()
                    }
                    _ => Vec::new(),
                },
                keys: p.keys.clone(),
                rr: 0,
                payload: parse_template(&p.payload),
                routing,
                seq: 0,
                rng: Rng::fork(s.seed, 1 + i as u64),
            };
            if pr.rate > 0 {
                pr.next_ns = p.start_ms.saturating_mul(NS_PER_MS);
            }
            self.producers.push(pr);
        }
        for c in &s.consumers {
            self.add_consumer_slot(c.clone(), c.start_ms);
        }
        self.end_step_bookkeeping();
        Ok(())
    }

    fn add_consumer_slot(&mut self, spec: ConsumerSpec, start_ms: u64) -> usize {
        let index = self.consumers.len();
        let handle = match &spec.attach {
            Attach::Queue(q) => Handle::Queue {
                queue: self.broker.queue_id(q).unwrap_or_default(),
                id: None,
            },
            Attach::Subscription { .. } => Handle::Subscription { id: None },
            Attach::Stream { stream, .. } => Handle::Stream {
                stream: self.broker.stream_id(stream).unwrap_or_default(),
                id: None,
            },
            Attach::Group(g) => Handle::Group {
                group: self.groups.iter().position(|x| x.name == *g).unwrap_or(0),
                id: None,
            },
        };
        let mut lifecycle = VecDeque::new();
        for c in &spec.crashes {
            lifecycle.push_back((c.at_ms, true));
            if let Some(r) = c.restart_at_ms {
                lifecycle.push_back((r, false));
            }
        }
        self.consumer_names.insert(spec.name.clone(), index);
        self.consumers.push(Consumer {
            handle,
            status: ConsumerStatus::Waiting,
            rng: Rng::fork(self.scenario.seed, 0x1_0000 + index as u64),
            inbox: VecDeque::new(),
            busy: None,
            lifecycle,
            processed: 0,
            since_ack: 0,
            unacked_processed: None,
            processed_at: Vec::new(),
            committed: Vec::new(),
            stalled: false,
            next_heartbeat: start_ms,
            idle_mark: None,
            spec,
        });
        index
    }

    // ----- time -----

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
        let floor = if self.started {
            self.now.as_millis() + 1
        } else {
            0
        };
        let mut next = u64::MAX;
        let mut see = |t: u64| next = next.min(t.max(floor));
        if let Some(t) = self.broker.poll_timeout() {
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
        (next <= self.end).then_some(next)
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
        while let Some(due) = self.next_due_ms() {
            if due > t.as_millis() {
                break;
            }
            self.tick(due);
        }
        self.now = self.now.max(t);
        self.started |= t.as_millis() > 0;
        &self.step_events
    }

    /// Advances to the next instant where something is due and does it: the smallest step
    /// that changes anything ("pause anywhere"). Returns its events (empty at the end).
    pub fn step_event(&mut self) -> &[SimEvent] {
        self.begin_step();
        if let Some(due) = self.next_due_ms() {
            self.tick(due);
        }
        &self.step_events
    }

    /// Runs to the end of the scenario.
    pub fn run_to_end(&mut self) -> &[SimEvent] {
        let end = self.end();
        self.run_until(end)
    }

    fn begin_step(&mut self) {
        self.step_events.clear();
        self.step_events_dropped = 0;
    }

    fn tick(&mut self, t: u64) {
        self.now = Instant::from_millis(t);
        self.started = true;
        let now = self.now;
        // Live group members heartbeat first: a member that is alive is never evicted.
        for i in 0..self.consumers.len() {
            let c = &self.consumers[i];
            if c.status == ConsumerStatus::Running && c.next_heartbeat <= t {
                if let Handle::Group { group, id: Some(_) } = c.handle {
                    let g = &self.groups[group];
                    let every = (g.config.session_timeout.as_millis() / 3).max(1);
                    let _ = self.broker.heartbeat(now, &g.name, &c.spec.name);
                    self.consumers[i].next_heartbeat = t + every;
                }
            }
        }
        if self.broker.poll_timeout().is_some_and(|d| d <= now) {
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

    // ----- events -----

    fn record(&mut self, kind: SimEventKind) {
        let e = SimEvent { at: self.now, kind };
        self.hasher.event(&e);
        self.totals.events += 1;
        if self.recent.len() == RECENT_EVENTS {
            self.recent.pop_front();
        }
        self.recent.push_back(e.clone());
        if self.step_events.len() < MAX_STEP_EVENTS {
            self.step_events.push(e);
        } else {
            self.step_events_dropped += 1;
        }
    }

    fn note(&mut self, n: SimNote) {
        if self.options.trace {
            self.record(SimEventKind::Sim(n));
        }
    }

    /// Drains the broker: routes deliveries to consumers, records events, acks what
    /// auto-ack consumers received.
    fn drain(&mut self) {
        loop {
            while let Some(e) = self.broker.poll_event() {
                match &e {
                    Event::Delivered {
                        consumer, delivery, ..
                    } => self.deliver(*consumer, *delivery),
                    Event::Rebalanced { .. } => self.rebalanced = true,
                    Event::DeadLettered { queue, .. }
                    | Event::Dropped {
                        queue,
                        reason: crate::event::DropReason::DeadLetter(_),
                        ..
                    } => *self.dead_lettered.entry(*queue).or_insert(0) += 1,
                    _ => {}
                }
                if self.options.trace {
                    self.record(SimEventKind::Broker(e));
                }
            }
            if self.broker.pending_deliveries() > 0 {
                let mut ds = core::mem::take(&mut self.deliveries);
                self.broker.poll_deliveries(usize::MAX, &mut ds);
                for d in ds.drain(..) {
                    self.deliver(d.consumer, d.delivery);
                }
                self.deliveries = ds;
            }
            if self.auto_acks.is_empty() {
                break;
            }
            let acks = core::mem::take(&mut self.auto_acks);
            for &(i, tag) in &acks {
                if let Handle::Queue { id: Some(id), .. } = self.consumers[i].handle {
                    if let Err(e) = self.broker.ack(self.now, id, tag) {
                        self.note(SimNote::ConsumerFailed {
                            consumer: SimConsumerId(i as u32),
                            error: e.to_string(),
                        });
                    }
                }
            }
            self.auto_acks = acks;
            self.auto_acks.clear();
        }
        if self.rebalanced {
            self.rebalanced = false;
            self.epoch += 1;
            self.after_rebalance();
        }
    }

    fn deliver(&mut self, consumer: ConsumerId, tag: DeliveryTag) {
        if let Some(&i) = self.by_consumer_id.get(&consumer) {
            let c = &mut self.consumers[i];
            c.inbox.push_back(Work::Delivery { tag });
            if c.spec.ack == AckSpec::Auto {
                self.auto_acks.push((i, tag));
            }
        }
    }

    /// Members drop buffered records of partitions they no longer own.
    fn after_rebalance(&mut self) {
        for c in &mut self.consumers {
            if let Handle::Group { id: Some(id), .. } = c.handle {
                let owned = self.broker.assigned_partitions(id);
                c.inbox.retain(|w| match w {
                    Work::Record { partition, .. } => owned.contains(partition),
                    _ => true,
                });
                c.processed_at.retain(|(p, _)| owned.contains(p));
            }
        }
    }

    fn end_step_bookkeeping(&mut self) {
        // Nothing to do yet; kept so setup and steps share one exit path.
    }

    // ----- producers -----

    fn produce_due(&mut self, p: usize, t: u64) {
        loop {
            let pr = &mut self.producers[p];
            let rate_due = pr.next_ns < pr.stop_ns && pr.next_ns.div_ceil(NS_PER_MS) <= t;
            if rate_due {
                let gap = pr.gap_ns();
                pr.next_ns = pr.next_ns.saturating_add(gap);
                self.publish_one(p, t);
                continue;
            }
            if pr.times.get(pr.next_time).is_some_and(|&x| x <= t) {
                pr.next_time += 1;
                self.publish_one(p, t);
                continue;
            }
            if let Some(&(at, count)) = pr.bursts.get(pr.next_burst) {
                if at <= t {
                    pr.next_burst += 1;
                    for _ in 0..count {
                        self.publish_one(p, t);
                    }
                    continue;
                }
            }
            break;
        }
    }

    fn publish_one(&mut self, p: usize, t: u64) {
        let mut payload = core::mem::take(&mut self.scratch);
        let mut key = core::mem::take(&mut self.key_buf);
        let pr = &mut self.producers[p];
        pr.key(&mut key);
        render(&mut payload, &pr.payload, pr.seq, &key, &pr.name, t);
        pr.seq += 1;
        let now = self.now;
        let result = match &pr.target {
            TargetSpec::Queue(q) => self
                .broker
                .publish(now, Publish::to_queue(q.as_str(), payload.as_str()))
                .map(|_| ())
                .map_err(|e| e.to_string()),
            TargetSpec::Exchange { exchange, .. } => {
                let mut rk = String::new();
                render(&mut rk, &pr.routing, pr.seq - 1, &key, &pr.name, t);
                self.broker
                    .publish(now, Publish::new(exchange.as_str(), rk, payload.as_str()))
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            }
            TargetSpec::Stream(s) => {
                let k = (!matches!(pr.keys, KeySpec::None)).then_some(key.as_bytes());
                self.broker
                    .produce(now, s.as_str(), k, payload.as_str())
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            }
        };
        self.scratch = payload;
        self.key_buf = key;
        self.after_publish(Some(SimProducerId(p as u32)), result);
    }

    fn after_publish(&mut self, producer: Option<SimProducerId>, result: Result<(), String>) {
        // Any publish may append to a stream (and only then can a poll find more).
        self.appends += 1;
        match result {
            Ok(()) => self.totals.published += 1,
            Err(error) => {
                self.totals.publish_failed += 1;
                self.note(SimNote::PublishFailed { producer, error });
            }
        }
        self.drain();
    }

    // ----- consumers -----

    fn fail(&mut self, i: usize, error: impl ToString) {
        self.note(SimNote::ConsumerFailed {
            consumer: SimConsumerId(i as u32),
            error: error.to_string(),
        });
    }

    /// Connects the consumer to the broker (first start or restart).
    fn connect(&mut self, i: usize) -> bool {
        let now = self.now;
        let spec = self.consumers[i].spec.clone();
        let result: Result<Handle, String> = match (&spec.attach, self.consumers[i].handle) {
            (Attach::Queue(q), Handle::Queue { queue, id }) => match id {
                Some(id) => self
                    .broker
                    .restart_consumer(now, id)
                    .map(|()| Handle::Queue {
                        queue,
                        id: Some(id),
                    })
                    .map_err(|e| e.to_string()),
                None => self
                    .broker
                    .consume(
                        now,
                        q.as_str(),
                        &spec.name,
                        ConsumerConfig::default().with_prefetch(spec.prefetch),
                    )
                    .map(|id| {
                        self.by_consumer_id.insert(id, i);
                        Handle::Queue {
                            queue,
                            id: Some(id),
                        }
                    })
                    .map_err(|e| e.to_string()),
            },
            (
                Attach::Subscription {
                    exchange,
                    key,
                    capacity,
                },
                Handle::Subscription { .. },
            ) => self
                .broker
                .subscribe(
                    now,
                    exchange.as_str(),
                    key,
                    &spec.name,
                    SubscriptionConfig::default().with_capacity(*capacity as usize),
                )
                .map(|id| Handle::Subscription { id: Some(id) })
                .map_err(|e| e.to_string()),
            (
                Attach::Stream {
                    auto_offset_reset, ..
                },
                Handle::Stream { stream, .. },
            ) => {
                let cfg = StreamConsumerConfig::default()
                    .with_auto_offset_reset(reset(*auto_offset_reset));
                match self.broker.stream_consumer(now, stream, &spec.name, cfg) {
                    Ok(id) => {
                        // Resume from what this consumer committed before a crash.
                        let committed = self.consumers[i].committed.clone();
                        for (p, o) in committed {
                            let _ = self.broker.seek(now, id, p, SeekTo::Offset(o));
                        }
                        Ok(Handle::Stream {
                            stream,
                            id: Some(id),
                        })
                    }
                    Err(e) => Err(e.to_string()),
                }
            }
            (Attach::Group(_), Handle::Group { group, .. }) => {
                let g = &self.groups[group];
                let streams: Vec<&str> = g.streams.iter().map(String::as_str).collect();
                match self
                    .broker
                    .join_group(now, &g.name, &spec.name, &streams, g.config)
                {
                    Ok(id) => {
                        if self.groups[group].id.is_none() {
                            self.groups[group].id = self.broker.group_id(&self.groups[group].name);
                        }
                        Ok(Handle::Group {
                            group,
                            id: Some(id),
                        })
                    }
                    Err(e) => Err(e.to_string()),
                }
            }
            _ => Err(String::from("attachment does not match")),
        };
        self.epoch += 1;
        let c = &mut self.consumers[i];
        c.inbox.clear();
        c.busy = None;
        c.processed_at.clear();
        c.stalled = false;
        c.since_ack = 0;
        c.unacked_processed = None;
        c.next_heartbeat = self.now.as_millis();
        match result {
            Ok(h) => {
                c.handle = h;
                c.status = ConsumerStatus::Running;
                self.drain();
                true
            }
            Err(e) => {
                c.status = ConsumerStatus::Crashed;
                self.drain();
                self.fail(i, e);
                false
            }
        }
    }

    fn start_consumer(&mut self, i: usize) {
        self.connect(i);
    }

    fn crash(&mut self, i: usize) {
        if self.consumers[i].status != ConsumerStatus::Running {
            return;
        }
        let now = self.now;
        self.consumers[i].status = ConsumerStatus::Crashed;
        self.note(SimNote::ConsumerCrashed {
            consumer: SimConsumerId(i as u32),
        });
        match self.consumers[i].handle {
            Handle::Queue { id: Some(id), .. } => {
                let _ = self.broker.crash_consumer(now, id);
            }
            Handle::Subscription { id: Some(id) } => {
                let _ = self.broker.unsubscribe(now, id);
            }
            Handle::Stream { id: Some(id), .. } => {
                let _ = self.broker.close_stream_consumer(now, id);
            }
            // A crashed member just goes silent: the group evicts it after its session
            // timeout and moves its partitions.
            _ => {}
        }
        let c = &mut self.consumers[i];
        c.inbox.clear();
        c.busy = None;
        self.drain();
    }

    fn restart(&mut self, i: usize) {
        if self.consumers[i].status != ConsumerStatus::Crashed {
            return;
        }
        self.note(SimNote::ConsumerRestarted {
            consumer: SimConsumerId(i as u32),
        });
        // A member not yet evicted leaves first: the restarted process joins afresh and
        // resumes from the group's committed offsets.
        if let Handle::Group { group, id: Some(_) } = self.consumers[i].handle {
            let g = self.groups[group].name.clone();
            let name = self.consumers[i].spec.name.clone();
            if self.broker.group_member(&g, &name).is_some() {
                let _ = self.broker.leave_group(self.now, &g, &name);
                self.drain();
            }
        }
        self.connect(i);
    }

    fn remove(&mut self, i: usize) {
        let now = self.now;
        let was = self.consumers[i].status;
        self.consumers[i].status = ConsumerStatus::Removed;
        self.consumers[i].lifecycle.clear();
        match self.consumers[i].handle {
            Handle::Queue { id: Some(id), .. } => {
                let _ = self.broker.cancel(now, id);
            }
            Handle::Subscription { id: Some(id) } if was == ConsumerStatus::Running => {
                let _ = self.broker.unsubscribe(now, id);
            }
            Handle::Stream { id: Some(id), .. } if was == ConsumerStatus::Running => {
                let _ = self.broker.close_stream_consumer(now, id);
            }
            Handle::Group { group, id: Some(_) } => {
                let g = self.groups[group].name.clone();
                let _ = self
                    .broker
                    .leave_group(now, &g, &self.consumers[i].spec.name);
            }
            _ => {}
        }
        let c = &mut self.consumers[i];
        c.inbox.clear();
        c.busy = None;
        self.note(SimNote::ConsumerRemoved {
            consumer: SimConsumerId(i as u32),
        });
        self.drain();
    }

    fn work_all(&mut self, t: u64) {
        loop {
            let mut progress = false;
            for i in 0..self.consumers.len() {
                progress |= self.work(i, t);
            }
            if !progress {
                break;
            }
        }
    }

    /// Finishes and starts work for one consumer; returns whether anything moved.
    fn work(&mut self, i: usize, t: u64) -> bool {
        let mut progress = false;
        loop {
            if self.consumers[i].status != ConsumerStatus::Running {
                return progress;
            }
            if let Some((w, done)) = self.consumers[i].busy {
                if done > t {
                    return progress;
                }
                self.consumers[i].busy = None;
                self.finish(i, w);
                progress = true;
                continue;
            }
            if self.consumers[i].inbox.is_empty() && !self.fetch(i) {
                return progress;
            }
            let c = &mut self.consumers[i];
            let Some(w) = c.inbox.pop_front() else {
                return progress;
            };
            let d = match c.spec.processing {
                ProcessingSpec::Fixed(ms) => ms,
                ProcessingSpec::Uniform { min_ms, max_ms } => c.rng.range_inclusive(min_ms, max_ms),
                ProcessingSpec::Exponential { mean_ms } => c.rng.exponential(mean_ms),
            };
            c.busy = Some((w, t.saturating_add(d)));
            progress = true;
        }
    }

    /// Pulls more work for stream consumers, members and subscribers. Queue consumers are
    /// pushed their deliveries.
    fn fetch(&mut self, i: usize) -> bool {
        let now = self.now;
        let c = &self.consumers[i];
        if c.stalled || c.idle_mark == Some((self.appends, self.epoch)) {
            return false;
        }
        let max = if c.spec.prefetch == 0 {
            DEFAULT_POLL
        } else {
            c.spec.prefetch as usize
        };
        match c.handle {
            Handle::Stream { id: Some(id), .. } | Handle::Group { id: Some(id), .. } => {
                match self.broker.poll(now, id, max) {
                    Ok(records) => {
                        let n = records.len();
                        let c = &mut self.consumers[i];
                        // A short read reached the end of every partition it holds.
                        c.idle_mark = (n < max).then_some((self.appends, self.epoch));
                        for r in records {
                            c.inbox.push_back(Work::Record {
                                partition: r.partition,
                                offset: r.offset,
                            });
                        }
                        if c.spec.ack == AckSpec::Auto && n > 0 {
                            self.commit_positions(i);
                        }
                        self.drain();
                        n > 0
                    }
                    Err(e) => {
                        self.consumers[i].stalled = true;
                        self.drain();
                        self.fail(i, e);
                        false
                    }
                }
            }
            Handle::Subscription { id: Some(id) } => {
                let mut got = false;
                loop {
                    match self.broker.receive(now, id) {
                        Ok(Some(Received::Message { .. })) => {
                            self.consumers[i].inbox.push_back(Work::Message);
                            got = true;
                            break;
                        }
                        Ok(Some(Received::Lagged(_))) => {}
                        Ok(None) | Err(_) => break,
                    }
                }
                self.drain();
                got
            }
            _ => false,
        }
    }

    fn finish(&mut self, i: usize, w: Work) {
        self.totals.processed += 1;
        let c = &mut self.consumers[i];
        c.processed += 1;
        match w {
            Work::Delivery { tag } => {
                if c.spec.ack == AckSpec::Auto {
                    return;
                }
                c.unacked_processed = Some(tag);
                c.since_ack += 1;
                let due = match c.spec.ack {
                    AckSpec::AfterProcessing => true,
                    AckSpec::Every(n) => c.since_ack >= n,
                    _ => false,
                };
                if due {
                    self.ack_processed(i);
                }
            }
            Work::Record { partition, offset } => {
                set_offset(&mut c.processed_at, partition, offset.next());
                c.since_ack += 1;
                let due = match c.spec.ack {
                    // Kafka's poll → process → commitSync loop: commit once the polled batch
                    // is processed (each record with a prefetch of 1).
                    AckSpec::AfterProcessing => c.inbox.is_empty(),
                    AckSpec::Every(n) => c.since_ack >= n,
                    _ => false,
                };
                if due {
                    self.commit_processed(i, None);
                }
            }
            Work::Message => {}
        }
    }

    fn ack_processed(&mut self, i: usize) {
        let c = &mut self.consumers[i];
        c.since_ack = 0;
        let Some(tag) = c.unacked_processed.take() else {
            return;
        };
        let Handle::Queue { id: Some(id), .. } = c.handle else {
            return;
        };
        let result = match c.spec.ack {
            AckSpec::AfterProcessing => self.broker.ack(self.now, id, tag).map(|()| 1),
            _ => self.broker.ack_multiple(self.now, id, tag),
        };
        if let Err(e) = result {
            self.fail(i, e);
        }
        self.drain();
    }

    fn commit_positions(&mut self, i: usize) {
        let now = self.now;
        match self.consumers[i].handle {
            Handle::Group { group, id: Some(_) } => {
                let g = self.groups[group].name.clone();
                let name = self.consumers[i].spec.name.clone();
                if let Err(e) = self.broker.commit_positions(now, &g, &name) {
                    self.fail(i, e);
                }
                self.drain();
            }
            Handle::Stream { id: Some(id), .. } => {
                for p in self.broker.assigned_partitions(id) {
                    if let Some(o) = self.broker.position(id, p) {
                        self.commit_standalone(i, p, o);
                    }
                }
            }
            _ => {}
        }
    }

    fn commit_standalone(&mut self, i: usize, p: StreamPartition, o: Offset) {
        let c = &mut self.consumers[i];
        if get_offset(&c.committed, p) != Some(o) {
            set_offset(&mut c.committed, p, o);
            self.note(SimNote::StreamCommitted {
                consumer: SimConsumerId(i as u32),
                partition: p,
                offset: o,
            });
        }
    }

    /// Commits the processed positions (or `explicit` offsets).
    fn commit_processed(&mut self, i: usize, explicit: Option<Vec<(StreamPartition, Offset)>>) {
        let now = self.now;
        self.consumers[i].since_ack = 0;
        let implicit = explicit.is_none();
        let mut offsets = core::mem::take(&mut self.offsets_scratch);
        offsets.clear();
        match explicit {
            Some(list) => offsets.extend(list),
            None => offsets.extend_from_slice(&self.consumers[i].processed_at),
        }
        match self.consumers[i].handle {
            Handle::Group {
                group,
                id: Some(id),
            } => {
                if let Some(gid) = self.groups[group].id {
                    let broker = &self.broker;
                    // What was processed of a partition that moved away in a rebalance is
                    // not this member's to commit any more (Kafka's commit would fail); it
                    // comes again. Nor is anything already committed worth an event.
                    offsets.retain(|&(p, o)| {
                        (!implicit || broker.position(id, p).is_some())
                            && broker.committed(gid, p) != Some(o)
                    });
                    if !offsets.is_empty() {
                        let generation = self.broker.group_generation(gid).unwrap_or(0);
                        let result = self.broker.commit(
                            now,
                            &self.groups[group].name,
                            &self.consumers[i].spec.name,
                            generation,
                            &offsets,
                        );
                        if let Err(e) = result {
                            self.fail(i, e);
                        }
                        self.drain();
                    }
                }
            }
            Handle::Stream { .. } => {
                for &(p, o) in &offsets {
                    self.commit_standalone(i, p, o);
                }
            }
            _ => {}
        }
        self.offsets_scratch = offsets;
    }

    // ----- actions -----

    /// Applies a user action at the current time, as the script would: checked against the
    /// scenario's names and bounds first (a bad action changes nothing), then run; its
    /// events come with the next step's. Consumers added here can be referred to by later
    /// actions.
    pub fn apply(&mut self, action: &Action) -> Result<(), ActionError> {
        let known: Vec<&str> = self.consumer_names.keys().map(String::as_str).collect();
        super::validate::check_action_names(&self.scenario, &known, action)
            .map_err(ActionError::Invalid)?;
        self.apply_now(action)?;
        self.work_all(self.now.as_millis());
        Ok(())
    }

    fn consumer_index(&self, name: &str) -> Result<usize, ActionError> {
        self.consumer_names
            .get(name)
            .copied()
            .ok_or_else(|| ActionError::NotApplicable(format!("unknown consumer \"{name}\"")))
    }

    fn stream_of(&self, i: usize) -> Option<(StreamConsumerId, StreamId)> {
        match self.consumers[i].handle {
            Handle::Stream {
                stream,
                id: Some(id),
            } => Some((id, stream)),
            Handle::Group {
                group,
                id: Some(id),
            } => self.groups[group]
                .streams
                .first()
                .and_then(|s| self.broker.stream_id(s))
                .map(|s| (id, s)),
            _ => None,
        }
    }

    fn apply_now(&mut self, action: &Action) -> Result<(), ActionError> {
        let now = self.now;
        let t = now.as_millis();
        match action {
            Action::Publish {
                target,
                key,
                payload,
                count,
            } => {
                let pieces = parse_template(payload);
                let key = key.clone().unwrap_or_default();
                for n in 0..u64::from(*count) {
                    let mut body = String::new();
                    render(&mut body, &pieces, n, &key, "script", t);
                    let result = match target {
                        TargetSpec::Queue(q) => self
                            .broker
                            .publish(now, Publish::to_queue(q.as_str(), body))
                            .map(|_| ())
                            .map_err(|e| e.to_string()),
                        TargetSpec::Exchange {
                            exchange,
                            routing_key,
                        } => {
                            let mut rk = String::new();
                            render(&mut rk, &parse_template(routing_key), n, &key, "script", t);
                            self.broker
                                .publish(now, Publish::new(exchange.as_str(), rk, body))
                                .map(|_| ())
                                .map_err(|e| e.to_string())
                        }
                        TargetSpec::Stream(s) => {
                            let k = (!key.is_empty()).then_some(key.as_bytes());
                            self.broker
                                .produce(now, s.as_str(), k, body)
                                .map(|_| ())
                                .map_err(|e| e.to_string())
                        }
                    };
                    self.after_publish(None, result);
                }
                Ok(())
            }
            Action::Crash { consumer } => {
                let i = self.consumer_index(consumer)?;
                if self.consumers[i].status != ConsumerStatus::Running {
                    return Err(ActionError::NotApplicable(format!(
                        "\"{consumer}\" is not running"
                    )));
                }
                self.crash(i);
                Ok(())
            }
            Action::Restart { consumer } => {
                let i = self.consumer_index(consumer)?;
                if self.consumers[i].status != ConsumerStatus::Crashed {
                    return Err(ActionError::NotApplicable(format!(
                        "\"{consumer}\" has not crashed"
                    )));
                }
                self.restart(i);
                Ok(())
            }
            Action::AddConsumer(spec) => {
                if self.consumer_names.contains_key(&spec.name) {
                    return Err(ActionError::NotApplicable(format!(
                        "a consumer \"{}\" exists",
                        spec.name
                    )));
                }
                let mut spec = spec.clone();
                spec.start_ms = t;
                spec.crashes.clear();
                let i = self.add_consumer_slot(spec, t);
                self.note(SimNote::ConsumerAdded {
                    consumer: SimConsumerId(i as u32),
                });
                self.start_consumer(i);
                Ok(())
            }
            Action::RemoveConsumer { consumer } => {
                let i = self.consumer_index(consumer)?;
                if self.consumers[i].status == ConsumerStatus::Removed {
                    return Err(ActionError::NotApplicable(format!(
                        "\"{consumer}\" was removed"
                    )));
                }
                self.remove(i);
                Ok(())
            }
            Action::Seek {
                consumer,
                partition,
                to,
            } => {
                let i = self.consumer_index(consumer)?;
                let (id, stream) = self.stream_of(i).ok_or_else(|| {
                    ActionError::NotApplicable(format!(
                        "\"{consumer}\" is not a connected stream consumer"
                    ))
                })?;
                let to = match *to {
                    SeekSpec::Beginning => SeekTo::Beginning,
                    SeekSpec::End => SeekTo::End,
                    SeekSpec::Offset(o) => SeekTo::Offset(Offset(o)),
                    SeekSpec::TimestampMs(ms) => SeekTo::Timestamp(Instant::from_millis(ms)),
                };
                let result = match partition {
                    Some(p) => self
                        .broker
                        .seek(now, id, StreamPartition::new(stream, *p), to)
                        .map(|_| ()),
                    None => self.broker.seek_all(now, id, to),
                };
                self.epoch += 1;
                let c = &mut self.consumers[i];
                c.stalled = false;
                c.inbox.retain(|w| match (w, partition) {
                    (Work::Record { partition: wp, .. }, Some(p)) => wp.partition.0 != *p,
                    (Work::Record { .. }, None) => false,
                    _ => true,
                });
                self.drain();
                result.map_err(|e| ActionError::Broker(e.to_string()))
            }
            Action::Commit { consumer, offsets } => {
                let i = self.consumer_index(consumer)?;
                match (self.consumers[i].handle, offsets) {
                    (Handle::Queue { .. }, None) => {
                        self.ack_processed(i);
                        Ok(())
                    }
                    (Handle::Stream { .. } | Handle::Group { .. }, _) => {
                        let explicit = match offsets {
                            Some(list) => {
                                let (_, stream) = self.stream_of(i).ok_or_else(|| {
                                    ActionError::NotApplicable(format!(
                                        "\"{consumer}\" is not connected"
                                    ))
                                })?;
                                Some(
                                    list.iter()
                                        .map(|o| {
                                            (
                                                StreamPartition::new(stream, o.partition),
                                                Offset(o.offset),
                                            )
                                        })
                                        .collect(),
                                )
                            }
                            None => None,
                        };
                        self.commit_processed(i, explicit);
                        Ok(())
                    }
                    _ => Err(ActionError::NotApplicable(format!(
                        "\"{consumer}\" cannot commit offsets"
                    ))),
                }
            }
            Action::Bind(b) => {
                self.broker
                    .bind(now, b.exchange.as_str(), b.queue.as_str(), &b.key)
                    .map_err(|e| ActionError::Broker(e.to_string()))?;
                self.drain();
                Ok(())
            }
            Action::Unbind(b) => {
                let x = self.broker.exchange_id(&b.exchange);
                let q = self.broker.queue_id(&b.queue);
                let binding = x.zip(q).and_then(|(x, q)| {
                    self.broker
                        .bindings(x)
                        .find(|info| info.target == Target::Queue(q) && info.key == b.key)
                        .map(|info| info.id)
                });
                let binding = binding.ok_or_else(|| {
                    ActionError::NotApplicable(format!(
                        "no binding {} -> {} with key \"{}\"",
                        b.exchange, b.queue, b.key
                    ))
                })?;
                self.broker
                    .unbind(now, binding)
                    .map_err(|e| ActionError::Broker(e.to_string()))?;
                self.drain();
                Ok(())
            }
            Action::SetRate {
                producer,
                rate_per_sec,
            } => {
                let p = self
                    .producers
                    .iter()
                    .position(|p| p.name == *producer)
                    .ok_or_else(|| {
                        ActionError::NotApplicable(format!("unknown producer \"{producer}\""))
                    })?;
                let pr = &mut self.producers[p];
                pr.rate = *rate_per_sec;
                pr.next_ns = if pr.rate == 0 {
                    u64::MAX
                } else {
                    let start = self.scenario.producers[p].start_ms.max(t);
                    let gap = if start > t { 0 } else { pr.gap_ns() };
                    start.saturating_mul(NS_PER_MS).saturating_add(gap)
                };
                self.note(SimNote::RateChanged {
                    producer: SimProducerId(p as u32),
                    rate_per_sec: *rate_per_sec,
                });
                Ok(())
            }
        }
    }

    // ----- views -----

    fn sample(&mut self) {
        let s = Sample {
            at: self.now,
            published: self.totals.published - self.last_sample.published,
            processed: self.totals.processed - self.last_sample.processed,
            queue_depth: self
                .queues
                .iter()
                .map(|(_, q)| {
                    self.broker
                        .queue_stats(*q)
                        .map_or(0, |s| (s.ready + s.unacked) as u64)
                })
                .collect(),
            group_lag: self
                .groups
                .iter()
                .map(|g| g.id.map_or(0, |id| self.group_lag(id)))
                .collect(),
            consumer_lag: (0..self.consumers.len())
                .map(|i| self.consumer_lag(i))
                .collect(),
        };
        self.last_sample = self.totals;
        self.series.push(s);
    }

    fn group_lag(&self, id: GroupId) -> u64 {
        self.broker.group_partitions(id).iter().map(|p| p.lag).sum()
    }

    fn consumer_lag(&self, i: usize) -> u64 {
        self.partition_positions(i).iter().map(|p| p.lag).sum()
    }

    fn partition_positions(&self, i: usize) -> Vec<PartitionPosition> {
        let c = &self.consumers[i];
        let (id, group) = match c.handle {
            Handle::Stream { id: Some(id), .. } => (id, None),
            Handle::Group {
                group,
                id: Some(id),
            } => (id, self.groups[group].id),
            _ => return Vec::new(),
        };
        if c.status != ConsumerStatus::Running {
            return Vec::new();
        }
        self.broker
            .assigned_partitions(id)
            .into_iter()
            .map(|p| {
                let committed = match group {
                    Some(g) => self.broker.committed(g, p),
                    None => get_offset(&c.committed, p),
                };
                let bounds = self.broker.partition_stats(p).map(|s| s.bounds);
                let lag = bounds.map_or(0, |b| {
                    b.end
                        .0
                        .saturating_sub(committed.unwrap_or(b.start).0.max(b.start.0))
                });
                PartitionPosition {
                    partition: p,
                    position: self.broker.position(id, p),
                    processed: get_offset(&c.processed_at, p),
                    committed,
                    lag,
                }
            })
            .collect()
    }

    /// The broker being driven (read-only: change it through [`apply`](Self::apply)).
    #[must_use]
    pub fn broker(&self) -> &Broker<MemoryStorage> {
        &self.broker
    }

    /// The scenario as given.
    #[must_use]
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The events of the last step (or of the setup, before the first step).
    #[must_use]
    pub fn last_step_events(&self) -> &[SimEvent] {
        &self.step_events
    }

    /// Events of the last step that did not fit in [`MAX_STEP_EVENTS`].
    #[must_use]
    pub fn last_step_events_dropped(&self) -> u64 {
        self.step_events_dropped
    }

    /// The most recent [`RECENT_EVENTS`] events, oldest first.
    pub fn recent_events(&self) -> impl Iterator<Item = &SimEvent> + '_ {
        self.recent.iter()
    }

    /// The hash of every event so far, in order (see [`trace`](super::trace)); `None` without
    /// [`SimOptions::trace`].
    #[must_use]
    pub fn trace_hash(&self) -> Option<u64> {
        self.options.trace.then(|| self.hasher.finish())
    }

    /// Totals since the start.
    #[must_use]
    pub fn totals(&self) -> Totals {
        self.totals
    }

    /// The time series sampled every `sample_interval_ms`.
    #[must_use]
    pub fn series(&self) -> &TimeSeries {
        &self.series
    }

    /// Every queue's state, in scenario order.
    #[must_use]
    pub fn queue_views(&self) -> Vec<QueueView> {
        self.queues
            .iter()
            .map(|(name, id)| {
                let s = self.broker.queue_stats(*id);
                let ready = s.map_or(0, |s| s.ready as u64);
                let in_flight = s.map_or(0, |s| s.unacked as u64);
                QueueView {
                    name: name.clone(),
                    id: *id,
                    ready,
                    in_flight,
                    depth: ready + in_flight,
                    dead_lettered: self.dead_lettered.get(id).copied().unwrap_or(0),
                    enqueued: s.map_or(0, |s| s.enqueued),
                }
            })
            .collect()
    }

    /// Every stream partition's log bounds.
    #[must_use]
    pub fn partition_views(&self) -> Vec<PartitionView> {
        let mut out = Vec::new();
        for st in self.broker.streams() {
            let name = self.broker.stream_name(st).unwrap_or_default();
            let n = self.broker.stream_config(st).map_or(0, |c| c.partitions);
            for p in 0..n {
                let sp = StreamPartition::new(st, p);
                if let Some(s) = self.broker.partition_stats(sp) {
                    out.push(PartitionView {
                        stream: name.to_string(),
                        partition: sp,
                        start: s.bounds.start,
                        end: s.bounds.end,
                    });
                }
            }
        }
        out
    }

    /// Every consumer's state, in index order.
    #[must_use]
    pub fn consumer_views(&self) -> Vec<ConsumerView> {
        (0..self.consumers.len())
            .map(|i| {
                let c = &self.consumers[i];
                ConsumerView {
                    id: SimConsumerId(i as u32),
                    name: c.spec.name.clone(),
                    status: c.status,
                    processed: c.processed,
                    buffered: c.inbox.len() as u64,
                    busy: c.busy.is_some(),
                    partitions: self.partition_positions(i),
                    member: match c.handle {
                        Handle::Group { id, .. } => id,
                        _ => None,
                    },
                }
            })
            .collect()
    }

    /// Every group's state, in scenario order.
    #[must_use]
    pub fn group_views(&self) -> Vec<GroupView> {
        self.groups
            .iter()
            .map(|g| {
                let (generation, assignment, lag) = match g.id {
                    Some(id) => (
                        self.broker.group_generation(id).unwrap_or(0),
                        self.broker
                            .group_assignment(id)
                            .into_iter()
                            .map(|a| {
                                let name = self
                                    .broker
                                    .stream_consumer_name(a.member)
                                    .map_or_else(|| a.member.to_string(), ToString::to_string);
                                (name, a.partitions)
                            })
                            .collect(),
                        self.group_lag(id),
                    ),
                    None => (0, Vec::new(), 0),
                };
                GroupView {
                    name: g.name.clone(),
                    id: g.id,
                    generation,
                    assignment,
                    lag,
                }
            })
            .collect()
    }

    /// A consumer's name.
    #[must_use]
    pub fn consumer_name(&self, id: SimConsumerId) -> Option<&str> {
        self.consumers
            .get(id.0 as usize)
            .map(|c| c.spec.name.as_str())
    }

    /// A producer's name.
    #[must_use]
    pub fn producer_name(&self, id: SimProducerId) -> Option<&str> {
        self.producers.get(id.0 as usize).map(|p| p.name.as_str())
    }

    /// The messages a message id carried are not kept by the simulation; this returns the
    /// id of the most recently published message, if any (for UIs that follow one message).
    #[must_use]
    pub fn last_message(&self) -> Option<MessageId> {
        self.recent.iter().rev().find_map(|e| match &e.kind {
            SimEventKind::Broker(ev) => ev.message(),
            SimEventKind::Sim(_) => None,
        })
    }
}
