//! `Broker::flush` then `Broker::recover`: what survives a restart, on both backends — the
//! same tests over `MemoryStorage` (the storage handed from one broker to the next) and over
//! `FileStorage` (the folder closed and opened again).

#[path = "support/temp_dir.rs"]
mod temp_dir;

use brokerlab::storage::{FileOptions, FileStorage};
use brokerlab::{
    Broker, ConsumerConfig, ConsumerId, Delivery, EventFilter, EventKind, ExchangeKind,
    GroupConfig, Instant, Limits, MemoryStorage, Offset, OffsetReset, Partition, Publish,
    QueueConfig, Recovered, Retention, Storage, StreamConfig, StreamPartition,
};
use temp_dir::TempDir;

/// A backend a broker can be restarted over.
trait Backend: Storage + Sized {
    fn restart(broker: Broker<Self>) -> (Broker<Self>, Recovered) {
        let storage = Self::reopen(broker.into_storage());
        let (b, r) = Broker::recover(storage, Limits::default()).expect("recover");
        (with_deliveries(b), r)
    }
    fn reopen(self) -> Self;
}

impl Backend for MemoryStorage {
    fn reopen(self) -> Self {
        self
    }
}

impl Backend for FileStorage {
    fn reopen(self) -> Self {
        let dir = self.dir().to_path_buf();
        drop(self);
        let (s, report) = FileStorage::open(&dir, FileOptions::default()).expect("reopen");
        assert!(report.is_clean(), "{report}");
        s
    }
}

fn with_deliveries<S: Storage>(mut b: Broker<S>) -> Broker<S> {
    b.set_event_filter(EventFilter::ALL.without(EventKind::Delivered));
    b
}

fn t(ms: u64) -> Instant {
    Instant::from_millis(ms)
}

fn deliveries<S: Storage>(b: &mut Broker<S>) -> Vec<Delivery> {
    let mut out = Vec::new();
    b.poll_deliveries(usize::MAX, &mut out);
    while b.poll_event().is_some() {}
    out
}

fn text(d: &Delivery) -> String {
    String::from_utf8(d.payload.as_bytes().to_vec()).expect("utf-8")
}

fn jobs_with_one_worker<S: Backend>(storage: S) -> (Broker<S>, ConsumerId) {
    let mut b = with_deliveries(Broker::new(storage));
    b.declare_queue(t(0), "jobs", QueueConfig::default())
        .expect("queue");
    for i in 0..10 {
        b.publish(t(1), Publish::to_queue("jobs", format!("job {i}")))
            .expect("publish");
    }
    let w = b
        .consume(
            t(2),
            "jobs",
            "w",
            ConsumerConfig::default().with_prefetch(5),
        )
        .expect("consume");
    (b, w)
}

fn acked_work_is_not_redone_and_unacked_work_comes_back<S: Backend>(storage: S) {
    let (mut b, w) = jobs_with_one_worker(storage);
    let got = deliveries(&mut b);
    assert_eq!(got.len(), 5);
    // Acks 0, 1 and 3: 2 and 4 stay unacked; 5..9 were never delivered.
    for i in [0, 1, 3] {
        b.ack(t(3), w, got[i].delivery).expect("ack");
    }
    let _ = deliveries(&mut b); // 5, 6, 7 take the freed prefetch slots
    b.flush().expect("flush");

    let (mut b, r) = S::restart(b);
    assert!(!r.fresh);
    let q = &r.queues[0];
    assert_eq!(q.name, "jobs");
    assert_eq!((q.acked_below, q.acked_above), (2, 1), "{r}");
    assert_eq!((q.redelivered, q.never_delivered, q.end), (5, 2, 10), "{r}");
    let w = b
        .consume(t(10), "jobs", "w2", ConsumerConfig::default())
        .expect("consume");
    let got = deliveries(&mut b);
    let texts: Vec<String> = got.iter().map(text).collect();
    assert_eq!(
        texts,
        [
            "job 2", "job 4", "job 5", "job 6", "job 7", "job 8", "job 9"
        ]
    );
    let redelivered: Vec<bool> = got.iter().map(|d| d.redelivered).collect();
    assert_eq!(redelivered, [true, true, true, true, true, false, false]);
    assert_eq!(got[0].delivery_count, 2);
    // Message ids carry on where they left off.
    let next = b
        .publish(t(11), Publish::to_queue("jobs", "job 10"))
        .expect("publish");
    assert_eq!(next, r.next_message);
    assert!(got.iter().all(|d| d.message < next));
    for d in &got {
        b.ack(t(12), w, d.delivery).expect("ack");
    }
    b.flush().expect("flush");
    let (b, r) = S::restart(b);
    let q = &r.queues[0];
    // "job 10" went to w2 at once and was not acked.
    assert_eq!(
        (q.redelivered, q.never_delivered, q.acked_below),
        (1, 0, 10),
        "{r}"
    );
    assert_eq!(b.queue_stats(q.queue).map(|s| s.ready), Some(1));
}

