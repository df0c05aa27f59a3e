//! [`Registry`]: the entities of one kind, by id and by name, and the declare ritual written
//! once.
//!
//! Declaring anything takes the same steps: the name must be valid and not taken
//! ([`Registry::check_vacant`]), the kind must have room under its limit
//! ([`Registry::check_room`]), and the entity gets the next id and goes into both indexes
//! ([`Registry::peek_id`] then [`Registry::insert`], or [`Registry::declare`] for all at once).
//! Ids are handed out in increasing order and never reused, so runs stay reproducible.
//! Callers keep their own checks between the steps, in the order their errors are documented.

use alloc::string::String;

use crate::common_error::{LimitError, LimitKind, NameError, check_name};
use crate::ids::{
    ConsumerId, ExchangeId, GroupId, QueueId, Ref, ShareGroupId, StreamId, SubscriptionId,
};
use crate::vec_map::VecMap;

/// Something a registry holds: it knows its own name.
pub(crate) trait Named {
    /// The name it was declared with.
    fn name(&self) -> &str;
}

/// An id handed out in sequence (`1, 2, 3, …`).
pub(crate) trait SeqId: Copy + Ord {
    /// The id numbered `n`.
    fn from_seq(n: u32) -> Self;
    /// Its number.
    fn seq(self) -> u32;
}

macro_rules! seq_id {
    ($($id:ident),*) => {
        $(impl SeqId for $id {
            fn from_seq(n: u32) -> Self {
                $id(n)
            }
            fn seq(self) -> u32 {
                self.0
            }
        })*
    };
}

seq_id!(
    QueueId,
    ExchangeId,
    ConsumerId,
    SubscriptionId,
    StreamId,
    GroupId,
    ShareGroupId
);

/// Why a name cannot be declared: it is not a valid name, or an entity already has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Taken<I> {
    /// The name is empty, too long or has a control character.
    Invalid(NameError),
    /// Another entity of the kind has it.
    Exists(I),
}

/// The entities of one kind by id, with a name index and the next id.
#[derive(Debug, Clone)]
pub(crate) struct Registry<I, T> {
    items: VecMap<I, T>,
    names: VecMap<String, I>,
    next: u32,
}

impl<I: SeqId, T: Named> Registry<I, T> {
    /// An empty registry whose first id is number 1.
    pub(crate) fn new() -> Self {
        Registry {
            items: VecMap::new(),
            names: VecMap::new(),
            next: 1,
        }
    }

    /// The entities with their ids, in id order, mutable.
    pub(crate) fn iter_mut(&mut self) -> impl Iterator<Item = (&I, &mut T)> {
        (&mut self.items).into_iter()
    }

    /// The entity `id`.
    pub(crate) fn get(&self, id: &I) -> Option<&T> {
        self.items.get(id)
    }

    /// The entity `id`, to change it.
    pub(crate) fn get_mut(&mut self, id: &I) -> Option<&mut T> {
        self.items.get_mut(id)
    }

    /// Whether `id` is held.
    pub(crate) fn contains_key(&self, id: &I) -> bool {
        self.items.contains_key(id)
    }

    /// Every entity, in id order.
    pub(crate) fn values(&self) -> impl DoubleEndedIterator<Item = &T> + ExactSizeIterator {
        self.items.values()
    }

    /// Every entity, in id order, to change them.
    pub(crate) fn values_mut(&mut self) -> impl DoubleEndedIterator<Item = &mut T> {
        self.items.values_mut()
    }

    /// Every id, in order.
    pub(crate) fn keys(&self) -> impl DoubleEndedIterator<Item = &I> + ExactSizeIterator {
        self.items.keys()
    }

    /// The id of the entity named `name`.
    pub(crate) fn id_of(&self, name: &str) -> Option<I> {
        self.names.get(name).copied()
    }

    /// The id a [`Ref`] names, if it exists.
    pub(crate) fn resolve(&self, r: Ref<'_, I>) -> Option<I> {
        match r {
            Ref::Name(name) => self.id_of(name),
            Ref::Id(id) => self.contains_key(&id).then_some(id),
        }
    }

    /// Step one of declaring: `name` is a valid name of at most `max_len` bytes and no entity
    /// of the kind has it.
    pub(crate) fn check_vacant(&self, name: &str, max_len: usize) -> Result<(), Taken<I>> {
        check_name(name, max_len).map_err(Taken::Invalid)?;
        match self.id_of(name) {
            Some(id) => Err(Taken::Exists(id)),
            None => Ok(()),
        }
    }

    /// Step two: there is room for one more under `limit` (reported as `kind`).
    pub(crate) fn check_room(&self, limit: usize, kind: LimitKind) -> Result<(), LimitError> {
        if self.items.len() >= limit {
            Err(LimitError { kind, limit })
        } else {
            Ok(())
        }
    }

