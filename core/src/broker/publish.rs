//! Publishing: validate, route through the exchange, append a copy to every target.

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use super::{Broker, QueueSide};
use crate::common_error::{LimitError, LimitKind, check_key};
use crate::event::Event;
use crate::ids::{BindingId, ExchangeId, MessageId, QueueId, Target};
use crate::limits::Limits;
use crate::message::{MessageMeta, Payload, Publish};
use crate::outbox::Out;
use crate::queue::EnqueueError;
use crate::queue::PublishError;
use crate::storage::{Record, Storage};
use crate::time::Instant;

/// What [`Broker::publish_batch`] published: `count` messages with consecutive ids from
/// `first`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublishedBatch {
    /// The first message's id.
    pub first: MessageId,
    /// How many messages were published.
    pub count: u64,
}

/// Where [`Broker::publish_to`] and [`Broker::publish_batch_to`] send messages, by id: no
/// name is looked up (except the queue named by the routing key when the exchange is the
/// default exchange).
///
/// ```
/// use brokerlab::{Broker, Destination, ExchangeKind, Instant, QueueConfig};
///
/// # fn main() -> Result<(), brokerlab::Error> {
/// let mut broker = Broker::default();
/// let now = Instant::ZERO;
/// let work = broker.declare_queue(now, "work", QueueConfig::default())?;
/// let logs = broker.declare_exchange(now, "logs", ExchangeKind::Topic)?;
/// broker.bind(now, "logs", "work", "app.*")?;
/// broker.publish_to(now, work, "job 1")?; // as Publish::to_queue("work", …)
/// broker.publish_to(now, (logs, "app.error"), "disk full")?; // as Publish::new("logs", …)
/// assert_eq!(broker.queue_stats(work).unwrap().ready, 2);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Destination<'a> {
    /// Straight to a queue through the default exchange, as
    /// [`Publish::to_queue`] with the queue's name.
    Queue(QueueId),
    /// Through an exchange with a routing key, as [`Publish::new`] with the exchange's name.
    Exchange(ExchangeId, &'a str),
}

impl From<QueueId> for Destination<'_> {
    fn from(queue: QueueId) -> Self {
        Destination::Queue(queue)
    }
}

/// An exchange with the empty routing key (what fanout exchanges are published with).
impl From<ExchangeId> for Destination<'_> {
    fn from(exchange: ExchangeId) -> Self {
        Destination::Exchange(exchange, "")
    }
}

impl<'a> From<(ExchangeId, &'a str)> for Destination<'a> {
    fn from((exchange, routing_key): (ExchangeId, &'a str)) -> Self {
        Destination::Exchange(exchange, routing_key)
    }
}

/// A destination resolved to ids: the exchange, and the queue when the default exchange
/// routes to one (no routing decision left to make).
#[derive(Debug, Clone, Copy)]
struct Resolved {
    exchange: ExchangeId,
    queue: Option<QueueId>,
}

impl<S: Storage> Broker<S> {
    /// Publishes a message and returns its id.
    ///
    /// The message is routed by its exchange (the default exchange `""` sends it to the queue
    /// named by the routing key). Each queue target gets a copy appended to its log and
    /// dispatched at once if a consumer has room; each subscription target gets it in its
    /// inbox. A message matching nothing is reported `Unroutable` and discarded, as RabbitMQ
    /// does without the `mandatory` flag.
    ///
    /// Errors: unknown exchange, unknown queue (default exchange), payload, key or header
    /// beyond the limits — in those cases nothing happens. [`PublishError::Rejected`],
    /// [`PublishError::Storage`] and a full queue ([`LimitKind::QueueMessages`]) are reported
    /// after routing: the other targets did take the message (the events say so), as a
    /// RabbitMQ publisher confirm `nack` would.
    ///
    /// The names are looked up on every call; [`publish_to`](Self::publish_to) takes ids.
    pub fn publish(
        &mut self,
        now: Instant,
        publish: Publish<'_>,
    ) -> Result<MessageId, PublishError> {
        let now = self.clock(now);
        let limits = &self.limits;
        if publish.headers.len() > limits.max_headers {
            return Err(PublishError::TooManyHeaders {
                count: publish.headers.len(),
                max: limits.max_headers,
            });
        }
        for (k, v) in &publish.headers {
            check_key(k, limits.max_key_len).map_err(PublishError::InvalidKey)?;
            check_key(v, limits.max_key_len).map_err(PublishError::InvalidKey)?;
        }
        self.check_payload(&publish.payload)?;
        let to = self.resolve_names(&publish.exchange, &publish.routing_key)?;
        let keep_key = to.exchange != ExchangeId::DEFAULT && !publish.routing_key.is_empty();
        let meta = (keep_key || !publish.headers.is_empty() || publish.ttl.is_some()).then(|| {
            Arc::new(MessageMeta {
                routing_key: if keep_key {
                    publish.routing_key.clone().into_owned()
                } else {
                    String::new()
                },
                headers: publish.headers,
                ttl: publish.ttl,
                key: None,
            })
        });
        self.publish_resolved(now, to, &publish.routing_key, publish.payload, meta)
    }

