//! The routing account: exchanges and their bindings (from `ExchangeDeclared`, `Bound`,
//! `Unbound`) and, for every publish, the targets it was routed to. A publish must reach each
//! target at most once, only through bindings of its exchange that exist; a fanout publish
//! every bound target; a direct or topic publish exactly the targets whose binding key
//! matches its routing key, when the routing key can be read back (a queue still holds the
//! message at the end of the step); nothing is unroutable that had a target.
//!
//! The matching here is written independently of the engine's (`exchange/topic.rs`): a plain
//! dynamic program over words.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

use super::ctx::Ctx;
use super::violation::{Rule, Violation};
use crate::event::Event;
use crate::exchange::ExchangeKind;
use crate::ids::{BindingId, ExchangeId, MessageId, Target};
use crate::storage::Storage;

/// A binding as the account knows it.
#[derive(Debug, Clone)]
struct Bind {
    exchange: ExchangeId,
    target: Target,
    /// `None` when the binding was gone by the end of the step it was made in.
    key: Option<String>,
}

/// One publish to a named exchange: where it went, and the bindings it could have matched.
#[derive(Debug, Clone)]
struct Sent {
    message: MessageId,
    exchange: ExchangeId,
    routed: Vec<(Option<BindingId>, Target)>,
    unroutable: bool,
    /// The exchange's bindings when it was published: (target, key).
    candidates: Vec<(Target, Option<String>)>,
}

/// Exchanges, bindings and this step's publishes.
#[derive(Debug, Clone, Default)]
pub(super) struct Routing {
    kinds: BTreeMap<ExchangeId, ExchangeKind>,
    binds: BTreeMap<BindingId, Bind>,
    step: Vec<Sent>,
}

fn v(now: u64, detail: String) -> Violation {
    Violation::new(Rule::Routing, now, detail)
}

/// Whether topic `pattern` matches `key`: words split on `.`, `*` one word, `#` zero or more.
pub(super) fn topic_match(pattern: &str, key: &str) -> bool {
    // An empty routing key, or pattern, has zero words.
    let p: Vec<&str> = if pattern.is_empty() {
        Vec::new()
    } else {
        pattern.split('.').collect()
    };
    let k: Vec<&str> = if key.is_empty() {
        Vec::new()
    } else {
        key.split('.').collect()
    };
    // can[i][j]: p[i..] matches k[j..].
    let mut can = vec![vec![false; k.len() + 1]; p.len() + 1];
    can[p.len()][k.len()] = true;
    for i in (0..p.len()).rev() {
        for j in (0..=k.len()).rev() {
            can[i][j] = match p[i] {
                "#" => can[i + 1][j] || (j < k.len() && can[i][j + 1]),
                "*" => j < k.len() && can[i + 1][j + 1],
                w => j < k.len() && k[j] == w && can[i + 1][j + 1],
            };
        }
    }
    can[0][0]
}

