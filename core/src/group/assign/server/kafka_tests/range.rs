//! Kafka's group-coordinator `RangeAssignorTest`. Kafka's topic ids are random there, and the
//! range assignor's result does not depend on their order, so every expectation is Kafka's.

use super::super::ServerAssignor;
use super::*;

const T1: &str = "topic1";
const T2: &str = "topic2";
const T3: &str = "topic3";

fn assign(input: &AssignInput) -> Assignment {
    ServerAssignor::Range.assign(input)
}

// RangeAssignorTest.testOneMemberNoTopic
#[test]
fn one_member_no_topic() {
    let input = member(AssignInput::new().with_stream(T1, 3), "A", &[], &[]);
    assert_assignment(&assign(&input), &[("A", &[])]);
}

// RangeAssignorTest.testOneMemberSubscribedToNonExistentTopic: Kafka throws a
// PartitionAssignorException; here the subscription is ignored.
#[test]
fn one_member_subscribed_to_non_existent_topic() {
    let input = member(AssignInput::new().with_stream(T1, 3), "A", &[T2], &[]);
    assert_assignment(&assign(&input), &[("A", &[])]);
}

// RangeAssignorTest.testFirstAssignmentTwoMembersTwoTopicsSameSubscriptions
#[test]
fn first_assignment_two_members_two_topics_same_subscriptions() {
    let input = AssignInput::new().with_stream(T1, 3).with_stream(T3, 2);
    let input = member(input, "A", &[T1, T3], &[]);
    let input = member(input, "B", &[T1, T3], &[]);
    assert_assignment(
        &assign(&input),
        &[
            ("A", &[(T1, &[0, 1]), (T3, &[0])]),
            ("B", &[(T1, &[2]), (T3, &[1])]),
        ],
    );
}

// RangeAssignorTest.testFirstAssignmentThreeMembersThreeTopicsDifferentSubscriptions
#[test]
fn first_assignment_three_members_three_topics_different_subscriptions() {
    let input = AssignInput::new()
        .with_stream(T1, 3)
        .with_stream(T2, 3)
        .with_stream(T3, 2);
    let input = member(input, "A", &[T1, T2], &[]);
    let input = member(input, "B", &[T3], &[]);
    let input = member(input, "C", &[T2, T3], &[]);
    assert_assignment(
        &assign(&input),
        &[
            ("A", &[(T1, &[0, 1, 2]), (T2, &[0, 1])]),
            ("B", &[(T3, &[0])]),
            ("C", &[(T2, &[2]), (T3, &[1])]),
        ],
    );
}

// RangeAssignorTest.testFirstAssignmentNumMembersGreaterThanNumPartitions
#[test]
fn first_assignment_num_members_greater_than_num_partitions() {
    let input = AssignInput::new().with_stream(T1, 3).with_stream(T3, 2);
    let input = member(input, "A", &[T1, T3], &[]);
    let input = member(input, "B", &[T1, T3], &[]);
    let input = member(input, "C", &[T1, T3], &[]);
    assert_assignment(
        &assign(&input),
        &[
            ("A", &[(T1, &[0]), (T3, &[0])]),
            ("B", &[(T1, &[1]), (T3, &[1])]),
            ("C", &[(T1, &[2])]),
        ],
    );
}

// RangeAssignorTest.testStaticMembership
#[test]
fn static_membership() {
    let input = AssignInput::new()
        .with_stream(T1, 3)
        .with_static_member("A", "instanceA", [T1])
        .with_static_member("B", "instanceB", [T1]);
    let initial = assign(&input);
    // A rejoins with a new member id and the same instance id.
    let rejoined = input
        .without_member("A")
        .with_static_member("memberA1", "instanceA", [T1]);
    let reassigned = assign(&rejoined);
    assert_eq!(initial.get("A"), reassigned.get("memberA1"));
    assert_eq!(initial.get("B"), reassigned.get("B"));
}

// RangeAssignorTest.testMixedStaticMembership
#[test]
fn mixed_static_membership() {
    let input = AssignInput::new()
        .with_stream(T1, 5)
        .with_static_member("A", "instanceA", [T1])
        .with_static_member("C", "instanceC", [T1])
        .with_member("B", [T1]);
    let initial = assign(&input);
    let rejoined = input
        .without_member("A")
        .with_static_member("memberA1", "instanceA", [T1]);
    let reassigned = assign(&rejoined);
    assert_eq!(initial.get("A"), reassigned.get("memberA1"));
    assert_eq!(initial.get("B"), reassigned.get("B"));
    assert_eq!(initial.get("C"), reassigned.get("C"));
    // Static members first, by instance id: A, C, then the dynamic B.
    assert_assignment(
        &reassigned,
        &[
            ("memberA1", &[(T1, &[0, 1])]),
            ("C", &[(T1, &[2, 3])]),
            ("B", &[(T1, &[4])]),
        ],
    );
}

