// Runs www/bench.html in headless Chromium against the served site and prints the median
// simulated messages per second of scenario E in WebAssembly, trace on and off, as lines
// `cargo xtask bench` reads: `BENCH wasm-trace-on|off <messages per second>`.
import { launch, open } from "../e2e/browser.mjs";

const browser = await launch();
try {
  const page = await open(browser, "bench.html");
  const handle = await page.waitForFunction(() => window.benchResult, null, { timeout: 300_000 });
  const result = await handle.jsonValue();
  if (page.errors.length > 0) throw new Error(`console errors: ${page.errors.join("; ")}`);
  for (const [mode, r] of [["on", result.on], ["off", result.off]]) {
    console.log(`scenario E in wasm, ${r.simulated} messages, trace ${mode}: ${(r.messagesPerSecond / 1e6).toFixed(2)} M simulated msgs/s`);
    console.log(`BENCH wasm-trace-${mode} ${r.messagesPerSecond}`);
  }
} finally {
  await browser.close();
}
