//! Seeking a run (time travel): the comparison scenario stretched to 60 s at its own (1×)
//! rates, its producers publishing throughout, with the default checkpoints (every 1 s, at most 32: the spacing doubles to 2 s
//! over 60 s). Times a sequence of seeks to spread moments, backwards and forwards, against
//! the baseline of replaying from the start to the same moments, measured in the same run;
//! and the heap the checkpoints hold (a counting global allocator, `stats_alloc`). Then the
//! cost of comparing two futures: the first divergence of a fork at 30 s (and of a fork
//! that never parts, which runs both to the end), and the messages that fared differently.
//! Run: `cargo bench -p brokerlab --bench timeline`.
#![allow(missing_docs)]

use std::alloc::System;
use std::hint::black_box;
use std::time::{Duration, Instant as Wall};

use brokerlab::Instant;
use brokerlab::sim::{Action, Scenario, Simulation, Timeline, TimelineConfig, compare, ready};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const END_MS: u64 = 60_000;

fn scenario() -> Scenario {
    let mut s = ready::load("comparison").expect("ready-made");
    s.duration_ms = END_MS;
    // Its producers publish for the whole minute.
    for p in &mut s.producers {
        p.stop_ms = None;
    }
    s
}

/// 40 moments spread over the run in a fixed shuffled order (a linear congruential walk).
fn targets() -> Vec<u64> {
    let mut x: u64 = 7;
    (0..40)
        .map(|_| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (x >> 33) % END_MS
        })
        .collect()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let s = scenario();
    let config = TimelineConfig::default();

    // Memory: one simulation at the end, against the timeline with its checkpoints.
    let region = Region::new(GLOBAL);
    let mut plain = Simulation::new(&s).unwrap();
    plain.run_until(Instant::from_millis(END_MS));
    let c = region.change();
    let one = c.bytes_allocated as i64 - c.bytes_deallocated as i64;
    let region = Region::new(GLOBAL);
    let mut timeline = Timeline::new(&s, config).unwrap();
    let built = Wall::now();
    timeline.seek(Instant::from_millis(END_MS));
    let first_pass = built.elapsed();
    let c = region.change();
    let all = c.bytes_allocated as i64 - c.bytes_deallocated as i64;
    let kept = timeline.checkpoints().count();

    // Seeks, against replaying from the start.
    let mut seeks = Vec::new();
    let mut replays = Vec::new();
    for &t in &targets() {
        let at = Instant::from_millis(t);
        let start = Wall::now();
        black_box(timeline.seek(at).totals());
        seeks.push(start.elapsed());
        let start = Wall::now();
        let mut fresh = Simulation::new(&s).unwrap();
        fresh.run_until(at);
        black_box(fresh.totals());
        replays.push(start.elapsed());
    }
    let worst = *seeks.iter().max().unwrap();
    let (seek, replay) = (median(seeks), median(replays));
    println!(
        "timeline: comparison scenario over {} s, {} seeks",
        END_MS / 1000,
        targets().len()
    );
    println!("  first pass to the end (taking checkpoints) {first_pass:>10.2?}");
    println!("  seek, median                                {seek:>10.2?}   worst {worst:.2?}");
    println!("  replay from the start, median (baseline)    {replay:>10.2?}");
    println!(
        "  ratio replay / seek                        {:>10.1}x",
        replay.as_secs_f64() / seek.as_secs_f64()
    );
    println!(
        "  checkpoints kept {kept} (cap {}), spacing {} ms",
        config.max_checkpoints,
        timeline.spacing_ms()
    );
    println!(
        "  heap: one simulation {} KB, timeline with its checkpoints {} KB ({:.1}x)",
        one / 1024,
        all / 1024,
        all as f64 / one as f64
    );
    forks(&s);
}

/// Times of a fork's comparison at 30 s of the 60 s run.
fn forks(s: &Scenario) {
    let mut sim = Simulation::new(s).unwrap();
    sim.keep_stories(2_000);
    let mut original = Timeline::from_simulation(sim, TimelineConfig::default());
    original.seek(Instant::from_millis(30_000));
    let same = original.fork();
    let mut crashed = original.fork();
    crashed
        .apply(&Action::Crash {
            consumer: "a.worker-2".into(),
        })
        .unwrap();
    let end = Instant::from_millis(END_MS);
    let start = Wall::now();
    let d = original.divergence(&crashed, end).expect("they part");
    let parted = start.elapsed();
    let start = Wall::now();
    assert!(original.divergence(&same, end).is_none());
    let never = start.elapsed();
    original.seek(Instant::from_millis(45_000));
    crashed.seek(Instant::from_millis(45_000));
    let start = Wall::now();
    let diff = black_box(compare::differences(original.sim(), crashed.sim()));
    let compared = start.elapsed();
    println!("fork at 30 s (a.worker-2 crashed by hand):");
    println!(
        "  first divergence (at {} ms)                 {parted:>10.2?}",
        d.at.as_millis()
    );
    println!("  futures that never part (both to the end)  {never:>10.2?}");
    println!(
        "  messages compared at 45 s ({})            {compared:>10.2?}",
        diff.compared
    );
}
