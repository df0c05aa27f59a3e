//! The storage trait: where queue messages live.
//!
//! Everything is a log. A queue is a log of [`Record`]s plus acknowledgement state kept by the
//! broker: records are appended at the end, read by offset, and the acknowledged prefix is
//! dropped from the front. The trait is narrow and synchronous so another backend (a file
//! backed one, say) slots in without touching the messaging patterns. [`MemoryStorage`] is the
//! in-memory twin and works without `std`.
//!
//! A stream partition's log can also lose records from inside ([`Storage::remove_records`],
//! compaction): its bounds stay, the removed offsets become gaps that read as
//! [`StorageError::Removed`], and [`Storage::next_record`] steps over them. Both backends
//! keep the removed offsets in a sorted list beside the log (`gaps.rs`); `FileStorage` saves
//! it in its metadata at each flush, so a reopened log has the same gaps as at the last flush.
//!
//! # Error semantics
//!
//! Every method returns a [`StorageError`] instead of panicking. A failed call must leave the
//! storage as it was before the call (no partial append, no partial prefix drop). What the
//! broker does on each error is documented on the method.

#[cfg(feature = "std")]
pub mod file;
mod gaps;
mod memory;

#[cfg(feature = "std")]
pub use file::{
    Damage, FileOptions, FileStorage, Fs, FsFile, LogRecovery, OpenError, Recovery, StdFile, StdFs,
    SyncPolicy, crc32c, temporary,
};
pub use memory::{CHUNK_RECORDS, MemoryStorage};

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;

use crate::ids::{LogId, MessageId, Offset};
use crate::message::{MessageMeta, Payload};
use crate::time::Instant;

/// One stored message copy.
///
/// A plain message (no headers, TTL or routing key) is 56 bytes here (on 64-bit targets) plus
/// its payload's bytes, which are shared (with the message's other copies, and with other
/// payloads when made by a [`PayloadArena`](crate::PayloadArena)).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Record {
    /// The message this is a copy of.
    pub message: MessageId,
    /// When it was appended (the `now` of the append).
    pub timestamp: Instant,
    /// The bytes.
    pub payload: Payload,
    /// Properties, when the message has any.
    pub meta: Option<Arc<MessageMeta>>,
}

/// The offsets a log currently holds: `start..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LogBounds {
    /// Offset of the first retained record.
    pub start: Offset,
    /// Offset the next appended record gets.
    pub end: Offset,
}

/// Why a storage operation failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum StorageError {
    /// No log with this id exists.
    UnknownLog(LogId),
    /// `create_log` for an id that already exists.
    LogExists(LogId),
    /// The offset is before the log start or at/after its end.
    OutOfRange {
        /// The log.
        log: LogId,
        /// The offset asked for.
        offset: Offset,
    },
    /// The backend is out of space (a configured cap or the medium).
    Full,
    /// A record failed its integrity check.
    Corrupt {
        /// The log.
        log: LogId,
        /// The damaged record.
        offset: Offset,
    },
    /// The underlying medium failed.
    Io,
    /// The record at this offset was removed from inside the log
    /// ([`Storage::remove_records`]: compaction); the offsets around it are still there.
    Removed {
        /// The log.
        log: LogId,
        /// The removed record's offset.
        offset: Offset,
    },
    /// The backend cannot do this (a backend without [`Storage::remove_records`]).
    Unsupported,
}

impl fmt::Display for StorageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StorageError::UnknownLog(l) => write!(f, "unknown log {l}"),
            StorageError::LogExists(l) => write!(f, "log {l} already exists"),
            StorageError::OutOfRange { log, offset } => {
                write!(f, "offset {offset} is out of range of log {log}")
            }
            StorageError::Full => f.write_str("storage is full"),
            StorageError::Corrupt { log, offset } => {
                write!(f, "record {offset} of log {log} is corrupt")
            }
            StorageError::Io => f.write_str("storage i/o failed"),
            StorageError::Removed { log, offset } => {
                write!(f, "record {offset} of log {log} was removed by compaction")
            }
            StorageError::Unsupported => f.write_str("the storage does not support this"),
        }
    }
}

impl core::error::Error for StorageError {}

/// A backend holding logs of records and a little metadata.
///
/// Implementations must be deterministic: the same calls give the same results.
pub trait Storage {
    /// Creates an empty log whose first offset is 0.
    ///
    /// Errors: [`StorageError::LogExists`] if it exists. The broker fails the declaration that
    /// needed the log and declares nothing.
    fn create_log(&mut self, log: LogId) -> Result<(), StorageError>;

    /// Removes a log and all its records.
    ///
    /// Errors: [`StorageError::UnknownLog`]. The broker has already forgotten the entity that
    /// owned the log and ignores the error.
    fn delete_log(&mut self, log: LogId) -> Result<(), StorageError>;

    /// Appends a record and returns its offset (the previous end).
    ///
    /// Errors: [`StorageError::UnknownLog`], [`StorageError::Full`], [`StorageError::Io`]. On
    /// error nothing is appended; the broker reports the failure to the publisher (or, for a
    /// dead-lettered copy, drops it with an event) and keeps its own state unchanged.
    fn append(&mut self, log: LogId, record: Record) -> Result<Offset, StorageError>;

