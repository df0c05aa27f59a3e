//! The `file_storage` target: what [`FileStorage::open_in`] and [`Broker::recover`] make of
//! arbitrary segment, index, snapshot and journal files.
//!
//! # Input
//!
//! ```text
//! flags u8 | file* ; file = kind u8 | a u8 | b u16 | length u16 | bytes
//! ```
//!
//! Integers are little-endian; a length past the end of the input takes what is left. `kind`
//! (modulo 5) and `a`, `b` name the file under the storage folder:
//! 0 `logs/<a>/<b, 20 digits>.seg`, 1 the `.idx` beside it, 2 `meta/snapshot.<a>`,
//! 3 `meta/journal.<a>`, 4 a leftover `logs/<a>/<b, 20 digits>.idx.tmp`. A later file of the
//! same name replaces an earlier one.
//!
//! The flags repair checksums before the files are laid out, so that mutations get past them
//! to the parsers behind: bit 0 the CRC-32C of every batch of a segment (walking the batches
//! by their lengths while their magic is right), bit 1 the CRC of every index file, bit 2 the
//! CRC of every snapshot and journal entry.
//!
//! # Checks
//!
//! Opening returns (an error is fine: a file of another format version is refused). When it
//! opens: every log's bounds are what the recovery report says; every record of every log
//! reads the same alone and in a range (or the read reports corruption: never a wrong
//! record); closed and opened again, it opens, its metadata needs no more repair, the same
//! logs are there, none grew, and every record that reads still reads the same (a second
//! open may cut more: the first checks each segment only from its last index entry, and
//! damage before it shows when a read meets it or when a cut moves that entry back); then
//! [`Broker::recover`] returns, and a broker it recovers flushes, and is recovered from what
//! it flushed.

use std::path::{Path, PathBuf};

use brokerlab::storage::crc32c;
use brokerlab::storage::{FileOptions, FileStorage, SyncPolicy};
use brokerlab::{Broker, Limits, LogId, Offset, Record, Storage};

use crate::mem_fs::MemFs;

/// Where the storage folder is in the [`MemFs`].
pub const ROOT: &str = "/fuzz";

/// Small sizes, so that small inputs span several segments and index entries.
pub const OPTIONS: FileOptions = FileOptions {
    segment_bytes: 2048,
    batch_bytes: 512,
    index_interval: 128,
    sync: SyncPolicy::EveryBatch,
};

/// Flag: repair the CRC of every batch.
pub const FIX_BATCHES: u8 = 1;
/// Flag: repair the CRC of every index file.
pub const FIX_INDEXES: u8 = 2;
/// Flag: repair the CRC of every metadata entry.
pub const FIX_META: u8 = 4;

/// Records read one by one at most per log (the range read covers the rest).
const MAX_SINGLE_READS: u64 = 4096;

/// What a file is, by its place in the input's naming scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Segment,
    Index,
    Snapshot,
    Journal,
    Temporary,
}

impl Kind {
    fn from_byte(b: u8) -> Kind {
        match b % 5 {
            0 => Kind::Segment,
            1 => Kind::Index,
            2 => Kind::Snapshot,
            3 => Kind::Journal,
            _ => Kind::Temporary,
        }
    }

    fn byte(self) -> u8 {
        self as u8
    }

    fn path(self, a: u8, b: u16) -> PathBuf {
        let root = Path::new(ROOT);
        let log = root.join("logs").join(a.to_string());
        match self {
            Kind::Segment => log.join(format!("{b:020}.seg")),
            Kind::Index => log.join(format!("{b:020}.idx")),
            Kind::Temporary => log.join(format!("{b:020}.idx.tmp")),
            Kind::Snapshot => root.join("meta").join(format!("snapshot.{a}")),
            Kind::Journal => root.join("meta").join(format!("journal.{a}")),
        }
    }

