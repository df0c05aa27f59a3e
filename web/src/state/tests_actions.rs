//! The reducer's hand-made actions, natively: group members, seeks, commits, publishes with
//! headers, producer rates; and what the canvas animates: flights and rebalance steps.

use std::rc::Rc;

use brokerlab::sim::{SeekSpec, TargetSpec};
use yew::Reducible;

use super::*;

fn reduce(state: AppState, action: Action) -> AppState {
    Rc::unwrap_or_clone(Rc::new(state).reduce(action))
}

fn at(id: &str, t: u64) -> AppState {
    reduce(AppState::new(id), Action::RunTo(t))
}

fn consumer<'a>(s: &'a AppState, name: &str) -> &'a ConsumerNode {
    s.view
        .consumers
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("consumer {name}"))
}

#[test]
fn adding_a_member_names_it_after_the_group_and_it_joins_the_next_generation() {
    let s = at("e", 7_000);
    let before = s.view.groups[0].clone();
    assert_eq!(before.members.len(), 4);
    let s = reduce(s, Action::AddMember("analytics".into()));
    assert_eq!(s.notice, None);
    let s = reduce(s, Action::Step100ms);
    let g = &s.view.groups[0];
    assert!(g.members.iter().any(|(m, _)| m == "analytics-5"), "{g:?}");
    assert!(g.generation > before.generation);
    assert_eq!(
        consumer(&s, "analytics-5").attach,
        Attachment::Group("analytics".into())
    );
    let s = reduce(s, Action::AddMember("analytics".into()));
    let s = reduce(s, Action::Step100ms);
    assert!(
        s.view.groups[0]
            .members
            .iter()
            .any(|(m, _)| m == "analytics-6")
    );
}

#[test]
fn removing_a_member_hands_its_partitions_to_the_others() {
    let s = at("e", 5_000);
    let s = reduce(
        s,
        Action::Apply(sim::Action::RemoveConsumer {
            consumer: "analytics-1".into(),
        }),
    );
    let s = reduce(s, Action::Step100ms);
    let g = &s.view.groups[0];
    assert!(!g.members.iter().any(|(m, _)| m == "analytics-1"));
    assert!(g.rows.iter().all(|r| r.owner.is_some()), "{:?}", g.rows);
    assert_eq!(consumer(&s, "analytics-1").state, ConsumerState::Removed);
}

#[test]
fn seeking_a_reader_to_the_beginning_and_committing_now() {
    let s = at("d", 6_000);
    let s = reduce(s, Action::Select(Some(Entity::Consumer("live".into()))));
    let d = s.view.details.clone().expect("details");
    assert_eq!(d.seek_partitions, vec![0]);
    assert!(d.can_commit && d.can_remove);
    let s = reduce(
        s,
        Action::Apply(sim::Action::Seek {
            consumer: "live".into(),
            partition: Some(0),
            to: SeekSpec::Beginning,
        }),
    );
    assert_eq!(s.notice, None);
    let start = s.view.streams[0].partitions[0].start;
    let pos = consumer(&s, "live").partitions[0].1;
    assert!(
        pos.is_some_and(|p| p <= start + 1),
        "{pos:?} vs start {start}"
    );
    let s = reduce(
        s,
        Action::Apply(sim::Action::Commit {
            consumer: "live".into(),
            offsets: None,
        }),
    );
    assert_eq!(s.notice, None);
}

#[test]
fn a_refused_action_says_why_and_changes_nothing() {
    let s = at("a", 1_000);
    let before = s.view.clone();
    let s = reduce(
        s,
        Action::Apply(sim::Action::Seek {
            consumer: "worker-1".into(),
            partition: None,
            to: SeekSpec::End,
        }),
    );
    assert!(
        s.notice
            .as_deref()
            .is_some_and(|n| n.contains("stream consumer"))
    );
    assert_eq!(s.view.queues, before.queues);
}

#[test]
fn a_hand_published_message_with_headers_shows_in_the_queue() {
    let s = at("c", 3_000);
    let s = reduce(
        s,
        Action::Apply(sim::Action::Publish {
            target: TargetSpec::Exchange {
                exchange: "orders".into(),
                routing_key: String::new(),
            },
            key: None,
            payload: "<b>by hand</b>".into(),
            count: 1,
            headers: vec![("source".into(), "me".into())],
        }),
    );
    assert_eq!(s.notice, None);
    let s = reduce(s, Action::Select(Some(Entity::Queue("email".into()))));
    let items = s.view.details.clone().expect("details").items;
    assert!(
        items.iter().any(|i| i
            .text
            .contains("\u{201c}<b>by hand</b>\u{201d} [source=me]")),
        "{items:?}"
    );
}

