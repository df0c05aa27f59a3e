//! Kafka's `AbstractStickyAssignorTest`, second part: stickiness through reassignments
//! (consumers leaving and joining, randomized subscriptions and changes, new subscriptions,
//! moved assignments) and deleted topics.

use super::*;

/// Kafka's `isSticky`: no two partitions of one stream moved in opposite directions between
/// the same two members.
fn assert_sticky(before: &Assignment, after: &Assignment) {
    let owners = before.owners();
    let mut moved = BTreeSet::new();
    for (tp, to) in after.owners() {
        if let Some(from) = owners.get(tp).filter(|from| **from != to) {
            moved.insert((tp.stream.clone(), (*from).clone(), to.clone()));
        }
    }
    for (stream, from, to) in &moved {
        let back = (stream.clone(), to.clone(), from.clone());
        assert!(
            !moved.contains(&back),
            "{stream} moved both ways between {from} and {to}"
        );
    }
}

/// Kafka's `getTopicName(i, max)` / `getConsumerName(i, max)`: zero-padded to the width of
/// `max`.
fn padded(prefix: &str, i: usize, max: usize) -> String {
    let width = format!("{max}").len();
    format!("{prefix}{i:0width$}")
}

#[test]
fn abstract_sticky_reassignment_after_one_consumer_leaves() {
    // testReassignmentAfterOneConsumerLeaves (general algorithm; Kafka asserts isSticky: no
    // partition moves back and forth; here: every partition of a remaining member stays)
    let mut input = AssignInput::new();
    for i in 1..20 {
        input = input.with_stream(padded("t", i, 20), i as u32);
    }
    for i in 1..20 {
        let topics: Vec<String> = (1..=i).map(|j| padded("t", j, 20)).collect();
        input = input.with_member(padded("c", i, 20), topics);
    }
    let a = verify_both(&input);
    let leaver = padded("c", 10, 20);
    let next = input.with_previous(&a).without_member(&leaver);
    let b = verify_both(&next);
    assert_sticky(&a, &b);
}

/// A small deterministic generator standing in for `java.util.Random` in Kafka's randomized
/// tests (the cases differ from Kafka's runs; the asserted properties are the same).
struct Lcg(u64);

impl Lcg {
    /// A number in `0..n`.
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n as u64) as usize
    }

    /// Kafka's `getRandomSublist`: the list without a random number of random items.
    fn sublist(&mut self, list: &[String]) -> Vec<String> {
        let mut items = list.to_vec();
        for _ in 0..self.next(list.len()) {
            let i = self.next(items.len());
            items.remove(i);
        }
        items
    }
}

#[test]
fn abstract_sticky_reassignment_with_random_subscriptions_and_changes() {
    // testReassignmentWithRandomSubscriptionsAndChanges (20 seeded rounds instead of 100
    // random ones)
    let mut rng = Lcg(14);
    for _ in 0..20 {
        let topics: Vec<String> = (0..10 + rng.next(10)).map(|i| padded("t", i, 20)).collect();
        let mut input = AssignInput::new();
        for (i, t) in topics.iter().enumerate() {
            input = input.with_stream(t.clone(), i as u32 + 1);
        }
        let consumers = 20 + rng.next(20);
        let base = input.clone();
        for i in 0..consumers {
            input = input.with_member(padded("c", i, 40), rng.sublist(&topics));
        }
        let a = verify_both(&input);
        let mut next = base;
        for i in 0..consumers {
            let c = padded("c", i, 40);
            next = sub(next, &c, &[], of(&a, &c), 1).with_member(c.as_str(), rng.sublist(&topics));
        }
        let b = verify_both(&next);
        assert_sticky(&a, &b);
    }
}

#[test]
fn abstract_sticky_large_assignment_with_multiple_consumers_leaving_and_random_subscription() {
    // testLargeAssignmentWithMultipleConsumersLeavingAndRandomSubscription (seeded)
    let mut rng = Lcg(40);
    let mut input = AssignInput::new();
    for i in 0..40 {
        input = input.with_stream(padded("t", i, 40), rng.next(10) as u32 + 1);
    }
    for i in 0..200 {
        let count = rng.next(20);
        let topics: Vec<String> = (0..count).map(|_| padded("t", rng.next(40), 40)).collect();
        input = input.with_member(padded("c", i, 200), topics);
    }
    let a = verify_both(&input);
    let mut next = input.with_previous(&a);
    for _ in 0..50 {
        next = next.without_member(&padded("c", rng.next(200), 200));
    }
    let b = verify_both(&next);
    assert_sticky(&a, &b);
}

