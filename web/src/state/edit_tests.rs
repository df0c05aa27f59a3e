//! Edits: each kind of change, refusals in words, rename and delete with what depends on it.

use super::*;

fn scenario() -> Scenario {
    Scenario::from_json(
        r#"{
          "version": 1, "duration_ms": 10000,
          "topology": {
            "queues": [{ "name": "work" }],
            "streams": [{ "name": "work", "partitions": 2 }, { "name": "clicks", "partitions": 1 }],
            "groups": [{ "name": "g", "streams": ["work"] }, { "name": "both", "streams": ["work", "clicks"] }]
          },
          "producers": [{ "name": "p", "target": { "queue": "work" } }],
          "consumers": [
            { "name": "w", "attach": { "queue": "work" } },
            { "name": "m", "attach": { "group": "g" } },
            { "name": "r", "attach": { "stream": { "stream": "work" } } }
          ],
          "script": [
            { "at_ms": 100, "action": { "crash": { "consumer": "w" } } },
            { "at_ms": 200, "action": { "crash": { "consumer": "m" } } },
            { "at_ms": 300, "action": { "publish": { "target": { "stream": "work" }, "payload": "x" } } }
          ]
        }"#,
    )
    .expect("valid")
}

#[test]
fn a_new_name_follows_into_the_script_and_only_for_its_kind() {
    let s = scenario();
    let json = spec_json(&s, &Entity::Queue("work".into()))
        .expect("spec")
        .replace("\"work\"", "\"jobs\"");
    let (s, made) = apply(
        &s,
        &Edit::Replace {
            entity: Entity::Queue("work".into()),
            json,
        },
    )
    .expect("taken");
    assert_eq!(made, Some(Entity::Queue("jobs".into())));
    assert_eq!(s.producers[0].target, sim::TargetSpec::Queue("jobs".into()));
    assert_eq!(s.consumers[0].attach, sim::Attach::Queue("jobs".into()));
    assert_eq!(
        s.topology.streams[0].name, "work",
        "the stream keeps its name"
    );
    assert_eq!(s.topology.groups[0].streams, ["work"]);

    let json = spec_json(&s, &Entity::Consumer("w".into()))
        .expect("spec")
        .replace("\"w\"", "\"worker\"");
    let edit = Edit::Replace {
        entity: Entity::Consumer("w".into()),
        json,
    };
    let (s, _) = apply(&s, &edit).expect("taken");
    assert_eq!(
        s.script[0].action,
        sim::Action::Crash {
            consumer: "worker".into()
        }
    );
}

#[test]
fn deleting_a_stream_takes_groups_left_without_one_and_their_members() {
    let (s, _) = apply(&scenario(), &Edit::Delete(Entity::Stream("work".into()))).expect("taken");
    let groups: Vec<_> = s.topology.groups.iter().map(|g| &g.name).collect();
    assert_eq!(groups, ["both"]);
    assert_eq!(s.topology.groups[0].streams, ["clicks"]);
    let consumers: Vec<_> = s.consumers.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(consumers, ["w"], "the reader and the member went");
    assert_eq!(s.topology.queues.len(), 1, "the queue of that name stays");
    assert_eq!(s.producers.len(), 1);
    assert_eq!(s.script.len(), 1, "only the step about w is left");
}

#[test]
fn a_stream_is_compacted_by_editing_its_cleanup_unless_it_gets_keyless_records() {
    let s = scenario();
    let json = spec_json(&s, &Entity::Stream("clicks".into())).expect("spec");
    assert!(json.contains(r#""cleanup": "delete""#), "{json}");
    let edit = |name: &str, json: String| Edit::Replace {
        entity: Entity::Stream(name.into()),
        json,
    };
    let compact = json.replace(r#""delete""#, r#""compact""#);
    let (s2, _) = apply(&s, &edit("clicks", compact)).expect("taken");
    assert_eq!(s2.topology.streams[1].cleanup, sim::CleanupSpec::Compact);
    assert!(
        spec_json(&s2, &Entity::Stream("clicks".into()))
            .expect("spec")
            .contains(r#""cleanup": "compact""#)
    );
    // `work` gets a keyless record from the script: compaction would refuse it.
    let json = spec_json(&s, &Entity::Stream("work".into()))
        .expect("spec")
        .replace(r#""delete""#, r#""compact""#);
    let refused = apply(&s, &edit("work", json)).expect_err("refused");
    assert!(refused.contains("only records with a key"), "{refused}");
}
