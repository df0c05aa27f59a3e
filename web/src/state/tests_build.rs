//! Building a topology through the reducer, natively: palette, connections with keys,
//! spec edits, deletes, undo and redo, and the edits that are refused.

use std::rc::Rc;

use brokerlab::sim::ExchangeKindSpec;
use yew::Reducible;

use super::*;

fn reduce(state: AppState, action: Action) -> AppState {
    Rc::unwrap_or_clone(Rc::new(state).reduce(action))
}

fn run(state: AppState, actions: impl IntoIterator<Item = Action>) -> AppState {
    actions.into_iter().fold(state, reduce)
}

fn q(n: &str) -> Entity {
    Entity::Queue(n.into())
}

/// An exchange, two queues bound to it, a consumer on each, a producer: by palette and
/// connections only.
fn fan_out() -> AppState {
    let x = Entity::Exchange("exchange-1".into());
    run(
        reduce(AppState::new("a"), Action::NewEmpty),
        [
            Action::Edit(Edit::Add(NewKind::Exchange(ExchangeKindSpec::Fanout))),
            Action::Edit(Edit::Add(NewKind::Queue)),
            Action::Edit(Edit::Add(NewKind::Queue)),
            Action::Connect {
                from: x.clone(),
                to: q("queue-1"),
            },
            Action::ConnectFrom(Some(x.clone())),
            Action::Select(Some(q("queue-2"))),
            Action::Edit(Edit::Add(NewKind::Consumer)),
            Action::Edit(Edit::Add(NewKind::Consumer)),
            Action::Connect {
                from: q("queue-2"),
                to: Entity::Consumer("consumer-2".into()),
            },
            Action::Edit(Edit::Add(NewKind::Producer)),
        ],
    )
}

#[test]
fn a_fan_out_built_from_nothing_copies_each_message_into_both_queues() {
    let s = fan_out();
    assert_eq!(s.notice, None);
    assert_eq!(s.scenario_id, CUSTOM);
    assert_eq!(s.view.bindings.len(), 2);
    assert_eq!(
        s.view.producers[0].target,
        Entity::Exchange("exchange-1".into())
    );
    let s = reduce(s, Action::RunTo(5_000));
    let enqueued: Vec<u64> = s.view.queues.iter().map(|q| q.enqueued).collect();
    assert_eq!(enqueued.len(), 2);
    assert!(
        enqueued[0] >= 9 && enqueued[0] == enqueued[1],
        "{enqueued:?}"
    );
    assert!(s.view.consumers.iter().all(|c| c.processed > 0));
}

#[test]
fn a_keyed_connection_asks_for_its_key_and_a_bad_topic_pattern_is_refused() {
    let s = run(
        reduce(AppState::new("a"), Action::NewEmpty),
        [
            Action::Edit(Edit::Add(NewKind::Exchange(ExchangeKindSpec::Topic))),
            Action::Edit(Edit::Add(NewKind::Queue)),
            Action::Connect {
                from: Entity::Exchange("exchange-1".into()),
                to: q("queue-1"),
            },
        ],
    );
    assert!(s.pending_connect.is_some());
    assert!(s.view.bindings.is_empty());
    let before = s.scenario.clone();
    let s = reduce(s, Action::ConfirmConnect("a..b".into()));
    assert!(
        s.notice
            .as_deref()
            .is_some_and(|n| n.contains("empty word")),
        "{:?}",
        s.notice
    );
    assert_eq!(s.scenario, before, "a refused edit changes nothing");
    let s = reduce(
        s,
        Action::Connect {
            from: Entity::Exchange("exchange-1".into()),
            to: q("queue-1"),
        },
    );
    let s = reduce(s, Action::ConfirmConnect("orders.*".into()));
    assert_eq!(s.notice, None);
    assert_eq!(s.view.bindings[0].key, "orders.*");
}

#[test]
fn nonsense_is_refused_with_the_reason() {
    let s = fan_out();
    let before = s.scenario.clone();
    let cases = [
        (
            Action::Connect {
                from: Entity::Consumer("consumer-1".into()),
                to: q("queue-1"),
            },
            "cannot connect",
        ),
        (
            Action::Edit(Edit::Replace {
                entity: q("queue-1"),
                json: r#"{"name": "queue-1", "max_length": 0}"#.into(),
            }),
            "max length of 0",
        ),
        (
            Action::Edit(Edit::Replace {
                entity: q("queue-1"),
                json: r#"{"name": "queue-1", "colour": "red"}"#.into(),
            }),
            "unknown field",
        ),
        (
            Action::Edit(Edit::Replace {
                entity: q("queue-1"),
                json: r#"{"name": "queue-2"}"#.into(),
            }),
            "duplicate",
        ),
        (Action::Edit(Edit::Add(NewKind::Group)), "a stream"),
        (
            Action::Connect {
                from: Entity::Exchange("exchange-1".into()),
                to: q("queue-1"),
            },
            "already bound",
        ),
    ];
    let mut s = s;
    for (action, says) in cases {
        s = reduce(s, action);
        let notice = s.notice.clone().unwrap_or_default();
        assert!(notice.contains(says), "{says:?} in {notice:?}");
        assert_eq!(s.scenario, before);
    }
}

