// The first minute: a first visit plays scenario A at once (not with reduced motion, not when
// the address names a moment); the guided tour pauses at each step's moment and highlights
// what it talks about; a stream's reader flags say where each reader is; embedded playgrounds
// stop while scrolled away and resume where they were, loop when they end, or offer to play
// again with `loop=0`.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { launch, open, openAt, logTexts, siteUrl } from "./browser.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const now = (page) => page.locator("#clock").getAttribute("data-now-ms").then(Number);

/** A ready-made scenario's length in ms, from its file. */
function durationMs(id) {
  const file = new URL(`../../core/scenarios/${id}.json`, import.meta.url);
  return JSON.parse(readFileSync(file, "utf8")).duration_ms;
}

test("a first visit plays scenario A at once, with the guide's first step highlighted", async () => {
  const page = await open(browser);
  await page.locator('.picker .scenario[data-scenario="a"][aria-pressed="true"]').waitFor();
  await page.locator('#play[aria-pressed="true"]').waitFor();
  await page.waitForFunction(() => Number(document.querySelector("#clock").dataset.nowMs) >= 500);
  await page.locator('.guide[data-step="0"]').waitFor();
  for (const key of ["producer:api", "queue:jobs", "consumer:worker-1", "consumer:worker-2"]) {
    await page.locator(`.node.highlight[data-entity="${key}"]`).waitFor();
  }
  assert.deepEqual(page.errors, []);
});

test("a first visit with reduced motion, or an address naming a moment, opens paused", async () => {
  const still = await browser.newPage({ viewport: { width: 1280, height: 800 }, reducedMotion: "reduce" });
  await still.goto(siteUrl);
  await still.locator(".node.consumer").first().waitFor();
  // Whether to play is decided before the first render: the first drawing already says.
  assert.equal(await still.locator("#play").getAttribute("aria-pressed"), "false");
  assert.equal(await now(still), 0);
  await still.close();

  const named = await openAt(browser, "a", 2000);
  assert.equal(await named.locator("#play").getAttribute("aria-pressed"), "false");
  assert.deepEqual(named.errors, []);
});

test("A's guided tour pauses at 3.1 s and highlights worker-2 and jobs; Next plays on to 3.6 s", async () => {
  const page = await open(browser, "?s=a&speed=10");
  await page.locator('#clock[data-now-ms="0"]').waitFor();
  await page.locator("#play").click();
  await page.locator('#clock[data-now-ms="3100"]').waitFor();
  await page.locator('#play[aria-pressed="false"]').waitFor();
  assert.equal(await now(page), 3100, "the run stopped at the step's moment");

  const guide = page.locator('.guide[data-step="1"]');
  assert.match(await guide.locator(".step-count").textContent(), /^Step 2 of 4 · at 3\.1 s$/);
  assert.match(await guide.locator(".say").textContent(), /^worker-2 has just crashed while holding a job/);
  await page.locator('.node.consumer[data-entity="consumer:worker-2"][data-state="crashed"]').waitFor();
  const highlighted = await page.locator(".node.highlight").evaluateAll((ns) => ns.map((n) => n.dataset.entity).sort());
  assert.deepEqual(highlighted, ["consumer:worker-2", "queue:jobs"]);

  await page.locator("#guide-next").click();
  await page.locator('#clock[data-now-ms="3600"]').waitFor();
  await page.locator('#play[aria-pressed="false"]').waitFor();
  await page.locator('.guide[data-step="2"]').waitFor();
  assert.deepEqual(
    await page.locator(".node.highlight").evaluateAll((ns) => ns.map((n) => n.dataset.entity)),
    ["consumer:worker-1"],
  );

  // With the guided tour off nothing is highlighted.
  await page.locator("#guide-pause").uncheck();
  await page.waitForFunction(() => !document.querySelector(".node.highlight"));
  assert.deepEqual(page.errors, []);
});

/**
 * Every reader flag and commit tick of every partition drawn, with what the inspector says
 * about that consumer: `[{ stream, partition, end, kind, consumer, offset, label, inspector }]`.
 */
async function markers(page) {
  const drawn = await page.locator(".partition").evaluateAll((ps) => ps.flatMap((p) => {
    const owner = p.closest("[data-stream]") ?? p.closest('[data-entity^="stream:"]');
    const stream = owner.dataset.stream ?? owner.dataset.entity.replace(/^stream:/, "");
    const of = (kind, attr) => [...p.querySelectorAll(`g.${kind}`)].map((g) => ({
      stream,
      partition: p.dataset.partition,
      end: Number(p.dataset.end),
      kind,
      consumer: g.dataset.consumer,
      offset: Number(g.dataset[attr]),
      label: g.querySelector("text.marker-label")?.textContent,
      box: (({ x, y, width, height }) => ({ x, y, width, height }))(g.querySelector("text.marker-label").getBoundingClientRect()),
    }));
    return [...of("reader", "position"), ...of("commit", "committed")];
  }));
  const inspected = new Map();
  for (const consumer of new Set(drawn.map((m) => m.consumer))) {
    await page.locator(`.node[data-entity="consumer:${consumer}"]`).click();
    await page.locator(`.inspector[data-entity="consumer:${consumer}"]`).waitFor();
    // "<stream>/<partition>: <position> / <committed> / <lag>"
    for (const line of await page.locator(".inspector ul.items li").allTextContents()) {
      const m = line.match(/^(\S+)\/(\d+): (\S+) \/ (\S+) \/ (\d+)$/);
      if (m) {
        inspected.set(`${consumer} ${m[1]}/${m[2]}`, {
          reader: Number(m[3]), commit: Number(m[4]), lag: Number(m[5]),
        });
      }
    }
  }
  return drawn.map((m) => {
    const seen = inspected.get(`${m.consumer} ${m.stream}/${m.partition}`);
    return { ...m, inspector: seen?.[m.kind], lag: seen?.lag };
  });
}