#[test]
fn a_hand_produced_stream_record_with_headers_shows_them() {
    let s = at("d", 1_000);
    let s = reduce(
        s,
        Action::Apply(sim::Action::Publish {
            target: TargetSpec::Stream("clicks".into()),
            key: Some("u1".into()),
            payload: "by hand".into(),
            count: 1,
            headers: vec![("source".into(), "me".into()), ("trace".into(), "7".into())],
        }),
    );
    assert_eq!(s.notice, None);
    let appended = s
        .log
        .iter()
        .rev()
        .find(|r| r.kind == "appended")
        .expect("appended row");
    assert!(
        appended
            .text
            .ends_with("\u{201c}by hand\u{201d} [source=me, trace=7]"),
        "{}",
        appended.text
    );
    let s = reduce(s, Action::Select(Some(Entity::Stream("clicks".into()))));
    let items = s.view.details.clone().expect("details").items;
    assert!(
        items.iter().any(|i| i
            .text
            .ends_with("\u{201c}by hand\u{201d} [source=me, trace=7]")),
        "{items:?}"
    );
}

#[test]
fn a_new_rate_shows_on_the_producer() {
    let s = at("a", 1_000);
    let s = reduce(
        s,
        Action::Apply(sim::Action::SetRate {
            producer: "api".into(),
            rate_per_sec: 40,
        }),
    );
    assert_eq!(s.view.producers[0].rate_per_sec, 40);
    let published = s.view.totals.published;
    let s = reduce(s, Action::RunTo(2_000));
    assert!(s.view.totals.published >= published + 39);
}

#[test]
fn playing_sends_dots_along_the_path_one_hop_after_another() {
    let mut s = reduce(AppState::new("c"), Action::Play);
    while s.flights.dots.is_empty() && s.now_ms() < 2_000 {
        s = reduce(s, Action::Tick { elapsed_ms: 16.0 });
    }
    let dots = &s.flights.dots;
    assert!(!dots.is_empty() && dots.len() <= MAX_FLIGHTS);
    let orders = Hop::Node(Entity::Exchange("orders".into()));
    let publish = dots.iter().find(|f| f.to == orders).expect("a publish hop");
    let copies: Vec<&Flight> = dots
        .iter()
        .filter(|f| f.from == orders && f.colour == publish.colour)
        .collect();
    // Copies of one message into several queues leave together, when the publish arrives.
    assert_eq!(
        copies.len(),
        3,
        "orders fans out to email, inventory, analytics"
    );
    assert!(
        copies
            .iter()
            .all(|f| f.depart_ms == publish.depart_ms + FLIGHT_MS)
    );
    // Arrived dots are dropped.
    for _ in 0..200 {
        s = reduce(s, Action::Pause);
        s = reduce(s, Action::Play);
        s = reduce(s, Action::Tick { elapsed_ms: 16.0 });
    }
    assert!(s.flights.dots.iter().all(|f| f.progress(s.wall_ms) < 1.0));
}

#[test]
fn rebalances_list_what_changed_hands() {
    let s = at("e", 4_500);
    let steps: Vec<&RebalanceStep> = s.rebalances.steps("analytics").collect();
    assert!(!steps.is_empty());
    let newest = steps[0];
    assert_eq!(newest.generation, s.view.groups[0].generation);
    assert!(
        newest.moves.iter().all(|m| m.from != m.to),
        "{:?}",
        newest.moves
    );
    let text: Vec<String> = steps.iter().map(|st| st.text()).collect();
    assert!(
        text.iter().any(|t| t.contains("\u{2192} analytics-2")),
        "{text:?}"
    );
}

#[test]
fn stepping_shows_only_the_latest_steps_hops_halfway() {
    let s = at("c", 3_000);
    assert!(!s.flights.dots.is_empty());
    assert!(
        s.flights.dots.iter().all(|f| f.progress(s.wall_ms) == 0.5),
        "halfway"
    );
    // Deliveries to email-worker stopped when it crashed at 2 s: none of its hops is left.
    let to_email_worker = Hop::Node(Entity::Consumer("email-worker".into()));
    assert!(s.flights.dots.iter().all(|f| f.to != to_email_worker));
}

#[test]
fn dots_of_messages_with_the_same_key_share_a_colour() {
    // The comparison's producers cycle through four keys: ann, bob, cy, dee.
    let mut s = reduce(AppState::new("comparison"), Action::SetSpeed(10.0));
    s = reduce(s, Action::Play);
    for _ in 0..30 {
        s = reduce(s, Action::Tick { elapsed_ms: 16.0 });
    }
    let colours: std::collections::BTreeSet<u64> =
        s.flights.dots.iter().map(|f| f.colour).collect();
    assert!(s.flights.dots.len() > 8);
    assert!(colours.len() <= 4, "{} colours", colours.len());
}

