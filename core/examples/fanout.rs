//! Pattern C, fan-out: one publish puts a copy in every bound queue. The shipping worker
//! crashes; its queue fills while billing and audit keep draining; after the restart the
//! backlog drains and nothing is lost.
//!
//! Run: `cargo run -p brokerlab --example fanout`

use brokerlab::{Broker, ConsumerConfig, Event, ExchangeKind, Instant, Publish, QueueConfig};

#[path = "support/legend.rs"]
mod legend;

/// Acks every delivery, as running workers would; returns how many were acked.
fn pump(broker: &mut Broker, now: Instant, print: bool) -> usize {
    let mut acked = 0;
    while let Some(e) = broker.poll_event() {
        if print {
            println!("   {e}");
        }
        if let Event::Delivered {
            consumer, delivery, ..
        } = e
        {
            broker.ack(now, consumer, delivery).expect("outstanding");
            acked += 1;
        }
    }
    acked
}

fn depths(broker: &Broker) -> String {
    broker
        .queues()
        .map(|q| {
            let s = broker.queue_stats(q).unwrap();
            format!("{}={}", broker.queue_name(q).unwrap(), s.ready + s.unacked)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn main() -> Result<(), brokerlab::Error> {
    let mut broker = Broker::default();
    let t = Instant::from_millis;
    broker.declare_exchange(t(0), "orders", ExchangeKind::Fanout)?;
    let mut workers = Vec::new();
    for q in ["billing", "shipping", "audit"] {
        broker.declare_queue(t(0), q, QueueConfig::default())?;
        broker.bind(t(0), "orders", q, "")?;
        workers.push(broker.consume(
            t(0),
            q,
            &format!("{q}-worker"),
            ConsumerConfig::default().with_prefetch(5),
        )?);
    }
    println!("-- topology");
    pump(&mut broker, t(0), true);
    legend::print(&broker);

    broker.publish(t(1), Publish::new("orders", "", "order 0"))?;
    println!("-- one publish, three copies, three acks");
    pump(&mut broker, t(1), true);

    broker.crash_consumer(t(2), workers[1])?;
    println!("-- shipping-worker crashes");
    pump(&mut broker, t(2), true);

    let mut acked = 0;
    for i in 1..=1000 {
        broker.publish(t(2 + i), Publish::new("orders", "", format!("order {i}")))?;
        acked += pump(&mut broker, t(2 + i), false);
        if i % 250 == 0 {
            println!("after {i:>4} more orders: depths {}", depths(&broker));
        }
    }
    println!("billing and audit acked {acked} while shipping was down");

    broker.restart_consumer(t(2000), workers[1])?;
    let drained = pump(&mut broker, t(2000), false);
    println!("-- shipping-worker restarts and drains its backlog of {drained}");
    println!("depths {}", depths(&broker));
    Ok(())
}
