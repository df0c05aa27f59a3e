//! A broker on `FileStorage` over a file system that crashes: a synced checkpoint, then more
//! work written but not synced, then a crash that cuts the unsynced tails at every byte (and
//! appends garbage). After each crash the storage is opened and the broker recovered, and
//! everything must agree with the synced checkpoint: every synced message not acked is back,
//! nothing acked at the checkpoint is, what survived of the later work is an unbroken,
//! undamaged prefix of it, and group commits are the checkpoint's.

#[path = "support/crash_fs.rs"]
mod crash_fs;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use brokerlab::storage::{FileOptions, FileStorage, SyncPolicy};
use brokerlab::{
    Broker, ConsumerConfig, Delivery, EventFilter, EventKind, GroupConfig, Instant, Limits, Offset,
    OffsetReset, Publish, QueueConfig, StreamConfig, StreamPartition,
};
use crash_fs::CrashFs;

const ROOT: &str = "/broker";

fn options(sync: SyncPolicy) -> FileOptions {
    FileOptions {
        segment_bytes: 4096,
        batch_bytes: 512,
        index_interval: 128,
        sync,
    }
}

fn t(ms: u64) -> Instant {
    Instant::from_millis(ms)
}

fn open(fs: &CrashFs, sync: SyncPolicy) -> Broker<FileStorage<CrashFs>> {
    let (storage, _) = FileStorage::open_in(fs.clone(), ROOT, options(sync)).expect("open");
    let (mut b, _) = Broker::recover(storage, Limits::default()).expect("recover");
    b.set_event_filter(EventFilter::ALL.without(EventKind::Delivered));
    b
}

fn deliveries<S: brokerlab::Storage>(b: &mut Broker<S>) -> Vec<Delivery> {
    let mut out = Vec::new();
    b.poll_deliveries(usize::MAX, &mut out);
    while b.poll_event().is_some() {}
    out
}

fn number(payload: &[u8], prefix: &str) -> u64 {
    let s = std::str::from_utf8(payload).expect("whole utf-8 payload");
    s.strip_prefix(prefix)
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("damaged payload {s:?}"))
}

fn group() -> GroupConfig {
    let mut g = GroupConfig::default();
    g.auto_offset_reset = OffsetReset::Earliest;
    g
}

/// What the synced checkpoint holds.
struct Checkpoint {
    /// Jobs published.
    published: u64,
    /// Jobs acked.
    acked: BTreeSet<u64>,
    /// Jobs delivered and not acked.
    in_flight: BTreeSet<u64>,
    /// Events produced.
    events: u64,
    /// The group's commits.
    commits: BTreeMap<u32, u64>,
}

/// Phase one, synced at every flush; phase two, written and never synced. Returns the file
/// system as the crash found it and the checkpoint.
fn workload() -> (CrashFs, Checkpoint) {
    let fs = CrashFs::new();
    let mut b = open(&fs, SyncPolicy::EveryBatch);
    b.declare_queue(t(0), "jobs", QueueConfig::default())
        .expect("queue");
    b.declare_stream(t(0), "events", StreamConfig::new(2))
        .expect("stream");
    for i in 0..40 {
        b.publish(t(1), Publish::to_queue("jobs", format!("job {i}")))
            .expect("publish");
        if i % 5 == 4 {
            b.flush().expect("flush");
        }
    }
    let w = b
        .consume(
            t(2),
            "jobs",
            "w",
            ConsumerConfig::default().with_prefetch(12),
        )
        .expect("consume");
    let got = deliveries(&mut b);
    let mut acked = BTreeSet::new();
    for d in got.iter().filter(|d| !matches!(d.delivery_count, 0)) {
        let n = number(d.payload.as_bytes(), "job ");
        if n % 3 != 2 {
            b.ack(t(3), w, d.delivery).expect("ack");
            acked.insert(n);
        }
    }
    let more = deliveries(&mut b);
    let in_flight: BTreeSet<u64> = got
        .iter()
        .chain(&more)
        .map(|d| number(d.payload.as_bytes(), "job "))
        .filter(|n| !acked.contains(n))
        .collect();
    for i in 0..30 {
        b.produce(
            t(4),
            "events",
            Some(format!("k{}", i % 4).as_bytes()),
            format!("event {i}"),
        )
        .expect("produce");
    }
    let m = b
        .join_group(t(5), "g", "m1", &["events"], group())
        .expect("join");
    let generation = b
        .group_generation(b.group_id("g").expect("g"))
        .expect("gen");
    let recs = b.poll(t(6), m, 7).expect("poll");
    let mut commits = BTreeMap::new();
    for r in &recs {
        commits.insert(r.partition.partition.0, r.offset.0 + 1);
    }
    let offsets: Vec<_> = recs
        .iter()
        .map(|r| (r.partition, Offset(r.offset.0 + 1)))
        .collect();
    b.commit(t(7), "g", "m1", generation, &offsets)
        .expect("commit");
    b.flush().expect("flush");
    let checkpoint = Checkpoint {
        published: 40,
        acked,
        in_flight,
        events: 30,
        commits,
    };
    std::mem::forget(b);

    // Phase two: the same broker carries on after a clean restart, but nothing is synced
    // (the interval never comes round), so none of it is promised.
    let mut b = open(
        &fs,
        SyncPolicy::Interval(std::time::Duration::from_secs(3600)),
    );
    let w = b
        .consume(
            t(10),
            "jobs",
            "w",
            ConsumerConfig::default().with_prefetch(5),
        )
        .expect("consume");
    for i in 40..70 {
        b.publish(t(11), Publish::to_queue("jobs", format!("job {i}")))
            .expect("publish");
        if i % 3 == 0 {
            b.flush().expect("flush");
        }
    }
    for d in deliveries(&mut b) {
        b.ack(t(12), w, d.delivery).expect("ack");
    }
    for i in 30..50 {
        b.produce(
            t(13),
            "events",
            Some(format!("k{}", i % 4).as_bytes()),
            format!("event {i}"),
        )
        .expect("produce");
        b.flush().expect("flush");
    }
    b.flush().expect("flush");
    std::mem::forget(b);
    (fs, checkpoint)
}

