//! The range assignor, exactly as Kafka's `RangeAssignor`.
//!
//! Stream by stream, the members subscribed to the stream are sorted as Kafka sorts its
//! `MemberInfo`s (static members first, by group instance id, then dynamic members by member
//! id; see [`AssignInput::with_static_member`](super::AssignInput::with_static_member)); with `n`
//! partitions and `c` such members, member `i` gets the `n/c + (i < n%c ? 1 : 0)` consecutive
//! partitions starting at `n/c*i + min(i, n%c)`. Each stream is split on its own, so the
//! first members get the extra partition of every stream: balanced per stream, not overall.
//! The previous assignment is not used. (Kafka's rack-aware variant does not apply: members
//! here have no racks.)
//!
//! ```
//! use brokerlab::assign::{AssignInput, TopicPartition, range};
//!
//! // Three members over 2 partitions: the last one stays idle but is listed.
//! let input = AssignInput::new()
//!     .with_stream("orders", 2)
//!     .with_member("c0", ["orders"])
//!     .with_member("c1", ["orders"])
//!     .with_member("c2", ["orders"]);
//! let assignment = range::assign(&input);
//! assert_eq!(assignment.get("c1").unwrap(), [TopicPartition::new("orders", 1)]);
//! assert_eq!(assignment.get("c2").unwrap(), []);
//! ```

use alloc::vec;
use alloc::vec::Vec;

use super::{AssignInput, Assignment, Model};

/// Assigns by ranges, as Kafka's `RangeAssignor`. Runs in O(P + M log M) for P partitions and
/// M members, plus the output.
#[must_use]
pub fn assign(input: &AssignInput) -> Assignment {
    let model = Model::new(input);
    let mut owned: Vec<Vec<usize>> = vec![Vec::new(); model.members.len()];
    // Subscribers by position in Kafka's MemberInfo order (the id order when all are dynamic).
    let (member_at, subscribers_by_stream) = match model.ranked() {
        Some(r) => (Some(r.member_at.as_slice()), r.subscribers.as_slice()),
        None => (None, model.subscribers.as_slice()),
    };
    // Streams in name order, so each member's list comes out sorted.
    for (s, subscribers) in subscribers_by_stream.iter().enumerate() {
        let consumers = subscribers.len();
        if consumers == 0 {
            continue;
        }
        let stream = model.range_of(s as u32);
        let n = stream.len();
        let per_member = n / consumers;
        let extra = n % consumers;
        for (i, &pos) in subscribers.iter().enumerate() {
            let m = member_at.map_or(pos, |at| at[pos as usize]);
            let start = stream.start + per_member * i + i.min(extra);
            let len = per_member + usize::from(i < extra);
            owned[m as usize].extend(start..start + len);
        }
    }
    model.assignment(owned)
}
