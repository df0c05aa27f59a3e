//! `FileStorage` against plain buffered files, one thread, 100-byte records, in one run:
//!
//! - **appends**: batches of 100, 1,000 and 10,000 records through the `Storage` trait
//!   (`append` per record, `flush` once per batch) against writing the same payload bytes
//!   (100 per record) through a `BufWriter<File>`; both synced at every batch boundary
//!   (`SyncPolicy::EveryBatch` against `flush` + `sync_data`) or both left to the operating
//!   system (`SyncPolicy::Os` against `flush`), which shows the cost of the format itself;
//! - **cold read** of a 1 GB log (10 M records): the page cache dropped, then
//!   `FileStorage::open` (recovery with the indexes present) and `read_range` of every record
//!   in chunks of 4096, against reading the same segment files with a `BufReader<File>`.
//!
//! Rounds are interleaved (round 1 of every case, then round 2, …) and each figure is the
//! median with the spread (min–max) of the rounds. Both baselines use a 1 MiB buffer, the size
//! of `FileStorage`'s batches (`FileOptions::batch_bytes`), so both sides make syscalls of the
//! same size.
//!
//! Run: `cargo bench -p brokerlab --bench file_storage`. `BROKERLAB_BENCH_QUICK=1` makes a
//! smoke test of it (fewer records, a 100 MB log). Files go to a folder under
//! `BROKERLAB_BENCH_DIR` (default: the target directory's `tmp`), removed at the end.
//! `-- --profile append <batch> <records>` (also `append-sync`, `baseline`, `baseline-sync`),
//! `-- --profile read <records>` (warm cache) or `-- --profile crc` runs one piece alone for a
//! profiler.
//!
//! One file on purpose (about 690 lines): both sides of each comparison must be read side by
//! side with the same setup to trust the ratio.

#![allow(missing_docs)]

#[path = "support/scratch.rs"]
mod scratch;

use std::fs::{self, File};
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration as StdDuration, Instant as WallInstant};

use brokerlab::storage::{FileOptions, FileStorage, SyncPolicy, crc32c};
use brokerlab::{Instant, LogId, MessageId, Offset, Payload, Record, Storage};

use scratch::Scratch;

const LOG: LogId = LogId(1);
const PAYLOAD_BYTES: usize = 100;
const BATCHES: [usize; 3] = [100, 1_000, 10_000];
/// Records per `read_range` call in the cold read.
const READ_CHUNK: usize = 4096;
/// Records per batch when writing the log for the cold read.
const FILL_BATCH: usize = 10_000;

/// Appends `records` records of `payload` (ids and times 1, 2, …), flushing after every
/// `batch` of them.
fn append_in_batches(s: &mut FileStorage, records: usize, batch: usize, payload: &Payload) {
    let mut id = 0;
    let mut left = records;
    while left > 0 {
        let k = left.min(batch);
        for _ in 0..k {
            id += 1;
            let record = Record {
                message: MessageId(id),
                timestamp: Instant::from_millis(id),
                payload: payload.clone(),
                meta: None,
            };
            s.append(LOG, record).expect("append");
        }
        s.flush().expect("flush");
        left -= k;
    }
}

/// How much work each measurement does.
struct Plan {
    /// Records per append measurement without sync.
    append_records: usize,
    /// A synced measurement stops after this many batches (a sync can cost milliseconds, so
    /// 2 M records in batches of 100 could take a minute per round).
    synced_batches: usize,
    append_rounds: usize,
    read_records: usize,
    read_rounds: usize,
}

impl Plan {
    fn new(quick: bool) -> Plan {
        if quick {
            Plan {
                append_records: 200_000,
                synced_batches: 100,
                append_rounds: 3,
                read_records: 1_000_000,
                read_rounds: 3,
            }
        } else {
            Plan {
                append_records: 2_000_000,
                synced_batches: 1_000,
                append_rounds: 5,
                read_records: 10_000_000,
                read_rounds: 5,
            }
        }
    }

