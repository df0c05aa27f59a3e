//! Metadata values and log starts: a snapshot file written whole (temporary file, sync,
//! rename) and a journal of the changes since, appended at every flush.
//!
//! Both files are sequences of entries, each checked by its own CRC-32C:
//!
//! ```text
//! CRC-32C u32 | length u32 | kind u8 | key length u32 | key | value
//! ```
//!
//! where kind 1 puts a metadata value, 2 deletes one and 3 sets a log start (key: the log id
//! in decimal, value: the offset as u64). The CRC covers everything after the length. The
//! snapshot `meta/snapshot.<G>` holds every value of generation `G`; the journal
//! `meta/journal.<G>` the changes made after it. When the journal outgrows the snapshot, a new
//! snapshot of generation `G + 1` is written, then an empty journal for it, then the old
//! files are removed; a crash between these steps leaves either generation whole. On open,
//! the newest whole snapshot is read and its journal replayed up to the first torn or damaged
//! entry, where the journal is cut.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::string::String;
use std::vec::Vec;

use super::crc32c;
use super::fs::{Fs, FsFile};

const PUT: u8 = 1;
const DELETE: u8 = 2;
const START: u8 = 3;
/// A journal shorter than this is never compacted.
const MIN_COMPACT: u64 = 64 << 10;
/// Entry header: CRC and length.
const ENTRY_HEADER: usize = 8;

/// Metadata values by key.
pub(super) type Values = BTreeMap<String, Vec<u8>>;

/// What opening the metadata found.
#[derive(Debug, Default)]
pub(super) struct MetaOpen {
    /// Bytes cut from the end of the journal (a torn or damaged entry and what followed).
    pub(super) journal_cut: u64,
    /// The newest snapshot was damaged and an older generation was used, or none.
    pub(super) snapshot_damaged: bool,
}

/// The metadata store of a [`FileStorage`](super::FileStorage).
#[derive(Debug)]
pub(super) struct MetaStore<F> {
    dir: PathBuf,
    generation: u64,
    pub(super) values: Values,
    pub(super) starts: BTreeMap<u64, u64>,
    journal: F,
    journal_len: u64,
    snapshot_len: u64,
    /// Entries not yet appended to the journal.
    pending: Vec<u8>,
    unsynced: bool,
}

fn snapshot_path(dir: &Path, generation: u64) -> PathBuf {
    dir.join(std::format!("snapshot.{generation}"))
}

fn journal_path(dir: &Path, generation: u64) -> PathBuf {
    dir.join(std::format!("journal.{generation}"))
}

fn encode(out: &mut Vec<u8>, kind: u8, key: &str, value: &[u8]) {
    let at = out.len();
    out.extend_from_slice(&[0; ENTRY_HEADER]);
    out.push(kind);
    out.extend_from_slice(&(key.len() as u32).to_le_bytes());
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(value);
    let body = &out[at + ENTRY_HEADER..];
    let crc = crc32c::checksum(body);
    let len = body.len() as u32;
    out[at..at + 4].copy_from_slice(&crc.to_le_bytes());
    out[at + 4..at + 8].copy_from_slice(&len.to_le_bytes());
}

/// One decoded entry: kind, key, value.
type Entry<'a> = (u8, &'a str, &'a [u8]);

/// Decodes entries from `bytes` until the end or the first damaged one; returns the entries
/// and how many bytes were whole.
fn decode(bytes: &[u8]) -> (Vec<Entry<'_>>, usize) {
    let mut entries = Vec::new();
    let mut at = 0;
    while let Some(entry) = entry_at(bytes, at) {
        entries.push(entry.0);
        at = entry.1;
    }
    (entries, at)
}

fn entry_at(bytes: &[u8], at: usize) -> Option<(Entry<'_>, usize)> {
    let header = bytes.get(at..at + ENTRY_HEADER)?;
    let crc = u32::from_le_bytes(header[..4].try_into().ok()?);
    let len = u32::from_le_bytes(header[4..].try_into().ok()?) as usize;
    let body = bytes.get(at + ENTRY_HEADER..(at + ENTRY_HEADER).checked_add(len)?)?;
    if crc32c::checksum(body) != crc || body.len() < 5 {
        return None;
    }
    let kind = body[0];
    let key_len = u32::from_le_bytes(body[1..5].try_into().ok()?) as usize;
    let key = core::str::from_utf8(body.get(5..5usize.checked_add(key_len)?)?).ok()?;
    let value = &body[5 + key_len..];
    matches!(kind, PUT | DELETE | START).then_some(((kind, key, value), at + ENTRY_HEADER + len))
}

fn apply(values: &mut Values, starts: &mut BTreeMap<u64, u64>, (kind, key, value): Entry<'_>) {
    match kind {
        PUT => {
            values.insert(String::from(key), value.to_vec());
        }
        DELETE => {
            values.remove(key);
        }
        _ => {
            if let (Ok(log), Ok(offset)) = (key.parse(), <[u8; 8]>::try_from(value)) {
                starts.insert(log, u64::from_le_bytes(offset));
            }
        }
    }
}

