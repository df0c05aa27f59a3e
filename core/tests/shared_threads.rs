//! `SharedBroker` across threads: competing producers and consumers, blocking receives woken
//! by deliveries and by deadlines, flush failures reaching the caller.
//!
//! No test sleeps: threads block only in the handle's own receives, and time-outs are
//! generous (seconds) because no test asserts how long anything took.

#[path = "support/flush_probe.rs"]
mod flush_probe;

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration as Wait;

use brokerlab::shared::{ManualClock, SharedError};
use brokerlab::{
    AckError, Broker, ConsumerConfig, ConsumerError, ConsumerId, Duration, ExchangeKind, Instant,
    Offset, OffsetReset, PublishError, QueueConfig, Received, SharedBroker, StorageError,
    StreamConfig, StreamConsumerConfig, SubscriptionConfig,
};
use flush_probe::FlushProbe;

/// Long enough that a healthy run never reaches it.
const GENEROUS: Wait = Wait::from_secs(20);

fn work_queue(shared: &SharedBroker, config: QueueConfig) {
    shared
        .with(|b, now| b.declare_queue(now, "work", config))
        .unwrap();
}

#[test]
fn four_producers_and_four_consumers_ack_every_message_exactly_once() {
    const PRODUCERS: usize = 4;
    const PER_PRODUCER: usize = 5_000;
    const TOTAL: usize = PRODUCERS * PER_PRODUCER;
    let shared = SharedBroker::default();
    work_queue(&shared, QueueConfig::default());
    let consumers: Vec<ConsumerId> = (0..4)
        .map(|i| {
            let prefetch = ConsumerConfig::default().with_prefetch(32);
            shared.consume("work", &format!("c{i}"), prefetch).unwrap()
        })
        .collect();
    let acked = AtomicUsize::new(0);

    let received: Vec<Vec<String>> = std::thread::scope(|s| {
        let workers: Vec<_> = consumers
            .iter()
            .map(|&c| {
                let (shared, acked) = (&shared, &acked);
                s.spawn(move || {
                    let mut got = Vec::new();
                    // Gives up only if a bug lost messages: the assertions below then fail.
                    let mut idle = 0;
                    while acked.load(Ordering::SeqCst) < TOTAL && idle < 400 {
                        // A short receive only so the loop sees the others finish the work.
                        let Some(d) = shared.recv(c, Wait::from_millis(50)).unwrap() else {
                            idle += 1;
                            continue;
                        };
                        idle = 0;
                        assert!(!d.redelivered);
                        got.push(String::from_utf8(d.payload.to_vec()).unwrap());
                        shared.ack(c, d.delivery).unwrap();
                        acked.fetch_add(1, Ordering::SeqCst);
                    }
                    got
                })
            })
            .collect();
        for p in 0..PRODUCERS {
            let shared = &shared;
            s.spawn(move || {
                let payloads = (0..PER_PRODUCER).map(move |n| format!("p{p}-{n}"));
                if p % 2 == 0 {
                    for payload in payloads {
                        shared.publish("", "work", payload).unwrap();
                    }
                } else {
                    let all: Vec<String> = payloads.collect();
                    for chunk in all.chunks(100) {
                        let batch = shared.publish_batch("", "work", chunk.to_vec()).unwrap();
                        assert_eq!(usize::try_from(batch.count), Ok(chunk.len()));
                    }
                }
            });
        }
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });

    let mut seen = HashSet::new();
    for payload in received.iter().flatten() {
        assert!(seen.insert(payload.as_str()), "{payload} received twice");
    }
    let expected: HashSet<String> = (0..PRODUCERS)
        .flat_map(|p| (0..PER_PRODUCER).map(move |n| format!("p{p}-{n}")))
        .collect();
    assert_eq!(seen.len(), TOTAL);
    assert!(expected.iter().all(|p| seen.contains(p.as_str())));
    assert!(
        received.iter().all(|got| !got.is_empty()),
        "every consumer worked"
    );

    let stats = shared
        .read(|b| b.queue_stats(b.queue_id("work").unwrap()).unwrap())
        .unwrap();
    assert_eq!((stats.ready, stats.unacked), (0, 0));
    for c in consumers {
        assert_eq!(shared.try_recv(c).unwrap(), None);
    }
}

