//! The server-side range assignor, exactly as Kafka's group-coordinator `RangeAssignor`.
//!
//! Stream by stream, the members subscribed to it are sorted (Kafka's `sortMemberIds`: static
//! members first, by group instance id, then dynamic members by member id; see
//! [`AssignInput::with_static_member`](super::AssignInput::with_static_member)). With `n`
//! partitions and `c` such members, the member at position `i` gets the `n/c` consecutive
//! partitions after those of the members before it, plus one if `i < n % c`. Kafka splits
//! homogeneous groups (every member subscribing to the same topics) and heterogeneous ones in
//! two code paths, which give the same ranges; when every stream has the same partition count,
//! each member gets the same partition numbers of every stream it subscribes to.
//!
//! The current assignment is not read: Kafka's rewrite of this assignor (KAFKA-16944) made it
//! depend only on the members, their instance ids and the streams, so a result repeats as
//! long as those do, and a static member that rejoins under a new member id gets its ranges
//! back (Kafka's `testStaticMembership`). The result is the client-side
//! [`range`](super::super::range) assignor's, whose member order is the same; this module
//! calls it.
//!
//! ```
//! use brokerlab::assign::server::range;
//! use brokerlab::assign::{AssignInput, TopicPartition};
//!
//! // The example of Kafka's RangeAssignor javadoc: co-partitioned topics.
//! let input = AssignInput::new()
//!     .with_stream("t1", 3)
//!     .with_stream("t2", 3)
//!     .with_member("m0", ["t1", "t2"])
//!     .with_member("m1", ["t1", "t2"]);
//! let tp = TopicPartition::new;
//! let assignment = range::assign(&input);
//! assert_eq!(assignment.get("m0").unwrap(), [tp("t1", 0), tp("t1", 1), tp("t2", 0), tp("t2", 1)]);
//! assert_eq!(assignment.get("m1").unwrap(), [tp("t1", 2), tp("t2", 2)]);
//! ```

use super::{AssignInput, Assignment};

/// Assigns by ranges, as Kafka's group-coordinator `RangeAssignor`. Runs in O(P + M log M)
/// for P partitions and M members, plus the output.
#[must_use]
pub fn assign(input: &AssignInput) -> Assignment {
    super::super::range::assign(input)
}
