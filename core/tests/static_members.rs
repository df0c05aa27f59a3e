//! Static group membership (Kafka's `group.instance.id`, KIP-345): a static member that
//! comes back before its session times out takes its partitions back in the same generation,
//! with no rebalance; a duplicate fences the older one; after the timeout it is evicted like
//! any member. The cases follow `GroupMetadataManagerTest` in Kafka's `group-coordinator`
//! (named on each test).

use brokerlab::{
    Broker, Duration, Event, GroupConfig, Instant, LeaveReason, Offset, Partition, PollError,
    StreamConfig, StreamPartition,
};

fn t(ms: u64) -> Instant {
    Instant::from_millis(ms)
}

fn config() -> GroupConfig {
    GroupConfig::default().with_session_timeout(Duration::from_millis(3_000))
}

/// A stream of 4 partitions with 10 records each; static members `a` (instance `host-a`)
/// and `b` (instance `host-b`) in group `g`, each committing 5 on its partitions.
fn two_static_members() -> (Broker, Vec<StreamPartition>) {
    let mut b = Broker::default();
    let s = b.declare_stream(t(0), "s", StreamConfig::new(4)).unwrap();
    for p in 0..4u32 {
        for _ in 0..10 {
            b.produce_to(t(0), s, Partition(p), None, "v").unwrap();
        }
    }
    let parts: Vec<StreamPartition> = (0..4).map(|p| StreamPartition::new(s, p)).collect();
    b.join_group_static(t(0), "g", "a", "host-a", &["s"], config())
        .unwrap();
    b.join_group_static(t(0), "g", "b", "host-b", &["s"], config())
        .unwrap();
    rejoin(&mut b, 0, "a");
    let gen_ = b.group_generation(b.group_id("g").unwrap()).unwrap();
    for m in ["a", "b"] {
        let id = b.group_member("g", m).unwrap();
        let offsets: Vec<_> = b
            .assigned_partitions(id)
            .into_iter()
            .map(|p| (p, Offset(5)))
            .collect();
        b.commit(t(0), "g", m, gen_, &offsets).unwrap();
    }
    while b.poll_event().is_some() {}
    (b, parts)
}

/// Member `m` of `g` learns of the rebalance from its heartbeat and rejoins with a poll.
fn rejoin(b: &mut Broker, at: u64, m: &str) {
    b.heartbeat(t(at), "g", m).unwrap();
    let id = b.group_member("g", m).unwrap();
    b.poll(t(at), id, 0).unwrap();
}

fn events(b: &mut Broker) -> Vec<Event> {
    std::iter::from_fn(|| b.poll_event()).collect()
}

#[test]
fn a_static_member_back_within_its_session_gets_its_partitions_with_no_rebalance() {
    // testStaticMemberGetsBackAssignmentUponRejoin, testStaticMemberRejoinWithKnownMemberId
    let (mut b, _) = two_static_members();
    let g = b.group_id("g").unwrap();
    let generation = b.group_generation(g).unwrap();
    let old = b.group_member("g", "b").unwrap();
    let owned = b.assigned_partitions(old);
    // b's process dies (no leave) and comes back 1 s later, within its 3 s session.
    b.heartbeat(t(1_000), "g", "a").unwrap();
    let new = b
        .join_group_static(t(1_000), "g", "b", "host-b", &["s"], config())
        .unwrap();
    assert_ne!(new, old);
    assert_eq!(b.group_generation(g), Some(generation), "no new generation");
    assert_eq!(b.assigned_partitions(new), owned);
    for p in &owned {
        assert_eq!(
            b.position(new, *p),
            Some(Offset(5)),
            "resumes from the commit"
        );
    }
    let ev = events(&mut b);
    assert!(
        !ev.iter().any(|e| matches!(e, Event::Rebalanced { .. })),
        "{ev:?}"
    );
    assert!(ev.contains(&Event::MemberLeft {
        group: g,
        member: old,
        reason: LeaveReason::Fenced
    }));
    assert!(ev.contains(&Event::StaticMemberRejoined {
        group: g,
        member: new,
        previous: old,
        generation
    }));
    // Its commits in the same generation are accepted.
    b.commit(t(1_100), "g", "b", generation, &[(owned[0], Offset(7))])
        .unwrap();
}

#[test]
fn a_duplicate_instance_fences_the_older_member() {
    // testStaticMemberFenceDuplicateRejoinedFollower
    let (mut b, _) = two_static_members();
    let old = b.group_member("g", "b").unwrap();
    let new = b
        .join_group_static(t(500), "g", "b-2", "host-b", &["s"], config())
        .unwrap();
    assert_eq!(b.group_member("g", "b"), None, "the old member id is gone");
    assert_eq!(b.group_member("g", "b-2"), Some(new));
    assert!(matches!(
        b.poll(t(600), old, 10),
        Err(PollError::UnknownConsumer)
    ));
    assert!(b.heartbeat(t(600), "g", "b").is_err());
}

#[test]
fn after_its_session_timeout_a_static_member_is_evicted_and_rejoins_with_a_rebalance() {
    // testStaticMemberFollowerFailToRejoinBeforeRebalanceTimeout (evicted, then a new member)
    let (mut b, _) = two_static_members();
    let g = b.group_id("g").unwrap();
    let generation = b.group_generation(g).unwrap();
    b.heartbeat(t(2_900), "g", "a").unwrap();
    b.handle_timeout(t(3_000));
    assert_eq!(b.group_member("g", "b"), None, "evicted");
    rejoin(&mut b, 3_000, "a");
    assert_eq!(b.group_generation(g), Some(generation + 1));
    b.join_group_static(t(3_500), "g", "b", "host-b", &["s"], config())
        .unwrap();
    rejoin(&mut b, 3_500, "a");
    assert_eq!(b.group_generation(g), Some(generation + 2));
}

#[test]
fn a_changed_subscription_on_rejoin_rebalances() {
    // testStaticMemberRejoinsWithNewSubscribedTopics
    let (mut b, _) = two_static_members();
    b.declare_stream(t(0), "other", StreamConfig::new(1))
        .unwrap();
    let g = b.group_id("g").unwrap();
    let generation = b.group_generation(g).unwrap();
    b.join_group_static(t(100), "g", "b", "host-b", &["s", "other"], config())
        .unwrap();
    rejoin(&mut b, 100, "a");
    assert_eq!(b.group_generation(g), Some(generation + 1));
}

#[test]
fn static_members_come_first_by_instance_id() {
    // RangeAssignorTest.testStaticMemberRangeAssignmentPersistent: static members are
    // ordered by instance id before dynamic ones by member id.
    let mut b = Broker::default();
    let s = b.declare_stream(t(0), "s", StreamConfig::new(2)).unwrap();
    b.join_group(t(0), "g", "a-dynamic", &["s"], config())
        .unwrap();
    let z = b
        .join_group_static(t(0), "g", "z", "instance-0", &["s"], config())
        .unwrap();
    rejoin(&mut b, 0, "a-dynamic");
    assert_eq!(b.assigned_partitions(z), [StreamPartition::new(s, 0)]);
}
