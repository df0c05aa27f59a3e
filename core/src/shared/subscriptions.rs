//! Pub/sub subscriptions through a [`SharedBroker`]: receiving, blocking or not.

use super::state::State;
use super::{SharedBroker, SharedError};
use crate::ids::SubscriptionId;
use crate::pubsub::Received;
use crate::pubsub::SubscriptionError;
use crate::storage::Storage;
use crate::time::Instant;

impl<S: Storage> SharedBroker<S> {
    /// Takes the next message from a subscription's inbox
    /// ([`Broker::receive`](crate::Broker::receive)), blocking for at most `timeout` of real
    /// time until there is one. `Ok(None)` when the time is up. Create subscriptions with
    /// [`with`](Self::with) and [`Broker::subscribe`](crate::Broker::subscribe).
    ///
    /// # Errors
    /// As [`Broker::receive`](crate::Broker::receive) (also when the subscription is removed
    /// while waiting); a failed flush; [`SharedError::Poisoned`].
    pub fn receive(
        &self,
        subscription: SubscriptionId,
        timeout: std::time::Duration,
    ) -> Result<Option<Received>, SharedError<SubscriptionError>> {
        self.block(Some(timeout), |state, now| {
            next_received(state, now, subscription)
        })
    }

    /// Takes the next message from a subscription's inbox if there is one; never blocks.
    ///
    /// # Errors
    /// As [`receive`](Self::receive).
    pub fn try_receive(
        &self,
        subscription: SubscriptionId,
    ) -> Result<Option<Received>, SharedError<SubscriptionError>> {
        self.block(None, |state, now| next_received(state, now, subscription))
    }
}

/// One look at a subscription's inbox, after acting on due deadlines.
fn next_received<S: Storage>(
    state: &mut State<S>,
    now: Instant,
    subscription: SubscriptionId,
) -> Result<Option<Received>, SharedError<SubscriptionError>> {
    state
        .handle_due_and_flush(now)
        .map_err(SharedError::Flush)?;
    let got = state
        .broker
        .receive(now, subscription)
        .map_err(SharedError::Broker)?;
    if got.is_some() {
        state.flush().map_err(SharedError::Flush)?;
    }
    Ok(got)
}
