//! The reducer, natively: loading, stepping, playing by frames, selection, filters.

use std::rc::Rc;

use yew::Reducible;

use super::*;

fn reduce(state: AppState, action: Action) -> AppState {
    Rc::unwrap_or_clone(Rc::new(state).reduce(action))
}

#[test]
fn loads_every_ready_made_scenario_at_time_zero() {
    for (id, _, _) in ready::all() {
        let s = AppState::new(id);
        assert_eq!(s.scenario_id, id);
        assert_eq!(s.now_ms(), 0);
        assert!(!s.playing);
        assert!(guide(id).is_some(), "a guide for {id}");
    }
    assert_eq!(AppState::new("nope").scenario_id, "a");
}

#[test]
fn frames_advance_time_by_elapsed_times_speed_only_while_playing() {
    let s = reduce(AppState::new("a"), Action::SetGuided(false));
    let s = reduce(s, Action::Tick { elapsed_ms: 16.0 });
    assert_eq!(s.now_ms(), 0, "paused: frames do nothing");
    let s = reduce(s, Action::SetSpeed(10.0));
    let s = reduce(s, Action::Play);
    let s = reduce(s, Action::Tick { elapsed_ms: 16.0 });
    assert_eq!(s.now_ms(), 160);
    let s = reduce(s, Action::SetSpeed(0.1));
    let mut s = s;
    for _ in 0..10 {
        s = reduce(s, Action::Tick { elapsed_ms: 16.0 });
    }
    assert_eq!(s.now_ms(), 176, "fractions of a millisecond carry over");
    let s = reduce(s, Action::SetSpeed(1e9));
    assert_eq!(s.speed, SPEED_MAX);
    let s = reduce(s, Action::Tick { elapsed_ms: 40.0 });
    assert_eq!(s.now_ms(), 176 + 4_000);
    let s = reduce(s, Action::Tick { elapsed_ms: 1e6 });
    assert_eq!(
        s.now_ms(),
        10_000,
        "250 ms × 100 per frame at most, and never past the end"
    );
}

#[test]
fn playing_stops_at_the_end() {
    let mut s = reduce(AppState::new("b"), Action::SetSpeed(100.0));
    s = reduce(s, Action::SetGuided(false));
    s = reduce(s, Action::Play);
    for _ in 0..10 {
        s = reduce(s, Action::Tick { elapsed_ms: 250.0 });
    }
    assert_eq!(s.now_ms(), s.view.end_ms);
    assert!(!s.playing);
    assert!(s.view.finished);
}

#[test]
fn step_controls_move_time_and_pause() {
    let s = reduce(AppState::new("a"), Action::Play);
    let s = reduce(s, Action::Step100ms);
    assert!(!s.playing);
    assert_eq!(s.now_ms(), 100);
    let s = reduce(s, Action::StepEvent);
    assert!(
        s.now_ms() > 100 && s.now_ms() <= 200,
        "to the next due instant"
    );
    let s = reduce(s, Action::RunTo(5_000));
    assert_eq!(s.now_ms(), 5_000);
    let s = reduce(s, Action::RunTo(1_000));
    assert_eq!(
        s.now_ms(),
        1_000,
        "running to an earlier time replays from the start"
    );
    let s = reduce(s, Action::Reset);
    assert_eq!(s.now_ms(), 0);
    assert!(s.log.is_empty() || s.log.iter().all(|r| r.at_ms == 0));
}

#[test]
fn same_seed_same_run_and_another_seed_is_kept_on_reset() {
    let a = reduce(AppState::new("c"), Action::RunTo(4_000));
    let b = reduce(AppState::new("c"), Action::RunTo(4_000));
    assert_eq!(a.view, b.view);
    let c = reduce(AppState::new("c"), Action::SetSeed(99));
    let c = reduce(c, Action::Reset);
    assert_eq!(c.seed, 99);
}

#[test]
fn a_crashed_worker_s_job_is_redelivered_to_the_other_worker() {
    let s = reduce(AppState::new("a"), Action::RunTo(3_600));
    let crashed = s
        .view
        .consumers
        .iter()
        .find(|c| c.name == "worker-2")
        .unwrap();
    assert_eq!(crashed.state, ConsumerState::Crashed);
    let again: Vec<_> = s
        .log
        .iter()
        .filter(|r| r.kind == "delivered" && r.again)
        .collect();
    assert!(!again.is_empty(), "a redelivery is logged");
    assert!(
        again
            .iter()
            .all(|r| r.entities.contains(&"worker-1".to_owned()))
    );
}

