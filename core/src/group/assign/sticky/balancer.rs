//! Kafka's `GeneralAssignmentBuilder.balance`: moves partitions from more to less loaded
//! members (or back to an owner of an older generation) until the assignment is balanced,
//! following Kafka's `PartitionMovements` so that no stream's partitions move both ways
//! between two members.

use alloc::collections::BTreeMap;
use alloc::vec;
use alloc::vec::Vec;

use crate::sort::by_insertion;
use crate::vec_map::VecSet;

use super::java_hash_set::JavaHashSet;
use super::{AssignInput, Model, NONE};

/// Kafka's `GeneralAssignmentBuilder.balance` state: `performReassignments` moves partitions
/// from a member to a less loaded one (or back to the previous owner of an older generation)
/// until `isBalanced`, following `PartitionMovements` so that partitions of a stream do not
/// move both ways between two members.
pub(super) struct Balancer<'m, 'a> {
    model: &'m Model<'a>,
    pub(super) owner: Vec<u32>,
    pub(super) counts: Vec<u32>,
    /// Members taking part, as Kafka's `sortedCurrentSubscriptions`: by (count, id).
    sorted: VecSet<(u32, u32)>,
    /// Whether each member takes part (Kafka removes the others as `fixedAssignments`).
    participates: Vec<bool>,
    /// The partitions each member could own at most (Kafka's `getMaxAssignmentSize`).
    max_size: Vec<u32>,
    /// Kafka's `prevAssignment`: the claim of the highest generation below the newest one.
    previous: Vec<Option<(u32, i32)>>,
    /// Kafka's `PartitionMovements.partitionMovements`: partition -> (source, destination).
    movements: BTreeMap<usize, (u32, u32)>,
    /// Kafka's `partitionMovementsByTopic`: (stream, source, destination) -> partitions.
    by_stream: BTreeMap<(u32, u32, u32), JavaHashSet>,
    /// Insertion counter for [`JavaHashSet`].
    sequence: u64,
}

impl<'m, 'a> Balancer<'m, 'a> {
    pub(super) fn new(
        model: &'m Model<'a>,
        input: &AssignInput,
        order: &[u32],
        owner: Vec<u32>,
        counts: Vec<u32>,
    ) -> Self {
        let member_count = model.members.len();
        let max_size: Vec<u32> = model
            .subscriptions
            .iter()
            .map(|subs| subs.iter().map(|&s| model.range_of(s).len() as u32).sum())
            .collect();
        // Kafka's canConsumerParticipateInReassignment.
        let mut participates: Vec<bool> =
            (0..member_count).map(|m| counts[m] < max_size[m]).collect();
        for (g, &m) in owner.iter().enumerate() {
            if m != NONE && model.subscribers[model.stream_of(g) as usize].len() >= 2 {
                participates[m as usize] = true;
            }
        }
        let sorted = by_insertion(
            (0..member_count as u32)
                .filter(|&m| participates[m as usize])
                .map(|m| (counts[m as usize], m)),
        );

        // prepopulateCurrentAssignments: claims of members older than the newest generation.
        let generations: Vec<Option<i32>> = model
            .members
            .iter()
            .map(|id| input.generations.get(*id).copied())
            .collect();
        let max_generation = generations
            .iter()
            .flatten()
            .copied()
            .max()
            .unwrap_or(-1)
            .max(-1);
        let mut previous: Vec<Option<(u32, i32)>> = vec![None; model.total()];
        for &m in order {
            let generation = match generations[m as usize] {
                Some(g) if g < max_generation => g,
                None if max_generation > -1 => -1,
                _ => continue,
            };
            let Some(owned) = input.previous.get(model.members[m as usize]) else {
                continue;
            };
            for tp in owned {
                if let Some((_, g)) = model.global(tp) {
                    match previous[g] {
                        Some((_, known)) if known >= generation => {}
                        _ => previous[g] = Some((m, generation)),
                    }
                }
            }
        }
        Balancer {
            model,
            owner,
            counts,
            sorted,
            participates,
            max_size,
            previous,
            movements: BTreeMap::new(),
            by_stream: BTreeMap::new(),
            sequence: 0,
        }
    }