    fn records(&self, batch: usize, synced: bool) -> usize {
        if synced {
            self.append_records.min(batch * self.synced_batches)
        } else {
            self.append_records
        }
    }
}

fn payload() -> Payload {
    Payload::from(&[b'x'; PAYLOAD_BYTES])
}

/// Appends `records` records in batches of `batch` (`flush` after each) to a new storage in
/// `dir`. Returns the time up to the last flush and the bytes of segment files written; the
/// storage is dropped (synced, indexes saved) outside the timing.
fn append_file_storage(
    dir: &Path,
    sync: SyncPolicy,
    records: usize,
    batch: usize,
    payload: &Payload,
) -> (StdDuration, u64) {
    let options = FileOptions {
        sync,
        ..FileOptions::default()
    };
    let (mut s, _) = FileStorage::open(dir, options).expect("open");
    s.create_log(LOG).expect("create the log");
    s.flush().expect("flush");
    let start = WallInstant::now();
    append_in_batches(&mut s, records, batch, payload);
    let elapsed = start.elapsed();
    let (bytes, _) = s.log_files(LOG).expect("the log");
    drop(s);
    (elapsed, bytes)
}

/// Writes the same payload bytes through a `BufWriter<File>`, flushing (and syncing when
/// `sync`) after each batch. The file is synced outside the timing.
fn append_buf_writer(
    path: &Path,
    sync: bool,
    records: usize,
    batch: usize,
    payload: &[u8],
) -> StdDuration {
    let file = File::create(path).expect("create the baseline file");
    let mut w = BufWriter::with_capacity(FileOptions::default().batch_bytes, file);
    let start = WallInstant::now();
    let mut left = records;
    while left > 0 {
        let k = left.min(batch);
        for _ in 0..k {
            w.write_all(payload).expect("write");
        }
        w.flush().expect("flush");
        if sync {
            w.get_ref().sync_data().expect("sync");
        }
        left -= k;
    }
    let elapsed = start.elapsed();
    w.into_inner()
        .expect("flush")
        .sync_data()
        .expect("final sync");
    elapsed
}

/// Median, min and max.
fn stats(samples: &[f64]) -> (f64, f64, f64) {
    let mut s = samples.to_vec();
    s.sort_by(f64::total_cmp);
    (s[s.len() / 2], s[0], s[s.len() - 1])
}

fn secs(d: StdDuration) -> f64 {
    d.as_secs_f64()
}

/// One append case: a batch size and a sync mode, measured on both sides.
struct AppendCase {
    batch: usize,
    synced: bool,
    records: usize,
    fs_secs: Vec<f64>,
    base_secs: Vec<f64>,
    fs_bytes: u64,
}

