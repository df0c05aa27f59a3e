//! [`SharedBroker`]: a [`Broker`] for ordinary multi-threaded programs (feature `std`).
//!
//! The [`Broker`] is sans-IO and every call takes `&mut self` and `now`; it says when it next
//! needs time but never waits for it. `SharedBroker` puts one behind a [`Mutex`] and does the
//! driving that a threaded program would otherwise write itself:
//!
//! - **Time.** Every broker call gets `now` from a [`Clock`]: [`SystemClock`] (real
//!   milliseconds, counted on from the broker's own latest `now`) by default, or a
//!   [`ManualClock`] that tests move by hand, so they never sleep to let a timeout pass.
//! - **Deliveries go to the thread that asks.** The handle sets an
//!   [`EventFilter`](crate::EventFilter) without `Delivered`, so deliveries come out of
//!   [`Broker::poll_deliveries`]; after every call it files them into one inbox per consumer,
//!   and [`recv`](SharedBroker::recv) takes from that inbox, blocking up to a timeout. The
//!   broker delivers at most a consumer's prefetch before an ack, so an inbox holds at most
//!   that many. Deliveries the broker takes back before they were received (a visibility
//!   timeout, a consumer cancelled) are removed from the inbox. The broker's own delivery
//!   buffer is capped by [`Limits::max_events`](crate::Limits::max_events); keep the total
//!   prefetch of all consumers below it (the default is 2^20), or one call that delivers more
//!   than that loses the oldest deliveries, whose messages then stay unacked until a
//!   visibility timeout or a cancel returns them.
//! - **Deadlines.** Every call first acts on the broker's deadlines that are due
//!   ([`Broker::poll_timeout`], [`Broker::handle_timeout`]). A thread blocked in
//!   [`recv`](SharedBroker::recv), [`poll`](SharedBroker::poll) or
//!   [`receive`](SharedBroker::receive) waits at most until the next deadline, then acts on
//!   it, so an expired visibility timeout redelivers to a waiting consumer with no other call
//!   happening. With nobody blocked and nobody calling, deadlines are acted on by the next
//!   call, before it looks at anything: late, but never observably so. A program that wants
//!   them acted on promptly anyway (say, to flush the state they change to a durable
//!   storage) starts a [`Flusher`] ([`flush_every`](SharedBroker::flush_every)), which also
//!   lets a storage that syncs on an interval sync through quiet spells.
//! - **Durability.** Every call that changes the broker returns only after a
//!   [`Broker::flush`] that covers it; a flush failure is returned as [`SharedError::Flush`],
//!   so a caller is never told a publish or an ack succeeded before the storage says it is
//!   durable. Calls of several threads share flushes (group commit): a call that finds
//!   another one waiting for the lock lets it in and waits for the flush that ends the
//!   group, so with a storage that syncs at every flush, threads share one sync instead of
//!   queueing for one each. Deliveries may reach consumers before the flush that makes their
//!   publish durable (as in RabbitMQ, where publisher confirms follow the write to disk).
//! - **Share groups.** [`share_fetch`](SharedBroker::share_fetch) blocks until records can
//!   be acquired: appended, released or left by another member, or back from an expired
//!   lock (a blocked fetch wakes at the broker's next deadline, which includes the earliest
//!   record lock); [`share_acknowledge`](SharedBroker::share_acknowledge) settles one.
//! - **Events.** The handle reads only the events it needs for its inboxes and discards the
//!   rest (the broker does not even build them). A program that needs the event log drives a
//!   [`Broker`] itself.
//! - **Panics.** No input makes a call panic. If a thread panics while it holds the broker
//!   (a closure given to [`with`](SharedBroker::with) panicked), the broker may be half-way
//!   through a change, so the handle does not guess: every later call returns
//!   [`SharedError::Poisoned`].
//!
//! Waking: one change counter and condition variable per broker; every change wakes every
//! blocked thread, which looks at its own inbox and waits again. That is
//! simple and cheap for a handful of threads per broker.
//!
//! ```
//! use std::time::Duration;
//! use brokerlab::{Broker, ConsumerConfig, QueueConfig, SharedBroker};
//!
//! type BoxError = Box<dyn std::error::Error + Send + Sync>;
//!
//! # fn main() -> Result<(), BoxError> {
//! let shared = SharedBroker::new(Broker::default());
//! shared.with(|broker, now| broker.declare_queue(now, "jobs", QueueConfig::default()))?;
//! let worker = shared.consume("jobs", "worker", ConsumerConfig::default().with_prefetch(8))?;
//!
//! let done = std::thread::scope(|s| -> Result<Vec<String>, BoxError> {
//!     // The handle is `Sync`: scoped threads borrow it; other threads take a clone.
//!     let consumer = s.spawn(|| -> Result<Vec<String>, BoxError> {
//!         let mut done = Vec::new();
//!         while done.len() < 3 {
//!             if let Some(d) = shared.recv(worker, Duration::from_secs(10))? {
//!                 done.push(String::from_utf8_lossy(&d.payload).into_owned());
//!                 shared.ack(worker, d.delivery)?;
//!             }
//!         }
//!         Ok(done)
//!     });
//!     for job in ["resize", "encode", "upload"] {
//!         shared.publish("", "jobs", job)?;
//!     }
//!     consumer.join().expect("the consumer thread panicked")
//! })?;
//! assert_eq!(done, ["resize", "encode", "upload"]);
//! assert_eq!(shared.try_recv(worker)?, None);
//! # Ok(())
//! # }
//! ```

