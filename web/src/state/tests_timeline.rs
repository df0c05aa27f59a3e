//! The timeline: seeking back restores a checkpoint and replays, giving exactly what a fresh
//! run paused there shows; the user's actions are replayed at their times; marks stay.

use std::rc::Rc;

use brokerlab::sim;
use yew::Reducible;

use super::*;

fn reduce(state: AppState, action: Action) -> AppState {
    Rc::unwrap_or_clone(Rc::new(state).reduce(action))
}

fn at(id: &str, t: u64) -> AppState {
    reduce(AppState::new(id), Action::RunTo(t))
}

/// What the page shows: the view, the log and the rebalance steps.
fn shown(s: &AppState) -> (ViewModel, Vec<LogRow>, Rebalances) {
    (
        (*s.view).clone(),
        s.log.iter().map(|r| (**r).clone()).collect(),
        (*s.rebalances).clone(),
    )
}

#[test]
fn scrubbing_back_and_forth_shows_what_a_fresh_run_paused_there_shows() {
    let mut s = at("comparison", 6_000);
    let at_6s = shown(&s);
    assert!(
        s.engine.borrow().checkpoints.len() >= 6,
        "checkpoints on the way"
    );
    for t in [2_000, 6_000, 4_550, 0, 9_000, 2_000] {
        s = reduce(s, Action::RunTo(t));
        assert_eq!(s.now_ms(), t);
        assert!(shown(&s) == shown(&at("comparison", t)), "at {t} ms");
    }
    s = reduce(s, Action::RunTo(6_000));
    assert!(shown(&s) == at_6s);
}

#[test]
fn an_action_in_the_past_is_replayed_after_a_seek_and_reshapes_the_future() {
    let s = at("a", 3_000);
    let s = reduce(s, Action::Crash("worker-1".into()));
    let s = reduce(s, Action::RunTo(7_000));
    let with_crash = shown(&s);
    // Back before the crash and forward again: the same future, crash included.
    let s = reduce(s, Action::RunTo(1_000));
    assert!(
        shown(&s) == shown(&at("a", 1_000)),
        "the past before the crash"
    );
    let s = reduce(s, Action::RunTo(7_000));
    assert!(shown(&s) == with_crash, "the crash is replayed at 3 s");
    assert_eq!(s.history.len(), 1, "seeking keeps the future");
    // Back to 2 s and a change there: the crash at 3 s belonged to the future replaced.
    let s = reduce(s, Action::RunTo(2_000));
    let s = reduce(
        s,
        Action::Apply(sim::Action::SetRate {
            producer: "api".into(),
            rate_per_sec: 1,
        }),
    );
    assert_eq!(s.history.len(), 1);
    assert!(
        s.engine
            .borrow()
            .checkpoints
            .iter()
            .all(|c| c.sim.now().as_millis() <= 2_000)
    );
}

#[test]
fn stepping_back_goes_to_the_previous_moment_that_happened_and_marks_stay() {
    let s = at("a", 6_000);
    let marks: Vec<u64> = s.marks.iter().map(|m| m.at_ms).collect();
    assert!(
        !marks.is_empty(),
        "the crash and restart of scenario A are marked"
    );
    let last = s
        .log
        .iter()
        .map(|r| r.at_ms)
        .filter(|&t| t < 6_000)
        .max()
        .unwrap();
    let s = reduce(s, Action::StepBackEvent);
    assert_eq!(s.now_ms(), last);
    assert_eq!(s.marks.iter().map(|m| m.at_ms).collect::<Vec<_>>(), marks);
}