#[test]
fn going_back_in_time_keeps_the_actions_and_replays_them_at_their_times() {
    let s = at("e", 3_000);
    let s = reduce(s, Action::AddMember("analytics".into()));
    let s = reduce(s, Action::RunTo(5_000));
    let has_new = |s: &AppState| s.view.consumers.iter().any(|c| c.name == "analytics-5");
    assert!(has_new(&s));
    let s = reduce(s, Action::RunTo(4_000));
    assert!(has_new(&s), "added at 3 s: still there at 4 s");
    assert_eq!(s.history.len(), 1);
    let s = reduce(s, Action::RunTo(2_000));
    assert!(!has_new(&s), "not yet added at 2 s");
    assert_eq!(s.history.len(), 1, "the future is kept: it comes again");
    let s = reduce(s, Action::RunTo(4_000));
    assert!(has_new(&s), "added again at 3 s on the way forward");
}

#[test]
fn a_shared_state_reopens_the_identical_moment() {
    let s = at("e", 2_500);
    let s = reduce(s, Action::AddMember("analytics".into()));
    let s = reduce(s, Action::RunTo(3_000));
    let s = reduce(
        s,
        Action::Apply(sim::Action::Seek {
            consumer: "backup-1".into(),
            partition: None,
            to: SeekSpec::Beginning,
        }),
    );
    let seed = s.seed;
    let s = reduce(s, Action::SetSeed(seed)); // setting the seed starts over …
    assert!(s.history.is_empty());
    let s = reduce(s, Action::RunTo(2_500));
    let s = reduce(s, Action::AddMember("analytics".into()));
    let s = reduce(s, Action::RunTo(3_000));
    let s = reduce(
        s,
        Action::Apply(sim::Action::Commit {
            consumer: "backup-1".into(),
            offsets: None,
        }),
    );
    let s = reduce(s, Action::RunTo(6_123));
    let s = reduce(s, Action::Select(Some(Entity::Group("analytics".into()))));
    let text = crate::share::encode(&s.to_shared());
    let shared = crate::share::decode(&text).expect("decodes");
    let again = AppState::from_shared(&shared).expect("reopens");
    assert_eq!(
        again.view, s.view,
        "same nodes, depths, offsets, assignment, details"
    );
    assert_eq!(again.history, s.history);
    assert_eq!(again.selected, s.selected);
    let trace = |s: &AppState| s.engine.borrow().sim.totals();
    assert_eq!(trace(&again), trace(&s));
}

#[test]
fn a_link_whose_action_no_longer_applies_is_refused() {
    let mut shared = at("a", 1_000).to_shared();
    shared.actions.push(sim::ScriptStep {
        at_ms: 500,
        action: sim::Action::Restart {
            consumer: "worker-1".into(),
        },
    });
    let err = AppState::from_shared(&shared).expect_err("refused");
    assert!(err.contains("action 1 (at 500 ms)"), "{err}");
}

#[test]
fn an_exported_scenario_imports_and_a_bad_file_changes_nothing() {
    let s = at("d", 2_000);
    let json = s.scenario.to_json();
    let s = reduce(s, Action::ImportJson(json));
    assert_eq!((s.scenario_id.as_str(), s.now_ms()), (CUSTOM, 0));
    assert_eq!(s.view.streams[0].name, "clicks");
    let before = s.view.clone();
    let s = reduce(
        s,
        Action::ImportJson("{\"version\": 1, \"topology\": 3}".into()),
    );
    assert!(
        s.notice
            .as_deref()
            .is_some_and(|n| n.starts_with("That file is not a scenario")),
        "{:?}",
        s.notice
    );
    assert_eq!(s.view, before);
}

#[test]
fn the_log_names_a_queue_consumer_after_it_is_removed() {
    let s = reduce(
        at("a", 1_000),
        Action::Apply(sim::Action::RemoveConsumer {
            consumer: "worker-2".into(),
        }),
    );
    let cancelled = s
        .log
        .iter()
        .find(|row| row.text.starts_with("consumer-cancelled"))
        .expect("a cancel row");
    assert_eq!(cancelled.text, "consumer-cancelled: worker-2 on jobs");
    assert!(cancelled.entities.contains(&"worker-2".to_string()));
}

