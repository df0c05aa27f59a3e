//! Opening a counterexample: the run it found, paused at the violation, its entities
//! highlighted; closing it or loading another scenario puts the highlights away.

use std::rc::Rc;

use brokerlab::sim::check::Guarantee;
use brokerlab::sim::check::search::search;
use yew::Reducible;

use super::*;

fn reduce(state: AppState, action: Action) -> AppState {
    Rc::unwrap_or_clone(Rc::new(state).reduce(action))
}

#[test]
fn a_counterexample_opens_paused_at_its_violation_with_its_entities_highlighted() {
    let mut a = ready::load("a").unwrap();
    for c in &mut a.consumers {
        c.ack = sim::AckSpec::Auto;
    }
    let found = search(&a, Guarantee::NoLoss, 0, 1)
        .found
        .expect("auto-ack loses a job");
    let at = found.violation.at.as_millis();
    let s = reduce(AppState::new("b"), Action::Play);
    let s = reduce(s, Action::OpenCounterexample(Rc::new(found.clone())));
    assert_eq!(s.now_ms(), at);
    assert!(!s.playing);
    assert_eq!(s.scenario_id, CUSTOM);
    assert_eq!(*s.scenario, found.scenario);
    assert_eq!(s.counterexample.as_deref(), Some(&found.violation));
    let worker2 = Entity::Consumer("worker-2".into());
    let worker1 = Entity::Consumer("worker-1".into());
    assert!(s.highlighted(&worker2));
    assert!(s.highlighted(&Entity::Queue("jobs".into())));
    assert!(!s.highlighted(&worker1));

    let closed = reduce(s.clone(), Action::CloseCounterexample);
    assert_eq!(closed.counterexample, None);
    assert!(!closed.highlighted(&worker2));
    assert_eq!(closed.now_ms(), at, "closing keeps the run where it is");

    let other = reduce(s, Action::Load("c".into()));
    assert_eq!(other.counterexample, None);
}
