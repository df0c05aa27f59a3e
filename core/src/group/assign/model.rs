//! The assignors' shared working form of an [`AssignInput`]: members and streams as dense
//! indices ([`Model`]), Kafka's `MemberInfo` member order ([`Ranked`]) and the Java hash
//! functions that decide Kafka's `HashMap` iteration order ([`java_string_hash`],
//! [`Model::java_hash_order`]).

use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

use super::{AssignInput, Assignment, MemberId, Partition, TopicPartition};

/// Java's `String.hashCode`: `s[0]*31^(n-1) + … + s[n-1]` over UTF-16 code units, wrapping.
pub(crate) fn java_string_hash(s: &str) -> i32 {
    s.encode_utf16()
        .fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(i32::from(c)))
}

/// "No member" in the per-partition owner tables.
pub(crate) const NONE: u32 = u32::MAX;

/// The input with members and streams turned into dense indices: member `i` is the `i`-th
/// smallest id, stream `s` the `s`-th smallest name, and partition `p` of stream `s` has the
/// global index `offsets[s] + p`, so ascending global indices are (stream, partition) order.
pub(crate) struct Model<'a> {
    pub(crate) members: Vec<&'a MemberId>,
    pub(crate) streams: Vec<&'a str>,
    /// `offsets[s]..offsets[s + 1]` are the global indices of stream `s`.
    pub(crate) offsets: Vec<usize>,
    /// Per member: the known streams it subscribes to, sorted, without repeats.
    pub(crate) subscriptions: Vec<Vec<u32>>,
    /// Per stream: the members subscribed to it, sorted.
    pub(crate) subscribers: Vec<Vec<u32>>,
    /// Kafka's `MemberInfo` order when some member is static (see [`Model::ranked`]).
    ranked: Option<Ranked>,
}

/// Members in Kafka's `MemberInfo` order: static members first by instance id, then dynamic
/// members by member id.
pub(crate) struct Ranked {
    /// The member at each position.
    pub(crate) member_at: Vec<u32>,
    /// Per stream: the positions of its subscribers, ascending.
    pub(crate) subscribers: Vec<Vec<u32>>,
}

impl<'a> Model<'a> {
    pub(crate) fn new(input: &'a AssignInput) -> Self {
        let members: Vec<&MemberId> = input.subscriptions.keys().collect();
        let streams: Vec<&str> = input.partitions.keys().map(String::as_str).collect();
        let mut offsets = Vec::with_capacity(streams.len() + 1);
        let mut total = 0usize;
        offsets.push(0);
        for &count in input.partitions.values() {
            total += count as usize;
            offsets.push(total);
        }
        let mut subscribers = vec![Vec::new(); streams.len()];
        let subscriptions: Vec<Vec<u32>> = input
            .subscriptions
            .values()
            .enumerate()
            .map(|(m, names)| {
                let mut subs: Vec<u32> = names
                    .iter()
                    .filter_map(|name| streams.binary_search(&name.as_str()).ok())
                    .map(|s| s as u32)
                    .collect();
                crate::sort::sort(&mut subs);
                subs.dedup();
                for &s in &subs {
                    subscribers[s as usize].push(m as u32);
                }
                subs
            })
            .collect();
        let ranked = (!input.instance_ids.is_empty()).then(|| {
            // MemberInfo.compareTo: static before dynamic, instance ids then member ids as
            // strings (ties between equal instance ids by member id, Collections.sort being
            // stable over an input we cannot know).
            let mut member_at: Vec<u32> = (0..members.len() as u32).collect();
            crate::sort::sort_by_key(&mut member_at, |&m| {
                let instance = input.instance_ids.get(members[m as usize]);
                (instance.is_none(), instance, m)
            });
            let mut position = vec![0u32; members.len()];
            for (pos, &m) in member_at.iter().enumerate() {
                position[m as usize] = pos as u32;
            }
            let subscribers = subscribers
                .iter()
                .map(|subs| {
                    let mut positions: Vec<u32> =
                        subs.iter().map(|&m| position[m as usize]).collect();
                    crate::sort::sort(&mut positions);
                    positions
                })
                .collect();
            Ranked {
                member_at,
                subscribers,
            }
        });
        Model {
            members,
            streams,
            offsets,
            subscriptions,
            subscribers,
            ranked,
        }
    }

