//! Property tests of the assignors against their invariants and against naive reference
//! implementations written straight from Kafka's rules.

#![allow(missing_docs)]

use std::collections::{BTreeMap, BTreeSet};

use brokerlab::assign::{
    AssignInput, Assignment, Assignor, MemberId, TopicPartition, cooperative_sticky, range,
    round_robin, sticky,
};
use proptest::prelude::*;

const STREAMS: [&str; 4] = ["t0", "t1", "t2", "t3"];

/// Up to 8 members named from c0..c15 (so that "c10" < "c2" matters), up to 4 streams of up
/// to 9 partitions; identical or differing subscriptions.
fn group(identical: bool) -> impl Strategy<Value = AssignInput> {
    (
        prop::collection::btree_set(0u8..16, 0..8),
        prop::collection::vec(0u32..10, 4),
        prop::collection::vec(prop::collection::btree_set(0usize..4, 0..=4), 8),
    )
        .prop_map(move |(ids, counts, subs)| {
            let mut input = AssignInput::new();
            for (name, count) in STREAMS.iter().zip(counts) {
                input = input.with_stream(*name, count);
            }
            for (i, id) in ids.into_iter().enumerate() {
                let chosen = if identical { &subs[0] } else { &subs[i] };
                input = input.with_member(format!("c{id}"), chosen.iter().map(|&s| STREAMS[s]));
            }
            input
        })
}

/// A previous assignment of random claims: from members that may or may not exist, to
/// partitions that may or may not exist, some claimed twice.
fn random_previous() -> impl Strategy<Value = BTreeMap<MemberId, Vec<TopicPartition>>> {
    prop::collection::btree_map(
        (0u8..18).prop_map(|id| MemberId::new(format!("c{id}"))),
        prop::collection::vec(
            (0usize..5, 0u32..11)
                .prop_map(|(s, p)| TopicPartition::new(if s < 4 { STREAMS[s] } else { "gone" }, p)),
            0..8,
        ),
        0..8,
    )
}

fn subscribed(input: &AssignInput, member: &MemberId, stream: &str) -> bool {
    input.subscriptions[member].iter().any(|s| s == stream)
}

fn all_partitions(input: &AssignInput) -> Vec<TopicPartition> {
    input
        .partitions
        .iter()
        .flat_map(|(s, &n)| (0..n).map(move |p| TopicPartition::new(s.as_str(), p)))
        .collect()
}

/// Each partition has at most one owner, a subscriber of its stream; a partition whose stream
/// has a subscriber has exactly one; every member is listed, with a sorted list.
fn check_ownership(input: &AssignInput, a: &Assignment) -> Result<(), TestCaseError> {
    let members: Vec<&MemberId> = a.iter().map(|(m, _)| m).collect();
    let expected: Vec<&MemberId> = input.subscriptions.keys().collect();
    prop_assert_eq!(members, expected);
    let mut owner: BTreeMap<&TopicPartition, &MemberId> = BTreeMap::new();
    for (m, tps) in a.iter() {
        prop_assert!(tps.windows(2).all(|w| w[0] < w[1]), "sorted: {:?}", tps);
        for tp in tps {
            prop_assert!(
                subscribed(input, m, &tp.stream),
                "{} not subscribed to {}",
                m,
                tp
            );
            prop_assert!(owner.insert(tp, m).is_none(), "{} owned twice", tp);
        }
    }
    for tp in all_partitions(input) {
        let has_subscriber = input
            .subscriptions
            .keys()
            .any(|m| subscribed(input, m, &tp.stream));
        prop_assert_eq!(owner.contains_key(&tp), has_subscriber, "{}", tp);
    }
    prop_assert_eq!(owner.len(), a.assigned_count());
    Ok(())
}

fn counts(a: &Assignment) -> Vec<usize> {
    a.iter().map(|(_, tps)| tps.len()).collect()
}

fn spread(counts: &[usize]) -> usize {
    counts.iter().max().unwrap_or(&0) - counts.iter().min().unwrap_or(&0)
}

