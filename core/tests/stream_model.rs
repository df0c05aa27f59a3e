//! Property tests of streams and consumer groups over random command sequences, checked
//! against a reference model the test builds from what it did, never from the broker's
//! storage or state (issue 4's list):
//! - no command panics the broker, and every command's result is the one the model predicts
//!   (every produce succeeds; a join succeeds unless the member is in the group; leave,
//!   heartbeat and commit succeed exactly for members; a commit commits the member's
//!   positions; a seek within the log succeeds);
//! - offsets are dense and increasing per partition; a keyed record goes to Kafka's partition
//!   for its key; retention keeps the last 12 records of each partition;
//! - every record polled is the one the test produced at that offset: same message id,
//!   payload, key and timestamp (replay reads identical records);
//! - a poll reads, per partition, consecutive offsets from the consumer's position (reset to
//!   the log start or end as its `auto_offset_reset` says when it fell out of the log), and
//!   reads as many records as it may: `min(max, records after the positions)` — a broker
//!   that reads nothing, or too little, fails; `redelivered` is set exactly below the furthest
//!   offset read before (by this consumer, or by any member of its group);
//! - a partition newly assigned to a member starts at the group's committed offset (or the
//!   log start), a partition it keeps keeps its position; a member silent for its session
//!   timeout is evicted, and only then;
//! - in every generation each partition has at most one owner and, once a rebalance completes
//!   while the group has members, exactly one;
//! - groups never affect each other: a group sees the same thing whether or not another group
//!   runs beside it;
//! - committed offsets only move forward unless a seek moved the position back;
//! - the events are exactly those the commands imply (appends, retention, resets, polls,
//!   seeks, commits, joins, leaves, added partitions), plus the rebalances; any other event
//!   fails the test.
//!
//! `a_scripted_run_shows_every_kind_of_activity` runs one fixed sequence and requires that
//! records were read, replayed, committed and resumed, members evicted and partitions
//! rebalanced and trimmed: the checks above have something to check.
//!
//! The properties run on every storage backend: `memory::*` over `MemoryStorage` (96 cases),
//! `file::*` over `FileStorage` (32 cases, each in fresh temporary folders, to keep the suite
//! fast) and `killed::*` over `FileStorage` on a crash-testing file system (32 cases); `Flush`
//! is one of the random commands, and every run ends with a flush and a restart (for
//! `killed`, a `kill -9` right after the flush) that must keep the durable state
//! (`support/backend.rs`).

#[path = "support/backend.rs"]
mod backend;

use std::collections::{BTreeMap, BTreeSet};

use backend::Backend;
use brokerlab::assign::Assignor;
use brokerlab::partitioner::partition_for_key;
use brokerlab::{
    Broker, Duration, Event, GroupConfig, GroupId, HeartbeatReply, Instant, LeaveReason, Limits,
    MessageId, Offset, OffsetReset, Retention, RetentionReason, SeekTo, Storage, StreamConfig,
    StreamConsumerConfig, StreamConsumerId, StreamId, StreamPartition,
};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

#[derive(Debug, Clone)]
enum Cmd {
    Produce(Option<u8>),
    Poll(usize, usize),
    SeekBack(usize, u64),
    Join(usize, usize),
    Leave(usize, usize),
    Heartbeat(usize, usize),
    Commit(usize, usize),
    Tick(u64),
    AddPartition,
    /// `Broker::flush`: writes what the storage holds in memory (files: pending batches,
    /// log starts, metadata); must change nothing the broker does.
    Flush,
}

fn cmd() -> impl Strategy<Value = Cmd> {
    prop_oneof![
        6 => proptest::option::of(0..8u8).prop_map(Cmd::Produce),
        5 => (0..8usize, 1..6usize).prop_map(|(c, m)| Cmd::Poll(c, m)),
        1 => (0..8usize, 0..10u64).prop_map(|(c, o)| Cmd::SeekBack(c, o)),
        2 => (0..2usize, 0..3usize).prop_map(|(g, m)| Cmd::Join(g, m)),
        1 => (0..2usize, 0..3usize).prop_map(|(g, m)| Cmd::Leave(g, m)),
        2 => (0..2usize, 0..3usize).prop_map(|(g, m)| Cmd::Heartbeat(g, m)),
        2 => (0..2usize, 0..3usize).prop_map(|(g, m)| Cmd::Commit(g, m)),
        2 => (1..60u64).prop_map(Cmd::Tick),
        1 => Just(Cmd::AddPartition),
        2 => Just(Cmd::Flush),
    ]
}

