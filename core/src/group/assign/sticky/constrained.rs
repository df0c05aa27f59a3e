//! Kafka's `ConstrainedAssignmentBuilder`, the sticky assignment when every member subscribes
//! to the same streams: valid claims kept up to the quotas in Kafka's member order, the rest
//! dealt round-robin (step 2 of the [module documentation](super)).

use alloc::collections::VecDeque;
use alloc::vec;
use alloc::vec::Vec;

use super::{Claims, Model, NONE};

/// Kafka's `ConstrainedAssignmentBuilder` (every member subscribes to the same streams).
pub(super) fn constrained_assign(model: &Model<'_>, order: &[u32], claims: &Claims) -> Vec<u32> {
    let member_count = model.members.len();
    let mut owner = vec![NONE; model.total()];
    let streams = &model.subscriptions[0];
    let assignable: usize = streams.iter().map(|&s| model.range_of(s).len()).sum();
    let min_quota = assignable / member_count;
    let max_quota = assignable.div_ceil(member_count);
    let expected_over_min = assignable % member_count;
    let mut over_min = 0usize;

    // Each member's valid claims as (partition number, stream): Kafka sorts them by partition,
    // then topic, before keeping a prefix.
    let mut owned_before: Vec<Vec<(u32, u32)>> = vec![Vec::new(); member_count];
    for &s in streams {
        let range = model.range_of(s);
        for g in range.clone() {
            let m = claims.holder[g];
            if m != NONE && !claims.multiple[g] {
                owned_before[m as usize].push(((g - range.start) as u32, s));
            }
        }
    }
    let mut counts = vec![0usize; member_count];
    let mut under_min: Vec<u32> = Vec::new();
    let mut at_min: Vec<u32> = Vec::new();
    for &m in order {
        let owned = &mut owned_before[m as usize];
        if streams.len() > 1 {
            crate::sort::sort(owned);
        }
        let keep = if owned.len() < min_quota {
            under_min.push(m);
            owned.len()
        } else if owned.len() >= max_quota && over_min < expected_over_min {
            over_min += 1;
            if over_min == expected_over_min {
                at_min.clear();
            }
            max_quota
        } else {
            if over_min < expected_over_min {
                at_min.push(m);
            }
            min_quota
        };
        for &(p, s) in &owned[..keep] {
            owner[model.offsets[s as usize] + p as usize] = m;
        }
        counts[m as usize] = keep;
    }

    // Kafka's `assignRoundRobin`: the unowned partitions in (stream, partition) order, dealt in
    // rounds over the members below the minimum quota (sorted by id, each leaving the rounds
    // when it reaches the minimum), then one each to the members at the minimum in the order
    // they reached it (sorted by id for those that kept exactly the minimum).
    crate::sort::sort(&mut under_min);
    crate::sort::sort(&mut at_min);
    let mut at_min: VecDeque<u32> = at_min.into();
    let mut round = under_min;
    let mut next_round: Vec<u32> = Vec::new();
    let mut turn = 0usize;
    for &s in streams {
        for g in model.range_of(s) {
            if owner[g] != NONE {
                continue;
            }
            if turn == round.len() && !next_round.is_empty() {
                round = core::mem::take(&mut next_round);
                turn = 0;
            }
            let m = if turn < round.len() {
                let m = round[turn];
                turn += 1;
                counts[m as usize] += 1;
                if counts[m as usize] == min_quota {
                    at_min.push_back(m);
                } else {
                    next_round.push(m);
                }
                m
            } else if let Some(m) = at_min.pop_front() {
                counts[m as usize] += 1;
                m
            } else {
                // Kafka throws here; the quotas make it unreachable.
                debug_assert!(false, "no unfilled member left");
                let m = (0..member_count as u32)
                    .min_by_key(|&m| counts[m as usize])
                    .expect("members");
                counts[m as usize] += 1;
                m
            };
            owner[g] = m;
        }
    }
    owner
}
