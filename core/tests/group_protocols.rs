//! The two rebalance protocols, step by step: the classic group's states and timing
//! (initial rebalance delay, rejoin on heartbeat and poll, rebalance timeout), eager against
//! cooperative rebalancing, and the consumer protocol's per-member reconciliation (KIP-848).
//! Timing cases follow `GroupMetadataManagerTest` in Kafka's `group-coordinator` (named on
//! each test).

use brokerlab::assign::ServerAssignor;
use brokerlab::{
    Broker, Duration, Event, GroupConfig, GroupProtocol, GroupState, HeartbeatReply, Instant,
    LeaveReason, StreamConfig, StreamPartition,
};

const DELAY: u64 = 3_000;

fn t(ms: u64) -> Instant {
    Instant::from_millis(ms)
}

fn broker(partitions: u32) -> Broker {
    let mut b = Broker::default();
    b.declare_stream(t(0), "s", StreamConfig::new(partitions))
        .unwrap();
    b
}

fn delayed(rebalance_timeout: u64) -> GroupConfig {
    GroupConfig::default()
        .with_initial_rebalance_delay(Duration::from_millis(DELAY))
        .with_rebalance_timeout(Duration::from_millis(rebalance_timeout))
        .with_session_timeout(Duration::from_secs(60))
}

fn state(b: &Broker) -> GroupState {
    b.group_state(b.group_id("g").unwrap()).unwrap()
}

fn generation(b: &Broker) -> u32 {
    b.group_generation(b.group_id("g").unwrap()).unwrap()
}

fn parts(b: &Broker, m: &str) -> Vec<u32> {
    let id = b.group_member("g", m).unwrap();
    b.assigned_partitions(id)
        .into_iter()
        .map(|p| p.partition.0)
        .collect()
}

/// `m` hears of the rebalance and rejoins with a poll that reads nothing.
fn rejoin(b: &mut Broker, at: u64, m: &str) -> HeartbeatReply {
    let reply = b.heartbeat(t(at), "g", m).unwrap();
    let id = b.group_member("g", m).unwrap();
    b.poll(t(at), id, 0).unwrap();
    reply
}

fn states(b: &mut Broker) -> Vec<GroupState> {
    std::iter::from_fn(|| b.poll_event())
        .filter_map(|e| match e {
            Event::GroupStateChanged { to, .. } => Some(to),
            _ => None,
        })
        .collect()
}

#[test]
fn an_empty_group_waits_its_initial_rebalance_delay() {
    // testDelayInitialRebalanceByGroupInitialRebalanceDelayOnEmptyGroup
    let mut b = broker(2);
    b.join_group(t(0), "g", "a", &["s"], delayed(300_000))
        .unwrap();
    assert_eq!(state(&b), GroupState::PreparingRebalance);
    assert_eq!(b.poll_timeout(), Some(t(DELAY)));
    b.handle_timeout(t(DELAY / 2));
    assert_eq!(
        (state(&b), generation(&b)),
        (GroupState::PreparingRebalance, 0)
    );
    assert!(parts(&b, "a").is_empty(), "nobody reads during the delay");
    b.handle_timeout(t(DELAY + 1));
    assert_eq!((state(&b), generation(&b)), (GroupState::Stable, 1));
    assert_eq!(parts(&b, "a"), [0, 1]);
    assert_eq!(
        states(&mut b),
        [
            GroupState::PreparingRebalance,
            GroupState::CompletingRebalance,
            GroupState::Stable
        ]
    );
}

#[test]
fn a_join_during_the_initial_delay_extends_it() {
    // testResetRebalanceDelayWhenNewMemberJoinsGroupDuringInitialRebalance
    let mut b = broker(2);
    b.join_group(t(0), "g", "a", &["s"], delayed(3 * DELAY))
        .unwrap();
    b.join_group(t(DELAY - 1), "g", "b", &["s"], delayed(3 * DELAY))
        .unwrap();
    b.handle_timeout(t(DELAY + 1));
    // The delay ended with a new member in: it starts again from now.
    assert_eq!(b.poll_timeout(), Some(t(2 * DELAY + 1)));
    b.handle_timeout(t(DELAY + 1 + DELAY / 2 + 1));
    assert_eq!(state(&b), GroupState::PreparingRebalance);
    b.handle_timeout(t(2 * DELAY + 2));
    assert_eq!((state(&b), generation(&b)), (GroupState::Stable, 1));
    assert_eq!((parts(&b, "a"), parts(&b, "b")), (vec![0], vec![1]));
}

