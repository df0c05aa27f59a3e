// Frame time of the playground while it animates 2,000 messages per second: opens the served
// site on the comparison scenario (1280×800), sets its five producers to 400 messages/s each
// through the inspector's rate form, plays at 1× and records every animation frame the app
// draws for 6 s of wall time, after leaving out the first 0.5 s. Three rounds, each in a fresh
// page; the figures pool the frames of all rounds. Prints lines `cargo xtask bench` reads:
//
//   FRAME interval median=<ms> p95=<ms> max=<ms> work median=<ms> p95=<ms> max=<ms>
//         tick … main … frames=<n> late=<n> msgs_per_sec=<n> speed=<x>
//
// - interval: time between the timestamps of two consecutive animation frames of the app
//   (Chromium gives them to 0.1 ms, so a steady 60 Hz reads 16.6, 16.7 or 16.8 ms); late:
//   intervals longer than 1.5 frames at 60 Hz (25 ms), i.e. a frame skipped;
// - work: script time of the frame: the app's requestAnimationFrame callback, where it
//   dispatches its Tick action (the reducer runs there), plus the microtasks it queued, where
//   Yew renders and patches the DOM;
// - tick: the callback alone (the reducer: simulation, log, flights, view model);
// - main: the main thread's whole frame: the work plus the browser's style, layout and paint,
//   up to a message posted from the callback, which runs once the frame is drawn;
// - msgs_per_sec: messages the simulation published per second of wall time (from the
//   clock's `data-published`), and speed: logical time per wall-clock time.
//
// `FRAME-STARTUP …` gives the same figures for the first 0.5 s after Play (left out above) and
// `FRAME-ROUND <n> …` each round's, so a slow start or a noisy round shows. A benchmark, not a
// test: nothing here asserts a speed.
//
// Options (environment): `BROKERLAB_SCROLL=<selector>` scrolls that element into view before
// playing (e.g. `.event-log`); `BROKERLAB_PROFILE=<file>` saves a CPU profile (Chrome DevTools
// `.cpuprofile`) and `BROKERLAB_TRACE=<file>` a performance trace (DevTools timeline) of the
// first round, and prints the main thread's CPU time per frame by kind of work from it:
// `TRACE cpu=<ms> script=<ms> style=<ms> layout=<ms> paint=<ms> other=<ms> frames=<n>` (thread
// time, so a busy machine changes it less than the wall-clock figures). Both slow the page,
// so the round's frame figures are not the benchmark's.
import { readFileSync, writeFileSync } from "node:fs";
import { launch, open } from "../e2e/browser.mjs";

const PRODUCERS = ["a.api", "b.api", "c.api", "d.api", "e.api"];
const RATE = 400;
const STARTUP_MS = 500;
const MEASURE_MS = 6_000;
const ROUNDS = 3;
/** An interval longer than this skipped at least one 60 Hz frame. */
const LATE_MS = 1.5 * (1000 / 60);

/**
 * Wraps requestAnimationFrame so each frame's callbacks are timed (an init script: it runs
 * before the app). Yew renders in a microtask queued by the dispatch inside the callback, so
 * a microtask queued after the callback runs once the render's has.
 */
function recordFrames() {
  const frames = [];
  const drawn = [];
  window.__frames = { frames, recording: false };
  const channel = new MessageChannel();
  channel.port1.onmessage = () => {
    const f = drawn.shift();
    if (f) f.main = performance.now() - f.start;
  };
  const request = window.requestAnimationFrame.bind(window);
  window.requestAnimationFrame = (callback) =>
    request((ts) => {
      const start = performance.now();
      let frame = null;
      if (window.__frames.recording) {
        frame = frames[frames.length - 1];
        if (!frame || frame.ts !== ts) {
          const clock = document.getElementById("clock");
          frame = {
            ts,
            start,
            tick: 0,
            work: 0,
            main: NaN,
            published: Number(clock?.dataset.published ?? NaN),
            nowMs: Number(clock?.dataset.nowMs ?? NaN),
          };
          frames.push(frame);
          drawn.push(frame);
          channel.port2.postMessage(null);
        }
      }
      try {
        callback(ts);
      } finally {
        if (frame) {
          frame.tick += performance.now() - start;
          queueMicrotask(() => {
            frame.work += performance.now() - start;
          });
        }
      }
    });
}

