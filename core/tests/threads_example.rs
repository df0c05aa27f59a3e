//! Runs the `threads` example as a user would: in memory, and twice on disk in one folder
//! (the second run finds the first one's queue, empty). Every run must ack every job exactly
//! once.

#[path = "support/example.rs"]
mod example;
#[path = "support/temp_dir.rs"]
mod temp_dir;

use std::process::Command;

use temp_dir::TempDir;

fn run(args: &[&std::ffi::OsStr]) -> String {
    let out = Command::new(example::path("threads"))
        .args(args)
        .output()
        .expect("run example");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("all 6000 jobs acked exactly once"),
        "{stdout}"
    );
    stdout
}

#[test]
fn in_memory_every_job_is_acked_once() {
    let out = run(&[]);
    assert!(out.contains("jobs/s"), "{out}");
}

#[test]
fn on_disk_every_job_is_acked_once_and_a_second_run_finds_the_queue() {
    let dir = TempDir::new("threads-example");
    let first = run(&[dir.path().as_os_str()]);
    assert!(first.contains("nothing damaged"), "{first}");
    let second = run(&[dir.path().as_os_str()]);
    assert!(!second.contains("purged"), "nothing was left:\n{second}");
}
