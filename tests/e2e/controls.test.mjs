// The hand-made actions: add and remove group members, seek, commit now, publish by hand
// with a key and headers, change a producer's rate; what they show; bad input refused.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { launch, openAt, screenshot } from "./browser.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const select = (page, key) => page.locator(`.node[data-entity="${key}"], .group-box[data-entity="${key}"]`).first().click();
const clock = (page) => page.locator("#clock").getAttribute("data-now-ms").then(Number);

/** Steps 100 ms at a time until `check()` holds (at most `steps` times). */
async function stepUntil(page, check, steps = 30) {
  for (let i = 0; i < steps && !(await check()); i++) {
    const before = await clock(page);
    await page.locator("#step-100").click();
    await page.locator(`#clock:not([data-now-ms="${before}"])`).waitFor();
  }
  return check();
}

test("adding a member to a group starts a new generation that lists it; removing one hands its partitions over", async () => {
  // At 0.5 s: the rebalances this starts end (at the members' next heartbeats) before the
  // script's own join at 2 s.
  const page = await openAt(browser, "e", 500);
  const table = page.locator('.group-table[data-group="analytics"]');
  const generation = Number(await table.getAttribute("data-generation"));
  await table.getByRole("button", { name: "Add member to analytics" }).click();
  const joined = await stepUntil(page, async () =>
    (await table.locator("tr.assignment .owner").allTextContents()).includes("analytics-5"));
  assert.ok(joined, "the new member owns a partition");
  assert.ok(Number(await table.getAttribute("data-generation")) > generation);
  // analytics-2 to -4 join later by the script: the new member takes the first free name.
  await page.locator('.node[data-entity="consumer:analytics-5"]').waitFor();
  const steps = await table.locator(".rebalances li").allTextContents();
  assert.match(steps[0], /assigned: .*→ analytics-5/);

  await select(page, "consumer:analytics-1");
  await page.locator("#remove").click();
  const handed = await stepUntil(page, async () => {
    const owners = await table.locator("tr.assignment .owner").allTextContents();
    return owners.length === 3 && owners.every((o) => o === "analytics-5");
  });
  assert.ok(handed, "the remaining member owns every partition");
  await screenshot(page, "controls-members");
  assert.deepEqual(page.errors, []);
});

test("seeking a stream reader to the beginning moves its position back to the log start", async () => {
  const page = await openAt(browser, "d", 6000);
  await select(page, "consumer:live");
  const position = async () => {
    const line = await page.locator(".inspector ul.items li").first().textContent();
    return Number(line.split(": ")[1].split(" / ")[0]);
  };
  const before = await position();
  await page.locator("#seek-to").selectOption("beginning");
  await page.locator("#seek-go").click();
  await page.waitForFunction((b) => {
    const li = document.querySelector(".inspector ul.items li");
    return li && Number(li.textContent.split(": ")[1].split(" / ")[0]) < b;
  }, before);
  const after = await position();
  assert.ok(after < before, `${after} < ${before}`);

  await page.locator("#seek-to").selectOption("offset");
  await page.locator("#seek-value").fill(String(before));
  await page.locator("#seek-go").click();
  await page.waitForFunction((b) => {
    const li = document.querySelector(".inspector ul.items li");
    return li && Number(li.textContent.split(": ")[1].split(" / ")[0]) === b;
  }, before);

  await page.locator("#commit").click();
  const now = await clock(page);
  await page.locator(".log .row.committed").first().waitFor();
  const committedAt = await page.locator(".log .row.committed .at").first().textContent();
  assert.equal(committedAt.trim(), `${now} ms`);
  assert.equal(await page.locator("#notice").count(), 0);
  assert.deepEqual(page.errors, []);
});

test("a message published by hand carries its headers and its payload stays text", async () => {
  const page = await openAt(browser, "c", 3000);
  await select(page, "exchange:orders");
  assert.equal(await page.locator("#publish-target").inputValue(), "exchange:orders");
  await page.locator("#publish-payload").fill("<b>by hand</b>");
  await page.locator("#publish-headers").fill("source=e2e, trace=42");
  await page.locator("#publish-send").click();
  await select(page, "queue:email");
  const item = page.locator(".inspector ul.items li", { hasText: "by hand" });
  await item.waitFor();
  assert.match(await item.textContent(), /“<b>by hand<\/b>” \[source=e2e, trace=42\]/);
  assert.equal(await page.locator(".inspector b").count(), 0, "the payload is not HTML");

  // Malformed headers: a clear message, nothing published, the topology kept.
  const depth = await page.locator('[data-fact="depth"]').textContent();
  await page.locator("#publish-headers").fill("source=e2e, oops");
  await page.locator("#publish-send").click();
  await page.locator("#notice").waitFor();
  assert.match(await page.locator("#notice").textContent(), /oops.*not name=value/);
  assert.equal(await page.locator('[data-fact="depth"]').textContent(), depth);
  await screenshot(page, "controls-publish");
  assert.deepEqual(page.errors, []);
});

test("a producer's new rate shows on its node; an out-of-range rate is refused", async () => {
  const page = await openAt(browser, "a", 1000);
  await select(page, "producer:api");
  await page.locator("#rate").fill("40");
  await page.locator("#rate-set").click();
  await page.locator('.node[data-entity="producer:api"]', { hasText: "40/s" }).waitFor();
  await page.locator("#rate").fill("20000000");
  await page.locator("#rate-set").click();
  await page.locator("#notice").waitFor();
  assert.match(await page.locator("#notice").textContent(), /rate_per_sec.*outside/);
  await page.locator('.node[data-entity="producer:api"]', { hasText: "40/s" }).waitFor();
  assert.deepEqual(page.errors, []);
});

test("while playing, messages move along the edges as coloured dots", async () => {
  const page = await openAt(browser, "comparison", 1000);
  await page.locator("#play").click();
  await page.locator(".flights .dot").first().waitFor();
  const fills = await page.locator(".flights .dot").evaluateAll((ds) => ds.map((d) => d.getAttribute("fill")));
  assert.ok(fills.length > 0 && fills.every((f) => /^#[0-9a-f]{6}$/.test(f)), `${fills}`);
  await page.locator("#play").click();
  await screenshot(page, "controls-flights");
  assert.deepEqual(page.errors, []);
});
