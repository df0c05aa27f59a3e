//! The sticky assignor, after Kafka's `StickyAssignor` (KIP-54, `AbstractStickyAssignor`).
//!
//! Two goals in this order: the assignment is **balanced**, and it **keeps as many previous
//! owners as possible**.
//!
//! 1. Previous ownership is validated. Claims of members that left, of streams or partitions
//!    that no longer exist and of streams the member no longer subscribes to are dropped; a
//!    partition claimed by several members is kept by none of them and assigned afresh (Kafka
//!    does the same with `partitionsWithMultiplePreviousOwners`).
//! 2. When every member subscribes to the same streams (Kafka's `constrainedAssign` case),
//!    with `P` partitions and `M` members each member keeps at most `ceil(P/M)` of its
//!    previous partitions, and at most `P % M` members keep that many (the others keep at most
//!    `floor(P/M)`); what a member keeps are the first ones in (stream, partition) order.
//! 3. Every partition still unowned, in (stream, partition) order (streams with fewer
//!    subscribers first), goes to the subscribed member that owns the fewest partitions, ties
//!    going to the smallest id. With identical subscriptions this ends balanced: owned counts
//!    differ by at most 1. In the first generation it deals the partitions out like
//!    round-robin.
//! 4. When subscriptions differ (Kafka's `generalAssign` case), keeping every valid previous
//!    owner can leave the assignment unbalanced, so partitions then move one at a time from the
//!    most loaded member to the least loaded member subscribed to their stream, while that
//!    lowers the difference (more than one partition) — Kafka's `balance` step in spirit.
//!
//! When one member of a balanced group leaves, step 2 keeps everything the others own and only
//! the partitions of the member that left move (the examples below are Kafka's javadoc's).
//! Kafka iterates hash maps in both of its algorithms, so for ties its output is not fully
//! specified; here ties go to the smallest id. Kafka ≥ 2.8's `constrainedAssign` fills the
//! unowned partitions round-robin over the members below quota instead of least-loaded first,
//! which can pick a different but equally balanced and equally sticky assignment; least-loaded
//! first is what the javadoc examples show.
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
//! // C1 leaves: only C1's partitions move.
//! let second = sticky::assign(&input.with_previous(&first).without_member("C1"));
//! assert_eq!(second.get("C0").unwrap(), [tp("t0", 0), tp("t1", 1), tp("t2", 0), tp("t3", 0)]);
//! assert_eq!(second.get("C2").unwrap(), [tp("t0", 1), tp("t1", 0), tp("t2", 1), tp("t3", 1)]);
//! ```

use alloc::collections::BinaryHeap;
use alloc::vec;
use alloc::vec::Vec;
use core::cmp::Reverse;

use crate::sort::by_insertion;
use crate::vec_map::{VecMap, VecSet};

use super::{AssignInput, Assignment, CONFLICT, Model, NONE};

/// Assigns stickily, after Kafka's `StickyAssignor`. Runs in O(P log M) for P partitions and M
/// members when subscriptions are identical, plus the output; with differing subscriptions
/// each balancing move costs O(S log M) comparisons for a member's S subscribed streams, plus
/// shifting up to M entries of the sorted sets it updates (one `memmove` each).
#[must_use]
pub fn assign(input: &AssignInput) -> Assignment {
    let model = Model::new(input);
    let owner = solve(&model, input);
    model.assignment_from_owners(&owner)
}

