//! `FileStorage` on its own: records and metadata survive a reopen, segments roll and are
//! removed as the prefix drops, indexes are rebuilt, and a crash cut at any byte of the
//! unsynced tail loses only whole unsynced batches and never returns a damaged record.

#[path = "support/crash_fs.rs"]
mod crash_fs;
#[path = "support/temp_dir.rs"]
mod temp_dir;

use std::sync::Arc;

use brokerlab::storage::{Damage, FileOptions, FileStorage, SyncPolicy};
use brokerlab::{
    Duration, Instant, LogId, MessageId, MessageMeta, Offset, Record, Storage, StorageError,
};
use crash_fs::CrashFs;
use temp_dir::TempDir;

const LOG: LogId = LogId(1);

fn record(i: u64) -> Record {
    let meta = i.is_multiple_of(3).then(|| {
        Arc::new(MessageMeta {
            routing_key: format!("key.{i}"),
            headers: vec![("n".into(), i.to_string())],
            ttl: i.is_multiple_of(2).then(|| Duration::from_millis(i)),
            key: i.is_multiple_of(5).then(|| format!("k{i}").into()),
        })
    });
    Record {
        message: MessageId(i + 1),
        timestamp: Instant::from_millis(i * 10),
        payload: format!("payload {i} {}", "x".repeat((i % 40) as usize)).into(),
        meta,
    }
}

fn small() -> FileOptions {
    FileOptions {
        segment_bytes: 2_000,
        batch_bytes: 700,
        index_interval: 256,
        sync: SyncPolicy::EveryBatch,
    }
}

fn read_all<S: Storage>(s: &S, log: LogId) -> Vec<Record> {
    let b = s.bounds(log).expect("log");
    let mut out = Vec::new();
    s.read_range(log, b.start, usize::MAX, &mut out)
        .expect("read");
    out
}

#[test]
fn records_and_metadata_survive_a_reopen() {
    let dir = TempDir::new("reopen");
    let (mut s, report) = FileStorage::open(dir.path(), small()).expect("open");
    assert!(report.is_clean() && report.logs.is_empty());
    s.create_log(LOG).expect("create");
    for i in 0..200 {
        assert_eq!(s.append(LOG, record(i)).expect("append"), Offset(i));
        if i % 7 == 6 {
            s.flush().expect("flush");
        }
    }
    // Records not yet flushed are readable too.
    assert_eq!(s.read(LOG, Offset(199)).expect("pending"), record(199));
    s.put_meta("queue/jobs", b"one").expect("put");
    s.put_meta("group/g/s/0", &7u64.to_le_bytes()).expect("put");
    s.put_meta("gone", b"x").expect("put");
    s.flush().expect("flush");
    s.delete_meta("gone").expect("delete");
    s.drop_prefix(LOG, Offset(120)).expect("drop");
    s.flush().expect("flush");
    let (files, segments) = s.log_files(LOG).expect("files");
    assert!(segments > 1 && files > 0, "{segments} segments");
    drop(s);

    let (s, report) = FileStorage::open(dir.path(), small()).expect("reopen");
    assert!(report.is_clean(), "{report}");
    let b = s.bounds(LOG).expect("bounds");
    assert_eq!((b.start, b.end), (Offset(120), Offset(200)));
    assert_eq!(
        read_all(&s, LOG),
        (120..200).map(record).collect::<Vec<_>>()
    );
    assert_eq!(s.read(LOG, Offset(150)).expect("read"), record(150));
    assert_eq!(
        s.read(LOG, Offset(119)),
        Err(StorageError::OutOfRange {
            log: LOG,
            offset: Offset(119)
        })
    );
    assert_eq!(
        s.get_meta("queue/jobs").expect("get"),
        Some(b"one".to_vec())
    );
    assert_eq!(
        s.get_meta("group/g/s/0").expect("get"),
        Some(7u64.to_le_bytes().to_vec())
    );
    assert_eq!(s.get_meta("gone").expect("get"), None);
}

#[test]
fn dropped_segments_leave_the_disk() {
    let dir = TempDir::new("segments");
    let (mut s, _) = FileStorage::open(dir.path(), small()).expect("open");
    s.create_log(LOG).expect("create");
    for i in 0..1_000 {
        s.append(LOG, record(i)).expect("append");
        s.flush().expect("flush");
    }
    let (_, before) = s.log_files(LOG).expect("files");
    s.drop_prefix(LOG, Offset(990)).expect("drop");
    let (bytes, after) = s.log_files(LOG).expect("files");
    assert!(before > 20 && after <= 2, "{before} → {after} segments");
    assert!(bytes < 4_000, "{bytes} bytes left");
    let seg_files = std::fs::read_dir(dir.path().join("logs/1"))
        .expect("dir")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "seg"))
        })
        .count();
    assert_eq!(seg_files, after);
    s.delete_log(LOG).expect("delete");
    assert!(!dir.path().join("logs/1").exists());
}

