//! Kafka's `AbstractStickyAssignorTest` (run by Kafka for `StickyAssignor` and
//! `CooperativeStickyAssignor`), first part: single and multiple consumers, quotas, and the
//! balance as consumers and topics are added and removed.

use super::*;

#[test]
fn abstract_sticky_one_consumer_no_topic_and_nonexistent_topic() {
    // testOneConsumerNoTopic, testOneConsumerNonexistentTopic
    for input in [
        AssignInput::new().with_member("consumer", Vec::<&str>::new()),
        AssignInput::new().with_member("consumer", ["topic"]),
        AssignInput::new()
            .with_stream("topic", 0)
            .with_member("consumer", ["topic"]),
    ] {
        let a = verify_both(&input);
        assert_eq!(of(&a, "consumer"), []);
        assert!(transferring(&cooperative_sticky::plan(&input)).is_empty());
    }
}

#[test]
fn abstract_sticky_one_consumer_one_topic() {
    // testOneConsumerOneTopic
    let input = AssignInput::new()
        .with_stream("topic", 3)
        .with_member("consumer", ["topic"]);
    let a = verify_both(&input);
    assert_eq!(
        of(&a, "consumer"),
        [tp("topic", 0), tp("topic", 1), tp("topic", 2)]
    );
    assert!(is_fully_balanced(&a));
}

#[test]
fn abstract_sticky_only_assigns_partitions_from_subscribed_topics() {
    // testOnlyAssignsPartitionsFromSubscribedTopics
    let input = sub(
        AssignInput::new().with_stream("topic", 2),
        "consumer",
        &["topic"],
        &[
            tp("topic", 0),
            tp("topic", 1),
            tp("other", 0),
            tp("other", 1),
        ],
        1,
    );
    let a = verify_both(&input);
    assert_eq!(of(&a, "consumer"), [tp("topic", 0), tp("topic", 1)]);
    assert!(transferring(&cooperative_sticky::plan(&input)).is_empty());
}

#[test]
fn abstract_sticky_one_consumer_multiple_topics() {
    // testOneConsumerMultipleTopics
    let input = AssignInput::new()
        .with_stream("topic1", 1)
        .with_stream("topic2", 2)
        .with_member("consumer", ["topic1", "topic2"]);
    let a = verify_both(&input);
    assert_eq!(
        of(&a, "consumer"),
        [tp("topic1", 0), tp("topic2", 0), tp("topic2", 1)]
    );
}

#[test]
fn abstract_sticky_two_consumers_one_topic() {
    // testTwoConsumersOneTopicOnePartition
    let input = AssignInput::new()
        .with_stream("topic", 1)
        .with_member(C1, ["topic"])
        .with_member(C2, ["topic"]);
    let a = verify_both(&input);
    assert!(is_fully_balanced(&a));
    // testTwoConsumersOneTopicTwoPartitions
    let input = input.with_stream("topic", 2);
    let a = verify_both(&input);
    assert_eq!(of(&a, C1), [tp("topic", 0)]);
    assert_eq!(of(&a, C2), [tp("topic", 1)]);
}

#[test]
fn abstract_sticky_multiple_consumers_mixed_topic_subscriptions() {
    // testMultipleConsumersMixedTopicSubscriptions (the general algorithm)
    let input = AssignInput::new()
        .with_stream("topic1", 3)
        .with_stream("topic2", 2)
        .with_member(C1, ["topic1"])
        .with_member(C2, ["topic1", "topic2"])
        .with_member(C3, ["topic1"]);
    let a = verify_both(&input);
    assert_eq!(of(&a, C1), [tp("topic1", 0), tp("topic1", 2)]);
    assert_eq!(of(&a, C2), [tp("topic2", 0), tp("topic2", 1)]);
    assert_eq!(of(&a, C3), [tp("topic1", 1)]);
    assert!(is_fully_balanced(&a));
}

#[test]
fn abstract_sticky_two_consumers_two_topics_six_partitions() {
    // testTwoConsumersTwoTopicsSixPartitions
    let input = AssignInput::new()
        .with_stream("topic1", 3)
        .with_stream("topic2", 3)
        .with_member(C1, ["topic1", "topic2"])
        .with_member(C2, ["topic1", "topic2"]);
    let a = verify_both(&input);
    assert_eq!(
        of(&a, C1),
        [tp("topic1", 0), tp("topic1", 2), tp("topic2", 1)]
    );
    assert_eq!(
        of(&a, C2),
        [tp("topic1", 1), tp("topic2", 0), tp("topic2", 2)]
    );
}

#[test]
fn abstract_sticky_consumer_owning_min_quota_expected_max_quota() {
    // testConsumerOwningMinQuotaExpectedMaxQuota
    let input = two_topics(2, 3);
    let input = sub(input, C1, &T12, &[tp("topic1", 0), tp("topic2", 1)], 1);
    let input = sub(input, C2, &T12, &[tp("topic1", 1), tp("topic2", 2)], 1);
    let a = verify_both(&input);
    assert_eq!(
        set(of(&a, C1)),
        set(&[tp("topic1", 0), tp("topic2", 1), tp("topic2", 0)])
    );
    assert_eq!(of(&a, C2), [tp("topic1", 1), tp("topic2", 2)]);
    assert!(transferring(&cooperative_sticky::plan(&input)).is_empty());
}

