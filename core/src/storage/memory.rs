//! [`MemoryStorage`]: logs in chunks of records and metadata in a `BTreeMap`; works without
//! `std`.
//!
//! A log is a `VecDeque` of chunks of at most [`CHUNK_RECORDS`] records. Appends go to the
//! last chunk, drops pop from the first, and an emptied first chunk is freed. Only the first
//! and the last chunk may be partly used (the first one grows by an eighth at a time up to the
//! chunk size, later ones are allocated at exactly the chunk size), so a log's unused capacity
//! is bounded by two chunks however long it gets, instead of the up-to-2× slack of one
//! growing buffer. Records removed from inside a log (compaction) leave their slot, emptied
//! of payload and properties, and their offset in the log's [`Gaps`].

use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::vec::Vec;

use super::gaps::Gaps;
use super::{LogBounds, Record, Storage, StorageError};
use crate::ids::{LogId, Offset};
use crate::vec_map::VecMap;

/// Records per chunk of a [`MemoryStorage`] log.
pub const CHUNK_RECORDS: usize = 1024;

/// Log ids below this are kept in a vector indexed by id.
const DENSE_LOG_IDS: u64 = 4096;

/// Fixed-size chunks: every chunk but the first and the last holds exactly `CHUNK_RECORDS`.
#[derive(Debug, Default, Clone)]
struct MemLog {
    start: u64,
    len: usize,
    chunks: VecDeque<VecDeque<Record>>,
    /// Offsets removed from inside the log; their slots hold a record without payload or
    /// properties (the offset's place, not its bytes).
    gaps: Gaps,
}

impl MemLog {
    fn end(&self) -> u64 {
        self.start + self.len as u64
    }

    #[inline(always)]
    fn push(&mut self, record: Record) {
        match self.chunks.back_mut() {
            Some(last) if last.len() < CHUNK_RECORDS => {
                if last.len() == last.capacity() {
                    // The first chunk grows by an eighth (at least 4) up to the chunk size, so
                    // a short log wastes little too.
                    let cap = last.capacity();
                    let want = (cap + (cap / 8).max(4)).min(CHUNK_RECORDS);
                    last.reserve_exact(want - last.len());
                }
                last.push_back(record);
            }
            _ => {
                let capacity = if self.chunks.is_empty() {
                    4
                } else {
                    CHUNK_RECORDS
                };
                let mut chunk = VecDeque::with_capacity(capacity);
                chunk.push_back(record);
                self.chunks.push_back(chunk);
            }
        }
        self.len += 1;
    }

    /// The chunk and the position in it of record `index` (below `len`).
    #[inline]
    fn locate(&self, index: usize) -> (usize, usize) {
        let first = self.chunks.front().map_or(0, VecDeque::len);
        if index < first {
            return (0, index);
        }
        let rest = index - first;
        (1 + rest / CHUNK_RECORDS, rest % CHUNK_RECORDS)
    }

    #[inline]
    fn get(&self, index: usize) -> Option<&Record> {
        if index >= self.len {
            return None;
        }
        let (chunk, at) = self.locate(index);
        self.chunks.get(chunk)?.get(at)
    }

    /// Clones `count` records from `index` on (`index + count <= len`) onto `out`, walking
    /// the chunks once.
    fn copy_to(&self, index: usize, mut count: usize, out: &mut Vec<Record>) {
        let (chunk, mut at) = self.locate(index);
        out.reserve(count);
        for c in self.chunks.range(chunk..) {
            if count == 0 {
                break;
            }
            let take = c.len().saturating_sub(at).min(count);
            out.extend(c.range(at..at + take).cloned());
            count -= take;
            at = 0;
        }
    }

    /// Drops the first `n` records (at most `len`).
    #[inline]
    fn drop_front(&mut self, mut n: usize) {
        n = n.min(self.len);
        if n == 1 {
            // The common case: one acked message leaves the head.
            if let Some(first) = self.chunks.front_mut() {
                first.pop_front();
                if first.is_empty() && self.chunks.len() > 1 {
                    self.chunks.pop_front();
                }
                self.start += 1;
                self.len -= 1;
                return;
            }
        }
        self.start += n as u64;
        self.len -= n;
        while n > 0 {
            let Some(first) = self.chunks.front_mut() else {
                break;
            };
            let k = n.min(first.len());
            first.drain(..k);
            n -= k;
            // Keep the last chunk when it empties: the next append reuses it.
            if first.is_empty() && self.chunks.len() > 1 {
                self.chunks.pop_front();
            }
        }
    }
}