/// Kafka's `RangeAssignor` loop, literally.
fn range_reference(input: &AssignInput) -> BTreeMap<MemberId, BTreeSet<TopicPartition>> {
    let mut out: BTreeMap<MemberId, BTreeSet<TopicPartition>> = input
        .subscriptions
        .keys()
        .map(|m| (m.clone(), BTreeSet::new()))
        .collect();
    for (stream, &n) in &input.partitions {
        let consumers: Vec<&MemberId> = input
            .subscriptions
            .keys()
            .filter(|m| subscribed(input, m, stream))
            .collect();
        let c = consumers.len() as u32;
        if c == 0 {
            continue;
        }
        for (i, m) in consumers.into_iter().enumerate() {
            let i = i as u32;
            let start = n / c * i + i.min(n % c);
            let len = n / c + u32::from(i < n % c);
            for p in start..start + len {
                out.get_mut(m)
                    .unwrap()
                    .insert(TopicPartition::new(stream.as_str(), p));
            }
        }
    }
    out
}

/// Kafka's `RoundRobinAssignor` loop, literally: a circular iterator over the sorted members
/// that skips members not subscribed to the partition's topic.
fn round_robin_reference(input: &AssignInput) -> BTreeMap<MemberId, BTreeSet<TopicPartition>> {
    let members: Vec<&MemberId> = input.subscriptions.keys().collect();
    let mut out: BTreeMap<MemberId, BTreeSet<TopicPartition>> = members
        .iter()
        .map(|m| ((*m).clone(), BTreeSet::new()))
        .collect();
    let mut turn = 0;
    for tp in all_partitions(input) {
        if !members.iter().any(|m| subscribed(input, m, &tp.stream)) {
            continue;
        }
        while !subscribed(input, members[turn], &tp.stream) {
            turn = (turn + 1) % members.len();
        }
        out.get_mut(members[turn]).unwrap().insert(tp);
        turn = (turn + 1) % members.len();
    }
    out
}

