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

/// What each named stream consumer of a run read: `(offset, key, payload)` in order, from the
/// `Polled` events and the records still in the log when they were read.
fn reads_by_reader(id: &str) -> BTreeMap<String, Vec<(u64, String, String)>> {
    let s = brokerlab::sim::ready::load(id).expect("ready-made");
    let mut sim = Simulation::new(&s).expect("runs");
    let mut reads: BTreeMap<String, Vec<(u64, String, String)>> = BTreeMap::new();
    while !sim.is_finished() {
        let polled: Vec<Event> = sim
            .step_event()
            .iter()
            .filter_map(|e| match &e.kind {
                SimEventKind::Broker(ev @ Event::Polled { .. }) => Some(ev.clone()),
                _ => None,
            })
            .collect();
        for ev in polled {
            let Event::Polled {
                consumer,
                partition,
                first,
                count,
                ..
            } = ev
            else {
                continue;
            };
            let b = sim.broker();
            let who = b.stream_consumer_name(consumer).unwrap_or("?").to_owned();
            for o in first.0..first.0 + count {
                let r = b
                    .stream_record(partition, Offset(o))
                    .expect("a polled record");
                let key = String::from_utf8_lossy(&r.key.expect("keyed")).into_owned();
                let value = String::from_utf8_lossy(&r.payload).into_owned();
                reads.entry(who.clone()).or_default().push((o, key, value));
            }
        }
    }
    reads
}

#[test]
fn the_ready_made_changelog_tells_its_story() {
    let reads = reads_by_reader("changelog");
    let state = |who: &str| -> BTreeMap<String, String> {
        reads[who]
            .iter()
            .map(|(_, k, v)| (k.clone(), v.clone()))
            .collect()
    };
    // new-service, from offset 0 at 5 s: one record per user, the latest (compaction has not
    // run since bob's delete, so his last address is still there), then bob's delete.
    let new_service = &reads["new-service"];
    assert_eq!(new_service.len(), 5, "{new_service:?}");
    let last = new_service.last().expect("read");
    assert_eq!(
        (last.1.as_str(), last.2.as_str()),
        ("bob", ""),
        "bob's tombstone"
    );
    let mut rebuilt = state("new-service");
    rebuilt.retain(|_, v| !v.is_empty());
    for user in ["alice", "carol", "dave"] {
        assert!(
            rebuilt[user].starts_with(&format!("{user}: address #")),
            "{rebuilt:?}"
        );
    }
    // audit, from offset 0 at 8 s: the tombstone's 3 s are up, bob is gone altogether.
    let audit = state("audit");
    assert_eq!(reads["audit"].len(), 3);
    assert_eq!(audit.keys().collect::<Vec<_>>(), ["alice", "carol", "dave"]);
    for user in ["alice", "carol", "dave"] {
        assert_eq!(audit[user], rebuilt[user], "the same latest address");
    }
}

#[test]
fn the_counterexample_search_runs_on_a_compacted_changelog() {
    use brokerlab::sim::check::{Guarantee, search::search};
    let s = brokerlab::sim::ready::load("changelog").expect("ready-made");
    for g in Guarantee::ALL {
        // Faults (crashes, restarts, time shifts) on a compacted stream: no panic, and every
        // run is accounted for.
        let chunk = search(&s, g, 0, 24);
        assert_eq!(chunk.runs, 24, "{g:?}");
    }
}
