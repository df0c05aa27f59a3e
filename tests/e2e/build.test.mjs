// Building a topology from an empty canvas by clicks and drags only; keyed connections ask
// for their key; refused edits say why; undo and redo; moving a node.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { launch, open, openDrawer, screenshot } from "./browser.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const node = (page, key) => page.locator(`.node[data-entity="${key}"]`);

/** Drags with the mouse from the centre of `from` to the centre of `to` (or by `to.dx, to.dy`). */
async function drag(page, from, to) {
  const a = await from.boundingBox();
  const [x, y] = [a.x + a.width / 2, a.y + a.height / 2];
  const b = to.dx === undefined ? await to.boundingBox() : null;
  const [tx, ty] = b ? [b.x + b.width / 2, b.y + b.height / 2] : [x + to.dx, y + to.dy];
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + 10, y + 5, { steps: 3 });
  await page.mouse.move(tx, ty, { steps: 8 });
  await page.mouse.up();
}

/** Drags from `from`'s connect handle to the node `to`. */
async function connect(page, fromKey, toKey) {
  await drag(page, page.locator(`.handle[data-connect="${fromKey}"]`), node(page, toKey));
}

test("a fan-out built from nothing by clicks and drags copies each message into each queue", async () => {
  const page = await open(browser, "?s=a");
  await openDrawer(page, "build");
  await page.locator("#new-empty").click();
  await page.waitForFunction(() => document.querySelectorAll(".node").length === 0);
  await page.locator("#add-fanout").click();
  await page.locator("#add-queue").click();
  await page.locator("#add-queue").click();
  await connect(page, "exchange:exchange-1", "queue:queue-1");
  await connect(page, "exchange:exchange-1", "queue:queue-2");
  await page.locator(".edge.binding").nth(1).waitFor();
  await page.locator("#add-consumer").click();
  await page.locator("#add-consumer").click();
  await connect(page, "queue:queue-2", "consumer:consumer-2");
  await page.locator("#add-producer").click();
  await node(page, "producer:producer-1").waitFor();

  // Move a node by dragging it.
  const before = await node(page, "producer:producer-1").boundingBox();
  await drag(page, node(page, "producer:producer-1"), { dx: 30, dy: 120 });
  const after = await node(page, "producer:producer-1").boundingBox();
  assert.ok(Math.abs(after.y - before.y - 120) < 15, `moved: ${before.y} → ${after.y}`);

  // Publish one message by hand and see a copy routed into each queue.
  await node(page, "exchange:exchange-1").click();
  await page.locator("#publish-payload").fill("copy me");
  await page.locator("#publish-send").click();
  const routed = await page.locator(".log .row.routed .text").allTextContents();
  const mine = routed.filter((t) => t.startsWith(routed[0].split(" ")[0]));
  assert.deepEqual(mine.map((t) => t.split(" → ")[1]).sort(), ["queue-1", "queue-2"]);
  await page.getByLabel("Run to (ms)").fill("3000");
  await page.getByLabel("Run to (ms)").press("Enter");
  await page.locator('#clock[data-now-ms="3000"]').waitFor();
  const enqueued = [];
  for (const q of ["queue-1", "queue-2"]) {
    await node(page, `queue:${q}`).click();
    enqueued.push(Number(await page.locator('[data-fact="enqueued so far"]').textContent()));
  }
  assert.ok(enqueued[0] > 3 && enqueued[0] === enqueued[1], `${enqueued}`);
  await screenshot(page, "build-fan-out");
  assert.deepEqual(page.errors, []);
});

test("a keyed binding asks for its key; nonsense is refused in place; undo and redo", async () => {
  const page = await open(browser, "?s=a");
  await openDrawer(page, "build");
  await page.locator("#new-empty").click();
  await page.locator("#add-topic").click();
  await page.locator("#add-queue").click();
  await connect(page, "exchange:exchange-1", "queue:queue-1");
  await page.locator("#connect-key").fill("a..b");
  await page.locator("#connect-go").click();
  await page.locator("#notice").waitFor();
  assert.match(await page.locator("#notice").textContent(), /empty word/);
  assert.equal(await page.locator(".edge.binding").count(), 0);

  // Click source, click target: the keyboard-friendly way.
  await node(page, "exchange:exchange-1").click();
  await page.locator(".spec-editor summary").click();
  await page.locator("#connect-from").click();
  await node(page, "queue:queue-1").click();
  await page.locator("#connect-key").fill("orders.*");
  await page.locator("#connect-go").click();
  await page.locator(".edge.binding").waitFor();
  assert.match(await page.locator(".edge-label").first().textContent(), /orders\.\*/);

  await page.locator("#add-consumer").click();
  await connect(page, "consumer:consumer-1", "queue:queue-1");
  await page.locator("#notice").waitFor();
  assert.match(await page.locator("#notice").textContent(), /cannot connect/);

  // A spec edit that breaks a limit is refused and keeps the text.
  await node(page, "queue:queue-1").click();
  if (!(await page.locator(".spec-editor").evaluate((d) => d.open))) {
    await page.locator(".spec-editor summary").click();
  }
  await page.locator("#spec-json").fill('{ "name": "queue-1", "max_length": 0 }');
  await page.locator("#spec-apply").click();
  await page.locator("#notice", { hasText: "max length of 0" }).waitFor();
  assert.match(await page.locator("#spec-json").inputValue(), /"max_length": 0/);

  await page.locator("#delete").click();
  await page.waitForFunction(() => !document.querySelector('.node[data-entity="queue:queue-1"]'));
  await page.locator("#undo").click();
  await node(page, "queue:queue-1").waitFor();
  await page.locator(".edge.binding").waitFor();
  await page.locator("#redo").click();
  await page.waitForFunction(() => !document.querySelector('.node[data-entity="queue:queue-1"]'));
  assert.deepEqual(page.errors, []);
});
