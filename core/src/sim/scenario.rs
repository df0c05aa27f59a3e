//! The [`Scenario`] format: a topology, producers, consumers, a script of timed actions and a
//! seed, everything a [`Simulation`](super::Simulation) needs to reproduce a run.
//!
//! Scenarios are plain data with `serde` derives (feature `serde`); every struct rejects
//! unknown fields, every enum is externally tagged with `snake_case` names, and times are
//! integer milliseconds (`…_ms`). [`Scenario::from_json`] parses and
//! [validates](Scenario::validate); [`Scenario::to_json`] writes the same shape back.
//!
//! ```json
//! {
//!   "version": 1, "title": "A", "seed": 7, "duration_ms": 10000,
//!   "topology": { "queues": [{ "name": "work" }] },
//!   "producers": [{ "name": "api", "target": { "queue": "work" }, "rate_per_sec": 10 }],
//!   "consumers": [{ "name": "w1", "attach": { "queue": "work" },
//!                   "processing": { "fixed": 150 }, "crashes": [{ "at_ms": 3000 }] }],
//!   "script": [{ "at_ms": 5000, "action": { "set_rate": { "producer": "api", "rate_per_sec": 0 } } }]
//! }
//! ```
//!
//! One file on purpose (about 660 lines, most of them doc comments): the whole format, read
//! top to bottom as its JSON nests, is easier to check against the docs in one place.

use alloc::string::String;
use alloc::vec::Vec;

use super::ScenarioError;
use crate::group::GroupProtocol;
use crate::group::assign::ServerAssignor;

/// The only scenario format version this crate reads.
pub const SCENARIO_VERSION: u32 = 1;

/// A complete, reproducible simulation setup.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Scenario {
    /// Format version; must be [`SCENARIO_VERSION`].
    pub version: u32,
    /// A short title for lists and headings.
    #[cfg_attr(feature = "serde", serde(default))]
    pub title: String,
    /// What the scenario shows.
    #[cfg_attr(feature = "serde", serde(default))]
    pub description: String,
    /// Seeds every random choice (keys, processing times, arrivals).
    #[cfg_attr(feature = "serde", serde(default))]
    pub seed: u64,
    /// Where the scenario ends (`run_until` past it does nothing more than move time).
    pub duration_ms: u64,
    /// The logical interval between time-series samples (default 100 ms).
    #[cfg_attr(feature = "serde", serde(default = "default_sample_interval"))]
    pub sample_interval_ms: u64,
    /// Exchanges, queues, bindings, streams and groups declared at time 0.
    #[cfg_attr(feature = "serde", serde(default))]
    pub topology: Topology,
    /// Who publishes.
    #[cfg_attr(feature = "serde", serde(default))]
    pub producers: Vec<ProducerSpec>,
    /// Who consumes.
    #[cfg_attr(feature = "serde", serde(default))]
    pub consumers: Vec<ConsumerSpec>,
    /// Timed user actions, applied in time order (ties in list order).
    #[cfg_attr(feature = "serde", serde(default))]
    pub script: Vec<ScriptStep>,
}

#[cfg(feature = "serde")]
fn default_sample_interval() -> u64 {
    100
}

/// The broker entities declared before the run starts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields, default))]
pub struct Topology {
    /// Exchanges (the default exchange `""` always exists).
    pub exchanges: Vec<ExchangeSpec>,
    /// Durable queues.
    pub queues: Vec<QueueSpec>,
    /// Exchange → queue bindings.
    pub bindings: Vec<BindingSpec>,
    /// Partitioned streams.
    pub streams: Vec<StreamSpec>,
    /// Consumer groups (members are consumers attached with [`Attach::Group`]).
    pub groups: Vec<GroupSpec>,
    /// Share groups (Kafka's KIP-932; members are consumers attached with
    /// [`Attach::ShareGroup`]). Left out of the JSON when there are none.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Vec::is_empty"))]
    pub share_groups: Vec<ShareGroupSpec>,
}

/// An exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct ExchangeSpec {
    /// Its name.
    pub name: String,
    /// How it routes.
    pub kind: ExchangeKindSpec,
}

