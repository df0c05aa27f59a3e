//! Seeded simulations of the ready-made scenarios with invariant checks after every step,
//! recorded trace hashes, and the scenario format's round trip and hostile inputs.

#![allow(missing_docs)]

use std::collections::{BTreeMap, BTreeSet};

use brokerlab::sim::{Scenario, SimEventKind, SimOptions, Simulation, ready};
use brokerlab::{Event, StreamPartition};
use proptest::prelude::*;

/// Checks the broker-level invariants of the simulation's current state, and that the
/// appends of the last step continue each partition's offsets densely.
fn check_invariants(sim: &Simulation, ends: &mut BTreeMap<StreamPartition, u64>) {
    let b = sim.broker();
    // A queue message is held by at most one consumer.
    for q in b.queues() {
        let mut held = BTreeSet::new();
        for c in b.queue_consumers(q) {
            for u in b.unacked(c) {
                assert!(held.insert(u.message), "{} held twice in {q}", u.message);
            }
        }
    }
    // Each partition has at most one owner in a group's generation; committed <= log end.
    for g in b.groups() {
        let mut owned = BTreeSet::new();
        for a in b.group_assignment(g) {
            for p in a.partitions {
                assert!(owned.insert(p), "{p} owned twice in {g}");
            }
        }
        for p in b.group_partitions(g) {
            if let Some(c) = p.committed {
                assert!(
                    c <= p.end,
                    "{g} committed {c} past the end {} of {}",
                    p.end,
                    p.partition
                );
            }
        }
    }
    for p in sim.partition_views() {
        assert!(p.start <= p.end);
    }
    // Offsets are dense; no event is lost.
    assert_eq!(sim.last_step_events_dropped(), 0);
    for e in sim.last_step_events() {
        match &e.kind {
            SimEventKind::Broker(Event::Appended {
                partition, offset, ..
            }) => {
                let end = ends.entry(*partition).or_insert(0);
                assert_eq!(offset.get(), *end, "offsets of {partition} are dense");
                *end += 1;
            }
            SimEventKind::Broker(Event::EventsLost { .. }) => panic!("events lost"),
            _ => {}
        }
    }
}

fn run_checked(id: &str) -> (u64, Simulation) {
    let scenario = ready::load(id).unwrap_or_else(|| panic!("ready-made scenario {id}"));
    let mut sim = Simulation::new(&scenario).unwrap();
    let mut ends = BTreeMap::new();
    check_invariants(&sim, &mut ends);
    let mut steps = 0;
    while !sim.is_finished() {
        sim.step_event();
        check_invariants(&sim, &mut ends);
        steps += 1;
        assert!(steps < 1_000_000, "{id} does not finish");
    }
    (sim.trace_hash().unwrap(), sim)
}

/// The recorded hashes, shared with the WebAssembly test in `web/tests/trace.rs`.
const TRACE_HASHES: &str = include_str!("../scenarios/trace-hashes.txt");

/// `(scenario id, hash)` for every non-comment line of [`TRACE_HASHES`].
fn recorded_hashes() -> Vec<(&'static str, u64)> {
    TRACE_HASHES
        .lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| {
            let (id, hex) = line.split_once(' ').expect("`id 0xhash`");
            let hex = hex.trim().trim_start_matches("0x");
            (id, u64::from_str_radix(hex, 16).expect("a hex hash"))
        })
        .collect()
}

#[test]
fn ready_made_scenarios_keep_their_invariants_and_trace_hashes() {
    let expected = recorded_hashes();
    let ids: Vec<&str> = brokerlab::sim::ready::all()
        .iter()
        .map(|(id, _, _)| *id)
        .collect();
    let recorded: Vec<&str> = expected.iter().map(|(id, _)| *id).collect();
    assert_eq!(
        recorded, ids,
        "every ready-made scenario has a recorded hash"
    );
    let mut got = Vec::new();
    for &(id, _) in &expected {
        let (hash, sim) = run_checked(id);
        assert_eq!(sim.now(), sim.end());
        got.push((id, hash));
    }
    let report: Vec<String> = got.iter().map(|(i, h)| format!("{i} {h:#018x}")).collect();
    assert_eq!(got, expected, "trace hashes:\n{}", report.join("\n"));
}

