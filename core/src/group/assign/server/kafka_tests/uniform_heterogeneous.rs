//! Kafka's `UniformHeterogeneousAssignmentBuilderTest`: the uniform assignor's heterogeneous
//! builder. Kafka's test sorts the members and its topic ids sort as the names do, so every
//! expectation is Kafka's exact one.

use super::*;

const T1: &str = "topic1";
const T2: &str = "topic2";
const T3: &str = "topic3";
const T4: &str = "topic4";

/// Runs the heterogeneous builder, as Kafka's tests do with a `HETEROGENEOUS` group spec.
fn assign(input: &AssignInput) -> Assignment {
    uniform::assign_as(input, false)
}

// UniformHeterogeneousAssignmentBuilderTest.testTwoMembersNoTopicSubscription
#[test]
fn two_members_no_topic_subscription() {
    let input = AssignInput::new().with_stream(T1, 3);
    let input = member(member(input, "A", &[], &[]), "B", &[], &[]);
    assert_all_empty(&assign(&input), 2);
    assert_all_empty(&uniform::assign(&input), 2);
}

// UniformHeterogeneousAssignmentBuilderTest.testTwoMembersSubscribedToNonexistentTopics:
// Kafka throws a PartitionAssignorException; here the subscriptions are ignored.
#[test]
fn two_members_subscribed_to_nonexistent_topics() {
    let input = AssignInput::new().with_stream(T1, 3);
    let input = member(member(input, "A", &[T3], &[]), "B", &[T2], &[]);
    assert_all_empty(&assign(&input), 2);
    assert_all_empty(&uniform::assign(&input), 2);
}

// UniformHeterogeneousAssignmentBuilderTest.testFirstAssignmentTwoMembersTwoTopics
#[test]
fn first_assignment_two_members_two_topics() {
    let input = AssignInput::new().with_stream(T1, 3).with_stream(T3, 6);
    let input = member(input, "A", &[T1, T3], &[]);
    let input = member(input, "B", &[T3], &[]);
    let assignment = assign(&input);
    assert_assignment(
        &assignment,
        &[
            ("A", &[(T1, &[0, 1, 2]), (T3, &[4])]),
            ("B", &[(T3, &[0, 1, 2, 3, 5])]),
        ],
    );
    assert_eq!(uniform::assign(&input), assignment);
}

// UniformHeterogeneousAssignmentBuilderTest.testFirstAssignmentNumMembersGreaterThanTotalNumPartitions
#[test]
fn first_assignment_num_members_greater_than_total_num_partitions() {
    let input = AssignInput::new().with_stream(T3, 1).with_stream(T1, 2);
    let input = member(input, "A", &[T3], &[]);
    let input = member(input, "B", &[T3], &[]);
    let input = member(input, "C", &[T1], &[]);
    let assignment = assign(&input);
    assert_assignment(
        &assignment,
        &[("A", &[(T3, &[0])]), ("B", &[]), ("C", &[(T1, &[0, 1])])],
    );
}

// UniformHeterogeneousAssignmentBuilderTest.testReassignmentForTwoMembersThreeTopicsGivenUnbalancedPrevAssignment
#[test]
fn reassignment_for_two_members_three_topics_given_unbalanced_prev_assignment() {
    let input = AssignInput::new()
        .with_stream(T1, 6)
        .with_stream(T2, 4)
        .with_stream(T3, 4);
    let input = member(input, "A", &[T1], &[(T1, &[0, 1, 2])]);
    let input = member(input, "B", &[T1, T2], &[(T1, &[3]), (T2, &[0])]);
    let current: Parts<'_> = &[(T1, &[4, 5]), (T2, &[1, 2, 3]), (T3, &[0, 1, 2, 3])];
    let input = member(input, "C", &[T1, T2, T3], current);
    let assignment = assign(&input);
    assert_assignment(
        &assignment,
        &[
            ("A", &[(T1, &[0, 1, 2, 5])]),
            ("B", &[(T1, &[3]), (T2, &[0, 1, 2, 3])]),
            ("C", &[(T1, &[4]), (T3, &[0, 1, 2, 3])]),
        ],
    );
}

// UniformHeterogeneousAssignmentBuilderTest.testReassignmentWhenPartitionsAreAddedForTwoMembers
#[test]
fn reassignment_when_partitions_are_added_for_two_members() {
    let input = AssignInput::new()
        .with_stream(T1, 6)
        .with_stream(T2, 5)
        .with_stream(T3, 3)
        .with_stream(T4, 3);
    let input = member(input, "A", &[T1, T3], &[(T1, &[0, 1, 2, 3]), (T3, &[0, 1])]);
    let current: Parts<'_> = &[(T2, &[0, 1, 2]), (T4, &[0, 1, 2])];
    let input = member(input, "B", &[T1, T2, T3, T4], current);
    let assignment = assign(&input);
    assert_assignment(
        &assignment,
        &[
            ("A", &[(T1, &[0, 1, 2, 3, 4, 5]), (T3, &[0, 1, 2])]),
            ("B", &[(T2, &[0, 1, 2, 3, 4]), (T4, &[0, 1, 2])]),
        ],
    );
}

