//! Fork and compare: a change made after a seek back keeps the replaced future beside the
//! new one, time-locked, with the first divergence and the messages that fared differently;
//! a link and an export carry it.

use std::rc::Rc;

use brokerlab::sim;
use yew::Reducible;

use super::*;

fn reduce(state: AppState, action: Action) -> AppState {
    Rc::unwrap_or_clone(Rc::new(state).reduce(action))
}

fn spare_worker_2() -> Action {
    Action::Apply(sim::Action::CancelCrashes {
        consumer: "worker-2".into(),
    })
}

/// Scenario A played to 8 s, back to 3 s, worker-2's crash at 3.1 s called off.
fn forked_a() -> AppState {
    let s = reduce(AppState::new("a"), Action::RunTo(8_000));
    let s = reduce(s, Action::RunTo(3_000));
    reduce(s, spare_worker_2())
}

fn consumer_row(c: &Comparison, name: &str) -> CompareRow {
    c.rows
        .iter()
        .find(|r| r.what.starts_with(&format!("{name}:")))
        .cloned()
        .expect("a row for the consumer")
}

#[test]
fn a_change_in_the_past_forks_and_the_futures_differ_in_redeliveries() {
    let s = forked_a();
    assert_eq!(s.notice, None);
    let fork = s.fork.clone().expect("a fork");
    assert_eq!(fork.at_ms, 3_000);
    assert_eq!(
        fork.this_label,
        "worker-2's planned crash called off at 3.0 s"
    );
    let d = fork.divergence.clone().expect("they part");
    assert_eq!(d.at_ms, 3_100, "at the crash the other future keeps");
    assert!(
        d.other.as_deref().is_some_and(|t| t.contains("worker-2")),
        "{d:?}"
    );
    // The other future kept its history: it stands at 3 s too, and its crash is ahead.
    assert_eq!(fork.other.now_ms(), 3_000);

    let s = reduce(s, Action::RunTo(8_000));
    let fork = s.fork.clone().expect("still forked");
    assert_eq!(fork.other.now_ms(), 8_000, "time-locked");
    let c = s.comparison().expect("compared");
    let redelivered = c
        .messages
        .iter()
        .find(|m| m.outcome == "redelivered")
        .expect("redeliveries differ");
    assert!(redelivered.this.is_empty());
    assert_eq!(redelivered.other.len(), 1, "the job worker-2 held");
    let w2 = consumer_row(&c, "worker-2");
    assert!(w2.differs(), "{w2:?}");
    // Back at 7 s in the other future, worker-2 processed less there.
    assert_eq!(
        (w2.this.as_str(), w2.other.as_str()),
        ("busy, 15", "busy, 7")
    );
    assert!(c.rows[0].differs(), "differences first: {:?}", c.rows);
}

#[test]
fn the_futures_stay_time_locked_backwards_too() {
    let s = reduce(forked_a(), Action::RunTo(6_000));
    let s = reduce(s, Action::StepBackEvent);
    let other = &s.fork.as_ref().expect("forked").other;
    assert_eq!(other.now_ms(), s.now_ms());
    let s = reduce(s, Action::RunTo(1_000));
    let other = &s.fork.as_ref().expect("forked").other;
    assert_eq!(other.now_ms(), 1_000);
    // Before the fork, the two futures are one.
    assert!(
        s.comparison()
            .expect("compared")
            .rows
            .iter()
            .all(|r| !r.differs())
    );
}

#[test]
fn a_change_at_the_live_edge_does_not_fork() {
    let s = reduce(AppState::new("a"), Action::RunTo(3_000));
    let s = reduce(s, spare_worker_2());
    assert!(s.fork.is_none());
    assert_eq!(s.history.len(), 1);
}

#[test]
fn swapping_shows_the_other_future_and_closing_keeps_the_one_on_show() {
    let s = reduce(forked_a(), Action::RunTo(5_000));
    let swapped = reduce(s.clone(), Action::SwapFork);
    assert_eq!(swapped.now_ms(), 5_000);
    let fork = swapped.fork.clone().expect("still forked");
    assert_eq!(
        fork.other_label,
        "worker-2's planned crash called off at 3.0 s"
    );
    assert_eq!(fork.this_label, "as it was");
    let w2 = |s: &AppState| {
        s.view
            .consumers
            .iter()
            .find(|c| c.name == "worker-2")
            .map(|c| c.state)
    };
    assert_eq!(w2(&swapped), Some(ConsumerState::Crashed));
    assert_ne!(w2(&s), Some(ConsumerState::Crashed));
    let d = fork.divergence.clone().expect("they part");
    assert!(d.this.is_some_and(|t| t.contains("worker-2")));
    let closed = reduce(swapped, Action::CloseFork);
    assert!(closed.fork.is_none());
    assert_eq!(w2(&closed), Some(ConsumerState::Crashed));
}

