//! The API the playground is written against, exercised end to end on both storage backends
//! (`memory::*` over `MemoryStorage`, `file::*` over `FileStorage`; see `support/backend.rs`).

#[path = "support/backend.rs"]
mod backend;

use brokerlab::{
    Broker, ConsumerConfig, ConsumerId, DeliveryTag, Event, Instant, MessageId, Publish,
    QueueConfig, QueueId, Storage,
};

fn work_queue_round_robin_with_prefetch_one<S: Storage>(
    broker: &mut Broker<S>,
) -> Result<(), brokerlab::Error> {
    let now = Instant::from_millis(0);
    let q: QueueId = broker.declare_queue(now, "work", QueueConfig::default())?;
    let alice: ConsumerId = broker.consume(
        now,
        "work",
        "alice",
        ConsumerConfig::default().with_prefetch(1),
    )?;
    let bob: ConsumerId = broker.consume(
        now,
        "work",
        "bob",
        ConsumerConfig::default().with_prefetch(1),
    )?;
    let mut ids: Vec<MessageId> = Vec::new();
    for i in 0..4 {
        ids.push(broker.publish(
            now,
            Publish::to_queue("work", format!("job {i}").as_bytes()),
        )?);
    }
    let mut got: Vec<(ConsumerId, MessageId)> = Vec::new();
    loop {
        let mut pending: Vec<(ConsumerId, DeliveryTag)> = Vec::new();
        while let Some(event) = broker.poll_event() {
            if let Event::Delivered {
                message,
                queue,
                consumer,
                delivery,
                redelivered,
                delivery_count,
                ..
            } = event
            {
                assert_eq!(queue, q);
                assert!(!redelivered);
                assert_eq!(delivery_count, 1);
                got.push((consumer, message));
                pending.push((consumer, delivery));
            }
        }
        if pending.is_empty() {
            break;
        }
        for (consumer, delivery) in pending {
            broker.ack(now, consumer, delivery)?;
        }
    }
    assert_eq!(
        got,
        vec![
            (alice, ids[0]),
            (bob, ids[1]),
            (alice, ids[2]),
            (bob, ids[3])
        ]
    );
    assert_eq!(broker.consumer_name(alice), Some("alice"));
    assert_eq!(broker.queue_name(q), Some("work"));
    let stats = broker.queue_stats(q).unwrap();
    assert_eq!((stats.ready, stats.unacked), (0, 0));
    assert_eq!(backend::records_held(broker.storage()), 0);
    Ok(())
}

on_every_backend! {
    broker: work_queue_round_robin_with_prefetch_one;
}