#[test]
fn an_offset_reset_previews_applies_and_travels_in_a_link() {
    let s = at("e", 5_000);
    let refused = s
        .plan_offset_reset("backup", None, None, sim::ResetSpec::Earliest)
        .expect_err("backup-1 is a member");
    assert!(
        refused.contains("is inactive, but the current state is Stable"),
        "{refused}"
    );
    let s = reduce(
        s,
        Action::Apply(sim::Action::RemoveConsumer {
            consumer: "backup-1".into(),
        }),
    );
    // The member the broker forgot is still named in the log.
    assert!(
        s.log
            .iter()
            .any(|r| r.kind == "left" && r.text.starts_with("backup-1 left backup")),
        "{:?}",
        s.log.iter().rev().take(5).collect::<Vec<_>>()
    );
    let preview = s
        .plan_offset_reset("backup", Some("orders"), None, sim::ResetSpec::Earliest)
        .expect("an empty group");
    assert_eq!(
        preview
            .iter()
            .map(|l| (l.partition.as_str(), l.offset))
            .collect::<Vec<_>>(),
        [("orders/0", 0), ("orders/1", 0), ("orders/2", 0)]
    );
    assert!(
        group("backup", &s)
            .rows
            .iter()
            .all(|r| r.committed > Some(0)),
        "a preview changes nothing"
    );
    let reset = sim::Action::ResetOffsets {
        group: "backup".into(),
        stream: None,
        partition: None,
        to: sim::ResetSpec::Earliest,
    };
    let s = reduce(s, Action::Apply(reset.clone()));
    assert_eq!(s.notice, None);
    assert!(
        group("backup", &s)
            .rows
            .iter()
            .all(|r| r.committed == Some(0) && r.lag == r.log_end)
    );
    assert!(s.history.iter().any(|step| step.action == reset));
    // A link carries it: opened elsewhere, the same offsets.
    let opened = AppState::from_shared(&s.to_shared()).expect("the link opens");
    assert_eq!(group("backup", &opened).rows, group("backup", &s).rows);
}

#[test]
fn a_group_falling_behind_says_so_and_one_catching_up_says_when() {
    // E at 8 s: analytics has grown to four members; backup-1 is fast and keeps up.
    let s = at("e", 8_000);
    let backup = s
        .view
        .groups
        .iter()
        .find(|g| g.name == "backup")
        .expect("backup");
    assert!(
        matches!(backup.outlook, LagOutlook::CaughtUp | LagOutlook::Steady),
        "{:?}",
        backup.outlook
    );
    for g in &s.view.groups {
        assert!(!g.sparkline.is_empty(), "{}: a trend", g.name);
        let text = g.outlook.text();
        assert!(
            ["caught up", "keeping up", "growing"].contains(&text.as_str())
                || text.starts_with("clears in ~"),
            "{}: {text}",
            g.name
        );
    }
}

#[test]
fn a_static_member_back_within_its_session_keeps_the_generation_and_says_so() {
    // E: backup-1 (group.instance.id backup-host-1) crashes at 13 s and is back at 14 s.
    let before = at("e", 12_900);
    let after = at("e", 14_500);
    assert_eq!(
        group("backup", &after).generation,
        group("backup", &before).generation
    );
    assert_eq!(
        group("backup", &after).statics,
        vec![("backup-1".to_owned(), "backup-host-1".to_owned())]
    );
    let step = after.rebalances.steps("backup").next().expect("a step");
    assert_eq!(step.phase, Phase::Rejoined);
    assert!(
        step.text().contains("static member backup-1 rejoined"),
        "{}",
        step.text()
    );
    assert!(
        after.log.iter().any(|r| r.kind == "rejoined"),
        "the event log says so"
    );
}

/// The view of group `name`.
fn group(name: &str, s: &AppState) -> GroupNode {
    s.view
        .groups
        .iter()
        .find(|g| g.name == name)
        .cloned()
        .unwrap_or_else(|| panic!("group {name}"))
}

#[test]
fn a_share_member_shows_the_records_it_holds_and_a_stream_its_share_partitions() {
    // Scenario F at 6.1 s: worker-6's lock expired at 6 s and worker-1 holds the record,
    // delivery 2.
    let s = at("f", 6_100);
    assert_eq!(
        consumer(&s, "worker-1").attach,
        Attachment::ShareGroup {
            group: "fulfilment".into(),
            stream: "orders".into()
        }
    );
    let s = reduce(s, Action::Select(Some(Entity::Consumer("worker-1".into()))));
    let d = s.view.details.clone().expect("details");
    assert!(!d.can_commit, "a share member has no offsets to commit");
    assert!(
        d.items.iter().any(|i| i.text.contains("delivery 2")),
        "{:?}",
        d.items
    );
    let s = reduce(s, Action::Select(Some(Entity::Stream("orders".into()))));
    let d = s.view.details.clone().expect("details");
    let shares: Vec<_> = d
        .facts
        .iter()
        .filter(|(label, _)| label.starts_with("share group fulfilment"))
        .collect();
    assert_eq!(shares.len(), 3, "{:?}", d.facts);
}