#[test]
fn a_blocked_receiver_gets_the_redelivery_when_a_manual_clock_passes_the_visibility_timeout() {
    let clock = ManualClock::new(Instant::ZERO);
    let shared = SharedBroker::with_clock(Broker::default(), clock.clone());
    work_queue(
        &shared,
        QueueConfig::default().with_visibility_timeout(Duration::from_secs(30)),
    );
    let c = shared
        .consume("work", "slow", ConsumerConfig::default().with_prefetch(1))
        .unwrap();
    shared.publish("", "work", "job").unwrap();
    let first = shared.try_recv(c).unwrap().unwrap();
    assert_eq!(shared.try_recv(c).unwrap(), None);

    let again = std::thread::scope(|s| {
        let waiter = s.spawn(|| shared.recv(c, GENEROUS));
        // Whether the waiter is already blocked or not, it sees the new time: if blocked,
        // the clock wakes it; if not yet, its first look acts on the due deadline.
        s.spawn(|| clock.advance(Duration::from_secs(30)));
        waiter.join().unwrap()
    });
    let again = again
        .unwrap()
        .expect("redelivered before the generous time-out");
    assert_eq!(again.message, first.message);
    assert!(again.redelivered);
    assert_eq!(again.delivery_count, 2);
    assert_eq!(
        shared.ack(c, first.delivery),
        Err(SharedError::Broker(AckError::NotOutstanding(
            first.delivery
        )))
    );
    shared.ack(c, again.delivery).unwrap();
}

#[test]
fn a_blocked_receiver_on_the_system_clock_acts_on_the_visibility_timeout_itself() {
    let shared = SharedBroker::default();
    work_queue(
        &shared,
        QueueConfig::default().with_visibility_timeout(Duration::from_millis(20)),
    );
    let c = shared
        .consume("work", "slow", ConsumerConfig::default())
        .unwrap();
    shared.publish("", "work", "job").unwrap();
    let first = shared.recv(c, GENEROUS).unwrap().unwrap();
    // No other call happens: the receiver itself wakes at the deadline and redelivers.
    let again = shared.recv(c, GENEROUS).unwrap().unwrap();
    assert_eq!((again.message, again.redelivered), (first.message, true));
}

#[test]
fn deliveries_taken_back_before_they_were_received_are_never_handed_out() {
    let clock = ManualClock::new(Instant::ZERO);
    let shared = SharedBroker::with_clock(Broker::default(), clock.clone());
    work_queue(
        &shared,
        QueueConfig::default().with_visibility_timeout(Duration::from_secs(5)),
    );
    let c = shared
        .consume("work", "w", ConsumerConfig::default().with_prefetch(2))
        .unwrap();
    shared.publish_batch("", "work", ["a", "b"]).unwrap();
    assert_eq!(shared.buffered(c).unwrap(), 2);

    clock.advance(Duration::from_secs(5));
    // Both were taken back and delivered again: only the second deliveries come out.
    let redelivered: Vec<_> = std::iter::from_fn(|| shared.try_recv(c).unwrap()).collect();
    assert_eq!(redelivered.len(), 2);
    assert!(redelivered.iter().all(|d| d.redelivered));
    for d in redelivered {
        shared.ack(c, d.delivery).unwrap();
    }
}

#[test]
fn try_recv_on_an_empty_queue_returns_none_at_once() {
    let shared = SharedBroker::default();
    work_queue(&shared, QueueConfig::default());
    let c = shared
        .consume("work", "w", ConsumerConfig::default())
        .unwrap();
    assert_eq!(shared.try_recv(c).unwrap(), None);
}

#[test]
fn recv_with_a_short_timeout_on_an_empty_queue_returns_none() {
    let shared = SharedBroker::default();
    work_queue(&shared, QueueConfig::default());
    let c = shared
        .consume("work", "w", ConsumerConfig::default())
        .unwrap();
    assert_eq!(shared.recv(c, Wait::from_millis(10)).unwrap(), None);
    assert_eq!(shared.recv(c, Wait::ZERO).unwrap(), None);
}

#[test]
fn unknown_and_cancelled_consumers_are_errors_and_a_cancel_hands_their_deliveries_on() {
    let shared = SharedBroker::default();
    work_queue(&shared, QueueConfig::default());
    let unknown = Err(SharedError::Broker(ConsumerError::UnknownConsumer));
    assert_eq!(shared.try_recv(ConsumerId(999)), unknown);

    let gone = shared
        .consume("work", "gone", ConsumerConfig::default().with_prefetch(1))
        .unwrap();
    let waiting = std::thread::scope(|s| {
        let waiter = s.spawn(|| shared.recv(gone, GENEROUS));
        s.spawn(|| shared.cancel(gone).unwrap());
        waiter.join().unwrap()
    });
    assert_eq!(waiting, unknown);

    // A cancelled consumer's delivery, received or not, goes to the consumer that remains.
    let first = shared
        .consume("work", "first", ConsumerConfig::default().with_prefetch(1))
        .unwrap();
    shared.publish("", "work", "job").unwrap();
    assert_eq!(shared.buffered(first).unwrap(), 1);
    let second = shared
        .consume("work", "second", ConsumerConfig::default())
        .unwrap();
    shared.cancel(first).unwrap();
    assert_eq!(shared.try_recv(first), unknown);
    let d = shared.recv(second, GENEROUS).unwrap().unwrap();
    assert!(d.redelivered);
    shared.ack(second, d.delivery).unwrap();
}