const GROUPS: [&str; 2] = ["g", "h"];
const MEMBERS: [&str; 3] = ["m1", "m2", "m10"];
const ASSIGNORS: [Assignor; 2] = [Assignor::Range, Assignor::CooperativeSticky];
/// Retention of the stream: at most this many records per partition.
const RETAINED: u64 = 12;
/// The members' session timeout, in ms.
const SESSION_MS: u64 = 100;

/// One record as the test produced it.
#[derive(Debug, Clone)]
struct Produced {
    message: MessageId,
    payload: Vec<u8>,
    key: Option<Vec<u8>>,
    timestamp: Instant,
}

/// One partition as the test knows it: every record produced there, by offset, and where
/// retention must have moved its start.
#[derive(Debug, Default)]
struct Part {
    records: Vec<Produced>,
    start: u64,
}

impl Part {
    fn end(&self) -> u64 {
        self.records.len() as u64
    }
}

/// Whose "furthest offset read" a read counts against: a standalone consumer's own, or its
/// group's (shared by the members).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Reader {
    Standalone(usize),
    Group(usize),
}

/// A group member as the test knows it.
#[derive(Debug)]
struct Member {
    id: StreamConsumerId,
    /// When it last joined, heartbeated, polled or committed (ms).
    last_seen: u64,
    positions: BTreeMap<StreamPartition, Option<Offset>>,
}

/// What a run did, for requiring that a run shows activity.
#[derive(Debug, Default, Clone, Copy)]
struct Activity {
    records_read: u64,
    records_replayed: u64,
    offsets_reset: u64,
    commits: u64,
    evictions: u64,
    rebalances: u64,
    retention_moves: u64,
    seeks: u64,
}

/// What one group observed, by member name, for comparing runs.
type GroupTrace = Vec<String>;

struct Run<S: Storage> {
    broker: Broker<S>,
    now: u64,
    stream: StreamId,
    parts: Vec<Part>,
    /// The two standalone consumers: `live` (latest) and `replay` (earliest).
    standalone: [(StreamConsumerId, OffsetReset); 2],
    /// Their positions, as the model has them.
    standalone_positions: [BTreeMap<StreamPartition, Option<Offset>>; 2],
    /// The groups made so far (by their first join).
    groups: BTreeSet<usize>,
    /// Members by (group, member) index.
    members: BTreeMap<(usize, usize), Member>,
    committed: BTreeMap<(usize, StreamPartition), Offset>,
    polled_end: BTreeMap<(Reader, StreamPartition), Offset>,
    /// Per (group, partition): a member seeked since the last commit.
    seeked: BTreeSet<(usize, StreamPartition)>,
    /// Per group: the last generation was a first cooperative phase (revocations pending).
    revoking: BTreeSet<usize>,
    /// The assignor of the run is cooperative.
    cooperative: bool,
    /// The events the current command must emit, besides rebalances.
    expected: Vec<Event>,
    traces: BTreeMap<String, GroupTrace>,
    activity: Activity,
    next_payload: u64,
}

fn partition_of(stream: StreamId, p: usize) -> StreamPartition {
    StreamPartition::new(stream, p as u32)
}

/// A multiset of events, for comparing what happened with what was expected.
fn sorted(events: &[Event]) -> Vec<String> {
    let mut v: Vec<String> = events.iter().map(|e| format!("{e:?}")).collect();
    v.sort();
    v
}

