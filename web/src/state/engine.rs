//! The engine the reducer drives: the [`Simulation`], what every consumer attaches to, and
//! the checkpoints a seek back in time restores (the timeline).

use std::collections::VecDeque;
use std::rc::Rc;

use brokerlab::sim::{self, Simulation};

use super::{LogRow, Rebalances};

/// Checkpoints kept at most; past that every other one goes and the spacing doubles.
pub const CHECKPOINTS_KEPT: usize = 16;
/// Simulated ms between checkpoints at first.
pub const CHECKPOINT_MS: u64 = 1_000;

/// The run at one moment, with what the playground derived from it so far (the viewer
/// build, without a timeline, keeps none).
#[derive(Debug, Clone)]
#[cfg_attr(not(feature = "editor"), allow(dead_code))]
pub(super) struct Checkpoint {
    pub(super) sim: Simulation,
    pub(super) attach: Vec<(String, sim::Attach)>,
    pub(super) seen_events: u64,
    pub(super) log: VecDeque<Rc<LogRow>>,
    pub(super) rebalances: Rc<Rebalances>,
}

/// The engine the reducer drives: the simulation and the names of what it runs.
#[derive(Debug, Clone)]
pub(super) struct Engine {
    pub(super) sim: Simulation,
    /// What every consumer attaches to (scenario consumers, then scripted ones).
    pub(super) attach: Vec<(String, sim::Attach)>,
    /// `totals().events` already turned into log rows.
    pub(super) seen_events: u64,
    /// Copies of the run at increasing times (the first at 0), taken as it advances.
    pub(super) checkpoints: Vec<Checkpoint>,
    /// The current spacing of checkpoints.
    pub(super) checkpoint_ms: u64,
}

impl Engine {
    /// A new member for `group` (a consumer group or a share group): shaped like its first
    /// member (processing, acks, prefetch),
    /// named `<group>-<n>` with the first free `n`.
    pub(super) fn member_like(&self, group: &str) -> sim::ConsumerSpec {
        let scenario = self.sim.scenario();
        let scripted = scenario.script.iter().filter_map(|s| match &s.action {
            sim::Action::AddConsumer(c) => Some(c),
            _ => None,
        });
        // Names are unique across kinds: the group is a share group or a consumer group.
        let attach = if scenario
            .topology
            .share_groups
            .iter()
            .any(|g| g.name == group)
        {
            sim::Attach::ShareGroup(group.to_owned())
        } else {
            sim::Attach::Group(group.to_owned())
        };
        let like = scenario
            .consumers
            .iter()
            .chain(scripted)
            .find(|c| c.attach == attach);
        let taken = |name: &str| self.attach.iter().any(|(n, _)| n == name);
        let name = (1..)
            .map(|n| format!("{group}-{n}"))
            .find(|n| !taken(n))
            .unwrap_or_default();
        sim::ConsumerSpec {
            name,
            attach,
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
        #[cfg_attr(not(feature = "editor"), allow(unused_mut))]
        let mut sim = Simulation::new(&scenario).unwrap_or_else(|_| {
            Simulation::new(&sim::Scenario {
                version: sim::scenario::SCENARIO_VERSION,
                ..sim::Scenario::default()
            })
            .expect("the empty scenario is valid")
        });
        #[cfg(feature = "editor")]
        sim.keep_stories(super::STORIES_KEPT);
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
            checkpoints: Vec::new(),
            checkpoint_ms: CHECKPOINT_MS,
        }
    }

    #[cfg_attr(not(feature = "editor"), allow(dead_code))]
    /// Whether a checkpoint is due now: the run stands on a multiple of the spacing later
    /// than the last checkpoint.
    pub(super) fn checkpoint_due(&self) -> bool {
        let now = self.sim.now().as_millis();
        now > 0
            && now.is_multiple_of(self.checkpoint_ms)
            && self
                .checkpoints
                .last()
                .is_none_or(|last| now > last.sim.now().as_millis())
    }

    #[cfg_attr(not(feature = "editor"), allow(dead_code))]
    /// Keeps `c`, thinning the checkpoints when there are too many.
    pub(super) fn keep(&mut self, c: Checkpoint) {
        self.checkpoints.push(c);
        if self.checkpoints.len() > CHECKPOINTS_KEPT {
            let mut i = 0;
            self.checkpoints.retain(|_| {
                i += 1;
                i % 2 == 1
            });
            self.checkpoint_ms = self.checkpoint_ms.saturating_mul(2);
        }
    }
}
