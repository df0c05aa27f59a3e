//! Assignment time of each assignor at three group sizes on one stream: 100 members × 1,000
//! partitions, 1,000 × 10,000 and 10,000 × 100,000.
//!
//! Cases: range, round-robin, sticky and cooperative-sticky (the full two-step plan) on a
//! first generation; sticky and cooperative-sticky again on the next generation after one
//! member left (the previous assignment is the first generation's); the consumer protocol's
//! server-side uniform assignor on both (its current target being the first generation's).
//!
//! Criterion reports each case; a closing pass times every case side by side (median of a few
//! runs) and prints the growth ratio from one size to the next: n log n growth over a 10× step
//! is about 12–13×, quadratic would be 100×.
//! Run: `cargo bench -p brokerlab --bench assignors` (`-- --growth-only` skips criterion).

#![allow(missing_docs)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use brokerlab::assign::{
    AssignInput, Assignment, ServerAssignor, cooperative_sticky, range, round_robin, sticky,
};
use criterion::{BenchmarkId, Criterion};

const SIZES: [(usize, u32); 3] = [(100, 1_000), (1_000, 10_000), (10_000, 100_000)];

/// `members` members all subscribed to one stream of `partitions` partitions.
fn group(members: usize, partitions: u32) -> AssignInput {
    let mut input = AssignInput::new().with_stream("events", partitions);
    for i in 0..members {
        input = input.with_member(format!("consumer-{i}"), ["events"]);
    }
    input
}

/// The next generation: the previous assignment is `first`, and the member in the middle left.
fn one_left(input: &AssignInput, first: &Assignment) -> AssignInput {
    let leaver = format!("consumer-{}", input.subscriptions.len() / 2);
    input.clone().with_previous(first).without_member(&leaver)
}

struct Case {
    name: &'static str,
    run: fn(&AssignInput) -> usize,
    /// Whether the case runs on the next generation (one member left) rather than the first.
    rebalance: bool,
}

const CASES: [Case; 8] = [
    Case {
        name: "range",
        run: |i| range::assign(i).len(),
        rebalance: false,
    },
    Case {
        name: "round-robin",
        run: |i| round_robin::assign(i).len(),
        rebalance: false,
    },
    Case {
        name: "sticky",
        run: |i| sticky::assign(i).len(),
        rebalance: false,
    },
    Case {
        name: "cooperative-sticky",
        run: |i| cooperative_sticky::plan(i).revoked.len(),
        rebalance: false,
    },
    Case {
        name: "sticky/one-left",
        run: |i| sticky::assign(i).len(),
        rebalance: true,
    },
    Case {
        name: "cooperative-sticky/one-left",
        run: |i| cooperative_sticky::plan(i).revoked.len(),
        rebalance: true,
    },
    Case {
        name: "server uniform",
        run: |i| ServerAssignor::Uniform.assign(i).len(),
        rebalance: false,
    },
    Case {
        name: "server uniform/one-left",
        run: |i| ServerAssignor::Uniform.assign(i).len(),
        rebalance: true,
    },
];

/// The first-generation and next-generation inputs of each size.
fn inputs() -> Vec<(usize, u32, AssignInput, AssignInput)> {
    SIZES
        .iter()
        .map(|&(members, partitions)| {
            let first = group(members, partitions);
            let next = one_left(&first, &sticky::assign(&first));
            (members, partitions, first, next)
        })
        .collect()
}

fn median_time(run: fn(&AssignInput) -> usize, input: &AssignInput, runs: usize) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            black_box(run(black_box(input)));
            start.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

fn main() {
    let inputs = inputs();
    if !std::env::args().any(|arg| arg == "--growth-only") {
        run_criterion(&inputs);
    }
    growth_table(&inputs);
}

fn run_criterion(inputs: &[(usize, u32, AssignInput, AssignInput)]) {
    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2))
        .sample_size(10)
        .configure_from_args();
    for case in &CASES {
        let mut group = criterion.benchmark_group(format!("assign/{}", case.name));
        for (members, partitions, first, next) in inputs {
            let input = if case.rebalance { next } else { first };
            group.bench_with_input(
                BenchmarkId::from_parameter(format!("{members}x{partitions}")),
                input,
                |b, input| b.iter(|| (case.run)(black_box(input))),
            );
        }
        group.finish();
    }
    criterion.final_summary();
}

fn growth_table(inputs: &[(usize, u32, AssignInput, AssignInput)]) {
    // Side by side in one pass, with growth ratios.
    println!();
    println!(
        "{:<30} {:>12} {:>12} {:>14} {:>8} {:>8}",
        "median of 11 runs", "100x1k", "1kx10k", "10kx100k", "growth", "growth"
    );
    for case in &CASES {
        let times: Vec<Duration> = inputs
            .iter()
            .map(|(_, _, first, next)| {
                median_time(case.run, if case.rebalance { next } else { first }, 11)
            })
            .collect();
        println!(
            "{:<30} {:>12.3?} {:>12.3?} {:>14.3?} {:>7.1}x {:>7.1}x",
            case.name,
            times[0],
            times[1],
            times[2],
            times[1].as_secs_f64() / times[0].as_secs_f64(),
            times[2].as_secs_f64() / times[1].as_secs_f64(),
        );
    }
}
