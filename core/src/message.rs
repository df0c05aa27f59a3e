//! Messages: the [`Payload`] bytes, what a publisher sends ([`Publish`]) and the per-message
//! properties the broker keeps beside the payload ([`MessageMeta`]).

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;

use bytes::{Bytes, BytesMut};

use crate::time::Duration;

/// Immutable, cheaply clonable message bytes.
///
/// Cloning a payload bumps a reference count; a message fanned out to several queues or
/// subscribers shares one allocation. Equality, order and hash are by content.
///
/// How a payload is made decides what it allocates:
/// - copied (from `&[u8]`, `&[u8; N]`, `&str`, or deserialized): up to 1 KiB, one
///   allocation holding the reference count beside the bytes (room rounded up to a size
///   class, by at most 15 bytes or a quarter), so neither it nor any clone allocates again;
///   a larger copy gets a buffer of its exact size, and its first clone a small shared
///   header;
/// - from a `Vec<u8>` or a `String`: that buffer is kept (no copy), and its first clone
///   allocates the small shared header;
/// - by a [`PayloadArena`]: a range of a buffer shared with its neighbours, so making one is
///   a copy rather than an allocation.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Payload(pub(crate) Bytes);

impl Payload {
    /// A payload holding a copy of `b`; see [`Payload`] for what it allocates.
    #[inline]
    fn copy(b: &[u8]) -> Self {
        /// `b` copied into one allocation: the reference count, then `N` bytes.
        #[inline]
        fn block<const N: usize>(b: &[u8]) -> Bytes {
            let mut buf = [0u8; N];
            buf[..b.len()].copy_from_slice(b);
            let mut bytes = Bytes::from_owner(buf);
            bytes.truncate(b.len());
            bytes
        }
        macro_rules! by_class {
            ($($i:literal)*) => {
                match size_class(b.len()) {
                    $($i => block::<{ SIZE_CLASSES[$i] }>(b),)*
                    _ => Bytes::copy_from_slice(b),
                }
            };
        }
        if b.is_empty() {
            return Payload::default();
        }
        if b.len() > ONE_BLOCK_MAX {
            return Payload(Bytes::copy_from_slice(b));
        }
        Payload(by_class!(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19))
    }

    /// The bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Number of bytes.
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the payload has no bytes.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The largest copied payload made as one allocation (see [`Payload`]).
const ONE_BLOCK_MAX: usize = 1024;

/// The bytes a copied payload's allocation holds, by size class: multiples of 16 up to 128,
/// then four classes per power of two up to [`ONE_BLOCK_MAX`]. All are multiples of
/// 16, so with the 8-byte reference count before them a block of glibc's `malloc` holds one
/// with no slack.
const SIZE_CLASSES: [usize; 20] = [
    16, 32, 48, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384, 448, 512, 640, 768, 896, 1024,
];

/// The index in [`SIZE_CLASSES`] of the smallest class that holds `len` bytes
/// (`1..=ONE_BLOCK_MAX`), by arithmetic so that the dispatch is a jump table.
#[inline]
fn size_class(len: usize) -> usize {
    let last = len - 1;
    if last < 128 {
        last / 16
    } else {
        // `last` has `bits` significant bits (8 to 10); its next two pick the quarter.
        let bits = (usize::BITS - last.leading_zeros()) as usize;
        8 + (bits - 8) * 4 + ((last >> (bits - 3)) & 3)
    }
}

/// Makes [`Payload`]s by copying bytes into a shared, append-only buffer: one allocation per
/// [`PayloadArena::CHUNK_BYTES`] of payloads instead of one per payload.
///
/// Each payload holds a reference to its buffer, so it stays valid after the arena has moved
/// on (or been dropped); a buffer is freed when its last payload is. The price is that one
/// long-lived payload keeps its whole buffer alive.
///
/// ```
/// use brokerlab::PayloadArena;
/// let mut arena = PayloadArena::new();
/// let a = arena.alloc(b"first");
/// let b = arena.alloc(b"second");
/// drop(arena);
/// assert_eq!((&a[..], &b[..]), (&b"first"[..], &b"second"[..]));
/// ```
#[derive(Clone, Debug, Default)]
pub struct PayloadArena {
    buf: BytesMut,
}

impl PayloadArena {
    /// Bytes per shared buffer (a larger payload gets a buffer of its own size).
    pub const CHUNK_BYTES: usize = 8 * 1024;

