//! Small `Copy` identifiers for every entity and message.
//!
//! Events name entities by these ids so the hot path never clones a string; the broker maps
//! them back to names (`Broker::queue_name`, `Broker::consumer_name`, …). Ids are handed out
//! in increasing order and never reused within one broker, which keeps runs reproducible.

use core::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident($inner:ty), $prefix:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
        #[cfg_attr(feature = "serde", serde(transparent))]
        pub struct $name(pub $inner);

        impl $name {
            /// The raw number behind this id.
            #[must_use]
            pub const fn get(self) -> $inner {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($prefix, "{}"), self.0)
            }
        }
    };
}

id_type!(
    /// Identifies a queue.
    QueueId(u32), "q"
);
id_type!(
    /// Identifies an exchange. `ExchangeId(0)` is the default exchange.
    ExchangeId(u32), "x"
);
id_type!(
    /// Identifies a binding from an exchange to a queue or subscription.
    BindingId(u32), "b"
);
id_type!(
    /// Identifies a queue consumer.
    ConsumerId(u32), "c"
);
id_type!(
    /// Identifies a pub/sub subscription.
    SubscriptionId(u32), "s"
);
id_type!(
    /// Identifies one published message. Copies of a message in several queues (fan-out) and in
    /// a dead-letter queue keep the same id, so its whole journey can be followed.
    MessageId(u64), "m"
);
id_type!(
    /// Identifies one delivery of a message to a consumer; the handle for `ack` and `nack`.
    /// A redelivery gets a new tag.
    DeliveryTag(u64), "d"
);
id_type!(
    /// Identifies a log in [`Storage`](crate::Storage).
    LogId(u64), "log"
);
id_type!(
    /// A position in a log. Offsets are dense: the `n`-th record appended has offset `n`.
    Offset(u64), "@"
);

id_type!(
    /// Identifies a stream (pattern D): a set of partition logs.
    StreamId(u32), "st"
);
id_type!(
    /// Identifies a stream consumer: a standalone one, or a member of a consumer group.
    StreamConsumerId(u32), "sc"
);
id_type!(
    /// Identifies a consumer group (pattern E).
    GroupId(u32), "g"
);
id_type!(
    /// Identifies a share group (Kafka's KIP-932 "queues for Kafka"): a group whose members
    /// share the records of its streams one record at a time.
    ShareGroupId(u32), "sg"
);
id_type!(
    /// Identifies a member of a share group. Ids are unique across share groups and never
    /// reused.
    ShareMemberId(u32), "sm"
);

impl ExchangeId {
    /// The default exchange, which routes a message to the queue named by its routing key.
    pub const DEFAULT: ExchangeId = ExchangeId(0);
}

impl Offset {
    /// The offset after this one (saturating).
    #[must_use]
    pub const fn next(self) -> Offset {
        Offset(self.0.saturating_add(1))
    }
}

/// Where a binding sends messages: a queue or a pub/sub subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Target {
    /// A durable queue.
    Queue(QueueId),
    /// A pub/sub subscription's inbox.
    Subscription(SubscriptionId),
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Queue(q) => q.fmt(f),
            Target::Subscription(s) => s.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn display_has_prefixes() {
        assert_eq!(QueueId(3).to_string(), "q3");
        assert_eq!(MessageId(7).to_string(), "m7");
        assert_eq!(Target::Subscription(SubscriptionId(1)).to_string(), "s1");
        assert_eq!(Offset(1).next(), Offset(2));
    }
}

/// Names an entity by name or by id: what every by-name-or-id call takes, through its alias
/// ([`QueueRef`](crate::QueueRef), [`ExchangeRef`](crate::ExchangeRef),
/// [`StreamRef`](crate::StreamRef)). A `&str`, a `&String` or the id converts into it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ref<'a, I> {
    /// By name.
    Name(&'a str),
    /// By id.
    Id(I),
}

impl<'a, I> From<&'a str> for Ref<'a, I> {
    fn from(name: &'a str) -> Self {
        Ref::Name(name)
    }
}

impl<'a, I> From<&'a alloc::string::String> for Ref<'a, I> {
    fn from(name: &'a alloc::string::String) -> Self {
        Ref::Name(name)
    }
}

macro_rules! ref_from_id {
    ($($id:ty),*) => {
        $(impl From<$id> for Ref<'_, $id> {
            fn from(id: $id) -> Self {
                Ref::Id(id)
            }
        })*
    };
}

ref_from_id!(QueueId, ExchangeId, StreamId);
