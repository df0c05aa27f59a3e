//! The generator: a random, valid [`Scenario`] from a seed.
//!
//! Each seed picks a non-empty subset of the five patterns and builds each one small:
//!
//! - **queues**: one to three work queues with random limits (max length with either
//!   overflow mode, TTL, delivery limit, visibility timeout) and dead-letter chains (a queue's
//!   dead-letter queue may have its own), fed directly or through a direct exchange;
//! - **fan-out**: a fanout exchange bound to two or three queues;
//! - **pub/sub**: a topic or fanout exchange with subscriptions of capacity 1 to 6 (so that
//!   slow subscribers lag) and a queue bound beside them;
//! - **streams**: one or two streams of 1 to 4 partitions with retention by records, bytes or
//!   age, keyless round-robin or sticky, read by standalone consumers;
//! - **groups**: one or two groups over one or two streams, with any assignor, session
//!   timeout and offset reset;
//! - **share groups** (only with [`Profile::share_groups_percent`], from draws of their own):
//!   one or two share groups on a stream, with random lock durations, delivery limits and
//!   record-lock limits, and members that accept, release or reject.
//!
//! Producers get random rates (some zero), Poisson or regular arrivals, bursts, extra times,
//! stop times and keys; consumers random processing times, ack modes, prefetch, start times
//! and, on queues, nacks or rejects. Then [`add_faults`] adds a fault schedule.
//!
//! Dead-letter chains only point to queues declared later, so they never loop.

use crate::group::GroupProtocol;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

use super::faults::{FaultProfile, add_faults};
use super::pick::Pick;
use crate::sim::rng::Rng;
use crate::sim::scenario::{
    AckSpec, ArrivalSpec, AssignorSpec, Attach, BindingSpec, BurstSpec, ConsumerSpec,
    ExchangeKindSpec, ExchangeSpec, GroupSpec, KeySpec, KeylessSpec, NackSpec, OffsetResetSpec,
    OverflowSpec, ProcessingSpec, ProducerSpec, QueueSpec, RetentionSpec, SCENARIO_VERSION,
    Scenario, ShareGroupSpec, StreamSpec, TargetSpec,
};

/// How big generated scenarios get.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// Shortest run, in milliseconds.
    pub min_duration_ms: u64,
    /// Longest run, in milliseconds.
    pub max_duration_ms: u64,
    /// Highest producer rate, in messages per second.
    pub max_rate_per_sec: u32,
    /// The fault schedule added to each scenario.
    pub faults: FaultProfile,
    /// The chance, in percent, that a scenario also gets share groups (Kafka's KIP-932) with
    /// members, drawn from a random stream of their own so that everything else about the
    /// seed's scenario stays as it is. 0 in [`Profile::default`], which keeps every seed's
    /// scenario (and its pinned trace hash) as it was before share groups;
    /// [`Profile::with_share_groups`] turns them on.
    pub share_groups_percent: u32,
}

impl Profile {
    /// The default profile with share groups in about a third of the scenarios.
    #[must_use]
    pub fn with_share_groups() -> Profile {
        Profile {
            share_groups_percent: 35,
            ..Profile::default()
        }
    }
}

impl Default for Profile {
    fn default() -> Self {
        Profile {
            min_duration_ms: 1_000,
            max_duration_ms: 5_000,
            max_rate_per_sec: 40,
            faults: FaultProfile::default(),
            share_groups_percent: 0,
        }
    }
}

/// Direct routing keys producers use (`{key}` over these) and binding keys bind.
const DIRECT_KEYS: [&str; 4] = ["k0", "k1", "k2", "k3"];
/// Topic routing keys producers send.
const TOPIC_KEYS: [&str; 6] = ["a.b", "a.c", "b.b", "a.b.c", "a", ""];
/// Topic patterns bindings and subscriptions use.
const TOPIC_PATTERNS: [&str; 9] = ["a.*", "a.#", "#", "*.b", "a.b", "*", "b.#", "a.*.c", "#.c"];

