//! "Why?" from everywhere a message shows: a queue's cells, a stream's log cells, dots in
//! flight and the inspector's lists each name a message whose story is kept; the story says
//! who published it, and for a record read by consumer groups which members did not read it
//! and why; forgotten stories are counted.

use std::rc::Rc;

use brokerlab::sim::{self, TargetSpec};
use yew::Reducible;

use super::*;

fn reduce(state: AppState, action: Action) -> AppState {
    Rc::unwrap_or_clone(Rc::new(state).reduce(action))
}

fn at(id: &str, t: u64) -> AppState {
    reduce(AppState::new(id), Action::RunTo(t))
}

fn open(s: AppState, m: brokerlab::MessageId) -> (AppState, StoryView) {
    let s = reduce(s, Action::ShowStory(Some(m)));
    let story = s.story_view().expect("the story is kept");
    (s, story)
}

fn publish(target: TargetSpec, count: u32) -> Action {
    Action::Apply(sim::Action::Publish {
        target,
        key: None,
        payload: "by hand".into(),
        count,
        headers: Vec::new(),
    })
}

#[test]
fn every_ready_cell_of_a_queue_stands_for_a_message_whose_story_names_its_producer() {
    // Scenario A at 4.5 s: jobs wait in the queue.
    let s = at("a", 4_500);
    let q = s
        .view
        .queues
        .iter()
        .find(|q| q.name == "jobs")
        .unwrap()
        .clone();
    assert!(q.ready > 0, "jobs are ready");
    let messages: Vec<_> = (0..q.ready as usize)
        .map(|i| s.queue_message("jobs", i).expect("a message per cell"))
        .collect();
    let mut unique = messages.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), messages.len(), "one message per cell");
    assert_eq!(s.queue_message("jobs", q.ready as usize), None);
    let (_, story) = open(s, messages[0]);
    assert_eq!(story.origin.as_deref(), Some("published by api"));
    assert_eq!(story.rows[0].kind, "published");
}

#[test]
fn a_log_cell_stands_for_its_record_and_a_dot_for_the_message_it_carries() {
    let s = at("e", 3_000);
    let orders = s.view.streams.iter().find(|x| x.name == "orders").unwrap();
    let p = orders.partitions[0].clone();
    let m = s
        .record_message("orders", p.index, p.end - 1)
        .expect("the last record");
    assert_eq!(
        s.record_message("orders", p.index, p.end),
        None,
        "past the end"
    );
    let (s, story) = open(s, m);
    assert_eq!(story.origin.as_deref(), Some("published by checkout"));
    assert!(
        story
            .record
            .unwrap()
            .starts_with(&format!("orders/{} offset {}", p.index, p.end - 1))
    );

    let s = reduce(s, Action::StepEvent);
    assert!(!s.flights.dots.is_empty(), "a step shows its hops");
    for dot in &s.flights.dots {
        assert!(s.has_story(dot.message), "{} has a story", dot.message);
    }
}

#[test]
fn the_inspector_names_the_message_of_each_ready_job_held_delivery_and_record() {
    let s = at("a", 4_500);
    let s = reduce(s, Action::Select(Some(Entity::Queue("jobs".into()))));
    let items = s.view.details.clone().unwrap().items;
    assert!(!items.is_empty());
    assert!(
        items
            .iter()
            .all(|i| i.message.is_some_and(|m| s.has_story(m)))
    );
    // A worker busy with a job holds its delivery.
    let busy = s
        .view
        .consumers
        .iter()
        .find(|c| c.state == ConsumerState::Busy)
        .expect("a busy worker")
        .name
        .clone();
    let s = reduce(s, Action::Select(Some(Entity::Consumer(busy))));
    let d = s.view.details.clone().unwrap();
    assert_eq!(d.items_title, "holding (delivered, not acked)");
    assert!(
        d.items
            .iter()
            .any(|i| i.message.is_some_and(|m| s.has_story(m))),
        "{:?}",
        d.items
    );

    let s = at("e", 3_000);
    let s = reduce(s, Action::Select(Some(Entity::Stream("orders".into()))));
    let items = s.view.details.clone().unwrap().items;
    assert!(!items.is_empty() && items.iter().all(|i| i.message.is_some()));
}

#[test]
fn a_publish_by_hand_says_so_for_a_queue_and_a_stream() {
    for (id, target) in [
        ("a", TargetSpec::Queue("jobs".into())),
        ("e", TargetSpec::Stream("orders".into())),
    ] {
        let s = at(id, 1_000);
        let before: Vec<_> = s.engine.borrow().sim.story_ids().collect();
        let s = reduce(s, publish(target, 1));
        assert_eq!(s.notice, None);
        let m = s
            .engine
            .borrow()
            .sim
            .story_ids()
            .find(|m| !before.contains(m))
            .expect("a new story");
        let (_, story) = open(s, m);
        assert_eq!(story.origin.as_deref(), Some("published by hand"), "{id}");
    }
}

