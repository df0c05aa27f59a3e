//! A compacted stream in a scenario (`"cleanup": "compact"`): validation refuses keyless
//! records for it, the run compacts (gaps, `Compacted` events), and a reader that starts late
//! from offset 0 reads one record per key: the latest value of each.

use std::collections::BTreeMap;

use brokerlab::sim::{Scenario, SimEventKind, Simulation};
use brokerlab::{Event, Instant, Offset, StreamPartition};

const CHANGELOG: &str = r#"{
  "version": 1,
  "title": "Changelog",
  "seed": 1,
  "duration_ms": 6000,
  "topology": { "streams": [
    { "name": "users", "partitions": 1, "cleanup": "compact", "tombstone_retention_ms": 2000 }
  ] },
  "producers": [
    { "name": "updates", "target": { "stream": "users" }, "rate_per_sec": 5,
      "keys": { "round_robin": ["alice", "bob", "carol"] }, "payload": "{key} v{n}" }
  ],
  "consumers": [],
  "script": [
    { "at_ms": 5000, "action": { "add_consumer": {
        "name": "rebuild", "attach": { "stream": { "stream": "users", "auto_offset_reset": "earliest" } },
        "processing": { "fixed": 1 }, "prefetch": 10 } } }
  ]
}"#;

#[test]
fn a_late_reader_of_a_compacted_changelog_reads_the_latest_value_per_key() {
    let s = Scenario::from_json(CHANGELOG).expect("valid");
    let mut sim = Simulation::new(&s).expect("runs");
    sim.run_to_end();
    let b = sim.broker();
    let st = b.stream_id("users").expect("users");
    let sp = StreamPartition::new(st, 0);
    let stats = b.partition_stats(sp).expect("stats");
    assert!(
        stats.bounds.end.0 >= 29,
        "about 30 records produced: {stats:?}"
    );
    assert!(
        stats.records <= 6,
        "at most twice the three keys kept: {stats:?}"
    );
    // What a reader from offset 0 rebuilds is the latest value of each key.
    let mut latest = BTreeMap::new();
    for o in stats.bounds.start.0..stats.bounds.end.0 {
        if let Some(r) = b.stream_record(sp, Offset(o)) {
            let key = String::from_utf8_lossy(&r.key.expect("keyed")).into_owned();
            latest.insert(key, String::from_utf8_lossy(&r.payload).into_owned());
        }
    }
    let n = stats.bounds.end.0;
    let expected: BTreeMap<String, String> = (n - 3..n)
        .map(|i| {
            let key = ["alice", "bob", "carol"][(i % 3) as usize];
            (key.to_owned(), format!("{key} v{i}"))
        })
        .collect();
    assert_eq!(latest, expected);
    let rebuild = sim
        .consumer_views()
        .into_iter()
        .find(|c| c.name == "rebuild")
        .expect("rebuild");
    assert_eq!(
        rebuild.partitions[0].position,
        Some(stats.bounds.end),
        "read to the end"
    );
}

#[test]
fn the_run_reports_each_compaction() {
    let s = Scenario::from_json(CHANGELOG).expect("valid");
    let mut sim = Simulation::new(&s).expect("runs");
    let compactions = sim
        .run_until(Instant::from_millis(3_000))
        .iter()
        .filter(|e| matches!(e.kind, SimEventKind::Broker(Event::Compacted { .. })))
        .count();
    assert!(compactions >= 2, "{compactions}");
}

#[test]
fn a_keyless_producer_or_publish_on_a_compacted_stream_is_refused() {
    let keyless = CHANGELOG.replace(
        r#""keys": { "round_robin": ["alice", "bob", "carol"] }, "#,
        "",
    );
    let e = Scenario::from_json(&keyless).expect_err("refused");
    assert!(e.to_string().contains("producers[0].keys"), "{e}");
    let scripted = CHANGELOG.replace(
        r#""script": ["#,
        r#""script": [{ "at_ms": 10, "action": { "publish": { "target": { "stream": "users" }, "payload": "x" } } },"#,
    );
    let e = Scenario::from_json(&scripted).expect_err("refused");
    assert!(e.to_string().contains("only records with a key"), "{e}");
    let too_long = CHANGELOG.replace(
        "\"tombstone_retention_ms\": 2000",
        "\"tombstone_retention_ms\": 9999999999",
    );
    assert!(Scenario::from_json(&too_long).is_err());
}