fn appends(scratch: &Scratch, plan: &Plan) {
    let payload = payload();
    let raw = payload.as_bytes().to_vec();
    let mut cases: Vec<AppendCase> = [true, false]
        .iter()
        .flat_map(|&synced| {
            BATCHES.iter().map(move |&batch| AppendCase {
                batch,
                synced,
                records: plan.records(batch, synced),
                fs_secs: Vec::new(),
                base_secs: Vec::new(),
                fs_bytes: 0,
            })
        })
        .collect();
    for round in 0..plan.append_rounds {
        for c in &mut cases {
            let policy = if c.synced {
                SyncPolicy::EveryBatch
            } else {
                SyncPolicy::Os
            };
            let dir = scratch.fresh("append");
            let base_path = dir.join("baseline.bin");
            let run_fs = || append_file_storage(&dir, policy, c.records, c.batch, &payload);
            // Alternate which side goes first, so neither always follows the other's
            // write-back.
            let (fs_result, base) = if round % 2 == 0 {
                let f = run_fs();
                (
                    f,
                    append_buf_writer(&base_path, c.synced, c.records, c.batch, &raw),
                )
            } else {
                let b = append_buf_writer(&base_path, c.synced, c.records, c.batch, &raw);
                (run_fs(), b)
            };
            c.fs_secs.push(secs(fs_result.0));
            c.fs_bytes = fs_result.1;
            c.base_secs.push(secs(base));
            fs::remove_dir_all(&dir).expect("remove the case folder");
        }
        eprintln!(
            "  append round {} of {} done",
            round + 1,
            plan.append_rounds
        );
    }

    println!(
        "\n## Appends: 100-byte records, `append` per record + `flush` per batch, against \
         `BufWriter<File>` (1 MiB buffer)\n"
    );
    println!(
        "Median of {} interleaved rounds, (min–max) of the rounds. MB/s counts payload bytes \
         (10^6); FileStorage writes {} bytes of file per 100-byte record here.\n",
        plan.append_rounds,
        cases
            .first()
            .map_or(0.0, |c| c.fs_bytes as f64 / c.records as f64)
            .round()
    );
    println!(
        "| sync | batch | records / round | FileStorage records/s | FileStorage MB/s | \
         baseline records/s | baseline MB/s | ratio (range) |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for c in &cases {
        let n = c.records as f64;
        let fs_rate: Vec<f64> = c.fs_secs.iter().map(|s| n / s).collect();
        let base_rate: Vec<f64> = c.base_secs.iter().map(|s| n / s).collect();
        let ratios: Vec<f64> = c
            .base_secs
            .iter()
            .zip(&c.fs_secs)
            .map(|(b, f)| b / f)
            .collect();
        let (fm, flo, fhi) = stats(&fs_rate);
        let (bm, blo, bhi) = stats(&base_rate);
        let (_, rlo, rhi) = stats(&ratios);
        let mb = (PAYLOAD_BYTES as f64) / 1e6;
        println!(
            "| {} | {} | {} | {} ({}–{}) | {:.0} | {} ({}–{}) | {:.0} | **{:.2}** ({:.2}–{:.2}) |",
            if c.synced {
                "every batch (`EveryBatch` / `sync_data`)"
            } else {
                "none (`Os` / `flush`)"
            },
            thousands(c.batch),
            thousands(c.records),
            rate(fm),
            rate(flo),
            rate(fhi),
            fm * mb,
            rate(bm),
            rate(blo),
            rate(bhi),
            bm * mb,
            fm / bm,
            rlo,
            rhi,
        );
    }
}

/// `1234567.0` → `"1.23 M"`, `45678.0` → `"45.7 k"`.
fn rate(per_sec: f64) -> String {
    if per_sec >= 1e6 {
        format!("{:.2} M", per_sec / 1e6)
    } else {
        format!("{:.1} k", per_sec / 1e3)
    }
}

fn thousands(n: usize) -> String {
    if n < 1000 {
        n.to_string()
    } else {
        format!("{},{:03}", thousands(n / 1000), n % 1000)
    }
}

/// How the page cache was emptied before a cold read.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Cold {
    /// `sync`, then `3` written to `/proc/sys/vm/drop_caches`.
    DropCaches,
    /// `posix_fadvise(POSIX_FADV_DONTNEED)` on every file of the log, through GNU `dd
    /// iflag=nocache count=0` (the workspace forbids `unsafe`, so the bench cannot declare
    /// the libc function itself).
    Fadvise,
    /// Neither worked: the read is warm.
    Warm,
}

impl Cold {
    fn describe(self) -> &'static str {
        match self {
            Cold::DropCaches => "`sync` + `echo 3 > /proc/sys/vm/drop_caches`",
            Cold::Fadvise => {
                "`posix_fadvise(DONTNEED)` on every file (GNU `dd iflag=nocache count=0`)"
            }
            Cold::Warm => "NONE: could not drop the page cache, the read is WARM",
        }
    }
}