#[test]
fn a_missing_index_is_rebuilt_and_reads_still_work() {
    let dir = TempDir::new("index");
    let (mut s, _) = FileStorage::open(dir.path(), small()).expect("open");
    s.create_log(LOG).expect("create");
    for i in 0..300 {
        s.append(LOG, record(i)).expect("append");
        if i % 10 == 9 {
            s.flush().expect("flush");
        }
    }
    drop(s);
    let mut removed = 0;
    for e in std::fs::read_dir(dir.path().join("logs/1")).expect("dir") {
        let p = e.expect("entry").path();
        if p.extension().is_some_and(|x| x == "idx") {
            std::fs::remove_file(p).expect("remove");
            removed += 1;
        }
    }
    assert!(removed > 1);
    let (s, report) = FileStorage::open(dir.path(), small()).expect("reopen");
    let log = report.log(LOG).expect("report");
    assert_eq!(log.indexes_rebuilt, removed);
    assert!(!log.dropped_anything(), "{report}");
    assert_eq!(read_all(&s, LOG), (0..300).map(record).collect::<Vec<_>>());
}

#[test]
fn a_flipped_byte_is_reported_never_returned() {
    let fs = CrashFs::new();
    let (mut s, _) = FileStorage::open_in(fs.clone(), "/db", small()).expect("open");
    s.create_log(LOG).expect("create");
    for i in 0..40 {
        s.append(LOG, record(i)).expect("append");
        s.flush().expect("flush");
    }
    drop(s);
    // Damage a byte in the middle of the first segment's payloads.
    let seg = fs
        .files()
        .into_keys()
        .find(|p| p.to_string_lossy().ends_with("00000000000000000000.seg"))
        .expect("segment");
    let damaged = fs.crash(|p, f| {
        let mut d = f.data.clone();
        if p == seg {
            d[100] ^= 0x40;
        }
        d
    });
    let (s, _) = FileStorage::open_in(damaged, "/db", small()).expect("reopen");
    let mut corrupt = 0;
    for i in 0..40 {
        match s.read(LOG, Offset(i)) {
            Ok(r) => assert_eq!(r, record(i)),
            Err(StorageError::Corrupt { .. }) => corrupt += 1,
            Err(e) => panic!("{e}"),
        }
    }
    assert!(corrupt > 0);
    // Reading a range (whole batches are decoded straight into `out`) stops at the damage
    // with the same error, after only good records.
    let mut out = Vec::new();
    let err = s.read_range(LOG, Offset(0), usize::MAX, &mut out);
    assert!(matches!(err, Err(StorageError::Corrupt { .. })), "{err:?}");
    assert!(out.len() < 40);
    assert_eq!(out, (0..out.len() as u64).map(record).collect::<Vec<_>>());
}

#[test]
fn a_segment_of_another_format_version_is_refused_not_cut() {
    let fs = CrashFs::new();
    let (mut s, _) = FileStorage::open_in(fs.clone(), "/db", small()).expect("open");
    s.create_log(LOG).expect("create");
    for i in 0..10 {
        s.append(LOG, record(i)).expect("append");
    }
    drop(s);
    for (old, version) in [(*b"BLB1", '1'), (*b"BLB9", '9')] {
        let seg: std::path::PathBuf = "/db/logs/1/00000000000000000000.seg".into();
        let other = fs.crash(|p, f| {
            let mut d = f.data.clone();
            if p == seg {
                d[..4].copy_from_slice(&old);
            }
            d
        });
        let len = other.files()[&seg].data.len();
        let err = FileStorage::open_in(other.clone(), "/db", small()).expect_err("refused");
        let message = err.to_string();
        assert!(
            message.contains(&format!("format BLB{version}")) && message.contains("BLB2"),
            "{message}"
        );
        assert_eq!(other.files()[&seg].data.len(), len, "the segment was cut");
    }
}

