//! The storage backends the pattern tests run on: [`MemoryStorage`], [`FileStorage`] (in a
//! fresh temporary folder, with small segments so the tests roll, index and delete segment
//! files; see [`file_options`]), and `FileStorage` over a crash-testing file system, stopped
//! as by a `kill -9` (see the `impl Backend for FileStorage<CrashFs>`).
//!
//! A test body is a generic `fn name<S: Storage>(broker: &mut Broker<S>)`; [`Backend::run`]
//! hands it a new broker over the backend, then flushes that broker and restarts it: the
//! storage is handed over again (memory), the folder closed and opened again (files), or the
//! process killed and what was synced opened again (killed), and a broker recovered from it
//! must hold the same queues, messages, streams and commits. A test that needs several
//! brokers is a `fn name<S: Backend>()` making them itself. A test file says which bodies to
//! run with [`on_every_backend!`](crate::on_every_backend), which makes the modules `memory`,
//! `file` and `killed` with one `#[test]` per body, so a failure names its backend
//! (`killed::name`).

#![allow(dead_code, unreachable_pub)]

#[path = "crash_fs.rs"]
pub mod crash_fs;
#[path = "temp_dir.rs"]
mod temp_dir;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use brokerlab::storage::{FileOptions, FileStorage, SyncPolicy};
use brokerlab::{
    Broker, Limits, LogId, MemoryStorage, MessageId, Storage, StreamPartition, Target,
};
pub use temp_dir::TempDir;

/// A storage backend a broker test can run on.
pub trait Backend: Storage + Sized {
    /// Its name, for failure messages.
    const NAME: &'static str;

    /// A fresh, empty storage; `label` names its temporary folder, if it has one (the folder
    /// lives as long as the returned guard).
    fn fresh(label: &str) -> (Self, Option<TempDir>);

    /// The same storage as a restarted process finds it: the folder closed and opened again
    /// (the reopening must find nothing to repair), or the same memory handed over.
    fn reopen(self) -> Self;

    /// Runs `test` on a new broker with `limits` over a fresh storage, then flushes the broker
    /// and checks that a broker recovered from the storage holds the same state (see
    /// [`durable_state`]). Returns what `test` returned.
    #[track_caller]
    fn run<R>(label: &str, limits: Limits, test: impl FnOnce(&mut Broker<Self>) -> R) -> R {
        let (storage, _dir) = Self::fresh(label);
        let mut broker = Broker::with_limits(storage, limits);
        let result = test(&mut broker);
        restart_and_compare(broker, limits);
        result
    }
}

/// The file backend's settings in tests: segments of 4 KiB, batches of 1 KiB and an index
/// entry every 256 bytes, so that even short tests write several batches, seal segments and
/// delete them once acknowledged or retained past. Nothing is synced ([`SyncPolicy::Os`]):
/// these tests restart the process, not the machine, so what they see is the same under every
/// policy, and waiting for the disk at each flush would make their run time that of the disk
/// (several seconds under load). Syncing and power loss are the crash tests' job.
pub fn file_options() -> FileOptions {
    FileOptions {
        segment_bytes: 4 << 10,
        batch_bytes: 1 << 10,
        index_interval: 256,
        sync: SyncPolicy::Os,
    }
}

impl Backend for MemoryStorage {
    const NAME: &'static str = "MemoryStorage";

    fn fresh(_label: &str) -> (Self, Option<TempDir>) {
        (MemoryStorage::new(), None)
    }

    fn reopen(self) -> Self {
        // Keeps `records_held` honest: it must see every log this storage has.
        assert_eq!(records_held(&self), self.record_count() as u64);
        self
    }
}

impl Backend for FileStorage {
    const NAME: &'static str = "FileStorage";

    fn fresh(label: &str) -> (Self, Option<TempDir>) {
        let dir = TempDir::new(label);
        let (storage, report) = FileStorage::open(dir.path(), file_options())
            .unwrap_or_else(|e| panic!("FileStorage: {e}"));
        assert!(
            report.is_clean(),
            "FileStorage: a new folder needs repair: {report:?}"
        );
        (storage, Some(dir))
    }

    fn reopen(self) -> Self {
        let dir: PathBuf = self.dir().to_path_buf();
        drop(self);
        let (storage, report) =
            FileStorage::open(&dir, file_options()).unwrap_or_else(|e| panic!("FileStorage: {e}"));
        assert!(
            report.is_clean(),
            "FileStorage: reopening after a flush had to repair: {report:?}"
        );
        storage
    }
}

/// Where the crash backend's storage lives in its [`CrashFs`](crash_fs::CrashFs).
const CRASH_ROOT: &str = "/broker";