/// How an exchange routes (see [`ExchangeKind`](crate::ExchangeKind)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum ExchangeKindSpec {
    /// Binding key equals routing key.
    Direct,
    /// Every bound target.
    Fanout,
    /// `*` / `#` patterns.
    Topic,
}

/// A queue with every limit and policy of [`QueueConfig`](crate::QueueConfig).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields, default))]
pub struct QueueSpec {
    /// Its name.
    pub name: String,
    /// Ready messages allowed before `overflow` applies.
    pub max_length: Option<u64>,
    /// What a full queue does.
    pub overflow: OverflowSpec,
    /// Queue TTL in milliseconds.
    pub message_ttl_ms: Option<u64>,
    /// Deliveries before a message is dead-lettered.
    pub max_deliveries: Option<u32>,
    /// The dead-letter queue's name.
    pub dead_letter_queue: Option<String>,
    /// SQS-style visibility timeout in milliseconds.
    pub visibility_timeout_ms: Option<u64>,
}

/// A full queue's policy (see [`Overflow`](crate::Overflow)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum OverflowSpec {
    /// Drop (or dead-letter) the oldest ready message.
    #[default]
    DropHead,
    /// Refuse the new message.
    RejectPublish,
}

/// A binding of a queue to an exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct BindingSpec {
    /// The exchange.
    pub exchange: String,
    /// The queue.
    pub queue: String,
    /// The binding key or topic pattern (ignored by fanout).
    #[cfg_attr(feature = "serde", serde(default))]
    pub key: String,
}

/// A stream.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct StreamSpec {
    /// Its name.
    pub name: String,
    /// Partition count.
    pub partitions: u32,
    /// Retention bounds.
    #[cfg_attr(feature = "serde", serde(default))]
    pub retention: RetentionSpec,
    /// How keyless records are spread.
    #[cfg_attr(feature = "serde", serde(default))]
    pub keyless: KeylessSpec,
    /// What removes records: `delete` (retention only, the default) or `compact` (also keep
    /// only the latest record per key; see [`CleanupPolicy`](crate::CleanupPolicy)).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "CleanupSpec::is_default")
    )]
    pub cleanup: CleanupSpec,
    /// A compacted stream's tombstone retention in milliseconds (Kafka's
    /// `delete.retention.ms`; default one day).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub tombstone_retention_ms: Option<u64>,
}

/// A stream's cleanup policy (see [`CleanupPolicy`](crate::CleanupPolicy)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum CleanupSpec {
    /// Retention only.
    #[default]
    Delete,
    /// Retention and compaction.
    Compact,
}

impl CleanupSpec {
    /// Whether this is the default, `delete` (left out of the JSON).
    #[must_use]
    pub fn is_default(&self) -> bool {
        *self == CleanupSpec::Delete
    }
}

/// Retention (see [`Retention`](crate::Retention)); all bounds optional.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields, default))]
pub struct RetentionSpec {
    /// Records kept per partition.
    pub max_records: Option<u64>,
    /// Bytes kept per partition.
    pub max_bytes: Option<u64>,
    /// Age kept, in milliseconds.
    pub max_age_ms: Option<u64>,
}

/// Keyless partitioning (see [`KeylessStrategy`](crate::partitioner::KeylessStrategy)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum KeylessSpec {
    /// One partition after another.
    #[default]
    RoundRobin,
    /// Stay on a partition for a batch.
    Sticky,
}

