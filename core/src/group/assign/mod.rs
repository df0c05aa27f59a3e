//! Partition assignors of consumer groups, as pure functions with Kafka's rules.
//!
//! Inside a consumer group each partition of the subscribed streams is owned by at most one
//! member, and by exactly one while some member subscribes to its stream. Which member owns
//! which partition is decided by an assignor, a pure function of
//!
//! - the members and the streams each subscribes to (member ids are caller-chosen strings,
//!   ordered as strings, so `"c10"` sorts before `"c2"`, exactly as Kafka sorts them), and
//!   for static members their group instance id
//!   ([`AssignInput::with_static_member`]),
//! - the partition count of each stream (subscriptions to a stream that is not listed are
//!   ignored, as Kafka ignores topics without metadata),
//! - the previous assignment (empty in the first generation; only the sticky assignors use
//!   it), with the generation each member's claim comes from
//!   ([`AssignInput::with_previous_generation`]).
//!
//! Every result is exactly Kafka's (current `clients` code, without rack awareness); the
//! ported Kafka tests are in this module's `kafka_tests`, each naming its Kafka test.
//!
//! | assignor | Kafka class | rule | member order |
//! |---|---|---|---|
//! | [`range`] | `RangeAssignor` | per stream, consecutive ranges over the sorted subscribers | `MemberInfo`: static by instance id, then dynamic by id |
//! | [`round_robin`] | `RoundRobinAssignor` | all partitions sorted, dealt over the sorted members | `MemberInfo`, as range |
//! | [`sticky`] | `StickyAssignor` | claims by generation; identical subscriptions: owned partitions kept by (partition, stream) up to quota, the rest dealt round-robin; otherwise Kafka's general balancing | Java `HashMap` order of member ids; ties and round-robin by id |
//! | [`cooperative_sticky`] | `CooperativeStickyAssignor` | sticky's target, reached in two steps | as sticky |
//!
//! The server-side assignors of Kafka's consumer protocol (KIP-848), `uniform` and `range`,
//! are in [`server`].
//!
//! Instance ids only order members for range and round-robin (Kafka's sticky assignors never
//! look at them: `RangeAssignorTest.testStaticMemberRangeAssignmentPersistent`,
//! `RoundRobinAssignorTest.testStaticMemberRoundRobinAssignmentPersistent`). Where Kafka's
//! result depends on Java's `HashMap` iteration order, it is reproduced from Java's hash
//! functions (see [`sticky`]).
//!
//! Every function is deterministic (ordered maps and vectors only). Range, round-robin and
//! the sticky assignors with identical subscriptions run in O(P log P + M log M) time for P
//! partitions and M members, so a group of 1,000 members over 10,000 partitions is assigned in
//! a few milliseconds; the sticky assignors with differing subscriptions balance as Kafka
//! does, quadratically in the worst case.
//!
//! ```
//! use brokerlab::assign::{AssignInput, Assignor, TopicPartition};
//!
//! // The example of Kafka's RangeAssignor javadoc: two consumers, two topics of 3 partitions.
//! let input = AssignInput::new()
//!     .with_stream("t0", 3)
//!     .with_stream("t1", 3)
//!     .with_member("C0", ["t0", "t1"])
//!     .with_member("C1", ["t0", "t1"]);
//! let range = Assignor::Range.assign(&input);
//! let tp = TopicPartition::new;
//! assert_eq!(range.get("C0").unwrap(), [tp("t0", 0), tp("t0", 1), tp("t1", 0), tp("t1", 1)]);
//! assert_eq!(range.get("C1").unwrap(), [tp("t0", 2), tp("t1", 2)]);
//!
//! // Round-robin deals the sorted partitions out one by one instead.
//! let rr = Assignor::RoundRobin.assign(&input);
//! assert_eq!(rr.get("C0").unwrap(), [tp("t0", 0), tp("t0", 2), tp("t1", 1)]);
//! assert_eq!(rr.get("C1").unwrap(), [tp("t0", 1), tp("t1", 0), tp("t1", 2)]);
//! ```

use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::borrow::Borrow;
use core::fmt;

pub use crate::partitioner::Partition;

pub mod cooperative_sticky;
mod model;
pub mod range;
pub mod round_robin;
pub mod server;
pub mod sticky;

pub use cooperative_sticky::CooperativePlan;
pub use server::ServerAssignor;

pub(crate) use model::{Model, NONE, java_string_hash};

/// The id of a consumer-group member, chosen by the caller (as Kafka's `member.id` or
/// `group.instance.id`). Ids compare as strings: `"c10" < "c2"`.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct MemberId(pub String);

impl MemberId {
    /// A member id from any string.
    #[must_use]
    pub fn new(id: impl Into<String>) -> Self {
        MemberId(id.into())
    }

