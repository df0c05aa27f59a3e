//! Throughput of the three patterns against in-process baselines, one thread, 64-byte payloads.
//!
//! - queue: publish → deliver → ack through one queue, message by message and in batches
//!   (`publish_batch` + one `ack_multiple`), each with every event recorded (the default) and
//!   with `EventFilter::NONE` (deliveries drained with `poll_delivery`/`poll_deliveries`, no
//!   other event recorded), against `crossbeam-channel` unbounded send + recv and `VecDeque`
//!   push + pop;
//! - fan-out to 3 queues and pub/sub to 3 subscribers, against sending the same shared
//!   payload through 3 crossbeam channels.
//!
//! Criterion reports each case; a closing pass times every case side by side in the same run
//! and prints the ratios (broker throughput ÷ baseline throughput) that BENCHMARKS.md quotes.
//! Run: `cargo bench -p brokerlab --bench throughput`.

#![allow(missing_docs)]

use std::collections::VecDeque;
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant as StdInstant};

use brokerlab::{
    Broker, ConsumerConfig, ConsumerId, Delivery, DeliveryTag, Event, EventFilter, ExchangeKind,
    Instant, MemoryStorage, Publish, QueueConfig, Received, SubscriptionConfig, SubscriptionId,
};
use criterion::{Criterion, Throughput, criterion_group};

const PAYLOAD: [u8; 64] = [7; 64];
const BATCH: usize = 1000;

/// One queue with one consumer (unlimited prefetch).
struct QueueCase {
    broker: Broker,
    consumer: ConsumerId,
    tags: Vec<DeliveryTag>,
    deliveries: Vec<Delivery>,
}

impl QueueCase {
    /// Every event recorded (the default filter).
    fn new() -> Self {
        let mut broker = Broker::new(MemoryStorage::new());
        let now = Instant::ZERO;
        broker
            .declare_queue(now, "work", QueueConfig::default())
            .unwrap();
        let consumer = broker
            .consume(now, "work", "w", ConsumerConfig::default())
            .unwrap();
        while broker.poll_event().is_some() {}
        QueueCase {
            broker,
            consumer,
            tags: Vec::with_capacity(BATCH),
            deliveries: Vec::with_capacity(BATCH),
        }
    }

    /// No event recorded; deliveries go to the delivery buffer.
    fn deliveries_only() -> Self {
        let mut case = Self::new();
        case.broker.set_event_filter(EventFilter::NONE);
        case
    }

    /// Publish, take the delivery, ack: one message at a time, deliveries only.
    fn one_by_one_filtered(&mut self, n: usize) {
        let now = Instant::ZERO;
        for _ in 0..n {
            self.broker
                .publish(now, Publish::to_queue("work", &PAYLOAD))
                .unwrap();
            let d = self.broker.poll_delivery().unwrap();
            let tag = d.delivery;
            black_box(d.payload);
            self.broker.ack(now, self.consumer, tag).unwrap();
        }
    }

    /// Publish batches of `batch` messages, take each batch's deliveries in one call, ack
    /// them all with one `ack_multiple`; deliveries only.
    fn batched_filtered(&mut self, n: usize, batch: usize) {
        let mut left = n;
        while left > 0 {
            let k = left.min(batch);
            self.batch_filtered(k);
            left -= k;
        }
    }

    fn batch_filtered(&mut self, n: usize) {
        let now = Instant::ZERO;
        self.deliveries.clear();
        self.broker
            .publish_batch(now, "", "work", (0..n).map(|_| &PAYLOAD))
            .unwrap();
        self.broker.poll_deliveries(n, &mut self.deliveries);
        let last = self.deliveries.last().unwrap().delivery;
        for d in self.deliveries.drain(..) {
            black_box(d.payload);
        }
        self.broker.ack_multiple(now, self.consumer, last).unwrap();
    }

    /// Publish, take the delivery, ack: one message at a time.
    fn one_by_one(&mut self, n: usize) {
        let now = Instant::ZERO;
        for _ in 0..n {
            self.broker
                .publish(now, Publish::to_queue("work", &PAYLOAD))
                .unwrap();
            let mut tag = None;
            while let Some(e) = self.broker.poll_event() {
                if let Event::Delivered {
                    delivery, payload, ..
                } = e
                {
                    black_box(payload);
                    tag = Some(delivery);
                }
            }
            self.broker.ack(now, self.consumer, tag.unwrap()).unwrap();
            while let Some(e) = self.broker.poll_event() {
                black_box(e);
            }
        }
    }