    /// Step three: the id the next entity gets (taken only by [`insert`](Self::insert), so
    /// a declaration that fails after this leaves the counter as it was).
    pub(crate) fn peek_id(&self) -> Result<I, LimitError> {
        if self.next == u32::MAX {
            return Err(LimitError {
                kind: LimitKind::Ids,
                limit: u32::MAX as usize,
            });
        }
        Ok(I::from_seq(self.next))
    }

    /// Step four: holds `item` under `id` (from [`peek_id`](Self::peek_id)) and its name.
    pub(crate) fn insert(&mut self, id: I, item: T) {
        self.next = self.next.max(id.seq().saturating_add(1));
        self.names.insert(String::from(item.name()), id);
        self.items.insert(id, item);
    }

    /// All four steps: a vacant name, room, the next id, and the entity `make` builds for it.
    pub(crate) fn declare<E>(
        &mut self,
        name: &str,
        max_name_len: usize,
        (limit, kind): (usize, LimitKind),
        make: impl FnOnce(I) -> T,
    ) -> Result<I, E>
    where
        E: From<Taken<I>> + From<LimitError>,
    {
        self.check_vacant(name, max_name_len)?;
        self.check_room(limit, kind)?;
        let id = self.peek_id()?;
        self.insert(id, make(id));
        Ok(id)
    }

    /// Removes the entity `id` and frees its name.
    pub(crate) fn remove(&mut self, id: &I) -> Option<T> {
        let item = self.items.remove(id)?;
        self.names.remove(item.name());
        Some(item)
    }

    /// Holds `item` under `id` as recovered from storage, without moving the counter.
    pub(crate) fn restore(&mut self, id: I, item: T) {
        self.names.insert(String::from(item.name()), id);
        self.items.insert(id, item);
    }

    /// The number the next id gets (saved for recovery).
    pub(crate) fn next_seq(&self) -> u32 {
        self.next
    }

    /// Sets the number the next id gets (at recovery).
    pub(crate) fn set_next_seq(&mut self, next: u32) {
        self.next = next;
    }
}

impl<I: SeqId, T: Named> core::ops::Index<&I> for Registry<I, T> {
    type Output = T;

    /// The entity `id`, which the caller knows is held (panics otherwise, as a map does).
    fn index(&self, id: &I) -> &T {
        &self.items[id]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq)]
    struct Thing(String);

    impl Named for Thing {
        fn name(&self) -> &str {
            &self.0
        }
    }

    #[derive(Debug, PartialEq)]
    enum Refused {
        Taken(Taken<QueueId>),
        Limit(LimitError),
    }

    impl From<Taken<QueueId>> for Refused {
        fn from(t: Taken<QueueId>) -> Self {
            Refused::Taken(t)
        }
    }

    impl From<LimitError> for Refused {
        fn from(e: LimitError) -> Self {
            Refused::Limit(e)
        }
    }

    fn declare(r: &mut Registry<QueueId, Thing>, name: &str) -> Result<QueueId, Refused> {
        r.declare(name, 8, (2, LimitKind::Queues), |_| Thing(name.into()))
    }

    #[test]
    fn declares_in_sequence_refuses_taken_invalid_and_over_the_limit() {
        let mut r = Registry::new();
        assert_eq!(declare(&mut r, "a"), Ok(QueueId(1)));
        assert_eq!(
            declare(&mut r, "a"),
            Err(Refused::Taken(Taken::Exists(QueueId(1))))
        );
        assert!(matches!(
            declare(&mut r, "much too long"),
            Err(Refused::Taken(Taken::Invalid(_)))
        ));
        assert_eq!(declare(&mut r, "b"), Ok(QueueId(2)));
        assert_eq!(
            declare(&mut r, "c"),
            Err(Refused::Limit(LimitError {
                kind: LimitKind::Queues,
                limit: 2
            }))
        );
        assert_eq!(r.resolve(Ref::Name("b")), Some(QueueId(2)));
        assert_eq!(r.resolve(Ref::Id(QueueId(9))), None);
    }

    #[test]
    fn removing_frees_the_name_but_never_the_id() {
        let mut r = Registry::new();
        let a = declare(&mut r, "a").unwrap();
        assert_eq!(r.remove(&a), Some(Thing("a".into())));
        assert_eq!(r.id_of("a"), None);
        assert_eq!(declare(&mut r, "a"), Ok(QueueId(2)));
        r.restore(QueueId(7), Thing("x".into()));
        assert_eq!(r.next_seq(), 3, "restoring does not move the counter");
        r.set_next_seq(8);
        assert_eq!(r.peek_id(), Ok(QueueId(8)));
    }
}