#[test]
fn a_link_carries_the_fork() {
    let s = reduce(forked_a(), Action::RunTo(6_000));
    let shared = s.to_shared();
    let text = crate::share::encode(&shared);
    let back = crate::share::decode(&format!("#{text}")).expect("decodes");
    let opened = AppState::from_shared(&back).expect("opens");
    let (a, b) = (s.fork.as_ref().unwrap(), opened.fork.as_ref().unwrap());
    assert_eq!(a.divergence, b.divergence);
    assert_eq!(a.this_label, b.this_label);
    assert_eq!(s.comparison(), opened.comparison());
}

#[test]
fn an_export_scripts_the_change_from_its_moment() {
    let s = forked_a();
    let scenario = s.scenario_with_actions();
    assert!(scenario.validate().is_ok());
    assert!(scenario.script.iter().any(|st| st.at_ms == 3_000
        && st.action
            == sim::Action::CancelCrashes {
                consumer: "worker-2".into()
            }));
    let mut run = sim::Simulation::new(&scenario).expect("valid");
    run.run_until(brokerlab::Instant::from_millis(8_000));
    assert!(
        run.consumer_views()
            .iter()
            .all(|c| c.status != sim::ConsumerStatus::Crashed)
    );
}

#[test]
fn a_refused_change_in_the_past_does_not_fork() {
    let s = reduce(AppState::new("a"), Action::RunTo(5_000));
    let s = reduce(s, Action::RunTo(2_000));
    let s = reduce(
        s,
        Action::Apply(sim::Action::CancelCrashes {
            consumer: "worker-1".into(),
        }),
    );
    assert!(s.notice.is_some());
    assert!(s.fork.is_none());
}

#[test]
fn an_edit_made_in_the_past_forks_from_the_start() {
    let s = reduce(AppState::new("a"), Action::RunTo(8_000));
    let s = reduce(s, Action::RunTo(4_000));
    let worker = Entity::Consumer("worker-2".into());
    let json = spec_json(&s.scenario, &worker)
        .expect("a spec")
        .replace("\"fixed\": 400", "\"fixed\": 800");
    let s = reduce(
        s,
        Action::Edit(Edit::Replace {
            entity: worker,
            json,
        }),
    );
    assert_eq!(s.notice, None);
    assert_eq!(
        s.now_ms(),
        4_000,
        "the edited topology runs to the moment of the edit"
    );
    let fork = s.fork.clone().expect("a fork");
    assert_eq!(fork.this_label, "worker-2 edited (from the start)");
    assert_eq!(fork.other.now_ms(), 4_000);
    let d = fork.divergence.clone().expect("they part");
    assert!(
        d.at_ms > 0 && d.at_ms < 1_000,
        "at worker-2's first job: {d:?}"
    );
    // A link carries the other topology.
    let opened = AppState::from_shared(&s.to_shared()).expect("opens");
    let back = opened.fork.as_ref().expect("forked");
    assert_eq!(back.other.scenario, fork.other.scenario);
    assert_eq!(back.divergence, fork.divergence);
    // An edit at the live edge still restarts the run, without a fork.
    let s = reduce(AppState::new("a"), Action::RunTo(2_000));
    let s = reduce(
        s,
        Action::Edit(Edit::Delete(Entity::Consumer("worker-2".into()))),
    );
    assert!(s.fork.is_none());
    assert_eq!(s.now_ms(), 0);
}

#[test]
fn a_second_change_with_a_fork_open_changes_the_future_on_show_only() {
    let s = reduce(forked_a(), Action::RunTo(2_000));
    let other_history = Rc::clone(&s.fork.as_ref().expect("forked").other.history);
    let s = reduce(s, Action::Crash("worker-1".into()));
    let fork = s.fork.clone().expect("still forked");
    assert_eq!(fork.at_ms, 2_000, "they now part earlier");
    // The change at 3 s belonged to the future the new change replaced.
    assert_eq!(fork.this_label, "worker-1 crashed by hand at 2.0 s");
    assert_eq!(fork.other_label, "as it was");
    assert_eq!(fork.other.history, other_history, "the other future stays");
    assert_eq!(fork.divergence.as_ref().map(|d| d.at_ms), Some(2_000));
}

#[test]
fn a_link_whose_other_future_no_longer_applies_opens_without_it_and_says_why() {
    let mut shared = reduce(forked_a(), Action::RunTo(6_000)).to_shared();
    if let Some(f) = &mut shared.fork {
        f.actions = vec![sim::ScriptStep {
            at_ms: 1_000,
            action: sim::Action::Restart {
                consumer: "worker-1".into(),
            },
        }];
    }
    let opened = AppState::from_shared(&shared).expect("the future on show opens");
    assert!(opened.fork.is_none());
    assert_eq!(opened.now_ms(), 6_000);
    let notice = opened.notice.expect("says why");
    assert!(
        notice.contains("other future could not be rebuilt"),
        "{notice}"
    );
}

#[test]
fn playing_moves_both_futures() {
    let mut s = reduce(forked_a(), Action::Play);
    for _ in 0..30 {
        s = reduce(s, Action::Tick { elapsed_ms: 50.0 });
    }
    assert!(s.now_ms() > 3_000);
    assert_eq!(s.fork.as_ref().expect("forked").other.now_ms(), s.now_ms());
}
