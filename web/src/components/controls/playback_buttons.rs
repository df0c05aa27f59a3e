//! Play/pause, step one event, step 100 ms, reset, and the clock.

use yew::prelude::*;

use crate::state::{Action, use_app};

fn seconds(ms: u64) -> String {
    format!("{}.{:02} s", ms / 1000, ms % 1000 / 10)
}

/// The transport buttons and the logical clock.
#[component]
pub fn PlaybackButtons() -> Html {
    let app = use_app();
    let send = |action: Action| {
        let app = app.clone();
        Callback::from(move |_: MouseEvent| app.dispatch(action.clone()))
    };
    let (label, toggle) = if app.playing {
        ("Pause", Action::Pause)
    } else {
        ("Play", Action::Play)
    };
    let view = &app.view;
    html! {
        <div class="playback" role="group" aria-label="Playback">
            <button type="button" id="play" class="primary" aria-pressed={app.playing.to_string()}
                onclick={send(toggle)}>{ label }</button>
            <button type="button" id="step-event" onclick={send(Action::StepEvent)}
                title="Advance to the next moment anything happens">{ "Step one event" }</button>
            <button type="button" id="step-100" onclick={send(Action::Step100ms)}>{ "Step 100 ms" }</button>
            <button type="button" id="reset" onclick={send(Action::Reset)}>{ "Reset" }</button>
            <output id="clock" aria-live="off" data-now-ms={view.now_ms.to_string()}
                data-published={view.totals.published.to_string()}>
                { format!("{} / {}", seconds(view.now_ms), seconds(view.end_ms)) }
            </output>
        </div>
    }
}
