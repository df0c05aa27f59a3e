//! The topology as the broker saves it for recovery: exchanges, queues with their logs and
//! configs, bindings to queues, streams with their partition logs, groups, and the id
//! counters. Connections (consumers, subscriptions, stream consumers, group members) are not
//! part of it: clients make them again after a restart. Streams' cleanup policies and tombstone
//! retentions follow the groups, only when some stream is not the default, so that snapshots
//! written before compaction existed still read.

use alloc::string::String;
use alloc::vec::Vec;

use super::codec::{Reader, Writer};
use crate::exchange::ExchangeKind;
use crate::group::assign::Assignor;
use crate::ids::Target;
use crate::partitioner::KeylessStrategy;
use crate::queue::{Overflow, QueueConfig};
use crate::stream::{CleanupPolicy, DEFAULT_TOMBSTONE_RETENTION, Retention, StreamConfig};

/// The format's version, written first.
const VERSION: u32 = 1;

#[derive(Debug, Default)]
pub(crate) struct Snapshot {
    pub(crate) next_queue: u32,
    pub(crate) next_exchange: u32,
    pub(crate) next_binding: u32,
    pub(crate) next_log: u64,
    pub(crate) next_stream: u32,
    pub(crate) next_group: u32,
    /// Id, name, kind (the default exchange is not saved).
    pub(crate) exchanges: Vec<(u32, String, ExchangeKind)>,
    /// Id, name, log, config.
    pub(crate) queues: Vec<(u32, String, u64, QueueConfig)>,
    /// Id, exchange, queue, key.
    pub(crate) bindings: Vec<(u32, u32, u32, String)>,
    /// Id, name, config, partition logs.
    pub(crate) streams: Vec<(u32, String, StreamConfig, Vec<u64>)>,
    /// Id, name, assignor, generation.
    pub(crate) groups: Vec<(u32, String, Assignor, u32)>,
}

fn kind_code(k: ExchangeKind) -> u8 {
    match k {
        ExchangeKind::Direct => 0,
        ExchangeKind::Fanout => 1,
        ExchangeKind::Topic => 2,
    }
}

fn assignor_code(a: Assignor) -> u8 {
    match a {
        Assignor::Range => 0,
        Assignor::RoundRobin => 1,
        Assignor::Sticky => 2,
        Assignor::CooperativeSticky => 3,
    }
}

impl<S: crate::storage::Storage> super::super::Broker<S> {
    /// The topology as it is now.
    pub(crate) fn snapshot(&self) -> Snapshot {
        Snapshot {
            next_queue: self.queue_side.queues.next_seq(),
            next_exchange: self.queue_side.exchanges.next_seq(),
            next_binding: self.queue_side.next_binding,
            next_log: self.next_log,
            next_stream: self.stream_side.streams.next_seq(),
            next_group: self.stream_side.groups.next_seq(),
            exchanges: self
                .queue_side
                .exchanges
                .values()
                .filter(|x| !x.name.is_empty())
                .map(|x| (x.id.0, x.name.clone(), x.kind))
                .collect(),
            queues: self
                .queue_side
                .queues
                .values()
                .map(|q| (q.id.0, q.name.clone(), q.log.0, q.config.clone()))
                .collect(),
            bindings: self
                .queue_side
                .exchanges
                .values()
                .flat_map(|x| {
                    x.bindings.iter().filter_map(move |b| match b.target {
                        Target::Queue(q) => Some((b.id.0, x.id.0, q.0, b.key.clone())),
                        Target::Subscription(_) => None,
                    })
                })
                .collect(),
            streams: self
                .stream_side
                .streams
                .values()
                .map(|s| {
                    let logs = s.parts.iter().map(|p| p.log.0).collect();
                    (s.id.0, s.name.clone(), s.config, logs)
                })
                .collect(),
            groups: self
                .stream_side
                .groups
                .values()
                .map(|g| (g.id.0, g.name.clone(), g.assignor, g.generation))
                .collect(),
        }
    }
}

