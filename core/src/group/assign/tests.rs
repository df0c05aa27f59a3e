//! The examples of Kafka's assignor javadocs, and edge cases of the input.

use alloc::collections::BTreeSet;
use alloc::string::ToString;
use alloc::vec;
use alloc::vec::Vec;

use super::*;

fn tp(stream: &str, partition: u32) -> TopicPartition {
    TopicPartition::new(stream, partition)
}

fn set(tps: &[TopicPartition]) -> BTreeSet<TopicPartition> {
    tps.iter().cloned().collect()
}

/// Two consumers C0, C1, two topics t0, t1 with 3 partitions each.
fn two_by_two() -> AssignInput {
    AssignInput::new()
        .with_stream("t0", 3)
        .with_stream("t1", 3)
        .with_member("C0", ["t0", "t1"])
        .with_member("C1", ["t0", "t1"])
}

/// Three consumers C0..C2 subscribed to four topics t0..t3 with 2 partitions each.
fn sticky_javadoc() -> AssignInput {
    let topics = ["t0", "t1", "t2", "t3"];
    let mut input = AssignInput::new();
    for t in topics {
        input = input.with_stream(t, 2);
    }
    for c in ["C0", "C1", "C2"] {
        input = input.with_member(c, topics);
    }
    input
}

#[test]
fn range_javadoc_example() {
    let a = range::assign(&two_by_two());
    assert_eq!(
        a.get("C0").unwrap(),
        [tp("t0", 0), tp("t0", 1), tp("t1", 0), tp("t1", 1)]
    );
    assert_eq!(a.get("C1").unwrap(), [tp("t0", 2), tp("t1", 2)]);
}

#[test]
fn round_robin_javadoc_example() {
    let a = round_robin::assign(&two_by_two());
    assert_eq!(
        a.get("C0").unwrap(),
        [tp("t0", 0), tp("t0", 2), tp("t1", 1)]
    );
    assert_eq!(
        a.get("C1").unwrap(),
        [tp("t0", 1), tp("t1", 0), tp("t1", 2)]
    );
}

#[test]
fn round_robin_javadoc_differing_subscriptions() {
    let input = AssignInput::new()
        .with_stream("t0", 1)
        .with_stream("t1", 2)
        .with_stream("t2", 3)
        .with_member("C0", ["t0"])
        .with_member("C1", ["t0", "t1"])
        .with_member("C2", ["t0", "t1", "t2"]);
    let a = round_robin::assign(&input);
    assert_eq!(a.get("C0").unwrap(), [tp("t0", 0)]);
    assert_eq!(a.get("C1").unwrap(), [tp("t1", 0)]);
    assert_eq!(
        a.get("C2").unwrap(),
        [tp("t1", 1), tp("t2", 0), tp("t2", 1), tp("t2", 2)]
    );
}

#[test]
fn sticky_javadoc_examples() {
    let input = sticky_javadoc();
    let first = sticky::assign(&input);
    assert_eq!(
        set(first.get("C0").unwrap()),
        set(&[tp("t0", 0), tp("t1", 1), tp("t3", 0)])
    );
    assert_eq!(
        set(first.get("C1").unwrap()),
        set(&[tp("t0", 1), tp("t2", 0), tp("t3", 1)])
    );
    assert_eq!(
        set(first.get("C2").unwrap()),
        set(&[tp("t1", 0), tp("t2", 1)])
    );

    // C1 leaves: sticky moves only C1's three partitions, dealt round-robin in (stream,
    // partition) order over C0 and C2 as Kafka's current code does (the javadoc, written for
    // an older algorithm, shows C0 taking t2p0 and C2 taking t0p1 and t3p1 instead).
    let next = input.with_previous(&first).without_member("C1");
    let sticky = sticky::assign(&next);
    assert_eq!(sticky.len(), 2);
    assert_eq!(
        set(sticky.get("C0").unwrap()),
        set(&[tp("t0", 0), tp("t1", 1), tp("t3", 0), tp("t0", 1)])
    );
    assert_eq!(
        set(sticky.get("C2").unwrap()),
        set(&[tp("t1", 0), tp("t2", 1), tp("t2", 0), tp("t3", 1)])
    );

    // ...whereas round-robin reshuffles: C0 [t0p0, t1p0, t2p0, t3p0], C2 [t0p1, ...].
    let rr = round_robin::assign(&next);
    assert_eq!(
        rr.get("C0").unwrap(),
        [tp("t0", 0), tp("t1", 0), tp("t2", 0), tp("t3", 0)]
    );
    let kept = |a: &Assignment| {
        ["C0", "C2"]
            .iter()
            .map(|c| {
                set(a.get(c).unwrap())
                    .intersection(&set(first.get(c).unwrap()))
                    .count()
            })
            .sum::<usize>()
    };
    assert_eq!(kept(&sticky), 5);
    assert!(kept(&rr) < 5);

    // Cooperative-sticky: same target; C0 and C2 keep everything through the rebalance.
    let plan = cooperative_sticky::plan(&next);
    assert_eq!(plan.target, sticky);
    assert!(plan.revoked.is_empty());
    // C1's partitions have no live owner any more, so they are handed out at once.
    assert_eq!(plan.first, plan.target);
    assert!(!plan.needs_second_assignment());
}

