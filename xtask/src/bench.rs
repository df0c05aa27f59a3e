//! `cargo xtask bench`: the simulation benchmark natively and in WebAssembly in headless
//! Chromium, in one run, with the ratio between them.
//!
//! Both sides run the same workload (ready-made scenario E with about 300,000 messages, no
//! rendering; `brokerlab::sim::ready::bench_scenario_e`), trace on and off, take the median
//! of seven timed runs, and report simulated messages per second on lines
//! `BENCH <side>-trace-<on|off> <rate>`; this command collects them.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use crate::command::{self, Failure};
use crate::{http, setup, site};

/// Native simulated messages per second the core aims for.
const NATIVE_GOAL: f64 = 5_000_000.0;
/// The share of the native rate WebAssembly aims for.
const WASM_RATIO_GOAL: f64 = 0.5;

/// Reads `(key, rate)` from a `BENCH <key> <rate>` line.
fn bench_line(line: &str) -> Option<(String, f64)> {
    let mut words = line.split_whitespace();
    if words.next() != Some("BENCH") {
        return None;
    }
    let key = words.next()?.to_owned();
    let rate = words.next()?.parse().ok()?;
    Some((key, rate))
}

fn measure(
    step: &str,
    command: &mut Command,
    rates: &mut BTreeMap<String, f64>,
) -> Result<(), Failure> {
    command::announce(step);
    let success = command::run_echoing(step, command, |line| {
        if let Some((key, rate)) = bench_line(line) {
            rates.insert(key, rate);
        }
    })?;
    if success {
        Ok(())
    } else {
        Err(Failure::new(step, "the benchmark failed".to_owned()))
    }
}

/// Runs both measurements and prints the comparison.
pub(crate) fn run(root: &Path) -> Result<(), Failure> {
    let mut rates = BTreeMap::new();
    measure(
        "bench: scenario E natively (cargo bench -p brokerlab --bench simulation)",
        Command::new(setup::cargo()).current_dir(root).args([
            "bench",
            "--package",
            "brokerlab",
            "--bench",
            "simulation",
        ]),
        &mut rates,
    )?;

    let built = site::build(root)?;
    setup::ensure_npm_packages(root)?;
    let chromium = setup::ensure_chromium()?;
    let url = http::serve_in_background(built.dir)?;
    measure(
        "bench: scenario E in WebAssembly (headless Chromium, www/bench.html)",
        Command::new("node")
            .current_dir(root)
            .arg(root.join("tests").join("bench").join("wasm_simulation.mjs"))
            .env("BROKERLAB_URL", &url)
            .env("BROKERLAB_CHROMIUM", &chromium.browser),
        &mut rates,
    )?;

    println!("\nscenario E, simulated messages per second, no rendering (median of 7 runs)");
    println!("  trace   native (M/s)   wasm (M/s)   wasm ÷ native");
    for mode in ["on", "off"] {
        let get = |side: &str| {
            rates
                .get(&format!("{side}-trace-{mode}"))
                .copied()
                .ok_or_else(|| {
                    Failure::new("bench", format!("no `BENCH {side}-trace-{mode}` line"))
                })
        };
        let (native, wasm) = (get("native")?, get("wasm")?);
        println!(
            "  {mode:<5}   {:>12.2}   {:>10.2}   {:>13.2}",
            native / 1e6,
            wasm / 1e6,
            wasm / native
        );
    }
    let native = rates["native-trace-on"].max(rates["native-trace-off"]);
    let ratio = rates["wasm-trace-on"] / rates["native-trace-on"];
    println!(
        "goals: native ≥ {:.0} M/s: {}; wasm ≥ {WASM_RATIO_GOAL}× native (trace on): {}",
        NATIVE_GOAL / 1e6,
        verdict(native >= NATIVE_GOAL),
        verdict(ratio >= WASM_RATIO_GOAL)
    );
    Ok(())
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "NOT met" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_bench_lines() {
        assert_eq!(
            bench_line("BENCH native-trace-on 5100000.5"),
            Some(("native-trace-on".to_owned(), 5_100_000.5))
        );
        assert_eq!(bench_line("scenario E in wasm: 12 M/s"), None);
        assert_eq!(bench_line("BENCH wasm-trace-off fast"), None);
        assert_eq!(bench_line("BENCH"), None);
    }
}