#[test]
fn a_blocked_stream_poll_returns_once_a_record_is_produced() {
    let shared = SharedBroker::default();
    let config = StreamConsumerConfig::default().with_auto_offset_reset(OffsetReset::Earliest);
    let reader = shared
        .with(|b, now| {
            b.declare_stream(now, "clicks", StreamConfig::new(2))?;
            Ok::<_, brokerlab::Error>(b.stream_consumer(now, "clicks", "reader", config)?)
        })
        .unwrap();
    assert!(shared.try_poll(reader, 10).unwrap().is_empty());

    let records = std::thread::scope(|s| {
        let poller = s.spawn(|| shared.poll(reader, 10, GENEROUS));
        s.spawn(|| shared.produce("clicks", Some(b"k"), "click").unwrap());
        poller.join().unwrap()
    })
    .unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(&*records[0].payload, b"click");
    assert_eq!(records[0].offset, Offset(0));
}

#[test]
fn topic_subscribers_and_bound_queues_each_get_their_copy() {
    let shared = SharedBroker::default();
    let (audit, all) = shared
        .with(|b, now| {
            b.declare_exchange(now, "orders", ExchangeKind::Topic)?;
            b.declare_queue(now, "audit", QueueConfig::default())?;
            b.bind(now, "orders", "audit", "order.#")?;
            let all = b.subscribe(now, "orders", "#", "all", SubscriptionConfig::default())?;
            let audit = b.consume(now, "audit", "auditor", ConsumerConfig::default())?;
            Ok::<_, brokerlab::Error>((audit, all))
        })
        .unwrap();

    let (delivery, received) = std::thread::scope(|s| {
        let auditor = s.spawn(|| shared.recv(audit, GENEROUS));
        let listener = s.spawn(|| shared.receive(all, GENEROUS));
        s.spawn(|| shared.publish("orders", "order.created", "o-1").unwrap());
        (auditor.join().unwrap(), listener.join().unwrap())
    });
    assert_eq!(&*delivery.unwrap().unwrap().payload, b"o-1");
    let Some(Received::Message { payload, .. }) = received.unwrap() else {
        panic!("expected a message");
    };
    assert_eq!(&*payload, b"o-1");
    assert_eq!(shared.try_receive(all).unwrap(), None);
}

#[test]
fn a_failed_flush_is_returned_instead_of_a_confirmation() {
    let (storage, _flushes) = FlushProbe::new();
    let fail = Arc::clone(&storage.fail);
    let shared = SharedBroker::new(Broker::new(storage));
    shared
        .with(|b, now| b.declare_queue(now, "work", QueueConfig::default()))
        .unwrap();
    let c = shared
        .consume("work", "w", ConsumerConfig::default())
        .unwrap();

    fail.store(true, Ordering::SeqCst);
    let published: Result<_, SharedError<PublishError>> = shared.publish("", "work", "job");
    assert_eq!(published, Err(SharedError::Flush(StorageError::Io)));
    fail.store(false, Ordering::SeqCst);

    // The message was published; only its durability was not confirmed.
    let d = shared.recv(c, GENEROUS).unwrap().unwrap();
    fail.store(true, Ordering::SeqCst);
    assert_eq!(
        shared.ack(c, d.delivery),
        Err(SharedError::Flush(StorageError::Io))
    );
}

#[test]
fn no_publish_returns_before_a_flush_covers_it() {
    const THREADS: usize = 4;
    const PER_THREAD: usize = 2_000;
    let (storage, _flushes) = FlushProbe::new();
    let durable = Arc::clone(&storage.durable_id);
    let shared = SharedBroker::new(Broker::new(storage));
    shared
        .with(|b, now| b.declare_queue(now, "work", QueueConfig::default()))
        .unwrap();
    std::thread::scope(|s| {
        for _ in 0..THREADS {
            s.spawn(|| {
                for _ in 0..PER_THREAD {
                    let id = shared.publish("", "work", "job").unwrap();
                    // Calls of other threads may have shared the flush: it must still cover
                    // this one.
                    assert!(
                        durable.load(Ordering::SeqCst) >= id.0,
                        "{id} returned unflushed"
                    );
                }
            });
        }
    });
    let ready = shared
        .read(|b| b.queue_stats(b.queue_id("work").unwrap()).unwrap().ready)
        .unwrap();
    assert_eq!(ready, THREADS * PER_THREAD);
}
