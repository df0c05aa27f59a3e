//! The swarm's invariants can fail: with a known bug planted in the engine (feature
//! `planted-bug`: a consumer crash forgets the last delivery it held), the swarm finds it
//! within 2,000 seeds and shrinks the failing scenario to a few entities, which is printed.
//! With the bug off, the shrunk scenario passes.
//!
//! Run by `cargo xtask test` (and `cargo test -p brokerlab --features planted-bug --test
//! swarm_planted`); without the feature this file compiles to nothing.

#![cfg(feature = "planted-bug")]

use brokerlab::sim::swarm::{Profile, Rule, case, run_memory, shrink};

#[test]
fn the_swarm_finds_and_shrinks_a_planted_bug() {
    brokerlab::planted::set(true);
    let profile = Profile::default();
    let mut found = None;
    for seed in 0..2_000 {
        let c = case(seed, &profile);
        if c.plan.restarts() {
            continue;
        }
        if let Some(v) = run_memory(&c.scenario).violation {
            found = Some((seed, c.scenario, v));
            break;
        }
    }
    let (seed, scenario, violation) = found.expect("the planted bug is found within 2,000 seeds");
    println!("seed {seed}: {violation}");
    assert!(
        matches!(
            violation.rule,
            Rule::QueueCrashReturn | Rule::QueueConservation
        ),
        "{violation}"
    );
    let rule = violation.rule;
    let report = shrink(
        &scenario,
        &mut |s| run_memory(s).violation.is_some_and(|v| v.rule == rule),
        2_000,
    );
    let small = &report.scenario;
    println!(
        "shrunk in {} tries ({} kept):\n{}",
        report.tries,
        report.kept,
        small.to_json()
    );
    let entities = small.topology.queues.len()
        + small.topology.exchanges.len()
        + small.topology.streams.len()
        + small.topology.groups.len()
        + small.producers.len()
        + small.consumers.len();
    assert!(entities <= 4, "{entities} entities left");
    assert!(
        small.script.len() <= 2,
        "{} script steps left",
        small.script.len()
    );
    assert!(small.duration_ms <= scenario.duration_ms);
    let again = run_memory(small)
        .violation
        .expect("the shrunk scenario still fails");
    println!("it fails with: {again}");
    brokerlab::planted::set(false);
    assert_eq!(
        run_memory(small).violation,
        None,
        "without the bug it passes"
    );
}
