//! Publishing: validate, route through the exchange, append a copy to every target.

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use super::Broker;
use crate::common_error::{LimitError, LimitKind, check_key};
use crate::error::PublishError;
use crate::event::Event;
use crate::ids::{BindingId, ExchangeId, MessageId, QueueId, Target};
use crate::limits::Limits;
use crate::message::{MessageMeta, Payload, Publish};
use crate::outbox::Out;
use crate::queue::EnqueueError;
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
        let (exchange, targets) = self.prepare(&publish.exchange, &publish.routing_key)?;
        let keep_key = exchange != ExchangeId::DEFAULT && !publish.routing_key.is_empty();
        let meta = (keep_key || !publish.headers.is_empty() || publish.ttl.is_some()).then(|| {
            Arc::new(MessageMeta {
                routing_key: if keep_key {
                    publish.routing_key.into_owned()
                } else {
                    String::new()
                },
                headers: publish.headers,
                ttl: publish.ttl,
                key: None,
            })
        });
        let result = self.route_one(now, exchange, &targets, publish.payload, meta);
        self.route_scratch = targets;
        self.flush_dead_letters(now);
        result
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
        let (exchange, targets) = self.prepare(exchange, routing_key)?;
        let meta = (exchange != ExchangeId::DEFAULT && !routing_key.is_empty()).then(|| {
            Arc::new(MessageMeta {
                routing_key: String::from(routing_key),
                ..MessageMeta::default()
            })
        });
        let mut batch = PublishedBatch {
            first: MessageId(self.next_message),
            count: 0,
        };
        let mut payloads = payloads.into_iter();
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
        self.route_scratch = targets;
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
                queues,
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

    /// Validates the key, resolves the exchange and computes the targets (in the scratch
    /// vector, which the caller must put back).
    fn prepare(
        &mut self,
        exchange: &str,
        routing_key: &str,
    ) -> Result<(ExchangeId, Vec<(BindingId, Target)>), PublishError> {
        check_key(routing_key, self.limits.max_key_len).map_err(PublishError::InvalidKey)?;
        let exchange = *self
            .exchange_names
            .get(exchange)
            .ok_or(PublishError::UnknownExchange)?;
        let mut targets = core::mem::take(&mut self.route_scratch);
        targets.clear();
        if exchange == ExchangeId::DEFAULT {
            match self.queue_names.get(routing_key) {
                Some(&q) => targets.push((BindingId(0), Target::Queue(q))),
                None => {
                    self.route_scratch = targets;
                    return Err(PublishError::UnknownQueue);
                }
            }
        } else if let Some(x) = self.exchanges.get(&exchange) {
            x.route(routing_key, &mut targets);
        }
        Ok((exchange, targets))
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
                    let Some(q) = self.queues.get_mut(&queue) else {
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
                    let Some(s) = self.subscriptions.get_mut(&sid) else {
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