#[test]
fn the_initial_delay_never_runs_past_the_rebalance_timeout() {
    // testDelayRebalanceUptoRebalanceTimeout
    let mut b = broker(3);
    let cfg = delayed(2 * DELAY);
    b.join_group(t(0), "g", "a", &["s"], cfg).unwrap();
    b.join_group(t(0), "g", "b", &["s"], cfg).unwrap();
    b.handle_timeout(t(DELAY + 1));
    b.join_group(t(DELAY + 1), "g", "c", &["s"], cfg).unwrap();
    b.handle_timeout(t(2 * DELAY));
    assert_eq!(state(&b), GroupState::PreparingRebalance);
    // What was left of the rebalance timeout is used up: c's join does not extend it again.
    b.handle_timeout(t(2 * DELAY + 1));
    assert_eq!((state(&b), generation(&b)), (GroupState::Stable, 1));
    assert_eq!(
        b.poll_timeout(),
        Some(t(60_000)),
        "only session deadlines are left"
    );
}

#[test]
fn members_rejoin_when_their_heartbeat_tells_them_and_eager_ones_stop_meanwhile() {
    let mut b = broker(4);
    let cfg = GroupConfig::default();
    b.join_group(t(0), "g", "a", &["s"], cfg).unwrap();
    b.join_group(t(0), "g", "b", &["s"], cfg).unwrap();
    assert_eq!(rejoin(&mut b, 0, "a"), HeartbeatReply::RejoinNeeded);
    assert_eq!((parts(&b, "a"), parts(&b, "b")), (vec![0, 1], vec![2, 3]));
    // c joins: a and b keep reading until their heartbeats tell them.
    b.join_group(t(100), "g", "c", &["s"], cfg).unwrap();
    assert_eq!(state(&b), GroupState::PreparingRebalance);
    let a = b.group_member("g", "a").unwrap();
    b.poll(t(200), a, 10).unwrap();
    assert_eq!(parts(&b, "a"), [0, 1], "a poll without the news reads on");
    assert_eq!(rejoin(&mut b, 300, "a"), HeartbeatReply::RejoinNeeded);
    assert!(parts(&b, "a").is_empty(), "eager: a gave everything up");
    assert_eq!(parts(&b, "b"), [2, 3], "b has not heard yet");
    assert_eq!(state(&b), GroupState::PreparingRebalance);
    assert_eq!(rejoin(&mut b, 400, "b"), HeartbeatReply::RejoinNeeded);
    assert_eq!(state(&b), GroupState::Stable);
    assert_eq!(generation(&b), 3);
    assert_eq!(
        (parts(&b, "a"), parts(&b, "b"), parts(&b, "c")),
        (vec![0, 1], vec![2], vec![3])
    );
}

#[test]
fn cooperative_members_keep_reading_what_does_not_move() {
    // The second rebalance of KIP-429: revoke in one generation, assign in the next.
    let mut b = broker(4);
    let cfg = GroupConfig::default().with_assignor(brokerlab::assign::Assignor::CooperativeSticky);
    b.join_group(t(0), "g", "a", &["s"], cfg).unwrap();
    b.join_group(t(0), "g", "b", &["s"], cfg).unwrap();
    rejoin(&mut b, 0, "a");
    rejoin(&mut b, 0, "a");
    rejoin(&mut b, 0, "b");
    assert_eq!((parts(&b, "a"), parts(&b, "b")), (vec![0, 1], vec![2, 3]));
    let g0 = generation(&b);
    b.join_group(t(100), "g", "c", &["s"], cfg).unwrap();
    rejoin(&mut b, 200, "a");
    assert_eq!(
        parts(&b, "a"),
        [0, 1],
        "cooperative: a keeps its partitions"
    );
    rejoin(&mut b, 300, "b");
    // First rebalance done: b gave up partition 3 only, and rejoins at once.
    assert_eq!(generation(&b), g0 + 1);
    assert_eq!(state(&b), GroupState::PreparingRebalance);
    assert_eq!((parts(&b, "a"), parts(&b, "b")), (vec![0, 1], vec![2]));
    assert!(parts(&b, "c").is_empty());
    rejoin(&mut b, 400, "a");
    rejoin(&mut b, 400, "c");
    assert_eq!((state(&b), generation(&b)), (GroupState::Stable, g0 + 2));
    assert_eq!(
        (parts(&b, "a"), parts(&b, "b"), parts(&b, "c")),
        (vec![0, 1], vec![2], vec![3])
    );
}