impl<S: Storage> Run<S> {
    fn new(storage: S) -> Self {
        let mut broker = Broker::new(storage);
        let cfg =
            StreamConfig::new(2).with_retention(Retention::default().with_max_records(RETAINED));
        let stream = broker.declare_stream(Instant::ZERO, "s", cfg).unwrap();
        let mut standalone = Vec::new();
        for (name, reset) in [
            ("live", OffsetReset::Latest),
            ("replay", OffsetReset::Earliest),
        ] {
            let config = StreamConsumerConfig::default().with_auto_offset_reset(reset);
            let id = broker
                .stream_consumer(Instant::ZERO, "s", name, config)
                .unwrap();
            standalone.push((id, reset));
        }
        while broker.poll_event().is_some() {}
        // A new consumer of an empty log starts at offset 0 in every partition.
        let positions: BTreeMap<StreamPartition, Option<Offset>> = (0..2)
            .map(|p| (partition_of(stream, p), Some(Offset(0))))
            .collect();
        Run {
            broker,
            now: 0,
            stream,
            parts: vec![Part::default(), Part::default()],
            standalone: [standalone[0], standalone[1]],
            standalone_positions: [positions.clone(), positions],
            groups: BTreeSet::new(),
            members: BTreeMap::new(),
            committed: BTreeMap::new(),
            polled_end: BTreeMap::new(),
            seeked: BTreeSet::new(),
            revoking: BTreeSet::new(),
            cooperative: false,
            expected: Vec::new(),
            traces: BTreeMap::new(),
            activity: Activity::default(),
            next_payload: 0,
        }
    }

    fn group_index(&self, g: GroupId) -> usize {
        let name = self.broker.group_name(g).expect("a known group");
        GROUPS
            .iter()
            .position(|n| *n == name)
            .expect("a test group")
    }

    fn gid(&self, g: usize) -> GroupId {
        self.broker.group_id(GROUPS[g]).expect("the group exists")
    }

    fn member_by_id(&self, id: StreamConsumerId) -> Option<(usize, usize)> {
        self.members
            .iter()
            .find(|(_, m)| m.id == id)
            .map(|(&k, _)| k)
    }

    fn bounds(&self, sp: StreamPartition) -> (u64, u64) {
        let p = &self.parts[sp.partition.0 as usize];
        (p.start, p.end())
    }

    fn trace(&mut self, g: usize, line: String) {
        self.traces
            .entry(GROUPS[g].to_string())
            .or_default()
            .push(line);
    }

    fn exec(&mut self, cmd: &Cmd, assignor: Assignor, only: Option<&str>) {
        let skip = |g: usize| only.is_some_and(|o| o != GROUPS[g]);
        let cfg = GroupConfig::default()
            .with_session_timeout(Duration::from_millis(SESSION_MS))
            .with_auto_offset_reset(OffsetReset::Earliest)
            .with_assignor(assignor);
        let now = Instant::from_millis(self.now);
        self.cooperative = assignor.is_cooperative();
        self.expected.clear();
        match *cmd {
            Cmd::Produce(key) => self.produce(now, key),
            Cmd::Poll(i, max) => self.poll(now, i, max, skip),
            Cmd::SeekBack(i, back) => self.seek_back(now, i, back, skip),
            Cmd::Join(g, m) if !skip(g) => {
                let result = self
                    .broker
                    .join_group(now, GROUPS[g], MEMBERS[m], &["s"], cfg);
                if self.members.contains_key(&(g, m)) {
                    assert!(result.is_err(), "{} joined {} twice", MEMBERS[m], GROUPS[g]);
                } else {
                    let id = result.expect("a new member joins");
                    if self.groups.insert(g) {
                        self.expected
                            .push(Event::GroupCreated { group: self.gid(g) });
                    }
                    self.members.insert(
                        (g, m),
                        Member {
                            id,
                            last_seen: self.now,
                            positions: BTreeMap::new(),
                        },
                    );
                    self.expected.push(Event::MemberJoined {
                        group: self.gid(g),
                        member: id,
                    });
                }
            }
            Cmd::Leave(g, m) if !skip(g) => {
                let result = self.broker.leave_group(now, GROUPS[g], MEMBERS[m]);
                match self.members.remove(&(g, m)) {
                    Some(member) => {
                        result.expect("a member leaves");
                        self.expected.push(Event::MemberLeft {
                            group: self.gid(g),
                            member: member.id,
                            reason: LeaveReason::Left,
                        });
                    }
                    None => assert!(result.is_err(), "{} left without being in", MEMBERS[m]),
                }
            }
            Cmd::Heartbeat(g, m) if !skip(g) => {
                let result = self.broker.heartbeat(now, GROUPS[g], MEMBERS[m]);
                match self.members.get_mut(&(g, m)) {
                    Some(member) => {
                        let reply = result.expect("a member heartbeats");
                        member.last_seen = self.now;
                        // Told of a rebalance, it rejoins at once with a poll that reads
                        // nothing.
                        if reply == HeartbeatReply::RejoinNeeded {
                            let id = member.id;
                            self.broker.poll(now, id, 0).expect("a rejoin");
                        }
                    }
                    None => assert!(result.is_err()),
                }
            }
            Cmd::Commit(g, m) if !skip(g) => self.commit(now, g, m),
            Cmd::Tick(dt) => {
                self.now += dt;
                self.broker.handle_timeout(Instant::from_millis(self.now));
                let expired: Vec<(usize, usize)> = self
                    .members
                    .iter()
                    .filter(|(_, m)| m.last_seen + SESSION_MS <= self.now)
                    .map(|(&k, _)| k)
                    .collect();
                for (g, m) in expired {
                    let member = self.members.remove(&(g, m)).unwrap();
                    self.expected.push(Event::MemberLeft {
                        group: self.gid(g),
                        member: member.id,
                        reason: LeaveReason::SessionTimeout,
                    });
                    self.activity.evictions += 1;
                }
            }
            Cmd::Flush => self.broker.flush().expect("flush"),
            Cmd::AddPartition => {
                let total = self
                    .broker
                    .add_partitions(now, "s", 1)
                    .expect("add a partition");
                assert_eq!(total as usize, self.parts.len() + 1);
                self.parts.push(Part::default());
                let sp = partition_of(self.stream, self.parts.len() - 1);
                // Standalone consumers take it at once, at its (empty) log's offset 0.
                for positions in &mut self.standalone_positions {
                    positions.insert(sp, Some(Offset(0)));
                }
                self.expected.push(Event::PartitionsAdded {
                    stream: self.stream,
                    partitions: total,
                });
            }
            _ => {}
        }
        self.check_events();
        self.check_state(only);
    }

