//! Pattern A, competing consumers: two workers share a queue with fair dispatch; one crashes
//! and its unacked job is redelivered; a poison job ends in the dead-letter queue.
//!
//! Run: `cargo run -p brokerlab --example queue`

use brokerlab::{Broker, ConsumerConfig, Event, Instant, Publish, QueueConfig};

#[path = "support/legend.rs"]
mod legend;

fn show(broker: &mut Broker, what: &str) -> Vec<Event> {
    println!("-- {what}");
    let events: Vec<Event> = std::iter::from_fn(|| broker.poll_event()).collect();
    for e in &events {
        println!("   {e}");
    }
    events
}

fn main() -> Result<(), brokerlab::Error> {
    let mut broker = Broker::default();
    let t = Instant::from_millis;
    broker.declare_queue(t(0), "work.dlq", QueueConfig::default())?;
    let q = broker.declare_queue(
        t(0),
        "work",
        QueueConfig::default()
            .with_max_deliveries(2)
            .with_dead_letter_queue("work.dlq"),
    )?;
    let fair = ConsumerConfig::default().with_prefetch(1);
    let alice = broker.consume(t(0), "work", "alice", fair)?;
    let bob = broker.consume(t(0), "work", "bob", fair)?;
    show(
        &mut broker,
        "declare a queue with a dead-letter queue, attach alice and bob",
    );
    legend::print(&broker);

    for job in ["job-1", "job-2", "poison", "job-4"] {
        broker.publish(t(1), Publish::to_queue("work", job))?;
    }
    let events = show(
        &mut broker,
        "publish four jobs: alice and bob take one each",
    );
    let tag_of = |who| {
        events.iter().find_map(|e| match e {
            Event::Delivered {
                consumer, delivery, ..
            } if *consumer == who => Some(*delivery),
            _ => None,
        })
    };
    let (a1, _b1) = (tag_of(alice).unwrap(), tag_of(bob).unwrap());

    broker.crash_consumer(t(2), bob)?;
    show(
        &mut broker,
        "bob crashes holding job-2: it goes back to the queue",
    );

    broker.ack(t(3), alice, a1)?;
    let mut events = show(&mut broker, "alice acks job-1 and gets job-2 redelivered");
    // Alice acks good jobs and rejects (with requeue) the poison one until it is dead-lettered.
    for step in 4.. {
        let Some((delivery, payload)) = events.iter().find_map(|e| match e {
            Event::Delivered {
                delivery, payload, ..
            } => Some((*delivery, payload.clone())),
            _ => None,
        }) else {
            break;
        };
        if &*payload == b"poison" {
            broker.nack(t(step), alice, delivery, true)?;
            events = show(&mut broker, "alice nacks the poison job with requeue");
        } else {
            broker.ack(t(step), alice, delivery)?;
            events = show(&mut broker, "alice acks");
        }
    }
    let stats = broker.queue_stats(q).unwrap();
    let dlq = broker.queue_id("work.dlq").unwrap();
    println!(
        "work: {} ready, {} unacked; work.dlq: {} ready",
        stats.ready,
        stats.unacked,
        broker.queue_stats(dlq).unwrap().ready
    );
    Ok(())
}
