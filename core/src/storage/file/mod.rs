//! [`FileStorage`]: durable logs in segment files and metadata in small files, recovered on
//! open (needs the `std` feature).
//!
//! # Layout
//!
//! ```text
//! DIR/logs/<log id>/<base offset, 20 digits>.seg   batches of records (see `codec`)
//! DIR/logs/<log id>/<base offset, 20 digits>.idx   sparse offset index of that segment
//! DIR/meta/snapshot.<G>, DIR/meta/journal.<G>     metadata values and log starts
//! DIR/lock                                         locked while a storage has DIR open
//! ```
//!
//! Appends collect in memory and go to the active segment as one batch (with its CRC-32C) at
//! [`Storage::flush`] or when [`FileOptions::batch_bytes`] have piled up; a segment that
//! reached [`FileOptions::segment_bytes`] is sealed and a new one begun. [`SyncPolicy`] says
//! when written bytes are synced. Metadata values and log starts (the dropped prefix of each
//! log) are written after the records they may refer to: appended to a journal of CRC-checked
//! entries, which is compacted into a snapshot written crash-safely (a temporary file, synced,
//! then renamed over the old one) when it has grown past it.
//!
//! # Recovery
//!
//! [`FileStorage::open`] checks each log from its last known good point (the last entry of a
//! segment's index; the whole segment when the index is missing, or is not one of that segment:
//! not starting at its first batch, or not increasing; an entry earlier when no whole batch
//! starts at the last one), stops at the first batch that is torn, out of sequence, counts more
//! records than its body can hold or fails its checksum, cuts the file there, removes any later
//! segments, rebuilds the indexes it had to, and returns a [`Recovery`] saying what it dropped.
//! A file whose first batch is of another format version is refused, not cut.
//! The metadata journal is replayed up to its first torn or damaged entry and cut there. Reads check every batch's
//! checksum again, and that it is the batch the index leads to (starting where the walk from
//! the index entry expects, ending before the next entry): nothing corrupt is ever returned.

mod codec;
pub mod crc32c;
mod fs;
mod log;
mod meta;
mod recovery;
mod segment;

pub use fs::{Fs, FsFile, StdFile, StdFs, temporary};
pub use recovery::{LogRecovery, Recovery};
pub use segment::Damage;

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::{Path, PathBuf};
use std::string::String;
use std::time::Instant as WallInstant;
use std::vec::Vec;

use log::FileLog;
use meta::MetaStore;

use super::gaps::Gaps;
use super::{LogBounds, Record, Storage, StorageError};

/// The metadata key under which a log's removed offsets ([`Storage::remove_records`]) are
/// saved: `storage/gaps/<log id>`, a namespace the broker does not use.
fn gaps_key(log: LogId) -> String {
    std::format!("storage/gaps/{}", log.0)
}
use crate::ids::{LogId, Offset};

/// When written bytes are synced to the medium.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncPolicy {
    /// At every [`Storage::flush`] that wrote something (and when a segment is sealed): a
    /// flush that returned is on the medium.
    EveryBatch,
    /// At the first flush at least this long after the previous sync (or the open); until
    /// then written batches may be lost in a power cut (not in a crash of the process).
    /// Metadata waits for the sync too, so it never runs ahead of the records. The storage
    /// has no timer: after a quiet spell the sync happens at the next flush, at
    /// [`FileStorage::sync_now`], or when the storage is dropped. A
    /// [`SharedBroker`](crate::SharedBroker) flushes on a timer with
    /// [`flush_every`](crate::SharedBroker::flush_every).
    Interval(std::time::Duration),
    /// Never explicitly: the operating system writes back when it likes. Survives a crash of
    /// the process, not of the machine.
    Os,
}

impl SyncPolicy {
    /// Whether this policy ever syncs.
    #[must_use]
    pub fn syncs(self) -> bool {
        !matches!(self, SyncPolicy::Os)
    }
}

/// Settings of a [`FileStorage`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileOptions {
    /// A segment at least this big is sealed and the next batch starts a new one
    /// (default 64 MiB).
    pub segment_bytes: u64,
    /// Pending records are written as a batch when they reach about this many bytes, and a
    /// batch holds at most about this many (default 1 MiB).
    pub batch_bytes: usize,
    /// Bytes between two entries of a segment's sparse index (default 4 KiB).
    pub index_interval: u32,
    /// When to sync (default [`SyncPolicy::EveryBatch`]).
    pub sync: SyncPolicy,
}

impl Default for FileOptions {
    fn default() -> Self {
        FileOptions {
            segment_bytes: 64 << 20,
            batch_bytes: 1 << 20,
            index_interval: 4096,
            sync: SyncPolicy::EveryBatch,
        }
    }
}

