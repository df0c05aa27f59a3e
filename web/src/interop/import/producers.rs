//! The clients definitions do not describe: a producer per exchange with bindings (a
//! routing key for every binding key in turn, wildcards filled in) and one per stream.

use brokerlab::sim::{ExchangeKindSpec, KeySpec, ProducerSpec, TargetSpec, Topology, bounds};

use super::RATE_PER_SEC;

/// A routing key that `pattern` matches: wildcard words become `any`.
fn sample_key(pattern: &str) -> String {
    pattern
        .split('.')
        .map(|w| if w == "*" || w == "#" { "any" } else { w })
        .collect::<Vec<_>>()
        .join(".")
}

/// One producer per exchange with bindings and one per stream.
pub(super) fn producers(t: &Topology) -> Vec<ProducerSpec> {
    let mut out: Vec<ProducerSpec> = Vec::new();
    let name_for = |base: &str, out: &Vec<ProducerSpec>| {
        let mut name = format!("{base}-publisher");
        if name.len() > bounds::MAX_NAME_BYTES {
            name = format!("publisher-{}", out.len() + 1);
        }
        while out.iter().any(|p| p.name == name) {
            name.push('+');
        }
        name
    };
    for x in &t.exchanges {
        let mut keys: Vec<String> = Vec::new();
        for b in t.bindings.iter().filter(|b| b.exchange == x.name) {
            let key = match x.kind {
                ExchangeKindSpec::Fanout => String::new(),
                ExchangeKindSpec::Direct => b.key.clone(),
                ExchangeKindSpec::Topic => sample_key(&b.key),
            };
            if key.len() <= bounds::MAX_NAME_BYTES && !keys.contains(&key) {
                keys.push(key);
            }
        }
        if keys.is_empty() || out.len() == bounds::MAX_ENTITIES {
            continue;
        }
        let (routing_key, keys) = if x.kind == ExchangeKindSpec::Fanout {
            (String::new(), KeySpec::None)
        } else {
            ("{key}".to_owned(), KeySpec::RoundRobin(keys))
        };
        let name = name_for(&x.name, &out);
        out.push(ProducerSpec {
            name,
            target: TargetSpec::Exchange {
                exchange: x.name.clone(),
                routing_key,
            },
            rate_per_sec: RATE_PER_SEC,
            arrival: brokerlab::sim::ArrivalSpec::Regular,
            start_ms: 0,
            stop_ms: None,
            times_ms: Vec::new(),
            bursts: Vec::new(),
            keys,
            payload: "{producer} {n} {key}".to_owned(),
        });
    }
    for st in &t.streams {
        if out.len() == bounds::MAX_ENTITIES {
            break;
        }
        let name = name_for(&st.name, &out);
        out.push(ProducerSpec {
            name,
            target: TargetSpec::Stream(st.name.clone()),
            rate_per_sec: RATE_PER_SEC,
            arrival: brokerlab::sim::ArrivalSpec::Regular,
            start_ms: 0,
            stop_ms: None,
            times_ms: Vec::new(),
            bursts: Vec::new(),
            keys: KeySpec::Uniform {
                count: 8,
                prefix: "key-".to_owned(),
            },
            payload: "{producer} {n} {key}".to_owned(),
        });
    }
    out
}
