//! The guided tours: every step names real entities, a played run pauses at each step's
//! moment, and what each step says is true of the run at that moment; embeds loop.

use std::rc::Rc;

use yew::Reducible;

use super::*;
use crate::state::view::ConsumerState;

fn reduce(state: AppState, action: Action) -> AppState {
    Rc::unwrap_or_clone(Rc::new(state).reduce(action))
}

/// Plays `s` at 1× in 16 ms frames until it pauses (at most `frames` frames).
fn play_until_paused(mut s: AppState, frames: usize) -> AppState {
    s = reduce(s, Action::Play);
    for _ in 0..frames {
        if !s.playing {
            break;
        }
        s = reduce(s, Action::Tick { elapsed_ms: 16.0 });
    }
    s
}

fn consumer<'a>(s: &'a AppState, name: &str) -> &'a ConsumerNode {
    s.view
        .consumers
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no consumer {name}"))
}

#[test]
fn every_step_is_in_time_order_within_the_run_and_names_entities_that_exist() {
    for g in guides() {
        let s = AppState::new(g.id);
        assert_eq!(g.steps.first().map(|s| s.at_ms), Some(0), "{}", g.id);
        assert!(
            g.steps.windows(2).all(|w| w[0].at_ms < w[1].at_ms),
            "{}",
            g.id
        );
        let end = s.view.end_ms;
        let s = reduce(s, Action::RunTo(end));
        let names: Vec<String> = s
            .view
            .producers
            .iter()
            .map(|p| Entity::Producer(p.name.clone()).key())
            .chain(
                s.view
                    .exchanges
                    .iter()
                    .map(|x| Entity::Exchange(x.name.clone()).key()),
            )
            .chain(
                s.view
                    .queues
                    .iter()
                    .map(|q| Entity::Queue(q.name.clone()).key()),
            )
            .chain(
                s.view
                    .subscriptions
                    .iter()
                    .map(|x| Entity::Subscription(x.name.clone()).key()),
            )
            .chain(
                s.view
                    .streams
                    .iter()
                    .map(|x| Entity::Stream(x.name.clone()).key()),
            )
            .chain(
                s.view
                    .consumers
                    .iter()
                    .map(|c| Entity::Consumer(c.name.clone()).key()),
            )
            .chain(
                s.view
                    .groups
                    .iter()
                    .map(|g| Entity::Group(g.name.clone()).key()),
            )
            .collect();
        for step in g.steps {
            assert!(step.at_ms < end, "{}: step at {} ms", g.id, step.at_ms);
            for key in step.look {
                assert!(names.iter().any(|n| n == key), "{}: no {key}", g.id);
            }
        }
    }
}

#[test]
fn playing_pauses_at_each_step_and_next_plays_on_to_the_following_one() {
    let g = guide("a").expect("a guide");
    let mut s = AppState::new("a");
    for step in &g.steps[1..] {
        s = play_until_paused(s, 2_000);
        assert!(!s.playing);
        assert_eq!(s.now_ms(), step.at_ms);
        assert_eq!(s.guide_step().map(|(_, i)| g.steps[i]), Some(*step));
    }
    let s = play_until_paused(s, 2_000);
    assert_eq!(s.now_ms(), s.view.end_ms, "no step left: plays to the end");
}

#[test]
fn the_step_showing_highlights_what_it_names_until_the_tour_is_off() {
    let s = reduce(AppState::new("a"), Action::RunTo(3_100));
    let worker_2 = Entity::Consumer("worker-2".into());
    assert!(s.highlighted(&worker_2));
    assert!(!s.highlighted(&Entity::Producer("api".into())));
    let s = reduce(s, Action::SetGuided(false));
    assert!(!s.highlighted(&worker_2));
    let s = play_until_paused(s, 2_000);
    assert_eq!(s.now_ms(), s.view.end_ms, "the tour off: no pauses");
}

