//! The root component: creates the state (from a shared link in the fragment, the URL query
//! such as `?s=c&t=5000`, or the autosave: see [`persist`]), shares it through a context,
//! writes it back to the address and the autosave while paused, and while playing turns
//! animation frames into
//! [`Action::Tick`]s: one frame is requested per render, so time advances only as fast as
//! the page draws.

use std::rc::Rc;

use gloo::render::{AnimationFrame, request_animation_frame};
use yew::prelude::*;

use crate::components::actions::PublishForm;
use crate::components::build::{ConnectForm, Palette};
use crate::components::canvas::TopologyCanvas;
use crate::components::controls::{PlaybackButtons, RunToForm, SeedInput, SpeedSelect};
use crate::components::export::ExportPanel;
use crate::components::groups::AssignmentTables;
use crate::components::inspector::{EntityDetails, EventLog, MetricChart};
use crate::components::picker::{ScenarioGuide, ScenarioPicker};
use crate::components::share::ShareBar;
use crate::persist;
use crate::state::{Action, AppHandle, use_app};

/// Properties of [`Embedded`].
#[derive(Properties, PartialEq)]
struct EmbeddedProps {
    title: String,
    controls: bool,
    height: Option<u32>,
}

/// The page inside an iframe: title, playback controls (unless hidden), the drawing and a
/// link that opens the same moment in a new tab (an embedded page never navigates its parent).
#[component]
fn Embedded(props: &EmbeddedProps) -> Html {
    let app = use_app();
    let href = persist::link_without_embed(&app);
    let style = props
        .height
        .map(|h| format!("height: {h}px; overflow: auto;"));
    html! {
        <main class="playground embedded" data-scenario={app.scenario_id.clone()}>
            <header class="embed-head">
                <strong>{ props.title.clone() }</strong>
                <a href={href} target="_blank" rel="noopener">{ "Open in Brokerlab \u{2197}" }</a>
            </header>
            if props.controls {
                <section class="controls" aria-label="Controls">
                    <PlaybackButtons />
                    <SpeedSelect />
                </section>
            }
            if let Some(n) = &app.notice {
                <p class="notice" id="notice" role="alert">{ n.clone() }</p>
            }
            <section class="canvas-area" aria-label="Topology" style={style}>
                <TopologyCanvas />
            </section>
        </main>
    }
}

/// The root component of the playground.
#[component]
pub fn App() -> Html {
    let query = use_memo((), |()| persist::query());
    let app = {
        let query = Rc::clone(&query);
        use_reducer(move || persist::initial(&query))
    };
    {
        // While paused, the address (and, unless embedded, the autosave) follow every change.
        let playing = app.playing;
        let embedded = query.embed;
        use_effect_with(app.clone(), move |app| {
            if !playing {
                persist::remember(app, !embedded);
            }
        });
    }
    let last_frame = use_mut_ref(|| None::<f64>);
    let frame = use_mut_ref(|| None::<AnimationFrame>);
    {
        let dispatcher = app.dispatcher();
        let last_frame = Rc::clone(&last_frame);
        let frame = Rc::clone(&frame);
        let playing = app.playing;
        use_effect_with(app.clone(), move |_| {
            if playing {
                let last = Rc::clone(&last_frame);
                *frame.borrow_mut() = Some(request_animation_frame(move |ts| {
                    let prev = last.borrow_mut().replace(ts);
                    dispatcher.dispatch(Action::Tick {
                        elapsed_ms: prev.map_or(0.0, |p| ts - p),
                    });
                }));
            } else {
                last_frame.borrow_mut().take();
                frame.borrow_mut().take();
            }
        });
    }
    let title = app.scenario.title.clone();
    if query.embed {
        return html! {
            <ContextProvider<AppHandle> context={app.clone()}>
                <Embedded title={title} controls={!query.hide_controls} height={query.height} />
            </ContextProvider<AppHandle>>
        };
    }
    html! {
        <ContextProvider<AppHandle> context={app.clone()}>
            <main class="playground" data-scenario={app.scenario_id.clone()}>
                <header class="top">
                    <h1>{ "Brokerlab" }</h1>
                    <p class="tagline">{ "Messaging patterns on a real broker, running in your browser." }</p>
                    <a class="docs-link" href="patterns.html">{ "The five patterns, explained" }</a>
                </header>
                <ScenarioPicker />
                <h2 class="scenario-title">{ title }</h2>
                <ScenarioGuide />
                <section class="controls" aria-label="Controls">
                    <PlaybackButtons />
                    <SpeedSelect />
                    <SeedInput />
                    <RunToForm />
                </section>
                <ShareBar />
                <Palette />
                <ConnectForm />
                <ExportPanel />
                if let Some(n) = &app.notice {
                    <p class="notice" id="notice" role="alert">{ n.clone() }</p>
                }
                <div class="workspace">
                    <section class="canvas-area" aria-label="Topology">
                        <TopologyCanvas />
                    </section>
                    <aside class="side">
                        <EntityDetails />
                        <PublishForm />
                        <MetricChart />
                    </aside>
                </div>
                <AssignmentTables />
                <EventLog />
            </main>
        </ContextProvider<AppHandle>>
    }
}
