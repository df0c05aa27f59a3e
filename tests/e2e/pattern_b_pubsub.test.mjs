// Pattern B: the late subscriber gets everything from its start, and misses what came before.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { launch, openAt, screenshot } from "./browser.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test("B: archive, subscribed at 3 s, has exactly the 15 prices published before it fewer", async () => {
  const page = await openAt(browser, "b", 7900);
  const processed = async (name) =>
    Number(await page.locator(`.node.consumer[data-entity="consumer:${name}"]`).getAttribute("data-processed"));
  const dashboard = await processed("dashboard");
  const archive = await processed("archive");
  assert.ok(dashboard > 30, `dashboard got ${dashboard}`);
  assert.equal(dashboard - archive, 15, "prices at 0, 0.2, …, 2.8 s were published before archive subscribed");
  await screenshot(page, "pattern-b");
  assert.deepEqual(page.errors, []);
});