/// The in-memory [`Storage`]: nothing survives the process.
///
/// An optional cap on the total number of stored records makes `append` fail with
/// [`StorageError::Full`], which is handy for exercising the broker's error paths.
#[derive(Debug, Default, Clone)]
pub struct MemoryStorage {
    /// Logs with ids below [`DENSE_LOG_IDS`], indexed by id (the broker numbers its logs from
    /// 1, so lookups on the hot path are an index); any other id lives in `sparse`.
    dense: Vec<Option<MemLog>>,
    sparse: VecMap<LogId, MemLog>,
    log_count: usize,
    meta: VecMap<String, Vec<u8>>,
    records: usize,
    max_records: Option<usize>,
}

impl MemoryStorage {
    /// An empty storage without a record cap.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty storage holding at most `max_records` records across all logs.
    #[must_use]
    pub fn with_max_records(max_records: usize) -> Self {
        MemoryStorage {
            max_records: Some(max_records),
            ..Self::default()
        }
    }

    /// Records currently stored across all logs.
    #[must_use]
    pub fn record_count(&self) -> usize {
        self.records
    }

    /// Number of logs.
    #[must_use]
    pub fn log_count(&self) -> usize {
        self.log_count
    }

    #[inline]
    fn log(&self, log: LogId) -> Result<&MemLog, StorageError> {
        let found = if log.0 < DENSE_LOG_IDS {
            self.dense.get(log.0 as usize).and_then(Option::as_ref)
        } else {
            self.sparse.get(&log)
        };
        found.ok_or(StorageError::UnknownLog(log))
    }

    #[inline]
    fn log_mut(&mut self, log: LogId) -> Result<&mut MemLog, StorageError> {
        let found = if log.0 < DENSE_LOG_IDS {
            self.dense.get_mut(log.0 as usize).and_then(Option::as_mut)
        } else {
            self.sparse.get_mut(&log)
        };
        found.ok_or(StorageError::UnknownLog(log))
    }
}

impl Storage for MemoryStorage {
    fn create_log(&mut self, log: LogId) -> Result<(), StorageError> {
        if self.log(log).is_ok() {
            return Err(StorageError::LogExists(log));
        }
        if log.0 < DENSE_LOG_IDS {
            let i = log.0 as usize;
            if self.dense.len() <= i {
                self.dense.resize_with(i + 1, || None);
            }
            self.dense[i] = Some(MemLog::default());
        } else {
            self.sparse.insert(log, MemLog::default());
        }
        self.log_count += 1;
        Ok(())
    }

    fn delete_log(&mut self, log: LogId) -> Result<(), StorageError> {
        let removed = if log.0 < DENSE_LOG_IDS {
            self.dense.get_mut(log.0 as usize).and_then(Option::take)
        } else {
            self.sparse.remove(&log)
        };
        let removed = removed.ok_or(StorageError::UnknownLog(log))?;
        self.records -= removed.len - removed.gaps.len();
        self.log_count -= 1;
        Ok(())
    }

    #[inline(always)]
    fn append(&mut self, log: LogId, record: Record) -> Result<Offset, StorageError> {
        if self.max_records.is_some_and(|max| self.records >= max) {
            return Err(StorageError::Full);
        }
        let l = self.log_mut(log)?;
        let offset = Offset(l.end());
        l.push(record);
        self.records += 1;
        Ok(offset)
    }

    #[inline]
    fn check_readable(&self, log: LogId, offset: Offset) -> Result<(), StorageError> {
        let l = self.log(log)?;
        if offset.0 < l.start || offset.0 >= l.end() {
            Err(StorageError::OutOfRange { log, offset })
        } else if l.gaps.contains(offset.0) {
            Err(StorageError::Removed { log, offset })
        } else {
            Ok(())
        }
    }

    #[inline]
    fn read(&self, log: LogId, offset: Offset) -> Result<Record, StorageError> {
        let l = self.log(log)?;
        if l.gaps.contains(offset.0) {
            return Err(StorageError::Removed { log, offset });
        }
        offset
            .0
            .checked_sub(l.start)
            .and_then(|i| usize::try_from(i).ok())
            .and_then(|i| l.get(i))
            .cloned()
            .ok_or(StorageError::OutOfRange { log, offset })
    }

    /// As the trait's default, but one log lookup and one walk over the chunks.
    fn read_range(
        &self,
        log: LogId,
        from: Offset,
        max: usize,
        out: &mut Vec<Record>,
    ) -> Result<(), StorageError> {
        let l = self.log(log)?;
        if out.len() >= max || from.0 >= l.end() {
            return Ok(());
        }
        let Some(index) = from
            .0
            .checked_sub(l.start)
            .and_then(|i| usize::try_from(i).ok())
        else {
            return Err(StorageError::OutOfRange { log, offset: from });
        };
        let mut count = (l.len - index).min(max - out.len());
        if let Some(gap) = l.gaps.next_gap(from.0) {
            if gap == from.0 {
                return Err(StorageError::Removed { log, offset: from });
            }
            count = count.min((gap - from.0) as usize);
        }
        l.copy_to(index, count, out);
        Ok(())
    }

