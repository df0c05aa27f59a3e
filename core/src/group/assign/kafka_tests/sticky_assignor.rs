//! Kafka's `StickyAssignorTest` (its generation cases, which Kafka also runs in
//! `CooperativeStickyAssignorTest`).

use super::*;

fn claimed_twice(partitions: u32) -> AssignInput {
    let input = AssignInput::new().with_stream("topic", partitions);
    let input = sub(input, C1, &["topic"], &[tp("topic", 0), tp("topic", 1)], 1);
    let input = sub(input, C2, &["topic"], &[tp("topic", 0), tp("topic", 2)], 1);
    sub(input, C3, &["topic"], &[], 1)
}

#[test]
fn sticky_all_consumers_have_owned_partition_invalidated_when_claimed_by_multiple_consumers() {
    // StickyAssignorTest and CooperativeStickyAssignorTest:
    // testAllConsumersHaveOwnedPartitionInvalidatedWhenClaimedByMultipleConsumersInSameGenerationWithEqualPartitionsPerConsumer
    let input = claimed_twice(3);
    let a = verify_both(&input);
    assert_eq!(of(&a, C1), [tp("topic", 1)]);
    assert_eq!(of(&a, C2), [tp("topic", 2)]);
    assert_eq!(of(&a, C3), [tp("topic", 0)]);
    // The cooperative assignor withholds topic-0 until both claimers revoked it.
    let plan = cooperative_sticky::plan(&input);
    assert_eq!(of(&plan.first, C1), [tp("topic", 1)]);
    assert_eq!(of(&plan.first, C2), [tp("topic", 2)]);
    assert_eq!(of(&plan.first, C3), []);

    // ...WithUnequalPartitionsPerConsumer
    let input = claimed_twice(4);
    let a = verify_both(&input);
    assert_eq!(of(&a, C1), [tp("topic", 1), tp("topic", 3)]);
    assert_eq!(of(&a, C2), [tp("topic", 2)]);
    assert_eq!(of(&a, C3), [tp("topic", 0)]);
    let plan = cooperative_sticky::plan(&input);
    assert_eq!(of(&plan.first, C1), [tp("topic", 1), tp("topic", 3)]);
    assert_eq!(of(&plan.first, C2), [tp("topic", 2)]);
    assert_eq!(of(&plan.first, C3), []);
}

#[test]
fn sticky_assignment_with_multiple_generations_1() {
    // StickyAssignorTest.testAssignmentWithMultipleGenerations1, both parameter values
    for all_equal in [true, false] {
        let all = ["topic", "topic2"];
        let c2_topics: &[&str] = if all_equal { &all } else { &["topic"] };
        let base = AssignInput::new()
            .with_stream("topic", 6)
            .with_stream("topic2", 6);
        let input = base
            .clone()
            .with_member(C1, all)
            .with_member(C2, c2_topics.iter().copied())
            .with_member(C3, all);
        let r1 = verify_both(&input);
        assert!(r1.iter().all(|(_, tps)| tps.len() == 4));

        let input = sub(base.clone(), C1, &all, of(&r1, C1), 1);
        let input = sub(input, C2, c2_topics, of(&r1, C2), 1);
        let r2 = verify_both(&input);
        assert!(r2.iter().all(|(_, tps)| tps.len() == 6));
        if all_equal {
            assert!(set(of(&r2, C1)).is_superset(&set(of(&r1, C1))));
        }
        assert!(set(of(&r2, C2)).is_superset(&set(of(&r1, C2))));
        assert!(!set(of(&r2, C2)).is_disjoint(&set(of(&r1, C3))));

        // consumer3 comes back with its stale generation-1 ownership.
        let input = sub(base, C2, c2_topics, of(&r2, C2), 2);
        let input = sub(input, C3, &all, of(&r1, C3), 1);
        let r3 = verify_both(&input);
        assert!(r3.iter().all(|(_, tps)| tps.len() == 6));
        assert!(set(of(&r3, C2)).is_disjoint(&set(of(&r3, C3))));
    }
}

#[test]
fn sticky_assignment_with_multiple_generations_2() {
    // StickyAssignorTest.testAssignmentWithMultipleGenerations2, both parameter values
    for all_equal in [true, false] {
        let all = ["topic", "topic2", "topic3"];
        let c1_topics: &[&str] = if all_equal { &all } else { &["topic"] };
        let c3_topics: &[&str] = if all_equal {
            &all
        } else {
            &["topic", "topic2"]
        };
        let base = AssignInput::new()
            .with_stream("topic", 4)
            .with_stream("topic2", 4)
            .with_stream("topic3", 4);
        let input = base
            .clone()
            .with_member(C1, c1_topics.iter().copied())
            .with_member(C2, all)
            .with_member(C3, c3_topics.iter().copied());
        let r1 = verify_both(&input);
        assert!(r1.iter().all(|(_, tps)| tps.len() == 4));

        let input = sub(base.clone(), C2, &all, of(&r1, C2), 1);
        let r2 = verify_both(&input);
        assert_eq!(of(&r2, C2).len(), 12);
        assert!(set(of(&r2, C2)).is_superset(&set(of(&r1, C2))));

        let input = sub(base, C1, c1_topics, of(&r1, C1), 1);
        let input = sub(input, C2, &all, of(&r2, C2), 2);
        let input = sub(input, C3, c3_topics, of(&r1, C3), 1);
        let r3 = verify_both(&input);
        assert!(r3.iter().all(|(_, tps)| tps.len() == 4));
    }
}

#[test]
fn sticky_assignment_with_conflicting_previous_generations() {
    // StickyAssignorTest.testAssignmentWithConflictingPreviousGenerations, both parameter values
    for all_equal in [true, false] {
        let all = ["topic", "topic2", "topic3"];
        let c1_topics: &[&str] = if all_equal { &all } else { &["topic"] };
        let c2_topics: &[&str] = if all_equal {
            &all
        } else {
            &["topic", "topic2"]
        };
        let c1_owned = if all_equal {
            vec![
                tp("topic", 0),
                tp("topic", 1),
                tp("topic", 2),
                tp("topic2", 2),
                tp("topic2", 3),
                tp("topic3", 0),
            ]
        } else {
            vec![
                tp("topic", 0),
                tp("topic", 1),
                tp("topic", 2),
                tp("topic", 3),
            ]
        };
        let c2_owned = [
            tp("topic", 0),
            tp("topic", 1),
            tp("topic2", 0),
            tp("topic2", 1),
            tp("topic2", 2),
            tp("topic2", 3),
        ];
        let c3_owned = [
            tp("topic", 2),
            tp("topic", 3),
            tp("topic3", 0),
            tp("topic3", 1),
            tp("topic3", 2),
            tp("topic3", 3),
        ];
        let input = AssignInput::new()
            .with_stream("topic", 4)
            .with_stream("topic2", 4)
            .with_stream("topic3", 4);
        let input = sub(input, C1, c1_topics, &c1_owned, 1);
        let input = sub(input, C2, c2_topics, &c2_owned, 2);
        let input = sub(input, C3, &all, &c3_owned, 2);
        let a = verify_both(&input);
        assert!(a.iter().all(|(_, tps)| tps.len() == 4));
        assert!(set(&c2_owned).is_superset(&set(of(&a, C2))));
        assert!(set(&c3_owned).is_superset(&set(of(&a, C3))));
    }
}