    /// Kafka's `MemberInfo` order, or `None` when every member is dynamic (the order is then
    /// the id order of the member indices themselves).
    pub(crate) fn ranked(&self) -> Option<&Ranked> {
        self.ranked.as_ref()
    }

    /// The members in the iteration order of a Java `HashMap<String, _>` keyed by member id
    /// and filled with `new HashMap<>()` and `put`, as Kafka's consumer leader builds the
    /// subscriptions its sticky assignors iterate: by bucket, `(h ^ (h >>> 16)) & (capacity -
    /// 1)` of Java's `String.hashCode` `h`, for the smallest power-of-two capacity (at least
    /// 16) whose 0.75 load factor holds every member. Members sharing a bucket are iterated in
    /// insertion (join) order in Java, which the assignor cannot see; here they follow id order.
    pub(crate) fn java_hash_order(&self) -> Vec<u32> {
        let n = self.members.len();
        let mut capacity = 16usize;
        while n > capacity / 4 * 3 {
            capacity *= 2;
        }
        let buckets: Vec<u32> = self
            .members
            .iter()
            .map(|id| {
                let h = java_string_hash(id.as_str()) as u32;
                (h ^ (h >> 16)) & (capacity as u32 - 1)
            })
            .collect();
        let mut order: Vec<u32> = (0..n as u32).collect();
        crate::sort::sort_by_key(&mut order, |&m| (buckets[m as usize], m));
        order
    }

    /// The number of partitions over all streams.
    pub(crate) fn total(&self) -> usize {
        self.offsets[self.offsets.len() - 1]
    }

    /// The index of a member, if it is one.
    pub(crate) fn member_index(&self, id: &MemberId) -> Option<u32> {
        self.members.binary_search(&id).ok().map(|m| m as u32)
    }

    /// The global index of a partition, if its stream exists and the number is in range.
    pub(crate) fn global(&self, tp: &TopicPartition) -> Option<(u32, usize)> {
        let s = self.streams.binary_search(&tp.stream.as_str()).ok()?;
        let g = self.offsets[s] + tp.partition.0 as usize;
        (g < self.offsets[s + 1]).then_some((s as u32, g))
    }

    /// The stream of global partition index `g`.
    pub(crate) fn stream_of(&self, g: usize) -> u32 {
        (self.offsets.partition_point(|&o| o <= g) - 1) as u32
    }

    /// The partitions of stream `s` as global indices.
    pub(crate) fn range_of(&self, s: u32) -> core::ops::Range<usize> {
        self.offsets[s as usize]..self.offsets[s as usize + 1]
    }

    /// The partition with global index `g`.
    pub(crate) fn topic_partition(&self, g: usize) -> TopicPartition {
        let s = self.offsets.partition_point(|&o| o <= g) - 1;
        TopicPartition {
            stream: self.streams[s].to_string(),
            partition: Partition((g - self.offsets[s]) as u32),
        }
    }

    /// Whether member `m` subscribes to stream `s`.
    pub(crate) fn subscribes(&self, m: u32, s: u32) -> bool {
        self.subscriptions[m as usize].binary_search(&s).is_ok()
    }

    /// The assignment where partition `g` is owned by `owner[g]` (or nobody if [`NONE`]).
    pub(crate) fn assignment_from_owners(&self, owner: &[u32]) -> Assignment {
        let mut owned = vec![Vec::new(); self.members.len()];
        for (g, &m) in owner.iter().enumerate() {
            if m != NONE {
                owned[m as usize].push(g);
            }
        }
        self.assignment(owned)
    }

    /// The assignment from each member's global indices, which must be ascending.
    pub(crate) fn assignment(&self, owned: Vec<Vec<usize>>) -> Assignment {
        let members =
            crate::sort::by_insertion(self.members.iter().zip(owned).map(|(&id, globals)| {
                debug_assert!(globals.windows(2).all(|w| w[0] < w[1]));
                let tps = globals
                    .into_iter()
                    .map(|g| self.topic_partition(g))
                    .collect();
                (id.clone(), tps)
            }));
        Assignment { members }
    }
}
