//! The timeline under the drawing: a scrubber over the whole run, with the moments that
//! matter marked (crashes and restarts, joins and leaves, rebalances, dead-letterings,
//! retention and compaction, the guide's steps). Dragging or clicking moves the run there,
//! back or forth; ←/→ step one event back or forth, Shift+←/→ one second.

use yew::prelude::*;

use crate::state::{Action, guide, use_app};

/// Where the run forked, when it did.
#[cfg(feature = "editor")]
fn fork_at(app: &crate::state::AppHandle) -> Option<u64> {
    app.fork.as_ref().map(|f| f.at_ms)
}

/// The viewer build shows no forks.
#[cfg(not(feature = "editor"))]
fn fork_at(_app: &crate::state::AppHandle) -> Option<u64> {
    None
}

/// The scrubber and its marks.
#[component]
pub fn TimelineScrubber() -> Html {
    let app = use_app();
    let end = app.view.end_ms.max(1);
    let now = app.view.now_ms;
    let oninput = {
        let app = app.clone();
        Callback::from(move |e: InputEvent| {
            let el: web_sys::HtmlInputElement = e.target_unchecked_into();
            if let Ok(t) = el.value().parse::<u64>() {
                app.dispatch(Action::RunTo(t));
            }
        })
    };
    let onkeydown = {
        let app = app.clone();
        Callback::from(move |e: KeyboardEvent| {
            let action = match (e.key().as_str(), e.shift_key()) {
                ("ArrowRight", false) => Action::StepEvent,
                ("ArrowLeft", false) => Action::StepBackEvent,
                ("ArrowRight", true) => Action::RunTo(now.saturating_add(1_000)),
                ("ArrowLeft", true) => Action::RunTo(now.saturating_sub(1_000)),
                _ => return,
            };
            e.prevent_default();
            app.dispatch(action);
        })
    };
    let left = |at: u64| format!("left: {:.3}%", at.min(end) as f64 * 100.0 / end as f64);
    let steps = guide(&app.scenario_id).map(|g| g.steps).unwrap_or_default();
    html! {
        <div class="timeline">
            <input type="range" id="timeline" min="0" max={end.to_string()} step="10"
                value={now.to_string()} aria-label="Timeline"
                aria-valuetext={format!("{:.2} s", now as f64 / 1000.0)}
                title="Drag to any moment; \u{2190}/\u{2192} one event, Shift+\u{2190}/\u{2192} one second"
                {oninput} {onkeydown} />
            <div class="timeline-marks" aria-hidden="true">
                { for app.marks.iter().map(|m| html! {
                    <span class={classes!("mark", m.kind)} style={left(m.at_ms)} data-at={m.at_ms.to_string()}
                        title={format!("{} ms: {}", m.at_ms, m.text)}></span>
                }) }
                { for steps.iter().filter(|s| s.at_ms > 0).map(|s| html! {
                    <span class="mark guide-step" style={left(s.at_ms)} data-at={s.at_ms.to_string()}
                        title={format!("{} ms: guide: {}", s.at_ms, s.say)}></span>
                }) }
                { for fork_at(&app).map(|at| html! {
                    <span class="mark fork-point" style={left(at)} data-at={at.to_string()}
                        title={format!("{at} ms: the two futures part here")}></span>
                }) }
            </div>
        </div>
    }
}
