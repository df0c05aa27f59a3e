//! Kafka's own assignor tests, ported: every case of `StickyAssignorTest`,
//! `CooperativeStickyAssignorTest`, `AbstractStickyAssignorTest`, `RangeAssignorTest` and
//! `RoundRobinAssignorTest` (package `org.apache.kafka.clients.consumer[.internals]`) whose
//! expected result can be read off the test: exact assignments where Kafka asserts them, the
//! asserted properties otherwise. Each test names its Kafka class and method. Rack-aware
//! variants, (de)serialization of user data and timing tests have no counterpart here.
//!
//! Kafka's tests name members `consumer1`…`consumer4`; their Java `HashMap` order (see
//! [`Model::java_hash_order`]) is `consumer4, consumer3, consumer2, consumer1`, which decides,
//! for example, who keeps the extra partition in
//! `testMaxQuotaConsumerMoreThanNumExpectedMaxCapacityMembers`.
//!
//! One file per Kafka test class, sharing the helpers below (Kafka's own helper names):
//! `AbstractStickyAssignorTest` in [`abstract_sticky_balance`] (balance and quotas as members
//! and topics come and go), [`abstract_sticky_reassignment`] (stickiness through
//! reassignments, randomized subscriptions, deleted topics) and
//! [`abstract_sticky_generations`] (previous ownership claimed by several generations);
//! `StickyAssignorTest` in [`sticky_assignor`]; `CooperativeStickyAssignorTest` in
//! [`cooperative_sticky_assignor`]; `RangeAssignorTest` and `RoundRobinAssignorTest` in
//! [`range_round_robin`].

use alloc::collections::BTreeSet;
use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use super::*;

mod abstract_sticky_balance;
mod abstract_sticky_generations;
mod abstract_sticky_reassignment;
mod cooperative_sticky_assignor;
mod range_round_robin;
mod sticky_assignor;

const C1: &str = "consumer1";
const C2: &str = "consumer2";
const C3: &str = "consumer3";
const C4: &str = "consumer4";

fn tp(stream: &str, partition: u32) -> TopicPartition {
    TopicPartition::new(stream, partition)
}

fn set(tps: &[TopicPartition]) -> BTreeSet<TopicPartition> {
    tps.iter().cloned().collect()
}

/// Kafka's `buildSubscriptionV2Above(topics, partitions, generation, _)`.
fn sub(
    input: AssignInput,
    member: &str,
    topics: &[&str],
    owned: &[TopicPartition],
    generation: i32,
) -> AssignInput {
    input
        .with_member(member, topics.iter().copied())
        .with_previous_generation(member, generation, owned.iter().cloned())
}

/// The partitions `member` gets, or a panic naming it.
fn of<'a>(a: &'a Assignment, member: &str) -> &'a [TopicPartition] {
    a.get(member)
        .unwrap_or_else(|| panic!("{member} is not a member"))
}

/// Kafka's `verifyValidityAndBalance`: every partition is owned by a subscriber and by one
/// member only; of two members whose counts differ by more than one, no stream has partitions
/// with both. Added here: every partition of a subscribed stream is owned.
fn verify_validity_and_balance(input: &AssignInput, a: &Assignment) {
    let subscribes =
        |m: &MemberId, stream: &str| input.subscriptions[m].iter().any(|s| s == stream);
    let mut owners = BTreeMap::new();
    for (m, tps) in a.iter() {
        for tp in tps {
            assert!(subscribes(m, &tp.stream), "{m} owns {tp} unsubscribed");
            assert!(owners.insert(tp.clone(), m.clone()).is_none(), "{tp} twice");
        }
    }
    for (stream, &n) in &input.partitions {
        if input.subscriptions.keys().any(|m| subscribes(m, stream)) {
            for p in 0..n {
                assert!(owners.contains_key(&tp(stream, p)), "{stream}-{p} unowned");
            }
        }
    }
    let streams = |tps: &[TopicPartition]| -> BTreeSet<String> {
        tps.iter().map(|tp| tp.stream.clone()).collect()
    };
    for (m, tps) in a.iter() {
        for (other, other_tps) in a.iter() {
            if tps.len() > other_tps.len() + 1 {
                let shared: Vec<String> = streams(tps)
                    .intersection(&streams(other_tps))
                    .cloned()
                    .collect();
                assert!(
                    shared.is_empty(),
                    "{shared:?} could move from {m} to {other}:\n{a}"
                );
            }
        }
    }
}

/// Kafka's `isFullyBalanced`: member sizes differ by at most one.
fn is_fully_balanced(a: &Assignment) -> bool {
    let sizes: Vec<usize> = a.iter().map(|(_, tps)| tps.len()).collect();
    sizes.iter().max().unwrap_or(&0) - sizes.iter().min().unwrap_or(&0) <= 1
}

/// The partitions the cooperative plan withholds from the first assignment (Kafka's
/// `partitionsTransferringOwnership`), as (partition, receiver) pairs.
fn transferring(plan: &CooperativePlan) -> BTreeSet<(TopicPartition, String)> {
    let mut out = BTreeSet::new();
    for (m, tps) in plan.target.iter() {
        let first = set(of(&plan.first, m.as_str()));
        for tp in tps {
            if !first.contains(tp) {
                out.insert((tp.clone(), m.0.clone()));
            }
        }
    }
    out
}

fn moves(list: &[(TopicPartition, &str)]) -> BTreeSet<(TopicPartition, String)> {
    list.iter()
        .map(|(tp, m)| (tp.clone(), String::from(*m)))
        .collect()
}

/// `CooperativeStickyAssignorTest.verifyValidityAndBalance`: follow-up rebalances (each member
/// owning its first assignment) until nothing is revoked; no partition is ever added to one
/// member while revoked from another; returns the final assignment.
fn cooperative_rounds(input: &AssignInput) -> Assignment {
    let mut input = input.clone();
    for _ in 0..5 {
        let plan = cooperative_sticky::plan(&input);
        let mut added = BTreeSet::new();
        let mut revoked = BTreeSet::new();
        for (m, first) in plan.first.iter() {
            let owned = input.previous.get(m).cloned().unwrap_or_default();
            for tp in first {
                if !owned.contains(tp) {
                    added.insert(tp.clone());
                }
            }
            for tp in owned {
                if !first.contains(&tp) {
                    revoked.insert(tp);
                }
            }
        }
        assert!(added.is_disjoint(&revoked), "added and revoked: {added:?}");
        if revoked.is_empty() {
            verify_validity_and_balance(&input, &plan.first);
            return plan.first;
        }
        let mut next = input.clone();
        next.previous = plan.first.as_map().clone();
        next.generations.clear();
        input = next;
    }
    panic!("more than 4 follow-up rebalances");
}

/// Runs Kafka's `verifyValidityAndBalance` on the sticky assignment and, as
/// `CooperativeStickyAssignorTest` does, on the end of the cooperative follow-up rounds; the
/// cooperative target must be the sticky assignment.
fn verify_both(input: &AssignInput) -> Assignment {
    let a = sticky::assign(input);
    verify_validity_and_balance(input, &a);
    assert_eq!(cooperative_sticky::plan(input).target, a);
    cooperative_rounds(input);
    a
}

fn two_topics(p1: u32, p2: u32) -> AssignInput {
    AssignInput::new()
        .with_stream("topic1", p1)
        .with_stream("topic2", p2)
}

const T12: [&str; 2] = ["topic1", "topic2"];
