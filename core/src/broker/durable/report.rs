//! What [`Broker::recover`](crate::Broker::recover) restored, and why it could not.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::ids::{MessageId, QueueId, StreamId};
use crate::storage::StorageError;
use crate::time::Instant;

/// One queue as recovered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueRecovery {
    /// The queue (same id as before the restart).
    pub queue: QueueId,
    /// Its name.
    pub name: String,
    /// Offsets below this were acknowledged and are gone for good.
    pub acked_below: u64,
    /// Messages acknowledged out of order above `acked_below` (they stay settled).
    pub acked_above: usize,
    /// Messages delivered but not acknowledged before the restart: ready again, and flagged
    /// as redelivered when delivered next.
    pub redelivered: usize,
    /// Messages never delivered: ready, in their order.
    pub never_delivered: u64,
    /// The queue's log end: the offset the next message gets.
    pub end: u64,
}

/// One stream as recovered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamRecovery {
    /// The stream.
    pub stream: StreamId,
    /// Its name.
    pub name: String,
    /// Per partition, the offsets held: `start..end` (the start is where retention left it).
    pub partitions: Vec<(u64, u64)>,
    /// Records read to count the bytes retention by size needs: only those appended after
    /// the last flush when it saved the count; every retained record when the log does not
    /// match what was saved (a crash cut it short before a sync, retention moved its start
    /// after the flush) or nothing was saved.
    pub records_read: u64,
}

/// What [`Broker::recover`](crate::Broker::recover) found in storage.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recovered {
    /// The storage held no broker: this is a new one.
    pub fresh: bool,
    /// The queues, by id.
    pub queues: Vec<QueueRecovery>,
    /// The streams, by id.
    pub streams: Vec<StreamRecovery>,
    /// Consumer groups and how many committed offsets each got back.
    pub groups: Vec<(String, usize)>,
    /// Share groups and how many share-partitions each got back.
    pub share_groups: Vec<(String, usize)>,
    /// The id the next published message gets.
    pub next_message: MessageId,
    /// The broker's time when it last saved its state.
    pub now: Instant,
    /// Things named by the saved topology that could not be restored (a log deleted after
    /// the last save, say), in words.
    pub skipped: Vec<String>,
}

impl fmt::Display for QueueRecovery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "queue {}: {} acked before (resuming at offset {}), {} delivered but unacked → redelivered, {} never delivered",
            self.name,
            self.acked_below + self.acked_above as u64,
            self.acked_below,
            self.redelivered,
            self.never_delivered
        )
    }
}

impl fmt::Display for Recovered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.fresh {
            return f.write_str("new broker: nothing stored");
        }
        write!(
            f,
            "resumed; state saved at broker time {} ms",
            self.now.as_millis()
        )?;
        for q in &self.queues {
            write!(f, "\n{q}")?;
        }
        for s in &self.streams {
            write!(f, "\nstream {}:", s.name)?;
            for (p, (start, end)) in s.partitions.iter().enumerate() {
                write!(f, " {p}=[{start}..{end})")?;
            }
        }
        for (g, commits) in &self.groups {
            write!(f, "\ngroup {g}: {commits} committed offset(s)")?;
        }
        for s in &self.skipped {
            write!(f, "\nskipped: {s}")?;
        }
        Ok(())
    }
}

/// Why [`Broker::recover`](crate::Broker::recover) could not restore a broker.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RecoverError {
    /// The saved broker state is damaged or from another version; names which part.
    Damaged(&'static str),
    /// The storage failed.
    Storage(StorageError),
}

impl fmt::Display for RecoverError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecoverError::Damaged(what) => write!(f, "the saved broker state is damaged: {what}"),
            RecoverError::Storage(e) => write!(f, "storage failed during recovery: {e}"),
        }
    }
}

impl core::error::Error for RecoverError {}

impl From<StorageError> for RecoverError {
    fn from(e: StorageError) -> Self {
        RecoverError::Storage(e)
    }
}
