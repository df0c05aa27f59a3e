//! Kafka's server-side assignor tests, ported (package
//! `org.apache.kafka.coordinator.group.assignor` of Kafka's `group-coordinator`):
//! `OptimizedUniformAssignmentBuilderTest` in [`uniform_homogeneous`],
//! `UniformHeterogeneousAssignmentBuilderTest` in [`uniform_heterogeneous`] and
//! `RangeAssignorTest` in [`range`]. Each test is named after the Kafka method it ports (in
//! snake case, without `test`) and cites it in a comment.
//!
//! Kafka's tests build the `GroupSpec` with members in a `TreeMap` (or, for the heterogeneous
//! builder, a spec that returns them sorted), so member order is id order there as here, and
//! the heterogeneous tests' topic ids sort as their names do (`T1-…` < `T2-…` < `T3-…` <
//! `T4-…`). The homogeneous tests' topic order, though, is a `HashSet` of topic ids: where
//! that decides the result, the test checks the rule (balance, validity, what each member
//! keeps) and our exact result in name order, and says what Kafka expected. Kafka's tests
//! that expect a `PartitionAssignorException` for a subscription to a topic without metadata
//! check here that the subscription is ignored.

use alloc::collections::BTreeSet;
use alloc::vec::Vec;

use super::super::{AssignInput, Assignment, TopicPartition};
use super::uniform;

mod range;
mod uniform_heterogeneous;
mod uniform_homogeneous;

/// Partitions by topic, as Kafka's `mkAssignment(mkTopicAssignment(topic, partitions…), …)`.
type Parts<'a> = &'a [(&'a str, &'a [u32])];

/// The partitions of `parts`, sorted as an [`Assignment`] lists them.
fn parts(parts: Parts<'_>) -> Vec<TopicPartition> {
    let set: BTreeSet<TopicPartition> = parts
        .iter()
        .flat_map(|&(topic, ps)| ps.iter().map(move |&p| TopicPartition::new(topic, p)))
        .collect();
    set.into_iter().collect()
}

/// Adds member `id` subscribed to `topics` with its current target assignment `current`
/// (Kafka's `MemberSubscriptionAndAssignmentImpl`).
fn member(input: AssignInput, id: &str, topics: &[&str], current: Parts<'_>) -> AssignInput {
    input
        .with_member(id, topics.iter().copied())
        .with_owned(id, parts(current))
}

/// Kafka's `assertAssignment`: exactly these members, each with exactly these partitions.
fn assert_assignment(assignment: &Assignment, expected: &[(&str, Parts<'_>)]) {
    assert_eq!(assignment.len(), expected.len(), "{assignment}");
    for &(id, ps) in expected {
        assert_eq!(
            assignment.get(id),
            Some(parts(ps).as_slice()),
            "{id}: {assignment}"
        );
    }
}

/// Kafka's `checkValidityAndBalance`: members own partitions of subscribed topics only, no
/// partition twice, and any two members' counts differ by one at most.
fn check_validity_and_balance(input: &AssignInput, assignment: &Assignment) {
    let mut seen = BTreeSet::new();
    for (id, tps) in assignment.iter() {
        let subscribed = &input.subscriptions[id];
        for tp in tps {
            assert!(subscribed.contains(&tp.stream), "{id} owns {tp}");
            assert!(seen.insert(tp), "{tp} assigned twice");
        }
    }
    let sizes: Vec<usize> = assignment.iter().map(|(_, tps)| tps.len()).collect();
    let (min, max) = (sizes.iter().min(), sizes.iter().max());
    assert!(max.unwrap_or(&0) - min.unwrap_or(&0) <= 1, "{assignment}");
}

/// Every member with no partitions (Kafka returns an empty `GroupAssignment`).
fn assert_all_empty(assignment: &Assignment, members: usize) {
    assert_eq!(assignment.len(), members);
    assert_eq!(assignment.assigned_count(), 0, "{assignment}");
}
