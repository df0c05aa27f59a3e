//! The loaded scenario's introduction: what the pattern is for, what to watch, two things
//! to try.

use yew::prelude::*;

use crate::state::{guide, use_app};

/// The introduction of the loaded scenario.
#[component]
pub fn ScenarioGuide() -> Html {
    let app = use_app();
    let Some(g) = guide(&app.scenario_id) else {
        return html! {};
    };
    html! {
        <section class="guide" aria-label="About this scenario">
            <p class="purpose">{ g.purpose }</p>
            <p class="watch"><strong>{ "Watch: " }</strong>{ g.watch }</p>
            <ul class="try">
                { for g.try_this.iter().map(|t| html! { <li>{ *t }</li> }) }
            </ul>
        </section>
    }
}
