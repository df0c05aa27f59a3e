//! The root component: creates the state (from a shared link in the fragment, the URL query
//! such as `?s=c&t=5000`, or the autosave: see [`persist`]), shares it through a context,
//! writes it back to the address and the autosave while paused, and while playing turns
//! animation frames into
//! [`Action::Tick`]s: one frame is requested per render, so time advances only as fast as
//! the page draws, and only while the page is on screen (an IntersectionObserver against the
//! top-level viewport, so an embed scrolled out of its host page stops, and the document's
//! visibility).
//!
//! The page is laid out for watching first: the header (picker, the Build and Share toggles
//! that open the build tools and the share and export drawer), then the stage (the drawing
//! sized to the first screen, the playback bar under it, the guide and the inspector beside
//! it, under it on narrow screens), then publishing, charts, group tables and the event log.
//! The SVG carries its natural size (`--w`, `--h`, `--aspect`) and the style sheet fits it to
//! its box between `--min-scale` and `--max-scale`, so text never shrinks below a readable
//! size (the box scrolls instead) and a small drawing grows. `?embed=1` renders only the
//! drawing and, unless `controls=0`, the playback buttons.

use std::rc::Rc;

use gloo::events::EventListener;
use gloo::render::{AnimationFrame, request_animation_frame};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use yew::prelude::*;

use crate::components::canvas::TopologyCanvas;
use crate::components::controls::{PlaybackButtons, SpeedSelect};
use crate::persist;
use crate::state::{Action, AppHandle, use_app};

/// Properties of [`Embedded`].
#[derive(Properties, PartialEq)]
struct EmbeddedProps {
    title: String,
    controls: bool,
}

/// The page inside an iframe: title, playback controls (unless hidden) and the drawing
/// filling the rest of the frame, and a link that opens the same moment in a new tab (an
/// embedded page never navigates its parent). A finished run that does not loop offers to
/// play again.
#[component]
fn Embedded(props: &EmbeddedProps) -> Html {
    let app = use_app();
    let href = persist::link_without_embed(&app);
    let replay = {
        let app = app.clone();
        Callback::from(move |_: MouseEvent| app.dispatch(Action::Play))
    };
    let ended = app.view.finished && !app.playing;
    html! {
        <main class="playground embedded" data-scenario={app.scenario_id.clone()}
            data-now-ms={app.now_ms().to_string()} data-playing={app.playing.to_string()}>
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
            <section class="canvas-area" aria-label="Topology">
                <TopologyCanvas />
                if ended {
                    <button type="button" class="replay primary" onclick={replay}>{ "Play again" }</button>
                }
            </section>
        </main>
    }
}

