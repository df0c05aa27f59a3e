//! What durability costs a broker on `FileStorage`, in one run:
//!
//! - **recover**: `FileStorage::open` + `Broker::recover` of a broker holding a stream of
//!   100-byte records (4 partitions, retention by size on), against recovering the same
//!   broker with its saved partition counts removed, which makes recovery read every retained
//!   record to count their bytes (what it always did before the counts were saved);
//! - **flush**: one job published, delivered, acked and flushed on a busy queue while other
//!   queues sit idle, each holding deliveries in flight, against the same with no idle
//!   queues: what an idle queue adds to each flush;
//! - **threads**: jobs through a `SharedBroker` (2 producer threads publishing, 2 consumer
//!   threads receiving and acking; every call flushes) on `FileStorage` under each
//!   `SyncPolicy`, against the same on `MemoryStorage`: what a durable call costs.
//!
//! The first two use `SyncPolicy::Os` and a warm page cache: they measure the broker's own
//! work, not the disk. Rounds are interleaved (round 1 of every case, then round
//! 2, …); each figure is the median with the rounds' min–max.
//!
//! Run: `cargo bench -p brokerlab --bench durability`. `BROKERLAB_BENCH_QUICK=1` makes
//! a smoke test of it. Files go to a folder under `BROKERLAB_BENCH_DIR` (default: the target
//! directory's `tmp`), removed at the end.

#![allow(missing_docs)]

#[path = "support/scratch.rs"]
mod scratch;

use std::fs;
use std::path::Path;
use std::time::{Duration as StdDuration, Instant as WallInstant};

use brokerlab::storage::{FileOptions, FileStorage, SyncPolicy};
use brokerlab::{
    Broker, ConsumerConfig, ConsumerId, Delivery, EventFilter, Instant, Limits, MemoryStorage,
    Partition, Publish, QueueConfig, Retention, SharedBroker, Storage, StreamConfig,
};

use scratch::Scratch;

const PARTITIONS: u32 = 4;
const PAYLOAD_BYTES: usize = 100;
const IDLE_IN_FLIGHT: usize = 100;

fn options() -> FileOptions {
    FileOptions {
        sync: SyncPolicy::Os,
        ..FileOptions::default()
    }
}

fn open(dir: &Path) -> FileStorage {
    FileStorage::open(dir, options()).expect("open").0
}

fn median(samples: &mut [f64]) -> (f64, f64, f64) {
    samples.sort_by(f64::total_cmp);
    (
        samples[samples.len() / 2],
        samples[0],
        samples[samples.len() - 1],
    )
}

