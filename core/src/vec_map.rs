//! `VecMap`: an ordered map kept as a vector of entries sorted by key.
//!
//! The broker's maps are keyed by ids and names and bounded by [`Limits`](crate::Limits)
//! (hundreds to a few thousand entries); they are read on every message and changed when
//! the topology or membership changes. A sorted vector serves that as well as a `BTreeMap`
//! (lookups are a binary search over contiguous keys; inserts and removals move the entries
//! after them) with a fraction of the code per key and value type, which matters in the
//! WebAssembly playground, where every instantiation of `BTreeMap`'s insert, remove and
//! iterators is downloaded. Iteration is in key order, as with `BTreeMap`, so replacing one
//! with the other changes no result.

use alloc::vec::Vec;
use core::borrow::Borrow;
use core::fmt;

/// An ordered map: entries sorted by key, each key at most once.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct VecMap<K, V> {
    entries: Vec<(K, V)>,
}

impl<K, V> Default for VecMap<K, V> {
    fn default() -> Self {
        VecMap {
            entries: Vec::new(),
        }
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for VecMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.entries.iter().map(|(k, v)| (k, v)))
            .finish()
    }
}

impl<K, V> VecMap<K, V> {
    /// An empty map.
    pub(crate) const fn new() -> Self {
        VecMap {
            entries: Vec::new(),
        }
    }

    /// The number of entries.
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// The entries in key order.
    pub(crate) fn iter(
        &self,
    ) -> impl DoubleEndedIterator<Item = (&K, &V)> + ExactSizeIterator + Clone {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    /// The keys in order.
    pub(crate) fn keys(&self) -> impl DoubleEndedIterator<Item = &K> + ExactSizeIterator + Clone {
        self.entries.iter().map(|(k, _)| k)
    }

    /// The values in key order.
    pub(crate) fn values(&self) -> impl DoubleEndedIterator<Item = &V> + ExactSizeIterator + Clone {
        self.entries.iter().map(|(_, v)| v)
    }

    /// The values in key order, mutable.
    pub(crate) fn values_mut(
        &mut self,
    ) -> impl DoubleEndedIterator<Item = &mut V> + ExactSizeIterator {
        self.entries.iter_mut().map(|(_, v)| v)
    }
}

impl<K: Ord, V> VecMap<K, V> {
    fn find<Q: Ord + ?Sized>(&self, key: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
    {
        self.entries.binary_search_by(|(k, _)| k.borrow().cmp(key))
    }

    /// The value for `key`.
    pub(crate) fn get<Q: Ord + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| &self.entries[i].1)
    }

    /// The value for `key`, mutable.
    pub(crate) fn get_mut<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| &mut self.entries[i].1)
    }

    /// Whether the map has an entry for `key`.
    pub(crate) fn contains_key<Q: Ord + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.find(key).is_ok()
    }

    /// Sets the value for `key` and returns the one it replaces (the stored key is kept, as
    /// `BTreeMap` does).
    pub(crate) fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(i) => Some(core::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                self.entries.insert(i, (key, value));
                None
            }
        }
    }

    /// Removes the entry for `key` and returns its value.
    pub(crate) fn remove<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| self.entries.remove(i).1)
    }

    /// The value for `key`, inserting `make()` first when there is none.
    pub(crate) fn get_or_insert_with(&mut self, key: K, make: impl FnOnce() -> V) -> &mut V {
        let i = match self.find(&key) {
            Ok(i) => i,
            Err(i) => {
                self.entries.insert(i, (key, make()));
                i
            }
        };
        &mut self.entries[i].1
    }
}

/// An ordered set: values sorted, each at most once (a [`VecMap`] without values, for the
/// same reasons).
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct VecSet<T> {
    items: Vec<T>,
}

impl<T> Default for VecSet<T> {
    fn default() -> Self {
        VecSet { items: Vec::new() }
    }
}

impl<T: Ord> VecSet<T> {
    /// An empty set.
    pub(crate) const fn new() -> Self {
        VecSet { items: Vec::new() }
    }

    /// The number of values.
    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the set holds `value`.
    pub(crate) fn contains<Q: Ord + ?Sized>(&self, value: &Q) -> bool
    where
        T: Borrow<Q>,
    {
        self.items
            .binary_search_by(|item| item.borrow().cmp(value))
            .is_ok()
    }

    /// Adds `value`; `false` when it was already there (the set is then unchanged).
    pub(crate) fn insert(&mut self, value: T) -> bool {
        match self.items.binary_search(&value) {
            Ok(_) => false,
            Err(i) => {
                self.items.insert(i, value);
                true
            }
        }
    }

    /// Removes `value`; `false` when it was not there.
    pub(crate) fn remove(&mut self, value: &T) -> bool {
        match self.items.binary_search(value) {
            Ok(i) => {
                self.items.remove(i);
                true
            }
            Err(_) => false,
        }
    }

    /// The smallest value.
    pub(crate) fn first(&self) -> Option<&T> {
        self.items.first()
    }