/// Whether the page is worth animating: its document is visible and its root is on screen
/// (IntersectionObserver against the top-level viewport, so an embed scrolled out of its
/// host page counts as off screen). Starts as visible.
#[hook]
fn use_on_screen(root: NodeRef) -> bool {
    let in_view = use_state_eq(|| true);
    let shown = use_state_eq(|| true);
    {
        let in_view = in_view.setter();
        use_effect_with(root, move |root| {
            let observer = root.cast::<web_sys::Element>().and_then(|element| {
                let callback =
                    Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
                        let last = entries.iter().last();
                        if let Some(entry) = last
                            .and_then(|e| e.dyn_into::<web_sys::IntersectionObserverEntry>().ok())
                        {
                            in_view.set(entry.is_intersecting());
                        }
                    });
                let observer =
                    web_sys::IntersectionObserver::new(callback.as_ref().unchecked_ref()).ok()?;
                observer.observe(&element);
                Some((observer, callback))
            });
            move || {
                if let Some((observer, _callback)) = observer {
                    observer.disconnect();
                }
            }
        });
    }
    {
        let shown = shown.setter();
        use_effect_with((), move |()| {
            let document = web_sys::window().and_then(|w| w.document());
            let listener = document.map(|document| {
                let target = document.clone();
                EventListener::new(&target, "visibilitychange", move |_| {
                    shown.set(document.visibility_state() == web_sys::VisibilityState::Visible);
                })
            });
            move || drop(listener)
        });
    }
    *in_view && *shown
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
    let root = use_node_ref();
    let on_screen = use_on_screen(root.clone());
    let share_open = use_state_eq(|| false);
    let last_frame = use_mut_ref(|| None::<f64>);
    let frame = use_mut_ref(|| None::<AnimationFrame>);
    {
        // Frames are requested only while playing and on screen: an embed scrolled away or a
        // hidden tab stops simulating, and resumes where it was (no jump: the first frame
        // back counts no elapsed time).
        let dispatcher = app.dispatcher();
        let last_frame = Rc::clone(&last_frame);
        let frame = Rc::clone(&frame);
        let playing = app.playing;
        use_effect_with((app.clone(), on_screen), move |_| {
            if playing && on_screen {
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
    if query.embed || cfg!(not(feature = "editor")) {
        return html! {
            <ContextProvider<AppHandle> context={app.clone()}>
                <div class="embed-root" ref={root}>
                    <Embedded title={title} controls={!query.hide_controls} />
                </div>
            </ContextProvider<AppHandle>>
        };
    }
    full_page(&app, root, &share_open)
}

/// The viewer build (embeds) has only the embedded page.
#[cfg(not(feature = "editor"))]
fn full_page(_app: &AppHandle, _root: NodeRef, _share_open: &UseStateHandle<bool>) -> Html {
    html! {}
}

/// The whole playground: header with the picker and the Build and Share toggles, the stage
/// (drawing, playback bar, guide and inspector), then publishing, charts, group tables and
/// the event log.
#[cfg(feature = "editor")]
fn full_page(app: &AppHandle, root: NodeRef, share_open: &UseStateHandle<bool>) -> Html {
    use crate::components::actions::PublishForm;
    use crate::components::build::{ConnectForm, Palette};
    use crate::components::check::{CounterexampleBanner, CounterexampleSearch};
    use crate::components::compare::ForkPanel;
    use crate::components::controls::{RunToForm, SeedInput, TimelineScrubber};
    use crate::components::export::ExportPanel;
    use crate::components::groups::AssignmentTables;
    use crate::components::inspector::{EntityDetails, EventLog, MetricChart, StoryPanel};
    use crate::components::picker::{ScenarioGuide, ScenarioPicker};
    use crate::components::share::ShareBar;

    let title = app.scenario.title.clone();
    let toggle_build = {
        let app = app.clone();
        let on = !app.building;
        Callback::from(move |_: MouseEvent| app.dispatch(Action::SetBuilding(on)))
    };
    let toggle_share = {
        let share_open = share_open.clone();
        Callback::from(move |_: MouseEvent| share_open.set(!*share_open))
    };
    html! {
        <ContextProvider<AppHandle> context={app.clone()}>
            <main class="playground" data-scenario={app.scenario_id.clone()} ref={root}>
                <header class="top">
                    <h1>{ "Brokerlab" }</h1>
                    <ScenarioPicker />
                    <div class="modes">
                        <button type="button" id="mode-build" aria-expanded={app.building.to_string()}
                            aria-controls="build-tools" onclick={toggle_build}>{ "Build" }</button>
                        <button type="button" id="mode-share" aria-expanded={share_open.to_string()}
                            aria-controls="share-tools" onclick={toggle_share}>{ "Share" }</button>
                        <a class="docs-link" href="patterns.html">{ "Patterns explained" }</a>
                    </div>
                </header>
                if app.building {
                    <section class="drawer" id="build-tools" aria-label="Build tools">
                        <Palette />
                        <ConnectForm />
                    </section>
                }
                if **share_open {
                    <section class="drawer" id="share-tools" aria-label="Share and export">
                        <ShareBar />
                        <ExportPanel />
                    </section>
                }
                if let Some(n) = &app.notice {
                    <p class="notice" id="notice" role="alert">{ n.clone() }</p>
                }
                <CounterexampleBanner />
                <div class="stage">
                    <section class="canvas-area" aria-label="Topology">
                        <TopologyCanvas />
                    </section>
                    <section class="controls playbar" aria-label="Controls">
                        <TimelineScrubber />
                        <PlaybackButtons />
                        <SpeedSelect />
                        <SeedInput />
                        <RunToForm />
                    </section>
                    <aside class="guide-panel" aria-label="Guide">
                        <h2 class="scenario-title">{ title }</h2>
                        <ScenarioGuide />
                        <StoryPanel />
                        <EntityDetails />
                        <CounterexampleSearch />
                    </aside>
                </div>
                <ForkPanel />
                <div class="workspace">
                    <div class="side">
                        <PublishForm />
                        <MetricChart />
                    </div>
                    <div class="tables">
                        <AssignmentTables />
                        <EventLog />
                    </div>
                </div>
            </main>
        </ContextProvider<AppHandle>>
    }
}
