// Pattern E: inside a group each partition has exactly one owner; members beyond the
// partition count stay idle.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { launch, openAt, runTo, screenshot } from "./browser.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test("E: with 4 members on 3 partitions, each partition has one owner and one member is idle", async () => {
  const page = await openAt(browser, "e", 7000);
  const table = page.locator('.group-table[data-group="analytics"]');
  const owners = await table.locator("tr.assignment .owner").allTextContents();
  assert.equal(owners.length, 3);
  assert.equal(new Set(owners).size, 3, `distinct owners: ${owners}`);
  assert.ok(owners.every((o) => /^analytics-\d$/.test(o)));
  const idle = await table.locator(".idle").textContent();
  const members = ["analytics-1", "analytics-2", "analytics-3", "analytics-4"];
  const idleOnes = members.filter((m) => !owners.includes(m));
  assert.equal(idleOnes.length, 1);
  assert.ok(idle.includes(idleOnes[0]));
  assert.ok(Number(await table.getAttribute("data-generation")) >= 4);
  const backup = await page.locator('.group-table[data-group="backup"] tr.assignment .owner').allTextContents();
  assert.deepEqual(backup, ["backup-1", "backup-1", "backup-1"], "the other group reads every partition");
  await screenshot(page, "pattern-e");
  assert.deepEqual(page.errors, []);
});

test("E: the static member backup-1 is back within its session: same generation, no rebalance, and the table says why", async () => {
  const page = await openAt(browser, "e", 12900);
  const backup = page.locator('.group-table[data-group="backup"]');
  const generation = await backup.getAttribute("data-generation");
  assert.match(await backup.locator(".static").textContent(), /static: backup-1 \(backup-host-1\)/);
  await runTo(page, 14500);
  assert.equal(await backup.getAttribute("data-generation"), generation, "no new generation");
  const step = backup.locator(".rebalances li.rejoined").first();
  assert.match(await step.textContent(), /kept: static member backup-1 rejoined within its session timeout, no rebalance/);
  const owners = await backup.locator("tr.assignment .owner").allTextContents();
  assert.deepEqual(owners, ["backup-1", "backup-1", "backup-1"]);
  await screenshot(page, "pattern-e-static-rejoin");
  assert.deepEqual(page.errors, []);
});
