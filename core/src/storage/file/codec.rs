//! The on-disk format of record batches.
//!
//! A segment file is a sequence of batches. A batch is a 24-byte header and a body of records:
//!
//! ```text
//! magic u32 "BLB1" | body length u32 | CRC-32C u32 | base offset u64 | record count u32 | body
//! ```
//!
//! The checksum covers the base offset, the count and the body, so a batch is whole and
//! untouched or it is rejected. Every integer is little-endian. A record is
//!
//! ```text
//! message id u64 | timestamp ms u64 | payload length u32 | payload | flags u8 | [meta]
//! ```
//!
//! where flag bit 0 says a [`MessageMeta`] follows: routing key (string), header count u32 and
//! the name/value strings, a TTL (u8 presence, u64 ms) and a record key (u8 presence, u32
//! length, bytes). A string is a u32 length and UTF-8 bytes.

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use bytes::Bytes;

use super::crc32c;
use crate::ids::MessageId;
use crate::message::{MessageMeta, Payload};
use crate::storage::Record;
use crate::time::{Duration, Instant};

/// `"BLB1"` read as a little-endian `u32`.
pub(super) const MAGIC: u32 = u32::from_le_bytes(*b"BLB1");
/// Bytes of a batch header.
pub(super) const HEADER: usize = 24;
/// The largest body a batch may have; a header claiming more is damage, not data.
pub(super) const MAX_BODY: usize = 64 << 20;

/// A batch header as read from disk (not yet checked against its body).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Header {
    /// Length of the body in bytes.
    pub(super) body_len: u32,
    /// The stored checksum.
    pub(super) crc: u32,
    /// Offset of the first record.
    pub(super) base: u64,
    /// Number of records.
    pub(super) count: u32,
}

impl Header {
    /// Bytes of the whole batch.
    pub(super) fn total_len(&self) -> u64 {
        HEADER as u64 + u64::from(self.body_len)
    }

    /// The offset after the batch's last record.
    pub(super) fn end(&self) -> u64 {
        self.base + u64::from(self.count)
    }

    /// Reads a header; `None` if the magic is wrong, the length impossible or the count zero.
    pub(super) fn parse(bytes: &[u8; HEADER]) -> Option<Header> {
        let u32_at =
            |i: usize| u32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
        if u32_at(0) != MAGIC {
            return None;
        }
        let mut base = [0u8; 8];
        base.copy_from_slice(&bytes[12..20]);
        let h = Header {
            body_len: u32_at(4),
            crc: u32_at(8),
            base: u64::from_le_bytes(base),
            count: u32_at(20),
        };
        (h.count > 0
            && h.body_len as usize <= MAX_BODY
            && h.base.checked_add(u64::from(h.count)).is_some())
        .then_some(h)
    }

    /// Whether `body` is the one this header was written with.
    pub(super) fn checks(&self, header: &[u8; HEADER], body: &[u8]) -> bool {
        body.len() == self.body_len as usize
            && crc32c::update(crc32c::checksum(&header[12..HEADER]), body) == self.crc
    }
}

/// Builds one batch in a reusable buffer.
#[derive(Debug, Default)]
pub(super) struct BatchWriter {
    buf: Vec<u8>,
    base: u64,
    count: u32,
}

impl BatchWriter {
    /// Starts a batch whose first record will have offset `base`, dropping any unfinished one.
    pub(super) fn begin(&mut self, base: u64) {
        self.buf.clear();
        self.buf.resize(HEADER, 0);
        self.base = base;
        self.count = 0;
    }

    /// The batch's bytes so far (the header is filled in by [`finish`](Self::finish)).
    pub(super) fn bytes(&self) -> &[u8] {
        &self.buf
    }

    /// Bytes of the batch so far, header included.
    pub(super) fn len(&self) -> usize {
        self.buf.len()
    }