    /// The kind and numbers of a path written by a storage in [`ROOT`], if the input format
    /// can name it.
    fn of_path(path: &Path) -> Option<(Kind, u8, u16)> {
        let rest = path.strip_prefix(ROOT).ok()?;
        let parts: Vec<&str> = rest.iter().filter_map(|p| p.to_str()).collect();
        match parts.as_slice() {
            ["logs", log, name] => {
                let a = log.parse().ok()?;
                let (kind, base) = if let Some(base) = name.strip_suffix(".seg") {
                    (Kind::Segment, base)
                } else if let Some(base) = name.strip_suffix(".idx") {
                    (Kind::Index, base)
                } else {
                    (Kind::Temporary, name.strip_suffix(".idx.tmp")?)
                };
                Some((kind, a, base.parse().ok()?))
            }
            ["meta", name] => {
                if let Some(g) = name.strip_prefix("snapshot.") {
                    Some((Kind::Snapshot, g.parse().ok()?, 0))
                } else {
                    Some((
                        Kind::Journal,
                        name.strip_prefix("journal.")?.parse().ok()?,
                        0,
                    ))
                }
            }
            _ => None,
        }
    }
}

/// The files an input describes, checksums repaired as its flags say.
#[must_use]
pub fn files_of(data: &[u8]) -> Vec<(PathBuf, Vec<u8>)> {
    let Some((&flags, mut rest)) = data.split_first() else {
        return Vec::new();
    };
    let mut files = Vec::new();
    while rest.len() >= 6 {
        let kind = Kind::from_byte(rest[0]);
        let a = rest[1];
        let b = u16::from_le_bytes([rest[2], rest[3]]);
        let len = usize::from(u16::from_le_bytes([rest[4], rest[5]]));
        let body = &rest[6..];
        let (bytes, after) = body.split_at(len.min(body.len()));
        rest = after;
        let mut bytes = bytes.to_vec();
        match kind {
            Kind::Segment if flags & FIX_BATCHES != 0 => fix_batches(&mut bytes),
            Kind::Index if flags & FIX_INDEXES != 0 => fix_index(&mut bytes),
            Kind::Snapshot | Kind::Journal if flags & FIX_META != 0 => fix_meta(&mut bytes),
            _ => {}
        }
        files.push((kind.path(a, b), bytes));
    }
    files
}

