//! The nodes the canvas draws and the rows of a group's assignment table.

use brokerlab::sim;

use crate::state::Entity;

/// A producer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProducerNode {
    /// Its name.
    pub name: String,
    /// Where it sends.
    pub target: Entity,
    /// The routing key template, for exchanges.
    pub routing_key: String,
    /// Messages per second in the scenario.
    pub rate_per_sec: u32,
}

/// An exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangeNode {
    /// Its name.
    pub name: String,
    /// `fanout`, `direct` or `topic`.
    pub kind: String,
}

/// A binding of an exchange to a queue or a subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindingNode {
    /// The exchange.
    pub exchange: String,
    /// The queue or subscription.
    pub target: Entity,
    /// The binding key (empty for fanout).
    pub key: String,
}

/// A queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueNode {
    /// Its name.
    pub name: String,
    /// Ready messages.
    pub ready: u64,
    /// Delivered, not acked.
    pub in_flight: u64,
    /// Messages ever enqueued.
    pub enqueued: u64,
    /// Messages that left for the dead-letter queue.
    pub dead_lettered: u64,
    /// Its dead-letter queue.
    pub dead_letter_queue: Option<String>,
    /// Whether another queue dead-letters into it.
    pub is_dead_letter_queue: bool,
}

impl QueueNode {
    /// Ready plus in flight.
    #[must_use]
    pub fn depth(&self) -> u64 {
        self.ready + self.in_flight
    }
}

/// A pub/sub subscription: a subscriber's inbox bound to an exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionNode {
    /// The subscriber's name (the subscription's name).
    pub name: String,
    /// Its exchange.
    pub exchange: String,
    /// Messages waiting in the inbox (0 while it is not subscribed).
    pub inbox: u64,
    /// Inbox capacity.
    pub capacity: u32,
    /// Whether it is subscribed now.
    pub connected: bool,
}

/// A stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamNode {
    /// Its name.
    pub name: String,
    /// Its partitions.
    pub partitions: Vec<PartitionNode>,
}

/// How many offsets before a partition's end the view looks at for compaction's gaps (the
/// canvas draws at most this many cells).
pub(crate) const GAP_WINDOW: u64 = 80;

/// One partition's log and who reads where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionNode {
    /// The partition number.
    pub index: u32,
    /// Log start offset.
    pub start: u64,
    /// Log end offset (next to write).
    pub end: u64,
    /// Records kept (fewer than `end - start` when compaction removed some).
    pub kept: u64,
    /// Offsets compaction removed among the last [`GAP_WINDOW`] before the end, ascending.
    pub gaps: Vec<u64>,
    /// One per consumer reading it.
    pub markers: Vec<Marker>,
    /// One per share group reading it: its window of records in flight.
    pub shares: Vec<ShareWindow>,
}

/// A share group's window on one partition (Kafka's share-partition, KIP-932): every record
/// from the share-partition start offset (SPSO) up to the end offset (SPEO), each with its
/// state. Below the start all is settled; from the end on, the group has not fetched yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareWindow {
    /// The share group.
    pub group: String,
    /// The share-partition start offset (SPSO).
    pub start: u64,
    /// The share-partition end offset (SPEO).
    pub end: u64,
    /// The records from `start` to `end`, in offset order.
    pub records: Vec<ShareCell>,
}

impl ShareWindow {
    /// The states a record can be in, in the order they are counted and shown.
    pub const STATES: [sim::ShareRecordState; 4] = [
        sim::ShareRecordState::Available,
        sim::ShareRecordState::Acquired,
        sim::ShareRecordState::Acknowledged,
        sim::ShareRecordState::Archived,
    ];

    /// How many of its records are in `state`.
    #[must_use]
    pub fn count(&self, state: sim::ShareRecordState) -> usize {
        self.records.iter().filter(|r| r.state == state).count()
    }

    /// Each state's word with how many records are in it, in [`STATES`](Self::STATES) order.
    #[must_use]
    pub fn counts(&self) -> [(&'static str, usize); 4] {
        Self::STATES.map(|state| (share_state_word(state), self.count(state)))
    }

    /// The window in words: `SPSO 4 → SPEO 9: 1 available, 2 acquired, 1 acknowledged, 1
    /// archived`.
    #[must_use]
    pub fn words(&self) -> String {
        let counts: Vec<String> = (self.counts().iter())
            .map(|(word, n)| format!("{n} {word}"))
            .collect();
        format!(
            "SPSO {} \u{2192} SPEO {}: {}",
            self.start,
            self.end,
            counts.join(", ")
        )
    }
}

/// A share record state's word (also its CSS class on the canvas).
#[must_use]
pub fn share_state_word(state: sim::ShareRecordState) -> &'static str {
    match state {
        sim::ShareRecordState::Available => "available",
        sim::ShareRecordState::Acquired => "acquired",
        sim::ShareRecordState::Acknowledged => "acknowledged",
        sim::ShareRecordState::Archived => "archived",
    }
}

