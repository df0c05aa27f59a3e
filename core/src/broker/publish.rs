//! Publishing: validate, route through the exchange, append a copy to every target.

use alloc::string::String;
use alloc::sync::Arc;

use super::Broker;
use crate::error::{LimitError, LimitKind, PublishError, check_key};
use crate::event::Event;
use crate::ids::{ExchangeId, MessageId, Target};
use crate::message::{MessageMeta, Publish};
use crate::queue::EnqueueError;
use crate::storage::{Record, Storage};
use crate::time::Instant;

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
        if publish.payload.len() > limits.max_payload_bytes {
            return Err(PublishError::PayloadTooLarge {
                len: publish.payload.len(),
                max: limits.max_payload_bytes,
            });
        }
        if publish.headers.len() > limits.max_headers {
            return Err(PublishError::TooManyHeaders {
                count: publish.headers.len(),
                max: limits.max_headers,
            });
        }
        check_key(&publish.routing_key, limits.max_key_len).map_err(PublishError::InvalidKey)?;
        for (k, v) in &publish.headers {
            check_key(k, limits.max_key_len).map_err(PublishError::InvalidKey)?;
            check_key(v, limits.max_key_len).map_err(PublishError::InvalidKey)?;
        }
        let exchange = *self
            .exchange_names
            .get(publish.exchange.as_ref())
            .ok_or(PublishError::UnknownExchange)?;

        let mut targets = core::mem::take(&mut self.route_scratch);
        targets.clear();
        if exchange == ExchangeId::DEFAULT {
            match self.queue_names.get(publish.routing_key.as_ref()) {
                Some(&q) => targets.push((crate::ids::BindingId(0), Target::Queue(q))),
                None => {
                    self.route_scratch = targets;
                    return Err(PublishError::UnknownQueue);
                }
            }
        } else if let Some(x) = self.exchanges.get(&exchange) {
            x.route(&publish.routing_key, &mut targets);
        }

        let message = MessageId(self.next_message);
        let Some(next) = self.next_message.checked_add(1) else {
            self.route_scratch = targets;
            return Err(LimitError {
                kind: LimitKind::Ids,
                limit: usize::MAX,
            }
            .into());
        };
        self.next_message = next;

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
            })
        });
        let payload = publish.payload;

        self.out.emit(Event::Published { message, exchange });
        if targets.is_empty() {
            self.out.emit(Event::Unroutable { message, exchange });
        }
        let mut result = Ok(message);
        for &(binding, target) in &targets {
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
                    let record = Record {
                        message,
                        timestamp: now,
                        payload: payload.clone(),
                        meta: meta.clone(),
                    };
                    let err = match q.enqueue(&mut self.storage, &mut self.out, record) {
                        Ok(_) => {
                            q.dispatch(&mut self.storage, &mut self.out, now);
                            continue;
                        }
                        Err(EnqueueError::Rejected) => PublishError::Rejected { message, queue },
                        Err(EnqueueError::Full) => {
                            self.out.emit(Event::Rejected { message, queue });
                            PublishError::Limit(LimitError {
                                kind: LimitKind::QueueMessages,
                                limit: self.limits.max_queue_messages,
                            })
                        }
                        Err(EnqueueError::Storage(error)) => {
                            self.out.emit(Event::StorageFailed { queue, error });
                            PublishError::Storage {
                                message,
                                queue,
                                error,
                            }
                        }
                    };
                    if result.is_ok() {
                        result = Err(err);
                    }
                }
                Target::Subscription(sid) => {
                    let Some(s) = self.subscriptions.get_mut(&sid) else {
                        continue;
                    };
                    if let Some((lost, missed)) = s.push(message, payload.clone()) {
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
        self.route_scratch = targets;
        self.flush_dead_letters(now);
        result
    }
}