/// Recovers from `crashed` and checks everything against the checkpoint; `what` names the
/// crash in messages.
fn check(crashed: &CrashFs, cp: &Checkpoint, what: &str) {
    let (storage, _report) = FileStorage::open_in(crashed.clone(), ROOT, options(SyncPolicy::Os))
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    let (mut b, recovered) =
        Broker::recover(storage, Limits::default()).unwrap_or_else(|e| panic!("{what}: {e}"));
    b.set_event_filter(EventFilter::ALL.without(EventKind::Delivered));

    // The queue: every synced job not acked, none acked, then an unbroken run of later jobs.
    let q = b.queue_id("jobs").expect("jobs");
    let ready = b.queue_stats(q).expect("stats").ready;
    b.consume(t(100), "jobs", "audit", ConsumerConfig::default())
        .expect("consume");
    let got = deliveries(&mut b);
    assert_eq!(got.len(), ready, "{what}: ready count");
    let jobs: BTreeMap<u64, &Delivery> = got
        .iter()
        .map(|d| (number(d.payload.as_bytes(), "job "), d))
        .collect();
    assert_eq!(jobs.len(), got.len(), "{what}: a job twice");
    for n in 0..cp.published {
        assert_eq!(
            jobs.contains_key(&n),
            !cp.acked.contains(&n),
            "{what}: job {n} (acked at the checkpoint: {})\n{recovered}",
            cp.acked.contains(&n)
        );
    }
    for n in &cp.in_flight {
        assert!(
            jobs[n].redelivered,
            "{what}: job {n} should be a redelivery"
        );
    }
    let later: Vec<u64> = jobs
        .keys()
        .copied()
        .filter(|&n| n >= cp.published)
        .collect();
    let unbroken: Vec<u64> = (cp.published..cp.published + later.len() as u64).collect();
    assert_eq!(later, unbroken, "{what}: later jobs");
    let next = b
        .publish(t(101), Publish::to_queue("jobs", "after"))
        .expect("publish after recovery");
    assert!(
        got.iter().all(|d| d.message < next),
        "{what}: message id reused"
    );

    // The stream: each partition an undamaged prefix of what was produced, holding every
    // synced event; the group's commits are the checkpoint's.
    let s = b.stream_id("events").expect("events");
    let mut seen = BTreeSet::new();
    for p in 0..2 {
        let sp = StreamPartition::new(s, p);
        let stats = b.partition_stats(sp).expect("partition");
        let mut last = None;
        for o in stats.bounds.start.0..stats.bounds.end.0 {
            let r = b.stream_record(sp, Offset(o)).expect("readable record");
            let n = number(r.payload.as_bytes(), "event ");
            assert!(last.is_none_or(|l| n > l), "{what}: events out of order");
            last = Some(n);
            seen.insert(n);
        }
    }
    for n in 0..cp.events {
        assert!(seen.contains(&n), "{what}: synced event {n} lost");
    }
    let later = seen.iter().filter(|&&n| n >= cp.events).count() as u64;
    let g = b.group_id("g").expect("group");
    for (&p, &offset) in &cp.commits {
        assert_eq!(
            b.committed(g, StreamPartition::new(s, p)),
            Some(Offset(offset)),
            "{what}: commit of partition {p}"
        );
    }
    assert!(later <= 20, "{what}");
    // Crash again: nothing of this audit reaches the files.
    std::mem::forget(b);
}

fn segment_of(fs: &CrashFs, log: &str) -> Vec<std::path::PathBuf> {
    fs.files()
        .into_keys()
        .filter(|p| p.starts_with(Path::new(ROOT).join("logs").join(log)))
        .filter(|p| p.extension().is_some_and(|x| x == "seg"))
        .collect()
}

