//! Simulated messages per second for scenario E (two groups on a 3-partition stream,
//! analytics scaling from 1 to 4 members and losing one), with no rendering: the workload of
//! [`brokerlab::sim::ready::bench_scenario_e`], run with the trace (every event recorded and
//! hashed) and without it (the broker's event filter keeps only what the simulation needs).
//!
//! Run: `cargo bench -p brokerlab --bench simulation` (optionally `-- MESSAGES`). Prints the
//! best of five runs for each mode; BENCHMARKS.md quotes these lines.

#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Instant;

use brokerlab::sim::ready::bench_scenario_e;

fn measure(messages: u64, trace: bool) -> (u64, u64, f64) {
    let mut best = f64::MAX;
    let mut out = (0, 0);
    for _ in 0..5 {
        let start = Instant::now();
        out = black_box(bench_scenario_e(black_box(messages), trace));
        best = best.min(start.elapsed().as_secs_f64());
    }
    (out.0, out.1, best)
}

fn main() {
    let messages = std::env::args()
        .skip(1)
        .find_map(|a| a.parse::<u64>().ok())
        .unwrap_or(1_000_000);
    for trace in [true, false] {
        let (n, hash, secs) = measure(messages, trace);
        println!(
            "scenario E, {} messages, trace {:<3}: {:>8.3} s, {:>6.2} M simulated msgs/s (hash {hash:#018x})",
            n,
            if trace { "on" } else { "off" },
            secs,
            n as f64 / secs / 1e6,
        );
    }
}
