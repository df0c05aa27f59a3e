// Load time of the playground as a reader feels it: from navigation to the first frame of the
// drawing, with a cold cache, in headless Chromium under network and CPU emulation, over the
// served site. Four cases: the embed (`?embed=1`) and the full app (`/`), each on two
// profiles:
//
// - mobile: 1.6 Mbps down, 750 kbps up, 150 ms round trip, CPU slowed 4× (the figures of
//   Lighthouse's mobile profile, applied as they are through Chrome DevTools Protocol:
//   `Network.emulateNetworkConditions`, `Emulation.setCPUThrottlingRate`), 412×823 viewport;
// - broadband: 10 Mbps down, upload not limited, 40 ms round trip, no CPU slowdown, 1280×800.
//
// "First frame of the drawing": an init script (it runs before any of the page's own) watches
// the document with a MutationObserver; once an `svg.canvas` element holds a `.node`, it asks
// for an animation frame and, in that frame's callback, reads `performance.now()` (which
// counts from the start of the navigation). Nothing here depends on the app's code.
//
// Each load is cold: a fresh browser context (empty cache, no cookies, no compiled code
// cache) with the cache disabled on top, one page, the emulation set before navigating.
// Bytes: the sum over the load's requests of CDP `Network.loadingFinished`
// `encodedDataLength` (what went over the wire: compressed bodies plus response headers),
// counted once the drawing is up and no request is pending. Cases are interleaved (run 1 of
// every case, then run 2, …), after one unmeasured load that warms the machine's file cache.
//
// Prints one line per case that `cargo xtask bench` reads:
//
//   LOAD <embed|app> <mobile|broadband> median_ms=<ms> bytes=<n> min_ms=<ms> max_ms=<ms>
//        runs=<n> requests=<n> encodings=<file:coding,…>
//
// and, per load, `LOAD-RUN <page> <profile> run=<n> first_frame_ms=<ms> bytes=<n>` with when
// each resource finished arriving (Resource Timing `responseEnd`, ms from navigation start)
// and when the page's module script ran `DOMContentLoaded` (`dcl`), to see where the time goes.
//
// Options (environment): `BROKERLAB_LOAD_RUNS=<n>` loads per case (default 5);
// `BROKERLAB_LOAD_CASES=embed:mobile,app:broadband` only those cases;
// `BROKERLAB_ACCEPT_ENCODING=<value>` sends that `Accept-Encoding` instead of the browser's
// own (`identity` measures the site as sent uncompressed, `gzip` a host without brotli).
// A benchmark, not a test: nothing here asserts a time.
import { launch, siteUrl } from "../e2e/browser.mjs";

const PAGES = { embed: "?embed=1", app: "" };
const PROFILES = {
  mobile: {
    latency: 150,
    download: 1.6e6 / 8,
    upload: 750e3 / 8,
    cpu: 4,
    viewport: { width: 412, height: 823 },
  },
  broadband: {
    latency: 40,
    download: 10e6 / 8,
    upload: -1,
    cpu: 1,
    viewport: { width: 1280, height: 800 },
  },
};
const RUNS = Number(process.env.BROKERLAB_LOAD_RUNS ?? 5);
const ACCEPT_ENCODING = process.env.BROKERLAB_ACCEPT_ENCODING;
const LOAD_TIMEOUT_MS = 60_000;

/** The cases to measure: `[page, profile]` pairs, all four unless `BROKERLAB_LOAD_CASES`. */
function cases() {
  const all = [];
  for (const page of Object.keys(PAGES)) {
    for (const profile of Object.keys(PROFILES)) all.push([page, profile]);
  }
  const wanted = process.env.BROKERLAB_LOAD_CASES;
  if (!wanted) return all;
  const names = wanted.split(",").map((s) => s.trim());
  const chosen = all.filter(([page, profile]) => names.includes(`${page}:${profile}`));
  if (chosen.length !== names.length) {
    throw new Error(`BROKERLAB_LOAD_CASES=${wanted}: cases are page:profile, of ${all.map((c) => c.join(":"))}`);
  }
  return chosen;
}

/**
 * The init script: reports the first animation frame after the drawing has a node, through
 * the `__brokerlabFirstFrame` binding, once.
 */
function firstFrameProbe() {
  let seen = false;
  const check = () => {
    if (seen || !document.querySelector("svg.canvas .node")) return;
    seen = true;
    observer.disconnect();
    requestAnimationFrame(() => {
      window.__brokerlabFirstFrame(performance.now());
    });
  };
  const observer = new MutationObserver(check);
  observer.observe(document, {
    childList: true,
    subtree: true,
    attributes: true,
    attributeFilter: ["class"],
  });
}

