//! "Find a counterexample": pick a guarantee and the playground searches runs of the open
//! topology (other seeds, random crashes, joins, leaves, rate changes) in a Web Worker
//! (`www/search-worker.js`, one chunk of runs per message), showing progress; it can be
//! stopped. A violation opens the run that broke the guarantee soonest, paused at that
//! moment with the entities involved highlighted and a sentence saying what happened.

use std::cell::RefCell;
use std::rc::Rc;

use brokerlab::sim::check::Guarantee;
use brokerlab::sim::check::search::Chunk;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use yew::prelude::*;

use crate::state::{Action, AppHandle, use_app};

/// Runs per message to the worker: small enough that progress moves often and a stop is
/// quick, large enough that messaging costs little.
const CHUNK_RUNS: u32 = 20;

/// Where the search is.
#[derive(Debug, Clone, PartialEq)]
enum Status {
    Idle,
    Running { done: u32, total: u32 },
    Found { runs: u32 },
    NoneFound { runs: u32 },
    Failed(String),
}

/// The worker and its message handler, kept while a search runs.
struct Search {
    worker: web_sys::Worker,
    _onmessage: Closure<dyn FnMut(web_sys::MessageEvent)>,
}

impl Drop for Search {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

/// The search panel.
#[component]
pub fn CounterexampleSearch() -> Html {
    let app = use_app();
    let guarantee = use_state(|| Guarantee::NoLoss);
    let runs = use_state(|| 1_000_u32);
    let status = use_state(|| Status::Idle);
    let search: Rc<RefCell<Option<Search>>> = use_mut_ref(|| None);

    let on_guarantee = {
        let guarantee = guarantee.clone();
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            if let Some(g) = Guarantee::from_id(&select.value()) {
                guarantee.set(g);
            }
        })
    };
    let on_runs = {
        let runs = runs.clone();
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            if let Ok(n) = select.value().parse::<u32>() {
                runs.set(n);
            }
        })
    };
    let start = {
        let (app, status, search) = (app.clone(), status.clone(), search.clone());
        let (guarantee, runs) = (*guarantee, *runs);
        Callback::from(move |_: MouseEvent| {
            *search.borrow_mut() = None;
            match start_search(&app, guarantee, runs, &status, &search) {
                Ok(s) => *search.borrow_mut() = Some(s),
                Err(why) => status.set(Status::Failed(why)),
            }
        })
    };
    let stop = {
        let (status, search) = (status.clone(), search.clone());
        Callback::from(move |_: MouseEvent| {
            *search.borrow_mut() = None;
            if let Status::Running { done, .. } = *status {
                status.set(Status::NoneFound { runs: done });
            }
        })
    };
    let running = matches!(*status, Status::Running { .. });
    let options = Guarantee::ALL.iter().map(|g| {
        html! { <option value={g.id()} selected={*g == *guarantee}>{ g.label() }</option> }
    });
    let run_options = [100_u32, 1_000, 5_000].into_iter().map(|n| {
        html! { <option value={n.to_string()} selected={n == *runs}>{ format!("{n} runs") }</option> }
    });
    html! {
        <section class="counterexample" id="counterexample" aria-labelledby="counterexample-title">
            <h3 id="counterexample-title">{ "Find a counterexample" }</h3>
            <p class="hint">{ "Can this topology break a promise? Search runs with other seeds and random crashes, restarts and leaves." }</p>
            <div class="row">
                <label class="field">{ "Guarantee " }
                    <select id="guarantee" onchange={on_guarantee} disabled={running}>{ for options }</select>
                </label>
                <label class="field">{ "Search " }
                    <select id="search-runs" onchange={on_runs} disabled={running}>{ for run_options }</select>
                </label>
                if running {
                    <button type="button" id="search-stop" onclick={stop}>{ "Stop" }</button>
                } else {
                    <button type="button" id="search-start" onclick={start}>{ "Search" }</button>
                }
            </div>
            { status_line(&status) }
        </section>
    }
}