// UniformHeterogeneousAssignmentBuilderTest.testReassignmentWhenOneMemberAddedAndPartitionsAddedTwoMembersTwoTopics
#[test]
fn reassignment_when_one_member_added_and_partitions_added_two_members_two_topics() {
    let input = AssignInput::new().with_stream(T1, 6).with_stream(T2, 7);
    let input = member(input, "A", &[T1], &[(T1, &[0, 2]), (T2, &[0])]);
    let input = member(input, "B", &[T1, T2], &[(T1, &[1]), (T2, &[1, 2])]);
    let input = member(input, "C", &[T1, T2], &[]);
    let assignment = assign(&input);
    assert_assignment(
        &assignment,
        &[
            ("A", &[(T1, &[0, 2, 3, 4, 5])]),
            ("B", &[(T1, &[1]), (T2, &[1, 2, 6])]),
            ("C", &[(T2, &[0, 3, 4, 5])]),
        ],
    );
}

// UniformHeterogeneousAssignmentBuilderTest.testReassignmentWhenOneMemberRemovedAfterInitialAssignmentWithThreeMembersThreeTopics
#[test]
fn reassignment_when_one_member_removed_after_initial_assignment_with_three_members_three_topics() {
    let input = AssignInput::new()
        .with_stream(T1, 3)
        .with_stream(T2, 8)
        .with_stream(T3, 3);
    let input = member(input, "A", &[T1, T3], &[(T1, &[0, 1, 2]), (T3, &[0, 1])]);
    let input = member(input, "B", &[T2], &[(T2, &[3, 4, 5, 6])]);
    let assignment = assign(&input);
    assert_assignment(
        &assignment,
        &[
            ("A", &[(T1, &[0, 1, 2]), (T3, &[0, 1, 2])]),
            ("B", &[(T2, &[0, 1, 2, 3, 4, 5, 6, 7])]),
        ],
    );
}

// UniformHeterogeneousAssignmentBuilderTest.testReassignmentWhenOneSubscriptionRemovedAfterInitialAssignmentWithTwoMembersTwoTopics
#[test]
fn reassignment_when_one_subscription_removed_after_initial_assignment_with_two_members_two_topics()
{
    let input = AssignInput::new().with_stream(T1, 3).with_stream(T2, 5);
    let input = member(input, "A", &[T1], &[(T1, &[0, 2]), (T2, &[1, 3])]);
    let input = member(input, "B", &[T1, T2], &[(T1, &[1]), (T2, &[0, 2, 4])]);
    let assignment = assign(&input);
    assert_assignment(
        &assignment,
        &[("A", &[(T1, &[0, 1, 2])]), ("B", &[(T2, &[0, 1, 2, 3, 4])])],
    );
}

// UniformHeterogeneousAssignmentBuilderTest.testReassignmentWhenTopicPartitionsRunOutAndMembersHaveNoPartitions.
// Both members subscribe to the same topics, but Kafka's test forces the heterogeneous
// builder, as `assign` here does.
#[test]
fn reassignment_when_topic_partitions_run_out_and_members_have_no_partitions() {
    let input = AssignInput::new()
        .with_stream(T1, 2)
        .with_stream(T2, 2)
        .with_stream(T3, 2);
    let current: Parts<'_> = &[(T1, &[0, 1]), (T2, &[0, 1]), (T3, &[0, 1])];
    let input = member(input, "A", &[T1, T2, T3], current);
    let input = member(input, "B", &[T1, T2, T3], &[]);
    let assignment = assign(&input);
    assert_assignment(
        &assignment,
        &[
            ("A", &[(T2, &[0]), (T3, &[0, 1])]),
            ("B", &[(T1, &[0, 1]), (T2, &[1])]),
        ],
    );
}

// UniformHeterogeneousAssignmentBuilderTest.testFirstAssignmentWithTwoMembersIncludingOneWithoutSubscriptions
#[test]
fn first_assignment_with_two_members_including_one_without_subscriptions() {
    let input = AssignInput::new().with_stream(T1, 3);
    let input = member(member(input, "A", &[T1], &[]), "B", &[], &[]);
    let assignment = assign(&input);
    assert_assignment(&assignment, &[("A", &[(T1, &[0, 1, 2])]), ("B", &[])]);
    assert_eq!(uniform::assign(&input), assignment);
}
