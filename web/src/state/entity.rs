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
    /// A share group (Kafka's KIP-932): its members share every partition of its streams.
    ShareGroup(String),
}

impl Entity {
    /// `kind:name`, stable across renders (used as DOM key and in `data-entity`); a kind of
    /// two words is joined by a hyphen (`share-group:orders`).
    #[must_use]
    pub fn key(&self) -> String {
        let (kind, name) = self.parts();
        format!("{}:{name}", kind.replace(' ', "-"))
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
            Entity::ShareGroup(n) => ("share group", n),
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
            "share-group" => Entity::ShareGroup(name),
            _ => return None,
        })
    }

    /// The name alone.
    #[must_use]
    pub fn name(&self) -> &str {
        self.parts().1
    }
}

#[cfg(test)]
mod tests {
    use super::Entity;

    #[test]
    fn a_key_names_the_entity_it_came_from() {
        for e in [
            Entity::Queue("q".into()),
            Entity::Group("g:1".into()),
            Entity::ShareGroup("fulfilment".into()),
        ] {
            assert_eq!(Entity::from_key(&e.key()), Some(e.clone()));
        }
        assert_eq!(
            Entity::ShareGroup("fulfilment".into()).key(),
            "share-group:fulfilment"
        );
    }
}
