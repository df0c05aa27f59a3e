//! `publish_batch` is `publish` in a loop: for every kind of route and queue policy the two
//! give the same events, the same deliveries, the same state and the same error, with every
//! event recorded and with deliveries moved out of the events. Runs on both storage backends
//! (`memory::*` over `MemoryStorage`, `file::*` over `FileStorage`; see
//! `support/backend.rs`).

#[path = "support/backend.rs"]
mod backend;

use backend::Backend;
use brokerlab::{
    Broker, ConsumerConfig, Delivery, Duration, Event, EventFilter, ExchangeKind, Instant, Limits,
    Overflow, Publish, QueueConfig, Storage, SubscriptionConfig,
};

/// Builds the topology of case `case`: queue `q` (with the case's policy) and two consumers
/// with prefetch 2, a dead-letter queue with a consumer, a fanout exchange to `q`, `other` and
/// a subscription, and a topic exchange to `q`.
fn setup<S: Storage>(broker: &mut Broker<S>, case: usize) {
    let t0 = Instant::ZERO;
    let fair = ConsumerConfig::default().with_prefetch(2);
    broker
        .declare_queue(t0, "dlq", QueueConfig::default())
        .unwrap();
    let cfg = match case {
        0 => QueueConfig::default(),
        1 => QueueConfig::default()
            .with_max_length(5)
            .with_dead_letter_queue("dlq"),
        2 => QueueConfig::default()
            .with_max_length(3)
            .with_overflow(Overflow::RejectPublish),
        3 => QueueConfig::default()
            .with_message_ttl(Duration::from_millis(0))
            .with_dead_letter_queue("dlq"),
        _ => QueueConfig::default(),
    };
    broker.declare_queue(t0, "q", cfg).unwrap();
    broker
        .declare_queue(t0, "other", QueueConfig::default())
        .unwrap();
    broker.consume(t0, "q", "a", fair).unwrap();
    broker.consume(t0, "q", "b", fair).unwrap();
    broker
        .consume(t0, "dlq", "d", ConsumerConfig::default())
        .unwrap();
    broker
        .declare_exchange(t0, "fan", ExchangeKind::Fanout)
        .unwrap();
    broker.bind(t0, "fan", "q", "").unwrap();
    broker.bind(t0, "fan", "other", "").unwrap();
    broker
        .subscribe(
            t0,
            "fan",
            "",
            "s",
            SubscriptionConfig::default().with_capacity(4),
        )
        .unwrap();
    broker
        .declare_exchange(t0, "topic", ExchangeKind::Topic)
        .unwrap();
    broker.bind(t0, "topic", "q", "a.*").unwrap();
}

/// Where case `case` publishes: (exchange, routing key).
fn route(case: usize) -> (&'static str, &'static str) {
    match case {
        5 => ("fan", ""),
        6 => ("topic", "a.b"),
        _ => ("", "q"),
    }
}

#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    events: Vec<String>,
    deliveries: Vec<Delivery>,
    result: String,
    stats: String,
}

fn run<S: Backend>(case: usize, filter: EventFilter, batched: bool) -> Outcome {
    let limits = Limits {
        max_queue_messages: if case == 4 { 7 } else { 1 << 20 },
        ..Limits::default()
    };
    S::run("publish_batch", limits, |broker| {
        run_on(broker, case, filter, batched)
    })
}

fn run_on<S: Storage>(
    broker: &mut Broker<S>,
    case: usize,
    filter: EventFilter,
    batched: bool,
) -> Outcome {
    broker.set_event_filter(filter);
    setup(broker, case);
    let now = Instant::from_millis(10);
    let (exchange, key) = route(case);
    let payloads: Vec<String> = (0..12).map(|i| format!("p{i}")).collect();
    let result = if batched {
        broker
            .publish_batch(now, exchange, key, payloads.iter().map(String::as_str))
            .map(|b| b.count)
    } else {
        let mut count = 0;
        payloads
            .iter()
            .try_for_each(|p| {
                broker
                    .publish(now, Publish::new(exchange, key, p.as_str()))
                    .map(|_| count += 1)
            })
            .map(|()| count)
    };
    let events = std::iter::from_fn(|| broker.poll_event())
        .map(|e: Event| e.to_string())
        .collect();
    let mut deliveries = Vec::new();
    broker.poll_deliveries(usize::MAX, &mut deliveries);
    let stats = broker
        .queues()
        .map(|q| format!("{:?} {:?}", broker.queue_stats(q), broker.ready_messages(q)))
        .collect::<Vec<_>>()
        .join("; ");
    Outcome {
        events,
        deliveries,
        result: format!("{result:?}"),
        stats,
    }
}

fn publish_batch_equals_publish_in_a_loop<S: Backend>() {
    for case in 0..7 {
        for filter in [EventFilter::ALL, EventFilter::NONE] {
            let one_by_one = run::<S>(case, filter, false);
            let batched = run::<S>(case, filter, true);
            assert_eq!(batched, one_by_one, "{}: case {case}, {filter:?}", S::NAME);
        }
    }
    // The cases do reach their policies.
    let text = |case| run::<S>(case, EventFilter::ALL, true).events.join("\n");
    assert!(text(1).contains("dead-lettered"));
    assert!(text(2).contains("rejected"));
    assert!(text(3).contains("expired"));
    assert!(run::<S>(4, EventFilter::ALL, true).result.contains("Err"));
    assert!(text(5).contains("buffered"));
}

on_every_backend! {
    generic: publish_batch_equals_publish_in_a_loop;
}