#[test]
fn each_steps_words_hold_at_its_moment() {
    // A: worker-2 crashed at 3.1 s; by 3.6 s worker-1 has the job again, redelivered.
    let s = reduce(AppState::new("a"), Action::RunTo(3_100));
    assert_eq!(consumer(&s, "worker-2").state, ConsumerState::Crashed);
    let s = reduce(s, Action::RunTo(3_600));
    assert!(
        s.log
            .iter()
            .any(|r| r.again && r.kind == "delivered" && r.text.contains("worker-1")),
        "a redelivery to worker-1 by 3.6 s"
    );
    // B: archive subscribes at 3 s.
    let s = reduce(AppState::new("b"), Action::RunTo(2_900));
    assert!(
        !s.view
            .subscriptions
            .iter()
            .any(|x| x.name == "archive" && x.connected)
    );
    let s = reduce(s, Action::RunTo(3_000));
    assert!(
        s.view
            .subscriptions
            .iter()
            .any(|x| x.name == "archive" && x.connected)
    );
    // C: email-worker is down from 2 s to 6 s while its queue grows.
    let s = reduce(AppState::new("c"), Action::RunTo(2_000));
    assert_eq!(consumer(&s, "email-worker").state, ConsumerState::Crashed);
    let s = reduce(s, Action::RunTo(6_000));
    assert_ne!(consumer(&s, "email-worker").state, ConsumerState::Crashed);
    // D: at 5 s retention has moved the log start past replay's position, which was reset.
    let s = reduce(AppState::new("d"), Action::RunTo(5_000));
    assert!(
        s.log
            .iter()
            .any(|r| r.kind == "offset-reset" && r.text.starts_with("replay")),
        "replay's position reset by 5 s"
    );
    let p = &s.view.streams[0].partitions[0];
    let replay = p
        .markers
        .iter()
        .find(|m| m.consumer == "replay")
        .and_then(|m| m.position)
        .expect("replay reads");
    assert!(p.start > 0 && replay >= p.start, "{p:?}");
    // E: analytics-2 killed at 9 s still owns its partition until the session times out.
    let owner_of_2 = |s: &AppState| {
        s.view
            .groups
            .iter()
            .find(|g| g.name == "analytics")
            .is_some_and(|g| {
                g.rows
                    .iter()
                    .any(|r| r.owner.as_deref() == Some("analytics-2"))
            })
    };
    let s = reduce(AppState::new("e"), Action::RunTo(9_000));
    assert!(owner_of_2(&s));
    let s = reduce(s, Action::RunTo(12_500));
    assert!(!owner_of_2(&s), "evicted and its partition moved by 12.5 s");
}

#[test]
fn a_looping_run_shows_its_end_then_starts_over_and_keeps_playing() {
    let mut s = reduce(AppState::new("a"), Action::SetLooping(true));
    s = reduce(s, Action::SetGuided(false));
    s = reduce(s, Action::SetSpeed(100.0));
    s = reduce(s, Action::Play);
    s = reduce(s, Action::Tick { elapsed_ms: 250.0 });
    assert_eq!(
        s.now_ms(),
        s.view.end_ms,
        "25 s of run in one frame at 100×"
    );
    assert!(s.playing, "a looping run keeps playing at its end");
    let mut held = 0.0;
    while s.now_ms() == s.view.end_ms && held < 2.0 * LOOP_HOLD_MS {
        s = reduce(s, Action::Tick { elapsed_ms: 100.0 });
        held += 100.0;
    }
    assert!(s.playing);
    assert_eq!(held, LOOP_HOLD_MS, "started over after the hold");
    assert_eq!(s.now_ms(), 0);
}

/// Scenario `id` run natively to `at_ms`.
fn sim_at(scenario: &brokerlab::sim::Scenario, at_ms: u64) -> brokerlab::sim::Simulation {
    let mut sim = brokerlab::sim::Simulation::new(scenario).expect("a valid scenario");
    sim.run_until(brokerlab::Instant::from_millis(at_ms));
    sim
}

