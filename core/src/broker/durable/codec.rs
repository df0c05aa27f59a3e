//! Little-endian words and length-prefixed strings for the broker's recovery metadata.

use alloc::string::String;
use alloc::vec::Vec;

use crate::time::Duration;

/// Appends words to a buffer.
#[derive(Debug, Default)]
pub(crate) struct Writer(pub(crate) Vec<u8>);

impl Writer {
    pub(crate) fn u8(&mut self, n: u8) {
        self.0.push(n);
    }

    pub(crate) fn u32(&mut self, n: u32) {
        self.0.extend_from_slice(&n.to_le_bytes());
    }

    pub(crate) fn u64(&mut self, n: u64) {
        self.0.extend_from_slice(&n.to_le_bytes());
    }

    pub(crate) fn str(&mut self, s: &str) {
        self.u64(s.len() as u64);
        self.0.extend_from_slice(s.as_bytes());
    }

    /// A presence byte, then the value.
    pub(crate) fn opt_u64(&mut self, n: Option<u64>) {
        match n {
            None => self.u8(0),
            Some(n) => {
                self.u8(1);
                self.u64(n);
            }
        }
    }

    pub(crate) fn opt_duration(&mut self, d: Option<Duration>) {
        self.opt_u64(d.map(Duration::as_millis));
    }
}

/// Reads what a [`Writer`] wrote; every method returns `None` at the end of the bytes or on
/// a value that cannot be.
#[derive(Debug)]
pub(crate) struct Reader<'a>(pub(crate) &'a [u8]);

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
        let (head, rest) = self.0.split_first_chunk::<N>()?;
        self.0 = rest;
        Some(*head)
    }

    pub(crate) fn u8(&mut self) -> Option<u8> {
        self.take::<1>().map(|[b]| b)
    }

    pub(crate) fn u32(&mut self) -> Option<u32> {
        self.take().map(u32::from_le_bytes)
    }

    pub(crate) fn u64(&mut self) -> Option<u64> {
        self.take().map(u64::from_le_bytes)
    }

    /// A count of items that each take at least `min_bytes`: never more than the bytes left
    /// could hold, so a damaged count cannot make a caller allocate without bound.
    pub(crate) fn count(&mut self, min_bytes: usize) -> Option<usize> {
        let n = usize::try_from(self.u64()?).ok()?;
        (n <= self.0.len() / min_bytes.max(1)).then_some(n)
    }

    pub(crate) fn str(&mut self) -> Option<String> {
        let n = self.count(1)?;
        let (s, rest) = self.0.split_at_checked(n)?;
        self.0 = rest;
        core::str::from_utf8(s).ok().map(String::from)
    }

    pub(crate) fn opt_u64(&mut self) -> Option<Option<u64>> {
        match self.u8()? {
            0 => Some(None),
            1 => self.u64().map(Some),
            _ => None,
        }
    }

    pub(crate) fn opt_duration(&mut self) -> Option<Option<Duration>> {
        self.opt_u64().map(|o| o.map(Duration::from_millis))
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}