fn ms(d: StdDuration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Writes a broker with one stream of `records` records to `dir`, flushed and closed.
fn write_stream(dir: &Path, records: u64) {
    let mut b = Broker::new(open(dir));
    let retention = Retention::default().with_max_bytes(1 << 40);
    let config = StreamConfig::new(PARTITIONS).with_retention(retention);
    b.declare_stream(Instant::ZERO, "events", config)
        .expect("stream");
    let payload = brokerlab::Payload::from(vec![7u8; PAYLOAD_BYTES]);
    for i in 0..records {
        let partition = Partition((i % u64::from(PARTITIONS)) as u32);
        b.produce_to(Instant::ZERO, "events", partition, None, payload.clone())
            .expect("produce");
        if i % 10_000 == 9_999 {
            b.flush().expect("flush");
        }
    }
    b.flush().expect("flush");
}

/// Recovers the broker in `dir`; returns the time and the records it read to count bytes.
fn recover(dir: &Path) -> (StdDuration, u64) {
    let start = WallInstant::now();
    let (b, report) = Broker::recover(open(dir), Limits::default()).expect("recover");
    let took = start.elapsed();
    drop(b);
    (took, report.streams[0].records_read)
}

fn recovery(scratch: &Scratch, records: u64, rounds: usize) {
    let saved = scratch.0.join("saved");
    let recount = scratch.0.join("recount");
    for dir in [&saved, &recount] {
        write_stream(dir, records);
    }
    // The second copy loses its saved counts: recovery must count every record again.
    let mut s = open(&recount);
    s.delete_meta("stream-parts/events").expect("delete");
    s.flush().expect("flush");
    drop(s);

    let (mut fast, mut slow) = (Vec::new(), Vec::new());
    let (mut read_fast, mut read_slow) = (0, 0);
    for _ in 0..rounds {
        let (t, n) = recover(&saved);
        fast.push(ms(t));
        read_fast = n;
        let (t, n) = recover(&recount);
        slow.push(ms(t));
        read_slow = n;
    }
    let (f, f_lo, f_hi) = median(&mut fast);
    let (s, s_lo, s_hi) = median(&mut slow);
    println!(
        "\n## Recover a broker with a stream of {records} records of {PAYLOAD_BYTES} bytes \
         ({PARTITIONS} partitions, {:.0} MB), warm cache\n",
        (records * PAYLOAD_BYTES as u64) as f64 / 1e6
    );
    println!("| case | records read | time (ms) | min–max |");
    println!("|---|---:|---:|---:|");
    println!("| saved partition counts | {read_fast} | {f:.2} | {f_lo:.2}–{f_hi:.2} |");
    println!("| counts removed (recount) | {read_slow} | {s:.2} | {s_lo:.2}–{s_hi:.2} |");
    println!("\nRatio (recount time ÷ saved-counts time): {:.0}×", s / f);
}

/// A broker on `dir` with `idle` queues each holding [`IDLE_IN_FLIGHT`] deliveries in flight,
/// and a queue `busy` with one consumer.
fn with_idle_queues(dir: &Path, idle: usize) -> (Broker<FileStorage>, ConsumerId) {
    let t = Instant::ZERO;
    let mut b = Broker::new(open(dir));
    b.set_event_filter(EventFilter::NONE);
    let prefetch = ConsumerConfig::default().with_prefetch(IDLE_IN_FLIGHT as u32);
    for q in 0..idle {
        let name = format!("idle-{q}");
        b.declare_queue(t, name.as_str(), QueueConfig::default())
            .expect("queue");
        for _ in 0..IDLE_IN_FLIGHT {
            b.publish(t, Publish::to_queue(name.as_str(), "parked"))
                .expect("publish");
        }
        b.consume(t, name.as_str(), format!("parked-{q}").as_str(), prefetch)
            .expect("consume");
    }
    b.declare_queue(t, "busy", QueueConfig::default())
        .expect("queue");
    let worker = b
        .consume(t, "busy", "worker", ConsumerConfig::default())
        .expect("consume");
    b.flush().expect("flush");
    let mut drained = Vec::new();
    b.poll_deliveries(usize::MAX, &mut drained);
    (b, worker)
}

/// Publishes, receives, acks and flushes `jobs` jobs on `busy`; returns the time per job.
fn work(
    b: &mut Broker<FileStorage>,
    worker: ConsumerId,
    jobs: usize,
    got: &mut Vec<Delivery>,
) -> f64 {
    let t = Instant::ZERO;
    let start = WallInstant::now();
    for _ in 0..jobs {
        b.publish(t, Publish::to_queue("busy", "job"))
            .expect("publish");
        got.clear();
        b.poll_deliveries(1, got);
        let d = got.pop().expect("a delivery");
        b.ack(t, worker, d.delivery).expect("ack");
        b.flush().expect("flush");
    }
    start.elapsed().as_secs_f64() * 1e6 / jobs as f64
}

fn flushes(scratch: &Scratch, jobs: usize, rounds: usize) {
    const IDLE: [usize; 3] = [0, 100, 1_000];
    let mut brokers: Vec<_> = IDLE
        .iter()
        .map(|&n| with_idle_queues(&scratch.0.join(format!("idle-{n}")), n))
        .collect();
    let mut got = Vec::new();
    let mut samples = vec![Vec::new(); IDLE.len()];
    for _ in 0..rounds {
        for (i, (b, worker)) in brokers.iter_mut().enumerate() {
            samples[i].push(work(b, *worker, jobs, &mut got));
        }
    }
    println!(
        "\n## Publish + deliver + ack + flush of one job, with idle queues ({IDLE_IN_FLIGHT} \
         deliveries in flight each)\n"
    );
    println!("| idle queues | µs per job | min–max | ratio to no idle queue |");
    println!("|---:|---:|---:|---:|");
    let (base, _, _) = median(&mut samples[0].clone());
    for (n, s) in IDLE.iter().zip(&mut samples) {
        let (m, lo, hi) = median(s);
        println!("| {n} | {m:.2} | {lo:.2}–{hi:.2} | {:.2} |", m / base);
    }
}

/// Runs `jobs` jobs through `shared`: 2 threads publish half each, 2 consumer threads
/// receive and ack until all are acked. Returns jobs per second.
fn shared_jobs<S: Storage + Send + 'static>(shared: &SharedBroker<S>, jobs: usize) -> f64 {
    use std::sync::atomic::{AtomicUsize, Ordering};
    const THREADS: usize = 2;
    shared
        .with(|b, now| b.declare_queue(now, "jobs", QueueConfig::default()))
        .expect("queue");
    let consumers: Vec<ConsumerId> = (0..THREADS)
        .map(|i| {
            let config = ConsumerConfig::default().with_prefetch(16);
            shared
                .consume("jobs", format!("w{i}").as_str(), config)
                .expect("consume")
        })
        .collect();
    let acked = AtomicUsize::new(0);
    let start = WallInstant::now();
    std::thread::scope(|scope| {
        for _ in 0..THREADS {
            scope.spawn(|| {
                for _ in 0..jobs / THREADS {
                    shared.publish("", "jobs", "job").expect("publish");
                }
            });
        }
        for &c in &consumers {
            let acked = &acked;
            scope.spawn(move || {
                while acked.load(Ordering::Relaxed) < jobs {
                    if let Some(d) = shared.recv(c, StdDuration::from_millis(50)).expect("recv") {
                        shared.ack(c, d.delivery).expect("ack");
                        acked.fetch_add(1, Ordering::Relaxed);
                    }
                }
            });
        }
    });
    jobs as f64 / start.elapsed().as_secs_f64()
}