    /// The id as a string slice.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for MemberId {
    fn from(id: &str) -> Self {
        MemberId(id.to_string())
    }
}

impl From<String> for MemberId {
    fn from(id: String) -> Self {
        MemberId(id)
    }
}

impl Borrow<str> for MemberId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for MemberId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MemberId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One partition of one stream (Kafka's `TopicPartition`). Orders by stream name, then
/// partition number, which is the order every assignor lists partitions in.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TopicPartition {
    /// The stream (topic) name.
    pub stream: String,
    /// The partition number within the stream.
    pub partition: Partition,
}

impl TopicPartition {
    /// Partition `partition` of `stream`.
    #[must_use]
    pub fn new(stream: impl Into<String>, partition: u32) -> Self {
        TopicPartition {
            stream: stream.into(),
            partition: Partition(partition),
        }
    }
}

/// Written as Kafka writes it: `stream-partition`, for example `t0-2`.
impl fmt::Display for TopicPartition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.stream, self.partition)
    }
}

/// What an assignor decides from: members, streams and the previous assignment.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct AssignInput {
    /// Every member of the group with the streams it subscribes to. Streams not in
    /// [`partitions`](Self::partitions) and repeated names are ignored.
    pub subscriptions: BTreeMap<MemberId, Vec<String>>,
    /// The partition count of each stream.
    pub partitions: BTreeMap<String, u32>,
    /// What each member owned in the previous generation; empty in the first one. Entries of
    /// members that left, of streams or partitions that no longer exist and of streams the
    /// member no longer subscribes to are ignored. A partition claimed by several members goes
    /// to the claim of the highest [generation](Self::generations); claims of equal generations
    /// cancel out (see [`sticky`] for Kafka's exact rule).
    pub previous: BTreeMap<MemberId, Vec<TopicPartition>>,
    /// The static members' group instance ids (Kafka's `group.instance.id`); members without an
    /// entry are dynamic. Only [`range`] and [`round_robin`] use them, to order members.
    #[cfg_attr(feature = "serde", serde(default))]
    pub instance_ids: BTreeMap<MemberId, String>,
    /// The generation each member's [`previous`](Self::previous) partitions come from; a member
    /// without an entry has no generation (Kafka's `DEFAULT_GENERATION`, -1, older than every
    /// real one). Only the sticky assignors use it, to settle conflicting claims.
    #[cfg_attr(feature = "serde", serde(default))]
    pub generations: BTreeMap<MemberId, i32>,
}

impl AssignInput {
    /// An empty input: no members, no streams, no previous assignment.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) a member and the streams it subscribes to.
    #[must_use]
    pub fn with_member<S: Into<String>>(
        mut self,
        id: impl Into<MemberId>,
        streams: impl IntoIterator<Item = S>,
    ) -> Self {
        let streams = streams.into_iter().map(Into::into).collect();
        self.subscriptions.insert(id.into(), streams);
        self
    }

    /// Adds (or replaces) a static member: its member id, its group instance id (Kafka's
    /// `group.instance.id`) and the streams it subscribes to. [`range`] and [`round_robin`]
    /// order static members before dynamic ones, by instance id.
    #[must_use]
    pub fn with_static_member<S: Into<String>>(
        mut self,
        id: impl Into<MemberId>,
        instance_id: impl Into<String>,
        streams: impl IntoIterator<Item = S>,
    ) -> Self {
        let id = id.into();
        self.instance_ids.insert(id.clone(), instance_id.into());
        self.with_member(id, streams)
    }

    /// Removes a member (it left the group); its previous ownership stays in the input and is
    /// ignored by the assignors, as Kafka ignores the partitions of a member that is gone.
    /// Its instance id, if any, is forgotten.
    #[must_use]
    pub fn without_member(mut self, id: &str) -> Self {
        self.subscriptions.remove(id);
        self.instance_ids.remove(id);
        self
    }

    /// Adds (or replaces) a stream with its partition count.
    #[must_use]
    pub fn with_stream(mut self, name: impl Into<String>, partitions: u32) -> Self {
        self.partitions.insert(name.into(), partitions);
        self
    }

    /// Records what a member owned in the previous generation.
    #[must_use]
    pub fn with_owned(
        mut self,
        id: impl Into<MemberId>,
        owned: impl IntoIterator<Item = TopicPartition>,
    ) -> Self {
        self.previous.insert(id.into(), owned.into_iter().collect());
        self
    }

    /// Records what a member owned in the previous generation and which generation that was
    /// (Kafka's `ConsumerProtocolSubscription.generationId`): when members claim the same
    /// partition, the sticky assignors keep the claim of the highest generation.
    #[must_use]
    pub fn with_previous_generation(
        mut self,
        id: impl Into<MemberId>,
        generation: i32,
        owned: impl IntoIterator<Item = TopicPartition>,
    ) -> Self {
        let id = id.into();
        self.generations.insert(id.clone(), generation);
        self.with_owned(id, owned)
    }

