//! The cooperative sticky assignor, after Kafka's `CooperativeStickyAssignor` (KIP-429).
//!
//! Its target is exactly the [`sticky`] assignment. What differs is how the
//! group gets there: with the eager protocol every member gives up all its partitions at the
//! start of a rebalance; with the cooperative one members keep consuming what they keep, and a
//! partition that changes owner is never owned by two members at once:
//!
//! 1. **First assignment** ([`CooperativePlan::first`]): the target without the partitions
//!    that are *transferring ownership* (Kafka's `adjustAssignment`), which are
//!    - with identical subscriptions (`partitionsTransferringOwnership` of the constrained
//!      algorithm): partitions going to another member than the one whose claim survived
//!      the generation rule, and partitions claimed twice in one generation;
//!    - otherwise (`computePartitionsTransferringOwnership`): partitions going to a member
//!      that did not claim them while some live member claimed them.
//!
//!    Members keep their unmoved partitions and receive partitions nobody live holds (new
//!    partitions, or those of members that left). A claim that lost to a newer generation is
//!    not waited for: its member revokes it with the first assignment.
//! 2. **Revocation** ([`CooperativePlan::revoked`]): each member gives up what it owned and
//!    does not keep in the first assignment.
//! 3. **Second assignment** ([`CooperativePlan::target`]): after the revocations, a follow-up
//!    rebalance hands out the withheld partitions; nothing else changes.
//!
//! ```
//! use brokerlab::assign::{AssignInput, TopicPartition, cooperative_sticky, sticky};
//!
//! let tp = TopicPartition::new;
//! // Two members own two partitions each; a third joins.
//! let input = AssignInput::new()
//!     .with_stream("t", 4)
//!     .with_member("a", ["t"])
//!     .with_member("b", ["t"])
//!     .with_member("c", ["t"])
//!     .with_owned("a", [tp("t", 0), tp("t", 1)])
//!     .with_owned("b", [tp("t", 2), tp("t", 3)]);
//! let plan = cooperative_sticky::plan(&input);
//! assert_eq!(plan.target, sticky::assign(&input));
//! // `a` keeps both; `b` keeps t-2 and gives up t-3 first; `c` gets t-3 only in the second
//! // assignment, so t-3 never has two owners.
//! assert_eq!(plan.first.get("a").unwrap(), [tp("t", 0), tp("t", 1)]);
//! assert_eq!(plan.revoked.get("b").unwrap(), &[tp("t", 3)]);
//! assert_eq!(plan.first.get("b").unwrap(), [tp("t", 2)]);
//! assert_eq!(plan.first.get("c").unwrap(), []);
//! assert_eq!(plan.target.get("c").unwrap(), [tp("t", 3)]);
//! assert!(!plan.revoked.contains_key("a"));
//! assert!(plan.needs_second_assignment());
//! ```

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use super::{AssignInput, Assignment, MemberId, Model, NONE, TopicPartition, sticky};

/// The cooperative rebalance from the previous assignment to the sticky target, in two steps.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CooperativePlan {
    /// What each member gives up before the second assignment: every partition it claimed in
    /// the previous assignment and does not keep in [`first`](Self::first), sorted. Only
    /// current members that give something up are listed.
    pub revoked: BTreeMap<MemberId, Vec<TopicPartition>>,
    /// The first assignment: the target without the partitions that change owner. Every member
    /// is listed.
    pub first: Assignment,
    /// The second and final assignment, equal to [`sticky::assign`] of the same input.
    pub target: Assignment,
}

impl CooperativePlan {
    /// Whether a follow-up rebalance is needed, that is, whether some partition changes owner
    /// and was withheld from the first assignment.
    #[must_use]
    pub fn needs_second_assignment(&self) -> bool {
        self.first != self.target
    }
}

/// The target assignment, equal to [`sticky::assign`].
#[must_use]
pub fn assign(input: &AssignInput) -> Assignment {
    sticky::assign(input)
}

/// The two-step plan from `input.previous` to the sticky target. Runs in O(P log M) plus the
/// sticky assignment itself.
#[must_use]
pub fn plan(input: &AssignInput) -> CooperativePlan {
    let model = Model::new(input);
    let sticky::Solved {
        owner,
        claims,
        constrained,
    } = sticky::solve(&model, input);

    // Kafka's `partitionsTransferringOwnership`, withheld from the first assignment.
    let first_owner: Vec<u32> = if constrained {
        // ConstrainedAssignmentBuilder.assignNewPartition: a partition handed to a member other
        // than its validated previous holder, or claimed twice in one generation.
        owner
            .iter()
            .enumerate()
            .map(|(g, &m)| {
                let holder = claims.holder[g];
                let moves = claims.multiple[g] || (holder != NONE && holder != m);
                if moves { NONE } else { m }
            })
            .collect()
    } else {
        // CooperativeStickyAssignor.computePartitionsTransferringOwnership: a partition added
        // to a member that did not claim it, which some live member claimed (and so revokes).
        let mut raw: Vec<Vec<usize>> = alloc::vec![Vec::new(); model.members.len()];
        let mut claimed = alloc::vec![false; owner.len()];
        for (id, owned) in &input.previous {
            let Some(m) = model.member_index(id) else {
                continue;
            };
            for tp in owned {
                if let Some((_, g)) = model.global(tp) {
                    raw[m as usize].push(g);
                    claimed[g] = true;
                }
            }
        }
        for list in &mut raw {
            crate::sort::sort(list);
        }
        owner
            .iter()
            .enumerate()
            .map(|(g, &m)| {
                let moves = m != NONE && claimed[g] && raw[m as usize].binary_search(&g).is_err();
                if moves { NONE } else { m }
            })
            .collect()
    };

    let mut revoked = BTreeMap::new();
    for (id, owned) in &input.previous {
        let Some(m) = model.member_index(id) else {
            continue;
        };
        let mut gone: Vec<TopicPartition> = owned
            .iter()
            .filter(|tp| model.global(tp).is_none_or(|(_, g)| first_owner[g] != m))
            .cloned()
            .collect();
        crate::sort::sort(&mut gone);
        gone.dedup();
        if !gone.is_empty() {
            revoked.insert(id.clone(), gone);
        }
    }

    CooperativePlan {
        revoked,
        first: model.assignment_from_owners(&first_owner),
        target: model.assignment_from_owners(&owner),
    }
}