#[test]
fn abstract_sticky_reassignment_after_one_consumer_added() {
    // testReassignmentAfterOneConsumerAdded (no owned partitions in the subscriptions, so
    // nothing is transferring ownership)
    let mut input = AssignInput::new().with_stream("topic", 20);
    for i in 1..10 {
        input = input.with_member(padded("c", i, 10), ["topic"]);
    }
    verify_both(&input);
    assert!(transferring(&cooperative_sticky::plan(&input)).is_empty());
    let input = input.with_member(padded("c", 10, 10), ["topic"]);
    verify_both(&input);
    assert!(transferring(&cooperative_sticky::plan(&input)).is_empty());
}

#[test]
fn abstract_sticky_same_subscriptions() {
    // testSameSubscriptions
    let mut input = AssignInput::new();
    let topics: Vec<String> = (1..15).map(|i| padded("t", i, 15)).collect();
    for i in 1..15 {
        input = input.with_stream(padded("t", i, 15), i as u32);
    }
    for i in 1..9 {
        input = input.with_member(padded("c", i, 9), topics.clone());
    }
    let a = verify_both(&input);
    assert!(transferring(&cooperative_sticky::plan(&input)).is_empty());
    let next = input.with_previous(&a).without_member(&padded("c", 5, 9));
    let b = verify_both(&next);
    assert!(transferring(&cooperative_sticky::plan(&next)).is_empty());
    // Everything the others owned stays.
    for (m, tps) in b.iter() {
        assert!(set(tps).is_superset(&set(of(&a, m.as_str()))));
    }
}

#[test]
fn abstract_sticky_new_subscription() {
    // testNewSubscription (Kafka's second round carries no owned partitions)
    let mut input = AssignInput::new();
    for i in 1..5 {
        input = input.with_stream(padded("t", i, 5), 1);
    }
    for i in 0..3usize {
        let topics: Vec<String> = (i..=(3 * i).saturating_sub(2))
            .filter(|&j| j + 2 <= 3 * i)
            .map(|j| padded("t", j, 5))
            .collect();
        input = input.with_member(padded("c", i, 3), topics);
    }
    verify_both(&input);
    input
        .subscriptions
        .get_mut("c0")
        .unwrap()
        .push(padded("t", 1, 5));
    verify_both(&input);
}

#[test]
fn abstract_sticky_move_existing_assignments() {
    // testMoveExistingAssignments (the general algorithm)
    let mut input = AssignInput::new();
    for i in 1..=6 {
        input = input.with_stream(format!("topic{i}"), 1);
    }
    let input = sub(input, C1, &["topic1", "topic2"], &[tp("topic1", 0)], 1);
    let input = sub(
        input,
        C2,
        &["topic1", "topic2", "topic3", "topic4"],
        &[tp("topic2", 0), tp("topic3", 0)],
        1,
    );
    let input = sub(
        input,
        C3,
        &["topic2", "topic3", "topic4", "topic5", "topic6"],
        &[tp("topic4", 0), tp("topic5", 0), tp("topic6", 0)],
        1,
    );
    verify_both(&input);
}

#[test]
fn abstract_sticky_stickiness() {
    // testStickiness
    let input = AssignInput::new()
        .with_stream("topic1", 3)
        .with_member(C1, ["topic1"])
        .with_member(C2, ["topic1"])
        .with_member(C3, ["topic1"])
        .with_member(C4, ["topic1"]);
    let a = verify_both(&input);
    assert!(transferring(&cooperative_sticky::plan(&input)).is_empty());
    assert!(a.iter().all(|(_, tps)| tps.len() <= 1));
    // Removing the potential group leader.
    let next = input.with_previous(&a).without_member(C1);
    assert!(transferring(&cooperative_sticky::plan(&next)).is_empty());
    let b = verify_both(&next);
    for (m, tps) in b.iter() {
        assert_eq!(tps.len(), 1, "{m}");
        assert!(set(tps).is_superset(&set(of(&a, m.as_str()))), "{m}");
    }
}

#[test]
fn abstract_sticky_assignment_updated_for_deleted_topic() {
    // testAssignmentUpdatedForDeletedTopic
    let input = AssignInput::new()
        .with_stream("topic01", 1)
        .with_stream("topic03", 100)
        .with_member("consumer", ["topic01", "topic02", "topic03"]);
    let a = verify_both(&input);
    assert_eq!(of(&a, "consumer").len(), 1 + 100);
}

#[test]
fn abstract_sticky_no_exception_thrown_when_only_subscribed_topic_deleted() {
    // testNoExceptionThrownWhenOnlySubscribedTopicDeleted
    let input = AssignInput::new()
        .with_stream("topic", 3)
        .with_member("consumer", ["topic"]);
    let a = verify_both(&input);
    let next = AssignInput::new()
        .with_member("consumer", ["topic"])
        .with_previous(&a);
    let b = verify_both(&next);
    assert_eq!(of(&b, "consumer"), []);
}