/// Empties the page cache of `files` (all of them synced already).
fn make_cold(files: &[PathBuf]) -> Cold {
    let _ = Command::new("sync").status();
    if fs::write("/proc/sys/vm/drop_caches", "3").is_ok() {
        return Cold::DropCaches;
    }
    let all = files.iter().all(|f| {
        let mut arg = std::ffi::OsString::from("if=");
        arg.push(f);
        Command::new("dd")
            .arg(arg)
            .args(["iflag=nocache", "count=0", "status=none"])
            .status()
            .is_ok_and(|s| s.success())
    });
    if all { Cold::Fadvise } else { Cold::Warm }
}

/// Every file under `dir`, recursively, sorted.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).expect("list") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// What a full read saw, so nothing is optimised away and the count is checked.
#[derive(Debug, Default, PartialEq, Eq)]
struct Seen {
    records: u64,
    payload_bytes: u64,
    id_sum: u64,
}

/// Opens the storage in `dir` and reads every record of `LOG`; returns the open time, the
/// read time and what was read.
fn open_and_read(dir: &Path) -> (StdDuration, StdDuration, Seen) {
    let start = WallInstant::now();
    let (s, report) = FileStorage::open(dir, FileOptions::default()).expect("open");
    let open = start.elapsed();
    assert!(report.is_clean(), "recovery found damage: {report:?}");
    let start = WallInstant::now();
    let bounds = s.bounds(LOG).expect("the log");
    let mut out = Vec::with_capacity(READ_CHUNK);
    let mut seen = Seen::default();
    let mut at = bounds.start;
    while at < bounds.end {
        out.clear();
        s.read_range(LOG, at, READ_CHUNK, &mut out)
            .expect("read_range");
        assert!(!out.is_empty(), "read_range returned nothing at {at:?}");
        for r in &out {
            seen.records += 1;
            seen.payload_bytes += r.payload.len() as u64;
            seen.id_sum = seen.id_sum.wrapping_add(r.message.0);
        }
        at = Offset(at.0 + out.len() as u64);
    }
    let read = start.elapsed();
    drop(s);
    (open, read, seen)
}

/// Reads `files` whole through a `BufReader<File>` (1 MiB buffer); returns the bytes read.
fn read_buf_reader(files: &[PathBuf]) -> (u64, u64) {
    let mut bytes = 0u64;
    let mut check = 0u64;
    for f in files {
        let mut r = BufReader::with_capacity(
            FileOptions::default().batch_bytes,
            File::open(f).expect("open a segment"),
        );
        loop {
            let buf = r.fill_buf().expect("read");
            if buf.is_empty() {
                break;
            }
            let n = buf.len();
            check = check.wrapping_add(u64::from(buf[0]) + u64::from(buf[n - 1]));
            bytes += n as u64;
            r.consume(n);
        }
    }
    (bytes, check)
}

/// Writes `records` records to a fresh storage in `dir` (no sync, batches of
/// [`FILL_BATCH`]); returns the time to the last flush and then to the end of the drop
/// (which syncs and saves the indexes).
fn fill(dir: &Path, records: usize) -> (StdDuration, StdDuration) {
    let start = WallInstant::now();
    let options = FileOptions {
        sync: SyncPolicy::Os,
        ..FileOptions::default()
    };
    let (mut s, _) = FileStorage::open(dir, options).expect("open");
    s.create_log(LOG).expect("create the log");
    let payload = payload();
    append_in_batches(&mut s, records, FILL_BATCH, &payload);
    let written = start.elapsed();
    drop(s);
    (written, start.elapsed())
}

