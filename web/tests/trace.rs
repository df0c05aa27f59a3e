//! The ready-made scenarios give the same trace hash in WebAssembly (headless Chromium) as
//! natively: the hashes in `core/scenarios/trace-hashes.txt` are checked natively by
//! `core/tests/simulation.rs` and here.
#![cfg(target_arch = "wasm32")]

use brokerlab::sim::{Simulation, ready};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const TRACE_HASHES: &str = include_str!("../../core/scenarios/trace-hashes.txt");

#[wasm_bindgen_test]
fn every_ready_made_scenario_hashes_as_natively() {
    let mut checked = 0;
    for line in TRACE_HASHES.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let (id, hex) = line.split_once(' ').expect("`id 0xhash`");
        let expected = u64::from_str_radix(hex.trim().trim_start_matches("0x"), 16).expect("hex");
        let scenario = ready::load(id).unwrap_or_else(|| panic!("no ready-made scenario {id}"));
        let mut sim = Simulation::new(&scenario).expect("a ready-made scenario is valid");
        sim.run_to_end();
        assert_eq!(sim.trace_hash(), Some(expected), "scenario {id} in wasm");
        checked += 1;
    }
    assert_eq!(checked, ready::all().len());
}

#[wasm_bindgen_test]
fn the_bench_workload_is_deterministic_in_wasm() {
    let first = ready::bench_scenario_e(5_000, true);
    let second = ready::bench_scenario_e(5_000, true);
    assert_eq!(first, second);
    assert!(
        first.0 >= 4_000,
        "about 5,000 messages simulated, got {}",
        first.0
    );
}