/// The input that describes `files` (those the format can name) with `flags`.
#[must_use]
pub fn input_of(flags: u8, files: &[(PathBuf, Vec<u8>)]) -> Vec<u8> {
    let mut out = vec![flags];
    for (path, bytes) in files {
        let Some((kind, a, b)) = Kind::of_path(path) else {
            continue;
        };
        let Ok(len) = u16::try_from(bytes.len()) else {
            continue;
        };
        out.push(kind.byte());
        out.push(a);
        out.extend_from_slice(&b.to_le_bytes());
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(bytes);
    }
    out
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

/// Batch header: magic, body length, CRC, base offset, count (see the storage's `codec`).
const BATCH_HEADER: usize = 24;

fn fix_batches(bytes: &mut [u8]) {
    let mut pos = 0;
    while pos + BATCH_HEADER <= bytes.len() && &bytes[pos..pos + 4] == b"BLB2" {
        let Some(body_len) = u32_at(bytes, pos + 4).and_then(|n| usize::try_from(n).ok()) else {
            return;
        };
        let Some(end) = (pos + BATCH_HEADER)
            .checked_add(body_len)
            .filter(|&e| e <= bytes.len())
        else {
            return;
        };
        let crc = crc32c::update(
            crc32c::checksum(&bytes[pos + 12..pos + BATCH_HEADER]),
            &bytes[pos + BATCH_HEADER..end],
        );
        bytes[pos + 8..pos + 12].copy_from_slice(&crc.to_le_bytes());
        pos = end;
    }
}

fn fix_index(bytes: &mut [u8]) {
    if let Some(at) = bytes.len().checked_sub(4) {
        let crc = crc32c::checksum(&bytes[..at]);
        bytes[at..].copy_from_slice(&crc.to_le_bytes());
    }
}

fn fix_meta(bytes: &mut [u8]) {
    let mut at = 0;
    while let Some(len) = u32_at(bytes, at + 4).and_then(|n| usize::try_from(n).ok()) {
        let Some(end) = (at + 8).checked_add(len).filter(|&e| e <= bytes.len()) else {
            return;
        };
        let crc = crc32c::checksum(&bytes[at + 8..end]);
        bytes[at..at + 4].copy_from_slice(&crc.to_le_bytes());
        at = end;
    }
}

/// Opens a storage over the files `data` describes and checks it (see the module docs).
pub fn file_storage(data: &[u8]) {
    let fs = MemFs::with_files(files_of(data));
    let Ok((storage, report)) = FileStorage::open_in(fs.clone(), ROOT, OPTIONS) else {
        return;
    };
    let _ = report.to_string();
    let mut first = Vec::new();
    for log in &report.logs {
        let b = storage
            .bounds(log.log)
            .unwrap_or_else(|e| panic!("log {} was opened but has no bounds: {e}", log.log.0));
        assert_eq!(
            (b.start, b.end),
            (log.start, log.end),
            "log {}: the bounds are not what the recovery report says",
            log.log.0
        );
        first.push((log.log, b.end, read_all(&storage, log.log, b.start, b.end)));
    }
    drop(storage);

    let (storage, again) = match FileStorage::open_in(fs.clone(), ROOT, OPTIONS) {
        Ok(opened) => opened,
        Err(e) => panic!("a storage that opened once does not open again: {e}"),
    };
    assert!(
        again.meta_journal_cut == 0 && !again.meta_snapshot_damaged,
        "a second open still repaired the metadata: {again}\n(the first open: {report})"
    );
    assert_eq!(
        again.logs.iter().map(|l| l.log).collect::<Vec<_>>(),
        first.iter().map(|(log, _, _)| *log).collect::<Vec<_>>(),
        "the logs changed between two opens"
    );
    for (log, end, records) in &first {
        let b = storage.bounds(*log).expect("a log opened again");
        assert!(
            b.end <= *end,
            "log {}: a second open grew it from {} to {}",
            log.0,
            end.0,
            b.end.0
        );
        for (offset, before) in records {
            if let (Ok(now), Some(before)) = (storage.read(*log, *offset), before) {
                assert_eq!(
                    &now, before,
                    "log {}: record {} changed between two opens",
                    log.0, offset.0
                );
            }
        }
    }

    let Ok((mut broker, _)) = Broker::recover(storage, Limits::default()) else {
        return;
    };
    if broker.flush().is_err() {
        return;
    }
    drop(broker);
    let storage = match FileStorage::open_in(fs, ROOT, OPTIONS) {
        Ok((storage, _)) => storage,
        Err(e) => panic!("a recovered broker's storage does not open again: {e}"),
    };
    if let Err(e) = Broker::recover(storage, Limits::default()) {
        panic!("a recovered broker, flushed, is not recovered again: {e}");
    }
}

/// Reads `start..end` of `log` in one range and record by record; the two must agree.
/// Returns the records read one by one (the first [`MAX_SINGLE_READS`]).
fn read_all<S: Storage>(
    storage: &S,
    log: LogId,
    start: Offset,
    end: Offset,
) -> Vec<(Offset, Option<Record>)> {
    let mut all = Vec::new();
    let ranged = storage.read_range(log, start, usize::MAX, &mut all);
    if ranged.is_ok() {
        assert_eq!(
            all.len() as u64,
            end.0 - start.0,
            "log {}: a range read of {}..{} returned {} records",
            log.0,
            start.0,
            end.0,
            all.len()
        );
    }
    let last = end.0.min(start.0.saturating_add(MAX_SINGLE_READS));
    (start.0..last)
        .map(|offset| {
            let one = storage.read(log, Offset(offset)).ok();
            if let (Some(one), Some(ranged)) = (&one, all.get((offset - start.0) as usize)) {
                assert_eq!(
                    one, ranged,
                    "log {}: record {offset} read alone differs from the range read",
                    log.0
                );
            }
            (Offset(offset), one)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_name_the_files_they_were_made_of() {
        let files = vec![
            (Kind::Segment.path(3, 0), b"segment".to_vec()),
            (Kind::Index.path(3, 0), b"index".to_vec()),
            (Kind::Temporary.path(3, 7), b"tmp".to_vec()),
            (Kind::Snapshot.path(2, 0), b"snapshot".to_vec()),
            (Kind::Journal.path(2, 0), b"journal".to_vec()),
        ];
        assert_eq!(files_of(&input_of(0, &files)), files);
        assert!(files_of(&[]).is_empty());
    }
}
