//! [`ShareChange`]: what a share-partition operation changed, one entry per record state
//! change (and one per start-offset move), in the order it happened. The broker turns each
//! into an event; tests read them directly.

use crate::ids::{Offset, ShareMemberId};
use crate::share::record::{AcknowledgeType, ArchiveReason, ReleaseReason};
use crate::time::Instant;

/// One state change of a share-partition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShareChange {
    /// `member` acquired the record at `offset` until `until`; this is its
    /// `delivery_count`-th delivery.
    Acquired {
        /// The record.
        offset: Offset,
        /// The member that holds it now.
        member: ShareMemberId,
        /// Deliveries so far, this one included.
        delivery_count: u32,
        /// When its lock expires.
        until: Instant,
    },
    /// `member` settled the record at `offset` as `kind` (a `Release` that reached the
    /// delivery limit is followed by [`ShareChange::Archived`]).
    Acknowledged {
        /// The record.
        offset: Offset,
        /// The member that held it.
        member: ShareMemberId,
        /// Accept, release or reject.
        kind: AcknowledgeType,
    },
    /// The lock `member` held on the record at `offset` expired: it is available again (or
    /// archived, reported next, when it reached the delivery limit).
    LockExpired {
        /// The record.
        offset: Offset,
        /// The member that held it.
        member: ShareMemberId,
    },
    /// `member` left or crashed while holding the record at `offset`: it is available again
    /// (or archived, reported next, when it reached the delivery limit).
    Released {
        /// The record.
        offset: Offset,
        /// The member that held it.
        member: ShareMemberId,
        /// Why it let go.
        reason: ReleaseReason,
    },
    /// The record at `offset` was archived for `reason` instead of becoming available again.
    Archived {
        /// The record.
        offset: Offset,
        /// Its delivery count.
        delivery_count: u32,
        /// Why.
        reason: ArchiveReason,
    },
    /// The share-partition start offset moved forward from `previous` to `start`, past
    /// records that are all acknowledged or archived (or gone from the log).
    StartMoved {
        /// The new start offset.
        start: Offset,
        /// The start offset before.
        previous: Offset,
    },
}
