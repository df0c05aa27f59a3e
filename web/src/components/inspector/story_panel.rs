//! "Why?": the story of one message, opened from an event-log row: every event the engine
//! reported about it, in order (produced, routed by which binding, stored where, each
//! delivery or read and whether it was a redelivery, how it ended), where a stream record
//! stands now, for a broadcast who got no copy and why, and for a record read by consumer
//! groups which members did not read it and why.

use yew::prelude::*;

use crate::state::{Action, STORIES_KEPT, use_app};

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
                if !story.missed.is_empty() {
                    <h3>{ "Who did not get it" }</h3>
                    <ul class="missed">
                        { for story.missed.iter().map(|(who, why)| html! {
                            <li data-subscriber={who.clone()}><strong>{ who.clone() }</strong>{ format!(": {why}") }</li>
                        }) }
                    </ul>
                }
                if !story.not_read.is_empty() {
                    <h3>{ "Group members that did not read it" }</h3>
                    <ul class="not-read">
                        { for story.not_read.iter().map(|(who, why)| html! {
                            <li data-member={who.clone()}><strong>{ who.clone() }</strong>{ format!(": {why}") }</li>
                        }) }
                    </ul>
                }
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