#[test]
fn a_group_member_that_did_not_read_a_record_is_told_who_owned_it_and_in_which_generation() {
    // Scenario E at 12 s: four analytics members share three partitions; one is idle.
    let mut s = at("e", 12_000);
    let orders = s.view.streams.iter().find(|x| x.name == "orders").unwrap();
    let p = orders.partitions[0].clone();
    let mut idle = None;
    for o in (p.start..p.end).rev() {
        let Some(m) = s.record_message("orders", p.index, o) else {
            continue;
        };
        let (next, story) = open(s, m);
        s = next;
        if story.not_read.iter().any(|(_, why)| why.contains("idle")) {
            idle = Some(story);
            break;
        }
    }
    let story = idle.expect("a record read while a member was idle");
    assert!(
        story.rows.iter().any(|r| r.kind == "rebalanced"),
        "the assignment the read happened under is in the story: {:?}",
        story.rows
    );
    let members: Vec<&str> = story.not_read.iter().map(|(w, _)| w.as_str()).collect();
    assert_eq!(
        members.len(),
        3,
        "three of the four analytics members: {:?}",
        story.not_read
    );
    assert!(
        members.iter().all(|m| m.starts_with("analytics-")),
        "{members:?}"
    );
    for (who, why) in &story.not_read {
        assert!(
            why.starts_with("in analytics: analytics-")
                && why.contains(&format!("owned orders/{} in generation ", p.index)),
            "{who}: {why}"
        );
    }
}

#[test]
fn a_member_that_joined_after_a_record_was_read_is_told_it_had_not_joined() {
    // Scenario E at 8 s: analytics-4 joined at 6 s; a record read at 1 s was read before.
    let s = at("e", 8_000);
    let m = s.record_message("orders", 0, 3).expect("an early record");
    let (_, story) = open(s, m);
    let (_, why) = story
        .not_read
        .iter()
        .find(|(w, _)| w == "analytics-4")
        .unwrap_or_else(|| panic!("{:?}", story.not_read));
    assert!(
        why.contains("had not joined yet (it joined at 6000 ms)"),
        "{why}"
    );
}

#[test]
fn forgotten_stories_are_counted_for_the_notice() {
    let s = at("a", 1_000);
    assert_eq!(s.stories_forgotten(), 0);
    let kept = STORIES_KEPT as u32;
    let s = reduce(s, publish(TargetSpec::Queue("jobs".into()), kept + 100));
    assert_eq!(s.notice, None);
    assert!(s.stories_forgotten() >= 100, "{}", s.stories_forgotten());
}

/// Scenario B with `dashboard` down from 1 s to 2.5 s and `alerts` leaving at 1 s.
fn b_with_absences() -> AppState {
    let mut scenario = brokerlab::sim::ready::load("b").expect("ready-made");
    for c in &mut scenario.consumers {
        if c.name == "dashboard" {
            c.crashes = vec![sim::CrashSpec {
                at_ms: 1_000,
                restart_at_ms: Some(2_500),
            }];
        }
    }
    scenario.script.push(sim::ScriptStep {
        at_ms: 1_000,
        action: sim::Action::RemoveConsumer {
            consumer: "alerts".into(),
        },
    });
    let shared = crate::share::Shared {
        id: CUSTOM.into(),
        scenario,
        actions: Vec::new(),
        t_ms: 2_000,
        speed: 1.0,
        selected: None,
        positions: Vec::new(),
        fork: None,
    };
    AppState::from_shared(&shared).expect("opens")
}

#[test]
fn a_subscriber_that_was_down_or_had_left_is_said_to_be_away() {
    let s = b_with_absences();
    let row = s
        .log
        .iter()
        .rev()
        .find(|r| r.kind == "published" && r.at_ms > 1_100)
        .cloned()
        .expect("a price published while they were away");
    let (_, story) = open(s, row.message.expect("a message"));
    let why = |who: &str| {
        story
            .missed
            .iter()
            .find(|(w, _)| w == who)
            .map(|(_, why)| why.clone())
            .unwrap_or_default()
    };
    assert!(
        why("dashboard").contains("it was down: it crashed at 1000 ms and came back at 2500 ms"),
        "{:?}",
        story.missed
    );
    assert!(
        why("alerts").contains("it left at 1000 ms"),
        "{:?}",
        story.missed
    );
}

#[test]
fn the_log_words_share_group_events() {
    let s = at("f", 7_000);
    let texts: Vec<&str> = s.log.iter().map(|r| r.text.as_str()).collect();
    assert!(
        !s.log.iter().any(|r| r.kind == "other"),
        "every event worded"
    );
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("worker-6's lock on orders/")
                && t.ends_with("expired: the record is available again")),
        "worker-6's lock expires"
    );
    assert!(
        texts
            .iter()
            .any(|t| t.contains("acquired orders/") && t.contains("(delivery 2,"))
    );
}
