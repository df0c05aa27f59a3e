//! Kafka's `RangeAssignorTest` and `RoundRobinAssignorTest`.

use super::*;

#[test]
fn range_and_round_robin_basic_cases() {
    // RangeAssignorTest and RoundRobinAssignorTest: testOneConsumerNoTopic,
    // testOneConsumerNonexistentTopic, testOneConsumerOneTopic,
    // testOnlyAssignsPartitionsFromSubscribedTopics, testOneConsumerMultipleTopics,
    // testTwoConsumersOneTopicOnePartition, testTwoConsumersOneTopicTwoPartitions
    for assignor in [Assignor::Range, Assignor::RoundRobin] {
        let none = AssignInput::new().with_member(C1, Vec::<&str>::new());
        assert_eq!(of(&assignor.assign(&none), C1), []);
        let missing = AssignInput::new().with_member(C1, ["topic1"]);
        assert_eq!(of(&assignor.assign(&missing), C1), []);
        let one = AssignInput::new()
            .with_stream("topic1", 3)
            .with_stream("other", 3)
            .with_member(C1, ["topic1"]);
        let a = assignor.assign(&one);
        assert_eq!(a.len(), 1);
        assert_eq!(
            of(&a, C1),
            [tp("topic1", 0), tp("topic1", 1), tp("topic1", 2)]
        );
        let multiple = two_topics(1, 2).with_member(C1, T12);
        assert_eq!(
            of(&assignor.assign(&multiple), C1),
            [tp("topic1", 0), tp("topic2", 0), tp("topic2", 1)]
        );
        let two = AssignInput::new()
            .with_stream("topic1", 1)
            .with_member(C1, ["topic1"])
            .with_member(C2, ["topic1"]);
        let a = assignor.assign(&two);
        assert_eq!(of(&a, C1), [tp("topic1", 0)]);
        assert_eq!(of(&a, C2), []);
        let a = assignor.assign(&two.with_stream("topic1", 2));
        assert_eq!(of(&a, C1), [tp("topic1", 0)]);
        assert_eq!(of(&a, C2), [tp("topic1", 1)]);
    }
}

#[test]
fn range_and_round_robin_multiple_consumers_mixed_topics() {
    // RangeAssignorTest.testMultipleConsumersMixedTopics and
    // RoundRobinAssignorTest.testMultipleConsumersMixedTopics (the same expectation)
    let input = two_topics(3, 2)
        .with_member(C1, ["topic1"])
        .with_member(C2, T12)
        .with_member(C3, ["topic1"]);
    for assignor in [Assignor::Range, Assignor::RoundRobin] {
        let a = assignor.assign(&input);
        assert_eq!(of(&a, C1), [tp("topic1", 0)]);
        assert_eq!(
            of(&a, C2),
            [tp("topic1", 1), tp("topic2", 0), tp("topic2", 1)]
        );
        assert_eq!(of(&a, C3), [tp("topic1", 2)]);
    }
}

#[test]
fn range_two_consumers_two_topics_six_partitions_dynamic_and_static() {
    // RangeAssignorTest.testTwoConsumersTwoTopicsSixPartitions,
    // testTwoStaticConsumersTwoTopicsSixPartitions and
    // testOneStaticConsumerAndOneDynamicConsumerTwoTopicsSixPartitions: "consumer-b" comes
    // first because of its instance id although "consumer-a" < "consumer-b".
    let low = [
        tp("topic1", 0),
        tp("topic1", 1),
        tp("topic2", 0),
        tp("topic2", 1),
    ];
    let high = [tp("topic1", 2), tp("topic2", 2)];
    let a = range::assign(&two_topics(3, 3).with_member(C1, T12).with_member(C2, T12));
    assert_eq!(of(&a, C1), low);
    assert_eq!(of(&a, C2), high);
    let two_static = two_topics(3, 3)
        .with_static_member("consumer-b", "instance1", T12)
        .with_static_member("consumer-a", "instance2", T12);
    let a = range::assign(&two_static);
    assert_eq!(of(&a, "consumer-b"), low);
    assert_eq!(of(&a, "consumer-a"), high);
    let one_static = two_topics(3, 3)
        .with_static_member("consumer-b", "instance1", T12)
        .with_member("consumer-a", T12);
    let a = range::assign(&one_static);
    assert_eq!(of(&a, "consumer-b"), low);
    assert_eq!(of(&a, "consumer-a"), high);
}

#[test]
fn round_robin_two_consumers_two_topics_six_partitions_dynamic_and_static() {
    // RoundRobinAssignorTest.testTwoDynamicConsumersTwoTopicsSixPartitions,
    // testTwoStaticConsumersTwoTopicsSixPartitions and
    // testOneStaticConsumerAndOneDynamicConsumerTwoTopicsSixPartitions
    let first = [tp("topic1", 0), tp("topic1", 2), tp("topic2", 1)];
    let second = [tp("topic1", 1), tp("topic2", 0), tp("topic2", 2)];
    let a = round_robin::assign(&two_topics(3, 3).with_member(C1, T12).with_member(C2, T12));
    assert_eq!(of(&a, C1), first);
    assert_eq!(of(&a, C2), second);
    let two_static = two_topics(3, 3)
        .with_static_member("consumer-b", "instance1", T12)
        .with_static_member("consumer-a", "instance2", T12);
    let a = round_robin::assign(&two_static);
    assert_eq!(of(&a, "consumer-b"), first);
    assert_eq!(of(&a, "consumer-a"), second);
    let one_static = two_topics(3, 3)
        .with_static_member("consumer-b", "instance1", T12)
        .with_member("consumer-a", T12);
    let a = round_robin::assign(&one_static);
    assert_eq!(of(&a, "consumer-b"), first);
    assert_eq!(of(&a, "consumer-a"), second);
}