/// The scenario of `seed`: the same seed gives the same scenario everywhere.
#[must_use]
pub fn generate(seed: u64, profile: &Profile) -> Scenario {
    let mut rng = Rng::fork(seed, 0x5357_4152_4d00);
    let mut g = Gen {
        p: Pick(&mut rng),
        s: Scenario::default(),
        max_rate: profile.max_rate_per_sec.max(1),
        consumers: 0,
        producers: 0,
    };
    let duration =
        g.p.range(profile.min_duration_ms.max(1), profile.max_duration_ms);
    g.s = Scenario {
        version: SCENARIO_VERSION,
        title: format!("swarm seed {seed}"),
        description: String::from("A random scenario of the swarm (brokerlab::sim::swarm)."),
        seed,
        duration_ms: duration.max(1),
        sample_interval_ms: 1_000,
        ..Scenario::default()
    };
    let mut patterns = g.p.range(1, 31);
    // Single patterns half of the time: small scenarios shrink fast and fail clearly.
    if g.p.chance(50) {
        patterns = 1 << g.p.range(0, 4);
    }
    if patterns & 1 != 0 {
        g.queues();
    }
    if patterns & 2 != 0 {
        g.fanout();
    }
    if patterns & 4 != 0 {
        g.pubsub();
    }
    if patterns & 8 != 0 {
        g.streams();
    }
    if patterns & 16 != 0 {
        g.groups();
    }
    let mut s = core::mem::take(&mut g.s);
    let (consumers, producers) = (g.consumers, g.producers);
    drop(g);
    if profile.share_groups_percent > 0 {
        // A stream of draws of its own: the rest of the scenario is the seed's as before.
        let mut share_rng = Rng::fork(seed, 0x5348_4152_4500);
        let mut g = Gen {
            p: Pick(&mut share_rng),
            s,
            max_rate: profile.max_rate_per_sec.max(1),
            consumers,
            producers,
        };
        if g.p.chance(u64::from(profile.share_groups_percent.min(100))) {
            g.share_groups();
        }
        s = core::mem::take(&mut g.s);
    }
    add_faults(&s, &mut rng, &profile.faults)
}

/// The generator's state: the scenario so far and its counters for fresh names.
struct Gen<'a> {
    p: Pick<'a>,
    s: Scenario,
    max_rate: u32,
    consumers: u32,
    producers: u32,
}

