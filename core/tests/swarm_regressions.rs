//! The engine bugs the swarm (`core/tests/swarm.rs`, `cargo xtask swarm`) found, each pinned
//! by the smallest case that showed it.

#[path = "support/crash_fs.rs"]
mod crash_fs;

use brokerlab::sim::{Action, OffsetSpec, Scenario, SimEventKind, SimNote, Simulation};
use brokerlab::storage::{FileOptions, FileStorage, SyncPolicy};
use brokerlab::{
    Broker, ConsumerConfig, DeadLetterReason, DropReason, Event, Instant, Limits, MemoryStorage,
    Publish, QueueConfig, Retention, StreamConfig,
};
use crash_fs::CrashFs;

fn t(ms: u64) -> Instant {
    Instant::from_millis(ms)
}

fn events<S: brokerlab::Storage>(b: &mut Broker<S>) -> Vec<Event> {
    std::iter::from_fn(|| b.poll_event()).collect()
}

fn ready_ids<S: brokerlab::Storage>(b: &Broker<S>, queue: &str) -> Vec<u64> {
    let q = b.queue_id(queue).expect("queue");
    b.ready_messages(q).iter().map(|r| r.message.0).collect()
}

/// A crash requeued a consumer's deliveries into a `drop-head` queue past its `max_length`,
/// and nothing trimmed it (RabbitMQ's `requeue_and_run` calls `maybe_drop_head`).
#[test]
fn a_requeue_past_max_length_drops_the_oldest() {
    let mut b = Broker::new(MemoryStorage::new());
    b.declare_queue(t(0), "q", QueueConfig::default().with_max_length(2))
        .unwrap();
    let w = b
        .consume(t(0), "q", "w", ConsumerConfig::default().with_prefetch(3))
        .unwrap();
    for i in 0..5 {
        b.publish(t(1), Publish::to_queue("q", format!("job {i}")))
            .unwrap();
    }
    assert_eq!(
        ready_ids(&b, "q"),
        [4, 5],
        "m1..m3 in flight, m4 and m5 ready"
    );
    events(&mut b);
    b.crash_consumer(t(2), w).unwrap();
    assert_eq!(
        ready_ids(&b, "q"),
        [4, 5],
        "the requeued oldest are dropped"
    );
    let dropped: Vec<u64> = events(&mut b)
        .iter()
        .filter_map(|e| match e {
            Event::Dropped {
                message,
                reason: DropReason::DeadLetter(DeadLetterReason::MaxLength),
                ..
            } => Some(message.0),
            _ => None,
        })
        .collect();
    assert_eq!(dropped, [1, 2, 3]);
}

/// Deliveries in flight at the last flush come back as ready after a restart, taking a
/// `drop-head` queue past its `max_length`: the recovered broker is due at once and trims.
#[test]
fn a_recovered_queue_past_max_length_trims_at_its_first_call() {
    let mut b = Broker::new(MemoryStorage::new());
    b.declare_queue(t(0), "q", QueueConfig::default().with_max_length(2))
        .unwrap();
    b.consume(t(0), "q", "w", ConsumerConfig::default().with_prefetch(3))
        .unwrap();
    for i in 0..5 {
        b.publish(t(1), Publish::to_queue("q", format!("job {i}")))
            .unwrap();
    }
    b.flush().unwrap();
    let (mut b, _) = Broker::recover(b.into_storage(), Limits::default()).unwrap();
    assert_eq!(ready_ids(&b, "q").len(), 5);
    assert!(b.poll_timeout().is_some_and(|d| d <= t(1)), "due at once");
    b.handle_timeout(t(10));
    assert_eq!(ready_ids(&b, "q"), [4, 5]);
    assert_eq!(b.poll_timeout(), None);
}