    /// Reads the record at `offset`.
    ///
    /// Errors: [`StorageError::OutOfRange`] outside `start..end`, [`StorageError::Corrupt`],
    /// [`StorageError::Io`]. The broker stops dispatching from that queue for this call, emits
    /// [`Event::StorageFailed`](crate::Event::StorageFailed) and leaves the message ready.
    fn read(&self, log: LogId, offset: Offset) -> Result<Record, StorageError>;

    /// Checks that [`read`](Self::read) at `offset` would succeed, without reading or cloning
    /// anything. The default reads the record.
    ///
    /// Errors: as [`read`](Self::read).
    fn check_readable(&self, log: LogId, offset: Offset) -> Result<(), StorageError> {
        self.read(log, offset).map(|_| ())
    }

    /// Appends to `out` up to `max` records starting at `from`, stopping at the log end or
    /// before a removed record (see [`remove_records`](Self::remove_records)), so the records
    /// appended are those at `from`, `from + 1`, … in order.
    ///
    /// Errors as [`read`](Storage::read); on error `out` may hold the records read so far.
    fn read_range(
        &self,
        log: LogId,
        from: Offset,
        max: usize,
        out: &mut Vec<Record>,
    ) -> Result<(), StorageError> {
        let bounds = self.bounds(log)?;
        let mut at = from;
        while at < bounds.end && out.len() < max {
            match self.read(log, at) {
                Ok(r) => out.push(r),
                Err(StorageError::Removed { .. }) if at != from => break,
                Err(e) => return Err(e),
            }
            at = at.next();
        }
        Ok(())
    }

    /// Removes the records at `offsets` from inside the log (compaction): the bounds stay, a
    /// read at a removed offset fails with [`StorageError::Removed`], and
    /// [`read_range`](Self::read_range) stops before it. Offsets already removed are ignored.
    /// Returns how many records were removed by this call.
    ///
    /// Errors: [`StorageError::UnknownLog`], [`StorageError::OutOfRange`] for an offset
    /// outside `start..end` (then nothing is removed), [`StorageError::Unsupported`] (the
    /// default, for a backend without compaction). The broker skips that compaction and
    /// reports nothing.
    fn remove_records(&mut self, log: LogId, offsets: &[Offset]) -> Result<usize, StorageError> {
        let _ = (log, offsets);
        Err(StorageError::Unsupported)
    }

    /// The first offset at or after `from` (and at or after the log start) that holds a
    /// record, or the log end: how a reader steps over the gaps compaction left. The default,
    /// for a backend without [`remove_records`](Self::remove_records), is
    /// `max(from, start)` capped at the end.
    ///
    /// Errors: [`StorageError::UnknownLog`].
    fn next_record(&self, log: LogId, from: Offset) -> Result<Offset, StorageError> {
        let b = self.bounds(log)?;
        Ok(from.max(b.start).min(b.end))
    }

    /// Drops every record before `before`; the log start becomes `max(start, before)` (never
    /// beyond the end). Dropping is how acknowledged messages leave a queue, so the log start
    /// is the durable acknowledged head.
    ///
    /// Errors: [`StorageError::UnknownLog`], [`StorageError::Io`]. The broker keeps the
    /// records as settled and retries on the next drop.
    fn drop_prefix(&mut self, log: LogId, before: Offset) -> Result<(), StorageError>;

    /// The log's current `start..end`.
    ///
    /// Errors: [`StorageError::UnknownLog`].
    fn bounds(&self, log: LogId) -> Result<LogBounds, StorageError>;

    /// Stores a small metadata value (topology, acknowledgement state) under `key`,
    /// replacing any previous value.
    ///
    /// Errors: [`StorageError::Full`], [`StorageError::Io`]; the old value stays. The broker
    /// treats metadata as advisory (it is for recovery) and ignores the error.
    fn put_meta(&mut self, key: &str, value: &[u8]) -> Result<(), StorageError>;

    /// Reads a metadata value.
    ///
    /// Errors: [`StorageError::Io`], [`StorageError::Corrupt`].
    fn get_meta(&self, key: &str) -> Result<Option<Vec<u8>>, StorageError>;

    /// Removes a metadata value; removing a missing key is not an error.
    ///
    /// Errors: [`StorageError::Io`]; ignored by the broker like `put_meta`.
    fn delete_meta(&mut self, key: &str) -> Result<(), StorageError>;

    /// Makes everything appended, dropped and put so far durable, as far as the backend's
    /// policy promises (a file backend writes its buffered batches and syncs them when its
    /// sync policy says so). Called through [`Broker::flush`](crate::Broker::flush); the
    /// default does nothing, which is right for a backend that keeps nothing outside memory.
    ///
    /// Errors: [`StorageError::Full`], [`StorageError::Io`]. What was appended stays readable;
    /// whether it reached the medium is unknown, so the caller should not confirm it.
    fn flush(&mut self) -> Result<(), StorageError> {
        Ok(())
    }
}
