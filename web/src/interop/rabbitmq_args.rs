//! RabbitMQ's spellings that the exporter writes and the importer reads, spelled once: the
//! `x-…` queue and exchange arguments, their values (overflow modes, queue types), the
//! exchange types and `x-max-age`'s units.

use brokerlab::sim::{ExchangeKindSpec, OverflowSpec, QueueSpec};

/// The vhost exported to, and the one imported when the file names it.
pub const DEFAULT_VHOST: &str = "/";

/// Ready messages a queue keeps (a subscriber's inbox capacity).
pub const MAX_LENGTH: &str = "x-max-length";
/// A stream's (or queue's) size bound in bytes.
pub const MAX_LENGTH_BYTES: &str = "x-max-length-bytes";
/// What a full queue does: [`DROP_HEAD`], [`REJECT_PUBLISH`] or [`REJECT_PUBLISH_DLX`].
pub const OVERFLOW: &str = "x-overflow";
/// The queue TTL in milliseconds.
pub const MESSAGE_TTL: &str = "x-message-ttl";
/// Where dead letters are published (`""`: the default exchange).
pub const DEAD_LETTER_EXCHANGE: &str = "x-dead-letter-exchange";
/// The routing key dead letters are published with.
pub const DEAD_LETTER_ROUTING_KEY: &str = "x-dead-letter-routing-key";
/// The queue type: [`CLASSIC`], [`QUORUM`] or [`STREAM`].
pub const QUEUE_TYPE: &str = "x-queue-type";
/// Deliveries before a quorum queue dead-letters a message.
pub const DELIVERY_LIMIT: &str = "x-delivery-limit";
/// The ack timeout in milliseconds (RabbitMQ 3.12 or later).
pub const CONSUMER_TIMEOUT: &str = "x-consumer-timeout";
/// A stream's age bound ([`max_age`], [`parse_max_age`]).
pub const MAX_AGE: &str = "x-max-age";
/// Marks a direct exchange as a super stream.
pub const SUPER_STREAM: &str = "x-super-stream";
/// A super stream binding's partition number.
pub const STREAM_PARTITION_ORDER: &str = "x-stream-partition-order";

/// `x-overflow`: drop the oldest ready message (the default).
pub const DROP_HEAD: &str = "drop-head";
/// `x-overflow`: refuse the new message.
pub const REJECT_PUBLISH: &str = "reject-publish";
/// `x-overflow`: refuse the new message and dead-letter it.
pub const REJECT_PUBLISH_DLX: &str = "reject-publish-dlx";

/// `x-queue-type`: a classic queue.
pub const CLASSIC: &str = "classic";
/// `x-queue-type`: a quorum queue (the one type that counts deliveries).
pub const QUORUM: &str = "quorum";
/// `x-queue-type`: a stream queue.
pub const STREAM: &str = "stream";

/// A binding's `destination_type` for a queue.
pub const DESTINATION_QUEUE: &str = "queue";
/// A binding's `destination_type` for an exchange.
pub const DESTINATION_EXCHANGE: &str = "exchange";

/// `x-delivery-limit` for a queue whose messages may be delivered `max_deliveries` times.
///
/// Brokerlab counts deliveries, as SQS's `maxReceiveCount` does: with `max_deliveries: 3` the
/// third delivery that is not acked dead-letters the message. RabbitMQ's quorum queues count
/// *returns* (a nack with requeue, or the consumer's channel closing with the message
/// unacked): the message is dead-lettered when it comes back more than `x-delivery-limit`
/// times, so a limit of 3 allows four deliveries (its `x-delivery-count` header reads 0, 1, 2,
/// 3). The limit is therefore one less than `max_deliveries` (checked against RabbitMQ 3.10
/// by the differential suite, `tests/tests/rabbitmq/`).
#[must_use]
pub fn delivery_limit(max_deliveries: u32) -> u32 {
    max_deliveries.saturating_sub(1)
}

/// The `max_deliveries` a RabbitMQ `x-delivery-limit` means: the inverse of
/// [`delivery_limit`].
#[must_use]
pub fn max_deliveries(delivery_limit: u64) -> u64 {
    delivery_limit.saturating_add(1)
}

/// `x-max-length` for a queue that keeps at most `max_length` ready messages.
///
/// The same, but for a quorum queue (one with `max_deliveries`) that refuses publishes when
/// full: RabbitMQ's quorum queues check the limit before adding a message, so with
/// `x-overflow: reject-publish` they take one message beyond `x-max-length` (RabbitMQ 3.10,
/// checked by the differential suite: a limit of 3 accepts a 4th publish and nacks the 5th).
/// Such a queue gets `x-max-length` one less, so that it keeps `max_length` as the
/// simulation does. Classic queues, and quorum queues that drop the head, keep exactly
/// `x-max-length`.
#[must_use]
pub fn max_length(queue: &QueueSpec, max_length: u64) -> u64 {
    if queue.max_deliveries.is_some() && queue.overflow == OverflowSpec::RejectPublish {
        max_length.saturating_sub(1)
    } else {
        max_length
    }
}

/// The `max_length` a queue's `x-max-length` means: the inverse of [`max_length`] (a
/// quorum queue with `x-overflow: reject-publish` keeps one more).
#[must_use]
pub fn max_length_of(quorum: bool, reject_publish: bool, x_max_length: u64) -> u64 {
    if quorum && reject_publish {
        x_max_length.saturating_add(1)
    } else {
        x_max_length
    }
}

/// The exchange type's name in RabbitMQ.
#[must_use]
pub fn exchange_type(kind: ExchangeKindSpec) -> &'static str {
    match kind {
        ExchangeKindSpec::Fanout => "fanout",
        ExchangeKindSpec::Direct => "direct",
        ExchangeKindSpec::Topic => "topic",
    }
}

/// The exchange kind a RabbitMQ exchange type simulates as, if any.
#[must_use]
pub fn exchange_kind(kind: &str) -> Option<ExchangeKindSpec> {
    [
        ExchangeKindSpec::Fanout,
        ExchangeKindSpec::Direct,
        ExchangeKindSpec::Topic,
    ]
    .into_iter()
    .find(|k| exchange_type(*k) == kind)
}

/// A duration as RabbitMQ's `x-max-age` (`7D`, `12h`, `30m`, `45s`): the largest unit that
/// divides it, rounded up to whole seconds (at least `1s`).
#[must_use]
pub fn max_age(ms: u64) -> String {
    let s = ms.div_ceil(1000).max(1);
    if s.is_multiple_of(86_400) {
        format!("{}D", s / 86_400)
    } else if s.is_multiple_of(3_600) {
        format!("{}h", s / 3_600)
    } else if s.is_multiple_of(60) {
        format!("{}m", s / 60)
    } else {
        format!("{s}s")
    }
}

/// RabbitMQ's `x-max-age` (`7D`, `12h`, `30m`, `45s`, also `Y` and `M`) in milliseconds.
#[must_use]
pub fn parse_max_age(text: &str) -> Option<u64> {
    let text = text.trim();
    let unit = text.chars().last()?;
    let n: u64 = text[..text.len() - unit.len_utf8()].parse().ok()?;
    let seconds = match unit {
        'Y' => 365 * 86_400,
        'M' => 30 * 86_400,
        'D' => 86_400,
        'h' => 3_600,
        'm' => 60,
        's' => 1,
        _ => return None,
    };
    n.checked_mul(seconds)?.checked_mul(1000)
}