mod clock;
mod commit;
mod error;
mod flusher;
mod inboxes;
mod publish;
mod queue_consumers;
mod share_groups;
mod signal;
mod state;
mod stream_consumers;
mod subscriptions;

pub use clock::{Clock, ManualClock, SystemClock};
pub use error::SharedError;
pub use flusher::Flusher;

use core::convert::Infallible;
use core::fmt;
use std::boxed::Box;
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::task::Waker;

use crate::Broker;
use crate::storage::{MemoryStorage, Storage};
use crate::time::Instant;
use signal::{Signal, SignalWaker};
use state::State;

/// The shortest a blocked thread waits for a deadline, so a deadline the broker keeps
/// reporting as due cannot make it spin.
const MIN_DEADLINE_WAIT: std::time::Duration = std::time::Duration::from_millis(1);

/// A `Send + Sync` handle to a [`Broker`] shared by threads; see the [module docs](self).
///
/// Cloning is cheap (one reference count) and every clone drives the same broker; threads
/// from [`std::thread::scope`] can borrow one instead. The handle is `Send + Sync` when the
/// storage `S` is `Send`.
pub struct SharedBroker<S: Storage = MemoryStorage> {
    inner: Arc<Inner<S>>,
}

struct Inner<S: Storage> {
    state: Mutex<State<S>>,
    signal: Arc<Signal>,
    clock: Box<dyn Clock>,
    /// Calls that want the lock to change the broker and have not got it yet.
    mutators: AtomicUsize,
    /// Woken (with `state`'s lock) whenever a flush ends: calls waiting for theirs.
    flushed: Condvar,
}

// A compile-time check that the handle can cross threads.
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<SharedBroker<MemoryStorage>>();
};

impl<S: Storage> Clone for SharedBroker<S> {
    fn clone(&self) -> Self {
        SharedBroker {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<S: Storage> fmt::Debug for SharedBroker<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedBroker")
            .field("now", &self.inner.clock.now())
            .finish_non_exhaustive()
    }
}

impl Default for SharedBroker<MemoryStorage> {
    /// A default [`Broker`] over [`MemoryStorage`], on a [`SystemClock`].
    fn default() -> Self {
        SharedBroker::new(Broker::default())
    }
}

impl<S: Storage> SharedBroker<S> {
    /// Shares `broker`, on a [`SystemClock`] that starts at the broker's latest `now`
    /// ([`Broker::now`]), so its deadlines fall due in real time from here on.
    #[must_use]
    pub fn new(broker: Broker<S>) -> Self {
        let clock = SystemClock::starting_at(broker.now());
        Self::with_clock(broker, clock)
    }

    /// Shares `broker` with `now` taken from `clock`. The handle replaces the broker's event
    /// filter (see the [module docs](self)) and routes the deliveries it had buffered. The
    /// broker never lets time run backwards: while `clock` reads earlier than [`Broker::now`],
    /// time stands still for the broker.
    #[must_use]
    pub fn with_clock(broker: Broker<S>, clock: impl Clock) -> Self {
        let signal = Arc::new(Signal::default());
        clock.register_waker(Waker::from(Arc::new(SignalWaker(Arc::downgrade(&signal)))));
        SharedBroker {
            inner: Arc::new(Inner {
                state: Mutex::new(State::new(broker)),
                signal,
                clock: Box::new(clock),
                mutators: AtomicUsize::new(0),
                flushed: Condvar::new(),
            }),
        }
    }

    /// What the clock reads now.
    #[must_use]
    pub fn now(&self) -> Instant {
        self.inner.clock.now()
    }

    /// Runs `f` on the broker under the lock with the clock's `now`: for everything without a
    /// method of its own (declaring queues, exchanges, streams and bindings, joining groups,
    /// seeking, …). Afterwards the handle routes what `f` made the broker deliver, drops from
    /// the inboxes what `f` settled or took back, flushes, and wakes blocked threads.
    ///
    /// Inside `f`, leave the broker's events and deliveries alone (the handle reads them), do
    /// not call this handle (its lock is held: the call would never return), and do not wait
    /// for another thread's call to return (it may be waiting for a flush that needs the
    /// lock). A panic in `f` poisons the handle.
    ///
    /// # Errors
    /// `f`'s error as [`SharedError::Broker`] (the flush still happens); a failed flush;
    /// [`SharedError::Poisoned`].
    pub fn with<T, E>(
        &self,
        f: impl FnOnce(&mut Broker<S>, Instant) -> Result<T, E>,
    ) -> Result<T, SharedError<E>> {
        self.mutate(|state, now| {
            let result = f(&mut state.broker, now);
            state.restore();
            result
        })
    }

