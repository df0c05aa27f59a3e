//! [`SharePartition`]: the state machine of one partition read by one share group, as pure
//! logic (no storage, no clock): the share-partition start offset (SPSO), end offset (SPEO)
//! and the state of every record between them. Rules from Kafka's `SharePartition.java`.

use alloc::collections::VecDeque;
use alloc::vec::Vec;

use crate::ids::{Offset, ShareMemberId};
use crate::share::change::ShareChange;
use crate::share::config::ShareGroupConfig;
use crate::share::error::{AcknowledgeError, AcquireError};
use crate::share::record::{
    AcknowledgeType, ArchiveReason, RecordState, ReleaseReason, ShareRecord,
};
use crate::time::Instant;

/// One partition as one share group sees it.
///
/// Records below [`start`](Self::start) (the SPSO) are settled; records from
/// [`end`](Self::end) (one past the SPEO) on were never fetched; each record in between has a
/// [`ShareRecord`]: its [`RecordState`] and delivery count. The window holds at most the
/// group's `max_record_locks` records. Every operation reports what it changed, in order, as
/// [`ShareChange`]s pushed to the caller's vector.
///
/// ```
/// use brokerlab::share::{AcknowledgeType, RecordState, ShareChange, SharePartition};
/// use brokerlab::{Instant, Offset, ShareGroupConfig, ShareMemberId};
///
/// let config = ShareGroupConfig::default();
/// let mut p = SharePartition::new(Offset(0));
/// let mut changes = Vec::new();
/// let (a, b) = (ShareMemberId(1), ShareMemberId(2));
/// // The log holds offsets 0..3: member a acquires two of them, b the third.
/// assert_eq!(p.acquire(a, Instant::ZERO, 2, Offset(3), &config, &mut changes), Ok(2));
/// assert_eq!(p.acquire(b, Instant::ZERO, 10, Offset(3), &config, &mut changes), Ok(1));
/// // a accepts offset 0 and releases offset 1: the start moves past 0, b may take 1.
/// p.acknowledge(a, Offset(0), Offset(0), AcknowledgeType::Accept, &config, &mut changes)
///     .unwrap();
/// p.acknowledge(a, Offset(1), Offset(1), AcknowledgeType::Release, &config, &mut changes)
///     .unwrap();
/// assert_eq!(p.start(), Offset(1));
/// assert_eq!(p.record(Offset(1)).unwrap().state, RecordState::Available);
/// // Only the holder may settle a record.
/// assert!(p
///     .acknowledge(a, Offset(2), Offset(2), AcknowledgeType::Accept, &config, &mut changes)
///     .is_err());
/// assert!(changes.contains(&ShareChange::StartMoved { start: Offset(1), previous: Offset(0) }));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharePartition {
    /// The SPSO.
    start: Offset,
    /// The records `start..start + len`.
    records: VecDeque<ShareRecord>,
    /// How many of them are acquired.
    acquired: u32,
    /// The log start last seen: a record below it that comes back is archived (gone).
    log_start: Offset,
}

impl SharePartition {
    /// A share-partition that starts at `start` (where `auto_offset_reset` put the group on
    /// its first read) with nothing in flight.
    #[must_use]
    pub fn new(start: Offset) -> Self {
        SharePartition {
            start,
            records: VecDeque::new(),
            acquired: 0,
            log_start: Offset(0),
        }
    }

    /// A share-partition as a restart finds it (Kafka's share coordinator keeps the SPSO and
    /// the states after it): `records` are the states from `start` on. Acquisitions do not
    /// survive a restart: an acquired record comes back available (or archived, when it was
    /// delivered `delivery_count_limit` times), keeping its delivery count. Finished records
    /// at the front are passed over (the start moves, silently).
    #[must_use]
    pub fn restore(
        start: Offset,
        records: impl IntoIterator<Item = ShareRecord>,
        config: &ShareGroupConfig,
    ) -> Self {
        let records = records
            .into_iter()
            .take(config.max_record_locks as usize)
            .map(|mut r| {
                if let RecordState::Acquired { .. } = r.state {
                    r.state = if r.delivery_count >= config.delivery_count_limit {
                        RecordState::Archived
                    } else {
                        RecordState::Available
                    };
                }
                r.delivery_count = r.delivery_count.min(config.delivery_count_limit);
                r
            })
            .collect();
        let mut p = SharePartition {
            start,
            records,
            acquired: 0,
            log_start: Offset(0),
        };
        while p.records.front().is_some_and(|r| r.state.is_finished()) {
            p.records.pop_front();
            p.start = p.start.next();
        }
        p
    }

