//! Property tests over random command sequences, checked against a simple reference model
//! and invariants on the event stream (issue 3's list):
//! - no command panics the broker;
//! - a queue message is held by at most one consumer at a time, and never beyond prefetch;
//! - every message enqueued ends acked exactly once, dead-lettered or dropped with a reason,
//!   or is still in the queue (ready or unacked) — never lost;
//! - per queue, first deliveries come in enqueue order; delivery counts count deliveries;
//! - liveness: after every command, no queue holds a ready message while one of its consumers
//!   is running with room under its prefetch (a broker that never delivers fails);
//! - every event is one the model expects: a publish enqueues in exactly the queues it routes
//!   to, an ack or nack settles a delivery the model holds for that consumer, a `Requeued`
//!   follows a requeueing nack or releases a held delivery, a dead-lettered message is
//!   enqueued in the dead-letter queue; any event besides these and the routing,
//!   subscription and consumer events the commands make fails the test;
//! - crashing a running consumer and restarting a crashed one succeed, the other way round
//!   they are errors;
//! - topic matching equals a naive reference matcher;
//! - a subscriber gets every message published after it subscribed, in order, or a `Lagged`
//!   count covering exactly the gap;
//! - in fan-out each bound queue receives each message once.
//!
//! The broker property runs on every storage backend: `memory::broker_matches_model` over
//! `MemoryStorage` (300 cases), `file::broker_matches_model` over `FileStorage` (32 cases,
//! each in a fresh temporary folder, to keep the suite fast) and `killed::…` over `FileStorage`
//! on a crash-testing file system (32 cases); `Flush` is one of the random commands, and
//! every run ends with a flush and a restart (for `killed`, a `kill -9` right after the
//! flush) that must keep the durable state (`support/backend.rs`).

#[path = "support/backend.rs"]
mod backend;

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use backend::Backend;
use brokerlab::{
    Broker, ConsumerConfig, ConsumerId, DeliveryTag, Duration, Event, ExchangeKind, Instant,
    Limits, MessageId, Offset, Publish, QueueConfig, QueueId, Received, RequeueReason, Storage,
    SubscriptionConfig, SubscriptionId, topic_matches,
};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Cmd {
    PublishFan,
    PublishA,
    Ack(usize, usize),
    AckBogus(usize, u64),
    Nack(usize, usize, bool),
    Crash(usize),
    Restart(usize),
    Cancel(usize),
    Tick(u64),
    Receive,
    /// `Broker::flush`: writes what the storage holds in memory (files: pending batches,
    /// log starts, metadata); must change nothing the broker does.
    Flush,
}

fn cmd() -> impl Strategy<Value = Cmd> {
    prop_oneof![
        4 => Just(Cmd::PublishFan),
        2 => Just(Cmd::PublishA),
        5 => (0..4usize, any::<usize>()).prop_map(|(c, i)| Cmd::Ack(c, i)),
        1 => (0..4usize, 0..200u64).prop_map(|(c, t)| Cmd::AckBogus(c, t)),
        2 => (0..4usize, any::<usize>(), any::<bool>()).prop_map(|(c, i, r)| Cmd::Nack(c, i, r)),
        1 => (0..4usize).prop_map(Cmd::Crash),
        1 => (0..4usize).prop_map(Cmd::Restart),
        1 => (0..4usize).prop_map(Cmd::Cancel),
        2 => (0..80u64).prop_map(Cmd::Tick),
        2 => Just(Cmd::Receive),
        2 => Just(Cmd::Flush),
    ]
}

const CONSUMERS: [(&str, &str, u32); 4] = [
    ("a1", "a", 1),
    ("a2", "a", 0),
    ("b1", "b", 2),
    ("d1", "dead", 0),
];

/// A queue consumer as the test set it up: its queue, its prefetch (0: unlimited) and
/// whether it is crashed.
#[derive(Debug, Clone, Copy)]
struct Consumer {
    queue: QueueId,
    prefetch: u32,
    crashed: bool,
}

