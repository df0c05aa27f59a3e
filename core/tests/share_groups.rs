//! Share groups on the broker (Kafka's KIP-932): members that share the records of a
//! stream's partitions one record at a time. Rules and test names from Kafka's
//! `SharePartitionTest` and `SimpleAssignorTest` (cited per test).

use brokerlab::share::{AcknowledgeError, ArchiveReason, ReleaseReason};
use brokerlab::{
    AcknowledgeType, Broker, CreateShareGroupError, Duration, Event, Instant, JoinShareGroupError,
    Offset, Partition, ShareAcknowledgeError, ShareGroupConfig, ShareMemberError, ShareOffsetReset,
    StreamConfig, StreamPartition,
};

fn at(ms: u64) -> Instant {
    Instant::from_millis(ms)
}

fn earliest() -> ShareGroupConfig {
    ShareGroupConfig {
        auto_offset_reset: ShareOffsetReset::Earliest,
        ..ShareGroupConfig::default()
    }
}

/// A broker with stream `s` of `partitions` partitions holding `records` records produced
/// round-robin over the partitions by key.
fn broker_with(partitions: u32, records: u32) -> Broker {
    let mut b = Broker::default();
    b.declare_stream(at(0), "s", StreamConfig::new(partitions))
        .unwrap();
    for i in 0..records {
        b.produce_to(at(0), "s", Partition(i % partitions), None, format!("r{i}"))
            .unwrap();
    }
    drain(&mut b);
    b
}

fn drain(b: &mut Broker) -> Vec<String> {
    let mut v = Vec::new();
    while let Some(e) = b.poll_event() {
        v.push(e.to_string());
    }
    v
}

/// `SimpleAssignorTest` (every member is assigned every partition of its subscribed topics):
/// with more members than partitions, every member gets work, and no record goes to two.
#[test]
fn more_members_than_partitions_all_get_work() {
    let mut b = broker_with(1, 6);
    b.create_share_group(at(0), "sg", &["s"], earliest())
        .unwrap();
    let members: Vec<_> = ["a", "b", "c"]
        .iter()
        .map(|m| b.join_share_group(at(0), "sg", m).unwrap())
        .collect();
    let mut seen = Vec::new();
    for &m in &members {
        let got = b.share_fetch(at(1), m, 2).unwrap();
        assert_eq!(got.len(), 2, "every member gets work");
        for r in got {
            assert_eq!(r.delivery_count, 1);
            assert!(!r.record.redelivered);
            seen.push(r.record.offset.0);
        }
    }
    seen.sort_unstable();
    assert_eq!(seen, [0, 1, 2, 3, 4, 5]);
    let sp = StreamPartition::new(b.stream_id("s").unwrap(), 0);
    assert_eq!(b.share_member_partitions(members[2]), Some(vec![sp]));
    let events = drain(&mut b);
    assert!(
        events.contains(&"share-joined sg1 sm3 [st1/0]".to_string()),
        "{events:?}"
    );
    assert_eq!(
        events
            .iter()
            .filter(|e| e.starts_with("share-acquired"))
            .count(),
        6
    );
}

/// Share groups are independent: each gets every record, as consumer groups do.
#[test]
fn share_groups_on_one_stream_are_independent() {
    let mut b = broker_with(2, 4);
    for g in ["one", "two"] {
        b.create_share_group(at(0), g, &["s"], earliest()).unwrap();
    }
    let a = b.join_share_group(at(0), "one", "m").unwrap();
    let c = b.join_share_group(at(0), "two", "m").unwrap();
    let got_a = b.share_fetch(at(1), a, 10).unwrap();
    let got_c = b.share_fetch(at(1), c, 10).unwrap();
    assert_eq!(got_a.len(), 4);
    assert_eq!(got_c.len(), 4);
    for r in &got_a {
        b.share_acknowledge(
            at(2),
            a,
            r.record.partition,
            r.record.offset,
            AcknowledgeType::Accept,
        )
        .unwrap();
    }
    let one = b.share_group_id("one").unwrap();
    let two = b.share_group_id("two").unwrap();
    let p0 = got_a[0].record.partition;
    assert_eq!(b.share_partition(one, p0).unwrap().start(), Offset(2));
    assert_eq!(b.share_partition(two, p0).unwrap().start(), Offset(0));
}

