//! Pattern B, pub/sub: subscribers get what is published while they are subscribed, through a
//! topic exchange; a slow subscriber with a small inbox is told how many messages it lost.
//!
//! Run: `cargo run -p brokerlab --example pubsub`

use brokerlab::{Broker, ExchangeKind, Instant, Publish, Received, SubscriptionConfig};

#[path = "support/legend.rs"]
mod legend;

fn show(broker: &mut Broker, what: &str) {
    println!("-- {what}");
    while let Some(e) = broker.poll_event() {
        println!("   {e}");
    }
}

fn main() -> Result<(), brokerlab::Error> {
    let mut broker = Broker::default();
    let t = Instant::from_millis;
    broker.declare_exchange(t(0), "logs", ExchangeKind::Topic)?;
    broker.publish(
        t(1),
        Publish::new("logs", "app.info", "before anyone listens"),
    )?;
    show(
        &mut broker,
        "a message nobody is subscribed to is unroutable",
    );

    let errors = broker.subscribe(
        t(2),
        "logs",
        "*.error",
        "pager",
        SubscriptionConfig::default(),
    )?;
    let all = broker.subscribe(
        t(2),
        "logs",
        "#",
        "archive",
        SubscriptionConfig::default().with_capacity(2),
    )?;
    show(
        &mut broker,
        "pager subscribes to *.error, archive to # with an inbox of 2",
    );
    legend::print(&broker);

    for (key, line) in [
        ("app.info", "started"),
        ("db.error", "disk full"),
        ("app.info", "request served"),
        ("app.error", "crash"),
    ] {
        broker.publish(t(3), Publish::new("logs", key, line))?;
    }
    show(&mut broker, "publish four log lines");

    for (name, sub) in [("pager", errors), ("archive", all)] {
        while let Some(r) = broker.receive(t(4), sub)? {
            match r {
                Received::Message { message, payload } => {
                    println!("{name} received {message}: {payload:?}");
                }
                Received::Lagged(n) => println!("{name} lagged: lost {n} messages"),
            }
        }
    }
    show(&mut broker, "both subscribers read their inbox");
    Ok(())
}
