// The playground end to end: it loads, the controls drive logical time, selection opens the
// inspector, the log filters, and it is usable by keyboard and at phone width.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { launch, logTexts, open, openAt, runTo, screenshot } from "./browser.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test("a first visit plays scenario A at once; Pause and Step 100 ms drive the clock", async () => {
  const page = await open(browser);
  await page.locator(".node.consumer").nth(1).waitFor();
  await page.locator('.picker .scenario[data-scenario="a"][aria-pressed="true"]').waitFor();
  await page.locator('#play[aria-pressed="true"]').waitFor();
  await page.waitForFunction(() => Number(document.querySelector("#clock").dataset.nowMs) > 0);
  await page.getByRole("button", { name: "Pause" }).click();
  await page.locator('#play[aria-pressed="false"]').waitFor();
  const t = await page.locator("#clock").getAttribute("data-now-ms");
  await page.getByRole("button", { name: "Step 100 ms" }).click();
  await page.locator(`#clock[data-now-ms="${Number(t) + 100}"]`).waitFor();
  await screenshot(page, "playground");
  assert.deepEqual(page.errors, []);
});

test("the picker loads each scenario with its guide, whose last step offers two things to try", async () => {
  const page = await open(browser, "?s=a&t=0");
  await page.locator('#clock[data-now-ms="0"]').waitFor();
  // Without pausing at each step, Next goes straight to the next step's moment.
  await page.locator("#guide-pause").uncheck();
  for (const [button, id, entity] of [["B · Pub/Sub", "b", "exchange:prices"], ["C · Fan-out", "c", "queue:email"], ["D · Streaming", "d", "stream:clicks"], ["E · Consumer groups", "e", "stream:orders"], ["All five side by side", "comparison", "queue:a.jobs"], ["All six side by side", "comparison6", "stream:f.orders"], ["A · Queue", "a", "queue:jobs"]]) {
    await page.getByRole("button", { name: button }).click();
    await page.locator(`[data-entity="${entity}"]`).waitFor();
    await page.locator(`.picker .scenario[data-scenario="${id}"][aria-pressed="true"]`).waitFor();
    await page.locator('#clock[data-now-ms="0"]').waitFor();
    const purpose = await page.locator('.guide[data-step="0"] .purpose').textContent();
    assert.ok(purpose.length > 40, `${id}: ${purpose}`);
    assert.equal(await page.locator(".guide .try li").count(), 0, `${id}: tips only on the last step`);
    let steps = 1;
    while (await page.locator("#guide-next").count()) {
      await page.locator("#guide-next").click();
      await page.locator(`.guide[data-step="${steps}"]`).waitFor();
      steps += 1;
    }
    assert.ok(steps >= 3, `${id}: ${steps} steps`);
    assert.equal(await page.locator(".guide .try li").count(), 2, id);
  }
  assert.deepEqual(page.errors, []);
});

test("the comparison runs all five patterns side by side", async () => {
  const page = await openAt(browser, "comparison", 6000);
  for (const entity of ["queue:a.jobs", "exchange:b.news", "queue:c.email", "stream:d.log", "stream:e.orders", "consumer:e.member-2"]) {
    await page.locator(`.node[data-entity="${entity}"]`).waitFor();
  }
  const processed = await page.locator(".node.consumer").evaluateAll((ns) => ns.map((n) => Number(n.dataset.processed)));
  assert.ok(processed.filter((n) => n > 0).length >= 6, `consumers at work: ${processed}`);
  await screenshot(page, "comparison");
  assert.deepEqual(page.errors, []);
});

test("all six side by side: the share group's crashed member hands its record back at once and the others stay busy", async () => {
  const page = await open(browser, "?s=a&t=0");
  await page.getByRole("button", { name: "All six side by side" }).click();
  await page.locator('.picker .scenario[data-scenario="comparison6"][aria-pressed="true"]').waitFor();
  await page.locator('.node[data-entity="stream:f.orders"]').waitFor();
  await runTo(page, 4000);
  const worker2 = page.locator('.node[data-entity="consumer:f.worker-2"]');
  assert.equal(await worker2.getAttribute("data-state"), "crashed");
  const log = await logTexts(page, "");
  assert.ok(log.some((t) => /f\.orders\/\d offset \d+ released: f\.worker-2 crashed/.test(t)), "its record goes back");
  assert.ok(log.some((t) => /^f\.worker-[13] acquired f\.orders\/\d offset \d+ \(delivery 2,/.test(t)), "another member takes it, delivery count 2");

  const processed = async () => Object.fromEntries(await page.locator(".node.consumer").evaluateAll((ns) =>
    ns.filter((n) => n.dataset.entity.startsWith("consumer:f.")).map((n) => [n.dataset.entity, Number(n.dataset.processed)])));
  const at4 = await processed();
  await runTo(page, 7000);
  const at7 = await processed();
  assert.equal(at7["consumer:f.worker-2"], at4["consumer:f.worker-2"], "down from 4 s to 8 s");
  for (const w of ["consumer:f.worker-1", "consumer:f.worker-3"]) {
    assert.ok(at7[w] > at4[w], `${w} keeps working: ${at4[w]} → ${at7[w]}`);
  }
  for (const entity of ["queue:a.jobs", "exchange:b.news", "queue:c.email", "stream:d.log", "stream:e.orders", "stream:f.orders"]) {
    assert.ok(await page.locator(`.node[data-entity="${entity}"]`).isVisible(), `${entity} on the stage`);
  }
  await screenshot(page, "comparison6");
  assert.deepEqual(page.errors, []);
});

test("a guide step about nodes outside the drawing's box scrolls the box to them, not the page", async () => {
  const page = await openAt(browser, "comparison6", 6000);
  const inView = (entity) => page.evaluate((entity) => {
    const area = document.querySelector(".stage .canvas-area").getBoundingClientRect();
    const node = document.querySelector(`.stage .canvas-area [data-entity="${entity}"]`).getBoundingClientRect();
    return node.top >= area.top && node.bottom <= area.bottom && node.left >= area.left && node.right <= area.right;
  }, entity);
  const scrollable = await page.locator(".stage .canvas-area").evaluate((a) => a.scrollHeight > a.clientHeight);
  assert.ok(scrollable, "at 1280×800 the six rows are taller than the drawing's box");
  await page.waitForFunction(() => document.querySelector(".stage .canvas-area").scrollTop > 0);
  assert.ok(await inView("consumer:f.worker-1"), "the step's first node, f.worker-1, is inside the box");
  assert.equal(await page.evaluate(() => window.scrollY), 0, "the page stays where it was");
  // Back to the crash step, whose first node (a.worker-2) is in the first row.
  await page.locator("#guide-back").click();
  await page.waitForFunction(() => document.querySelector(".stage .canvas-area").scrollTop === 0);
  assert.ok(await inView("consumer:a.worker-2"), "a.worker-2 is inside the box");
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
