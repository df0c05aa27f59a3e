// Pattern A: a job held by a worker that crashes is delivered again, to the other worker.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { launch, openAt, logTexts, screenshot } from "./browser.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test("A: after worker-2 crashes mid-job, worker-1 gets that job again", async () => {
  const page = await openAt(browser, "a", 3600);
  await page.locator('.node.consumer[data-entity="consumer:worker-2"][data-state="crashed"]').waitFor();
  const again = await logTexts(page, ".delivered.again");
  assert.equal(again.length, 1, `one redelivery: ${again}`);
  const [, payload] = again[0].match(/(“.*”)/);
  assert.match(again[0], /^jobs → worker-1: .* \(redelivered, delivery 2\)$/);
  const first = (await logTexts(page, ".delivered:not(.again)")).filter((t) => t.includes(payload));
  assert.deepEqual(first, [`jobs → worker-2: ${payload}`], "first delivered to the worker that crashed");
  await screenshot(page, "pattern-a");
  assert.deepEqual(page.errors, []);
});