// RangeAssignorTest.testReassignmentNumMembersGreaterThanNumPartitionsWhenOneMemberAdded
#[test]
fn reassignment_num_members_greater_than_num_partitions_when_one_member_added() {
    let input = AssignInput::new().with_stream(T1, 2).with_stream(T2, 2);
    let input = member(input, "A", &[T1, T2], &[(T1, &[0]), (T2, &[0])]);
    let input = member(input, "B", &[T1, T2], &[(T1, &[1]), (T2, &[1])]);
    let input = member(input, "C", &[T1, T2], &[]);
    assert_assignment(
        &assign(&input),
        &[
            ("A", &[(T1, &[0]), (T2, &[0])]),
            ("B", &[(T1, &[1]), (T2, &[1])]),
            ("C", &[]),
        ],
    );
}

// RangeAssignorTest.testReassignmentWhenOnePartitionAddedForTwoMembersTwoTopics
#[test]
fn reassignment_when_one_partition_added_for_two_members_two_topics() {
    let input = AssignInput::new().with_stream(T1, 4).with_stream(T2, 4);
    let input = member(input, "A", &[T1, T2], &[(T1, &[0, 1]), (T2, &[0, 1])]);
    let input = member(input, "B", &[T1, T2], &[(T1, &[2]), (T2, &[2])]);
    assert_assignment(
        &assign(&input),
        &[
            ("A", &[(T1, &[0, 1]), (T2, &[0, 1])]),
            ("B", &[(T1, &[2, 3]), (T2, &[2, 3])]),
        ],
    );
}

// RangeAssignorTest.testReassignmentWhenOneMemberAddedAfterInitialAssignmentWithTwoMembersTwoTopics
#[test]
fn reassignment_when_one_member_added_after_initial_assignment_with_two_members_two_topics() {
    let input = AssignInput::new().with_stream(T1, 3).with_stream(T2, 3);
    let input = member(input, "A", &[T1, T2], &[(T1, &[0, 1]), (T2, &[0, 1])]);
    let input = member(input, "B", &[T1, T2], &[(T1, &[2]), (T2, &[2])]);
    let input = member(input, "C", &[T1, T2], &[]);
    assert_assignment(
        &assign(&input),
        &[
            ("A", &[(T1, &[0]), (T2, &[0])]),
            ("B", &[(T1, &[1]), (T2, &[1])]),
            ("C", &[(T1, &[2]), (T2, &[2])]),
        ],
    );
}

// RangeAssignorTest.testReassignmentWhenOneMemberAddedAndOnePartitionAfterInitialAssignmentWithTwoMembersTwoTopics
#[test]
fn reassignment_when_one_member_added_and_one_partition_after_initial_assignment_with_two_members_two_topics()
 {
    let input = AssignInput::new().with_stream(T1, 4).with_stream(T2, 3);
    let input = member(input, "A", &[T1, T2], &[(T1, &[0, 1]), (T2, &[0, 1])]);
    let input = member(input, "B", &[T1, T2], &[(T1, &[2]), (T2, &[2])]);
    let input = member(input, "C", &[T1], &[]);
    assert_assignment(
        &assign(&input),
        &[
            ("A", &[(T1, &[0, 1]), (T2, &[0, 1])]),
            ("B", &[(T1, &[2]), (T2, &[2])]),
            ("C", &[(T1, &[3])]),
        ],
    );
}

// RangeAssignorTest.testReassignmentWhenOneMemberRemovedAfterInitialAssignmentWithTwoMembersTwoTopics
#[test]
fn reassignment_when_one_member_removed_after_initial_assignment_with_two_members_two_topics() {
    let input = AssignInput::new().with_stream(T1, 3).with_stream(T2, 3);
    let input = member(input, "B", &[T1, T2], &[(T1, &[2]), (T2, &[2])]);
    assert_assignment(
        &assign(&input),
        &[("B", &[(T1, &[0, 1, 2]), (T2, &[0, 1, 2])])],
    );
}

// RangeAssignorTest.testReassignmentWhenMultipleSubscriptionsRemovedAfterInitialAssignmentWithThreeMembersTwoTopics
#[test]
fn reassignment_when_multiple_subscriptions_removed_after_initial_assignment_with_three_members_two_topics()
 {
    let input = AssignInput::new()
        .with_stream(T1, 3)
        .with_stream(T2, 3)
        .with_stream(T3, 2);
    let input = member(input, "A", &[T1], &[(T1, &[0, 1, 2]), (T2, &[0])]);
    let input = member(input, "B", &[T1, T2, T3], &[(T2, &[1])]);
    let input = member(input, "C", &[T2], &[(T2, &[2]), (T3, &[0, 1])]);
    assert_assignment(
        &assign(&input),
        &[
            ("A", &[(T1, &[0, 1])]),
            ("B", &[(T1, &[2]), (T2, &[0, 1]), (T3, &[0, 1])]),
            ("C", &[(T2, &[2])]),
        ],
    );
}
