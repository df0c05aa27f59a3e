//! The sticky assignor, exactly as Kafka's `StickyAssignor` (KIP-54, `AbstractStickyAssignor`
//! of Kafka's current `clients`, without racks).
//!
//! Two goals in this order: the assignment is **balanced**, and it **keeps as many previous
//! owners as possible**. Kafka's result depends on the order in which it visits members, which
//! is the iteration order of a Java `HashMap` keyed by member id; it is reproduced exactly (by
//! Java's `String.hashCode` bucket, see "Iteration order" below).
//!
//! 1. **Claims** (`allSubscriptionsEqual`). Claims of members that left, on streams nobody
//!    subscribes to and on partitions that do not exist are ignored. Members are visited in
//!    Kafka's order; when a member claims a partition another member claimed before, the claim
//!    of the higher [generation](super::AssignInput::generations) wins (a member without one
//!    has generation -1), and two claims of the same generation cancel each other: the
//!    partition is *claimed twice* and neither keeps it (Kafka's
//!    `partitionsWithMultiplePreviousOwners`; a later claim of a higher generation still takes
//!    it over for the general case below). Kafka tests: `testEnsurePartitionsAssignedToHighestGeneration`,
//!    `testOwnedPartitionsAreInvalidatedForConsumerWithStaleGeneration`,
//!    `testOwnedPartitionsAreInvalidatedForConsumerWithNoGeneration`,
//!    `testOwnedPartitionsAreInvalidatedForConsumerWithMultipleGeneration`,
//!    `testNoReassignmentOnCurrentMembers`, `testAssignmentWithMultipleGenerations1/2`,
//!    `testAssignmentWithConflictingPreviousGenerations`,
//!    `testAllConsumersHaveOwnedPartitionInvalidatedWhenClaimedByMultipleConsumersInSameGeneration…`.
//! 2. **Identical subscriptions** (`ConstrainedAssignmentBuilder`), with `P` partitions and `M`
//!    members (quotas `floor(P/M)` and `ceil(P/M)`, `P % M` members at the larger one):
//!    - members are visited in Kafka's order; each keeps its valid claims **sorted by
//!      partition number, then stream** (so with equal subscriptions each member keeps an even
//!      share of every stream: `testTopicBalanceAfterReassignment`): all of them when fewer
//!      than the minimum quota, the maximum quota while fewer than `P % M` members have kept
//!      that many (**the first such members in Kafka's order keep the extra partition**:
//!      `testMaxQuotaConsumerMoreThanNumExpectedMaxCapacityMembers`), otherwise the minimum;
//!    - the partitions still unowned, in (stream, partition) order, are **dealt round-robin**
//!      over the members below the minimum quota (sorted by id; a member leaves the rounds when
//!      it reaches the minimum), then one each to the members at the minimum that may still
//!      take one more, in id order for those that kept exactly the minimum and then in the
//!      order members reached it (`testAllConsumersAreUnderMinQuota`,
//!      `testAddRemoveTwoConsumersTwoTopics`, `testAllConsumersReachExpectedQuotaAndAreConsideredFilled`).
//! 3. **Differing subscriptions** (`GeneralAssignmentBuilder`): every valid claim on a stream
//!    the member still subscribes to is kept; unowned partitions (streams with fewer
//!    subscribers first, then by name, then partition) go one by one to the subscriber owning
//!    the fewest partitions (ties: smallest id). Then Kafka's `balance`: streams with a single
//!    subscriber and members that cannot change are set aside; partitions are visited in that
//!    order (first only the newly assigned ones, unless some claim had to be dropped because
//!    its member unsubscribed), and while the assignment is not balanced (a member could take
//!    a partition of its streams from a member owning two more), a partition goes back to its
//!    owner from an older generation when that owner has two fewer, or else to the least loaded
//!    subscriber, moving instead a partition of the same stream that moved the opposite way
//!    before (Kafka's `PartitionMovements`). If that did not lower the sum of pairwise count
//!    differences (and it was not the first generation), Kafka reverts to the assignment from
//!    before these moves, and so does this one (`testAssignmentWithMultipleGenerations2`,
//!    `testMultipleConsumersMixedTopicSubscriptions`, `testMoveExistingAssignments`).
//!
//! **Iteration order.** Where Kafka iterates a `HashMap`/`HashSet`, the order is the Java one:
//! members (keys of the leader's `HashMap<String, Subscription>`) by bucket
//! `(h ^ (h >>> 16)) & (capacity - 1)` of `String.hashCode`, capacity the smallest power of two
//! ≥ 16 holding them at load factor 0.75; Kafka's `consumer1..consumer4` come out as
//! `consumer4, consumer3, consumer2, consumer1`. Members sharing a bucket follow the order
//! they joined in Java, which an assignor cannot know: here id order (treeified buckets, of 8
//! or more colliding ids, are not modelled). The partition picked from a `HashSet` in
//! `PartitionMovements` is likewise the one of the lowest `TopicPartition.hashCode` bucket,
//! ties by insertion. Ids compare by UTF-8 bytes where Java compares UTF-16 units, which
//! differs only between characters above U+FFFF and U+E000–U+FFFF.
//!
//! **Deviations**, for inputs Kafka does not handle: a previous owner from an older generation
//! that no longer subscribes to the stream (or cannot take part) is skipped where Kafka would
//! move the partition to it or fail; a claim on a partition number beyond the stream's count
//! is ignored where Kafka's constrained path would keep it; a member listing a partition twice
//! claims it once (Kafka would count it as claimed twice).
//!
//! ```
//! use brokerlab::assign::{AssignInput, TopicPartition, sticky};
//!
//! // Kafka's StickyAssignor javadoc: three consumers, four topics of two partitions.
//! let mut input = AssignInput::new();
//! for t in ["t0", "t1", "t2", "t3"] {
//!     input = input.with_stream(t, 2);
//! }
//! for c in ["C0", "C1", "C2"] {
//!     input = input.with_member(c, ["t0", "t1", "t2", "t3"]);
//! }
//! let first = sticky::assign(&input);
//! let tp = TopicPartition::new;
//! assert_eq!(first.get("C0").unwrap(), [tp("t0", 0), tp("t1", 1), tp("t3", 0)]);
//! assert_eq!(first.get("C1").unwrap(), [tp("t0", 1), tp("t2", 0), tp("t3", 1)]);
//! assert_eq!(first.get("C2").unwrap(), [tp("t1", 0), tp("t2", 1)]);
//!
//! // C1 leaves: only C1's partitions move, dealt round-robin over C0 and C2 (the javadoc
//! // shows another, equally sticky split of them, from an older version of the algorithm).
//! let second = sticky::assign(&input.with_previous(&first).without_member("C1"));
//! assert_eq!(second.get("C0").unwrap(), [tp("t0", 0), tp("t0", 1), tp("t1", 1), tp("t3", 0)]);
//! assert_eq!(second.get("C2").unwrap(), [tp("t1", 0), tp("t2", 0), tp("t2", 1), tp("t3", 1)]);
//! ```

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use super::{AssignInput, Assignment, Model, NONE};

