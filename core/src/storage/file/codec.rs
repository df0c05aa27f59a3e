//! The on-disk format of record batches.
//!
//! A segment file is a sequence of batches. A batch is a 24-byte header and a body of records:
//!
//! ```text
//! magic u32 "BLB2" | body length u32 | CRC-32C u32 | base offset u64 | record count u32 | body
//! ```
//!
//! The checksum covers the base offset, the count and the body, so a batch is whole and
//! untouched or it is rejected. Every fixed-size integer is little-endian. A record is
//!
//! ```text
//! flags u8 | message id: varint | timestamp: varint | payload length: varint | payload | [meta]
//! ```
//!
//! A varint is LEB128 (7 bits a byte, low bits first, at most 10 bytes). The message id and
//! the timestamp (ms) are zigzag-encoded differences: record 0 of a batch against zero (its
//! whole value), record `i > 0` against the id `first + i` and the first record's timestamp,
//! so consecutive ids and timestamps within a batch take a byte each and a 100-byte payload
//! costs 104 bytes of file. Flag bit 0 says a [`MessageMeta`] follows: routing key (string),
//! header count (varint) and the name/value strings, a TTL (u8 presence, varint ms) and a
//! record key (u8 presence, varint length, bytes). A string is a varint length and UTF-8 bytes.

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use bytes::Bytes;

use super::crc32c;
use crate::ids::MessageId;
use crate::message::{MessageMeta, Payload};
use crate::storage::Record;
use crate::time::{Duration, Instant};

/// `"BLB2"` read as a little-endian `u32`.
pub(super) const MAGIC: u32 = u32::from_le_bytes(*b"BLB2");
/// Refuses a batch header of another version of this format: `"BLB"` and a digit other than
/// this version's. Opening then fails with an error that says so, instead of treating the
/// file as damage and cutting it away.
pub(super) fn check_version(header: &[u8; HEADER]) -> std::io::Result<()> {
    let [b'B', b'L', b'B', version] = [header[0], header[1], header[2], header[3]] else {
        return Ok(());
    };
    if !version.is_ascii_digit() || u32::from_le_bytes([b'B', b'L', b'B', version]) == MAGIC {
        return Ok(());
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        std::format!(
            "the segment holds batches of format BLB{} and this version of brokerlab reads \
             only BLB2: open it with the version that wrote it",
            char::from(version)
        ),
    ))
}

/// Bytes of a batch header.
pub(super) const HEADER: usize = 24;
/// The largest body a batch may have; a header claiming more is damage, not data.
pub(super) const MAX_BODY: usize = 64 << 20;
/// The fewest bytes a record takes (flags, and a byte each for the id, the timestamp and the
/// payload length): a header counting more records than its body can hold is damage too.
pub(super) const MIN_RECORD: u64 = 4;

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

    /// Reads a header; `None` if the magic is wrong, the length impossible, or the count zero
    /// or more than the body can hold.
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
            && u64::from(h.count) * MIN_RECORD <= u64::from(h.body_len)
            && h.base.checked_add(u64::from(h.count)).is_some())
        .then_some(h)
    }

    /// Whether `body` is the one this header was written with.
    pub(super) fn checks(&self, header: &[u8; HEADER], body: &[u8]) -> bool {
        body.len() == self.body_len as usize
            && crc32c::update(crc32c::checksum(&header[12..HEADER]), body) == self.crc
    }
}

/// What record `i` of a batch whose record 0 has `first` (id, timestamp) encodes its id and
/// timestamp against.
fn reference(i: u32, first: (u64, u64)) -> (u64, u64) {
    if i == 0 {
        (0, 0)
    } else {
        (first.0.wrapping_add(u64::from(i)), first.1)
    }
}

/// Builds one batch in a reusable buffer.
#[derive(Debug, Default)]
pub(super) struct BatchWriter {
    buf: Vec<u8>,
    base: u64,
    count: u32,
    /// Message id and timestamp of record 0.
    first: (u64, u64),
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

    /// Message id and timestamp of the batch's record 0, which [`decode_from`] needs.
    pub(super) fn first(&self) -> (u64, u64) {
        self.first
    }