fn cold_read(scratch: &Scratch, plan: &Plan) {
    let dir = scratch.fresh("cold");
    let records = plan.read_records;
    eprintln!("  writing the log ({records} records)");
    let (written, synced) = fill(&dir, records);
    let all_files = files_under(&dir);
    let segments: Vec<PathBuf> = all_files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "seg"))
        .cloned()
        .collect();
    let seg_bytes: u64 = segments
        .iter()
        .map(|p| fs::metadata(p).expect("stat").len())
        .sum();
    let mut methods = Vec::new();
    let expected = Seen {
        records: records as u64,
        payload_bytes: (records * PAYLOAD_BYTES) as u64,
        id_sum: (1..=records as u64).sum(),
    };

    // A first cold read, not counted: on a VM the host may cache the disk image after it,
    // so every counted round starts from the same state.
    methods.push(make_cold(&segments));
    let start = WallInstant::now();
    read_buf_reader(&segments);
    let first_read = start.elapsed();

    let mut opens = Vec::new();
    let mut reads = Vec::new();
    let mut base_reads = Vec::new();
    for round in 0..plan.read_rounds {
        // Alternate which side goes first.
        for side in [round % 2, 1 - round % 2] {
            if side == 0 {
                methods.push(make_cold(&all_files));
                let (open, read, seen) = open_and_read(&dir);
                assert_eq!(seen, expected, "the read did not see every record");
                opens.push(secs(open));
                reads.push(secs(read));
            } else {
                methods.push(make_cold(&segments));
                let start = WallInstant::now();
                let (bytes, check) = read_buf_reader(&segments);
                base_reads.push(secs(start.elapsed()));
                assert_eq!(bytes, seg_bytes);
                std::hint::black_box(check);
            }
        }
        eprintln!(
            "  cold read round {} of {} done",
            round + 1,
            plan.read_rounds
        );
    }
    let method = methods[0];
    let mixed = methods.iter().any(|&m| m != method);

    let n = records as f64;
    let payload_mb = n * PAYLOAD_BYTES as f64 / 1e6;
    let file_mb = seg_bytes as f64 / 1e6;
    let (om, olo, ohi) = stats(&opens);
    let (rm, rlo, rhi) = stats(&reads);
    let both: Vec<f64> = opens.iter().zip(&reads).map(|(o, r)| o + r).collect();
    let (tm, _, _) = stats(&both);
    let (bm, blo, bhi) = stats(&base_reads);
    println!(
        "\n## Cold read: {} records of 100 bytes, {:.0} MB of payload in {} segment files of \
         {:.0} MB\n",
        thousands(records),
        payload_mb,
        segments.len(),
        file_mb
    );
    println!(
        "Page cache emptied before each side of each round by: {}{}.",
        method.describe(),
        if mixed {
            " (NOT in every round: see the log above)"
        } else {
            ""
        }
    );
    println!(
        "Writing the log (no sync, batches of {}): {:.2} s to the last flush ({} records/s, \
         {:.0} MB/s of file), {:.2} s with the final sync. Median of {} rounds, (min–max), the \
         sides in alternating order.",
        thousands(FILL_BATCH),
        secs(written),
        rate(n / secs(written)),
        file_mb / secs(written),
        secs(synced),
        plan.read_rounds
    );
    println!(
        "The first cold read after writing (the baseline's, not counted below) took {:.2} s \
         ({:.0} MB/s of file).\n",
        secs(first_read),
        file_mb / secs(first_read)
    );
    println!("| step | time | records/s | payload MB/s | file MB/s | ratio vs baseline |");
    println!("|---|---:|---:|---:|---:|---:|");
    println!(
        "| `FileStorage::open` (recovery, indexes present) | {:.1} ms ({:.1}–{:.1}) | | | | |",
        om * 1e3,
        olo * 1e3,
        ohi * 1e3
    );
    println!(
        "| `read_range` of every record, chunks of {} | {:.2} s ({:.2}–{:.2}) | {} | {:.0} | \
         {:.0} | **{:.2}** |",
        READ_CHUNK,
        rm,
        rlo,
        rhi,
        rate(n / rm),
        payload_mb / rm,
        file_mb / rm,
        bm / rm
    );
    println!(
        "| open + read | {:.2} s | {} | {:.0} | {:.0} | **{:.2}** |",
        tm,
        rate(n / tm),
        payload_mb / tm,
        file_mb / tm,
        bm / tm
    );
    println!(
        "| baseline: the same segment files through `BufReader<File>` (1 MiB) | {:.2} s \
         ({:.2}–{:.2}) | | | {:.0} | — |",
        bm,
        blo,
        bhi,
        file_mb / bm
    );
    println!(
        "\nRatio = baseline time ÷ FileStorage time for the same segment bytes (≥ 1.0: as fast \
         as reading the files raw)."
    );
}

