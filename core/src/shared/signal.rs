//! [`Signal`]: how threads blocked in a [`SharedBroker`](super::SharedBroker) learn that
//! something changed, without losing a wake-up and without holding the broker's lock.
//!
//! A signal is a change counter under its own small mutex plus a condition variable (an
//! "event count"). A waiter reads the counter *before* it looks at the broker, then blocks
//! only if the counter still has that value; whoever changes the broker (or a
//! [`ManualClock`](super::ManualClock) that moves) bumps the counter and wakes everyone. A
//! change made after the waiter looked therefore either shows in the counter or wakes it.
//! The broker's lock is never taken here, so a clock may signal from anywhere, even from
//! inside [`SharedBroker::with`](super::SharedBroker::with).

use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, Weak};
use std::task::Wake;

/// A change counter and the threads waiting for it to move.
#[derive(Debug, Default)]
pub(super) struct Signal {
    state: Mutex<Counts>,
    changed: Condvar,
}

#[derive(Debug, Default)]
struct Counts {
    generation: u64,
    waiting: usize,
}

impl Signal {
    /// The current value of the change counter; pass it to [`wait`](Self::wait).
    pub(super) fn generation(&self) -> u64 {
        self.counts().generation
    }

    /// Records a change and wakes every waiter.
    pub(super) fn notify(&self) {
        let mut counts = self.counts();
        counts.generation = counts.generation.wrapping_add(1);
        drop(counts);
        self.changed.notify_all();
    }

    /// Blocks until the counter differs from `seen`, at most for `timeout` (`None`: no
    /// limit). May return early; callers look again and wait again.
    pub(super) fn wait(&self, seen: u64, timeout: Option<std::time::Duration>) {
        let mut counts = self.counts();
        if counts.generation != seen {
            return;
        }
        counts.waiting += 1;
        let mut counts = match timeout {
            Some(t) => {
                self.changed
                    .wait_timeout(counts, t)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0
            }
            None => self
                .changed
                .wait(counts)
                .unwrap_or_else(PoisonError::into_inner),
        };
        counts.waiting -= 1;
    }

    /// Threads blocked in [`wait`](Self::wait) right now.
    #[cfg(test)]
    pub(super) fn waiting(&self) -> usize {
        self.counts().waiting
    }

    /// The counts hold two integers that no panic can leave half-written, so a poisoned lock
    /// is taken over as it is.
    fn counts(&self) -> MutexGuard<'_, Counts> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The waker a [`SharedBroker`](super::SharedBroker) gives its clock: it notifies the signal
/// while the broker exists and does nothing after.
pub(super) struct SignalWaker(pub(super) Weak<Signal>);

impl Wake for SignalWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if let Some(signal) = self.0.upgrade() {
            signal.notify();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_before_the_wait_is_not_lost() {
        let signal = Signal::default();
        let seen = signal.generation();
        signal.notify();
        // Returns at once: the counter moved after `seen` was read.
        signal.wait(seen, None);
        assert_eq!(signal.waiting(), 0);
    }

    #[test]
    fn notify_wakes_a_blocked_waiter() {
        let signal = Arc::new(Signal::default());
        let seen = signal.generation();
        let waiter = {
            let signal = Arc::clone(&signal);
            std::thread::spawn(move || signal.wait(seen, None))
        };
        while signal.waiting() == 0 && !waiter.is_finished() {
            std::thread::yield_now();
        }
        std::task::Waker::from(Arc::new(SignalWaker(Arc::downgrade(&signal)))).wake();
        waiter.join().unwrap();
    }
}
