//! Jump to a moment: runs the simulation (paused) to a logical time in milliseconds.

use yew::prelude::*;

use crate::state::{Action, use_app};

/// A labelled time input and a button.
#[component]
pub fn RunToForm() -> Html {
    let app = use_app();
    let input = use_node_ref();
    let onsubmit = {
        let app = app.clone();
        let input = input.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Some(el) = input.cast::<web_sys::HtmlInputElement>()
                && let Ok(t) = el.value().trim().parse::<u64>()
            {
                app.dispatch(Action::RunTo(t));
            }
        })
    };
    html! {
        <form class="field run-to" {onsubmit}>
            <label for="run-to">{ "Run to (ms)" }</label>
            <input id="run-to" ref={input} type="number" min="0" step="100" inputmode="numeric"
                max={app.view.end_ms.to_string()} placeholder={app.view.end_ms.to_string()} />
            <button type="submit" id="run-to-go">{ "Go" }</button>
        </form>
    }
}
