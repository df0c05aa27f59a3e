//! Rebalances as they happen: for every group, the last steps of its rebalances, each the
//! partitions that changed hands. A cooperative-sticky rebalance shows as two steps (the
//! owner revokes, the next generation assigns); an eager one as one. A static member back
//! within its session timeout shows as a step that is not a rebalance: the same generation,
//! nothing moved. Under the consumer protocol each member's heartbeat is its own step: what
//! it gave up, then what it gained in the group epoch.

use std::collections::{BTreeMap, VecDeque};

use brokerlab::sim::{SimEvent, SimEventKind, Simulation};
use brokerlab::{Event, StreamPartition};

/// Steps kept per group.
pub const STEPS_KEPT: usize = 6;

/// Which half of a rebalance a step is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// A member gave partitions up (cooperative first phase).
    Revoked,
    /// A new generation's assignment.
    Assigned,
    /// A static member came back within its session timeout and took its partitions back:
    /// no rebalance, the generation stays.
    Rejoined,
}

/// One partition changing hands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    /// `stream/partition`.
    pub partition: String,
    /// Its owner before (`None`: unowned).
    pub from: Option<String>,
    /// Its owner after (`None`: unowned, waiting for the next generation).
    pub to: Option<String>,
}

/// One step of a rebalance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RebalanceStep {
    /// Logical time in ms.
    pub at_ms: u64,
    /// The generation it belongs to.
    pub generation: u32,
    /// Revoked or assigned.
    pub phase: Phase,
    /// What changed hands (empty: the assignment stayed as it was).
    pub moves: Vec<Move>,
    /// The static member that rejoined (a [`Phase::Rejoined`] step).
    pub rejoined: Option<String>,
}

impl RebalanceStep {
    /// The step in words, e.g. `gen 3 assigned: orders/1 analytics-1 → analytics-2`.
    #[must_use]
    pub fn text(&self) -> String {
        let word = match self.phase {
            Phase::Revoked => "revoked",
            Phase::Assigned => "assigned",
            Phase::Rejoined => {
                let who = self.rejoined.as_deref().unwrap_or("?");
                return format!(
                    "gen {} kept: static member {who} rejoined within its session timeout, no rebalance",
                    self.generation
                );
            }
        };
        let dash = |o: &Option<String>| o.clone().unwrap_or_else(|| "\u{2013}".to_owned());
        let moves: Vec<String> = self
            .moves
            .iter()
            .map(|m| format!("{} {} \u{2192} {}", m.partition, dash(&m.from), dash(&m.to)))
            .collect();
        let what = if moves.is_empty() {
            "no partition moved".to_owned()
        } else {
            moves.join(", ")
        };
        format!("gen {} {word}: {what}", self.generation)
    }
}

/// Every group's owners now and its recent steps.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rebalances {
    groups: BTreeMap<String, GroupHistory>,
}

#[derive(Debug, Clone, Default, PartialEq)]
struct GroupHistory {
    owners: BTreeMap<String, String>,
    steps: VecDeque<RebalanceStep>,
}

impl Rebalances {
    /// A group's recent steps, newest first.
    pub fn steps(&self, group: &str) -> impl Iterator<Item = &RebalanceStep> {
        self.groups
            .get(group)
            .into_iter()
            .flat_map(|g| g.steps.iter().rev())
    }

    /// Records what `event` changed, if it is a rebalance.
    pub fn observe(&mut self, sim: &Simulation, event: &SimEvent) {
        let SimEventKind::Broker(e) = &event.kind else {
            return;
        };
        let b = sim.broker();
        let label = |p: &StreamPartition| {
            format!(
                "{}/{}",
                b.stream_name(p.stream).unwrap_or("?"),
                p.partition.0
            )
        };
        let member = |id| {
            b.stream_consumer_name(id)
                .or_else(|| sim.stream_consumer_name(id))
                .unwrap_or("?")
                .to_owned()
        };
        let mut rejoined = None;
        let (group, step) = match e {
            Event::PartitionsRevoked {
                group,
                generation,
                member: m,
                partitions,
            } => {
                let name = b.group_name(*group).unwrap_or("?").to_owned();
                let history = self.groups.entry(name.clone()).or_default();
                let who = member(*m);
                let moves = partitions
                    .iter()
                    .map(|p| {
                        let partition = label(p);
                        history.owners.remove(&partition);
                        Move {
                            partition,
                            from: Some(who.clone()),
                            to: None,
                        }
                    })
                    .collect();
                (name, (*generation, Phase::Revoked, moves))
            }
            Event::Rebalanced {
                group,
                generation,
                assignment,
            } => {
                let name = b.group_name(*group).unwrap_or("?").to_owned();
                let history = self.groups.entry(name.clone()).or_default();
                let mut owners = BTreeMap::new();
                for a in assignment {
                    for p in &a.partitions {
                        owners.insert(label(p), member(a.member));
                    }
                }
                let mut moves: Vec<Move> = owners
                    .iter()
                    .filter(|(p, m)| history.owners.get(*p) != Some(*m))
                    .map(|(p, m)| Move {
                        partition: p.clone(),
                        from: history.owners.get(p).cloned(),
                        to: Some(m.clone()),
                    })
                    .collect();
                moves.extend(
                    history
                        .owners
                        .iter()
                        .filter(|(p, _)| !owners.contains_key(*p))
                        .map(|(p, m)| Move {
                            partition: p.clone(),
                            from: Some(m.clone()),
                            to: None,
                        }),
                );
                history.owners = owners;
                (name, (*generation, Phase::Assigned, moves))
            }
            Event::MemberAssigned {
                group,
                member: m,
                epoch,
                partitions,
                ..
            } => {
                // Consumer protocol: one member's partitions after its heartbeat; only what it
                // gained is a move (what it gave up was a revoked step).
                let name = b.group_name(*group).unwrap_or("?").to_owned();
                let history = self.groups.entry(name.clone()).or_default();
                let who = member(*m);
                let mut moves = Vec::new();
                for partition in partitions.iter().map(label) {
                    if history.owners.get(&partition) == Some(&who) {
                        continue;
                    }
                    let from = history.owners.insert(partition.clone(), who.clone());
                    moves.push(Move {
                        partition,
                        from,
                        to: Some(who.clone()),
                    });
                }
                if moves.is_empty() {
                    return;
                }
                (name, (*epoch, Phase::Assigned, moves))
            }
            Event::StaticMemberRejoined {
                group,
                member: m,
                generation,
                ..
            } => {
                let name = b.group_name(*group).unwrap_or("?").to_owned();
                rejoined = Some(member(*m));
                (name, (*generation, Phase::Rejoined, Vec::new()))
            }
            _ => return,
        };
        let history = self.groups.entry(group).or_default();
        if history.steps.len() == STEPS_KEPT {
            history.steps.pop_front();
        }
        let (generation, phase, moves) = step;
        history.steps.push_back(RebalanceStep {
            at_ms: event.at.as_millis(),
            generation,
            phase,
            moves,
            rejoined,
        });
    }
}
