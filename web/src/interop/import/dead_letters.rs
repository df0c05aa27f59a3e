//! Dead-letter resolution: a queue's `x-dead-letter-exchange` and
//! `x-dead-letter-routing-key` become its dead-letter queue when they lead to exactly one
//! queue (the default exchange with a queue's name as routing key, or an exchange whose
//! matching bindings all go to one queue); otherwise a note says why not.

use brokerlab::sim::{ExchangeKindSpec, Topology};
use brokerlab::topic_matches;

use super::exchanges::Exchanges;
use super::queues::DeadLetter;
use crate::interop::name_list;

pub(super) fn resolve_dead_letters(
    dead_letters: &[DeadLetter],
    exchanges: &Exchanges,
    topology: &mut Topology,
    notes: &mut Vec<String>,
) {
    for dl in dead_letters {
        let targets: Vec<&str> = if dl.exchange.is_empty() {
            match &dl.routing_key {
                Some(key) => topology
                    .queues
                    .iter()
                    .filter(|q| q.name == *key)
                    .map(|q| q.name.as_str())
                    .collect(),
                None => {
                    notes.push(format!(
                        "Queue {}'s dead letters go through the default exchange with their \
                         own routing keys, which cannot be followed: no dead-letter queue.",
                        dl.queue
                    ));
                    continue;
                }
            }
        } else {
            let Some(kind) = exchanges.kind(&dl.exchange) else {
                notes.push(format!(
                    "Queue {}'s dead-letter exchange {} is not imported: no dead-letter queue.",
                    dl.queue, dl.exchange
                ));
                continue;
            };
            let mut targets: Vec<&str> = Vec::new();
            for b in topology
                .bindings
                .iter()
                .filter(|b| b.exchange == dl.exchange)
            {
                let routes = match (kind, &dl.routing_key) {
                    (ExchangeKindSpec::Fanout, _) | (_, None) => true,
                    (ExchangeKindSpec::Direct, Some(key)) => b.key == *key,
                    (ExchangeKindSpec::Topic, Some(key)) => topic_matches(&b.key, key),
                };
                if routes && !targets.contains(&b.queue.as_str()) {
                    targets.push(&b.queue);
                }
            }
            targets
        };
        match targets.as_slice() {
            [one] if *one != dl.queue => {
                let target = (*one).to_owned();
                if let Some(q) = topology.queues.iter_mut().find(|q| q.name == dl.queue) {
                    q.dead_letter_queue = Some(target);
                }
            }
            [] => notes.push(format!(
                "Queue {}'s dead letters reach no queue: no dead-letter queue.",
                dl.queue
            )),
            [_] => notes.push(format!(
                "Queue {} dead-letters into itself, which the simulation does not do: no \
                 dead-letter queue.",
                dl.queue
            )),
            many => notes.push(format!(
                "Queue {}'s dead letters reach {} queues ({}); the simulation dead-letters \
                 into one: no dead-letter queue.",
                dl.queue,
                many.len(),
                name_list(many)
            )),
        }
    }
}
