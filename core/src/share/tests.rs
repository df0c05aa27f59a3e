//! Unit tests of the share-partition state machine, each naming the case of Kafka's
//! `core/src/test/java/kafka/server/share/SharePartitionTest.java` it follows.

use alloc::vec::Vec;

use super::*;
use crate::ids::{Offset, ShareMemberId};
use crate::time::{Duration, Instant};

const A: ShareMemberId = ShareMemberId(1);
const B: ShareMemberId = ShareMemberId(2);

fn config() -> ShareGroupConfig {
    ShareGroupConfig::default()
}

fn at(ms: u64) -> Instant {
    Instant::from_millis(ms)
}

fn ack(
    p: &mut SharePartition,
    member: ShareMemberId,
    offset: u64,
    kind: AcknowledgeType,
) -> Result<(), AcknowledgeError> {
    let mut changes = Vec::new();
    p.acknowledge(
        member,
        Offset(offset),
        Offset(offset),
        kind,
        &config(),
        &mut changes,
    )
}

fn acquire(p: &mut SharePartition, member: ShareMemberId, max: usize, log_end: u64) -> usize {
    let mut changes = Vec::new();
    p.acquire(member, at(0), max, Offset(log_end), &config(), &mut changes)
        .unwrap()
}

fn state(p: &SharePartition, offset: u64) -> RecordState {
    p.record(Offset(offset)).unwrap().state
}

/// `testAcquireSingleRecord`, `testAcquireMultipleRecords`: records are acquired in offset
/// order under a lock of `record_lock_duration`, delivery count 1, and the end offset follows.
#[test]
fn acquire_takes_records_in_order_under_a_lock() {
    let mut p = SharePartition::new(Offset(3));
    let mut changes = Vec::new();
    let n = p
        .acquire(A, at(100), 2, Offset(10), &config(), &mut changes)
        .unwrap();
    assert_eq!(n, 2);
    assert_eq!(p.start(), Offset(3));
    assert_eq!(p.end(), Offset(5));
    let until = at(100).saturating_add(Duration::from_secs(30));
    assert_eq!(
        changes,
        [
            ShareChange::Acquired {
                offset: Offset(3),
                member: A,
                delivery_count: 1,
                until
            },
            ShareChange::Acquired {
                offset: Offset(4),
                member: A,
                delivery_count: 1,
                until
            },
        ]
    );
    assert_eq!(p.next_deadline(), Some(until));
    assert_eq!(p.acquired_count(), 2);
}

/// `testCanAcquireRecordsWithCachedDataAndLimitReached`: no more than `max_record_locks`
/// records are in flight; a full window with nothing available is a typed error.
#[test]
fn the_record_lock_limit_bounds_the_window() {
    let c = ShareGroupConfig {
        max_record_locks: 3,
        ..config()
    };
    let mut p = SharePartition::new(Offset(0));
    let mut changes = Vec::new();
    assert_eq!(p.acquire(A, at(0), 10, Offset(10), &c, &mut changes), Ok(3));
    assert_eq!(
        p.acquire(B, at(0), 10, Offset(10), &c, &mut changes),
        Err(AcquireError::RecordLocksFull { limit: 3 })
    );
    // Nothing more in the log: an empty fetch, not an error.
    let mut q = SharePartition::new(Offset(0));
    assert_eq!(q.acquire(A, at(0), 10, Offset(3), &c, &mut changes), Ok(3));
    assert_eq!(q.acquire(A, at(0), 10, Offset(3), &c, &mut changes), Ok(0));
    // Accepting the first record makes room for one more.
    p.acknowledge(
        A,
        Offset(0),
        Offset(0),
        AcknowledgeType::Accept,
        &c,
        &mut changes,
    )
    .unwrap();
    assert_eq!(p.acquire(B, at(0), 10, Offset(10), &c, &mut changes), Ok(1));
    assert_eq!(p.end(), Offset(4));
}

/// `testAcknowledgeWithAnotherMember`: only the holder may acknowledge.
#[test]
fn only_the_holder_acknowledges() {
    let mut p = SharePartition::new(Offset(0));
    acquire(&mut p, A, 1, 5);
    assert_eq!(
        ack(&mut p, B, 0, AcknowledgeType::Accept),
        Err(AcknowledgeError::NotHolder {
            offset: Offset(0),
            holder: A
        })
    );
    assert_eq!(
        ack(&mut p, A, 1, AcknowledgeType::Accept),
        Err(AcknowledgeError::UnknownOffset(Offset(1)))
    );
    assert_eq!(ack(&mut p, A, 0, AcknowledgeType::Accept), Ok(()));
    // Settled and below the start: unknown now.
    assert_eq!(
        ack(&mut p, A, 0, AcknowledgeType::Accept),
        Err(AcknowledgeError::UnknownOffset(Offset(0)))
    );
}

