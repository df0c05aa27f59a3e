//! Stream consumers and group members through a [`SharedBroker`]: polling, blocking or not.

use std::vec::Vec;

use super::{SharedBroker, SharedError};
use crate::ids::StreamConsumerId;
use crate::storage::Storage;
use crate::stream::PollError;
use crate::stream::StreamRecord;

impl<S: Storage> SharedBroker<S> {
    /// Reads up to `max` records for a stream consumer or group member
    /// ([`Broker::poll`](crate::Broker::poll)), blocking for at most `timeout` of real time
    /// until there is at least one. Empty when the time is up (or `max` is 0).
    ///
    /// Each look polls the broker, so a member blocked here heartbeats every time it wakes
    /// (at the latest at the broker's next deadline, which includes its own session
    /// deadline): a thread waiting in `poll` keeps its member alive, as Kafka's background
    /// heartbeat does. Deadlines that were due before the call are acted on first.
    ///
    /// # Errors
    /// As [`Broker::poll`](crate::Broker::poll); a failed flush (the positions a poll moved
    /// are flushed before records are returned); [`SharedError::Poisoned`].
    pub fn poll(
        &self,
        consumer: StreamConsumerId,
        max: usize,
        timeout: std::time::Duration,
    ) -> Result<Vec<StreamRecord>, SharedError<PollError>> {
        Ok(self
            .poll_records(consumer, max, Some(timeout))?
            .unwrap_or_default())
    }

    /// Reads what is there, up to `max` records; never blocks.
    ///
    /// # Errors
    /// As [`poll`](Self::poll).
    pub fn try_poll(
        &self,
        consumer: StreamConsumerId,
        max: usize,
    ) -> Result<Vec<StreamRecord>, SharedError<PollError>> {
        Ok(self.poll_records(consumer, max, None)?.unwrap_or_default())
    }

    fn poll_records(
        &self,
        consumer: StreamConsumerId,
        max: usize,
        timeout: Option<std::time::Duration>,
    ) -> Result<Option<Vec<StreamRecord>>, SharedError<PollError>> {
        let mut first = true;
        self.block(timeout, |state, now| {
            if core::mem::take(&mut first) {
                state
                    .handle_due_and_flush(now)
                    .map_err(SharedError::Flush)?;
            }
            // Poll before acting on deadlines: the poll is this member's heartbeat.
            let mut records = Vec::new();
            let read = state.broker.poll_into(now, consumer, max, &mut records);
            let flushed = state.flush();
            read.map_err(SharedError::Broker)?;
            flushed.map_err(SharedError::Flush)?;
            if !records.is_empty() || max == 0 {
                return Ok(Some(records));
            }
            // What a deadline changes (a rebalance, say) sets `changed`: the next look comes
            // at once.
            state
                .handle_due_and_flush(now)
                .map_err(SharedError::Flush)?;
            Ok(None)
        })
    }
}