/// `testAcknowledgeWithAnotherMember`, `testCanAcquireRecordsAfterReleaseAcknowledgement`:
/// only the holder settles a record; a released record goes to another member with its
/// delivery count raised; accepting moves the start offset.
#[test]
fn acknowledge_release_and_accept() {
    let mut b = broker_with(1, 2);
    b.create_share_group(at(0), "sg", &["s"], earliest())
        .unwrap();
    let x = b.join_share_group(at(0), "sg", "x").unwrap();
    let y = b.join_share_group(at(0), "sg", "y").unwrap();
    let got = b.share_fetch(at(1), x, 1).unwrap();
    let sp = got[0].record.partition;
    assert_eq!(
        b.share_acknowledge(at(2), y, sp, Offset(0), AcknowledgeType::Accept),
        Err(ShareAcknowledgeError::Record(AcknowledgeError::NotHolder {
            offset: Offset(0),
            holder: x
        }))
    );
    b.share_acknowledge(at(2), x, sp, Offset(0), AcknowledgeType::Release)
        .unwrap();
    let again = b.share_fetch(at(3), y, 1).unwrap();
    assert_eq!(again[0].record.offset, Offset(0));
    assert_eq!(again[0].delivery_count, 2);
    assert!(again[0].record.redelivered);
    drain(&mut b);
    b.share_acknowledge(at(4), y, sp, Offset(0), AcknowledgeType::Accept)
        .unwrap();
    assert_eq!(
        drain(&mut b),
        [
            "share-acked sg1 sm2 st1/0@0 accept",
            "share-start sg1 st1/0@1 was @0"
        ]
    );
    // Unknown members and partitions the group does not read.
    assert_eq!(
        b.share_fetch(at(5), brokerlab::ShareMemberId(99), 1),
        Err(ShareMemberError::UnknownMember)
    );
    b.declare_stream(at(5), "other", StreamConfig::new(1))
        .unwrap();
    let other = StreamPartition::new(b.stream_id("other").unwrap(), 0);
    assert_eq!(
        b.share_acknowledge(at(5), y, other, Offset(0), AcknowledgeType::Accept),
        Err(ShareAcknowledgeError::NotAssigned(other))
    );
}

/// `testAcquisitionLockForAcquiringSingleRecord`, `testAcknowledgeAfterAcquisitionLockTimeout`:
/// the broker asks to be woken at the lock's deadline; then the record is available again.
#[test]
fn an_expired_lock_is_acted_on_through_handle_timeout() {
    let mut b = broker_with(1, 1);
    let config = ShareGroupConfig {
        record_lock_duration: Duration::from_millis(500),
        ..earliest()
    };
    b.create_share_group(at(0), "sg", &["s"], config).unwrap();
    let x = b.join_share_group(at(0), "sg", "x").unwrap();
    let y = b.join_share_group(at(0), "sg", "y").unwrap();
    assert_eq!(b.poll_timeout(), None);
    b.share_fetch(at(100), x, 1).unwrap();
    assert_eq!(b.poll_timeout(), Some(at(600)));
    drain(&mut b);
    b.handle_timeout(at(599));
    assert!(drain(&mut b).is_empty());
    b.handle_timeout(at(600));
    assert_eq!(drain(&mut b), ["share-lock-expired sg1 sm1 st1/0@0"]);
    assert_eq!(b.poll_timeout(), None);
    let sp = StreamPartition::new(b.stream_id("s").unwrap(), 0);
    assert!(
        b.share_acknowledge(at(601), x, sp, Offset(0), AcknowledgeType::Accept)
            .is_err()
    );
    assert_eq!(b.share_fetch(at(601), y, 1).unwrap()[0].delivery_count, 2);
}

