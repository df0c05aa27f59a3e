//! Runs the `durable_queue` example as a user would: once until it dies mid-job (it aborts
//! itself with a job delivered and not acked, as `kill -9` would), then again on the same
//! folder. The second run must say it resumed and from where, redo nothing acked and lose
//! nothing unacked. Then the same promise with the process killed from outside (SIGKILL) at
//! moments chosen from a fixed seed, at least 60 times: where each kill lands depends on how
//! fast the process runs, what is checked does not.

#[path = "support/example.rs"]
mod example;
#[path = "support/temp_dir.rs"]
mod temp_dir;

use std::collections::BTreeSet;
use std::process::Command;

use temp_dir::TempDir;

fn run(dir: &TempDir, extra: &[&str]) -> (bool, String) {
    let out = Command::new(example::path("durable_queue"))
        .arg(dir.path())
        .args(["--jobs", "30", "--delay-ms", "0"])
        .args(extra)
        .output()
        .expect("run example");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn killed_mid_way_it_resumes_without_redoing_or_losing_work() {
    let dir = TempDir::new("durable-queue");
    let (ok, first) = run(&dir, &["--crash-after", "12"]);
    assert!(!ok, "the first run should die:\n{first}");
    assert!(first.contains("new work queue"), "{first}");
    assert!(first.contains("done job 11\ncrashing"), "{first}");

    let (ok, second) = run(&dir, &[]);
    assert!(ok, "{second}");
    assert!(
        second.contains(
            "queue work: 12 acked before (resuming at offset 12), 1 delivered but unacked → redelivered, 17 never delivered"
        ),
        "{second}"
    );
    assert!(
        second.contains("done job 12 (redelivered)\ndone job 13\n"),
        "{second}"
    );
    assert!(
        second.contains("all jobs done: 18 this run, 12 in earlier runs"),
        "{second}"
    );

    let ledger = std::fs::read_to_string(dir.path().join("done.txt")).expect("ledger");
    let mut jobs: Vec<&str> = ledger.lines().collect();
    jobs.sort_unstable();
    let mut expected: Vec<String> = (0..30).map(|i| format!("job {i}")).collect();
    expected.sort_unstable();
    assert_eq!(jobs, expected, "every job done exactly once");

    let (ok, third) = run(&dir, &[]);
    assert!(
        ok && third.contains("all jobs done: 0 this run, 30 in earlier runs"),
        "{third}"
    );
}

/// SplitMix64: the kill moments come from a fixed seed, so every run of the test makes the
/// same choices.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) % n
    }
}

/// When a run is killed.
#[derive(Debug, Clone, Copy)]
enum KillAt {
    /// Once it has printed this many lines (0: as soon as it is started, in its set-up or
    /// recovery).
    Lines(u64),
    /// Once the ledger has grown to this many bytes: right after a job was done, about when
    /// its acknowledgement is being made durable.
    LedgerBytes(u64),
    /// Once the folder holds a log: in a new folder, as the first run declares its queue and
    /// publishes the jobs, before its first flush.
    FirstLog,
    /// Never: the run finishes the queue.
    Never,
}

/// The jobs of one kill test's queue.
const KILL_JOBS: u32 = 40;
/// How many runs the test kills, at least.
const KILLS: u64 = 60;