/// The counterexample on show, above the drawing: the guarantee, when it broke, what
/// happened, and a button that puts the highlights away.
#[component]
pub fn CounterexampleBanner() -> Html {
    let app = use_app();
    let Some(v) = &app.counterexample else {
        return html! {};
    };
    let close = {
        let app = app.clone();
        Callback::from(move |_: MouseEvent| app.dispatch(Action::CloseCounterexample))
    };
    html! {
        <div class="counterexample-found" id="counterexample-found" role="status"
            data-at-ms={v.at.as_millis().to_string()}>
            <p><strong>{ format!("{}: broken at {} s. ", v.guarantee.label(), crate::number::num(v.at.as_millis() as f64 / 1000.0)) }</strong>{ v.what.clone() }</p>
            <button type="button" id="counterexample-close" onclick={close}>{ "Done" }</button>
        </div>
    }
}

fn status_line(status: &Status) -> Html {
    match status {
        Status::Idle => html! {},
        Status::Running { done, total } => html! {
            <p class="search-progress" id="search-progress" role="status">
                <progress max={total.to_string()} value={done.to_string()}></progress>
                { format!(" {done} / {total} runs") }
            </p>
        },
        Status::Found { runs } => html! {
            <p class="search-progress" id="search-progress" role="status">
                { format!("Counterexample found after {runs} runs: the run is open, paused where the guarantee breaks.") }
            </p>
        },
        Status::NoneFound { runs } => html! {
            <p class="search-progress" id="search-progress" role="status">
                { format!("No counterexample in {runs} runs (not a proof: a longer search may still find one).") }
            </p>
        },
        Status::Failed(why) => html! {
            <p class="search-progress" id="search-progress" role="alert">{ format!("The search could not run: {why}") }</p>
        },
    }
}

/// Ends the worker of a finished search. The search itself (and the handler running this)
/// stays in its slot until the next search or until the panel goes.
fn finish(slot: &Rc<RefCell<Option<Search>>>) {
    if let Some(s) = slot.borrow().as_ref() {
        s.worker.terminate();
    }
}

/// Starts a worker on the open topology and feeds it chunks until a chunk finds a
/// violation or `total` runs are done.
fn start_search(
    app: &AppHandle,
    guarantee: Guarantee,
    total: u32,
    status: &UseStateHandle<Status>,
    slot: &Rc<RefCell<Option<Search>>>,
) -> Result<Search, String> {
    let mut scenario = (*app.scenario).clone();
    scenario.seed = app.seed;
    let json = scenario.to_json();
    let options = web_sys::WorkerOptions::new();
    options.set_type(web_sys::WorkerType::Module);
    let worker = web_sys::Worker::new_with_options("search-worker.js", &options)
        .map_err(|e| format!("{e:?}"))?;
    let send = {
        let worker = worker.clone();
        let json = json.clone();
        move |from: u32| {
            let msg = js_sys::Object::new();
            let set = |k: &str, v: wasm_bindgen::JsValue| {
                let _ = js_sys::Reflect::set(&msg, &k.into(), &v);
            };
            set("scenario", json.as_str().into());
            set("guarantee", guarantee.id().into());
            set("from", from.into());
            set("runs", CHUNK_RUNS.min(total - from).into());
            let _ = worker.post_message(&msg);
        }
    };
    let done = Rc::new(RefCell::new(0_u32));
    let onmessage = {
        let (app, status, slot, send) = (app.clone(), status.clone(), slot.clone(), send.clone());
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            let text = e.data().as_string().unwrap_or_default();
            let chunk: Chunk = match serde_json::from_str(&text) {
                Ok(c) => c,
                Err(_) => {
                    let why = serde_json::from_str::<serde_json::Value>(&text)
                        .ok()
                        .and_then(|v| v.get("error")?.as_str().map(String::from))
                        .unwrap_or(text);
                    status.set(Status::Failed(why));
                    finish(&slot);
                    return;
                }
            };
            let mut d = done.borrow_mut();
            *d += chunk.runs;
            if let Some(found) = chunk.found {
                status.set(Status::Found { runs: *d });
                app.dispatch(Action::OpenCounterexample(Rc::new(found)));
                finish(&slot);
            } else if *d >= total {
                status.set(Status::NoneFound { runs: *d });
                finish(&slot);
            } else {
                status.set(Status::Running { done: *d, total });
                send(*d);
            }
        })
    };
    worker.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    status.set(Status::Running { done: 0, total });
    send(0);
    Ok(Search {
        worker,
        _onmessage: onmessage,
    })
}
