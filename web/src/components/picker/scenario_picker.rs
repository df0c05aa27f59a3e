//! The row of scenario buttons: A–F, the side-by-side comparisons (five patterns and six),
//! the changelog and the rebalancing protocols.

use yew::prelude::*;

use crate::state::{Action, guides, use_app};

/// One button per ready-made scenario; the loaded one is pressed.
#[component]
pub fn ScenarioPicker() -> Html {
    let app = use_app();
    html! {
        <nav class="picker" aria-label="Scenarios">
            { for guides().iter().map(|g| {
                let pressed = app.scenario_id == g.id;
                let onclick = {
                    let app = app.clone();
                    let id = g.id.to_owned();
                    Callback::from(move |_| app.dispatch(Action::Load(id.clone())))
                };
                html! {
                    <button type="button" class={classes!("scenario", pressed.then_some("active"))}
                        data-scenario={g.id} aria-pressed={pressed.to_string()} {onclick}>
                        { g.label }
                    </button>
                }
            }) }
        </nav>
    }
}
