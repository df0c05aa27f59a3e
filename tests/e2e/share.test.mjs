// Sharing and keeping work: a copied link reopens the identical moment in a fresh page, a
// reload keeps the work, an exported scenario imports, a broken link says why.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launch, open, openAt, openDrawer, screenshot } from "./browser.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** What identifies a moment: clock, every node's text, the assignment tables. */
async function snapshot(page) {
  return page.evaluate(() => ({
    now: document.querySelector("#clock").dataset.nowMs,
    nodes: [...document.querySelectorAll(".node")].map((n) => `${n.dataset.entity}: ${n.textContent}`),
    partitions: [...document.querySelectorAll(".partition")].map((p) => `${p.dataset.start}-${p.dataset.end}`),
    tables: [...document.querySelectorAll(".group-table")].map((t) => t.textContent),
    inspector: document.querySelector(".inspector")?.textContent,
  }));
}

test("a copied link opens the identical moment, actions and offsets included, in a fresh page", async () => {
  const page = await openAt(browser, "e", 2500);
  await page.locator('.group-table[data-group="analytics"] .add-member').click();
  await page.getByLabel("Run to (ms)").fill("4200");
  await page.getByLabel("Run to (ms)").press("Enter");
  await page.locator('#clock[data-now-ms="4200"]').waitFor();
  await page.locator('.node[data-entity="consumer:backup-1"]').click();
  await page.locator("#seek-go").click(); // to the beginning
  await page.locator('.group-box[data-entity="group:analytics"]').focus();
  await page.keyboard.press("Enter");
  await page.locator('.inspector[data-entity="group:analytics"]').waitFor();
  await openDrawer(page, "share");
  await page.locator("#copy-link").click();
  const link = await page.locator("#share-link").inputValue();
  assert.match(link, /#v1\./);
  const want = await snapshot(page);

  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const fresh = await context.newPage();
  const errors = [];
  fresh.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  await fresh.goto(link);
  await fresh.locator('#clock[data-now-ms="4200"]').waitFor();
  await fresh.locator('.node[data-entity="consumer:analytics-5"]').waitFor();
  assert.deepEqual(await snapshot(fresh), want);
  await screenshot(fresh, "share-reopened");
  await context.close();
  assert.deepEqual(errors, []);
  assert.deepEqual(page.errors, []);
});

test("a reload keeps the work, and the bare address restores it from the autosave", async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(new URL("?s=c&t=3000", process.env.BROKERLAB_URL ?? "http://127.0.0.1:8080/").href);
  await page.locator('#clock[data-now-ms="3000"]').waitFor();
  await page.locator('.node[data-entity="consumer:inventory-worker"]').click();
  await page.locator("#crash").click();
  await page.locator("#step-100").click();
  await page.locator('#clock[data-now-ms="3100"]').waitFor();
  await page.waitForFunction(() => location.hash.startsWith("#v1."));
  const want = await snapshot(page);
  await page.reload();
  await page.locator('#clock[data-now-ms="3100"]').waitFor();
  assert.deepEqual(await snapshot(page), want);
  const bare = new URL("./", page.url()).href.split("?")[0];
  await page.goto(bare);
  await page.locator('#clock[data-now-ms="3100"]').waitFor();
  assert.match(await page.locator('.node[data-entity="consumer:inventory-worker"]').textContent(), /crashed/);
  await context.close();
});

test("an exported scenario imports; a file that is not a scenario changes nothing", async () => {
  const page = await openAt(browser, "d", 1000);
  await openDrawer(page, "share");
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.locator("#export-json").click(),
  ]);
  const dir = mkdtempSync(join(tmpdir(), "brokerlab-"));
  const file = join(dir, "scenario.json");
  await download.saveAs(file);
  await page.locator(".picker .scenario", { hasText: "A · Queue" }).click();
  await page.locator('.node[data-entity="queue:jobs"]').waitFor();
  await page.locator("#import-json").setInputFiles(file);
  await page.locator('.node[data-entity="stream:clicks"]').waitFor();
  assert.equal(await page.locator("#clock").getAttribute("data-now-ms"), "0");

  const bad = join(dir, "bad.json");
  writeFileSync(bad, '{ "version": 1, "duration_ms": 1000, "topology": { "queues": [{ "name": "" }] } }');
  await page.locator("#import-json").setInputFiles(bad);
  await page.locator("#notice").waitFor();
  assert.match(await page.locator("#notice").textContent(), /not a scenario: .*queues\[0\]\.name/);
  await page.locator('.node[data-entity="stream:clicks"]').waitFor();
  assert.deepEqual(page.errors, []);
});

test("a corrupted link shows the error and the picker; nothing crashes", async () => {
  for (const hash of ["#v1.AAAA", "#v1.%%%", "#v9.abc", "#hello", `#v1.${"A".repeat(300000)}`]) {
    const page = await open(browser, `${hash}`);
    await page.locator("#notice").waitFor();
    assert.match(await page.locator("#notice").textContent(), /This link could not be opened/);
    await page.locator(".picker .scenario").first().waitFor();
    await page.locator('.node[data-entity="queue:jobs"]').waitFor();
    assert.deepEqual(page.errors, [], hash);
    await page.close();
  }
});
