//! The swarm, natively on all cores: random scenarios (`brokerlab::sim::swarm`), each run
//! with the invariant auditor after every step, one seed in eight over `FileStorage` on the
//! crash-testing file system with broker restarts, each run twice for the same trace hash.
//! A failure prints its seed and writes the scenario, shrunk, to `target/swarm/seed-N.json`
//! with the commands that replay it. `cargo xtask swarm` runs this in release.
//!
//! `cargo run --release -p brokerlab --example swarm -- [--seeds N] [--from S] [--minutes M]
//! [--threads T] [--out DIR] [--coverage] [--share-groups]` (defaults: 2,000 seeds from 0, no
//! time limit, every core, `target/swarm`; `--coverage` prints what the runs exercised;
//! `--share-groups` adds share groups to about a third of the scenarios, which then differ
//! from the same seeds' without it); `-- --replay FILE [--seed S --flushes MS,… --restarts MS,…]` runs one
//! scenario file with the auditor (with a restart plan: over the crash-testing storage, the
//! crashes drawn from seed S) and prints its verdict. Exit code 1 when a rule is broken.

#[path = "../../tests/support/crash_fs.rs"]
mod crash_fs;
mod durable;
mod seeds;

use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use brokerlab::sim::Scenario;
use brokerlab::sim::swarm::{Case, Coverage, Profile, RestartPlan};

/// What to run.
struct Args {
    seeds: u64,
    from: u64,
    minutes: Option<f64>,
    threads: usize,
    out: String,
    replay: Option<String>,
    seed: u64,
    plan: RestartPlan,
    coverage: bool,
    /// Generate with share groups (`Profile::with_share_groups`).
    share_groups: bool,
}

fn usage(why: &str) -> ExitCode {
    eprintln!(
        "{why}\nusage: swarm [--seeds N] [--from S] [--minutes M] [--threads T] [--out DIR] \
         [--coverage] [--share-groups]\n       \
         swarm --replay FILE [--seed S --flushes MS,… --restarts MS,…]"
    );
    ExitCode::from(2)
}

fn times(list: &str) -> Option<Vec<u64>> {
    list.split(',')
        .filter(|t| !t.is_empty())
        .map(|t| t.parse().ok())
        .collect()
}

fn parse() -> Result<Args, String> {
    let mut a = Args {
        seeds: 2_000,
        from: 0,
        minutes: None,
        threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
        out: String::from("target/swarm"),
        replay: None,
        seed: 0,
        plan: RestartPlan::none(),
        coverage: false,
        share_groups: false,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        if flag == "--coverage" {
            a.coverage = true;
            continue;
        }
        if flag == "--share-groups" {
            a.share_groups = true;
            continue;
        }
        let value = it.next().ok_or_else(|| format!("`{flag}` needs a value"))?;
        let bad = || format!("`{flag}`: cannot read `{value}`");
        match flag.as_str() {
            "--seeds" => a.seeds = value.parse().map_err(|_| bad())?,
            "--from" => a.from = value.parse().map_err(|_| bad())?,
            "--minutes" => a.minutes = Some(value.parse().map_err(|_| bad())?),
            "--threads" => a.threads = value.parse::<usize>().map_err(|_| bad())?.max(1),
            "--out" => a.out.clone_from(value),
            "--replay" => a.replay = Some(value.clone()),
            "--seed" => a.seed = value.parse().map_err(|_| bad())?,
            "--flushes" => a.plan.flushes_ms = times(value).ok_or_else(bad)?,
            "--restarts" => a.plan.restarts_ms = times(value).ok_or_else(bad)?,
            _ => return Err(format!("unknown option `{flag}`")),
        }
    }
    Ok(a)
}

fn main() -> ExitCode {
    let args = match parse() {
        Ok(a) => a,
        Err(why) => return usage(&why),
    };
    match &args.replay {
        Some(file) => replay(file, &args),
        None => swarm(&args),
    }
}

fn replay(file: &str, args: &Args) -> ExitCode {
    let scenario = match std::fs::read_to_string(file)
        .map_err(|e| e.to_string())
        .and_then(|t| Scenario::from_json(&t).map_err(|e| e.to_string()))
    {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{file}: {e}");
            return ExitCode::from(2);
        }
    };
    let case = Case {
        seed: args.seed,
        scenario,
        plan: args.plan.clone(),
    };
    let report = seeds::run_case(&case);
    println!(
        "{} steps, {} events, {} restarts checked; trace {:#018x}",
        report.stats.steps,
        report.stats.events,
        report.stats.restarts,
        report.trace_hash.unwrap_or(0)
    );
    match report.violation {
        Some(v) => {
            println!("{v}");
            ExitCode::FAILURE
        }
        None => {
            println!("no rule broken");
            ExitCode::SUCCESS
        }
    }
}

/// A broken seed, as found.
struct Found {
    case: Case,
    violation: String,
    rule: brokerlab::sim::swarm::Rule,
}