#[derive(Default)]
struct Model {
    /// The live consumers (cancelled ones are removed).
    consumers: BTreeMap<ConsumerId, Consumer>,
    /// Who holds each (queue, message) right now.
    held: BTreeMap<(QueueId, MessageId), (ConsumerId, DeliveryTag)>,
    per_consumer: BTreeMap<ConsumerId, usize>,
    /// Enqueues the current command must cause (publishes, dead-lettering), not yet seen.
    to_enqueue: BTreeSet<(QueueId, MessageId)>,
    /// Deliveries nacked with requeue whose `Requeued` (or dead-lettering) is still due.
    nacked_requeue: BTreeSet<(QueueId, MessageId, ConsumerId, DeliveryTag)>,
    /// Acks and nacks the current command made, whose event is still due.
    settling: BTreeSet<(ConsumerId, DeliveryTag)>,
    enqueued: BTreeMap<(QueueId, MessageId), Offset>,
    deliveries: BTreeMap<(QueueId, MessageId), u32>,
    acked: BTreeMap<(QueueId, MessageId), u32>,
    ended: BTreeSet<(QueueId, MessageId)>,
    last_first_delivery: BTreeMap<QueueId, Offset>,
    sub_expected: VecDeque<MessageId>,
    fan_messages: Vec<MessageId>,
}

impl Model {
    fn observe(&mut self, e: &Event) {
        match *e {
            Event::Enqueued {
                message,
                queue,
                offset,
            } => {
                assert!(
                    self.to_enqueue.remove(&(queue, message)),
                    "{message} enqueued in {queue} by no publish or dead-lettering"
                );
                let prev = self.enqueued.insert((queue, message), offset);
                assert!(prev.is_none(), "{message} enqueued twice in {queue}");
            }
            Event::Delivered {
                message,
                queue,
                consumer,
                delivery,
                redelivered,
                delivery_count,
                ..
            } => {
                let key = (queue, message);
                assert!(
                    self.enqueued.contains_key(&key),
                    "delivered before enqueued"
                );
                assert!(!self.ended.contains(&key), "delivered after it ended");
                let c = self.consumers.get(&consumer).copied().unwrap_or_else(|| {
                    panic!("{message} delivered to {consumer}, which is not a live consumer")
                });
                assert_eq!(c.queue, queue, "{consumer} consumes another queue");
                assert!(!c.crashed, "{message} delivered to the crashed {consumer}");
                let prev = self.held.insert(key, (consumer, delivery));
                assert!(prev.is_none(), "{message} held by two consumers");
                let n = self.per_consumer.entry(consumer).or_default();
                *n += 1;
                let p = c.prefetch;
                assert!(p == 0 || *n <= p as usize, "prefetch exceeded");
                let count = self.deliveries.entry(key).or_default();
                *count += 1;
                assert_eq!(*count, delivery_count);
                assert_eq!(redelivered, delivery_count > 1);
                if !redelivered {
                    let off = self.enqueued[&key];
                    if let Some(last) = self.last_first_delivery.insert(queue, off) {
                        assert!(last < off, "first deliveries out of order in {queue}");
                    }
                }
            }
            Event::Acked {
                message,
                queue,
                consumer,
                delivery,
            } => {
                assert!(
                    self.settling.remove(&(consumer, delivery)),
                    "{consumer} {delivery} acked by no ack"
                );
                self.release(queue, message, consumer, delivery);
                *self.acked.entry((queue, message)).or_default() += 1;
                assert!(self.ended.insert((queue, message)), "acked after it ended");
            }
            Event::Nacked {
                message,
                queue,
                consumer,
                delivery,
                requeue,
            } => {
                assert!(
                    self.settling.remove(&(consumer, delivery)),
                    "{consumer} {delivery} nacked by no nack"
                );
                self.release(queue, message, consumer, delivery);
                if requeue {
                    self.nacked_requeue
                        .insert((queue, message, consumer, delivery));
                }
            }
            Event::Requeued {
                message,
                queue,
                consumer,
                delivery,
                reason,
            } => {
                if reason == RequeueReason::Nacked {
                    assert!(
                        self.nacked_requeue
                            .remove(&(queue, message, consumer, delivery)),
                        "{message} requeued for a nack that did not ask for it"
                    );
                } else {
                    // A crash, a cancel or the visibility timeout: the delivery was held.
                    self.release(queue, message, consumer, delivery);
                }
            }
            Event::DeadLettered {
                message,
                queue,
                dead_letter_queue,
                ..
            } => {
                self.end(queue, message);
                self.to_enqueue.insert((dead_letter_queue, message));
            }
            Event::Dropped { message, queue, .. } => self.end(queue, message),
            Event::Published { .. }
            | Event::Routed { .. }
            | Event::Unroutable { .. }
            | Event::Buffered { .. }
            | Event::Received { .. }
            | Event::Lagged { .. }
            | Event::ConsumerAdded { .. }
            | Event::ConsumerCancelled { .. }
            | Event::ConsumerCrashed { .. }
            | Event::ConsumerRestarted { .. } => {}
            ref other => panic!("an event the model cannot place: {other:?}"),
        }
    }