    fn produce(&mut self, now: Instant, key: Option<u8>) {
        let key = key.map(|k| vec![k]);
        // Every payload is different, so a record read at the wrong offset cannot pass.
        let payload = format!("r{}@{}", self.next_payload, self.now).into_bytes();
        self.next_payload += 1;
        let produced = self
            .broker
            .produce(now, "s", key.as_deref(), payload.clone())
            .expect("every produce succeeds");
        let sp = produced.partition;
        assert_eq!(sp.stream, self.stream);
        let n = self.parts.len() as u32;
        assert!(sp.partition.0 < n, "{sp} is not one of {n} partitions");
        if let Some(k) = &key {
            assert_eq!(
                sp.partition,
                partition_for_key(k, n).unwrap(),
                "key {k:?} goes to its partition"
            );
        }
        let part = &mut self.parts[sp.partition.0 as usize];
        assert_eq!(
            produced.offset,
            Offset(part.end()),
            "offsets dense and increasing"
        );
        part.records.push(Produced {
            message: produced.message,
            payload,
            key,
            timestamp: now,
        });
        self.expected.push(Event::Appended {
            message: produced.message,
            partition: sp,
            offset: produced.offset,
        });
        if part.end() - part.start > RETAINED {
            part.start = part.end() - RETAINED;
            self.activity.retention_moves += 1;
            self.expected.push(Event::RetentionApplied {
                partition: sp,
                start: Offset(part.start),
                dropped: 1,
                reason: RetentionReason::Records,
            });
        }
    }

    /// The consumer `i` stands for (0 and 1 standalone, then three members per group), with
    /// its reader and its reset policy; `None` for a member not in its group.
    fn reader(&self, i: usize) -> Option<(StreamConsumerId, Reader, OffsetReset)> {
        if i < 2 {
            let (id, reset) = self.standalone[i];
            return Some((id, Reader::Standalone(i), reset));
        }
        let (g, m) = ((i - 2) / 3, (i - 2) % 3);
        let member = self.members.get(&(g, m));
        assert_eq!(
            self.broker.group_member(GROUPS[g], MEMBERS[m]),
            member.map(|m| m.id),
            "membership of {} in {}",
            MEMBERS[m],
            GROUPS[g]
        );
        member.map(|member| (member.id, Reader::Group(g), OffsetReset::Earliest))
    }

