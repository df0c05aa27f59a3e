//! The visitor against a scenario with one reference of every kind at every site.

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

use super::*;

/// Every site and action field once, each naming an entity of its own where it can.
const EVERYTHING: &str = r#"{
  "version": 1, "duration_ms": 10000,
  "topology": {
    "exchanges": [{ "name": "x-fan", "kind": "fanout" }, { "name": "x-top", "kind": "topic" }],
    "queues": [{ "name": "q-a", "dead_letter_queue": "q-dlq" }, { "name": "q-dlq" }],
    "bindings": [{ "exchange": "x-fan", "queue": "q-a" }],
    "streams": [{ "name": "st-1", "partitions": 2 }, { "name": "st-2", "partitions": 2 }],
    "groups": [{ "name": "g-1", "streams": ["st-1", "st-2"] }],
    "share_groups": [{ "name": "sg-1", "streams": ["st-2"] }]
  },
  "producers": [
    { "name": "p-q", "target": { "queue": "q-a" } },
    { "name": "p-x", "target": { "exchange": { "exchange": "x-top", "routing_key": "a.b" } } },
    { "name": "p-s", "target": { "stream": "st-1" } }
  ],
  "consumers": [
    { "name": "c-q", "attach": { "queue": "q-a" } },
    { "name": "c-sub", "attach": { "subscription": { "exchange": "x-fan" } } },
    { "name": "c-st", "attach": { "stream": { "stream": "st-2" } } },
    { "name": "c-g", "attach": { "group": "g-1" } },
    { "name": "c-sh", "attach": { "share_group": "sg-1" } }
  ],
  "script": [
    { "at_ms": 100, "action": { "publish": { "target": { "queue": "q-dlq" }, "payload": "x" } } },
    { "at_ms": 1000, "action": { "crash": { "consumer": "c-q" } } },
    { "at_ms": 2000, "action": { "restart": { "consumer": "c-q" } } },
    { "at_ms": 500, "action": { "add_consumer": { "name": "c-added",
        "attach": { "stream": { "stream": "st-1" } } } } },
    { "at_ms": 3000, "action": { "remove_consumer": { "consumer": "c-sub" } } },
    { "at_ms": 3000, "action": { "seek": { "consumer": "c-st", "to": "beginning" } } },
    { "at_ms": 3000, "action": { "commit": { "consumer": "c-g" } } },
    { "at_ms": 4000, "action": { "bind": { "exchange": "x-top", "queue": "q-a", "key": "k" } } },
    { "at_ms": 4000, "action": { "unbind": { "exchange": "x-fan", "queue": "q-a" } } },
    { "at_ms": 5000, "action": { "set_rate": { "producer": "p-q", "rate_per_sec": 0 } } },
    { "at_ms": 6000, "action": { "crash": { "consumer": "c-added" } } }
  ]
}"#;

fn everything() -> Scenario {
    Scenario::from_json(EVERYTHING).expect("the test scenario is valid")
}

fn listed(s: &Scenario) -> Vec<(EntityKind, String, String)> {
    references(s)
        .into_iter()
        .map(|r| (r.kind, r.name.to_owned(), r.site.to_string()))
        .collect()
}

fn row(kind: EntityKind, name: &str, path: &str) -> (EntityKind, String, String) {
    (kind, name.to_owned(), path.to_owned())
}

#[test]
fn every_reference_is_visited_once_with_its_kind_and_path() {
    use EntityKind::*;
    let expected = vec![
        row(Queue, "q-dlq", "topology.queues[0].dead_letter_queue"),
        row(Exchange, "x-fan", "topology.bindings[0].exchange"),
        row(Queue, "q-a", "topology.bindings[0].queue"),
        row(Stream, "st-1", "topology.groups[0].streams[0]"),
        row(Stream, "st-2", "topology.groups[0].streams[1]"),
        row(Stream, "st-2", "topology.share_groups[0].streams[0]"),
        row(Queue, "q-a", "producers[0].target"),
        row(Exchange, "x-top", "producers[1].target"),
        row(Stream, "st-1", "producers[2].target"),
        row(Queue, "q-a", "consumers[0].attach"),
        row(Exchange, "x-fan", "consumers[1].attach"),
        row(Stream, "st-2", "consumers[2].attach"),
        row(Group, "g-1", "consumers[3].attach"),
        row(ShareGroup, "sg-1", "consumers[4].attach"),
        row(Queue, "q-dlq", "script[0].action.publish.target"),
        row(Consumer, "c-q", "script[1].action.crash.consumer"),
        row(Consumer, "c-q", "script[2].action.restart.consumer"),
        row(Stream, "st-1", "script[3].action.add_consumer.attach"),
        row(
            Consumer,
            "c-sub",
            "script[4].action.remove_consumer.consumer",
        ),
        row(Consumer, "c-st", "script[5].action.seek.consumer"),
        row(Consumer, "c-g", "script[6].action.commit.consumer"),
        row(Exchange, "x-top", "script[7].action.bind.exchange"),
        row(Queue, "q-a", "script[7].action.bind.queue"),
        row(Exchange, "x-fan", "script[8].action.unbind.exchange"),
        row(Queue, "q-a", "script[8].action.unbind.queue"),
        row(Producer, "p-q", "script[9].action.set_rate.producer"),
        row(Consumer, "c-added", "script[10].action.crash.consumer"),
    ];
    let s = everything();
    assert_eq!(listed(&s), expected);

    // The mutable walk visits the same names at the same sites.
    let mut copy = s.clone();
    let mut seen = Vec::new();
    visit_names_mut(&mut copy, |kind, name, site| {
        seen.push((kind, name.clone(), site.to_string()));
    });
    assert_eq!(seen, expected);

    // Every kind and every action field is covered.
    for kind in EntityKind::ALL {
        assert!(expected.iter().any(|r| r.0 == kind), "{kind} is visited");
    }
    let mut fields = Vec::new();
    for step in &s.script {
        visit_action_names(&step.action, |_, _, field| fields.push(field));
    }
    fields.sort();
    fields.dedup();
    assert_eq!(fields.len(), 12, "every action field: {fields:?}");
}