/// One record of a [`ShareWindow`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareCell {
    /// Its offset.
    pub offset: u64,
    /// Available, acquired, acknowledged or archived.
    pub state: sim::ShareRecordState,
    /// The member holding it (acquired records): its name and colour index.
    pub holder: Option<(String, usize)>,
    /// When its lock expires, in ms (acquired records).
    pub until_ms: Option<u64>,
    /// How many times it was delivered.
    pub delivery_count: u32,
}

/// A consumer's place in a partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    /// The consumer.
    pub consumer: String,
    /// Its index (for its colour).
    pub colour: usize,
    /// Next offset it reads.
    pub position: Option<u64>,
    /// Committed offset.
    pub committed: Option<u64>,
    /// Log end minus committed.
    pub lag: u64,
}

/// What a consumer reads from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attachment {
    /// A queue.
    Queue(String),
    /// Its own subscription on an exchange.
    Subscription(String),
    /// A stream, standalone.
    Stream(String),
    /// A group.
    Group(String),
    /// A share group (Kafka's KIP-932) and the first stream it reads: its members read every
    /// partition of it, so they are drawn beside it.
    ShareGroup {
        /// The share group.
        group: String,
        /// The first of its streams.
        stream: String,
    },
}

/// What a consumer is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsumerState {
    /// Not started yet.
    Waiting,
    /// Connected, nothing in hand.
    Idle,
    /// Processing a message.
    Busy,
    /// Crashed.
    Crashed,
    /// Removed.
    Removed,
}

impl ConsumerState {
    /// The word shown and used as a CSS class.
    #[must_use]
    pub fn word(self) -> &'static str {
        match self {
            ConsumerState::Waiting => "waiting",
            ConsumerState::Idle => "idle",
            ConsumerState::Busy => "busy",
            ConsumerState::Crashed => "crashed",
            ConsumerState::Removed => "removed",
        }
    }
}

/// A consumer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsumerNode {
    /// Its name.
    pub name: String,
    /// Its index (colour).
    pub index: usize,
    /// What it reads.
    pub attach: Attachment,
    /// Waiting, idle, busy, crashed, removed.
    pub state: ConsumerState,
    /// Messages or records processed.
    pub processed: u64,
    /// Received, not started.
    pub buffered: u64,
    /// Partitions it holds (streams and groups): partition label, position, committed, lag.
    pub partitions: Vec<(String, Option<u64>, Option<u64>, u64)>,
}

/// A consumer group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupNode {
    /// Its name.
    pub name: String,
    /// The current generation (the group epoch under the consumer protocol).
    pub generation: u32,
    /// Where it is in its rebalance protocol.
    pub state: brokerlab::GroupState,
    /// Its rebalance protocol.
    pub protocol: brokerlab::GroupProtocol,
    /// How it assigns, in words: "range (eager)", "cooperative-sticky", "uniform (server-side)".
    pub assigning: String,
    /// One row per partition of its streams.
    pub rows: Vec<GroupRow>,
    /// Members, sorted by id, with whether they own nothing.
    pub members: Vec<(String, bool)>,
    /// Static members among them and their group instance ids.
    pub statics: Vec<(String, String)>,
    /// Total lag.
    pub lag: u64,
    /// What the last seconds' trend says about the lag.
    pub outlook: super::LagOutlook,
    /// The total lag over the last [`TREND_MS`](super::TREND_MS) as SVG polyline points in a
    /// 60 × 16 box.
    pub sparkline: String,
}

/// A row of a group's assignment table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRow {
    /// The stream.
    pub stream: String,
    /// The partition.
    pub partition: u32,
    /// The member that owns it in this generation.
    pub owner: Option<String>,
    /// Consumer protocol: the member its target gives it to, when that is not its owner yet.
    pub moving_to: Option<String>,
    /// Log end offset.
    pub log_end: u64,
    /// The group's committed offset.
    pub committed: Option<u64>,
    /// Log end minus committed.
    pub lag: u64,
}

pub(super) fn attachment(topology: &sim::Topology, a: &sim::Attach) -> Attachment {
    match a {
        sim::Attach::Queue(q) => Attachment::Queue(q.clone()),
        sim::Attach::Subscription { exchange, .. } => Attachment::Subscription(exchange.clone()),
        sim::Attach::Stream { stream, .. } => Attachment::Stream(stream.clone()),
        sim::Attach::Group(g) => Attachment::Group(g.clone()),
        sim::Attach::ShareGroup(g) => Attachment::ShareGroup {
            group: g.clone(),
            stream: (topology.share_groups.iter())
                .find(|x| x.name == *g)
                .and_then(|x| x.streams.first())
                .cloned()
                .unwrap_or_default(),
        },
    }
}
