//! `SharedBroker::flush_every`: a thread that acts on deadlines and flushes while no other
//! thread calls the broker, reports its first failure, and stops when dropped or when the
//! broker is gone.
//!
//! No test sleeps: each waits for the flushes it needs on the storage's report channel, with a
//! generous time-out no healthy run reaches.

#[path = "support/flush_probe.rs"]
mod flush_probe;

use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Duration as Wait;

use brokerlab::shared::{ManualClock, SharedError};
use brokerlab::{Broker, Duration, Instant, QueueConfig, SharedBroker, StorageError};
use flush_probe::{FlushProbe, Flushed};

const GENEROUS: Wait = Wait::from_secs(20);
const TICK: Wait = Wait::from_millis(1);

/// Waits for the next flush report.
fn next(reports: &Receiver<Flushed>) -> Flushed {
    reports
        .recv_timeout(GENEROUS)
        .expect("a flush within the time-out")
}

#[test]
fn a_message_expires_and_is_flushed_with_no_thread_calling() {
    let clock = ManualClock::new(Instant::ZERO);
    let (storage, reports) = FlushProbe::new();
    let shared = SharedBroker::with_clock(Broker::new(storage), clock.clone());
    let ttl = QueueConfig::default().with_message_ttl(Duration::from_secs(1));
    shared
        .with(|b, now| b.declare_queue(now, "jobs", ttl))
        .unwrap();
    shared.publish("", "jobs", "stale soon").unwrap();
    while reports.try_recv().is_ok() {}
    let flusher = shared.flush_every(TICK).unwrap();
    assert_eq!(next(&reports).records, 1, "not yet expired");

    clock.advance(Duration::from_secs(2));
    // Only the flusher touches the broker from here on: the expiry must reach storage.
    while next(&reports).records != 0 {}
    flusher.stop().unwrap();
    let stats = shared
        .read(|b| b.queue_stats(b.queue_id("jobs").unwrap()).unwrap())
        .unwrap();
    assert_eq!(stats.ready, 0);
}

#[test]
fn the_first_failure_is_kept_and_flushing_goes_on() {
    let (storage, reports) = FlushProbe::new();
    let fail = std::sync::Arc::clone(&storage.fail);
    let shared = SharedBroker::new(Broker::new(storage));
    let flusher = shared.flush_every(TICK).unwrap();
    assert_eq!(next(&reports).outcome, Ok(()));

    fail.store(true, Ordering::SeqCst);
    while next(&reports).outcome.is_ok() {}
    fail.store(false, Ordering::SeqCst);
    while next(&reports).outcome.is_err() {}
    assert_eq!(
        flusher.stop(),
        Err(SharedError::Flush(StorageError::Io)),
        "the failure is reported though later flushes worked"
    );
}

#[test]
fn the_flusher_does_not_keep_the_broker_alive() {
    let (storage, reports) = FlushProbe::new();
    let shared = SharedBroker::new(Broker::new(storage));
    let flusher = shared.flush_every(TICK).unwrap();
    next(&reports);
    drop(shared);
    // The storage (and the sender inside it) goes with the broker.
    loop {
        match reports.recv_timeout(GENEROUS) {
            Ok(_) => {}
            Err(RecvTimeoutError::Disconnected) => break,
            Err(RecvTimeoutError::Timeout) => panic!("the broker outlived its last handle"),
        }
    }
    flusher.stop().unwrap();
}

#[test]
fn dropping_the_flusher_stops_its_thread() {
    let (storage, reports) = FlushProbe::new();
    let shared = SharedBroker::new(Broker::new(storage));
    let flusher = shared.flush_every(TICK).unwrap();
    for _ in 0..3 {
        next(&reports);
    }
    // Dropping joins the thread: nothing flushes after it returns.
    drop(flusher);
    while reports.try_recv().is_ok() {}
    shared.handle_timeouts().unwrap();
    assert_eq!(reports.try_recv().map(|f| f.outcome), Ok(Ok(())));
    assert_eq!(reports.try_recv().ok(), None);
}
