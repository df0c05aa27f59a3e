//! The counterexample search as a WebAssembly module of its own, for the playground's Web
//! Worker (`www/search-worker.js`). The page never loads it; the worker does, on the first
//! search, so the search costs the page's first frame nothing.
//!
//! One call runs one chunk of runs ([`brokerlab::sim::check::search::search`]); the worker
//! answers each message with one chunk, and the page sends the next or stops.

use brokerlab::sim::Scenario;
use brokerlab::sim::check::{Guarantee, search};
use wasm_bindgen::prelude::wasm_bindgen;

/// The most runs one call does (a chunk longer than this is cut to it).
pub const MAX_CHUNK_RUNS: u32 = 1_000;

/// Runs `first_run .. first_run + runs` of a search of the scenario (JSON) for a guarantee
/// (its id: `no_loss`, `no_duplicate`, `key_order`, `partitions_owned`). Returns the
/// [`Chunk`](search::Chunk) as JSON, or `{"error": "…"}` for a scenario or guarantee it
/// cannot read.
#[wasm_bindgen]
#[must_use]
pub fn search_chunk(scenario_json: &str, guarantee: &str, first_run: u32, runs: u32) -> String {
    let error = |e: String| serde_json::json!({ "error": e }).to_string();
    let scenario = match Scenario::from_json(scenario_json) {
        Ok(s) => s,
        Err(e) => return error(format!("not a scenario: {e}")),
    };
    let Some(guarantee) = Guarantee::from_id(guarantee) else {
        return error(format!("unknown guarantee {guarantee:?}"));
    };
    let chunk = search::search(&scenario, guarantee, first_run, runs.min(MAX_CHUNK_RUNS));
    serde_json::to_string(&chunk).unwrap_or_else(|e| error(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use brokerlab::sim::check::search::Chunk;

    fn a_with_auto_ack() -> String {
        let mut a = brokerlab::sim::ready::load("a").expect("scenario a");
        for c in &mut a.consumers {
            c.ack = brokerlab::sim::AckSpec::Auto;
        }
        a.to_json()
    }

    #[test]
    fn a_chunk_comes_back_as_json_the_page_reads() {
        let json = search_chunk(&a_with_auto_ack(), "no_loss", 0, 5);
        let chunk: Chunk = serde_json::from_str(&json).expect("a chunk");
        assert_eq!(chunk.runs, 5);
        let found = chunk.found.expect("auto-ack loses a message");
        assert!(found.violation.what.contains("auto-ack"));
    }

    #[test]
    fn bad_input_is_an_error_in_words() {
        let bad = search_chunk("{", "no_loss", 0, 1);
        assert!(bad.starts_with(r#"{"error":"not a scenario"#), "{bad}");
        let unknown = search_chunk(&a_with_auto_ack(), "no_panic", 0, 1);
        assert_eq!(unknown, r#"{"error":"unknown guarantee \"no_panic\""}"#);
    }
}
