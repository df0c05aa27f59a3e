//! "Why?": the story of one message, opened from an event-log row: every event the engine
//! reported about it, in order (produced, routed by which binding, stored where, each
//! delivery or read and whether it was a redelivery, how it ended), where a stream record
//! stands now, for a broadcast who got no copy and why, and for a record read by consumer
//! groups which members did not read it and why.

use yew::prelude::*;

use crate::state::{Action, STORIES_KEPT, use_app};

/// A titled list of who did not get the message and why (empty: nothing shown). Each line
/// names its subscriber, queue or group member in `data-who`.
fn who_did_not(list: &[(String, String)], title: &'static str, class: &'static str) -> Html {
    if list.is_empty() {
        return html! {};
    }
    html! {
        <>
            <h3>{ title }</h3>
            <ul class={class}>
                { for list.iter().map(|(who, why)| html! {
                    <li data-who={who.clone()}><strong>{ who.clone() }</strong>{ format!(": {why}") }</li>
                }) }
            </ul>
        </>
    }
}

/// The open story, if any.
#[component]
pub fn StoryPanel() -> Html {
    let app = use_app();
    let Some(message) = app.story else {
        return html! {};
    };
    let close = {
        let app = app.clone();
        Callback::from(move |_: MouseEvent| app.dispatch(Action::ShowStory(None)))
    };
    let body = match app.story_view() {
        None => html! {
            <p class="forgotten">{ format!(
                "The story of {message} is no longer kept: the playground keeps those of the \
                 {STORIES_KEPT} most recent messages."
            ) }</p>
        },
        Some(story) => html! {
            <>
                if let Some(origin) = &story.origin {
                    <p class="origin">{ origin.clone() }</p>
                }
                <ol class="story-events">
                    { for story.rows.iter().map(|r| html! {
                        <li class={classes!("row", r.kind, r.again.then_some("again"))} data-kind={r.kind}>
                            <span class="at">{ format!("{} ms", r.at_ms) }</span>
                            <span class="text">{ r.text.clone() }</span>
                        </li>
                    }) }
                </ol>
                if story.left_out > 0 {
                    <p class="left-out">{ format!("and {} later events", story.left_out) }</p>
                }
                if let Some(record) = &story.record {
                    <p class="record">{ record.clone() }</p>
                }
                { who_did_not(&story.missed, "Who did not get it", "missed") }
                { who_did_not(&story.not_read, "Group members that did not read it", "not-read") }
            </>
        },
    };
    html! {
        <section class="story" aria-label={format!("Why: the story of {message}")} data-message={message.to_string()}>
            <h2>{ format!("Why: {message}") }
                <button type="button" class="close" onclick={close} aria-label="Close the story">{ "\u{d7}" }</button>
            </h2>
            { body }
        </section>
    }
}
