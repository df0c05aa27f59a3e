//! Declaring and deleting exchanges and queues, binding and unbinding.

use alloc::string::String;

use super::{Broker, ExchangeRef, QueueRef, next_id};
use crate::common_error::{LimitError, LimitKind, check_key, check_name};
use crate::event::{Event, RequeueReason};
use crate::exchange::{BindError, DeclareExchangeError, DeleteExchangeError, UnbindError};
use crate::exchange::{Exchange, ExchangeKind};
use crate::ids::{BindingId, ExchangeId, LogId, QueueId, SubscriptionId, Target};
use crate::queue::{DeclareQueueError, QueueError};
use crate::queue::{Queue, QueueConfig};
use crate::storage::Storage;
use crate::time::Instant;

impl<S: Storage> Broker<S> {
    /// Declares an exchange of `kind` named `name`.
    ///
    /// Errors: invalid or duplicate name, [`Limits::max_exchanges`](crate::Limits).
    pub fn declare_exchange(
        &mut self,
        now: Instant,
        name: &str,
        kind: ExchangeKind,
    ) -> Result<ExchangeId, DeclareExchangeError> {
        self.clock(now);
        let id = self.queue_side.exchanges.declare::<DeclareExchangeError>(
            name,
            self.limits.max_name_len,
            (self.limits.max_exchanges, LimitKind::Exchanges),
            |id| Exchange::new(id, String::from(name), kind),
        )?;
        self.out
            .emit(Event::ExchangeDeclared { exchange: id, kind });
        Ok(id)
    }

