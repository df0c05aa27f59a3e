// Lag you can act on: each group's table says where its lag is heading, and resets the
// offsets of an empty group as `kafka-consumer-groups --reset-offsets` does, with a preview.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { launch, openAt, screenshot } from "./browser.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const select = (page, key) => page.locator(`.node[data-entity="${key}"]`).first().click();

test("E: the lag's trend and outlook show; an offset reset is refused while the group has members, previewed and applied once it has none", async () => {
  const page = await openAt(browser, "e", 5000);
  const backup = page.locator('.group-table[data-group="backup"]');
  const outlook = await backup.locator(".lag-outlook .outlook").textContent();
  assert.match(outlook, /^(caught up|keeping up|clears in ~\d+ s|growing)$/);
  const points = await backup.locator(".lag-trend polyline").getAttribute("points");
  assert.ok(points.split(" ").length >= 10, `a trend of the last seconds: ${points}`);

  // With backup-1 in the group, Kafka refuses the reset; the preview says why.
  await backup.locator(".reset-offsets summary").click();
  await backup.locator(".reset-offsets .preview").click();
  assert.match(await backup.locator(".refused").textContent(),
    /Assignments can only be reset if the group 'backup' is inactive, but the current state is Stable/);

  // Once backup-1 has left, the preview shows the new offsets and the lag they leave.
  await select(page, "consumer:backup-1");
  await page.locator("#remove").click();
  await backup.locator(".members", { hasText: "0 member(s)" }).waitFor();
  const committed = async () => (await backup.locator("tr.assignment td:nth-child(4)").allTextContents()).map(Number);
  const before = await committed();
  assert.ok(before.every((c) => c > 0), `committed before: ${before}`);
  await backup.locator(".reset-offsets .preview").click();
  const preview = backup.locator(".reset-preview tbody tr");
  assert.equal(await preview.count(), 3);
  assert.deepEqual(await backup.locator(".reset-preview .new-offset").allTextContents(), ["0", "0", "0"]);
  assert.deepEqual(await committed(), before, "a preview changes nothing");
  await screenshot(page, "group-reset-preview");

  // Apply: the committed offsets go back to 0 and the lag is the whole log.
  await backup.locator(".reset-offsets .apply").click();
  await page.waitForFunction(() => [...document.querySelectorAll('.group-table[data-group="backup"] tr.assignment td:nth-child(4)')]
    .every((td) => td.textContent === "0"));
  const ends = (await backup.locator("tr.assignment td:nth-child(3)").allTextContents()).map(Number);
  const lags = (await backup.locator("tr.assignment td:nth-child(5)").allTextContents()).map(Number);
  assert.deepEqual(lags, ends);
  // The reset is an action of the run: the event log and a shared link carry it.
  assert.deepEqual(page.errors, []);
});

test("E: shifting one partition back by a count is clamped to the log start", async () => {
  const page = await openAt(browser, "e", 5000);
  const backup = page.locator('.group-table[data-group="backup"]');
  await select(page, "consumer:backup-1");
  await page.locator("#remove").click();
  await backup.locator(".members", { hasText: "0 member(s)" }).waitFor();
  await backup.locator(".reset-offsets summary").click();
  await backup.getByLabel("partitions").selectOption("orders/1");
  await backup.getByLabel("reset to").selectOption("shift");
  await backup.getByLabel("offset, time in ms or shift").fill("-100000");
  await backup.locator(".reset-offsets .preview").click();
  assert.deepEqual(await backup.locator(".reset-preview td:first-child").allTextContents(), ["orders/1"]);
  assert.deepEqual(await backup.locator(".reset-preview .new-offset").allTextContents(), ["0"]);
  assert.deepEqual(page.errors, []);
});