    fn remove_records(&mut self, log: LogId, offsets: &[Offset]) -> Result<usize, StorageError> {
        let l = self.log_mut(log)?;
        if let Some(&offset) = offsets.iter().find(|o| o.0 < l.start || o.0 >= l.end()) {
            return Err(StorageError::OutOfRange { log, offset });
        }
        let new = l.gaps.insert(offsets);
        for &o in &new {
            let (chunk, at) = l.locate((o - l.start) as usize);
            if let Some(slot) = l.chunks.get_mut(chunk).and_then(|c| c.get_mut(at)) {
                slot.payload = crate::message::Payload::default();
                slot.meta = None;
            }
        }
        self.records -= new.len();
        Ok(new.len())
    }

    fn next_record(&self, log: LogId, from: Offset) -> Result<Offset, StorageError> {
        let l = self.log(log)?;
        let from = from.0.max(l.start).min(l.end());
        Ok(Offset(l.gaps.next_kept(from).min(l.end())))
    }

    #[inline]
    fn drop_prefix(&mut self, log: LogId, before: Offset) -> Result<(), StorageError> {
        let l = self.log_mut(log)?;
        let n = before.0.min(l.end()).saturating_sub(l.start) as usize;
        l.drop_front(n);
        let gaps = if l.gaps.is_empty() {
            0
        } else {
            l.gaps.drop_below(l.start)
        };
        self.records -= n - gaps;
        Ok(())
    }

    fn bounds(&self, log: LogId) -> Result<LogBounds, StorageError> {
        let l = self.log(log)?;
        Ok(LogBounds {
            start: Offset(l.start),
            end: Offset(l.end()),
        })
    }

    fn put_meta(&mut self, key: &str, value: &[u8]) -> Result<(), StorageError> {
        // Replacing a value (a commit, a generation) reuses the key and the buffer.
        if let Some(v) = self.meta.get_mut(key) {
            v.clear();
            v.extend_from_slice(value);
        } else {
            self.meta.insert(String::from(key), Vec::from(value));
        }
        Ok(())
    }

    fn get_meta(&self, key: &str) -> Result<Option<Vec<u8>>, StorageError> {
        Ok(self.meta.get(key).cloned())
    }