    /// Adds a record.
    pub(super) fn push(&mut self, r: &Record) {
        let b = &mut self.buf;
        b.extend_from_slice(&r.message.0.to_le_bytes());
        b.extend_from_slice(&r.timestamp.as_millis().to_le_bytes());
        put_bytes(b, r.payload.as_bytes());
        match &r.meta {
            None => b.push(0),
            Some(m) => {
                b.push(1);
                put_bytes(b, m.routing_key.as_bytes());
                put_u32(b, m.headers.len());
                for (name, value) in &m.headers {
                    put_bytes(b, name.as_bytes());
                    put_bytes(b, value.as_bytes());
                }
                match m.ttl {
                    None => b.push(0),
                    Some(t) => {
                        b.push(1);
                        b.extend_from_slice(&t.as_millis().to_le_bytes());
                    }
                }
                match &m.key {
                    None => b.push(0),
                    Some(k) => {
                        b.push(1);
                        put_bytes(b, k.as_bytes());
                    }
                }
            }
        }
        self.count += 1;
    }

    /// Fills in the header and returns the whole batch.
    pub(super) fn finish(&mut self) -> &[u8] {
        let body_len = (self.buf.len() - HEADER) as u32;
        self.buf[0..4].copy_from_slice(&MAGIC.to_le_bytes());
        self.buf[4..8].copy_from_slice(&body_len.to_le_bytes());
        self.buf[12..20].copy_from_slice(&self.base.to_le_bytes());
        self.buf[20..24].copy_from_slice(&self.count.to_le_bytes());
        let crc = crc32c::update(crc32c::checksum(&self.buf[12..HEADER]), &self.buf[HEADER..]);
        self.buf[8..12].copy_from_slice(&crc.to_le_bytes());
        &self.buf
    }
}

fn put_u32(b: &mut Vec<u8>, n: usize) {
    b.extend_from_slice(&(n as u32).to_le_bytes());
}

fn put_bytes(b: &mut Vec<u8>, bytes: &[u8]) {
    put_u32(b, bytes.len());
    b.extend_from_slice(bytes);
}

/// Reads the records of a checked batch body. Payloads and keys are slices of `body`, so they
/// share its one allocation. `None` if the body does not hold exactly `count` well-formed
/// records (which a matching checksum makes a format bug or a forged batch).
pub(super) fn decode(body: &Bytes, count: u32, out: &mut Vec<Record>) -> Option<()> {
    let mut r = Reader { body, at: 0 };
    out.reserve(count as usize);
    for _ in 0..count {
        let message = MessageId(r.u64()?);
        let timestamp = Instant::from_millis(r.u64()?);
        let payload = Payload(r.bytes()?);
        let meta = match r.u8()? {
            0 => None,
            1 => {
                let routing_key = r.string()?;
                let n = r.u32()? as usize;
                let mut headers = Vec::with_capacity(n.min(1024));
                for _ in 0..n {
                    headers.push((r.string()?, r.string()?));
                }
                let ttl = match r.u8()? {
                    0 => None,
                    1 => Some(Duration::from_millis(r.u64()?)),
                    _ => return None,
                };
                let key = match r.u8()? {
                    0 => None,
                    1 => Some(Payload(r.bytes()?)),
                    _ => return None,
                };
                Some(Arc::new(MessageMeta {
                    routing_key,
                    headers,
                    ttl,
                    key,
                }))
            }
            _ => return None,
        };
        out.push(Record {
            message,
            timestamp,
            payload,
            meta,
        });
    }
    (r.at == body.len()).then_some(())
}

struct Reader<'a> {
    body: &'a Bytes,
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Option<core::ops::Range<usize>> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.body.len())?;
        let range = self.at..end;
        self.at = end;
        Some(range)
    }

    fn u8(&mut self) -> Option<u8> {
        let r = self.take(1)?;
        Some(self.body[r.start])
    }

    fn u32(&mut self) -> Option<u32> {
        let r = self.take(4)?;
        Some(u32::from_le_bytes(self.body[r].try_into().ok()?))
    }

    fn u64(&mut self) -> Option<u64> {
        let r = self.take(8)?;
        Some(u64::from_le_bytes(self.body[r].try_into().ok()?))
    }

    fn bytes(&mut self) -> Option<Bytes> {
        let n = self.u32()? as usize;
        let r = self.take(n)?;
        Some(self.body.slice(r))
    }

    fn string(&mut self) -> Option<String> {
        let n = self.u32()? as usize;
        let r = self.take(n)?;
        core::str::from_utf8(&self.body[r]).ok().map(String::from)
    }
}
