//! Declaring streams and adding partitions.

use alloc::string::String;
use alloc::vec::Vec;

use super::super::Broker;
use super::{StreamRef, reset_position};
use crate::common_error::{LimitError, LimitKind};
use crate::event::Event;
use crate::ids::{GroupId, LogId, StreamId};
use crate::storage::Storage;
use crate::stream::DeclareStreamError;
use crate::stream::{MAX_TOMBSTONE_RETENTION, PartitionLog, Stream, StreamConfig, StreamPartition};
use crate::time::Instant;

impl<S: Storage> Broker<S> {
    /// Declares a stream named `name` with `config.partitions` partitions, each a new log in
    /// storage.
    ///
    /// Errors: invalid or duplicate name, zero partitions or more than
    /// [`Limits::max_partitions`](crate::Limits), a retention `max_records` of 0 or above
    /// [`Limits::max_partition_records`](crate::Limits), [`Limits::max_streams`](crate::Limits),
    /// a `tombstone_retention` above [`MAX_TOMBSTONE_RETENTION`], storage refusing a log. On
    /// error nothing is declared.
    pub fn declare_stream(
        &mut self,
        now: Instant,
        name: &str,
        config: StreamConfig,
    ) -> Result<StreamId, DeclareStreamError> {
        self.clock(now);
        self.stream_side
            .streams
            .check_vacant(name, self.limits.max_name_len)?;
        if config.partitions == 0 {
            return Err(DeclareStreamError::InvalidConfig(
                "a stream needs at least one partition",
            ));
        }
        if config.partitions > self.limits.max_partitions {
            return Err(self.partition_limit());
        }
        let max = self.limits.max_partition_records as u64;
        if let Some(m) = config.retention.max_records
            && (m == 0 || m > max)
        {
            return Err(DeclareStreamError::InvalidConfig(
                "retention max_records must be within 1..=Limits::max_partition_records",
            ));
        }
        if config.retention.max_bytes == Some(0) {
            return Err(DeclareStreamError::InvalidConfig(
                "retention max_bytes must be at least 1",
            ));
        }
        if config.tombstone_retention > MAX_TOMBSTONE_RETENTION {
            return Err(DeclareStreamError::InvalidConfig(
                "tombstone_retention must be at most MAX_TOMBSTONE_RETENTION (30 days)",
            ));
        }
        self.stream_side
            .streams
            .check_room(self.limits.max_streams, LimitKind::Streams)?;
        let id = self.stream_side.streams.peek_id()?;
        let parts = self.create_partition_logs(0, config.partitions)?;
        let _ = self.storage.put_meta(
            &alloc::format!("stream/{name}"),
            &config.partitions.to_le_bytes(),
        );
        self.stream_side
            .streams
            .insert(id, Stream::new(id, String::from(name), config, parts));
        self.out.emit(Event::StreamDeclared {
            stream: id,
            partitions: config.partitions,
        });
        Ok(id)
    }

    fn partition_limit(&self) -> DeclareStreamError {
        LimitError {
            kind: LimitKind::Partitions,
            limit: self.limits.max_partitions as usize,
        }
        .into()
    }

    /// Creates `count` logs; on a storage error deletes the ones already made.
    fn create_partition_logs(
        &mut self,
        _from: u32,
        count: u32,
    ) -> Result<Vec<PartitionLog>, DeclareStreamError> {
        let mut parts = Vec::with_capacity(count as usize);
        for i in 0..u64::from(count) {
            let log = LogId(self.next_log + i);
            if let Err(e) = self.storage.create_log(log) {
                for p in &parts {
                    let p: &PartitionLog = p;
                    let _ = self.storage.delete_log(p.log);
                }
                return Err(e.into());
            }
            parts.push(PartitionLog {
                log,
                records: 0,
                gaps: 0,
                dirty: 0,
                tombstone_due: None,
                bytes: 0,
                oldest: None,
                last: None,
            });
        }
        self.next_log += u64::from(count);
        Ok(parts)
    }

    /// Adds `count` partitions to a stream (partitions are never removed). Standalone
    /// consumers of the stream get the new partitions at once (positioned by their
    /// `auto_offset_reset`); every group subscribed to it rebalances. Returns the new
    /// partition count.
    ///
    /// Keyed records may map to different partitions afterwards, as in Kafka.
    pub fn add_partitions<'a>(
        &mut self,
        now: Instant,
        stream: impl Into<StreamRef<'a>>,
        count: u32,
    ) -> Result<u32, DeclareStreamError> {
        let now = self.clock(now);
        let id = self
            .stream_side
            .resolve(stream.into())
            .ok_or(DeclareStreamError::UnknownStream)?;
        if count == 0 {
            return Err(DeclareStreamError::InvalidConfig(
                "add at least one partition",
            ));
        }
        let old = self.stream_side.streams[&id].partition_count();
        let total = old.saturating_add(count);
        if total > self.limits.max_partitions {
            return Err(self.partition_limit());
        }
        let parts = self.create_partition_logs(old, count)?;
        let s = self
            .stream_side
            .streams
            .get_mut(&id)
            .ok_or(DeclareStreamError::UnknownStream)?;
        s.parts.extend(parts);
        s.config.partitions = total;
        let _ = self
            .storage
            .put_meta(&alloc::format!("stream/{}", s.name), &total.to_le_bytes());
        self.out.emit(Event::PartitionsAdded {
            stream: id,
            partitions: total,
        });
        // Standalone consumers take the new partitions.
        for c in self.stream_side.consumers.values_mut() {
            if c.membership.is_none() && c.streams.contains(&id) {
                for p in old..total {
                    let log = self.stream_side.streams[&id].parts[p as usize].log;
                    let pos = self
                        .storage
                        .bounds(log)
                        .ok()
                        .and_then(|b| reset_position(c.reset, b));
                    c.positions.insert(StreamPartition::new(id, p), pos);
                }
            }
        }
        // Groups subscribed to the stream rebalance.
        let groups: Vec<GroupId> = self
            .stream_side
            .groups
            .values()
            .filter(|g| {
                g.members.values().any(|m| {
                    self.stream_side
                        .consumers
                        .get(m)
                        .is_some_and(|c| c.streams.contains(&id))
                })
            })
            .map(|g| g.id)
            .collect();
        for g in groups {
            self.rebalance(g, now, false);
        }
        Ok(total)
    }
}