    fn positions_mut(
        &mut self,
        reader: Reader,
        i: usize,
    ) -> &mut BTreeMap<StreamPartition, Option<Offset>> {
        match reader {
            Reader::Standalone(s) => &mut self.standalone_positions[s],
            Reader::Group(_) => {
                let (g, m) = ((i - 2) / 3, (i - 2) % 3);
                &mut self.members.get_mut(&(g, m)).unwrap().positions
            }
        }
    }

    fn poll(&mut self, now: Instant, i: usize, max: usize, skip: impl Fn(usize) -> bool) {
        if i >= 2 && skip((i - 2) / 3) {
            return;
        }
        let Some((c, reader, reset)) = self.reader(i) else {
            return;
        };
        if let Reader::Group(g) = reader {
            self.members.get_mut(&(g, (i - 2) % 3)).unwrap().last_seen = self.now;
        }
        // Where each partition's read starts, from the model's positions and bounds.
        let positions = self.positions_mut(reader, i).clone();
        let mut plan: BTreeMap<StreamPartition, (u64, u64)> = BTreeMap::new();
        for (&sp, &pos) in &positions {
            let (start, end) = self.bounds(sp);
            let at = match pos {
                Some(o) if o.0 >= start && o.0 <= end => o.0,
                _ => match reset {
                    OffsetReset::Earliest => start,
                    _ => end,
                },
            };
            if pos != Some(Offset(at)) {
                self.activity.offsets_reset += 1;
                self.expected.push(Event::OffsetReset {
                    consumer: c,
                    partition: sp,
                    from: pos,
                    to: Offset(at),
                    policy: reset,
                });
            }
            plan.insert(sp, (at, end));
        }
        let available: u64 = plan.values().map(|(at, end)| end - at).sum();
        let records = self.broker.poll(now, c, max).unwrap();
        assert_eq!(
            records.len() as u64,
            available.min(max as u64),
            "poll({max}) by consumer {i} with {available} records after its positions"
        );
        let mut read: BTreeMap<StreamPartition, (u64, u64)> = BTreeMap::new();
        for r in &records {
            let (at, _) = plan
                .get(&r.partition)
                .copied()
                .unwrap_or_else(|| panic!("consumer {i} read {} it is not assigned", r.partition));
            let (count, replayed) = read.entry(r.partition).or_default();
            assert_eq!(
                r.offset,
                Offset(at + *count),
                "consumer {i} reads {} consecutively from {at}",
                r.partition
            );
            *count += 1;
            let p = &self.parts[r.partition.partition.0 as usize].records[r.offset.0 as usize];
            assert_eq!(
                r.message, p.message,
                "the record produced at {}{}",
                r.partition, r.offset
            );
            assert_eq!(
                String::from_utf8_lossy(&r.payload),
                String::from_utf8_lossy(&p.payload),
                "the payload read at {}{} is the one produced there",
                r.partition,
                r.offset
            );
            assert_eq!(r.key.as_deref(), p.key.as_deref());
            assert_eq!(r.timestamp, p.timestamp);
            let furthest = self
                .polled_end
                .get(&(reader, r.partition))
                .copied()
                .unwrap_or(Offset(0));
            assert_eq!(
                r.redelivered,
                r.offset < furthest,
                "redelivered at {}{} (furthest read before: {furthest})",
                r.partition,
                r.offset
            );
            *replayed += u64::from(r.redelivered);
            if let Reader::Group(g) = reader {
                let line = format!(
                    "{} {}{} {}",
                    MEMBERS[(i - 2) % 3],
                    r.partition,
                    r.offset,
                    r.redelivered
                );
                self.trace(g, line);
            }
        }
        let positions = self.positions_mut(reader, i);
        for (&sp, &(at, _)) in &plan {
            let (count, _) = read.get(&sp).copied().unwrap_or_default();
            positions.insert(sp, Some(Offset(at + count)));
        }
        for (&sp, &(count, replayed)) in &read {
            let at = plan[&sp].0;
            let end = self.polled_end.entry((reader, sp)).or_insert(Offset(0));
            *end = (*end).max(Offset(at + count));
            self.expected.push(Event::Polled {
                consumer: c,
                partition: sp,
                first: Offset(at),
                count,
                redelivered: replayed,
            });
            self.activity.records_read += count;
            self.activity.records_replayed += replayed;
        }
    }