    /// A message leaves `queue` without an ack (dead-lettered or dropped): from the hand of
    /// its consumer, from a requeueing nack that reached the delivery limit, or from the
    /// ready messages.
    fn end(&mut self, queue: QueueId, message: MessageId) {
        if let Some((c, d)) = self.held.get(&(queue, message)).copied() {
            self.release(queue, message, c, d);
        }
        self.nacked_requeue
            .retain(|&(q, m, _, _)| (q, m) != (queue, message));
        assert!(
            self.enqueued.contains_key(&(queue, message)),
            "{message} ended in {queue} without being enqueued"
        );
        assert!(self.ended.insert((queue, message)), "ended twice");
    }

    /// Liveness, checked once a command's events are drained: nothing the command implied is
    /// still due, and no queue has a ready message while one of its consumers is running
    /// with room under its prefetch.
    fn check_settled(&self) {
        assert!(
            self.to_enqueue.is_empty(),
            "never enqueued: {:?}",
            self.to_enqueue
        );
        assert!(
            self.nacked_requeue.is_empty(),
            "nacked with requeue but neither requeued nor dead-lettered: {:?}",
            self.nacked_requeue
        );
        assert!(
            self.settling.is_empty(),
            "acked or nacked without an event: {:?}",
            self.settling
        );
        for key in self.enqueued.keys() {
            if self.ended.contains(key) || self.held.contains_key(key) {
                continue;
            }
            let (queue, message) = *key;
            let free = self.consumers.iter().find(|(id, c)| {
                c.queue == queue
                    && !c.crashed
                    && (c.prefetch == 0
                        || self.per_consumer.get(id).copied().unwrap_or(0) < c.prefetch as usize)
            });
            if let Some((id, _)) = free {
                panic!("{message} is ready in {queue} and {id} is free, but it was not delivered");
            }
        }
    }

    fn release(&mut self, q: QueueId, m: MessageId, c: ConsumerId, d: DeliveryTag) {
        assert_eq!(
            self.held.remove(&(q, m)),
            Some((c, d)),
            "settled a delivery not held"
        );
        *self.per_consumer.get_mut(&c).unwrap() -= 1;
    }
}

/// Runs `cmds` on a fresh broker over `S` against the model.
fn run<S: Backend>(cmds: &[Cmd]) {
    S::run("model", Limits::default(), |b| run_on(b, cmds));
}