fn ledger(dir: &TempDir) -> Vec<String> {
    std::fs::read_to_string(dir.path().join("done.txt"))
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Runs the example once on `dir`, killing it (SIGKILL) at `at`; returns whether the kill is
/// what ended it, and the complete lines it printed.
#[cfg(unix)]
fn run_killed(binary: &std::path::Path, dir: &TempDir, at: KillAt) -> (bool, Vec<String>) {
    use std::io::{BufRead, BufReader, Read};
    use std::os::unix::process::ExitStatusExt;
    use std::process::Stdio;

    let mut child = Command::new(binary)
        .arg(dir.path())
        .args(["--jobs", &KILL_JOBS.to_string(), "--delay-ms", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the example");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut printed = String::new();
    match at {
        KillAt::Lines(k) => {
            for _ in 0..k {
                if stdout.read_line(&mut printed).expect("read stdout") == 0 {
                    break;
                }
            }
            child.kill().expect("SIGKILL");
        }
        KillAt::LedgerBytes(_) | KillAt::FirstLog => {
            let ledger = dir.path().join("done.txt");
            let logs = dir.path().join("logs");
            let due = || match at {
                KillAt::LedgerBytes(size) => {
                    std::fs::metadata(&ledger).is_ok_and(|m| m.len() >= size)
                }
                _ => std::fs::read_dir(&logs).is_ok_and(|mut d| d.next().is_some()),
            };
            loop {
                if due() {
                    child.kill().expect("SIGKILL");
                    break;
                }
                if child.try_wait().expect("poll the child").is_some() {
                    break;
                }
                std::thread::yield_now();
            }
        }
        KillAt::Never => {}
    }
    stdout.read_to_string(&mut printed).expect("read stdout");
    let mut stderr = String::new();
    let _ = child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr);
    let status = child.wait().expect("wait for the example");
    let killed = status.signal() == Some(9);
    assert!(
        killed || status.success(),
        "the run ended by itself with {status} ({at:?}):\n{printed}{stderr}"
    );
    // A line cut short by the kill is not one it printed.
    let complete = printed.rfind('\n').map_or(0, |i| i + 1);
    let lines = printed[..complete].lines().map(str::to_owned).collect();
    (killed, lines)
}

/// The numbers of `queue work: A acked before (resuming at offset C), R delivered but unacked
/// → redelivered, N never delivered`.
fn recovery_counts(line: &str) -> [u64; 4] {
    let numbers: Vec<u64> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    numbers
        .try_into()
        .unwrap_or_else(|n| panic!("four numbers in {line:?}, got {n:?}"))
}

/// The job number of `done job N` or `done job N (redelivered)`.
fn done_job(line: &str) -> Option<u32> {
    let rest = line.strip_prefix("done job ")?;
    Some(rest.split(' ').next()?.parse().expect("a job number"))
}

/// The README's promise, checked by killing the process from outside (SIGKILL) at moments
/// chosen from a seed, many times, each time starting it again on the same folder:
/// - once a run has saved the queue, every later run says it resumed and from where, and its
///   recovery accounts for every job (acked + redelivered + never delivered = all), with at
///   least every job printed `done` before counted as acked;
/// - it redoes nothing acked: a job printed `done` (which the example prints once its ack is
///   flushed) is never done again;
/// - it loses nothing unacked: when a run finishes the queue, the ledger holds every job;
/// - a kill redoes at most the one job in hand (done, its ack not yet saved), and a job done
///   again is flagged as redelivered.
#[cfg(unix)]
#[test]
fn killed_from_outside_at_random_moments_it_redoes_nothing_acked_and_loses_nothing() {
    let binary = example::path("durable_queue");
    let mut rng = Rng(0x5eed_dead_beef);
    let (mut kills, mut queues) = (0, 0);
    while kills < KILLS {
        queues += 1;
        let dir = TempDir::new("durable-queue-kill");
        // Each job printed `done`, with the ledger's length when that run ended: the job must
        // not be in the ledger past it.
        let mut printed_done: Vec<(u32, usize)> = Vec::new();
        // A run printed that the queue was saved (`new work queue`, `resumed from`).
        let mut saved = false;
        let mut kills_here = 0;
        let kills_wanted = 5 + rng.below(15);
        let finished = loop {
            let before = ledger(&dir);
            let at = if kills_here >= kills_wanted {
                KillAt::Never
            } else if kills_here == 0 && rng.below(2) == 0 {
                KillAt::FirstLog
            } else if rng.below(2) == 0 {
                KillAt::Lines(rng.below(9))
            } else {
                let bytes: usize = before.iter().map(|l| l.len() + 1).sum();
                KillAt::LedgerBytes(bytes as u64 + 1 + rng.below(30))
            };
            let (killed, out) = run_killed(&binary, &dir, at);
            let after = ledger(&dir);
            let context = || {
                format!(
                    "queue {queues}, after {kills_here} kills, run killed at {at:?}:\n{}",
                    out.join("\n")
                )
            };
            match out.first().map(String::as_str) {
                None => assert!(killed, "it printed nothing: {}", context()),
                Some(l) if l.starts_with("new work queue") => {
                    assert!(!saved, "the saved queue was forgotten: {}", context());
                }
                Some(l) if l.starts_with("resumed from") => {}
                Some(_) => panic!("an unexpected first line: {}", context()),
            }
            match out.iter().find(|l| l.starts_with("queue work: ")) {
                Some(line) => {
                    let [acked, resume_at, redelivered, never] = recovery_counts(line);
                    assert_eq!(
                        acked + redelivered + never,
                        u64::from(KILL_JOBS),
                        "every job accounted for: {}",
                        context()
                    );
                    assert_eq!(resume_at, acked, "acks come in order: {}", context());
                    assert!(redelivered <= 1, "prefetch 1: {}", context());
                    let distinct: BTreeSet<&String> = before.iter().collect();
                    assert!(
                        acked as usize >= printed_done.len() && acked as usize <= distinct.len(),
                        "{acked} acked, {} printed done, {} in the ledger: {}",
                        printed_done.len(),
                        distinct.len(),
                        context()
                    );
                }
                None => assert!(
                    killed || out[0].starts_with("new work queue"),
                    "it did not say where it resumed from: {}",
                    context()
                ),
            }
            saved |= !out.is_empty();
            let mut done_here = BTreeSet::new();
            for line in &out {
                let Some(job) = done_job(line) else { continue };
                let name = format!("job {job}");
                assert!(
                    printed_done.iter().all(|&(j, _)| j != job),
                    "{name} was acknowledged and done again: {}",
                    context()
                );
                assert!(
                    after[before.len()..].contains(&name),
                    "{name} done but not in the ledger: {}",
                    context()
                );
                if before.contains(&name) {
                    assert!(
                        line.ends_with(" (redelivered)"),
                        "{name} done again without the redelivered flag: {}",
                        context()
                    );
                }
                printed_done.push((job, after.len()));
                done_here.insert(name);
            }
            // Of what this run did, at most the job in hand has no `done` line.
            let unprinted: BTreeSet<&String> = after[before.len()..]
                .iter()
                .filter(|j| !done_here.contains(*j))
                .collect();
            assert!(unprinted.len() <= 1, "{unprinted:?}: {}", context());
            if killed {
                kills_here += 1;
                continue;
            }
            let last = out.last().map_or("", String::as_str);
            let counts: Vec<u64> = last
                .strip_prefix("all jobs done: ")
                .unwrap_or_else(|| panic!("a finished run says so: {}", context()))
                .split(|c: char| !c.is_ascii_digit())
                .filter(|s| !s.is_empty())
                .map(|s| s.parse().unwrap())
                .collect();
            assert_eq!(
                counts.iter().sum::<u64>(),
                u64::from(KILL_JOBS),
                "this run and earlier ones did every job once: {}",
                context()
            );
            break after;
        };
        // Nothing unacknowledged was lost: every job is in the ledger.
        let distinct: BTreeSet<&String> = finished.iter().collect();
        let all: BTreeSet<String> = (0..KILL_JOBS).map(|i| format!("job {i}")).collect();
        assert_eq!(
            distinct,
            all.iter().collect(),
            "queue {queues}: every job done"
        );
        // Nothing acknowledged was done again: past the end of the run that printed a job
        // `done`, the job is not in the ledger.
        for &(job, end) in &printed_done {
            let name = format!("job {job}");
            assert!(
                !finished[end..].contains(&name),
                "queue {queues}: {name} done again after it was acknowledged"
            );
        }
        // Each kill redid at most the one job in hand.
        let redone = (finished.len() - KILL_JOBS as usize) as u64;
        assert!(
            redone <= kills_here,
            "queue {queues}: {redone} jobs redone by {kills_here} kills"
        );
        kills += kills_here;
    }
    assert!(kills >= KILLS);
    println!("{kills} kills over {queues} queues of {KILL_JOBS} jobs");
}