/// The file backend stopped the hard way: `FileStorage` over a [`crash_fs::CrashFs`] that
/// syncs at every flush ([`SyncPolicy::EveryBatch`]); a restart forgets the storage without
/// dropping it (no final flush, no index files saved: a `kill -9` right after the flush) and
/// opens what the crash kept of the files: only what was synced, as after a power cut, the
/// harder of the two (a `kill -9` alone keeps what was written too). The recovered broker
/// must hold the same state as after a clean restart.
impl Backend for FileStorage<crash_fs::CrashFs> {
    const NAME: &'static str = "FileStorage killed after a flush";

    fn fresh(_label: &str) -> (Self, Option<TempDir>) {
        let (storage, _) =
            FileStorage::open_in(crash_fs::CrashFs::new(), CRASH_ROOT, crash_options())
                .unwrap_or_else(|e| panic!("{}: {e}", Self::NAME));
        (storage, None)
    }

    fn reopen(self) -> Self {
        let crashed = self.fs().crash_unsynced();
        std::mem::forget(self);
        let (storage, report) = FileStorage::open_in(crashed, CRASH_ROOT, crash_options())
            .unwrap_or_else(|e| panic!("{}: {e}", Self::NAME));
        assert!(
            report.is_clean(),
            "{}: a crash after a synced flush had to repair: {report}",
            Self::NAME
        );
        storage
    }
}

/// [`file_options`], synced at every flush.
fn crash_options() -> FileOptions {
    FileOptions {
        sync: SyncPolicy::EveryBatch,
        ..file_options()
    }
}

/// The highest log id [`records_held`] looks at: the broker numbers logs from 1 up, one per
/// queue or stream partition ever declared, and no test here declares this many.
const MAX_LOG: u64 = 1024;

/// How many records `storage` holds in all its logs: what [`MemoryStorage::record_count`]
/// says, asked through the [`Storage`] trait so it works on every backend.
pub fn records_held<S: Storage>(storage: &S) -> u64 {
    (1..=MAX_LOG)
        .filter_map(|log| Some((LogId(log), storage.bounds(LogId(log)).ok()?)))
        .map(|(log, b)| {
            // Offsets removed from inside the log (compaction) hold no record.
            (b.start.0..b.end.0)
                .filter(|&o| {
                    storage.next_record(log, brokerlab::Offset(o)).ok()
                        == Some(brokerlab::Offset(o))
                })
                .count() as u64
        })
        .sum()
}

/// Flushes `broker`, restarts it over its storage and asserts the recovered broker's
/// [`durable_state`] equals the one before.
#[track_caller]
pub fn restart_and_compare<S: Backend>(mut broker: Broker<S>, limits: Limits) {
    broker
        .flush()
        .unwrap_or_else(|e| panic!("{}: flush failed: {e}", S::NAME));
    let before = durable_state(&broker);
    let storage = broker.into_storage().reopen();
    let (recovered, report) = Broker::recover(storage, limits)
        .unwrap_or_else(|e| panic!("{}: recovery failed: {e}", S::NAME));
    assert!(
        report.skipped.is_empty(),
        "{}: recovery skipped {:?}",
        S::NAME,
        report.skipped
    );
    let after = durable_state(&recovered);
    if before != after {
        panic!(
            "{}: the recovered broker differs from the flushed one.\n--- flushed ---\n{before}--- recovered ---\n{after}",
            S::NAME
        );
    }
}

