//! [`Limits`]: the cap on every collection the broker keeps.
//!
//! Every bounded collection has a cap here and a typed error (or a documented overflow policy)
//! when it is reached: declaring past a cap fails with a [`LimitError`](crate::LimitError), a
//! full queue applies its overflow policy, a full inbox overwrites its oldest message and
//! reports `Lagged`, and a full event buffer discards its oldest events and reports
//! [`Event::EventsLost`](crate::Event::EventsLost).

/// Caps on everything the broker holds. `Limits::default()` suits tests and the playground.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default))]
pub struct Limits {
    /// Exchanges, the default exchange included.
    pub max_exchanges: usize,
    /// Queues.
    pub max_queues: usize,
    /// Bindings across all exchanges.
    pub max_bindings: usize,
    /// Queue consumers, crashed ones included.
    pub max_consumers: usize,
    /// Pub/sub subscriptions.
    pub max_subscriptions: usize,
    /// Records one queue's log may span (ready, unacked and acked-but-not-yet-dropped);
    /// also the largest allowed `max_length`. Publishing past it fails.
    pub max_queue_messages: usize,
    /// The largest prefetch; a prefetch of 0 ("unlimited") is capped here too.
    pub max_prefetch: u32,
    /// The largest subscription inbox.
    pub max_inbox: usize,
    /// Bytes in an entity name (exchange, queue, consumer, subscription).
    pub max_name_len: usize,
    /// Bytes in a routing key, binding key, header name or header value.
    pub max_key_len: usize,
    /// Bytes in a payload.
    pub max_payload_bytes: usize,
    /// Headers on one message.
    pub max_headers: usize,
    /// Undrained events; past it the oldest are discarded and counted. The delivery buffer
    /// (deliveries the [`EventFilter`](crate::EventFilter) moves out of the events) has the
    /// same cap and the same policy.
    pub max_events: usize,
    /// Dead-letter moves one call may cascade through before the message is dropped (guards
    /// against dead-letter cycles).
    pub max_dead_letter_hops: u32,
    /// Streams.
    pub max_streams: usize,
    /// Partitions of one stream.
    pub max_partitions: u32,
    /// Records one stream partition may hold; also the largest retention `max_records`.
    /// Appending to a full partition fails (retention is what makes room).
    pub max_partition_records: usize,
    /// Stream consumers, standalone ones and group members together.
    pub max_stream_consumers: usize,
    /// Consumer groups.
    pub max_groups: usize,
    /// Members of one consumer group.
    pub max_group_members: usize,
    /// Share groups (Kafka's `group.share.max.groups`).
    pub max_share_groups: usize,
    /// Members of one share group (Kafka's `group.share.max.size`).
    pub max_share_group_members: usize,
    /// The largest `max_record_locks` a share group may ask for: records in flight per
    /// share-partition (the top of Kafka's range for
    /// `group.share.partition.max.record.locks`).
    pub max_share_record_locks: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_exchanges: 256,
            max_queues: 1024,
            max_bindings: 4096,
            max_consumers: 4096,
            max_subscriptions: 1024,
            max_queue_messages: 1 << 20,
            max_prefetch: 65_535,
            max_inbox: 1 << 16,
            max_name_len: 255,
            max_key_len: 255,
            max_payload_bytes: 1 << 20,
            max_headers: 64,
            max_events: 1 << 20,
            max_dead_letter_hops: 8,
            max_streams: 256,
            max_partitions: 1024,
            max_partition_records: 1 << 20,
            max_stream_consumers: 4096,
            max_groups: 256,
            max_group_members: 1024,
            max_share_groups: 256,
            max_share_group_members: 1024,
            max_share_record_locks: 10_000,
        }
    }
}