/// The second example of Kafka's StickyAssignor javadoc: differing subscriptions.
/// C0 to t0; C1 to t0, t1; C2 to t0, t1, t2 (t0: 1, t1: 2, t2: 3 partitions). Round-robin
/// gives C0 [t0p0], C1 [t1p0], C2 [t1p1, t2p0, t2p1, t2p2]; sticky gives the balanced
/// C0 [t0p0], C1 [t1p0, t1p1], C2 [t2p0, t2p1, t2p2]. When C0 leaves, sticky keeps C1 and C2
/// and gives t0p0 to C1.
#[test]
fn sticky_javadoc_differing_subscriptions() {
    let input = AssignInput::new()
        .with_stream("t0", 1)
        .with_stream("t1", 2)
        .with_stream("t2", 3)
        .with_member("C0", ["t0"])
        .with_member("C1", ["t0", "t1"])
        .with_member("C2", ["t0", "t1", "t2"]);
    let a = sticky::assign(&input);
    assert_eq!(a.get("C0").unwrap(), [tp("t0", 0)]);
    assert_eq!(a.get("C1").unwrap(), [tp("t1", 0), tp("t1", 1)]);
    assert_eq!(
        a.get("C2").unwrap(),
        [tp("t2", 0), tp("t2", 1), tp("t2", 2)]
    );

    let b = sticky::assign(&input.with_previous(&a).without_member("C0"));
    assert_eq!(
        b.get("C1").unwrap(),
        [tp("t0", 0), tp("t1", 0), tp("t1", 1)]
    );
    assert_eq!(
        b.get("C2").unwrap(),
        [tp("t2", 0), tp("t2", 1), tp("t2", 2)]
    );
}

#[test]
fn member_ids_sort_as_strings() {
    // "c10" < "c2": c10 is the first member, so range gives it the extra partition.
    let input = AssignInput::new()
        .with_stream("s", 3)
        .with_member("c2", ["s"])
        .with_member("c10", ["s"]);
    let a = range::assign(&input);
    assert_eq!(a.get("c10").unwrap(), [tp("s", 0), tp("s", 1)]);
    assert_eq!(a.get("c2").unwrap(), [tp("s", 2)]);
    let members: Vec<&str> = a.iter().map(|(m, _)| m.as_str()).collect();
    assert_eq!(members, ["c10", "c2"]);
}

#[test]
fn range_formula_with_many_members() {
    // n = 10, c = 4: sizes 3, 3, 2, 2 starting at 0, 3, 6, 8.
    let mut input = AssignInput::new().with_stream("s", 10);
    for c in ["a", "b", "c", "d"] {
        input = input.with_member(c, ["s"]);
    }
    let a = range::assign(&input);
    let starts_and_lens: Vec<(u32, usize)> = a
        .iter()
        .map(|(_, tps)| (tps[0].partition.0, tps.len()))
        .collect();
    assert_eq!(starts_and_lens, [(0, 3), (3, 3), (6, 2), (8, 2)]);
}

#[test]
fn members_beyond_the_partition_count_are_idle_and_listed() {
    let mut input = AssignInput::new().with_stream("s", 2);
    for c in ["a", "b", "c", "d"] {
        input = input.with_member(c, ["s"]);
    }
    for assignor in Assignor::ALL {
        let a = assignor.assign(&input);
        assert_eq!(a.len(), 4, "{assignor}");
        assert_eq!(a.assigned_count(), 2, "{assignor}");
        assert!(a.iter().filter(|(_, tps)| tps.is_empty()).count() == 2);
    }
}