/// `testAcknowledgeWithAnotherMemberRollbackBatchError`: a range acknowledgement is all or
/// nothing.
#[test]
fn a_range_acknowledgement_is_all_or_nothing() {
    let mut p = SharePartition::new(Offset(0));
    acquire(&mut p, A, 2, 5);
    acquire(&mut p, B, 1, 5);
    let before = p.clone();
    let mut changes = Vec::new();
    let r = p.acknowledge(
        A,
        Offset(0),
        Offset(2),
        AcknowledgeType::Accept,
        &config(),
        &mut changes,
    );
    assert_eq!(
        r,
        Err(AcknowledgeError::NotHolder {
            offset: Offset(2),
            holder: B
        })
    );
    assert_eq!(p, before);
    assert!(changes.is_empty());
    assert_eq!(
        p.acknowledge(
            A,
            Offset(1),
            Offset(0),
            AcknowledgeType::Accept,
            &config(),
            &mut changes
        ),
        Err(AcknowledgeError::EmptyRange)
    );
}

/// `testMaybeUpdateCachedStateWhenAcknowledgementTypeAccept`, `…Reject`, `…Release`,
/// `testCanAcquireRecordsAfterReleaseAcknowledgement`: accept and reject finish a record,
/// release makes it available to another member with its delivery count kept.
#[test]
fn accept_reject_and_release() {
    let mut p = SharePartition::new(Offset(0));
    acquire(&mut p, A, 3, 3);
    ack(&mut p, A, 1, AcknowledgeType::Reject).unwrap();
    ack(&mut p, A, 2, AcknowledgeType::Accept).unwrap();
    assert_eq!(state(&p, 1), RecordState::Archived);
    assert_eq!(state(&p, 2), RecordState::Acknowledged);
    assert_eq!(p.start(), Offset(0), "offset 0 is still acquired");
    ack(&mut p, A, 0, AcknowledgeType::Release).unwrap();
    assert_eq!(state(&p, 0), RecordState::Available);
    assert_eq!(acquire(&mut p, B, 10, 3), 1);
    let r = p.record(Offset(0)).unwrap();
    assert_eq!(r.delivery_count, 2);
    assert!(matches!(r.state, RecordState::Acquired { member: B, .. }));
    let mut changes = Vec::new();
    p.acknowledge(
        B,
        Offset(0),
        Offset(0),
        AcknowledgeType::Accept,
        &config(),
        &mut changes,
    )
    .unwrap();
    assert_eq!(p.start(), Offset(3));
    assert_eq!(p.in_flight(), 0);
    assert_eq!(
        changes.last(),
        Some(&ShareChange::StartMoved {
            start: Offset(3),
            previous: Offset(0)
        })
    );
}

/// `testAcquisitionLockForAcquiringSingleRecord`, `testAcknowledgeAfterAcquisitionLockTimeout`:
/// an expired lock makes the record available; its holder can no longer acknowledge it.
#[test]
fn an_expired_lock_releases_the_record() {
    let mut p = SharePartition::new(Offset(0));
    acquire(&mut p, A, 1, 1);
    let mut changes = Vec::new();
    assert_eq!(p.expire_locks(at(29_999), &config(), &mut changes), 0);
    assert_eq!(p.expire_locks(at(30_000), &config(), &mut changes), 1);
    assert_eq!(
        changes,
        [ShareChange::LockExpired {
            offset: Offset(0),
            member: A
        }]
    );
    assert_eq!(state(&p, 0), RecordState::Available);
    assert_eq!(p.next_deadline(), None);
    assert_eq!(
        ack(&mut p, A, 0, AcknowledgeType::Accept),
        Err(AcknowledgeError::NotAcquired(Offset(0)))
    );
}

/// `testAcquisitionLockTimeoutCauseMaxDeliveryCountExceed`,
/// `testMaxDeliveryCountLimitExceededForRecordBatch`: a record delivered
/// `delivery_count_limit` times is archived, not made available again.
#[test]
fn the_delivery_limit_archives() {
    let c = ShareGroupConfig {
        delivery_count_limit: 2,
        ..config()
    };
    let mut p = SharePartition::new(Offset(0));
    let mut changes = Vec::new();
    p.acquire(A, at(0), 1, Offset(1), &c, &mut changes).unwrap();
    p.expire_locks(at(30_000), &c, &mut changes);
    assert_eq!(state(&p, 0), RecordState::Available);
    p.acquire(B, at(30_000), 1, Offset(1), &c, &mut changes)
        .unwrap();
    changes.clear();
    p.acknowledge(
        B,
        Offset(0),
        Offset(0),
        AcknowledgeType::Release,
        &c,
        &mut changes,
    )
    .unwrap();
    assert_eq!(
        changes,
        [
            ShareChange::Acknowledged {
                offset: Offset(0),
                member: B,
                kind: AcknowledgeType::Release
            },
            ShareChange::Archived {
                offset: Offset(0),
                delivery_count: 2,
                reason: ArchiveReason::DeliveryLimit
            },
            ShareChange::StartMoved {
                start: Offset(1),
                previous: Offset(0)
            },
        ]
    );
}

