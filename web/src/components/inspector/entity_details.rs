//! The selected entity's state, its recent events, and what can be done to it.

use yew::prelude::*;

use crate::components::actions::{ConsumerActions, RateForm};
use crate::state::{Action, Entity, use_app};

/// The property editor of `entity` (build mode; the viewer build has none).
#[cfg(feature = "editor")]
fn spec_editor(entity: &Entity) -> Html {
    html! { <crate::components::build::SpecEditor entity={entity.clone()} /> }
}

/// The viewer build (embeds) has no property editor.
#[cfg(not(feature = "editor"))]
fn spec_editor(_entity: &Entity) -> Html {
    html! {}
}

/// The "why?" button of a listed item about `message`: it opens the message's story.
#[cfg(feature = "editor")]
fn why(app: &crate::state::AppHandle, message: Option<brokerlab::MessageId>) -> Html {
    let Some(m) = message else {
        return html! {};
    };
    let app = app.clone();
    let open = Callback::from(move |_: MouseEvent| app.dispatch(Action::ShowStory(Some(m))));
    html! {
        <button type="button" class="why" aria-label={format!("Why: the story of {m}")} onclick={open}>
            { "why?" }
        </button>
    }
}

/// The viewer build (embeds) keeps no stories.
#[cfg(not(feature = "editor"))]
fn why(_app: &crate::state::AppHandle, _message: Option<brokerlab::MessageId>) -> Html {
    html! {}
}

/// Recent log rows shown for the selection.
const RECENT: usize = 8;

/// The inspector panel.
#[component]
pub fn EntityDetails() -> Html {
    let app = use_app();
    let Some(d) = app.view.details.clone() else {
        return html! {
            <section class="inspector" aria-label="Inspector">
                <h2>{ "Inspector" }</h2>
                <p class="hint">{ "Click or tab to anything in the drawing to see its state here." }</p>
            </section>
        };
    };
    let (kind, name) = d.entity.parts();
    let name = name.to_owned();
    let send = |a: Action| {
        let app = app.clone();
        Callback::from(move |_: MouseEvent| app.dispatch(a.clone()))
    };
    let rate = app
        .view
        .producers
        .iter()
        .find(|p| p.name == name)
        .map_or(0, |p| p.rate_per_sec);
    let recent: Vec<_> = app
        .log
        .iter()
        .rev()
        .filter(|r| r.entities.contains(&name))
        .take(RECENT)
        .cloned()
        .collect();
    html! {
        <section class="inspector" aria-label="Inspector" data-entity={d.entity.key()}>
            <h2>{ format!("{kind} {name}") }</h2>
            <dl class="facts">
                { for d.facts.iter().map(|(l, v)| html! { <><dt>{ l.clone() }</dt><dd data-fact={l.clone()}>{ v.clone() }</dd></> }) }
            </dl>
            if let Entity::Consumer(_) = &d.entity {
                <ConsumerActions details={d.clone()} />
            }
            if let Entity::Producer(p) = &d.entity {
                <RateForm producer={p.clone()} rate={rate} />
            }
            if app.building {
                { spec_editor(&d.entity) }
            }
            if d.can_add_member {
                <div class="actions">
                    <button type="button" id="add-member" onclick={send(Action::AddMember(name.clone()))}>{ "Add member" }</button>
                </div>
            }
            if !d.items.is_empty() {
                <h3>{ d.items_title.clone() }</h3>
                <ul class="items" tabindex="0" aria-label={d.items_title.clone()}>{ for d.items.iter().map(|i| html! {
                    <li data-message={i.message.map(|m| m.to_string())}>{ i.text.clone() }{ why(&app, i.message) }</li>
                }) }</ul>
            }
            if !recent.is_empty() {
                <h3>{ "recent events" }</h3>
                <ul class="items recent" tabindex="0" aria-label="recent events">
                    { for recent.iter().map(|r| html! { <li>{ format!("{} ms \u{b7} {}", r.at_ms, r.text) }</li> }) }
                </ul>
            }
            <button type="button" class="link" onclick={send(Action::Select(None))}>{ "Close" }</button>
        </section>
    }
}