#[test]
fn unknown_streams_repeats_and_empty_inputs_are_handled() {
    let input = AssignInput::new()
        .with_stream("s", 2)
        .with_stream("empty", 0)
        .with_member("a", ["s", "s", "missing", "empty"])
        .with_member("b", Vec::<&str>::new());
    for assignor in Assignor::ALL {
        let a = assignor.assign(&input);
        assert_eq!(a.get("a").unwrap(), [tp("s", 0), tp("s", 1)], "{assignor}");
        assert_eq!(a.get("b").unwrap(), [], "{assignor}");
        assert_eq!(a.get("nobody"), None);
        assert!(assignor.assign(&AssignInput::new()).is_empty());
    }
    // Streams but no members; members but no streams.
    let no_members = AssignInput::new().with_stream("s", 3);
    let no_streams = AssignInput::new().with_member("a", ["s"]);
    for assignor in Assignor::ALL {
        assert!(assignor.assign(&no_members).is_empty());
        assert_eq!(assignor.assign(&no_streams).get("a").unwrap(), []);
    }
}

#[test]
fn sticky_ignores_invalid_previous_ownership() {
    let input = AssignInput::new()
        .with_stream("s", 4)
        .with_stream("u", 2)
        .with_member("a", ["s"])
        .with_member("b", ["s"])
        // a claims a partition out of range, a deleted stream and one it no longer subscribes to.
        .with_owned("a", [tp("s", 3), tp("s", 9), tp("gone", 0), tp("u", 0)])
        // a member that left claims s-1.
        .with_owned("left", [tp("s", 1)])
        .with_owned("b", [tp("s", 2)]);
    let a = sticky::assign(&input);
    assert!(a.get("a").unwrap().contains(&tp("s", 3)));
    assert!(a.get("b").unwrap().contains(&tp("s", 2)));
    assert_eq!(a.assigned_count(), 4);
    assert_eq!(a.get("left"), None);
    // u has no subscribers now: nobody owns it.
    assert!(a.owners().keys().all(|tp| tp.stream == "s"));
}

#[test]
fn sticky_resolves_a_partition_claimed_twice_deterministically() {
    let input = AssignInput::new()
        .with_stream("s", 4)
        .with_member("a", ["s"])
        .with_member("b", ["s"])
        .with_owned("a", [tp("s", 0), tp("s", 1)])
        .with_owned("b", [tp("s", 1), tp("s", 2)]);
    let a = sticky::assign(&input);
    // Both claims have the same (unknown) generation, so s-1 is kept by neither: the unowned
    // s-1 and s-3 are dealt round-robin over a and b (sorted by id).
    assert_eq!(a.get("a").unwrap(), [tp("s", 0), tp("s", 1)]);
    assert_eq!(a.get("b").unwrap(), [tp("s", 2), tp("s", 3)]);
    assert_eq!(sticky::assign(&input), a);

    // Cooperative: s-1 changes hands through a revocation by both claimers.
    let plan = cooperative_sticky::plan(&input);
    assert_eq!(plan.revoked.get("a").unwrap(), &[tp("s", 1)]);
    assert_eq!(plan.revoked.get("b").unwrap(), &[tp("s", 1)]);
    assert_eq!(plan.first.get("a").unwrap(), [tp("s", 0)]);
    assert_eq!(plan.first.get("b").unwrap(), [tp("s", 2), tp("s", 3)]);
    assert!(plan.needs_second_assignment());

    // With generations, the newer claim wins: b (generation 2) keeps s-1, a's stale claim is
    // dropped; only the unclaimed s-3 is handed out, to a.
    let input = AssignInput::new()
        .with_stream("s", 4)
        .with_member("a", ["s"])
        .with_member("b", ["s"])
        .with_previous_generation("a", 1, [tp("s", 0), tp("s", 1)])
        .with_previous_generation("b", 2, [tp("s", 1), tp("s", 2)]);
    assert_eq!(input.generation_of("b"), 2);
    assert_eq!(input.generation_of("nobody"), -1);
    let a = sticky::assign(&input);
    assert_eq!(a.get("a").unwrap(), [tp("s", 0), tp("s", 3)]);
    assert_eq!(a.get("b").unwrap(), [tp("s", 1), tp("s", 2)]);
    let plan = cooperative_sticky::plan(&input);
    assert_eq!(plan.first, a);
    assert_eq!(plan.revoked.get("a").unwrap(), &[tp("s", 1)]);
}