impl FileOptions {
    fn interval(&self) -> u64 {
        u64::from(self.index_interval.max(1))
    }
}

/// Why [`FileStorage::open`] failed.
#[derive(Debug)]
pub struct OpenError {
    /// The file or folder.
    pub path: PathBuf,
    /// What went wrong.
    pub error: io::Error,
}

impl core::fmt::Display for OpenError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "cannot open storage at {}: {}",
            self.path.display(),
            self.error
        )
    }
}

impl std::error::Error for OpenError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

/// A durable [`Storage`] in a folder. See the [module docs](self) for the format and the
/// recovery rules.
///
/// ```
/// use brokerlab::storage::{FileOptions, FileStorage};
/// use brokerlab::{Broker, Instant, Publish, QueueConfig};
/// let dir = std::env::temp_dir().join(format!("brokerlab-doc-{}", std::process::id()));
/// # let _ = std::fs::remove_dir_all(&dir);
/// let (storage, _report) = FileStorage::open(&dir, FileOptions::default())?;
/// let mut broker = Broker::new(storage);
/// let now = Instant::ZERO;
/// broker.declare_queue(now, "jobs", QueueConfig::default())?;
/// broker.publish(now, Publish::to_queue("jobs", "resize 1.png"))?;
/// broker.flush()?; // on disk (and synced) from here
/// # drop(broker);
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct FileStorage<F: Fs = StdFs> {
    /// Held while the storage is open: a second `open` of the folder fails.
    _lock: F::Lock,
    fs: F,
    root: PathBuf,
    options: FileOptions,
    logs: BTreeMap<LogId, FileLog<F::File>>,
    meta: MetaStore<F::File>,
    last_sync: WallInstant,
    /// Offsets removed from inside each log, and the logs whose list changed since the last
    /// flush (saved as metadata then).
    gaps: BTreeMap<LogId, Gaps>,
    gaps_changed: BTreeSet<LogId>,
}

impl FileStorage<StdFs> {
    /// Opens (creating if needed) the storage in `dir` on the real file system, recovering
    /// what a crash left. See [`FileStorage::open_in`].
    ///
    /// # Errors
    /// A folder or file that cannot be read, created or repaired.
    pub fn open(
        dir: impl AsRef<Path>,
        options: FileOptions,
    ) -> Result<(Self, Recovery), OpenError> {
        Self::open_in(StdFs, dir, options)
    }
}

impl<F: Fs> FileStorage<F> {
    /// Opens (creating if needed) the storage in `dir` on `fs`: every log folder is checked
    /// and repaired, metadata is loaded, leftover temporary files are removed.
    ///
    /// # Errors
    /// A folder or file that cannot be read, created or repaired.
    pub fn open_in(
        fs: F,
        dir: impl AsRef<Path>,
        options: FileOptions,
    ) -> Result<(Self, Recovery), OpenError> {
        let root = dir.as_ref().to_path_buf();
        let fail = |path: &Path| {
            let path = path.to_path_buf();
            move |error| OpenError { path, error }
        };
        let logs_dir = root.join("logs");
        let meta_dir = root.join("meta");
        fs.create_dir_all(&root).map_err(fail(&root))?;
        let lock_path = root.join("lock");
        let lock = fs.lock(&lock_path).map_err(|e| OpenError {
            path: lock_path.clone(),
            error: if e.kind() == io::ErrorKind::WouldBlock {
                io::Error::new(
                    io::ErrorKind::WouldBlock,
                    "another FileStorage has this folder open",
                )
            } else {
                e
            },
        })?;
        fs.create_dir_all(&logs_dir).map_err(fail(&logs_dir))?;
        fs.create_dir_all(&meta_dir).map_err(fail(&meta_dir))?;
        let (meta, meta_report) =
            MetaStore::open(&fs, meta_dir.clone()).map_err(fail(&meta_dir))?;
        let mut report = Recovery {
            meta_journal_cut: meta_report.journal_cut,
            meta_snapshot_damaged: meta_report.snapshot_damaged,
            ..Recovery::default()
        };
        let mut logs = BTreeMap::new();
        let (mut gaps, mut gaps_changed) = (BTreeMap::new(), BTreeSet::new());
        let mut ids: Vec<u64> = fs
            .list(&logs_dir)
            .map_err(fail(&logs_dir))?
            .iter()
            .filter_map(|n| n.parse().ok())
            .collect();
        ids.sort_unstable();
        for id in ids {
            let dir = logs_dir.join(std::format!("{id}"));
            let saved = meta.starts.get(&id).copied();
            let (log, r) =
                FileLog::open(&fs, dir.clone(), LogId(id), saved, &options).map_err(fail(&dir))?;
            // The removed offsets as last saved, within what the log now holds (recovery
            // may have cut it); damaged values are ignored (the records read again).
            if let Some(mut g) = meta
                .values
                .get(&gaps_key(LogId(id)))
                .and_then(|v| Gaps::decode(v))
            {
                let b = log.bounds();
                let cut = g.drop_below(b.start.0) + g.drop_from(b.end.0);
                if cut > 0 {
                    gaps_changed.insert(LogId(id));
                }
                if !g.is_empty() {
                    gaps.insert(LogId(id), g);
                }
            }
            logs.insert(LogId(id), log);
            report.logs.push(r);
        }
        let storage = FileStorage {
            _lock: lock,
            fs,
            root,
            options,
            logs,
            meta,
            last_sync: WallInstant::now(),
            gaps,
            gaps_changed,
        };
        Ok((storage, report))
    }