    /// The taking part members by (count, id).
    fn members(&self) -> core::slice::Iter<'_, (u32, u32)> {
        self.sorted.range((0, 0)..(u32::MAX, u32::MAX))
    }

    /// Kafka's `getBalanceScore`: the sum of count differences over all pairs of taking part
    /// members.
    pub(super) fn balance_score(&self) -> i64 {
        // Ascending counts c_0..c_{n-1}: each c_i is added i times and subtracted n-1-i times.
        let n = self.sorted.len() as i64;
        self.members()
            .enumerate()
            .map(|(i, &(c, _))| i64::from(c) * (2 * i as i64 + 1 - n))
            .sum()
    }

    /// Kafka's `isBalanced`: counts differ by at most one, or no member could take a partition
    /// of its streams from a member with at least two more.
    fn is_balanced(&self) -> bool {
        let (Some(&(min, _)), Some(&(max, _))) = (self.sorted.first(), self.members().next_back())
        else {
            return true;
        };
        if min + 1 >= max {
            return true;
        }
        // The largest count among the owners of each stream's partitions.
        let top: Vec<u32> = (0..self.model.streams.len() as u32)
            .map(|s| {
                self.model
                    .range_of(s)
                    .map(|g| self.owner[g])
                    .filter(|&o| o != NONE)
                    .map(|o| self.counts[o as usize])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        self.members().all(|&(count, m)| {
            count == self.max_size[m as usize]
                || self.model.subscriptions[m as usize]
                    .iter()
                    .all(|&s| count + 1 >= top[s as usize])
        })
    }

    /// Kafka's `performReassignments` over `partitions`; whether anything moved.
    pub(super) fn perform_reassignments(&mut self, partitions: &[usize]) -> bool {
        let mut performed = false;
        loop {
            let mut modified = false;
            for &g in partitions {
                if self.is_balanced() {
                    break;
                }
                let current = self.owner[g];
                let s = self.model.stream_of(g);
                if let Some((previous, _)) = self.previous[g] {
                    // Back to the owner of an older generation when that balances better (a
                    // previous owner that no longer subscribes or takes part is skipped, where
                    // Kafka would fail).
                    if previous != current
                        && self.participates[previous as usize]
                        && self.model.subscribes(previous, s)
                        && self.counts[current as usize] > self.counts[previous as usize] + 1
                    {
                        self.reassign(g, previous);
                        performed = true;
                        modified = true;
                        continue;
                    }
                }
                let count = self.counts[current as usize];
                let better = self.model.subscribers[s as usize]
                    .iter()
                    .any(|&o| count > self.counts[o as usize] + 1);
                if better {
                    let to = self
                        .members()
                        .map(|&(_, m)| m)
                        .find(|&m| self.model.subscribes(m, s))
                        .expect("a less loaded subscriber");
                    self.reassign(g, to);
                    performed = true;
                    modified = true;
                }
            }
            if !modified {
                return performed;
            }
        }
    }

    /// Kafka's `reassignPartition(partition, newConsumer)`: moves `g`, or the partition of the
    /// same stream that moved the opposite way before, to `to`.
    fn reassign(&mut self, g: usize, to: u32) {
        let s = self.model.stream_of(g);
        let mut from = self.owner[g];
        let moving = if self
            .by_stream
            .range((s, 0, 0)..=(s, u32::MAX, u32::MAX))
            .next()
            .is_none()
        {
            g
        } else {
            if let Some(&(source, _)) = self.movements.get(&g) {
                from = source;
            }
            match self.by_stream.get(&(s, to, from)) {
                Some(set) => set.first(self.model),
                None => g,
            }
        };
        self.process_movement(moving, to);
    }

    /// Kafka's `processPartitionMovement`.
    fn process_movement(&mut self, g: usize, to: u32) {
        let from = self.owner[g];
        self.sorted.remove(&(self.counts[from as usize], from));
        self.sorted.remove(&(self.counts[to as usize], to));
        let s = self.model.stream_of(g);
        match self.movements.remove(&g) {
            Some((source, destination)) => {
                let key = (s, source, destination);
                if let Some(set) = self.by_stream.get_mut(&key) {
                    set.remove(g);
                    if set.is_empty() {
                        self.by_stream.remove(&key);
                    }
                }
                if source != to {
                    self.record(g, s, source, to);
                }
            }
            None => self.record(g, s, from, to),
        }
        self.owner[g] = to;
        self.counts[from as usize] -= 1;
        self.counts[to as usize] += 1;
        self.sorted.insert((self.counts[to as usize], to));
        self.sorted.insert((self.counts[from as usize], from));
    }

    fn record(&mut self, g: usize, s: u32, from: u32, to: u32) {
        self.movements.insert(g, (from, to));
        self.sequence += 1;
        let sequence = self.sequence;
        self.by_stream
            .entry((s, from, to))
            .or_default()
            .insert(g, sequence);
    }
}
