//! Share-group members through a [`SharedBroker`] (Kafka's KIP-932): joining and leaving,
//! fetching (blocking or not) and acknowledging.

use std::vec::Vec;

use super::{SharedBroker, SharedError};
use crate::ids::{Offset, ShareMemberId};
use crate::share::{
    AcknowledgeType, AcquiredRecord, JoinShareGroupError, ShareAcknowledgeError, ShareMemberError,
};
use crate::storage::Storage;
use crate::stream::StreamPartition;

impl<S: Storage> SharedBroker<S> {
    /// Joins share group `group` as `member` ([`Broker::join_share_group`](crate::Broker::join_share_group)).
    ///
    /// # Errors
    /// As [`Broker::join_share_group`](crate::Broker::join_share_group); a failed flush;
    /// [`SharedError::Poisoned`].
    pub fn join_share_group(
        &self,
        group: &str,
        member: &str,
    ) -> Result<ShareMemberId, SharedError<JoinShareGroupError>> {
        self.mutate(|state, now| state.broker.join_share_group(now, group, member))
    }

    /// Leaves the share group ([`Broker::leave_share_group`](crate::Broker::leave_share_group)):
    /// the records the member holds go back to the group, and a thread blocked in another
    /// member's [`share_fetch`](Self::share_fetch) may get them at once.
    ///
    /// # Errors
    /// As [`Broker::leave_share_group`](crate::Broker::leave_share_group); a failed flush;
    /// [`SharedError::Poisoned`].
    pub fn leave_share_group(
        &self,
        member: ShareMemberId,
    ) -> Result<(), SharedError<ShareMemberError>> {
        self.mutate(|state, now| state.broker.leave_share_group(now, member))
    }

    /// Acquires up to `max` records for share member `member`
    /// ([`Broker::share_fetch`](crate::Broker::share_fetch)), blocking for at most `timeout`
    /// of real time until there is at least one: records appended, released by another
    /// member, or whose lock expired (a blocked fetch wakes at the broker's next deadline,
    /// which includes the earliest record lock, and acts on it). Empty when the time is up
    /// (or `max` is 0). Deadlines that were due before the call are acted on first.
    ///
    /// # Errors
    /// As [`Broker::share_fetch`](crate::Broker::share_fetch); a failed flush;
    /// [`SharedError::Poisoned`].
    pub fn share_fetch(
        &self,
        member: ShareMemberId,
        max: usize,
        timeout: std::time::Duration,
    ) -> Result<Vec<AcquiredRecord>, SharedError<ShareMemberError>> {
        Ok(self
            .fetch_shared(member, max, Some(timeout))?
            .unwrap_or_default())
    }

    /// Acquires what there is, up to `max` records; never blocks.
    ///
    /// # Errors
    /// As [`share_fetch`](Self::share_fetch).
    pub fn try_share_fetch(
        &self,
        member: ShareMemberId,
        max: usize,
    ) -> Result<Vec<AcquiredRecord>, SharedError<ShareMemberError>> {
        Ok(self.fetch_shared(member, max, None)?.unwrap_or_default())
    }

    fn fetch_shared(
        &self,
        member: ShareMemberId,
        max: usize,
        timeout: Option<std::time::Duration>,
    ) -> Result<Option<Vec<AcquiredRecord>>, SharedError<ShareMemberError>> {
        self.block(timeout, |state, now| {
            // Expired locks first: what they make available is this fetch's to take.
            state
                .handle_due_and_flush(now)
                .map_err(SharedError::Flush)?;
            let fetched = state.broker.share_fetch(now, member, max);
            let flushed = state.flush();
            let records = fetched.map_err(SharedError::Broker)?;
            flushed.map_err(SharedError::Flush)?;
            if !records.is_empty() || max == 0 {
                return Ok(Some(records));
            }
            Ok(None)
        })
    }

