//! `cargo xtask bench`: the simulation benchmark natively and in WebAssembly in headless
//! Chromium, in one run, with the ratio between them; then the playground's frame time; then
//! its load time.
//!
//! Both sides of the simulation benchmark run the same workload (ready-made scenario E with
//! about 300,000 messages, no rendering; `brokerlab::sim::ready::bench_scenario_e`), trace on
//! and off, take the median of seven timed runs, and report simulated messages per second on
//! lines `BENCH <side>-trace-<on|off> <rate>`; this command collects them.
//!
//! The frame-time benchmark (`tests/bench/frame_time.mjs`, also alone as
//! `cargo xtask bench frames`) plays the comparison scenario at 2,000 messages per second in
//! headless Chromium and reports frame intervals and work per frame on a line
//! `FRAME interval median=… p95=… … work median=… p95=… … frames=… msgs_per_sec=…`.
//!
//! The load-time benchmark (`tests/bench/load_time.mjs`, also alone as
//! `cargo xtask bench load`) times cold loads of the embed and the full app, from navigation
//! to the first frame of the drawing, under emulated mobile and broadband networks, against
//! the server `cargo xtask serve` runs; each case on a line
//! `LOAD <embed|app> <mobile|broadband> median_ms=… bytes=… …`, which this command puts in a
//! table beside the goals ([`LOAD_GOALS`]).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use crate::command::{self, Failure};
use crate::{http, setup, site};

/// Native simulated messages per second the core aims for.
const NATIVE_GOAL: f64 = 5_000_000.0;
/// The share of the native rate WebAssembly aims for.
const WASM_RATIO_GOAL: f64 = 0.5;
/// The 95th percentile frame interval the playground aims for (one frame at 60 Hz), ms.
const FRAME_P95_GOAL_MS: f64 = 16.7;
/// Chromium's animation-frame timestamps are whole 0.1 ms: a steady 60 Hz (16.67 ms) reads
/// 16.6, 16.7 or 16.8 ms, so an interval up to the goal plus this is still one frame.
const FRAME_TIMESTAMP_STEP_MS: f64 = 0.1;
/// The messages per second the frame-time benchmark animates.
const FRAME_RATE_TARGET: f64 = 2_000.0;

/// One load-time case: the page, the emulated profile, and the most its median may take.
struct LoadGoal {
    /// `embed` (`?embed=1`) or `app` (`/`), as on the `LOAD` line.
    page: &'static str,
    /// `mobile` or `broadband`, as on the `LOAD` line.
    profile: &'static str,
    /// The goal for the median load, navigation to the first frame of the drawing, in ms.
    goal_ms: f64,
}

/// The load-time goals: what a reader waits for the drawing with a cold cache. Mobile:
/// 1.6 Mbps down, 750 kbps up, 150 ms round trip, CPU slowed 4× (Lighthouse's mobile
/// profile); broadband: 10 Mbps down, 40 ms round trip, no CPU slowdown.
const LOAD_GOALS: [LoadGoal; 4] = [
    LoadGoal {
        page: "embed",
        profile: "mobile",
        goal_ms: 2_000.0,
    },
    LoadGoal {
        page: "embed",
        profile: "broadband",
        goal_ms: 800.0,
    },
    LoadGoal {
        page: "app",
        profile: "mobile",
        goal_ms: 3_000.0,
    },
    LoadGoal {
        page: "app",
        profile: "broadband",
        goal_ms: 1_200.0,
    },
];

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

/// The figures of a `FRAME …` line: `group median=… p95=…` pairs become `group.median`,
/// `group.p95`; the other `key=value` pairs keep their key.
fn frame_line(line: &str) -> Option<BTreeMap<String, f64>> {
    let mut words = line.split_whitespace();
    if words.next() != Some("FRAME") {
        return None;
    }
    let mut figures = BTreeMap::new();
    let mut group = "";
    for word in words {
        match word.split_once('=') {
            None => group = word,
            Some((key @ ("median" | "p95" | "max"), value)) => {
                figures.insert(format!("{group}.{key}"), value.parse().ok()?);
            }
            Some((key, value)) => {
                figures.insert(key.to_owned(), value.parse().ok()?);
            }
        }
    }
    Some(figures)
}

/// Runs both measurements and prints the comparison, then the frame time.
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

    let site = Served::start(root)?;
    measure(
        "bench: scenario E in WebAssembly (headless Chromium, www/bench.html)",
        Command::new("node")
            .current_dir(root)
            .arg(root.join("tests").join("bench").join("wasm_simulation.mjs"))
            .env("BROKERLAB_URL", &site.url)
            .env("BROKERLAB_CHROMIUM", &site.chromium),
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
    frame_time(root, &site)?;
    seek_time(root, &site)?;
    load_time(root, &site)
}

/// `cargo xtask bench seek`: the timeline's seek-time benchmark alone.
pub(crate) fn run_seek(root: &Path) -> Result<(), Failure> {
    seek_time(root, &Served::start(root)?)
}

/// The most a seek may take to feel instant (the slowest of the desktop profile's seeks).
const SEEK_GOAL_MS: f64 = 100.0;