mod balancer;
mod constrained;
mod general;
mod java_hash_set;

use constrained::constrained_assign;
use general::general_assign;

/// Assigns stickily, exactly as Kafka's `StickyAssignor`. Runs in O(P log P + M log M) for P
/// partitions and M members when subscriptions are identical, plus the output; with differing
/// subscriptions Kafka's balancing checks the balance after every visited partition, in
/// O(P + S) for S subscriptions each, so it is quadratic in the worst case (as Kafka's).
#[must_use]
pub fn assign(input: &AssignInput) -> Assignment {
    let model = Model::new(input);
    let solved = solve(&model, input);
    model.assignment_from_owners(&solved.owner)
}

/// The previous claims after Kafka's validation (`allSubscriptionsEqual`), per global
/// partition index.
pub(crate) struct Claims {
    /// The member whose claim survives the generation rule (before quotas and before claims on
    /// streams the member no longer subscribes to are dropped), or [`NONE`].
    pub(crate) holder: Vec<u32>,
    /// Claimed by two members of the same generation (Kafka's
    /// `partitionsWithMultiplePreviousOwners`).
    pub(crate) multiple: Vec<bool>,
}

/// The sticky assignment and what it was computed from.
pub(crate) struct Solved {
    /// The owner of every global partition index ([`NONE`] when no member subscribes to its
    /// stream).
    pub(crate) owner: Vec<u32>,
    /// The validated previous claims.
    pub(crate) claims: Claims,
    /// Whether Kafka's `constrainedAssign` ran (identical subscriptions), rather than
    /// `generalAssign`.
    pub(crate) constrained: bool,
}

