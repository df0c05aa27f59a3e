//! One log on disk: a folder of segments, the log start, records not yet written, and a cache
//! of the last batch read.

use core::cell::RefCell;
use std::collections::VecDeque;
use std::io;
use std::path::{Path, PathBuf};
use std::vec::Vec;

use super::codec::{self, BatchWriter};
use super::fs::{Fs, FsFile};
use super::recovery::LogRecovery;
use super::segment::{Segment, index_path, load_index, segment_path};
use super::{FileOptions, io_error};
use crate::ids::{LogId, Offset};
use crate::storage::{LogBounds, Record, StorageError};

/// The most [`FileLog`] reads at a time while it looks for a batch.
const MAX_READ_CHUNK: u64 = 64 << 10;

/// The records of the batch read last, so reading a batch's records in turn decodes it once.
/// A range read that starts at the front takes its records out (a reader going through the
/// log in order needs each once), so the cache holds what is left of the batch from `base`.
#[derive(Debug, Default)]
struct Cached {
    base: u64,
    records: VecDeque<Record>,
}

/// A log: segments on disk, then the records appended since the last write.
#[derive(Debug)]
pub(super) struct FileLog<F> {
    id: LogId,
    dir: PathBuf,
    start: u64,
    start_dirty: bool,
    /// Sorted by base; the last one takes appends.
    segments: Vec<Segment<F>>,
    /// The records appended and not yet written (from offset `written_end()`), already
    /// encoded as the next batch, and where each starts in it.
    batch: BatchWriter,
    pending_at: Vec<u32>,
    cache: RefCell<Cached>,
    /// Bytes read at a time while looking for a batch: two index intervals (at most
    /// [`MAX_READ_CHUNK`]), so the headers from an index entry to the next (and a small
    /// batch's body) come in one read.
    read_chunk: u64,
}

impl<F: FsFile> FileLog<F> {
    /// Creates the folder and the first segment of a new, empty log.
    pub(super) fn create<S: Fs<File = F>>(
        fs: &S,
        dir: PathBuf,
        id: LogId,
        options: &FileOptions,
    ) -> io::Result<Self> {
        let sync = options.sync.syncs();
        fs.create_dir_all(&dir)?;
        let file = fs.open(&segment_path(&dir, 0), true)?;
        if sync {
            fs.sync_dir(&dir)?;
            if let Some(parent) = dir.parent() {
                fs.sync_dir(parent)?;
            }
        }
        Ok(FileLog {
            id,
            dir,
            start: 0,
            start_dirty: false,
            segments: std::vec![Segment::empty(0, file)],
            batch: BatchWriter::default(),
            pending_at: Vec::new(),
            cache: RefCell::default(),
            read_chunk: (2 * options.interval()).min(MAX_READ_CHUNK),
        })
    }

    /// The folder.
    pub(super) fn dir(&self) -> &Path {
        &self.dir
    }

    fn written_end(&self) -> u64 {
        self.segments.last().map_or(self.start, |s| s.end)
    }

    /// Offset of the next record appended.
    pub(super) fn end(&self) -> u64 {
        self.written_end() + self.pending_at.len() as u64
    }

    /// `start..end`.
    pub(super) fn bounds(&self) -> LogBounds {
        LogBounds {
            start: Offset(self.start),
            end: Offset(self.end()),
        }
    }

    /// Bytes of the segment files.
    pub(super) fn disk_bytes(&self) -> u64 {
        self.segments.iter().map(|s| s.len).sum()
    }

    /// Number of segment files.
    pub(super) fn segment_count(&self) -> usize {
        self.segments.len()
    }

    /// Takes a record, encoding it into the next batch; returns its offset and whether the
    /// batch is big enough to write.
    pub(super) fn append(&mut self, record: &Record, options: &FileOptions) -> (Offset, bool) {
        let offset = Offset(self.end());
        if self.pending_at.is_empty() {
            self.batch.begin(self.written_end());
        }
        self.pending_at.push(self.batch.len() as u32);
        self.batch.push(record);
        let limit = options.batch_bytes.min(codec::MAX_BODY / 2);
        (offset, self.batch.len() >= limit)
    }

