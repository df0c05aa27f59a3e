//! One run of a scenario, audited after every step, with an optional [`RestartPlan`] of
//! flushes and broker restarts; and [`case`], the scenario and plan of a seed.
//!
//! Restarts need a storage that can crash, which lives outside this module: [`run_audited`]
//! takes a `restart` callback that crashes the running broker's storage somewhere after its
//! last flush, recovers a broker from what is left, and hands it to
//! [`Simulation::replace_broker`].

use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::audit::{AuditStats, Auditor, Coverage, Rule, Violation};
use super::generate::{Profile, generate};
use super::pick::Pick;
use crate::sim::rng::Rng;
use crate::sim::scenario::Scenario;
use crate::sim::{SimOptions, Simulation};
use crate::storage::Storage;
use crate::time::Instant;

/// When to flush the broker and when to restart it, in milliseconds of the run. A restart
/// crashes the storage somewhere after the last flush before it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RestartPlan {
    /// Flush times, ascending (the first at 0, so a restart always has a flush before it).
    pub flushes_ms: Vec<u64>,
    /// Restart times, ascending.
    pub restarts_ms: Vec<u64>,
}

impl RestartPlan {
    /// No flushes, no restarts.
    #[must_use]
    pub fn none() -> RestartPlan {
        RestartPlan::default()
    }

    /// One to three restarts at random times of a run of `duration_ms`, each after a flush at
    /// a random earlier time (and one flush at 0).
    #[must_use]
    pub fn random(seed: u64, duration_ms: u64) -> RestartPlan {
        let mut rng = Rng::fork(seed, 0x5245_5354);
        let mut p = Pick(&mut rng);
        let mut flushes_ms = alloc::vec![0];
        let mut restarts_ms = Vec::new();
        let n = p.range(1, 3);
        for _ in 0..n {
            let r = p.range(1, duration_ms.max(1));
            flushes_ms.push(p.range(0, r - 1));
            restarts_ms.push(r);
        }
        crate::sort::sort(&mut flushes_ms);
        flushes_ms.dedup();
        crate::sort::sort(&mut restarts_ms);
        restarts_ms.dedup();
        RestartPlan {
            flushes_ms,
            restarts_ms,
        }
    }

    /// Whether the plan restarts the broker at all.
    #[must_use]
    pub fn restarts(&self) -> bool {
        !self.restarts_ms.is_empty()
    }
}

/// A seed's case: its scenario, and for one seed in eight a plan of flushes and restarts
/// (run over a crash-testing storage by the native runner).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// The seed.
    pub seed: u64,
    /// Its scenario.
    pub scenario: Scenario,
    /// Its restart plan (empty for runs in memory).
    pub plan: RestartPlan,
}

/// The case of `seed`: the same everywhere.
#[must_use]
pub fn case(seed: u64, profile: &Profile) -> Case {
    let scenario = generate(seed, profile);
    let durable = Rng::fork(seed, 0xD0_2AB1E).below(8) == 0;
    let plan = if durable {
        RestartPlan::random(seed, scenario.duration_ms)
    } else {
        RestartPlan::none()
    };
    Case {
        seed,
        scenario,
        plan,
    }
}

/// How a run went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunReport {
    /// The run's trace hash (`None` when it could not start).
    pub trace_hash: Option<u64>,
    /// What the auditor checked.
    pub stats: AuditStats,
    /// Messages published and produced.
    pub published: u64,
    /// What the run exercised.
    pub coverage: Coverage,
    /// The first broken rule, if any.
    pub violation: Option<Box<Violation>>,
}

/// Runs `sim` (of `scenario`, just built) to its end, observing every step with an
/// [`Auditor`]; flushes with [`Simulation::flush_broker`] and calls `restart` at the
/// plan's times. Stops at the first violation.
pub fn run_audited<S: Storage>(
    sim: &mut Simulation<S>,
    scenario: &Scenario,
    plan: &RestartPlan,
    restart: &mut dyn FnMut(&mut Simulation<S>) -> Result<(), String>,
) -> RunReport {
    let mut auditor = Auditor::new(scenario);
    let result = drive(sim, &mut auditor, plan, restart);
    RunReport {
        trace_hash: sim.trace_hash(),
        stats: auditor.stats(),
        published: sim.totals().published,
        coverage: auditor.coverage().clone(),
        violation: result.err().map(Box::new),
    }
}

fn drive<S: Storage>(
    sim: &mut Simulation<S>,
    auditor: &mut Auditor,
    plan: &RestartPlan,
    restart: &mut dyn FnMut(&mut Simulation<S>) -> Result<(), String>,
) -> Result<(), Violation> {
    let mut flushes = plan.flushes_ms.iter().copied().peekable();
    let mut restarts = plan.restarts_ms.iter().copied().peekable();
    auditor.observe(sim)?;
    loop {
        let now = sim.now().as_millis();
        while flushes.next_if(|&t| t <= now).is_some() {
            sim.flush_broker()
                .map_err(|e| Violation::new(Rule::Harness, now, format!("flush failed: {e}")))?;
            auditor.flushed(sim);
        }
        if restarts.next_if(|&t| t <= now).is_some() {
            restart(sim)
                .map_err(|e| Violation::new(Rule::Harness, now, format!("restart failed: {e}")))?;
            auditor.observe(sim)?;
            continue;
        }
        let planned = [flushes.peek(), restarts.peek()]
            .into_iter()
            .flatten()
            .copied()
            .min();
        match (sim.next_due(), planned) {
            (None, None) => return Ok(()),
            (due, Some(t)) if due.is_none_or(|d| t < d.as_millis()) => {
                if t > sim.end().as_millis() {
                    return Ok(());
                }
                sim.run_until(Instant::from_millis(t));
            }
            _ => {
                sim.step_event();
            }
        }
        auditor.observe(sim)?;
    }
}

/// Runs `scenario` in memory with an auditor and no restarts.
#[must_use]
pub fn run_memory(scenario: &Scenario) -> RunReport {
    match Simulation::new(scenario) {
        Ok(mut sim) => run_audited(&mut sim, scenario, &RestartPlan::none(), &mut |_| {
            Err(String::from("no restarts in memory"))
        }),
        Err(e) => refused(&e),
    }
}

/// The report of a scenario the simulation refused.
#[must_use]
pub fn refused(e: &crate::sim::ScenarioError) -> RunReport {
    RunReport {
        trace_hash: None,
        stats: AuditStats::default(),
        published: 0,
        coverage: Coverage::default(),
        violation: Some(Box::new(Violation::new(
            Rule::Harness,
            0,
            format!("the simulation refused the scenario: {e}"),
        ))),
    }
}

/// Runs `scenario` in memory to its end without an auditor and returns its trace hash: what
/// the determinism check compares.
#[must_use]
pub fn run_plain(scenario: &Scenario) -> Option<u64> {
    let mut sim = Simulation::with_options(scenario, SimOptions { trace: true }).ok()?;
    sim.run_to_end();
    sim.trace_hash()
}

/// The memory case of `seed` checked whole: the audited run, then a second run without the
/// auditor that must give the same trace hash. (Cases with a restart plan need a crashable
/// storage: the native runner runs them.)
#[must_use]
pub fn check_memory(scenario: &Scenario) -> RunReport {
    let mut report = run_memory(scenario);
    if report.violation.is_none() {
        let again = run_plain(scenario);
        if again != report.trace_hash {
            report.violation = Some(Box::new(Violation::new(
                Rule::Determinism,
                scenario.duration_ms,
                format!(
                    "the same scenario gave trace hashes {:?} and {again:?}",
                    report.trace_hash
                ),
            )));
        }
    }
    report
}
