//! Kafka's `AbstractStickyAssignorTest`, third part: previous ownership claimed across
//! generations (stale, missing, multiple and conflicting generations, partitions claimed
//! twice) and the partitions the cooperative plan transfers.

use super::*;

#[test]
fn abstract_sticky_subscription_not_equal_and_assign_same_partition_with_3_generation() {
    // testSubscriptionNotEqualAndAssignSamePartitionWith3Generation
    let input = AssignInput::new()
        .with_stream("topic", 6)
        .with_stream("topic1", 1);
    let sequences = [
        [1, 2, 3],
        [1, 3, 2],
        [2, 1, 3],
        [2, 3, 1],
        [3, 1, 2],
        [3, 2, 1],
    ];
    for [g1, g2, g3] in sequences {
        let i = sub(
            input.clone(),
            C1,
            &["topic"],
            &[tp("topic", 0), tp("topic", 2)],
            g1,
        );
        let i = sub(
            i,
            C2,
            &["topic"],
            &[tp("topic", 1), tp("topic", 2), tp("topic", 3)],
            g2,
        );
        let i = sub(
            i,
            C3,
            &["topic"],
            &[tp("topic", 2), tp("topic", 4), tp("topic", 5)],
            g3,
        );
        let i = sub(i, C4, &["topic1"], &[tp("topic1", 0)], 2);
        let a = verify_both(&i);
        assert_eq!(a.assigned_count(), a.owners().len());
        assert!(a.iter().all(|(_, tps)| (1..=2).contains(&tps.len())), "{a}");
    }
}

#[test]
fn abstract_sticky_all_consumers_reach_expected_quota_and_are_considered_filled() {
    // testAllConsumersReachExpectedQuotaAndAreConsideredFilled
    let input = AssignInput::new().with_stream("topic", 4);
    let input = sub(input, C1, &["topic"], &[tp("topic", 0), tp("topic", 1)], 1);
    let input = sub(input, C2, &["topic"], &[tp("topic", 2)], 1);
    let input = sub(input, C3, &["topic"], &[], 1);
    assert!(transferring(&cooperative_sticky::plan(&input)).is_empty());
    let a = verify_both(&input);
    assert_eq!(of(&a, C1), [tp("topic", 0), tp("topic", 1)]);
    assert_eq!(of(&a, C2), [tp("topic", 2)]);
    assert_eq!(of(&a, C3), [tp("topic", 3)]);
}

#[test]
fn abstract_sticky_owned_partitions_are_invalidated_for_consumer_with_stale_or_no_generation() {
    // testOwnedPartitionsAreInvalidatedForConsumerWithStaleGeneration and
    // testOwnedPartitionsAreInvalidatedForConsumerWithNoGeneration
    let both = ["topic", "topic2"];
    let claimed = [tp("topic", 0), tp("topic", 2), tp("topic2", 1)];
    for stale in [Some(9), None] {
        let input = AssignInput::new()
            .with_stream("topic", 3)
            .with_stream("topic2", 3);
        let input = sub(input, C1, &both, &claimed, 10);
        let input = match stale {
            Some(g) => sub(input, C2, &both, &claimed, g),
            // DEFAULT_GENERATION: no generation recorded at all.
            None => input.with_member(C2, both).with_owned(C2, claimed.clone()),
        };
        assert!(transferring(&cooperative_sticky::plan(&input)).is_empty());
        let a = verify_both(&input);
        assert_eq!(set(of(&a, C1)), set(&claimed));
        assert_eq!(
            set(of(&a, C2)),
            set(&[tp("topic", 1), tp("topic2", 0), tp("topic2", 2)])
        );
    }
}