fn as_sets(a: &Assignment) -> BTreeMap<MemberId, BTreeSet<TopicPartition>> {
    a.iter()
        .map(|(m, tps)| (m.clone(), tps.iter().cloned().collect()))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 512,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn every_assignor_gives_each_partition_one_subscribed_owner(
        input in prop_oneof![group(true), group(false)],
        previous in random_previous(),
    ) {
        let input = AssignInput { previous, ..input };
        for assignor in Assignor::ALL {
            let a = assignor.assign(&input);
            check_ownership(&input, &a)?;
            // Deterministic: the same input gives the same output.
            prop_assert_eq!(&a, &assignor.assign(&input.clone()));
        }
    }

    #[test]
    fn range_and_round_robin_match_kafkas_loops(input in prop_oneof![group(true), group(false)]) {
        prop_assert_eq!(as_sets(&range::assign(&input)), range_reference(&input));
        prop_assert_eq!(as_sets(&round_robin::assign(&input)), round_robin_reference(&input));
    }

    #[test]
    fn identical_subscriptions_are_balanced(
        input in group(true),
        previous in random_previous(),
    ) {
        let input = AssignInput { previous, ..input };
        prop_assert!(spread(&counts(&round_robin::assign(&input))) <= 1);
        prop_assert!(spread(&counts(&sticky::assign(&input))) <= 1);
        prop_assert!(spread(&counts(&cooperative_sticky::plan(&input).target)) <= 1);
        // Range is balanced per stream.
        let a = range::assign(&input);
        for stream in input.partitions.keys() {
            let per_stream: Vec<usize> = a
                .iter()
                .filter(|(m, _)| subscribed(&input, m, stream))
                .map(|(_, tps)| tps.iter().filter(|tp| &tp.stream == stream).count())
                .collect();
            prop_assert!(spread(&per_stream) <= 1, "{}: {:?}", stream, per_stream);
        }
    }

    #[test]
    fn sticky_with_differing_subscriptions_leaves_no_improving_move(
        input in group(false),
        previous in random_previous(),
    ) {
        let input = AssignInput { previous, ..input };
        let a = sticky::assign(&input);
        let count: BTreeMap<&MemberId, usize> = a.iter().map(|(m, tps)| (m, tps.len())).collect();
        for (from, tps) in a.iter() {
            for tp in tps {
                for (to, _) in a.iter() {
                    if subscribed(&input, to, &tp.stream) {
                        prop_assert!(
                            count[from] <= count[to] + 1,
                            "{} ({}) could move from {} ({}) to {}", tp, count[from], from, count[to], to
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn sticky_moves_only_the_partitions_of_a_member_that_leaves(
        input in group(true),
        previous in random_previous(),
        leaver in any::<prop::sample::Index>(),
    ) {
        prop_assume!(!input.subscriptions.is_empty());
        // A generation from arbitrary history, then one member leaves.
        let before = sticky::assign(&AssignInput { previous, ..input.clone() });
        let leaver = before.iter().nth(leaver.index(before.len())).unwrap().0.clone();
        let next = input.with_previous(&before).without_member(leaver.as_str());
        let after = sticky::assign(&next);
        let owners_before = before.owners();
        for (tp, owner) in after.owners() {
            let was = owners_before[tp];
            prop_assert!(was == owner || *was == leaver, "{} moved from {} to {}", tp, was, owner);
        }
        prop_assert!(spread(&counts(&after)) <= 1);
    }

    #[test]
    fn sticky_keeps_a_stable_group_unchanged(input in prop_oneof![group(true), group(false)]) {
        let first = sticky::assign(&input);
        let again = sticky::assign(&input.clone().with_previous(&first));
        prop_assert_eq!(&first, &again);
        let plan = cooperative_sticky::plan(&input.with_previous(&first));
        prop_assert!(plan.revoked.is_empty());
        prop_assert!(!plan.needs_second_assignment());
    }

    #[test]
    fn cooperative_plan_never_gives_a_partition_two_holders(
        input in prop_oneof![group(true), group(false)],
        previous in random_previous(),
    ) {
        let input = AssignInput { previous, ..input };
        let plan = cooperative_sticky::plan(&input);
        prop_assert_eq!(&plan.target, &sticky::assign(&input));
        let live_claims: BTreeMap<&MemberId, BTreeSet<&TopicPartition>> = input
            .previous
            .iter()
            .filter(|(m, _)| input.subscriptions.contains_key(*m))
            .map(|(m, tps)| (m, tps.iter().collect()))
            .collect();
        let empty = BTreeSet::new();
        let mut holders: BTreeMap<&TopicPartition, BTreeSet<&MemberId>> = BTreeMap::new();
        for (m, first) in plan.first.iter() {
            let claims = live_claims.get(m).unwrap_or(&empty);
            let revoked: BTreeSet<&TopicPartition> =
                plan.revoked.get(m).map(|r| r.iter().collect()).unwrap_or_default();
            let target: BTreeSet<&TopicPartition> = plan.target.get(m.as_str()).unwrap().iter().collect();
            for tp in first {
                // first ⊆ target, first ∩ revoked = ∅.
                prop_assert!(target.contains(tp));
                prop_assert!(!revoked.contains(tp));
                // first ⊆ previous, except for partitions no live member held.
                if !claims.contains(tp) {
                    prop_assert!(live_claims.values().all(|c| !c.contains(tp)), "{} held elsewhere", tp);
                }
                holders.entry(tp).or_default().insert(m);
            }
            // revoked ⊆ previous; what is not revoked is still held during the rebalance.
            prop_assert!(revoked.iter().all(|tp| claims.contains(tp)));
            for tp in claims.difference(&revoked) {
                holders.entry(tp).or_default().insert(m);
            }
        }
        for (tp, h) in holders {
            prop_assert!(h.len() <= 1, "{} held by {:?} during the rebalance", tp, h);
        }
    }

    /// Generation-aware claims (Kafka's `allSubscriptionsEqual`): with claims from random
    /// generations the result stays valid and balanced, and a partition whose claimers all
    /// have different generations goes to the newest claimer when that member claims no more
    /// than the minimum quota (so it keeps all its claims).
    #[test]
    fn sticky_keeps_the_newest_claim(
        input in group(true),
        previous in random_previous(),
        generations in prop::collection::vec(prop::option::of(-1i32..4), 18),
    ) {
        let mut input = AssignInput { previous, ..input };
        for (id, generation) in generations.iter().enumerate() {
            if let Some(g) = generation {
                input.generations.insert(MemberId::new(format!("c{id}")), *g);
            }
        }
        let a = sticky::assign(&input);
        check_ownership(&input, &a)?;
        prop_assert!(spread(&counts(&a)) <= 1);
        prop_assert_eq!(&cooperative_sticky::plan(&input).target, &a);
        let members = input.subscriptions.len();
        if members == 0 {
            return Ok(());
        }
        let assignable: usize = all_partitions(&input)
            .iter()
            .filter(|tp| input.subscriptions.keys().any(|m| subscribed(&input, m, &tp.stream)))
            .count();
        let min_quota = assignable / members;
        let exists = |tp: &TopicPartition| {
            input.partitions.get(&tp.stream).is_some_and(|&n| tp.partition.0 < n)
                && input.subscriptions.keys().any(|m| subscribed(&input, m, &tp.stream))
        };
        // Valid claims of live members, deduplicated.
        let claims: BTreeMap<&MemberId, BTreeSet<&TopicPartition>> = input
            .previous
            .iter()
            .filter(|(m, _)| input.subscriptions.contains_key(*m))
            .map(|(m, tps)| (m, tps.iter().filter(|tp| exists(tp)).collect()))
            .collect();
        let owners = a.owners();
        for tp in all_partitions(&input).iter().filter(|tp| exists(tp)) {
            let mut claimers: Vec<(i32, &MemberId)> = claims
                .iter()
                .filter(|(_, c)| c.contains(tp))
                .map(|(m, _)| (input.generation_of(m.as_str()), *m))
                .collect();
            claimers.sort();
            let distinct = claimers.windows(2).all(|w| w[0].0 != w[1].0);
            if let Some(&(_, newest)) = claimers.last()
                && distinct
                && claims[newest].len() <= min_quota
            {
                prop_assert_eq!(owners[tp], newest, "{} claimed by {:?}", tp, claimers);
            }
        }
    }

    /// Range and round-robin order static members first, by instance id (Kafka's
    /// `MemberInfo`): the result is the one for members renamed so that id order is that
    /// order.
    #[test]
    fn static_members_order_range_and_round_robin(
        input in prop_oneof![group(true), group(false)],
        statics in prop::collection::vec(prop::option::of(0u8..20), 16),
    ) {
        let mut with_static = input.clone();
        let mut renamed = AssignInput { partitions: input.partitions.clone(), ..AssignInput::new() };
        let mut rename = BTreeMap::new();
        for (m, streams) in &input.subscriptions {
            let n: usize = m.as_str()[1..].parse().unwrap();
            // Instance ids are unique in a group: make them so with the member number.
            let key = match statics[n] {
                Some(i) => {
                    let instance = format!("i{i:02}-{n:02}");
                    with_static.instance_ids.insert(m.clone(), instance.clone());
                    format!("0{instance}")
                }
                None => format!("1{}", m.as_str()),
            };
            renamed.subscriptions.insert(MemberId::new(key.clone()), streams.clone());
            rename.insert(key, m.clone());
        }
        for assignor in [Assignor::Range, Assignor::RoundRobin] {
            let expected: BTreeMap<MemberId, Vec<TopicPartition>> = assignor
                .assign(&renamed)
                .into_map()
                .into_iter()
                .map(|(k, tps)| (rename[k.as_str()].clone(), tps))
                .collect();
            let got = assignor.assign(&with_static).into_map();
            prop_assert_eq!(got, expected);
        }
    }

    #[test]
    fn cooperative_first_step_is_within_previous_when_a_member_joins(
        input in group(true),
        joiner in 16u8..20,
    ) {
        // Every partition has a live owner before the join, so the first assignment only
        // keeps partitions: first ⊆ previous.
        prop_assume!(!input.subscriptions.is_empty());
        let mut input = input;
        for streams in input.subscriptions.values_mut() {
            *streams = STREAMS.iter().map(|s| s.to_string()).collect();
        }
        let before = sticky::assign(&input);
        let joined = input.with_previous(&before).with_member(format!("c{joiner}"), STREAMS);
        let plan = cooperative_sticky::plan(&joined);
        for (m, first) in plan.first.iter() {
            let previous = before.get(m.as_str()).unwrap_or(&[]);
            prop_assert!(first.iter().all(|tp| previous.contains(tp)));
        }
    }
}