    /// The folder.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.root
    }

    /// The settings.
    #[must_use]
    pub fn options(&self) -> &FileOptions {
        &self.options
    }

    /// The file system.
    #[must_use]
    pub fn fs(&self) -> &F {
        &self.fs
    }

    /// Bytes of segment files of `log` and how many there are.
    #[must_use]
    pub fn log_files(&self, log: LogId) -> Option<(u64, usize)> {
        self.logs
            .get(&log)
            .map(|l| (l.disk_bytes(), l.segment_count()))
    }

    /// Writes everything pending and syncs it, whatever the policy.
    ///
    /// # Errors
    /// [`StorageError::Io`] (or [`StorageError::Full`] when the medium is).
    pub fn sync_now(&mut self) -> Result<(), StorageError> {
        self.flush_inner(true)
    }

    fn log(&self, log: LogId) -> Result<&FileLog<F::File>, StorageError> {
        self.logs.get(&log).ok_or(StorageError::UnknownLog(log))
    }

    fn log_dir(&self, log: LogId) -> PathBuf {
        self.root.join("logs").join(std::format!("{}", log.0))
    }

    fn flush_inner(&mut self, force_sync: bool) -> Result<(), StorageError> {
        for log in self.logs.values_mut() {
            log.write_pending(&self.fs, &self.options)
                .map_err(|e| io_error(&e))?;
        }
        let sync = match self.options.sync {
            _ if force_sync => true,
            SyncPolicy::EveryBatch => true,
            SyncPolicy::Os => false,
            SyncPolicy::Interval(every) => self.last_sync.elapsed() >= every,
        };
        if !sync && matches!(self.options.sync, SyncPolicy::Interval(_)) {
            // Metadata waits for the records it may name to be synced.
            return Ok(());
        }
        if sync {
            for log in self.logs.values_mut() {
                log.sync().map_err(|e| io_error(&e))?;
            }
            self.last_sync = WallInstant::now();
        }
        for (id, log) in &mut self.logs {
            if let Some(start) = log.take_start_change() {
                self.meta.set_start(id.0, start);
            }
        }
        for id in core::mem::take(&mut self.gaps_changed) {
            match self.gaps.get(&id) {
                Some(g) if !g.is_empty() => self.meta.put(&gaps_key(id), &g.encode()),
                _ => self.meta.delete(&gaps_key(id)),
            }
        }
        self.meta.flush(&self.fs, sync).map_err(|e| io_error(&e))
    }
}

/// Maps an I/O error to the storage error the broker understands.
pub(crate) fn io_error(e: &io::Error) -> StorageError {
    match e.kind() {
        io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => StorageError::Full,
        _ => StorageError::Io,
    }
}

impl<F: Fs> Storage for FileStorage<F> {
    fn create_log(&mut self, log: LogId) -> Result<(), StorageError> {
        if self.logs.contains_key(&log) {
            return Err(StorageError::LogExists(log));
        }
        let dir = self.log_dir(log);
        let l = FileLog::create(&self.fs, dir, log, &self.options).map_err(|e| io_error(&e))?;
        self.logs.insert(log, l);
        Ok(())
    }

    fn delete_log(&mut self, log: LogId) -> Result<(), StorageError> {
        let l = self
            .logs
            .remove(&log)
            .ok_or(StorageError::UnknownLog(log))?;
        self.meta.forget_start(log.0);
        if self.gaps.remove(&log).is_some() {
            self.meta.delete(&gaps_key(log));
        }
        self.gaps_changed.remove(&log);
        let dir = l.dir().to_path_buf();
        drop(l);
        self.fs.remove_dir_all(&dir).map_err(|e| io_error(&e))
    }

