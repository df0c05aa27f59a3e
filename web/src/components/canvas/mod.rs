//! The topology drawn as SVG: producers, exchanges, queues, subscriptions, streams,
//! consumers and group boxes in columns, with the edges between them.

pub mod consumer_node;
pub mod drag;
pub mod follow;
pub mod group_box;
pub mod label_node;
pub mod layout;
pub mod queue_node;
pub mod share_window;
pub mod stream_node;
pub mod topology_canvas;

pub use topology_canvas::TopologyCanvas;

use crate::state::{Action, AppHandle, Entity};
use yew::prelude::*;

/// Colours for consumers (their stream markers and edges).
pub const PALETTE: [&str; 8] = [
    "#2f6fdb", "#c2571a", "#2a9d5c", "#8e44ad", "#b8860b", "#d6336c", "#138496", "#6c757d",
];

/// The colour of consumer `index`.
#[must_use]
pub fn colour(index: usize) -> &'static str {
    PALETTE[index % PALETTE.len()]
}

/// The classes a node gets from the app: `selected` when the inspector shows it, `highlight`
/// when the guide's current step talks about it.
fn marks(app: &AppHandle, entity: &Entity) -> Classes {
    classes!(
        (app.selected.as_ref() == Some(entity)).then_some("selected"),
        app.highlighted(entity).then_some("highlight")
    )
}

/// Click and Enter/Space on a node select it.
fn select_handlers(
    app: &AppHandle,
    entity: &Entity,
) -> (Callback<MouseEvent>, Callback<KeyboardEvent>) {
    let click = {
        let app = app.clone();
        let entity = entity.clone();
        Callback::from(move |_| app.dispatch(Action::Select(Some(entity.clone()))))
    };
    let key = {
        let app = app.clone();
        let entity = entity.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" || e.key() == " " {
                e.prevent_default();
                app.dispatch(Action::Select(Some(entity.clone())));
            }
        })
    };
    (click, key)
}

/// A message drawn on the canvas, as a click finds it then.
#[cfg(feature = "editor")]
enum Drawn {
    /// Cell `.1` of queue `.0`'s bar.
    QueueCell(String, usize),
    /// The record at offset `.2` of partition `.1` of stream `.0`.
    Record(String, u32, u64),
    /// A dot in flight, carrying this message.
    Dot(brokerlab::MessageId),
}

/// What a click on a message drawn on the canvas (a queue's cell, a log cell, a dot) does:
/// opens the story of the message there at that moment, and does not select the node around
/// it. The viewer build (embeds) keeps no stories: its messages do nothing.
#[cfg(feature = "editor")]
fn why_on_click(app: &AppHandle, drawn: Drawn) -> Callback<MouseEvent> {
    let app = app.clone();
    Callback::from(move |e: MouseEvent| {
        e.stop_propagation();
        let message = match &drawn {
            Drawn::QueueCell(queue, i) => app.queue_message(queue, *i),
            Drawn::Record(stream, p, o) => app.record_message(stream, *p, *o),
            Drawn::Dot(m) => Some(*m),
        };
        if let Some(m) = message {
            app.dispatch(Action::ShowStory(Some(m)));
        }
    })
}
