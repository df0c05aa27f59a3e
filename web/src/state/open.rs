//! Which playground opens: a shared link in the URL fragment first, then the URL query, then
//! the autosaved work, then scenario A. A link that cannot be opened says why and leaves the
//! picker on scenario A (or what the query asks for).

use super::{Action, AppState, Query};
use crate::share;

/// The state to open with, from the fragment (`#v1.…`, may be empty), the query and the
/// autosaved link text.
/// An embedded page never restores the autosave (that is the visitor's own work elsewhere).
/// `autoplay` and `speed` in the query apply whichever way the state was found.
#[must_use]
pub fn open(hash: &str, query: &Query, saved: Option<&str>) -> AppState {
    let mut state = choose(hash, query, if query.embed { None } else { saved });
    if let Some(speed) = query.speed {
        state.update(Action::SetSpeed(speed));
    }
    if query.autoplay {
        state.update(Action::Play);
    }
    state
}

fn choose(hash: &str, query: &Query, saved: Option<&str>) -> AppState {
    let hash = hash.trim_start_matches('#');
    if !hash.is_empty() {
        return match share::decode(hash).and_then(|s| AppState::from_shared(&s)) {
            Ok(state) => state,
            Err(why) => {
                let mut state = AppState::from_query(query);
                state.notice = Some(format!(
                    "This link could not be opened: {why}. Pick a scenario to start."
                ));
                state
            }
        };
    }
    if query.names_a_moment() {
        return AppState::from_query(query);
    }
    saved
        .and_then(|text| share::decode(text).ok())
        .and_then(|s| AppState::from_shared(&s).ok())
        .unwrap_or_else(|| AppState::new("a"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::Entity;
    use yew::Reducible;

    fn worked_on() -> AppState {
        let s = AppState::new("c");
        let s = std::rc::Rc::new(s).reduce(Action::RunTo(2_500));
        let s = s.reduce(Action::Select(Some(Entity::Queue("email".into()))));
        std::rc::Rc::unwrap_or_clone(s)
    }

    #[test]
    fn the_fragment_wins_then_the_query_then_the_autosave() {
        let link = share::encode(&worked_on().to_shared());
        let q = Query::parse("?s=d&t=1000");
        let from_link = open(&format!("#{link}"), &q, None);
        assert_eq!(
            (from_link.scenario_id.as_str(), from_link.now_ms()),
            ("c", 2_500)
        );
        assert_eq!(from_link.selected, Some(Entity::Queue("email".into())));
        let from_query = open("", &q, Some(&link));
        assert_eq!(
            (from_query.scenario_id.as_str(), from_query.now_ms()),
            ("d", 1_000)
        );
        let restored = open("", &Query::default(), Some(&link));
        assert_eq!(restored.view, worked_on().view);
        let fresh = open("", &Query::default(), Some("garbage"));
        assert_eq!((fresh.scenario_id.as_str(), fresh.now_ms()), ("a", 0));
    }

    #[test]
    fn a_broken_link_says_why_and_opens_the_picker() {
        let s = open("#v1.AAAA", &Query::default(), None);
        assert_eq!(s.scenario_id, "a");
        let notice = s.notice.expect("a notice");
        assert!(
            notice.starts_with("This link could not be opened: the link is damaged"),
            "{notice}"
        );
    }

    #[test]
    fn an_embedded_page_can_autoplay_and_never_restores_the_autosave() {
        let link = share::encode(&worked_on().to_shared());
        let q = Query::parse("?embed=1&autoplay=1&speed=5&controls=0&height=9999");
        assert!(q.embed && q.autoplay && q.hide_controls);
        assert_eq!(q.height, Some(2_000));
        let s = open("", &q, Some(&link));
        assert_eq!((s.scenario_id.as_str(), s.now_ms()), ("a", 0));
        assert!(s.playing);
        assert_eq!(s.speed, 5.0);
        let s = open(&link, &q, None);
        assert_eq!((s.scenario_id.as_str(), s.now_ms()), ("c", 2_500));
        assert!(s.playing);
    }
}