    /// Publish a batch, take the deliveries, ack them all with one `ack_multiple`.
    fn batched(&mut self, n: usize) {
        let now = Instant::ZERO;
        self.tags.clear();
        self.broker
            .publish_batch(now, "", "work", (0..n).map(|_| &PAYLOAD))
            .unwrap();
        while let Some(e) = self.broker.poll_event() {
            if let Event::Delivered {
                delivery, payload, ..
            } = e
            {
                black_box(payload);
                self.tags.push(delivery);
            }
        }
        let last = *self.tags.last().unwrap();
        self.broker.ack_multiple(now, self.consumer, last).unwrap();
        while let Some(e) = self.broker.poll_event() {
            black_box(e);
        }
    }
}

fn crossbeam_queue(
    n: usize,
    tx: &crossbeam_channel::Sender<Vec<u8>>,
    rx: &crossbeam_channel::Receiver<Vec<u8>>,
) {
    for _ in 0..n {
        tx.send(PAYLOAD.to_vec()).unwrap();
        black_box(rx.recv().unwrap());
    }
}

fn vecdeque_queue(n: usize, q: &mut VecDeque<Vec<u8>>) {
    for _ in 0..n {
        q.push_back(PAYLOAD.to_vec());
        black_box(q.pop_front().unwrap());
    }
}

/// A fanout exchange to 3 queues, one consumer each.
struct FanoutCase {
    broker: Broker,
    pending: Vec<(ConsumerId, DeliveryTag)>,
}

impl FanoutCase {
    fn new() -> Self {
        let mut broker = Broker::new(MemoryStorage::new());
        let now = Instant::ZERO;
        broker
            .declare_exchange(now, "fan", ExchangeKind::Fanout)
            .unwrap();
        for q in ["q1", "q2", "q3"] {
            broker
                .declare_queue(now, q, QueueConfig::default())
                .unwrap();
            broker.bind(now, "fan", q, "").unwrap();
            broker
                .consume(now, q, &format!("{q}-c"), ConsumerConfig::default())
                .unwrap();
        }
        while broker.poll_event().is_some() {}
        FanoutCase {
            broker,
            pending: Vec::with_capacity(3),
        }
    }

    fn run(&mut self, n: usize) {
        let now = Instant::ZERO;
        for _ in 0..n {
            self.broker
                .publish(now, Publish::new("fan", "", &PAYLOAD))
                .unwrap();
            while let Some(e) = self.broker.poll_event() {
                if let Event::Delivered {
                    consumer, delivery, ..
                } = e
                {
                    self.pending.push((consumer, delivery));
                }
            }
            for (c, d) in self.pending.drain(..) {
                self.broker.ack(now, c, d).unwrap();
            }
            while let Some(e) = self.broker.poll_event() {
                black_box(e);
            }
        }
    }
}

/// A fanout exchange to 3 subscriptions.
struct PubSubCase {
    broker: Broker,
    subs: Vec<SubscriptionId>,
}

impl PubSubCase {
    fn new() -> Self {
        let mut broker = Broker::new(MemoryStorage::new());
        let now = Instant::ZERO;
        broker
            .declare_exchange(now, "news", ExchangeKind::Fanout)
            .unwrap();
        let subs = (0..3)
            .map(|i| {
                broker
                    .subscribe(
                        now,
                        "news",
                        "",
                        &format!("s{i}"),
                        SubscriptionConfig::default(),
                    )
                    .unwrap()
            })
            .collect();
        while broker.poll_event().is_some() {}
        PubSubCase { broker, subs }
    }

    fn run(&mut self, n: usize) {
        let now = Instant::ZERO;
        for _ in 0..n {
            self.broker
                .publish(now, Publish::new("news", "", &PAYLOAD))
                .unwrap();
            for &s in &self.subs {
                match self.broker.receive(now, s).unwrap() {
                    Some(Received::Message { payload, .. }) => {
                        black_box(payload);
                    }
                    other => panic!("unexpected {other:?}"),
                }
            }
            while let Some(e) = self.broker.poll_event() {
                black_box(e);
            }
        }
    }
}

