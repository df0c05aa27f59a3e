//! The event log, newest first, with filters by entity and by kind, and a notice when the
//! stories of older messages were forgotten.

use std::collections::BTreeSet;

use yew::prelude::*;

use crate::state::{Action, use_app};

/// Rows shown at most.
const SHOWN: usize = 120;

fn choice(value: String) -> Option<String> {
    (!value.is_empty()).then_some(value)
}

/// Says how many stories were forgotten, when any were (their rows' "why?" buttons then
/// open a panel that says so).
#[cfg(feature = "editor")]
fn forgotten_notice(app: &crate::state::AppState) -> Html {
    let forgotten = app.stories_forgotten();
    if forgotten == 0 {
        return html! {};
    }
    let kept = crate::state::STORIES_KEPT;
    html! {
        <p class="stories-forgotten">
            { format!("Stories are kept for the {kept} most recent messages; {forgotten} older ones were forgotten.") }
        </p>
    }
}

/// The viewer build (embeds) keeps no stories.
#[cfg(not(feature = "editor"))]
fn forgotten_notice(_app: &crate::state::AppState) -> Html {
    html! {}
}

/// The filtered event log.
#[component]
pub fn EventLog() -> Html {
    let app = use_app();
    let mut entities: BTreeSet<&str> = BTreeSet::new();
    let mut kinds: BTreeSet<&str> = BTreeSet::new();
    for r in &app.log {
        entities.extend(r.entities.iter().map(String::as_str));
        kinds.insert(r.kind);
    }
    if let Some(e) = &app.filter.entity {
        entities.insert(e);
    }
    if let Some(k) = &app.filter.kind {
        kinds.insert(k);
    }
    let on_entity = {
        let app = app.clone();
        Callback::from(move |e: Event| {
            let s: web_sys::HtmlSelectElement = e.target_unchecked_into();
            app.dispatch(Action::FilterEntity(choice(s.value())));
        })
    };
    let on_kind = {
        let app = app.clone();
        Callback::from(move |e: Event| {
            let s: web_sys::HtmlSelectElement = e.target_unchecked_into();
            app.dispatch(Action::FilterKind(choice(s.value())));
        })
    };
    let options = |all: &BTreeSet<&str>, current: &Option<String>| {
        html! {
            <>
                <option value="" selected={current.is_none()}>{ "all" }</option>
                { for all.iter().map(|v| html! {
                    <option value={v.to_string()} selected={current.as_deref() == Some(*v)}>{ v.to_string() }</option>
                }) }
            </>
        }
    };
    let rows = app
        .log
        .iter()
        .rev()
        .filter(|r| app.filter.matches(r))
        .take(SHOWN);
    html! {
        <section class="event-log" aria-label="Event log">
            <div class="log-head">
                <h2>{ "Event log" }</h2>
                <label class="field">{ "Entity " }
                    <select id="log-entity" onchange={on_entity}>{ options(&entities, &app.filter.entity) }</select>
                </label>
                <label class="field">{ "Kind " }
                    <select id="log-kind" onchange={on_kind}>{ options(&kinds, &app.filter.kind) }</select>
                </label>
            </div>
            { forgotten_notice(&app) }
            <ol class="log" reversed=true tabindex="0" aria-label="Events, newest first">
                { for rows.map(|r| html! {
                    <li class={classes!("row", r.kind, r.again.then_some("again"))} data-kind={r.kind}
                        data-entities={r.entities.join(" ")} data-at={r.at_ms.to_string()}>
                        <span class="at">{ format!("{} ms", r.at_ms) }</span>
                        <span class="kind">{ r.kind }</span>
                        <span class="text">{ r.text.clone() }</span>
                        if let Some(m) = r.message {
                            <button type="button" class="why" aria-label={format!("Why: the story of {m}")}
                                onclick={let app = app.clone(); Callback::from(move |_: MouseEvent| app.dispatch(Action::ShowStory(Some(m))))}>
                                { "why?" }
                            </button>
                        }
                    </li>
                }) }
            </ol>
        </section>
    }
}
