//! [`Flusher`]: a thread that acts on a [`SharedBroker`]'s deadlines and flushes it on a
//! timer, for the quiet spells when no thread calls it.

use core::convert::Infallible;
use core::fmt;
use std::io;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use super::{MIN_DEADLINE_WAIT, SharedBroker, SharedError};
use crate::storage::Storage;

/// The first error a [`Flusher`]'s thread met, kept for [`Flusher::stop`].
type FirstError = Arc<Mutex<Option<SharedError<Infallible>>>>;

/// A background thread started by [`SharedBroker::flush_every`]; dropping it (or
/// [`stop`](Self::stop)) stops the thread and waits for it.
pub struct Flusher {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
    first_error: FirstError,
}

impl fmt::Debug for Flusher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Flusher")
            .field(
                "running",
                &self.thread.as_ref().is_some_and(|t| !t.is_finished()),
            )
            .finish_non_exhaustive()
    }
}

impl Flusher {
    /// Stops the thread, waits for it, and returns the first error it met, if any (a failed
    /// flush; [`SharedError::Poisoned`], after which it had stopped by itself, or if it
    /// panicked).
    ///
    /// Not from inside [`SharedBroker::with`] or [`read`](SharedBroker::read) (nor dropping
    /// the flusher there): the thread may be waiting for the lock the closure holds.
    ///
    /// # Errors
    /// That first error.
    pub fn stop(mut self) -> Result<(), SharedError<Infallible>> {
        self.halt();
        let first = self.first_error.lock().map(|mut e| e.take());
        match first {
            Ok(Some(e)) => Err(e),
            Ok(None) => Ok(()),
            Err(_) => Err(SharedError::Poisoned),
        }
    }

    fn halt(&mut self) {
        // Closing the channel wakes the thread at once.
        self.stop = None;
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
            && let Ok(mut first) = self.first_error.lock()
        {
            // The thread panicked (with the broker locked, which poisons it).
            first.get_or_insert(SharedError::Poisoned);
        }
    }
}

impl Drop for Flusher {
    fn drop(&mut self) {
        self.halt();
    }
}

impl<S: Storage + Send + 'static> SharedBroker<S> {
    /// Starts a thread that, every `every` and whenever the broker's next deadline passes,
    /// acts on the deadlines that are due and flushes the broker
    /// ([`handle_timeouts`](Self::handle_timeouts)), until the returned [`Flusher`] is
    /// dropped or every handle to the broker is.
    ///
    /// Every call already flushes before it returns, so a program needs this only for what
    /// happens between calls: a [`FileStorage`](crate::storage::FileStorage) under
    /// [`SyncPolicy::Interval`](crate::storage::SyncPolicy::Interval) syncs at a flush, so
    /// with a flusher running at most the interval (plus `every`) passes between a write and
    /// its sync, however quiet the program is; and a message that expires, or a delivery whose
    /// visibility timeout passes, with no thread calling or blocked, is acted on and the change
    /// saved on time rather than at the next call. A thread that fails to flush keeps trying
    /// at the next tick; [`Flusher::stop`] returns the first failure.
    ///
    /// `every` is at least a millisecond. A tick holds a handle to the broker while it runs, so
    /// to drop a broker and open its storage again at once, stop the flusher first.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use std::time::Duration;
    /// use brokerlab::storage::{FileOptions, FileStorage, SyncPolicy};
    /// use brokerlab::{Broker, Limits, SharedBroker};
    ///
    /// # let dir = std::env::temp_dir().join(format!("brokerlab-doc-flusher-{}", std::process::id()));
    /// let options = FileOptions {
    ///     sync: SyncPolicy::Interval(Duration::from_millis(100)),
    ///     ..FileOptions::default()
    /// };
    /// let (storage, _report) = FileStorage::open(&dir, options)?;
    /// let (broker, _recovered) = Broker::recover(storage, Limits::default())?;
    /// let shared = SharedBroker::new(broker);
    /// let flusher = shared.flush_every(Duration::from_millis(50))?;
    /// // … threads publish and consume through `shared` …
    /// flusher.stop()?;
    /// # drop(shared);
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// The thread could not be started.
    pub fn flush_every(&self, every: Duration) -> io::Result<Flusher> {
        let every = every.max(MIN_DEADLINE_WAIT);
        let weak = Arc::downgrade(&self.inner);
        let (stop, stopped) = mpsc::channel::<()>();
        let first_error = FirstError::default();
        let errors = Arc::clone(&first_error);
        let thread = std::thread::Builder::new()
            .name(std::string::String::from("brokerlab-flusher"))
            .spawn(move || {
                let mut wait = every;
                while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(wait) {
                    let Some(inner) = weak.upgrade() else {
                        return;
                    };
                    let shared = SharedBroker { inner };
                    let outcome = shared.handle_timeouts();
                    if let Err(e) = outcome {
                        if let Ok(mut first) = errors.lock() {
                            first.get_or_insert(e);
                        }
                        if e == SharedError::Poisoned {
                            return;
                        }
                    }
                    wait = shared.next_wait(every);
                }
            })?;
        Ok(Flusher {
            stop: Some(stop),
            thread: Some(thread),
            first_error,
        })
    }

    /// How long the flusher sleeps: `every`, or less when the broker's next deadline comes
    /// sooner in real time.
    fn next_wait(&self, every: Duration) -> Duration {
        let deadline = match self.inner.state.lock() {
            Ok(state) => state.broker.poll_timeout(),
            Err(_) => None,
        };
        deadline
            .and_then(|d| self.inner.clock.real_time_until(d))
            .map_or(every, |w| w.max(MIN_DEADLINE_WAIT).min(every))
    }
}