/** The `p`-th percentile (0–100) of `values`, nearest rank. */
function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/**
 * The figures of one or more windows of frames (in each window the first frame only opens
 * it: intervals, work and messages count from the second on).
 */
function figures(windows) {
  const intervals = [];
  const pick = { tick: [], work: [], main: [] };
  let published = 0;
  let logicalMs = 0;
  let wallMs = 0;
  for (const frames of windows) {
    for (let i = 1; i < frames.length; i++) {
      intervals.push(frames[i].ts - frames[i - 1].ts);
      for (const key of Object.keys(pick)) {
        if (Number.isFinite(frames[i][key])) pick[key].push(frames[i][key]);
      }
    }
    const [first, last] = [frames[0], frames[frames.length - 1]];
    published += last.published - first.published;
    logicalMs += last.nowMs - first.nowMs;
    wallMs += last.ts - first.ts;
  }
  const stat = (values) => ({
    median: percentile(values, 50),
    p95: percentile(values, 95),
    max: Math.max(...values),
  });
  return {
    interval: stat(intervals),
    work: stat(pick.work),
    tick: stat(pick.tick),
    main: stat(pick.main),
    frames: intervals.length,
    late: intervals.filter((v) => v > LATE_MS).length,
    msgsPerSec: published / (wallMs / 1000),
    speed: logicalMs / wallMs,
  };
}

/** The kinds of main-thread work of a DevTools timeline trace, by event name. */
const KINDS = {
  script: ["FunctionCall", "EvaluateScript", "RunMicrotasks", "TimerFire", "EventDispatch"],
  style: ["UpdateLayoutTree", "ParseAuthorStyleSheet"],
  layout: ["Layout", "IntersectionObserverController::computeIntersections", "HitTest"],
  paint: ["PrePaint", "Paint", "Layerize", "UpdateLayer", "Commit"],
};

/**
 * The renderer main thread's CPU time (`tdur`, self time: nested events are subtracted from
 * their parent) per animation frame by kind of work, from a trace file.
 */
function traceLine(path) {
  const json = JSON.parse(readFileSync(path, "utf8"));
  const events = json.traceEvents ?? json;
  const main = new Set(
    events
      .filter((e) => e.ph === "M" && e.name === "thread_name" && e.args.name === "CrRendererMain")
      .map((e) => `${e.pid}:${e.tid}`),
  );
  const slices = events
    .filter((e) => e.ph === "X" && main.has(`${e.pid}:${e.tid}`) && e.dur !== undefined)
    .sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const self = new Map();
  const stack = [];
  for (const e of slices) {
    while (stack.length > 0 && stack[stack.length - 1].ts + stack[stack.length - 1].dur <= e.ts) {
      stack.pop();
    }
    const cpu = e.tdur ?? 0;
    const parent = stack[stack.length - 1];
    if (parent) self.set(parent.name, (self.get(parent.name) ?? 0) - cpu);
    self.set(e.name, (self.get(e.name) ?? 0) + cpu);
    stack.push(e);
  }
  const frames = slices.filter((e) => e.name === "FireAnimationFrame").length;
  const perFrame = (us) => (us / 1000 / Math.max(1, frames)).toFixed(2);
  let total = 0;
  for (const us of self.values()) total += us;
  const kinds = Object.entries(KINDS).map(([kind, names]) => {
    const us = names.reduce((sum, n) => sum + (self.get(n) ?? 0), 0);
    total -= us;
    return `${kind}=${perFrame(us)}`;
  });
  const all = [...self.values()].reduce((a, b) => a + b, 0);
  return `TRACE cpu=${perFrame(all)} ${kinds.join(" ")} other=${perFrame(total)} frames=${frames}`;
}

function line(tag, f) {
  const ms = (v) => v.toFixed(2);
  const three = (name, s) => `${name} median=${ms(s.median)} p95=${ms(s.p95)} max=${ms(s.max)}`;
  return [
    tag,
    three("interval", f.interval),
    three("work", f.work),
    three("tick", f.tick),
    three("main", f.main),
    `frames=${f.frames} late=${f.late} msgs_per_sec=${Math.round(f.msgsPerSec)} speed=${f.speed.toFixed(3)}`,
  ].join(" ");
}

