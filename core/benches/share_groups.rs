//! Share groups against a queue, one thread, 64-byte payloads, every event filtered out
//! (`EventFilter::NONE`): what it costs per record to get work to a worker and settle it.
//!
//! - queue: `publish` → `poll_delivery` → `ack`, one message at a time;
//! - share group, one at a time: `produce` → `share_fetch(1)` → `share_acknowledge(Accept)`
//!   (a 1-partition stream, one member);
//! - share group, batches of 100: `produce` ×100 → one `share_fetch(100)` → 100
//!   `share_acknowledge(Accept)`; and the same with one `share_acknowledge_range`;
//! - share group, six members on three partitions, batches of 60 across the members.
//!
//! A harness-less binary: it times each case side by side in the same run (median of seven
//! runs of 100,000 records, interleaved) and prints ns per record and the ratio to the queue.
//! Run: `cargo bench -p brokerlab --bench share_groups`.

#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Instant as StdInstant;

use brokerlab::{
    AcknowledgeType, Broker, ConsumerConfig, ConsumerId, EventFilter, Instant, MemoryStorage,
    Publish, QueueConfig, ShareGroupConfig, ShareMemberId, ShareOffsetReset, StreamConfig,
};

const PAYLOAD: [u8; 64] = [7; 64];
const RECORDS: usize = 100_000;
const RUNS: usize = 7;

fn queue() -> (Broker, ConsumerId) {
    let mut broker = Broker::new(MemoryStorage::new());
    let now = Instant::ZERO;
    broker
        .declare_queue(now, "work", QueueConfig::default())
        .unwrap();
    let consumer = broker
        .consume(now, "work", "w", ConsumerConfig::default())
        .unwrap();
    broker.set_event_filter(EventFilter::NONE);
    (broker, consumer)
}

fn queue_one_by_one(n: usize) {
    let (mut broker, consumer) = queue();
    let now = Instant::ZERO;
    for _ in 0..n {
        broker
            .publish(now, Publish::to_queue("work", &PAYLOAD))
            .unwrap();
        let d = broker.poll_delivery().unwrap();
        black_box(&d.payload);
        broker.ack(now, consumer, d.delivery).unwrap();
    }
}

/// A share group on a stream of `partitions` partitions with `members` members; the record
/// lock limit raised so a batch fits in a partition's window.
fn share(partitions: u32, members: usize) -> (Broker, Vec<ShareMemberId>) {
    let mut broker = Broker::new(MemoryStorage::new());
    let now = Instant::ZERO;
    broker
        .declare_stream(now, "jobs", StreamConfig::new(partitions))
        .unwrap();
    let config = ShareGroupConfig {
        auto_offset_reset: ShareOffsetReset::Earliest,
        max_record_locks: 1_000,
        ..ShareGroupConfig::default()
    };
    broker
        .create_share_group(now, "workers", &["jobs"], config)
        .unwrap();
    let ids = (0..members)
        .map(|i| {
            broker
                .join_share_group(now, "workers", &format!("w{i}"))
                .unwrap()
        })
        .collect();
    broker.set_event_filter(EventFilter::NONE);
    (broker, ids)
}

fn share_one_by_one(n: usize) {
    let (mut broker, members) = share(1, 1);
    let now = Instant::ZERO;
    for _ in 0..n {
        broker.produce(now, "jobs", None, &PAYLOAD[..]).unwrap();
        let got = broker.share_fetch(now, members[0], 1).unwrap();
        let r = &got[0].record;
        black_box(&r.payload);
        broker
            .share_acknowledge(
                now,
                members[0],
                r.partition,
                r.offset,
                AcknowledgeType::Accept,
            )
            .unwrap();
    }
}

fn share_batched(n: usize, batch: usize, range: bool) {
    let (mut broker, members) = share(1, 1);
    let now = Instant::ZERO;
    for _ in 0..n / batch {
        for _ in 0..batch {
            broker.produce(now, "jobs", None, &PAYLOAD[..]).unwrap();
        }
        let got = broker.share_fetch(now, members[0], batch).unwrap();
        assert_eq!(got.len(), batch);
        if range {
            let (first, last) = (&got[0].record, &got[batch - 1].record);
            broker
                .share_acknowledge_range(
                    now,
                    members[0],
                    first.partition,
                    first.offset,
                    last.offset,
                    AcknowledgeType::Accept,
                )
                .unwrap();
        } else {
            for a in &got {
                let r = &a.record;
                black_box(&r.payload);
                broker
                    .share_acknowledge(
                        now,
                        members[0],
                        r.partition,
                        r.offset,
                        AcknowledgeType::Accept,
                    )
                    .unwrap();
            }
        }
    }
}

fn share_six_on_three(n: usize) {
    let (mut broker, members) = share(3, 6);
    let now = Instant::ZERO;
    let batch = 60;
    for _ in 0..n / batch {
        for _ in 0..batch {
            broker.produce(now, "jobs", None, &PAYLOAD[..]).unwrap();
        }
        for &m in &members {
            let got = broker.share_fetch(now, m, batch / members.len()).unwrap();
            for a in &got {
                let r = &a.record;
                black_box(&r.payload);
                broker
                    .share_acknowledge(now, m, r.partition, r.offset, AcknowledgeType::Accept)
                    .unwrap();
            }
        }
    }
}

type Case = (&'static str, fn(usize));

const CASES: [Case; 5] = [
    ("queue publish -> deliver -> ack", queue_one_by_one),
    ("share produce -> fetch(1) -> accept", share_one_by_one),
    ("share batches of 100, accept each", |n| {
        share_batched(n, 100, false)
    }),
    ("share batches of 100, accept as a range", |n| {
        share_batched(n, 100, true);
    }),
    ("share 6 members on 3 partitions", share_six_on_three),
];

fn main() {
    // `cargo bench` passes `--bench`; nothing else is read.
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); CASES.len()];
    for _ in 0..RUNS {
        for (i, (_, run)) in CASES.iter().enumerate() {
            let start = StdInstant::now();
            run(RECORDS);
            times[i].push(start.elapsed().as_secs_f64() * 1e9 / RECORDS as f64);
        }
    }
    let medians: Vec<f64> = times
        .iter_mut()
        .map(|t| {
            t.sort_by(f64::total_cmp);
            t[t.len() / 2]
        })
        .collect();
    println!("{RECORDS} records per run, median of {RUNS} interleaved runs, events filtered out");
    for (i, (name, _)) in CASES.iter().enumerate() {
        println!(
            "{name:<42} {:>8.0} ns/record  {:>5.2}x the queue",
            medians[i],
            medians[i] / medians[0]
        );
    }
}