/// Bytes per second of `crc32c::checksum` over buffers of `size` bytes (about 256 MiB in
/// all, best of 3).
fn crc_rate(size: usize) -> f64 {
    let buf: Vec<u8> = (0..size).map(|i| (i * 31 + 7) as u8).collect();
    let rounds = (256 << 20) / size;
    let mut best = f64::MAX;
    for _ in 0..3 {
        let start = WallInstant::now();
        let mut x = 0u32;
        for _ in 0..rounds {
            x ^= crc32c::checksum(std::hint::black_box(&buf));
        }
        std::hint::black_box(x);
        best = best.min(secs(start.elapsed()));
    }
    (rounds * size) as f64 / best / 1e9
}

/// One side alone, for a profiler: `--profile append|append-sync|baseline|baseline-sync
/// <batch> <records>` or `--profile read <records>` (warm cache).
fn profile(scratch: &Scratch, args: &[String]) {
    let arg = |i: usize, default: usize| {
        args.get(i)
            .map_or(default, |a| a.parse().expect("a number"))
    };
    match args.first().map(String::as_str) {
        Some(case @ ("append" | "append-sync")) => {
            let dir = scratch.fresh("profile");
            let policy = if case == "append" {
                SyncPolicy::Os
            } else {
                SyncPolicy::EveryBatch
            };
            let (t, _) =
                append_file_storage(&dir, policy, arg(2, 200_000), arg(1, 1000), &payload());
            eprintln!("{case}: {t:?}");
        }
        Some(case @ ("baseline" | "baseline-sync")) => {
            let dir = scratch.fresh("profile");
            let t = append_buf_writer(
                &dir.join("baseline.bin"),
                case == "baseline-sync",
                arg(2, 200_000),
                arg(1, 1000),
                payload().as_bytes(),
            );
            eprintln!("{case}: {t:?}");
        }
        Some("read") => {
            let dir = scratch.fresh("profile");
            let records = arg(1, 1_000_000);
            fill(&dir, records);
            let (open, read, seen) = open_and_read(&dir);
            assert_eq!(seen.records, records as u64);
            eprintln!("open {open:?}, read {read:?}");
        }
        Some("crc") => {
            for size in [105, 10_424, 1 << 20] {
                eprintln!("CRC-32C over {size} bytes: {:.2} GB/s", crc_rate(size));
            }
        }
        other => panic!("unknown profile case {other:?}: append or read"),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let scratch = Scratch::new("file_storage_bench");
    if let Some(i) = args.iter().position(|a| a == "--profile") {
        return profile(&scratch, &args[i + 1..]);
    }
    let quick = std::env::var("BROKERLAB_BENCH_QUICK").is_ok_and(|v| v == "1");
    let plan = Plan::new(quick);
    println!(
        "# FileStorage bench{} (folder {})",
        if quick {
            " — QUICK mode (BROKERLAB_BENCH_QUICK=1)"
        } else {
            ""
        },
        scratch.0.display()
    );
    println!(
        "\nCRC-32C (`brokerlab::storage::crc32c`: the CPU's CRC instruction where it has one): \
         {:.2} GB/s over 1 MiB, {:.2} GB/s over 10 KB (a batch of 100 records).",
        crc_rate(1 << 20),
        crc_rate(10_424)
    );
    appends(&scratch, &plan);
    cold_read(&scratch, &plan);
}