fn run_on<S: Storage>(b: &mut Broker<S>, cmds: &[Cmd]) {
    let mut now = Instant::ZERO;
    b.declare_exchange(now, "fan", ExchangeKind::Fanout)
        .unwrap();
    b.declare_queue(now, "dead", QueueConfig::default())
        .unwrap();
    b.declare_queue(
        now,
        "a",
        QueueConfig::default()
            .with_max_deliveries(3)
            .with_dead_letter_queue("dead")
            .with_visibility_timeout(Duration::from_millis(50)),
    )
    .unwrap();
    b.declare_queue(now, "b", QueueConfig::default().with_max_length(5))
        .unwrap();
    b.bind(now, "fan", "a", "").unwrap();
    b.bind(now, "fan", "b", "").unwrap();
    let sub: SubscriptionId = b
        .subscribe(
            now,
            "fan",
            "",
            "s",
            SubscriptionConfig::default().with_capacity(3),
        )
        .unwrap();
    let (qa, qb) = (b.queue_id("a").unwrap(), b.queue_id("b").unwrap());
    let mut model = Model::default();
    let mut consumers = Vec::new();
    for (name, q, p) in CONSUMERS {
        let c = b
            .consume(now, q, name, ConsumerConfig::default().with_prefetch(p))
            .unwrap();
        consumers.push(Some(c));
        model.consumers.insert(
            c,
            Consumer {
                queue: b.queue_id(q).unwrap(),
                prefetch: p,
                crashed: false,
            },
        );
    }
    // The set-up's events (declarations, bindings, consumers) say nothing about messages.
    while b.poll_event().is_some() {}
    for cmd in cmds {
        match *cmd {
            Cmd::PublishFan => {
                let m = b.publish(now, Publish::new("fan", "", "x")).unwrap();
                model.sub_expected.push_back(m);
                model.fan_messages.push(m);
                model.to_enqueue.extend([(qa, m), (qb, m)]);
            }
            Cmd::PublishA => {
                let m = b.publish(now, Publish::to_queue("a", "y")).unwrap();
                model.to_enqueue.insert((qa, m));
            }
            Cmd::Ack(ci, pick) | Cmd::Nack(ci, pick, _) => {
                let Some(c) = consumers[ci] else { continue };
                // What the model says c holds, not what the broker says.
                let mut held: Vec<DeliveryTag> = model
                    .held
                    .values()
                    .filter(|(hc, _)| *hc == c)
                    .map(|&(_, d)| d)
                    .collect();
                held.sort_unstable();
                if held.is_empty() {
                    continue;
                }
                let d = held[pick % held.len()];
                model.settling.insert((c, d));
                match *cmd {
                    Cmd::Nack(_, _, requeue) => b.nack(now, c, d, requeue).unwrap(),
                    _ => b.ack(now, c, d).unwrap(),
                }
            }
            Cmd::AckBogus(ci, t) => {
                if let Some(c) = consumers[ci] {
                    let d = DeliveryTag(t);
                    if !b.unacked(c).iter().any(|u| u.delivery == d) {
                        assert!(b.ack(now, c, d).is_err());
                    }
                }
            }
            Cmd::Crash(ci) => {
                if let Some(c) = consumers[ci] {
                    let state = model.consumers.get_mut(&c).unwrap();
                    let result = b.crash_consumer(now, c);
                    assert_eq!(result.is_ok(), !state.crashed, "crash {c}: {result:?}");
                    state.crashed = true;
                }
            }
            Cmd::Restart(ci) => {
                if let Some(c) = consumers[ci] {
                    let state = model.consumers.get_mut(&c).unwrap();
                    let result = b.restart_consumer(now, c);
                    assert_eq!(result.is_ok(), state.crashed, "restart {c}: {result:?}");
                    state.crashed = false;
                }
            }
            Cmd::Cancel(ci) => {
                if let Some(c) = consumers[ci].take() {
                    b.cancel(now, c).unwrap();
                    let Consumer {
                        queue, prefetch, ..
                    } = model.consumers.remove(&c).unwrap();
                    // Reconnect under the same name, as a new consumer.
                    let (name, q, p) = CONSUMERS[ci];
                    let c2 = b
                        .consume(now, q, name, ConsumerConfig::default().with_prefetch(p))
                        .unwrap();
                    model.consumers.insert(
                        c2,
                        Consumer {
                            queue,
                            prefetch,
                            crashed: false,
                        },
                    );
                    consumers[ci] = Some(c2);
                }
            }
            Cmd::Tick(dt) => {
                now = now + Duration::from_millis(dt);
                b.handle_timeout(now);
            }
            Cmd::Flush => b.flush().expect("flush"),
            Cmd::Receive => match b.receive(now, sub).unwrap() {
                Some(Received::Message { message, .. }) => {
                    assert_eq!(model.sub_expected.pop_front(), Some(message));
                }
                Some(Received::Lagged(n)) => {
                    assert!(n as usize <= model.sub_expected.len());
                    model.sub_expected.drain(..n as usize);
                }
                None => assert!(model.sub_expected.is_empty()),
            },
        }
        while let Some(e) = b.poll_event() {
            model.observe(&e);
        }
        model.check_settled();
        assert!(b.inbox_len(sub).unwrap() <= 3);
        if matches!(cmd, Cmd::Tick(_)) {
            // Everything due was handled.
            assert!(b.poll_timeout().is_none_or(|t| t > now));
        }
    }
    // Never lost: every enqueued copy is acked once, ended with a reason, or still held.
    let mut present = BTreeSet::new();
    for q in b.queues().collect::<Vec<_>>() {
        for r in b.ready_messages(q) {
            present.insert((q, r.message));
        }
        for c in b.queue_consumers(q).collect::<Vec<_>>() {
            for u in b.unacked(c) {
                assert_eq!(model.held.get(&(q, u.message)), Some(&(c, u.delivery)));
                present.insert((q, u.message));
            }
        }
    }
    for key in model.enqueued.keys() {
        let ended = model.ended.contains(key);
        assert!(
            ended ^ present.contains(key),
            "{key:?} must be either finished or still in its queue"
        );
        assert!(model.acked.get(key).copied().unwrap_or(0) <= 1);
    }
    // Fan-out: each bound queue got each fan message exactly once.
    for m in &model.fan_messages {
        assert!(model.enqueued.contains_key(&(qa, *m)));
        assert!(model.enqueued.contains_key(&(qb, *m)));
    }
    // Queue counters agree with the model.
    for q in [qa, qb] {
        let s = b.queue_stats(q).unwrap();
        let unacked = model.held.keys().filter(|(hq, _)| *hq == q).count();
        assert_eq!(s.unacked, unacked);
    }
}