    /// Deletes an exchange and its bindings (each reported as `Unbound`).
    pub fn delete_exchange<'a>(
        &mut self,
        now: Instant,
        exchange: impl Into<ExchangeRef<'a>>,
    ) -> Result<(), DeleteExchangeError> {
        self.clock(now);
        let id = self
            .resolve_exchange(exchange.into())
            .ok_or(DeleteExchangeError::UnknownExchange)?;
        if id == ExchangeId::DEFAULT {
            return Err(DeleteExchangeError::DefaultExchange);
        }
        let Some(x) = self.queue_side.exchanges.remove(&id) else {
            return Err(DeleteExchangeError::UnknownExchange);
        };
        for b in &x.bindings {
            self.queue_side.binding_index.remove(&b.id);
            self.out.emit(Event::Unbound {
                binding: b.id,
                exchange: id,
                target: b.target,
            });
        }
        self.out.emit(Event::ExchangeDeleted { exchange: id });
        Ok(())
    }

    /// Declares a queue named `name` and creates its storage log. The queue is reachable at
    /// once through the default exchange (publish with its name as routing key).
    ///
    /// Errors: invalid or duplicate name, inconsistent config, [`Limits::max_queues`](crate::Limits),
    /// or storage refusing the log.
    pub fn declare_queue(
        &mut self,
        now: Instant,
        name: &str,
        config: QueueConfig,
    ) -> Result<QueueId, DeclareQueueError> {
        self.clock(now);
        self.queue_side
            .queues
            .check_vacant(name, self.limits.max_name_len)?;
        if config
            .max_length
            .is_some_and(|m| m > self.limits.max_queue_messages)
        {
            return Err(DeclareQueueError::InvalidConfig(
                "max_length is above Limits::max_queue_messages",
            ));
        }
        if config.max_deliveries == Some(0) {
            return Err(DeclareQueueError::InvalidConfig(
                "max_deliveries must be at least 1",
            ));
        }
        if let Some(dlq) = &config.dead_letter_queue {
            if check_name(dlq, self.limits.max_name_len).is_err() {
                return Err(DeclareQueueError::InvalidConfig(
                    "dead_letter_queue is not a valid queue name",
                ));
            }
            if dlq == name {
                return Err(DeclareQueueError::InvalidConfig(
                    "dead_letter_queue names the queue itself",
                ));
            }
        }
        self.queue_side
            .queues
            .check_room(self.limits.max_queues, LimitKind::Queues)?;
        let log = LogId(self.next_log);
        let id = self.queue_side.queues.peek_id()?;
        self.storage.create_log(log)?;
        let _ = self
            .storage
            .put_meta(&alloc::format!("queue/{name}"), &log.0.to_le_bytes());
        self.next_log += 1;
        self.queue_side.queues.insert(
            id,
            Queue::new(
                id,
                String::from(name),
                config,
                log,
                self.limits.max_queue_messages,
            ),
        );
        self.resolve_dead_letter_queues();
        self.out.emit(Event::QueueDeclared { queue: id });
        Ok(id)
    }

    /// Deletes a queue: its messages are dropped (`Dropped` with
    /// [`DropReason::QueueDeleted`](crate::DropReason)), its consumers cancelled, its bindings
    /// removed, its log deleted.
    pub fn delete_queue<'a>(
        &mut self,
        now: Instant,
        queue: impl Into<QueueRef<'a>>,
    ) -> Result<(), QueueError> {
        self.clock(now);
        let id = self
            .resolve_queue(queue.into())
            .ok_or(QueueError::UnknownQueue)?;
        let Some(mut q) = self.queue_side.queues.remove(&id) else {
            return Err(QueueError::UnknownQueue);
        };
        self.saved_acks.forget(id);
        q.drop_all(&mut self.storage, &mut self.out);
        for c in &q.consumers {
            self.queue_side.consumers.remove(&c.id);
            self.out.emit(Event::ConsumerCancelled {
                consumer: c.id,
                queue: id,
            });
        }
        self.remove_bindings_to(Target::Queue(id));
        self.resolve_dead_letter_queues();
        let _ = self.storage.delete_log(q.log);
        let _ = self
            .storage
            .delete_meta(&alloc::format!("queue/{}", q.name));
        self.forget_queue_state(&q.name);
        self.out.emit(Event::QueueDeleted { queue: id });
        Ok(())
    }

    /// Removes every ready message of a queue; unacked deliveries stay. Returns how many were
    /// removed.
    pub fn purge_queue<'a>(
        &mut self,
        now: Instant,
        queue: impl Into<QueueRef<'a>>,
    ) -> Result<u64, QueueError> {
        self.clock(now);
        let id = self
            .resolve_queue(queue.into())
            .ok_or(QueueError::UnknownQueue)?;
        let q = self
            .queue_side
            .queues
            .get_mut(&id)
            .ok_or(QueueError::UnknownQueue)?;
        let count = q.purge(&mut self.storage, &mut self.out);
        self.out.emit(Event::QueuePurged { queue: id, count });
        Ok(count)
    }

    /// Binds a queue to an exchange with a binding key (a pattern for topic exchanges, ignored
    /// by fanout ones). Binding the same queue with the same key again returns the existing
    /// binding, as in RabbitMQ.
    pub fn bind<'a, 'b>(
        &mut self,
        now: Instant,
        exchange: impl Into<ExchangeRef<'a>>,
        queue: impl Into<QueueRef<'b>>,
        key: &str,
    ) -> Result<BindingId, BindError> {
        let q = self
            .resolve_queue(queue.into())
            .ok_or(BindError::UnknownQueue)?;
        self.bind_target(now, exchange.into(), Target::Queue(q), key)
    }

    /// Binds a pub/sub subscription to an exchange (see [`bind`](Self::bind)).
    pub fn bind_subscription<'a>(
        &mut self,
        now: Instant,
        exchange: impl Into<ExchangeRef<'a>>,
        subscription: SubscriptionId,
        key: &str,
    ) -> Result<BindingId, BindError> {
        if !self.queue_side.subscriptions.contains_key(&subscription) {
            return Err(BindError::UnknownSubscription);
        }
        self.bind_target(
            now,
            exchange.into(),
            Target::Subscription(subscription),
            key,
        )
    }

    pub(super) fn bind_target(
        &mut self,
        now: Instant,
        exchange: ExchangeRef<'_>,
        target: Target,
        key: &str,
    ) -> Result<BindingId, BindError> {
        self.clock(now);
        let x = self
            .resolve_exchange(exchange)
            .ok_or(BindError::UnknownExchange)?;
        if x == ExchangeId::DEFAULT {
            return Err(BindError::DefaultExchange);
        }
        check_key(key, self.limits.max_key_len).map_err(BindError::InvalidKey)?;
        let Some(ex) = self.queue_side.exchanges.get_mut(&x) else {
            return Err(BindError::UnknownExchange);
        };
        if let Some(existing) = ex.find_binding(target, key) {
            return Ok(existing);
        }
        if self.queue_side.binding_index.len() >= self.limits.max_bindings {
            return Err(LimitError {
                kind: LimitKind::Bindings,
                limit: self.limits.max_bindings,
            }
            .into());
        }
        let id = BindingId(next_id(&mut self.queue_side.next_binding)?);
        ex.add_binding(id, target, String::from(key));
        self.queue_side.binding_index.insert(id, x);
        self.out.emit(Event::Bound {
            binding: id,
            exchange: x,
            target,
        });
        Ok(id)
    }

    /// Removes a binding.
    pub fn unbind(&mut self, now: Instant, binding: BindingId) -> Result<(), UnbindError> {
        self.clock(now);
        let x = self
            .queue_side
            .binding_index
            .remove(&binding)
            .ok_or(UnbindError::UnknownBinding)?;
        if let Some(ex) = self.queue_side.exchanges.get_mut(&x)
            && let Some(i) = ex.bindings.iter().position(|b| b.id == binding)
        {
            let b = ex.bindings.remove(i);
            self.out.emit(Event::Unbound {
                binding,
                exchange: x,
                target: b.target,
            });
        }
        Ok(())
    }

    pub(super) fn remove_bindings_to(&mut self, target: Target) {
        for ex in self.queue_side.exchanges.values_mut() {
            let x = ex.id;
            let out = &mut self.out;
            let index = &mut self.queue_side.binding_index;
            ex.bindings.retain(|b| {
                if b.target != target {
                    return true;
                }
                index.remove(&b.id);
                out.emit(Event::Unbound {
                    binding: b.id,
                    exchange: x,
                    target,
                });
                false
            });
        }
    }

    /// Requeues every delivery of a consumer (helper for cancel and crash).
    pub(super) fn release(&mut self, queue: QueueId, ci: usize, reason: RequeueReason) {
        if let Some(q) = self.queue_side.queues.get_mut(&queue) {
            q.release_consumer(&mut self.storage, &mut self.out, ci, reason);
        }
    }
}