#[test]
fn abstract_sticky_max_quota_consumer_more_than_num_expected_max_capacity_members() {
    // testMaxQuotaConsumerMoreThanNumExpectedMaxCapacityMembers: consumer2 comes before
    // consumer1 in Kafka's HashMap order, so it is the one that keeps two partitions.
    let input = two_topics(2, 2);
    let input = sub(input, C1, &T12, &[tp("topic1", 0), tp("topic2", 0)], 1);
    let input = sub(input, C2, &T12, &[tp("topic1", 1), tp("topic2", 1)], 1);
    let input = sub(input, C3, &T12, &[], 1);
    let plan = cooperative_sticky::plan(&input);
    assert_eq!(transferring(&plan), moves(&[(tp("topic2", 0), C3)]));
    let a = verify_both(&input);
    assert_eq!(of(&a, C1), [tp("topic1", 0)]);
    assert_eq!(of(&a, C2), [tp("topic1", 1), tp("topic2", 1)]);
    assert_eq!(of(&a, C3), [tp("topic2", 0)]);
    assert!(is_fully_balanced(&a));
}

#[test]
fn abstract_sticky_all_consumers_are_under_min_quota() {
    // testAllConsumersAreUnderMinQuota
    let input = two_topics(2, 3);
    let input = sub(input, C1, &T12, &[tp("topic1", 0)], 1);
    let input = sub(input, C2, &T12, &[tp("topic1", 1)], 1);
    let input = sub(input, C3, &T12, &[], 1);
    assert!(transferring(&cooperative_sticky::plan(&input)).is_empty());
    let a = verify_both(&input);
    assert_eq!(of(&a, C1), [tp("topic1", 0), tp("topic2", 1)]);
    assert_eq!(of(&a, C2), [tp("topic1", 1), tp("topic2", 2)]);
    assert_eq!(of(&a, C3), [tp("topic2", 0)]);
}

#[test]
fn abstract_sticky_add_remove_consumer_one_topic() {
    // testAddRemoveConsumerOneTopic
    let base = AssignInput::new().with_stream("topic", 3);
    let input = base.clone().with_member(C1, ["topic"]);
    let a = verify_both(&input);
    assert_eq!(of(&a, C1), [tp("topic", 0), tp("topic", 1), tp("topic", 2)]);

    let input = sub(base.clone(), C1, &["topic"], of(&a, C1), 1);
    let input = sub(input, C2, &["topic"], &[], 1);
    let plan = cooperative_sticky::plan(&input);
    assert_eq!(transferring(&plan), moves(&[(tp("topic", 2), C2)]));
    let a = verify_both(&input);
    assert_eq!(of(&a, C1), [tp("topic", 0), tp("topic", 1)]);
    assert_eq!(of(&a, C2), [tp("topic", 2)]);

    let input = sub(base, C2, &["topic"], of(&a, C2), 1);
    let a = verify_both(&input);
    assert_eq!(of(&a, C2), [tp("topic", 0), tp("topic", 1), tp("topic", 2)]);
    assert!(transferring(&cooperative_sticky::plan(&input)).is_empty());
}

/// The number of partitions of `stream` each member owns.
fn per_stream(a: &Assignment, stream: &str) -> Vec<usize> {
    a.iter()
        .map(|(_, tps)| tps.iter().filter(|tp| tp.stream == stream).count())
        .collect()
}

#[test]
fn abstract_sticky_topic_balance_after_reassignment() {
    // testTopicBalanceAfterReassignment: with equal subscriptions every member keeps an even
    // share of every topic through joins and leaves (Kafka keeps owned partitions sorted by
    // partition number, then topic).
    let base = two_topics(12, 12);
    let a = verify_both(&base.clone().with_member(C1, T12));
    assert_eq!(per_stream(&a, "topic1"), [12]);
    assert_eq!(per_stream(&a, "topic2"), [12]);

    let input = sub(base.clone(), C1, &T12, of(&a, C1), 1);
    let input = sub(input, C2, &T12, &[], 1);
    let a = verify_both(&input);
    assert_eq!(per_stream(&a, "topic1"), [6, 6]);
    assert_eq!(per_stream(&a, "topic2"), [6, 6]);

    let input = sub(base.clone(), C1, &T12, of(&a, C1), 1);
    let input = sub(input, C2, &T12, of(&a, C2), 1);
    let input = sub(input, C3, &T12, &[], 1);
    let input = sub(input, C4, &T12, &[], 1);
    let a = verify_both(&input);
    assert_eq!(per_stream(&a, "topic1"), [3, 3, 3, 3]);
    assert_eq!(per_stream(&a, "topic2"), [3, 3, 3, 3]);

    let input = sub(base.clone(), C3, &T12, of(&a, C3), 1);
    let input = sub(input, C4, &T12, of(&a, C4), 1);
    let a = verify_both(&input);
    assert_eq!(per_stream(&a, "topic1"), [6, 6]);
    assert_eq!(per_stream(&a, "topic2"), [6, 6]);
    assert!(transferring(&cooperative_sticky::plan(&input)).is_empty());
}