/// Writes `synced` records, synced, then `unsynced` more in small batches written but not
/// synced; returns the file system and the active segment's path.
fn synced_then_written(synced: u64, unsynced: u64) -> (CrashFs, std::path::PathBuf, usize) {
    let fs = CrashFs::new();
    let mut options = small();
    options.segment_bytes = 1 << 20;
    let (mut s, _) = FileStorage::open_in(fs.clone(), "/db", options).expect("open");
    s.create_log(LOG).expect("create");
    for i in 0..synced {
        s.append(LOG, record(i)).expect("append");
        if i % 5 == 4 {
            s.flush().expect("flush");
        }
    }
    s.sync_now().expect("sync");
    let seg: std::path::PathBuf = "/db/logs/1/00000000000000000000.seg".into();
    let synced_len = fs.files()[&seg].synced;
    let mut options_os = options;
    options_os.sync = SyncPolicy::Os;
    drop(s);
    let (mut s, _) = FileStorage::open_in(fs.clone(), "/db", options_os).expect("reopen");
    for i in synced..synced + unsynced {
        s.append(LOG, record(i)).expect("append");
        if i % 3 == 2 {
            s.flush().expect("flush");
        }
    }
    s.flush().expect("flush");
    // A crash happens before the storage is dropped (dropping would sync).
    std::mem::forget(s);
    (fs, seg, synced_len)
}

#[test]
fn a_crash_cut_at_any_byte_keeps_every_synced_record_and_no_torn_one() {
    let (fs, seg, synced_len) = synced_then_written(50, 30);
    let written = fs.files()[&seg].data.clone();
    assert!(written.len() > synced_len + 500);
    // (end position, end offset) of every batch in the file.
    let mut boundaries = vec![(synced_len, 50u64)];
    let mut pos = synced_len;
    while pos < written.len() {
        let word = |at: usize| u32::from_le_bytes(written[at..at + 4].try_into().expect("4 bytes"));
        let end = boundaries.last().expect("one").1 + u64::from(word(pos + 20));
        pos += 24 + word(pos + 4) as usize;
        boundaries.push((pos, end));
    }
    assert_eq!(boundaries.last(), Some(&(written.len(), 80)));
    let garbage: &[&[u8]] = &[
        b"",
        b"\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0",
        b"BLB2\xff\xff\xff\x7fgarbage after the end",
    ];
    let mut cuts = 0;
    for cut in synced_len..=written.len() {
        for tail in garbage {
            let crashed = fs.crash(|p, f| {
                if p == seg {
                    let mut d = written[..cut].to_vec();
                    d.extend_from_slice(tail);
                    d
                } else {
                    f.data.clone()
                }
            });
            let (s, report) = FileStorage::open_in(crashed, "/db", small()).expect("reopen");
            let got = read_all(&s, LOG);
            assert!(got.len() >= 50, "cut {cut}: only {} records", got.len());
            for (i, r) in got.iter().enumerate() {
                assert_eq!(*r, record(i as u64), "cut {cut}: record {i}");
            }
            let log = report.log(LOG).expect("report");
            // Batches wholly before the cut are kept; garbage can at most complete the next.
            let kept = boundaries
                .iter()
                .rev()
                .find(|b| b.0 <= cut)
                .map_or(0, |b| b.1);
            let next = boundaries.iter().find(|b| b.0 > cut).map_or(kept, |b| b.1);
            let n = got.len() as u64;
            assert!(
                n >= kept && n <= next,
                "cut {cut}: {n} records, {kept} whole"
            );
            let at_boundary = boundaries.iter().any(|b| b.0 == cut);
            if at_boundary && tail.is_empty() {
                assert!(report.is_clean(), "cut {cut}: {report}");
            } else {
                assert!(log.damage.is_some() || n > kept, "cut {cut}: {report}");
            }
            if let Some((_, at, damage)) = log.damage {
                // Garbage may complete a cut batch byte for byte (its last byte is often 0).
                assert!(
                    at as usize <= cut + tail.len(),
                    "cut {cut} of {} (synced {synced_len}): damage at {at}: {report}",
                    written.len()
                );
                assert!(matches!(
                    damage,
                    Damage::Torn | Damage::BadHeader | Damage::BadChecksum
                ));
            }
            cuts += 1;
        }
    }
    assert!(cuts > 1_500, "{cuts} crash points");
}