#[test]
fn the_validator_reports_an_unknown_name_at_its_site() {
    let s = everything();
    let refs = listed(&s);
    for (k, (kind, _, path)) in refs.iter().enumerate() {
        let mut broken = s.clone();
        let mut n = 0;
        visit_names_mut(&mut broken, |_, name, _| {
            if n == k {
                "nope".clone_into(name);
            }
            n += 1;
        });
        let e = broken.validate().expect_err("an unknown name is refused");
        assert_eq!(e.path(), path);
        assert_eq!(e.message(), format!("unknown {kind} \"nope\""));
    }
}

#[test]
fn rename_renames_the_entity_and_every_reference() {
    use EntityKind::*;
    for (kind, old, declarations) in [
        (Exchange, "x-fan", 1),
        (Queue, "q-a", 1),
        (Queue, "q-dlq", 1),
        (Stream, "st-1", 1),
        (Group, "g-1", 1),
        (ShareGroup, "sg-1", 1),
        (Producer, "p-q", 1),
        (Consumer, "c-q", 1),
        (Consumer, "c-added", 1),
    ] {
        let mut s = everything();
        let dependents = dependents_of(&s, kind, old).len();
        assert!(dependents > 0, "{old} is referred to");
        let changed = rename(&mut s, kind, old, "renamed");
        assert_eq!(changed, declarations + dependents, "{old}");
        assert!(dependents_of(&s, kind, old).is_empty(), "{old} is gone");
        assert_eq!(dependents_of(&s, kind, "renamed").len(), dependents);
        s.validate()
            .unwrap_or_else(|e| panic!("renaming {old} keeps the scenario valid: {e}"));
    }
    let mut s = everything();
    assert_eq!(rename(&mut s, Queue, "q-a", "q-a"), 0);
    assert_eq!(rename(&mut s, Queue, "missing", "other"), 0);
    assert_eq!(s, everything());
}

#[test]
fn rename_leaves_other_kinds_of_the_same_name_alone() {
    let mut s = everything();
    // A stream named like a queue: kinds have separate names.
    s.topology.streams[1].name = "q-a".to_owned();
    s.topology.groups[0].streams[1] = "q-a".to_owned();
    s.topology.share_groups[0].streams[0] = "q-a".to_owned();
    s.consumers[2].attach = Attach::Stream {
        stream: "q-a".to_owned(),
        auto_offset_reset: super::super::OffsetResetSpec::Earliest,
    };
    s.validate().expect("valid");
    rename(&mut s, EntityKind::Queue, "q-a", "work");
    assert_eq!(s.topology.streams[1].name, "q-a");
    assert_eq!(s.topology.groups[0].streams[1], "q-a");
    assert_eq!(
        dependents_of(&s, EntityKind::Stream, "q-a"),
        vec![
            Site::GroupStream(0, 1),
            Site::ShareGroupStream(0, 0),
            Site::ConsumerAttach(2)
        ]
    );
    assert!(dependents_of(&s, EntityKind::Queue, "q-a").is_empty());
    s.validate().expect("still valid");
}

#[test]
fn dependents_of_finds_each_kind() {
    use ActionField as F;
    use EntityKind::*;
    let s = everything();
    let cases: [(EntityKind, &str, Vec<Site>); 11] = [
        (
            Exchange,
            "x-fan",
            vec![
                Site::BindingExchange(0),
                Site::ConsumerAttach(1),
                Site::Script(8, F::UnbindExchange),
            ],
        ),
        (
            Exchange,
            "x-top",
            vec![Site::ProducerTarget(1), Site::Script(7, F::BindExchange)],
        ),
        (
            Queue,
            "q-a",
            vec![
                Site::BindingQueue(0),
                Site::ProducerTarget(0),
                Site::ConsumerAttach(0),
                Site::Script(7, F::BindQueue),
                Site::Script(8, F::UnbindQueue),
            ],
        ),
        (
            Queue,
            "q-dlq",
            vec![Site::DeadLetterQueue(0), Site::Script(0, F::PublishTarget)],
        ),
        (
            Stream,
            "st-1",
            vec![
                Site::GroupStream(0, 0),
                Site::ProducerTarget(2),
                Site::Script(3, F::AddConsumerAttach),
            ],
        ),
        (Group, "g-1", vec![Site::ConsumerAttach(3)]),
        (ShareGroup, "sg-1", vec![Site::ConsumerAttach(4)]),
        (Producer, "p-q", vec![Site::Script(9, F::SetRateProducer)]),
        (
            Consumer,
            "c-q",
            vec![
                Site::Script(1, F::CrashConsumer),
                Site::Script(2, F::RestartConsumer),
            ],
        ),
        (
            Consumer,
            "c-added",
            vec![Site::Script(10, F::CrashConsumer)],
        ),
        (Producer, "p-x", vec![]),
    ];
    for (kind, name, sites) in cases {
        assert_eq!(dependents_of(&s, kind, name), sites, "{kind} {name}");
    }
    // The kind matters: no queue is named x-fan.
    assert!(dependents_of(&s, Queue, "x-fan").is_empty());
}
