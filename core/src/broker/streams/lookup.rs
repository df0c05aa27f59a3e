//! Looking streams, partitions and stream consumers up by name and id.

use alloc::vec::Vec;

use super::super::Broker;
use crate::ids::{Offset, StreamConsumerId, StreamId};
use crate::storage::Storage;
use crate::stream::{PartitionStats, StreamConfig, StreamPartition, StreamRecord};

impl<S: Storage> Broker<S> {
    /// The id of the stream with this name.
    #[must_use]
    pub fn stream_id(&self, name: &str) -> Option<StreamId> {
        self.stream_side.streams.id_of(name)
    }

    /// The name of a stream.
    #[must_use]
    pub fn stream_name(&self, stream: StreamId) -> Option<&str> {
        self.stream_side
            .streams
            .get(&stream)
            .map(|s| s.name.as_str())
    }

    /// All streams, by id.
    pub fn streams(&self) -> impl Iterator<Item = StreamId> + '_ {
        self.stream_side.streams.keys().copied()
    }

    /// A stream's configuration (its partition count included).
    #[must_use]
    pub fn stream_config(&self, stream: StreamId) -> Option<StreamConfig> {
        self.stream_side.streams.get(&stream).map(|s| s.config)
    }

    /// A partition's retained offsets, bytes and oldest timestamp.
    #[must_use]
    pub fn partition_stats(&self, partition: StreamPartition) -> Option<PartitionStats> {
        let s = self.stream_side.streams.get(&partition.stream)?;
        let part = s.parts.get(partition.partition.0 as usize)?;
        Some(PartitionStats {
            bounds: self.storage.bounds(part.log).ok()?,
            records: part.records,
            bytes: part.bytes,
            oldest: part.oldest,
        })
    }

    /// Reads one retained record without moving any consumer (for inspection).
    #[must_use]
    pub fn stream_record(
        &self,
        partition: StreamPartition,
        offset: Offset,
    ) -> Option<StreamRecord> {
        let log = self.stream_side.log_of(partition)?;
        let r = self.storage.read(log, offset).ok()?;
        Some(StreamRecord {
            partition,
            offset,
            timestamp: r.timestamp,
            message: r.message,
            key: r.meta.as_ref().and_then(|m| m.key.clone()),
            headers: r.meta.map(|m| m.headers.clone()).unwrap_or_default(),
            payload: r.payload,
            redelivered: false,
        })
    }

    /// The name of a stream consumer (a group member's member id).
    #[must_use]
    pub fn stream_consumer_name(&self, consumer: StreamConsumerId) -> Option<&str> {
        self.stream_side
            .consumers
            .get(&consumer)
            .map(|c| c.name.as_str())
    }

    /// The id of the standalone stream consumer with this name.
    #[must_use]
    pub fn stream_consumer_id(&self, name: &str) -> Option<StreamConsumerId> {
        self.stream_side.consumer_names.get(name).copied()
    }

    /// A consumer's position in a partition (the next offset it reads), if it is assigned the
    /// partition and has one.
    #[must_use]
    pub fn position(
        &self,
        consumer: StreamConsumerId,
        partition: StreamPartition,
    ) -> Option<Offset> {
        self.stream_side
            .consumers
            .get(&consumer)?
            .positions
            .get(&partition)
            .copied()
            .flatten()
    }

    /// The partitions a consumer is assigned, sorted.
    #[must_use]
    pub fn assigned_partitions(&self, consumer: StreamConsumerId) -> Vec<StreamPartition> {
        self.stream_side
            .consumers
            .get(&consumer)
            .map(|c| c.positions.keys().copied().collect())
            .unwrap_or_default()
    }
}
