//! The `scenario_json` target: a scenario file, as the playground's import and the `simulate`
//! example read it.
//!
//! Checked: [`Scenario::from_json`] returns; a scenario it accepts is written back by
//! [`Scenario::to_json`] as text it reads back equal; and a [`Simulation`] of it starts and
//! takes its first steps. The steps are few ([`STEPS`]) and skipped for scenarios whose
//! bursts exceed [`MAX_BURST_MESSAGES`] or whose rates exceed [`MAX_RATE`]: a valid scenario
//! may ask for millions of messages, which is work, not a hang.

use brokerlab::sim::{Action, Scenario, Simulation};

/// Events simulated at most per input.
pub const STEPS: usize = 32;
/// Scenarios whose bursts add up to more messages than this are not stepped.
pub const MAX_BURST_MESSAGES: u64 = 10_000;
/// Scenarios whose producers' rates (and the rates their scripts set) add up to more
/// messages a second than this are not stepped.
pub const MAX_RATE: u64 = 100_000;

/// Reads `data` as scenario JSON (see the module docs).
pub fn scenario_json(data: &[u8]) {
    let Some(json) = crate::text(data) else {
        return;
    };
    let Ok(scenario) = Scenario::from_json(json) else {
        return;
    };
    check(&scenario);
}

/// What every accepted scenario must allow: to be written and read back, and simulated.
pub(crate) fn check(scenario: &Scenario) {
    match Scenario::from_json(&scenario.to_json()) {
        Ok(back) => assert!(
            &back == scenario,
            "a scenario, written back, reads different"
        ),
        Err(e) => panic!("a valid scenario, written back, does not read: {e}"),
    }
    let mut sim = match Simulation::new(scenario) {
        Ok(sim) => sim,
        Err(e) => panic!("a valid scenario does not start: {e}"),
    };
    let burst_messages: u64 = scenario
        .producers
        .iter()
        .flat_map(|p| &p.bursts)
        .map(|b| u64::from(b.count))
        .sum();
    let rates: u64 = scenario
        .producers
        .iter()
        .map(|p| u64::from(p.rate_per_sec))
        .chain(scenario.script.iter().map(|step| match &step.action {
            Action::SetRate { rate_per_sec, .. } => u64::from(*rate_per_sec),
            _ => 0,
        }))
        .sum();
    if burst_messages > MAX_BURST_MESSAGES || rates > MAX_RATE {
        return;
    }
    for _ in 0..STEPS {
        if sim.is_finished() {
            break;
        }
        sim.step_event();
    }
    let _ = sim.totals();
}
