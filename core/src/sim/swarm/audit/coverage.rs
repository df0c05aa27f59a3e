//! What the runs exercised: every broker event kind counted, and the cases that matter to
//! the invariants (nack or reject, why a message was requeued, dead-lettered or dropped,
//! which retention bound, why a member left, which offset reset, which assignor rebalanced,
//! crashes, restarts) by name. Summed over a swarm, it says what the generator covers.

use alloc::collections::BTreeMap;

use crate::event::{DeadLetterReason, DropReason, Event, EventKind, RequeueReason};
use crate::group::LeaveReason;
use crate::share::{AcknowledgeType, ArchiveReason, ReleaseReason};
use crate::sim::SimNote;
use crate::stream::{OffsetReset, RetentionReason};

/// Counts of what runs exercised.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Coverage {
    /// Broker events by kind.
    pub events: BTreeMap<EventKind, u64>,
    /// Cases by name (`nack: requeue`, `dead-lettered: delivery-limit`, `retention: age`,
    /// `rebalance: cooperative-sticky`, `broker restart`, …).
    pub cases: BTreeMap<&'static str, u64>,
}

/// The counts of one run, as it goes.
#[derive(Debug, Clone, Default)]
pub(super) struct Tally(pub(super) Coverage);

impl Tally {
    fn case(&mut self, name: &'static str) {
        *self.0.cases.entry(name).or_insert(0) += 1;
    }

    /// Counts a broker event; `assignor` names the assignor of a rebalanced group.
    pub(super) fn event(&mut self, e: &Event, assignor: Option<&'static str>) {
        *self.0.events.entry(e.kind()).or_insert(0) += 1;
        let case = match e {
            Event::Nacked { requeue: true, .. } => "nack: requeue",
            Event::Nacked { requeue: false, .. } => "nack: reject",
            Event::Requeued { reason, .. } => match reason {
                RequeueReason::Nacked => "requeued: nacked",
                RequeueReason::ConsumerCancelled => "requeued: consumer cancelled",
                RequeueReason::ConsumerCrashed => "requeued: consumer crashed",
                RequeueReason::VisibilityTimeout => "requeued: visibility timeout",
            },
            Event::DeadLettered { reason, .. } => match reason {
                DeadLetterReason::Rejected => "dead-lettered: rejected",
                DeadLetterReason::Expired => "dead-lettered: expired",
                DeadLetterReason::MaxLength => "dead-lettered: maxlen",
                DeadLetterReason::DeliveryLimit => "dead-lettered: delivery-limit",
            },
            Event::Dropped {
                reason: DropReason::DeadLetter(r),
                ..
            } => match r {
                DeadLetterReason::Rejected => "dropped: rejected",
                DeadLetterReason::Expired => "dropped: expired",
                DeadLetterReason::MaxLength => "dropped: maxlen",
                DeadLetterReason::DeliveryLimit => "dropped: delivery-limit",
            },
            Event::RetentionApplied { reason, .. } => match reason {
                RetentionReason::Records => "retention: records",
                RetentionReason::Bytes => "retention: bytes",
                RetentionReason::Age => "retention: age",
            },
            Event::MemberLeft { reason, .. } => match reason {
                LeaveReason::Left => "member left",
                LeaveReason::SessionTimeout => "member evicted: session timeout",
                LeaveReason::Fenced => "static member fenced by its successor",
                _ => "member removed: rebalance timeout",
            },
            Event::OffsetReset { policy, .. } => match policy {
                OffsetReset::Earliest => "offset reset: earliest",
                OffsetReset::Latest => "offset reset: latest",
                _ => "offset reset: none",
            },
            Event::Rebalanced { .. } => assignor.unwrap_or("rebalance: unknown assignor"),
            Event::ShareAcquired {
                delivery_count: 2..,
                ..
            } => "share: redelivered",
            Event::ShareAcknowledged { kind, .. } => match kind {
                AcknowledgeType::Accept => "share: accepted",
                AcknowledgeType::Release => "share: released",
                AcknowledgeType::Reject => "share: rejected",
            },
            Event::ShareLockExpired { .. } => "share: lock expired",
            Event::ShareReleased { reason, .. } => match reason {
                ReleaseReason::Left => "share: released, member left",
                ReleaseReason::Crashed => "share: released, member crashed",
            },
            Event::ShareArchived { reason, .. } => match reason {
                ArchiveReason::DeliveryLimit => "share: archived, delivery limit",
                ArchiveReason::Gone => "share: archived, gone",
            },
            _ => return,
        };
        self.case(case);
    }

    /// Counts a simulation note.
    pub(super) fn note(&mut self, n: &SimNote) {
        let case = match n {
            SimNote::ConsumerCrashed { .. } => "consumer crash",
            SimNote::ConsumerRestarted { .. } => "consumer restart",
            SimNote::ConsumerAdded { .. } => "consumer joined",
            SimNote::ConsumerRemoved { .. } => "consumer left",
            SimNote::BrokerRestarted => "broker restart",
            SimNote::StreamCommitted { .. } => "standalone commit",
            SimNote::ActionFailed { .. } => "scripted action refused",
            SimNote::ConsumerFailed { .. } => "consumer call refused",
            SimNote::PublishFailed { .. } => "publish refused",
            _ => return,
        };
        self.case(case);
    }
}

impl Coverage {
    /// Adds another run's counts.
    pub fn add(&mut self, other: &Coverage) {
        for (k, n) in &other.events {
            *self.events.entry(*k).or_insert(0) += n;
        }
        for (k, n) in &other.cases {
            *self.cases.entry(k).or_insert(0) += n;
        }
    }
}