impl Snapshot {
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut w = Writer::default();
        w.u32(VERSION);
        w.u32(self.next_queue);
        w.u32(self.next_exchange);
        w.u32(self.next_binding);
        w.u64(self.next_log);
        w.u32(self.next_stream);
        w.u32(self.next_group);
        w.u64(self.exchanges.len() as u64);
        for (id, name, kind) in &self.exchanges {
            w.u32(*id);
            w.str(name);
            w.u8(kind_code(*kind));
        }
        w.u64(self.queues.len() as u64);
        for (id, name, log, c) in &self.queues {
            w.u32(*id);
            w.str(name);
            w.u64(*log);
            w.opt_u64(c.max_length.map(|m| m as u64));
            w.u8(match c.overflow {
                Overflow::DropHead => 0,
                Overflow::RejectPublish => 1,
            });
            w.opt_duration(c.message_ttl);
            w.opt_u64(c.max_deliveries.map(u64::from));
            match &c.dead_letter_queue {
                None => w.u8(0),
                Some(q) => {
                    w.u8(1);
                    w.str(q);
                }
            }
            w.opt_duration(c.visibility_timeout);
        }
        w.u64(self.bindings.len() as u64);
        for (id, x, q, key) in &self.bindings {
            w.u32(*id);
            w.u32(*x);
            w.u32(*q);
            w.str(key);
        }
        w.u64(self.streams.len() as u64);
        for (id, name, c, logs) in &self.streams {
            w.u32(*id);
            w.str(name);
            w.opt_u64(c.retention.max_records);
            w.opt_u64(c.retention.max_bytes);
            w.opt_duration(c.retention.max_age);
            w.u8(match c.keyless {
                KeylessStrategy::RoundRobin => 0,
                KeylessStrategy::Sticky => 1,
            });
            w.u32(c.sticky_batch_bytes);
            w.u64(logs.len() as u64);
            for l in logs {
                w.u64(*l);
            }
        }
        w.u64(self.groups.len() as u64);
        for (id, name, assignor, generation) in &self.groups {
            w.u32(*id);
            w.str(name);
            w.u8(assignor_code(*assignor));
            w.u32(*generation);
        }
        // Added later, at the end so that older snapshots still read: each stream's cleanup
        // policy and tombstone retention, written only when some stream is not the default.
        if self.streams.iter().any(|(_, _, c, _)| {
            c.cleanup != CleanupPolicy::Delete
                || c.tombstone_retention != DEFAULT_TOMBSTONE_RETENTION
        }) {
            for (_, _, c, _) in &self.streams {
                w.u8(match c.cleanup {
                    CleanupPolicy::Compact => 1,
                    _ => 0,
                });
                w.opt_duration(Some(c.tombstone_retention));
            }
        }
        w.0
    }

    /// Reads a snapshot; `None` if the bytes are not one this version wrote.
    pub(crate) fn decode(bytes: &[u8]) -> Option<Snapshot> {
        let mut r = Reader(bytes);
        if r.u32()? != VERSION {
            return None;
        }
        let mut s = Snapshot {
            next_queue: r.u32()?,
            next_exchange: r.u32()?,
            next_binding: r.u32()?,
            next_log: r.u64()?,
            next_stream: r.u32()?,
            next_group: r.u32()?,
            ..Snapshot::default()
        };
        for _ in 0..r.count(13)? {
            let id = r.u32()?;
            let name = r.str()?;
            let kind = match r.u8()? {
                0 => ExchangeKind::Direct,
                1 => ExchangeKind::Fanout,
                2 => ExchangeKind::Topic,
                _ => return None,
            };
            s.exchanges.push((id, name, kind));
        }
        for _ in 0..r.count(25)? {
            let id = r.u32()?;
            let name = r.str()?;
            let log = r.u64()?;
            let max_length = match r.opt_u64()? {
                None => None,
                Some(m) => Some(usize::try_from(m).ok()?),
            };
            let overflow = match r.u8()? {
                0 => Overflow::DropHead,
                1 => Overflow::RejectPublish,
                _ => return None,
            };
            let message_ttl = r.opt_duration()?;
            let max_deliveries = match r.opt_u64()? {
                None => None,
                Some(m) => Some(u32::try_from(m).ok()?),
            };
            let dead_letter_queue = match r.u8()? {
                0 => None,
                1 => Some(r.str()?),
                _ => return None,
            };
            let c = QueueConfig {
                max_length,
                overflow,
                message_ttl,
                max_deliveries,
                dead_letter_queue,
                visibility_timeout: r.opt_duration()?,
            };
            s.queues.push((id, name, log, c));
        }
        for _ in 0..r.count(20)? {
            s.bindings.push((r.u32()?, r.u32()?, r.u32()?, r.str()?));
        }
        for _ in 0..r.count(24)? {
            let id = r.u32()?;
            let name = r.str()?;
            let retention = Retention {
                max_records: r.opt_u64()?,
                max_bytes: r.opt_u64()?,
                max_age: r.opt_duration()?,
            };
            let keyless = match r.u8()? {
                0 => KeylessStrategy::RoundRobin,
                1 => KeylessStrategy::Sticky,
                _ => return None,
            };
            let sticky_batch_bytes = r.u32()?;
            let mut logs = Vec::new();
            for _ in 0..r.count(8)? {
                logs.push(r.u64()?);
            }
            let mut c = StreamConfig::new(u32::try_from(logs.len()).ok()?)
                .with_keyless(keyless)
                .with_retention(retention);
            c.sticky_batch_bytes = sticky_batch_bytes;
            s.streams.push((id, name, c, logs));
        }
        for _ in 0..r.count(17)? {
            let id = r.u32()?;
            let name = r.str()?;
            let assignor = match r.u8()? {
                0 => Assignor::Range,
                1 => Assignor::RoundRobin,
                2 => Assignor::Sticky,
                3 => Assignor::CooperativeSticky,
                _ => return None,
            };
            s.groups.push((id, name, assignor, r.u32()?));
        }
        if !r.is_empty() {
            for (_, _, c, _) in &mut s.streams {
                c.cleanup = match r.u8()? {
                    0 => CleanupPolicy::Delete,
                    1 => CleanupPolicy::Compact,
                    _ => return None,
                };
                c.tombstone_retention = r.opt_duration()??;
            }
        }
        r.is_empty().then_some(s)
    }
}
