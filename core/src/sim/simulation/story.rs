//! Why a message went where it went: every event the engine reported about it, kept per
//! message ([`Simulation::keep_stories`]) in bounded memory, and what its record is now.
//!
//! A story is built from the broker's own events, never from a second model of the rules:
//! those that name the message (published, routed with the binding that matched, enqueued,
//! delivered, nacked, requeued, expired, dead-lettered, dropped, buffered, received, lagged,
//! appended), and for a stream record the polls whose range covered its offset and the
//! retention that removed it. Before a group member's first poll of a record, the story also
//! gets the assignment that gave the member its partition then (the group's `Rebalanced`, or
//! the member's `MemberAssigned` under the consumer protocol), so who owned the partition,
//! in which generation, is told by the engine's own events. When more messages than the
//! limit have a story, the oldest story is forgotten ([`Simulation::stories_forgotten`] counts them).

use alloc::collections::{BTreeMap, VecDeque};
use alloc::string::String;
use alloc::vec::Vec;

use super::Simulation;
use super::events::{SimEvent, SimEventKind};
use crate::event::Event;
use crate::ids::{MessageId, Offset, StreamConsumerId};
use crate::storage::Storage;
use crate::stream::StreamPartition;

/// The most events one story keeps (the first ones: a message's story is mostly at its
/// start; later reads of a replayed record beyond this are left out and counted).
pub const STORY_EVENTS: usize = 64;

/// The stories of the most recent messages.
#[derive(Debug, Clone, Default)]
pub(super) struct Stories {
    limit: usize,
    order: VecDeque<MessageId>,
    by_message: BTreeMap<MessageId, Story>,
    /// Where each stream record is, to find the message behind a poll's offsets.
    records: BTreeMap<StreamPartition, BTreeMap<Offset, MessageId>>,
    /// The latest assignment event of each group (`Rebalanced`: a generation's whole
    /// assignment) and of each member (`MemberAssigned`, consumer protocol): at most one
    /// per group and one per member of a group.
    owners: Vec<SimEvent>,
    forgotten: u64,
}

/// One message's story ([`Simulation::story`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Story {
    /// The message.
    pub message: MessageId,
    /// Its events, in order.
    pub events: Vec<SimEvent>,
    /// Events left out past [`STORY_EVENTS`].
    pub left_out: u64,
    /// For a stream record: its partition and offset.
    pub record: Option<(StreamPartition, Offset)>,
    /// For a stream record: the groups whose committed offset is past it, now.
    pub committed_by: Vec<String>,
    /// For a stream record: it is still readable now (not removed by retention or
    /// compaction).
    pub readable: bool,
    /// Who published it: the producer's name, or `None` for a publish by hand or a script.
    pub producer: Option<String>,
    /// The routing key it was published with, for a message sent to an exchange.
    pub routing_key: Option<String>,
}

impl Stories {
    pub(super) fn new(limit: usize) -> Self {
        Stories {
            limit: limit.max(1),
            ..Stories::default()
        }
    }

    fn story_mut(&mut self, m: MessageId) -> &mut Story {
        if !self.by_message.contains_key(&m) {
            if self.order.len() >= self.limit
                && let Some(old) = self.order.pop_front()
                && let Some(story) = self.by_message.remove(&old)
            {
                self.forgotten += 1;
                if let Some((p, o)) = story.record
                    && let Some(offsets) = self.records.get_mut(&p)
                {
                    offsets.remove(&o);
                }
            }
            self.order.push_back(m);
            self.by_message.insert(
                m,
                Story {
                    message: m,
                    events: Vec::new(),
                    left_out: 0,
                    record: None,
                    committed_by: Vec::new(),
                    readable: false,
                    producer: None,
                    routing_key: None,
                },
            );
        }
        self.by_message.get_mut(&m).expect("just inserted")
    }

