//! What the auditor reports: a [`Violation`] of a [`Rule`], when, and what is involved.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::ids::MessageId;
use crate::time::Instant;

/// The invariants the [`Auditor`](super::Auditor) checks, one per kind of promise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
pub enum Rule {
    /// Queues: every copy a queue took is, at every moment, exactly one of ready, in flight,
    /// acked, dead-lettered or reported dropped; the queue's offsets are dense; the broker's
    /// counts, ready list and unacked lists agree with the account.
    QueueConservation,
    /// Queues: a message is delivered only when ready, so never in flight to two consumers;
    /// only to a live consumer, within its prefetch.
    QueueSingleDelivery,
    /// Queues: a crashed or cancelled consumer's unacked messages all come back (requeued,
    /// or dead-lettered at the delivery limit) at once.
    QueueCrashReturn,
    /// Queues: max length (either overflow), TTL, delivery limit, visibility timeout, the
    /// redelivered flag and the delivery count.
    QueuePolicy,
    /// Routing: a publish reaches exactly the targets of the bindings that match it, each
    /// once, or is reported unroutable; every routed or dead-lettered copy is enqueued,
    /// buffered or reported rejected.
    Routing,
    /// Pub/sub: every message a subscriber misses while subscribed is reported (`Lagged`);
    /// what it receives comes in publish order; inboxes hold what the account says.
    PubSubLag,
    /// Streams: offsets dense and increasing; message ids never reused.
    StreamOffsets,
    /// Streams: a record never changes (message, timestamp, key, payload).
    StreamRecords,
    /// Streams: retention removes only from the start and keeps the log within its bounds;
    /// the partition's byte count is the sum of its records.
    StreamRetention,
    /// Streams: positions and commits never beyond the end; a read starts at the reader's
    /// position (nothing skipped, nothing read twice without a seek, reset or rebalance).
    StreamPositions,
    /// Groups: generations advance by one; within a generation each partition has at most one
    /// owner, and exactly one while the group has members; the broker's view agrees.
    GroupOwnership,
    /// Groups: a commit comes from a member owning the partition in the current generation,
    /// within the log, and the stored offset is the last one committed.
    GroupCommits,
    /// Share groups: a record is acquired by at most one member at a time and settled only
    /// by its holder; an accepted or archived record is never acquired again; delivery
    /// counts rise by one per delivery and never pass the group's limit; the start offset
    /// only moves forward; the broker's share-partitions agree with the events.
    ShareGroups,
    /// Recovery: after a broker restart the recovered state keeps what the last flush saved
    /// (every message not settled since is back, redelivered if it was in flight; records,
    /// commits and generations as saved or later) and invents nothing.
    Recovery,
    /// Determinism: the same scenario gives the same trace hash.
    Determinism,
    /// The run itself: the simulation refused the scenario, a step reported more events than
    /// it keeps, or the run panicked.
    Harness,
}

impl Rule {
    /// Every rule.
    pub const ALL: [Rule; 16] = [
        Rule::QueueConservation,
        Rule::QueueSingleDelivery,
        Rule::QueueCrashReturn,
        Rule::QueuePolicy,
        Rule::Routing,
        Rule::PubSubLag,
        Rule::StreamOffsets,
        Rule::StreamRecords,
        Rule::StreamRetention,
        Rule::StreamPositions,
        Rule::GroupOwnership,
        Rule::GroupCommits,
        Rule::ShareGroups,
        Rule::Recovery,
        Rule::Determinism,
        Rule::Harness,
    ];

    /// The rule's name, as printed (`queue-conservation`).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Rule::QueueConservation => "queue-conservation",
            Rule::QueueSingleDelivery => "queue-single-delivery",
            Rule::QueueCrashReturn => "queue-crash-return",
            Rule::QueuePolicy => "queue-policy",
            Rule::Routing => "routing",
            Rule::PubSubLag => "pubsub-lag",
            Rule::StreamOffsets => "stream-offsets",
            Rule::StreamRecords => "stream-records",
            Rule::StreamRetention => "stream-retention",
            Rule::StreamPositions => "stream-positions",
            Rule::GroupOwnership => "group-ownership",
            Rule::GroupCommits => "group-commits",
            Rule::ShareGroups => "share-groups",
            Rule::Recovery => "recovery",
            Rule::Determinism => "determinism",
            Rule::Harness => "harness",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A broken invariant: which rule, at what logical time, what is wrong, and the messages and
/// entities (by name, or by id where the broker no longer knows the name) involved.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Violation {
    /// When (the step's time).
    pub at: Instant,
    /// The rule broken.
    pub rule: Rule,
    /// What is wrong.
    pub detail: String,
    /// Messages involved.
    pub messages: Vec<MessageId>,
    /// Entities involved: queues, consumers, exchanges, streams, partitions, groups.
    pub entities: Vec<String>,
}

impl Violation {
    /// A violation of `rule` at `at_ms`.
    #[must_use]
    pub fn new(rule: Rule, at_ms: u64, detail: impl Into<String>) -> Violation {
        Violation {
            at: Instant::from_millis(at_ms),
            rule,
            detail: detail.into(),
            messages: Vec::new(),
            entities: Vec::new(),
        }
    }

    /// With a message involved.
    #[must_use]
    pub fn message(mut self, m: MessageId) -> Violation {
        if !self.messages.contains(&m) {
            self.messages.push(m);
        }
        self
    }

    /// With an entity involved.
    #[must_use]
    pub fn entity(mut self, name: impl Into<String>) -> Violation {
        let name = name.into();
        if !self.entities.contains(&name) {
            self.entities.push(name);
        }
        self
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "[{}] at {} ms: {}",
            self.rule,
            self.at.as_millis(),
            self.detail
        )?;
        if !self.messages.is_empty() {
            f.write_str(" (messages")?;
            for m in &self.messages {
                write!(f, " {m}")?;
            }
            f.write_str(")")?;
        }
        if !self.entities.is_empty() {
            f.write_str(" (entities")?;
            for e in &self.entities {
                write!(f, " {e}")?;
            }
            f.write_str(")")?;
        }
        Ok(())
    }
}
