// Pattern F, share groups (KIP-932): six workers on three partitions are all busy at once; a
// rejected record is not acquired again; a record whose lock expired goes to another member
// with delivery count 2. Read from the drawing and the event log's words.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { launch, openAt, screenshot } from "./browser.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const WORKERS = ["worker-1", "worker-2", "worker-3", "worker-4", "worker-5", "worker-6"];

/** The event log's rows, oldest first: `{ kind, text }`. */
async function logRows(page) {
  const rows = await page.locator(".event-log .row").evaluateAll((rs) =>
    rs.map((r) => ({ kind: r.dataset.kind, text: r.textContent })));
  return rows.reverse();
}

test("F: six members on three partitions are all busy at once", async () => {
  const page = await openAt(browser, "f", 5000);
  for (const w of WORKERS) {
    const node = page.locator(`.stage .node[data-entity="consumer:${w}"]`);
    assert.match(await node.textContent(), /busy/, `${w} works on a record`);
  }
  await screenshot(page, "pattern-f");
  assert.deepEqual(page.errors, []);
});

test("F: an expired lock hands the record to another member with delivery count 2; a rejected record is not acquired again", async () => {
  const page = await openAt(browser, "f", 6100);
  const rows = await logRows(page);
  const expired = rows.findIndex((r) => r.kind === "lock-expired" && /worker-6's lock on/.test(r.text));
  assert.ok(expired >= 0, "worker-6's lock expires");
  const record = rows[expired].text.match(/lock on (orders\/\d+ offset \d+)/)[1];
  const next = rows.slice(expired).find((r) => r.kind === "acquired" && r.text.includes(`acquired ${record} `));
  assert.ok(next, `${record} is acquired again`);
  assert.match(next.text, /\(delivery 2,/);
  assert.doesNotMatch(next.text, /^.*worker-6 acquired/);

  const rejected = rows.filter((r) => r.kind === "rejected");
  assert.ok(rejected.length > 0, "worker-5 rejects a record");
  for (const r of rejected) {
    const gone = r.text.match(/(orders\/\d+ offset \d+)/)[1];
    const after = rows.slice(rows.indexOf(r));
    assert.ok(!after.some((x) => x.kind === "acquired" && x.text.includes(`acquired ${gone} `)), `${gone} is never acquired again`);
  }
  assert.deepEqual(page.errors, []);
});
