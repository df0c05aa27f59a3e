//! Streams against a plain `Vec`, one thread, 100-byte records:
//! - append: `produce` of 10,000 keyless records to one partition (events drained) against
//!   pushing the same bytes (`Vec<u8>` per record) into a `Vec`;
//! - sequential poll: reading those 10,000 records back with `poll(max = 500)` against
//!   iterating the `Vec`.
//!
//! Criterion reports each case (short settings, configured in code); a closing side-by-side
//! pass prints the ratios BENCHMARKS.md quotes (baseline time ÷ brokerlab time, so ≥ 0.5 meets
//! the append goal). Run: `cargo bench -p brokerlab --bench streams`.

#![allow(missing_docs)]

use std::hint::black_box;
use std::time::{Duration as StdDuration, Instant as StdInstant};

use brokerlab::{
    Broker, Instant, MemoryStorage, OffsetReset, StreamConfig, StreamConsumerConfig,
    StreamConsumerId,
};
use criterion::{BatchSize, Criterion, Throughput, criterion_group};

const RECORD: [u8; 100] = [7; 100];
const N: usize = 10_000;
const POLL_MAX: usize = 500;

fn fresh() -> Broker {
    let mut b = Broker::new(MemoryStorage::new());
    b.declare_stream(Instant::ZERO, "s", StreamConfig::new(1))
        .unwrap();
    while b.poll_event().is_some() {}
    b
}

fn append(b: &mut Broker) {
    for _ in 0..N {
        b.produce(Instant::ZERO, "s", None, &RECORD).unwrap();
        while let Some(e) = b.poll_event() {
            black_box(e);
        }
    }
}

fn vec_push(v: &mut Vec<Vec<u8>>) {
    for _ in 0..N {
        v.push(RECORD.to_vec());
    }
}

fn filled() -> (Broker, StreamConsumerId) {
    let mut b = fresh();
    append(&mut b);
    let cfg = StreamConsumerConfig::default().with_auto_offset_reset(OffsetReset::Earliest);
    let c = b.stream_consumer(Instant::ZERO, "s", "c", cfg).unwrap();
    while b.poll_event().is_some() {}
    (b, c)
}

fn poll_all(b: &mut Broker, c: StreamConsumerId) -> usize {
    let mut n = 0;
    loop {
        let got = b.poll(Instant::ZERO, c, POLL_MAX).unwrap();
        while let Some(e) = b.poll_event() {
            black_box(e);
        }
        if got.is_empty() {
            return n;
        }
        for r in &got {
            n += black_box(r.payload.len());
        }
    }
}

fn iterate(v: &[Vec<u8>]) -> usize {
    v.iter().map(|r| black_box(r.len())).sum()
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("streams");
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function("append 10k x 100 B to one partition", |bch| {
        bch.iter_batched(fresh, |mut b| append(&mut b), BatchSize::LargeInput);
    });
    g.bench_function("Vec push 10k x 100 B (baseline)", |bch| {
        bch.iter_batched(Vec::new, |mut v| vec_push(&mut v), BatchSize::LargeInput);
    });
    g.bench_function("sequential poll 10k (max 500)", |bch| {
        bch.iter_batched(
            filled,
            |(mut b, c)| poll_all(&mut b, c),
            BatchSize::LargeInput,
        );
    });
    let mut v = Vec::new();
    vec_push(&mut v);
    g.bench_function("iterate Vec 10k (baseline)", |bch| {
        bch.iter(|| iterate(&v));
    });
    g.finish();
}

/// Median time of `rounds` runs of `f` on a fresh input from `setup`.
fn median<T>(rounds: usize, mut setup: impl FnMut() -> T, mut f: impl FnMut(T)) -> f64 {
    let mut times: Vec<f64> = (0..rounds)
        .map(|_| {
            let input = setup();
            let start = StdInstant::now();
            f(input);
            start.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[rounds / 2]
}

fn ratios() {
    let rounds = 31;
    let append_t = median(rounds, fresh, |mut b| append(&mut b));
    let push_t = median(rounds, Vec::new, |mut v| vec_push(&mut v));
    let poll_t = median(rounds, filled, |(mut b, c)| {
        black_box(poll_all(&mut b, c));
    });
    let mut v = Vec::new();
    vec_push(&mut v);
    let iter_t = median(
        rounds,
        || (),
        |()| {
            black_box(iterate(&v));
        },
    );
    let ns = |t: f64| t * 1e9 / N as f64;
    println!("\nside by side, median of {rounds} rounds of {N} records of 100 bytes:");
    println!(
        "  append (produce, events drained)  {:>8.1} ns/record",
        ns(append_t)
    );
    println!(
        "  Vec push (baseline)               {:>8.1} ns/record",
        ns(push_t)
    );
    println!(
        "  append ratio (Vec / append)       {:>8.2}",
        push_t / append_t
    );
    println!(
        "  sequential poll (max {POLL_MAX})         {:>8.1} ns/record",
        ns(poll_t)
    );
    println!(
        "  iterate Vec (baseline)            {:>8.1} ns/record",
        ns(iter_t)
    );
    println!(
        "  poll ratio (Vec / poll)           {:>8.3}",
        iter_t / poll_t
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(StdDuration::from_millis(500))
        .measurement_time(StdDuration::from_secs(2))
        .sample_size(10);
    targets = bench
}

fn main() {
    if !std::env::args().any(|a| a == "--ratios-only") {
        benches();
        Criterion::default().configure_from_args().final_summary();
    }
    ratios();
}