#[test]
fn a_member_that_does_not_rejoin_in_time_is_removed() {
    // testStaticMemberFollowerFailToRejoinBeforeRebalanceTimeout, for a dynamic member: the
    // rebalance completes at its timeout without the members that did not rejoin.
    let mut b = broker(2);
    let cfg = GroupConfig::default()
        .with_rebalance_timeout(Duration::from_millis(5_000))
        .with_session_timeout(Duration::from_secs(60));
    b.join_group(t(0), "g", "a", &["s"], cfg).unwrap();
    b.join_group(t(0), "g", "b", &["s"], cfg).unwrap();
    // a heartbeats (it is alive) but never polls: it is stuck in its processing.
    assert_eq!(
        b.heartbeat(t(1_000), "g", "a"),
        Ok(HeartbeatReply::RejoinNeeded)
    );
    assert_eq!(b.poll_timeout(), Some(t(5_000)));
    b.handle_timeout(t(5_000));
    let a_gone = std::iter::from_fn(|| b.poll_event()).any(|e| {
        matches!(
            e,
            Event::MemberLeft {
                reason: LeaveReason::RebalanceTimeout,
                ..
            }
        )
    });
    assert!(a_gone);
    assert_eq!(b.group_member("g", "a"), None);
    assert_eq!(
        (state(&b), parts(&b, "b")),
        (GroupState::Stable, vec![0, 1])
    );
}

#[test]
fn the_consumer_protocol_revokes_before_it_assigns_one_member_at_a_time() {
    // testReconciliationProcess: no barrier; a partition moves only once its owner let go.
    let mut b = broker(4);
    let cfg = GroupConfig::default()
        .with_protocol(GroupProtocol::Consumer)
        .with_server_assignor(ServerAssignor::Uniform);
    b.join_group(t(0), "g", "a", &["s"], cfg).unwrap();
    assert_eq!((state(&b), generation(&b)), (GroupState::Stable, 1));
    assert_eq!(parts(&b, "a"), [0, 1, 2, 3]);
    b.join_group(t(100), "g", "b", &["s"], cfg).unwrap();
    let g = b.group_id("g").unwrap();
    let target: Vec<Vec<u32>> = b
        .group_target(g)
        .into_iter()
        .map(|m| m.partitions.iter().map(|p| p.partition.0).collect())
        .collect();
    assert_eq!(target, [vec![0, 1], vec![2, 3]], "epoch 2's target");
    assert_eq!(generation(&b), 2);
    assert_eq!(state(&b), GroupState::Reconciling);
    assert!(parts(&b, "b").is_empty(), "a still owns b's target");
    // a keeps reading everything until its heartbeat: then it gives up 2 and 3 only.
    let a = b.group_member("g", "a").unwrap();
    assert_eq!(b.member_epoch(a), Some(1));
    assert_eq!(
        b.heartbeat(t(200), "g", "a"),
        Ok(HeartbeatReply::AssignmentChanged)
    );
    assert_eq!(parts(&b, "a"), [0, 1]);
    assert_eq!(b.member_epoch(a), Some(2));
    assert_eq!(state(&b), GroupState::Reconciling, "b has not heard yet");
    assert_eq!(
        b.heartbeat(t(300), "g", "b"),
        Ok(HeartbeatReply::AssignmentChanged)
    );
    assert_eq!(parts(&b, "b"), [2, 3]);
    assert_eq!(state(&b), GroupState::Stable);
    // Nothing new: a heartbeat changes nothing.
    assert_eq!(b.heartbeat(t(400), "g", "a"), Ok(HeartbeatReply::Ok));
    let events: Vec<String> = std::iter::from_fn(|| b.poll_event())
        .filter(|e| {
            matches!(
                e,
                Event::PartitionsRevoked { .. }
                    | Event::MemberAssigned { .. }
                    | Event::TargetAssignmentChanged { .. }
            )
        })
        .map(|e| e.to_string())
        .collect();
    assert_eq!(
        events,
        [
            "target g1 epoch=1 sc1=[st1/0 st1/1 st1/2 st1/3]",
            "member-assigned g1 sc1 epoch=1 [st1/0 st1/1 st1/2 st1/3] pending=0",
            "target g1 epoch=2 sc1=[st1/0 st1/1] sc2=[st1/2 st1/3]",
            "member-assigned g1 sc2 epoch=2 [] pending=2",
            "revoked g1 gen=1 sc1 [st1/2 st1/3]",
            "member-assigned g1 sc1 epoch=2 [st1/0 st1/1] pending=0",
            "member-assigned g1 sc2 epoch=2 [st1/2 st1/3] pending=0",
        ]
    );
}