/// Three static members `consumerN`/`instanceN` and a dynamic one.
fn static_group(p1: u32, p2: u32, dynamic: Option<&str>) -> AssignInput {
    let mut input = two_topics(p1, p2)
        .with_static_member(C1, "instance1", T12)
        .with_static_member(C2, "instance2", T12)
        .with_static_member(C3, "instance3", T12);
    if let Some(d) = dynamic {
        input = input.with_member(d, T12);
    }
    input
}

#[test]
fn range_static_member_range_assignment_persistent() {
    // RangeAssignorTest.testStaticMemberRangeAssignmentPersistent
    for dynamic in ["consumer4", "consumer5"] {
        let a = range::assign(&static_group(5, 4, Some(dynamic)));
        assert_eq!(
            of(&a, C1),
            [tp("topic1", 0), tp("topic1", 1), tp("topic2", 0)]
        );
        assert_eq!(of(&a, C2), [tp("topic1", 2), tp("topic2", 1)]);
        assert_eq!(of(&a, C3), [tp("topic1", 3), tp("topic2", 2)]);
        assert_eq!(of(&a, dynamic), [tp("topic1", 4), tp("topic2", 3)]);
    }
}

#[test]
fn round_robin_static_member_round_robin_assignment_persistent() {
    // RoundRobinAssignorTest.testStaticMemberRoundRobinAssignmentPersistent
    for dynamic in ["consumer4", "consumer5"] {
        let a = round_robin::assign(&static_group(3, 3, Some(dynamic)));
        assert_eq!(of(&a, C1), [tp("topic1", 0), tp("topic2", 1)]);
        assert_eq!(of(&a, C2), [tp("topic1", 1), tp("topic2", 2)]);
        assert_eq!(of(&a, C3), [tp("topic1", 2)]);
        assert_eq!(of(&a, dynamic), [tp("topic2", 0)]);
    }
}

/// The assignment per instance id.
fn by_instance(input: &AssignInput, a: &Assignment) -> BTreeMap<String, Vec<TopicPartition>> {
    a.iter()
        .map(|(m, tps)| (input.instance_ids[m].clone(), tps.to_vec()))
        .collect()
}

#[test]
fn static_member_assignment_persistent_after_member_id_changes() {
    // RangeAssignorTest.testStaticMemberRangeAssignmentPersistentAfterMemberIdChanges and
    // RoundRobinAssignorTest.testStaticMemberRoundRobinAssignmentPersistentAfterMemberIdChanges
    let before = static_group(5, 5, None);
    // consumer3's instance now has member id consumer4, consumer2's consumer5.
    let after = two_topics(5, 5)
        .with_static_member(C1, "instance1", T12)
        .with_static_member("consumer5", "instance2", T12)
        .with_static_member("consumer4", "instance3", T12);
    let instance = |i: u32, tps: &[TopicPartition]| (format!("instance{i}"), tps.to_vec());
    let range_expected: BTreeMap<String, Vec<TopicPartition>> = [
        instance(
            1,
            &[
                tp("topic1", 0),
                tp("topic1", 1),
                tp("topic2", 0),
                tp("topic2", 1),
            ],
        ),
        instance(
            2,
            &[
                tp("topic1", 2),
                tp("topic1", 3),
                tp("topic2", 2),
                tp("topic2", 3),
            ],
        ),
        instance(3, &[tp("topic1", 4), tp("topic2", 4)]),
    ]
    .into_iter()
    .collect();
    let rr_expected: BTreeMap<String, Vec<TopicPartition>> = [
        instance(
            1,
            &[
                tp("topic1", 0),
                tp("topic1", 3),
                tp("topic2", 1),
                tp("topic2", 4),
            ],
        ),
        instance(2, &[tp("topic1", 1), tp("topic1", 4), tp("topic2", 2)]),
        instance(3, &[tp("topic1", 2), tp("topic2", 0), tp("topic2", 3)]),
    ]
    .into_iter()
    .collect();
    for input in [&before, &after] {
        assert_eq!(by_instance(input, &range::assign(input)), range_expected);
        assert_eq!(by_instance(input, &round_robin::assign(input)), rr_expected);
    }
    // The sticky assignors key members by member id only (Kafka's sticky assignors never look
    // at MemberInfo): instance ids change nothing.
    let mut dynamic = before.clone();
    dynamic.instance_ids.clear();
    assert_eq!(sticky::assign(&before), sticky::assign(&dynamic));
}

#[test]
fn range_co_partitioned_assignment_with_same_subscription() {
    // RangeAssignorTest.testCoPartitionedAssignmentWithSameSubscription, its assignment
    // without racks (t7..t9 have no metadata)
    let topics = ["t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9"];
    let mut input = AssignInput::new();
    for (t, n) in [
        ("t1", 6),
        ("t2", 6),
        ("t3", 2),
        ("t4", 2),
        ("t5", 4),
        ("t6", 4),
    ] {
        input = input.with_stream(t, n);
    }
    for c in ["consumer0", "consumer1", "consumer2"] {
        input = input.with_member(c, topics);
    }
    let listed = |m: &str| -> String {
        let tps: Vec<String> = of(&range::assign(&input), m)
            .iter()
            .map(|tp| format!("{tp}"))
            .collect();
        tps.join(", ")
    };
    assert_eq!(
        listed("consumer0"),
        "t1-0, t1-1, t2-0, t2-1, t3-0, t4-0, t5-0, t5-1, t6-0, t6-1"
    );
    assert_eq!(
        listed("consumer1"),
        "t1-2, t1-3, t2-2, t2-3, t3-1, t4-1, t5-2, t6-2"
    );
    assert_eq!(listed("consumer2"), "t1-4, t1-5, t2-4, t2-5, t5-3, t6-3");
}
