// Fork and compare: a change made after a seek back keeps the replaced future beside the new
// one, time-locked, with where they part and what differs; a link carries both.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { launch, openAt, open, screenshot, scrub } from "./browser.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Scenario A seen to 8 s, back at 3 s, worker-2's crash at 3.1 s called off. */
async function forkA() {
  const page = await openAt(browser, "a", 8000);
  await scrub(page, 3000);
  await page.locator('.node[data-entity="consumer:worker-2"]').click();
  await page.locator("#cancel-crash").click();
  await page.locator("#fork").waitFor();
  return page;
}

test("forking A at 3 s by not crashing worker-2: two futures that differ in redeliveries", async () => {
  const page = await forkA();
  assert.match(await page.locator("#fork .this-label").textContent(), /worker-2's planned crash called off at 3\.0 s/);
  assert.equal(await page.locator("#fork .divergence").getAttribute("data-at-ms"), "3100");
  assert.match(await page.locator("#fork .divergence .what").textContent(), /only the other future has: worker-2 crashed/);
  // The fork is marked on the timeline.
  assert.equal(await page.locator(".timeline-marks .mark.fork-point").getAttribute("data-at"), "3000");

  await scrub(page, 8000);
  const redelivered = page.locator('#fork-messages tr[data-outcome="redelivered"]');
  await redelivered.waitFor();
  assert.equal(await redelivered.locator('td[data-future="this"]').getAttribute("data-count"), "0");
  assert.equal(await redelivered.locator('td[data-future="other"]').getAttribute("data-count"), "1");
  // The redelivered job's story opens from the comparison: in this future, one delivery.
  await redelivered.locator('td[data-future="other"] .message-link').first().click();
  await page.locator("section.story").waitFor();
  const rows = await page.locator("section.story .story-events li").allTextContents();
  assert.ok(!rows.some((r) => /requeued/.test(r)), `not requeued on show: ${rows}`);
  // Time-locked: both futures stand at 8 s; worker-2 processed more where it never crashed.
  assert.match(await page.locator("#fork .fork-labels").textContent(), /Both at 8000 ms/);
  const w2 = page.locator('#fork-figures tr[data-what="worker-2: state, processed"]');
  assert.equal(await w2.getAttribute("class"), "differs");
  await screenshot(page, "fork-compare");
  assert.deepEqual(page.errors, []);
});

test("the other future shows on the drawing when swapped, and scrubbing moves both", async () => {
  const page = await forkA();
  await scrub(page, 5000);
  const w2 = page.locator('.stage .node[data-entity="consumer:worker-2"]');
  const otherW2 = page.locator('.other-drawing .node[data-entity="consumer:worker-2"]');
  assert.doesNotMatch(await w2.textContent(), /crashed/);
  // Side by side: the other future's drawing shows worker-2 crashed at the same moment.
  assert.match(await otherW2.textContent(), /crashed/);
  assert.match(await page.locator(".other-drawing figcaption").textContent(), /at 5000 ms/);
  await page.locator("#fork-swap").click();
  await page.locator("#fork .this-label", { hasText: "as it was" }).waitFor();
  assert.match(await w2.textContent(), /crashed/);
  assert.doesNotMatch(await otherW2.textContent(), /crashed/);
  assert.equal(await page.locator("#clock").getAttribute("data-now-ms"), "5000");
  await scrub(page, 2000);
  assert.match(await page.locator("#fork .fork-labels").textContent(), /Both at 2000 ms/);
  assert.equal(await page.locator("#fork").getAttribute("data-differing"), "0");
  await page.locator("#fork-close").click();
  await page.locator("#fork").waitFor({ state: "detached" });
  assert.deepEqual(page.errors, []);
});

test("a link reopens both futures", async () => {
  const page = await forkA();
  await scrub(page, 6000);
  await page.locator("#mode-share").click();
  await page.locator("#copy-link").click();
  const link = await page.locator("#share-link").inputValue();
  const again = await open(browser, new URL(link).hash);
  await again.locator("#fork").waitFor();
  await again.locator('#clock[data-now-ms="6000"]').waitFor();
  assert.equal(await again.locator("#fork .divergence").getAttribute("data-at-ms"), "3100");
  assert.equal(
    await again.locator('#fork-messages tr[data-outcome="redelivered"] td[data-future="other"]').getAttribute("data-count"),
    "1",
  );
  assert.deepEqual(again.errors, []);
});

test("a message clicked in the other future's drawing tells its story there", async () => {
  const page = await forkA();
  await scrub(page, 5000);
  const cell = page.locator(".other-drawing .message-cell").first();
  await cell.waitFor();
  await cell.click();
  const story = page.locator(".other-drawing section.story");
  await story.waitFor();
  // The story stays open as both futures move on.
  await scrub(page, 5500);
  await story.waitFor();
  assert.match(await story.textContent(), /published by api/);
  assert.deepEqual(page.errors, []);
});
