//! Exchanges and bindings: where a published message goes (RabbitMQ routing).
//!
//! - `fanout`: every bound target gets a copy; the routing key is ignored.
//! - `direct`: targets whose binding key equals the routing key.
//! - `topic`: targets whose binding pattern matches the routing key ([`topic`]).
//! - the default exchange (`""`, [`ExchangeId::DEFAULT`]): the queue named by the routing key.
//!
//! A target bound several times (several matching keys) still gets one copy per message.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::ids::{BindingId, ExchangeId, Target};
mod error;
pub mod topic;

pub use error::{BindError, DeclareExchangeError, DeleteExchangeError, UnbindError};

use topic::TopicPattern;

/// How an exchange routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum ExchangeKind {
    /// To queues whose binding key equals the routing key. The default exchange is direct.
    Direct,
    /// To every bound target.
    Fanout,
    /// To targets whose binding pattern matches the routing key (`*`, `#`).
    Topic,
}

impl fmt::Display for ExchangeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ExchangeKind::Direct => "direct",
            ExchangeKind::Fanout => "fanout",
            ExchangeKind::Topic => "topic",
        })
    }
}

/// A binding as reported by [`Broker::binding`](crate::Broker::binding).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BindingInfo<'a> {
    /// The binding.
    pub id: BindingId,
    /// Its exchange.
    pub exchange: ExchangeId,
    /// Where it sends messages.
    pub target: Target,
    /// Its binding key or pattern.
    pub key: &'a str,
}

#[derive(Clone, Debug)]
pub(crate) struct Binding {
    pub(crate) id: BindingId,
    pub(crate) target: Target,
    pub(crate) key: String,
    pattern: Option<TopicPattern>,
}

#[derive(Clone, Debug)]
pub(crate) struct Exchange {
    pub(crate) id: ExchangeId,
    pub(crate) name: String,
    pub(crate) kind: ExchangeKind,
    pub(crate) bindings: Vec<Binding>,
}

impl Exchange {
    pub(crate) fn new(id: ExchangeId, name: String, kind: ExchangeKind) -> Self {
        Exchange {
            id,
            name,
            kind,
            bindings: Vec::new(),
        }
    }

    pub(crate) fn find_binding(&self, target: Target, key: &str) -> Option<BindingId> {
        self.bindings
            .iter()
            .find(|b| b.target == target && b.key == key)
            .map(|b| b.id)
    }

    pub(crate) fn add_binding(&mut self, id: BindingId, target: Target, key: String) {
        let pattern = (self.kind == ExchangeKind::Topic).then(|| TopicPattern::new(&key));
        self.bindings.push(Binding {
            id,
            target,
            key,
            pattern,
        });
    }

    /// Appends `(binding, target)` for every matching binding to `out`, one per target, in
    /// target order.
    pub(crate) fn route(&self, routing_key: &str, out: &mut Vec<(BindingId, Target)>) {
        for b in &self.bindings {
            let hit = match self.kind {
                ExchangeKind::Fanout => true,
                ExchangeKind::Direct => b.key == routing_key,
                ExchangeKind::Topic => b.pattern.as_ref().is_some_and(|p| p.matches(routing_key)),
            };
            if hit {
                out.push((b.id, b.target));
            }
        }
        if out.len() > 1 {
            crate::sort::sort_by_key(out, |&(b, t)| (t, b));
            out.dedup_by_key(|&mut (_, t)| t);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{QueueId, SubscriptionId};

    #[test]
    fn routes_once_per_target() {
        let mut x = Exchange::new(ExchangeId(1), "t".into(), ExchangeKind::Topic);
        let q = Target::Queue(QueueId(1));
        x.add_binding(BindingId(1), q, "a.*".into());
        x.add_binding(BindingId(2), q, "#".into());
        x.add_binding(
            BindingId(3),
            Target::Subscription(SubscriptionId(0)),
            "b".into(),
        );
        let mut out = Vec::new();
        x.route("a.b", &mut out);
        assert_eq!(out, [(BindingId(1), q)]);
        out.clear();
        x.route("b", &mut out);
        assert_eq!(
            out,
            [
                (BindingId(2), q),
                (BindingId(3), Target::Subscription(SubscriptionId(0)))
            ]
        );
        assert_eq!(x.find_binding(q, "#"), Some(BindingId(2)));
    }
}
