//! "Two futures": after a change made in the past, the future on show and the one it
//! replaced, side by side at the same moment: where they first part, the other future's
//! drawing, the figures of both (differing ones first and marked), and the messages that
//! fared differently, each with its story; buttons to show the other future instead or to
//! close it.

use yew::prelude::*;

use super::OtherDrawing;
use crate::state::{Action, MessageSplit, use_app};

/// The most message ids listed per outcome and future.
const LISTED: usize = 12;

fn message_list(app: &crate::state::AppHandle, ids: &[brokerlab::MessageId]) -> Html {
    let more = ids.len().saturating_sub(LISTED);
    html! {
        <>
            { for ids.iter().take(LISTED).map(|&m| {
                let app = app.clone();
                let onclick = Callback::from(move |_: MouseEvent| app.dispatch(Action::ShowStory(Some(m))));
                html! {
                    <button type="button" class="message-link" data-message={m.to_string()} {onclick}
                        title={format!("Why: the story of {m} in the future on show")}>{ m.to_string() }</button>
                }
            }) }
            if more > 0 {
                <span class="more">{ format!("and {more} more") }</span>
            }
        </>
    }
}

fn split_row(app: &crate::state::AppHandle, s: &MessageSplit) -> Html {
    html! {
        <tr class="differs" data-outcome={s.outcome}>
            <th scope="row">{ s.outcome }</th>
            <td data-future="this" data-count={s.this.len().to_string()}>
                if s.this.is_empty() { { "\u{2013}" } } else { { message_list(app, &s.this) } }
            </td>
            <td data-future="other" data-count={s.other.len().to_string()}>
                if s.other.is_empty() { { "\u{2013}" } } else { { message_list(app, &s.other) } }
            </td>
        </tr>
    }
}

/// The two futures of a forked run (nothing when the run is not forked).
#[component]
pub fn ForkPanel() -> Html {
    let app = use_app();
    let Some(fork) = app.fork.clone() else {
        return html! {};
    };
    let Some(cmp) = app.comparison() else {
        return html! {};
    };
    let swap = {
        let app = app.clone();
        Callback::from(move |_: MouseEvent| app.dispatch(Action::SwapFork))
    };
    let close = {
        let app = app.clone();
        Callback::from(move |_: MouseEvent| app.dispatch(Action::CloseFork))
    };
    let jump = fork.divergence.as_ref().map(|d| {
        let app = app.clone();
        let at = d.at_ms;
        Callback::from(move |_: MouseEvent| app.dispatch(Action::RunTo(at)))
    });
    let part = match &fork.divergence {
        Some(d) => {
            let what = match (&d.this, &d.other) {
                (Some(a), Some(b)) => format!("on show, {a}; in the other, {b}."),
                (None, Some(b)) => format!("only the other future has: {b}."),
                (Some(a), None) => format!("only the future on show has: {a}."),
                (None, None) => {
                    "more happens at that instant than can be lined up event by event.".to_owned()
                }
            };
            html! {
                <p class="divergence" data-at-ms={d.at_ms.to_string()}>
                    { "They first differ at " }
                    <button type="button" class="link" onclick={jump} title="Go to that moment">{ format!("{} ms", d.at_ms) }</button>
                    { ": " }
                    <span class="what">{ what }</span>
                </p>
            }
        }
        None => html! {
            <p class="divergence none">{ "Their histories do not differ up to the end of the run." }</p>
        },
    };
    let differing = cmp.rows.iter().filter(|r| r.differs()).count();
    html! {
        <section class="fork" id="fork" aria-label="Two futures" data-differing={differing.to_string()}>
            <h2>{ "Two futures" }</h2>
            <p class="fork-labels">
                { format!("They part at {} ms. On show: ", fork.at_ms) }
                <strong class="this-label">{ fork.this_label.clone() }</strong>
                { ". The other: " }
                <strong class="other-label">{ fork.other_label.clone() }</strong>
                { format!(". Both at {} ms.", app.now_ms()) }
            </p>
            { part }
            <div class="fork-actions">
                <button type="button" id="fork-swap" onclick={swap}>{ "Show the other future" }</button>
                <button type="button" id="fork-close" onclick={close}>{ "Close the other future" }</button>
            </div>
            <div class="fork-body">
            <OtherDrawing other={fork.other.clone()} label={fork.other_label.clone()} />
            <div class="fork-tables">
            <table class="compare" id="fork-figures">
                <caption>{ format!("Now, side by side ({differing} differ)") }</caption>
                <thead><tr><th scope="col">{ "Figure" }</th><th scope="col">{ "On show" }</th><th scope="col">{ "The other" }</th></tr></thead>
                <tbody>
                    { for cmp.rows.iter().map(|r| html! {
                        <tr class={classes!(r.differs().then_some("differs"))} data-what={r.what.clone()}>
                            <th scope="row">{ r.what.clone() }</th>
                            <td data-future="this">{ r.this.clone() }</td>
                            <td data-future="other">{ r.other.clone() }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
            <table class="compare" id="fork-messages">
                <caption>{ format!("Messages that fared differently so far (of {} compared)", cmp.compared) }</caption>
                <thead><tr><th scope="col">{ "Outcome" }</th><th scope="col">{ "Only on show" }</th><th scope="col">{ "Only in the other" }</th></tr></thead>
                <tbody>
                    if cmp.messages.is_empty() {
                        <tr><td colspan="3">{ "None yet." }</td></tr>
                    }
                    { for cmp.messages.iter().map(|s| split_row(&app, s)) }
                </tbody>
            </table>
            </div>
            </div>
            <p class="hint">{ "Export JSON saves the future on show, its actions scripted at their times." }</p>
        </section>
    }
}
