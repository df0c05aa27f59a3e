//! The round-robin assignor, exactly as Kafka's `RoundRobinAssignor`.
//!
//! All partitions of the subscribed streams are sorted by (stream, partition) and dealt one by
//! one over the members in a circle, the members sorted as Kafka sorts its `MemberInfo`s
//! (static members first, by group instance id, then dynamic members by member id). When the member whose turn it is does not
//! subscribe to the partition's stream, the turn passes on to the next member that does (the
//! partition goes to the first subscriber at or after the current position, and the next turn
//! starts after it), as Kafka's `CircularIterator` loop does. The previous assignment is not
//! used.
//!
//! ```
//! use brokerlab::assign::{AssignInput, TopicPartition, round_robin};
//!
//! // The differing-subscriptions example of Kafka's RoundRobinAssignor javadoc.
//! let input = AssignInput::new()
//!     .with_stream("t0", 1)
//!     .with_stream("t1", 2)
//!     .with_stream("t2", 3)
//!     .with_member("C0", ["t0"])
//!     .with_member("C1", ["t0", "t1"])
//!     .with_member("C2", ["t0", "t1", "t2"]);
//! let a = round_robin::assign(&input);
//! let tp = TopicPartition::new;
//! assert_eq!(a.get("C0").unwrap(), [tp("t0", 0)]);
//! assert_eq!(a.get("C1").unwrap(), [tp("t1", 0)]);
//! assert_eq!(a.get("C2").unwrap(), [tp("t1", 1), tp("t2", 0), tp("t2", 1), tp("t2", 2)]);
//! ```

use alloc::vec;
use alloc::vec::Vec;

use super::{AssignInput, Assignment, Model};

/// Assigns round-robin, as Kafka's `RoundRobinAssignor`. Runs in O(P log M) for P partitions
/// and M members (finding the next subscriber is a binary search, never a scan), plus the
/// output.
#[must_use]
pub fn assign(input: &AssignInput) -> Assignment {
    let model = Model::new(input);
    let member_count = model.members.len();
    let mut owned: Vec<Vec<usize>> = vec![Vec::new(); member_count];
    // The position of the member whose turn it is, in id order.
    let mut turn = 0usize;
    // Positions in Kafka's MemberInfo order (the id order when all are dynamic).
    let (member_at, subscribers_by_stream) = match model.ranked() {
        Some(r) => (Some(r.member_at.as_slice()), r.subscribers.as_slice()),
        None => (None, model.subscribers.as_slice()),
    };
    for (s, subscribers) in subscribers_by_stream.iter().enumerate() {
        let Some(&first) = subscribers.first() else {
            continue;
        };
        let all_subscribe = subscribers.len() == member_count;
        for g in model.range_of(s as u32) {
            let m = if all_subscribe {
                turn
            } else {
                let k = subscribers.partition_point(|&m| (m as usize) < turn);
                subscribers.get(k).copied().unwrap_or(first) as usize
            };
            owned[member_at.map_or(m, |at| at[m] as usize)].push(g);
            turn = (m + 1) % member_count;
        }
    }
    model.assignment(owned)
}
