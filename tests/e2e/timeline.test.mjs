// The timeline: scrub any run to any moment, back and forth, and see exactly what a fresh
// run paused there shows; the moments that matter are marked; the keyboard steps by event
// and by second.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { launch, openAt, screenshot, scrub } from "./browser.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** What the page shows of the run: the drawing's texts, the group tables, the totals. */
async function shown(page) {
  return page.evaluate(() => ({
    drawing: document.querySelector("svg.canvas").textContent,
    groups: [...document.querySelectorAll(".group-table")].map((t) => t.textContent),
    published: document.querySelector("#clock").dataset.published,
  }));
}

test("scrubbing the comparison to 6 s and back to 2 s shows what a fresh run paused there shows", async () => {
  const page = await openAt(browser, "comparison", 0);
  await scrub(page, 6000);
  const fresh6 = await openAt(browser, "comparison", 6000);
  assert.deepEqual(await shown(page), await shown(fresh6));
  await scrub(page, 2000);
  const fresh2 = await openAt(browser, "comparison", 2000);
  assert.deepEqual(await shown(page), await shown(fresh2));
  // Forward again, past the checkpoints taken on the way.
  await scrub(page, 6000);
  assert.deepEqual(await shown(page), await shown(fresh6));
  await screenshot(page, "timeline-comparison");
  assert.deepEqual(page.errors, []);
});

test("the timeline marks the moments that matter and the keyboard steps through them", async () => {
  const page = await openAt(browser, "a", 8000);
  const kinds = await page.locator(".timeline-marks .mark").evaluateAll((ms) => ms.map((m) => m.className));
  assert.ok(kinds.some((k) => k.includes("crashed")), `a crash is marked: ${kinds}`);
  assert.ok(kinds.some((k) => k.includes("guide-step")), "the guide's steps are marked");
  const crash = await page.locator(".timeline-marks .mark.crashed").first().getAttribute("data-at");
  assert.ok(Number(crash) > 0 && Number(crash) < 8000);

  const timeline = page.locator("#timeline");
  await timeline.focus();
  await page.keyboard.press("Shift+ArrowLeft");
  await page.locator('#clock[data-now-ms="7000"]').waitFor();
  await page.keyboard.press("ArrowLeft");
  const back = Number(await page.locator("#clock").getAttribute("data-now-ms"));
  assert.ok(back < 7000 && back > 6000, `one event back: ${back}`);
  await page.keyboard.press("ArrowRight");
  const forth = Number(await page.locator("#clock").getAttribute("data-now-ms"));
  assert.ok(forth > back, `one event forward: ${forth}`);
  assert.equal(await timeline.getAttribute("aria-valuetext"), `${(forth / 1000).toFixed(2)} s`);
  assert.deepEqual(page.errors, []);
});

test("an action taken by hand is kept when scrubbing back before it, and comes again", async () => {
  const page = await openAt(browser, "e", 3000);
  const table = page.locator('.group-table[data-group="analytics"]');
  await table.getByRole("button", { name: "Add member to analytics" }).click();
  await page.locator('.node[data-entity="consumer:analytics-5"]').waitFor();
  await scrub(page, 1000);
  assert.equal(await page.locator('.node[data-entity="consumer:analytics-5"]').count(), 0);
  await scrub(page, 6000);
  await page.locator('.node[data-entity="consumer:analytics-5"]').waitFor();
  assert.deepEqual(page.errors, []);
});

test("why: a redelivered job in A tells its deliveries, and a message the late subscriber in B missed says why", async () => {
  const page = await openAt(browser, "a", 6000);
  await page.getByLabel("Kind").selectOption("requeued");
  await page.locator(".log .row.requeued .why").first().click();
  const story = page.locator("section.story");
  await story.waitFor();
  const kinds = await story.locator(".story-events li").evaluateAll((ls) => ls.map((l) => l.dataset.kind));
  assert.ok(kinds.indexOf("delivered") < kinds.indexOf("requeued"), kinds.join(" "));
  assert.ok(kinds.lastIndexOf("delivered") > kinds.indexOf("requeued"), `delivered again: ${kinds.join(" ")}`);
  assert.equal(kinds[0], "published");
  await screenshot(page, "why-redelivered");
  await story.getByRole("button", { name: "Close the story" }).click();
  await story.waitFor({ state: "detached" });

  // B: archive subscribes at 3 s; a price published at 1 s never reached it.
  const b = await openAt(browser, "b", 4000);
  await b.getByLabel("Kind").selectOption("published");
  const rows = b.locator(".log .row.published");
  const early = rows.filter({ has: b.locator(".at", { hasText: /^1\d{3} ms$/ }) }).first();
  await early.locator(".why").click();
  const missed = b.locator("section.story .missed li");
  await missed.first().waitFor();
  const why = await missed.allTextContents();
  assert.ok(why.some((w) => /^archive: not yet subscribed: it subscribed at 3000 ms/.test(w)), why.join("\n"));
  assert.deepEqual(page.errors, []);
  assert.deepEqual(b.errors, []);
});

test("why not: a price published by hand as bond.acme reaches archive (#) but not dashboard (stock.#), which fails on its first word", async () => {
  const page = await openAt(browser, "b", 4000);
  await page.getByLabel("Target").selectOption({ label: "exchange prices" });
  await page.getByLabel("Key or routing key").fill("bond.acme");
  await page.getByLabel("Payload").fill("by hand");
  await page.getByRole("button", { name: "Publish", exact: true }).click();
  await page.getByLabel("Kind").selectOption("published");
  await page.locator(".log .row.published .why").first().click();
  const story = page.locator("section.story");
  await story.locator(".origin").waitFor();
  assert.match(await story.locator(".origin").textContent(), /routing key “bond\.acme”/);
  const missed = await story.locator(".missed li").allTextContents();
  assert.ok(missed.some((m) => /^dashboard: its pattern “stock\.#” does not match “bond\.acme”: word 1 is “bond” where the pattern wants “stock”/.test(m)), missed.join("\n"));
  assert.ok(missed.some((m) => /^alerts: its pattern “stock\.\*”/.test(m)), missed.join("\n"));
  assert.ok(!missed.some((m) => m.startsWith("archive")), "archive's # matches");
  await screenshot(page, "why-not-topic");
  assert.deepEqual(page.errors, []);
});