#[test]
fn a_spec_edit_renames_everywhere_and_undo_redo_walk_the_edits() {
    let s = fan_out();
    let json = spec_json(&s.scenario, &q("queue-1")).expect("spec");
    let edited = json.replace("\"queue-1\"", "\"billing\"");
    let s = reduce(
        s,
        Action::Edit(Edit::Replace {
            entity: q("queue-1"),
            json: edited,
        }),
    );
    assert_eq!(s.notice, None);
    assert_eq!(s.selected, Some(q("billing")));
    assert!(s.view.bindings.iter().any(|b| b.target == q("billing")));
    assert!(
        s.view
            .consumers
            .iter()
            .any(|c| c.attach == Attachment::Queue("billing".into()))
    );
    let s = reduce(s, Action::Edit(Edit::Delete(q("billing"))));
    assert_eq!(s.view.queues.len(), 1);
    assert_eq!(s.view.consumers.len(), 1, "its consumer went with it");
    let s = reduce(s, Action::Undo);
    assert_eq!(s.view.queues.len(), 2);
    let s = reduce(s, Action::Undo);
    assert!(s.view.queues.iter().any(|x| x.name == "queue-1"));
    let s = reduce(s, Action::Redo);
    assert!(s.view.queues.iter().any(|x| x.name == "billing"));
    let s = reduce(s, Action::Redo);
    assert_eq!(s.view.queues.len(), 1);
    let s = reduce(s, Action::Redo);
    assert_eq!(s.notice.as_deref(), Some("nothing to redo"));
}

#[test]
fn moved_nodes_keep_their_place_and_groups_build_on_streams() {
    let s = run(
        reduce(AppState::new("a"), Action::NewEmpty),
        [
            Action::Edit(Edit::Add(NewKind::Stream)),
            Action::Edit(Edit::Add(NewKind::Group)),
            Action::Edit(Edit::Add(NewKind::Producer)),
            Action::Move {
                entity: Entity::Producer("producer-1".into()),
                x: 30.0,
                y: 300.0,
            },
            Action::Move {
                entity: q("nowhere"),
                x: f64::NAN,
                y: 1.0,
            },
        ],
    );
    assert_eq!(s.notice, None);
    assert_eq!(s.moved.len(), 1);
    assert_eq!(s.view.groups[0].rows.len(), 3);
    let s = reduce(s, Action::AddMember("group-1".into()));
    let s = reduce(s, Action::RunTo(3_000));
    let owners: std::collections::BTreeSet<_> = s.view.groups[0]
        .rows
        .iter()
        .filter_map(|r| r.owner.clone())
        .collect();
    assert_eq!(owners.len(), 2, "two members share three partitions");
}

fn share() -> Entity {
    Entity::ShareGroup("share-group-1".into())
}

/// A stream, a share group on it with one member, a producer: by palette only.
fn share_group_built() -> AppState {
    run(
        reduce(AppState::new("a"), Action::NewEmpty),
        [
            Action::Edit(Edit::Add(NewKind::Stream)),
            Action::Edit(Edit::Add(NewKind::ShareGroup)),
            Action::Edit(Edit::Add(NewKind::Producer)),
        ],
    )
}