    /// Removes and returns the smallest value.
    pub(crate) fn pop_first(&mut self) -> Option<T> {
        (!self.items.is_empty()).then(|| self.items.remove(0))
    }

    /// The values within `range`, in order.
    pub(crate) fn range(&self, range: core::ops::Range<T>) -> core::slice::Iter<'_, T> {
        let start = self.items.partition_point(|item| *item < range.start);
        let end = self.items.partition_point(|item| *item < range.end);
        self.items[start..end.max(start)].iter()
    }
}

impl<T: Ord> Extend<T> for VecSet<T> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, items: I) {
        for item in items {
            self.insert(item);
        }
    }
}

impl<'a, K, V> IntoIterator for &'a VecMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter =
        core::iter::Map<core::slice::Iter<'a, (K, V)>, fn(&'a (K, V)) -> (&'a K, &'a V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(k, v)| (k, v))
    }
}

impl<'a, K, V> IntoIterator for &'a mut VecMap<K, V> {
    type Item = (&'a K, &'a mut V);
    type IntoIter =
        core::iter::Map<core::slice::IterMut<'a, (K, V)>, fn(&'a mut (K, V)) -> (&'a K, &'a mut V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter_mut().map(|(k, v)| (&*k, v))
    }
}

impl<K: Ord + Borrow<Q>, Q: Ord + ?Sized, V> core::ops::Index<&Q> for VecMap<K, V> {
    type Output = V;

    /// The value for `key`; panics when there is none, as `BTreeMap` does.
    fn index(&self, key: &Q) -> &V {
        self.get(key).expect("no entry found for key")
    }
}

impl<K: Ord, V> Extend<(K, V)> for VecMap<K, V> {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, items: I) {
        for (k, v) in items {
            self.insert(k, v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::collections::BTreeMap;
    use alloc::string::String;
    use alloc::vec::Vec;
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    enum Op {
        Insert(u8, u32),
        Remove(u8),
        GetOrInsert(u8, u32),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (0u8..32, any::<u32>()).prop_map(|(k, v)| Op::Insert(k, v)),
            (0u8..32).prop_map(Op::Remove),
            (0u8..32, any::<u32>()).prop_map(|(k, v)| Op::GetOrInsert(k, v)),
        ]
    }

    proptest! {
        #[test]
        fn behaves_like_btree_map(ops in proptest::collection::vec(op(), 0..200)) {
            let mut map = VecMap::new();
            let mut model = BTreeMap::new();
            for op in ops {
                match op {
                    Op::Insert(k, v) => prop_assert_eq!(map.insert(k, v), model.insert(k, v)),
                    Op::Remove(k) => prop_assert_eq!(map.remove(&k), model.remove(&k)),
                    Op::GetOrInsert(k, v) => {
                        *map.get_or_insert_with(k, || v) += 1;
                        *model.entry(k).or_insert_with(|| v) += 1;
                    }
                }
                prop_assert_eq!(map.len(), model.len());
                prop_assert!(map.iter().eq(model.iter()));
                for k in 0..32u8 {
                    prop_assert_eq!(map.get(&k), model.get(&k));
                    prop_assert_eq!(map.contains_key(&k), model.contains_key(&k));
                }
            }
        }
    }

    proptest! {
        #[test]
        fn set_behaves_like_btree_set(ops in proptest::collection::vec((any::<bool>(), 0u8..32), 0..200), lo in 0u8..32, hi in 0u8..32) {
            let mut set = VecSet::new();
            let mut model = alloc::collections::BTreeSet::new();
            for (add, v) in ops {
                if add {
                    prop_assert_eq!(set.insert(v), model.insert(v));
                } else {
                    prop_assert_eq!(set.remove(&v), model.remove(&v));
                }
                prop_assert_eq!(set.len(), model.len());
                prop_assert_eq!(set.first(), model.first());
                prop_assert!(set.range(lo..hi).eq(model.range(lo..hi.max(lo))));
                prop_assert!(set.range(lo..hi).rev().eq(model.range(lo..hi.max(lo)).rev()));
                for k in 0..32u8 {
                    prop_assert_eq!(set.contains(&k), model.contains(&k));
                }
            }
            while let Some(v) = model.pop_first() {
                prop_assert_eq!(set.pop_first(), Some(v));
            }
            prop_assert_eq!(set.pop_first(), None);
        }
    }

    #[test]
    fn borrows_keys_and_debugs_like_a_map() {
        let mut map: VecMap<String, u32> = VecMap::new();
        map.extend([("b".into(), 2), ("a".into(), 1)]);
        assert_eq!(map.get("a"), Some(&1));
        *map.get_mut("b").unwrap() += 1;
        assert_eq!(map.values().copied().collect::<Vec<_>>(), [1, 3]);
        assert_eq!(alloc::format!("{map:?}"), r#"{"a": 1, "b": 3}"#);
        let model: BTreeMap<String, u32> = map.iter().map(|(k, v)| (k.clone(), *v)).collect();
        assert_eq!(alloc::format!("{model:?}"), alloc::format!("{map:?}"));
    }
}