#[test]
fn ready_made_scenarios_tell_their_stories() {
    // A: the crashed worker's message is redelivered to the other worker.
    let (_, a) = run_checked("a");
    let redelivered = a.recent_events().count() > 0
        && a.broker().queue_id("jobs").is_some()
        && a.totals().processed == a.totals().published;
    assert!(redelivered, "A: every job was processed once acked");
    let sim_a = {
        let mut s = Simulation::new(&ready::load("a").unwrap()).unwrap();
        let mut crashed_redelivery = false;
        while !s.is_finished() {
            let worker_1 = s.broker().consumer_id("worker-1");
            for e in s.step_event() {
                if let SimEventKind::Broker(Event::Delivered {
                    redelivered: true,
                    consumer,
                    ..
                }) = &e.kind
                {
                    crashed_redelivery |= Some(*consumer) == worker_1;
                }
            }
        }
        crashed_redelivery
    };
    assert!(sim_a, "A: worker-1 got worker-2's message again");

    // B: the late subscriber processed fewer messages than the others.
    let (_, b) = run_checked("b");
    let v = b.consumer_views();
    assert!(v[2].processed < v[0].processed && v[0].processed == v[1].processed);

    // C: everything was delivered to every queue in the end.
    let (_, c) = run_checked("c");
    assert!(
        c.queue_views()
            .iter()
            .all(|q| q.depth == 0 && q.enqueued == 50)
    );

    // D: retention moved the log start past 0.
    let (_, d) = run_checked("d");
    assert!(d.partition_views()[0].start.get() > 0);

    // E: analytics ended on generation 5 with three members owning one partition each;
    // backup read everything.
    let (_, e) = run_checked("e");
    let groups = e.group_views();
    assert_eq!(groups[0].generation, 5);
    assert!(groups[0].assignment.iter().all(|(_, p)| p.len() == 1));
    assert_eq!(groups[1].assignment[0].1.len(), 3);
    assert!(e.consumer_views()[1].processed + 3 >= e.totals().published);

    // F: six share members on three partitions all got work; a lock expired and another
    // member got the record with delivery count 2; records were released and rejected; the
    // crashed member's record was released; no record was held by two members at once.
    let (_, f) = run_checked("f");
    assert!(f.consumer_views().iter().all(|c| c.processed > 0));
    let mut sim = Simulation::new(&ready::load("f").unwrap()).unwrap();
    let mut holder: BTreeMap<(StreamPartition, u64), u32> = BTreeMap::new();
    let (mut expired, mut redelivered_after_expiry, mut rejected, mut released, mut crashed) =
        (0, 0, 0, 0, 0);
    let mut expired_at: BTreeSet<(StreamPartition, u64)> = BTreeSet::new();
    while !sim.is_finished() {
        for e in sim.step_event() {
            let SimEventKind::Broker(ev) = &e.kind else {
                continue;
            };
            match ev {
                Event::ShareAcquired {
                    member,
                    partition,
                    offset,
                    delivery_count,
                    ..
                } => {
                    let key = (*partition, offset.get());
                    assert!(holder.insert(key, member.0).is_none(), "{key:?} held twice");
                    if *delivery_count == 2 && expired_at.contains(&key) {
                        redelivered_after_expiry += 1;
                    }
                }
                Event::ShareAcknowledged {
                    partition,
                    offset,
                    kind,
                    ..
                } => {
                    holder.remove(&(*partition, offset.get()));
                    match kind {
                        brokerlab::AcknowledgeType::Reject => rejected += 1,
                        brokerlab::AcknowledgeType::Release => released += 1,
                        brokerlab::AcknowledgeType::Accept => {}
                    }
                }
                Event::ShareLockExpired {
                    partition, offset, ..
                } => {
                    expired += 1;
                    expired_at.insert((*partition, offset.get()));
                    holder.remove(&(*partition, offset.get()));
                }
                Event::ShareReleased {
                    partition,
                    offset,
                    reason,
                    ..
                } => {
                    crashed += usize::from(*reason == brokerlab::share::ReleaseReason::Crashed);
                    holder.remove(&(*partition, offset.get()));
                }
                _ => {}
            }
        }
    }
    assert!(
        expired >= 1 && redelivered_after_expiry >= 1,
        "F: a lock expired"
    );
    assert!(
        rejected >= 1 && released >= 1 && crashed >= 1,
        "F: {rejected} {released}"
    );
    let views = sim.share_partition_views();
    assert_eq!(views.len(), 3);
    assert!(views.iter().all(|v| v.start.get() > 0 && v.start <= v.end));
}