    fn push(story: &mut Story, e: &SimEvent) {
        if story.events.len() < STORY_EVENTS {
            story.events.push(e.clone());
        } else {
            story.left_out += 1;
        }
    }

    /// Notes who published `message` and with which routing key.
    pub(super) fn published(
        &mut self,
        message: MessageId,
        producer: Option<String>,
        routing_key: Option<String>,
    ) {
        let story = self.story_mut(message);
        story.producer = producer;
        story.routing_key = routing_key;
    }

    /// Files `e` under the messages it is about.
    pub(super) fn observe(&mut self, e: &SimEvent) {
        let SimEventKind::Broker(b) = &e.kind else {
            return;
        };
        if let Some(m) = b.message() {
            let story = self.story_mut(m);
            Self::push(story, e);
            if let Event::Appended {
                partition, offset, ..
            } = b
            {
                story.record = Some((*partition, *offset));
                self.records
                    .entry(*partition)
                    .or_default()
                    .insert(*offset, m);
            }
            return;
        }
        match b {
            Event::Polled {
                consumer,
                partition,
                first,
                count,
                ..
            } => {
                let Some(offsets) = self.records.get(partition) else {
                    return;
                };
                let end = Offset(first.0.saturating_add(*count));
                let covered: Vec<MessageId> = offsets.range(*first..end).map(|(_, m)| *m).collect();
                if covered.is_empty() {
                    return;
                }
                let owned_by = self
                    .ownership(*consumer, *partition)
                    .and_then(|i| self.owners.get(i));
                for m in covered {
                    if let Some(story) = self.by_message.get_mut(&m) {
                        if let Some(o) = owned_by
                            && !story.events.iter().any(|e| same_assignment(e, o))
                        {
                            Self::push(story, o);
                        }
                        Self::push(story, e);
                    }
                }
            }
            Event::RetentionApplied {
                partition, start, ..
            } => {
                let Some(offsets) = self.records.get_mut(partition) else {
                    return;
                };
                let gone: Vec<Offset> = offsets.range(..*start).map(|(o, _)| *o).collect();
                for o in gone {
                    if let Some(m) = offsets.remove(&o)
                        && let Some(story) = self.by_message.get_mut(&m)
                    {
                        Self::push(story, e);
                    }
                }
            }
            Event::Rebalanced { .. } | Event::MemberAssigned { .. } | Event::MemberLeft { .. } => {
                self.assignment(e);
            }
            _ => {}
        }
    }
}

/// Whether `a` and `b` are the same assignment event (a group's generation, or a member's
/// epoch): compared by their ids, not field by field.
fn same_assignment(a: &SimEvent, b: &SimEvent) -> bool {
    match (a.broker(), b.broker()) {
        (
            Some(Event::Rebalanced {
                group, generation, ..
            }),
            Some(Event::Rebalanced {
                group: g,
                generation: n,
                ..
            }),
        ) => group == g && generation == n,
        (
            Some(Event::MemberAssigned { member, epoch, .. }),
            Some(Event::MemberAssigned {
                member: m,
                epoch: n,
                ..
            }),
        ) => member == m && epoch == n,
        _ => false,
    }
}

impl Stories {
    /// Keeps assignment event `e` in place of the one it replaces (the same group's previous
    /// generation, or the same member's previous `MemberAssigned`); a member that left keeps
    /// none.
    #[inline(never)]
    fn assignment(&mut self, e: &SimEvent) {
        let replaces = |old: &SimEvent| match (e.broker(), old.broker()) {
            (Some(Event::Rebalanced { group, .. }), Some(Event::Rebalanced { group: g, .. })) => {
                group == g
            }
            (
                Some(Event::MemberAssigned { member, .. } | Event::MemberLeft { member, .. }),
                Some(Event::MemberAssigned { member: m, .. }),
            ) => member == m,
            _ => false,
        };
        self.owners.retain(|old| !replaces(old));
        if !matches!(e.broker(), Some(Event::MemberLeft { .. })) {
            self.owners.push(e.clone());
        }
    }

