//! Runs the pattern examples and the `simulate` example as a user would, and checks that each
//! prints what its documentation says it shows. (`durable_queue` and `threads` have their own
//! files: `durable_queue_example.rs`, `threads_example.rs`.)

#[path = "support/example.rs"]
mod example;
#[path = "support/temp_dir.rs"]
mod temp_dir;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::Mutex;

use temp_dir::TempDir;

/// Runs example `name` with `args`; each example is built (or checked up to date) once.
fn run(name: &str, args: &[&str]) -> Output {
    static BUILT: Mutex<BTreeMap<String, PathBuf>> = Mutex::new(BTreeMap::new());
    let binary = BUILT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .entry(name.to_owned())
        .or_insert_with(|| example::path(name))
        .clone();
    Command::new(binary)
        .args(args)
        .output()
        .expect("run example")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs a pattern example, which takes no arguments: it must succeed and print the same thing
/// twice (the broker is deterministic and the examples read no clock).
fn pattern(name: &str) -> String {
    let out = run(name, &[]);
    let stdout = text(&out.stdout);
    assert!(
        out.status.success(),
        "{name} failed: {}\n{stdout}{}",
        out.status,
        text(&out.stderr)
    );
    assert_eq!(
        stdout,
        text(&run(name, &[]).stdout),
        "{name} prints the same every run"
    );
    stdout
}

/// Asserts that `lines` appear in `out` in this order (each a whole line, trimmed).
fn in_order(out: &str, lines: &[&str]) {
    let mut rest = out.lines().map(str::trim);
    for want in lines {
        assert!(
            rest.any(|line| line == *want),
            "expected the line {want:?} (in this order) in:\n{out}"
        );
    }
}

#[test]
fn queue_redelivers_a_crashed_workers_job_and_dead_letters_the_poison_one() {
    let out = pattern("queue");
    in_order(
        &out,
        &[
            "-- bob crashes holding job-2: it goes back to the queue",
            "requeued m2 q2 from c2 d2 (crashed)",
            "delivered m2 q2->c1 d3 redelivered n=2 \"job-2\"",
            "dead-lettered m3 q2->q1 (delivery_limit)",
            "enqueued m3 q1@0",
            "work: 0 ready, 0 unacked; work.dlq: 1 ready",
        ],
    );
}

#[test]
fn pubsub_tells_a_slow_subscriber_how_many_it_lost() {
    let out = pattern("pubsub");
    in_order(
        &out,
        &[
            "unroutable m1 x1",
            "pager received m3: \"disk full\"",
            "pager received m5: \"crash\"",
            "archive lagged: lost 2 messages",
            "archive received m4: \"request served\"",
            "archive received m5: \"crash\"",
        ],
    );
}

#[test]
fn fanout_keeps_a_crashed_workers_copies_until_it_drains_them() {
    let out = pattern("fanout");
    in_order(
        &out,
        &[
            "after 1000 more orders: depths billing=0 shipping=1000 audit=0",
            "billing and audit acked 2000 while shipping was down",
            "-- shipping-worker restarts and drains its backlog of 1000",
            "depths billing=0 shipping=0 audit=0",
        ],
    );
}

#[test]
fn stream_replay_reads_identical_records_until_retention_moves_the_start() {
    let out = pattern("stream_replay");
    in_order(
        &out,
        &[
            "live     read clicks/0 offset 4 (t=40ms) \"click 4\"",
            "replay   read clicks/0 offset 0 (t=0ms) \"click 0\"",
            "replay   read clicks/0 offset 4 (t=40ms) \"click 4\"",
            "live     read clicks/0 offset 2 (t=20ms) \"click 2\"  (again)",
            "clicks/0 holds offsets 3..11 (57 bytes)",
            "replay   read clicks/0 offset 3 (t=30ms) \"click 3\"  (again)",
            "replay   read clicks/0 offset 10 (t=110ms) \"click 10\"",
            "offset-reset sc2 st1/0 @0->@3 (earliest)",
        ],
    );
}

#[test]
fn share_group_shares_records_and_redelivers_what_comes_back() {
    let out = pattern("share_group");
    in_order(
        &out,
        &[
            "anna     acquired orders/0@0 (delivery 1), locked until t=1010ms",
            "ben      released orders/0@3",
            "anna     acquired orders/0@3 (delivery 2), locked until t=1300ms",
            "anna     rejected orders/1@2",
            "start offset of orders/0 moved 3 -> 4",
            "cleo     lock expired on orders/1@0: available again",
            "ben      acquired orders/1@0 (delivery 2), locked until t=2020ms",
            "cleo     cannot accept orders/1@0: the record at @0 is held by sm2",
            "ben      crashed: orders/1@0 goes back to the group",
            "anna     acquired orders/1@0 (delivery 3), locked until t=2300ms",
            "anna     released orders/1@1",
            "orders/1@1 archived after 3 deliveries (delivery_limit)",
            "start offset of orders/1 moved 1 -> 4",
            "orders/1: start 4, end 4, 0 in flight",
        ],
    );
}

#[test]
fn consumer_groups_rebalance_as_members_join_and_leave_the_other_group_alone() {
    let out = pattern("consumer_groups");
    in_order(
        &out,
        &[
            "-- the audit group was never touched by billing's rebalances",
            "audit read 24 records (every record, once)",
            "audit gen 1: auditor:3",
            "billing gen 1: worker-1:3",
            "billing gen 2: worker-1:2 worker-2:1",
            "billing gen 3: worker-1:1 worker-2:1 worker-3:1",
            "billing gen 4: worker-1:1 worker-2:1 worker-3:1 worker-4:0",
        ],
    );
    assert!(!out.contains("audit gen 2"), "{out}");
}

/// The scenario files, from the crate's folder whatever the test's working folder.
fn scenario(file: &str) -> String {
    format!("{}/scenarios/{file}", env!("CARGO_MANIFEST_DIR"))
}

/// The summary line's trace hash (`… trace 0x…`).
fn trace_of(out: &str) -> &str {
    out.lines()
        .find_map(|l| l.split(" trace ").nth(1))
        .unwrap_or_else(|| panic!("no trace hash in:\n{out}"))
        .trim()
}

#[test]
fn simulate_prints_events_as_json_and_the_recorded_trace_hash() {
    let out = run("simulate", &[&scenario("e.json")]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let events: Vec<&str> = stdout.lines().take_while(|l| !l.is_empty()).collect();
    assert!(events.len() > 1000, "{} events", events.len());
    for e in &events {
        assert!(
            e.starts_with("{\"at\":") && e.ends_with('}'),
            "an event line: {e}"
        );
    }
    assert!(
        stdout.contains("# E. Consumer groups") && stdout.contains("at 16000 ms"),
        "{stdout}"
    );
    // The hash recorded for the ready-made scenario e in scenarios/trace-hashes.txt.
    let recorded = include_str!("../scenarios/trace-hashes.txt")
        .lines()
        .find_map(|l| l.strip_prefix("e "))
        .expect("a recorded hash for e");
    assert_eq!(trace_of(&stdout), recorded);

    // --ready runs the embedded copy; --until stops early; --quiet leaves out the events.
    let out = run("simulate", &["--ready", "e", "--until", "2000", "--quiet"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("\n# E. "), "{stdout}");
    assert!(stdout.contains("at 2000 ms"), "{stdout}");
    assert_ne!(trace_of(&stdout), recorded, "a shorter run, another trace");
}

/// Runs `simulate` expecting exit code 2 and returns its standard error.
fn refused(args: &[&str]) -> String {
    let out = run("simulate", args);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(
        out.stdout.is_empty(),
        "{args:?} printed {:?}",
        text(&out.stdout)
    );
    stderr
}

#[test]
fn simulate_refuses_bad_files_and_arguments_with_exit_code_2() {
    let dir = TempDir::new("simulate-example");
    let write = |name: &str, json: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, json).expect("write scenario");
        path.to_str().expect("a UTF-8 path").to_owned()
    };
    // A scenario that fails validation: the error names the field, after the file.
    let path = write(
        "unknown-queue.json",
        r#"{"version": 1, "duration_ms": 100, "producers": [
            {"name": "p", "target": {"queue": "nope"}}]}"#,
    );
    assert_eq!(
        refused(&[&path]).trim_end(),
        format!("{path}: producers[0].target: unknown queue \"nope\"")
    );
    let path = write("version.json", r#"{"version": 2, "duration_ms": 10}"#);
    assert_eq!(
        refused(&[&path]).trim_end(),
        format!("{path}: version: 2 is not supported; expected 1")
    );
    // JSON of the wrong shape: the field for an unknown one, the line and column otherwise.
    let path = write(
        "extra.json",
        r#"{"version": 1, "duration_ms": 10, "extra": 1}"#,
    );
    assert!(refused(&[&path]).contains("unknown field `extra`"));
    let path = write("type.json", r#"{"version": 1, "duration_ms": "ten"}"#);
    let e = refused(&[&path]);
    assert!(e.starts_with(&format!("{path}: invalid JSON")) && e.contains("line 1"));
    // A file that cannot be read, an unknown ready-made scenario, bad arguments.
    let missing = dir.path().join("missing.json");
    assert!(refused(&[missing.to_str().unwrap()]).starts_with(missing.to_str().unwrap()));
    assert_eq!(
        refused(&["--ready", "zz"]).trim_end(),
        "no ready-made scenario \"zz\""
    );
    for args in [
        &[][..],
        &["--until", "soon"],
        &["a.json", "b.json"],
        &["--seed"],
    ] {
        assert!(refused(args).starts_with("usage: simulate"), "{args:?}");
    }
}