/// The sticky assignment as the owner of every global partition index ([`NONE`] when no
/// member subscribes to its stream).
pub(crate) fn solve(model: &Model<'_>, input: &AssignInput) -> Vec<u32> {
    let member_count = model.members.len();
    let total = model.total();
    let mut owner = vec![NONE; total];
    if member_count == 0 {
        return owner;
    }
    let previous = previous_owners(model, input);
    let identical = model
        .subscriptions
        .iter()
        .all(|subs| *subs == model.subscriptions[0]);

    // Steps 1 and 2: keep valid previous ownership, within quota when subscriptions agree.
    let mut counts = vec![0u32; member_count];
    if identical {
        let assignable: usize = model.subscriptions[0]
            .iter()
            .map(|&s| model.range_of(s).len())
            .sum();
        let min_quota = assignable / member_count;
        let max_quota = assignable.div_ceil(member_count);
        let expected_over_min = assignable % member_count;
        let mut over_min = 0usize;
        let mut owned_before: Vec<Vec<usize>> = vec![Vec::new(); member_count];
        for (g, &m) in previous.iter().enumerate() {
            if m != NONE && m != CONFLICT {
                owned_before[m as usize].push(g);
            }
        }
        for (m, owned) in owned_before.iter().enumerate() {
            let keep = if owned.len() < min_quota {
                owned.len()
            } else if owned.len() >= max_quota && over_min < expected_over_min {
                over_min += 1;
                max_quota
            } else {
                min_quota
            };
            for &g in &owned[..keep] {
                owner[g] = m as u32;
            }
            counts[m] = keep as u32;
        }
    } else {
        for (g, &m) in previous.iter().enumerate() {
            if m != NONE && m != CONFLICT {
                owner[g] = m;
                counts[m as usize] += 1;
            }
        }
    }

    // Step 3: unowned partitions to the least loaded subscriber. Streams with the same
    // subscribers share one min-heap of (count, member); entries go stale when a member gains
    // a partition through another stream group and are refreshed when popped.
    let groups = Groups::new(model);
    let mut heaps: Vec<BinaryHeap<Reverse<(u32, u32)>>> = groups
        .members
        .iter()
        .map(|members| {
            members
                .iter()
                .map(|&m| Reverse((counts[m as usize], m)))
                .collect()
        })
        .collect();
    let mut stream_order: Vec<u32> = (0..model.streams.len() as u32)
        .filter(|&s| !model.subscribers[s as usize].is_empty())
        .collect();
    crate::sort::sort_by_key(&mut stream_order, |&s| {
        (model.subscribers[s as usize].len(), s)
    });
    for s in stream_order {
        let heap = &mut heaps[groups.of_stream[s as usize] as usize];
        for g in model.range_of(s) {
            if owner[g] != NONE {
                continue;
            }
            let m = loop {
                let Reverse((count, m)) = heap.pop().expect("a stream with subscribers");
                if count == counts[m as usize] {
                    break m;
                }
                heap.push(Reverse((counts[m as usize], m)));
            };
            owner[g] = m;
            counts[m as usize] += 1;
            heap.push(Reverse((counts[m as usize], m)));
        }
    }

    // Step 4: with differing subscriptions, move partitions from the most to the least loaded.
    if !identical {
        balance(model, &groups, &mut owner, &mut counts);
    }
    owner
}

/// The valid previous owner of every global partition index: a member, [`NONE`] or
/// [`CONFLICT`] (claimed by several members).
pub(crate) fn previous_owners(model: &Model<'_>, input: &AssignInput) -> Vec<u32> {
    let mut previous = vec![NONE; model.total()];
    for (id, owned) in &input.previous {
        let Some(m) = model.member_index(id) else {
            continue; // the member left
        };
        for tp in owned {
            let Some((s, g)) = model.global(tp) else {
                continue; // the stream or partition no longer exists
            };
            if !model.subscribes(m, s) {
                continue; // no longer subscribed: the partition must move
            }
            previous[g] = match previous[g] {
                NONE => m,
                same if same == m => m,
                _ => CONFLICT,
            };
        }
    }
    previous
}

/// Streams grouped by their set of subscribers, so that per-member bookkeeping is per group
/// rather than per stream (with identical subscriptions there is one group).
struct Groups {
    /// The group of each stream (`u32::MAX` when the stream has no subscribers).
    of_stream: Vec<u32>,
    /// The subscribers of each group, sorted.
    members: Vec<Vec<u32>>,
    /// The groups of each member, ascending.
    of_member: Vec<Vec<u32>>,
}