impl Gen<'_> {
    fn duration(&self) -> u64 {
        self.s.duration_ms
    }

    /// A time within the run.
    fn time(&mut self) -> u64 {
        let d = self.duration();
        self.p.range(0, d)
    }

    fn queue(&mut self, name: String, dead_letter_queue: Option<String>) -> String {
        let p = &mut self.p;
        let max_length = p.chance(30).then(|| p.range(1, 12));
        let overflow = if p.chance(50) {
            OverflowSpec::RejectPublish
        } else {
            OverflowSpec::DropHead
        };
        let q = QueueSpec {
            name: name.clone(),
            max_length,
            overflow,
            message_ttl_ms: p.chance(25).then(|| p.range(50, 2_000)),
            max_deliveries: p.chance(30).then(|| p.range32(1, 4)),
            dead_letter_queue,
            visibility_timeout_ms: p.chance(20).then(|| p.range(50, 1_500)),
        };
        self.s.topology.queues.push(q);
        name
    }

    /// A queue and, sometimes, a chain of one or two dead-letter queues behind it (declared
    /// after it, so chains never loop).
    fn queue_with_dead_letters(&mut self, name: String) -> Vec<String> {
        let depth = if self.p.chance(40) {
            self.p.range(1, 2)
        } else {
            0
        };
        let mut names = vec![name];
        for d in 0..depth {
            names.push(format!("{}-dl{d}", names[0]));
        }
        // Declared in chain order; each points at the next.
        for i in 0..names.len() {
            let next = names.get(i + 1).cloned();
            self.queue(names[i].clone(), next);
        }
        names
    }

    fn processing(&mut self) -> ProcessingSpec {
        let p = &mut self.p;
        match p.range(0, 3) {
            0 => ProcessingSpec::Fixed(0),
            1 => ProcessingSpec::Fixed(p.range(1, 300)),
            2 => {
                let min_ms = p.range(0, 60);
                ProcessingSpec::Uniform {
                    min_ms,
                    max_ms: p.range(min_ms, 400),
                }
            }
            _ => ProcessingSpec::Exponential {
                mean_ms: p.range(1, 200),
            },
        }
    }

    fn ack(&mut self) -> AckSpec {
        match self.p.range(0, 19) {
            0..=2 => AckSpec::Auto,
            3..=12 => AckSpec::AfterProcessing,
            13..=16 => AckSpec::Every(self.p.range32(2, 4)),
            _ => AckSpec::Manual,
        }
    }

    fn consumer(&mut self, attach: Attach) -> String {
        let name = format!("c{}", self.consumers);
        self.consumers += 1;
        let queue = matches!(attach, Attach::Queue(_));
        let processing = self.processing();
        let ack = self.ack();
        let p = &mut self.p;
        let prefetch = if p.chance(10) { 0 } else { p.range32(1, 6) };
        let start_ms = if p.chance(60) {
            0
        } else {
            let d = self.s.duration_ms;
            p.range(0, d / 2)
        };
        let nack = (queue && p.chance(30)).then(|| NackSpec {
            every: p.range32(2, 5),
            requeue: p.chance(50),
        });
        self.s.consumers.push(ConsumerSpec {
            name: name.clone(),
            attach,
            processing,
            ack,
            prefetch,
            start_ms,
            crashes: Vec::new(),
            nack,
            instance_id: None,
        });
        name
    }

    fn producer(&mut self, target: TargetSpec, keys: KeySpec) {
        let name = format!("p{}", self.producers);
        self.producers += 1;
        let max_rate = self.max_rate;
        let d = self.duration();
        let times_n = self.p.range(0, 3);
        let times_ms: Vec<u64> = (0..times_n).map(|_| self.time()).collect();
        let bursts_n = self.p.range(0, 2);
        let mut bursts = Vec::new();
        for _ in 0..bursts_n {
            let at_ms = self.time();
            let count = self.p.range32(1, 20);
            bursts.push(BurstSpec { at_ms, count });
        }
        let p = &mut self.p;
        let rate_per_sec = if p.chance(20) {
            0
        } else {
            p.range32(1, max_rate)
        };
        let arrival = if p.chance(50) {
            ArrivalSpec::Poisson
        } else {
            ArrivalSpec::Regular
        };
        let start_ms = if p.chance(70) { 0 } else { p.range(0, d / 2) };
        let stop_ms = p.chance(30).then(|| p.range(start_ms, d));
        self.s.producers.push(ProducerSpec {
            name,
            target,
            rate_per_sec,
            arrival,
            start_ms,
            stop_ms,
            times_ms,
            bursts,
            keys,
            payload: String::from("{producer} {n} {key}"),
        });
    }

    fn exchange(&mut self, prefix: &str, kind: ExchangeKindSpec) -> String {
        let name = format!("{prefix}{}", self.s.topology.exchanges.len());
        self.s.topology.exchanges.push(ExchangeSpec {
            name: name.clone(),
            kind,
        });
        name
    }

    fn bind(&mut self, exchange: &str, queue: &str, key: &str) {
        self.s.topology.bindings.push(BindingSpec {
            exchange: exchange.to_string(),
            queue: queue.to_string(),
            key: key.to_string(),
        });
    }

    /// Some queue consumers on `queue` (none at times: a queue that only fills).
    fn queue_consumers(&mut self, queue: &str, max: u64) {
        let n = self.p.range(0, max);
        for _ in 0..n {
            self.consumer(Attach::Queue(queue.to_string()));
        }
    }

    fn queues(&mut self) {
        let n = self.p.range(1, 3);
        for i in 0..n {
            let chain = self.queue_with_dead_letters(format!("q{i}"));
            let head = chain[0].clone();
            if self.p.chance(40) {
                let x = self.exchange("dx", ExchangeKindSpec::Direct);
                let bound = self.p.range(1, 2);
                for _ in 0..bound {
                    let key = self.p.one(&DIRECT_KEYS).copied().unwrap_or("k0");
                    self.bind(&x, &head, key);
                }
                self.producer(
                    TargetSpec::Exchange {
                        exchange: x,
                        routing_key: String::from("{key}"),
                    },
                    KeySpec::Uniform {
                        count: 4,
                        prefix: String::from("k"),
                    },
                );
            } else {
                self.producer(TargetSpec::Queue(head.clone()), KeySpec::None);
            }
            self.queue_consumers(&head, 3);
            for dl in &chain[1..] {
                self.queue_consumers(dl, 1);
            }
        }
    }

    fn fanout(&mut self) {
        let x = self.exchange("fx", ExchangeKindSpec::Fanout);
        let n = self.p.range(2, 3);
        for j in 0..n {
            let chain = self.queue_with_dead_letters(format!("{x}-q{j}"));
            self.bind(&x, &chain[0], "");
            self.queue_consumers(&chain[0], 2);
        }
        self.producer(
            TargetSpec::Exchange {
                exchange: x,
                routing_key: String::new(),
            },
            KeySpec::None,
        );
    }

    fn pubsub(&mut self) {
        let topic = self.p.chance(60);
        let x = if topic {
            self.exchange("tx", ExchangeKindSpec::Topic)
        } else {
            self.exchange("bx", ExchangeKindSpec::Fanout)
        };
        let subscribers = self.p.range(1, 3);
        for _ in 0..subscribers {
            let key = if topic {
                self.p.one(&TOPIC_PATTERNS).copied().unwrap_or("#")
            } else {
                ""
            };
            let capacity = self.p.range32(1, 6);
            self.consumer(Attach::Subscription {
                exchange: x.clone(),
                key: key.to_string(),
                capacity,
            });
        }
        if self.p.chance(60) {
            let q = self.queue(format!("{x}-q"), None);
            let key = if topic {
                self.p.one(&TOPIC_PATTERNS).copied().unwrap_or("#")
            } else {
                ""
            };
            self.bind(&x, &q, key);
            self.queue_consumers(&q, 1);
        }
        let keys = if topic {
            KeySpec::RoundRobin(TOPIC_KEYS.iter().map(|k| k.to_string()).collect())
        } else {
            KeySpec::None
        };
        self.producer(
            TargetSpec::Exchange {
                exchange: x,
                routing_key: String::from(if topic { "{key}" } else { "" }),
            },
            keys,
        );
    }

    fn stream(&mut self) -> String {
        let name = format!("s{}", self.s.topology.streams.len());
        let p = &mut self.p;
        let retention = RetentionSpec {
            max_records: p.chance(40).then(|| p.range(3, 40)),
            max_bytes: p.chance(15).then(|| p.range(100, 2_000)),
            max_age_ms: p.chance(20).then(|| p.range(200, 3_000)),
        };
        let keyless = if p.chance(50) {
            KeylessSpec::Sticky
        } else {
            KeylessSpec::RoundRobin
        };
        let partitions = p.range32(1, 4);
        self.s.topology.streams.push(StreamSpec {
            name: name.clone(),
            partitions,
            retention,
            keyless,
            cleanup: crate::sim::CleanupSpec::Delete,
            tombstone_retention_ms: None,
        });
        let keys = match self.p.range(0, 3) {
            0 => KeySpec::None,
            1 => KeySpec::Fixed(String::from("k")),
            2 => KeySpec::Uniform {
                count: self.p.range32(1, 8),
                prefix: String::from("k"),
            },
            _ => KeySpec::Skewed {
                count: self.p.range32(1, 8),
                prefix: String::from("k"),
            },
        };
        self.producer(TargetSpec::Stream(name.clone()), keys);
        name
    }

    fn reset(&mut self) -> OffsetResetSpec {
        match self.p.range(0, 9) {
            0..=6 => OffsetResetSpec::Earliest,
            7 | 8 => OffsetResetSpec::Latest,
            _ => OffsetResetSpec::None,
        }
    }

    fn streams(&mut self) {
        let n = self.p.range(1, 2);
        for _ in 0..n {
            let s = self.stream();
            let readers = self.p.range(0, 2);
            for _ in 0..readers {
                let auto_offset_reset = self.reset();
                self.consumer(Attach::Stream {
                    stream: s.clone(),
                    auto_offset_reset,
                });
            }
        }
    }

    /// One or two share groups, on a stream the scenario has or a new one, with random lock
    /// durations, delivery limits (down to 1), record-lock limits (small at times, so the
    /// window fills) and resets, each with one to four members that accept, release or
    /// reject.
    fn share_groups(&mut self) {
        let n = self.p.range(1, 2);
        for i in 0..n {
            let stream = if self.s.topology.streams.is_empty() || self.p.chance(30) {
                self.stream()
            } else {
                let names: Vec<String> = (self.s.topology.streams.iter())
                    .map(|st| st.name.clone())
                    .collect();
                self.p.one(&names).cloned().unwrap_or_default()
            };
            let name = format!("sg{i}");
            let mut g = ShareGroupSpec::new(name.clone(), vec![stream]);
            g.record_lock_duration_ms = self.p.range(50, 2_000);
            g.delivery_count_limit = self.p.range32(1, 5);
            if self.p.chance(30) {
                g.max_record_locks = self.p.range32(1, 8);
            }
            if self.p.chance(50) {
                g.auto_offset_reset = crate::ShareOffsetReset::Earliest;
            }
            self.s.topology.share_groups.push(g);
            let members = self.p.range(1, 4);
            for _ in 0..members {
                self.share_member(&name);
            }
        }
    }

    fn share_member(&mut self, group: &str) {
        let name = format!("c{}", self.consumers);
        self.consumers += 1;
        let processing = self.processing();
        let p = &mut self.p;
        let ack = if p.chance(15) {
            AckSpec::Auto
        } else {
            AckSpec::AfterProcessing
        };
        let prefetch = if p.chance(10) { 0 } else { p.range32(1, 6) };
        let start_ms = if p.chance(60) {
            0
        } else {
            p.range(0, self.s.duration_ms / 2)
        };
        let nack = p.chance(40).then(|| NackSpec {
            every: p.range32(2, 5),
            requeue: p.chance(50),
        });
        self.s.consumers.push(ConsumerSpec {
            name,
            attach: Attach::ShareGroup(String::from(group)),
            processing,
            ack,
            prefetch,
            start_ms,
            crashes: Vec::new(),
            nack,
            instance_id: None,
        });
    }

    fn groups(&mut self) {
        let n = self.p.range(1, 2);
        for i in 0..n {
            let mut streams = vec![self.stream()];
            if self.p.chance(25) {
                streams.push(self.stream());
            }
            let assignor = match self.p.range(0, 3) {
                0 => AssignorSpec::Range,
                1 => AssignorSpec::RoundRobin,
                2 => AssignorSpec::Sticky,
                _ => AssignorSpec::CooperativeSticky,
            };
            let name = format!("g{i}");
            let session_timeout_ms = self.p.range(150, 2_000);
            let auto_offset_reset = self.reset();
            let mut g = GroupSpec::new(name.clone(), streams);
            g.assignor = assignor;
            g.session_timeout_ms = session_timeout_ms;
            g.auto_offset_reset = auto_offset_reset;
            g.heartbeat_interval_ms = Some((session_timeout_ms / 3).max(1));
            if self.p.range(0, 1) == 1 {
                g.protocol = GroupProtocol::Consumer;
                if self.p.range(0, 1) == 1 {
                    g.server_assignor = crate::group::assign::ServerAssignor::Range;
                }
            } else {
                g.rebalance_timeout_ms = Some(self.p.range(100, 3_000));
                g.initial_rebalance_delay_ms = Some(self.p.range(0, 1) * self.p.range(1, 500));
            }
            self.s.topology.groups.push(g);
            let members = self.p.range(1, 4);
            for _ in 0..members {
                self.consumer(Attach::Group(name.clone()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_scenarios_are_valid_and_reproducible() {
        let profile = Profile::default();
        for seed in 0..300 {
            let s = generate(seed, &profile);
            if let Err(e) = s.validate() {
                panic!("seed {seed}: {e}");
            }
            assert_eq!(s, generate(seed, &profile), "seed {seed}");
        }
        let shares = Profile::with_share_groups();
        let mut with_share_groups = 0;
        for seed in 0..300 {
            let s = generate(seed, &shares);
            if let Err(e) = s.validate() {
                panic!("seed {seed} with share groups: {e}");
            }
            if s.topology.share_groups.is_empty() {
                // Without share groups the seed's scenario is the default profile's.
                assert_eq!(s, generate(seed, &profile), "seed {seed}");
            } else {
                with_share_groups += 1;
            }
        }
        assert!(
            (60..150).contains(&with_share_groups),
            "{with_share_groups}"
        );
    }
}