    /// An arena that allocates its first buffer on the first non-empty payload.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// A payload holding a copy of `bytes`.
    #[inline]
    pub fn alloc(&mut self, bytes: &[u8]) -> Payload {
        if bytes.is_empty() {
            return Payload::default();
        }
        if self.buf.capacity() - self.buf.len() < bytes.len() {
            // Start a new buffer; the old one lives on in the payloads made from it.
            self.buf = BytesMut::with_capacity(Self::CHUNK_BYTES.max(bytes.len()));
        }
        self.buf.extend_from_slice(bytes);
        Payload(self.buf.split().freeze())
    }
}

impl core::ops::Deref for Payload {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl AsRef<[u8]> for Payload {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Payload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match core::str::from_utf8(&self.0) {
            Ok(s) => write!(f, "{s:?}"),
            Err(_) => write!(f, "{:?}", &self.0[..]),
        }
    }
}

impl From<&[u8]> for Payload {
    fn from(b: &[u8]) -> Self {
        Payload::copy(b)
    }
}

impl<const N: usize> From<&[u8; N]> for Payload {
    fn from(b: &[u8; N]) -> Self {
        Payload::copy(b)
    }
}

impl From<Vec<u8>> for Payload {
    fn from(b: Vec<u8>) -> Self {
        Payload(Bytes::from(b))
    }
}

impl From<&str> for Payload {
    fn from(s: &str) -> Self {
        Payload::copy(s.as_bytes())
    }
}

impl From<String> for Payload {
    fn from(s: String) -> Self {
        Payload(Bytes::from(s.into_bytes()))
    }
}

impl From<Arc<[u8]>> for Payload {
    fn from(b: Arc<[u8]>) -> Self {
        Payload(Bytes::from_owner(b))
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Payload {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(&self.0)
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Payload {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Payload;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("bytes")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Payload, E> {
                Ok(Payload::from(v))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Payload, E> {
                Ok(Payload::from(v))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut a: A,
            ) -> Result<Payload, A::Error> {
                let mut out = Vec::new();
                while let Some(b) = a.next_element::<u8>()? {
                    out.push(b);
                }
                Ok(Payload::from(&out[..]))
            }
        }
        d.deserialize_bytes(V)
    }
}

/// Message properties kept beside the payload: the routing key it was published with, its
/// headers and its own time-to-live.
///
/// Only messages that carry one of these get a `MessageMeta` (shared by all copies), so a plain
/// message costs no extra allocation.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MessageMeta {
    /// The routing key, when published through a named exchange.
    pub routing_key: String,
    /// Application headers, in the order given.
    pub headers: Vec<(String, String)>,
    /// Per-message time-to-live; the lower of this and the queue's TTL applies.
    pub ttl: Option<Duration>,
    /// The record key of a stream record (it chose the partition); `None` for queue messages.
    #[cfg_attr(feature = "serde", serde(default))]
    pub key: Option<Payload>,
}

/// A message to publish: exchange, routing key, payload and optional properties.
///
/// ```
/// use brokerlab::{Duration, Publish};
/// let p = Publish::new("logs", "app.error", b"disk full".as_slice())
///     .with_header("host", "db1")
///     .with_ttl(Duration::from_secs(30));
/// assert_eq!(p.exchange(), "logs");
/// assert_eq!(p.routing_key(), "app.error");
/// let q = Publish::to_queue("work", "job 1").with_key("other");
/// assert_eq!((q.exchange(), q.routing_key()), ("", "other"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publish<'a> {
    pub(crate) exchange: Cow<'a, str>,
    pub(crate) routing_key: Cow<'a, str>,
    pub(crate) payload: Payload,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) ttl: Option<Duration>,
}