    /// Writes the pending records as one batch to the active segment, first starting a new
    /// segment when the active one is full. Returns whether anything was written.
    ///
    /// On error nothing of the batch stays in the file (it is cut back) and the records stay
    /// pending, still readable; the next call tries again.
    pub(super) fn write_pending<S: Fs<File = F>>(
        &mut self,
        fs: &S,
        options: &FileOptions,
    ) -> io::Result<bool> {
        if self.pending_at.is_empty() {
            return Ok(false);
        }
        if self
            .segments
            .last()
            .is_some_and(|s| s.len >= options.segment_bytes)
        {
            self.roll(fs, options)?;
        }
        let base = self.written_end();
        let count = self.pending_at.len() as u64;
        let bytes = self.batch.finish();
        let Some(seg) = self.segments.last_mut() else {
            return Err(io::ErrorKind::NotFound.into());
        };
        let pos = seg.len;
        if let Err(e) = seg.file.append(bytes) {
            let _ = seg.file.truncate(pos);
            return Err(e);
        }
        seg.len += bytes.len() as u64;
        seg.end = base + count;
        seg.unsynced = true;
        seg.note_batch(base, pos, options.interval());
        self.pending_at.clear();
        Ok(true)
    }

    /// Pending record `i` (below `pending_at.len()`), decoded from the batch being built.
    fn pending(&self, i: usize) -> Result<Record, StorageError> {
        let mut out = Vec::with_capacity(1);
        self.pending_range(i, 1, &mut out)?;
        out.pop().ok_or(self.corrupt(self.written_end() + i as u64))
    }

    /// Appends pending records `first..first + n` (within `pending_at.len()`) onto `out`,
    /// decoded from one copy of their bytes in the batch being built.
    fn pending_range(
        &self,
        first: usize,
        n: usize,
        out: &mut Vec<Record>,
    ) -> Result<(), StorageError> {
        let bytes = self.batch.bytes();
        let start = self.pending_at[first] as usize;
        let end = self
            .pending_at
            .get(first + n)
            .map_or(bytes.len(), |&e| e as usize);
        let copy = bytes::Bytes::copy_from_slice(&bytes[start..end]);
        let before = out.len();
        if codec::decode_from(&copy, first as u32, n as u32, self.batch.first(), out).is_none() {
            out.truncate(before);
            return Err(self.corrupt(self.written_end() + first as u64));
        }
        Ok(())
    }

    /// Seals the active segment (synced, its index saved) and starts a new one at the end.
    fn roll<S: Fs<File = F>>(&mut self, fs: &S, options: &FileOptions) -> io::Result<()> {
        let sync = options.sync.syncs();
        let base = self.written_end();
        if let Some(last) = self.segments.last_mut() {
            if sync && last.unsynced {
                last.file.sync()?;
                last.unsynced = false;
            }
            last.save_index(fs, &self.dir, sync)?;
        }
        let file = fs.open(&segment_path(&self.dir, base), true)?;
        if sync {
            fs.sync_dir(&self.dir)?;
        }
        self.segments.push(Segment::empty(base, file));
        Ok(())
    }

    /// Syncs every segment written since the last sync.
    pub(super) fn sync(&mut self) -> io::Result<()> {
        for s in &mut self.segments {
            if s.unsynced {
                s.file.sync()?;
                s.unsynced = false;
            }
        }
        Ok(())
    }

    /// The start, if it moved since the last call.
    pub(super) fn take_start_change(&mut self) -> Option<u64> {
        core::mem::take(&mut self.start_dirty).then_some(self.start)
    }

    /// Saves every index that has entries its file lacks.
    pub(super) fn save_indexes<S: Fs<File = F>>(&mut self, fs: &S, sync: bool) -> io::Result<()> {
        for s in &mut self.segments {
            if s.index_dirty {
                s.save_index(fs, &self.dir, sync)?;
            }
        }
        Ok(())
    }

