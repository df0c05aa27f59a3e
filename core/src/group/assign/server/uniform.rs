//! The uniform assignor, as Kafka's `UniformAssignor` (the consumer protocol's default).
//!
//! It puts balance before stickiness: the members' partition counts end as even as the
//! subscriptions allow (within one of each other when everyone subscribes to the same streams,
//! nearly so otherwise, as in Kafka), and within that, members keep as many of their current
//! partitions (their current target assignment, [`AssignInput::with_owned`]) as possible. Kafka has two algorithms, chosen as Kafka's coordinator chooses them: by the
//! subscribed stream *names*, so a subscription to a stream that does not exist still counts.
//!
//! - **Homogeneous** (every member subscribes to the same streams; Kafka's
//!   `UniformHomogeneousAssignmentBuilder`). With P partitions over M members, every member's
//!   quota is `P / M`, plus one for the first `P % M` members in member id order. Each member
//!   keeps its current partitions (streams by name, partitions ascending) up to its quota and
//!   frees the rest. The free partitions (first those nobody owned, streams by name and
//!   partitions ascending, then those just freed, member by member) then fill the members
//!   below their quota, in member id order. The quota goes by position, not by what a member
//!   already owns, so a member late in id order may give up a partition it could have kept.
//! - **Heterogeneous** (Kafka's `UniformHeterogeneousAssignmentBuilder`). Each member keeps
//!   every current partition it still subscribes to. Streams with free partitions are then
//!   taken in Kafka's topic order (most partitions per subscriber first, then fewest
//!   subscribers, then by name) and their free partitions, ascending, dealt one at a time to
//!   the stream's least loaded subscribers in turn (Kafka's `MemberAssignmentBalancer`, which
//!   sorts them by load, then member id, when it starts on the stream). Finally, streams with
//!   at least two subscribers are visited in the same order, again and again (at most 16
//!   rounds, until a whole round moves nothing): a stream's partitions move from its most
//!   loaded subscribers (each giving up its highest partitions first) to its least loaded ones
//!   while their loads differ by more than one. Subscribers with the same subscriptions end
//!   within one partition of each other; with overlapping subscriptions the result can be a
//!   little off (Kafka's own example: 9, 10 and 11 partitions where 10 each was possible).
//!
//! See the [module docs](super) for the orders chosen where Kafka iterates a `HashMap` and for
//! how an inconsistent current assignment is cleaned first.
//!
//! ```
//! use brokerlab::assign::server::uniform;
//! use brokerlab::assign::{AssignInput, TopicPartition};
//!
//! // Kafka's UniformHeterogeneousAssignmentBuilderTest.testFirstAssignmentTwoMembersTwoTopics:
//! // B, on topic3 only, takes most of it while A also has topic1.
//! let input = AssignInput::new()
//!     .with_stream("topic1", 3)
//!     .with_stream("topic3", 6)
//!     .with_member("A", ["topic1", "topic3"])
//!     .with_member("B", ["topic3"]);
//! let tp = TopicPartition::new;
//! let assignment = uniform::assign(&input);
//! assert_eq!(
//!     assignment.get("A").unwrap(),
//!     [tp("topic1", 0), tp("topic1", 1), tp("topic1", 2), tp("topic3", 4)]
//! );
//! assert_eq!(assignment.get("B").unwrap().len(), 5);
//! // Run again from its own result, it changes nothing.
//! assert_eq!(uniform::assign(&input.clone().with_previous(&assignment)), assignment);
//! ```

use alloc::collections::BTreeSet;
use alloc::vec;
use alloc::vec::Vec;

use super::super::{AssignInput, Assignment, Model, NONE};
use super::heterogeneous;

/// Assigns uniformly, as Kafka's `UniformAssignor`. The homogeneous case runs in O(P + M) for
/// P partitions and M members, plus the output; the heterogeneous one in O(P log P + S log S)
/// for S subscriptions per balancing round over the streams, at most 16 rounds.
#[must_use]
pub fn assign(input: &AssignInput) -> Assignment {
    assign_as(input, is_homogeneous(input))
}

/// The assignment by the homogeneous (`true`) or the heterogeneous builder, whatever the
/// subscriptions: Kafka's tests choose the builder through the group's subscription type, and
/// the ported tests do too. The homogeneous builder needs identical subscriptions.
pub(super) fn assign_as(input: &AssignInput, homogeneous_builder: bool) -> Assignment {
    let model = Model::new(input);
    if model.members.is_empty() {
        return model.assignment(Vec::new());
    }
    let current = Current::new(&model, input);
    let owner = if homogeneous_builder {
        homogeneous(&model, current)
    } else {
        heterogeneous::assign(&model, current)
    };
    model.assignment_from_owners(&owner)
}

/// The current assignment, cleaned: only partitions that exist, of streams the member
/// subscribes to, each with its first claimant in member id order.
pub(super) struct Current {
    /// The current owner of each global partition index, or [`NONE`].
    pub(super) owner: Vec<u32>,
    /// Per member, its current partitions as ascending global indices (streams by name,
    /// partitions ascending).
    pub(super) owned: Vec<Vec<usize>>,
}

impl Current {
    fn new(model: &Model<'_>, input: &AssignInput) -> Self {
        let mut owner = vec![NONE; model.total()];
        let mut owned = vec![Vec::new(); model.members.len()];
        for (m, kept) in owned.iter_mut().enumerate() {
            let Some(tps) = input.previous.get(model.members[m]) else {
                continue;
            };
            for tp in tps {
                let Some((s, g)) = model.global(tp) else {
                    continue;
                };
                if owner[g] == NONE && model.subscribes(m as u32, s) {
                    owner[g] = m as u32;
                    kept.push(g);
                }
            }
            crate::sort::sort(kept);
        }
        Current { owner, owned }
    }
}

/// Kafka's `ModernGroup.subscriptionType`: homogeneous when every subscribed name (known
/// stream or not) is subscribed by every member.
fn is_homogeneous(input: &AssignInput) -> bool {
    let mut sets = input.subscriptions.values().map(|names| {
        names
            .iter()
            .map(alloc::string::String::as_str)
            .collect::<BTreeSet<_>>()
    });
    let Some(first) = sets.next() else {
        return true;
    };
    sets.all(|set| set == first)
}

/// Kafka's `UniformHomogeneousAssignmentBuilder`: the owner of every global partition index.
fn homogeneous(model: &Model<'_>, current: Current) -> Vec<u32> {
    let Current { mut owner, owned } = current;
    // Every member has the same known streams (the subscriptions have the same names).
    let mut unassigned = Vec::new();
    let mut total = 0usize;
    for &s in &model.subscriptions[0] {
        let partitions = model.range_of(s);
        total += partitions.len();
        unassigned.extend(partitions.filter(|&g| owner[g] == NONE));
    }
    let members = owned.len();
    let (min_quota, extra) = (total / members, total % members);
    // Keep each member's partitions up to its quota; free the rest.
    let mut unfilled = Vec::new();
    for (m, kept) in owned.iter().enumerate() {
        let quota = min_quota + usize::from(m < extra);
        for &g in kept.iter().skip(quota) {
            owner[g] = NONE;
            unassigned.push(g);
        }
        if quota > kept.len() {
            unfilled.push((m as u32, quota - kept.len()));
        }
    }
    // Fill the members below their quota, in member order.
    let mut free = unassigned.into_iter();
    for (m, room) in unfilled {
        for g in free.by_ref().take(room) {
            owner[g] = m;
        }
    }
    debug_assert!(free.next().is_none(), "the quotas cover every partition");
    owner
}
