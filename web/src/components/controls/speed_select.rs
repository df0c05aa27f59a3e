//! The playback speed, 0.1× to 100×.

use yew::prelude::*;

use crate::number::{num, parse_decimal};
use crate::state::{Action, SPEEDS, use_app};

/// A labelled select of speeds.
#[component]
pub fn SpeedSelect() -> Html {
    let app = use_app();
    let onchange = {
        let app = app.clone();
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            if let Some(speed) = parse_decimal(&select.value()) {
                app.dispatch(Action::SetSpeed(speed));
            }
        })
    };
    html! {
        <label class="field">{ "Speed " }
            <select id="speed" {onchange}>
                { for SPEEDS.iter().map(|s| html! {
                    <option value={num(*s)} selected={(*s - app.speed).abs() < 1e-9}>
                        { format!("{}\u{d7}", num(*s)) }
                    </option>
                }) }
            </select>
        </label>
    }
}