    /// Publishes a message to a queue or an exchange given by id and returns its id: the same
    /// message, events and errors as [`publish`](Self::publish) of a [`Publish`] naming them
    /// (without headers or TTL), without looking names up.
    ///
    /// Errors: unknown queue or exchange (also a default-exchange routing key naming no
    /// queue), invalid routing key, payload too large — nothing happens then; the errors
    /// after routing as [`publish`](Self::publish).
    pub fn publish_to<'a>(
        &mut self,
        now: Instant,
        to: impl Into<Destination<'a>>,
        payload: impl Into<Payload>,
    ) -> Result<MessageId, PublishError> {
        let now = self.clock(now);
        let payload = payload.into();
        self.check_payload(&payload)?;
        let to = to.into();
        let (resolved, routing_key) = self.resolve_ids(to)?;
        let meta = routing_key_meta(resolved.exchange, routing_key);
        self.publish_resolved(now, resolved, routing_key, payload, meta)
    }

    /// Publishes many payloads with the same exchange and routing key, resolving the route
    /// once. Each message behaves exactly as if published by [`publish`](Self::publish) in
    /// turn (same events, same dispatch). Stops at the first error, which is returned; the
    /// messages before it stay published.
    pub fn publish_batch<P: Into<Payload>>(
        &mut self,
        now: Instant,
        exchange: &str,
        routing_key: &str,
        payloads: impl IntoIterator<Item = P>,
    ) -> Result<PublishedBatch, PublishError> {
        let now = self.clock(now);
        let to = self.resolve_names(exchange, routing_key)?;
        self.publish_batch_resolved(now, to, routing_key, payloads)
    }

    /// [`publish_batch`](Self::publish_batch) to a queue or an exchange given by id: one
    /// routing decision for the whole batch (a fanout exchange's queues and subscriptions are
    /// found once), then each message behaves exactly as if published by
    /// [`publish_to`](Self::publish_to) in turn. Stops at the first error, which is returned;
    /// the messages before it stay published.
    pub fn publish_batch_to<'a, P: Into<Payload>>(
        &mut self,
        now: Instant,
        to: impl Into<Destination<'a>>,
        payloads: impl IntoIterator<Item = P>,
    ) -> Result<PublishedBatch, PublishError> {
        let now = self.clock(now);
        let (to, routing_key) = self.resolve_ids(to.into())?;
        self.publish_batch_resolved(now, to, routing_key, payloads)
    }

    /// Validates the routing key and resolves the exchange and, for the default exchange,
    /// the queue by name (in that order: what `publish` has always reported first).
    fn resolve_names(&self, exchange: &str, routing_key: &str) -> Result<Resolved, PublishError> {
        check_key(routing_key, self.limits.max_key_len).map_err(PublishError::InvalidKey)?;
        let exchange = self
            .queue_side
            .exchanges
            .id_of(exchange)
            .ok_or(PublishError::UnknownExchange)?;
        self.resolve_default(exchange, routing_key)
    }

    /// The queue the default exchange routes `routing_key` to.
    fn resolve_default(
        &self,
        exchange: ExchangeId,
        routing_key: &str,
    ) -> Result<Resolved, PublishError> {
        let queue = if exchange == ExchangeId::DEFAULT {
            let q = self.queue_side.queues.id_of(routing_key);
            Some(q.ok_or(PublishError::UnknownQueue)?)
        } else {
            None
        };
        Ok(Resolved { exchange, queue })
    }

    /// Checks that a destination given by ids exists; returns it with its routing key (`""`
    /// for a queue: the default exchange keeps no key).
    fn resolve_ids<'a>(&self, to: Destination<'a>) -> Result<(Resolved, &'a str), PublishError> {
        match to {
            Destination::Queue(queue) => {
                if !self.queue_side.queues.contains_key(&queue) {
                    return Err(PublishError::UnknownQueue);
                }
                let exchange = ExchangeId::DEFAULT;
                let queue = Some(queue);
                Ok((Resolved { exchange, queue }, ""))
            }
            Destination::Exchange(exchange, routing_key) => {
                check_key(routing_key, self.limits.max_key_len)
                    .map_err(PublishError::InvalidKey)?;
                if !self.queue_side.exchanges.contains_key(&exchange) {
                    return Err(PublishError::UnknownExchange);
                }
                Ok((self.resolve_default(exchange, routing_key)?, routing_key))
            }
        }
    }

    /// Publishes one checked message to a resolved destination.
    fn publish_resolved(
        &mut self,
        now: Instant,
        to: Resolved,
        routing_key: &str,
        payload: Payload,
        meta: Option<Arc<MessageMeta>>,
    ) -> Result<MessageId, PublishError> {
        let result = match to.queue {
            Some(queue) => self.publish_one_to_queue(now, queue, payload, meta),
            None => {
                let targets = self.route(to.exchange, routing_key);
                let result = self.route_one(now, to.exchange, &targets, payload, meta);
                self.queue_side.route_scratch = targets;
                result
            }
        };
        if !self.out.dead_letters.is_empty() {
            self.flush_dead_letters(now);
        }
        result
    }

    /// The targets of an exchange (not the default one) for `routing_key`, in the scratch
    /// vector, which the caller must put back.
    fn route(&mut self, exchange: ExchangeId, routing_key: &str) -> Vec<(BindingId, Target)> {
        let mut targets = core::mem::take(&mut self.queue_side.route_scratch);
        targets.clear();
        if let Some(x) = self.queue_side.exchanges.get(&exchange) {
            x.route(routing_key, &mut targets);
        }
        targets
    }

    /// [`route_one`](Self::route_one) through the default exchange to `queue`, without the
    /// target list: `Published`, `Routed`, then the queue's append and delivery.
    #[inline]
    fn publish_one_to_queue(
        &mut self,
        now: Instant,
        queue: QueueId,
        payload: Payload,
        meta: Option<Arc<MessageMeta>>,
    ) -> Result<MessageId, PublishError> {
        let exchange = ExchangeId::DEFAULT;
        let message = MessageId(self.next_message);
        self.next_message = self.next_message.checked_add(1).ok_or(LimitError {
            kind: LimitKind::Ids,
            limit: usize::MAX,
        })?;
        let out = &mut self.out;
        out.emit(Event::Published { message, exchange });
        out.emit(Event::Routed {
            message,
            exchange,
            binding: None,
            target: Target::Queue(queue),
        });
        let Some(q) = self.queue_side.queues.get_mut(&queue) else {
            return Ok(message);
        };
        let record = Record {
            message,
            timestamp: now,
            payload,
            meta,
        };
        match q.publish(&mut self.storage, out, record, now) {
            Ok(_) => Ok(message),
            Err(e) => Err(enqueue_error(out, &self.limits, message, queue, e)),
        }
    }

    /// A batch to a resolved destination: one routing decision, then each message in turn.
    fn publish_batch_resolved<P: Into<Payload>>(
        &mut self,
        now: Instant,
        to: Resolved,
        routing_key: &str,
        payloads: impl IntoIterator<Item = P>,
    ) -> Result<PublishedBatch, PublishError> {
        let Resolved { exchange, queue } = to;
        let meta = routing_key_meta(exchange, routing_key);
        let mut batch = PublishedBatch {
            first: MessageId(self.next_message),
            count: 0,
        };
        let mut payloads = payloads.into_iter();
        let result = if let Some(queue) = queue {
            let binding = BindingId(0);
            self.publish_batch_to_queue(
                now,
                exchange,
                binding,
                queue,
                &mut payloads,
                &meta,
                &mut batch,
            )
        } else {
            let targets = self.route(exchange, routing_key);
            let result = if let [(binding, Target::Queue(queue))] = targets[..] {
                self.publish_batch_to_queue(
                    now,
                    exchange,
                    binding,
                    queue,
                    &mut payloads,
                    &meta,
                    &mut batch,
                )
            } else {
                self.publish_batch_routed(now, exchange, &targets, payloads, &meta, &mut batch)
            };
            self.queue_side.route_scratch = targets;
            result
        };
        self.flush_dead_letters(now);
        result.map(|()| batch)
    }

    /// [`publish_batch`](Self::publish_batch) through [`route_one`](Self::route_one).
    fn publish_batch_routed<P: Into<Payload>>(
        &mut self,
        now: Instant,
        exchange: ExchangeId,
        targets: &[(BindingId, Target)],
        payloads: impl Iterator<Item = P>,
        meta: &Option<Arc<MessageMeta>>,
        batch: &mut PublishedBatch,
    ) -> Result<(), PublishError> {
        for p in payloads {
            let payload = p.into();
            self.check_payload(&payload)?;
            self.route_one(now, exchange, targets, payload, meta.clone())?;
            batch.count += 1;
            if !self.out.dead_letters.is_empty() {
                self.flush_dead_letters(now);
            }
        }
        Ok(())
    }

    /// [`publish_batch`](Self::publish_batch) when the route is one queue: the queue is
    /// looked up once per run of messages instead of once per message. Each message does
    /// exactly what [`route_one`](Self::route_one) does for a single queue target. Returns
    /// when `payloads` is exhausted or at the first error.
    #[allow(clippy::too_many_arguments)]
    fn publish_batch_to_queue<P: Into<Payload>>(
        &mut self,
        now: Instant,
        exchange: ExchangeId,
        binding: BindingId,
        queue: QueueId,
        payloads: &mut impl Iterator<Item = P>,
        meta: &Option<Arc<MessageMeta>>,
        batch: &mut PublishedBatch,
    ) -> Result<(), PublishError> {
        let binding = (exchange != ExchangeId::DEFAULT).then_some(binding);
        let target = Target::Queue(queue);
        loop {
            let Broker {
                queue_side: QueueSide { queues, .. },
                storage,
                out,
                limits,
                next_message,
                ..
            } = self;
            let mut q = queues.get_mut(&queue);
            let mut flush = false;
            for p in payloads.by_ref() {
                let payload: Payload = p.into();
                if payload.len() > limits.max_payload_bytes {
                    return Err(PublishError::PayloadTooLarge {
                        len: payload.len(),
                        max: limits.max_payload_bytes,
                    });
                }
                let message = MessageId(*next_message);
                *next_message = next_message.checked_add(1).ok_or(LimitError {
                    kind: LimitKind::Ids,
                    limit: usize::MAX,
                })?;
                out.emit(Event::Published { message, exchange });
                out.emit(Event::Routed {
                    message,
                    exchange,
                    binding,
                    target,
                });
                if let Some(q) = q.as_deref_mut() {
                    let record = Record {
                        message,
                        timestamp: now,
                        payload,
                        meta: meta.clone(),
                    };
                    if let Err(e) = q.publish(storage, out, record, now) {
                        return Err(enqueue_error(out, limits, message, queue, e));
                    }
                }
                batch.count += 1;
                if !out.dead_letters.is_empty() {
                    flush = true;
                    break;
                }
            }
            if !flush {
                return Ok(());
            }
            self.flush_dead_letters(now);
        }
    }

    fn check_payload(&self, payload: &Payload) -> Result<(), PublishError> {
        if payload.len() > self.limits.max_payload_bytes {
            return Err(PublishError::PayloadTooLarge {
                len: payload.len(),
                max: self.limits.max_payload_bytes,
            });
        }
        Ok(())
    }

    /// Gives one message an id and puts a copy in every target.
    fn route_one(
        &mut self,
        now: Instant,
        exchange: ExchangeId,
        targets: &[(BindingId, Target)],
        payload: Payload,
        meta: Option<Arc<MessageMeta>>,
    ) -> Result<MessageId, PublishError> {
        let message = MessageId(self.next_message);
        self.next_message = self.next_message.checked_add(1).ok_or(LimitError {
            kind: LimitKind::Ids,
            limit: usize::MAX,
        })?;
        self.out.emit(Event::Published { message, exchange });
        if targets.is_empty() {
            self.out.emit(Event::Unroutable { message, exchange });
        }
        let mut result = Ok(message);
        // The last target takes the payload and properties; the others share them.
        let mut payload = Some(payload);
        let mut meta = Some(meta);
        for (i, &(binding, target)) in targets.iter().enumerate() {
            let last = i + 1 == targets.len();
            let mut share = || {
                if last {
                    (payload.take(), meta.take())
                } else {
                    (payload.clone(), meta.clone())
                }
            };
            self.out.emit(Event::Routed {
                message,
                exchange,
                binding: (exchange != ExchangeId::DEFAULT).then_some(binding),
                target,
            });
            match target {
                Target::Queue(queue) => {
                    let Some(q) = self.queue_side.queues.get_mut(&queue) else {
                        continue;
                    };
                    let (Some(payload), Some(meta)) = share() else {
                        continue;
                    };
                    let record = Record {
                        message,
                        timestamp: now,
                        payload,
                        meta,
                    };
                    let err = match q.publish(&mut self.storage, &mut self.out, record, now) {
                        Ok(_) => continue,
                        Err(e) => enqueue_error(&mut self.out, &self.limits, message, queue, e),
                    };
                    if result.is_ok() {
                        result = Err(err);
                    }
                }
                Target::Subscription(sid) => {
                    let Some(s) = self.queue_side.subscriptions.get_mut(&sid) else {
                        continue;
                    };
                    let (Some(payload), _) = share() else {
                        continue;
                    };
                    if let Some((lost, missed)) = s.push(message, payload) {
                        self.out.emit(Event::Lagged {
                            message: lost,
                            subscription: sid,
                            missed,
                        });
                    }
                    self.out.emit(Event::Buffered {
                        message,
                        subscription: sid,
                    });
                }
            }
        }
        result
    }
}

/// The properties of a message published through `exchange` with `routing_key` and nothing
/// else: the key is kept for any exchange but the default one.
#[inline]
fn routing_key_meta(exchange: ExchangeId, routing_key: &str) -> Option<Arc<MessageMeta>> {
    (exchange != ExchangeId::DEFAULT && !routing_key.is_empty()).then(|| {
        Arc::new(MessageMeta {
            routing_key: String::from(routing_key),
            ..MessageMeta::default()
        })
    })
}

/// The publish error for a queue that refused a message, reporting what the queue did not.
fn enqueue_error(
    out: &mut Out,
    limits: &Limits,
    message: MessageId,
    queue: QueueId,
    error: EnqueueError,
) -> PublishError {
    match error {
        EnqueueError::Rejected => PublishError::Rejected { message, queue },
        EnqueueError::Full => {
            out.emit(Event::Rejected { message, queue });
            PublishError::Limit(LimitError {
                kind: LimitKind::QueueMessages,
                limit: limits.max_queue_messages,
            })
        }
        EnqueueError::Storage(error) => {
            out.emit(Event::StorageFailed { queue, error });
            PublishError::Storage {
                message,
                queue,
                error,
            }
        }
    }
}
