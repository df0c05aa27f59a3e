//! The event filter changes what is recorded, never what happens: a seeded workload run on a
//! broker with every event and on brokers with filters gives the same state, the same events
//! of the kinds kept, and the same deliveries (as `Delivered` events or from
//! `poll_deliveries`). It also exercises `ack_multiple` with out-of-order acks in between.
//! Runs on both storage backends (`memory::*` over `MemoryStorage`, `file::*` over
//! `FileStorage`); the workload flushes every 50 steps and each run ends with a restart that
//! must keep the durable state (see `support/backend.rs`).

#[path = "support/backend.rs"]
mod backend;

use backend::Backend;
use brokerlab::{
    Broker, ConsumerConfig, ConsumerId, Delivery, Duration, Error, Event, EventFilter, EventKind,
    Instant, Limits, Publish, QueueConfig, Storage,
};

/// A tiny deterministic generator (no dependency, same numbers everywhere).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// What one run recorded: the events kept and the deliveries, in order.
#[derive(Debug, PartialEq, Eq)]
struct Record {
    events: Vec<Event>,
    deliveries: Vec<Delivery>,
    stats: Vec<String>,
}

fn drain<S: Storage>(
    broker: &mut Broker<S>,
    rec: &mut Record,
    held: &mut [Vec<Delivery>],
    ids: &[ConsumerId],
) {
    let mut fresh = Vec::new();
    while let Some(e) = broker.poll_event() {
        if let Ok(d) = Delivery::try_from(e.clone()) {
            fresh.push(d);
        }
        rec.events.push(e);
    }
    broker.poll_deliveries(usize::MAX, &mut fresh);
    for d in fresh {
        let i = ids.iter().position(|&c| c == d.consumer).unwrap();
        held[i].push(d.clone());
        rec.deliveries.push(d);
    }
}

fn run<S: Backend>(seed: u64, filter: EventFilter) -> Record {
    S::run("event_filter", Limits::default(), |broker| {
        run_on(broker, seed, filter)
    })
}

fn run_on<S: Storage>(broker: &mut Broker<S>, seed: u64, filter: EventFilter) -> Record {
    let t0 = Instant::ZERO;
    broker.set_event_filter(filter);
    broker
        .declare_queue(t0, "dlq", QueueConfig::default())
        .unwrap();
    let cfg = QueueConfig::default()
        .with_max_length(40)
        .with_max_deliveries(3)
        .with_dead_letter_queue("dlq")
        .with_visibility_timeout(Duration::from_millis(50))
        .with_message_ttl(Duration::from_millis(400));
    broker.declare_queue(t0, "work", cfg).unwrap();
    let ids: Vec<ConsumerId> = [(1, "a"), (3, "b"), (0, "c")]
        .iter()
        .map(|&(p, n)| {
            broker
                .consume(t0, "work", n, ConsumerConfig::default().with_prefetch(p))
                .unwrap()
        })
        .collect();
    let mut held: Vec<Vec<Delivery>> = vec![Vec::new(); ids.len()];
    let mut rec = Record {
        events: Vec::new(),
        deliveries: Vec::new(),
        stats: Vec::new(),
    };
    let mut rng = Lcg(seed);
    let mut now = 0;
    for step in 0..600 {
        now += rng.below(8);
        let at = Instant::from_millis(now);
        let c = rng.below(ids.len() as u64) as usize;
        match rng.below(10) {
            0..=2 => {
                let _ = broker.publish(at, Publish::to_queue("work", format!("m{step}")));
            }
            3 => {
                let n = 1 + rng.below(20) as usize;
                let _ =
                    broker.publish_batch(at, "", "work", (0..n).map(|i| format!("b{step}.{i}")));
            }
            4 | 5 if !held[c].is_empty() => {
                let i = rng.below(held[c].len() as u64) as usize;
                let d = held[c].remove(i);
                let _ = broker.ack(at, ids[c], d.delivery);
            }
            6 if !held[c].is_empty() => {
                let i = rng.below(held[c].len() as u64) as usize;
                let d = held[c].drain(..=i).next_back().unwrap();
                let _ = broker.ack_multiple(at, ids[c], d.delivery);
            }
            7 if !held[c].is_empty() => {
                let d = held[c].remove(0);
                let _ = broker.nack(at, ids[c], d.delivery, rng.below(2) == 0);
            }
            8 => {
                if broker.crash_consumer(at, ids[c]).is_err() {
                    broker.restart_consumer(at, ids[c]).unwrap();
                }
                held[c].clear();
            }
            _ => broker.handle_timeout(at),
        }
        drain(broker, &mut rec, &mut held, &ids);
        if step % 50 == 49 {
            broker.flush().expect("flush");
        }
        for q in broker.queues() {
            rec.stats.push(format!("{:?}", broker.queue_stats(q)));
        }
        for &c in &ids {
            rec.stats.push(format!("{:?}", broker.unacked(c)));
        }
    }
    rec
}

