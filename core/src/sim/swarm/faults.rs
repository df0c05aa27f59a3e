//! The fault schedule: [`add_faults`] adds random scripted faults to any valid scenario,
//! naming only the scenario's own entities (and consumers it adds itself).
//!
//! Faults: consumer crashes, most followed by a restart; consumers and group members joining
//! (`add_consumer`) and leaving (`remove_consumer`); seeks and commits (the processed
//! positions, or explicit offsets) of stream consumers and members, acks of queue consumers;
//! partitions added to streams; bindings removed and added; producer rates changed; extra
//! publishes, some with headers. A fault may not apply when its time comes (a crash of a
//! consumer that is not running, a seek beyond the log end): the run reports it and goes on,
//! which is part of what is tested.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::pick::Pick;
use crate::sim::rng::Rng;
use crate::sim::scenario::{
    AckSpec, Action, Attach, BindingSpec, ConsumerSpec, OffsetSpec, ProcessingSpec, Scenario,
    ScriptStep, SeekSpec, TargetSpec,
};

/// The most faults of each kind [`add_faults`] adds (each count is drawn from `0..=max`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultProfile {
    /// Consumer crashes (most followed by a restart).
    pub crashes: u32,
    /// Consumers and group members joining.
    pub joins: u32,
    /// Consumers and group members leaving.
    pub leaves: u32,
    /// Seeks of stream consumers and members.
    pub seeks: u32,
    /// Commits (and acks of queue consumers).
    pub commits: u32,
    /// Partitions added to streams.
    pub partitions_added: u32,
    /// Bindings removed or added.
    pub bindings: u32,
    /// Producer rate changes.
    pub rate_changes: u32,
    /// Extra scripted publishes.
    pub publishes: u32,
}

impl Default for FaultProfile {
    fn default() -> Self {
        FaultProfile {
            crashes: 4,
            joins: 2,
            leaves: 2,
            seeks: 3,
            commits: 3,
            partitions_added: 1,
            bindings: 2,
            rate_changes: 2,
            publishes: 2,
        }
    }
}

impl FaultProfile {
    /// No faults at all.
    #[must_use]
    pub fn none() -> Self {
        FaultProfile {
            crashes: 0,
            joins: 0,
            leaves: 0,
            seeks: 0,
            commits: 0,
            partitions_added: 0,
            bindings: 0,
            rate_changes: 0,
            publishes: 0,
        }
    }
}

/// What a consumer reads, as far as faults care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reads {
    Queue,
    Subscription,
    Stream,
    Group,
    /// A share-group member (crashes and leaves only: it has no offsets to seek or commit).
    Share,
}

/// A consumer faults may name, from the time it exists.
#[derive(Debug, Clone)]
struct Known {
    name: String,
    reads: Reads,
    from_ms: u64,
    /// Partitions of its stream (the first of its group's) when the scenario starts.
    partitions: u32,
}

/// `scenario` with a random fault schedule appended to its script, drawn from `rng` within
/// `profile`'s counts. Every fault names an entity of the scenario (or a consumer an earlier
/// fault adds) and lies within the run, so a valid scenario stays valid. The scenario's own
/// script is kept.
#[must_use]
pub fn add_faults(scenario: &Scenario, rng: &mut Rng, profile: &FaultProfile) -> Scenario {
    let mut f = Faults {
        p: Pick(rng),
        s: scenario.clone(),
        known: Vec::new(),
        added: 0,
    };
    f.collect_consumers();
    let p = profile;
    let counts = [
        p.crashes,
        p.joins,
        p.leaves,
        p.seeks,
        p.commits,
        p.partitions_added,
        p.bindings,
        p.rate_changes,
        p.publishes,
    ];
    // Joins first, so that later faults can name the consumers they add.
    let n = f.p.range32(0, counts[1]);
    for _ in 0..n {
        f.join();
    }
    for (kind, &max) in counts.iter().enumerate() {
        if kind == 1 {
            continue;
        }
        let n = f.p.range32(0, max);
        for _ in 0..n {
            match kind {
                0 => f.crash(),
                2 => f.leave(),
                3 => f.seek(),
                4 => f.commit(),
                5 => f.add_partitions(),
                6 => f.binding(),
                7 => f.rate(),
                _ => f.publish(),
            }
        }
    }
    f.s
}

struct Faults<'a> {
    p: Pick<'a>,
    s: Scenario,
    known: Vec<Known>,
    added: u32,
}

