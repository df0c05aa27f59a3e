//! Memory per queued message: publish N messages with 64-byte payloads to a queue nobody
//! consumes and count the heap bytes that stay allocated (a counting global allocator from
//! `stats_alloc`; no `unsafe` here). Events are drained as they come, so only what the queue
//! holds is counted. Run: `cargo bench -p brokerlab --bench memory`.
#![allow(missing_docs)]

use std::alloc::System;

use brokerlab::{
    Broker, ExchangeKind, Instant, MemoryStorage, Publish, QueueConfig, SubscriptionConfig,
};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const PAYLOAD: [u8; 64] = [7; 64];

fn net_bytes(region: &Region<'_, System>) -> i64 {
    let c = region.change();
    // `stats_alloc` already folds reallocations into these two totals.
    c.bytes_allocated as i64 - c.bytes_deallocated as i64
}

fn queue(n: u64) -> f64 {
    let mut broker = Broker::new(MemoryStorage::new());
    let now = Instant::ZERO;
    broker
        .declare_queue(now, "q", QueueConfig::default())
        .unwrap();
    while broker.poll_event().is_some() {}
    let region = Region::new(GLOBAL);
    for _ in 0..n {
        broker
            .publish(now, Publish::to_queue("q", &PAYLOAD))
            .unwrap();
        while broker.poll_event().is_some() {}
    }
    let per = net_bytes(&region) as f64 / n as f64;
    assert_eq!(broker.storage().record_count() as u64, n);
    per - PAYLOAD.len() as f64
}

fn fanout3(n: u64) -> f64 {
    let mut broker = Broker::new(MemoryStorage::new());
    let now = Instant::ZERO;
    broker
        .declare_exchange(now, "fan", ExchangeKind::Fanout)
        .unwrap();
    for q in ["a", "b", "c"] {
        broker
            .declare_queue(now, q, QueueConfig::default())
            .unwrap();
        broker.bind(now, "fan", q, "").unwrap();
    }
    while broker.poll_event().is_some() {}
    let region = Region::new(GLOBAL);
    for _ in 0..n {
        broker
            .publish(now, Publish::new("fan", "", &PAYLOAD))
            .unwrap();
        while broker.poll_event().is_some() {}
    }
    net_bytes(&region) as f64 / n as f64 - PAYLOAD.len() as f64
}

fn pubsub3(n: u64) -> f64 {
    let mut broker = Broker::new(MemoryStorage::new());
    let now = Instant::ZERO;
    broker
        .declare_exchange(now, "news", ExchangeKind::Fanout)
        .unwrap();
    let cap = n as usize;
    for s in ["a", "b", "c"] {
        broker
            .subscribe(
                now,
                "news",
                "",
                s,
                SubscriptionConfig::default().with_capacity(cap),
            )
            .unwrap();
    }
    while broker.poll_event().is_some() {}
    let region = Region::new(GLOBAL);
    for _ in 0..n {
        broker
            .publish(now, Publish::new("news", "", &PAYLOAD))
            .unwrap();
        while broker.poll_event().is_some() {}
    }
    net_bytes(&region) as f64 / n as f64 - PAYLOAD.len() as f64
}

fn main() {
    println!("heap bytes held per message beyond its 64-byte payload:");
    for n in [10u64, 100, 1_000, 10_000, 65_536, 100_000, 1_000_000] {
        println!("  queue,   {n:>7} ready messages: {:6.1} B", queue(n));
    }
    let n = 65_536;
    println!(
        "  fan-out to 3 queues, {n} messages: {:6.1} B per message (3 copies, 1 payload)",
        fanout3(n)
    );
    println!(
        "  pub/sub to 3 inboxes, {n} messages: {:6.1} B per message (3 copies, 1 payload)",
        pubsub3(n)
    );
}
