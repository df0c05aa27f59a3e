// Seek time of the playground's timeline as a reader feels it: the comparison scenario
// stretched to 60 s with its producers publishing throughout (1× rates: 25 messages per
// second over the five patterns), opened from a link at 60 s (the run to the end takes the
// checkpoints), then 40 seeks to spread moments in a fixed shuffled order (the same walk as
// `cargo bench -p brokerlab --bench timeline`, rounded to the scrubber's 10 ms step), each
// timed in the page from the scrubber's `input` event to the first animation frame after the
// clock shows the new moment (the reducer's seek, Yew's render, and the frame that paints
// it). Then a fork: back at 30 s, `a.worker-2` crashed by hand, timed from the click to the
// frame after the comparison panel appears (the engine copied, the change applied, the first
// divergence found).
//
// Two profiles, in fresh pages: desktop (1280×800, no slowdown) and mobile CPU (412×823,
// CPU slowed 4× through `Emulation.setCPUThrottlingRate`, as the load bench's mobile profile).
// Prints lines `cargo xtask bench` reads:
//
//   SEEK <desktop|mobile> median_ms=<ms> p95_ms=<ms> max_ms=<ms> seeks=<n> open_ms=<ms>
//   FORK <desktop|mobile> ms=<ms> divergence_ms=<logical ms>
//
// A benchmark, not a test: nothing here asserts a time.
import { readFileSync } from "node:fs";
import { deflateRawSync } from "node:zlib";
import { launch, open } from "../e2e/browser.mjs";

const END_MS = 60_000;
const PROFILES = {
  desktop: { viewport: { width: 1280, height: 800 }, cpu: 1 },
  mobile: { viewport: { width: 412, height: 823 }, cpu: 4 },
};

/** 40 moments over the run, as the native bench's walk, on the scrubber's 10 ms step. */
function targets() {
  let x = 7n;
  const out = [];
  for (let i = 0; i < 40; i++) {
    x = (x * 6364136223846793005n + 1442695040888963407n) & 0xffffffffffffffffn;
    out.push(Number((x >> 33n) % BigInt(END_MS) / 10n * 10n));
  }
  return out;
}

/** The link (`#v1.…`) to the stretched comparison scenario at its end. */
function link() {
  const scenario = JSON.parse(readFileSync(new URL("../../core/scenarios/comparison.json", import.meta.url)));
  scenario.duration_ms = END_MS;
  for (const p of scenario.producers) delete p.stop_ms;
  const shared = { id: "custom", scenario, actions: [], t_ms: END_MS, speed: 1 };
  const packed = deflateRawSync(Buffer.from(JSON.stringify(shared)), { level: 9 });
  return `#v1.${packed.toString("base64url")}`;
}

/** In the page: moves the scrubber to `t` and resolves with the ms until the frame after. */
function seekIn(t) {
  return new Promise((resolve) => {
    const clock = document.getElementById("clock");
    const input = document.getElementById("timeline");
    const start = performance.now();
    const done = () => requestAnimationFrame(() => resolve(performance.now() - start));
    const observer = new MutationObserver(() => {
      if (clock.dataset.nowMs === String(t)) {
        observer.disconnect();
        done();
      }
    });
    observer.observe(clock, { attributes: true });
    input.value = String(t);
    input.dispatchEvent(new Event("input", { bubbles: true }));
    if (clock.dataset.nowMs === String(t)) {
      observer.disconnect();
      done();
    }
  });
}

const quantile = (v, q) => {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

const browser = await launch();
try {
  for (const [name, profile] of Object.entries(PROFILES)) {
    const opened = Date.now();
    const page = await open(browser, link(), profile.viewport);
    const cdp = await page.context().newCDPSession(page);
    await page.locator(`#clock[data-now-ms="${END_MS}"]`).waitFor({ timeout: 120_000 });
    const openMs = Date.now() - opened;
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: profile.cpu });
    const times = [];
    for (const t of targets()) {
      times.push(await page.evaluate(seekIn, t));
    }
    console.log(
      `SEEK ${name} median_ms=${quantile(times, 0.5).toFixed(1)} p95_ms=${quantile(times, 0.95).toFixed(1)} ` +
        `max_ms=${Math.max(...times).toFixed(1)} seeks=${times.length} open_ms=${openMs}`,
    );

    await page.evaluate(seekIn, 30_000);
    await page.locator('.node[data-entity="consumer:a.worker-2"]').click();
    const forkMs = await page.evaluate(
      () =>
        new Promise((resolve) => {
          const start = performance.now();
          const observer = new MutationObserver(() => {
            if (document.getElementById("fork")) {
              observer.disconnect();
              requestAnimationFrame(() => resolve(performance.now() - start));
            }
          });
          observer.observe(document.body, { childList: true, subtree: true });
          document.getElementById("crash").click();
        }),
    );
    const divergence = await page.locator("#fork .divergence").getAttribute("data-at-ms");
    console.log(`FORK ${name} ms=${forkMs.toFixed(1)} divergence_ms=${divergence}`);
    if (page.errors.length) console.log(`errors: ${page.errors.join(" | ")}`);
    await page.close();
  }
} finally {
  await browser.close();
}
