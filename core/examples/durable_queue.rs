//! A work queue on disk: run it, kill it mid-way, run it again on the same folder. It says
//! that it resumed and from where; nothing acknowledged is done again, nothing unacknowledged
//! is lost (a job the worker had started but not acknowledged when the process died is
//! delivered again, flagged as a redelivery; if it was done, it is done again: at-least-once).
//!
//! Run: `cargo run -p brokerlab --example durable_queue -- DIR [--jobs N] [--delay-ms MS]
//! [--crash-after N]`
//!
//! Each job done is written to `DIR/done.txt` (and synced) before it is acknowledged, so the
//! file shows what was done and how often. `--crash-after N` aborts the process right after
//! the N+1-th delivery of this run, before doing that job: the same as `kill -9` at that
//! moment.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use brokerlab::storage::{FileOptions, FileStorage, SyncPolicy};
use brokerlab::{Broker, ConsumerConfig, EventFilter, EventKind, Instant, Limits, QueueConfig};

struct Args {
    dir: PathBuf,
    jobs: u32,
    delay: Duration,
    crash_after: Option<u32>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    let mut dir = None;
    let mut jobs = 200;
    let mut delay = Duration::from_millis(20);
    let mut crash_after = None;
    let number = |flag: &str, v: Option<String>| -> Result<u64, String> {
        v.as_deref()
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| format!("{flag} needs a number"))
    };
    while let Some(a) = args.next() {
        match a.as_str() {
            "--jobs" => jobs = number("--jobs", args.next())? as u32,
            "--delay-ms" => delay = Duration::from_millis(number("--delay-ms", args.next())?),
            "--crash-after" => crash_after = Some(number("--crash-after", args.next())? as u32),
            other if other.starts_with("--") => return Err(format!("unknown option {other}")),
            other => dir = Some(PathBuf::from(other)),
        }
    }
    let dir = dir.ok_or("usage: durable_queue DIR [--jobs N] [--delay-ms MS] [--crash-after N]")?;
    Ok(Args {
        dir,
        jobs,
        delay,
        crash_after,
    })
}

/// Milliseconds since the Unix epoch: the broker's clock, so record times mean the same in
/// every run.
fn now() -> Instant {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    Instant::from_millis(ms)
}

fn main() {
    let args = match parse_args() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    if let Err(e) = run(&args) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let options = FileOptions {
        sync: SyncPolicy::EveryBatch,
        ..FileOptions::default()
    };
    let (storage, repaired) = FileStorage::open(&args.dir, options)?;
    let (mut broker, recovered) = Broker::recover(storage, Limits::default())?;
    broker.set_event_filter(EventFilter::ALL.without(EventKind::Delivered));
    let done_before = if recovered.fresh {
        broker.declare_queue(now(), "work", QueueConfig::default())?;
        let jobs: Vec<String> = (0..args.jobs).map(|i| format!("job {i}")).collect();
        broker.publish_batch(now(), "", "work", jobs)?;
        broker.flush()?;
        println!(
            "new work queue in {}: {} jobs queued",
            args.dir.display(),
            args.jobs
        );
        0
    } else {
        println!("resumed from {} (files: {repaired})", args.dir.display());
        println!("{recovered}");
        recovered
            .queues
            .iter()
            .find(|q| q.name == "work")
            .map_or(0, |q| q.acked_below + q.acked_above as u64)
    };
    let worker = broker.consume(
        now(),
        "work",
        "worker",
        ConsumerConfig::default().with_prefetch(1),
    )?;
    // Saves the delivery the worker just got, as the flush after each ack saves the next
    // one: a job in hand when the process dies comes back flagged as redelivered.
    broker.flush()?;
    let mut ledger = OpenOptions::new()
        .create(true)
        .append(true)
        .open(args.dir.join("done.txt"))?;
    let mut done = 0u32;
    let mut deliveries = Vec::new();
    loop {
        deliveries.clear();
        broker.poll_deliveries(usize::MAX, &mut deliveries);
        while broker.poll_event().is_some() {}
        let Some(d) = deliveries.pop() else { break };
        if args.crash_after == Some(done) {
            println!("crashing with {} delivered and not acked", d.message);
            std::process::abort();
        }
        let job = String::from_utf8_lossy(d.payload.as_bytes()).into_owned();
        std::thread::sleep(args.delay);
        // One write for the whole line, so a process killed here leaves whole lines.
        ledger.write_all(format!("{job}\n").as_bytes())?;
        ledger.sync_data()?;
        broker.ack(now(), worker, d.delivery)?;
        broker.flush()?;
        done += 1;
        let again = if d.redelivered { " (redelivered)" } else { "" };
        println!("done {job}{again}");
    }
    println!("all jobs done: {done} this run, {done_before} in earlier runs");
    Ok(())
}