    fn seek_back(&mut self, now: Instant, i: usize, back: u64, skip: impl Fn(usize) -> bool) {
        if i >= 2 && skip((i - 2) / 3) {
            return;
        }
        let Some((c, reader, _)) = self.reader(i) else {
            return;
        };
        for (sp, pos) in self.positions_mut(reader, i).clone() {
            let Some(pos) = pos else { continue };
            let to = Offset(pos.0.saturating_sub(back));
            // Seeking below the log start is allowed; the next poll resets.
            let got = self.broker.seek(now, c, sp, SeekTo::Offset(to));
            assert_eq!(got, Ok(to), "consumer {i} seeks {sp} back to {to}");
            self.positions_mut(reader, i).insert(sp, Some(to));
            self.expected.push(Event::Seeked {
                consumer: c,
                partition: sp,
                offset: to,
            });
            self.activity.seeks += 1;
            if let Reader::Group(g) = reader {
                self.seeked.insert((g, sp));
            }
        }
    }

    fn commit(&mut self, now: Instant, g: usize, m: usize) {
        let result = self.broker.commit_positions(now, GROUPS[g], MEMBERS[m]);
        let Some(member) = self.members.get_mut(&(g, m)) else {
            assert!(result.is_err(), "{} committed without being in", MEMBERS[m]);
            return;
        };
        member.last_seen = self.now;
        let id = member.id;
        let offsets: Vec<(StreamPartition, Offset)> = member
            .positions
            .iter()
            .filter_map(|(&sp, pos)| pos.map(|o| (sp, o)))
            .collect();
        assert_eq!(
            result.expect("a member commits"),
            offsets,
            "a commit commits the member's positions"
        );
        let gid = self.gid(g);
        for (sp, offset) in offsets {
            let previous = self.committed.insert((g, sp), offset);
            if let Some(p) = previous {
                assert!(
                    offset >= p || self.seeked.contains(&(g, sp)),
                    "commit moved back without a seek"
                );
            }
            self.seeked.remove(&(g, sp));
            self.expected.push(Event::Committed {
                group: gid,
                member: id,
                partition: sp,
                offset,
                previous,
            });
            self.activity.commits += 1;
            self.trace(g, format!("commit {} {sp}{offset}", MEMBERS[m]));
        }
    }

    fn check_events(&mut self) {
        let mut got = Vec::new();
        while let Some(e) = self.broker.poll_event() {
            match &e {
                Event::Appended { .. }
                | Event::RetentionApplied { .. }
                | Event::OffsetReset { .. }
                | Event::Polled { .. }
                | Event::Seeked { .. }
                | Event::Committed { .. }
                | Event::GroupCreated { .. }
                | Event::MemberJoined { .. }
                | Event::MemberLeft { .. }
                | Event::PartitionsAdded { .. } => got.push(e),
                Event::PartitionsRevoked {
                    group,
                    member,
                    partitions,
                    ..
                } => {
                    let g = self.group_index(*group);
                    let key = self.member_by_id(*member).expect("a member of the model");
                    let positions = &mut self.members.get_mut(&key).unwrap().positions;
                    for p in partitions {
                        positions.remove(p);
                    }
                    // A cooperative first phase leaves what moves unowned.
                    if self.cooperative {
                        self.revoking.insert(g);
                    }
                }
                Event::GroupStateChanged { .. } => {}
                Event::Rebalanced {
                    group,
                    generation,
                    assignment,
                } => {
                    let g = self.group_index(*group);
                    self.rebalanced(g, *generation, assignment);
                }
                other => panic!("an event no command implies: {other:?}"),
            }
        }
        assert_eq!(
            sorted(&got),
            sorted(&self.expected),
            "the events of the command"
        );
    }

