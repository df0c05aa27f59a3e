//! Kafka's `UniformHeterogeneousAssignmentBuilder`: the [`uniform`](super::uniform) assignor
//! when members subscribe to different streams. The steps are described there; this file
//! follows Kafka's code step by step, including its `MemberAssignmentBalancer`, which reads
//! the members' loads as they change.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use core::cmp::Reverse;

use super::super::{Model, NONE};
use super::uniform::Current;

/// Kafka's `MAX_ITERATION_COUNT`: rounds of the final balancing over all streams.
const MAX_ROUNDS: usize = 16;

/// The owner of every global partition index, from the cleaned current assignment.
pub(super) fn assign(model: &Model<'_>, current: Current) -> Vec<u32> {
    let mut state = State {
        model,
        owner: current.owner,
        sizes: current.owned.iter().map(|o| o.len() as i64).collect(),
        balancer: Balancer::default(),
    };
    let subscribed: Vec<u32> = (0..model.streams.len() as u32)
        .filter(|&s| !model.subscribers[s as usize].is_empty())
        .collect();
    // Kafka's assignRemainingPartitions.
    let with_free: Vec<u32> = subscribed
        .iter()
        .copied()
        .filter(|&s| model.range_of(s).any(|g| state.owner[g] == NONE))
        .collect();
    for s in state.sorted_topics(with_free) {
        state
            .balancer
            .initialize(&model.subscribers[s as usize], &state.sizes);
        for g in model.range_of(s) {
            if state.owner[g] == NONE {
                let m = state.balancer.next_least_loaded(&state.sizes);
                state.assign(g, m);
            }
        }
    }
    // Kafka's balance: only streams with two subscribers or more can move.
    let contested: Vec<u32> = subscribed
        .into_iter()
        .filter(|&s| model.subscribers[s as usize].len() >= 2)
        .collect();
    if !contested.is_empty() {
        state.balance_topics(contested);
    }
    state.owner
}

struct State<'m, 'a> {
    model: &'m Model<'a>,
    /// The owner of each global partition index, or [`NONE`].
    owner: Vec<u32>,
    /// The number of partitions of each member (Kafka's `memberTargetAssignmentSizes`).
    sizes: Vec<i64>,
    balancer: Balancer,
}

impl State<'_, '_> {
    fn subscribers(&self, s: u32) -> &[u32] {
        &self.model.subscribers[s as usize]
    }

    /// Kafka's `topicComparator`: partitions per subscriber descending (compared as Java
    /// doubles), then subscriber count ascending, then topic id (here: name) ascending.
    fn sorted_topics(&self, topics: Vec<u32>) -> Vec<u32> {
        let mut keyed: Vec<(Reverse<u64>, usize, u32)> = topics
            .into_iter()
            .map(|s| {
                let partitions = self.model.range_of(s).len();
                let subscribers = self.subscribers(s).len();
                // Non-negative doubles order as their bit patterns.
                let per_subscriber = (partitions as f64 / subscribers as f64).to_bits();
                (Reverse(per_subscriber), subscribers, s)
            })
            .collect();
        crate::sort::sort(&mut keyed);
        keyed.into_iter().map(|(_, _, s)| s).collect()
    }

    /// Kafka's `assignPartition`: moves partition `g` to member `m`.
    fn assign(&mut self, g: usize, m: u32) {
        let old = self.owner[g];
        if old != NONE {
            self.sizes[old as usize] -= 1;
        }
        self.owner[g] = m;
        self.sizes[m as usize] += 1;
    }

    /// Kafka's `balanceTopics`: rounds over the streams until one full round moves nothing.
    fn balance_topics(&mut self, topics: Vec<u32>) {
        let topics = self.sorted_topics(topics);
        let mut last_moved: Option<usize> = None;
        for _ in 0..MAX_ROUNDS {
            for (i, &s) in topics.iter().enumerate() {
                if last_moved == Some(i) {
                    return;
                }
                if self.balance_topic(s) > 0 || last_moved.is_none() {
                    last_moved = Some(i);
                }
            }
        }
    }

