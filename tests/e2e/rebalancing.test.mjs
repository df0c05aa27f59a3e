// Rebalancing, visible: each group shows where it is in its protocol (with what that means on
// hover or focus), and the ready-made scenario shows one join under classic eager (the whole
// group stops), classic cooperative (only what moves waits, over two rebalances) and the
// consumer protocol (no barrier, one member at a time).
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { launch, openAt, runTo, screenshot } from "./browser.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const table = (page, g) => page.locator(`.group-table[data-group="${g}"]`);
const state = (page, g) => table(page, g).locator(".group-state").getAttribute("data-state");
const owners = async (page, g) =>
  (await table(page, g).locator("tr.assignment td.owner").allTextContents()).map((o) => o.split(" \u2192 ")[0].trim());

test("rebalancing: eager stops the whole group, cooperative keeps reading what does not move, the consumer protocol reconciles", async () => {
  const page = await openAt(browser, "rebalancing", 5500);
  // 0.5 s after the join: eager is rebalancing and a member that heard of it owns nothing.
  assert.equal(await state(page, "eager"), "PreparingRebalance");
  const eager = await owners(page, "eager");
  assert.ok(eager.includes("\u2013"), `eager: a member gave its partitions up: ${eager}`);
  assert.equal(await state(page, "kip848"), "Reconciling");
  assert.ok(!(await owners(page, "cooperative")).includes("\u2013"), "cooperative: every partition still read");
  assert.match(await table(page, "kip848").locator(".protocol").textContent(), /consumer protocol · uniform \(server-side\)/);
  assert.match(await table(page, "eager").locator(".protocol").textContent(), /classic protocol · range \(eager\)/);
  // The drawing marks the rebalancing groups too.
  assert.equal(await page.locator('.group-box[data-entity="group:eager"]').getAttribute("data-state"), "PreparingRebalance");

  // The state explains itself on keyboard focus.
  const badge = table(page, "eager").locator(".group-state");
  await badge.focus();
  const tip = table(page, "eager").locator(".group-state .tip");
  await tip.waitFor({ state: "visible" });
  assert.match(await tip.textContent(), /eager assignor everyone who rejoined has stopped/);
  assert.equal(await badge.getAttribute("aria-describedby"), await tip.getAttribute("id"));
  await screenshot(page, "rebalancing-eager-stopped");

  // 7.5 s: eager is back (everyone owns again); cooperative's first rebalance revoked one
  // partition, which waits unowned for the second while the others are read.
  await runTo(page, 7500);
  assert.equal(await state(page, "eager"), "Stable");
  assert.ok(!(await owners(page, "eager")).includes("\u2013"));
  assert.equal(await state(page, "cooperative"), "PreparingRebalance");
  const coop = await owners(page, "cooperative");
  assert.equal(coop.filter((o) => o === "\u2013").length, 1, `one partition waits: ${coop}`);
  assert.equal(await state(page, "kip848"), "Stable");

  // 10.5 s: the second cooperative rebalance gave it to the new member.
  await runTo(page, 10500);
  assert.equal(await state(page, "cooperative"), "Stable");
  assert.ok((await owners(page, "cooperative")).includes("coop-4"));
  const steps = await table(page, "cooperative").locator(".rebalances li").allTextContents();
  assert.ok(steps.some((s) => /revoked/.test(s)) && steps.some((s) => /assigned.*coop-4/.test(s)), steps.join("\n"));
  await screenshot(page, "rebalancing-converged");
  assert.deepEqual(page.errors, []);
});

test("rebalancing: the event log tells every state change in words", async () => {
  const page = await openAt(browser, "rebalancing", 6000);
  await page.getByLabel("Kind").selectOption("state");
  const rows = await page.locator(".log .row.state .text").allTextContents();
  assert.ok(rows.some((r) => /eager Stable → PreparingRebalance: A rebalance started/.test(r)), rows.join("\n"));
  assert.ok(rows.some((r) => /kip848 .*→ Reconciling: Members converge one heartbeat at a time/.test(r)), rows.join("\n"));
  await page.getByLabel("Kind").selectOption("assigned");
  const assigned = await page.locator(".log .row.assigned .text").allTextContents();
  assert.ok(assigned.some((r) => /kip848-4 owns \[5\] in epoch 4/.test(r)), assigned.join("\n"));
  assert.deepEqual(page.errors, []);
});

test("an empty group can be deleted: it shows Dead and its committed offsets are gone", async () => {
  const page = await openAt(browser, "e", 4000);
  const backup = table(page, "backup");
  assert.equal(await backup.getByRole("button", { name: "Delete group backup" }).count(), 0, "not while it has a member");
  await page.locator('.node[data-entity="consumer:backup-1"]').click();
  await page.locator("#remove").click();
  await backup.locator('.group-state[data-state="Empty"]').waitFor();
  await backup.getByRole("button", { name: "Delete group backup" }).click();
  await backup.locator('.group-state[data-state="Dead"]').waitFor();
  const committed = await backup.locator("tr.assignment td:nth-child(4)").allTextContents();
  assert.ok(committed.every((c) => c === "\u2013"), `no commits left: ${committed}`);
  assert.deepEqual(page.errors, []);
});