#[test]
fn f_keeps_six_members_busy_where_a_consumer_group_leaves_three_idle() {
    use brokerlab::sim::{Attach, GroupSpec, ready};
    // F at 5 s: worker-1 to worker-5 have processed records, worker-6 holds its first one.
    let f = ready::load("f").expect("ready-made");
    let views = sim_at(&f, 5_000).consumer_views();
    assert_eq!(views.len(), 6);
    for v in &views {
        let busy = if v.name == "worker-6" {
            !v.holding.is_empty()
        } else {
            v.processed > 0
        };
        assert!(busy, "{} idle at 5 s: {v:?}", v.name);
    }
    // The same six members as a consumer group: a partition has one owner, so three of them
    // own nothing.
    let mut group = f.clone();
    group.topology.share_groups.clear();
    group
        .topology
        .groups
        .push(GroupSpec::new("fulfilment", vec!["orders".into()]));
    group.script.clear();
    for c in &mut group.consumers {
        c.attach = Attach::Group("fulfilment".into());
        c.nack = None;
    }
    let idle = sim_at(&group, 5_000)
        .consumer_views()
        .into_iter()
        .filter(|v| v.partitions.is_empty())
        .count();
    assert_eq!(idle, 3, "six consumer-group members on three partitions");
    // E at 7 s: analytics has four members on three partitions, one owns nothing.
    let e = ready::load("e").expect("ready-made");
    let idle: Vec<String> = sim_at(&e, 7_000)
        .consumer_views()
        .into_iter()
        .filter(|v| v.name.starts_with("analytics") && v.partitions.is_empty())
        .map(|v| v.name)
        .collect();
    assert_eq!(idle.len(), 1, "{idle:?}");
}

#[test]
fn in_f_a_slow_record_does_not_block_its_partition() {
    use brokerlab::sim::{SimEventKind, ready};
    // worker-6 holds one record from 4 s until its lock expires at 6 s; until 5.9 s other
    // members accept later records of the same partition.
    let f = ready::load("f").expect("ready-made");
    let mut sim = sim_at(&f, 4_100);
    let worker_6 = sim
        .consumer_views()
        .into_iter()
        .find(|v| v.name == "worker-6")
        .expect("worker-6");
    let &[(partition, held)] = worker_6.holding.as_slice() else {
        panic!("worker-6 holds one record at 4.1 s: {worker_6:?}");
    };
    let mut later_accepted = 0;
    while sim.now() < brokerlab::Instant::from_millis(5_900) {
        for e in sim.step_event() {
            if let SimEventKind::Broker(brokerlab::Event::ShareAcknowledged {
                partition: p,
                offset,
                kind: brokerlab::AcknowledgeType::Accept,
                ..
            }) = &e.kind
                && *p == partition
                && *offset > held
            {
                later_accepted += 1;
            }
        }
    }
    let worker_6 = sim
        .consumer_views()
        .into_iter()
        .find(|v| v.name == "worker-6")
        .expect("worker-6");
    assert!(
        worker_6.holding.contains(&(partition, held)),
        "{worker_6:?}"
    );
    assert!(
        later_accepted >= 5,
        "{later_accepted} later records of {partition} accepted while worker-6 held {held}"
    );
}

#[test]
fn comparison6_steps_hold_at_their_moments() {
    // At 4 s f.worker-2 has crashed; the record it held was released and f.worker-3 acquired
    // it with delivery count 2, while e.member-2 still owns its partitions.
    let s = reduce(AppState::new("comparison6"), Action::RunTo(4_000));
    assert_eq!(consumer(&s, "f.worker-2").state, ConsumerState::Crashed);
    let released = s
        .log
        .iter()
        .find(|r| r.kind == "released" && r.text.contains("f.worker-2"))
        .expect("f.worker-2's record released");
    let record = released.text.split(" released").next().expect("a record");
    assert!(
        s.log.iter().any(|r| r.kind == "acquired"
            && r.text
                .starts_with(&format!("f.worker-3 acquired {record} (delivery 2,"))),
        "f.worker-3 takes {record} again"
    );
    let owns = |s: &AppState, member: &str| {
        s.view
            .groups
            .iter()
            .any(|g| g.rows.iter().any(|r| r.owner.as_deref() == Some(member)))
    };
    assert!(
        owns(&s, "e.member-2"),
        "the group waits for the session timeout"
    );
    // Until 8 s the two others accept records of all three partitions.
    let s = reduce(s, Action::RunTo(8_000));
    let mut partitions: Vec<&str> = s
        .log
        .iter()
        .filter(|r| r.kind == "accepted" && r.at_ms >= 4_000)
        .filter_map(|r| r.text.split(": ").nth(1)?.split(' ').next())
        .collect();
    partitions.sort_unstable();
    partitions.dedup();
    assert_eq!(partitions, ["f.orders/0", "f.orders/1", "f.orders/2"]);
}