fn threads(scratch: &Scratch, jobs: usize, rounds: usize) {
    let policies = [
        ("memory (`MemoryStorage`)", None),
        ("`FileStorage`, `Os`", Some(SyncPolicy::Os)),
        (
            "`FileStorage`, `Interval(10 ms)`",
            Some(SyncPolicy::Interval(StdDuration::from_millis(10))),
        ),
        ("`FileStorage`, `EveryBatch`", Some(SyncPolicy::EveryBatch)),
    ];
    let mut samples = vec![Vec::new(); policies.len()];
    for round in 0..rounds {
        for (i, (_, policy)) in policies.iter().enumerate() {
            let rate = match policy {
                None => shared_jobs(&SharedBroker::new(Broker::new(MemoryStorage::new())), jobs),
                Some(sync) => {
                    let dir = scratch.0.join(format!("threads-{i}-{round}"));
                    let options = FileOptions {
                        sync: *sync,
                        ..FileOptions::default()
                    };
                    let storage = FileStorage::open(&dir, options).expect("open").0;
                    let rate = shared_jobs(&SharedBroker::new(Broker::new(storage)), jobs);
                    let _ = fs::remove_dir_all(&dir);
                    rate
                }
            };
            samples[i].push(rate);
        }
    }
    println!(
        "\n## {jobs} jobs through a `SharedBroker`: 2 threads publish, 2 receive and ack \
         (prefetch 16); every call flushes\n"
    );
    println!("| storage | jobs/s | min–max | ratio to memory |");
    println!("|---|---:|---:|---:|");
    let (base, _, _) = median(&mut samples[0].clone());
    for ((name, _), s) in policies.iter().zip(&mut samples) {
        let (m, lo, hi) = median(s);
        println!("| {name} | {m:.0} | {lo:.0}–{hi:.0} | {:.3} |", m / base);
    }
}

fn main() {
    let quick = std::env::var("BROKERLAB_BENCH_QUICK").is_ok_and(|v| v == "1");
    let scratch = Scratch::new("durability_bench");
    println!(
        "# Broker durability bench{} (folder {})",
        if quick { " — QUICK mode" } else { "" },
        scratch.0.display()
    );
    let (records, jobs, threaded, rounds) = if quick {
        (100_000, 200, 1_000, 3)
    } else {
        (2_000_000, 2_000, 10_000, 5)
    };
    recovery(&scratch, records, rounds);
    flushes(&scratch, jobs, rounds);
    threads(&scratch, threaded, rounds);
}
