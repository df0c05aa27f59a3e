//! The Brokerlab playground, a Yew app compiled to WebAssembly.
//!
//! The app runs a [`brokerlab::sim::Simulation`] in the browser. Everything but rendering is
//! plain Rust that tests natively:
//!
//! - [`state`]: the one reducer ([`state::AppState`], [`state::Action`]) that owns the
//!   simulation and derives the view model;
//! - [`components`]: the page by area (picker, controls, canvas, inspector, groups);
//! - [`interop`]: the scenario exported as RabbitMQ definitions, a Kafka script or AWS CLI
//!   commands, and RabbitMQ definitions imported as a scenario;
//! - [`app`]: the root component: provides the state, drives animation frames.
//!
//! [`start`] is the entry point that `www/index.html` calls after loading the module.

pub mod app;
pub mod components;
#[cfg(feature = "editor")]
pub mod interop;
pub mod number;
pub mod persist;
pub mod share;
pub mod state;

use wasm_bindgen::prelude::wasm_bindgen;

/// Mounts the playground on the `#app` element of the page (or on `<body>` when there is
/// none). The page calls it once after instantiating the module; it is not a wasm start
/// function, so tests that link this crate mount only what they choose.
#[wasm_bindgen]
pub fn start() {
    let root = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.get_element_by_id("app"));
    match root {
        Some(element) => yew::Renderer::<app::App>::with_root(element).render(),
        None => yew::Renderer::<app::App>::new().render(),
    };
}

/// Runs the simulation benchmark workload ([`brokerlab::sim::ready::bench_scenario_e`]):
/// scenario E with about `messages` records produced, no rendering. Returns the number of
/// simulated messages; the caller (`www/bench.html`) times the call. With `trace` the run
/// also computes the trace hash, as the playground does.
#[wasm_bindgen]
pub fn bench_simulation(messages: u32, trace: bool) -> f64 {
    let (simulated, _hash) = brokerlab::sim::ready::bench_scenario_e(u64::from(messages), trace);
    simulated as f64
}
