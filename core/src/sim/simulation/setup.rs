//! Setting a [`Simulation`] up: declaring the scenario's topology on the broker at time 0
//! and building the producer and consumer slots.

use alloc::collections::VecDeque;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::exchange::ExchangeKind;
use crate::group::GroupConfig;
use crate::group::assign::Assignor;
use crate::queue::{Overflow, QueueConfig};
use crate::sim::ScenarioError;
use crate::sim::metrics::ConsumerStatus;
use crate::sim::rng::{Rng, Skewed};
use crate::sim::scenario::{
    AssignorSpec, Attach, ConsumerSpec, ExchangeKindSpec, KeySpec, KeylessSpec, OffsetResetSpec,
    OverflowSpec, TargetSpec,
};
use crate::storage::Storage;
use crate::stream::{OffsetReset, Retention, StreamConfig};
use crate::time::{Duration, Instant};

use super::consumers::{Consumer, Group, Handle};
use super::producers::{Producer, routing_template};
use super::template::parse_template;
use super::{NS_PER_MS, Simulation};
/// The broker's offset reset for the scenario's.
pub(super) fn reset(r: OffsetResetSpec) -> OffsetReset {
    match r {
        OffsetResetSpec::Earliest => OffsetReset::Earliest,
        OffsetResetSpec::Latest => OffsetReset::Latest,
        OffsetResetSpec::None => OffsetReset::None,
    }
}

impl<S: Storage> Simulation<S> {
    pub(super) fn declare(&mut self) -> Result<(), ScenarioError> {
        let t0 = Instant::ZERO;
        let s = self.scenario.clone();
        let fail = |path: String, e: &dyn core::fmt::Display| {
            ScenarioError::new(path, format!("refused by the broker: {e}"))
        };
        for (i, x) in s.topology.exchanges.iter().enumerate() {
            let kind = match x.kind {
                ExchangeKindSpec::Direct => ExchangeKind::Direct,
                ExchangeKindSpec::Fanout => ExchangeKind::Fanout,
                ExchangeKindSpec::Topic => ExchangeKind::Topic,
            };
            self.broker
                .declare_exchange(t0, &x.name, kind)
                .map_err(|e| fail(format!("topology.exchanges[{i}]"), &e))?;
            self.drain();
        }
        for (i, q) in s.topology.queues.iter().enumerate() {
            let mut c = QueueConfig::default().with_overflow(match q.overflow {
                OverflowSpec::DropHead => Overflow::DropHead,
                OverflowSpec::RejectPublish => Overflow::RejectPublish,
            });
            if let Some(m) = q.max_length {
                c = c.with_max_length(usize::try_from(m).unwrap_or(usize::MAX));
            }
            if let Some(ms) = q.message_ttl_ms {
                c = c.with_message_ttl(Duration::from_millis(ms));
            }
            if let Some(d) = q.max_deliveries {
                c = c.with_max_deliveries(d);
            }
            if let Some(d) = &q.dead_letter_queue {
                c = c.with_dead_letter_queue(d.clone());
            }
            if let Some(ms) = q.visibility_timeout_ms {
                c = c.with_visibility_timeout(Duration::from_millis(ms));
            }
            let id = self
                .broker
                .declare_queue(t0, &q.name, c)
                .map_err(|e| fail(format!("topology.queues[{i}]"), &e))?;
            self.queues.push((q.name.clone(), id));
            self.drain();
        }
        for (i, b) in s.topology.bindings.iter().enumerate() {
            self.broker
                .bind(t0, b.exchange.as_str(), b.queue.as_str(), &b.key)
                .map_err(|e| fail(format!("topology.bindings[{i}]"), &e))?;
            self.drain();
        }
        for (i, st) in s.topology.streams.iter().enumerate() {
            let r = &st.retention;
            let mut retention = Retention::default();
            if let Some(v) = r.max_records {
                retention = retention.with_max_records(v);
            }
            if let Some(v) = r.max_bytes {
                retention = retention.with_max_bytes(v);
            }
            if let Some(v) = r.max_age_ms {
                retention = retention.with_max_age(Duration::from_millis(v));
            }
            let keyless = match st.keyless {
                KeylessSpec::RoundRobin => crate::partitioner::KeylessStrategy::RoundRobin,
                KeylessSpec::Sticky => crate::partitioner::KeylessStrategy::Sticky,
            };
            let mut cfg = StreamConfig::new(st.partitions)
                .with_retention(retention)
                .with_keyless(keyless);
            if st.cleanup == super::super::CleanupSpec::Compact {
                cfg = cfg.with_cleanup(crate::CleanupPolicy::Compact);
            }
            if let Some(ms) = st.tombstone_retention_ms {
                cfg = cfg.with_tombstone_retention(Duration::from_millis(ms));
            }
            self.broker
                .declare_stream(t0, &st.name, cfg)
                .map_err(|e| fail(format!("topology.streams[{i}]"), &e))?;
            self.drain();
        }
        for g in &s.topology.groups {
            let config = GroupConfig::default()
                .with_assignor(match g.assignor {
                    AssignorSpec::Range => Assignor::Range,
                    AssignorSpec::RoundRobin => Assignor::RoundRobin,
                    AssignorSpec::Sticky => Assignor::Sticky,
                    AssignorSpec::CooperativeSticky => Assignor::CooperativeSticky,
                })
                .with_session_timeout(Duration::from_millis(g.session_timeout_ms))
                .with_auto_offset_reset(reset(g.auto_offset_reset))
                .with_protocol(g.protocol)
                .with_server_assignor(g.server_assignor);
            let mut config = config;
            if let Some(ms) = g.rebalance_timeout_ms {
                config = config.with_rebalance_timeout(Duration::from_millis(ms));
            }
            if let Some(ms) = g.initial_rebalance_delay_ms {
                config = config.with_initial_rebalance_delay(Duration::from_millis(ms));
            }
            if let Some(ms) = g.heartbeat_interval_ms {
                config = config.with_heartbeat_interval(Duration::from_millis(ms));
            }
            self.groups.push(Group {
                name: g.name.clone(),
                streams: g.streams.clone(),
                config,
                id: None,
                deleted: false,
            });
        }
        for (i, g) in s.topology.share_groups.iter().enumerate() {
            let streams: Vec<&str> = g.streams.iter().map(String::as_str).collect();
            self.broker
                .create_share_group(t0, &g.name, &streams, g.config())
                .map_err(|e| fail(format!("topology.share_groups[{i}]"), &e))?;
            self.drain();
        }
        for (i, p) in s.producers.iter().enumerate() {
            let mut times = p.times_ms.clone();
            crate::sort::sort(&mut times);
            let mut bursts: Vec<(u64, u32)> = p.bursts.iter().map(|b| (b.at_ms, b.count)).collect();
            crate::sort::sort_by_key(&mut bursts, |b| b.0);
            let routing = routing_template(&p.target);
            let mut pr = Producer {
                name: p.name.clone(),
                target: p.target.clone(),
                stream: match &p.target {
                    TargetSpec::Stream(name) => self.broker.stream_id(name),
                    _ => None,
                },
                rate: p.rate_per_sec,
                arrival: p.arrival,
                stop_ns: p.stop_ms.map_or(u64::MAX, |s| s.saturating_mul(NS_PER_MS)),
                next_ns: u64::MAX,
                times,
                next_time: 0,
                bursts,
                next_burst: 0,
                skew: match &p.keys {
                    KeySpec::Skewed { count, .. } => Some(Skewed::new(*count)),
                    _ => None,
                },
                key_names: match &p.keys {
                    KeySpec::Uniform { count, prefix } | KeySpec::Skewed { count, prefix } => {
                        (0..*count).map(|i| format!("{prefix}{i}")).collect()
                    }
                    _ => Vec::new(),
                },
                keys: p.keys.clone(),
                rr: 0,
                payload: parse_template(&p.payload),
                routing,
                seq: 0,
                rng: Rng::fork(s.seed, 1 + i as u64),
            };
            if pr.rate > 0 {
                pr.next_ns = p.start_ms.saturating_mul(NS_PER_MS);
            }
            self.producers.push(pr);
        }
        for c in &s.consumers {
            self.add_consumer_slot(c.clone(), c.start_ms);
        }
        self.end_step_bookkeeping();
        Ok(())
    }

