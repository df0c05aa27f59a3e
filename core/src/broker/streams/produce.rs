//! Producing records: partition choice, append, retention.

use super::super::Broker;
use super::{StreamRef, report_compaction, report_retention};
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use crate::common_error::{LimitError, LimitKind, check_key, check_name};
use crate::event::Event;
use crate::ids::{MessageId, StreamId};
use crate::message::{MessageMeta, Payload};
use crate::partitioner::murmur2;
use crate::storage::{Record, Storage};
use crate::stream::{CleanupPolicy, ProduceError};
use crate::stream::{Partition, Produced, StreamPartition};
use crate::time::Instant;

impl<S: Storage> Broker<S> {
    /// Appends a record to a stream and returns where it went. A keyed record goes to the
    /// partition its key hashes to; a keyless one round-robin over the partitions. Retention is
    /// applied to the partition right after the append.
    ///
    /// A compacted stream ([`CleanupPolicy::Compact`]) then compacts the partition when enough
    /// was appended since the last time (see [`CleanupPolicy`]); an empty payload with a key
    /// is a tombstone there.
    ///
    /// Errors: unknown stream, payload or key beyond the limits, a full partition
    /// ([`LimitKind::PartitionRecords`]), no key for a compacted stream
    /// ([`ProduceError::KeyRequired`]), storage refusing the append. On error nothing is
    /// appended.
    pub fn produce<'a>(
        &mut self,
        now: Instant,
        stream: impl Into<StreamRef<'a>>,
        key: Option<&[u8]>,
        payload: impl Into<Payload>,
    ) -> Result<Produced, ProduceError> {
        let id = self
            .stream_side
            .resolve(stream.into())
            .ok_or(ProduceError::UnknownStream)?;
        self.produce_inner(now, id, None, key, payload.into(), Vec::new())
    }

    /// Appends a record with application headers (ordered name/value pairs, as
    /// [`Publish::with_header`](crate::Publish::with_header) gives a queue message) to a stream;
    /// otherwise as [`produce`](Self::produce). [`StreamRecord::headers`](crate::StreamRecord)
    /// gives them back on every poll, and they are stored with the record (a
    /// [`FileStorage`](crate::storage::FileStorage) keeps them across restarts).
    ///
    /// ```
    /// use brokerlab::{Broker, Instant, MemoryStorage, StreamConfig};
    /// let mut b = Broker::new(MemoryStorage::new());
    /// b.declare_stream(Instant::ZERO, "orders", StreamConfig::new(1)).unwrap();
    /// let headers = vec![("trace".to_string(), "t-1".to_string())];
    /// let p = b.produce_with_headers(Instant::ZERO, "orders", Some(b"o1"), "new", headers).unwrap();
    /// let r = b.stream_record(p.partition, p.offset).unwrap();
    /// assert_eq!(r.headers, [("trace".to_string(), "t-1".to_string())]);
    /// ```
    ///
    /// Errors: as [`produce`](Self::produce), and more headers than
    /// [`Limits::max_headers`](crate::Limits) ([`ProduceError::TooManyHeaders`]), an empty
    /// header name or a name or value beyond [`Limits::max_key_len`](crate::Limits) or with a
    /// control character ([`ProduceError::InvalidHeader`]).
    pub fn produce_with_headers<'a>(
        &mut self,
        now: Instant,
        stream: impl Into<StreamRef<'a>>,
        key: Option<&[u8]>,
        payload: impl Into<Payload>,
        headers: Vec<(String, String)>,
    ) -> Result<Produced, ProduceError> {
        let id = self
            .stream_side
            .resolve(stream.into())
            .ok_or(ProduceError::UnknownStream)?;
        self.produce_inner(now, id, None, key, payload.into(), headers)
    }

    /// Appends a record to an explicit partition of a stream (the key, if any, is stored but
    /// does not choose the partition).
    ///
    /// Errors: as [`produce`](Self::produce), and a partition out of range.
    pub fn produce_to<'a>(
        &mut self,
        now: Instant,
        stream: impl Into<StreamRef<'a>>,
        partition: Partition,
        key: Option<&[u8]>,
        payload: impl Into<Payload>,
    ) -> Result<Produced, ProduceError> {
        let id = self
            .stream_side
            .resolve(stream.into())
            .ok_or(ProduceError::UnknownStream)?;
        self.produce_inner(now, id, Some(partition), key, payload.into(), Vec::new())
    }

    fn produce_inner(
        &mut self,
        now: Instant,
        id: StreamId,
        partition: Option<Partition>,
        key: Option<&[u8]>,
        payload: Payload,
        headers: Vec<(String, String)>,
    ) -> Result<Produced, ProduceError> {
        let now = self.clock(now);
        if headers.len() > self.limits.max_headers {
            return Err(ProduceError::TooManyHeaders {
                count: headers.len(),
                max: self.limits.max_headers,
            });
        }
        for (name, value) in &headers {
            check_name(name, self.limits.max_key_len)?;
            check_key(value, self.limits.max_key_len)?;
        }
        if payload.len() > self.limits.max_payload_bytes {
            return Err(ProduceError::PayloadTooLarge {
                len: payload.len(),
                max: self.limits.max_payload_bytes,
            });
        }
        if let Some(k) = key
            && k.len() > self.limits.max_key_len
        {
            return Err(ProduceError::KeyTooLarge {
                len: k.len(),
                max: self.limits.max_key_len,
            });
        }
        let s = self
            .stream_side
            .streams
            .get_mut(&id)
            .ok_or(ProduceError::UnknownStream)?;
        if key.is_none() && s.config.cleanup == CleanupPolicy::Compact {
            return Err(ProduceError::KeyRequired);
        }
        let key_hash = key.map(murmur2);
        let n = s.partition_count();
        let p = match partition {
            Some(p) if p.0 < n => p.0,
            Some(p) => {
                return Err(ProduceError::PartitionOutOfRange {
                    partition: p,
                    partitions: n,
                });
            }
            None => s.choose_partition(key_hash, payload.len()),
        };
        let part = &s.parts[p as usize];
        if part.records + part.gaps >= self.limits.max_partition_records as u64 {
            return Err(LimitError {
                kind: LimitKind::PartitionRecords,
                limit: self.limits.max_partition_records,
            }
            .into());
        }
        let message = MessageId(self.next_message);
        let next = self.next_message.checked_add(1).ok_or(LimitError {
            kind: LimitKind::Ids,
            limit: usize::MAX,
        })?;
        let record = Record {
            message,
            timestamp: now,
            payload,
            meta: if headers.is_empty() {
                key.zip(key_hash).map(|(k, h)| s.key_meta(k, h))
            } else {
                Some(Arc::new(MessageMeta {
                    key: key.map(Payload::from),
                    headers,
                    ..MessageMeta::default()
                }))
            },
        };
        let (offset, retained, compacted) = s.append(&mut self.storage, p, record, now)?;
        self.out.emit(Event::Appended {
            message,
            partition: StreamPartition::new(id, p),
            offset,
        });
        report_retention(&mut self.out, retained);
        report_compaction(&mut self.out, compacted);
        self.next_message = next;
        Ok(Produced {
            message,
            partition: StreamPartition::new(id, p),
            offset,
        })
    }
}