impl Faults<'_> {
    fn duration(&self) -> u64 {
        self.s.duration_ms
    }

    fn partitions_of(&self, stream: &str) -> u32 {
        self.s
            .topology
            .streams
            .iter()
            .find(|s| s.name == stream)
            .map_or(1, |s| s.partitions)
    }

    fn known_of(&self, c: &ConsumerSpec, from_ms: u64) -> Known {
        let (reads, partitions) = match &c.attach {
            Attach::Queue(_) => (Reads::Queue, 0),
            Attach::Subscription { .. } => (Reads::Subscription, 0),
            Attach::Stream { stream, .. } => (Reads::Stream, self.partitions_of(stream)),
            Attach::Group(g) => {
                let first = self
                    .s
                    .topology
                    .groups
                    .iter()
                    .find(|x| x.name == *g)
                    .and_then(|x| x.streams.first())
                    .map_or(1, |st| self.partitions_of(st));
                (Reads::Group, first)
            }
            Attach::ShareGroup(_) => (Reads::Share, 0),
        };
        Known {
            name: c.name.clone(),
            reads,
            from_ms,
            partitions,
        }
    }

    fn collect_consumers(&mut self) {
        let mut known: Vec<Known> = self
            .s
            .consumers
            .iter()
            .map(|c| self.known_of(c, 0))
            .collect();
        for step in &self.s.script {
            if let Action::AddConsumer(c) = &step.action {
                known.push(self.known_of(c, step.at_ms));
            }
        }
        self.known = known;
    }

    fn at(&mut self, from_ms: u64) -> u64 {
        let d = self.duration();
        self.p.range(from_ms.min(d), d)
    }

    fn push(&mut self, at_ms: u64, action: Action) {
        self.s.script.push(ScriptStep { at_ms, action });
    }

    /// A consumer that reads one of `kinds`, and a time from which it can be named.
    fn consumer(&mut self, kinds: &[Reads]) -> Option<(String, u64, u32)> {
        let fit: Vec<&Known> = self
            .known
            .iter()
            .filter(|k| kinds.contains(&k.reads))
            .collect();
        let k = self.p.one(&fit)?;
        let out = (k.name.clone(), k.from_ms, k.partitions);
        Some(out)
    }

    fn fresh_name(&mut self) -> String {
        loop {
            let name = format!("f{}", self.added);
            self.added += 1;
            if !self.known.iter().any(|k| k.name == name) {
                return name;
            }
        }
    }

    fn crash(&mut self) {
        // Filtering by kind leaves the draw as it was for scenarios without share members.
        const ALL: [Reads; 5] = [
            Reads::Queue,
            Reads::Subscription,
            Reads::Stream,
            Reads::Group,
            Reads::Share,
        ];
        let Some((name, from, _)) = self.consumer(&ALL) else {
            return;
        };
        let t = self.at(from);
        self.push(
            t,
            Action::Crash {
                consumer: name.clone(),
            },
        );
        if self.p.chance(75) {
            let gap = self.p.range(1, 1_500);
            let back = t.saturating_add(gap).min(self.duration());
            self.push(back, Action::Restart { consumer: name });
        }
    }

    fn join(&mut self) {
        let mut targets: Vec<Attach> = Vec::new();
        for g in &self.s.topology.groups {
            targets.push(Attach::Group(g.name.clone()));
        }
        for q in &self.s.topology.queues {
            targets.push(Attach::Queue(q.name.clone()));
        }
        for st in &self.s.topology.streams {
            targets.push(Attach::Stream {
                stream: st.name.clone(),
                auto_offset_reset: Default::default(),
            });
        }
        let Some(attach) = self.p.one(&targets).cloned() else {
            return;
        };
        let name = self.fresh_name();
        let t = self.at(0);
        let processing = ProcessingSpec::Fixed(self.p.range(0, 150));
        let ack = if self.p.chance(70) {
            AckSpec::AfterProcessing
        } else {
            AckSpec::Every(2)
        };
        let prefetch = self.p.range32(1, 4);
        let spec = ConsumerSpec {
            name: name.clone(),
            attach,
            processing,
            ack,
            prefetch,
            start_ms: t,
            crashes: Vec::new(),
            nack: None,
            instance_id: None,
        };
        let known = self.known_of(&spec, t);
        self.known.push(known);
        self.push(t, Action::AddConsumer(spec));
    }

    fn leave(&mut self) {
        // Filtering by kind leaves the draw as it was for scenarios without share members.
        const ALL: [Reads; 5] = [
            Reads::Queue,
            Reads::Subscription,
            Reads::Stream,
            Reads::Group,
            Reads::Share,
        ];
        if let Some((name, from, _)) = self.consumer(&ALL) {
            let t = self.at(from);
            self.push(t, Action::RemoveConsumer { consumer: name });
        }
    }

    fn seek(&mut self) {
        let Some((name, from, partitions)) = self.consumer(&[Reads::Stream, Reads::Group]) else {
            return;
        };
        let t = self.at(from);
        let partition = self
            .p
            .chance(50)
            .then(|| self.p.range32(0, partitions.saturating_sub(1)));
        let to = match self.p.range(0, 3) {
            0 => SeekSpec::Beginning,
            1 => SeekSpec::End,
            2 => SeekSpec::Offset(self.p.range(0, 20)),
            _ => SeekSpec::TimestampMs(self.p.range(0, t)),
        };
        self.push(
            t,
            Action::Seek {
                consumer: name,
                partition,
                to,
            },
        );
    }

    fn commit(&mut self) {
        let Some((name, from, partitions)) =
            self.consumer(&[Reads::Queue, Reads::Stream, Reads::Group])
        else {
            return;
        };
        let queue = self
            .known
            .iter()
            .any(|k| k.name == name && k.reads == Reads::Queue);
        let t = self.at(from);
        let offsets = (!queue && self.p.chance(40)).then(|| {
            let partition = self.p.range32(0, partitions.saturating_sub(1));
            let offset = self.p.range(0, 30);
            alloc::vec![OffsetSpec { partition, offset }]
        });
        self.push(
            t,
            Action::Commit {
                consumer: name,
                offsets,
            },
        );
    }

    fn add_partitions(&mut self) {
        let streams: Vec<String> = self
            .s
            .topology
            .streams
            .iter()
            .map(|s| s.name.clone())
            .collect();
        let Some(stream) = self.p.one(&streams).cloned() else {
            return;
        };
        let t = self.at(0);
        let count = self.p.range32(1, 2);
        self.push(t, Action::AddPartitions { stream, count });
    }

    fn binding(&mut self) {
        let t = self.at(0);
        if self.p.chance(50) {
            if let Some(b) = self.p.one(&self.s.topology.bindings).cloned() {
                self.push(t, Action::Unbind(b.clone()));
                if self.p.chance(50) {
                    let back = self.at(t);
                    self.push(back, Action::Bind(b));
                }
            }
            return;
        }
        let exchanges: Vec<String> = self
            .s
            .topology
            .exchanges
            .iter()
            .map(|x| x.name.clone())
            .collect();
        let queues: Vec<String> = self
            .s
            .topology
            .queues
            .iter()
            .map(|q| q.name.clone())
            .collect();
        let (Some(exchange), Some(queue)) = (
            self.p.one(&exchanges).cloned(),
            self.p.one(&queues).cloned(),
        ) else {
            return;
        };
        const KEYS: [&str; 6] = ["k1", "a.#", "*.b", "#", "", "a.b"];
        let key = self.p.one(&KEYS).copied().unwrap_or("").to_string();
        self.push(
            t,
            Action::Bind(BindingSpec {
                exchange,
                queue,
                key,
            }),
        );
    }

    fn rate(&mut self) {
        let names: Vec<String> = self.s.producers.iter().map(|p| p.name.clone()).collect();
        let Some(producer) = self.p.one(&names).cloned() else {
            return;
        };
        let t = self.at(0);
        let rate_per_sec = if self.p.chance(30) {
            0
        } else {
            self.p.range32(1, 60)
        };
        self.push(
            t,
            Action::SetRate {
                producer,
                rate_per_sec,
            },
        );
    }

    fn publish(&mut self) {
        let mut targets: Vec<TargetSpec> = Vec::new();
        for q in &self.s.topology.queues {
            targets.push(TargetSpec::Queue(q.name.clone()));
        }
        for x in &self.s.topology.exchanges {
            targets.push(TargetSpec::Exchange {
                exchange: x.name.clone(),
                routing_key: String::from("{key}"),
            });
        }
        for st in &self.s.topology.streams {
            targets.push(TargetSpec::Stream(st.name.clone()));
        }
        let Some(target) = self.p.one(&targets).cloned() else {
            return;
        };
        let t = self.at(0);
        const KEYS: [&str; 5] = ["k0", "a.b", "b.b", "k2", "a"];
        let key = self
            .p
            .chance(70)
            .then(|| self.p.one(&KEYS).copied().unwrap_or("k0").to_string());
        // A compacted stream takes keyed records only (no draw: other scenarios run as before).
        let compacted = matches!(&target, TargetSpec::Stream(name) if self.s.topology.streams.iter()
            .any(|st| st.name == *name && st.cleanup == crate::sim::CleanupSpec::Compact));
        let key = if compacted {
            key.or_else(|| Some(String::from("k0")))
        } else {
            key
        };
        let headers = if !matches!(target, TargetSpec::Stream(_)) && self.p.chance(30) {
            alloc::vec![(String::from("fault"), String::from("yes"))]
        } else {
            Vec::new()
        };
        let count = self.p.range32(1, 10);
        self.push(
            t,
            Action::Publish {
                target,
                key,
                payload: String::from("fault {n}"),
                count,
                headers,
            },
        );
    }
}

#[cfg(all(test, feature = "serde"))]
mod tests {
    use super::*;
    use crate::sim::ready;

    #[test]
    fn faults_keep_every_ready_made_scenario_valid() {
        for (id, _, _) in ready::all() {
            let s = ready::load(id).expect("a ready-made scenario");
            for seed in 0..40 {
                let mut rng = Rng::new(seed);
                let out = add_faults(&s, &mut rng, &FaultProfile::default());
                if let Err(e) = out.validate() {
                    panic!("{} with seed {seed}: {e}", s.title);
                }
                assert!(out.script.len() >= s.script.len());
            }
        }
    }
}