/// Runs the seek-time benchmark against the served site and prints its figures and goal.
fn seek_time(root: &Path, site: &Served) -> Result<(), Failure> {
    let step = "bench: seek time, the comparison scenario over 60 s (headless Chromium)";
    command::announce(step);
    let mut desktop_max = None;
    let success = command::run_echoing(
        step,
        Command::new("node")
            .current_dir(root)
            .arg(root.join("tests").join("bench").join("seek_time.mjs"))
            .env("BROKERLAB_URL", &site.url)
            .env("BROKERLAB_CHROMIUM", &site.chromium),
        |line| {
            if let Some(rest) = line.strip_prefix("SEEK desktop ") {
                desktop_max = rest
                    .split_whitespace()
                    .find_map(|w| w.strip_prefix("max_ms="))
                    .and_then(|v| v.parse::<f64>().ok());
            }
        },
    )?;
    if !success {
        return Err(Failure::new(step, "the benchmark failed".to_owned()));
    }
    let max = desktop_max.ok_or_else(|| Failure::new(step, "no `SEEK desktop` line".to_owned()))?;
    println!(
        "goal: every seek on desktop ≤ {SEEK_GOAL_MS:.0} ms (slowest {max:.1} ms): {}",
        verdict(max <= SEEK_GOAL_MS)
    );
    Ok(())
}

/// The site built and served on a free port, and the Chromium to open it with.
struct Served {
    url: String,
    chromium: std::path::PathBuf,
}

impl Served {
    fn start(root: &Path) -> Result<Served, Failure> {
        let built = site::build(root)?;
        setup::ensure_npm_packages(root)?;
        let chromium = setup::ensure_chromium()?;
        let url = http::serve_in_background(built.dir)?;
        Ok(Served {
            url,
            chromium: chromium.browser,
        })
    }
}

/// `cargo xtask bench frames`: the frame-time benchmark alone.
pub(crate) fn run_frames(root: &Path) -> Result<(), Failure> {
    frame_time(root, &Served::start(root)?)
}

/// `cargo xtask bench load`: the load-time benchmark alone.
pub(crate) fn run_load(root: &Path) -> Result<(), Failure> {
    load_time(root, &Served::start(root)?)
}

/// The figures of a `LOAD <page> <profile> key=value …` line: the case and its numbers
/// (`median_ms`, `bytes`, …; words that are not numbers, such as `encodings=…`, are left out).
fn load_line(line: &str) -> Option<((String, String), BTreeMap<String, f64>)> {
    let mut words = line.split_whitespace();
    if words.next() != Some("LOAD") {
        return None;
    }
    let page = words.next()?.to_owned();
    let profile = words.next()?.to_owned();
    let mut figures = BTreeMap::new();
    for word in words {
        let (key, value) = word.split_once('=')?;
        if let Ok(value) = value.parse() {
            figures.insert(key.to_owned(), value);
        }
    }
    figures
        .contains_key("median_ms")
        .then_some(((page, profile), figures))
}

/// Runs the load-time benchmark against the served site and prints its figures and goals.
fn load_time(root: &Path, site: &Served) -> Result<(), Failure> {
    let step = "bench: load time, cold cache, mobile and broadband (headless Chromium)";
    command::announce(step);
    let mut cases = BTreeMap::new();
    let success = command::run_echoing(
        step,
        Command::new("node")
            .current_dir(root)
            .arg(root.join("tests").join("bench").join("load_time.mjs"))
            .env("BROKERLAB_URL", &site.url)
            .env("BROKERLAB_CHROMIUM", &site.chromium),
        |line| {
            if let Some((case, figures)) = load_line(line) {
                cases.insert(case, figures);
            }
        },
    )?;
    if !success {
        return Err(Failure::new(step, "the benchmark failed".to_owned()));
    }
    println!(
        "\nload time: navigation to the first frame of the drawing, cold cache (median of {} loads)",
        cases
            .values()
            .next()
            .and_then(|f| f.get("runs"))
            .copied()
            .unwrap_or(0.0)
    );
    println!("  page    profile      median (ms)   goal (ms)   transferred (B)");
    let mut measured = 0;
    for goal in &LOAD_GOALS {
        let Some(figures) = cases.get(&(goal.page.to_owned(), goal.profile.to_owned())) else {
            continue;
        };
        measured += 1;
        let median = figures["median_ms"];
        // The figures are whole, non-negative numbers printed by the script.
        let whole = |n: f64| crate::size::grouped(n.round() as u64);
        println!(
            "  {:<7} {:<10} {:>13} {:>11} {:>17}   {}",
            goal.page,
            goal.profile,
            whole(median),
            whole(goal.goal_ms),
            figures
                .get("bytes")
                .map_or_else(|| "?".to_owned(), |&b| whole(b)),
            verdict(median <= goal.goal_ms)
        );
    }
    if measured == 0 {
        return Err(Failure::new(step, "no `LOAD …` line".to_owned()));
    }
    Ok(())
}

