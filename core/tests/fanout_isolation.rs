//! Pattern C's failure-isolation story (SEMANTICS.md, "Fan-out"): one publish puts a copy into
//! every bound queue; a crashed consumer's queue fills up while the others keep draining;
//! nothing is lost, and the backlog drains on restart. Runs on both storage backends
//! (`memory::*` over `MemoryStorage`, `file::*` over `FileStorage`); the broker is flushed
//! every 100 publishes and restarted at the end (see `support/backend.rs`).

#[path = "support/backend.rs"]
mod backend;

use std::collections::BTreeMap;

use brokerlab::{
    Broker, ConsumerConfig, ConsumerId, Error, Event, ExchangeKind, Instant, MessageId, Publish,
    QueueConfig, QueueId, Storage,
};

/// Drains events, acks every delivery, and counts acks per (queue, message).
fn drain_and_ack<S: Storage>(
    broker: &mut Broker<S>,
    now: Instant,
    acked: &mut BTreeMap<(QueueId, MessageId), u32>,
    enqueued: &mut BTreeMap<(QueueId, MessageId), u32>,
) {
    loop {
        let mut deliveries = Vec::new();
        while let Some(e) = broker.poll_event() {
            match e {
                Event::Delivered {
                    consumer, delivery, ..
                } => deliveries.push((consumer, delivery)),
                Event::Acked { message, queue, .. } => {
                    *acked.entry((queue, message)).or_default() += 1
                }
                Event::Enqueued { message, queue, .. } => {
                    *enqueued.entry((queue, message)).or_default() += 1;
                }
                Event::Dropped { .. } | Event::DeadLettered { .. } | Event::Rejected { .. } => {
                    panic!("nothing may be lost: {e}")
                }
                _ => {}
            }
        }
        if deliveries.is_empty() {
            return;
        }
        for (c, d) in deliveries {
            broker.ack(now, c, d).expect("outstanding delivery");
        }
    }
}

fn crashed_consumer_queue_fills_others_drain_then_backlog_drains_exactly_once<S: Storage>(
    broker: &mut Broker<S>,
) -> Result<(), Error> {
    let mut now = Instant::from_millis(0);
    broker
        .declare_exchange(now, "orders", ExchangeKind::Fanout)
        .unwrap();
    let names = ["billing", "shipping", "audit"];
    let mut queues = Vec::new();
    let mut consumers: Vec<ConsumerId> = Vec::new();
    for name in names {
        let q = broker
            .declare_queue(now, name, QueueConfig::default())
            .unwrap();
        broker.bind(now, "orders", name, "").unwrap();
        let c = broker
            .consume(
                now,
                name,
                &format!("{name}-worker"),
                ConsumerConfig::default().with_prefetch(10),
            )
            .unwrap();
        queues.push(q);
        consumers.push(c);
    }
    let (mut acked, mut enqueued) = (BTreeMap::new(), BTreeMap::new());

    // Shipping's worker takes some deliveries, then crashes holding them.
    let mut published = Vec::new();
    for i in 0..5 {
        published.push(
            broker
                .publish(now, Publish::new("orders", "", format!("order {i}")))
                .unwrap(),
        );
    }
    // The first copies' enqueue events are drained here and recorded by hand below.
    while broker.poll_event().is_some() {}
    assert_eq!(broker.consumer_info(consumers[1]).unwrap().unacked, 5);
    broker.crash_consumer(now, consumers[1]).unwrap();
    // Billing and audit ack their first five (delivered before the events were dropped).
    for &c in [consumers[0], consumers[2]].iter() {
        for u in broker.unacked(c) {
            broker.ack(now, c, u.delivery).unwrap();
        }
    }
    for &q in &queues {
        for &m in &published {
            enqueued.insert((q, m), 1);
        }
    }
    drain_and_ack(broker, now, &mut acked, &mut enqueued);

    for i in 5..1000 {
        now = Instant::from_millis(i);
        published.push(
            broker
                .publish(now, Publish::new("orders", "", format!("order {i}")))
                .unwrap(),
        );
        drain_and_ack(broker, now, &mut acked, &mut enqueued);
        if i % 100 == 0 {
            broker.flush()?;
        }
    }
    // The crashed queue holds the whole backlog; the others are empty.
    assert_eq!(broker.queue_stats(queues[1]).unwrap().ready, 1000);
    for q in [queues[0], queues[2]] {
        let s = broker.queue_stats(q).unwrap();
        assert_eq!((s.ready, s.unacked), (0, 0));
    }

    broker.restart_consumer(now, consumers[1]).unwrap();
    drain_and_ack(broker, now, &mut acked, &mut enqueued);

    for &q in &queues {
        for &m in &published {
            assert_eq!(enqueued.get(&(q, m)), Some(&1), "{q} {m} enqueued once");
            assert_eq!(acked.get(&(q, m)), Some(&1), "{q} {m} acked once");
        }
        let s = broker.queue_stats(q).unwrap();
        assert_eq!((s.ready, s.unacked), (0, 0));
    }
    assert_eq!(acked.len(), 3000);
    assert_eq!(backend::records_held(broker.storage()), 0);
    Ok(())
}

on_every_backend! {
    broker: crashed_consumer_queue_fills_others_drain_then_backlog_drains_exactly_once;
}