/** Whether two label boxes overlap. */
const overlap = (a, b) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

test("D at 6 s: each reader's flag shows its position and how far behind it is, as the inspector and the log say", async () => {
  const page = await openAt(browser, "d", 6000);
  const all = await markers(page);
  const readers = all.filter((m) => m.kind === "reader");
  assert.deepEqual(readers.map((m) => m.consumer).sort(), ["live", "replay"]);
  for (const m of readers) {
    assert.equal(m.offset, m.inspector, `${m.consumer}: the flag's offset is the inspector's position`);
    assert.equal(m.label, `${m.consumer} @${m.offset} · ${m.end - m.offset} behind`);
    // The position is the offset after the last record the reader read.
    await page.getByLabel("Entity").selectOption(m.consumer);
    await page.getByLabel("Kind").selectOption("read");
    await page.locator(`.log .row.read[data-entities~="${m.consumer}"]`).first().waitFor();
    const [last] = await logTexts(page, ".read");
    assert.equal(Number(last.match(/offset (\d+):/)[1]) + 1, m.offset, `${m.consumer}: ${last}`);
  }
  // live keeps up with the log; replay was reset to the log start by retention at 6 s.
  const start = Number(await page.locator('.partition[data-partition="0"]').getAttribute("data-start"));
  const by = Object.fromEntries(readers.map((m) => [m.consumer, m]));
  assert.equal(by.live.offset, by.live.end);
  assert.ok(by.replay.offset > start && by.replay.offset < by.live.offset, `${start} < ${by.replay.offset}`);

  const commits = all.filter((m) => m.kind === "commit");
  assert.deepEqual(commits.map((m) => m.consumer).sort(), ["live", "replay"]);
  for (const m of commits) {
    assert.equal(m.offset, m.inspector, `${m.consumer}: the tick's offset is the inspector's committed`);
    assert.equal(m.label, `${m.consumer} ✓${m.offset} · lag ${m.lag}`);
  }
  for (const [i, a] of all.entries()) {
    assert.ok(a.box.width > 0 && a.box.height > 0, `${a.label} is drawn`);
    for (const b of all.slice(i + 1)) assert.ok(!overlap(a.box, b.box), `"${a.label}" overlaps "${b.label}"`);
  }
  assert.deepEqual(page.errors, []);
});

test("E at 7 s: each partition's flags and ticks agree with the inspector; owners are named", async () => {
  const page = await openAt(browser, "e", 7000);
  const all = await markers(page);
  assert.ok(all.length >= 6, `${all.length} markers`);
  for (const m of all) {
    assert.equal(m.offset, m.inspector, `${m.kind} ${m.consumer} on ${m.stream}/${m.partition}`);
    assert.ok(m.offset <= m.end);
    if (m.kind === "reader") assert.equal(m.label, `${m.consumer} @${m.offset} · ${m.end - m.offset} behind`);
    else assert.match(m.label, new RegExp(`^(analytics|backup) ✓${m.offset} · lag ${m.lag}$`));
  }
  const owners = await page.locator(".partition").evaluateAll((ps) =>
    ps.map((p) => [...p.querySelectorAll("text.owner")].map((t) => t.textContent.trim())));
  const table = await page.locator('.group-table[data-group="analytics"] tr.assignment .owner').allTextContents();
  assert.deepEqual(owners.map((o) => o.find((n) => n.startsWith("analytics"))), table);
  assert.ok(owners.every((o) => o.includes("backup-1")), `${JSON.stringify(owners)}`);
  assert.deepEqual(page.errors, []);
});

/** The embedded playground's root in `frame`. */
const embedRoot = "main.playground.embedded";
const embedNow = (frame) => frame.locator(embedRoot).getAttribute("data-now-ms").then(Number);

/**
 * Waits until the embedded playground in `frame` has run at least `ms` of logical time from
 * now, counting across a loop back to 0.
 */
async function runsFor(frame, ms) {
  await frame.evaluate(() => { window.e2eRun = { last: undefined, ran: 0 }; });
  await frame.waitForFunction(([root, need]) => {
    const at = Number(document.querySelector(root)?.dataset.nowMs);
    if (Number.isNaN(at)) return false;
    const r = window.e2eRun;
    if (r.last !== undefined) r.ran += at >= r.last ? at - r.last : at;
    r.last = at;
    return r.ran >= need;
  }, [embedRoot, ms]);
}