/// The sticky assignment: validated claims, then Kafka's constrained or general algorithm.
pub(crate) fn solve(model: &Model<'_>, input: &AssignInput) -> Solved {
    let member_count = model.members.len();
    let order = model.java_hash_order();
    let claims = resolve_claims(model, input, &order);
    let constrained = identical_subscriptions(input);
    let owner = if member_count == 0 {
        vec![NONE; model.total()]
    } else if constrained {
        constrained_assign(model, &order, &claims)
    } else {
        general_assign(model, input, &order, &claims)
    };
    Solved {
        owner,
        claims,
        constrained,
    }
}

/// Whether every member subscribes to the same set of stream names (streams without
/// partition counts included, as Kafka compares `Subscription.topics()`).
fn identical_subscriptions(input: &AssignInput) -> bool {
    let mut sets = input.subscriptions.values().map(|names| {
        let mut names: Vec<&str> = names.iter().map(String::as_str).collect();
        crate::sort::sort(&mut names);
        names.dedup();
        names
    });
    let Some(first) = sets.next() else {
        return true;
    };
    sets.all(|set| set == first)
}

/// Kafka's claim validation: members are visited in Kafka's iteration order (`order`); a
/// claim on a partition nobody claimed yet is taken; a claim on a partition last claimed by a
/// member of a lower generation takes it over; one of a higher generation loses; one of the
/// same generation marks the partition as multiply claimed and cancels the earlier claim.
/// Claims of members that left and on streams nobody subscribes to (or partitions that do
/// not exist) are ignored; a member listing a partition twice claims it once.
pub(crate) fn resolve_claims(model: &Model<'_>, input: &AssignInput, order: &[u32]) -> Claims {
    let total = model.total();
    let mut holder = vec![NONE; total];
    let mut multiple = vec![false; total];
    if input.previous.is_empty() {
        return Claims { holder, multiple };
    }
    let generations: Vec<i32> = model
        .members
        .iter()
        .map(|id| input.generation_of(id.as_str()))
        .collect();
    // The last member whose claim was recorded (Kafka's `allPreviousPartitionsToOwner`).
    let mut last = vec![NONE; total];
    for &m in order {
        let Some(owned) = input.previous.get(model.members[m as usize]) else {
            continue;
        };
        let generation = generations[m as usize];
        for tp in owned {
            let Some((s, g)) = model.global(tp) else {
                continue; // the stream or partition does not exist
            };
            if model.subscribers[s as usize].is_empty() {
                continue; // Kafka only sees subscribed topics
            }
            let other = last[g];
            if other == m {
                continue; // listed twice
            }
            if other == NONE {
                holder[g] = m;
                last[g] = m;
                continue;
            }
            let other_generation = generations[other as usize];
            if generation == other_generation {
                multiple[g] = true;
                holder[g] = NONE;
                last[g] = m;
            } else if generation > other_generation {
                holder[g] = m;
                last[g] = m;
            }
        }
    }
    Claims { holder, multiple }
}