    /// Runs `f` on the broker under the lock to look at it (stats, names, lags, …), after
    /// acting on due deadlines so what it sees is up to date.
    ///
    /// # Errors
    /// A failed flush of what the deadlines changed; [`SharedError::Poisoned`].
    pub fn read<R>(&self, f: impl FnOnce(&Broker<S>) -> R) -> Result<R, SharedError<Infallible>> {
        self.mutate(|state, _| Ok(f(&state.broker)))
    }

    /// Acts on the broker's deadlines that are due (see the [module docs](self) for when a
    /// program may want to). Every other call does this first anyway.
    ///
    /// # Errors
    /// A failed flush; [`SharedError::Poisoned`].
    pub fn handle_timeouts(&self) -> Result<(), SharedError<Infallible>> {
        self.mutate(|_, _| Ok(()))
    }

    /// Locks the state; a poisoned lock is an error from then on.
    fn lock<E>(&self) -> Result<MutexGuard<'_, State<S>>, SharedError<E>> {
        self.inner.state.lock().map_err(|_| SharedError::Poisoned)
    }

    /// Runs `attempt` under the lock until it returns a value, blocking between attempts
    /// until something changes or the broker's next deadline passes. `timeout` of `None`
    /// attempts once; a timeout too large to represent waits without limit. `attempt` acts on
    /// due deadlines itself (when, relative to its own work, is its choice) and flushes what
    /// it changed; it sets [`State::changed`] when other threads should look again.
    fn block<T, E>(
        &self,
        timeout: Option<std::time::Duration>,
        mut attempt: impl FnMut(&mut State<S>, Instant) -> Result<Option<T>, SharedError<E>>,
    ) -> Result<Option<T>, SharedError<E>> {
        let give_up = timeout.map(|t| std::time::Instant::now().checked_add(t));
        loop {
            // Read before looking, so a change made after the look wakes the wait below.
            let seen = self.inner.signal.generation();
            let mut state = self.lock()?;
            let now = self.inner.clock.now();
            let covered = state.ledger.covered();
            let outcome = attempt(&mut state, now);
            let changed = core::mem::take(&mut state.changed);
            let deadline = state.broker.poll_timeout();
            let flushed_calls = state.ledger.covered() != covered;
            drop(state);
            if flushed_calls {
                // The attempt flushed calls that may be waiting for a flush.
                self.inner.flushed.notify_all();
            }
            if changed {
                self.inner.signal.notify();
            }
            if let Some(value) = outcome? {
                return Ok(Some(value));
            }
            let Some(give_up) = give_up else {
                return Ok(None);
            };
            let left = match give_up {
                Some(at) => match at.checked_duration_since(std::time::Instant::now()) {
                    Some(left) if !left.is_zero() => Some(left),
                    _ => return Ok(None),
                },
                None => None,
            };
            let until_deadline = deadline
                .and_then(|d| self.inner.clock.real_time_until(d))
                .map(|w| w.max(MIN_DEADLINE_WAIT));
            let wait = match (left, until_deadline) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            self.inner.signal.wait(seen, wait);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ConsumerConfig, Duration, QueueConfig};

    #[test]
    fn advancing_a_manual_clock_wakes_a_blocked_receiver() {
        let clock = ManualClock::new(Instant::ZERO);
        let shared = SharedBroker::with_clock(Broker::default(), clock.clone());
        let visibility = QueueConfig::default().with_visibility_timeout(Duration::from_secs(30));
        shared
            .with(|b, now| b.declare_queue(now, "jobs", visibility))
            .unwrap();
        let c = shared
            .consume("jobs", "w", ConsumerConfig::default().with_prefetch(1))
            .unwrap();
        shared.publish("", "jobs", "job").unwrap();
        let first = shared.try_recv(c).unwrap().unwrap();

        std::thread::scope(|s| {
            let waiter = s.spawn(|| shared.recv(c, std::time::Duration::from_secs(60)));
            // Advance only once the receiver is blocked: only the clock's waker can wake it,
            // since a manual clock gives blocked threads no deadline in real time.
            while shared.inner.signal.waiting() == 0 && !waiter.is_finished() {
                std::thread::yield_now();
            }
            clock.advance(Duration::from_secs(30));
            let again = waiter.join().unwrap().unwrap().unwrap();
            assert_eq!(again.message, first.message);
            assert!(again.redelivered);
        });
    }

    #[test]
    fn a_panic_inside_with_poisons_the_handle() {
        let shared = SharedBroker::default();
        let clone = shared.clone();
        let panicked = std::thread::spawn(move || {
            clone.with(|_, _| -> Result<(), Infallible> { panic!("inside the lock") })
        })
        .join();
        assert!(panicked.is_err());
        assert_eq!(shared.publish("", "q", "x"), Err(SharedError::Poisoned));
        assert_eq!(shared.read(|_| ()), Err(SharedError::Poisoned));
    }
}
