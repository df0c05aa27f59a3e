// Why, for any message: a queue's cells, a stream's log cells and dots in flight on the
// drawing, and the inspector's lists, each open the story of their message without
// selecting the node around them; a record's story names who published it and, for a
// consumer group, each member that did not read it and why.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { launch, openAt, screenshot } from "./browser.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test("a queue's cell opens its message's story, and the inspector's why? buttons do too", async () => {
  const page = await openAt(browser, "a", 4500);
  const cell = page.locator('.node[data-entity="queue:jobs"] .message-cell').first();
  await cell.click();
  const story = page.locator("section.story");
  await story.waitFor();
  assert.equal(await story.locator(".origin").textContent(), "published by api");
  const kinds = await story.locator(".story-events li").evaluateAll((ls) => ls.map((l) => l.dataset.kind));
  assert.equal(kinds[0], "published", kinds.join(" "));
  assert.equal(await page.locator('.inspector[data-entity="queue:jobs"]').count(), 0, "the click did not select the queue");
  await screenshot(page, "why-queue-cell");

  // The inspector lists the queue's ready messages, each with its why? button.
  await page.locator('.node[data-entity="queue:jobs"] text.name').click();
  const item = page.locator('.inspector[data-entity="queue:jobs"] ul.items li[data-message]').last();
  const message = await item.getAttribute("data-message");
  await item.getByRole("button", { name: `Why: the story of ${message}` }).click();
  await page.locator(`section.story[data-message="${message}"]`).waitFor();
  assert.deepEqual(page.errors, []);
});

test("a stream's log cell opens its record's story, and a dot in flight its message's", async () => {
  const page = await openAt(browser, "e", 3000);
  const cell = page.locator('.node.stream .partition[data-partition="0"] .cell[data-offset]').last();
  const offset = await cell.getAttribute("data-offset");
  await cell.click();
  const story = page.locator("section.story");
  await story.locator(".record").waitFor();
  assert.match(await story.locator(".record").textContent(), new RegExp(`^orders/0 offset ${offset}: still in the log`));
  assert.equal(await story.locator(".origin").textContent(), "published by checkout");
  assert.equal(await page.locator('.inspector[data-entity="stream:orders"]').count(), 0, "the click did not select the stream");

  // One step shows its hops halfway along their edges; a dot opens its message's story.
  await page.locator("#step-event").click();
  const dot = page.locator(".flights .dot[data-message]").first();
  await dot.waitFor();
  const message = await dot.getAttribute("data-message");
  await dot.dispatchEvent("click");
  await page.locator(`section.story[data-message="${message}"]`).waitFor();
  assert.deepEqual(page.errors, []);
});

test("why not: a record read by one analytics member says, for each other member, who owned its partition and in which generation", async () => {
  const page = await openAt(browser, "e", 7000);
  await page.locator("#log-kind").selectOption("read");
  await page.locator("#log-entity").selectOption("analytics-1");
  await page.locator(".log .row.read .why").first().click();
  const story = page.locator("section.story");
  const lines = story.locator(".not-read li");
  await lines.first().waitFor();
  const members = await lines.evaluateAll((ls) => ls.map((l) => l.dataset.who));
  assert.deepEqual(members.sort(), ["analytics-2", "analytics-3", "analytics-4"]);
  for (const line of await lines.allTextContents()) {
    assert.match(line, /^analytics-\d: in analytics: analytics-1 owned orders\/\d in generation \d+ and read it at \d+ ms; /, line);
  }
  const kinds = await story.locator(".story-events li").evaluateAll((ls) => ls.map((l) => l.dataset.kind));
  assert.ok(kinds.indexOf("rebalanced") < kinds.indexOf("read"), `the assignment comes before the read: ${kinds.join(" ")}`);
  await screenshot(page, "why-not-group-member");
  assert.deepEqual(page.errors, []);
});
