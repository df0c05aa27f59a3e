//! "Every partition owned while members exist": after each step, every partition of a
//! group's streams has a running owner while the group has running members and is not
//! rebalancing (a rebalance's pause shows as the group's state instead).

use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use crate::sim::scenario::Attach;
use crate::sim::{ConsumerStatus, SimConsumerId, Simulation};
use crate::storage::Storage;
use crate::stream::StreamPartition;

use super::{Guarantee, Seen, Violation, partition_label};

#[derive(Debug, Default)]
pub(crate) struct Owned;

impl Owned {
    pub(crate) fn observe<S: Storage>(
        &mut self,
        seen: &Seen<'_>,
        sim: &Simulation<S>,
    ) -> Option<Violation> {
        let groups = &sim.scenario().topology.groups;
        if groups.is_empty() {
            return None;
        }
        let b = sim.broker();
        for g in groups {
            let mut running: Vec<&str> = Vec::new();
            for i in 0..sim.consumer_count() {
                let c = SimConsumerId(i as u32);
                let (Some(spec), Some(status)) = (sim.consumer_spec(c), sim.consumer_status(c))
                else {
                    continue;
                };
                if !matches!(&spec.attach, Attach::Group(name) if *name == g.name) {
                    continue;
                }
                if status == ConsumerStatus::Running {
                    running.push(&spec.name);
                }
            }
            if running.is_empty() {
                continue;
            }
            let Some(gid) = b.group_id(&g.name) else {
                continue;
            };
            if b.group_state(gid)
                .is_some_and(crate::group::GroupState::is_rebalancing)
            {
                continue;
            }
            let assignment = b.group_assignment(gid);
            for stream in &g.streams {
                let Some(sid) = b.stream_id(stream) else {
                    continue;
                };
                let partitions = (0..)
                    .map(|i| StreamPartition::new(sid, i))
                    .take_while(|p| b.partition_stats(*p).is_some());
                for p in partitions {
                    let owner = assignment
                        .iter()
                        .find(|a| a.partitions.contains(&p))
                        .and_then(|a| b.stream_consumer_name(a.member));
                    if owner.is_some_and(|o| running.contains(&o)) {
                        continue;
                    }
                    let label = partition_label(sim, p);
                    let what = match owner {
                        Some(o) => format!(
                            "{label} had no running owner: its owner {o} is down, and {} keeps it assigned until {o}'s session timeout passes, so nobody reads {label} meanwhile.",
                            g.name
                        ),
                        None => format!(
                            "{label} was assigned to nobody in {} while {} had running members.",
                            g.name,
                            running.join(", ")
                        ),
                    };
                    let mut entities =
                        vec![String::from(g.name.as_str()), String::from(stream.as_str())];
                    if let Some(o) = owner {
                        entities.push(String::from(o));
                    }
                    return Some(Violation {
                        guarantee: Guarantee::PartitionsOwned,
                        at: seen.now,
                        what,
                        messages: Vec::new(),
                        records: Vec::new(),
                        entities,
                    });
                }
            }
        }
        None
    }
}
