//! The palette: start from nothing, add each kind of node, undo and redo. Every edit
//! restarts the run at 0.

use brokerlab::sim::ExchangeKindSpec;
use yew::prelude::*;

use crate::state::{Action, Edit, NewKind, use_app};

/// The palette toolbar.
#[component]
pub fn Palette() -> Html {
    let app = use_app();
    let send = |a: Action| {
        let app = app.clone();
        Callback::from(move |_: MouseEvent| app.dispatch(a.clone()))
    };
    let add = |k: NewKind, label: &'static str, id: &'static str| {
        html! {
            <button type="button" id={id} onclick={send(Action::Edit(Edit::Add(k)))}
                title={format!("Add a {}", k.word())}>{ label }</button>
        }
    };
    html! {
        <section class="palette" aria-label="Build">
            <span class="palette-title">{ "Build" }</span>
            <button type="button" id="new-empty" onclick={send(Action::NewEmpty)}>{ "New" }</button>
            { add(NewKind::Producer, "+ Producer", "add-producer") }
            { add(NewKind::Exchange(ExchangeKindSpec::Fanout), "+ Fanout", "add-fanout") }
            { add(NewKind::Exchange(ExchangeKindSpec::Direct), "+ Direct", "add-direct") }
            { add(NewKind::Exchange(ExchangeKindSpec::Topic), "+ Topic", "add-topic") }
            { add(NewKind::Queue, "+ Queue", "add-queue") }
            { add(NewKind::Subscriber, "+ Subscriber", "add-subscriber") }
            { add(NewKind::Stream, "+ Stream", "add-stream") }
            { add(NewKind::Consumer, "+ Consumer", "add-consumer") }
            { add(NewKind::Group, "+ Group", "add-group") }
            { add(NewKind::ShareGroup, "+ Share group", "add-share-group") }
            <button type="button" id="undo" disabled={app.undo.is_empty()} onclick={send(Action::Undo)}>{ "Undo" }</button>
            <button type="button" id="redo" disabled={app.redo.is_empty()} onclick={send(Action::Redo)}>{ "Redo" }</button>
            if let Some(from) = &app.connect_from {
                <span class="hint connecting-hint" role="status">
                    { format!("Click the node to connect {} to", from.name()) }
                    <button type="button" class="link" onclick={send(Action::ConnectFrom(None))}>{ "Cancel" }</button>
                </span>
            }
        </section>
    }
}
