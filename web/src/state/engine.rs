//! The engine the reducer drives: the [`Simulation`] and what every consumer attaches to.

use brokerlab::sim::{self, Simulation};

/// The engine the reducer drives: the simulation and the names of what it runs.
#[derive(Debug)]
pub(super) struct Engine {
    pub(super) sim: Simulation,
    /// What every consumer attaches to (scenario consumers, then scripted ones).
    pub(super) attach: Vec<(String, sim::Attach)>,
    /// `totals().events` already turned into log rows.
    pub(super) seen_events: u64,
}

impl Engine {
    /// A new member for `group`: shaped like its first member (processing, acks, prefetch),
    /// named `<group>-<n>` with the first free `n`.
    pub(super) fn member_like(&self, group: &str) -> sim::ConsumerSpec {
        let scenario = self.sim.scenario();
        let scripted = scenario.script.iter().filter_map(|s| match &s.action {
            sim::Action::AddConsumer(c) => Some(c),
            _ => None,
        });
        let like = scenario
            .consumers
            .iter()
            .chain(scripted)
            .find(|c| matches!(&c.attach, sim::Attach::Group(g) if g == group));
        let taken = |name: &str| self.attach.iter().any(|(n, _)| n == name);
        let name = (1..)
            .map(|n| format!("{group}-{n}"))
            .find(|n| !taken(n))
            .unwrap_or_default();
        sim::ConsumerSpec {
            name,
            attach: sim::Attach::Group(group.to_owned()),
            processing: like.map(|c| c.processing).unwrap_or_default(),
            ack: like.map(|c| c.ack).unwrap_or_default(),
            prefetch: like.map_or(1, |c| c.prefetch),
            start_ms: 0,
            crashes: Vec::new(),
            nack: like.and_then(|c| c.nack),
            instance_id: None,
        }
    }

    pub(super) fn build(scenario: &sim::Scenario, seed: u64) -> Engine {
        let mut scenario = scenario.clone();
        scenario.seed = seed;
        // A ready-made scenario is valid; an invalid one shows as an empty run.
        let sim = Simulation::new(&scenario).unwrap_or_else(|_| {
            Simulation::new(&sim::Scenario {
                version: sim::scenario::SCENARIO_VERSION,
                ..sim::Scenario::default()
            })
            .expect("the empty scenario is valid")
        });
        let mut attach: Vec<(String, sim::Attach)> = scenario
            .consumers
            .iter()
            .map(|c| (c.name.clone(), c.attach.clone()))
            .collect();
        for step in &scenario.script {
            if let sim::Action::AddConsumer(c) = &step.action
                && !attach.iter().any(|(n, _)| *n == c.name)
            {
                attach.push((c.name.clone(), c.attach.clone()));
            }
        }
        Engine {
            sim,
            attach,
            seen_events: 0,
        }
    }
}
