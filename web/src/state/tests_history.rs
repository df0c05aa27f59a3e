//! A long session: the user's actions are kept only while the link to the state stays
//! readable by the page's own decoder.

use brokerlab::sim;

use super::*;
use crate::share;

/// `n` letters that deflate poorly (a xorshift over the alphabet); payloads by hand are at
/// most 1,024 bytes.
fn noise(seed: u64, n: usize) -> String {
    let mut x = seed | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            char::from(b'a' + (x % 26) as u8)
        })
        .collect()
}

fn publish(payload: String) -> Action {
    Action::Apply(sim::Action::Publish {
        target: sim::TargetSpec::Queue("jobs".into()),
        key: None,
        payload,
        count: 1,
        headers: Vec::new(),
    })
}

#[test]
fn a_long_session_stops_taking_actions_before_its_link_outgrows_the_decoder() {
    let mut s = AppState::new("a");
    let mut taken = 0;
    for i in 0..1_000_u64 {
        s.update(Action::RunTo(i * 8));
        let before = s.history.len();
        s.update(publish(noise(i, 1_000)));
        if s.history.len() == before {
            break;
        }
        taken += 1;
    }
    assert!(taken > 10, "only {taken} actions fit: {:?}", s.notice);
    assert!(taken < 1_000, "the budget was never reached");
    let notice = s.notice.clone().expect("the refused action says why");
    assert!(
        notice.contains("as many actions as a link can carry"),
        "{notice}"
    );

    let link = share::encode(&s.to_shared());
    assert!(link.len() <= share::MAX_LINK_BYTES, "{} bytes", link.len());
    let reopened =
        AppState::from_shared(&share::decode(&link).expect("the page reads its own link"))
            .expect("every action applies again");
    assert_eq!(reopened.history.len(), taken);
    assert_eq!(reopened.view, s.view);
}

#[test]
fn a_refused_action_changes_nothing_and_a_reset_makes_room_again() {
    let mut s = AppState::new("a");
    s.update(Action::RunTo(1_000));
    while s.notice.is_none() {
        s.update(publish(noise(s.history.len() as u64, 1_000)));
    }
    let (taken, view) = (s.history.len(), s.view.clone());
    s.update(publish(noise(1, 1_000)));
    assert_eq!(s.history.len(), taken, "refused again, nothing kept");
    assert_eq!(s.view, view, "and nothing published");
    assert!(s.notice.is_some());
    s.update(Action::Reset);
    s.update(Action::RunTo(1_000));
    s.update(publish(noise(1, 1_000)));
    assert_eq!((s.history.len(), s.notice.as_deref()), (1, None));
}