    pub(super) fn add_consumer_slot(&mut self, spec: ConsumerSpec, start_ms: u64) -> usize {
        let index = self.consumers.len();
        let handle = match &spec.attach {
            Attach::Queue(q) => Handle::Queue {
                queue: self.broker.queue_id(q).unwrap_or_default(),
                id: None,
            },
            Attach::Subscription { .. } => Handle::Subscription { id: None },
            Attach::Stream { stream, .. } => Handle::Stream {
                stream: self.broker.stream_id(stream).unwrap_or_default(),
                id: None,
            },
            Attach::Group(g) => Handle::Group {
                group: self.groups.iter().position(|x| x.name == *g).unwrap_or(0),
                id: None,
            },
            Attach::ShareGroup(g) => Handle::Share {
                group: (self.scenario.topology.share_groups.iter())
                    .position(|x| x.name == *g)
                    .unwrap_or(0),
                id: None,
            },
        };
        let mut lifecycle = VecDeque::new();
        for c in &spec.crashes {
            lifecycle.push_back((c.at_ms, true));
            if let Some(r) = c.restart_at_ms {
                lifecycle.push_back((r, false));
            }
        }
        self.consumer_names.insert(spec.name.clone(), index);
        self.consumers.push(Consumer {
            handle,
            status: ConsumerStatus::Waiting,
            rng: Rng::fork(self.scenario.seed, 0x1_0000 + index as u64),
            inbox: VecDeque::new(),
            busy: None,
            lifecycle,
            processed: 0,
            since_ack: 0,
            unacked_processed: None,
            processed_at: Vec::new(),
            committed: Vec::new(),
            stalled: false,
            next_heartbeat: start_ms,
            idle_mark: None,
            spec,
        });
        index
    }
}
