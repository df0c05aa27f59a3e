//! What the playground draws and lets the user select: [`Entity`], named by kind and name.

/// Something shown on the canvas that can be selected and inspected.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Entity {
    /// A producer, by name.
    Producer(String),
    /// An exchange.
    Exchange(String),
    /// A queue.
    Queue(String),
    /// A pub/sub subscription (named after its consumer).
    Subscription(String),
    /// A stream.
    Stream(String),
    /// A consumer (queue consumer, subscriber, stream reader or group member).
    Consumer(String),
    /// A consumer group.
    Group(String),
}

impl Entity {
    /// `kind:name`, stable across renders (used as DOM key and in `data-entity`).
    #[must_use]
    pub fn key(&self) -> String {
        let (kind, name) = self.parts();
        format!("{kind}:{name}")
    }

    /// The kind in words and the name.
    #[must_use]
    pub fn parts(&self) -> (&'static str, &str) {
        match self {
            Entity::Producer(n) => ("producer", n),
            Entity::Exchange(n) => ("exchange", n),
            Entity::Queue(n) => ("queue", n),
            Entity::Subscription(n) => ("subscription", n),
            Entity::Stream(n) => ("stream", n),
            Entity::Consumer(n) => ("consumer", n),
            Entity::Group(n) => ("group", n),
        }
    }

    /// The entity a [`key`](Self::key) names.
    #[must_use]
    pub fn from_key(key: &str) -> Option<Entity> {
        let (kind, name) = key.split_once(':')?;
        let name = name.to_owned();
        Some(match kind {
            "producer" => Entity::Producer(name),
            "exchange" => Entity::Exchange(name),
            "queue" => Entity::Queue(name),
            "subscription" => Entity::Subscription(name),
            "stream" => Entity::Stream(name),
            "consumer" => Entity::Consumer(name),
            "group" => Entity::Group(name),
            _ => return None,
        })
    }

    /// The name alone.
    #[must_use]
    pub fn name(&self) -> &str {
        self.parts().1
    }
}