/** Opens the scenario, sets the rates by hand, plays, and returns the recorded frames. */
async function round(browser, { profile, trace }) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    await context.addInitScript(recordFrames);
    const page = await open(context, "?s=comparison");
    await page.locator('[data-entity="queue:a.jobs"]').waitFor();
    for (const name of PRODUCERS) {
      const node = page.locator(`[data-entity="producer:${name}"]`);
      await node.click();
      await page.locator(`.inspector[data-entity="producer:${name}"]`).waitFor();
      await page.locator("#rate").fill(String(RATE));
      await page.locator("#rate-set").click();
      await node.locator(".detail", { hasText: `${RATE}/s` }).waitFor();
    }
    await page.locator("#speed").selectOption("1");
    // The guided tour would pause the run at its first step (4 s): measure free play.
    await page.locator("#guide-pause").uncheck();
    if ((await page.locator("#clock").getAttribute("data-now-ms")) !== "0") {
      throw new Error("the run should still be at 0 ms before playing");
    }
    if (process.env.BROKERLAB_SCROLL) {
      await page.locator(process.env.BROKERLAB_SCROLL).scrollIntoViewIfNeeded();
    }

    const cdp = profile ? await context.newCDPSession(page) : null;
    if (cdp) {
      await cdp.send("Profiler.enable");
      await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
      await cdp.send("Profiler.start");
    }
    if (trace) {
      await browser.startTracing(page, {
        path: trace,
        categories: ["devtools.timeline", "disabled-by-default-devtools.timeline"],
      });
    }
    await page.evaluate(() => {
      window.__frames.recording = true;
    });
    await page.locator("#play").click();
    // Wait, on the page's own frames, until the startup and the measured window are recorded.
    await page.waitForFunction(
      (span) => {
        const f = window.__frames.frames;
        return f.length > 1 && f[f.length - 1].ts - f[0].ts >= span;
      },
      STARTUP_MS + MEASURE_MS,
      { timeout: 60_000, polling: 250 },
    );
    const frames = await page.evaluate(() => {
      window.__frames.recording = false;
      return window.__frames.frames;
    });
    if (trace) {
      await browser.stopTracing();
      console.log(`trace saved to ${trace}`);
      console.log(traceLine(trace));
    }
    if (cdp) {
      const { profile: data } = await cdp.send("Profiler.stop");
      writeFileSync(profile, JSON.stringify(data));
      console.log(`CPU profile saved to ${profile}`);
    }
    if (page.errors.length > 0) throw new Error(`console errors: ${page.errors.join("; ")}`);
    if (!frames.every((f) => Number.isFinite(f.published) && Number.isFinite(f.nowMs))) {
      throw new Error("the clock has no data-published / data-now-ms to count messages by");
    }
    return frames;
  } finally {
    await context.close();
  }
}

const browser = await launch();
try {
  console.log(
    `comparison scenario, ${PRODUCERS.length} producers × ${RATE}/s, speed 1×, 1280×800, ` +
      `headless Chromium ${browser.version()}; ${ROUNDS} rounds of ${MEASURE_MS / 1000} s ` +
      `after the first ${STARTUP_MS} ms`,
  );
  const startups = [];
  const measured = [];
  for (let i = 0; i < ROUNDS; i++) {
    const frames = await round(browser, {
      profile: i === 0 ? process.env.BROKERLAB_PROFILE : undefined,
      trace: i === 0 ? process.env.BROKERLAB_TRACE : undefined,
    });
    const t0 = frames[0].ts;
    startups.push(frames.filter((f) => f.ts - t0 <= STARTUP_MS));
    measured.push(frames.filter((f) => f.ts - t0 >= STARTUP_MS));
    console.log(line(`FRAME-ROUND ${i + 1}`, figures([measured[i]])));
  }
  console.log(line("FRAME-STARTUP", figures(startups)));
  console.log(line("FRAME", figures(measured)));
} finally {
  await browser.close();
}
