//! Looking for a counterexample: runs variants of a scenario (run 0 as it is; every other
//! run with another seed and a random fault schedule over the scenario's own entities, from
//! [`add_faults`]) and keeps the run that breaks a guarantee soonest.
//!
//! The search is split into chunks (`first_run .. first_run + runs`) so a caller can show
//! progress and stop between chunks; the same run number always gives the same variant.

use crate::sim::check::{Guarantee, Violation, check_run};
use crate::sim::rng::Rng;
use crate::sim::scenario::Scenario;
use crate::sim::swarm::{FaultProfile, add_faults};
use crate::sim::{SimOptions, Simulation};

/// The faults a search adds, all on the entities of the drawing: crashes (most with
/// restarts), consumers and members leaving, partitions added, producer rates changed and
/// extra publishes. No new consumers (they would not be the user's topology), no seeks or
/// explicit commits (choices of the user, not of the topology).
#[must_use]
pub fn search_faults() -> FaultProfile {
    FaultProfile {
        crashes: 3,
        joins: 0,
        leaves: 1,
        seeks: 0,
        commits: 0,
        partitions_added: 1,
        bindings: 0,
        rate_changes: 2,
        publishes: 1,
    }
}

/// Run `run` of a search of `scenario`: the scenario itself for run 0, otherwise the
/// scenario with another seed and a fault schedule drawn from the run number.
#[must_use]
pub fn variant(scenario: &Scenario, run: u32) -> Scenario {
    if run == 0 {
        return scenario.clone();
    }
    let mut rng = Rng::new(scenario.seed ^ u64::from(run).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    let mut s = add_faults(scenario, &mut rng, &search_faults());
    s.seed = rng.next_u64();
    s
}

/// A run that broke the guarantee.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Found {
    /// Its run number.
    pub run: u32,
    /// The scenario that ran (the user's, with the run's seed and faults).
    pub scenario: Scenario,
    /// What broke, and when.
    pub violation: Violation,
}

/// What one chunk of a search found.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Chunk {
    /// Runs done in this chunk.
    pub runs: u32,
    /// The run of this chunk that broke the guarantee soonest (ties: the lower run).
    pub found: Option<Found>,
}

/// Runs `first_run .. first_run + runs` of a search of `scenario` for `guarantee`. A variant
/// that fails validation (it cannot, for a valid scenario) is skipped.
#[must_use]
pub fn search(scenario: &Scenario, guarantee: Guarantee, first_run: u32, runs: u32) -> Chunk {
    let mut best: Option<Found> = None;
    for run in first_run..first_run.saturating_add(runs) {
        let s = variant(scenario, run);
        let Ok(mut sim) = Simulation::with_options(&s, SimOptions { trace: true }) else {
            continue;
        };
        if let Some(violation) = check_run(&mut sim, guarantee)
            && best.as_ref().is_none_or(|b| violation.at < b.violation.at)
        {
            best = Some(Found {
                run,
                scenario: s,
                violation,
            });
        }
    }
    Chunk { runs, found: best }
}
