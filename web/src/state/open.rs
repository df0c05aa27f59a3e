//! Which playground opens: a shared link in the URL fragment first, then the URL query, then
//! the autosaved work, then scenario A. A link that cannot be opened says why and leaves the
//! picker on scenario A (or what the query asks for). A first visit (none of these) plays
//! scenario A at once, unless the visitor prefers reduced motion: a stopped drawing teaches
//! nothing. An embedded page loops its run unless the query says `loop=0`, and never pauses
//! at guide steps (nobody is there to press Next).

use super::{Action, AppState, Query};
use crate::share;

/// The state to open with, from the fragment (`#v1.…`, may be empty), the query and the
/// autosaved link text; `reduced_motion` is the visitor's `prefers-reduced-motion`.
/// An embedded page never restores the autosave (that is the visitor's own work elsewhere).
/// `autoplay` and `speed` in the query apply whichever way the state was found.
#[must_use]
pub fn open(hash: &str, query: &Query, saved: Option<&str>, reduced_motion: bool) -> AppState {
    let (mut state, first_visit) = choose(hash, query, if query.embed { None } else { saved });
    if let Some(speed) = query.speed {
        state.update(Action::SetSpeed(speed));
    }
    if query.embed {
        state.update(Action::SetGuided(false));
        state.update(Action::SetLooping(query.looping));
    }
    if query.autoplay || (first_visit && !query.embed && !reduced_motion) {
        state.update(Action::Play);
    }
    state
}

/// The address of the full playground for an embed that cannot encode links (the viewer
/// build): the embed's own link fragment when it has one (`#v1.…`), else its ready-made
/// scenario at `state`'s time, seed and speed; a scenario of the user's opens from the start.
#[must_use]
pub fn open_in_full(page: &str, hash: &str, state: &AppState) -> String {
    let hash = hash.trim_start_matches('#');
    if !hash.is_empty() {
        return format!("{page}#{hash}");
    }
    let speed = crate::number::num(state.speed);
    format!(
        "{page}?s={}&t={}&seed={}&speed={speed}",
        state.scenario_id,
        state.now_ms(),
        state.seed
    )
}

/// The state and whether this is a first visit (nothing in the address or the autosave).
fn choose(hash: &str, query: &Query, saved: Option<&str>) -> (AppState, bool) {
    let hash = hash.trim_start_matches('#');
    if !hash.is_empty() {
        let state = match share::decode(hash).and_then(|s| AppState::from_shared(&s)) {
            Ok(state) => state,
            Err(why) => {
                let mut state = AppState::from_query(query);
                state.notice = Some(format!(
                    "This link could not be opened: {why}. Pick a scenario to start."
                ));
                state
            }
        };
        return (state, false);
    }
    if query.names_a_moment() {
        return (AppState::from_query(query), false);
    }
    match saved
        .and_then(|text| share::decode(text).ok())
        .and_then(|s| AppState::from_shared(&s).ok())
    {
        Some(state) => (state, false),
        None => (AppState::new("a"), true),
    }
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
        let from_link = open(&format!("#{link}"), &q, None, false);
        assert_eq!(
            (from_link.scenario_id.as_str(), from_link.now_ms()),
            ("c", 2_500)
        );
        assert_eq!(from_link.selected, Some(Entity::Queue("email".into())));
        let from_query = open("", &q, Some(&link), false);
        assert_eq!(
            (from_query.scenario_id.as_str(), from_query.now_ms()),
            ("d", 1_000)
        );
        let restored = open("", &Query::default(), Some(&link), false);
        assert_eq!(restored.view, worked_on().view);
        let fresh = open("", &Query::default(), Some("garbage"), true);
        assert_eq!((fresh.scenario_id.as_str(), fresh.now_ms()), ("a", 0));
    }

    #[test]
    fn a_first_visit_plays_scenario_a_unless_motion_is_reduced_or_anything_is_named() {
        let fresh = open("", &Query::default(), None, false);
        assert_eq!(fresh.scenario_id, "a");
        assert!(fresh.playing && fresh.guided && !fresh.looping);
        assert!(!open("", &Query::default(), None, true).playing);
        assert!(!open("", &Query::parse("?s=c"), None, false).playing);
        let link = share::encode(&worked_on().to_shared());
        assert!(!open(&format!("#{link}"), &Query::default(), None, false).playing);
        assert!(!open("", &Query::default(), Some(&link), false).playing);
        let no_loop = open("", &Query::parse("?embed=1&loop=0"), None, false);
        assert!(!no_loop.playing && !no_loop.looping && !no_loop.guided);
    }

    #[test]
    fn an_embed_without_a_link_encoder_opens_its_own_link_or_its_moment_in_full() {
        let s = AppState::from_query(&Query::parse("?s=d&t=4200&seed=9&speed=2.5"));
        let full = open_in_full("https://x/", "", &s);
        assert_eq!(full, "https://x/?s=d&t=4200&seed=9&speed=2.5");
        let reopened = open(
            "",
            &Query::parse(full.trim_start_matches("https://x/")),
            None,
            false,
        );
        assert_eq!(reopened.view, s.view);
        assert_eq!(
            open_in_full("https://x/", "#v1.abc", &s),
            "https://x/#v1.abc"
        );
    }

    #[test]
    fn a_broken_link_says_why_and_opens_the_picker() {
        let s = open("#v1.AAAA", &Query::default(), None, false);
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
        let s = open("", &q, Some(&link), false);
        assert_eq!((s.scenario_id.as_str(), s.now_ms()), ("a", 0));
        assert!(s.playing && s.looping && !s.guided);
        assert_eq!(s.speed, 5.0);
        let s = open(&link, &q, None, false);
        assert_eq!((s.scenario_id.as_str(), s.now_ms()), ("c", 2_500));
        assert!(s.playing);
    }
}