#[test]
fn unsynced_metadata_changes_are_lost_whole_never_half() {
    let fs = CrashFs::new();
    let mut options = small();
    options.sync = SyncPolicy::Os;
    let (mut s, _) = FileStorage::open_in(fs.clone(), "/db", options).expect("open");
    s.put_meta("a", b"old").expect("put");
    s.put_meta("b", b"kept").expect("put");
    s.sync_now().expect("sync");
    s.put_meta("a", b"new value").expect("put");
    s.delete_meta("b").expect("delete");
    s.flush().expect("flush");
    std::mem::forget(s);
    let journal: std::path::PathBuf = "/db/meta/journal.0".into();
    let (synced, written) = {
        let f = &fs.files()[&journal];
        (f.synced, f.data.len())
    };
    assert!(written > synced);
    let mut states = Vec::new();
    for cut in synced..=written {
        let crashed = fs.crash(|p, f| {
            if p == journal {
                f.data[..cut].to_vec()
            } else {
                f.data.clone()
            }
        });
        let (s, report) = FileStorage::open_in(crashed, "/db", small()).expect("reopen");
        let a = s.get_meta("a").expect("get");
        let b = s.get_meta("b").expect("get");
        // Each change is whole or absent, in order.
        let state = match (a.as_deref(), b.as_deref()) {
            (Some(b"old"), Some(b"kept")) => 0,
            (Some(b"new value"), Some(b"kept")) => 1,
            (Some(b"new value"), None) => 2,
            other => panic!("cut {cut}: {other:?}"),
        };
        // Nothing is cut exactly at an entry boundary: where a change has just become whole.
        let at_boundary = cut == synced || states.last().is_some_and(|&(_, last)| last < state);
        assert_eq!(
            report.meta_journal_cut == 0,
            at_boundary,
            "cut {cut}: {report}"
        );
        states.push((cut, state));
    }
    assert!(
        states.windows(2).all(|w| w[0].1 <= w[1].1),
        "changes apply in order"
    );
    let states: std::collections::BTreeSet<u8> = states.iter().map(|&(_, s)| s).collect();
    assert_eq!(states.len(), 3, "every state was seen");
}

#[test]
fn the_journal_is_compacted_into_a_snapshot_and_both_survive_a_reopen() {
    let dir = TempDir::new("compact");
    let (mut s, _) = FileStorage::open(dir.path(), small()).expect("open");
    s.create_log(LOG).expect("create");
    for i in 0..3_000u64 {
        s.put_meta(&format!("group/g/s/{}", i % 50), &i.to_le_bytes())
            .expect("put");
        s.append(LOG, record(i)).expect("append");
        s.drop_prefix(LOG, Offset(i / 2)).expect("drop");
        s.flush().expect("flush");
    }
    let names: Vec<String> = std::fs::read_dir(dir.path().join("meta"))
        .expect("meta")
        .map(|e| e.expect("entry").file_name().into_string().expect("name"))
        .collect();
    assert!(
        names.iter().any(|n| n.starts_with("snapshot.")) && names.len() == 2,
        "{names:?}"
    );
    drop(s);
    let (s, report) = FileStorage::open(dir.path(), small()).expect("reopen");
    assert!(report.is_clean(), "{report}");
    for k in 0..50u64 {
        let last = 2_950 + k;
        assert_eq!(
            s.get_meta(&format!("group/g/s/{k}")).expect("get"),
            Some(last.to_le_bytes().to_vec())
        );
    }
    assert_eq!(s.bounds(LOG).expect("bounds").start, Offset(1_499));
}

#[test]
fn a_folder_in_use_cannot_be_opened_twice() {
    let dir = TempDir::new("lock");
    let (s, _) = FileStorage::open(dir.path(), small()).expect("open");
    let e = FileStorage::open(dir.path(), small()).expect_err("second open");
    assert!(
        e.to_string()
            .contains("another FileStorage has this folder open"),
        "{e}"
    );
    drop(s);
    FileStorage::open(dir.path(), small()).expect("open after the first closed");
}

#[test]
fn a_record_too_big_for_a_batch_is_refused_and_nothing_changes() {
    let dir = TempDir::new("too-big");
    let (mut s, _) = FileStorage::open(dir.path(), small()).expect("open");
    s.create_log(LOG).expect("create");
    s.append(LOG, record(0)).expect("append");
    let huge = Record {
        payload: vec![7u8; 17 << 20].into(),
        ..record(1)
    };
    assert_eq!(s.append(LOG, huge), Err(StorageError::Full));
    assert_eq!(s.append(LOG, record(1)).expect("append"), Offset(1));
    s.flush().expect("flush");
    assert_eq!(read_all(&s, LOG), vec![record(0), record(1)]);
}