    /// Adds a record.
    pub(super) fn push(&mut self, r: &Record) {
        let (id, ts) = (r.message.0, r.timestamp.as_millis());
        if self.count == 0 {
            self.first = (id, ts);
        }
        let (ref_id, ref_ts) = reference(self.count, self.first);
        let b = &mut self.buf;
        b.reserve(r.payload.len() + 3 * MAX_VARINT + 1);
        b.push(u8::from(r.meta.is_some()));
        put_varint(b, zigzag(id.wrapping_sub(ref_id)));
        put_varint(b, zigzag(ts.wrapping_sub(ref_ts)));
        put_bytes(b, r.payload.as_bytes());
        if let Some(m) = &r.meta {
            put_bytes(b, m.routing_key.as_bytes());
            put_varint(b, m.headers.len() as u64);
            for (name, value) in &m.headers {
                put_bytes(b, name.as_bytes());
                put_bytes(b, value.as_bytes());
            }
            match m.ttl {
                None => b.push(0),
                Some(t) => {
                    b.push(1);
                    put_varint(b, t.as_millis());
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

/// Most bytes of a varint (a `u64` in 7-bit groups).
const MAX_VARINT: usize = 10;

fn zigzag(n: u64) -> u64 {
    let n = n as i64;
    ((n << 1) ^ (n >> 63)) as u64
}

fn unzigzag(n: u64) -> u64 {
    (n >> 1) ^ (n & 1).wrapping_neg()
}

#[inline]
fn put_varint(b: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        b.push(n as u8 | 0x80);
        n >>= 7;
    }
    b.push(n as u8);
}

fn put_bytes(b: &mut Vec<u8>, bytes: &[u8]) {
    put_varint(b, bytes.len() as u64);
    b.extend_from_slice(bytes);
}

/// Reads the records of a checked batch body. Payloads and keys are slices of `body`, so they
/// share its one allocation. `None` if the body does not hold exactly `count` well-formed
/// records (which a matching checksum makes a format bug or a forged batch).
pub(super) fn decode(body: &Bytes, count: u32, out: &mut Vec<Record>) -> Option<()> {
    let mut r = Reader { body, at: 0 };
    // Every record takes at least `MIN_RECORD` bytes: a count beyond that is not believed.
    out.reserve((count as usize).min(body.len() / MIN_RECORD as usize));
    let mut first = (0, 0);
    for i in 0..count {
        let record = r.record(i, first)?;
        if i == 0 {
            first = (record.message.0, record.timestamp.as_millis());
        }
        out.push(record);
    }
    (r.at == body.len()).then_some(())
}

/// Reads records `first..first + count` of a batch from their bytes alone, given record 0's
/// id and timestamp (those of a batch being built, which has no header yet). `None` unless the
/// bytes hold exactly those records.
pub(super) fn decode_from(
    bytes: &Bytes,
    first: u32,
    count: u32,
    record0: (u64, u64),
    out: &mut Vec<Record>,
) -> Option<()> {
    let mut r = Reader { body: bytes, at: 0 };
    out.reserve((count as usize).min(bytes.len() / MIN_RECORD as usize));
    for i in first..first.checked_add(count)? {
        out.push(r.record(i, record0)?);
    }
    (r.at == bytes.len()).then_some(())
}

struct Reader<'a> {
    body: &'a Bytes,
    at: usize,
}

impl Reader<'_> {
    /// Record `i` of a batch whose record 0 has `first` (id, timestamp).
    fn record(&mut self, i: u32, first: (u64, u64)) -> Option<Record> {
        let flags = self.u8()?;
        let (ref_id, ref_ts) = reference(i, first);
        let message = MessageId(ref_id.wrapping_add(unzigzag(self.varint()?)));
        let timestamp = Instant::from_millis(ref_ts.wrapping_add(unzigzag(self.varint()?)));
        let payload = Payload(self.bytes()?);
        let meta = match flags {
            0 => None,
            1 => {
                let routing_key = self.string()?;
                let n = usize::try_from(self.varint()?).ok()?;
                let mut headers = Vec::with_capacity(n.min(1024));
                for _ in 0..n {
                    headers.push((self.string()?, self.string()?));
                }
                let ttl = match self.u8()? {
                    0 => None,
                    1 => Some(Duration::from_millis(self.varint()?)),
                    _ => return None,
                };
                let key = match self.u8()? {
                    0 => None,
                    1 => Some(Payload(self.bytes()?)),
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
        Some(Record {
            message,
            timestamp,
            payload,
            meta,
        })
    }

    fn take(&mut self, n: usize) -> Option<core::ops::Range<usize>> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.body.len())?;
        let range = self.at..end;
        self.at = end;
        Some(range)
    }

    fn u8(&mut self) -> Option<u8> {
        let b = *self.body.get(self.at)?;
        self.at += 1;
        Some(b)
    }

    /// A varint; `None` past the end, past 10 bytes or past 64 bits.
    #[inline]
    fn varint(&mut self) -> Option<u64> {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.u8()?;
            let bits = u64::from(b & 0x7f);
            if shift == 63 && bits > 1 {
                return None;
            }
            n |= bits << shift;
            if b < 0x80 {
                return Some(n);
            }
        }
        None
    }

    fn len(&mut self) -> Option<core::ops::Range<usize>> {
        let n = usize::try_from(self.varint()?).ok()?;
        self.take(n)
    }

    fn bytes(&mut self) -> Option<Bytes> {
        let r = self.len()?;
        Some(self.body.slice(r))
    }

    fn string(&mut self) -> Option<String> {
        let r = self.len()?;
        core::str::from_utf8(&self.body[r]).ok().map(String::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_round_trip_at_every_width_and_reject_overlong() {
        let mut values = std::vec![0, 1, 127, 128, 300, u64::from(u32::MAX), u64::MAX];
        values.extend((0..64).map(|s| 1u64 << s));
        for v in values {
            for n in [v, zigzag(v)] {
                let mut b = Vec::new();
                put_varint(&mut b, n);
                assert!(b.len() <= MAX_VARINT);
                let bytes = Bytes::from(b);
                let mut r = Reader {
                    body: &bytes,
                    at: 0,
                };
                assert_eq!(r.varint(), Some(n));
                assert_eq!(r.at, bytes.len());
            }
            assert_eq!(unzigzag(zigzag(v)), v);
        }
        // Eleven bytes, or a tenth byte with bits past 64: not a varint.
        for bad in [
            &[0xff; 11][..],
            &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02],
        ] {
            let bytes = Bytes::copy_from_slice(bad);
            assert_eq!(
                Reader {
                    body: &bytes,
                    at: 0
                }
                .varint(),
                None
            );
        }
    }

    #[test]
    fn a_header_counting_more_records_than_its_body_holds_is_damage() {
        let header = |body_len: u32, count: u32| {
            let mut raw = [0u8; HEADER];
            raw[0..4].copy_from_slice(&MAGIC.to_le_bytes());
            raw[4..8].copy_from_slice(&body_len.to_le_bytes());
            raw[20..24].copy_from_slice(&count.to_le_bytes());
            Header::parse(&raw)
        };
        assert!(header(8, 2).is_some());
        assert!(header(8, 3).is_none());
        assert!(header(16, u32::MAX).is_none());
        assert!(header(8, 0).is_none());
    }

    #[test]
    fn ids_and_times_in_any_order_round_trip() {
        let ids = [u64::MAX, 5, 6, 7, 3, 1 << 40, 0, 8];
        let times = [10, 10, 9, u64::MAX, 0, 11, 10, 12];
        let mut w = BatchWriter::default();
        w.begin(0);
        let records: Vec<Record> = ids
            .iter()
            .zip(times)
            .map(|(&id, t)| Record {
                message: MessageId(id),
                timestamp: Instant::from_millis(t),
                payload: Payload::from("p"),
                meta: None,
            })
            .collect();
        for r in &records {
            w.push(r);
        }
        let body = Bytes::copy_from_slice(&w.finish()[HEADER..]);
        let mut out = Vec::new();
        assert_eq!(decode(&body, records.len() as u32, &mut out), Some(()));
        assert_eq!(out, records);
        // Consecutive ids and equal times take a byte each: 4 bytes besides the payload.
        let mut w = BatchWriter::default();
        w.begin(0);
        for i in 0..3 {
            w.push(&Record {
                message: MessageId(1_000_000 + i),
                timestamp: Instant::from_millis(1 << 40),
                payload: Payload::from(&[0u8; 100][..]),
                meta: None,
            });
        }
        let first = w.bytes().len() - HEADER - 2 * 104;
        assert_eq!(first, 1 + 3 + 6 + 1 + 100);
    }
}
