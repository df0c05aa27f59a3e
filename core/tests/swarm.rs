//! The swarm (`brokerlab::sim::swarm`): thousands of random scenarios, each checked against
//! the engine's invariants after every step, one in eight over `FileStorage` on the
//! crash-testing file system with broker restarts, each run twice for the same trace hash;
//! what the generator covers; a sample of seeds whose trace hashes are recorded for the
//! WebAssembly test (`web/tests/swarm_trace.rs`); the shrinker.
//!
//! `cargo xtask test` runs this file in release, where the swarm test checks 2,000 seeds;
//! a debug build (`cargo test`) checks 200. `SWARM_SEEDS=N` sets the count.

#[path = "support/crash_fs.rs"]
mod crash_fs;
#[path = "../examples/swarm/durable.rs"]
mod durable;
#[path = "../examples/swarm/seeds.rs"]
mod seeds;

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use brokerlab::sim::Scenario;
use brokerlab::sim::swarm::{Coverage, Profile, Rule, case, generate, run_plain, shrink};

/// The recorded trace hashes of [`SAMPLE`] seeds, shared with the WebAssembly test.
const TRACE_HASHES: &str = include_str!("../scenarios/swarm-trace-hashes.txt");
const TRACE_HASHES_PATH: &str = "scenarios/swarm-trace-hashes.txt";

/// The seeds whose trace hashes are recorded (every seventh of the first 280: memory and
/// restart cases alike are generated; the recorded hash is the memory run's).
fn sample() -> impl Iterator<Item = u64> {
    (0..40).map(|i| i * 7)
}