#[test]
fn abstract_sticky_add_remove_two_consumers_two_topics() {
    // testAddRemoveTwoConsumersTwoTopics
    let base = two_topics(3, 4);
    let input = base.clone().with_member(C1, T12).with_member(C2, T12);
    let a = verify_both(&input);
    assert_eq!(
        of(&a, C1),
        [
            tp("topic1", 0),
            tp("topic1", 2),
            tp("topic2", 1),
            tp("topic2", 3)
        ]
    );
    assert_eq!(
        of(&a, C2),
        [tp("topic1", 1), tp("topic2", 0), tp("topic2", 2)]
    );

    // Add two consumers.
    let input = sub(base.clone(), C1, &T12, of(&a, C1), 1);
    let input = sub(input, C2, &T12, of(&a, C2), 1);
    let input = sub(input, C3, &T12, &[], 1);
    let input = sub(input, C4, &T12, &[], 1);
    let plan = cooperative_sticky::plan(&input);
    assert_eq!(
        transferring(&plan),
        moves(&[
            (tp("topic1", 2), C3),
            (tp("topic2", 3), C3),
            (tp("topic2", 2), C4)
        ])
    );
    let a = verify_both(&input);
    assert_eq!(of(&a, C1), [tp("topic1", 0), tp("topic2", 1)]);
    assert_eq!(of(&a, C2), [tp("topic1", 1), tp("topic2", 0)]);
    assert_eq!(of(&a, C3), [tp("topic1", 2), tp("topic2", 3)]);
    assert_eq!(of(&a, C4), [tp("topic2", 2)]);

    // Remove two consumers.
    let input = sub(base, C3, &T12, of(&a, C3), 1);
    let input = sub(input, C4, &T12, of(&a, C4), 1);
    let a = verify_both(&input);
    assert_eq!(
        set(of(&a, C3)),
        set(&[
            tp("topic1", 2),
            tp("topic2", 3),
            tp("topic1", 0),
            tp("topic2", 1)
        ])
    );
    assert_eq!(
        set(of(&a, C4)),
        set(&[tp("topic2", 2), tp("topic1", 1), tp("topic2", 0)])
    );
    assert!(transferring(&cooperative_sticky::plan(&input)).is_empty());
}

#[test]
fn abstract_sticky_poor_round_robin_assignment_scenario() {
    // testPoorRoundRobinAssignmentScenario (Kafka asserts validity and balance only)
    let mut input = AssignInput::new();
    for i in 1..=5u32 {
        input = input.with_stream(format!("topic{i}"), i % 2 + 1);
    }
    let all = ["topic1", "topic2", "topic3", "topic4", "topic5"];
    let odd = ["topic1", "topic3", "topic5"];
    let input = input
        .with_member(C1, all)
        .with_member(C2, odd)
        .with_member(C3, odd)
        .with_member(C4, all);
    verify_both(&input);
}

#[test]
fn abstract_sticky_add_remove_topic_two_consumers() {
    // testAddRemoveTopicTwoConsumers
    let input = AssignInput::new()
        .with_stream("topic", 3)
        .with_member(C1, ["topic"])
        .with_member(C2, ["topic"]);
    let a1 = verify_both(&input);
    let sizes1 = (of(&a1, C1).len(), of(&a1, C2).len());
    assert!(sizes1 == (1, 2) || sizes1 == (2, 1));

    let both = ["topic", "topic2"];
    let input = AssignInput::new()
        .with_stream("topic", 3)
        .with_stream("topic2", 3);
    let input = sub(input, C1, &both, of(&a1, C1), 1);
    let input = sub(input, C2, &both, of(&a1, C2), 1);
    assert!(transferring(&cooperative_sticky::plan(&input)).is_empty());
    let a2 = verify_both(&input);
    assert_eq!((of(&a2, C1).len(), of(&a2, C2).len()), (3, 3));
    assert!(set(of(&a2, C1)).is_superset(&set(of(&a1, C1))));
    assert!(set(of(&a2, C2)).is_superset(&set(of(&a1, C2))));

    // topic is deleted.
    let input = AssignInput::new().with_stream("topic2", 3);
    let input = sub(input, C1, &["topic2"], of(&a2, C1), 1);
    let input = sub(input, C2, &["topic2"], of(&a2, C2), 1);
    assert!(transferring(&cooperative_sticky::plan(&input)).is_empty());
    let a3 = verify_both(&input);
    let sizes3 = (of(&a3, C1).len(), of(&a3, C2).len());
    assert!(sizes3 == (1, 2) || sizes3 == (2, 1));
    assert!(set(of(&a2, C1)).is_superset(&set(of(&a3, C1))));
    assert!(set(of(&a2, C2)).is_superset(&set(of(&a3, C2))));
}
