// Embedding: the embed code plays the same moment inside an iframe with minimal chrome; the
// patterns page runs live embedded playgrounds and is reachable from the app.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { launch, open, openAt, screenshot } from "./browser.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Waits until the clock inside the iframe `element` is past `ms`. */
async function runsPast(element, ms) {
  const frame = await (await element.elementHandle()).contentFrame();
  await frame.waitForFunction((t) => Number(document.querySelector("#clock")?.dataset.nowMs) > t, ms);
}

test("the patterns page is linked from the app and its embedded playgrounds both run", async () => {
  const page = await open(browser);
  await page.locator(".docs-link").click();
  await page.waitForURL(/patterns\.html$/);
  const frames = page.locator("section.pattern iframe");
  assert.equal(await frames.count(), 5);
  for (const i of [0, 1]) {
    const frame = frames.nth(i).contentFrame();
    await frame.locator(".playground.embedded .node").first().waitFor();
    await runsPast(frames.nth(i), 500);
    assert.equal(await frame.locator(".picker, .event-log, .share").count(), 0, "minimal chrome");
    const open = frame.locator(".embed-head a");
    assert.equal(await open.getAttribute("target"), "_blank");
  }
  await screenshot(page, "embed-patterns-page");
  assert.deepEqual(page.errors, []);
});

test("the embed code embeds this moment, playing, sandboxed from its parent", async () => {
  const page = await openAt(browser, "c", 3000);
  await page.locator("#copy-embed").click();
  const code = await page.locator("#embed-code").inputValue();
  assert.match(code, /^<iframe src="[^"]+\?embed=1&amp;autoplay=1#v1\.[^"]+"/);
  assert.match(code, /sandbox="allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox"/);
  assert.doesNotMatch(code, /allow-top-navigation/);
  const host = await browser.newPage({ viewport: { width: 900, height: 700 } });
  const errors = [];
  host.on("pageerror", (e) => errors.push(e.message));
  await host.setContent(`<!doctype html><title>host</title><h1 id="host">Docs</h1>${code}`);
  const frame = host.locator("iframe").contentFrame();
  await frame.locator('.node[data-entity="queue:email"]').waitFor();
  await runsPast(host.locator("iframe"), 3000);
  assert.equal(await host.locator("#host").textContent(), "Docs", "the parent stays where it was");
  await screenshot(host, "embed-code-host");
  assert.deepEqual(errors, []);
});
