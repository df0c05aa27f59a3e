//! A sample of swarm seeds (`brokerlab::sim::swarm`) gives the same trace hash in WebAssembly
//! (headless Chromium) as natively: the hashes in `core/scenarios/swarm-trace-hashes.txt` are
//! checked natively by `core/tests/swarm.rs` and here. The auditor runs here too, on the
//! first seeds of the sample: the generator, the fault schedule and the invariant checks are
//! what the playground reuses in a Web Worker.
#![cfg(target_arch = "wasm32")]

use brokerlab::sim::swarm::{Profile, generate, run_memory, run_plain};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const TRACE_HASHES: &str = include_str!("../../core/scenarios/swarm-trace-hashes.txt");

#[wasm_bindgen_test]
fn swarm_seeds_hash_as_natively_and_keep_their_invariants() {
    let profile = Profile::default();
    let mut checked = 0;
    for line in TRACE_HASHES.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let (seed, hex) = line.split_once(' ').expect("`seed 0xhash`");
        let seed: u64 = seed.parse().expect("a seed");
        let expected = u64::from_str_radix(hex.trim().trim_start_matches("0x"), 16).expect("hex");
        let scenario = generate(seed, &profile);
        assert_eq!(run_plain(&scenario), Some(expected), "seed {seed} in wasm");
        if checked < 8 {
            let report = run_memory(&scenario);
            assert_eq!(report.violation, None, "seed {seed} in wasm");
            assert_eq!(
                report.trace_hash,
                Some(expected),
                "seed {seed} audited in wasm"
            );
        }
        checked += 1;
    }
    assert_eq!(checked, 40);
}