/// What a restart must keep, in words: exchanges and their bindings to queues; per queue its
/// log end and every message it holds (ready or delivered and unacknowledged; the latter are
/// ready again after a restart) with its delivery count, and the payloads of the oldest and
/// newest of them; per stream partition its bounds, bytes and oldest timestamp; per group its
/// generation and committed offsets; the next message id and the broker's time. Connections
/// (consumers, subscriptions, stream consumers, group members) are not restored and not
/// listed.
pub fn durable_state<S: Storage>(b: &Broker<S>) -> String {
    let mut out = String::new();
    writeln!(out, "next {} at {}", b.next_message_id(), b.now()).unwrap();
    for x in b.exchanges() {
        let name = b.exchange_name(x).unwrap_or("?");
        writeln!(out, "exchange {x} {name:?} {:?}", b.exchange_kind(x)).unwrap();
        for binding in b.bindings(x) {
            if let Target::Queue(q) = binding.target {
                writeln!(out, "  binding {} -> {q} {:?}", binding.id, binding.key).unwrap();
            }
        }
    }
    for q in b.queues() {
        let name = b.queue_name(q).unwrap_or("?");
        let enqueued = b.queue_stats(q).map(|s| s.enqueued);
        writeln!(out, "queue {q} {name:?} end={enqueued:?}").unwrap();
        let mut held: BTreeMap<MessageId, u32> = b
            .ready_messages(q)
            .iter()
            .map(|r| (r.message, r.delivery_count))
            .collect();
        for c in b.queue_consumers(q) {
            for u in b.unacked(c) {
                held.insert(u.message, u.delivery_count);
            }
        }
        // Payloads of the oldest and newest only: each look-up scans the queue's log.
        let ends = [held.keys().next(), held.keys().next_back()].map(|m| m.copied());
        for (m, count) in held {
            write!(out, "  {m} delivered={count}").unwrap();
            if ends.contains(&Some(m)) {
                write!(out, " {:?}", b.message_payload(q, m)).unwrap();
            }
            writeln!(out).unwrap();
        }
    }
    for s in b.streams() {
        let name = b.stream_name(s).unwrap_or("?");
        let partitions = b.stream_config(s).map_or(0, |c| c.partitions);
        writeln!(out, "stream {s} {name:?}").unwrap();
        for p in 0..partitions {
            let sp = StreamPartition::new(s, p);
            let stats = b.partition_stats(sp);
            writeln!(out, "  {sp} {stats:?}").unwrap();
            // The surviving records (a compacted log has gaps), with keys and headers; the
            // first 256 of each partition.
            let Some(bounds) = stats.map(|s| s.bounds) else {
                continue;
            };
            let records = (bounds.start.0..bounds.end.0)
                .filter_map(|o| b.stream_record(sp, brokerlab::Offset(o)))
                .take(256);
            for r in records {
                writeln!(
                    out,
                    "    {} {} key={:?} headers={:?} {:?}",
                    r.offset, r.message, r.key, r.headers, r.payload
                )
                .unwrap();
            }
        }
    }
    for g in b.groups() {
        let name = b.group_name(g).unwrap_or("?");
        writeln!(out, "group {g} {name:?} gen={:?}", b.group_generation(g)).unwrap();
        for s in b.streams() {
            let partitions = b.stream_config(s).map_or(0, |c| c.partitions);
            for p in 0..partitions {
                let sp = StreamPartition::new(s, p);
                if let Some(o) = b.committed(g, sp) {
                    writeln!(out, "  committed {sp} {o}").unwrap();
                }
            }
        }
    }
    out
}

/// Makes, for each generic test body named, a `#[test]` in a module `memory` (over
/// [`MemoryStorage`]), one in a module `file` (over [`FileStorage`]) and one in a module
/// `killed` (over `FileStorage<CrashFs>`, restarted as after a `kill -9`). Two kinds of body:
///
/// - after `broker:`, `fn name<S: Storage>(broker: &mut Broker<S>) -> Result<(), Error>`,
///   run through [`Backend::run`] with [`Limits::default`] (`name with LIMITS` for others);
/// - after `generic:`, `fn name<S: Backend>()`, for a test that makes its brokers itself
///   (with [`Backend::run`], or [`Backend::fresh`] and [`restart_and_compare`]);
/// - after `transcript:`, the name of a transcript file, `core/tests/transcripts/NAME.txt`,
///   checked with `support::check_with` (`name with LIMITS` as above). The test file must
///   then declare `mod support` (instead of this file) and `use support::backend`.
///
/// The test file must declare this file as `mod backend` at its root (or reach it as
/// `backend` through `mod support`).
///
/// ```ignore
/// #[path = "support/backend.rs"]
/// mod backend;
///
/// on_every_backend! {
///     broker: retention_works, limits_are_errors with super::tight_limits();
///     generic: batch_equals_loop;
///     transcript: retention_advances_the_log_start;
/// }
/// ```
#[macro_export]
macro_rules! on_every_backend {
    (@limits) => { brokerlab::Limits::default() };
    (@limits $limits:expr) => { $limits };
    (@tests $backend:ty;
        $(broker: $($name:ident $(with $limits:expr)?),+ ;)?
        $(generic: $($generic:ident),+ ;)?
        $(transcript: $($transcript:ident $(with $tlimits:expr)?),+ ;)?
    ) => {
        $($(
            #[test]
            fn $name() -> Result<(), brokerlab::Error> {
                let limits = $crate::on_every_backend!(@limits $($limits)?);
                <$backend as super::backend::Backend>::run(stringify!($name), limits, super::$name)
            }
        )+)?
        $($(
            #[test]
            fn $generic() {
                super::$generic::<$backend>();
            }
        )+)?
        $($(
            #[test]
            fn $transcript() {
                let limits = $crate::on_every_backend!(@limits $($tlimits)?);
                $crate::support::check_with::<$backend>(stringify!($transcript), limits);
            }
        )+)?
    };
    ($($tests:tt)*) => {
        mod memory {
            $crate::on_every_backend!(@tests brokerlab::MemoryStorage; $($tests)*);
        }
        mod file {
            $crate::on_every_backend!(@tests brokerlab::storage::FileStorage; $($tests)*);
        }
        mod killed {
            $crate::on_every_backend!(
                @tests brokerlab::storage::FileStorage<super::backend::crash_fs::CrashFs>;
                $($tests)*
            );
        }
    };
}