/// A consumer group.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct GroupSpec {
    /// Its name (Kafka's `group.id`).
    pub name: String,
    /// The streams its members subscribe to.
    pub streams: Vec<String>,
    /// The partition assignor.
    #[cfg_attr(feature = "serde", serde(default))]
    pub assignor: AssignorSpec,
    /// Session timeout in milliseconds (default 10 000).
    #[cfg_attr(feature = "serde", serde(default = "default_session_timeout"))]
    pub session_timeout_ms: u64,
    /// Where a member starts when the group has no committed offset.
    #[cfg_attr(feature = "serde", serde(default))]
    pub auto_offset_reset: OffsetResetSpec,
    /// The rebalance protocol: `classic` (default) or `consumer` (KIP-848).
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "is_classic"))]
    pub protocol: GroupProtocol,
    /// Consumer protocol: the broker's assignor, `uniform` (default) or `range`.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "is_uniform"))]
    pub server_assignor: ServerAssignor,
    /// Classic: the rebalance timeout in milliseconds (Kafka's `max.poll.interval.ms`;
    /// default 300 000).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub rebalance_timeout_ms: Option<u64>,
    /// Classic: the initial rebalance delay in milliseconds (Kafka's
    /// `group.initial.rebalance.delay.ms`; default 0).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub initial_rebalance_delay_ms: Option<u64>,
    /// How often members heartbeat, in milliseconds, below the session timeout (default
    /// 3 000 for classic groups and 5 000 for the consumer protocol, as Kafka's, or a third
    /// of the session timeout when that is shorter).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub heartbeat_interval_ms: Option<u64>,
}

impl GroupSpec {
    /// A group of `name` on `streams` with every other setting at its default.
    #[must_use]
    pub fn new(name: impl Into<String>, streams: Vec<String>) -> Self {
        GroupSpec {
            name: name.into(),
            streams,
            assignor: AssignorSpec::default(),
            session_timeout_ms: 10_000,
            auto_offset_reset: OffsetResetSpec::default(),
            protocol: GroupProtocol::Classic,
            server_assignor: ServerAssignor::Uniform,
            rebalance_timeout_ms: None,
            initial_rebalance_delay_ms: None,
            heartbeat_interval_ms: None,
        }
    }
}

#[cfg(feature = "serde")]
#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_classic(p: &GroupProtocol) -> bool {
    *p == GroupProtocol::Classic
}

#[cfg(feature = "serde")]
#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_uniform(a: &ServerAssignor) -> bool {
    *a == ServerAssignor::Uniform
}

#[cfg(feature = "serde")]
fn default_session_timeout() -> u64 {
    10_000
}

/// A share group (Kafka's KIP-932, see [`ShareGroupConfig`](crate::ShareGroupConfig)): its
/// members share the records of every partition of its streams, each record acquired by one
/// member at a time. Every setting defaults to Kafka's.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct ShareGroupSpec {
    /// Its name.
    pub name: String,
    /// The streams its members read.
    pub streams: Vec<String>,
    /// How long a member holds a record before the lock expires, in milliseconds (Kafka's
    /// `group.share.record.lock.duration.ms`, default 30 000).
    #[cfg_attr(feature = "serde", serde(default = "default_record_lock_duration"))]
    pub record_lock_duration_ms: u64,
    /// Deliveries before a record that comes back is archived (Kafka's
    /// `group.share.delivery.count.limit`, default 5).
    #[cfg_attr(feature = "serde", serde(default = "default_delivery_count_limit"))]
    pub delivery_count_limit: u32,
    /// Records in flight per partition (Kafka's `group.share.partition.max.record.locks`,
    /// default 200).
    #[cfg_attr(feature = "serde", serde(default = "default_max_record_locks"))]
    pub max_record_locks: u32,
    /// Where the group starts on a partition it reads for the first time (Kafka's
    /// `share.auto.offset.reset`: `latest`, the default, or `earliest`).
    #[cfg_attr(feature = "serde", serde(default))]
    pub auto_offset_reset: crate::ShareOffsetReset,
}

impl ShareGroupSpec {
    /// A share group of `name` on `streams` with Kafka's default settings.
    #[must_use]
    pub fn new(name: impl Into<String>, streams: Vec<String>) -> Self {
        let d = crate::ShareGroupConfig::default();
        ShareGroupSpec {
            name: name.into(),
            streams,
            record_lock_duration_ms: d.record_lock_duration.as_millis(),
            delivery_count_limit: d.delivery_count_limit,
            max_record_locks: d.max_record_locks,
            auto_offset_reset: d.auto_offset_reset,
        }
    }