    /// The share-partition start offset (SPSO): every record below it is settled.
    #[must_use]
    pub fn start(&self) -> Offset {
        self.start
    }

    /// One past the share-partition end offset (SPEO): the next offset to fetch from the log.
    #[must_use]
    pub fn end(&self) -> Offset {
        Offset(self.start.0 + self.records.len() as u64)
    }

    /// Records between the start and end offsets (at most `max_record_locks`).
    #[must_use]
    pub fn in_flight(&self) -> usize {
        self.records.len()
    }

    /// Records acquired now.
    #[must_use]
    pub fn acquired_count(&self) -> u32 {
        self.acquired
    }

    /// The record at `offset`, if it is in flight.
    #[must_use]
    pub fn record(&self, offset: Offset) -> Option<ShareRecord> {
        self.index(offset).map(|i| self.records[i])
    }

    /// The records in flight with their offsets, in offset order.
    pub fn records(&self) -> impl Iterator<Item = (Offset, ShareRecord)> + '_ {
        self.records
            .iter()
            .enumerate()
            .map(|(i, r)| (Offset(self.start.0 + i as u64), *r))
    }

    /// When the earliest lock expires, if any record is acquired.
    #[must_use]
    pub fn next_deadline(&self) -> Option<Instant> {
        if self.acquired == 0 {
            return None;
        }
        self.records
            .iter()
            .filter_map(|r| match r.state {
                RecordState::Acquired { until, .. } => Some(until),
                _ => None,
            })
            .min()
    }

    fn index(&self, offset: Offset) -> Option<usize> {
        let i = usize::try_from(offset.0.checked_sub(self.start.0)?).ok()?;
        (i < self.records.len()).then_some(i)
    }

    fn offset_at(&self, i: usize) -> Offset {
        Offset(self.start.0 + i as u64)
    }

    /// A fetch by `member` at `now` (Kafka's `acquire`): acquires up to `max` records in
    /// offset order, first the available ones in flight (released or expired before), then
    /// new ones from the log up to `log_end`, as long as the window stays within
    /// `max_record_locks`. Each is locked until `now + record_lock_duration` and its delivery
    /// count goes up by one. Returns how many were acquired, each reported as
    /// [`ShareChange::Acquired`]. New offsets below the log start last seen
    /// ([`log_start_moved`](Self::log_start_moved)) are skipped (archived as gone inside the
    /// window, or the start offset jumps to the log start when nothing is in flight).
    ///
    /// # Errors
    /// [`AcquireError::RecordLocksFull`] when `max > 0` but nothing could be acquired because
    /// the window is full while the log holds more records. On error nothing changes.
    pub fn acquire(
        &mut self,
        member: ShareMemberId,
        now: Instant,
        max: usize,
        log_end: Offset,
        config: &ShareGroupConfig,
        changes: &mut Vec<ShareChange>,
    ) -> Result<usize, AcquireError> {
        let until = now.saturating_add(config.record_lock_duration);
        let mut taken = 0;
        for i in 0..self.records.len() {
            if taken == max {
                break;
            }
            let r = &mut self.records[i];
            if r.state != RecordState::Available {
                continue;
            }
            r.state = RecordState::Acquired { member, until };
            r.delivery_count += 1;
            let delivery_count = r.delivery_count;
            taken += 1;
            self.acquired += 1;
            changes.push(ShareChange::Acquired {
                offset: self.offset_at(i),
                member,
                delivery_count,
                until,
            });
        }
        let limit = config.max_record_locks as usize;
        let mut skipped = false;
        while taken < max && self.records.len() < limit && self.end() < log_end {
            let offset = self.end();
            if offset < self.log_start {
                // Retention removed it before it was ever fetched: skip it.
                skipped = true;
                if self.records.is_empty() {
                    let previous = self.start;
                    self.start = self.log_start.min(log_end);
                    changes.push(ShareChange::StartMoved {
                        start: self.start,
                        previous,
                    });
                } else {
                    self.records.push_back(ShareRecord {
                        state: RecordState::Archived,
                        delivery_count: 0,
                    });
                    changes.push(ShareChange::Archived {
                        offset,
                        delivery_count: 0,
                        reason: ArchiveReason::Gone,
                    });
                }
                continue;
            }
            self.records.push_back(ShareRecord {
                state: RecordState::Acquired { member, until },
                delivery_count: 1,
            });
            taken += 1;
            self.acquired += 1;
            changes.push(ShareChange::Acquired {
                offset,
                member,
                delivery_count: 1,
                until,
            });
        }
        let full = self.records.len() >= limit && self.end() < log_end;
        if taken == 0 && max > 0 && !skipped && full {
            return Err(AcquireError::RecordLocksFull {
                limit: config.max_record_locks,
            });
        }
        self.advance(changes);
        Ok(taken)
    }

    /// `member` settles the records `first..=last` as `kind` (Kafka's `acknowledge`): every
    /// one must be acquired by `member`. `Accept` acknowledges them, `Reject` archives them,
    /// `Release` makes them available again for any member, or archives those delivered
    /// `delivery_count_limit` times. Then the start offset moves past the finished prefix.
    ///
    /// # Errors
    /// All or nothing: the first offset not in flight, not acquired, or held by another
    /// member fails the whole call, and nothing changes.
    pub fn acknowledge(
        &mut self,
        member: ShareMemberId,
        first: Offset,
        last: Offset,
        kind: AcknowledgeType,
        config: &ShareGroupConfig,
        changes: &mut Vec<ShareChange>,
    ) -> Result<(), AcknowledgeError> {
        if last < first {
            return Err(AcknowledgeError::EmptyRange);
        }
        let from = self
            .index(first)
            .ok_or(AcknowledgeError::UnknownOffset(first))?;
        let to = self
            .index(last)
            .ok_or(AcknowledgeError::UnknownOffset(last))?;
        for i in from..=to {
            match self.records[i].state {
                RecordState::Acquired { member: m, .. } if m == member => {}
                RecordState::Acquired { member: holder, .. } => {
                    return Err(AcknowledgeError::NotHolder {
                        offset: self.offset_at(i),
                        holder,
                    });
                }
                _ => return Err(AcknowledgeError::NotAcquired(self.offset_at(i))),
            }
        }
        for i in from..=to {
            let offset = self.offset_at(i);
            self.acquired -= 1;
            changes.push(ShareChange::Acknowledged {
                offset,
                member,
                kind,
            });
            match kind {
                AcknowledgeType::Accept => self.records[i].state = RecordState::Acknowledged,
                AcknowledgeType::Reject => self.records[i].state = RecordState::Archived,
                AcknowledgeType::Release => self.put_back(i, config, changes),
            }
        }
        self.advance(changes);
        Ok(())
    }

    /// Expires every lock whose deadline is at or before `now` (Kafka's acquisition lock
    /// timeout): each record becomes available again, or is archived when it was delivered
    /// `delivery_count_limit` times. Returns how many locks expired.
    pub fn expire_locks(
        &mut self,
        now: Instant,
        config: &ShareGroupConfig,
        changes: &mut Vec<ShareChange>,
    ) -> usize {
        if self.acquired == 0 {
            return 0;
        }
        let mut expired = 0;
        for i in 0..self.records.len() {
            if let RecordState::Acquired { member, until } = self.records[i].state
                && until <= now
            {
                expired += 1;
                self.acquired -= 1;
                changes.push(ShareChange::LockExpired {
                    offset: self.offset_at(i),
                    member,
                });
                self.put_back(i, config, changes);
            }
        }
        self.advance(changes);
        expired
    }

    /// Releases every record `member` holds, because it left or crashed: each becomes
    /// available again, or is archived when it was delivered `delivery_count_limit` times.
    /// Returns how many records it held.
    pub fn release_member(
        &mut self,
        member: ShareMemberId,
        reason: ReleaseReason,
        config: &ShareGroupConfig,
        changes: &mut Vec<ShareChange>,
    ) -> usize {
        let mut released = 0;
        for i in 0..self.records.len() {
            if let RecordState::Acquired { member: m, .. } = self.records[i].state
                && m == member
            {
                released += 1;
                self.acquired -= 1;
                changes.push(ShareChange::Released {
                    offset: self.offset_at(i),
                    member,
                    reason,
                });
                self.put_back(i, config, changes);
            }
        }
        self.advance(changes);
        released
    }

    /// The log start moved to `log_start` (retention): available records below it are
    /// archived as gone, acquired ones stay with their holder (and are archived if they come
    /// back), and the start offset moves up to the log start when nothing before it is left
    /// in flight. Kafka: `SharePartitionTest.testLsoMovementForArchivingOffsets…`.
    pub fn log_start_moved(&mut self, log_start: Offset, changes: &mut Vec<ShareChange>) {
        self.log_start = self.log_start.max(log_start);
        if log_start <= self.start {
            return;
        }
        for i in 0..self.records.len() {
            let offset = self.offset_at(i);
            if offset >= log_start {
                break;
            }
            let r = &mut self.records[i];
            if r.state == RecordState::Available {
                r.state = RecordState::Archived;
                changes.push(ShareChange::Archived {
                    offset,
                    delivery_count: r.delivery_count,
                    reason: ArchiveReason::Gone,
                });
            }
        }
        self.advance(changes);
        if self.records.is_empty() && self.start < log_start {
            let previous = self.start;
            self.start = log_start;
            changes.push(ShareChange::StartMoved {
                start: log_start,
                previous,
            });
        }
    }

    /// The acquired record at `offset` cannot be read from the log (compaction or retention
    /// removed it): it is archived as gone. Does nothing to a record that is not acquired.
    pub fn discard(&mut self, offset: Offset, changes: &mut Vec<ShareChange>) {
        let Some(i) = self.index(offset) else {
            return;
        };
        let r = &mut self.records[i];
        if let RecordState::Acquired { .. } = r.state {
            r.state = RecordState::Archived;
            self.acquired -= 1;
            changes.push(ShareChange::Archived {
                offset,
                delivery_count: r.delivery_count,
                reason: ArchiveReason::Gone,
            });
            self.advance(changes);
        }
    }

    /// A record no longer acquired goes back: available, or archived past the delivery
    /// limit or below the log start.
    fn put_back(&mut self, i: usize, config: &ShareGroupConfig, changes: &mut Vec<ShareChange>) {
        let offset = self.offset_at(i);
        let r = &mut self.records[i];
        let reason = if r.delivery_count >= config.delivery_count_limit {
            Some(ArchiveReason::DeliveryLimit)
        } else if offset < self.log_start {
            Some(ArchiveReason::Gone)
        } else {
            None
        };
        match reason {
            Some(reason) => {
                r.state = RecordState::Archived;
                changes.push(ShareChange::Archived {
                    offset,
                    delivery_count: r.delivery_count,
                    reason,
                });
            }
            None => r.state = RecordState::Available,
        }
    }

    /// Moves the start offset past the finished prefix.
    fn advance(&mut self, changes: &mut Vec<ShareChange>) {
        let previous = self.start;
        while self.records.front().is_some_and(|r| r.state.is_finished()) {
            self.records.pop_front();
            self.start = self.start.next();
        }
        if self.start != previous {
            changes.push(ShareChange::StartMoved {
                start: self.start,
                previous,
            });
        }
    }
}
