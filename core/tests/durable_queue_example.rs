//! Runs the `durable_queue` example as a user would: once until it dies mid-job (it aborts
//! itself with a job delivered and not acked, as `kill -9` would), then again on the same
//! folder. The second run must say it resumed and from where, redo nothing acked and lose
//! nothing unacked.

#[path = "support/example.rs"]
mod example;
#[path = "support/temp_dir.rs"]
mod temp_dir;

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