test("an embed scrolled out of view stops, and resumes where it was when scrolled back", async () => {
  const page = await open(browser, "patterns.html");
  const iframes = page.locator("section.pattern iframe");
  const first = iframes.nth(0);
  const last = iframes.last();
  await first.scrollIntoViewIfNeeded();
  const a = await (await first.elementHandle()).contentFrame();
  await a.locator(`${embedRoot}[data-playing="true"]`).waitFor();
  await a.waitForFunction((root) => Number(document.querySelector(root).dataset.nowMs) > 0, embedRoot);

  await last.scrollIntoViewIfNeeded();
  const box = await first.boundingBox();
  assert.ok(box.y + box.height < -200, `the first embed is far off screen: ${JSON.stringify(box)}`);
  const e = await (await last.elementHandle()).contentFrame();
  await e.locator(`${embedRoot}[data-playing="true"]`).waitFor();
  await runsFor(e, 1000); // by now the first embed has seen that it is off screen
  const stopped = await embedNow(a);
  await runsFor(e, 1000);
  assert.equal(await embedNow(a), stopped, "the embed off screen did not advance");
  assert.equal(await a.locator(embedRoot).getAttribute("data-playing"), "true", "still playing, only held");
  assert.ok(stopped < durationMs("a") - 1000, `stopped at ${stopped}, well before the end`);

  // Back on screen it goes on from where it stood: no jump for the time it was away.
  await a.evaluate((root) => {
    window.e2eSeen = [];
    new MutationObserver(() => window.e2eSeen.push(Number(document.querySelector(root).dataset.nowMs)))
      .observe(document.querySelector(root), { attributes: true, attributeFilter: ["data-now-ms"] });
  }, embedRoot);
  await first.scrollIntoViewIfNeeded();
  await a.waitForFunction((t) => window.e2eSeen.some((v) => v > t + 500), stopped);
  const seen = await a.evaluate(() => window.e2eSeen);
  assert.ok(seen[0] > stopped && seen[0] < stopped + 1000, `resumed from ${stopped}: ${seen.slice(0, 5)}`);
  assert.ok(seen.every((v) => v >= stopped), `never went back: ${seen}`);
  assert.deepEqual(page.errors, []);
});

/** Records in `window.e2eStates` every `[data-playing, data-now-ms]` the embed's root takes. */
async function recordStates(page) {
  await page.locator(embedRoot).waitFor();
  await page.evaluate((root) => {
    const main = document.querySelector(root);
    const note = () => window.e2eStates.push([main.dataset.playing, Number(main.dataset.nowMs)]);
    window.e2eStates = [];
    note();
    new MutationObserver(note).observe(main, { attributes: true, attributeFilter: ["data-playing", "data-now-ms"] });
  }, embedRoot);
}

test("an embed that reaches its end holds it, then plays again from the start", async () => {
  const page = await open(browser, "?embed=1&autoplay=1&s=b&speed=25", { width: 800, height: 360 });
  const end = durationMs("b");
  await recordStates(page);
  await page.waitForFunction((end) => window.e2eStates.some(([, t]) => t >= end), end);
  assert.equal(await page.locator(".replay").count(), 0, "a looping embed offers no Play again");
  // Back to the start, still playing, and on through the first second again.
  await page.waitForFunction((end) => {
    const s = window.e2eStates;
    const atEnd = s.findIndex(([, t]) => t >= end);
    const again = s.findIndex(([p, t], i) => i > atEnd && p === "true" && t < 1000);
    return again > 0 && s.slice(again).some(([p, t]) => p === "true" && t >= 1000);
  }, end);
  const states = await page.evaluate(() => window.e2eStates);
  const atEnd = states.findIndex(([, t]) => t >= end);
  assert.ok(states.slice(atEnd).every(([p]) => p === "true"), `kept playing: ${JSON.stringify(states.slice(atEnd, atEnd + 6))}`);
  assert.deepEqual(page.errors, []);
});

test("with loop=0 a finished embed stops and offers Play again, which replays the run", async () => {
  const page = await open(browser, "?embed=1&autoplay=1&s=b&speed=25&loop=0", { width: 800, height: 360 });
  const end = durationMs("b");
  const replay = page.getByRole("button", { name: "Play again" });
  await replay.waitFor();
  assert.equal(await embedNow(page), end);
  assert.equal(await page.locator(embedRoot).getAttribute("data-playing"), "false");
  // The replay at 25× is over in a few frames: record every state the root goes through.
  await recordStates(page);
  await replay.click();
  await page.waitForFunction((end) => window.e2eStates.some(([p, t], i) => i > 0 && p === "false" && t === end), end);
  const states = await page.evaluate(() => window.e2eStates);
  const restart = states.findIndex(([p, t]) => p === "true" && t < 1000);
  assert.ok(restart >= 0, `played again from the start: ${JSON.stringify(states.slice(0, 5))}`);
  assert.ok(states.slice(restart).some(([p, t]) => p === "true" && t > 1000 && t < end), "played through");
  await replay.waitFor();
  assert.deepEqual(page.errors, []);
});
