//! The server-side assignors of Kafka's consumer rebalance protocol (KIP-848), as pure
//! functions with Kafka's rules.
//!
//! With the consumer protocol the group coordinator, not a client, computes each member's
//! *target assignment*, using one of the assignors named by the broker's
//! `group.consumer.assignors`. The input is the same [`AssignInput`] as for the client-side
//! assignors: the members with their subscriptions, the partition count of each stream
//! (subscriptions to streams that are not listed are ignored, as Kafka ignores topics without
//! metadata) and, through [`AssignInput::with_owned`], each member's current target
//! assignment (Kafka's `MemberSubscriptionAndAssignment.assignedPartitions()`). Generations
//! play no part here.
//!
//! - [`uniform`] (Kafka's `UniformAssignor`, the default): balance first, stickiness second.
//!   When every member subscribes to the same streams, each member gets `P / M` partitions,
//!   and the first `P % M` members one more; a member keeps its current partitions up to
//!   that quota and the freed or new partitions fill the members below it. When
//!   subscriptions differ, members keep every current partition they still subscribe to, the
//!   free partitions go stream by stream to the least loaded subscribers, and then partitions
//!   move from the most to the least loaded subscribers of each stream until no move helps.
//! - [`range`] (Kafka's `RangeAssignor`): stream by stream, its subscribers, sorted with
//!   static members first by instance id and then dynamic members by member id, get
//!   consecutive ranges of partitions, the first ones one partition more. Members
//!   subscribing to streams with equal partition counts get the same partition numbers of
//!   each (co-partitioning). Kafka's server-side range assignor does not read the current
//!   assignment: its results stay put as long as the members, their instance ids and the
//!   streams do.
//!
//! Both results are exactly Kafka's, except where Kafka's result depends on the iteration
//! order of a Java `HashMap` or `HashSet` (topic ids are random Uuids here, member ids come in
//! any order). There the order is fixed as follows (only [`uniform`] is affected):
//!
//! - **members in member id order** (as strings): which members of a homogeneous group get
//!   the extra partition (Kafka: `GroupSpec.memberIds()`), the order in which members below
//!   their quota are filled, and the member indices that break ties between equally loaded
//!   members in the heterogeneous balancing (Kafka: `new ArrayList<>(memberIds())`);
//! - **streams in name order, partitions ascending**: the order of never-assigned partitions
//!   in the homogeneous case (Kafka: the `HashSet` of subscribed topic ids), and which of a
//!   member's current partitions it keeps when it is over its quota (Kafka: the member's
//!   assignment map); the heterogeneous case breaks ties between topics by topic id, which is
//!   the stream name here.
//!
//! Kafka's coordinator passes a consistent current assignment (each partition owned once, by
//! a member of the group, within the topic's partition count); here the input may be anything,
//! so before assigning, [`uniform`] drops current partitions of members that left, of streams
//! or partition numbers that do not exist and of streams the member does not subscribe to, and
//! a partition claimed by several members stays with the first of them in member id order.
//! Where Kafka returns no entry for a member (for example when nobody subscribes to anything),
//! the [`Assignment`] lists it with no partitions, as every assignor here does. Kafka's error
//! for a subscription to a topic without metadata does not exist either: such subscriptions
//! are ignored. Racks are not modelled.
//!
//! ```
//! use brokerlab::assign::server::ServerAssignor;
//! use brokerlab::assign::{AssignInput, TopicPartition};
//!
//! let tp = TopicPartition::new;
//! let input = AssignInput::new()
//!     .with_stream("orders", 4)
//!     .with_member("a", ["orders"])
//!     .with_member("b", ["orders"]);
//! let first = ServerAssignor::Uniform.assign(&input);
//! assert_eq!(first.get("a").unwrap(), [tp("orders", 0), tp("orders", 1)]);
//! assert_eq!(first.get("b").unwrap(), [tp("orders", 2), tp("orders", 3)]);
//!
//! // A third member joins: each keeps what it can and only the surplus moves.
//! let next = input.with_previous(&first).with_member("c", ["orders"]);
//! let second = ServerAssignor::Uniform.assign(&next);
//! assert_eq!(second.get("a").unwrap(), [tp("orders", 0), tp("orders", 1)]);
//! assert_eq!(second.get("b").unwrap(), [tp("orders", 2)]);
//! assert_eq!(second.get("c").unwrap(), [tp("orders", 3)]);
//!
//! // The range assignor splits the stream into ranges in member order instead.
//! let ranges = ServerAssignor::Range.assign(&next);
//! assert_eq!(ranges.get("b").unwrap(), [tp("orders", 2)]);
//! assert_eq!(ranges.get("c").unwrap(), [tp("orders", 3)]);
//! assert_eq!(ServerAssignor::default().name(), "uniform");
//! ```

use core::fmt;

use super::{AssignInput, Assignment};

mod heterogeneous;
pub mod range;
pub mod uniform;

/// A server-side assignor of the consumer protocol (Kafka's `group.consumer.assignors`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum ServerAssignor {
    /// [`uniform`]: Kafka's `UniformAssignor` (`"uniform"`), Kafka's default.
    #[default]
    Uniform,
    /// [`range`]: Kafka's server-side `RangeAssignor` (`"range"`).
    Range,
}

impl ServerAssignor {
    /// Both, Kafka's default first.
    pub const ALL: [ServerAssignor; 2] = [ServerAssignor::Uniform, ServerAssignor::Range];

    /// Kafka's name of the assignor (`UniformAssignor.UNIFORM_ASSIGNOR_NAME`,
    /// `RangeAssignor.RANGE_ASSIGNOR_NAME`).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            ServerAssignor::Uniform => "uniform",
            ServerAssignor::Range => "range",
        }
    }

    /// The new target assignment of every member.
    #[must_use]
    pub fn assign(self, input: &AssignInput) -> Assignment {
        match self {
            ServerAssignor::Uniform => uniform::assign(input),
            ServerAssignor::Range => range::assign(input),
        }
    }
}

/// Written as its Kafka name: `uniform` or `range`.
impl fmt::Display for ServerAssignor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod kafka_tests;
#[cfg(test)]
mod tests;