/// `testReleaseAcquiredRecordsWithAnotherMember`: a member leaving releases its records only.
#[test]
fn a_member_leaving_releases_its_records_only() {
    let mut p = SharePartition::new(Offset(0));
    acquire(&mut p, A, 2, 4);
    acquire(&mut p, B, 2, 4);
    let mut changes = Vec::new();
    assert_eq!(
        p.release_member(A, ReleaseReason::Crashed, &config(), &mut changes),
        2
    );
    assert_eq!(state(&p, 0), RecordState::Available);
    assert_eq!(state(&p, 1), RecordState::Available);
    assert!(matches!(
        state(&p, 2),
        RecordState::Acquired { member: B, .. }
    ));
    assert_eq!(p.acquired_count(), 2);
    assert_eq!(
        changes[0],
        ShareChange::Released {
            offset: Offset(0),
            member: A,
            reason: ReleaseReason::Crashed
        }
    );
}

/// `testLsoMovementForArchivingOffsets…`, `testAcquisitionLockTimeoutForBatchesPostStartOffsetMovement`:
/// retention moving the log start archives what is available below it and moves the start;
/// an acquired record below it stays with its holder and is archived when it comes back.
#[test]
fn the_log_start_moving_archives_what_is_gone() {
    let mut p = SharePartition::new(Offset(0));
    acquire(&mut p, A, 4, 10);
    ack(&mut p, A, 1, AcknowledgeType::Release).unwrap();
    let mut changes = Vec::new();
    p.log_start_moved(Offset(3), &mut changes);
    assert_eq!(state(&p, 1), RecordState::Archived);
    assert_eq!(p.start(), Offset(0), "offset 0 is held");
    p.release_member(A, ReleaseReason::Left, &config(), &mut changes);
    assert_eq!(p.start(), Offset(3));
    assert_eq!(state(&p, 3), RecordState::Available);
    // A window entirely below the new log start: the start jumps to it.
    let mut q = SharePartition::new(Offset(0));
    q.log_start_moved(Offset(7), &mut changes);
    assert_eq!((q.start(), q.end()), (Offset(7), Offset(7)));
}

/// Kafka's share coordinator persists the SPSO and the states after it; acquisitions are
/// lost on a restart (`SharePartitionTest.testMaybeInitialize`).
#[test]
fn a_restore_returns_acquired_records_to_available() {
    let c = ShareGroupConfig {
        delivery_count_limit: 2,
        ..config()
    };
    let held = RecordState::Acquired {
        member: A,
        until: at(5),
    };
    let p = SharePartition::restore(
        Offset(10),
        [
            ShareRecord {
                state: RecordState::Acknowledged,
                delivery_count: 1,
            },
            ShareRecord {
                state: held,
                delivery_count: 1,
            },
            ShareRecord {
                state: held,
                delivery_count: 2,
            },
            ShareRecord {
                state: RecordState::Acknowledged,
                delivery_count: 1,
            },
        ],
        &c,
    );
    assert_eq!(p.start(), Offset(11));
    assert_eq!(p.end(), Offset(14));
    assert_eq!(state(&p, 11), RecordState::Available);
    assert_eq!(state(&p, 12), RecordState::Archived);
    assert_eq!(p.acquired_count(), 0);
}

/// New offsets below the log start are never acquired: skipped (archived as gone inside the
/// window), and the start jumps to the log start when nothing is in flight.
#[test]
fn acquire_skips_what_retention_removed() {
    let mut p = SharePartition::new(Offset(0));
    let mut changes = Vec::new();
    p.acquire(A, at(0), 1, Offset(2), &config(), &mut changes)
        .unwrap();
    p.log_start_moved(Offset(4), &mut changes);
    changes.clear();
    assert_eq!(
        p.acquire(B, at(0), 10, Offset(6), &config(), &mut changes),
        Ok(2)
    );
    assert_eq!(state(&p, 1), RecordState::Archived);
    assert_eq!(p.record(Offset(3)).unwrap().delivery_count, 0);
    assert!(matches!(
        state(&p, 4),
        RecordState::Acquired { member: B, .. }
    ));
    // Nothing in flight: the start jumps.
    let mut q = SharePartition::new(Offset(0));
    q.log_start_moved(Offset(0), &mut changes);
    let mut r = SharePartition::restore(Offset(0), [], &config());
    r.log_start_moved(Offset(5), &mut changes);
    assert_eq!(r.start(), Offset(5));
    changes.clear();
    assert_eq!(
        q.acquire(A, at(0), 1, Offset(6), &config(), &mut changes),
        Ok(1)
    );
    assert_eq!(q.start(), Offset(0));
}
