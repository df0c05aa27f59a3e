// Pattern C: one queue's consumer is down; its queue fills while the others drain, and
// nothing is lost: the backlog drains after the restart.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { launch, openAt, runTo, screenshot } from "./browser.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const depth = async (page, q) => Number(await page.locator(`[data-entity="queue:${q}"]`).getAttribute("data-depth"));

test("C: email's queue grows while inventory's stays near zero, then drains after the restart", async () => {
  const page = await openAt(browser, "c", 3000);
  const early = await depth(page, "email");
  await runTo(page, 5900);
  const late = await depth(page, "email");
  assert.ok(late > early && late >= 15, `email depth ${early} → ${late}`);
  assert.ok((await depth(page, "inventory")) <= 2);
  assert.ok((await depth(page, "analytics")) <= 2);
  await screenshot(page, "pattern-c-backlog");
  await runTo(page, 12000);
  assert.equal(await depth(page, "email"), 0);
  const processed = async (name) =>
    Number(await page.locator(`.node.consumer[data-entity="consumer:${name}"]`).getAttribute("data-processed"));
  assert.equal(await processed("email-worker"), await processed("inventory-worker"), "nothing lost");
  assert.deepEqual(page.errors, []);
});
