//! The first page's demo: a real `brokerlab` broker with one queue and two competing
//! consumers, driven to completion and summarised as plain data for the view.
//!
//! Everything here is ordinary Rust, so it runs (and is tested) natively as well as in wasm.

use brokerlab::{Broker, ConsumerConfig, Event, Instant, MemoryStorage, Publish, QueueConfig};

/// Name of the queue the demo declares.
pub const QUEUE: &str = "work";
/// Names of the two competing consumers, in the order they attach.
pub const CONSUMERS: [&str; 2] = ["alice", "bob"];

/// One delivery as the page shows it: which consumer got which message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRow {
    /// The message id the broker assigned, as text.
    pub message: String,
    /// The message payload, shown as text (never as HTML).
    pub payload: String,
    /// The consumer that received it.
    pub consumer: String,
    /// Whether the consumer acked it.
    pub acked: bool,
}

/// What one run of the demo produced.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DemoOutcome {
    /// Deliveries in the order the broker made them.
    pub deliveries: Vec<DeliveryRow>,
    /// Messages still in the queue at the end (zero when every delivery was acked).
    pub left_in_queue: usize,
}

/// Publishes `count` messages to the `work` queue, lets the two consumers (prefetch 1 each)
/// receive them and ack each delivery, and returns who got what.
pub fn run(count: usize) -> Result<DemoOutcome, brokerlab::Error> {
    let mut broker = Broker::new(MemoryStorage::new());
    let now = Instant::from_millis(0);
    broker.declare_queue(now, QUEUE, QueueConfig::default())?;
    for name in CONSUMERS {
        broker.consume(now, QUEUE, name, ConsumerConfig::default().with_prefetch(1))?;
    }
    let mut payloads = Vec::with_capacity(count);
    for n in 1..=count {
        let payload = format!("order #{n}");
        let id = broker.publish(now, Publish::to_queue(QUEUE, payload.as_bytes()))?;
        payloads.push((id, payload));
    }
    let mut deliveries = Vec::with_capacity(count);
    while let Some(event) = broker.poll_event() {
        if let Event::Delivered {
            message,
            consumer,
            delivery,
            ..
        } = event
        {
            broker.ack(now, consumer, delivery)?;
            let payload = payloads
                .iter()
                .find(|(id, _)| *id == message)
                .map(|(_, text)| text.clone())
                .unwrap_or_default();
            deliveries.push(DeliveryRow {
                message: format!("{message}"),
                payload,
                consumer: broker.consumer_name(consumer).unwrap_or("?").to_owned(),
                acked: true,
            });
        }
    }
    let left_in_queue = count - deliveries.len();
    Ok(DemoOutcome {
        deliveries,
        left_in_queue,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_consumers_split_the_queue_round_robin() {
        let outcome = run(6).expect("demo runs");
        let consumers: Vec<&str> = outcome
            .deliveries
            .iter()
            .map(|row| row.consumer.as_str())
            .collect();
        assert_eq!(
            consumers,
            ["alice", "bob", "alice", "bob", "alice", "bob"],
            "prefetch 1 and ack-after-receive alternate the two consumers"
        );
        assert_eq!(outcome.left_in_queue, 0);
        let payloads: Vec<&str> = outcome
            .deliveries
            .iter()
            .map(|row| row.payload.as_str())
            .collect();
        assert_eq!(
            payloads,
            [
                "order #1", "order #2", "order #3", "order #4", "order #5", "order #6"
            ]
        );
    }

    #[test]
    fn every_message_is_delivered_exactly_once() {
        let outcome = run(25).expect("demo runs");
        let mut ids: Vec<&str> = outcome
            .deliveries
            .iter()
            .map(|r| r.message.as_str())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 25);
    }
}
