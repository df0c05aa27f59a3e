//! Group commit: how a [`SharedBroker`] call that changes the broker returns only once a flush
//! covers it, while calls of several threads share one flush (one sync, with a storage that
//! syncs at every flush) instead of queueing for one each.

use std::sync::MutexGuard;
use std::sync::atomic::Ordering;

use super::state::State;
use super::{SharedBroker, SharedError};
use crate::storage::{Storage, StorageError};
use crate::time::Instant;

/// The longest a call waits for another call of its group to flush for it before it flushes
/// itself (see [`SharedBroker::commit`]). Reached only when that call never got to its flush
/// (it panicked, poisoning the lock), so it bounds how long the others take to see
/// [`SharedError::Poisoned`].
const GROUP_WAIT: std::time::Duration = std::time::Duration::from_secs(1);

impl<S: Storage> SharedBroker<S> {
    /// One change under the lock: acts on due deadlines, runs `f`, routes deliveries, waits
    /// until a flush covers it ([`commit`](Self::commit)), and wakes blocked threads. `f`'s
    /// error wins over a flush error: nothing was confirmed either way.
    pub(super) fn mutate<T, E>(
        &self,
        f: impl FnOnce(&mut State<S>, Instant) -> Result<T, E>,
    ) -> Result<T, SharedError<E>> {
        self.inner.mutators.fetch_add(1, Ordering::SeqCst);
        let locked = self.lock();
        self.inner.mutators.fetch_sub(1, Ordering::SeqCst);
        let mut state = locked?;
        let now = self.inner.clock.now();
        state.handle_due(now);
        let result = f(&mut state, now);
        state.route();
        state.changed = false;
        state.applied += 1;
        let call = state.applied;
        let flushed = self.commit(state, call);
        self.inner.signal.notify();
        let value = result.map_err(SharedError::Broker)?;
        flushed?.map_err(SharedError::Flush)?;
        Ok(value)
    }

    /// Group commit: returns once call `call` (applied, its guard `state` held) is flushed, with
    /// that flush's outcome. It flushes at once unless another call is waiting for the lock to
    /// change the broker; then it lets that call in and waits, since the flush at the end of
    /// the other call, or of the last call of the group that forms behind it, covers this one
    /// too. A thread of a group thus waits one sync instead of queueing for one sync per call.
    /// If no flush comes within [`GROUP_WAIT`], it flushes itself.
    fn commit<E>(
        &self,
        mut state: MutexGuard<'_, State<S>>,
        call: u64,
    ) -> Result<Result<(), StorageError>, SharedError<E>> {
        let give_up = std::time::Instant::now() + GROUP_WAIT;
        while self.inner.mutators.load(Ordering::SeqCst) > 0 {
            let left = give_up.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                break;
            }
            state = self
                .inner
                .flushed
                .wait_timeout(state, left)
                .map_err(|_| SharedError::Poisoned)?
                .0;
            if state.durable >= call {
                return Ok(Ok(()));
            }
            if let Some((upto, e)) = state.failed
                && upto >= call
            {
                return Ok(Err(e));
            }
        }
        let flushed = state.flush();
        drop(state);
        self.inner.flushed.notify_all();
        Ok(flushed)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;
    use std::sync::{Arc, Condvar, Mutex};
    use std::vec::Vec;

    use super::*;
    use crate::storage::{LogBounds, MemoryStorage, Record};
    use crate::{Broker, LogId, Offset, QueueConfig};

    /// A gate flushes stop at while it is shut, and how many are stopped there.
    #[derive(Default)]
    struct Gate {
        state: Mutex<(bool, usize)>,
        moved: Condvar,
    }

    impl Gate {
        fn set(&self, shut: bool) {
            self.state.lock().unwrap().0 = shut;
            self.moved.notify_all();
        }

        fn pass(&self) {
            let mut s = self.state.lock().unwrap();
            s.1 += 1;
            self.moved.notify_all();
            while s.0 {
                s = self.moved.wait(s).unwrap();
            }
            s.1 -= 1;
        }

        fn wait_until_held(&self, n: usize) {
            let mut s = self.state.lock().unwrap();
            while s.1 < n {
                s = self.moved.wait(s).unwrap();
            }
        }
    }

    /// Memory storage that counts flushes and makes each pass the gate.
    struct Gated {
        inner: MemoryStorage,
        gate: Arc<Gate>,
        flushes: Arc<AtomicUsize>,
    }

    impl Storage for Gated {
        fn create_log(&mut self, log: LogId) -> Result<(), StorageError> {
            self.inner.create_log(log)
        }
        fn delete_log(&mut self, log: LogId) -> Result<(), StorageError> {
            self.inner.delete_log(log)
        }
        fn append(&mut self, log: LogId, record: Record) -> Result<Offset, StorageError> {
            self.inner.append(log, record)
        }
        fn read(&self, log: LogId, offset: Offset) -> Result<Record, StorageError> {
            self.inner.read(log, offset)
        }
        fn drop_prefix(&mut self, log: LogId, before: Offset) -> Result<(), StorageError> {
            self.inner.drop_prefix(log, before)
        }
        fn bounds(&self, log: LogId) -> Result<LogBounds, StorageError> {
            self.inner.bounds(log)
        }
        fn put_meta(&mut self, key: &str, value: &[u8]) -> Result<(), StorageError> {
            self.inner.put_meta(key, value)
        }
        fn get_meta(&self, key: &str) -> Result<Option<Vec<u8>>, StorageError> {
            self.inner.get_meta(key)
        }
        fn delete_meta(&mut self, key: &str) -> Result<(), StorageError> {
            self.inner.delete_meta(key)
        }
        fn flush(&mut self) -> Result<(), StorageError> {
            self.gate.pass();
            self.flushes.fetch_add(1, Ordering::SeqCst);
            Ok(())
        }
    }

    #[test]
    fn calls_that_queue_behind_a_flush_share_the_next_one() {
        let gate = Arc::new(Gate::default());
        let flushes = Arc::new(AtomicUsize::new(0));
        let storage = Gated {
            inner: MemoryStorage::new(),
            gate: Arc::clone(&gate),
            flushes: Arc::clone(&flushes),
        };
        let shared = SharedBroker::new(Broker::new(storage));
        shared
            .with(|b, now| b.declare_queue(now, "q", QueueConfig::default()))
            .unwrap();
        let before = flushes.load(Ordering::SeqCst);

        gate.set(true);
        std::thread::scope(|s| {
            // The first publish flushes and stops at the gate, holding the lock.
            let first = s.spawn(|| shared.publish("", "q", "first"));
            gate.wait_until_held(1);
            // Four more queue for the lock meanwhile.
            let rest: Vec<_> = (0..4)
                .map(|_| s.spawn(|| shared.publish("", "q", "later")))
                .collect();
            while shared.inner.mutators.load(Ordering::SeqCst) < 4 {
                std::thread::yield_now();
            }
            gate.set(false);
            first.join().unwrap().unwrap();
            for t in rest {
                t.join().unwrap().unwrap();
            }
        });
        // One flush for the first, one shared by the four that queued behind it.
        assert_eq!(flushes.load(Ordering::SeqCst) - before, 2);
        let ready = shared
            .read(|b| b.queue_stats(b.queue_id("q").unwrap()).unwrap().ready)
            .unwrap();
        assert_eq!(ready, 5);
    }
}