    /// The broker's settings for it.
    #[must_use]
    pub fn config(&self) -> crate::ShareGroupConfig {
        crate::ShareGroupConfig {
            record_lock_duration: crate::Duration::from_millis(self.record_lock_duration_ms),
            delivery_count_limit: self.delivery_count_limit,
            max_record_locks: self.max_record_locks,
            auto_offset_reset: self.auto_offset_reset,
        }
    }
}

#[cfg(feature = "serde")]
fn default_record_lock_duration() -> u64 {
    crate::ShareGroupConfig::DEFAULT_RECORD_LOCK_DURATION.as_millis()
}

#[cfg(feature = "serde")]
fn default_delivery_count_limit() -> u32 {
    crate::ShareGroupConfig::DEFAULT_DELIVERY_COUNT_LIMIT
}

#[cfg(feature = "serde")]
fn default_max_record_locks() -> u32 {
    crate::ShareGroupConfig::DEFAULT_MAX_RECORD_LOCKS
}

/// The assignor (see [`Assignor`](crate::group::assign::Assignor)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum AssignorSpec {
    /// Kafka's range assignor.
    #[default]
    Range,
    /// Round-robin.
    RoundRobin,
    /// Sticky.
    Sticky,
    /// Cooperative sticky.
    CooperativeSticky,
}

/// `auto_offset_reset` (see [`OffsetReset`](crate::OffsetReset)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum OffsetResetSpec {
    /// The log start.
    #[default]
    Earliest,
    /// The log end.
    Latest,
    /// No reset: polling fails.
    None,
}

/// Where a producer (or a scripted publish) sends.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(rename_all = "snake_case", deny_unknown_fields)
)]
pub enum TargetSpec {
    /// Straight to a queue (the default exchange).
    Queue(String),
    /// To an exchange with a routing key; `{key}` in it is replaced by the message key.
    Exchange {
        /// The exchange.
        exchange: String,
        /// The routing key (template).
        #[cfg_attr(feature = "serde", serde(default))]
        routing_key: String,
    },
    /// Appended to a stream (the message key is the record key).
    Stream(String),
}

/// Which key each message gets.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(rename_all = "snake_case", deny_unknown_fields)
)]
pub enum KeySpec {
    /// No key.
    #[default]
    None,
    /// The same key every time.
    Fixed(String),
    /// The listed keys in turn.
    RoundRobin(Vec<String>),
    /// `{prefix}{i}` with `i` uniform over `0..count`.
    Uniform {
        /// How many keys.
        count: u32,
        /// Their common prefix.
        #[cfg_attr(feature = "serde", serde(default))]
        prefix: String,
    },
    /// `{prefix}{i}` with Zipf-like skew: key `i` has weight `1 / (i + 1)`.
    Skewed {
        /// How many keys.
        count: u32,
        /// Their common prefix.
        #[cfg_attr(feature = "serde", serde(default))]
        prefix: String,
    },
}

/// How arrivals are spaced for a producer with a rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum ArrivalSpec {
    /// Exactly `1 / rate` apart.
    #[default]
    Regular,
    /// Exponential gaps with mean `1 / rate` (a Poisson process), from the seeded PRNG.
    Poisson,
}

/// A burst: `count` messages at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct BurstSpec {
    /// When.
    pub at_ms: u64,
    /// How many.
    pub count: u32,
}

/// A producer: a target, a rate and/or explicit times and bursts, keys and a payload template.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct ProducerSpec {
    /// Its name (used by the script and in payloads as `{producer}`).
    pub name: String,
    /// Where it sends.
    pub target: TargetSpec,
    /// Messages per second while between `start_ms` and `stop_ms` (0: none).
    #[cfg_attr(feature = "serde", serde(default))]
    pub rate_per_sec: u32,
    /// How rate-driven arrivals are spaced.
    #[cfg_attr(feature = "serde", serde(default))]
    pub arrival: ArrivalSpec,
    /// When the rate starts.
    #[cfg_attr(feature = "serde", serde(default))]
    pub start_ms: u64,
    /// When the rate stops (default: never).
    #[cfg_attr(feature = "serde", serde(default))]
    pub stop_ms: Option<u64>,
    /// Extra single messages at these times.
    #[cfg_attr(feature = "serde", serde(default))]
    pub times_ms: Vec<u64>,
    /// Extra bursts.
    #[cfg_attr(feature = "serde", serde(default))]
    pub bursts: Vec<BurstSpec>,
    /// Message keys.
    #[cfg_attr(feature = "serde", serde(default))]
    pub keys: KeySpec,
    /// Payload template: `{n}` (this producer's sequence number from 0), `{key}`,
    /// `{producer}`, `{t}` (the time in ms). Default `"{producer} {n}"`.
    #[cfg_attr(feature = "serde", serde(default = "default_payload"))]
    pub payload: String,
}

