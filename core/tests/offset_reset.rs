//! Resetting an empty group's offsets, as `kafka-consumer-groups.sh --reset-offsets` does.
//! The cases follow `apache/kafka`'s `ResetConsumerGroupOffsetTest` (named on each test):
//! produce 100 records, consume and commit them all, leave, produce 100 more; then reset.

use brokerlab::{
    Broker, Event, GroupConfig, Instant, Offset, ResetOffsetsError, ResetScope, ResetTarget,
    StreamConfig, StreamPartition,
};

fn t(ms: u64) -> Instant {
    Instant::from_millis(ms)
}

/// Kafka's `produceConsumeAndShutdown` then `produceMessages(100)`: committed 100, end 200;
/// record `i` appended at `i` ms.
fn consumed_then_more() -> (Broker, StreamPartition) {
    let mut b = Broker::default();
    let s = b
        .declare_stream(t(0), "topic", StreamConfig::new(1))
        .unwrap();
    for i in 0..100 {
        b.produce(t(i), s, None, "v").unwrap();
    }
    b.join_group(t(100), "g", "m", &["topic"], GroupConfig::default())
        .unwrap();
    let p = StreamPartition::new(s, 0);
    let generation = b.group_generation(b.group_id("g").unwrap()).unwrap();
    b.commit(t(100), "g", "m", generation, &[(p, Offset(100))])
        .unwrap();
    b.leave_group(t(100), "g", "m").unwrap();
    for i in 100..200 {
        b.produce(t(i), s, None, "v").unwrap();
    }
    (b, p)
}

fn reset_to(to: ResetTarget) -> u64 {
    let (mut b, p) = consumed_then_more();
    let plan = b
        .reset_offsets(t(300), "g", ResetScope::AllStreams, to)
        .unwrap();
    assert_eq!(plan.len(), 1);
    let g = b.group_id("g").unwrap();
    assert_eq!(b.committed(g, p), Some(plan[0].offset));
    assert_eq!(plan[0].previous, Some(Offset(100)));
    assert_eq!(plan[0].lag, 200 - plan[0].offset.0);
    plan[0].offset.0
}

#[test]
fn to_earliest_and_latest() {
    // testResetOffsetsToEarliest, testResetOffsetsToLatest
    assert_eq!(reset_to(ResetTarget::Earliest), 0);
    assert_eq!(reset_to(ResetTarget::Latest), 200);
}

#[test]
fn to_an_offset_clamped_to_the_log() {
    // testResetOffsetsToSpecificOffset, and checkOffsetsRange's clamping
    assert_eq!(reset_to(ResetTarget::Offset(1)), 1);
    assert_eq!(reset_to(ResetTarget::Offset(1_000)), 200);
}

#[test]
fn shift_by_clamped_to_the_log() {
    // testResetOffsetsShiftPlus, testResetOffsetsShiftMinus,
    // testResetOffsetsShiftByLowerThanEarliest, testResetOffsetsShiftByHigherThanLatest
    assert_eq!(reset_to(ResetTarget::ShiftBy(50)), 150);
    assert_eq!(reset_to(ResetTarget::ShiftBy(-50)), 50);
    assert_eq!(reset_to(ResetTarget::ShiftBy(-150)), 0);
    assert_eq!(reset_to(ResetTarget::ShiftBy(150)), 200);
}

#[test]
fn to_a_time_falls_back_to_the_log_end() {
    // testResetOffsetsToLocalDateTime; testResetOffsetsByDurationFallbackToLatestWhenNoRecords
    assert_eq!(reset_to(ResetTarget::Timestamp(t(42))), 42);
    assert_eq!(reset_to(ResetTarget::Timestamp(t(5_000))), 200);
}

#[test]
fn a_dry_run_changes_nothing_and_a_reset_is_reported() {
    let (mut b, p) = consumed_then_more();
    let g = b.group_id("g").unwrap();
    while b.poll_event().is_some() {}
    let plan = b
        .plan_offset_reset("g", ResetScope::Partition(p), ResetTarget::Earliest)
        .unwrap();
    assert_eq!(plan[0].offset, Offset(0));
    assert_eq!(b.committed(g, p), Some(Offset(100)));
    assert_eq!(b.poll_event(), None);
    b.reset_offsets(
        t(300),
        "g",
        ResetScope::Stream(p.stream),
        ResetTarget::Earliest,
    )
    .unwrap();
    assert_eq!(
        b.poll_event(),
        Some(Event::OffsetsReset {
            group: g,
            partition: p,
            offset: Offset(0),
            previous: Some(Offset(100)),
        })
    );
    // A member joining now starts from the reset offset.
    let m = b
        .join_group(t(301), "g", "again", &["topic"], GroupConfig::default())
        .unwrap();
    assert_eq!(b.position(m, p), Some(Offset(0)));
}

#[test]
fn refused_with_kafkas_reason_while_the_group_has_members() {
    // ConsumerGroupCommand.resetOffsets: only an Empty or Dead group is reset.
    let (mut b, p) = consumed_then_more();
    b.join_group(t(300), "g", "m2", &["topic"], GroupConfig::default())
        .unwrap();
    let e = b
        .reset_offsets(t(300), "g", ResetScope::AllStreams, ResetTarget::Earliest)
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "Assignments can only be reset if the group 'g' is inactive, but the current state is \
         Stable (1 member(s))."
    );
    let g = b.group_id("g").unwrap();
    assert_eq!(b.committed(g, p), Some(Offset(100)), "nothing changed");
}

#[test]
fn bad_input_is_an_error() {
    // testResetOffsetsNotExistingGroup
    let (mut b, p) = consumed_then_more();
    assert_eq!(
        b.plan_offset_reset("nope", ResetScope::AllStreams, ResetTarget::Latest),
        Err(ResetOffsetsError::UnknownGroup)
    );
    let missing = StreamPartition::new(p.stream, 7);
    assert_eq!(
        b.plan_offset_reset("g", ResetScope::Partition(missing), ResetTarget::Latest),
        Err(ResetOffsetsError::UnknownPartition)
    );
    // A group that never committed cannot be shifted.
    b.join_group(t(300), "fresh", "x", &["topic"], GroupConfig::default())
        .unwrap();
    b.leave_group(t(300), "fresh", "x").unwrap();
    assert_eq!(
        b.plan_offset_reset("fresh", ResetScope::Partition(p), ResetTarget::ShiftBy(1)),
        Err(ResetOffsetsError::NoCommittedOffset(p))
    );
}
