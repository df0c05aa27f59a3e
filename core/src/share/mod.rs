//! Share groups (Kafka's KIP-932, "queues for Kafka"): the share-partition state machine as
//! pure logic, below the broker.
//!
//! A consumer group gives each partition to one member; a share group lets every member
//! read every partition and shares the *records* instead, one at a time, as a queue does.
//! Per partition the group keeps a [`SharePartition`]: a start offset (SPSO), an end offset
//! (SPEO) and between them the state of each record ([`RecordState`]) with its delivery
//! count:
//!
//! ```text
//!            acquire (count + 1)              Accept
//! Available ───────────────────► Acquired ───────────► Acknowledged
//!     ▲                           │  │  │   Reject
//!     │  Release, lock expiry,    │  │  └────────────► Archived
//!     └──── member left/crashed ──┘  │                    ▲
//!           (count < limit)          └── count = limit ───┘
//! ```
//!
//! - A fetch ([`SharePartition::acquire`]) takes available records in offset order, then new
//!   ones from the log, while the window `SPSO..SPEO` holds at most `max_record_locks`
//!   records (Kafka's `group.share.partition.max.record.locks`, 200); each is locked for
//!   `record_lock_duration` (30 s) and its delivery count goes up.
//! - Only the holder settles a record ([`SharePartition::acknowledge`]): `Accept`,
//!   `Release` (available again, for any member) or `Reject` (archived, never again).
//! - A lock that expires ([`SharePartition::expire_locks`]), or a member that leaves or
//!   crashes ([`SharePartition::release_member`]), puts its records back; a record delivered
//!   `delivery_count_limit` times (5) is archived instead.
//! - The SPSO moves forward past records that are all acknowledged or archived.
//!
//! The rules and the Kafka tests they follow are in SEMANTICS.md, "Share groups".
//!
//! Every operation reports what it changed as [`ShareChange`]s; the broker turns them into
//! events. Files: `config.rs` (the group's settings), `record.rs` (a record's state and the
//! acknowledgement types), `partition.rs` (the state machine), `change.rs` (what an operation
//! changed), `acquired.rs` (a fetched record), `error.rs`;
//! `tests.rs` (cases from Kafka's `SharePartitionTest`) and `model_tests.rs` (properties
//! against a reference model).

mod acquired;
mod change;
mod config;
mod error;
mod partition;
mod record;

pub use acquired::AcquiredRecord;
pub use change::ShareChange;
pub use config::{ShareGroupConfig, ShareOffsetReset};
pub use error::{
    AcknowledgeError, AcquireError, CreateShareGroupError, JoinShareGroupError,
    ShareAcknowledgeError, ShareMemberError,
};
pub use partition::SharePartition;
pub use record::{AcknowledgeType, ArchiveReason, RecordState, ReleaseReason, ShareRecord};

#[cfg(test)]
mod model_tests;
#[cfg(test)]
mod tests;