    /// The latest assignment event that gave `member` the partition `partition`: its own
    /// `MemberAssigned`, else its group's `Rebalanced` (`None`: a standalone reader).
    fn ownership(&self, member: StreamConsumerId, partition: StreamPartition) -> Option<usize> {
        // A member's own assignment (consumer protocol) is newer than any generation's.
        let holds = |e: &&SimEvent| match e.broker() {
            Some(Event::MemberAssigned {
                member: m,
                partitions,
                ..
            }) => *m == member && partitions.contains(&partition),
            Some(Event::Rebalanced { assignment, .. }) => assignment
                .iter()
                .any(|a| a.member == member && a.partitions.contains(&partition)),
            _ => false,
        };
        self.owners.iter().rposition(|e| holds(&e))
    }
}

impl<S: Storage> Simulation<S> {
    /// Keeps the story of the `limit` most recent messages from now on (see [`Story`]):
    /// every event about each, in order. Needs the trace ([`SimOptions::trace`](super::SimOptions)).
    ///
    /// ```
    /// use brokerlab::sim::{ready, Simulation};
    /// use brokerlab::{Event, Instant};
    ///
    /// let mut sim = Simulation::new(&ready::load("a").unwrap()).unwrap();
    /// sim.keep_stories(1_000);
    /// sim.run_until(Instant::from_millis(6_000));
    /// // Scenario A: worker-2 crashed holding a job, which went to worker-1.
    /// let redelivered = sim
    ///     .story_ids()
    ///     .filter_map(|m| sim.story(m))
    ///     .find(|s| s.events.iter().any(|e| e.broker().is_some_and(|b| matches!(b, Event::Requeued { .. }))))
    ///     .expect("a requeued job");
    /// let delivered = redelivered
    ///     .events
    ///     .iter()
    ///     .filter(|e| matches!(e.broker(), Some(Event::Delivered { .. })))
    ///     .count();
    /// assert!(delivered >= 2, "delivered, requeued, delivered again");
    /// ```
    pub fn keep_stories(&mut self, limit: usize) {
        self.stories = Some(Stories::new(limit));
    }

    /// The story of `message`, if it is still kept.
    #[must_use]
    pub fn story(&self, message: MessageId) -> Option<Story> {
        let mut story = self.stories.as_ref()?.by_message.get(&message)?.clone();
        if let Some((p, o)) = story.record {
            let b = &self.broker;
            story.readable = b.stream_record(p, o).is_some();
            story.committed_by = self
                .groups
                .iter()
                .filter(|g| {
                    g.id.and_then(|id| b.committed(id, p))
                        .is_some_and(|c| c > o)
                })
                .map(|g| g.name.clone())
                .collect();
        }
        Some(story)
    }

    /// Notes who published `message` and its routing key, when stories are kept.
    pub(super) fn story_published(
        &mut self,
        message: MessageId,
        producer: Option<&str>,
        routing_key: Option<String>,
    ) {
        if let Some(s) = &mut self.stories {
            s.published(message, producer.map(String::from), routing_key);
        }
    }

    /// The events of `message`'s story, if it is kept (without the copy [`story`](Self::story)
    /// makes).
    pub(crate) fn story_events(&self, message: MessageId) -> Option<&[SimEvent]> {
        Some(&self.stories.as_ref()?.by_message.get(&message)?.events)
    }

    /// The messages whose story is kept, oldest first.
    pub fn story_ids(&self) -> impl Iterator<Item = MessageId> + '_ {
        self.stories.iter().flat_map(|s| s.order.iter().copied())
    }

    /// How many stories were forgotten to stay within the limit.
    #[must_use]
    pub fn stories_forgotten(&self) -> u64 {
        self.stories.as_ref().map_or(0, |s| s.forgotten)
    }
}
