//! The event log's words for share groups (KIP-932): who acquired which record with which
//! delivery count, how it was acknowledged, locks that expired, records released by a member
//! that left or crashed, records archived, and the share-partition's start moving.

use brokerlab::share::{ArchiveReason, ReleaseReason};
use brokerlab::sim::Simulation;
use brokerlab::{AcknowledgeType, Event, StreamPartition};

/// The kind, the entities and the line of a share-group event (`None`: not one). A member
/// that left or crashed is named by the simulation, the broker no longer knowing it.
pub(super) fn share_row(
    sim: &Simulation,
    e: &Event,
) -> Option<(&'static str, Vec<String>, String)> {
    let b = sim.broker();
    let g = |id| b.share_group_name(id).unwrap_or("?").to_owned();
    let m = |id| {
        b.share_member_name(id)
            .or_else(|| sim.share_member_name(id))
            .unwrap_or("?")
            .to_owned()
    };
    let at = |p: &StreamPartition, o: &brokerlab::Offset| {
        let stream = b.stream_name(p.stream).unwrap_or("?").to_owned();
        let label = format!("{stream}/{} offset {}", p.partition.0, o.0);
        (stream, label)
    };
    let why = |r: &ReleaseReason| match r {
        ReleaseReason::Left => "left",
        ReleaseReason::Crashed => "crashed",
    };
    Some(match e {
        Event::ShareGroupCreated { group, .. } => (
            "share",
            vec![g(*group)],
            format!("share group {} created", g(*group)),
        ),
        Event::ShareMemberJoined { group, member, .. } => (
            "joined",
            vec![g(*group), m(*member)],
            format!("{} joined share group {}", m(*member), g(*group)),
        ),
        Event::ShareMemberLeft {
            group,
            member,
            reason,
        } => (
            "left",
            vec![g(*group), m(*member)],
            format!("{} {} share group {}", m(*member), why(reason), g(*group)),
        ),
        Event::ShareAcquired {
            member,
            partition,
            offset,
            delivery_count,
            until,
            ..
        } => {
            let (stream, label) = at(partition, offset);
            (
                "acquired",
                vec![stream, m(*member)],
                format!(
                    "{} acquired {label} (delivery {delivery_count}, locked until {} ms)",
                    m(*member),
                    until.as_millis()
                ),
            )
        }
        Event::ShareAcknowledged {
            member,
            partition,
            offset,
            kind,
            ..
        } => {
            let (stream, label) = at(partition, offset);
            let (word, done) = match kind {
                AcknowledgeType::Accept => ("accepted", "accepted"),
                AcknowledgeType::Release => ("released", "released it for another member"),
                _ => ("rejected", "rejected it: it is never delivered again"),
            };
            (
                word,
                vec![stream, m(*member)],
                format!("{} {done}: {label}", m(*member)),
            )
        }
        Event::ShareLockExpired {
            member,
            partition,
            offset,
            ..
        } => {
            let (stream, label) = at(partition, offset);
            (
                "lock-expired",
                vec![stream, m(*member)],
                format!(
                    "{}'s lock on {label} expired: the record is available again",
                    m(*member)
                ),
            )
        }
        Event::ShareReleased {
            member,
            partition,
            offset,
            reason,
            ..
        } => {
            let (stream, label) = at(partition, offset);
            (
                "released",
                vec![stream, m(*member)],
                format!("{label} released: {} {}", m(*member), why(reason)),
            )
        }
        Event::ShareArchived {
            group,
            partition,
            offset,
            delivery_count,
            reason,
        } => {
            let (stream, label) = at(partition, offset);
            let because = match reason {
                ArchiveReason::DeliveryLimit => {
                    format!("it reached the delivery limit ({delivery_count} deliveries)")
                }
                _ => "retention removed it before it was read".to_owned(),
            };
            (
                "archived",
                vec![stream, g(*group)],
                format!("{label} archived for {}: {because}", g(*group)),
            )
        }
        Event::ShareStartMoved {
            group,
            partition,
            start,
            previous,
        } => {
            let stream = b.stream_name(partition.stream).unwrap_or("?").to_owned();
            (
                "share-start",
                vec![stream.clone(), g(*group)],
                format!(
                    "{}'s start on {stream}/{} moved {} → {}: everything before is settled",
                    g(*group),
                    partition.partition.0,
                    previous.0,
                    start.0
                ),
            )
        }
        _ => return None,
    })
}
