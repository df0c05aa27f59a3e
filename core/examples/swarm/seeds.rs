//! One seed checked whole, natively: its case run with the auditor (in memory, or over the
//! crash-testing `FileStorage` when it has a restart plan), run again for the same trace
//! hash, and a panic caught as a violation. Shrinking a failing case with the same runner.

use std::panic::{AssertUnwindSafe, catch_unwind};

use brokerlab::sim::Scenario;
use brokerlab::sim::swarm::{
    Case, Profile, Rule, RunReport, Violation, case, check_memory, run_memory, shrink,
};

use crate::durable::run_durable;

/// A seed's verdict.
#[allow(dead_code)]
pub(crate) struct Outcome {
    /// The case.
    pub(crate) case: Case,
    /// The run (with its violation, if any).
    pub(crate) report: RunReport,
}

/// Runs `f`, turning a panic into a [`Rule::Harness`] violation.
fn guarded(f: impl FnOnce() -> RunReport) -> RunReport {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_default();
        RunReport {
            trace_hash: None,
            stats: Default::default(),
            published: 0,
            coverage: Default::default(),
            violation: Some(Box::new(Violation::new(
                Rule::Harness,
                0,
                format!("the run panicked: {what}"),
            ))),
        }
    })
}

/// The audited run of `case` (memory or durable), not repeated.
pub(crate) fn run_case(case: &Case) -> RunReport {
    guarded(|| {
        if case.plan.restarts() {
            run_durable(case)
        } else {
            run_memory(&case.scenario)
        }
    })
}

/// Checks `seed`: the audited run, then the same trace hash from a second run.
pub(crate) fn check_seed(seed: u64, profile: &Profile) -> Outcome {
    let case = case(seed, profile);
    let report = guarded(|| {
        if !case.plan.restarts() {
            return check_memory(&case.scenario);
        }
        let mut first = run_durable(&case);
        if first.violation.is_none() {
            let again = run_durable(&case).trace_hash;
            if again != first.trace_hash {
                first.violation = Some(Box::new(Violation::new(
                    Rule::Determinism,
                    case.scenario.duration_ms,
                    format!(
                        "the same case gave trace hashes {:?} and {again:?}",
                        first.trace_hash
                    ),
                )));
            }
        }
        first
    });
    Outcome { case, report }
}

/// The smallest scenario found that still breaks `rule` with `case`'s restart plan.
pub(crate) fn shrink_case(case: &Case, rule: Rule, max_tries: u32) -> Scenario {
    let mut still_fails = |s: &Scenario| {
        let candidate = Case {
            seed: case.seed,
            scenario: s.clone(),
            plan: case.plan.clone(),
        };
        let first = run_case(&candidate);
        if rule == Rule::Determinism {
            return first.violation.is_none()
                && first.trace_hash != run_case(&candidate).trace_hash;
        }
        first.violation.is_some_and(|v| v.rule == rule)
    };
    shrink(&case.scenario, &mut still_fails, max_tries).scenario
}
