//! The loaded scenario's guided tour: the step showing now (what to look at, with the
//! entities it names highlighted on the drawing), Back and Next, whether playing pauses at
//! each step, and on the last step two things to try.

use yew::prelude::*;

use crate::state::{Action, use_app};

fn seconds(ms: u64) -> String {
    format!("{}.{} s", ms / 1000, ms % 1000 / 100)
}

/// The guide of the loaded ready-made scenario (nothing for a scenario of the user's).
#[component]
pub fn ScenarioGuide() -> Html {
    let app = use_app();
    let Some((g, i)) = app.guide_step() else {
        return html! {
            <section class="guide" aria-label="About this scenario">
                <p class="purpose">{ "Your own topology. Play it, or open Build to change it." }</p>
            </section>
        };
    };
    let step = g.steps[i];
    let send = |action: Action| {
        let app = app.clone();
        Callback::from(move |_: MouseEvent| app.dispatch(action.clone()))
    };
    let back = (i > 0).then(|| send(Action::RunTo(g.steps[i - 1].at_ms)));
    // Next plays on to the next step's moment (where the run pauses); with pausing off, or
    // while playing, it goes straight there.
    let next = g.steps.get(i + 1).map(|n| {
        let action = if app.guided && !app.playing && app.now_ms() < n.at_ms {
            Action::Play
        } else {
            Action::RunTo(n.at_ms)
        };
        (n.at_ms, send(action))
    });
    let guided = {
        let app = app.clone();
        let on = !app.guided;
        Callback::from(move |_: Event| app.dispatch(Action::SetGuided(on)))
    };
    let last = i + 1 == g.steps.len();
    html! {
        <section class="guide" aria-label="About this scenario" data-step={i.to_string()}>
            if i == 0 {
                <p class="purpose">{ g.purpose }</p>
            }
            <p class="step-count">
                { format!("Step {} of {} \u{b7} at {}", i + 1, g.steps.len(), seconds(step.at_ms)) }
            </p>
            <p class="say" aria-live="polite">{ step.say }</p>
            <div class="guide-nav">
                <button type="button" id="guide-back" disabled={back.is_none()} onclick={back}>{ "Back" }</button>
                if let Some((at, onclick)) = next {
                    <button type="button" id="guide-next" class="primary" {onclick}>
                        { format!("Next: {}", seconds(at)) }
                    </button>
                }
            </div>
            if last {
                <p class="try-title">{ "Try this:" }</p>
                <ul class="try">
                    { for g.try_this.iter().map(|t| html! { <li>{ *t }</li> }) }
                </ul>
                if !g.counterexample.is_empty() {
                    <p class="try-counterexample"><a href="#counterexample">{ g.counterexample }</a></p>
                }
            }
            <label class="field guided">
                <input type="checkbox" id="guide-pause" checked={app.guided} onchange={guided} />
                { "Guided: pause and highlight at each step" }
            </label>
        </section>
    }
}