fn seed_count() -> u64 {
    std::env::var("SWARM_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(if cfg!(debug_assertions) { 200 } else { 2_000 })
}

#[test]
fn thousands_of_random_runs_keep_every_invariant() {
    let seeds = seed_count();
    let profile = Profile::default();
    let next = AtomicU64::new(0);
    let failures = Mutex::new(Vec::new());
    let coverage = Mutex::new(Coverage::default());
    let start = std::time::Instant::now();
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                let mut mine = Coverage::default();
                loop {
                    let seed = next.fetch_add(1, Ordering::Relaxed);
                    if seed >= seeds {
                        break;
                    }
                    let outcome = seeds::check_seed(seed, &profile);
                    mine.add(&outcome.report.coverage);
                    if let Some(v) = outcome.report.violation {
                        failures.lock().unwrap().push((seed, v.to_string()));
                    }
                }
                coverage.lock().unwrap().add(&mine);
            });
        }
    });
    let elapsed = start.elapsed().as_secs_f64();
    println!(
        "{seeds} seeds in {elapsed:.1} s ({:.0} seeds/s) on {threads} threads",
        seeds as f64 / elapsed
    );
    let failures = failures.into_inner().unwrap();
    assert!(
        failures.is_empty(),
        "{} seeds broke a rule (replay: cargo xtask swarm --from SEED --seeds 1):\n{}",
        failures.len(),
        failures
            .iter()
            .map(|(s, v)| format!("seed {s}: {v}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    let coverage = coverage.into_inner().unwrap();
    // Even 200 seeds exercise every case the invariants are about.
    for case in [
        "nack: requeue",
        "nack: reject",
        "requeued: consumer crashed",
        "requeued: visibility timeout",
        "dead-lettered: rejected",
        "dead-lettered: expired",
        "dead-lettered: maxlen",
        "dropped: maxlen",
        "retention: records",
        "retention: age",
        "rebalance: range",
        "rebalance: round-robin",
        "rebalance: sticky",
        "rebalance: cooperative-sticky",
        "member evicted: session timeout",
        "consumer crash",
        "consumer joined",
        "consumer left",
        "broker restart",
        "offset reset: earliest",
    ] {
        assert!(
            coverage.cases.get(case).is_some_and(|&n| n > 0),
            "no run exercised {case:?}: {:?}",
            coverage.cases
        );
    }
}

#[test]
fn share_group_runs_keep_every_invariant() {
    // The share-group profile: about a third of the seeds add share groups (Kafka's KIP-932)
    // with members that accept, release and reject, crash, restart and leave, some over
    // `FileStorage` with broker restarts; the auditor checks one holder per record, nothing
    // settled acquired again and delivery counts within the limit after every step.
    let seeds = (seed_count() / 2).max(50);
    let profile = Profile::with_share_groups();
    let mut with_share_groups = 0;
    let mut failures = Vec::new();
    let mut coverage = Coverage::default();
    for seed in 0..seeds {
        if generate(seed, &profile).topology.share_groups.is_empty() {
            continue;
        }
        with_share_groups += 1;
        let outcome = seeds::check_seed(seed, &profile);
        coverage.add(&outcome.report.coverage);
        if let Some(v) = outcome.report.violation {
            failures.push(format!("seed {seed}: {v}"));
        }
    }
    assert!(
        with_share_groups > seeds / 5,
        "{with_share_groups} of {seeds}"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    for case in [
        "share: accepted",
        "share: released",
        "share: rejected",
        "share: redelivered",
        "share: lock expired",
        "share: released, member crashed",
        "share: released, member left",
        "share: archived, delivery limit",
    ] {
        assert!(
            coverage.cases.get(case).is_some_and(|&n| n > 0),
            "no run exercised {case:?}: {:?}",
            coverage.cases
        );
    }
}

/// `(seed, hash)` for every non-comment line of [`TRACE_HASHES`].
fn recorded() -> Vec<(u64, u64)> {
    TRACE_HASHES
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (seed, hex) = l.split_once(' ').expect("`seed 0xhash`");
            let hash = u64::from_str_radix(hex.trim().trim_start_matches("0x"), 16);
            (seed.parse().expect("a seed"), hash.expect("a hex hash"))
        })
        .collect()
}

#[test]
fn a_sample_of_seeds_hashes_as_recorded_and_as_in_webassembly() {
    let profile = Profile::default();
    let got: Vec<(u64, u64)> = sample()
        .map(|seed| {
            let s = generate(seed, &profile);
            let hash = run_plain(&s).expect("a generated scenario runs");
            assert_eq!(run_plain(&s), Some(hash), "seed {seed} twice");
            (seed, hash)
        })
        .collect();
    if std::env::var_os("BLESS").is_some_and(|v| v == "1") && std::env::var_os("CI").is_none() {
        let mut text: String = TRACE_HASHES
            .lines()
            .take_while(|l| l.starts_with('#'))
            .map(|l| format!("{l}\n"))
            .collect();
        for (seed, hash) in &got {
            text.push_str(&format!("{seed} {hash:#018x}\n"));
        }
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(TRACE_HASHES_PATH);
        std::fs::write(path, text).expect("write the hashes");
        return;
    }
    let report: Vec<String> = got.iter().map(|(s, h)| format!("{s} {h:#018x}")).collect();
    assert_eq!(
        got,
        recorded(),
        "swarm trace hashes changed (BLESS=1 rewrites {TRACE_HASHES_PATH} when the change is \
         intended):\n{}",
        report.join("\n")
    );
}

#[test]
fn a_failing_scenario_shrinks_to_what_makes_it_fail() {
    // "Fails" here: the scenario has a group member that leaves. The shrinker must keep
    // exactly what that needs: a stream, its group, one member, the leave.
    let profile = Profile::default();
    let leaves = |s: &Scenario| {
        s.script.iter().any(|st| {
            matches!(&st.action, brokerlab::sim::Action::RemoveConsumer { consumer }
                if s.consumers.iter().any(|c| c.name == *consumer
                    && matches!(c.attach, brokerlab::sim::Attach::Group(_))))
        })
    };
    let seed = (0..500)
        .find(|&seed| leaves(&generate(seed, &profile)))
        .expect("some seed has a member leaving");
    let big = generate(seed, &profile);
    let report = shrink(&big, &mut |s| leaves(s), 500);
    let small = report.scenario;
    small.validate().expect("shrunk scenarios stay valid");
    assert!(leaves(&small));
    assert_eq!(small.topology.groups.len(), 1, "{}", small.to_json());
    assert_eq!(small.topology.streams.len(), 1, "{}", small.to_json());
    assert_eq!(small.consumers.len(), 1, "{}", small.to_json());
    assert!(small.producers.is_empty() && small.topology.queues.is_empty());
    assert_eq!(small.script.len(), 1, "{}", small.to_json());
}

#[test]
fn a_scenario_with_share_groups_shrinks_to_one_share_group() {
    // "Fails" here: a share member rejects records. The shrinker keeps a stream, one share
    // group and that member.
    let profile = Profile::with_share_groups();
    let rejects = |s: &Scenario| {
        s.consumers.iter().any(|c| {
            matches!(c.attach, brokerlab::sim::Attach::ShareGroup(_))
                && c.nack.is_some_and(|n| !n.requeue)
        })
    };
    let seed = (0..500)
        .find(|&seed| rejects(&generate(seed, &profile)))
        .expect("some seed has a share member that rejects");
    let report = shrink(&generate(seed, &profile), &mut |s| rejects(s), 500);
    let small = report.scenario;
    small.validate().expect("shrunk scenarios stay valid");
    assert!(rejects(&small));
    assert_eq!(small.topology.share_groups.len(), 1, "{}", small.to_json());
    assert_eq!(small.topology.streams.len(), 1, "{}", small.to_json());
    assert_eq!(small.consumers.len(), 1, "{}", small.to_json());
}

#[test]
fn a_case_with_restarts_replays_to_the_same_verdict() {
    let profile = Profile::default();
    let c = (0..64)
        .map(|seed| case(seed, &profile))
        .find(|c| c.plan.restarts())
        .expect("one seed in eight restarts its broker");
    let first = seeds::run_case(&c);
    let again = seeds::run_case(&c);
    assert_eq!(first.violation, None);
    assert!(first.stats.restarts > 0);
    assert_eq!(first.trace_hash, again.trace_hash);
    assert_eq!(first.stats, again.stats);
    // The shrinker keeps the restart plan: a rule that never breaks shrinks nothing away.
    let kept = seeds::shrink_case(&c, Rule::Harness, 3);
    assert_eq!(kept, c.scenario);
}
