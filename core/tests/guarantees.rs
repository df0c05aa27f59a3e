//! The guarantee checker (`brokerlab::sim::check`) on the ready-made scenarios and small
//! variants of them: it finds what each topology breaks, and nothing where the topology keeps
//! its promise.

use brokerlab::Instant;
use brokerlab::sim::check::{Guarantee, Violation, check_run};
use brokerlab::sim::ready;
use brokerlab::sim::{
    AckSpec, Action, CrashSpec, OverflowSpec, ProcessingSpec, Scenario, Simulation,
};

fn check(s: &Scenario, g: Guarantee) -> Option<Violation> {
    let mut sim = Simulation::new(s).expect("valid scenario");
    check_run(&mut sim, g)
}

fn scenario(id: &str) -> Scenario {
    ready::load(id).expect("ready-made scenario")
}

#[test]
fn queue_a_with_manual_ack_loses_nothing_and_processes_nothing_twice() {
    let a = scenario("a");
    assert_eq!(check(&a, Guarantee::NoLoss), None);
    assert_eq!(check(&a, Guarantee::NoDuplicate), None);
}

#[test]
fn queue_a_with_auto_ack_loses_what_the_crashing_worker_held() {
    let mut a = scenario("a");
    for c in &mut a.consumers {
        c.ack = AckSpec::Auto;
    }
    let v = check(&a, Guarantee::NoLoss).expect("a lost message");
    assert_eq!(v.guarantee, Guarantee::NoLoss);
    assert_eq!(v.at, Instant::from_millis(3_100), "{v:?}");
    assert_eq!(v.messages.len(), 1);
    assert!(v.entities.contains(&"worker-2".to_string()), "{v:?}");
    assert!(v.entities.contains(&"jobs".to_string()), "{v:?}");
    assert!(
        v.what.contains("auto-ack") && v.what.contains("worker-2"),
        "{}",
        v.what
    );
    assert!(v.what.starts_with(&v.messages[0].to_string()), "{}", v.what);
}

#[test]
fn a_visibility_timeout_shorter_than_the_processing_time_processes_a_message_twice() {
    let mut a = scenario("a");
    a.topology.queues[0].visibility_timeout_ms = Some(300);
    for c in &mut a.consumers {
        c.processing = ProcessingSpec::Fixed(400);
        c.crashes.clear();
    }
    let v = check(&a, Guarantee::NoDuplicate).expect("a message processed twice");
    assert!(v.what.contains("visibility timeout"), "{}", v.what);
    assert_eq!(v.messages.len(), 1);
    // Without the timeout, nothing is processed twice.
    a.topology.queues[0].visibility_timeout_ms = None;
    assert_eq!(check(&a, Guarantee::NoDuplicate), None);
}

#[test]
fn a_subscriber_that_is_down_misses_what_is_published_meanwhile() {
    let mut b = scenario("b");
    assert_eq!(check(&b, Guarantee::NoLoss), None, "b as it is");
    let dashboard = b
        .consumers
        .iter_mut()
        .find(|c| c.name == "dashboard")
        .unwrap();
    dashboard.crashes = vec![CrashSpec {
        at_ms: 2_000,
        restart_at_ms: Some(4_000),
    }];
    let v = check(&b, Guarantee::NoLoss).expect("a missed message");
    assert!(v.entities.contains(&"dashboard".to_string()), "{v:?}");
    assert!(v.at >= Instant::from_millis(2_000) && v.at <= Instant::from_millis(4_000));
}

#[test]
fn retention_overtaking_a_slow_reader_is_a_loss() {
    let v = check(&scenario("d"), Guarantee::NoLoss).expect("records removed unread");
    assert!(v.entities.contains(&"replay".to_string()), "{v:?}");
    assert!(v.what.contains("Retention"), "{}", v.what);
    assert!(!v.records.is_empty());
    // The replay's seek back to the beginning reads records again on purpose: not a
    // duplicate.
    assert_eq!(check(&scenario("d"), Guarantee::NoDuplicate), None);
}

#[test]
fn a_killed_member_leaves_its_partition_without_a_running_owner_until_its_session_ends() {
    let e = scenario("e");
    let v = check(&e, Guarantee::PartitionsOwned).expect("an unowned partition");
    assert_eq!(v.at, Instant::from_millis(9_000), "{v:?}");
    assert!(v.what.contains("analytics-2"), "{}", v.what);
}

