//! [`Gaps`]: the offsets removed from inside a log (by compaction), shared by the backends.
//!
//! A sorted list of offsets, each at or above the log start and below its end; a record at
//! one of them reads as [`StorageError::Removed`](super::StorageError::Removed). Removing a
//! record never moves the log's bounds: offsets stay what they were, the log holds fewer
//! records. The list is bounded by the log's length (a log with no gaps costs nothing), and
//! shrinks as the log start passes its entries.

use alloc::vec::Vec;

use crate::ids::Offset;

/// Removed offsets of one log, ascending, without repeats.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Gaps(Vec<u64>);

impl Gaps {
    /// Whether the record at `offset` was removed.
    #[inline]
    pub(crate) fn contains(&self, offset: u64) -> bool {
        !self.0.is_empty() && self.0.binary_search(&offset).is_ok()
    }

    /// How many offsets are removed.
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether nothing is removed.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The removed offsets, ascending.
    #[cfg(test)]
    pub(crate) fn offsets(&self) -> &[u64] {
        &self.0
    }

    /// Adds `offsets` (in any order; repeats and offsets already removed are ignored) and
    /// returns the offsets that were not removed before, ascending.
    pub(crate) fn insert(&mut self, offsets: &[Offset]) -> Vec<u64> {
        let mut new: Vec<u64> = offsets
            .iter()
            .map(|o| o.0)
            .filter(|o| !self.contains(*o))
            .collect();
        new.sort_unstable();
        new.dedup();
        if new.is_empty() {
            return new;
        }
        let mut merged = Vec::with_capacity(self.0.len() + new.len());
        let (mut a, mut b) = (self.0.iter().peekable(), new.iter().peekable());
        while let (Some(&&x), Some(&&y)) = (a.peek(), b.peek()) {
            if x < y {
                merged.push(x);
                a.next();
            } else {
                merged.push(y);
                b.next();
            }
        }
        merged.extend(a);
        merged.extend(b);
        self.0 = merged;
        new
    }

    /// Forgets the offsets below `start` (the log start moved past them) and returns how
    /// many there were.
    pub(crate) fn drop_below(&mut self, start: u64) -> usize {
        let n = self.0.partition_point(|&o| o < start);
        self.0.drain(..n);
        n
    }

    /// Forgets the offsets at or above `end` (a log cut by recovery no longer reaches them)
    /// and returns how many there were.
    #[cfg(any(test, feature = "std"))]
    pub(crate) fn drop_from(&mut self, end: u64) -> usize {
        let n = self.0.partition_point(|&o| o < end);
        let dropped = self.0.len() - n;
        self.0.truncate(n);
        dropped
    }

    /// The first offset at or after `from` that is not removed (may be the log end).
    pub(crate) fn next_kept(&self, from: u64) -> u64 {
        let mut at = from;
        let mut i = self.0.partition_point(|&o| o < from);
        while self.0.get(i) == Some(&at) {
            at += 1;
            i += 1;
        }
        at
    }

    /// The first removed offset at or after `from`, if any.
    pub(crate) fn next_gap(&self, from: u64) -> Option<u64> {
        self.0.get(self.0.partition_point(|&o| o < from)).copied()
    }

    /// The offsets as little-endian `u64`s.
    #[cfg(feature = "std")]
    pub(crate) fn encode(&self) -> Vec<u8> {
        self.0.iter().flat_map(|o| o.to_le_bytes()).collect()
    }

    /// What [`encode`](Self::encode) wrote; `None` unless ascending without repeats.
    #[cfg(feature = "std")]
    pub(crate) fn decode(bytes: &[u8]) -> Option<Gaps> {
        if !bytes.len().is_multiple_of(8) {
            return None;
        }
        let offsets: Vec<u64> = bytes
            .chunks_exact(8)
            .map(|c| {
                let mut b = [0u8; 8];
                b.copy_from_slice(c);
                u64::from_le_bytes(b)
            })
            .collect();
        offsets
            .windows(2)
            .all(|w| w[0] < w[1])
            .then_some(Gaps(offsets))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_merges_and_reports_what_is_new() {
        let mut g = Gaps::default();
        assert_eq!(g.insert(&[Offset(5), Offset(2), Offset(5)]), [2, 5]);
        assert_eq!(g.insert(&[Offset(3), Offset(2), Offset(9)]), [3, 9]);
        assert_eq!(g.offsets(), [2, 3, 5, 9]);
        assert!(g.contains(3) && !g.contains(4));
        assert_eq!((g.next_kept(2), g.next_kept(4), g.next_kept(9)), (4, 4, 10));
        assert_eq!((g.next_gap(4), g.next_gap(10)), (Some(5), None));
        assert_eq!(g.drop_below(4), 2);
        assert_eq!(g.offsets(), [5, 9]);
        assert_eq!(g.drop_from(9), 1);
        assert_eq!(g.offsets(), [5]);
    }

    #[cfg(feature = "std")]
    #[test]
    fn encode_decode_round_trip_and_refuse_disorder() {
        let mut g = Gaps::default();
        g.insert(&[Offset(1), Offset(7)]);
        assert_eq!(Gaps::decode(&g.encode()), Some(g));
        let mut bad = 7u64.to_le_bytes().to_vec();
        bad.extend(1u64.to_le_bytes());
        assert_eq!(Gaps::decode(&bad), None);
        assert_eq!(Gaps::decode(&[1, 2, 3]), None);
    }
}
