//! One segment file of a log: its batches, its sparse offset index, and the scan that checks
//! them.

use std::io;
use std::path::{Path, PathBuf};
use std::vec::Vec;

use bytes::Bytes;

use super::codec::{self, HEADER, Header};
use super::crc32c;
use super::fs::{Fs, FsFile};

/// Why a scan stopped before the end of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Damage {
    /// Fewer bytes than a header or than the header's body length: a write cut short.
    Torn,
    /// The magic, length or count of a header is impossible.
    BadHeader,
    /// The checksum does not match the bytes.
    BadChecksum,
    /// The batch does not start where the previous one ended.
    OutOfSequence,
}

impl Damage {
    /// Plain words for reports.
    pub fn describe(self) -> &'static str {
        match self {
            Damage::Torn => "a batch cut short",
            Damage::BadHeader => "a damaged batch header",
            Damage::BadChecksum => "a batch failing its CRC-32C",
            Damage::OutOfSequence => "a batch out of sequence",
        }
    }
}

/// One segment: a file of whole batches holding offsets `base..end`.
#[derive(Debug)]
pub(super) struct Segment<F> {
    /// Offset of its first record (also its file name).
    pub(super) base: u64,
    /// Offset after its last record.
    pub(super) end: u64,
    /// Bytes of whole batches.
    pub(super) len: u64,
    /// The file.
    pub(super) file: F,
    /// `(offset, position)` of batch starts, at most one per `index_interval` bytes; the first
    /// batch is always there.
    pub(super) index: Vec<(u64, u64)>,
    /// Whether `index` has entries its `.idx` file lacks.
    pub(super) index_dirty: bool,
    /// Whether bytes were appended since the last sync.
    pub(super) unsynced: bool,
}

/// `<base as 20 digits>.seg`.
pub(super) fn segment_path(dir: &Path, base: u64) -> PathBuf {
    dir.join(std::format!("{base:020}.seg"))
}

/// `<base as 20 digits>.idx`.
pub(super) fn index_path(dir: &Path, base: u64) -> PathBuf {
    dir.join(std::format!("{base:020}.idx"))
}

impl<F: FsFile> Segment<F> {
    /// A new empty segment over an empty file.
    pub(super) fn empty(base: u64, file: F) -> Self {
        Segment {
            base,
            end: base,
            len: 0,
            file,
            index: Vec::new(),
            index_dirty: true,
            unsynced: false,
        }
    }

    /// Notes a batch written at `pos` holding `offset..`; keeps the index sparse.
    pub(super) fn note_batch(&mut self, offset: u64, pos: u64, index_interval: u64) {
        let due = self
            .index
            .last()
            .is_none_or(|&(_, last)| pos >= last + index_interval);
        if due {
            self.index.push((offset, pos));
            self.index_dirty = true;
        }
    }

    /// Reads and checks the batch holding `offset` (which must be in `base..end`): its header
    /// and body. Headers are walked from the nearest index entry through a buffer read
    /// `chunk` bytes at a time, not one read per header (a log flushed after every record has
    /// a batch per record, dozens between index entries), and a body already in the buffer is
    /// copied from it rather than read again.
    pub(super) fn read_batch(&self, offset: u64, chunk: u64) -> io::Result<(Header, Bytes)> {
        let invalid = || io::Error::from(io::ErrorKind::InvalidData);
        let i = self.index.partition_point(|&(o, _)| o <= offset);
        // Where the walk starts and the offset the batch there must start at; the batch found
        // must end by the next index entry (every entry is a batch start). Anything else means
        // the index and the file disagree, and no record of theirs is trusted.
        let (mut pos, mut expected) = match i {
            0 => (0, self.base),
            _ => (self.index[i - 1].1, self.index[i - 1].0),
        };
        let (limit_offset, limit_pos) = self.index.get(i).map_or((self.end, self.len), |&e| e);
        let chunk = chunk.max(2 * HEADER as u64);
        // `buf` holds the file's bytes from `at`.
        let (mut buf, mut at) = (Vec::new(), pos);
        loop {
            if pos + HEADER as u64 > self.len {
                return Err(invalid());
            }
            if pos + HEADER as u64 > at + buf.len() as u64 {
                at = pos;
                buf.resize(chunk.min(self.len - pos) as usize, 0);
                self.file.read_exact_at(&mut buf, pos)?;
            }
            let from = (pos - at) as usize;
            let mut raw = [0u8; HEADER];
            raw.copy_from_slice(&buf[from..from + HEADER]);
            let h = Header::parse(&raw).ok_or_else(invalid)?;
            if h.base != expected
                || h.end() > limit_offset.min(self.end)
                || pos + h.total_len() > limit_pos.min(self.len)
            {
                return Err(invalid());
            }
            if offset >= h.end() {
                pos += h.total_len();
                expected = h.end();
                continue;
            }
            let body_from = from + HEADER;
            let body_to = body_from + h.body_len as usize;
            let body = if body_to <= buf.len() {
                // A copy: a slice would keep the whole buffer alive with every payload.
                Bytes::copy_from_slice(&buf[body_from..body_to])
            } else {
                let mut body = std::vec![0u8; h.body_len as usize];
                self.file.read_exact_at(&mut body, pos + HEADER as u64)?;
                Bytes::from(body)
            };
            if !h.checks(&raw, &body) {
                return Err(invalid());
            }
            return Ok((h, body));
        }
    }

