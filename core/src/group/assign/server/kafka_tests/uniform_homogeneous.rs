//! Kafka's `OptimizedUniformAssignmentBuilderTest`: the uniform assignor's homogeneous
//! builder (every member subscribes to the same topics).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::*;

const T1: &str = "topic1";
const T2: &str = "topic2";
const T3: &str = "topic3";

/// Runs the homogeneous builder, as Kafka's tests do with a `HOMOGENEOUS` group spec, after
/// checking that the subscription type is indeed homogeneous.
fn assign(input: &AssignInput) -> Assignment {
    let assignment = uniform::assign_as(input, true);
    assert_eq!(uniform::assign(input), assignment);
    assignment
}

// OptimizedUniformAssignmentBuilderTest.testOneMemberNoTopicSubscription
#[test]
fn one_member_no_topic_subscription() {
    let input = member(AssignInput::new().with_stream(T1, 3), "A", &[], &[]);
    assert_all_empty(&assign(&input), 1);
}

// OptimizedUniformAssignmentBuilderTest.testOneMemberSubscribedToNonexistentTopic: Kafka
// throws a PartitionAssignorException; here the subscription is ignored.
#[test]
fn one_member_subscribed_to_nonexistent_topic() {
    let input = member(AssignInput::new().with_stream(T1, 3), "A", &[T2], &[]);
    assert_all_empty(&assign(&input), 1);
}

// OptimizedUniformAssignmentBuilderTest.testFirstAssignmentTwoMembersTwoTopicsNoMemberRacks.
// Kafka expects A: topic1-0, topic3-0/1 and B: topic1-1/2, its HashSet of topic ids listing
// topic3's free partitions first. In name order topic1's come first: A (first in member order,
// so with the larger quota of 3) takes all of topic1. Both are balanced, 3 and 2.
#[test]
fn first_assignment_two_members_two_topics_no_member_racks() {
    let input = AssignInput::new().with_stream(T1, 3).with_stream(T3, 2);
    let input = member(input, "A", &[T1, T3], &[]);
    let input = member(input, "B", &[T1, T3], &[]);
    let assignment = assign(&input);
    check_validity_and_balance(&input, &assignment);
    assert_eq!(assignment.get("A").unwrap().len(), 3);
    assert_assignment(
        &assignment,
        &[("A", &[(T1, &[0, 1, 2])]), ("B", &[(T3, &[0, 1])])],
    );
}

// OptimizedUniformAssignmentBuilderTest.testFirstAssignmentNumMembersGreaterThanTotalNumPartitions
#[test]
fn first_assignment_num_members_greater_than_total_num_partitions() {
    let input = AssignInput::new().with_stream(T3, 2);
    let input = member(input, "A", &[T3], &[]);
    let input = member(input, "B", &[T3], &[]);
    let input = member(input, "C", &[T3], &[]);
    let assignment = assign(&input);
    assert_assignment(
        &assignment,
        &[("A", &[(T3, &[0])]), ("B", &[(T3, &[1])]), ("C", &[])],
    );
    check_validity_and_balance(&input, &assignment);
}

// OptimizedUniformAssignmentBuilderTest.testValidityAndBalanceForLargeSampleSet
#[test]
fn validity_and_balance_for_large_sample_set() {
    let topics: Vec<String> = (1..100).map(|i| format!("topic-{i}")).collect();
    let mut input = AssignInput::new();
    for topic in &topics {
        input = input.with_stream(topic.as_str(), 3);
    }
    for i in 1..50 {
        input = input.with_member(format!("member{i}"), topics.iter().cloned());
    }
    let assignment = assign(&input);
    check_validity_and_balance(&input, &assignment);
    assert_eq!(assignment.assigned_count(), 297);
}

// OptimizedUniformAssignmentBuilderTest.testReassignmentForTwoMembersTwoTopicsGivenUnbalancedPrevAssignment
#[test]
fn reassignment_for_two_members_two_topics_given_unbalanced_prev_assignment() {
    let input = AssignInput::new().with_stream(T1, 3).with_stream(T2, 3);
    let input = member(input, "A", &[T1, T2], &[(T1, &[0, 1]), (T2, &[0, 1])]);
    let input = member(input, "B", &[T1, T2], &[(T1, &[2]), (T2, &[2])]);
    let assignment = assign(&input);
    assert_assignment(
        &assignment,
        &[
            ("A", &[(T1, &[0, 1]), (T2, &[0])]),
            ("B", &[(T1, &[2]), (T2, &[1, 2])]),
        ],
    );
    check_validity_and_balance(&input, &assignment);
}

