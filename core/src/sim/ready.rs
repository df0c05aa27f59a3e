//! The ready-made scenarios: one per pattern (A–F, F the share group), a comparison of the
//! first five and one of all six, a compacted changelog (a stream with
//! `cleanup: compact`) and one join under the three ways a group rebalances (classic eager,
//! classic cooperative, the consumer protocol), committed as JSON under `core/scenarios/` and embedded here, so the playground, the examples and the
//! tests load the very same files.

use super::simulation::{SimOptions, Simulation};
use super::{ProcessingSpec, Scenario};

// Statics, not literals in `all`: the text then exists once in a program, however many
// crates `all` is inlined into.
static A: &str = include_str!("../../scenarios/a.json");
static B: &str = include_str!("../../scenarios/b.json");
static C: &str = include_str!("../../scenarios/c.json");
static D: &str = include_str!("../../scenarios/d.json");
static E: &str = include_str!("../../scenarios/e.json");
static F: &str = include_str!("../../scenarios/f.json");
static COMPARISON: &str = include_str!("../../scenarios/comparison.json");
static COMPARISON6: &str = include_str!("../../scenarios/comparison6.json");
static CHANGELOG: &str = include_str!("../../scenarios/changelog.json");
static REBALANCING: &str = include_str!("../../scenarios/rebalancing.json");

/// `(id, title, json)` of every ready-made scenario, in display order.
#[must_use]
pub fn all() -> [(&'static str, &'static str, &'static str); 10] {
    [
        ("a", "A. Queue: two workers, one crashes", A),
        ("b", "B. Pub/Sub: a late subscriber misses the start", B),
        ("c", "C. Fan-out: email is down, its queue fills", C),
        ("d", "D. Streaming: live reader, replay, retention", D),
        ("e", "E. Consumer groups: scale out, lose a member", E),
        ("f", "F. Share group: six workers on three partitions", F),
        ("comparison", "Same failure, five guarantees", COMPARISON),
        ("comparison6", "Same failure, six guarantees", COMPARISON6),
        (
            "changelog",
            "Changelog: compaction keeps the latest value per key",
            CHANGELOG,
        ),
        (
            "rebalancing",
            "Rebalancing: eager, cooperative and the consumer protocol",
            REBALANCING,
        ),
    ]
}

/// Loads a ready-made scenario by id (`"a"` … `"f"`, `"comparison"`, `"comparison6"`,
/// `"changelog"`, `"rebalancing"`); `None` for another id.
///
/// The files are checked by the tests, so loading them does not fail.
#[must_use]
#[inline] // Compiled in the calling crate, like `Scenario::from_json`.
pub fn load(id: &str) -> Option<Scenario> {
    let (_, _, json) = all().into_iter().find(|(i, _, _)| *i == id)?;
    Scenario::from_json(json).ok()
}

/// A deterministic workload for benchmarks (native and WebAssembly): scenario E's topology
/// and timeline (two groups on a 3-partition stream, analytics scaling from 1 to 4 members,
/// one member killed) with the producer's rate raised so that about `messages` records are
/// produced over the run, consumers processing instantly and polling up to 500 records.
/// Reads no clock; returns the messages produced and the trace hash (0 when `trace` is off).
#[must_use]
#[inline] // Compiled in the calling crate, like `Scenario::from_json`.
pub fn bench_scenario_e(messages: u64, trace: bool) -> (u64, u64) {
    let Some(mut s) = load("e") else {
        return (0, 0);
    };
    let per_sec = messages.saturating_mul(1000) / s.duration_ms.max(1);
    for p in &mut s.producers {
        p.rate_per_sec = u32::try_from(per_sec.max(1))
            .unwrap_or(u32::MAX)
            .min(super::bounds::MAX_RATE_PER_SEC);
    }
    for c in &mut s.consumers {
        c.processing = ProcessingSpec::Fixed(0);
        c.prefetch = 500;
    }
    for step in &mut s.script {
        if let super::Action::AddConsumer(c) = &mut step.action {
            c.processing = ProcessingSpec::Fixed(0);
            c.prefetch = 500;
        }
        if let super::Action::SetRate { rate_per_sec, .. } = &mut step.action {
            *rate_per_sec = u32::try_from(per_sec.max(1))
                .unwrap_or(u32::MAX)
                .min(super::bounds::MAX_RATE_PER_SEC);
        }
    }
    let Ok(mut sim) = Simulation::with_options(&s, SimOptions { trace }) else {
        return (0, 0);
    };
    sim.run_to_end();
    (sim.totals().published, sim.trace_hash().unwrap_or(0))
}
