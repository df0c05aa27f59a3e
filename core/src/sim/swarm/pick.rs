//! Random choices for the generator and the fault schedule, on the simulation's seeded
//! [`Rng`]: percent chances, ranges and picks from lists.

use crate::sim::rng::Rng;

/// The seeded source of every choice the swarm makes (a borrowed [`Rng`]).
#[derive(Debug)]
pub(super) struct Pick<'a>(pub(super) &'a mut Rng);

impl Pick<'_> {
    /// `true` with probability `percent / 100`.
    pub(super) fn chance(&mut self, percent: u64) -> bool {
        self.0.below(100) < percent
    }

    /// Uniform in `lo..=hi` (`lo` if `hi < lo`).
    pub(super) fn range(&mut self, lo: u64, hi: u64) -> u64 {
        self.0.range_inclusive(lo, hi)
    }

    /// Uniform in `lo..=hi` as a `u32`.
    pub(super) fn range32(&mut self, lo: u32, hi: u32) -> u32 {
        u32::try_from(self.0.range_inclusive(lo.into(), hi.into())).unwrap_or(lo)
    }

    /// Uniform in `0..n` (`0` when `n` is 0).
    pub(super) fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.0.below(n as u64)).unwrap_or(0)
    }

    /// One element of `items`, or `None` when it is empty.
    pub(super) fn one<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() {
            None
        } else {
            items.get(self.below(items.len()))
        }
    }
}
