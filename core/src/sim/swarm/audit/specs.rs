//! What the scenario promises, by name: queue policies, consumers' prefetch, inbox capacity
//! and offset reset, groups' streams and reset, streams' retention. The auditor's
//! independent source for the limits the broker must keep.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

use crate::sim::scenario::{
    Action, AssignorSpec, Attach, ConsumerSpec, GroupSpec, OffsetResetSpec, QueueSpec,
    RetentionSpec, Scenario,
};

/// The scenario's entities by name (consumers the script adds included).
#[derive(Debug, Clone, Default)]
pub(super) struct Specs {
    queues: BTreeMap<String, QueueSpec>,
    consumers: BTreeMap<String, ConsumerSpec>,
    groups: BTreeMap<String, GroupSpec>,
    retention: BTreeMap<String, RetentionSpec>,
}

impl Specs {
    pub(super) fn new(s: &Scenario) -> Specs {
        let mut consumers: BTreeMap<String, ConsumerSpec> = s
            .consumers
            .iter()
            .map(|c| (c.name.clone(), c.clone()))
            .collect();
        for step in &s.script {
            if let Action::AddConsumer(c) = &step.action {
                consumers.entry(c.name.clone()).or_insert_with(|| c.clone());
            }
        }
        Specs {
            queues: s
                .topology
                .queues
                .iter()
                .map(|q| (q.name.clone(), q.clone()))
                .collect(),
            consumers,
            groups: s
                .topology
                .groups
                .iter()
                .map(|g| (g.name.clone(), g.clone()))
                .collect(),
            retention: s
                .topology
                .streams
                .iter()
                .map(|st| (st.name.clone(), st.retention))
                .collect(),
        }
    }

    pub(super) fn queue(&self, name: &str) -> Option<&QueueSpec> {
        self.queues.get(name)
    }

    pub(super) fn consumer(&self, name: &str) -> Option<&ConsumerSpec> {
        self.consumers.get(name)
    }

    /// A queue consumer's prefetch (`None`: unlimited or unknown).
    pub(super) fn prefetch(&self, name: &str) -> Option<u32> {
        self.consumer(name).map(|c| c.prefetch).filter(|&p| p > 0)
    }

    /// A subscriber's inbox capacity.
    pub(super) fn capacity(&self, name: &str) -> Option<usize> {
        match &self.consumer(name)?.attach {
            Attach::Subscription { capacity, .. } => Some(*capacity as usize),
            _ => None,
        }
    }

    /// A standalone stream consumer's offset reset.
    pub(super) fn stream_reset(&self, name: &str) -> Option<OffsetResetSpec> {
        match &self.consumer(name)?.attach {
            Attach::Stream {
                auto_offset_reset, ..
            } => Some(*auto_offset_reset),
            _ => None,
        }
    }

    /// A group's offset reset and stream names.
    pub(super) fn group(&self, name: &str) -> Option<(OffsetResetSpec, Vec<String>)> {
        self.groups
            .get(name)
            .map(|g| (g.auto_offset_reset, g.streams.clone()))
    }

    /// How a group's rebalance is counted: by its assignor.
    pub(super) fn rebalance_case(&self, name: &str) -> Option<&'static str> {
        Some(match self.groups.get(name)?.assignor {
            AssignorSpec::Range => "rebalance: range",
            AssignorSpec::RoundRobin => "rebalance: round-robin",
            AssignorSpec::Sticky => "rebalance: sticky",
            AssignorSpec::CooperativeSticky => "rebalance: cooperative-sticky",
        })
    }

    /// A stream's retention.
    pub(super) fn retention(&self, stream: &str) -> RetentionSpec {
        self.retention.get(stream).copied().unwrap_or_default()
    }
}