    /// A new generation of group `g`: every member the model holds is in it, partitions it
    /// keeps keep their positions, new ones start at the committed offset or the log start.
    fn rebalanced(
        &mut self,
        g: usize,
        generation: u32,
        assignment: &[brokerlab::MemberAssignment],
    ) {
        self.activity.rebalances += 1;
        let first_phase = self.revoking.remove(&g);
        let mut owners: BTreeMap<StreamPartition, usize> = BTreeMap::new();
        for a in assignment {
            for p in &a.partitions {
                *owners.entry(*p).or_default() += 1;
            }
        }
        assert!(
            owners.values().all(|&n| n == 1),
            "two owners in {generation}"
        );
        if !assignment.is_empty() && !first_phase {
            assert_eq!(owners.len(), self.parts.len(), "an unowned partition");
        }
        let in_group: BTreeSet<StreamConsumerId> = self
            .members
            .iter()
            .filter(|((mg, _), _)| *mg == g)
            .map(|(_, m)| m.id)
            .collect();
        let assigned: BTreeSet<StreamConsumerId> = assignment.iter().map(|a| a.member).collect();
        assert_eq!(
            assigned, in_group,
            "generation {generation} names the group's members"
        );
        let mut names = Vec::new();
        for a in assignment {
            let key = self.member_by_id(a.member).unwrap();
            let mut positions = BTreeMap::new();
            for &sp in &a.partitions {
                let kept = self.members[&key].positions.get(&sp).copied();
                let (start, end) = self.bounds(sp);
                let pos = kept.unwrap_or_else(|| match self.committed.get(&(g, sp)) {
                    Some(&o) if o.0 >= start && o.0 <= end => Some(o),
                    _ => Some(Offset(start)),
                });
                positions.insert(sp, pos);
            }
            self.members.get_mut(&key).unwrap().positions = positions;
            names.push(format!("{}={:?}", MEMBERS[key.1], a.partitions));
        }
        self.trace(g, format!("gen {generation} {names:?}"));
    }

    /// The broker's state agrees with the model: partitions and their bounds, consumers'
    /// assignments and positions, group membership and commits.
    fn check_state(&self, only: Option<&str>) {
        let config = self.broker.stream_config(self.stream).unwrap();
        assert_eq!(config.partitions as usize, self.parts.len());
        for p in 0..self.parts.len() {
            let sp = partition_of(self.stream, p);
            let b = self.broker.partition_stats(sp).unwrap().bounds;
            assert_eq!((b.start.0, b.end.0), self.bounds(sp), "bounds of {sp}");
        }
        let readers = self
            .standalone
            .iter()
            .zip(&self.standalone_positions)
            .map(|((id, _), positions)| (*id, positions))
            .chain(self.members.values().map(|m| (m.id, &m.positions)));
        for (id, positions) in readers {
            let assigned: Vec<StreamPartition> = positions.keys().copied().collect();
            assert_eq!(
                self.broker.assigned_partitions(id),
                assigned,
                "partitions of {id}"
            );
            for (&sp, &pos) in positions {
                assert_eq!(
                    self.broker.position(id, sp),
                    pos,
                    "position of {id} in {sp}"
                );
            }
        }
        for (g, group) in GROUPS.iter().enumerate() {
            if only.is_some_and(|o| o != *group) {
                continue;
            }
            for (m, member) in MEMBERS.iter().enumerate() {
                assert_eq!(
                    self.broker.group_member(group, member),
                    self.members.get(&(g, m)).map(|m| m.id),
                    "{member} in {group}"
                );
            }
            let Some(gid) = self.broker.group_id(group) else {
                continue;
            };
            for p in 0..self.parts.len() {
                let sp = partition_of(self.stream, p);
                assert_eq!(
                    self.broker.committed(gid, sp),
                    self.committed.get(&(g, sp)).copied(),
                    "{group}'s commit of {sp}"
                );
            }
        }
    }
}