    /// Moves the start to `before` (within `start..=end`) and removes the segments wholly
    /// before it, except the active one.
    pub(super) fn drop_prefix<S: Fs<File = F>>(&mut self, fs: &S, before: u64) -> io::Result<()> {
        let new_start = before.clamp(self.start, self.end());
        if new_start == self.start {
            return Ok(());
        }
        self.start = new_start;
        self.start_dirty = true;
        while self.segments.len() > 1 && self.segments[0].end <= new_start {
            let s = self.segments.remove(0);
            drop(s.file);
            fs.remove_file(&segment_path(&self.dir, s.base))?;
            let _ = fs.remove_file(&index_path(&self.dir, s.base));
        }
        Ok(())
    }

    fn out_of_range(&self, offset: u64) -> StorageError {
        StorageError::OutOfRange {
            log: self.id,
            offset: Offset(offset),
        }
    }

    /// The record at `offset`.
    pub(super) fn read(&self, offset: u64) -> Result<Record, StorageError> {
        if offset < self.start || offset >= self.end() {
            return Err(self.out_of_range(offset));
        }
        let written = self.written_end();
        if offset >= written {
            return self.pending((offset - written) as usize);
        }
        {
            let c = self.cache.borrow();
            if let Some(r) = offset
                .checked_sub(c.base)
                .and_then(|i| c.records.get(i as usize))
            {
                return Ok(r.clone());
            }
        }
        self.load_batch(offset)?;
        let c = self.cache.borrow();
        c.records
            .get((offset - c.base) as usize)
            .cloned()
            .ok_or(StorageError::Corrupt {
                log: self.id,
                offset: Offset(offset),
            })
    }

    /// Appends up to `max` records from `from` onto `out`.
    pub(super) fn read_range(
        &self,
        from: u64,
        max: usize,
        out: &mut Vec<Record>,
    ) -> Result<(), StorageError> {
        if out.len() >= max || from >= self.end() {
            return Ok(());
        }
        if from < self.start {
            return Err(self.out_of_range(from));
        }
        let written = self.written_end();
        let mut at = from;
        while at < written && out.len() < max {
            if !self.cached(at) {
                let (base, count, body) = self.fetch_batch(at)?;
                if base == at && count as usize <= max - out.len() {
                    // The whole batch is wanted: decode it straight into `out`.
                    let before = out.len();
                    if codec::decode(&body, count, out).is_none() {
                        out.truncate(before);
                        return Err(self.corrupt(at));
                    }
                    at += u64::from(count);
                    continue;
                }
                self.cache_batch(base, count, &body, at)?;
            }
            let mut c = self.cache.borrow_mut();
            let skip = (at - c.base) as usize;
            let take = (c.records.len() - skip).min(max - out.len());
            if skip == 0 {
                out.extend(c.records.drain(..take));
                c.base += take as u64;
            } else {
                out.extend(c.records.range(skip..skip + take).cloned());
            }
            at += take as u64;
        }
        let end = self.end();
        if at >= written && at < end && out.len() < max {
            let first = (at - written) as usize;
            let take = ((end - at) as usize).min(max - out.len());
            self.pending_range(first, take, out)?;
        }
        Ok(())
    }

    /// Whether the cache holds the record at `offset`.
    fn cached(&self, offset: u64) -> bool {
        let c = self.cache.borrow();
        offset >= c.base && offset < c.base + c.records.len() as u64
    }

    fn corrupt(&self, offset: u64) -> StorageError {
        StorageError::Corrupt {
            log: self.id,
            offset: Offset(offset),
        }
    }

    /// Decodes the batch holding `offset` (a written one) into the cache, unless it is there.
    fn load_batch(&self, offset: u64) -> Result<(), StorageError> {
        if self.cached(offset) {
            return Ok(());
        }
        let (base, count, body) = self.fetch_batch(offset)?;
        self.cache_batch(base, count, &body, offset)
    }

    /// Reads and checks the batch holding `offset` (a written one): its base offset, record
    /// count and body.
    fn fetch_batch(&self, offset: u64) -> Result<(u64, u32, bytes::Bytes), StorageError> {
        let i = self.segments.partition_point(|s| s.base <= offset);
        let seg = i
            .checked_sub(1)
            .and_then(|i| self.segments.get(i))
            .ok_or(self.out_of_range(offset))?;
        let io = |e: io::Error| match e.kind() {
            io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof => self.corrupt(offset),
            _ => io_error(&e),
        };
        let (h, body) = seg.read_batch(offset, self.read_chunk).map_err(io)?;
        Ok((h.base, h.count, body))
    }