    /// Settles a record the member holds
    /// ([`Broker::share_acknowledge`](crate::Broker::share_acknowledge)): `Accept`, `Release`
    /// (available again: a blocked fetch of another member may take it at once) or `Reject`;
    /// returns once the storage flushed it.
    ///
    /// # Errors
    /// As [`Broker::share_acknowledge`](crate::Broker::share_acknowledge) (among others: the
    /// lock expired and the record went back to the group); a failed flush;
    /// [`SharedError::Poisoned`].
    pub fn share_acknowledge(
        &self,
        member: ShareMemberId,
        partition: StreamPartition,
        offset: Offset,
        kind: AcknowledgeType,
    ) -> Result<(), SharedError<ShareAcknowledgeError>> {
        self.mutate(|state, now| {
            state
                .broker
                .share_acknowledge(now, member, partition, offset, kind)
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration as StdDuration;

    use super::*;
    use crate::shared::ManualClock;
    use crate::{Broker, Duration, Instant, ShareGroupConfig, ShareOffsetReset, StreamConfig};

    fn shared() -> (SharedBroker, ManualClock) {
        let clock = ManualClock::new(Instant::ZERO);
        let shared = SharedBroker::with_clock(Broker::default(), clock.clone());
        shared
            .with(|b, now| b.declare_stream(now, "jobs", StreamConfig::new(2)))
            .unwrap();
        let config = ShareGroupConfig {
            auto_offset_reset: ShareOffsetReset::Earliest,
            record_lock_duration: Duration::from_millis(1_000),
            ..ShareGroupConfig::default()
        };
        shared
            .with(|b, now| b.create_share_group(now, "workers", &["jobs"], config))
            .unwrap();
        (shared, clock)
    }

    fn produce(shared: &SharedBroker, n: u32) {
        for i in 0..n {
            shared
                .with(|b, now| b.produce(now, "jobs", None, alloc::format!("job {i}").into_bytes()))
                .unwrap();
        }
    }

    #[test]
    fn fetch_acknowledge_release_and_lock_expiry() {
        let (shared, clock) = shared();
        let a = shared.join_share_group("workers", "a").unwrap();
        let b = shared.join_share_group("workers", "b").unwrap();
        assert!(shared.try_share_fetch(a, 10).unwrap().is_empty());
        produce(&shared, 4);
        let got = shared.try_share_fetch(a, 2).unwrap();
        assert_eq!(got.len(), 2);
        let rest = shared.try_share_fetch(b, 10).unwrap();
        assert_eq!(rest.len(), 2, "b gets the records a does not hold");
        let r = &got[0].record;
        shared
            .share_acknowledge(a, r.partition, r.offset, AcknowledgeType::Accept)
            .unwrap();
        let r = &got[1].record;
        shared
            .share_acknowledge(a, r.partition, r.offset, AcknowledgeType::Release)
            .unwrap();
        let again = shared.try_share_fetch(b, 10).unwrap();
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].delivery_count, 2);
        // b holds three records and acknowledges none: at the lock's end they go back.
        clock.advance(Duration::from_millis(1_001));
        let expired = shared.try_share_fetch(a, 10).unwrap();
        assert_eq!(expired.len(), 3);
        assert!(expired.iter().all(|r| r.delivery_count >= 2));
        let r = &rest[0].record;
        assert!(
            shared
                .share_acknowledge(b, r.partition, r.offset, AcknowledgeType::Accept)
                .is_err(),
            "b's lock expired"
        );
    }

    #[test]
    fn a_blocked_fetch_wakes_for_a_record_produced_or_released() {
        let (shared, _clock) = shared();
        let shared = Arc::new(shared);
        let a = shared.join_share_group("workers", "a").unwrap();
        let b = shared.join_share_group("workers", "b").unwrap();
        let waiter = {
            let shared = Arc::clone(&shared);
            std::thread::spawn(move || shared.share_fetch(a, 1, StdDuration::from_secs(30)))
        };
        produce(&shared, 1);
        let got = waiter.join().unwrap().unwrap();
        assert_eq!(got.len(), 1);
        // a holds the only record; b waits until a releases it.
        let waiter = {
            let shared = Arc::clone(&shared);
            std::thread::spawn(move || shared.share_fetch(b, 1, StdDuration::from_secs(30)))
        };
        let r = &got[0].record;
        shared
            .share_acknowledge(a, r.partition, r.offset, AcknowledgeType::Release)
            .unwrap();
        let again = waiter.join().unwrap().unwrap();
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].delivery_count, 2);
        assert!(
            shared
                .share_fetch(a, 1, StdDuration::from_millis(20))
                .unwrap()
                .is_empty(),
            "nothing left: the timeout ends the wait"
        );
        shared.leave_share_group(b).unwrap();
        assert_eq!(shared.try_share_fetch(a, 1).unwrap().len(), 1, "b's record");
    }

    #[test]
    fn a_blocked_fetch_wakes_at_a_lock_expiry() {
        let (shared, clock) = shared();
        let shared = Arc::new(shared);
        let a = shared.join_share_group("workers", "a").unwrap();
        let b = shared.join_share_group("workers", "b").unwrap();
        produce(&shared, 1);
        assert_eq!(shared.try_share_fetch(a, 1).unwrap().len(), 1);
        let waiter = {
            let shared = Arc::clone(&shared);
            std::thread::spawn(move || shared.share_fetch(b, 1, StdDuration::from_secs(30)))
        };
        // The manual clock wakes the blocked thread when it moves.
        clock.advance(Duration::from_millis(1_000));
        let got = waiter.join().unwrap().unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].delivery_count, 2);
    }
}
