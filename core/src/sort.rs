//! Sorting with little code per element type.
//!
//! The standard library's sorts are fast on long slices but cost several kilobytes of code
//! for every element type and comparison they are used with (and `BTreeMap`'s and
//! `BTreeSet`'s `FromIterator` run one). The core sorts short lists of a dozen types (the
//! bindings one publish matched, a group's streams and partitions, a scenario's script),
//! and the playground ships the core as WebAssembly, where that code is downloaded. These
//! sorts are a few hundred bytes each and give the same results.

/// Sorts `v` ascending: heap sort, O(n log n) comparisons and swaps, not stable.
///
/// Only for types whose equal values are indistinguishable (ids, offsets, partitions),
/// where every sort gives the same result.
pub(crate) fn sort<T: Ord>(v: &mut [T]) {
    let n = v.len();
    for root in (0..n / 2).rev() {
        sift_down(v, root, n);
    }
    for end in (1..n).rev() {
        v.swap(0, end);
        sift_down(v, 0, end);
    }
}

fn sift_down<T: Ord>(v: &mut [T], mut root: usize, end: usize) {
    loop {
        let mut child = 2 * root + 1;
        if child >= end {
            return;
        }
        if child + 1 < end && v[child] < v[child + 1] {
            child += 1;
        }
        if v[root] >= v[child] {
            return;
        }
        v.swap(root, child);
        root = child;
    }
}

/// Sorts `v` by `key`, stable (equal keys keep their order): binary insertion sort,
/// O(n log n) comparisons, and as many moves as the input has inversions (none for an
/// already sorted list, O(n²) at worst).
///
/// For short lists: the callers sort at most a scenario's 4096 script steps or bursts.
pub(crate) fn sort_by_key<T, K: Ord>(v: &mut [T], mut key: impl FnMut(&T) -> K) {
    for i in 1..v.len() {
        let k = key(&v[i]);
        let at = v[..i].partition_point(|x| key(x) <= k);
        v[at..=i].rotate_right(1);
    }
}

/// A map or set built by inserting `items` one at a time. The same collection as
/// `collect()` (a later duplicate key's value wins), without the sort `FromIterator` runs
/// first.
pub(crate) fn by_insertion<C: Default + Extend<T>, T>(items: impl IntoIterator<Item = T>) -> C {
    let mut collection = C::default();
    collection.extend(items);
    collection
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::collections::{BTreeMap, BTreeSet};
    use alloc::vec::Vec;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn sort_agrees_with_the_standard_sort(mut v in proptest::collection::vec(0u8..40, 0..200)) {
            let mut expected = v.clone();
            expected.sort_unstable();
            sort(&mut v);
            prop_assert_eq!(v, expected);
        }

        #[test]
        fn sort_by_key_is_stable(mut v in proptest::collection::vec((0u8..8, 0u32..1000), 0..200)) {
            let mut expected = v.clone();
            expected.sort_by_key(|&(k, _)| k);
            sort_by_key(&mut v, |&(k, _)| k);
            prop_assert_eq!(v, expected);
        }

        #[test]
        fn by_insertion_equals_collect(v in proptest::collection::vec((0u8..20, 0u32..1000), 0..100)) {
            let map: BTreeMap<u8, u32> = by_insertion(v.iter().copied());
            prop_assert_eq!(map, v.iter().copied().collect::<BTreeMap<u8, u32>>());
            let set: BTreeSet<u8> = by_insertion(v.iter().map(|&(k, _)| k));
            prop_assert_eq!(set, v.iter().map(|&(k, _)| k).collect::<BTreeSet<u8>>());
        }
    }

    #[test]
    fn sorts_the_edge_cases() {
        let mut empty: Vec<u32> = Vec::new();
        sort(&mut empty);
        sort_by_key(&mut empty, |&x| x);
        let mut one = [7];
        sort(&mut one);
        assert_eq!(one, [7]);
        let mut down: Vec<u64> = (0..100).rev().collect();
        sort(&mut down);
        assert_eq!(down, (0..100).collect::<Vec<_>>());
        let mut down: Vec<u64> = (0..100).rev().collect();
        sort_by_key(&mut down, |&x| x);
        assert_eq!(down, (0..100).collect::<Vec<_>>());
    }
}