impl Routing {
    pub(super) fn on_event<S: Storage>(
        &mut self,
        cx: &Ctx<'_, S>,
        e: &Event,
    ) -> Result<(), Violation> {
        let now = cx.now;
        match e {
            Event::ExchangeDeclared { exchange, kind } => {
                self.kinds.insert(*exchange, *kind);
            }
            Event::Bound {
                binding,
                exchange,
                target,
            } => {
                let key = cx.broker.binding(*binding).map(|b| b.key.to_string());
                self.binds.insert(
                    *binding,
                    Bind {
                        exchange: *exchange,
                        target: *target,
                        key,
                    },
                );
            }
            Event::Unbound { binding, .. } => {
                self.binds.remove(binding);
            }
            Event::Published { message, exchange } => {
                let candidates = self
                    .binds
                    .values()
                    .filter(|b| b.exchange == *exchange)
                    .map(|b| (b.target, b.key.clone()))
                    .collect();
                self.step.push(Sent {
                    message: *message,
                    exchange: *exchange,
                    routed: Vec::new(),
                    unroutable: false,
                    candidates,
                });
            }
            Event::Routed {
                message,
                exchange,
                binding,
                target,
            } => {
                let Some(sent) = self.step.last_mut().filter(|s| s.message == *message) else {
                    return Err(v(now, format!("{message} routed without being published"))
                        .message(*message));
                };
                if sent.exchange != *exchange {
                    return Err(
                        v(now, format!("{message} routed by another exchange")).message(*message)
                    );
                }
                if let Some(b) = binding {
                    let ok = self
                        .binds
                        .get(b)
                        .is_some_and(|x| x.exchange == *exchange && x.target == *target);
                    if !ok {
                        return Err(v(
                            now,
                            format!(
                                "{message} routed to {target} through {b}, which is not a \
                                 binding of that exchange to that target"
                            ),
                        )
                        .message(*message));
                    }
                }
                if sent.routed.iter().any(|(_, t)| t == target) {
                    return Err(
                        v(now, format!("{message} routed to {target} twice")).message(*message)
                    );
                }
                sent.routed.push((*binding, *target));
            }
            Event::Unroutable { message, .. } => {
                if let Some(sent) = self.step.last_mut().filter(|s| s.message == *message) {
                    sent.unroutable = true;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Checks this step's publishes; `held` says whether a queue still holds a message (so
    /// its routing key can be read back).
    pub(super) fn end_step<S: Storage>(
        &mut self,
        cx: &Ctx<'_, S>,
        held: impl Fn(crate::ids::QueueId, MessageId) -> bool,
    ) -> Result<(), Violation> {
        let now = cx.now;
        for sent in core::mem::take(&mut self.step) {
            let m = sent.message;
            let fail = |d: String| {
                let name = cx
                    .broker
                    .exchange_name(sent.exchange)
                    .map_or_else(|| sent.exchange.to_string(), ToString::to_string);
                v(now, d).message(m).entity(name)
            };
            if sent.unroutable != sent.routed.is_empty() {
                return Err(fail(format!(
                    "{m}: {} targets, unroutable reported: {}",
                    sent.routed.len(),
                    sent.unroutable
                )));
            }
            if sent.exchange == ExchangeId::DEFAULT {
                if sent.routed.len() != 1 || sent.routed[0].0.is_some() {
                    return Err(fail(format!(
                        "{m} published to a queue was routed to {} targets",
                        sent.routed.len()
                    )));
                }
                continue;
            }
            let got: BTreeSet<Target> = sent.routed.iter().map(|(_, t)| *t).collect();
            let kind = self.kinds.get(&sent.exchange).copied();
            let key = match kind {
                Some(ExchangeKind::Fanout) => Some(String::new()),
                _ => sent.routed.iter().find_map(|(_, t)| match t {
                    Target::Queue(q) if held(*q, m) => Some(
                        cx.broker
                            .message_meta(*q, m)
                            .map(|meta| meta.routing_key.clone())
                            .unwrap_or_default(),
                    ),
                    _ => None,
                }),
            };
            let Some(key) = key else {
                continue;
            };
            let mut want = BTreeSet::new();
            for (target, bkey) in &sent.candidates {
                let Some(bkey) = bkey else {
                    // A binding gone by the end of its step: its key is unknown.
                    continue;
                };
                let matches = match kind {
                    Some(ExchangeKind::Fanout) => true,
                    Some(ExchangeKind::Direct) => *bkey == key,
                    Some(ExchangeKind::Topic) => topic_match(bkey, &key),
                    None => continue,
                };
                if matches {
                    want.insert(*target);
                }
            }
            let unknown = sent.candidates.iter().any(|(_, k)| k.is_none());
            if got != want && !(unknown && want.is_subset(&got)) {
                return Err(fail(format!(
                    "{m} with routing key {key:?} reached {got:?}; the bindings that match are \
                     {want:?}"
                )));
            }
        }
        Ok(())
    }

    /// Rebuilds the bindings from the broker (after a restart), and says whether every
    /// binding to a queue that `before` and `now` both had survived.
    pub(super) fn rebuild<S: Storage>(
        &mut self,
        cx: &Ctx<'_, S>,
        before: &Routing,
    ) -> Result<(), Violation> {
        let old = core::mem::take(&mut self.binds);
        self.kinds.clear();
        self.step.clear();
        for x in cx.broker.exchanges() {
            if let Some(kind) = cx.broker.exchange_kind(x) {
                self.kinds.insert(x, kind);
            }
            for b in cx.broker.bindings(x) {
                self.binds.insert(
                    b.id,
                    Bind {
                        exchange: b.exchange,
                        target: b.target,
                        key: Some(b.key.to_string()),
                    },
                );
            }
        }
        for (id, b) in &old {
            let queue = matches!(b.target, Target::Queue(_));
            let kept_since_flush = before.binds.contains_key(id);
            if queue && kept_since_flush && !self.binds.contains_key(id) {
                return Err(Violation::new(
                    Rule::Recovery,
                    cx.now,
                    format!(
                        "binding {id} to {} was saved by the last flush and is gone after the \
                         restart",
                        b.target
                    ),
                ));
            }
        }
        if self
            .binds
            .values()
            .any(|b| matches!(b.target, Target::Subscription(_)))
        {
            return Err(Violation::new(
                Rule::Recovery,
                cx.now,
                "a subscription's binding survived the restart",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::topic_match;

    #[test]
    fn topic_matching_follows_the_semantics() {
        assert!(!topic_match("a.b.*", "a.b"));
        assert!(topic_match("a.#", "a"));
        assert!(topic_match("#", ""));
        assert!(!topic_match("*", ""));
        assert!(topic_match("a.*.b", "a..b"));
        assert!(!topic_match("a#b", "ab"));
        assert!(topic_match("a#b", "a#b"));
        assert!(topic_match("#.c", "a.b.c"));
        assert!(topic_match("a.*.c", "a.b.c"));
        assert!(!topic_match("a.*.c", "a.c"));
        assert!(topic_match("#.#", "x"));
        assert!(topic_match("", ""));
        assert!(!topic_match("", "a"));
        for (p, k) in [("a.*", "a.b"), ("*.b", "b.b"), ("b.#", "b"), ("a.b", "a.b")] {
            assert!(topic_match(p, k), "{p} {k}");
        }
    }
}
