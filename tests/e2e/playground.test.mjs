// The playground end to end: it loads, the controls drive logical time, selection opens the
// inspector, the log filters, and it is usable by keyboard and at phone width.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { launch, open, openAt, screenshot } from "./browser.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test("opens on scenario A and plays", async () => {
  const page = await open(browser);
  await page.locator(".node.consumer").nth(1).waitFor();
  assert.equal(await page.locator("#clock").getAttribute("data-now-ms"), "0");
  await page.getByRole("button", { name: "Play" }).click();
  await page.waitForFunction(() => Number(document.querySelector("#clock").dataset.nowMs) > 0);
  await page.getByRole("button", { name: "Pause" }).click();
  const t = await page.locator("#clock").getAttribute("data-now-ms");
  await page.getByRole("button", { name: "Step 100 ms" }).click();
  await page.locator(`#clock[data-now-ms="${Number(t) + 100}"]`).waitFor();
  await screenshot(page, "playground");
  assert.deepEqual(page.errors, []);
});

test("the picker loads each scenario with its explanation", async () => {
  const page = await open(browser);
  await page.locator(".node.consumer").first().waitFor();
  for (const [button, entity] of [["B · Pub/Sub", "exchange:prices"], ["C · Fan-out", "queue:email"], ["D · Streaming", "stream:clicks"], ["E · Consumer groups", "stream:orders"], ["All five side by side", "queue:a.jobs"], ["A · Queue", "queue:jobs"]]) {
    await page.getByRole("button", { name: button }).click();
    await page.locator(`[data-entity="${entity}"]`).waitFor();
    assert.equal(await page.locator(".guide .try li").count(), 2);
  }
  assert.deepEqual(page.errors, []);
});

test("keyboard: tab to a node, Enter inspects it, crash it", async () => {
  const page = await openAt(browser, "a", 1000);
  await page.locator('[data-entity="consumer:worker-1"]').focus();
  await page.keyboard.press("Enter");
  await page.locator('.inspector[data-entity="consumer:worker-1"]').waitFor();
  await page.getByRole("button", { name: "Crash" }).click();
  await page.locator('.node.consumer[data-entity="consumer:worker-1"][data-state="crashed"]').waitFor();
  await page.getByRole("button", { name: "Restart" }).click();
  await page.locator('.node.consumer[data-entity="consumer:worker-1"]:not([data-state="crashed"])').waitFor();
  assert.deepEqual(page.errors, []);
});

test("the event log filters by entity and kind", async () => {
  const page = await openAt(browser, "c", 3000);
  await page.getByLabel("Entity").selectOption("email-worker");
  await page.getByLabel("Kind").selectOption("crashed");
  await page.locator(".log .row").first().waitFor();
  assert.deepEqual(await page.locator(".log .row .text").allTextContents(), ["email-worker crashed"]);
  assert.deepEqual(page.errors, []);
});

test("is usable at phone width", async () => {
  const page = await openAt(browser, "e", 7000, { width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page scrolls sideways by ${overflow}px`);
  await screenshot(page, "playground-phone");
  assert.deepEqual(page.errors, []);
});
