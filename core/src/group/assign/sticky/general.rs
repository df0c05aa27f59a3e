//! Kafka's `GeneralAssignmentBuilder`, the sticky assignment when subscriptions differ: valid
//! claims kept, unowned partitions to the least loaded subscriber, then Kafka's balancing
//! ([`Balancer`]; step 3 of the [module documentation](super)).

use alloc::vec;
use alloc::vec::Vec;

use crate::sort::by_insertion;
use crate::vec_map::{VecMap, VecSet};

use super::balancer::Balancer;
use super::{AssignInput, Claims, Model, NONE};

/// Kafka's `GeneralAssignmentBuilder` (differing subscriptions): every valid claim is kept,
/// unowned partitions go to the least loaded subscriber, then Kafka's `balance` moves
/// partitions (see [`Balancer`]).
pub(super) fn general_assign(
    model: &Model<'_>,
    input: &AssignInput,
    order: &[u32],
    claims: &Claims,
) -> Vec<u32> {
    let member_count = model.members.len();
    let mut owner = vec![NONE; model.total()];
    let mut counts = vec![0u32; member_count];
    let mut revocation_required = false;
    for (s, _) in model.streams.iter().enumerate() {
        for g in model.range_of(s as u32) {
            let m = claims.holder[g];
            if m == NONE {
                continue;
            }
            if model.subscribes(m, s as u32) {
                owner[g] = m;
                counts[m as usize] += 1;
            } else {
                revocation_required = true;
            }
        }
    }
    let initializing = counts.iter().all(|&c| c == 0);

    // Kafka's `sortedAllPartitions`: streams by subscriber count, then name; and the
    // partitions nobody kept, in that order.
    let mut stream_order: Vec<u32> = (0..model.streams.len() as u32)
        .filter(|&s| !model.subscribers[s as usize].is_empty())
        .collect();
    crate::sort::sort_by_key(&mut stream_order, |&s| {
        (model.subscribers[s as usize].len(), s)
    });
    let unassigned: Vec<usize> = stream_order
        .iter()
        .flat_map(|&s| model.range_of(s))
        .filter(|&g| owner[g] == NONE)
        .collect();

    // Unowned partitions to the least loaded subscriber (Kafka's `maybeAssign` over its
    // `sortedCurrentSubscriptions`). Streams with the same subscribers share one ordered set
    // of (count, member); entries go stale when a member gains a partition through another
    // stream group and are refreshed when taken.
    let groups = Groups::new(model);
    let mut loads: Vec<VecSet<(u32, u32)>> = groups
        .members
        .iter()
        .map(|members| by_insertion(members.iter().map(|&m| (counts[m as usize], m))))
        .collect();
    for &g in &unassigned {
        let s = model.stream_of(g);
        let load = &mut loads[groups.of_stream[s as usize] as usize];
        let m = loop {
            let (count, m) = load.pop_first().expect("a stream with subscribers");
            if count == counts[m as usize] {
                break m;
            }
            load.insert((counts[m as usize], m));
        };
        owner[g] = m;
        counts[m as usize] += 1;
        load.insert((counts[m as usize], m));
    }

    let mut balancer = Balancer::new(model, input, order, owner, counts);
    // Only streams with two subscribers or more, and members that can still change, take part.
    let reassignable: Vec<usize> = stream_order
        .iter()
        .filter(|&&s| model.subscribers[s as usize].len() >= 2)
        .flat_map(|&s| model.range_of(s))
        .collect();
    let unassigned: Vec<usize> = unassigned
        .into_iter()
        .filter(|&g| model.subscribers[model.stream_of(g) as usize].len() >= 2)
        .collect();
    let before = (balancer.owner.clone(), balancer.counts.clone());
    let score_before = balancer.balance_score();
    if !revocation_required {
        balancer.perform_reassignments(&unassigned);
    }
    let performed = balancer.perform_reassignments(&reassignable);
    if !initializing && performed && balancer.balance_score() >= score_before {
        // Not better balanced: Kafka reverts to the assignment before its reassignments.
        return before.0;
    }
    balancer.owner
}

/// Streams grouped by their set of subscribers, so that per-member bookkeeping is per group
/// rather than per stream (with identical subscriptions there is one group).
struct Groups {
    /// The group of each stream (`u32::MAX` when the stream has no subscribers).
    of_stream: Vec<u32>,
    /// The subscribers of each group, sorted.
    members: Vec<Vec<u32>>,
}

impl Groups {
    fn new(model: &Model<'_>) -> Self {
        let mut index: VecMap<&[u32], u32> = VecMap::new();
        let mut members: Vec<Vec<u32>> = Vec::new();
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
                    group
                })
            })
            .collect();
        Groups { of_stream, members }
    }
}
