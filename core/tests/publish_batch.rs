//! `publish_batch` is `publish` in a loop, and the by-id `publish_to` and `publish_batch_to`
//! are the by-name calls: for every kind of route and queue policy the four give the same
//! events, the same deliveries, the same state and the same error, with every event recorded
//! and with deliveries moved out of the events. Runs on both storage backends
//! (`memory::*` over `MemoryStorage`, `file::*` over `FileStorage`; see
//! `support/backend.rs`).

#[path = "support/backend.rs"]
mod backend;

use backend::Backend;
use brokerlab::{
    Broker, ConsumerConfig, Delivery, Destination, Duration, Event, EventFilter, ExchangeId,
    ExchangeKind, Instant, Limits, Overflow, Publish, QueueConfig, Storage, SubscriptionConfig,
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

/// How the 12 messages are published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// `publish` by name, one by one.
    Publish,
    /// `publish_batch` by name.
    Batch,
    /// `publish_to` by id, one by one.
    PublishTo,
    /// `publish_batch_to` by id.
    BatchTo,
}

/// Where case `case` publishes, by id (case 7: the default exchange by id with the queue's
/// name as the key).
fn destination<S: Storage>(broker: &Broker<S>, case: usize) -> Destination<'static> {
    let (exchange, key) = route(case);
    match (case, exchange) {
        (7, _) => Destination::Exchange(ExchangeId::DEFAULT, key),
        (_, "") => Destination::Queue(broker.queue_id(key).unwrap()),
        _ => Destination::Exchange(broker.exchange_id(exchange).unwrap(), key),
    }
}

fn run<S: Backend>(case: usize, filter: EventFilter, mode: Mode) -> Outcome {
    let limits = Limits {
        max_queue_messages: if case == 4 { 7 } else { 1 << 20 },
        ..Limits::default()
    };
    S::run("publish_batch", limits, |broker| {
        run_on(broker, case, filter, mode)
    })
}

