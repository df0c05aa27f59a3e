//! Partition assignors of consumer groups, as pure functions with Kafka's rules.
//!
//! Inside a consumer group each partition of the subscribed streams is owned by at most one
//! member, and by exactly one while some member subscribes to its stream. Which member owns
//! which partition is decided by an assignor, a pure function of
//!
//! - the members and the streams each subscribes to (member ids are caller-chosen strings,
//!   ordered as strings, so `"c10"` sorts before `"c2"`, exactly as Kafka sorts them),
//! - the partition count of each stream (subscriptions to a stream that is not listed are
//!   ignored, as Kafka ignores topics without metadata),
//! - the previous assignment (empty in the first generation; only the sticky assignors use it).
//!
//! | assignor | Kafka class | rule |
//! |---|---|---|
//! | [`range`] | `RangeAssignor` | per stream, consecutive ranges over the sorted subscribers |
//! | [`round_robin`] | `RoundRobinAssignor` | all partitions sorted, dealt over the sorted members |
//! | [`sticky`] | `StickyAssignor` | balanced first, then as many previous owners kept as possible |
//! | [`cooperative_sticky`] | `CooperativeStickyAssignor` | sticky's target, reached in two steps |
//!
//! Every function is deterministic (ordered maps and vectors only) and runs in
//! O(P log M) time for P partitions and M members, so a group of 1,000 members over 10,000
//! partitions is assigned in a few milliseconds.
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
use alloc::vec;
use alloc::vec::Vec;
use core::borrow::Borrow;
use core::fmt;

pub use crate::partitioner::Partition;

pub mod cooperative_sticky;
pub mod range;
pub mod round_robin;
pub mod sticky;

pub use cooperative_sticky::CooperativePlan;

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
    /// member no longer subscribes to are ignored; a partition claimed by several members is
    /// kept by none of them (as Kafka's sticky assignors do) and assigned afresh.
    pub previous: BTreeMap<MemberId, Vec<TopicPartition>>,
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

    /// Removes a member (it left the group); its previous ownership stays in the input and is
    /// ignored by the assignors, as Kafka ignores the partitions of a member that is gone.
    #[must_use]
    pub fn without_member(mut self, id: &str) -> Self {
        self.subscriptions.remove(id);
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

    /// Uses `assignment` as the previous assignment (the usual next-generation input).
    #[must_use]
    pub fn with_previous(mut self, assignment: &Assignment) -> Self {
        self.previous = assignment.as_map().clone();
        self
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

/// "No member" in the per-partition owner tables.
pub(crate) const NONE: u32 = u32::MAX;
/// "Claimed by several members" in the previous-owner table.
pub(crate) const CONFLICT: u32 = u32::MAX - 1;

/// The input with members and streams turned into dense indices: member `i` is the `i`-th
/// smallest id, stream `s` the `s`-th smallest name, and partition `p` of stream `s` has the
/// global index `offsets[s] + p`, so ascending global indices are (stream, partition) order.
pub(crate) struct Model<'a> {
    pub(crate) members: Vec<&'a MemberId>,
    pub(crate) streams: Vec<&'a str>,
    /// `offsets[s]..offsets[s + 1]` are the global indices of stream `s`.
    pub(crate) offsets: Vec<usize>,
    /// Per member: the known streams it subscribes to, sorted, without repeats.
    pub(crate) subscriptions: Vec<Vec<u32>>,
    /// Per stream: the members subscribed to it, sorted.
    pub(crate) subscribers: Vec<Vec<u32>>,
}

impl<'a> Model<'a> {
    pub(crate) fn new(input: &'a AssignInput) -> Self {
        let members: Vec<&MemberId> = input.subscriptions.keys().collect();
        let streams: Vec<&str> = input.partitions.keys().map(String::as_str).collect();
        let mut offsets = Vec::with_capacity(streams.len() + 1);
        let mut total = 0usize;
        offsets.push(0);
        for &count in input.partitions.values() {
            total += count as usize;
            offsets.push(total);
        }
        let mut subscribers = vec![Vec::new(); streams.len()];
        let subscriptions: Vec<Vec<u32>> = input
            .subscriptions
            .values()
            .enumerate()
            .map(|(m, names)| {
                let mut subs: Vec<u32> = names
                    .iter()
                    .filter_map(|name| streams.binary_search(&name.as_str()).ok())
                    .map(|s| s as u32)
                    .collect();
                crate::sort::sort(&mut subs);
                subs.dedup();
                for &s in &subs {
                    subscribers[s as usize].push(m as u32);
                }
                subs
            })
            .collect();
        Model {
            members,
            streams,
            offsets,
            subscriptions,
            subscribers,
        }
    }

    /// The number of partitions over all streams.
    pub(crate) fn total(&self) -> usize {
        self.offsets[self.offsets.len() - 1]
    }

    /// The index of a member, if it is one.
    pub(crate) fn member_index(&self, id: &MemberId) -> Option<u32> {
        self.members.binary_search(&id).ok().map(|m| m as u32)
    }

    /// The global index of a partition, if its stream exists and the number is in range.
    pub(crate) fn global(&self, tp: &TopicPartition) -> Option<(u32, usize)> {
        let s = self.streams.binary_search(&tp.stream.as_str()).ok()?;
        let g = self.offsets[s] + tp.partition.0 as usize;
        (g < self.offsets[s + 1]).then_some((s as u32, g))
    }

    /// The partitions of stream `s` as global indices.
    pub(crate) fn range_of(&self, s: u32) -> core::ops::Range<usize> {
        self.offsets[s as usize]..self.offsets[s as usize + 1]
    }

    /// The partition with global index `g`.
    pub(crate) fn topic_partition(&self, g: usize) -> TopicPartition {
        let s = self.offsets.partition_point(|&o| o <= g) - 1;
        TopicPartition {
            stream: self.streams[s].to_string(),
            partition: Partition((g - self.offsets[s]) as u32),
        }
    }

    /// Whether member `m` subscribes to stream `s`.
    pub(crate) fn subscribes(&self, m: u32, s: u32) -> bool {
        self.subscriptions[m as usize].binary_search(&s).is_ok()
    }

    /// The assignment where partition `g` is owned by `owner[g]` (or nobody if [`NONE`]).
    pub(crate) fn assignment_from_owners(&self, owner: &[u32]) -> Assignment {
        let mut owned = vec![Vec::new(); self.members.len()];
        for (g, &m) in owner.iter().enumerate() {
            if m != NONE {
                owned[m as usize].push(g);
            }
        }
        self.assignment(owned)
    }

    /// The assignment from each member's global indices, which must be ascending.
    pub(crate) fn assignment(&self, owned: Vec<Vec<usize>>) -> Assignment {
        let members =
            crate::sort::by_insertion(self.members.iter().zip(owned).map(|(&id, globals)| {
                debug_assert!(globals.windows(2).all(|w| w[0] < w[1]));
                let tps = globals
                    .into_iter()
                    .map(|g| self.topic_partition(g))
                    .collect();
                (id.clone(), tps)
            }));
        Assignment { members }
    }
}

#[cfg(test)]
mod tests;
