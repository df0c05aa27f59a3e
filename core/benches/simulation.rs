//! Simulated messages per second for scenario E (two groups on a 3-partition stream,
//! analytics scaling from 1 to 4 members and losing one), with no rendering: the workload of
//! [`brokerlab::sim::ready::bench_scenario_e`], run with the trace (every event recorded and
//! hashed) and without it (the broker's event filter keeps only what the simulation needs).
//!
//! Run: `cargo bench -p brokerlab --bench simulation` (optionally `-- MESSAGES`). Prints the
//! median of seven runs for each mode; BENCHMARKS.md quotes these lines, and
//! `cargo xtask bench` sets them beside the same workload in WebAssembly.

#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Instant;

use brokerlab::sim::ready::bench_scenario_e;

/// Simulated messages per run; `www/bench.html` runs the same workload in WebAssembly.
const MESSAGES: u64 = 300_000;
/// Timed runs per mode; the median is reported, as on the WebAssembly side.
const ROUNDS: usize = 7;

/// Returns (messages simulated, trace hash, median seconds per run).
fn measure(messages: u64, trace: bool) -> (u64, u64, f64) {
    let mut times = Vec::with_capacity(ROUNDS);
    let mut out = black_box(bench_scenario_e(black_box(messages / 10), trace));
    for _ in 0..ROUNDS {
        let start = Instant::now();
        out = black_box(bench_scenario_e(black_box(messages), trace));
        times.push(start.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    (out.0, out.1, times[ROUNDS / 2])
}

fn main() {
    let messages = std::env::args()
        .skip(1)
        .find_map(|a| a.parse::<u64>().ok())
        .unwrap_or(MESSAGES);
    for trace in [true, false] {
        let (n, hash, secs) = measure(messages, trace);
        let mode = if trace { "on" } else { "off" };
        println!(
            "scenario E, {n} messages, trace {mode:<3}: {secs:>8.3} s, {:>6.2} M simulated msgs/s (hash {hash:#018x})",
            n as f64 / secs / 1e6,
        );
        // Read by `cargo xtask bench`, which sets the WebAssembly figures beside it.
        println!("BENCH native-trace-{mode} {}", n as f64 / secs);
    }
}
