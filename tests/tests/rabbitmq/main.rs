//! The differential suite: the same workloads on Brokerlab and on a real RabbitMQ, compared.
//!
//! Each [`Workload`](workload::Workload) is a topology and client steps. Brokerlab runs it
//! on its broker ([`engine`]); its topology goes through the RabbitMQ exporter into the
//! node (each workload in its own vhost) and `tests/rabbitmq/driver.py` plays the same steps
//! with pika ([`amqp`]), waiting after each step for the state Brokerlab reached. Then
//! both [`Observed`](observed::Observed) must agree: publisher confirms, each consumer's
//! deliveries (order, redelivered flags, delivery counts on quorum queues), each subscriber's
//! gets, and every queue's messages at the end with their dead-letter reasons. Intended
//! differences are named in [`differences`]. A mismatch prints both histories side by side.
//!
//! The tests that need RabbitMQ are `#[ignore]`d: `cargo xtask test` (or `cargo xtask
//! rabbitmq`) starts a private node and runs them with `--ignored`. The others check the
//! workloads on Brokerlab alone and run everywhere.

mod amqp;
mod differences;
mod engine;
mod focused;
mod observed;
mod scenarios;
mod workload;

use std::sync::OnceLock;

use workload::Workload;

/// Every workload, focused and from scenarios.
fn workloads() -> &'static [Workload] {
    static ALL: OnceLock<Vec<Workload>> = OnceLock::new();
    ALL.get_or_init(|| {
        let mut all = focused::all();
        all.extend(scenarios::all());
        all
    })
}

fn workload(name: &str) -> &'static Workload {
    workloads()
        .iter()
        .find(|w| w.name == name)
        .unwrap_or_else(|| panic!("no workload {name}"))
}

/// Runs `name` on both sides and compares.
fn check(name: &str) {
    let node = amqp::Node::from_env();
    node.import_once(workloads());
    let w = workload(name);
    let run = engine::run(w);
    let theirs = node.play(w, &w.vhost(), &run);
    compare(w, run.observed, theirs);
}

fn compare(w: &Workload, mut ours: observed::Observed, mut theirs: observed::Observed) {
    let raw_ours = ours.clone();
    let raw_theirs = theirs.clone();
    let fail = |what: String| -> ! {
        panic!(
            "workload {} ({}): {what}\n\n{}",
            w.name,
            w.about,
            observed::side_by_side(&raw_ours, &raw_theirs)
        )
    };
    for d in &w.differences {
        if !d.reconcile(&mut ours, &mut theirs) {
            fail(format!(
                "the expected difference {} did not show: remove it from the workload",
                d.name()
            ));
        }
    }
    if !ours.errors.is_empty() {
        fail(format!(
            "Brokerlab could not do every step: {:?}",
            ours.errors
        ));
    }
    if !theirs.errors.is_empty() {
        fail(format!(
            "RabbitMQ could not do every step: {:?}",
            theirs.errors
        ));
    }
    if let Some(d) = observed::first_difference(&ours, &theirs) {
        fail(d);
    }
    if !theirs.settle_failures.is_empty() {
        fail(format!(
            "RabbitMQ did not reach Brokerlab's state after some steps: {:?}",
            theirs.settle_failures
        ));
    }
}

macro_rules! against_rabbitmq {
    ($($test:ident => $name:literal),* $(,)?) => {
        $(
            #[test]
            #[ignore = "needs a RabbitMQ node: `cargo xtask rabbitmq` or `cargo xtask test`"]
            fn $test() {
                check($name);
            }
        )*

        /// Every workload has its test above.
        const TESTED: &[&str] = &[$($name),*];
    };
}

against_rabbitmq! {
    direct_exchange => "direct",
    fanout_exchange => "fanout",
    topic_rules => "topic",
    default_exchange => "default-exchange",
    prefetch_and_fair_dispatch => "fair-dispatch",
    nack_and_reject => "nack-reject",
    delivery_limit_with_dead_letters => "delivery-limit-dlq",
    delivery_limit_without_dead_letters => "delivery-limit-drop",
    delivery_limit_when_the_connection_dies => "delivery-limit-dies",
    queue_ttl_dead_letters => "queue-ttl",
    message_ttl_dead_letters => "message-ttl",
    max_length_drop_head => "drop-head",
    max_length_reject_publish => "reject-publish",
    quorum_queue_max_length => "quorum-limits",
    redelivery_after_connection_death => "connection-dies",
    dead_letter_chain => "dead-letter-chain",
    auto_delete_subscriber_queues => "auto-delete",
    subscriber_inbox_overflow => "subscriber-inbox",
    scenario_a => "scenario-a",
    scenario_b => "scenario-b",
    scenario_c => "scenario-c",
    comparison_scenario => "comparison",
}

/// `cargo xtask` boots the node with `load_definitions` set to the comparison scenario's
/// exported file (the fixture, which is the exporter's current output): its vhost `/` must
/// hold the whole topology, `guest` must log in, and the comparison workload must play there
/// as in a vhost imported with `rabbitmqctl`.
#[test]
#[ignore = "needs a RabbitMQ node: `cargo xtask rabbitmq` or `cargo xtask test`"]
fn a_node_booted_with_an_exported_file_runs_the_comparison() {
    let w = workload("comparison");
    let booted = include_str!("../../../web/tests/fixtures/export/comparison.rabbitmq.json");
    assert_eq!(
        booted,
        brokerlab_web::interop::export::rabbitmq::export(&w.scenario).text,
        "the node booted with the exporter's current output"
    );
    let node = amqp::Node::from_env();
    let run = engine::run(w);
    let theirs = node.play(w, "/", &run);
    compare(w, run.observed, theirs);
}

#[test]
fn every_workload_has_a_test_against_rabbitmq() {
    let names: Vec<&str> = workloads().iter().map(|w| w.name).collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), names.len(), "workload names are unique");
    for name in names {
        assert!(TESTED.contains(&name), "workload {name} has no test");
    }
}

#[test]
fn every_workload_runs_on_brokerlab_without_errors() {
    for w in workloads() {
        let run = engine::run(w);
        let mut ours = run.observed;
        let mut theirs = observed::Observed::default();
        for d in &w.differences {
            d.reconcile(&mut ours, &mut theirs);
        }
        assert!(ours.errors.is_empty(), "{}: {:?}", w.name, ours.errors);
        assert_eq!(run.expects.len(), w.steps.len());
    }
}

#[test]
fn replaying_a_scenario_delivers_what_the_simulation_delivered() {
    for (name, json) in [
        ("a", include_str!("../../../core/scenarios/a.json")),
        ("b", include_str!("../../../core/scenarios/b.json")),
        ("c", include_str!("../../../core/scenarios/c.json")),
        (
            "comparison",
            include_str!("../../../core/scenarios/comparison.json"),
        ),
    ] {
        let (w, (delivered, received)) = scenarios::derive_with_sim("replay", name, json);
        let run = engine::run(&w);
        let mut replayed = run.observed.deliveries.clone();
        for gots in replayed.values_mut() {
            for g in gots.iter_mut() {
                g.delivery_count = None;
            }
        }
        assert_eq!(replayed, delivered, "scenario {name}: deliveries");
        assert_eq!(run.observed.gets, received, "scenario {name}: receives");
        assert!(!w.steps.is_empty());
    }
}