fn topology_comes_back_with_its_ids<S: Backend>(storage: S) {
    let mut b = with_deliveries(Broker::new(storage));
    let x = b
        .declare_exchange(t(0), "orders", ExchangeKind::Topic)
        .expect("exchange");
    let dlq = b
        .declare_queue(t(0), "dead", QueueConfig::default())
        .expect("dlq");
    let eu = b
        .declare_queue(
            t(0),
            "eu",
            QueueConfig::default()
                .with_max_deliveries(1)
                .with_dead_letter_queue("dead"),
        )
        .expect("queue");
    b.bind(t(0), "orders", "eu", "order.eu.*").expect("bind");
    b.flush().expect("flush");

    let (mut b, r) = S::restart(b);
    assert_eq!(r.queues.len(), 2, "{r}");
    assert_eq!(b.exchange_id("orders"), Some(x));
    assert_eq!(b.queue_id("eu"), Some(eu));
    assert_eq!(b.queue_id("dead"), Some(dlq));
    b.publish(t(1), Publish::new("orders", "order.eu.fr", "croissant"))
        .expect("publish");
    b.publish(t(1), Publish::new("orders", "order.us.ny", "bagel"))
        .expect("publish");
    assert_eq!(b.queue_stats(eu).map(|s| s.ready), Some(1));
    // The dead-letter link is restored: a rejected delivery goes to "dead".
    let c = b
        .consume(t(2), "eu", "c", ConsumerConfig::default())
        .expect("consume");
    let d = deliveries(&mut b).pop().expect("delivery");
    b.reject(t(3), c, d.delivery, false).expect("reject");
    assert_eq!(b.queue_stats(dlq).map(|s| s.ready), Some(1));
    // New declarations get fresh ids and logs.
    let q3 = b
        .declare_queue(t(4), "later", QueueConfig::default())
        .expect("queue");
    assert!(q3 > eu);
    // Only a change of topology rewrites it; this one is kept too.
    b.flush().expect("flush");
    let (b, _) = S::restart(b);
    assert_eq!(b.queue_id("later"), Some(q3));
    assert_eq!(b.queue_stats(dlq).map(|s| s.ready), Some(1));
}

fn streams_keep_retention_and_groups_their_commits<S: Backend>(storage: S) {
    let mut b = with_deliveries(Broker::new(storage));
    let config = StreamConfig::new(2).with_retention(Retention::default().with_max_records(5));
    let s = b.declare_stream(t(0), "events", config).expect("stream");
    for i in 0..20u32 {
        b.produce(t(u64::from(i)), "events", None, format!("e{i}"))
            .expect("produce");
    }
    let mut g = GroupConfig::default();
    g.auto_offset_reset = OffsetReset::Earliest;
    let m = b
        .join_group(t(30), "billing", "m1", &["events"], g)
        .expect("join");
    let generation = b
        .group_generation(b.group_id("billing").expect("group"))
        .expect("gen");
    let recs = b.poll(t(31), m, 3).expect("poll");
    let last = recs.last().expect("records");
    b.commit(
        t(32),
        "billing",
        "m1",
        generation,
        &[(last.partition, Offset(last.offset.0 + 1))],
    )
    .expect("commit");
    let committed_at = Offset(last.offset.0 + 1);
    let committed_partition = last.partition;
    b.flush().expect("flush");

    let (mut b, r) = S::restart(b);
    assert_eq!(r.streams[0].partitions, vec![(5, 10), (5, 10)], "{r}");
    assert_eq!(r.groups, vec![("billing".to_string(), 1)]);
    let gid = b.group_id("billing").expect("group");
    assert_eq!(b.committed(gid, committed_partition), Some(committed_at));
    // A member joining again resumes from the commit.
    let m = b
        .join_group(t(40), "billing", "m1", &["events"], g)
        .expect("join");
    let recs = b.poll(t(41), m, 100).expect("poll");
    let first = recs
        .iter()
        .find(|r| r.partition == committed_partition)
        .expect("partition");
    assert_eq!(first.offset, committed_at);
    // Retention carries on from where it was.
    b.produce(t(50), "events", None, "late").expect("produce");
    let p0 = b
        .partition_stats(StreamPartition::new(s, 0))
        .expect("stats");
    assert_eq!(p0.bounds.end.0 - p0.bounds.start.0, 5);
}

/// Produces `n` records with a one-byte key to the two partitions in turn, at times from
/// `from` on.
fn produce_keyed<S: Storage>(b: &mut Broker<S>, from: u64, n: u64) {
    for i in from..from + n {
        let partition = Partition(u32::from(i % 2 == 1));
        b.produce_to(t(i), "log", partition, Some(b"k"), format!("e{i:03}"))
            .expect("produce");
    }
}