#[test]
fn a_share_group_from_the_palette_has_kafkas_defaults_and_its_member_processes() {
    let s = reduce(AppState::new("a"), Action::NewEmpty);
    let s = reduce(s, Action::Edit(Edit::Add(NewKind::ShareGroup)));
    let notice = s.notice.clone().unwrap_or_default();
    assert!(notice.contains("a stream first"), "{notice:?}");
    assert!(s.scenario.topology.share_groups.is_empty());

    let s = share_group_built();
    assert_eq!(s.notice, None);
    let g = &s.scenario.topology.share_groups[0];
    assert_eq!(
        g,
        &sim::ShareGroupSpec::new("share-group-1", vec!["stream-1".into()])
    );
    assert_eq!(s.view.share_groups[0].members, ["share-group-1-1"]);
    // Only records appended after the first fetch: a few seconds of them.
    let s = reduce(s, Action::Select(Some(share())));
    let s = reduce(s, Action::RunTo(5_000));
    assert!(s.view.consumers[0].processed > 0);
    let d = s.view.details.as_ref().expect("details");
    let fact = |l: &str| {
        d.facts
            .iter()
            .find(|(k, _)| k == l)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    assert_eq!(fact("record lock duration"), "30000 ms");
    assert_eq!(fact("delivery count limit"), "5");
    assert_eq!(fact("auto offset reset"), "latest");
    assert!(
        d.facts
            .iter()
            .any(|(k, v)| k.starts_with("stream-1/") && v.starts_with("SPSO ")),
        "{:?}",
        d.facts
    );
    assert!(d.items[0].text.starts_with("share-group-1-1: "));

    // Add member: a second member of the share group, shaped like the first, running.
    assert!(d.can_add_member);
    let s = reduce(s, Action::AddMember("share-group-1".into()));
    assert_eq!(s.notice, None);
    assert_eq!(
        s.view.share_groups[0].members,
        ["share-group-1-1", "share-group-1-2"]
    );
    let s = reduce(s, Action::RunTo(10_000));
    let second = (s.view.consumers.iter())
        .find(|c| c.name == "share-group-1-2")
        .expect("the added member");
    assert!(
        matches!(second.state, ConsumerState::Idle | ConsumerState::Busy),
        "{second:?}"
    );
}

#[test]
fn a_share_groups_lock_duration_is_edited_and_a_bad_value_is_refused() {
    let s = share_group_built();
    let json = spec_json(&s.scenario, &share()).expect("spec");
    assert!(
        json.contains("\"record_lock_duration_ms\": 30000"),
        "{json}"
    );
    let s = reduce(
        s,
        Action::Edit(Edit::Replace {
            entity: share(),
            json: json.replace("30000", "500"),
        }),
    );
    assert_eq!(s.notice, None);
    assert_eq!(s.selected, Some(share()));
    assert_eq!(
        s.scenario.topology.share_groups[0].record_lock_duration_ms,
        500
    );
    let before = s.scenario.clone();
    let json = spec_json(&s.scenario, &share()).expect("spec");
    let cases = [
        (
            json.replace("\"delivery_count_limit\": 5", "\"delivery_count_limit\": 0"),
            "delivery_count_limit",
        ),
        (json.replace("500", "0"), "record_lock_duration_ms"),
        (
            json.replace("\"latest\"", "\"sometimes\""),
            "not a valid spec",
        ),
        ("{ \"name\": ".to_owned(), "not a valid spec"),
        (json.replace("\"stream-1\"", "\"nowhere\""), "nowhere"),
    ];
    let mut s = s;
    for (json, says) in cases {
        s = reduce(
            s,
            Action::Edit(Edit::Replace {
                entity: share(),
                json,
            }),
        );
        let notice = s.notice.clone().unwrap_or_default();
        assert!(notice.contains(says), "{says:?} in {notice:?}");
        assert_eq!(s.scenario, before, "a refused edit keeps the topology");
    }
}

#[test]
fn consumers_and_streams_connect_to_a_share_group_and_a_delete_takes_its_members() {
    let s = run(
        share_group_built(),
        [
            Action::Edit(Edit::Add(NewKind::Stream)),
            Action::Edit(Edit::Add(NewKind::Consumer)),
            Action::Connect {
                from: Entity::Consumer("consumer-1".into()),
                to: share(),
            },
            Action::Connect {
                from: Entity::Stream("stream-2".into()),
                to: share(),
            },
        ],
    );
    assert_eq!(s.notice, None);
    assert_eq!(s.view.share_groups[0].members.len(), 2);
    assert_eq!(s.view.share_groups[0].streams, ["stream-1", "stream-2"]);
    let s = reduce(
        s,
        Action::Connect {
            from: Entity::Stream("stream-2".into()),
            to: share(),
        },
    );
    assert!(
        s.notice
            .as_deref()
            .is_some_and(|n| n.contains("already reads"))
    );

    let s = reduce(s, Action::Select(Some(share())));
    let s = reduce(s, Action::Edit(Edit::Delete(share())));
    assert_eq!(s.notice, None);
    assert_eq!(s.selected, None);
    assert!(s.scenario.topology.share_groups.is_empty());
    assert!(s.view.consumers.is_empty(), "its members went with it");
    assert_eq!(s.view.producers.len(), 1, "the rest stays");
    let s = reduce(s, Action::Undo);
    assert_eq!(s.view.share_groups[0].members.len(), 2);

    // Deleting its only stream takes the share group and its member too.
    let s = reduce(
        share_group_built(),
        Action::Edit(Edit::Delete(Entity::Stream("stream-1".into()))),
    );
    assert!(s.scenario.topology.share_groups.is_empty());
    assert!(s.scenario.consumers.is_empty());
}

#[test]
fn a_link_keeps_a_built_share_group_and_its_selection() {
    let s = reduce(share_group_built(), Action::Select(Some(share())));
    let s = reduce(s, Action::RunTo(3_000));
    let text = crate::share::encode(&s.to_shared());
    let back = crate::share::decode(&format!("#{text}")).expect("decodes");
    let opened = AppState::from_shared(&back).expect("opens");
    assert_eq!(opened.scenario, s.scenario);
    assert_eq!(opened.selected, Some(share()));
    assert_eq!(opened.view.share_groups, s.view.share_groups);
    assert_eq!(opened.view.details, s.view.details);
}