#[test]
fn java_hash_order_matches_java() {
    // Java's String.hashCode values, and the HashMap<String, _> order of Kafka's test ids.
    assert_eq!(java_string_hash(""), 0);
    assert_eq!(java_string_hash("a"), 97);
    assert_eq!(java_string_hash("hello"), 99_162_322);
    let input = ["consumer1", "consumer2", "consumer3", "consumer4"]
        .iter()
        .fold(AssignInput::new(), |i, c| i.with_member(*c, ["t"]));
    let model = Model::new(&input);
    let order: Vec<&str> = model
        .java_hash_order()
        .iter()
        .map(|&m| model.members[m as usize].as_str())
        .collect();
    assert_eq!(order, ["consumer4", "consumer3", "consumer2", "consumer1"]);
}

#[test]
fn static_members_order_range_and_round_robin_only() {
    // Kafka's MemberInfo order: static members first by instance id, then dynamic by id.
    let input = AssignInput::new()
        .with_stream("s", 3)
        .with_member("a", ["s"])
        .with_static_member("z", "i2", ["s"])
        .with_static_member("y", "i1", ["s"]);
    let r = range::assign(&input);
    assert_eq!(r.get("y").unwrap(), [tp("s", 0)]);
    assert_eq!(r.get("z").unwrap(), [tp("s", 1)]);
    assert_eq!(r.get("a").unwrap(), [tp("s", 2)]);
    let rr = round_robin::assign(&input);
    assert_eq!(rr, r);
    // Leaving forgets the instance id.
    let left = input.clone().without_member("z");
    assert!(!left.instance_ids.contains_key("z"));
    // The sticky assignors ignore instance ids (Kafka keys them by member id only).
    let mut dynamic = input.clone();
    dynamic.instance_ids.clear();
    assert_eq!(sticky::assign(&input), sticky::assign(&dynamic));
    assert_eq!(sticky::assign(&input).get("a").unwrap(), [tp("s", 0)]);
}

#[test]
fn sticky_rebalances_when_a_member_joins() {
    let mut input = AssignInput::new().with_stream("s", 6);
    for c in ["a", "b"] {
        input = input.with_member(c, ["s"]);
    }
    let before = sticky::assign(&input);
    let joined = input.with_previous(&before).with_member("c", ["s"]);
    let after = sticky::assign(&joined);
    for (_, tps) in after.iter() {
        assert_eq!(tps.len(), 2);
    }
    // a and b keep their first two partitions; c gets one from each.
    assert_eq!(after.get("a").unwrap(), &before.get("a").unwrap()[..2]);
    assert_eq!(after.get("b").unwrap(), &before.get("b").unwrap()[..2]);

    let plan = cooperative_sticky::plan(&joined);
    assert_eq!(plan.target, after);
    assert_eq!(plan.first.get("c").unwrap(), []);
    assert_eq!(plan.revoked.len(), 2);
}

#[test]
fn sticky_balances_kept_ownership_with_differing_subscriptions() {
    // b owned all of s and t; a joins subscribed only to s.
    let input = AssignInput::new()
        .with_stream("s", 4)
        .with_stream("t", 2)
        .with_member("a", ["s"])
        .with_member("b", ["s", "t"])
        .with_owned(
            "b",
            [
                tp("s", 0),
                tp("s", 1),
                tp("s", 2),
                tp("s", 3),
                tp("t", 0),
                tp("t", 1),
            ],
        );
    let a = sticky::assign(&input);
    assert_eq!(a.get("a").unwrap().len(), 3);
    assert_eq!(a.get("b").unwrap().len(), 3);
    assert!(a.get("a").unwrap().iter().all(|tp| tp.stream == "s"));
}

#[test]
fn assignor_names_and_display() {
    let names: Vec<&str> = Assignor::ALL.iter().map(|a| a.name()).collect();
    assert_eq!(
        names,
        ["range", "roundrobin", "sticky", "cooperative-sticky"]
    );
    assert!(Assignor::CooperativeSticky.is_cooperative());
    assert!(!Assignor::Sticky.is_cooperative());
    assert_eq!(tp("orders", 3).to_string(), "orders-3");
    let a = range::assign(&two_by_two());
    assert_eq!(
        a.to_string(),
        "C0: [t0-0, t0-1, t1-0, t1-1]\nC1: [t0-2, t1-2]\n"
    );
    assert_eq!(MemberId::from("x").to_string(), "x");
    let map: BTreeMap<MemberId, Vec<TopicPartition>> = a.clone().into();
    assert_eq!(&map, a.as_map());
    assert_eq!(a.owners()[&tp("t1", 2)].as_str(), "C1");
    let _ = vec![0u8; 0];
}