    /// Decodes a fetched batch into the cache; `offset` names the record asked for in errors.
    fn cache_batch(
        &self,
        base: u64,
        count: u32,
        body: &bytes::Bytes,
        offset: u64,
    ) -> Result<(), StorageError> {
        let mut c = self.cache.borrow_mut();
        c.records.clear();
        c.base = base;
        let mut records = Vec::from(core::mem::take(&mut c.records));
        if codec::decode(body, count, &mut records).is_none() {
            return Err(self.corrupt(offset));
        }
        c.records = VecDeque::from(records);
        Ok(())
    }

    /// Opens an existing log folder: checks its segments from their last known good point,
    /// cuts the first damaged or torn batch and everything after it, rebuilds missing
    /// indexes, and says what it did.
    pub(super) fn open<S: Fs<File = F>>(
        fs: &S,
        dir: PathBuf,
        id: LogId,
        saved_start: Option<u64>,
        options: &FileOptions,
    ) -> io::Result<(Self, LogRecovery)> {
        let mut report = LogRecovery::new(id);
        let mut bases: Vec<u64> = Vec::new();
        for name in fs.list(&dir)? {
            if let Some(base) = name.strip_suffix(".seg").and_then(|b| b.parse().ok()) {
                bases.push(base);
            } else if name.ends_with(".tmp") {
                let _ = fs.remove_file(&dir.join(&name));
            }
        }
        bases.sort_unstable();
        if saved_start.is_none() && bases.first().is_some_and(|&b| b > 0) {
            report.start_lost = true;
        }
        let mut segments: Vec<Segment<F>> = Vec::new();
        let mut damaged = false;
        for base in bases {
            let path = segment_path(&dir, base);
            let expected = segments.last().map_or(base, |s| s.end);
            if damaged || base != expected {
                // Everything after a cut (or after a hole) is unreachable: it goes.
                let len = fs.open(&path, false).and_then(|f| f.size()).unwrap_or(0);
                report.bytes_dropped += len;
                report.segments_dropped += 1;
                fs.remove_file(&path)?;
                let _ = fs.remove_file(&index_path(&dir, base));
                damaged = true;
                continue;
            }
            let file = fs.open(&path, false)?;
            let file_len = file.size()?;
            let mut seg = Segment::empty(base, file);
            seg.check_format(file_len)?;
            // The last known good point: the last index entry inside the file.
            let loaded = load_index(fs, &dir, base);
            let (mut from_pos, mut from_offset) = match loaded.clone() {
                Some(index) => {
                    let keep = index.partition_point(|&(_, p)| p < file_len);
                    seg.index = index;
                    seg.index.truncate(keep);
                    seg.index_dirty = false;
                    seg.index
                        .pop()
                        .map_or((0, base), |(offset, pos)| (pos, offset))
                }
                None => {
                    report.indexes_rebuilt += 1;
                    (0, base)
                }
            };
            let mut damage = seg.scan_from(from_pos, from_offset, file_len, options.interval())?;
            // Damage right where the scan began: no whole batch starts at that index entry, so
            // the entry does not match the file (a damaged or foreign index, or a batch torn
            // after it was indexed), and cutting there would keep an end the file does not
            // hold. Go back an entry at a time (to the file's start at last) until the scan
            // reads a whole batch, so the end comes from the batches themselves.
            while damage.is_some() && seg.len == from_pos && from_pos > 0 {
                (from_pos, from_offset) = match seg.index.pop() {
                    Some((offset, pos)) if pos < from_pos => (pos, offset),
                    // Entries out of order: the index is no guide at all.
                    _ => {
                        seg.index.clear();
                        (0, base)
                    }
                };
                damage = seg.scan_from(from_pos, from_offset, file_len, options.interval())?;
            }
            if loaded.as_ref() == Some(&seg.index) {
                // The scan noted again what the index file holds: no need to write it.
                seg.index_dirty = false;
            }
            if let Some(d) = damage {
                report.bytes_dropped += file_len - seg.len;
                report.damage = Some((base, seg.len, d));
                seg.file.truncate(seg.len)?;
                seg.file.sync()?;
                seg.index_dirty = true;
                damaged = true;
            }
            if seg.index_dirty {
                seg.save_index(fs, &dir, true)?;
            }
            segments.push(seg);
        }
        let first = segments.first().map_or(0, |s| s.base);
        let end = segments.last().map_or(first, |s| s.end);
        let start = saved_start.unwrap_or(first).clamp(first, end);
        // Segments wholly before the start were dropped; their removal may not have happened.
        while segments.len() > 1 && segments[0].end <= start {
            let s = segments.remove(0);
            fs.remove_file(&segment_path(&dir, s.base))?;
            let _ = fs.remove_file(&index_path(&dir, s.base));
        }
        if segments.is_empty() {
            let file = fs.open(&segment_path(&dir, start), true)?;
            segments.push(Segment::empty(start, file));
        }
        report.start = Offset(start);
        report.end = Offset(end.max(start));
        let log = FileLog {
            id,
            dir,
            start,
            start_dirty: saved_start != Some(start),
            segments,
            batch: BatchWriter::default(),
            pending_at: Vec::new(),
            cache: RefCell::default(),
            read_chunk: (2 * options.interval()).min(MAX_READ_CHUNK),
        };
        Ok((log, report))
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::MetadataExt;

    use super::*;
    use crate::ids::MessageId;
    use std::string::String;

    use crate::storage::file::{StdFile, StdFs};
    use crate::time::Instant;

    /// The inode of every index file: `write_atomic` renames a new file over the old one, so
    /// an index that was written again has a new inode.
    fn index_inodes(dir: &Path) -> Vec<(String, u64)> {
        let mut out: Vec<(String, u64)> = std::fs::read_dir(dir)
            .expect("list")
            .map(|e| e.expect("entry"))
            .filter(|e| e.file_name().to_string_lossy().ends_with(".idx"))
            .map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                (name, e.metadata().expect("stat").ino())
            })
            .collect();
        out.sort();
        out
    }

    #[test]
    fn opening_a_clean_log_leaves_its_index_files_alone() {
        let dir = std::env::temp_dir().join(std::format!(
            "brokerlab-log-unit-{}-clean-index",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        let options = FileOptions {
            segment_bytes: 1_000,
            batch_bytes: 300,
            index_interval: 100,
            sync: crate::storage::file::SyncPolicy::Os,
        };
        let fs = StdFs;
        let mut log = FileLog::create(&fs, dir.clone(), LogId(1), &options).expect("create");
        for i in 0..200u64 {
            let record = Record {
                message: MessageId(i),
                timestamp: Instant::from_millis(i),
                payload: std::format!("record {i}").into(),
                meta: None,
            };
            log.append(&record, &options);
            if i % 7 == 6 {
                log.write_pending(&fs, &options).expect("write");
            }
        }
        log.write_pending(&fs, &options).expect("write");
        log.save_indexes(&fs, false).expect("save indexes");
        drop(log);
        let before = index_inodes(&dir);
        assert!(before.len() > 2, "several segments: {before:?}");

        let (log, report) =
            FileLog::<StdFile>::open(&fs, dir.clone(), LogId(1), None, &options).expect("open");
        assert_eq!(report.end, Offset(200));
        assert_eq!(report.indexes_rebuilt, 0);
        assert!(log.segments.iter().all(|s| !s.index_dirty));
        assert_eq!(
            index_inodes(&dir),
            before,
            "an index file was written again"
        );
        let mut out = Vec::new();
        log.read_range(0, usize::MAX, &mut out).expect("read");
        assert_eq!(out.len(), 200);

        // A missing index is still rebuilt and saved.
        let (name, _) = &before[0];
        std::fs::remove_file(dir.join(name)).expect("remove an index");
        drop(log);
        let (_, report) =
            FileLog::<StdFile>::open(&fs, dir.clone(), LogId(1), None, &options).expect("reopen");
        assert_eq!(report.indexes_rebuilt, 1);
        assert!(dir.join(name).exists());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
