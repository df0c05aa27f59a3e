// "Find a counterexample": the search runs in a Web Worker, finds what a topology breaks,
// opens that run paused at the violation, and says when it found nothing.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { launch, openAt, openDrawer, screenshot } from "./browser.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Replaces properties of a node's spec through the Build drawer's property editor. */
async function editSpec(page, entity, change) {
  await openDrawer(page, "build");
  await page.locator(`.node[data-entity="${entity}"]`).click();
  const editor = page.locator(".spec-editor");
  if ((await editor.getAttribute("open")) === null) await editor.locator("summary").click();
  const spec = JSON.parse(await page.locator("#spec-json").inputValue());
  const want = change(spec);
  await page.locator("#spec-json").fill(JSON.stringify(want));
  await page.locator("#spec-apply").click();
  await page.waitForFunction((want) => {
    try {
      const now = JSON.parse(document.querySelector("#spec-json").value);
      return Object.entries(want).every(([k, v]) => JSON.stringify(now[k]) === JSON.stringify(v));
    } catch {
      return false;
    }
  }, want);
}

/** Counts animation frames and the longest gap between two of them, from now on. */
async function watchFrames(page) {
  await page.evaluate(() => {
    const w = window;
    w.__frames = { count: 0, maxGap: 0, last: performance.now() };
    const tick = (t) => {
      const f = w.__frames;
      f.maxGap = Math.max(f.maxGap, t - f.last);
      f.last = t;
      f.count += 1;
      w.__frameLoop = requestAnimationFrame(tick);
    };
    w.__frameLoop = requestAnimationFrame(tick);
  });
}

async function search(page, guarantee, runs) {
  await page.locator("#guarantee").selectOption(guarantee);
  await page.locator("#search-runs").selectOption(String(runs));
  await page.locator("#search-start").click();
}

test("A with auto-ack: the search finds the job worker-2's crash loses, and opens that run", async () => {
  const page = await openAt(browser, "a", 0);
  for (const worker of ["worker-1", "worker-2"]) {
    await editSpec(page, `consumer:${worker}`, (spec) => ({ ...spec, ack: "auto" }));
  }
  await page.locator("#mode-build").click();
  await search(page, "no_loss", 1000);
  const found = page.locator("#counterexample-found");
  await found.waitFor();
  const text = await found.textContent();
  assert.match(text, /^No message lost: broken at [\d.]+ s\. m\d+ was acked by nobody who processed it and is gone: worker-\d dropped it unfinished .* with auto-ack/);
  // Opened paused at the moment of the violation, with the worker and the queue highlighted.
  const at = await found.getAttribute("data-at-ms");
  await page.locator(`#clock[data-now-ms="${at}"]`).waitFor();
  const worker = text.match(/(worker-\d) dropped/)[1];
  assert.equal(await page.locator("#play").getAttribute("aria-pressed"), "false");
  await page.locator(`.node.highlight[data-entity="consumer:${worker}"]`).waitFor();
  await page.locator('.node.highlight[data-entity="queue:jobs"]').waitFor();
  assert.equal(await page.locator(".node.highlight").count(), 2);
  assert.match(await page.locator("#search-progress").textContent(), /Counterexample found after \d+ runs/);
  await screenshot(page, "counterexample-auto-ack");
  await page.locator("#counterexample-close").click();
  await page.locator("#counterexample-found").waitFor({ state: "detached" });
  assert.equal(await page.locator(".node.highlight").count(), 0);
  assert.deepEqual(page.errors, []);
});

test("A with manual ack: no lost message in 1000 runs, and the page keeps drawing frames", async () => {
  const page = await openAt(browser, "a", 0);
  await watchFrames(page);
  await search(page, "no_loss", 1000);
  await page.locator("#search-progress progress").waitFor();
  await page.locator("#search-progress", { hasText: "No counterexample in 1000 runs" }).waitFor({ timeout: 120_000 });
  const frames = await page.evaluate(() => window.__frames);
  assert.ok(frames.count > 10, `frames kept coming: ${JSON.stringify(frames)}`);
  assert.ok(frames.maxGap < 250, `no frame waited long: ${JSON.stringify(frames)}`);
  assert.equal(await page.locator("#counterexample-found").count(), 0);
  assert.deepEqual(page.errors, []);
});

test("a visibility timeout shorter than the processing time: a message processed twice", async () => {
  const page = await openAt(browser, "a", 0);
  await editSpec(page, "queue:jobs", (spec) => ({ ...spec, visibility_timeout_ms: 300 }));
  await page.locator("#mode-build").click();
  await search(page, "no_duplicate", 100);
  const found = page.locator("#counterexample-found");
  await found.waitFor();
  assert.match(await found.textContent(), /m\d+ was processed twice: by worker-\d at [\d.]+ s and by worker-\d at [\d.]+ s; jobs's visibility timeout passed/);
  await page.locator('.node.highlight[data-entity="queue:jobs"]').waitFor();
  assert.deepEqual(page.errors, []);
});

test("a search can be stopped, and says how far it got", async () => {
  const page = await openAt(browser, "a", 0);
  await search(page, "no_loss", 5000);
  await page.locator("#search-stop").click();
  await page.locator("#search-progress", { hasText: /No counterexample in \d+ runs/ }).waitFor();
  await page.locator("#search-start").waitFor();
  assert.deepEqual(page.errors, []);
});