fn run_on<S: Storage>(
    broker: &mut Broker<S>,
    case: usize,
    filter: EventFilter,
    mode: Mode,
) -> Outcome {
    broker.set_event_filter(filter);
    setup(broker, case);
    let now = Instant::from_millis(10);
    let (exchange, key) = route(case);
    let payloads: Vec<String> = (0..12).map(|i| format!("p{i}")).collect();
    let to = destination(broker, case);
    let mut count = 0;
    let result = match mode {
        Mode::Batch => broker
            .publish_batch(now, exchange, key, payloads.iter().map(String::as_str))
            .map(|b| b.count),
        Mode::BatchTo => broker
            .publish_batch_to(now, to, payloads.iter().map(String::as_str))
            .map(|b| b.count),
        Mode::Publish => payloads
            .iter()
            .try_for_each(|p| {
                broker
                    .publish(now, Publish::new(exchange, key, p.as_str()))
                    .map(|_| count += 1)
            })
            .map(|()| count),
        Mode::PublishTo => payloads
            .iter()
            .try_for_each(|p| broker.publish_to(now, to, p.as_str()).map(|_| count += 1))
            .map(|()| count),
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
    for case in 0..8 {
        for filter in [EventFilter::ALL, EventFilter::NONE] {
            let one_by_one = run::<S>(case, filter, Mode::Publish);
            for mode in [Mode::Batch, Mode::PublishTo, Mode::BatchTo] {
                let other = run::<S>(case, filter, mode);
                assert_eq!(
                    other,
                    one_by_one,
                    "{}: case {case}, {filter:?}, {mode:?}",
                    S::NAME
                );
            }
        }
    }
    // The cases do reach their policies.
    let text = |case| {
        run::<S>(case, EventFilter::ALL, Mode::BatchTo)
            .events
            .join("\n")
    };
    assert!(text(1).contains("dead-lettered"));
    assert!(text(2).contains("rejected"));
    assert!(text(3).contains("expired"));
    assert!(
        run::<S>(4, EventFilter::ALL, Mode::BatchTo)
            .result
            .contains("Err")
    );
    assert!(text(5).contains("buffered"));
    assert!(text(6).contains("routed"));
}

on_every_backend! {
    generic: publish_batch_equals_publish_in_a_loop;
}

/// The by-id calls refuse what the by-name calls refuse, and change nothing then.
#[test]
fn publish_to_errors_match_publish() {
    use brokerlab::{PublishError, QueueId};
    let mut broker = Broker::default();
    let t0 = Instant::ZERO;
    let q = broker
        .declare_queue(t0, "q", QueueConfig::default())
        .unwrap();
    let fan = broker
        .declare_exchange(t0, "fan", ExchangeKind::Fanout)
        .unwrap();
    while broker.poll_event().is_some() {}
    let next = broker.next_message_id();
    assert_eq!(
        broker.publish_to(t0, QueueId(99), "x"),
        Err(PublishError::UnknownQueue)
    );
    assert_eq!(
        broker.publish_to(t0, ExchangeId(99), "x"),
        Err(PublishError::UnknownExchange)
    );
    assert_eq!(
        broker.publish_to(t0, (ExchangeId::DEFAULT, "nope"), "x"),
        broker.publish(t0, Publish::to_queue("nope", "x")),
    );
    assert_eq!(
        broker.publish_to(t0, (fan, "bad\0key"), "x"),
        broker.publish(t0, Publish::new("fan", "bad\0key", "x")),
    );
    assert!(broker.publish_to(t0, (fan, "bad\0key"), "x").is_err());
    let big = vec![0u8; broker.limits().max_payload_bytes + 1];
    assert_eq!(
        broker.publish_to(t0, q, big.clone()),
        broker.publish(t0, Publish::to_queue("q", big.clone())),
    );
    assert!(broker.publish_batch_to(t0, fan, [big]).is_err());
    assert_eq!(broker.next_message_id(), next);
    assert_eq!(broker.poll_event(), None);
    // Unroutable through a fanout exchange with no binding, as by name.
    assert_eq!(broker.publish_to(t0, fan, "x"), Ok(next));
    let events: Vec<String> = std::iter::from_fn(|| broker.poll_event())
        .map(|e| e.to_string())
        .collect();
    assert_eq!(events.len(), 2, "{events:?}");
    assert!(events[1].contains("unroutable"), "{events:?}");
}

/// `message_payload` and `message_meta` find a held message whether the queue's ids ascend
/// (binary search) or not (a dead-letter queue taking older messages after newer ones).
#[test]
fn message_lookup_with_and_without_ascending_ids() {
    let mut broker = Broker::default();
    let t0 = Instant::ZERO;
    let dlq = broker
        .declare_queue(t0, "dlq", QueueConfig::default())
        .unwrap();
    let q = broker
        .declare_queue(
            t0,
            "q",
            QueueConfig::default()
                .with_max_length(1)
                .with_dead_letter_queue("dlq"),
        )
        .unwrap();
    // `a` waits in `q`, a newer message goes to the dead-letter queue directly, then `b` and
    // `c` push the older `a` and `b` out of `q` into it.
    let a = broker
        .publish(t0, Publish::to_queue("q", "a").with_header("h", "1"))
        .unwrap();
    let direct = broker.publish_to(t0, dlq, "direct").unwrap();
    let b = broker.publish_to(t0, q, "b").unwrap();
    let c = broker.publish_to(t0, q, "c").unwrap();
    assert!(a < direct && direct < b);
    // `q` holds only `c`; the dead-letter queue holds direct, a, b in that order.
    let text = |p: Option<brokerlab::Payload>| p.map(|p| p.to_vec());
    assert_eq!(text(broker.message_payload(q, c)), Some(b"c".to_vec()));
    assert_eq!(broker.message_payload(q, a), None);
    for (m, want) in [(direct, "direct"), (a, "a"), (b, "b")] {
        assert_eq!(
            text(broker.message_payload(dlq, m)),
            Some(want.as_bytes().to_vec())
        );
    }
    assert_eq!(broker.message_payload(dlq, c), None);
    assert_eq!(
        broker.message_meta(dlq, a).map(|m| m.headers.clone()),
        Some(vec![("h".to_owned(), "1".to_owned())])
    );
    // A queue whose ids ascend; a dead-letter queue fed only by dead-lettering, out of order.
    let mut broker = Broker::default();
    let q = broker
        .declare_queue(t0, "q", QueueConfig::default())
        .unwrap();
    let ids: Vec<_> = (0..100)
        .map(|i| broker.publish_to(t0, q, format!("m{i}")).unwrap())
        .collect();
    for (i, &m) in ids.iter().enumerate() {
        assert_eq!(
            text(broker.message_payload(q, m)),
            Some(format!("m{i}").into_bytes())
        );
    }
    assert_eq!(broker.message_payload(q, broker.next_message_id()), None);
    let _ = dlq;
}
