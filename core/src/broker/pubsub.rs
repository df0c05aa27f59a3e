//! Pub/sub subscriptions: subscribe, receive from the bounded inbox, unsubscribe.

use alloc::string::String;

use super::{Broker, ExchangeRef};
use crate::common_error::{LimitError, LimitKind, check_key};
use crate::event::Event;
use crate::exchange::BindError;
use crate::ids::{ExchangeId, SubscriptionId, Target};
use crate::pubsub::{Received, Subscription, SubscriptionConfig};
use crate::pubsub::{SubscribeError, SubscriptionError};
use crate::storage::Storage;
use crate::time::Instant;

impl<S: Storage> Broker<S> {
    /// Creates a subscription named `name` bound to `exchange` with `binding_key` (ignored by
    /// fanout exchanges). It sees only messages published from now on.
    ///
    /// Errors: invalid or duplicate name, capacity outside `1..=`[`Limits::max_inbox`](crate::Limits),
    /// the binding failing (unknown or default exchange, bad key, too many bindings),
    /// [`Limits::max_subscriptions`](crate::Limits). On error nothing is created.
    pub fn subscribe<'a>(
        &mut self,
        now: Instant,
        exchange: impl Into<ExchangeRef<'a>>,
        binding_key: &str,
        name: &str,
        config: SubscriptionConfig,
    ) -> Result<SubscriptionId, SubscribeError> {
        self.clock(now);
        self.queue_side
            .subscriptions
            .check_vacant(name, self.limits.max_name_len)?;
        if config.capacity == 0 || config.capacity > self.limits.max_inbox {
            return Err(SubscribeError::InvalidCapacity {
                capacity: config.capacity,
                max: self.limits.max_inbox,
            });
        }
        self.queue_side
            .subscriptions
            .check_room(self.limits.max_subscriptions, LimitKind::Subscriptions)?;
        let exchange = exchange.into();
        match self.resolve_exchange(exchange) {
            None => return Err(BindError::UnknownExchange.into()),
            Some(ExchangeId::DEFAULT) => return Err(BindError::DefaultExchange.into()),
            Some(_) => {}
        }
        check_key(binding_key, self.limits.max_key_len).map_err(BindError::InvalidKey)?;
        if self.queue_side.binding_index.len() >= self.limits.max_bindings {
            return Err(BindError::Limit(LimitError {
                kind: LimitKind::Bindings,
                limit: self.limits.max_bindings,
            })
            .into());
        }
        let id = self.queue_side.subscriptions.peek_id()?;
        self.queue_side
            .subscriptions
            .insert(id, Subscription::new(String::from(name), config.capacity));
        self.out.emit(Event::Subscribed { subscription: id });
        if let Err(e) = self.bind_target(now, exchange, Target::Subscription(id), binding_key) {
            // Unreachable after the checks above, but never leave a half-made subscription.
            self.queue_side.subscriptions.remove(&id);
            self.out.emit(Event::Unsubscribed { subscription: id });
            return Err(e.into());
        }
        Ok(id)
    }

    /// Takes the next message from a subscription's inbox, oldest first; `Lagged(n)` first if
    /// `n` messages were overwritten since the last receive; `None` when the inbox is empty.
    pub fn receive(
        &mut self,
        now: Instant,
        subscription: SubscriptionId,
    ) -> Result<Option<Received>, SubscriptionError> {
        self.clock(now);
        let s = self
            .queue_side
            .subscriptions
            .get_mut(&subscription)
            .ok_or(SubscriptionError::UnknownSubscription)?;
        let got = s.pop();
        if let Some(Received::Message { message, .. }) = &got {
            self.out.emit(Event::Received {
                message: *message,
                subscription,
            });
        }
        Ok(got)
    }

    /// Removes a subscription, its bindings and its inbox (buffered messages are discarded: a
    /// subscription is not durable).
    pub fn unsubscribe(
        &mut self,
        now: Instant,
        subscription: SubscriptionId,
    ) -> Result<(), SubscriptionError> {
        self.clock(now);
        self.queue_side
            .subscriptions
            .remove(&subscription)
            .ok_or(SubscriptionError::UnknownSubscription)?;
        self.remove_bindings_to(Target::Subscription(subscription));
        self.out.emit(Event::Unsubscribed { subscription });
        Ok(())
    }
}
