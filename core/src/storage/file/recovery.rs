//! What [`FileStorage::open`](super::FileStorage::open) found and repaired.

use core::fmt;
use std::vec::Vec;

use super::segment::Damage;
use crate::ids::{LogId, Offset};

/// What opening one log found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRecovery {
    /// The log.
    pub log: LogId,
    /// Its start after recovery.
    pub start: Offset,
    /// Its end after recovery: every record below it passed its checksum.
    pub end: Offset,
    /// Where the first damaged or torn batch was: segment base, byte position, what was wrong.
    /// The segment was cut there.
    pub damage: Option<(u64, u64, Damage)>,
    /// Bytes removed: the damaged tail and any segments after it.
    pub bytes_dropped: u64,
    /// Whole segment files removed because they followed the damage (or a gap).
    pub segments_dropped: u32,
    /// Segment indexes that were missing or damaged and were rebuilt by scanning.
    pub indexes_rebuilt: u32,
    /// The saved start was missing or damaged; the first record on disk was taken.
    pub start_lost: bool,
}

impl LogRecovery {
    pub(super) fn new(log: LogId) -> Self {
        LogRecovery {
            log,
            start: Offset(0),
            end: Offset(0),
            damage: None,
            bytes_dropped: 0,
            segments_dropped: 0,
            indexes_rebuilt: 0,
            start_lost: false,
        }
    }

    /// Whether anything was dropped.
    #[must_use]
    pub fn dropped_anything(&self) -> bool {
        self.bytes_dropped > 0 || self.segments_dropped > 0
    }
}

/// What [`FileStorage::open`](super::FileStorage::open) found: per log, the records kept and
/// what was cut, and what was cut from the metadata journal.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recovery {
    /// One entry per log, by id.
    pub logs: Vec<LogRecovery>,
    /// Bytes cut from the end of the metadata journal: changes that were torn or damaged
    /// (never synced, or hit after the fact), and what followed them.
    pub meta_journal_cut: u64,
    /// The newest metadata snapshot was damaged; the values it held are gone.
    pub meta_snapshot_damaged: bool,
}

impl Recovery {
    /// Whether everything on disk was whole: nothing cut, nothing removed.
    #[must_use]
    pub fn is_clean(&self) -> bool {
        self.meta_journal_cut == 0
            && !self.meta_snapshot_damaged
            && self
                .logs
                .iter()
                .all(|l| !l.dropped_anything() && !l.start_lost)
    }

    /// The report for one log.
    #[must_use]
    pub fn log(&self, log: LogId) -> Option<&LogRecovery> {
        self.logs.iter().find(|l| l.log == log)
    }
}

impl fmt::Display for LogRecovery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "log {}: offsets {}..{}",
            self.log.0, self.start.0, self.end.0
        )?;
        if let Some((segment, at, damage)) = self.damage {
            write!(
                f,
                "; cut {} bytes at byte {at} of segment {segment} ({})",
                self.bytes_dropped,
                damage.describe()
            )?;
        }
        if self.segments_dropped > 0 {
            write!(f, "; {} later segment(s) removed", self.segments_dropped)?;
        }
        if self.indexes_rebuilt > 0 {
            write!(f, "; {} index(es) rebuilt", self.indexes_rebuilt)?;
        }
        if self.start_lost {
            f.write_str("; saved start lost, first record on disk taken")?;
        }
        Ok(())
    }
}

impl fmt::Display for Recovery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_clean() {
            return write!(f, "{} log(s), nothing damaged", self.logs.len());
        }
        let mut first = true;
        for l in self
            .logs
            .iter()
            .filter(|l| l.dropped_anything() || l.start_lost)
        {
            if !first {
                f.write_str("\n")?;
            }
            first = false;
            write!(f, "{l}")?;
        }
        if self.meta_journal_cut > 0 {
            if !first {
                f.write_str("\n")?;
            }
            first = false;
            write!(
                f,
                "metadata journal: cut {} bytes of torn or damaged changes",
                self.meta_journal_cut
            )?;
        }
        if self.meta_snapshot_damaged {
            if !first {
                f.write_str("\n")?;
            }
            f.write_str("metadata snapshot damaged: its values are lost")?;
        }
        Ok(())
    }
}
