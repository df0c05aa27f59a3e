//! What a user can do to the running simulation besides playback: act on the selected
//! consumer, group or producer, and publish a message by hand.

mod consumer_actions;
mod publish_form;
mod rate_form;
mod seek_form;

pub use consumer_actions::ConsumerActions;
pub use publish_form::PublishForm;
pub use rate_form::RateForm;
pub use seek_form::SeekForm;

use yew::prelude::*;

use crate::state::{Action, AppHandle};

/// A click handler that dispatches `action`.
fn on_click(app: &AppHandle, action: Action) -> Callback<MouseEvent> {
    let app = app.clone();
    Callback::from(move |_: MouseEvent| app.dispatch(action.clone()))
}

/// The value of the input or select behind `node` (empty when it is not mounted).
pub(crate) fn value_of(node: &NodeRef) -> String {
    if let Some(input) = node.cast::<web_sys::HtmlInputElement>() {
        return input.value();
    }
    node.cast::<web_sys::HtmlSelectElement>()
        .map(|s| s.value())
        .unwrap_or_default()
}