/// Runs `cmds` with both groups and with group g alone, each on a fresh broker over `S`, and
/// checks that g saw the same thing; then restarts both brokers. Returns what the run with
/// both groups did.
fn groups_do_not_affect_each_other<S: Backend>(
    cmds: &[Cmd],
    cooperative: bool,
) -> Result<Activity, TestCaseError> {
    let assignor = ASSIGNORS[usize::from(cooperative)];
    let (storage, _both_dir) = S::fresh("stream_model");
    let mut both = Run::new(storage);
    for c in cmds {
        both.exec(c, assignor, None);
    }
    // Group g alone sees exactly what it saw beside group h.
    let (storage, _alone_dir) = S::fresh("stream_model");
    let mut alone = Run::new(storage);
    for c in cmds {
        alone.exec(c, assignor, Some("g"));
    }
    prop_assert_eq!(both.traces.get("g"), alone.traces.get("g"), "{}", S::NAME);
    let activity = both.activity;
    backend::restart_and_compare(both.broker, Limits::default());
    backend::restart_and_compare(alone.broker, Limits::default());
    Ok(activity)
}

#[test]
fn a_scripted_run_shows_every_kind_of_activity() {
    use Cmd::*;
    let mut cmds = Vec::new();
    cmds.extend((0..40u8).map(|k| Produce(Some(k % 5))));
    cmds.extend([
        Poll(0, 5),  // live: reads from where it started, offset 0
        Poll(1, 50), // replay: reset to the log start, then everything retained
        Join(0, 0),
        Join(0, 1),
        Heartbeat(0, 0), // m0 learns of m1's join and rejoins: generation 2
        Join(1, 0),
        Poll(2, 50),
        Poll(3, 50),
        Poll(5, 50),
        Commit(0, 0),
        Commit(0, 1),
        SeekBack(1, 4),
        Poll(1, 50), // replayed
        AddPartition,
        Heartbeat(0, 0),
        Heartbeat(0, 1),
        Heartbeat(1, 0),
        Produce(None),
        Produce(Some(7)),
        Produce(None),
        Tick(60),
        Heartbeat(0, 0),
        Tick(60), // g's m2 and h's m1 are evicted
        Join(0, 2),
        Heartbeat(0, 0),
        Poll(4, 50), // m10 resumes from m2's commits
        Poll(2, 50),
        Commit(0, 2),
        Poll(3, 50),
        Commit(0, 0),
        Flush,
    ]);
    for cooperative in [false, true] {
        let activity =
            groups_do_not_affect_each_other::<brokerlab::MemoryStorage>(&cmds, cooperative)
                .unwrap();
        let Activity {
            records_read,
            records_replayed,
            offsets_reset,
            commits,
            evictions,
            rebalances,
            retention_moves,
            seeks,
        } = activity;
        assert!(records_read >= 40, "{activity:?}");
        assert!(records_replayed >= 4, "{activity:?}");
        assert!(offsets_reset >= 1, "{activity:?}");
        assert!(commits >= 3, "{activity:?}");
        assert_eq!(evictions, 2, "{activity:?}");
        assert!(rebalances >= 6, "{activity:?}");
        assert!(retention_moves >= 1, "{activity:?}");
        assert!(seeks >= 2, "{activity:?}");
    }
}

mod memory {
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

        #[test]
        fn streams_and_groups_keep_their_invariants(
            cmds in proptest::collection::vec(super::cmd(), 1..120),
            cooperative in any::<bool>(),
        ) {
            super::groups_do_not_affect_each_other::<brokerlab::MemoryStorage>(&cmds, cooperative)?;
        }
    }
}

mod file {
    use proptest::prelude::*;

    proptest! {
        // Fewer cases: each opens, flushes and reopens two folders of files.
        #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

        #[test]
        fn streams_and_groups_keep_their_invariants(
            cmds in proptest::collection::vec(super::cmd(), 1..120),
            cooperative in any::<bool>(),
        ) {
            super::groups_do_not_affect_each_other::<brokerlab::storage::FileStorage>(
                &cmds,
                cooperative,
            )?;
        }
    }
}

mod killed {
    use proptest::prelude::*;

    type Killed = brokerlab::storage::FileStorage<super::backend::crash_fs::CrashFs>;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

        #[test]
        fn streams_and_groups_keep_their_invariants(
            cmds in proptest::collection::vec(super::cmd(), 1..120),
            cooperative in any::<bool>(),
        ) {
            super::groups_do_not_affect_each_other::<Killed>(&cmds, cooperative)?;
        }
    }
}
