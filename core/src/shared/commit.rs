//! Group commit: how a [`SharedBroker`] call that changes the broker returns only once a flush
//! covers it, while calls of several threads share one flush (one sync, with a storage that
//! syncs at every flush) instead of queueing for one each.

use std::collections::BTreeSet;
use std::sync::atomic::Ordering;
use std::sync::{Condvar, MutexGuard};
use std::vec::Vec;

use super::state::State;
use super::{SharedBroker, SharedError};
use crate::storage::{Storage, StorageError};
use crate::time::Instant;

/// The longest a call waits for another call of its group to flush for it before it flushes
/// itself (see [`SharedBroker::commit`]). Reached only when that call never got to its flush
/// (it panicked, poisoning the lock), so it bounds how long the others take to see
/// [`SharedError::Poisoned`].
const GROUP_WAIT: std::time::Duration = std::time::Duration::from_secs(1);

/// What the flushes said about the calls, for the calls that wait for a flush made by
/// another: a call's answer is the outcome of the first flush that covered it (a later
/// success does not undo a failure: a retried sync may succeed over pages the failed one
/// lost).
#[derive(Debug, Default)]
pub(super) struct Ledger {
    /// Calls applied under the lock, numbered from 1.
    applied: u64,
    /// Every call up to this one was covered by a flush.
    covered: u64,
    /// Calls whose first flush failed, as `(first, last, error)`, kept while one of them waits.
    failures: Vec<(u64, u64, StorageError)>,
    /// Calls waiting for their flush.
    waiting: BTreeSet<u64>,
}

impl Ledger {
    /// Numbers a call just applied.
    fn apply(&mut self) -> u64 {
        self.applied += 1;
        self.applied
    }

    /// How far flushes have covered the calls; it moves at every flush after a call.
    pub(super) fn covered(&self) -> u64 {
        self.covered
    }

    /// Records the outcome of a flush of everything applied so far. Failures that no waiting
    /// call belongs to are forgotten first (the calls that flushed for themselves had their
    /// answer at once).
    pub(super) fn flushed(&mut self, outcome: Result<(), StorageError>) {
        let oldest = self.waiting.first().copied().unwrap_or(u64::MAX);
        self.failures.retain(|&(_, last, _)| last >= oldest);
        if self.applied > self.covered {
            if let Err(e) = outcome {
                self.failures.push((self.covered + 1, self.applied, e));
            }
            self.covered = self.applied;
        }
    }

    /// The answer for `call`, once a flush covered it.
    fn outcome(&self, call: u64) -> Option<Result<(), StorageError>> {
        (self.covered >= call).then(|| {
            match self
                .failures
                .iter()
                .find(|&&(first, last, _)| (first..=last).contains(&call))
            {
                Some(&(_, _, e)) => Err(e),
                None => Ok(()),
            }
        })
    }
}

/// Wakes the calls waiting for a flush if the thread unwinds during its call (a closure given
/// to `with` panicked, or the storage did), so they see the lock poisoned at once rather than
/// after [`GROUP_WAIT`].
struct WakeOnPanic<'a>(&'a Condvar);