/// Every partition's bounds, bytes and oldest timestamp.
fn partitions<S: Storage>(b: &Broker<S>) -> Vec<String> {
    let s = b.stream_id("log").expect("stream");
    (0..2)
        .map(|p| format!("{:?}", b.partition_stats(StreamPartition::new(s, p))))
        .collect()
}

fn partition_counts_are_read_back_not_recounted<S: Backend>(storage: S) {
    // 5 bytes a record (key and payload): retention keeps 20 records a partition.
    let config = StreamConfig::new(2).with_retention(Retention::default().with_max_bytes(100));
    let mut reference = Broker::new(MemoryStorage::new());
    let mut b = with_deliveries(Broker::new(storage));
    reference
        .declare_stream(t(0), "log", config)
        .expect("stream");
    b.declare_stream(t(0), "log", config).expect("stream");
    produce_keyed(&mut reference, 0, 14);
    produce_keyed(&mut b, 0, 10);
    b.flush().expect("flush");
    // Four more records after the flush: only they are read again.
    produce_keyed(&mut b, 10, 4);
    let (mut b, r) = S::restart(b);
    assert_eq!(r.streams[0].records_read, 4, "{r}");
    assert_eq!(partitions(&b), partitions(&reference));

    // Retention moves both starts after the last flush: what was saved no longer matches,
    // so every retained record is counted again, to the same figures.
    b.flush().expect("flush");
    produce_keyed(&mut reference, 14, 100);
    produce_keyed(&mut b, 14, 100);
    let (mut b, r) = S::restart(b);
    let retained: u64 = r.streams[0].partitions.iter().map(|(s, e)| e - s).sum();
    assert_eq!(retained, 40, "{r}");
    assert_eq!(r.streams[0].records_read, retained, "{r}");
    assert_eq!(partitions(&b), partitions(&reference));

    // Flushed again: nothing to read, and retention goes on as if no restart had happened.
    b.flush().expect("flush");
    let (mut b, r) = S::restart(b);
    assert_eq!(r.streams[0].records_read, 0, "{r}");
    produce_keyed(&mut reference, 114, 7);
    produce_keyed(&mut b, 114, 7);
    assert_eq!(partitions(&b), partitions(&reference));
}

fn a_fresh_storage_gives_a_new_broker<S: Backend>(storage: S) {
    let (b, r) = Broker::recover(storage, Limits::default()).expect("recover");
    assert!(r.fresh);
    assert_eq!(b.queues().count(), 0);
}

/// A process killed after declaring a queue and publishing to it, before its first flush,
/// leaves a log but no saved broker: the next start is a new broker, and declaring the queue
/// again must work (on a log of its own) rather than collide with the one left behind.
fn a_broker_killed_before_its_first_flush_starts_anew<S: Backend>(storage: S) {
    let mut b = Broker::new(storage);
    b.declare_queue(t(0), "work", QueueConfig::default())
        .unwrap();
    b.publish_batch(t(0), "", "work", ["lost 1", "lost 2"])
        .unwrap();
    let (mut b, r) = S::restart(b);
    assert!(r.fresh, "{r}");
    b.declare_queue(t(1), "work", QueueConfig::default())
        .expect("declared again after a restart before any flush");
    b.publish_batch(t(1), "", "work", ["job 1", "job 2"])
        .unwrap();
    b.consume(t(1), "work", "w", ConsumerConfig::default())
        .unwrap();
    let got: Vec<String> = deliveries(&mut b).iter().map(text).collect();
    assert_eq!(got, ["job 1", "job 2"]);
    b.flush().unwrap();
    let (mut b, r) = S::restart(b);
    assert!(!r.fresh && r.skipped.is_empty(), "{r}");
    b.consume(t(2), "work", "w", ConsumerConfig::default())
        .unwrap();
    let got: Vec<String> = deliveries(&mut b).iter().map(text).collect();
    assert_eq!(got, ["job 1", "job 2"], "redelivered after the restart");
}

fn file_storage(label: &str) -> (TempDir, FileStorage) {
    let dir = TempDir::new(label);
    let (s, _) = FileStorage::open(dir.path(), FileOptions::default()).expect("open");
    (dir, s)
}

macro_rules! on_both {
    ($($name:ident),* $(,)?) => {
        mod memory {
            $(#[test] fn $name() { super::$name(brokerlab::MemoryStorage::new()); })*
        }
        mod file {
            $(#[test] fn $name() {
                let (_dir, s) = super::file_storage(stringify!($name));
                super::$name(s);
            })*
        }
    };
}

on_both!(
    acked_work_is_not_redone_and_unacked_work_comes_back,
    topology_comes_back_with_its_ids,
    streams_keep_retention_and_groups_their_commits,
    partition_counts_are_read_back_not_recounted,
    a_fresh_storage_gives_a_new_broker,
    a_broker_killed_before_its_first_flush_starts_anew,
);
