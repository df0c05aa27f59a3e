// The counterexample search's worker: loads the search module (`pkg-worker/`, the engine and
// the search without the UI) and runs one chunk of the search per message, so the page never
// waits on it and never downloads the search itself. The page sends
// { scenario, guarantee, from, runs } and gets back the chunk's result as JSON text.
import init, { search_chunk } from "./pkg-worker/brokerlab_search_worker.js";

const ready = init({ module_or_path: new URL("./pkg-worker/brokerlab_search_worker_bg.wasm", import.meta.url) });

self.onmessage = async (event) => {
  const { scenario, guarantee, from, runs } = event.data;
  try {
    await ready;
    self.postMessage(search_chunk(scenario, guarantee, from, runs));
  } catch (error) {
    self.postMessage(JSON.stringify({ error: String(error) }));
  }
};
