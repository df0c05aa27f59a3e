//! Deterministic simulation: a [`Scenario`] (topology, producers, consumers, a script of
//! timed actions, a seed) drives the [`Broker`](crate::Broker) through logical time.
//!
//! The same scenario gives the same events, bit for bit, natively and in WebAssembly: time is
//! integer milliseconds, randomness comes from a seeded [`rng::Rng`], no floats reach the
//! broker, and [`Simulation::trace_hash`] fingerprints the whole event trace with a stable
//! encoding ([`trace`]). The playground, the `simulate` example and the tests all run
//! scenarios; the six patterns and two comparisons (of the first five, and of all six) are
//! ready-made in [`ready`] (feature `serde`, which is on by default).
//!
//! Share groups (Kafka's KIP-932) are declared in `topology.share_groups`
//! ([`ShareGroupSpec`]) and joined by consumers attached with [`Attach::ShareGroup`]: each
//! member fetches up to its prefetch, processes every record and accepts it (or, as its
//! `nack` says, releases or rejects it); a crash releases what it holds at once, a restart
//! joins again, and locks expire through the broker's own deadlines.
//! [`Simulation::share_partition_views`] shows each share-partition's window.
//!
//! - [`scenario`]: the format; [`validate`](Scenario::validate) names bad fields by path.
//! - [`Simulation`]: `step`, `run_until`, `step_event`, `apply`, the views and time series.
//! - [`references`]: every name a scenario refers to, with its kind and path: a visitor,
//!   [`rename`](references::rename) and [`dependents_of`](references::dependents_of).
//! - [`metrics`]: what the views return; [`rng`]: the PRNG; [`trace`]: the trace hash.
//! - [`swarm`]: random scenarios and fault schedules, the invariant auditor, the shrinker.
//! - [`Timeline`]: seek a run to any moment (checkpoints and replay) and fork it.

use alloc::string::String;
use core::fmt;

pub mod check;
#[cfg(feature = "stories")]
pub mod compare;
pub mod metrics;
#[cfg(feature = "serde")]
pub mod ready;
pub mod references;
pub mod rng;
pub mod scenario;
mod simulation;
pub mod swarm;
mod timeline;
pub mod trace;
mod validate;

pub use metrics::{
    ConsumerStatus, ConsumerView, GroupView, PartitionPosition, PartitionView, QueueView, Sample,
    SharePartitionView, ShareRecordState, ShareRecordView, SimConsumerId, SimProducerId,
    TimeSeries, Totals,
};
pub use references::{ActionField, EntityKind, Reference, Site};
pub use scenario::{
    AckSpec, Action, ArrivalSpec, AssignorSpec, Attach, BindingSpec, BurstSpec, CleanupSpec,
    ConsumerSpec, CrashSpec, ExchangeKindSpec, ExchangeSpec, GroupSpec, KeySpec, KeylessSpec,
    NackSpec, OffsetResetSpec, OffsetSpec, OverflowSpec, ProcessingSpec, ProducerSpec, QueueSpec,
    ResetSpec, RetentionSpec, Scenario, ScriptStep, SeekSpec, ShareGroupSpec, StreamSpec,
    TargetSpec, Topology,
};
pub use simulation::{
    ActionError, KEYS_KEPT, MAX_STEP_EVENTS, PublishedKeys, RECENT_EVENTS, SimEvent, SimEventKind,
    SimNote, SimOptions, Simulation, WorkEntry, WorkItem, WorkStep,
};
#[cfg(feature = "stories")]
pub use simulation::{STORY_EVENTS, Story};
pub use timeline::{Divergence, Timeline, TimelineConfig};
pub use validate::bounds;

/// Why a scenario was refused: the path of the bad field (empty for the whole document) and
/// what is wrong with it. Displayed as `path: message`, for example
/// `consumers[2].attach: unknown queue "emial"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    path: String,
    message: String,
}

impl ScenarioError {
    pub(crate) fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        ScenarioError {
            path: path.into(),
            message: message.into(),
        }
    }

    /// The path of the bad field (`""`: the document as a whole).
    #[must_use]
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What is wrong.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl core::error::Error for ScenarioError {}