    /// Kafka's `balanceTopic`: moves partitions of stream `s` from its most to its least
    /// loaded subscribers while that improves the balance. Returns how many moved.
    fn balance_topic(&mut self, s: u32) -> usize {
        let model = self.model;
        let imbalance = self
            .balancer
            .initialize(&model.subscribers[s as usize], &self.sizes);
        if imbalance <= 1 {
            return 0;
        }
        // The stream's partitions grouped by owner (ascending, unowned first), and each
        // owner's range in that list.
        let owner_key = |g: usize| match self.owner[g] {
            NONE => -1,
            m => i64::from(m),
        };
        let mut partitions: Vec<(i64, usize)> =
            model.range_of(s).map(|g| (owner_key(g), g)).collect();
        crate::sort::sort(&mut partitions);
        let mut ranges: BTreeMap<i64, (usize, usize)> = BTreeMap::new();
        for (i, &(owner, _)) in partitions.iter().enumerate() {
            ranges.entry(owner).or_insert((i, i)).1 = i + 1;
        }
        let mut moved = 0;
        while !self.balancer.is_balanced() {
            // The most loaded subscriber that still has a partition of this stream to give.
            let most = loop {
                let Some(m) = self.balancer.next_most_loaded(&self.sizes) else {
                    break None;
                };
                match ranges.get(&i64::from(m)) {
                    Some(&(start, end)) if end > start => break Some(m),
                    _ => self.balancer.exclude_most_loaded(),
                }
            };
            let Some(most) = most else {
                break;
            };
            let range = ranges.get_mut(&i64::from(most)).expect("checked above");
            range.1 -= 1;
            let g = partitions[range.1].1;
            let least = self.balancer.next_least_loaded(&self.sizes);
            if self.balancer.is_balanced() {
                break;
            }
            self.assign(g, least);
            moved += 1;
        }
        moved
    }
}

/// Kafka's `MemberAssignmentBalancer`: the subscribers of one stream sorted by load, with a
/// least loaded range growing from the left (members to give partitions to) and a most loaded
/// range growing from the right (members to take partitions from). It reads the loads afresh
/// on every call, as Kafka's shares its array with the builder.
#[derive(Default)]
struct Balancer {
    sorted: Vec<u32>,
    /// `sorted[..least_end]` is the least loaded range.
    least_end: usize,
    /// The load of the least loaded range before it received partitions.
    least_count: i64,
    next_least: usize,
    /// `sorted[most_start..most_end]` is the most loaded range.
    most_start: usize,
    most_end: usize,
    /// The load of the most loaded range before it gave partitions up.
    most_count: i64,
    /// The next member of the most loaded range to take from, counting down; -1 when done.
    next_most: isize,
}

impl Balancer {
    /// Kafka's `initialize`: resets for `members` (not empty) and returns the difference
    /// between the largest and the smallest load.
    fn initialize(&mut self, members: &[u32], sizes: &[i64]) -> i64 {
        let mut keyed: Vec<(i64, u32)> = members.iter().map(|&m| (sizes[m as usize], m)).collect();
        crate::sort::sort(&mut keyed);
        self.sorted.clear();
        self.sorted.extend(keyed.iter().map(|&(_, m)| m));
        let n = self.sorted.len();
        let (smallest, largest) = (keyed[0].0, keyed[n - 1].0);
        self.least_end = 0;
        self.least_count = smallest - 1;
        self.next_least = 0;
        self.most_start = n;
        self.most_end = n;
        self.most_count = largest + 1;
        self.next_most = n as isize - 1;
        largest - smallest
    }

    fn load(&self, sizes: &[i64], i: usize) -> i64 {
        sizes[self.sorted[i] as usize]
    }

    /// Kafka's `nextLeastLoadedMember`: the member to give the next partition to.
    fn next_least_loaded(&mut self, sizes: &[i64]) -> u32 {
        if self.next_least >= self.least_end {
            // The range has had one partition each: raise its level and widen it.
            self.least_count += 1;
            while self.least_end < self.sorted.len()
                && self.load(sizes, self.least_end) == self.least_count
            {
                self.least_end += 1;
            }
            self.next_least = 0;
        }
        let m = self.sorted[self.next_least];
        self.next_least += 1;
        m
    }

    /// Kafka's `nextMostLoadedMember`: the member to take the next partition from, if any.
    fn next_most_loaded(&mut self, sizes: &[i64]) -> Option<u32> {
        if self.next_most < self.most_start as isize {
            if self.most_end <= self.most_start && self.most_start > 0 {
                // Emptied by exclusions: restart from the next member's load.
                self.most_count = self.load(sizes, self.most_start - 1);
            } else {
                self.most_count -= 1;
            }
            while self.most_start > 0 && self.load(sizes, self.most_start - 1) == self.most_count {
                self.most_start -= 1;
            }
            self.next_most = self.most_end as isize - 1;
        }
        if self.next_most < 0 {
            return None;
        }
        let m = self.sorted[self.next_most as usize];
        self.next_most -= 1;
        Some(m)
    }

    /// Kafka's `excludeMostLoadedMember`: drops the member just returned by
    /// [`next_most_loaded`](Self::next_most_loaded), which has nothing to give.
    fn exclude_most_loaded(&mut self) {
        let i = (self.next_most + 1) as usize;
        self.sorted.swap(i, self.most_end - 1);
        self.most_end -= 1;
    }

    /// Kafka's `isBalanced`: the two ranges' loads differ by one or less.
    fn is_balanced(&self) -> bool {
        self.most_count - self.least_count <= 1
    }
}
