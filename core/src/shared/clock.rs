//! Where a [`SharedBroker`](super::SharedBroker) gets `now`: the [`Clock`] trait, the real
//! [`SystemClock`] and the [`ManualClock`] that tests move by hand.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::Waker;
use std::vec::Vec;

use crate::time::{Duration, Instant};

/// A source of the broker's logical time. A [`SharedBroker`](super::SharedBroker) asks it for
/// `now` before every broker call, and asks it how long to block before the broker's next
/// deadline is due.
pub trait Clock: Send + Sync + 'static {
    /// The current time. Should never go backwards; if it does, the broker treats it as the
    /// latest time it has seen.
    fn now(&self) -> Instant;

    /// How much real time passes before this clock reads `deadline`, or `None` when that
    /// cannot be known because the clock only moves when told to (then it must wake the
    /// waker given to [`register_waker`](Self::register_waker) each time it moves). The
    /// default assumes one logical millisecond per real millisecond.
    fn real_time_until(&self, deadline: Instant) -> Option<std::time::Duration> {
        let ms = deadline.saturating_duration_since(self.now()).as_millis();
        Some(std::time::Duration::from_millis(ms))
    }

    /// Called once by each [`SharedBroker`](super::SharedBroker) built over this clock. A
    /// clock whose [`real_time_until`](Self::real_time_until) returns `None` keeps the waker
    /// and wakes it after every move, so threads blocked in the broker look at the new time.
    /// The default drops it.
    fn register_waker(&self, waker: Waker) {
        drop(waker);
    }
}

/// Real time: a starting instant plus the milliseconds since the clock was created, read
/// from [`std::time::Instant`] (monotonic).
#[derive(Debug, Clone, Copy)]
pub struct SystemClock {
    origin: std::time::Instant,
    start: Instant,
}

impl SystemClock {
    /// A clock reading [`Instant::ZERO`] now.
    #[must_use]
    pub fn new() -> Self {
        Self::starting_at(Instant::ZERO)
    }

    /// A clock reading `start` now, for a broker that already lived through some time.
    #[must_use]
    pub fn starting_at(start: Instant) -> Self {
        SystemClock {
            origin: std::time::Instant::now(),
            start,
        }
    }
}

impl SystemClock {
    /// A clock reading milliseconds since the Unix epoch (from [`std::time::SystemTime`]
    /// now, then moving with the monotonic clock), for a broker whose state outlives the
    /// process: record timestamps, TTLs and retention by age then count the time the process
    /// was down too. If the system time is before 1970 it reads from zero.
    #[must_use]
    pub fn since_unix_epoch() -> Self {
        let ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        Self::starting_at(Instant::from_millis(ms))
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        let ms = self.origin.elapsed().as_millis();
        let ms = Duration::from_millis(u64::try_from(ms).unwrap_or(u64::MAX));
        self.start.saturating_add(ms)
    }
}

/// A clock that moves only when [`advance`](Self::advance)d: tests drive the broker's
/// deadlines without sleeping. Clones share one reading, so a test keeps a clone and gives
/// another to [`SharedBroker::with_clock`](super::SharedBroker::with_clock).
///
/// Advancing wakes every thread blocked in a broker built over the clock, and each of them
/// acts on the deadlines that became due. It takes no broker's lock, so any thread may
/// advance the clock at any time, even from inside [`SharedBroker::with`](super::SharedBroker::with).
///
/// ```
/// use brokerlab::shared::ManualClock;
/// use brokerlab::{Broker, ConsumerConfig, Duration, Instant, QueueConfig, SharedBroker};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let clock = ManualClock::new(Instant::ZERO);
/// let shared = SharedBroker::with_clock(Broker::default(), clock.clone());
/// let visibility = QueueConfig::default().with_visibility_timeout(Duration::from_secs(30));
/// shared.with(|broker, now| broker.declare_queue(now, "jobs", visibility))?;
/// let worker = shared.consume("jobs", "worker", ConsumerConfig::default())?;
/// shared.publish("", "jobs", "resize")?;
/// let first = shared.try_recv(worker)?.expect("delivered at once");
///
/// // Thirty seconds pass without an ack: the broker takes the job back and delivers it again.
/// clock.advance(Duration::from_secs(30));
/// let again = shared.try_recv(worker)?.expect("redelivered");
/// assert_eq!((again.message, again.redelivered), (first.message, true));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Default)]
pub struct ManualClock {
    shared: Arc<ManualShared>,
}

#[derive(Debug, Default)]
struct ManualShared {
    now_ms: AtomicU64,
    wakers: Mutex<Vec<Waker>>,
}

impl ManualClock {
    /// A clock reading `start`.
    #[must_use]
    pub fn new(start: Instant) -> Self {
        let clock = ManualClock::default();
        clock
            .shared
            .now_ms
            .store(start.as_millis(), Ordering::SeqCst);
        clock
    }

    /// Moves the clock forward by `by` (saturating) and wakes the brokers' blocked threads.
    pub fn advance(&self, by: Duration) {
        let step = by.as_millis();
        // `fetch_update` with a closure that always returns `Some` cannot fail.
        let _ = self
            .shared
            .now_ms
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |ms| {
                Some(ms.saturating_add(step))
            });
        // The list holds wakers only; a panic while it was locked left nothing half-done.
        let wakers = self
            .shared
            .wakers
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        for waker in wakers.iter() {
            waker.wake_by_ref();
        }
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Instant {
        Instant::from_millis(self.shared.now_ms.load(Ordering::SeqCst))
    }

    fn real_time_until(&self, _deadline: Instant) -> Option<std::time::Duration> {
        None
    }

    fn register_waker(&self, waker: Waker) {
        let mut wakers = self
            .shared
            .wakers
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if !wakers.iter().any(|w| w.will_wake(&waker)) {
            wakers.push(waker);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_advanced_and_clones_share_it() {
        let clock = ManualClock::new(Instant::from_millis(5));
        let other = clock.clone();
        assert_eq!(clock.now(), Instant::from_millis(5));
        other.advance(Duration::from_secs(2));
        assert_eq!(clock.now(), Instant::from_millis(2_005));
        clock.advance(Duration::from_millis(u64::MAX));
        assert_eq!(clock.now(), Instant::MAX);
        assert_eq!(clock.real_time_until(Instant::MAX), None);
    }

    #[test]
    fn system_clock_starts_where_it_is_told() {
        let clock = SystemClock::starting_at(Instant::from_millis(u64::MAX - 1));
        assert!(clock.now() >= Instant::from_millis(u64::MAX - 1));
    }

    #[test]
    fn system_clock_starts_at_zero_and_maps_deadlines_to_real_time() {
        let clock = SystemClock::new();
        let now = clock.now();
        assert!(now < Instant::from_millis(60_000));
        let wait = clock.real_time_until(now.saturating_add(Duration::from_millis(250)));
        assert!(wait.is_some_and(|w| w <= std::time::Duration::from_millis(250)));
        assert_eq!(
            clock.real_time_until(Instant::ZERO),
            Some(std::time::Duration::ZERO)
        );
    }
}
