//! Share groups (Kafka's KIP-932) in the view: [`ShareGroupNode`] for the canvas's boxes and
//! the inspector's details of a selected one (its settings, its members, each
//! share-partition's window with its records counted by state).

use brokerlab::sim::{self, Simulation};

use super::details::{Details, Item, fact};
use super::{Attachment, ViewModel};

/// A share group: what the canvas draws a box for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareGroupNode {
    /// Its name.
    pub name: String,
    /// The streams its members read, in its spec's order.
    pub streams: Vec<String>,
    /// Its members (consumers attached to it, scripted ones included), in view order.
    pub members: Vec<String>,
}

/// The scenario's share groups, in its order, with their members among `consumers`.
pub(super) fn share_groups(
    topology: &sim::Topology,
    consumers: &[super::ConsumerNode],
) -> Vec<ShareGroupNode> {
    topology
        .share_groups
        .iter()
        .map(|g| ShareGroupNode {
            name: g.name.clone(),
            streams: g.streams.clone(),
            members: consumers
                .iter()
                .filter(|c| matches!(&c.attach, Attachment::ShareGroup { group, .. } if *group == g.name))
                .map(|c| c.name.clone())
                .collect(),
        })
        .collect()
}

/// Fills `d` with the share group `name`'s settings, one fact per share-partition (its
/// window SPSO → SPEO and its records by state) and its members as the listed items.
pub(super) fn details(
    sim: &Simulation,
    view: &ViewModel,
    name: &str,
    d: &mut Details,
) -> Option<()> {
    let spec = sim
        .scenario()
        .topology
        .share_groups
        .iter()
        .find(|g| g.name == name)?;
    let node = view.share_groups.iter().find(|g| g.name == name)?;
    d.facts.push(fact("reads", spec.streams.join(", ")));
    d.facts
        .push(fact("auto offset reset", spec.auto_offset_reset));
    d.facts.push(fact(
        "record lock duration",
        format!("{} ms", spec.record_lock_duration_ms),
    ));
    d.facts
        .push(fact("delivery count limit", spec.delivery_count_limit));
    d.facts
        .push(fact("max record locks", spec.max_record_locks));
    d.facts.push(fact("members", node.members.len()));
    let streams = view
        .streams
        .iter()
        .filter(|s| spec.streams.contains(&s.name));
    for (stream, p) in streams.flat_map(|s| s.partitions.iter().map(move |p| (&s.name, p))) {
        for w in p.shares.iter().filter(|w| w.group == name) {
            d.facts
                .push(fact(&format!("{stream}/{}", p.index), w.words()));
        }
    }
    d.can_add_member = true;
    d.items_title = "members: state, processed".to_owned();
    d.items = node
        .members
        .iter()
        .filter_map(|m| view.consumers.iter().find(|c| c.name == *m))
        .map(|c| {
            Item::line(format!(
                "{}: {}, {} processed",
                c.name,
                c.state.word(),
                c.processed
            ))
        })
        .collect();
    Some(())
}