/// `testReleaseAcquiredRecordsWithAnotherMember`,
/// `testAcquisitionLockTimeoutCauseMaxDeliveryCountExceed`: a crashed member's records are
/// released; at the delivery limit they are archived, never delivered again.
#[test]
fn a_crash_releases_and_the_delivery_limit_archives() {
    let mut b = broker_with(1, 1);
    let config = ShareGroupConfig {
        delivery_count_limit: 2,
        ..earliest()
    };
    b.create_share_group(at(0), "sg", &["s"], config).unwrap();
    let x = b.join_share_group(at(0), "sg", "x").unwrap();
    b.share_fetch(at(1), x, 1).unwrap();
    b.crash_share_member(at(2), x).unwrap();
    let y = b.join_share_group(at(3), "sg", "y").unwrap();
    drain(&mut b);
    assert_eq!(b.share_fetch(at(4), y, 1).unwrap()[0].delivery_count, 2);
    b.leave_share_group(at(5), y).unwrap();
    let events = drain(&mut b);
    assert_eq!(
        events[1..],
        [
            "share-released sg1 sm2 st1/0@0 (left)",
            "share-archived sg1 st1/0@0 n=2 (delivery_limit)",
            "share-start sg1 st1/0@1 was @0",
            "share-left sg1 sm2 (left)",
        ]
    );
    let z = b.join_share_group(at(6), "sg", "z").unwrap();
    assert!(b.share_fetch(at(7), z, 10).unwrap().is_empty());
    assert_eq!(
        b.leave_share_group(at(8), x),
        Err(ShareMemberError::UnknownMember)
    );
    let _ = (ReleaseReason::Crashed, ArchiveReason::DeliveryLimit);
}

/// `share.auto.offset.reset`: `latest` (the default) starts at the log end when the group
/// first reads the partition, `earliest` at the log start.
#[test]
fn auto_offset_reset_latest_and_earliest() {
    let mut b = broker_with(1, 3);
    b.create_share_group(at(0), "late", &["s"], ShareGroupConfig::default())
        .unwrap();
    b.create_share_group(at(0), "early", &["s"], earliest())
        .unwrap();
    let l = b.join_share_group(at(0), "late", "m").unwrap();
    let e = b.join_share_group(at(0), "early", "m").unwrap();
    assert!(b.share_fetch(at(1), l, 10).unwrap().is_empty());
    assert_eq!(b.share_fetch(at(1), e, 10).unwrap().len(), 3);
    b.produce(at(2), "s", None, "new").unwrap();
    let got = b.share_fetch(at(3), l, 10).unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].record.offset, Offset(3));
}

/// `testCanAcquireRecordsWithCachedDataAndLimitReached`: at most `max_record_locks` records
/// of a partition are in flight; a fetch gets nothing more until some are settled.
#[test]
fn the_record_lock_limit_holds_back_a_fetch() {
    let mut b = broker_with(1, 5);
    let config = ShareGroupConfig {
        max_record_locks: 2,
        ..earliest()
    };
    b.create_share_group(at(0), "sg", &["s"], config).unwrap();
    let x = b.join_share_group(at(0), "sg", "x").unwrap();
    let y = b.join_share_group(at(0), "sg", "y").unwrap();
    assert_eq!(b.share_fetch(at(1), x, 10).unwrap().len(), 2);
    assert!(b.share_fetch(at(1), y, 10).unwrap().is_empty());
    let sp = StreamPartition::new(b.stream_id("s").unwrap(), 0);
    b.share_acknowledge_range(at(2), x, sp, Offset(0), Offset(1), AcknowledgeType::Accept)
        .unwrap();
    assert_eq!(b.share_fetch(at(3), y, 10).unwrap().len(), 2);
}

