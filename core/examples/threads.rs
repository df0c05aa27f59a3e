//! A work queue shared by threads: producers publish jobs, consumers with a prefetch receive,
//! acknowledge and report each job; once every job is acknowledged the consumers are
//! cancelled, which ends their receive loops. Prints what was sent, what each consumer took,
//! how many jobs a second went through, and checks that every job was acknowledged exactly
//! once.
//!
//! Run: `cargo run -p brokerlab --example threads` (in memory), or
//! `cargo run -p brokerlab --example threads -- DIR` to keep the queue in a `FileStorage` in
//! DIR, synced at every flush: each publish and ack returns once it is on disk, and calls of
//! different threads share syncs (group commit). Jobs a run in DIR leaves behind are purged
//! at the start of the next.

use std::collections::HashSet;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use brokerlab::shared::SharedError;
use brokerlab::storage::{FileOptions, FileStorage};
use brokerlab::{
    Broker, ConsumerConfig, ConsumerError, Limits, QueueConfig, SharedBroker, Storage,
};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

const PRODUCERS: usize = 3;
const JOBS_PER_PRODUCER: usize = 2_000;
const CONSUMERS: usize = 4;
const PREFETCH: u32 = 16;

fn main() -> Result<(), BoxError> {
    match std::env::args_os().nth(1) {
        None => run(SharedBroker::default()),
        Some(dir) => {
            let (storage, report) = FileStorage::open(&dir, FileOptions::default())
                .map_err(|e| format!("cannot use {}: {e}", dir.to_string_lossy()))?;
            println!("storage in {} ({report})", dir.to_string_lossy());
            let (broker, _) = Broker::recover(storage, Limits::default())?;
            run(SharedBroker::new(broker))
        }
    }
}

fn run<S: Storage + Send + 'static>(shared: SharedBroker<S>) -> Result<(), BoxError> {
    shared.with(|broker, now| match broker.queue_id("jobs") {
        Some(_) => Ok(()),
        None => broker
            .declare_queue(now, "jobs", QueueConfig::default())
            .map(|_| ()),
    })?;
    let left = shared.with(|broker, now| broker.purge_queue(now, "jobs"))?;
    if left > 0 {
        println!("purged {left} jobs an earlier run left in the queue");
    }
    println!(
        "work queue \"jobs\": {PRODUCERS} producers x {JOBS_PER_PRODUCER} jobs, \
         {CONSUMERS} consumers with prefetch {PREFETCH}"
    );
    let start = Instant::now();

    // Each consumer reports every job it acknowledged.
    let (acked_tx, acked_rx) = mpsc::channel::<(usize, String)>();
    let mut consumers = Vec::new();
    let mut workers = Vec::new();
    for i in 0..CONSUMERS {
        let config = ConsumerConfig::default().with_prefetch(PREFETCH);
        let consumer = shared.consume("jobs", &format!("worker-{i}"), config)?;
        consumers.push(consumer);
        let (shared, acked_tx) = (shared.clone(), acked_tx.clone());
        workers.push(thread::spawn(move || -> Result<(), BoxError> {
            loop {
                match shared.recv(consumer, Duration::from_secs(1)) {
                    Ok(Some(job)) => {
                        let text = String::from_utf8_lossy(&job.payload).into_owned();
                        shared.ack(consumer, job.delivery)?;
                        acked_tx.send((i, text))?;
                    }
                    Ok(None) => {}
                    // Cancelled: the work is done.
                    Err(SharedError::Broker(ConsumerError::UnknownConsumer)) => return Ok(()),
                    Err(e) => return Err(e.into()),
                }
            }
        }));
    }
    drop(acked_tx);

    let producers: Vec<_> = (0..PRODUCERS)
        .map(|p| {
            let shared = shared.clone();
            thread::spawn(move || -> Result<(), BoxError> {
                for n in 0..JOBS_PER_PRODUCER {
                    shared.publish("", "jobs", format!("job {p}-{n}"))?;
                }
                Ok(())
            })
        })
        .collect();
    for producer in producers {
        producer.join().map_err(|_| "a producer panicked")??;
    }
    let sent = PRODUCERS * JOBS_PER_PRODUCER;
    println!("sent {sent} jobs");

    let mut per_consumer = [0usize; CONSUMERS];
    let mut distinct = HashSet::new();
    let mut duplicates = 0;
    for (worker, job) in acked_rx.iter().take(sent) {
        per_consumer[worker] += 1;
        if !distinct.insert(job) {
            duplicates += 1;
        }
    }
    for consumer in consumers {
        shared.cancel(consumer)?;
    }
    for worker in workers {
        worker.join().map_err(|_| "a consumer panicked")??;
    }

    let took = start.elapsed();
    for (i, n) in per_consumer.iter().enumerate() {
        println!("worker-{i} received and acked {n}");
    }
    println!(
        "{sent} jobs in {:.2} s: {:.0} jobs/s (each a publish, a delivery and an ack)",
        took.as_secs_f64(),
        sent as f64 / took.as_secs_f64()
    );
    let stats = shared.read(|b| b.queue_id("jobs").and_then(|q| b.queue_stats(q)))?;
    let (ready, unacked) = stats.map_or((0, 0), |s| (s.ready, s.unacked));
    println!("queue \"jobs\" now: {ready} ready, {unacked} unacked");
    if distinct.len() == sent && duplicates == 0 && ready == 0 && unacked == 0 {
        println!("all {sent} jobs acked exactly once");
        Ok(())
    } else {
        Err(format!(
            "{} distinct jobs acked of {sent}, {duplicates} twice",
            distinct.len()
        )
        .into())
    }
}
