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
//!
//! One file on purpose (about 780 lines): every case and its baseline share the setup and the
//! interleaved side-by-side pass, so each ratio is read with both of its sides.

#![allow(missing_docs)]

use std::collections::VecDeque;
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant as StdInstant};

use brokerlab::{
    Broker, ConsumerConfig, ConsumerId, Delivery, DeliveryTag, Event, EventFilter, ExchangeId,
    ExchangeKind, Instant, MemoryStorage, PayloadArena, Publish, QueueConfig, QueueId, Received,
    SubscriptionConfig, SubscriptionId,
};
use criterion::{Criterion, Throughput, criterion_group};

const PAYLOAD: [u8; 64] = [7; 64];
const BATCH: usize = 1000;

/// One queue with one consumer (unlimited prefetch).
struct QueueCase {
    broker: Broker,
    queue: QueueId,
    consumer: ConsumerId,
    tags: Vec<DeliveryTag>,
    deliveries: Vec<Delivery>,
}

impl QueueCase {
    /// Every event recorded (the default filter).
    fn new() -> Self {
        let mut broker = Broker::new(MemoryStorage::new());
        let now = Instant::ZERO;
        let queue = broker
            .declare_queue(now, "work", QueueConfig::default())
            .unwrap();
        let consumer = broker
            .consume(now, "work", "w", ConsumerConfig::default())
            .unwrap();
        while broker.poll_event().is_some() {}
        QueueCase {
            broker,
            queue,
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

    /// `publish_to` by queue id, take the delivery, ack: one message at a time, deliveries
    /// only.
    fn one_by_one_by_id_filtered(&mut self, n: usize) {
        let now = Instant::ZERO;
        for _ in 0..n {
            self.broker.publish_to(now, self.queue, &PAYLOAD).unwrap();
            let d = self.broker.poll_delivery().unwrap();
            let tag = d.delivery;
            black_box(d.payload);
            self.broker.ack(now, self.consumer, tag).unwrap();
        }
    }

    /// `publish_to` by queue id, take the delivery from the events, ack: one message at a
    /// time, every event recorded.
    fn one_by_one_by_id(&mut self, n: usize) {
        let now = Instant::ZERO;
        for _ in 0..n {
            self.broker.publish_to(now, self.queue, &PAYLOAD).unwrap();
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

    /// As [`batched_filtered`](Self::batched_filtered) with batches of 1000, but each payload
    /// is copied into a `PayloadArena` (a shared 8 KiB buffer) instead of a buffer of its own:
    /// no allocation per message, and handing a copy to the consumer is a reference count.
    fn batched_arena(&mut self, n: usize, arena: &mut PayloadArena) {
        let now = Instant::ZERO;
        let mut left = n;
        while left > 0 {
            let k = left.min(BATCH);
            left -= k;
            self.deliveries.clear();
            self.broker
                .publish_batch_to(now, self.queue, (0..k).map(|_| arena.alloc(&PAYLOAD)))
                .unwrap();
            self.broker.poll_deliveries(k, &mut self.deliveries);
            let last = self.deliveries.last().unwrap().delivery;
            for d in self.deliveries.drain(..) {
                black_box(d.payload);
            }
            self.broker.ack_multiple(now, self.consumer, last).unwrap();
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
    exchange: ExchangeId,
    consumers: Vec<ConsumerId>,
    pending: Vec<(ConsumerId, DeliveryTag)>,
    deliveries: Vec<Delivery>,
}

impl FanoutCase {
    fn new() -> Self {
        let mut broker = Broker::new(MemoryStorage::new());
        let now = Instant::ZERO;
        let exchange = broker
            .declare_exchange(now, "fan", ExchangeKind::Fanout)
            .unwrap();
        let mut consumers = Vec::new();
        for q in ["q1", "q2", "q3"] {
            broker
                .declare_queue(now, q, QueueConfig::default())
                .unwrap();
            broker.bind(now, "fan", q, "").unwrap();
            consumers.push(
                broker
                    .consume(now, q, &format!("{q}-c"), ConsumerConfig::default())
                    .unwrap(),
            );
        }
        while broker.poll_event().is_some() {}
        FanoutCase {
            broker,
            exchange,
            consumers,
            pending: Vec::with_capacity(3),
            deliveries: Vec::with_capacity(3 * BATCH),
        }
    }

    /// No event recorded; deliveries go to the delivery buffer.
    fn deliveries_only() -> Self {
        let mut case = Self::new();
        case.broker.set_event_filter(EventFilter::NONE);
        case
    }

    /// `publish_to` by exchange id, the 3 deliveries from the delivery buffer, 3 acks: one
    /// message at a time, deliveries only.
    fn run_by_id_filtered(&mut self, n: usize) {
        let now = Instant::ZERO;
        for _ in 0..n {
            self.broker
                .publish_to(now, self.exchange, &PAYLOAD)
                .unwrap();
            while let Some(d) = self.broker.poll_delivery() {
                self.broker.ack(now, d.consumer, d.delivery).unwrap();
                black_box(d.payload);
            }
        }
    }

    /// `publish_batch_to` by exchange id in batches of `batch`, each batch's deliveries in
    /// one `poll_deliveries`, one `ack_multiple` per consumer; deliveries only.
    fn batched_filtered(&mut self, n: usize, batch: usize) {
        let now = Instant::ZERO;
        let mut left = n;
        while left > 0 {
            let k = left.min(batch);
            left -= k;
            self.broker
                .publish_batch_to(now, self.exchange, (0..k).map(|_| &PAYLOAD))
                .unwrap();
            self.deliveries.clear();
            self.broker
                .poll_deliveries(usize::MAX, &mut self.deliveries);
            // Deliveries go to q1, q2, q3 in turn: the last three are each consumer's last.
            let last = &self.deliveries[self.deliveries.len() - 3..];
            self.pending
                .extend(last.iter().map(|d| (d.consumer, d.delivery)));
            for d in self.deliveries.drain(..) {
                black_box(d.payload);
            }
            for (c, d) in self.pending.drain(..) {
                self.broker.ack_multiple(now, c, d).unwrap();
            }
        }
        black_box(&self.consumers);
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
    exchange: ExchangeId,
    subs: Vec<SubscriptionId>,
}

impl PubSubCase {
    fn new() -> Self {
        Self::with_inbox(SubscriptionConfig::default())
    }

    /// Inboxes of `BATCH` messages, no event recorded.
    fn batch_ready() -> Self {
        let mut case = Self::with_inbox(SubscriptionConfig::default().with_capacity(BATCH));
        case.broker.set_event_filter(EventFilter::NONE);
        case
    }

    /// `publish_batch_to` by exchange id in batches of 1000, then every subscription's
    /// messages; no event recorded.
    fn batched_filtered(&mut self, n: usize) {
        let now = Instant::ZERO;
        let mut left = n;
        while left > 0 {
            let k = left.min(BATCH);
            left -= k;
            self.broker
                .publish_batch_to(now, self.exchange, (0..k).map(|_| &PAYLOAD))
                .unwrap();
            for &s in &self.subs {
                for _ in 0..k {
                    match self.broker.receive(now, s).unwrap() {
                        Some(Received::Message { payload, .. }) => {
                            black_box(payload);
                        }
                        other => panic!("unexpected {other:?}"),
                    }
                }
            }
        }
    }

    fn with_inbox(config: SubscriptionConfig) -> Self {
        let mut broker = Broker::new(MemoryStorage::new());
        let now = Instant::ZERO;
        let exchange = broker
            .declare_exchange(now, "news", ExchangeKind::Fanout)
            .unwrap();
        let subs = (0..3)
            .map(|i| {
                broker
                    .subscribe(now, "news", "", &format!("s{i}"), config)
                    .unwrap()
            })
            .collect();
        while broker.poll_event().is_some() {}
        PubSubCase {
            broker,
            exchange,
            subs,
        }
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
        "brokerlab publish_to by id-deliver-ack, deliveries only",
        |b| b.iter(|| q.one_by_one_by_id_filtered(BATCH)),
    );
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
    let mut f = FanoutCase::deliveries_only();
    g.bench_function(
        "brokerlab fanout by id to 3 queues + acks, deliveries only",
        |b| b.iter(|| f.run_by_id_filtered(BATCH)),
    );
    let mut f = FanoutCase::deliveries_only();
    g.bench_function(
        "brokerlab fanout batch by id + 3 ack_multiple, deliveries only",
        |b| b.iter(|| f.batched_filtered(BATCH, BATCH)),
    );
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

/// What a case of the side-by-side pass is compared with.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    /// The one-message baseline (crossbeam-channel send + recv).
    Base,
    /// Another baseline, printed only.
    Other,
    /// The three-channel baseline.
    Base3,
    /// A broker case against `Base`.
    Vs1,
    /// A broker case against `Base3`.
    Vs3,
}

fn ratios() {
    let mut q1 = QueueCase::new();
    let mut q2 = QueueCase::new();
    let mut q3 = QueueCase::deliveries_only();
    let mut q4 = QueueCase::deliveries_only();
    let mut q5 = QueueCase::deliveries_only();
    let mut q6 = QueueCase::deliveries_only();
    let mut q7 = QueueCase::new();
    let mut q8 = QueueCase::deliveries_only();
    let mut q9 = QueueCase::deliveries_only();
    let mut arena = PayloadArena::new();
    let (tx, rx) = crossbeam_channel::unbounded();
    let mut dq = VecDeque::new();
    let mut f = FanoutCase::new();
    let mut f2 = FanoutCase::deliveries_only();
    let mut f3 = FanoutCase::deliveries_only();
    let mut p = PubSubCase::new();
    let mut p2 = PubSubCase::batch_ready();
    let ch = channels(3);
    // The goals: (case, baseline kind, goal).
    const ONE_BY_ONE: &str = "queue one by one by id, deliveries only";
    const FAN_OUT: &str = "fan-out to 3 queues by id, deliveries only";
    const BATCHED: &str = "queue batch 1000 + poll_deliveries, deliveries only";
    let mut cases: Vec<(Kind, Case<'_>)> = vec![
        (
            Kind::Base,
            (
                "crossbeam-channel unbounded send+recv",
                Box::new(|n| crossbeam_queue(n, &tx, &rx)),
            ),
        ),
        (
            Kind::Other,
            (
                "VecDeque push+pop",
                Box::new(|n| vecdeque_queue(n, &mut dq)),
            ),
        ),
        (
            Kind::Vs1,
            (
                "queue one by one, all events",
                Box::new(|n| q1.one_by_one(n)),
            ),
        ),
        (
            Kind::Vs1,
            (
                "queue one by one, deliveries only",
                Box::new(|n| q3.one_by_one_filtered(n)),
            ),
        ),
        (
            Kind::Vs1,
            (
                "queue one by one by id, all events",
                Box::new(|n| q7.one_by_one_by_id(n)),
            ),
        ),
        (
            Kind::Vs1,
            (ONE_BY_ONE, Box::new(|n| q8.one_by_one_by_id_filtered(n))),
        ),
        (
            Kind::Vs1,
            (
                "queue batch + ack_multiple, all events",
                Box::new(|n| q2.batched(n)),
            ),
        ),
        (
            Kind::Vs1,
            (BATCHED, Box::new(|n| q4.batched_filtered(n, 1000))),
        ),
        (
            Kind::Vs1,
            (
                "queue batch 100 + poll_deliveries, deliveries only",
                Box::new(|n| q5.batched_filtered(n, 100)),
            ),
        ),
        (
            Kind::Vs1,
            (
                "queue batch 10 + poll_deliveries, deliveries only",
                Box::new(|n| q6.batched_filtered(n, 10)),
            ),
        ),
        (
            Kind::Vs1,
            (
                "queue batch 1000 by id, PayloadArena payloads, deliveries only",
                Box::new(|n| q9.batched_arena(n, &mut arena)),
            ),
        ),
        (
            Kind::Base3,
            (
                "crossbeam-channel 3 x send+recv",
                Box::new(|n| crossbeam_fan3(n, &ch)),
            ),
        ),
        (
            Kind::Vs3,
            (
                "fan-out to 3 queues (+3 acks), all events",
                Box::new(|n| f.run(n)),
            ),
        ),
        (Kind::Vs3, (FAN_OUT, Box::new(|n| f2.run_by_id_filtered(n)))),
        (
            Kind::Vs3,
            (
                "fan-out batch 1000 by id + 3 ack_multiple, deliveries only",
                Box::new(|n| f3.batched_filtered(n, BATCH)),
            ),
        ),
        (
            Kind::Vs3,
            (
                "pub/sub to 3 subscribers, all events",
                Box::new(|n| p.run(n)),
            ),
        ),
        (
            Kind::Vs3,
            (
                "pub/sub batch 1000 by id to 3, no events",
                Box::new(|n| p2.batched_filtered(n)),
            ),
        ),
    ];
    let kinds: Vec<Kind> = cases.iter().map(|c| c.0).collect();
    let mut timed: Vec<Case<'_>> = cases.drain(..).map(|c| c.1).collect();
    let ns = ns_per_msg(&mut timed, 9, StdDuration::from_millis(150));
    let names: Vec<&str> = timed.iter().map(|c| c.0).collect();
    drop(timed);

    println!(
        "\n== side-by-side (median ns per message over 9 interleaved rounds; \
         ratio = baseline time / brokerlab time) =="
    );
    let base = |k: Kind| ns[kinds.iter().position(|&x| x == k).unwrap()];
    let (xbeam, vdq, xfan) = (base(Kind::Base), base(Kind::Other), base(Kind::Base3));
    let mut ratio = Vec::new();
    for ((&name, &t), &kind) in names.iter().zip(&ns).zip(&kinds) {
        let vs = match kind {
            Kind::Vs1 => {
                ratio.push((name, xbeam / t));
                format!(
                    "ratio vs crossbeam {:.2}, vs VecDeque {:.2}",
                    xbeam / t,
                    vdq / t
                )
            }
            Kind::Vs3 => {
                ratio.push((name, xfan / t));
                format!("ratio vs crossbeam x3 {:.2}", xfan / t)
            }
            _ => String::from("(baseline)"),
        };
        println!("{name:<60} {t:>7.1} ns  {:>6.2} Mmsg/s  {vs}", 1e3 / t);
    }
    println!("\n== goals ==");
    for (case, goal) in [(ONE_BY_ONE, 0.5), (FAN_OUT, 0.3), (BATCHED, 1.0)] {
        let r = ratio.iter().find(|r| r.0 == case).unwrap().1;
        let met = if r >= goal { "met" } else { "NOT met" };
        println!("{case:<60} ratio {r:.2} (goal >= {goal:.1}: {met})");
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
        "by-id" => QueueCase::deliveries_only().one_by_one_by_id_filtered(n),
        "by-id-events" => QueueCase::new().one_by_one_by_id(n),
        "fanout" => FanoutCase::new().run(n),
        "fanout-by-id" => FanoutCase::deliveries_only().run_by_id_filtered(n),
        "fanout-batch" => FanoutCase::deliveries_only().batched_filtered(n, BATCH),
        "batch-arena" => QueueCase::deliveries_only().batched_arena(n, &mut PayloadArena::new()),
        "pubsub-batch" => PubSubCase::batch_ready().batched_filtered(n),
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