    /// Uses `assignment` as the previous assignment (the usual next-generation input). Every
    /// claim then has the same generation, so recorded generations are cleared.
    #[must_use]
    pub fn with_previous(mut self, assignment: &Assignment) -> Self {
        self.previous = assignment.as_map().clone();
        self.generations.clear();
        self
    }

    /// The generation of `member`'s previous partitions: -1 (Kafka's `DEFAULT_GENERATION`)
    /// when none was recorded.
    #[must_use]
    pub fn generation_of(&self, member: &str) -> i32 {
        self.generations.get(member).copied().unwrap_or(-1)
    }
}

/// The result of an assignor: for every member (idle ones included, with no partitions), the
/// partitions it owns, sorted by stream name and partition number.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct Assignment {
    members: BTreeMap<MemberId, Vec<TopicPartition>>,
}

impl Assignment {
    /// The partitions of `member`, or `None` if it is not a member.
    #[must_use]
    pub fn get(&self, member: &str) -> Option<&[TopicPartition]> {
        self.members.get(member).map(Vec::as_slice)
    }

    /// Members in id order with their partitions.
    pub fn iter(&self) -> impl Iterator<Item = (&MemberId, &[TopicPartition])> {
        self.members.iter().map(|(m, tps)| (m, tps.as_slice()))
    }

    /// The number of members, idle ones included.
    #[must_use]
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether there are no members at all.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// The number of assigned partitions over all members.
    #[must_use]
    pub fn assigned_count(&self) -> usize {
        self.members.values().map(Vec::len).sum()
    }

    /// The owner of every assigned partition.
    #[must_use]
    pub fn owners(&self) -> BTreeMap<&TopicPartition, &MemberId> {
        self.members
            .iter()
            .flat_map(|(m, tps)| tps.iter().map(move |tp| (tp, m)))
            .collect()
    }

    /// The assignment as a map.
    #[must_use]
    pub fn as_map(&self) -> &BTreeMap<MemberId, Vec<TopicPartition>> {
        &self.members
    }

    /// The assignment as a map, by value.
    #[must_use]
    pub fn into_map(self) -> BTreeMap<MemberId, Vec<TopicPartition>> {
        self.members
    }
}

impl From<Assignment> for BTreeMap<MemberId, Vec<TopicPartition>> {
    fn from(assignment: Assignment) -> Self {
        assignment.members
    }
}

/// One line per member: `C0: [t0-0, t0-1]`.
impl fmt::Display for Assignment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (member, tps) in &self.members {
            write!(f, "{member}: [")?;
            for (i, tp) in tps.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{tp}")?;
            }
            f.write_str("]\n")?;
        }
        Ok(())
    }
}

/// The four assignors, chosen by value (for example from a group's configuration).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Assignor {
    /// [`range`]: Kafka's `RangeAssignor` (`"range"`).
    Range,
    /// [`round_robin`]: Kafka's `RoundRobinAssignor` (`"roundrobin"`).
    RoundRobin,
    /// [`sticky`]: Kafka's `StickyAssignor` (`"sticky"`).
    Sticky,
    /// [`cooperative_sticky`]: Kafka's `CooperativeStickyAssignor` (`"cooperative-sticky"`).
    CooperativeSticky,
}

impl Assignor {
    /// All four, in the order above.
    pub const ALL: [Assignor; 4] = [
        Assignor::Range,
        Assignor::RoundRobin,
        Assignor::Sticky,
        Assignor::CooperativeSticky,
    ];

    /// The new assignment (for cooperative-sticky, the target of its two-step plan).
    #[must_use]
    pub fn assign(self, input: &AssignInput) -> Assignment {
        match self {
            Assignor::Range => range::assign(input),
            Assignor::RoundRobin => round_robin::assign(input),
            Assignor::Sticky => sticky::assign(input),
            Assignor::CooperativeSticky => cooperative_sticky::assign(input),
        }
    }

    /// Kafka's protocol name of the assignor (`partition.assignment.strategy` names).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Assignor::Range => "range",
            Assignor::RoundRobin => "roundrobin",
            Assignor::Sticky => "sticky",
            Assignor::CooperativeSticky => "cooperative-sticky",
        }
    }

    /// Whether members keep their unmoved partitions through a rebalance (Kafka's
    /// `COOPERATIVE` protocol) rather than giving everything up first (`EAGER`).
    #[must_use]
    pub const fn is_cooperative(self) -> bool {
        matches!(self, Assignor::CooperativeSticky)
    }
}

impl fmt::Display for Assignor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod kafka_tests;
#[cfg(test)]
mod tests;