#[test]
fn a_group_keeps_its_protocol_while_it_has_members() {
    let mut b = broker(1);
    let consumer = GroupConfig::default().with_protocol(GroupProtocol::Consumer);
    b.join_group(t(0), "g", "a", &["s"], consumer).unwrap();
    let err = b
        .join_group(t(0), "g", "b", &["s"], GroupConfig::default())
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the group uses the consumer protocol, not classic"
    );
    b.leave_group(t(1), "g", "a").unwrap();
    assert_eq!(state(&b), GroupState::Empty);
    b.join_group(t(2), "g", "b", &["s"], GroupConfig::default())
        .unwrap();
    let g = b.group_id("g").unwrap();
    assert_eq!(b.group_protocol(g), Some(GroupProtocol::Classic));
    assert_eq!(
        b.assigned_partitions(b.group_member("g", "b").unwrap()),
        [StreamPartition::new(b.stream_id("s").unwrap(), 0)]
    );
}

#[test]
fn an_empty_group_can_be_deleted_and_is_gone_after_a_restart() {
    // kafka-consumer-groups --delete: refused with NON_EMPTY_GROUP while it has members.
    let mut b = broker(2);
    let s = b.stream_id("s").unwrap();
    let cfg = GroupConfig::default();
    b.join_group(t(0), "g", "a", &["s"], cfg).unwrap();
    b.produce_to(t(0), s, brokerlab::Partition(0), None, "v")
        .unwrap();
    b.commit(
        t(1),
        "g",
        "a",
        1,
        &[(StreamPartition::new(s, 0), brokerlab::Offset(1))],
    )
    .unwrap();
    assert_eq!(
        b.delete_group(t(2), "g"),
        Err(brokerlab::DeleteGroupError::NotEmpty { members: 1 })
    );
    b.leave_group(t(3), "g", "a").unwrap();
    let g = b.group_id("g").unwrap();
    assert_eq!(b.group_state(g), Some(GroupState::Empty));
    while b.poll_event().is_some() {}
    b.delete_group(t(4), "g").unwrap();
    assert_eq!(
        states(&mut b),
        [GroupState::Dead],
        "reported Dead, then forgotten"
    );
    assert_eq!(b.group_id("g"), None);
    assert_eq!(
        b.delete_group(t(5), "g"),
        Err(brokerlab::DeleteGroupError::UnknownGroup)
    );
    b.flush().unwrap();
    let (mut b, _) = Broker::recover(b.into_storage(), brokerlab::Limits::default()).unwrap();
    assert_eq!(b.group_id("g"), None, "a deleted group stays deleted");
    // A join makes a new group: no commits, generation 1.
    b.join_group(t(6), "g", "a", &["s"], cfg).unwrap();
    let g = b.group_id("g").unwrap();
    assert_eq!(b.committed(g, StreamPartition::new(s, 0)), None);
    assert_eq!(b.group_generation(g), Some(1));
}
