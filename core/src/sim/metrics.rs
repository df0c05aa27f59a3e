//! What the view shows: per-entity state snapshots and bounded time series sampled on a fixed
//! logical interval.

use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::vec::Vec;

use crate::ids::{GroupId, Offset, QueueId, ShareMemberId, StreamConsumerId};
use crate::stream::StreamPartition;
use crate::time::Instant;

/// The most samples a [`TimeSeries`] keeps (the oldest are dropped).
pub const MAX_SAMPLES: usize = 1024;

/// A consumer's index in the simulation (its place in the scenario's `consumers`, then
/// consumers added by the script in order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct SimConsumerId(pub u32);

/// A producer's index in the scenario's `producers`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct SimProducerId(pub u32);

/// Whether a simulated consumer is running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum ConsumerStatus {
    /// Not started yet (`start_ms` is ahead).
    Waiting,
    /// Working.
    Running,
    /// Crashed; may restart.
    Crashed,
    /// Removed by the script.
    Removed,
}

/// A queue's state.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct QueueView {
    /// Its name.
    pub name: String,
    /// Its id.
    pub id: QueueId,
    /// Ready messages.
    pub ready: u64,
    /// Delivered, not yet acked.
    pub in_flight: u64,
    /// `ready + in_flight`.
    pub depth: u64,
    /// Messages that left this queue for its dead-letter queue (or were dropped for a
    /// dead-letter reason) so far.
    pub dead_lettered: u64,
    /// Messages enqueued so far.
    pub enqueued: u64,
}

/// One stream partition's log bounds.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PartitionView {
    /// Its stream's name.
    pub stream: String,
    /// The partition.
    pub partition: StreamPartition,
    /// The log start (retention moves it).
    pub start: Offset,
    /// The log end (the next offset to be written).
    pub end: Offset,
    /// Records kept: `end − start`, less what compaction removed.
    #[cfg_attr(feature = "serde", serde(default))]
    pub kept: u64,
}

/// A stream consumer's or group member's place in one partition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PartitionPosition {
    /// The partition.
    pub partition: StreamPartition,
    /// The next offset it will read.
    pub position: Option<Offset>,
    /// The next offset after what it processed.
    pub processed: Option<Offset>,
    /// The committed offset (the group's, or the simulation's for a standalone consumer).
    pub committed: Option<Offset>,
    /// Log end minus committed (minus the log start when nothing is committed).
    pub lag: u64,
}

/// A consumer's state.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ConsumerView {
    /// Its index.
    pub id: SimConsumerId,
    /// Its name.
    pub name: String,
    /// Running, crashed, …
    pub status: ConsumerStatus,
    /// Messages or records processed.
    pub processed: u64,
    /// Received but not yet started.
    pub buffered: u64,
    /// Whether it is processing one right now.
    pub busy: bool,
    /// For stream consumers and group members: per partition it holds.
    pub partitions: Vec<PartitionPosition>,
    /// For group members: the broker's member id.
    pub member: Option<StreamConsumerId>,
    /// For share-group members: the broker's share member id while it is a member (a new
    /// one after each restart).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub share_member: Option<ShareMemberId>,
    /// For share-group members: the records it holds (acquired, lock not expired), as
    /// partition and offset.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Vec::is_empty")
    )]
    pub holding: Vec<(StreamPartition, Offset)>,
}

/// One share group's state of one partition (Kafka's share-partition): its start and end
/// offsets and each record between them.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SharePartitionView {
    /// The share group's name.
    pub group: String,
    /// The stream's name.
    pub stream: String,
    /// The partition.
    pub partition: StreamPartition,
    /// The share-partition start offset (SPSO): every record below it is settled.
    pub start: Offset,
    /// The share-partition end offset (SPEO): the next record the group fetches from the log.
    pub end: Offset,
    /// Each record in `start..end`, in offset order.
    pub records: Vec<ShareRecordView>,
}

/// One record of a [`SharePartitionView`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ShareRecordView {
    /// Its offset.
    pub offset: Offset,
    /// Where it stands.
    pub state: ShareRecordState,
    /// The consumer holding it (acquired records only): its name in the scenario.
    pub holder: Option<String>,
    /// When its lock expires (acquired records only).
    pub until: Option<Instant>,
    /// How many times it was delivered.
    pub delivery_count: u32,
}

/// A share record's state in a [`ShareRecordView`] (see
/// [`RecordState`](crate::share::RecordState)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum ShareRecordState {
    /// Any member may acquire it.
    Available,
    /// A member holds it under a lock.
    Acquired,
    /// Accepted: done.
    Acknowledged,
    /// Rejected, delivered too often, or gone: never delivered again.
    Archived,
}

/// A group's state.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct GroupView {
    /// Its name.
    pub name: String,
    /// Its id, once created.
    pub id: Option<GroupId>,
    /// The current generation.
    pub generation: u32,
    /// Member name and its partitions, members sorted by id.
    pub assignment: Vec<(String, Vec<StreamPartition>)>,
    /// Total lag over its partitions.
    pub lag: u64,
    /// Where it is in its rebalance protocol (`Dead` once deleted, until a member joins).
    pub state: crate::group::GroupState,
}

/// One sample of the time series.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Sample {
    /// When.
    pub at: Instant,
    /// Messages published since the previous sample.
    pub published: u64,
    /// Messages processed by consumers since the previous sample.
    pub processed: u64,
    /// Depth of each queue (scenario order).
    pub queue_depth: Vec<u64>,
    /// Total lag of each group (scenario order).
    pub group_lag: Vec<u64>,
    /// Lag of each consumer (0 for queue consumers and subscribers; consumer order).
    pub consumer_lag: Vec<u64>,
}

/// A bounded ring of samples taken every `interval_ms` of logical time.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TimeSeries {
    /// The sampling interval.
    pub interval_ms: u64,
    /// The samples, oldest first (at most [`MAX_SAMPLES`]).
    pub samples: VecDeque<Sample>,
}

impl TimeSeries {
    pub(super) fn push(&mut self, s: Sample) {
        if self.samples.len() == MAX_SAMPLES {
            self.samples.pop_front();
        }
        self.samples.push_back(s);
    }
}

/// Totals since the start of the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Totals {
    /// Messages published (accepted by the broker).
    pub published: u64,
    /// Publishes the broker refused.
    pub publish_failed: u64,
    /// Messages or records processed by consumers.
    pub processed: u64,
    /// Events in the trace.
    pub events: u64,
}
