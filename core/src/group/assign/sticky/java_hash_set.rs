//! The iteration order of a Java `HashSet<TopicPartition>`, as far as Kafka's
//! `PartitionMovements` depends on it (its `iterator().next()`).

use alloc::vec::Vec;

use super::super::java_string_hash;
use super::Model;

/// A Java `HashSet<TopicPartition>` as far as `iterator().next()` goes: the element of the
/// lowest bucket (`TopicPartition.hashCode`, spread, masked by a capacity that grows with the
/// largest size the set reached), ties by insertion.
#[derive(Default)]
pub(super) struct JavaHashSet {
    /// (global partition index, insertion number).
    items: Vec<(usize, u64)>,
    largest: usize,
}

impl JavaHashSet {
    pub(super) fn insert(&mut self, g: usize, sequence: u64) {
        self.items.push((g, sequence));
        self.largest = self.largest.max(self.items.len());
    }

    pub(super) fn remove(&mut self, g: usize) {
        self.items.retain(|&(x, _)| x != g);
    }

    pub(super) fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub(super) fn first(&self, model: &Model<'_>) -> usize {
        let mut capacity = 16usize;
        while self.largest > capacity / 4 * 3 {
            capacity *= 2;
        }
        let bucket = |g: usize| {
            let s = model.stream_of(g);
            let partition = (g - model.offsets[s as usize]) as i32;
            let h = 31i32
                .wrapping_add(partition)
                .wrapping_mul(31)
                .wrapping_add(java_string_hash(model.streams[s as usize]))
                as u32;
            (h ^ (h >> 16)) & (capacity as u32 - 1)
        };
        self.items
            .iter()
            .min_by_key(|&&(g, sequence)| (bucket(g), sequence))
            .map(|&(g, _)| g)
            .expect("non-empty")
    }
}