#[test]
fn abstract_sticky_partitions_transferring_ownership_include_multiply_claimed_partition() {
    // testPartitionsTransferringOwnershipIncludeThePartitionClaimedByMultipleConsumersInSameGeneration
    let input = AssignInput::new().with_stream("topic", 3);
    let input = sub(input, C1, &["topic"], &[tp("topic", 0), tp("topic", 1)], 1);
    let input = sub(input, C2, &["topic"], &[tp("topic", 0), tp("topic", 2)], 1);
    let input = sub(input, C3, &["topic"], &[], 1);
    let plan = cooperative_sticky::plan(&input);
    assert_eq!(transferring(&plan), moves(&[(tp("topic", 0), C3)]));
    let a = verify_both(&input);
    assert_eq!(of(&a, C1), [tp("topic", 1)]);
    assert_eq!(of(&a, C2), [tp("topic", 2)]);
    assert_eq!(of(&a, C3), [tp("topic", 0)]);
}

#[test]
fn abstract_sticky_ensure_partitions_assigned_to_highest_generation() {
    // testEnsurePartitionsAssignedToHighestGeneration
    let all = ["topic", "topic2", "topic3"];
    let input = AssignInput::new()
        .with_stream("topic", 3)
        .with_stream("topic2", 3)
        .with_stream("topic3", 3);
    let input = sub(
        input,
        C1,
        &all,
        &[tp("topic", 0), tp("topic2", 0), tp("topic3", 0)],
        10,
    );
    let input = sub(
        input,
        C2,
        &all,
        &[tp("topic", 1), tp("topic2", 1), tp("topic3", 1)],
        9,
    );
    let input = sub(
        input,
        C3,
        &all,
        &[tp("topic2", 1), tp("topic3", 0), tp("topic3", 2)],
        8,
    );
    assert!(transferring(&cooperative_sticky::plan(&input)).is_empty());
    let a = verify_both(&input);
    assert_eq!(
        set(of(&a, C1)),
        set(&[tp("topic", 0), tp("topic2", 0), tp("topic3", 0)])
    );
    assert_eq!(
        set(of(&a, C2)),
        set(&[tp("topic", 1), tp("topic2", 1), tp("topic3", 1)])
    );
    assert_eq!(
        set(of(&a, C3)),
        set(&[tp("topic", 2), tp("topic2", 2), tp("topic3", 2)])
    );
}

#[test]
fn abstract_sticky_no_reassignment_on_current_members() {
    // testNoReassignmentOnCurrentMembers
    let all = ["topic", "topic2", "topic3", "topic1"];
    let mut input = AssignInput::new();
    for t in all {
        input = input.with_stream(t, 3);
    }
    let input = input.with_member(C1, all);
    let input = sub(
        input,
        C2,
        &all,
        &[tp("topic", 0), tp("topic2", 0), tp("topic1", 0)],
        9,
    );
    let input = sub(
        input,
        C3,
        &all,
        &[tp("topic3", 2), tp("topic2", 2), tp("topic1", 1)],
        8,
    );
    let input = sub(
        input,
        C4,
        &all,
        &[tp("topic3", 1), tp("topic", 1), tp("topic", 2)],
        7,
    );
    assert!(transferring(&cooperative_sticky::plan(&input)).is_empty());
    let a = verify_both(&input);
    assert_eq!(
        set(of(&a, C1)),
        set(&[tp("topic1", 2), tp("topic2", 1), tp("topic3", 0)])
    );
}

#[test]
fn abstract_sticky_owned_partitions_are_invalidated_for_consumer_with_multiple_generation() {
    // testOwnedPartitionsAreInvalidatedForConsumerWithMultipleGeneration
    let both = ["topic", "topic2"];
    let input = AssignInput::new()
        .with_stream("topic", 3)
        .with_stream("topic2", 3);
    let input = sub(
        input,
        C1,
        &both,
        &[tp("topic", 0), tp("topic2", 1), tp("topic", 1)],
        10,
    );
    let input = sub(
        input,
        C2,
        &both,
        &[tp("topic", 0), tp("topic2", 1), tp("topic2", 2)],
        8,
    );
    assert!(transferring(&cooperative_sticky::plan(&input)).is_empty());
    let a = verify_both(&input);
    assert_eq!(
        set(of(&a, C1)),
        set(&[tp("topic", 0), tp("topic2", 1), tp("topic", 1)])
    );
    assert_eq!(
        set(of(&a, C2)),
        set(&[tp("topic", 2), tp("topic2", 2), tp("topic2", 0)])
    );
}