#[test]
fn two_workers_on_one_queue_break_per_key_order_and_one_worker_keeps_it() {
    let json = r#"{ "version": 1, "seed": 3, "duration_ms": 4000,
      "topology": { "queues": [{ "name": "q" }] },
      "producers": [{ "name": "p", "target": { "queue": "q" }, "rate_per_sec": 20,
                      "keys": { "fixed": "order-7" } }],
      "consumers": [
        { "name": "w1", "attach": { "queue": "q" }, "processing": { "uniform": { "min_ms": 10, "max_ms": 300 } }, "prefetch": 1 },
        { "name": "w2", "attach": { "queue": "q" }, "processing": { "uniform": { "min_ms": 10, "max_ms": 300 } }, "prefetch": 1 }
      ] }"#;
    let mut s = Scenario::from_json(json).unwrap();
    let v = check(&s, Guarantee::KeyOrder).expect("out of order");
    assert_eq!(v.messages.len(), 2);
    assert!(v.messages[0] < v.messages[1], "{v:?}");
    assert!(v.what.starts_with("Key order-7:"), "{}", v.what);
    s.consumers.truncate(1);
    assert_eq!(check(&s, Guarantee::KeyOrder), None);
}

#[test]
fn fan_out_c_with_a_short_drop_head_queue_drops_orders_while_its_worker_is_down() {
    let mut c = scenario("c");
    assert_eq!(check(&c, Guarantee::NoLoss), None, "c as it is");
    let email = c
        .topology
        .queues
        .iter_mut()
        .find(|q| q.name == "email")
        .unwrap();
    email.max_length = Some(5);
    email.overflow = OverflowSpec::DropHead;
    let v = check(&c, Guarantee::NoLoss).expect("dropped orders");
    assert!(v.entities.contains(&"email".to_string()), "{v:?}");
    assert!(v.what.contains("the queue was full"), "{}", v.what);
    assert!(v.at > Instant::from_millis(2_000) && v.at < Instant::from_millis(6_000));
}

#[test]
fn groups_e_with_commit_on_poll_skip_what_a_killed_member_had_not_processed() {
    let mut e = scenario("e");
    assert_eq!(check(&e, Guarantee::NoLoss), None, "e as it is");
    for step in &mut e.script {
        if let Action::AddConsumer(spec) = &mut step.action
            && spec.name == "analytics-2"
        {
            spec.ack = AckSpec::Auto;
        }
    }
    let v = check(&e, Guarantee::NoLoss).expect("skipped records");
    assert!(v.entities.contains(&"analytics-2".to_string()), "{v:?}");
    assert!(v.entities.contains(&"analytics".to_string()), "{v:?}");
    assert_eq!(v.records.len(), 1);
    assert!(v.what.contains("committed"), "{}", v.what);
}

#[test]
fn the_search_finds_an_offline_subscriber_in_b_through_its_faults_and_not_in_a() {
    use brokerlab::sim::check::search::{search, variant};
    let b = scenario("b");
    let chunk = search(&b, Guarantee::NoLoss, 0, 100);
    assert_eq!(chunk.runs, 100);
    let found = chunk.found.expect("a subscriber down in some run");
    assert!(found.run > 0, "b itself loses nothing");
    assert_eq!(
        found.scenario,
        variant(&b, found.run),
        "the run is reproducible"
    );
    let again = check(&found.scenario, Guarantee::NoLoss).expect("same violation");
    assert_eq!(again, found.violation);
    // The soonest violation of the chunk is kept.
    for run in 0..100 {
        if let Some(v) = check(&variant(&b, run), Guarantee::NoLoss) {
            assert!(v.at >= found.violation.at, "run {run} broke it sooner");
        }
    }
    let a = scenario("a");
    assert_eq!(search(&a, Guarantee::NoLoss, 0, 200).found, None);
}

#[test]
fn share_group_f_processes_a_record_twice_when_it_comes_back() {
    // worker-4 releases a record after processing it and worker-5 processes it again (later
    // worker-6's lock expires with the same effect): a share group delivers at least once.
    let f = scenario("f");
    let v = check(&f, Guarantee::NoDuplicate).expect("a record processed twice");
    assert!(
        v.what
            .starts_with("share group fulfilment had orders p2 offset 6 processed twice"),
        "{v:?}"
    );
    assert!(v.entities.contains(&"worker-4".to_string()), "{v:?}");
    assert_eq!(v.records.len(), 1);
    assert!(v.entities.contains(&"fulfilment".to_string()), "{v:?}");
    assert_eq!(check(&f, Guarantee::NoLoss), None);
}
