//! Interoperation with real brokers: a scenario's topology exported as a RabbitMQ
//! `definitions.json`, a Kafka `kafka-topics.sh` script or AWS CLI commands for SNS and SQS
//! ([`export`]), each with plain-words notes on what does not map; and a RabbitMQ
//! `definitions.json` imported as a scenario ([`import`]). [`rabbitmq_args`] spells the
//! RabbitMQ arguments and values both directions use, once.
//!
//! Plain Rust with no browser API, tested natively: the exporters against fixed expected
//! files (`web/tests/fixtures/export/`), the importer by importing and exporting again.

pub mod export;
pub mod import;
pub mod rabbitmq_args;

/// A list of names for a note: `a, b and c`.
pub(crate) fn name_list<S: AsRef<str>>(names: &[S]) -> String {
    match names {
        [] => String::new(),
        [one] => one.as_ref().to_owned(),
        [init @ .., last] => {
            let init: Vec<&str> = init.iter().map(AsRef::as_ref).collect();
            format!("{} and {}", init.join(", "), last.as_ref())
        }
    }
}

#[cfg(test)]
mod tests;