impl Groups {
    fn new(model: &Model<'_>) -> Self {
        let mut index: VecMap<&[u32], u32> = VecMap::new();
        let mut members: Vec<Vec<u32>> = Vec::new();
        let mut of_member: Vec<Vec<u32>> = vec![Vec::new(); model.members.len()];
        let of_stream = model
            .subscribers
            .iter()
            .map(|subscribers| {
                if subscribers.is_empty() {
                    return u32::MAX;
                }
                *index.get_or_insert_with(subscribers.as_slice(), || {
                    let group = members.len() as u32;
                    members.push(subscribers.clone());
                    for &m in subscribers {
                        of_member[m as usize].push(group);
                    }
                    group
                })
            })
            .collect();
        Groups {
            of_stream,
            members,
            of_member,
        }
    }
}

/// Moves partitions one at a time from the most loaded member to the least loaded member
/// subscribed to their stream, while the two differ by more than one, until no such move is
/// left. Each move lowers the sum of squared counts, so this ends.
fn balance(model: &Model<'_>, groups: &Groups, owner: &mut [u32], counts: &mut [u32]) {
    let member_count = model.members.len();
    let mut owned: Vec<VecSet<usize>> = vec![VecSet::new(); member_count];
    for (g, &m) in owner.iter().enumerate() {
        if m != NONE {
            owned[m as usize].insert(g);
        }
    }
    let mut loads: Vec<VecSet<(u32, u32)>> = groups
        .members
        .iter()
        .map(|members| by_insertion(members.iter().map(|&m| (counts[m as usize], m))))
        .collect();
    let set_count = |loads: &mut Vec<VecSet<(u32, u32)>>, m: u32, old: u32, new: u32| {
        for &group in &groups.of_member[m as usize] {
            loads[group as usize].remove(&(old, m));
            loads[group as usize].insert((new, m));
        }
    };
    loop {
        let mut moved = false;
        // Most loaded first, ties by id.
        let mut pending: VecSet<(Reverse<u32>, u32)> = by_insertion(
            (0..member_count as u32)
                .filter(|&m| counts[m as usize] > 1)
                .map(|m| (Reverse(counts[m as usize]), m)),
        );
        while let Some((Reverse(count), from)) = pending.pop_first() {
            // The stream of `from` whose least loaded subscriber has the fewest partitions.
            let mut best: Option<(u32, u32, u32)> = None;
            for &s in &model.subscriptions[from as usize] {
                let group = groups.of_stream[s as usize] as usize;
                let Some(&(to_count, to)) = loads[group].first() else {
                    continue;
                };
                if to_count + 1 >= count || best.is_some_and(|(c, _, _)| c <= to_count) {
                    continue;
                }
                if owned[from as usize]
                    .range(model.range_of(s))
                    .next()
                    .is_some()
                {
                    best = Some((to_count, s, to));
                }
            }
            let Some((to_count, s, to)) = best else {
                continue; // nothing of `from` can move to a less loaded member
            };
            let g = *owned[from as usize]
                .range(model.range_of(s))
                .next_back()
                .expect("checked above");
            owned[from as usize].remove(&g);
            owned[to as usize].insert(g);
            owner[g] = to;
            counts[from as usize] = count - 1;
            counts[to as usize] = to_count + 1;
            set_count(&mut loads, from, count, count - 1);
            set_count(&mut loads, to, to_count, to_count + 1);
            if pending.remove(&(Reverse(to_count), to)) {
                pending.insert((Reverse(to_count + 1), to));
            }
            if count - 1 > 1 {
                pending.insert((Reverse(count - 1), from));
            }
            moved = true;
        }
        if !moved {
            break;
        }
    }
}
