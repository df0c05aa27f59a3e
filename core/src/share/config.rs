//! [`ShareGroupConfig`]: the settings of a share group, with Kafka's names and defaults
//! (`ShareGroupConfig.java` in Kafka's group coordinator).

use core::fmt;

use crate::time::Duration;

/// Where a share group starts reading a partition it reads for the first time (Kafka's
/// `share.auto.offset.reset`). Unlike a consumer group's reset there is no `none`: a share
/// group always has somewhere to start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum ShareOffsetReset {
    /// At the log end: only records appended after the group first reads the partition
    /// (Kafka's default).
    #[default]
    Latest,
    /// At the log start: every record the log still holds.
    Earliest,
}

impl fmt::Display for ShareOffsetReset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ShareOffsetReset::Latest => "latest",
            ShareOffsetReset::Earliest => "earliest",
        })
    }
}

/// The settings of a share group. `ShareGroupConfig::default()` has Kafka's defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default))]
pub struct ShareGroupConfig {
    /// How long a member holds a record it acquired before the lock expires and the record
    /// becomes available again (Kafka's `group.share.record.lock.duration.ms`, 30 s).
    pub record_lock_duration: Duration,
    /// How many times a record may be delivered; a record released (or whose lock expired)
    /// after this many deliveries is archived instead of becoming available again (Kafka's
    /// `group.share.delivery.count.limit`, 5).
    pub delivery_count_limit: u32,
    /// How many records of one partition may be in flight at once: the window between the
    /// share-partition start offset and end offset, so also the most records acquired at once
    /// (Kafka's `group.share.partition.max.record.locks`, 200).
    pub max_record_locks: u32,
    /// Where the group starts on a partition it reads for the first time (Kafka's
    /// `share.auto.offset.reset`, `latest`).
    pub auto_offset_reset: ShareOffsetReset,
}

impl ShareGroupConfig {
    /// Kafka's `group.share.record.lock.duration.ms` default: 30 s.
    pub const DEFAULT_RECORD_LOCK_DURATION: Duration = Duration::from_secs(30);
    /// Kafka's `group.share.delivery.count.limit` default: 5.
    pub const DEFAULT_DELIVERY_COUNT_LIMIT: u32 = 5;
    /// Kafka's `group.share.partition.max.record.locks` default: 200.
    pub const DEFAULT_MAX_RECORD_LOCKS: u32 = 200;

    /// Checks the settings: a lock duration, a delivery count limit and a record-lock limit
    /// above zero. Returns what is wrong.
    ///
    /// # Errors
    /// A short description of the first setting out of range.
    pub fn validate(&self) -> Result<(), &'static str> {
        if self.record_lock_duration == Duration::ZERO {
            return Err("record_lock_duration must be above zero");
        }
        if self.delivery_count_limit == 0 {
            return Err("delivery_count_limit must be at least 1");
        }
        if self.max_record_locks == 0 {
            return Err("max_record_locks must be at least 1");
        }
        Ok(())
    }
}

impl Default for ShareGroupConfig {
    fn default() -> Self {
        ShareGroupConfig {
            record_lock_duration: Self::DEFAULT_RECORD_LOCK_DURATION,
            delivery_count_limit: Self::DEFAULT_DELIVERY_COUNT_LIMIT,
            max_record_locks: Self::DEFAULT_MAX_RECORD_LOCKS,
            auto_offset_reset: ShareOffsetReset::Latest,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_kafkas() {
        // ShareGroupConfig.java: SHARE_GROUP_RECORD_LOCK_DURATION_MS_DEFAULT = 30000,
        // SHARE_GROUP_DELIVERY_COUNT_LIMIT_DEFAULT = 5,
        // SHARE_GROUP_PARTITION_MAX_RECORD_LOCKS_DEFAULT = 200; share.auto.offset.reset latest.
        let c = ShareGroupConfig::default();
        assert_eq!(c.record_lock_duration, Duration::from_millis(30_000));
        assert_eq!(c.delivery_count_limit, 5);
        assert_eq!(c.max_record_locks, 200);
        assert_eq!(c.auto_offset_reset, ShareOffsetReset::Latest);
        assert_eq!(c.validate(), Ok(()));
    }

    #[test]
    fn zero_settings_are_refused() {
        let base = ShareGroupConfig::default();
        for bad in [
            ShareGroupConfig {
                record_lock_duration: Duration::ZERO,
                ..base
            },
            ShareGroupConfig {
                delivery_count_limit: 0,
                ..base
            },
            ShareGroupConfig {
                max_record_locks: 0,
                ..base
            },
        ] {
            assert!(bad.validate().is_err());
        }
    }
}