/// Runs the frame-time benchmark against the served site and prints its figures and goal.
fn frame_time(root: &Path, site: &Served) -> Result<(), Failure> {
    let step = "bench: frame time, comparison scenario at 2,000 messages/s (headless Chromium)";
    command::announce(step);
    let mut figures = None;
    let success = command::run_echoing(
        step,
        Command::new("node")
            .current_dir(root)
            .arg(root.join("tests").join("bench").join("frame_time.mjs"))
            .env("BROKERLAB_URL", &site.url)
            .env("BROKERLAB_CHROMIUM", &site.chromium),
        |line| {
            if let Some(f) = frame_line(line) {
                figures = Some(f);
            }
        },
    )?;
    if !success {
        return Err(Failure::new(step, "the benchmark failed".to_owned()));
    }
    let figures = figures.ok_or_else(|| Failure::new(step, "no `FRAME …` line".to_owned()))?;
    let get = |key: &str| {
        figures
            .get(key)
            .copied()
            .ok_or_else(|| Failure::new(step, format!("the `FRAME` line has no `{key}`")))
    };
    println!(
        "\nframe time, comparison scenario, {:.0} frames at {:.0} messages/s (goal {FRAME_RATE_TARGET:.0})",
        get("frames")?,
        get("msgs_per_sec")?
    );
    println!("                          median (ms)   p95 (ms)");
    for (label, group) in [
        ("frame interval", "interval"),
        ("script work per frame", "work"),
        ("  of it the Tick action", "tick"),
        ("main thread per frame", "main"),
    ] {
        println!(
            "  {label:<24} {:>11.2}   {:>8.2}",
            get(&format!("{group}.median"))?,
            get(&format!("{group}.p95"))?
        );
    }
    let p95 = get("interval.p95")?;
    println!(
        "  {:.0} of {:.0} intervals skipped a frame (over 25 ms)",
        get("late")?,
        get("frames")?
    );
    println!(
        "goal: frame interval p95 ≤ {FRAME_P95_GOAL_MS} ms (one 60 Hz frame; timestamps are \
         whole {FRAME_TIMESTAMP_STEP_MS} ms): {}",
        verdict(one_frame(p95))
    );
    Ok(())
}

/// Whether a frame interval read from Chromium's timestamps is one frame within the goal.
fn one_frame(interval_ms: f64) -> bool {
    // Rounded to the timestamps' step first: 16.7 + 0.1 is not exactly 16.8 in binary.
    let steps = (interval_ms / FRAME_TIMESTAMP_STEP_MS).round();
    steps <= ((FRAME_P95_GOAL_MS + FRAME_TIMESTAMP_STEP_MS) / FRAME_TIMESTAMP_STEP_MS).round()
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

    #[test]
    fn reads_frame_lines() {
        let f = frame_line(
            "FRAME interval median=16.70 p95=16.80 max=33.40 work median=4.9 p95=10.1 max=20 \
             frames=962 late=3 msgs_per_sec=2002 speed=1.001",
        )
        .unwrap();
        assert_eq!(f["interval.median"], 16.7);
        assert_eq!(f["interval.p95"], 16.8);
        assert_eq!(f["work.p95"], 10.1);
        assert_eq!(f["frames"], 962.0);
        assert_eq!(f["late"], 3.0);
        assert_eq!(f["msgs_per_sec"], 2002.0);
        assert_eq!(frame_line("FRAME-ROUND 1 interval median=1"), None);
        assert_eq!(frame_line("FRAME interval median=fast"), None);
        assert_eq!(frame_line("BENCH wasm-trace-on 1"), None);
    }

    #[test]
    fn reads_load_lines() {
        let ((page, profile), f) = load_line(
            "LOAD embed mobile median_ms=2416 bytes=373805 min_ms=2391 max_ms=2418 runs=5 \
             requests=4 encodings=index.html:br,style.css:br",
        )
        .unwrap();
        assert_eq!((page.as_str(), profile.as_str()), ("embed", "mobile"));
        assert_eq!(f["median_ms"], 2416.0);
        assert_eq!(f["bytes"], 373_805.0);
        assert_eq!(f["runs"], 5.0);
        assert!(!f.contains_key("encodings"));
        assert_eq!(
            load_line("LOAD-RUN embed mobile run=1 first_frame_ms=2391"),
            None
        );
        assert_eq!(load_line("LOAD embed mobile bytes=1"), None);
        assert_eq!(load_line("LOAD embed"), None);
    }

    #[test]
    fn every_load_case_has_one_goal() {
        for page in ["embed", "app"] {
            for profile in ["mobile", "broadband"] {
                let goals = LOAD_GOALS
                    .iter()
                    .filter(|g| g.page == page && g.profile == profile)
                    .count();
                assert_eq!(goals, 1, "{page} {profile}");
            }
        }
    }

    #[test]
    fn a_frame_interval_within_the_timestamp_step_is_one_frame() {
        assert!(one_frame(16.6));
        assert!(one_frame(16.7));
        assert!(one_frame(16.8));
        assert!(!one_frame(16.9));
        assert!(!one_frame(33.3));
    }
}