#[cfg(feature = "serde")]
fn default_payload() -> String {
    String::from("{producer} {n}")
}

/// What a consumer attaches to.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(rename_all = "snake_case", deny_unknown_fields)
)]
pub enum Attach {
    /// A queue (competing consumers).
    Queue(String),
    /// A pub/sub subscription of its own on an exchange.
    Subscription {
        /// The exchange.
        exchange: String,
        /// The binding key or topic pattern.
        #[cfg_attr(feature = "serde", serde(default))]
        key: String,
        /// Inbox capacity (default 64).
        #[cfg_attr(feature = "serde", serde(default = "default_capacity"))]
        capacity: u32,
    },
    /// A stream, standalone (all partitions, own position).
    Stream {
        /// The stream.
        stream: String,
        /// Where it starts.
        #[cfg_attr(feature = "serde", serde(default))]
        auto_offset_reset: OffsetResetSpec,
    },
    /// A member of a consumer group.
    Group(String),
    /// A member of a share group: it fetches records (up to its `prefetch`, 0: 500) under
    /// the group's lock, processes each and acknowledges it: `accept`, or as its `nack` says
    /// `release` (`requeue`) or `reject`. With `ack: auto` it accepts on receipt.
    ShareGroup(String),
}

#[cfg(feature = "serde")]
fn default_capacity() -> u32 {
    64
}

/// How long handling one message takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(rename_all = "snake_case", deny_unknown_fields)
)]
pub enum ProcessingSpec {
    /// Always this many milliseconds.
    Fixed(u64),
    /// Uniform in `min_ms..=max_ms`.
    Uniform {
        /// Shortest.
        min_ms: u64,
        /// Longest.
        max_ms: u64,
    },
    /// Exponential with this mean.
    Exponential {
        /// Mean in milliseconds.
        mean_ms: u64,
    },
}

impl Default for ProcessingSpec {
    fn default() -> Self {
        ProcessingSpec::Fixed(0)
    }
}

/// When a consumer acknowledges (queues) or commits (streams and groups).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(rename_all = "snake_case", deny_unknown_fields)
)]
pub enum AckSpec {
    /// On receipt, before processing (at-most-once: a crash loses what was in hand).
    Auto,
    /// After each message is processed (at-least-once).
    #[default]
    AfterProcessing,
    /// After every N processed messages (one cumulative ack or commit).
    Every(u32),
    /// Only when the script says `commit`.
    Manual,
}

/// A crash, and optionally when the consumer comes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct CrashSpec {
    /// When it crashes.
    pub at_ms: u64,
    /// When it restarts (default: never).
    #[cfg_attr(feature = "serde", serde(default))]
    pub restart_at_ms: Option<u64>,
}

/// A consumer: what it attaches to, how it works, when it fails.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct ConsumerSpec {
    /// Its name: the queue consumer, subscription, stream consumer or group member id.
    pub name: String,
    /// What it reads.
    pub attach: Attach,
    /// Processing time per message.
    #[cfg_attr(feature = "serde", serde(default))]
    pub processing: ProcessingSpec,
    /// Ack or commit behaviour.
    #[cfg_attr(feature = "serde", serde(default))]
    pub ack: AckSpec,
    /// Queue prefetch (0: unlimited), or the most records a stream poll returns (0: 500).
    #[cfg_attr(feature = "serde", serde(default = "default_prefetch"))]
    pub prefetch: u32,
    /// When it connects (default 0).
    #[cfg_attr(feature = "serde", serde(default))]
    pub start_ms: u64,
    /// Crashes and restarts.
    #[cfg_attr(feature = "serde", serde(default))]
    pub crashes: Vec<CrashSpec>,
    /// Queue consumers and share-group members: some processed deliveries are given back
    /// instead of acked (default: none); a share member releases (`requeue`) or rejects them.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub nack: Option<NackSpec>,
    /// Group members: a group instance id makes it a static member (Kafka's
    /// `group.instance.id`): restarted before its session times out, it takes its
    /// partitions back with no rebalance.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub instance_id: Option<String>,
}