#[test]
fn every_cut_of_the_unsynced_queue_tail_recovers_to_the_checkpoint() {
    let (fs, cp) = workload();
    let files = fs.files();
    // The queue's log is log 1; its segment with unsynced bytes is the one cut.
    let seg = segment_of(&fs, "1")
        .into_iter()
        .find(|p| files[p].data.len() > files[p].synced)
        .expect("an unsynced queue segment");
    let (synced, written) = (files[&seg].synced, files[&seg].data.len());
    assert!(written - synced > 300, "{synced}..{written}");
    let tails: [&[u8]; 3] = [
        b"",
        &[0u8; 40],
        b"BLB2\x10\0\0\0garbage after the end of the log",
    ];
    let mut crashes = 0;
    for cut in synced..=written {
        for (i, tail) in tails.iter().enumerate() {
            let crashed = fs.crash(|p, f| {
                if p == seg {
                    let mut d = f.data[..cut].to_vec();
                    d.extend_from_slice(tail);
                    d
                } else {
                    // Everything else loses what was not synced.
                    f.data[..f.synced].to_vec()
                }
            });
            check(&crashed, &cp, &format!("queue cut at {cut} with tail {i}"));
            crashes += 1;
        }
    }
    assert!(crashes > 900, "{crashes}");
}

#[test]
fn every_cut_of_the_unsynced_stream_tails_recovers_to_the_checkpoint() {
    let (fs, cp) = workload();
    let files = fs.files();
    let segs: Vec<_> = segment_of(&fs, "2")
        .into_iter()
        .chain(segment_of(&fs, "3"))
        .filter(|p| files[p].data.len() > files[p].synced)
        .collect();
    assert_eq!(segs.len(), 2, "both partitions have unsynced tails");
    let span = |p: &std::path::PathBuf| (files[p].synced, files[p].data.len());
    let (a0, a1) = span(&segs[0]);
    let (b0, b1) = span(&segs[1]);
    // Cut both partitions, each at every byte, the other one at a point that moves the
    // other way, so many pairs of cut points are tried.
    for (k, cut) in (a0..=a1).enumerate() {
        let other = b1 - (k * 7) % (b1 - b0 + 1);
        let crashed = fs.crash(|p, f| {
            if *p == segs[0] {
                f.data[..cut].to_vec()
            } else if *p == segs[1] {
                let mut d = f.data[..other].to_vec();
                d.extend_from_slice(&[0xFF; 9]);
                d
            } else {
                f.data[..f.synced].to_vec()
            }
        });
        check(&crashed, &cp, &format!("stream cuts at {cut} and {other}"));
    }
}

#[test]
fn losing_only_what_was_not_synced_keeps_the_checkpoint_exactly() {
    let (fs, cp) = workload();
    let crashed = fs.crash_unsynced();
    check(&crashed, &cp, "clean cut at the synced length");
    // And a second recovery of the recovered folder changes nothing.
    check(&crashed, &cp, "recovered twice");
}

/// A partition's (start, end), the bytes the broker counts, and the bytes it really holds.
fn partition_bytes(b: &Broker<FileStorage<CrashFs>>, stream: &str) -> (u64, u64, u64, u64) {
    let sp = StreamPartition::new(b.stream_id(stream).expect("stream"), 0);
    let stats = b.partition_stats(sp).expect("stats");
    let real = (stats.bounds.start.0..stats.bounds.end.0)
        .map(|o| {
            b.stream_record(sp, Offset(o))
                .expect("record")
                .payload
                .len() as u64
        })
        .sum();
    (stats.bounds.start.0, stats.bounds.end.0, stats.bytes, real)
}

#[test]
fn saved_counts_of_a_log_cut_and_grown_again_are_not_trusted() {
    // 10 records of 10 bytes, a batch and a flush each: the counts saved say end 10, 100 bytes.
    let fs = CrashFs::new();
    let mut b = open(&fs, SyncPolicy::EveryBatch);
    b.declare_stream(t(0), "s", StreamConfig::new(1))
        .expect("stream");
    for i in 0..10 {
        b.produce(t(i), "s", None, "aaaaaaaaaa").expect("produce");
        b.flush().expect("flush");
    }
    std::mem::forget(b);
    // The log loses its tail (damage, or a power cut under `SyncPolicy::Os`); the metadata
    // journal does not.
    let fs = fs.crash(|p, f| {
        let mut d = f.data.clone();
        if p.extension().is_some_and(|e| e == "seg") {
            d.truncate(d.len() - 40);
        }
        d
    });
    // Recovery counts again; the log then grows back to its old end with other records,
    // written by a flush whose metadata waits for an interval sync that never comes.
    let mut b = open(
        &fs,
        SyncPolicy::Interval(std::time::Duration::from_secs(3600)),
    );
    let (_, end, bytes, real) = partition_bytes(&b, "s");
    assert!(end < 10);
    assert_eq!(bytes, real, "after the cut");
    for i in end..10 {
        b.produce(t(100 + i), "s", None, "b").expect("produce");
    }
    b.flush().expect("flush");
    std::mem::forget(b);
    // The process crashes; everything written survives, with the old counts still saved.
    let fs = fs.crash(|_, f| f.data.clone());
    let b = open(&fs, SyncPolicy::Os);
    let (start, end, bytes, real) = partition_bytes(&b, "s");
    assert_eq!((start, end), (0, 10));
    assert_eq!(bytes, real, "the saved counts were of other records");
}