/// Errors at creation and join are typed, and nothing changes on error.
#[test]
fn create_and_join_errors() {
    let mut b = broker_with(1, 0);
    assert_eq!(
        b.create_share_group(at(0), "sg", &["nope"], earliest()),
        Err(CreateShareGroupError::UnknownStream)
    );
    assert_eq!(
        b.create_share_group(at(0), "sg", &[], earliest()),
        Err(CreateShareGroupError::NoStreams)
    );
    let bad = ShareGroupConfig {
        delivery_count_limit: 0,
        ..earliest()
    };
    assert!(matches!(
        b.create_share_group(at(0), "sg", &["s"], bad),
        Err(CreateShareGroupError::InvalidConfig(_))
    ));
    let id = b
        .create_share_group(at(0), "sg", &["s"], earliest())
        .unwrap();
    assert_eq!(
        b.create_share_group(at(0), "sg", &["s"], earliest()),
        Err(CreateShareGroupError::AlreadyExists(id))
    );
    assert_eq!(
        b.join_share_group(at(0), "nope", "m"),
        Err(JoinShareGroupError::UnknownGroup)
    );
    let m = b.join_share_group(at(0), "sg", "m").unwrap();
    assert_eq!(
        b.join_share_group(at(0), "sg", "m"),
        Err(JoinShareGroupError::DuplicateMember(m))
    );
    assert!(drain(&mut b).iter().all(|e| matches!(
        e.split(' ').next(),
        Some("share-group-created" | "share-joined")
    )));
    let _: Option<Event> = None;
}

/// `testLsoMovementForArchivingOffsetsWithStartOffsetNotFullMatches`,
/// `testAcquisitionLockTimeoutForBatchesPostStartOffsetMovement`: retention moving the log
/// start past records in flight archives the available ones and moves the start offset; a
/// record still held there is archived when its lock expires, never delivered again.
#[test]
fn retention_past_the_start_offset_archives_what_is_gone() {
    let mut b = Broker::default();
    let retention = brokerlab::Retention::default().with_max_records(3);
    b.declare_stream(at(0), "s", StreamConfig::new(1).with_retention(retention))
        .unwrap();
    for i in 0..3 {
        b.produce(at(0), "s", None, format!("r{i}")).unwrap();
    }
    let config = ShareGroupConfig {
        record_lock_duration: Duration::from_millis(100),
        ..earliest()
    };
    let g = b.create_share_group(at(0), "sg", &["s"], config).unwrap();
    let x = b.join_share_group(at(0), "sg", "x").unwrap();
    let sp = StreamPartition::new(b.stream_id("s").unwrap(), 0);
    assert_eq!(b.share_fetch(at(1), x, 2).unwrap().len(), 2);
    b.share_acknowledge(at(2), x, sp, Offset(1), AcknowledgeType::Release)
        .unwrap();
    // Three more records: retention keeps 3..6, so 0..3 are gone from the log.
    for i in 3..6 {
        b.produce(at(3), "s", None, format!("r{i}")).unwrap();
    }
    drain(&mut b);
    let got = b.share_fetch(at(4), x, 10).unwrap();
    let got: Vec<u64> = got.iter().map(|r| r.record.offset.0).collect();
    assert_eq!(got, [3, 4, 5]);
    let events = drain(&mut b);
    assert_eq!(
        events[..3],
        [
            "share-archived sg1 st1/0@1 n=1 (gone)",
            "share-archived sg1 st1/0@2 n=0 (gone)",
            "share-acquired sg1 sm1 st1/0@3 m4 n=1 until t=104ms",
        ],
    );
    assert_eq!(
        b.share_partition(g, sp).unwrap().start(),
        Offset(0),
        "0 is held"
    );
    b.handle_timeout(at(101));
    let events = drain(&mut b);
    assert_eq!(
        events[..3],
        [
            "share-lock-expired sg1 sm1 st1/0@0",
            "share-archived sg1 st1/0@0 n=1 (gone)",
            "share-start sg1 st1/0@3 was @0",
        ]
    );
}
