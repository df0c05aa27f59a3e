//! Share groups across a restart, on every storage backend (memory handed over, files closed
//! and opened again, files killed after a synced flush; `support/backend.rs`): what
//! `Broker::flush` saved of each share-partition comes back from `Broker::recover`, as Kafka's
//! share coordinator keeps the SPSO and the record states after it. Acknowledged and archived
//! records stay settled and are never delivered again; acquired ones are available again
//! (acquisitions are lost on a restart), keeping their delivery counts; what was settled after
//! the last flush comes back (at-least-once). Members join again.

mod support;

use support::backend::{self, Backend};

use brokerlab::share::RecordState;
use brokerlab::{
    AcknowledgeType, Broker, Instant, Limits, Offset, ShareGroupConfig, ShareOffsetReset,
    StreamConfig, StreamPartition,
};

fn t(ms: u64) -> Instant {
    Instant::from_millis(ms)
}

fn restart<S: Backend>(b: Broker<S>) -> (Broker<S>, brokerlab::Recovered) {
    Broker::recover(b.into_storage().reopen(), Limits::default()).expect("recover")
}

fn offsets(records: &[brokerlab::AcquiredRecord]) -> Vec<(u64, u32)> {
    records
        .iter()
        .map(|r| (r.record.offset.0, r.delivery_count))
        .collect()
}

/// Accepted and rejected records stay settled, acquired and released ones come back
/// available with their delivery counts, the start offset and the settings are kept.
fn share_partitions_survive_a_restart<S: Backend>() {
    let (storage, _dir) = S::fresh("share_partitions_survive_a_restart");
    let mut b = Broker::new(storage);
    let s = b
        .declare_stream(t(0), "jobs", StreamConfig::new(1))
        .unwrap();
    let sp = StreamPartition::new(s, 0);
    for i in 0..6 {
        b.produce(t(1), "jobs", None, format!("job {i}")).unwrap();
    }
    let config = ShareGroupConfig {
        auto_offset_reset: ShareOffsetReset::Earliest,
        delivery_count_limit: 3,
        ..ShareGroupConfig::default()
    };
    let g = b
        .create_share_group(t(1), "workers", &["jobs"], config)
        .unwrap();
    b.create_share_group(t(1), "audit", &["jobs"], ShareGroupConfig::default())
        .unwrap();
    let x = b.join_share_group(t(1), "workers", "x").unwrap();
    let y = b.join_share_group(t(1), "workers", "y").unwrap();
    assert_eq!(
        offsets(&b.share_fetch(t(2), x, 3).unwrap()),
        [(0, 1), (1, 1), (2, 1)]
    );
    assert_eq!(
        offsets(&b.share_fetch(t(2), y, 2).unwrap()),
        [(3, 1), (4, 1)]
    );
    b.share_acknowledge(t(3), x, sp, Offset(0), AcknowledgeType::Accept)
        .unwrap();
    b.share_acknowledge(t(3), x, sp, Offset(1), AcknowledgeType::Reject)
        .unwrap();
    b.share_acknowledge(t(3), y, sp, Offset(3), AcknowledgeType::Release)
        .unwrap();
    assert_eq!(b.share_partition(g, sp).unwrap().start(), Offset(2));
    b.flush().unwrap();
    // After the flush: x accepts 2, never saved.
    b.share_acknowledge(t(4), x, sp, Offset(2), AcknowledgeType::Accept)
        .unwrap();

    let (mut b, recovered) = restart(b);
    assert_eq!(
        recovered.share_groups,
        [("workers".to_string(), 1), ("audit".to_string(), 0)]
    );
    assert_eq!(b.share_group_id("workers"), Some(g));
    assert_eq!(b.share_group_config(g), Some(config));
    assert!(b.share_group_members(g).is_empty(), "members join again");
    let p = b
        .share_partition(g, sp)
        .expect("the share-partition is back");
    assert_eq!((p.start(), p.end()), (Offset(2), Offset(5)));
    for o in 2..5 {
        assert_eq!(p.record(Offset(o)).unwrap().state, RecordState::Available);
        assert_eq!(p.record(Offset(o)).unwrap().delivery_count, 1);
    }
    assert_eq!(b.poll_timeout(), None, "no lock survives a restart");
    let z = b.join_share_group(t(5), "workers", "z").unwrap();
    assert!(z > y, "member ids are never reused");
    // Offsets 0 (accepted) and 1 (rejected) never come again; 2..5 do, redelivered.
    let got = b.share_fetch(t(6), z, 10).unwrap();
    assert_eq!(offsets(&got), [(2, 2), (3, 2), (4, 2), (5, 1)]);
    assert!(got[0].record.redelivered && !got[3].record.redelivered);
    assert_eq!(&*got[0].record.payload, b"job 2");

    // A second restart without any new flush keeps the same saved state.
    b.flush().unwrap();
    let (b, _) = restart(b);
    let p = b.share_partition(g, sp).unwrap();
    assert_eq!((p.start(), p.end()), (Offset(2), Offset(6)));
    assert_eq!(p.record(Offset(5)).unwrap().state, RecordState::Available);
    assert_eq!(p.record(Offset(2)).unwrap().delivery_count, 2);
}

/// A record acquired at the delivery limit when the broker stopped is archived on recovery,
/// never delivered again; the start moves past it.
fn the_delivery_limit_holds_across_a_restart<S: Backend>() {
    let (storage, _dir) = S::fresh("the_delivery_limit_holds_across_a_restart");
    let mut b = Broker::new(storage);
    let s = b
        .declare_stream(t(0), "jobs", StreamConfig::new(1))
        .unwrap();
    let sp = StreamPartition::new(s, 0);
    b.produce(t(0), "jobs", None, "poison").unwrap();
    let config = ShareGroupConfig {
        auto_offset_reset: ShareOffsetReset::Earliest,
        delivery_count_limit: 2,
        ..ShareGroupConfig::default()
    };
    let g = b.create_share_group(t(0), "w", &["jobs"], config).unwrap();
    let x = b.join_share_group(t(0), "w", "x").unwrap();
    b.share_fetch(t(1), x, 1).unwrap();
    b.share_acknowledge(t(2), x, sp, Offset(0), AcknowledgeType::Release)
        .unwrap();
    assert_eq!(b.share_fetch(t(3), x, 1).unwrap()[0].delivery_count, 2);
    b.flush().unwrap();
    let (mut b, _) = restart(b);
    let p = b.share_partition(g, sp).unwrap();
    assert_eq!((p.start(), p.end()), (Offset(1), Offset(1)));
    let y = b.join_share_group(t(4), "w", "y").unwrap();
    assert!(b.share_fetch(t(5), y, 10).unwrap().is_empty());
}

/// A broker that never made a share group saves nothing for share groups: its storage
/// holds exactly what it held before share groups existed.
fn no_share_group_saves_nothing<S: Backend>() {
    let (storage, _dir) = S::fresh("no_share_group_saves_nothing");
    let mut b = Broker::new(storage);
    b.declare_stream(t(0), "jobs", StreamConfig::new(1))
        .unwrap();
    b.flush().unwrap();
    assert_eq!(b.storage().get_meta("share/groups").unwrap(), None);
    let (_, recovered) = restart(b);
    assert!(recovered.share_groups.is_empty());
}

on_every_backend! {
    generic:
        share_partitions_survive_a_restart,
        the_delivery_limit_holds_across_a_restart,
        no_share_group_saves_nothing;
}