fn swarm(args: &Args) -> ExitCode {
    let profile = if args.share_groups {
        Profile::with_share_groups()
    } else {
        Profile::default()
    };
    let next = Arc::new(AtomicU64::new(args.from));
    let done = Arc::new(AtomicU64::new(0));
    let durable = Arc::new(AtomicU64::new(0));
    let steps = Arc::new(AtomicU64::new(0));
    let found: Arc<Mutex<Vec<Found>>> = Arc::default();
    let end = args.from.saturating_add(args.seeds);
    let start = Instant::now();
    let deadline = args
        .minutes
        .map(|m| start + Duration::from_secs_f64((m * 60.0).max(0.0)));
    let range = if args.seeds >= u64::MAX / 4 {
        format!("from {}", args.from)
    } else {
        format!("{}..{end}", args.from)
    };
    println!(
        "swarm: seeds {range} on {} threads{}",
        args.threads,
        args.minutes
            .map_or_else(String::new, |m| format!(", at most {m} minutes"))
    );
    let workers: Vec<_> = (0..args.threads)
        .map(|_| {
            let (next, done, durable, steps, found) = (
                Arc::clone(&next),
                Arc::clone(&done),
                Arc::clone(&durable),
                Arc::clone(&steps),
                Arc::clone(&found),
            );
            let profile = profile.clone();
            std::thread::spawn(move || {
                let mut coverage = Coverage::default();
                loop {
                    if deadline.is_some_and(|d| Instant::now() >= d) {
                        break;
                    }
                    let seed = next.fetch_add(1, Ordering::Relaxed);
                    if seed >= end {
                        break;
                    }
                    let outcome = seeds::check_seed(seed, &profile);
                    if outcome.case.plan.restarts() {
                        durable.fetch_add(1, Ordering::Relaxed);
                    }
                    steps.fetch_add(outcome.report.stats.steps, Ordering::Relaxed);
                    coverage.add(&outcome.report.coverage);
                    if let Some(v) = outcome.report.violation {
                        println!("seed {seed}: {v}");
                        if let Ok(mut f) = found.lock() {
                            f.push(Found {
                                case: outcome.case,
                                violation: v.to_string(),
                                rule: v.rule,
                            });
                        }
                    }
                    done.fetch_add(1, Ordering::Relaxed);
                }
                coverage
            })
        })
        .collect();
    let mut last = Instant::now();
    while workers.iter().any(|w| !w.is_finished()) {
        std::thread::sleep(Duration::from_millis(50));
        if last.elapsed() >= Duration::from_secs(10) {
            last = Instant::now();
            let n = done.load(Ordering::Relaxed);
            let failed = found.lock().map_or(0, |f| f.len());
            println!(
                "  {n} seeds, {failed} violations, {:.0} seeds/s",
                n as f64 / start.elapsed().as_secs_f64()
            );
        }
    }
    let mut coverage = Coverage::default();
    for w in workers {
        if let Ok(c) = w.join() {
            coverage.add(&c);
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    let n = done.load(Ordering::Relaxed);
    let mut found = std::mem::take(&mut *found.lock().unwrap_or_else(|e| e.into_inner()));
    found.sort_by_key(|f| f.case.seed);
    println!(
        "swarm: {n} seeds ({} with broker restarts over FileStorage), {} steps checked, {} \
         violations, {elapsed:.1} s, {:.0} seeds/s",
        durable.load(Ordering::Relaxed),
        steps.load(Ordering::Relaxed),
        found.len(),
        n as f64 / elapsed.max(1e-9)
    );
    if args.coverage {
        println!("events by kind:");
        for (kind, n) in &coverage.events {
            println!("  {kind:?}: {n}");
        }
        println!("cases:");
        for (case, n) in &coverage.cases {
            println!("  {case}: {n}");
        }
    }
    if found.is_empty() {
        return ExitCode::SUCCESS;
    }
    if let Err(e) = std::fs::create_dir_all(&args.out) {
        eprintln!("{}: {e}", args.out);
    }
    for f in found.iter().take(5) {
        report(f, &args.out);
    }
    ExitCode::FAILURE
}

/// Shrinks a failure, writes it and prints how to replay it.
fn report(f: &Found, out: &str) {
    let seed = f.case.seed;
    println!("\nseed {seed} breaks [{}]: {}", f.rule, f.violation);
    let small = seeds::shrink_case(&f.case, f.rule, 2_000);
    let path = format!("{out}/seed-{seed}.json");
    if let Err(e) = std::fs::write(&path, small.to_json()) {
        eprintln!("{path}: {e}");
        return;
    }
    let still = seeds::run_case(&Case {
        seed,
        scenario: small.clone(),
        plan: f.case.plan.clone(),
    });
    println!(
        "shrunk to {} queues, {} exchanges, {} streams, {} groups, {} producers, {} consumers, \
         {} script steps, {} ms: {path}",
        small.topology.queues.len(),
        small.topology.exchanges.len(),
        small.topology.streams.len(),
        small.topology.groups.len(),
        small.producers.len(),
        small.consumers.len(),
        small.script.len(),
        small.duration_ms
    );
    if let Some(v) = still.violation {
        println!("  it breaks: {v}");
    }
    println!("  replay: cargo run --release -p brokerlab --example simulate -- {path}");
    let join = |t: &[u64]| t.iter().map(u64::to_string).collect::<Vec<_>>().join(",");
    if f.case.plan.restarts() {
        println!(
            "  audit:  cargo run --release -p brokerlab --example swarm -- --replay {path} \
             --seed {seed} --flushes {} --restarts {}",
            join(&f.case.plan.flushes_ms),
            join(&f.case.plan.restarts_ms)
        );
    } else {
        println!("  audit:  cargo run --release -p brokerlab --example swarm -- --replay {path}");
    }
}