    /// Refuses a file whose first batch is of another format version
    /// ([`codec::check_version`]): such a file is not damage to cut away. The first batch
    /// decides, wherever a scan starts, so the answer does not depend on the index.
    ///
    /// # Errors
    /// Reading failed, or the file is of another format version.
    pub(super) fn check_format(&self, file_len: u64) -> io::Result<()> {
        if file_len < HEADER as u64 {
            return Ok(());
        }
        let mut raw = [0u8; HEADER];
        self.file.read_exact_at(&mut raw, 0)?;
        codec::check_version(&raw)
    }

    /// Checks the batches from `pos` (a batch start holding `offset`) to the end of the file,
    /// noting them in the index; sets `len` and `end` to the last whole batch. Returns what
    /// stopped the scan early, if anything.
    ///
    /// # Errors
    /// Reading failed: nothing is cut then.
    pub(super) fn scan_from(
        &mut self,
        mut pos: u64,
        mut offset: u64,
        file_len: u64,
        index_interval: u64,
    ) -> io::Result<Option<Damage>> {
        let mut first = true;
        let damage = loop {
            if pos == file_len {
                break None;
            }
            if file_len - pos < HEADER as u64 {
                break Some(Damage::Torn);
            }
            let mut raw = [0u8; HEADER];
            self.file.read_exact_at(&mut raw, pos)?;
            let Some(h) = Header::parse(&raw) else {
                break Some(Damage::BadHeader);
            };
            if file_len - pos < h.total_len() {
                break Some(Damage::Torn);
            }
            if h.base != offset {
                break Some(Damage::OutOfSequence);
            }
            let mut body = std::vec![0u8; h.body_len as usize];
            self.file.read_exact_at(&mut body, pos + HEADER as u64)?;
            if !h.checks(&raw, &body) {
                break Some(Damage::BadChecksum);
            }
            if first {
                // The batch the scan began at is checked now: it stays in the index whatever the
                // spacing, so the next open starts from it (or later) and never from an older
                // entry whose batches no open has checked.
                if self.index.last().is_none_or(|&(_, last)| last < pos) {
                    self.index.push((offset, pos));
                    self.index_dirty = true;
                }
                first = false;
            } else {
                self.note_batch(offset, pos, index_interval);
            }
            pos += h.total_len();
            offset = h.end();
        };
        self.len = pos;
        self.end = offset;
        Ok(damage)
    }

    /// Writes the index file (entries, then the CRC-32C of them).
    pub(super) fn save_index<S: Fs<File = F>>(
        &mut self,
        fs: &S,
        dir: &Path,
        sync: bool,
    ) -> io::Result<()> {
        let mut bytes = Vec::with_capacity(self.index.len() * 16 + 4);
        for &(o, p) in &self.index {
            bytes.extend_from_slice(&o.to_le_bytes());
            bytes.extend_from_slice(&p.to_le_bytes());
        }
        let crc = crc32c::checksum(&bytes);
        bytes.extend_from_slice(&crc.to_le_bytes());
        fs.write_atomic(&index_path(dir, self.base), &bytes, sync)?;
        self.index_dirty = false;
        Ok(())
    }
}

/// Reads an index file: its entries, or `None` if it is missing or damaged. Entries a
/// segment could not have are damage too: the first must be the segment's first batch
/// (offset `base` at position 0), and offsets and positions must increase strictly.
pub(super) fn load_index<S: Fs>(fs: &S, dir: &Path, base: u64) -> Option<Vec<(u64, u64)>> {
    let bytes = fs.read(&index_path(dir, base)).ok()?;
    let (entries, crc) = bytes.split_at_checked(bytes.len().checked_sub(4)?)?;
    if entries.len() % 16 != 0 || crc32c::checksum(entries).to_le_bytes() != crc {
        return None;
    }
    let word = |c: &[u8]| u64::from_le_bytes(c.try_into().unwrap_or([0; 8]));
    let index: Vec<(u64, u64)> = entries
        .chunks_exact(16)
        .map(|e| (word(&e[..8]), word(&e[8..])))
        .collect();
    let first_is_base = index.first().is_none_or(|&entry| entry == (base, 0));
    let increasing = index.windows(2).all(|w| w[0].0 < w[1].0 && w[0].1 < w[1].1);
    (first_is_base && increasing).then_some(index)
}