#[test]
fn same_scenario_same_hash_however_time_is_stepped() {
    for (id, _, _) in ready::all() {
        let s = ready::load(id).unwrap();
        let mut one = Simulation::new(&s).unwrap();
        one.run_to_end();
        let mut two = Simulation::new(&s).unwrap();
        while two.now() < two.end() {
            two.step(brokerlab::Duration::from_millis(37));
        }
        assert_eq!(one.trace_hash(), two.trace_hash(), "{id}");
        assert_eq!(one.totals(), two.totals(), "{id}");
        // Without the trace the broker behaves the same.
        let mut fast = Simulation::with_options(&s, SimOptions { trace: false }).unwrap();
        fast.run_to_end();
        assert_eq!(fast.totals().published, one.totals().published, "{id}");
        assert_eq!(fast.totals().processed, one.totals().processed, "{id}");
        assert_eq!(fast.trace_hash(), None);
    }
}

/// The trace hash of `scenario` run to its end with `seed` in place of its own.
fn hash_with_seed(scenario: &Scenario, seed: u64) -> u64 {
    let mut s = scenario.clone();
    s.seed = seed;
    let mut sim = Simulation::new(&s).unwrap();
    sim.run_to_end();
    sim.trace_hash().unwrap()
}

/// Four seeds: each gives the same run twice, and `scenario` (with something random in it)
/// a different run per seed.
fn seeds_change_the_run(name: &str, scenario: &Scenario) {
    let mut hashes = BTreeSet::new();
    for seed in [scenario.seed, scenario.seed + 1, 0x5eed, u64::MAX] {
        let hash = hash_with_seed(scenario, seed);
        assert_eq!(
            hash,
            hash_with_seed(scenario, seed),
            "{name}, seed {seed}: the same run twice"
        );
        hashes.insert(hash);
    }
    assert_eq!(hashes.len(), 4, "{name}: four seeds, four different runs");
}

#[test]
fn another_seed_changes_a_run_the_same_seed_repeats_it() {
    // C and E draw processing times from the seeded generator (exponential, uniform).
    for id in ["c", "e"] {
        seeds_change_the_run(id, &ready::load(id).unwrap());
    }
    // A has only fixed times; with Poisson arrivals its producer draws from the seed too.
    let mut a = ready::load("a").unwrap();
    a.producers[0].arrival = brokerlab::sim::ArrivalSpec::Poisson;
    seeds_change_the_run("a with Poisson arrivals", &a);
    // Every ready-made scenario repeats itself under another seed.
    for (id, _, _) in ready::all() {
        let s = ready::load(id).unwrap();
        assert_eq!(hash_with_seed(&s, 99), hash_with_seed(&s, 99), "{id}");
    }
}

#[test]
fn bench_workload_is_deterministic() {
    let (n1, h1) = ready::bench_scenario_e(20_000, true);
    let (n2, h2) = ready::bench_scenario_e(20_000, true);
    assert_eq!((n1, h1), (n2, h2));
    assert!(n1 >= 19_000, "{n1}");
    let (n3, _) = ready::bench_scenario_e(20_000, false);
    assert_eq!(n3, n1);
}

#[test]
fn round_trip_is_identical() {
    for (id, _, json) in ready::all() {
        let s = Scenario::from_json(json).unwrap();
        let again = Scenario::from_json(&s.to_json()).unwrap();
        assert_eq!(s, again, "{id}");
    }
}

fn err(json: &str) -> String {
    Scenario::from_json(json).unwrap_err().to_string()
}