impl<F: FsFile> MetaStore<F> {
    /// Opens the store in `dir`, recovering as the module docs say.
    pub(super) fn open<S: Fs<File = F>>(fs: &S, dir: PathBuf) -> io::Result<(Self, MetaOpen)> {
        let mut report = MetaOpen::default();
        let mut generations: Vec<u64> = Vec::new();
        let names = fs.list(&dir)?;
        for name in &names {
            if let Some(g) = name.strip_prefix("snapshot.").and_then(|g| g.parse().ok()) {
                generations.push(g);
            }
        }
        generations.sort_unstable();
        let mut values = Values::new();
        let mut starts = BTreeMap::new();
        let mut generation = 0;
        let mut snapshot_len = 0;
        // Whether `generation` has a whole snapshot: when none was whole, generation 0 goes on
        // without one, and a damaged `snapshot.0` must go too, or every open reports it again.
        let mut snapshot_whole = false;
        // The newest snapshot that is whole; a snapshot is written atomically, so an older one
        // is used only if the newest was damaged after the fact.
        while let Some(g) = generations.pop() {
            let bytes = fs.read(&snapshot_path(&dir, g))?;
            let (entries, whole) = decode(&bytes);
            if whole == bytes.len() {
                for e in entries {
                    apply(&mut values, &mut starts, e);
                }
                generation = g;
                snapshot_len = bytes.len() as u64;
                snapshot_whole = true;
                break;
            }
            report.snapshot_damaged = true;
        }
        let path = journal_path(&dir, generation);
        let mut journal = fs.open(&path, true)?;
        let bytes = fs.read(&path)?;
        let (entries, whole) = decode(&bytes);
        for e in entries {
            apply(&mut values, &mut starts, e);
        }
        if whole < bytes.len() {
            report.journal_cut = (bytes.len() - whole) as u64;
            journal.truncate(whole as u64)?;
            journal.sync()?;
        }
        // Files of other generations, damaged snapshots and leftover temporary files.
        for name in names {
            let other_snapshot = name
                .strip_prefix("snapshot.")
                .and_then(|g| g.parse::<u64>().ok())
                .is_some_and(|g| g != generation || !snapshot_whole);
            let other_journal = name
                .strip_prefix("journal.")
                .and_then(|g| g.parse::<u64>().ok())
                .is_some_and(|g| g != generation);
            if other_snapshot || other_journal || name.ends_with(".tmp") {
                let _ = fs.remove_file(&dir.join(name));
            }
        }
        let store = MetaStore {
            dir,
            generation,
            values,
            starts,
            journal,
            journal_len: whole as u64,
            snapshot_len,
            pending: Vec::new(),
            unsynced: false,
        };
        Ok((store, report))
    }

    /// Records a put; written at the next [`flush`](Self::flush).
    pub(super) fn put(&mut self, key: &str, value: &[u8]) {
        encode(&mut self.pending, PUT, key, value);
        if let Some(v) = self.values.get_mut(key) {
            v.clear();
            v.extend_from_slice(value);
        } else {
            self.values.insert(String::from(key), value.to_vec());
        }
    }

    /// Records a delete.
    pub(super) fn delete(&mut self, key: &str) {
        if self.values.remove(key).is_some() {
            encode(&mut self.pending, DELETE, key, &[]);
        }
    }

    /// Records a log's start.
    pub(super) fn set_start(&mut self, log: u64, start: u64) {
        if self.starts.insert(log, start) != Some(start) {
            encode(
                &mut self.pending,
                START,
                &std::format!("{log}"),
                &start.to_le_bytes(),
            );
        }
    }

    /// Forgets a deleted log's start.
    pub(super) fn forget_start(&mut self, log: u64) {
        self.starts.remove(&log);
    }

    /// Appends the pending entries to the journal (syncing it when `sync`), compacting into a
    /// new snapshot when the journal has grown past the snapshot.
    pub(super) fn flush<S: Fs<File = F>>(&mut self, fs: &S, sync: bool) -> io::Result<()> {
        if !self.pending.is_empty() {
            let len = self.journal_len;
            if let Err(e) = self.journal.append(&self.pending) {
                let _ = self.journal.truncate(len);
                return Err(e);
            }
            self.journal_len += self.pending.len() as u64;
            self.pending.clear();
            self.unsynced = true;
        }
        if sync && self.unsynced {
            self.journal.sync()?;
            self.unsynced = false;
        }
        if self.journal_len > MIN_COMPACT.max(2 * self.snapshot_len) {
            self.compact(fs, sync)?;
        }
        Ok(())
    }

    /// Writes every value as the snapshot of the next generation and starts its journal.
    fn compact<S: Fs<File = F>>(&mut self, fs: &S, sync: bool) -> io::Result<()> {
        let mut bytes = Vec::new();
        for (k, v) in &self.values {
            encode(&mut bytes, PUT, k, v);
        }
        for (log, start) in &self.starts {
            encode(
                &mut bytes,
                START,
                &std::format!("{log}"),
                &start.to_le_bytes(),
            );
        }
        let next = self.generation + 1;
        fs.write_atomic(&snapshot_path(&self.dir, next), &bytes, sync)?;
        let journal = fs.open(&journal_path(&self.dir, next), true)?;
        if sync {
            fs.sync_dir(&self.dir)?;
        }
        let old = self.generation;
        self.generation = next;
        self.journal = journal;
        self.journal_len = 0;
        self.snapshot_len = bytes.len() as u64;
        self.unsynced = false;
        let _ = fs.remove_file(&journal_path(&self.dir, old));
        let _ = fs.remove_file(&snapshot_path(&self.dir, old));
        Ok(())
    }
}