fn filters_change_what_is_recorded_not_what_happens<S: Backend>() {
    let filters = [
        EventFilter::NONE,
        EventFilter::ALL
            .without(EventKind::Published)
            .without(EventKind::Routed)
            .without(EventKind::Enqueued),
        EventFilter::ALL.without(EventKind::Delivered),
        EventFilter::NONE
            .with(EventKind::Acked)
            .with(EventKind::DeadLettered),
    ];
    for seed in 1..=8 {
        let all = run::<S>(seed, EventFilter::ALL);
        assert!(all.events.iter().any(|e| matches!(e, Event::Acked { .. })));
        assert!(
            all.events
                .iter()
                .any(|e| matches!(e, Event::DeadLettered { .. }))
        );
        for filter in filters {
            let got = run::<S>(seed, filter);
            let want: Vec<Event> = all
                .events
                .iter()
                .filter(|e| filter.contains(e.kind()))
                .cloned()
                .collect();
            assert_eq!(got.events, want, "{}: seed {seed}, {filter:?}", S::NAME);
            assert_eq!(
                got.deliveries,
                all.deliveries,
                "{}: seed {seed}, {filter:?}",
                S::NAME
            );
            assert_eq!(got.stats, all.stats, "{}: seed {seed}, {filter:?}", S::NAME);
        }
    }
}

fn ack_multiple_acks_the_outstanding_prefix_in_order<S: Storage>(
    broker: &mut Broker<S>,
) -> Result<(), Error> {
    let now = Instant::ZERO;
    broker
        .declare_queue(now, "q", QueueConfig::default())
        .unwrap();
    let c = broker
        .consume(now, "q", "c", ConsumerConfig::default())
        .unwrap();
    while broker.poll_event().is_some() {}
    broker.set_event_filter(EventFilter::NONE.with(EventKind::Acked));
    broker
        .publish_batch(now, "", "q", ["0", "1", "2", "3", "4", "5"])
        .unwrap();
    let mut ds = Vec::new();
    assert_eq!(broker.poll_deliveries(4, &mut ds), 4);
    assert_eq!(broker.pending_deliveries(), 2);
    assert_eq!(broker.poll_deliveries(10, &mut ds), 2);
    // Ack the second one alone, then everything up to the fifth: 1, 3 and 4 (2 was acked).
    broker.ack(now, c, ds[1].delivery).unwrap();
    assert_eq!(broker.ack_multiple(now, c, ds[4].delivery).unwrap(), 4);
    let acked: Vec<String> = std::iter::from_fn(|| broker.poll_event())
        .map(|e| e.to_string())
        .collect();
    assert_eq!(
        acked,
        [
            "acked m2 c1 d2",
            "acked m1 c1 d1",
            "acked m3 c1 d3",
            "acked m4 c1 d4",
            "acked m5 c1 d5"
        ]
    );
    assert!(broker.ack_multiple(now, c, ds[4].delivery).is_err());
    let q = broker.queue_id("q").unwrap();
    assert_eq!(broker.queue_stats(q).unwrap().unacked, 1);
    assert_eq!(backend::records_held(broker.storage()), 1);
    assert_eq!(broker.ack_multiple(now, c, ds[5].delivery).unwrap(), 1);
    assert_eq!(backend::records_held(broker.storage()), 0);
    Ok(())
}

on_every_backend! {
    broker: ack_multiple_acks_the_outstanding_prefix_in_order;
    generic: filters_change_what_is_recorded_not_what_happens;
}
