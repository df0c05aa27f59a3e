//! Shared by the examples: events print compact ids (`q2`, `c1`, `x1`, `s1`); the legend
//! says which name each id stands for.

use brokerlab::{Broker, Storage};

/// Prints one line mapping every exchange, queue, consumer and subscription id to its name.
pub(crate) fn print<S: Storage>(broker: &Broker<S>) {
    let mut names = Vec::new();
    for id in broker.exchanges() {
        if let Some(name) = broker.exchange_name(id).filter(|name| !name.is_empty()) {
            names.push(format!("{id} = exchange {name:?}"));
        }
    }
    for id in broker.queues() {
        names.push(format!(
            "{id} = queue {:?}",
            broker.queue_name(id).unwrap_or("?")
        ));
    }
    for id in broker.consumers() {
        names.push(format!(
            "{id} = {}",
            broker.consumer_name(id).unwrap_or("?")
        ));
    }
    for id in broker.subscriptions() {
        names.push(format!(
            "{id} = subscriber {}",
            broker.subscription_name(id).unwrap_or("?")
        ));
    }
    println!("   (legend: {})", names.join(", "));
}