impl Drop for WakeOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.notify_all();
        }
    }
}

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
        let _wake = WakeOnPanic(&self.inner.flushed);
        let now = self.inner.clock.now();
        state.handle_due(now);
        let result = f(&mut state, now);
        state.route();
        state.changed = false;
        let call = state.ledger.apply();
        let flushed = self.commit(state, call);
        self.inner.signal.notify();
        let value = result.map_err(SharedError::Broker)?;
        flushed?.map_err(SharedError::Flush)?;
        Ok(value)
    }

    /// Group commit: returns once call `call` (applied, its guard `state` held) is covered by
    /// a flush, with that flush's outcome. It flushes at once unless another call is waiting
    /// for the lock to change the broker; then it lets that call in and waits, since the flush
    /// at the end of the other call, or of the last call of the group that forms behind it,
    /// covers this one too. A thread of a group thus waits one sync instead of queueing for
    /// one sync per call. If no flush comes within [`GROUP_WAIT`], it flushes itself.
    fn commit<E>(
        &self,
        mut state: MutexGuard<'_, State<S>>,
        call: u64,
    ) -> Result<Result<(), StorageError>, SharedError<E>> {
        if self.inner.mutators.load(Ordering::SeqCst) > 0 {
            state.ledger.waiting.insert(call);
            let give_up = std::time::Instant::now() + GROUP_WAIT;
            loop {
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
                if let Some(outcome) = state.ledger.outcome(call) {
                    state.ledger.waiting.remove(&call);
                    return Ok(outcome);
                }
                if self.inner.mutators.load(Ordering::SeqCst) == 0 {
                    break;
                }
            }
            state.ledger.waiting.remove(&call);
        }
        // Nothing covered this call yet: this flush is the first to, and its outcome the
        // answer.
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

    /// A gate that flushes stop at unless it is open or has passes left; it counts the
    /// flushes stopped there and can make the next flush through fail.
    #[derive(Default)]
    struct Gate {
        state: Mutex<GateState>,
        moved: Condvar,
    }

    #[derive(Default)]
    struct GateState {
        open: bool,
        passes: usize,
        held: usize,
        fail_next: bool,
    }

    impl Gate {
        fn change(&self, f: impl FnOnce(&mut GateState)) {
            f(&mut self.state.lock().unwrap());
            self.moved.notify_all();
        }

        /// Waits to pass; returns whether this flush is to fail.
        fn pass(&self) -> bool {
            let mut s = self.state.lock().unwrap();
            s.held += 1;
            self.moved.notify_all();
            while !s.open && s.passes == 0 {
                s = self.moved.wait(s).unwrap();
            }
            if !s.open {
                s.passes -= 1;
            }
            s.held -= 1;
            core::mem::take(&mut s.fail_next)
        }

        fn wait_until_held(&self, n: usize) {
            let mut s = self.state.lock().unwrap();
            while s.held < n {
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
            let fail = self.gate.pass();
            self.flushes.fetch_add(1, Ordering::SeqCst);
            if fail { Err(StorageError::Io) } else { Ok(()) }
        }
    }

    fn gated() -> (SharedBroker<Gated>, Arc<Gate>, Arc<AtomicUsize>) {
        let gate = Arc::new(Gate::default());
        gate.change(|g| g.open = true);
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
        (shared, gate, flushes)
    }

    /// Waits until `n` calls queue for the lock.
    fn wait_for_mutators<S: Storage>(shared: &SharedBroker<S>, n: usize) {
        while shared.inner.mutators.load(Ordering::SeqCst) < n {
            std::thread::yield_now();
        }
    }

    #[test]
    fn calls_that_queue_behind_a_flush_share_the_next_one() {
        let (shared, gate, flushes) = gated();
        let before = flushes.load(Ordering::SeqCst);
        gate.change(|g| g.open = false);
        std::thread::scope(|s| {
            // The first publish flushes and stops at the gate, holding the lock.
            let first = s.spawn(|| shared.publish("", "q", "first"));
            gate.wait_until_held(1);
            // Four more queue for the lock meanwhile.
            let rest: Vec<_> = (0..4)
                .map(|_| s.spawn(|| shared.publish("", "q", "later")))
                .collect();
            wait_for_mutators(&shared, 4);
            gate.change(|g| g.open = true);
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

    #[test]
    fn a_failed_group_flush_fails_every_call_of_the_group_though_a_later_one_succeeds() {
        let (shared, gate, _) = gated();
        gate.change(|g| g.open = false);
        std::thread::scope(|s| {
            let first = s.spawn(|| shared.publish("", "q", "first"));
            gate.wait_until_held(1);
            // A and B queue; once the first flush passes, one of them waits for the other's
            // flush, which stops at the gate.
            let group: Vec<_> = (0..2)
                .map(|_| s.spawn(|| shared.publish("", "q", "group")))
                .collect();
            wait_for_mutators(&shared, 2);
            gate.change(|g| g.passes = 1);
            first.join().unwrap().unwrap();
            gate.wait_until_held(1);
            // That flush fails; a later call's flush, made before the waiting one looks
            // again, succeeds.
            let later = s.spawn(|| shared.publish("", "q", "later"));
            wait_for_mutators(&shared, 1);
            gate.change(|g| {
                g.fail_next = true;
                g.open = true;
            });
            for t in group {
                assert_eq!(
                    t.join().unwrap(),
                    Err(SharedError::Flush(StorageError::Io)),
                    "a call of the failed group was confirmed"
                );
            }
            later.join().unwrap().unwrap();
        });
    }
}