type Chan = (
    crossbeam_channel::Sender<Arc<[u8]>>,
    crossbeam_channel::Receiver<Arc<[u8]>>,
);

fn crossbeam_fan3(n: usize, chans: &[Chan]) {
    for _ in 0..n {
        let p: Arc<[u8]> = Arc::from(&PAYLOAD[..]);
        for (tx, _) in chans {
            tx.send(p.clone()).unwrap();
        }
        for (_, rx) in chans {
            black_box(rx.recv().unwrap());
        }
    }
}

fn channels(k: usize) -> Vec<Chan> {
    (0..k).map(|_| crossbeam_channel::unbounded()).collect()
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("queue_64B");
    g.throughput(Throughput::Elements(BATCH as u64));
    let mut q = QueueCase::new();
    g.bench_function("brokerlab publish-deliver-ack", |b| {
        b.iter(|| q.one_by_one(BATCH))
    });
    let mut q = QueueCase::new();
    g.bench_function("brokerlab batch publish + ack_multiple", |b| {
        b.iter(|| q.batched(BATCH))
    });
    let mut q = QueueCase::deliveries_only();
    g.bench_function("brokerlab publish-deliver-ack, deliveries only", |b| {
        b.iter(|| q.one_by_one_filtered(BATCH))
    });
    let mut q = QueueCase::deliveries_only();
    g.bench_function(
        "brokerlab batch + poll_deliveries + ack_multiple, deliveries only",
        |b| b.iter(|| q.batched_filtered(BATCH, BATCH)),
    );
    let (tx, rx) = crossbeam_channel::unbounded();
    g.bench_function("crossbeam-channel send+recv", |b| {
        b.iter(|| crossbeam_queue(BATCH, &tx, &rx))
    });
    let mut dq = VecDeque::new();
    g.bench_function("VecDeque push+pop", |b| {
        b.iter(|| vecdeque_queue(BATCH, &mut dq))
    });
    g.finish();

    let mut g = c.benchmark_group("fanout3_64B");
    g.throughput(Throughput::Elements(BATCH as u64));
    let mut f = FanoutCase::new();
    g.bench_function("brokerlab fanout to 3 queues + acks", |b| {
        b.iter(|| f.run(BATCH))
    });
    let mut p = PubSubCase::new();
    g.bench_function("brokerlab pubsub to 3 subscribers", |b| {
        b.iter(|| p.run(BATCH))
    });
    let ch = channels(3);
    g.bench_function("crossbeam-channel 3 x send+recv", |b| {
        b.iter(|| crossbeam_fan3(BATCH, &ch))
    });
    g.finish();
}

/// A case of the side-by-side pass: its name and a closure running it for `n` messages.
type Case<'a> = (&'static str, Box<dyn FnMut(usize) + 'a>);