mod memory {
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

        #[test]
        fn broker_matches_model(cmds in proptest::collection::vec(super::cmd(), 0..80)) {
            super::run::<brokerlab::MemoryStorage>(&cmds);
        }
    }
}

mod file {
    use proptest::prelude::*;

    proptest! {
        // Fewer cases: each opens, flushes and reopens a folder of files.
        #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

        #[test]
        fn broker_matches_model(cmds in proptest::collection::vec(super::cmd(), 0..80)) {
            super::run::<brokerlab::storage::FileStorage>(&cmds);
        }
    }
}

mod killed {
    use proptest::prelude::*;

    type Killed = brokerlab::storage::FileStorage<super::backend::crash_fs::CrashFs>;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

        #[test]
        fn broker_matches_model(cmds in proptest::collection::vec(super::cmd(), 0..80)) {
            super::run::<Killed>(&cmds);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn topic_matches_reference(
        pattern in proptest::collection::vec(prop_oneof![
            Just("a"), Just("b"), Just(""), Just("*"), Just("#"), Just("a#")
        ], 0..6),
        key in proptest::collection::vec(prop_oneof![Just("a"), Just("b"), Just(""), Just("#")], 0..6),
    ) {
        let p = pattern.join(".");
        let k = key.join(".");
        prop_assert_eq!(topic_matches(&p, &k), reference(&words(&p), &words(&k)), "{:?} {:?}", p, k);
    }
}

fn words(s: &str) -> Vec<&str> {
    if s.is_empty() {
        Vec::new()
    } else {
        s.split('.').collect()
    }
}

/// The textbook recursive matcher (exponential in the worst case, fine for short inputs).
fn reference(p: &[&str], k: &[&str]) -> bool {
    match p.split_first() {
        None => k.is_empty(),
        Some((&"#", rest)) => (0..=k.len()).any(|i| reference(rest, &k[i..])),
        Some((&"*", rest)) => !k.is_empty() && reference(rest, &k[1..]),
        Some((w, rest)) => k.first() == Some(w) && reference(rest, &k[1..]),
    }
}