impl<'a> Publish<'a> {
    /// A message for `exchange` with `routing_key`. The empty exchange name is the default
    /// exchange, which routes to the queue named by the routing key.
    pub fn new(
        exchange: impl Into<Cow<'a, str>>,
        routing_key: impl Into<Cow<'a, str>>,
        payload: impl Into<Payload>,
    ) -> Self {
        Publish {
            exchange: exchange.into(),
            routing_key: routing_key.into(),
            payload: payload.into(),
            headers: Vec::new(),
            ttl: None,
        }
    }

    /// A message straight to the queue `queue` through the default exchange.
    pub fn to_queue(queue: impl Into<Cow<'a, str>>, payload: impl Into<Payload>) -> Self {
        Publish::new("", queue, payload)
    }

    /// Replaces the routing key.
    #[must_use]
    pub fn with_key(mut self, routing_key: impl Into<Cow<'a, str>>) -> Self {
        self.routing_key = routing_key.into();
        self
    }

    /// Adds a header.
    #[must_use]
    pub fn with_header(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((key.into(), value.into()));
        self
    }

    /// Sets the message's own time-to-live.
    #[must_use]
    pub fn with_ttl(mut self, ttl: Duration) -> Self {
        self.ttl = Some(ttl);
        self
    }

    /// The exchange name (`""` for the default exchange).
    #[must_use]
    pub fn exchange(&self) -> &str {
        &self.exchange
    }

    /// The routing key.
    #[must_use]
    pub fn routing_key(&self) -> &str {
        &self.routing_key
    }

    /// The payload.
    #[must_use]
    pub fn payload(&self) -> &Payload {
        &self.payload
    }

    /// The headers.
    #[must_use]
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The per-message TTL, if any.
    #[must_use]
    pub fn ttl(&self) -> Option<Duration> {
        self.ttl
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    #[test]
    fn payload_conversions_and_debug() {
        let p = Payload::from("hi");
        assert_eq!(p.as_bytes(), b"hi");
        assert_eq!(format!("{p:?}"), "\"hi\"");
        assert_eq!(format!("{:?}", Payload::from(&[0xffu8][..])), "[255]");
        assert!(Payload::default().is_empty());
        assert_eq!(Payload::from(alloc::vec![1, 2]).len(), 2);
        let shared: Arc<[u8]> = Arc::from(&b"arc"[..]);
        assert_eq!(Payload::from(shared), Payload::from("arc"));
    }

    #[test]
    fn copies_take_the_smallest_size_class_that_holds_them() {
        assert_eq!(SIZE_CLASSES.last(), Some(&ONE_BLOCK_MAX));
        for len in 1..=ONE_BLOCK_MAX {
            let i = size_class(len);
            assert!(SIZE_CLASSES[i] >= len, "{len}");
            assert!(i == 0 || SIZE_CLASSES[i - 1] < len, "{len}");
        }
        for len in [0, 1, 15, 16, 17, 64, 129, 1000, 1024, 1025, 5000] {
            let bytes: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let p = Payload::from(&bytes[..]);
            let q = p.clone();
            drop(p);
            assert_eq!((q.len(), q.as_bytes()), (len, &bytes[..]));
            assert_eq!(q, Payload::from(bytes));
        }
    }

    #[test]
    fn arena_payloads_outlive_their_buffers() {
        let mut arena = PayloadArena::new();
        assert!(arena.alloc(b"").is_empty());
        let big = alloc::vec![7u8; PayloadArena::CHUNK_BYTES + 1];
        let mut made = Vec::new();
        for i in 0..3 * PayloadArena::CHUNK_BYTES / 10 {
            let bytes = format!("payload {i}");
            made.push((arena.alloc(bytes.as_bytes()), bytes));
            if i == 100 {
                assert_eq!(arena.alloc(&big).as_bytes(), &big[..]);
            }
        }
        drop(arena);
        for (p, bytes) in &made {
            assert_eq!(p.as_bytes(), bytes.as_bytes());
            assert_eq!(p, &Payload::from(bytes.as_str()), "equal by content");
        }
    }
}