// OptimizedUniformAssignmentBuilderTest.testReassignmentWhenPartitionsAreAddedForTwoMembersTwoTopics.
// Kafka expects A: topic1-0/2/3, topic2-0/3/4 and B: topic1-1/4/5, topic2-1/2 (topic2's new
// partitions listed first by its HashSet). In name order A, below its quota of 6 by 3, takes
// topic1's three new partitions and B topic2's two. Either way both keep all they had and
// the counts are 6 and 5.
#[test]
fn reassignment_when_partitions_are_added_for_two_members_two_topics() {
    let input = AssignInput::new().with_stream(T1, 6).with_stream(T2, 5);
    let input = member(input, "A", &[T1, T2], &[(T1, &[0, 2]), (T2, &[0])]);
    let input = member(input, "B", &[T1, T2], &[(T1, &[1]), (T2, &[1, 2])]);
    let assignment = assign(&input);
    check_validity_and_balance(&input, &assignment);
    assert_assignment(
        &assignment,
        &[
            ("A", &[(T1, &[0, 2, 3, 4, 5]), (T2, &[0])]),
            ("B", &[(T1, &[1]), (T2, &[1, 2, 3, 4])]),
        ],
    );
}

// OptimizedUniformAssignmentBuilderTest.testReassignmentWhenOneMemberAddedAfterInitialAssignmentWithTwoMembersTwoTopics
#[test]
fn reassignment_when_one_member_added_after_initial_assignment_with_two_members_two_topics() {
    let input = AssignInput::new().with_stream(T1, 3).with_stream(T2, 3);
    let input = member(input, "A", &[T1, T2], &[(T1, &[0, 2]), (T2, &[0])]);
    let input = member(input, "B", &[T1, T2], &[(T1, &[1]), (T2, &[1, 2])]);
    let input = member(input, "C", &[T1, T2], &[]);
    let assignment = assign(&input);
    assert_assignment(
        &assignment,
        &[
            ("A", &[(T1, &[0, 2])]),
            ("B", &[(T1, &[1]), (T2, &[1])]),
            ("C", &[(T2, &[0, 2])]),
        ],
    );
    check_validity_and_balance(&input, &assignment);
}

// OptimizedUniformAssignmentBuilderTest.testReassignmentWhenOneMemberRemovedAfterInitialAssignmentWithThreeMembersTwoTopics.
// Kafka expects A: topic1-0, topic2-0/2 and B: topic1-1/2, topic2-1 (its HashSet lists
// topic2-2 before topic1-2). In name order A gets topic1-2 and B topic2-2. Either way both
// keep their two partitions and get one of the two that C left.
#[test]
fn reassignment_when_one_member_removed_after_initial_assignment_with_three_members_two_topics() {
    let input = AssignInput::new().with_stream(T1, 3).with_stream(T2, 3);
    let input = member(input, "A", &[T1, T2], &[(T1, &[0]), (T2, &[0])]);
    let input = member(input, "B", &[T1, T2], &[(T1, &[1]), (T2, &[1])]);
    let assignment = assign(&input);
    check_validity_and_balance(&input, &assignment);
    assert_assignment(
        &assignment,
        &[
            ("A", &[(T1, &[0, 2]), (T2, &[0])]),
            ("B", &[(T1, &[1]), (T2, &[1, 2])]),
        ],
    );
}

// OptimizedUniformAssignmentBuilderTest.testReassignmentWhenOneSubscriptionRemovedAfterInitialAssignmentWithTwoMembersTwoTopics
#[test]
fn reassignment_when_one_subscription_removed_after_initial_assignment_with_two_members_two_topics()
{
    let input = AssignInput::new().with_stream(T1, 2).with_stream(T2, 2);
    let input = member(input, "A", &[T2], &[(T1, &[0]), (T2, &[0])]);
    let input = member(input, "B", &[T2], &[(T1, &[1]), (T2, &[1])]);
    let assignment = assign(&input);
    assert_assignment(&assignment, &[("A", &[(T2, &[0])]), ("B", &[(T2, &[1])])]);
    check_validity_and_balance(&input, &assignment);
}
