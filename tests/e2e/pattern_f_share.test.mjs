// Pattern F, share groups (KIP-932): six workers on three partitions are all busy at once; a
// rejected record is not acquired again; a record whose lock expired goes to another member
// with delivery count 2. Read from the drawing and the event log's words. Each partition's
// share window is drawn under its log: held records in their holder's colour, the window
// sliding as records are acknowledged.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { launch, openAt, screenshot, scrub } from "./browser.mjs";

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

/** Every share window drawn on the stage: per partition, its SPSO, SPEO and records. */
async function windows(page) {
  return page.locator(".stage .partition").evaluateAll((parts) => parts.map((p) => {
    const w = p.querySelector('.share-window[data-group="fulfilment"]');
    return {
      partition: Number(p.dataset.partition),
      start: Number(w?.dataset.start),
      end: Number(w?.dataset.end),
      records: [...(w?.querySelectorAll(".share-record") ?? [])].map((r) => ({
        offset: Number(r.dataset.offset),
        state: r.dataset.state,
        holder: r.dataset.holder ?? null,
        delivery: Number(r.dataset.delivery),
        fill: r.querySelector("rect").getAttribute("fill"),
      })),
    };
  }));
}

test("F: each partition draws its share window, held records in the holder's colour, sliding as records are acknowledged", async () => {
  const page = await openAt(browser, "f", 3000);
  const early = await windows(page);
  assert.equal(early.length, 3, "a window per partition of orders");
  const colours = new Map();
  for (const w of early) {
    assert.ok(w.start <= w.end, `p${w.partition}: SPSO ${w.start} is not past SPEO ${w.end}`);
    assert.equal(w.records.length, w.end - w.start, `p${w.partition}: a cell per record in the window`);
    for (const r of w.records.filter((r) => r.state === "acquired")) {
      assert.ok(r.holder, `p${w.partition} @${r.offset}: an acquired record names its holder`);
      assert.ok(r.fill, "and is drawn in a colour");
      if (colours.has(r.holder)) assert.equal(colours.get(r.holder), r.fill, `${r.holder} has one colour`);
      colours.set(r.holder, r.fill);
    }
  }
  assert.ok(colours.size >= 2, `several members hold records at 3 s: ${[...colours.keys()]}`);

  // The lock worker-6 let expire: the drawing shows the record with delivery count 2, held
  // by another member or already settled by it.
  await scrub(page, 6100);
  const rows = await logRows(page);
  const expired = rows.find((r) => r.kind === "lock-expired" && /worker-6's lock on/.test(r.text));
  const [, partition, offset] = expired.text.match(/lock on orders\/(\d+) offset (\d+)/).map(Number);
  const late = await windows(page);
  const window = late.find((w) => w.partition === partition);
  const record = window.records.find((r) => r.offset === offset);
  if (record) {
    assert.equal(record.delivery, 2, `orders/${partition}@${offset} was delivered twice`);
    assert.notEqual(record.holder, "worker-6");
  } else {
    assert.ok(window.start > offset, `orders/${partition}@${offset} is settled: the window moved past it`);
  }
  for (const w of late) {
    const before = early.find((e) => e.partition === w.partition);
    assert.ok(w.start > before.start, `p${w.partition}: the window slid from ${before.start} to ${w.start}`);
    for (const r of w.records.filter((r) => r.state === "archived")) {
      assert.equal(r.holder, null, "an archived record has no holder");
    }
  }
  await screenshot(page, "pattern-f-windows");
  assert.deepEqual(page.errors, []);
});