/// A queue consumer that gives back one processed delivery in `every` instead of acking it:
/// with `requeue` a nack (the message is redelivered, or dead-lettered at its queue's
/// delivery limit), without it a reject (dead-lettered with reason `rejected`, or dropped).
/// Consumers that ack on receipt (`auto`) give nothing back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct NackSpec {
    /// One processed delivery in this many (the consumer's 1st, 2nd, … by count); at least
    /// 2, so that some work is always done.
    pub every: u32,
    /// Nack with requeue (`true`) or reject (`false`, the default).
    #[cfg_attr(feature = "serde", serde(default))]
    pub requeue: bool,
}

#[cfg(feature = "serde")]
fn default_prefetch() -> u32 {
    1
}

/// Where a scripted seek goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(rename_all = "snake_case", deny_unknown_fields)
)]
pub enum SeekSpec {
    /// The log start.
    Beginning,
    /// The log end.
    End,
    /// An exact offset.
    Offset(u64),
    /// The earliest record at or after this time.
    TimestampMs(u64),
}

/// Where a scripted offset reset moves a group's committed offsets (Kafka's
/// `kafka-consumer-groups --reset-offsets` options).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(rename_all = "snake_case", deny_unknown_fields)
)]
pub enum ResetSpec {
    /// The log start (`--to-earliest`).
    Earliest,
    /// The log end (`--to-latest`).
    Latest,
    /// An offset, clamped to the log (`--to-offset`).
    Offset(u64),
    /// The first record at or after this time (`--to-datetime`).
    TimestampMs(u64),
    /// The committed offset plus this many (negative: back), clamped (`--shift-by`).
    ShiftBy(i64),
}

impl ResetSpec {
    /// The broker's reset target for it.
    #[must_use]
    pub fn target(self) -> crate::ResetTarget {
        match self {
            ResetSpec::Earliest => crate::ResetTarget::Earliest,
            ResetSpec::Latest => crate::ResetTarget::Latest,
            ResetSpec::Offset(o) => crate::ResetTarget::Offset(o),
            ResetSpec::TimestampMs(ms) => {
                crate::ResetTarget::Timestamp(crate::Instant::from_millis(ms))
            }
            ResetSpec::ShiftBy(n) => crate::ResetTarget::ShiftBy(n),
        }
    }
}

/// An explicit offset to commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct OffsetSpec {
    /// The partition.
    pub partition: u32,
    /// The offset (the next one to read).
    pub offset: u64,
}