/// Median nanoseconds per message of every case. Rounds are interleaved (round 1 of every
/// case, then round 2, …) so that a noisy neighbour on a shared machine slows all cases alike
/// instead of one of them.
fn ns_per_msg(cases: &mut [Case<'_>], rounds: usize, round: StdDuration) -> Vec<f64> {
    for (_, f) in cases.iter_mut() {
        f(BATCH * 10);
    }
    let mut samples = vec![Vec::new(); cases.len()];
    for _ in 0..rounds {
        for (i, (_, f)) in cases.iter_mut().enumerate() {
            let start = StdInstant::now();
            let mut n = 0;
            while start.elapsed() < round {
                f(BATCH);
                n += BATCH;
            }
            samples[i].push(start.elapsed().as_nanos() as f64 / n as f64);
        }
    }
    samples
        .into_iter()
        .map(|mut s| {
            s.sort_by(f64::total_cmp);
            s[s.len() / 2]
        })
        .collect()
}

fn ratios() {
    let mut q1 = QueueCase::new();
    let mut q2 = QueueCase::new();
    let mut q3 = QueueCase::deliveries_only();
    let mut q4 = QueueCase::deliveries_only();
    let mut q5 = QueueCase::deliveries_only();
    let mut q6 = QueueCase::deliveries_only();
    let (tx, rx) = crossbeam_channel::unbounded();
    let mut dq = VecDeque::new();
    let mut f = FanoutCase::new();
    let mut p = PubSubCase::new();
    let ch = channels(3);
    let mut cases: Vec<Case<'_>> = vec![
        (
            "crossbeam-channel unbounded send+recv",
            Box::new(|n| crossbeam_queue(n, &tx, &rx)),
        ),
        (
            "VecDeque push+pop",
            Box::new(|n| vecdeque_queue(n, &mut dq)),
        ),
        (
            "queue one by one, all events",
            Box::new(|n| q1.one_by_one(n)),
        ),
        (
            "queue one by one, deliveries only",
            Box::new(|n| q3.one_by_one_filtered(n)),
        ),
        (
            "queue batch + ack_multiple, all events",
            Box::new(|n| q2.batched(n)),
        ),
        (
            "queue batch 1000 + poll_deliveries, deliveries only",
            Box::new(|n| q4.batched_filtered(n, 1000)),
        ),
        (
            "queue batch 100 + poll_deliveries, deliveries only",
            Box::new(|n| q5.batched_filtered(n, 100)),
        ),
        (
            "queue batch 10 + poll_deliveries, deliveries only",
            Box::new(|n| q6.batched_filtered(n, 10)),
        ),
        (
            "crossbeam-channel 3 x send+recv",
            Box::new(|n| crossbeam_fan3(n, &ch)),
        ),
        ("fan-out to 3 queues (+3 acks)", Box::new(|n| f.run(n))),
        ("pub/sub to 3 subscribers", Box::new(|n| p.run(n))),
    ];
    let ns = ns_per_msg(&mut cases, 9, StdDuration::from_millis(150));
    let names: Vec<&str> = cases.iter().map(|c| c.0).collect();
    drop(cases);

    println!(
        "\n== side-by-side (median ns per message over 9 interleaved rounds; \
         ratio = baseline time / brokerlab time) =="
    );
    let (xbeam, vdq, xfan) = (ns[0], ns[1], ns[8]);
    for (i, (&name, &t)) in names.iter().zip(&ns).enumerate() {
        let vs = match i {
            2..=7 => format!(
                "ratio vs crossbeam {:.2}, vs VecDeque {:.2}",
                xbeam / t,
                vdq / t
            ),
            9 | 10 => format!("ratio vs crossbeam x3 {:.2}", xfan / t),
            _ => String::from("(baseline)"),
        };
        println!("{name:<48} {t:>7.1} ns  {:>6.2} Mmsg/s  {vs}", 1e3 / t);
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(StdDuration::from_secs(1))
        .measurement_time(StdDuration::from_secs(2))
        .sample_size(10);
    targets = bench
}

/// Runs one queue case for `rounds` × 1000 messages (default 100) and nothing else, for a
/// profiler: `valgrind --tool=callgrind target/release/deps/throughput-* --profile
/// batch-filtered` or `perf record … --profile batch-filtered 10000`.
fn profile(case: &str, rounds: usize) {
    let n = rounds * BATCH;
    match case {
        "one-by-one" => QueueCase::new().one_by_one(n),
        "batch" => (0..rounds).for_each({
            let mut q = QueueCase::new();
            move |_| q.batched(BATCH)
        }),
        "one-by-one-filtered" => QueueCase::deliveries_only().one_by_one_filtered(n),
        "batch-filtered" => (0..rounds).for_each({
            let mut q = QueueCase::deliveries_only();
            move |_| q.batched_filtered(BATCH, BATCH)
        }),
        "crossbeam" => {
            let (tx, rx) = crossbeam_channel::unbounded();
            crossbeam_queue(n, &tx, &rx);
        }
        other => panic!("unknown case {other}"),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--profile") {
        let rounds = args.get(i + 2).map_or(100, |r| r.parse().expect("rounds"));
        return profile(&args[i + 1], rounds);
    }
    let quick = std::env::args().any(|a| a == "--ratios-only");
    if !quick {
        benches();
        Criterion::default().configure_from_args().final_summary();
    }
    ratios();
}