/// A partition whose retention moved its start after the last flush recovers with the saved
/// start, over its bounds: the recovered broker is due at once and applies retention.
#[test]
fn a_recovered_partition_past_its_retention_is_trimmed_at_its_first_call() {
    let options = FileOptions {
        segment_bytes: 1 << 20,
        batch_bytes: 16,
        index_interval: 128,
        sync: SyncPolicy::EveryBatch,
    };
    let fs = CrashFs::new();
    let (storage, _) = FileStorage::open_in(fs.clone(), "/b", options).unwrap();
    let mut b = Broker::new(storage);
    let retention = Retention::default().with_max_records(3);
    b.declare_stream(t(0), "s", StreamConfig::new(1).with_retention(retention))
        .unwrap();
    for i in 0..3 {
        b.produce(t(1), "s", None, format!("record {i}")).unwrap();
    }
    b.flush().unwrap();
    for i in 3..6 {
        b.produce(t(2), "s", None, format!("record {i}")).unwrap();
    }
    // The crash keeps every byte written (the new records) but no metadata since the flush.
    let crashed = fs.crash(|_, f| f.data.clone());
    drop(b);
    let (storage, _) = FileStorage::open_in(crashed, "/b", options).unwrap();
    let (mut b, _) = Broker::recover(storage, Limits::default()).unwrap();
    let p = brokerlab::StreamPartition::new(b.stream_id("s").unwrap(), 0);
    let bounds = b.partition_stats(p).unwrap().bounds;
    assert_eq!((bounds.start.0, bounds.end.0), (0, 6));
    assert!(b.poll_timeout().is_some_and(|d| d <= t(2)), "due at once");
    b.handle_timeout(t(10));
    let bounds = b.partition_stats(p).unwrap().bounds;
    assert_eq!((bounds.start.0, bounds.end.0), (3, 6));
}

/// Recovery took the next message id from the last record of each queue, but a dead-letter
/// queue holds copies of older messages after newer ones: a restart reused an id.
#[test]
fn recovery_never_reuses_a_message_id_held_by_a_dead_letter_queue() {
    let mut b = Broker::new(MemoryStorage::new());
    b.declare_queue(t(0), "dlq", QueueConfig::default())
        .unwrap();
    b.declare_queue(
        t(0),
        "q",
        QueueConfig::default().with_dead_letter_queue("dlq"),
    )
    .unwrap();
    let w = b
        .consume(t(0), "q", "w", ConsumerConfig::default().with_prefetch(2))
        .unwrap();
    b.publish(t(1), Publish::to_queue("q", "a")).unwrap();
    b.publish(t(1), Publish::to_queue("q", "b")).unwrap();
    let held = b.unacked(w);
    b.ack(t(2), w, held[0].delivery).unwrap();
    b.flush().unwrap();
    // After the flush: m3 straight to the dead-letter queue, then m2 rejected into it.
    b.publish(t(3), Publish::to_queue("dlq", "c")).unwrap();
    b.reject(t(4), w, held[1].delivery, false).unwrap();
    assert_eq!(ready_ids(&b, "dlq"), [3, 2]);
    let (mut b, _) = Broker::recover(b.into_storage(), Limits::default()).unwrap();
    assert!(b.next_message_id().0 > 3, "m3 is in the dead-letter queue");
    let next = b.publish(t(5), Publish::to_queue("dlq", "d")).unwrap();
    assert_eq!(next.0, 4);
}

/// The simulation kept a standalone stream consumer's commit beyond the log end (the broker
/// refuses that for groups): the consumer would later seek there and fail.
#[test]
fn a_standalone_commit_beyond_the_end_is_refused() {
    let json = r#"{ "version": 1, "duration_ms": 1000,
      "topology": { "streams": [{ "name": "s", "partitions": 1 }] },
      "producers": [{ "name": "p", "target": { "stream": "s" }, "times_ms": [0, 10, 20] }],
      "consumers": [{ "name": "r", "attach": { "stream": { "stream": "s" } }, "ack": "manual" }] }"#;
    let scenario = Scenario::from_json(json).unwrap();
    let mut sim = Simulation::new(&scenario).unwrap();
    sim.run_until(t(100));
    let commit = |offset| Action::Commit {
        consumer: "r".into(),
        offsets: Some(vec![OffsetSpec {
            partition: 0,
            offset,
        }]),
    };
    sim.apply(&commit(30)).unwrap();
    sim.apply(&commit(3)).unwrap();
    let notes: Vec<SimNote> = sim
        .last_step_events()
        .iter()
        .filter_map(|e| match &e.kind {
            SimEventKind::Sim(n) => Some(n.clone()),
            SimEventKind::Broker(_) => None,
        })
        .collect();
    assert!(
        matches!(&notes[0], SimNote::ConsumerFailed { error, .. } if error.contains("beyond the log end")),
        "{notes:?}"
    );
    assert!(
        matches!(&notes[1], SimNote::StreamCommitted { offset, .. } if offset.0 == 3),
        "{notes:?}"
    );
    assert_eq!(notes.len(), 2);
}