/// A user action, from the script or from [`Simulation::apply`](super::Simulation::apply).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(rename_all = "snake_case", deny_unknown_fields)
)]
pub enum Action {
    /// Publish `count` messages now.
    Publish {
        /// Where.
        target: TargetSpec,
        /// The key (routing key placeholder or record key).
        #[cfg_attr(feature = "serde", serde(default))]
        key: Option<String>,
        /// The payload.
        payload: String,
        /// How many copies (default 1).
        #[cfg_attr(feature = "serde", serde(default = "one"))]
        count: u32,
        /// Application headers, in order (a queue message's headers, or a stream record's).
        #[cfg_attr(
            feature = "serde",
            serde(default, skip_serializing_if = "Vec::is_empty")
        )]
        headers: Vec<(String, String)>,
    },
    /// Crash a consumer.
    Crash {
        /// Its name.
        consumer: String,
    },
    /// Restart a crashed consumer.
    Restart {
        /// Its name.
        consumer: String,
    },
    /// Call off a consumer's planned crashes (its spec's `crashes`) that have not happened
    /// yet: "what if it had not crashed?". A crash that already happened keeps its planned
    /// restart.
    CancelCrashes {
        /// Its name.
        consumer: String,
    },
    /// Add a consumer or group member now (its `start_ms` is ignored).
    AddConsumer(ConsumerSpec),
    /// Remove a consumer: cancel, unsubscribe, close, or leave its group.
    RemoveConsumer {
        /// Its name.
        consumer: String,
    },
    /// Move a stream consumer's position.
    Seek {
        /// Its name.
        consumer: String,
        /// One partition, or all it holds.
        #[cfg_attr(feature = "serde", serde(default))]
        partition: Option<u32>,
        /// Where to.
        to: SeekSpec,
    },
    /// Commit (streams, groups) or acknowledge (queues) what the consumer processed, or the
    /// given offsets.
    Commit {
        /// Its name.
        consumer: String,
        /// Explicit offsets (streams and groups only); default: the processed positions.
        #[cfg_attr(feature = "serde", serde(default))]
        offsets: Option<Vec<OffsetSpec>>,
    },
    /// Bind a queue to an exchange.
    Bind(BindingSpec),
    /// Remove a binding.
    Unbind(BindingSpec),
    /// Change a producer's rate.
    SetRate {
        /// The producer.
        producer: String,
        /// The new rate (0 stops it).
        rate_per_sec: u32,
    },
    /// Add partitions to a stream: standalone consumers take them at once, groups reading
    /// the stream rebalance.
    AddPartitions {
        /// The stream.
        stream: String,
        /// How many partitions to add.
        count: u32,
    },
    /// Reset an empty group's committed offsets (`kafka-consumer-groups --reset-offsets
    /// --execute`); refused while the group has members.
    ResetOffsets {
        /// The group.
        group: String,
        /// One stream (default: every stream the group has committed offsets for).
        #[cfg_attr(feature = "serde", serde(default))]
        stream: Option<String>,
        /// One partition of `stream` (default: all of them).
        #[cfg_attr(feature = "serde", serde(default))]
        partition: Option<u32>,
        /// Where to.
        to: ResetSpec,
    },
    /// Delete an empty group and its committed offsets (`kafka-consumer-groups --delete`);
    /// refused while the group has members.
    DeleteGroup {
        /// The group.
        group: String,
    },
}

#[cfg(feature = "serde")]
fn one() -> u32 {
    1
}

/// One scripted action at a time.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct ScriptStep {
    /// When.
    pub at_ms: u64,
    /// What.
    pub action: Action,
}

/// The largest JSON text [`Scenario::from_json`] reads (1 MiB).
pub const MAX_JSON_BYTES: usize = 1 << 20;

impl Scenario {
    /// Checks every reference, bound and number; the error names the field by path.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        super::validate::validate(self)
    }

    /// Parses a JSON scenario and [validates](Self::validate) it. Inputs over
    /// [`MAX_JSON_BYTES`], syntax errors, wrong types and unknown fields are errors (with
    /// line and column), never panics; nesting deeper than 128 levels is refused by the parser.
    // `#[inline]`: compiled in the calling crate, so a caller that also deserializes its own
    // types holding scenarios (the playground's share links) shares one copy of the
    // generated deserializers, built with the caller's optimisation settings.
    #[cfg(feature = "serde")]
    #[inline]
    pub fn from_json(json: &str) -> Result<Scenario, ScenarioError> {
        if json.len() > MAX_JSON_BYTES {
            return Err(ScenarioError::new(
                "",
                alloc::format!(
                    "scenario is {} bytes; at most {MAX_JSON_BYTES} are read",
                    json.len()
                ),
            ));
        }
        let scenario: Scenario = serde_json::from_str(json)
            .map_err(|e| ScenarioError::new("", alloc::format!("invalid JSON: {e}")))?;
        scenario.validate()?;
        Ok(scenario)
    }

    /// The scenario as pretty-printed JSON; [`from_json`](Self::from_json) reads it back equal.
    #[cfg(feature = "serde")]
    #[must_use]
    #[inline] // Compiled in the calling crate, like `from_json`.
    pub fn to_json(&self) -> String {
        // Serializing these plain types into a String cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}
