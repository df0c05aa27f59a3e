// The first page end to end: the wasm bundle loads in Chromium, the core broker runs in it,
// and the page shows which of the two consumers got which message.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { launch, open, screenshot } from "./browser.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test("shows two consumers splitting the queue, without console errors", async () => {
  const page = await open(browser);
  await page.locator("tr.delivery").nth(5).waitFor();

  const consumers = await page.locator("tr.delivery .consumer-name").allTextContents();
  assert.deepEqual(consumers, ["alice", "bob", "alice", "bob", "alice", "bob"]);
  const payloads = await page.locator("tr.delivery td:nth-child(2)").allTextContents();
  assert.deepEqual(payloads, ["order #1", "order #2", "order #3", "order #4", "order #5", "order #6"]);
  assert.equal(await page.locator("#deliveries").getAttribute("data-left-in-queue"), "0");

  await screenshot(page, "first-page");
  assert.deepEqual(page.errors, []);
});

test("publishing more messages re-runs the broker in the page", async () => {
  const page = await open(browser);
  await page.locator("tr.delivery").nth(5).waitFor();
  await page.getByLabel("Messages to publish").fill("9");
  await page.getByLabel("Messages to publish").press("Enter");
  await page.locator("tr.delivery").nth(8).waitFor();
  assert.equal(await page.locator("tr.delivery").count(), 9);
  assert.deepEqual(await page.locator(".tally li").allTextContents(), ["alice: 5 messages", "bob: 4 messages"]);
  assert.deepEqual(page.errors, []);
});

test("is usable at phone width", async () => {
  const page = await open(browser, "", { width: 390, height: 844 });
  await page.locator("tr.delivery").nth(5).waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page scrolls sideways by ${overflow}px`);
  await screenshot(page, "first-page-phone");
  assert.deepEqual(page.errors, []);
});