    fn append(&mut self, log: LogId, record: Record) -> Result<Offset, StorageError> {
        let options = self.options;
        let l = self
            .logs
            .get_mut(&log)
            .ok_or(StorageError::UnknownLog(log))?;
        // A record must fit a batch with room to spare (the payload cap of `Limits` is far
        // below this unless raised).
        let meta = record.meta.as_ref().map_or(0, |m| {
            m.routing_key.len()
                + m.key.as_ref().map_or(0, crate::Payload::len)
                + m.headers
                    .iter()
                    .map(|(n, v)| n.len() + v.len() + 8)
                    .sum::<usize>()
        });
        if record.payload.len() + meta > codec::MAX_BODY / 4 {
            return Err(StorageError::Full);
        }
        let (offset, full) = l.append(&record, &options);
        if full {
            // A write error leaves the records pending; the next flush reports it.
            let _ = l.write_pending(&self.fs, &options);
        }
        Ok(offset)
    }

    fn read(&self, log: LogId, offset: Offset) -> Result<Record, StorageError> {
        let l = self.log(log)?;
        if self.gaps.get(&log).is_some_and(|g| g.contains(offset.0)) {
            return Err(StorageError::Removed { log, offset });
        }
        l.read(offset.0)
    }

    fn check_readable(&self, log: LogId, offset: Offset) -> Result<(), StorageError> {
        self.read(log, offset).map(|_| ())
    }

    fn read_range(
        &self,
        log: LogId,
        from: Offset,
        max: usize,
        out: &mut Vec<Record>,
    ) -> Result<(), StorageError> {
        let l = self.log(log)?;
        let mut max = max;
        if let Some(gap) = self.gaps.get(&log).and_then(|g| g.next_gap(from.0)) {
            if gap == from.0 && from < l.bounds().end {
                return Err(StorageError::Removed { log, offset: from });
            }
            let room = usize::try_from(gap.saturating_sub(from.0)).unwrap_or(usize::MAX);
            max = max.min(out.len().saturating_add(room));
        }
        l.read_range(from.0, max, out)
    }

    fn remove_records(&mut self, log: LogId, offsets: &[Offset]) -> Result<usize, StorageError> {
        let b = self.log(log)?.bounds();
        if let Some(&offset) = offsets.iter().find(|o| **o < b.start || **o >= b.end) {
            return Err(StorageError::OutOfRange { log, offset });
        }
        let n = self.gaps.entry(log).or_default().insert(offsets).len();
        if n > 0 {
            self.gaps_changed.insert(log);
        }
        Ok(n)
    }

    fn next_record(&self, log: LogId, from: Offset) -> Result<Offset, StorageError> {
        let b = self.log(log)?.bounds();
        let from = from.max(b.start).min(b.end);
        let next = self.gaps.get(&log).map_or(from.0, |g| g.next_kept(from.0));
        Ok(Offset(next.min(b.end.0)))
    }

    fn drop_prefix(&mut self, log: LogId, before: Offset) -> Result<(), StorageError> {
        let l = self
            .logs
            .get_mut(&log)
            .ok_or(StorageError::UnknownLog(log))?;
        l.drop_prefix(&self.fs, before.0)
            .map_err(|e| io_error(&e))?;
        let start = l.bounds().start.0;
        if let Some(g) = self.gaps.get_mut(&log)
            && g.drop_below(start) > 0
        {
            self.gaps_changed.insert(log);
            if g.is_empty() {
                self.gaps.remove(&log);
            }
        }
        Ok(())
    }

    fn bounds(&self, log: LogId) -> Result<LogBounds, StorageError> {
        Ok(self.log(log)?.bounds())
    }

    fn put_meta(&mut self, key: &str, value: &[u8]) -> Result<(), StorageError> {
        if self
            .meta
            .values
            .get(key)
            .is_none_or(|v| v.as_slice() != value)
        {
            self.meta.put(key, value);
        }
        Ok(())
    }

    fn get_meta(&self, key: &str) -> Result<Option<Vec<u8>>, StorageError> {
        Ok(self.meta.values.get(key).cloned())
    }

    fn delete_meta(&mut self, key: &str) -> Result<(), StorageError> {
        self.meta.delete(key);
        Ok(())
    }

    fn flush(&mut self) -> Result<(), StorageError> {
        self.flush_inner(false)
    }
}

impl<F: Fs> Drop for FileStorage<F> {
    /// Writes what is pending (synced unless the policy is [`SyncPolicy::Os`]) and saves the
    /// segment indexes, so the next open needs no scan. Errors are ignored: the next open
    /// recovers.
    fn drop(&mut self) {
        let sync = self.options.sync.syncs();
        if self.flush_inner(sync).is_ok() {
            for log in self.logs.values_mut() {
                let _ = log.save_indexes(&self.fs, sync);
            }
        }
    }
}