    fn delete_meta(&mut self, key: &str) -> Result<(), StorageError> {
        self.meta.remove(key);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::MessageId;
    use crate::time::Instant;

    fn rec(n: u64) -> Record {
        Record {
            message: MessageId(n),
            timestamp: Instant::from_millis(n),
            payload: "x".into(),
            meta: None,
        }
    }

    #[test]
    fn append_read_drop() {
        let mut s = MemoryStorage::new();
        let log = LogId(1);
        s.create_log(log).unwrap();
        assert_eq!(s.create_log(log), Err(StorageError::LogExists(log)));
        for n in 0..5 {
            assert_eq!(s.append(log, rec(n)).unwrap(), Offset(n));
        }
        assert_eq!(s.read(log, Offset(3)).unwrap().message, MessageId(3));
        s.drop_prefix(log, Offset(2)).unwrap();
        assert_eq!(
            s.bounds(log).unwrap(),
            LogBounds {
                start: Offset(2),
                end: Offset(5)
            }
        );
        assert!(matches!(
            s.read(log, Offset(1)),
            Err(StorageError::OutOfRange { .. })
        ));
        assert!(matches!(
            s.read(log, Offset(5)),
            Err(StorageError::OutOfRange { .. })
        ));
        let mut out = Vec::new();
        s.read_range(log, Offset(2), 10, &mut out).unwrap();
        assert_eq!(out.len(), 3);
        s.drop_prefix(log, Offset(100)).unwrap();
        assert_eq!(s.bounds(log).unwrap().start, Offset(5));
        assert_eq!(s.append(log, rec(9)).unwrap(), Offset(5));
        assert_eq!(s.record_count(), 1);
        s.delete_log(log).unwrap();
        assert_eq!(s.record_count(), 0);
        assert_eq!(s.append(log, rec(0)), Err(StorageError::UnknownLog(log)));
    }

    #[test]
    fn chunked_log_reads_every_offset_across_chunks() {
        let mut s = MemoryStorage::new();
        let log = LogId(1);
        s.create_log(log).unwrap();
        let n = (3 * CHUNK_RECORDS + 17) as u64;
        let mut start = 0;
        for k in 0..n {
            assert_eq!(s.append(log, rec(k)).unwrap(), Offset(k));
            // Drop unevenly so the first chunk is often partly used.
            if k % 7 == 6 {
                start += 3;
                s.drop_prefix(log, Offset(start)).unwrap();
            }
        }
        assert_eq!(s.bounds(log).unwrap().start, Offset(start));
        for k in start..n {
            assert_eq!(s.read(log, Offset(k)).unwrap().message, MessageId(k));
        }
        // Ranges across chunk edges read what one read per offset does.
        for (from, max) in [
            (start, 5000),
            (start + 1, 1500),
            (n - 3, 10),
            (start + 700, 1024),
        ] {
            let mut out = alloc::vec![rec(u64::MAX)];
            s.read_range(log, Offset(from), max, &mut out).unwrap();
            let expect: Vec<u64> = (from..n).take(max - 1).collect();
            let got: Vec<u64> = out[1..].iter().map(|r| r.message.0).collect();
            assert_eq!(got, expect, "from {from} max {max}");
        }
        let mut out = Vec::new();
        s.read_range(log, Offset(n), 10, &mut out).unwrap();
        assert!(out.is_empty());
        assert!(matches!(
            s.read_range(log, Offset(start - 1), 10, &mut out),
            Err(StorageError::OutOfRange { .. })
        ));
        assert!(s.read(log, Offset(n)).is_err());
        assert_eq!(s.record_count() as u64, n - start);
        let l = s.log(log).unwrap();
        assert!(
            l.chunks
                .iter()
                .skip(1)
                .rev()
                .skip(1)
                .all(|c| c.len() == CHUNK_RECORDS)
        );
        assert!(l.chunks.iter().all(|c| c.capacity() <= CHUNK_RECORDS));
        s.drop_prefix(log, Offset(n)).unwrap();
        assert_eq!(s.record_count(), 0);
        assert_eq!(s.log(log).unwrap().chunks.len(), 1);
        assert_eq!(s.append(log, rec(n)).unwrap(), Offset(n));
        assert_eq!(s.read(log, Offset(n)).unwrap().message, MessageId(n));
    }

    #[test]
    #[cfg(target_pointer_width = "64")]
    fn a_plain_record_is_56_bytes() {
        // The payload handle is 32 bytes (a range of a possibly shared buffer); in exchange an
        // arena-made payload costs no allocation of its own.
        assert_eq!(core::mem::size_of::<Record>(), 56);
    }

    #[test]
    fn dense_and_sparse_log_ids() {
        let mut s = MemoryStorage::new();
        for id in [LogId(3), LogId(DENSE_LOG_IDS), LogId(u64::MAX)] {
            s.create_log(id).unwrap();
            assert_eq!(s.create_log(id), Err(StorageError::LogExists(id)));
            assert_eq!(s.append(id, rec(1)).unwrap(), Offset(0));
        }
        assert_eq!((s.log_count(), s.record_count()), (3, 3));
        assert_eq!(
            s.append(LogId(2), rec(1)),
            Err(StorageError::UnknownLog(LogId(2)))
        );
        s.delete_log(LogId(3)).unwrap();
        s.delete_log(LogId(u64::MAX)).unwrap();
        assert_eq!(
            s.delete_log(LogId(3)),
            Err(StorageError::UnknownLog(LogId(3)))
        );
        assert_eq!((s.log_count(), s.record_count()), (1, 1));
        assert_eq!(s.read(LogId(DENSE_LOG_IDS), Offset(0)).unwrap(), rec(1));
    }

    #[test]
    fn cap_and_meta() {
        let mut s = MemoryStorage::with_max_records(1);
        s.create_log(LogId(0)).unwrap();
        s.append(LogId(0), rec(0)).unwrap();
        assert_eq!(s.append(LogId(0), rec(1)), Err(StorageError::Full));
        s.put_meta("k", b"v").unwrap();
        assert_eq!(s.get_meta("k").unwrap().as_deref(), Some(&b"v"[..]));
        s.put_meta("k", b"longer").unwrap();
        assert_eq!(s.get_meta("k").unwrap().as_deref(), Some(&b"longer"[..]));
        s.put_meta("k", b"w").unwrap();
        assert_eq!(s.get_meta("k").unwrap().as_deref(), Some(&b"w"[..]));
        s.delete_meta("k").unwrap();
        assert_eq!(s.get_meta("k").unwrap(), None);
    }
}
