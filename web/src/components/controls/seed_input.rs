//! The seed every random choice of the run comes from; changing it resets the run.

use yew::prelude::*;

use crate::state::{Action, use_app};

/// A labelled number input; a new value applies on change (Enter or leaving the field).
#[component]
pub fn SeedInput() -> Html {
    let app = use_app();
    let onchange = {
        let app = app.clone();
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            if let Ok(seed) = input.value().trim().parse::<u64>() {
                app.dispatch(Action::SetSeed(seed));
            }
        })
    };
    html! {
        <label class="field">{ "Seed " }
            <input id="seed" type="number" min="0" inputmode="numeric"
                value={app.seed.to_string()} {onchange} />
        </label>
    }
}
