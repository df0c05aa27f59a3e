//! Property tests of streams and consumer groups over random command sequences, checked
//! against a reference model of the logs and invariants on the events (issue 4's list):
//! - no command panics the broker;
//! - offsets are dense and increasing per partition;
//! - every record polled equals the one appended at that offset (replay reads identical
//!   records), and per partition a poll reads consecutive offsets from the consumer's position;
//! - in every generation each partition has at most one owner and, once a rebalance completes
//!   while the group has members, exactly one;
//! - groups never affect each other: a group sees the same thing whether or not another group
//!   runs beside it;
//! - committed offsets only move forward unless a seek moved the position back.
//!
//! It runs on every storage backend: `memory::*` over `MemoryStorage` (96 cases),
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
use brokerlab::{
    Broker, Duration, Event, GroupConfig, Instant, Limits, Offset, OffsetReset, Retention, SeekTo,
    Storage, StreamConfig, StreamConsumerConfig, StreamConsumerId, StreamPartition,
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

/// One appended record as the model keeps it: payload, key, timestamp.
type Appended = (Vec<u8>, Option<Vec<u8>>, Instant);

/// What one group observed, by member name, for comparing runs.
type GroupTrace = Vec<String>;

struct Run<S: Storage> {
    broker: Broker<S>,
    now: u64,
    /// Appended records per partition: (payload, key, timestamp).
    log: BTreeMap<StreamPartition, Vec<Appended>>,
    traces: BTreeMap<String, GroupTrace>,
    /// Per (group, partition): a member seeked since the last commit.
    seeked: BTreeSet<(u32, StreamPartition)>,
    /// Per group: the last generation was a first cooperative phase (revocations pending).
    revoking: BTreeSet<u32>,
    standalone: Vec<StreamConsumerId>,
}

impl<S: Storage> Run<S> {
    fn new(storage: S) -> Self {
        let mut broker = Broker::new(storage);
        let cfg = StreamConfig::new(2).with_retention(Retention::default().with_max_records(12));
        broker.declare_stream(Instant::ZERO, "s", cfg).unwrap();
        let early = StreamConsumerConfig::default().with_auto_offset_reset(OffsetReset::Earliest);
        let standalone = vec![
            broker
                .stream_consumer(Instant::ZERO, "s", "live", StreamConsumerConfig::default())
                .unwrap(),
            broker
                .stream_consumer(Instant::ZERO, "s", "replay", early)
                .unwrap(),
        ];
        Run {
            broker,
            now: 0,
            log: BTreeMap::new(),
            traces: BTreeMap::new(),
            seeked: BTreeSet::new(),
            revoking: BTreeSet::new(),
            standalone,
        }
    }

    fn consumer(&self, i: usize) -> Option<StreamConsumerId> {
        if i < 2 {
            return Some(self.standalone[i]);
        }
        let (g, m) = ((i - 2) / 3, (i - 2) % 3);
        self.broker.group_member(GROUPS[g], MEMBERS[m])
    }

    fn name(&self, c: StreamConsumerId) -> String {
        self.broker
            .stream_consumer_name(c)
            .unwrap_or("?")
            .to_string()
    }

    fn trace(&mut self, c: StreamConsumerId, line: String) {
        if let Some(g) = self.broker.member_group(c) {
            let g = self.broker.group_name(g).unwrap().to_string();
            self.traces.entry(g).or_default().push(line);
        }
    }

    fn exec(&mut self, cmd: &Cmd, assignor: Assignor, only: Option<&str>) {
        let skip = |g: usize| only.is_some_and(|o| o != GROUPS[g]);
        let cfg = GroupConfig::default()
            .with_session_timeout(Duration::from_millis(100))
            .with_auto_offset_reset(OffsetReset::Earliest)
            .with_assignor(assignor);
        let now = Instant::from_millis(self.now);
        match *cmd {
            Cmd::Produce(key) => {
                let key = key.map(|k| vec![k]);
                let payload = format!("r{}", self.now);
                let _ = self
                    .broker
                    .produce(now, "s", key.as_deref(), payload.clone());
            }
            Cmd::Poll(i, max) => {
                if i >= 2 && skip((i - 2) / 3) {
                    return;
                }
                let Some(c) = self.consumer(i) else { return };
                let before: BTreeMap<StreamPartition, Option<Offset>> = self
                    .broker
                    .assigned_partitions(c)
                    .into_iter()
                    .map(|sp| (sp, self.broker.position(c, sp)))
                    .collect();
                let records = self.broker.poll(now, c, max).unwrap();
                assert!(records.len() <= max);
                let mut next: BTreeMap<StreamPartition, Offset> = BTreeMap::new();
                for r in &records {
                    let expect = next
                        .get(&r.partition)
                        .copied()
                        .or(before[&r.partition])
                        .unwrap();
                    // Positions below the log start were reset to it (Earliest) first.
                    let start = self
                        .broker
                        .partition_stats(r.partition)
                        .unwrap()
                        .bounds
                        .start;
                    assert!(
                        r.offset == expect || (r.offset == start && expect < start),
                        "{} read {} at {} but its position was {}",
                        self.name(c),
                        r.partition,
                        r.offset,
                        expect
                    );
                    next.insert(r.partition, r.offset.next());
                    let (payload, key, ts) = &self.log[&r.partition][r.offset.0 as usize];
                    assert_eq!(&*r.payload, &payload[..], "replay must be identical");
                    assert_eq!(r.key.as_deref(), key.as_deref());
                    assert_eq!(r.timestamp, *ts);
                    let line = format!(
                        "{} {}{} {}",
                        self.name(c),
                        r.partition,
                        r.offset,
                        r.redelivered
                    );
                    self.trace(c, line);
                }
                for (sp, o) in next {
                    assert_eq!(self.broker.position(c, sp), Some(o));
                }
            }
            Cmd::SeekBack(i, back) => {
                if i >= 2 && skip((i - 2) / 3) {
                    return;
                }
                let Some(c) = self.consumer(i) else { return };
                for sp in self.broker.assigned_partitions(c) {
                    let Some(pos) = self.broker.position(c, sp) else {
                        continue;
                    };
                    let to = Offset(pos.0.saturating_sub(back));
                    let _ = self.broker.seek(now, c, sp, SeekTo::Offset(to));
                }
            }
            Cmd::Join(g, m) if !skip(g) => {
                let _ = self
                    .broker
                    .join_group(now, GROUPS[g], MEMBERS[m], &["s"], cfg);
            }
            Cmd::Leave(g, m) if !skip(g) => {
                let _ = self.broker.leave_group(now, GROUPS[g], MEMBERS[m]);
            }
            Cmd::Heartbeat(g, m) if !skip(g) => {
                let _ = self.broker.heartbeat(now, GROUPS[g], MEMBERS[m]);
            }
            Cmd::Commit(g, m) if !skip(g) => {
                let _ = self.broker.commit_positions(now, GROUPS[g], MEMBERS[m]);
            }
            Cmd::Tick(dt) => {
                self.now += dt;
                self.broker.handle_timeout(Instant::from_millis(self.now));
            }
            Cmd::Flush => self.broker.flush().expect("flush"),
            Cmd::AddPartition => {
                let _ = self.broker.add_partitions(now, "s", 1);
            }
            _ => {}
        }
        self.check_events();
    }

    fn check_events(&mut self) {
        while let Some(e) = self.broker.poll_event() {
            match &e {
                Event::Appended {
                    partition,
                    offset,
                    message: _,
                } => {
                    let log = self.log.entry(*partition).or_default();
                    assert_eq!(offset.0, log.len() as u64, "offsets dense and increasing");
                    let r = self.broker.stream_record(*partition, *offset);
                    // Retention may already have removed it (it runs right after the append).
                    let (payload, key, ts) = match r {
                        Some(r) => (r.payload.to_vec(), r.key.map(|k| k.to_vec()), r.timestamp),
                        None => (Vec::new(), None, self.broker.now()),
                    };
                    log.push((payload, key, ts));
                }
                Event::Seeked {
                    consumer,
                    partition,
                    ..
                } => {
                    if let Some(g) = self.broker.member_group(*consumer) {
                        self.seeked.insert((g.0, *partition));
                    }
                }
                Event::Committed {
                    group,
                    partition,
                    offset,
                    previous,
                    member,
                } => {
                    if let Some(p) = previous {
                        assert!(
                            offset >= p || self.seeked.contains(&(group.0, *partition)),
                            "commit moved back without a seek"
                        );
                    }
                    self.seeked.remove(&(group.0, *partition));
                    let line = format!("commit {} {partition}{offset}", self.name(*member));
                    self.trace(*member, line);
                }
                Event::PartitionsRevoked { group, .. } => {
                    self.revoking.insert(group.0);
                }
                Event::Rebalanced {
                    group,
                    generation,
                    assignment,
                } => {
                    let first_phase = self.revoking.remove(&group.0);
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
                    let partitions = self
                        .broker
                        .stream_config(self.broker.stream_id("s").unwrap())
                        .unwrap()
                        .partitions;
                    if !assignment.is_empty() && !first_phase {
                        assert_eq!(owners.len(), partitions as usize, "an unowned partition");
                    }
                    let names: Vec<String> = assignment
                        .iter()
                        .map(|a| format!("{}={:?}", self.name(a.member), a.partitions))
                        .collect();
                    let g = self.broker.group_name(*group).unwrap().to_string();
                    self.traces
                        .entry(g)
                        .or_default()
                        .push(format!("gen {generation} {names:?}"));
                }
                _ => {}
            }
        }
    }
}

/// Runs `cmds` with both groups and with group g alone, each on a fresh broker over `S`, and
/// checks that g saw the same thing; then restarts both brokers.
fn groups_do_not_affect_each_other<S: Backend>(
    cmds: &[Cmd],
    cooperative: bool,
) -> Result<(), TestCaseError> {
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
    backend::restart_and_compare(both.broker, Limits::default());
    backend::restart_and_compare(alone.broker, Limits::default());
    Ok(())
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
