// A compacted stream ("cleanup": "compact") in the playground, opened from a share link: its
// log shows the gaps compaction left, the inspector counts what compaction removed, and a
// reader that starts late from offset 0 reads the latest value of every key and nothing
// older.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { deflateRawSync } from "node:zlib";
import { launch, open, openAt, logTexts, screenshot } from "./browser.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const changelog = {
  version: 1,
  title: "Changelog: a compacted stream keeps the latest value per key",
  seed: 1,
  duration_ms: 10000,
  topology: {
    streams: [{ name: "users", partitions: 1, cleanup: "compact", tombstone_retention_ms: 2000 }],
  },
  producers: [{
    name: "updates", target: { stream: "users" }, rate_per_sec: 5,
    keys: { round_robin: ["alice", "bob", "carol"] }, payload: "{key} v{n}",
  }],
  consumers: [],
  script: [{ at_ms: 5000, action: { add_consumer: {
    name: "rebuild", attach: { stream: { stream: "users", auto_offset_reset: "earliest" } },
    processing: { fixed: 1 }, prefetch: 10,
  } } }],
};

/** The share link (`#v1.` + base64url of the raw-deflated state) opening `scenario` at `t`. */
function link(scenario, t, selected) {
  const shared = { id: "custom", scenario, actions: [], t_ms: t, speed: 1, selected };
  return `#v1.${deflateRawSync(Buffer.from(JSON.stringify(shared))).toString("base64url")}`;
}

test("a compacted stream shows its gaps and a late reader gets the latest value per key", async () => {
  const page = await open(browser, link(changelog, 7000, "stream:users"));
  await page.locator('#clock[data-now-ms="7000"]').waitFor();
  await page.locator('.node[data-entity="stream:users"]').waitFor();

  // Gaps: offsets whose record compaction removed are drawn hollow; the inspector counts them.
  const gaps = await page.locator(".node.stream .cell.gap").count();
  const cells = await page.locator(".node.stream .cell").count();
  assert.ok(gaps > 0 && gaps < cells, `${gaps} gaps among ${cells} cells`);
  const fact = await page.locator('[data-fact="partition 0"]').textContent();
  assert.match(fact, /offsets 0–\d+ \(\d+ kept, \d+ compacted away\)/);

  // The latest value of each key, as appended.
  await page.getByLabel("Kind").selectOption("appended");
  const latest = new Map();
  for (const t of (await logTexts(page, ".appended")).reverse()) {
    const m = t.match(/at (\d+): “(\w+) (v\d+)”$/);
    if (m) latest.set(m[2], { offset: Number(m[1]), value: m[3] });
  }
  assert.deepEqual([...latest.keys()].sort(), ["alice", "bob", "carol"]);

  // The late reader started at offset 0 and read only what compaction kept: one value per
  // key, the latest (no more records were appended since it caught up, at most a few).
  await page.getByLabel("Kind").selectOption("read");
  await page.getByLabel("Entity").selectOption("rebuild");
  await page.locator('.log .row.read[data-entities~="rebuild"]').first().waitFor();
  const reads = [];
  for (const t of (await logTexts(page, ".read")).reverse()) {
    const m = t.match(/offset (\d+): “(\w+) (v\d+)”$/);
    if (m) reads.push({ offset: Number(m[1]), key: m[2], value: m[3] });
  }
  const offsets = reads.map((r) => r.offset);
  assert.deepEqual(offsets, [...offsets].sort((a, b) => a - b), "offset order");
  assert.ok(reads.length < offsets.at(-1) + 1, `skipped gaps: ${offsets}`);
  const rebuilt = new Map(reads.map((r) => [r.key, r.value]));
  for (const [key, { value }] of latest) assert.equal(rebuilt.get(key), value, key);
  // The first reads (from offset 0 at 5 s) name each key at most twice: what compaction
  // had not yet caught up with, never the long history.
  const firstBatch = reads.filter((r) => r.offset < 25);
  assert.ok(firstBatch.length <= 6, `read ${firstBatch.length} records below offset 25`);

  await page.getByLabel("Entity").selectOption({ label: "all" });
  await page.getByLabel("Kind").selectOption("compacted");
  assert.ok((await logTexts(page, ".compacted")).length > 0, "compactions are in the log");
  await screenshot(page, "compaction");
  assert.deepEqual(page.errors, []);
});

test("the ready-made changelog: bob's delete reaches new-service, audit never hears of bob", async () => {
  const page = await openAt(browser, "changelog", 9000);
  await page.locator('.picker .scenario[data-scenario="changelog"][aria-pressed="true"]').waitFor();
  const readBy = async (who) => {
    await page.getByLabel("Entity").selectOption(who);
    await page.getByLabel("Kind").selectOption("read");
    await page.locator(`.log .row.read[data-entities~="${who}"]`).first().waitFor();
    return (await logTexts(page, ".read")).reverse().map((t) => t.match(/: “(.*)”$/)?.[1]);
  };
  const fresh = await readBy("new-service");
  assert.equal(fresh.length, 5, fresh.join(" | "));
  assert.equal(fresh.at(-1), "", "bob's tombstone comes last");
  const audit = await readBy("audit");
  assert.deepEqual(audit.map((p) => p.split(":")[0]), ["alice", "carol", "dave"]);
  assert.ok(await page.locator(".node.stream .cell.gap").count() > 10, "the history is gaps");
  await screenshot(page, "changelog");
  assert.deepEqual(page.errors, []);
});