/** One cold load of `page` on `profile`: the first frame's time, bytes and resource ends. */
async function load(browser, page, profile) {
  const settings = PROFILES[profile];
  const context = await browser.newContext({ viewport: settings.viewport });
  try {
    let reportFirstFrame;
    const firstFrame = new Promise((resolve) => {
      reportFirstFrame = resolve;
    });
    await context.exposeBinding("__brokerlabFirstFrame", (_source, ms) => reportFirstFrame(ms));
    await context.addInitScript(firstFrameProbe);
    const tab = await context.newPage();
    const errors = [];
    tab.on("pageerror", (error) => errors.push(error.message));

    const cdp = await context.newCDPSession(tab);
    const pending = new Set();
    const encodings = new Map();
    let bytes = 0;
    let requests = 0;
    cdp.on("Network.requestWillBeSent", (e) => pending.add(e.requestId));
    cdp.on("Network.responseReceived", (e) => {
      const headers = Object.fromEntries(
        Object.entries(e.response.headers).map(([k, v]) => [k.toLowerCase(), v]),
      );
      const name = new URL(e.response.url).pathname.split("/").pop() || "index.html";
      encodings.set(name, headers["content-encoding"] ?? "identity");
    });
    cdp.on("Network.loadingFinished", (e) => {
      pending.delete(e.requestId);
      bytes += e.encodedDataLength;
      requests += 1;
    });
    cdp.on("Network.loadingFailed", (e) => {
      pending.delete(e.requestId);
      errors.push(`request failed: ${e.errorText}`);
    });
    await cdp.send("Network.enable");
    await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
    if (ACCEPT_ENCODING) {
      await cdp.send("Network.setExtraHTTPHeaders", {
        headers: { "Accept-Encoding": ACCEPT_ENCODING },
      });
    }
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: settings.latency,
      downloadThroughput: settings.download,
      uploadThroughput: settings.upload,
    });
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: settings.cpu });

    const url = new URL(PAGES[page], siteUrl).href;
    await tab.goto(url, { waitUntil: "commit", timeout: LOAD_TIMEOUT_MS });
    let timer;
    const ms = await Promise.race([
      firstFrame,
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${url}: no drawing after ${LOAD_TIMEOUT_MS} ms (${errors.join("; ")})`)),
          LOAD_TIMEOUT_MS,
        );
      }),
    ]).finally(() => clearTimeout(timer));
    // Let what was in flight when the drawing appeared finish, so its bytes count.
    for (let waited = 0; pending.size > 0 && waited < 10_000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: 1 });
    const timeline = await tab.evaluate(() => {
      const ends = performance
        .getEntriesByType("resource")
        .map((r) => `${r.name.split("/").pop()}:${Math.round(r.responseEnd)}`);
      const nav = performance.getEntriesByType("navigation")[0];
      return [
        `index.html:${Math.round(nav.responseEnd)}`,
        ...ends,
        `dcl:${Math.round(nav.domContentLoadedEventEnd)}`,
      ].join(",");
    });
    if (errors.length > 0) throw new Error(`${url}: ${errors.join("; ")}`);
    return { ms, bytes, requests, timeline, encodings };
  } finally {
    await context.close();
  }
}

/** The median of `values` (the middle one of an odd count; the lower middle otherwise). */
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

const browser = await launch();
try {
  const chosen = cases();
  // Unmeasured: the first load after launch pays for reading the browser and site from disk.
  await load(browser, "app", "broadband");
  const results = new Map(chosen.map(([page, profile]) => [`${page} ${profile}`, []]));
  for (let run = 1; run <= RUNS; run++) {
    for (const [page, profile] of chosen) {
      const r = await load(browser, page, profile);
      results.get(`${page} ${profile}`).push(r);
      console.log(
        `LOAD-RUN ${page} ${profile} run=${run} first_frame_ms=${r.ms.toFixed(0)} bytes=${r.bytes} ` +
          `ends=${r.timeline}`,
      );
    }
  }
  for (const [key, runs] of results) {
    const times = runs.map((r) => r.ms);
    const encodings = [...runs[runs.length - 1].encodings].map(([n, c]) => `${n}:${c}`);
    console.log(
      `LOAD ${key} median_ms=${median(times).toFixed(0)} bytes=${median(runs.map((r) => r.bytes))} ` +
        `min_ms=${Math.min(...times).toFixed(0)} max_ms=${Math.max(...times).toFixed(0)} ` +
        `runs=${runs.length} requests=${median(runs.map((r) => r.requests))} ` +
        `encodings=${encodings.join(",")}`,
    );
  }
} finally {
  await browser.close();
}