#[test]
fn errors_name_the_field() {
    let mut s = ready::load("c").unwrap();
    s.consumers[2].attach = brokerlab::sim::Attach::Queue("emial".into());
    assert_eq!(
        s.validate().unwrap_err().to_string(),
        "consumers[2].attach: unknown queue \"emial\""
    );
    assert!(
        err(r#"{"version": 1, "duration_ms": 10, "extra": 1}"#).contains("unknown field `extra`")
    );
    assert!(err(r#"{"version": "1", "duration_ms": 10}"#).contains("line 1"));
    assert_eq!(
        err(r#"{"version": 2, "duration_ms": 10}"#),
        "version: 2 is not supported; expected 1"
    );
    assert!(err(r#"{"version": 1, "duration_ms": 99999999999999999999}"#).contains("invalid JSON"));
    assert_eq!(
        err(r#"{"version": 1, "duration_ms": 18446744073709551615}"#),
        "duration_ms: 18446744073709551615 is outside 1..=1000000000"
    );
    let e = err(r#"{"version": 1, "duration_ms": 100, "producers": [
        {"name": "p", "target": {"queue": "nope"}}]}"#);
    assert_eq!(e, "producers[0].target: unknown queue \"nope\"");
    let e = err(r#"{"version": 1, "duration_ms": 100, "script": [
        {"at_ms": 5, "action": {"crash": {"consumer": "ghost"}}}]}"#);
    assert_eq!(
        e,
        "script[0].action.crash.consumer: unknown consumer \"ghost\""
    );
}

#[test]
fn share_partition_views_show_holders_and_delivery_counts() {
    // F at 6.1 s: worker-6's record expired at 6 s and worker-1 holds it, delivery 2.
    let mut sim = Simulation::new(&ready::load("f").unwrap()).unwrap();
    sim.run_until(brokerlab::Instant::from_millis(6_100));
    let views = sim.share_partition_views();
    let (view, record) = views
        .iter()
        .find_map(|v| {
            v.records
                .iter()
                .find(|r| {
                    r.delivery_count == 2
                        && r.state == brokerlab::sim::ShareRecordState::Acquired
                        && r.holder.as_deref() == Some("worker-1")
                })
                .map(|r| (v, r))
        })
        .expect("worker-1 holds a record delivered twice");
    assert_eq!(view.group, "fulfilment");
    assert_eq!(view.stream, "orders");
    assert!(view.start <= record.offset && record.offset < view.end);
    assert!(record.until.is_some());
    let worker_1 = sim
        .consumer_views()
        .into_iter()
        .find(|c| c.name == "worker-1")
        .unwrap();
    assert!(worker_1.share_member.is_some());
    assert!(worker_1.holding.contains(&(view.partition, record.offset)));
    // worker-6 was removed at 6.7 s: no member id, nothing held.
    sim.run_until(brokerlab::Instant::from_millis(6_800));
    let worker_6 = sim
        .consumer_views()
        .into_iter()
        .find(|c| c.name == "worker-6")
        .unwrap();
    assert!(worker_6.holding.is_empty() && worker_6.share_member.is_none());
}

#[test]
fn share_group_errors_name_the_field() {
    let mut s = ready::load("f").unwrap();
    s.topology.share_groups[0].streams[0] = "ordres".into();
    assert_eq!(
        s.validate().unwrap_err().to_string(),
        "topology.share_groups[0].streams[0]: unknown stream \"ordres\""
    );
    let mut s = ready::load("f").unwrap();
    s.topology.share_groups[0].delivery_count_limit = 0;
    assert_eq!(
        s.validate().unwrap_err().to_string(),
        "topology.share_groups[0].delivery_count_limit: 0 is outside 1..=10"
    );
    let mut s = ready::load("f").unwrap();
    s.topology.share_groups[0].record_lock_duration_ms = 0;
    assert!(
        s.validate()
            .unwrap_err()
            .to_string()
            .starts_with("topology.share_groups[0].record_lock_duration_ms: ")
    );
    let mut s = ready::load("f").unwrap();
    s.consumers[1].attach = brokerlab::sim::Attach::ShareGroup("fulfilmnet".into());
    assert_eq!(
        s.validate().unwrap_err().to_string(),
        "consumers[1].attach: unknown share group \"fulfilmnet\""
    );
    let mut s = ready::load("f").unwrap();
    s.consumers[0].ack = brokerlab::sim::AckSpec::Manual;
    assert!(
        s.validate()
            .unwrap_err()
            .to_string()
            .starts_with("consumers[0].ack: a share-group member acknowledges each record")
    );
    // Without share groups the JSON has no `share_groups` key; with them it reads back equal,
    // Kafka's defaults filled in.
    assert!(!ready::load("e").unwrap().to_json().contains("share_groups"));
    let json = r#"{"version": 1, "duration_ms": 100,
        "topology": {"streams": [{"name": "s", "partitions": 1}],
                     "share_groups": [{"name": "g", "streams": ["s"]}]}}"#;
    let s = Scenario::from_json(json).unwrap();
    let g = &s.topology.share_groups[0];
    assert_eq!(
        (
            g.record_lock_duration_ms,
            g.delivery_count_limit,
            g.max_record_locks
        ),
        (30_000, 5, 200)
    );
    assert_eq!(g.auto_offset_reset, brokerlab::ShareOffsetReset::Latest);
    assert_eq!(Scenario::from_json(&s.to_json()).unwrap(), s);
}

#[test]
fn hostile_inputs_are_errors() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(Scenario::from_json(&deep).is_err());
    let deep_obj = format!(
        r#"{{"version": 1, "duration_ms": 1, "title": {}1{}}}"#,
        "[".repeat(5000),
        "]".repeat(5000)
    );
    assert!(Scenario::from_json(&deep_obj).is_err());
    let huge = format!(
        r#"{{"version": 1, "duration_ms": 1, "title": "{}"}}"#,
        "x".repeat(10 << 20)
    );
    assert!(err(&huge).contains("at most"));
    let long_name = format!(
        r#"{{"version": 1, "duration_ms": 1, "topology": {{"queues": [{{"name": "{}"}}]}}}}"#,
        "q".repeat(200_000)
    );
    assert!(err(&long_name).starts_with("topology.queues[0].name:"));
    let many = format!(
        r#"{{"version": 1, "duration_ms": 1, "producers": [{{"name": "p", "target": {{"queue": "q"}}, "times_ms": [{}]}}]}}"#,
        vec!["1"; 5000].join(",")
    );
    assert!(Scenario::from_json(&many).is_err());
    for bad in [
        "",
        "null",
        "[]",
        "{",
        "{\"version\":1}",
        "\u{0}",
        "{\"version\":1,\"duration_ms\":-1}",
    ] {
        assert!(Scenario::from_json(bad).is_err(), "{bad:?}");
    }
}

fn mutate(json: &str, at: usize, edit: u8, byte: u8) -> String {
    let mut b = json.as_bytes().to_vec();
    let i = at % (b.len() + 1);
    match edit % 3 {
        0 if i < b.len() => {
            b.remove(i);
        }
        1 => b.insert(i, byte),
        _ if i < b.len() => b[i] = byte,
        _ => b.push(byte),
    }
    String::from_utf8_lossy(&b).into_owned()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn mutated_scenarios_never_panic(
        which in 0usize..6,
        edits in proptest::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..6),
    ) {
        let (_, _, json) = ready::all()[which];
        let mut text = json.to_string();
        for (at, edit, byte) in edits {
            text = mutate(&text, at, edit, byte);
        }
        if let Ok(s) = Scenario::from_json(&text) {
            // Anything that validates also runs (briefly) without panicking.
            let mut sim = Simulation::new(&s).unwrap();
            sim.run_until(brokerlab::Instant::from_millis(2_000));
        }
    }

    #[test]
    fn random_json_never_panics(text in "[\\[\\]{}\",:0-9a-z_ .-]{0,200}") {
        let _ = Scenario::from_json(&text);
    }
}

/// `recent_events` is the last `RECENT_EVENTS` of every event in order, however the run is
/// stepped, including a step with more than `MAX_STEP_EVENTS` events (the overflow).
#[test]
fn recent_events_are_the_last_of_all_events() {
    use brokerlab::sim::{MAX_STEP_EVENTS, RECENT_EVENTS};
    use brokerlab::{Duration, Instant};

    let mut s = ready::load("e").unwrap();
    for p in &mut s.producers {
        p.rate_per_sec = 5_000;
    }
    let last = |all: &[brokerlab::sim::SimEvent]| -> Vec<brokerlab::sim::SimEvent> {
        all[all.len().saturating_sub(RECENT_EVENTS)..].to_vec()
    };
    // Reference: every event, collected step by step (small steps, none overflows).
    let mut small = Simulation::new(&s).unwrap();
    let mut all: Vec<_> = small.last_step_events().to_vec();
    assert_eq!(
        small.recent_events().cloned().collect::<Vec<_>>(),
        last(&all)
    );
    let mut steps = 0;
    while !small.is_finished() {
        let events = small.step(Duration::from_millis(7));
        all.extend_from_slice(events);
        assert_eq!(small.last_step_events_dropped(), 0);
        steps += 1;
        if steps % 97 == 0 {
            let recent: Vec<_> = small.recent_events().cloned().collect();
            assert_eq!(recent, last(&all), "after {steps} steps");
        }
    }
    assert!(all.len() > MAX_STEP_EVENTS + RECENT_EVENTS);
    assert_eq!(
        small.recent_events().cloned().collect::<Vec<_>>(),
        last(&all)
    );
    // One step for the whole run: the first MAX_STEP_EVENTS are returned, the rest counted.
    let mut big = Simulation::new(&s).unwrap();
    let setup = big.last_step_events().len();
    let n = big.run_until(Instant::from_millis(s.duration_ms)).len();
    assert_eq!(n, MAX_STEP_EVENTS);
    assert_eq!(
        big.last_step_events_dropped() as usize,
        all.len() - setup - MAX_STEP_EVENTS
    );
    assert_eq!(big.last_step_events(), &all[setup..setup + MAX_STEP_EVENTS]);
    assert_eq!(big.recent_events().cloned().collect::<Vec<_>>(), last(&all));
    assert_eq!(big.trace_hash(), small.trace_hash());
    assert_eq!(big.last_message(), small.last_message());
    // A later short step keeps the window sliding across the boundary.
    big.step(Duration::from_millis(1));
    assert_eq!(big.recent_events().cloned().collect::<Vec<_>>(), last(&all));
}

#[test]
fn comparison6_is_the_comparison_with_a_share_group_row() {
    let at = |ms| brokerlab::Instant::from_millis(ms);
    // The five rows the two comparisons share run alike.
    let mut five = Simulation::new(&ready::load("comparison").unwrap()).unwrap();
    five.run_to_end();
    let mut six = Simulation::new(&ready::load("comparison6").unwrap()).unwrap();
    six.run_to_end();
    let counts = |sim: &Simulation| -> Vec<(String, u64)> {
        sim.consumer_views()
            .into_iter()
            .filter(|v| !v.name.starts_with("f."))
            .map(|v| (v.name, v.processed))
            .collect()
    };
    assert_eq!(counts(&five), counts(&six));
    // F: f.worker-2 crashes at 4 s holding a record; it goes back at once and another member
    // acquires it with delivery count 2.
    let mut sim = Simulation::new(&ready::load("comparison6").unwrap()).unwrap();
    sim.run_until(at(3_999));
    let view = |sim: &Simulation, name: &str| {
        sim.consumer_views()
            .into_iter()
            .find(|v| v.name == name)
            .unwrap()
    };
    let worker_2 = view(&sim, "f.worker-2");
    let member_2 = worker_2.share_member.expect("a member");
    let &[(partition, offset)] = worker_2.holding.as_slice() else {
        panic!("f.worker-2 holds one record before its crash: {worker_2:?}");
    };
    let (mut released, mut taken_again) = (false, false);
    let mut accepted_meanwhile = BTreeSet::new();
    while sim.now() < at(8_000) {
        let now = sim.now();
        for e in sim.step_event() {
            let SimEventKind::Broker(ev) = &e.kind else {
                continue;
            };
            match ev {
                Event::ShareReleased {
                    partition: p,
                    offset: o,
                    reason: brokerlab::share::ReleaseReason::Crashed,
                    ..
                } if (*p, *o) == (partition, offset) => released = now <= at(4_000),
                Event::ShareAcquired {
                    member,
                    partition: p,
                    offset: o,
                    delivery_count: 2,
                    ..
                } if (*p, *o) == (partition, offset) => {
                    taken_again = released && *member != member_2 && now <= at(4_000);
                }
                Event::ShareAcknowledged {
                    member,
                    partition: p,
                    kind: brokerlab::AcknowledgeType::Accept,
                    ..
                } if now >= at(4_000) => {
                    assert_ne!(*member, member_2, "f.worker-2 is down");
                    accepted_meanwhile.insert(p.partition);
                }
                _ => {}
            }
        }
    }
    assert!(released && taken_again, "{partition}{offset}");
    assert_eq!(
        accepted_meanwhile.len(),
        3,
        "the others keep every partition moving"
    );
    let before = view(&sim, "f.worker-2").processed;
    sim.run_to_end();
    assert!(
        view(&sim, "f.worker-2").processed > before,
        "back at 8 s, it works again"
    );
}