#[test]
fn the_late_subscriber_misses_exactly_what_came_before_it() {
    let s = reduce(AppState::new("b"), Action::RunTo(7_900));
    let count = |n: &str| {
        s.view
            .consumers
            .iter()
            .find(|c| c.name == n)
            .unwrap()
            .processed
    };
    assert_eq!(count("dashboard") - count("archive"), 15);
}

#[test]
fn fan_out_backlog_grows_then_drains() {
    let s = reduce(AppState::new("c"), Action::RunTo(5_900));
    let depth = |s: &AppState, n: &str| s.view.queues.iter().find(|q| q.name == n).unwrap().depth();
    assert!(
        depth(&s, "email") >= 15,
        "email backlog {}",
        depth(&s, "email")
    );
    assert!(depth(&s, "inventory") <= 2);
    let s = reduce(s, Action::RunTo(12_000));
    assert_eq!(depth(&s, "email"), 0);
}

#[test]
fn groups_table_has_one_owner_per_partition_and_an_idle_member() {
    let s = reduce(AppState::new("e"), Action::RunTo(7_000));
    let g = s
        .view
        .groups
        .iter()
        .find(|g| g.name == "analytics")
        .unwrap();
    assert_eq!(g.members.len(), 4);
    assert_eq!(g.rows.len(), 3);
    assert!(g.rows.iter().all(|r| r.owner.is_some()));
    assert_eq!(g.members.iter().filter(|(_, idle)| *idle).count(), 1);
}

#[test]
fn replay_reads_the_same_payloads_as_live() {
    let s = reduce(AppState::new("d"), Action::RunTo(4_000));
    let payload = |who: &str, offset: u64| {
        s.log
            .iter()
            .find(|r| {
                r.kind == "read"
                    && r.entities.contains(&who.to_owned())
                    && r.text.contains(&format!("offset {offset}:"))
            })
            .map(|r| r.text.split_once(": ").unwrap().1.to_owned())
    };
    let live = payload("live", 0).expect("live read offset 0");
    assert_eq!(payload("replay", 0).as_deref(), Some(live.as_str()));
    assert_eq!(live, "\u{201c}click 0\u{201d}");
}

#[test]
fn selection_and_filters() {
    let s = reduce(AppState::new("c"), Action::RunTo(3_000));
    let s = reduce(s, Action::Select(Some(Entity::Queue("email".into()))));
    let d = s.view.details.clone().expect("details of the email queue");
    assert!(d.facts.iter().any(|(l, _)| l == "depth"));
    assert!(!d.items.is_empty(), "ready messages listed");
    assert!(s.view.chart.title.contains("email"));
    let s = reduce(s, Action::FilterEntity(Some("email-worker".into())));
    let s = reduce(s, Action::FilterKind(Some("crashed".into())));
    let shown: Vec<_> = s.log.iter().filter(|r| s.filter.matches(r)).collect();
    assert_eq!(shown.len(), 1);
    let s = reduce(
        s,
        Action::Select(Some(Entity::Consumer("email-worker".into()))),
    );
    assert!(s.view.details.as_ref().unwrap().can_restart);
    let s = reduce(s, Action::Restart("email-worker".into()));
    assert_eq!(s.notice, None);
    let s = reduce(s, Action::Restart("email-worker".into()));
    assert!(
        s.notice.is_some(),
        "restarting a running consumer is refused"
    );
}

#[test]
fn query_parsing() {
    let q = Query::parse("?s=d&t=4000&seed=9&speed=10&x=1");
    assert_eq!(q.scenario.as_deref(), Some("d"));
    assert_eq!(q.t_ms, Some(4000));
    assert_eq!(q.seed, Some(9));
    assert_eq!(q.speed, Some(10.0));
    assert_eq!(Query::parse(""), Query::default());
    let s = AppState::from_query(&q);
    assert_eq!(s.now_ms(), 4000);
    assert_eq!(s.seed, 9);
}

#[test]
fn frames_share_what_the_flights_remember_and_a_reset_starts_afresh() {
    // Every frame copies the flights; when each message reaches each node (thousands of
    // entries at thousands of messages a second) is shared instead. A reset's run, whose
    // message ids start over, remembers nothing of the last one.
    let mut s = reduce(AppState::new("comparison"), Action::Play);
    s = reduce(s, Action::Tick { elapsed_ms: 16.0 });
    let next = reduce(s.clone(), Action::Tick { elapsed_ms: 16.0 });
    assert!(!Rc::ptr_eq(&s.flights, &next.flights));
    assert!(next.flights.shares_arrivals_with(&s.flights));
    let reset = reduce(next.clone(), Action::Reset);
    assert!(!reset.flights.shares_arrivals_with(&next.flights));
    let stepped = reduce(next.clone(), Action::Step100ms);
    assert!(!stepped.flights.shares_arrivals_with(&next.flights));
}
