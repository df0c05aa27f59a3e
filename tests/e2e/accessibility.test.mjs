// Accessibility: axe-core (from node_modules) finds no serious or critical violation in the
// app (scenario E at 7 s with the drawers and the inspector open, scenario A at a guide
// step, scenario F's share group inspected), in an embedded playground on its own and on the
// patterns page; and the app works from the keyboard with the focus always visible.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { launch, open, openAt, openDrawer, scrub } from "./browser.mjs";

const axePath = fileURLToPath(new URL("../../node_modules/axe-core/axe.min.js", import.meta.url));

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/**
 * Runs axe-core on `page`'s own document (iframes are checked on their own pages) and returns
 * the serious and critical violations, one line per failing element.
 */
async function violations(page) {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ path: axePath });
  const found = await page.evaluate(async () => {
    const result = await window.axe.run(document, { iframes: false, resultTypes: ["violations"] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ impact: n.impact, target: n.target.join(" "), summary: n.failureSummary })),
    }));
  });
  return found.flatMap((v) => v.nodes
    .filter((n) => ["serious", "critical"].includes(n.impact ?? v.impact))
    .map((n) => `${v.id} (${n.impact ?? v.impact}): ${n.target}: ${v.help}. ${n.summary.replace(/\s+/g, " ")}`));
}

/** Fails with every serious or critical violation found on each `[what, page]`. */
async function assertAccessible(...pages) {
  const found = [];
  for (const [what, page] of pages) {
    for (const v of await violations(page)) found.push(`${what}: ${v}`);
  }
  assert.equal(found.length, 0, `${found.length} serious or critical violations:\n${found.join("\n")}`);
}

test("axe: the app on scenario E at 7 s, as it opens and with the drawers and the inspector open", async () => {
  const plain = await openAt(browser, "e", 7000);
  const page = await openAt(browser, "e", 7000);
  await page.locator('.node[data-entity="consumer:analytics-1"]').click();
  await page.locator('.inspector[data-entity="consumer:analytics-1"]').waitFor();
  await openDrawer(page, "build");
  await openDrawer(page, "share");
  await page.locator("#export-kafka").click();
  await page.locator('.export-output[data-format="kafka"]').waitFor();
  await assertAccessible(["E at 7 s", plain], ["E at 7 s, inspecting analytics-1, building and sharing", page]);
  assert.deepEqual([...plain.errors, ...page.errors], []);
});

test("axe: the app on scenario A at its guide's second step", async () => {
  const page = await openAt(browser, "a", 3100);
  await page.locator('.node.highlight[data-entity="consumer:worker-2"]').waitFor();
  await assertAccessible(["A at 3.1 s", page]);
  assert.deepEqual(page.errors, []);
});

test("axe: the app on scenario F at 6 s, its share windows drawn and a member inspected", async () => {
  const page = await openAt(browser, "f", 6000);
  await page.locator(".stage .share-window").first().waitFor();
  await page.locator('.stage .node[data-entity="consumer:worker-1"]').click();
  await page.locator(".inspector").getByText("records held").waitFor();
  await assertAccessible(["F at 6 s", page]);
  assert.deepEqual(page.errors, []);
});

test("axe: scenario F at 5 s with its share group's box selected from the keyboard", async () => {
  const page = await openAt(browser, "f", 5000);
  const box = page.locator('.group-box[data-entity^="share-group:"]');
  await box.focus();
  await page.keyboard.press("Enter");
  await page.locator('.inspector[data-entity^="share-group:"]').waitFor();
  await assertAccessible(["F at 5 s, inspecting its share group", page]);
  assert.deepEqual(page.errors, []);
});

test("axe: the app with two futures side by side (A forked at 3 s)", async () => {
  const page = await openAt(browser, "a", 8000);
  await scrub(page, 3000);
  await page.locator('.node[data-entity="consumer:worker-2"]').click();
  await page.locator("#cancel-crash").click();
  await page.locator("#fork").waitFor();
  await scrub(page, 8000);
  await page.locator('#fork-messages tr[data-outcome="redelivered"]').waitFor();
  await assertAccessible(["A forked at 3 s, at 8 s", page]);
  assert.deepEqual(page.errors, []);
});

test("axe: an embedded playground, and the patterns page around six of them", async () => {
  const embed = await open(browser, "?embed=1&s=e&t=7000", { width: 800, height: 360 });
  await embed.locator('main.playground.embedded[data-now-ms="7000"] .node.stream').waitFor();
  const ended = await open(browser, "?embed=1&autoplay=1&s=b&speed=25&loop=0", { width: 400, height: 300 });
  await ended.locator(".replay").waitFor();
  const page = await open(browser, "patterns.html");
  await page.locator("section.pattern iframe").first().contentFrame().locator(".node").first().waitFor();
  await assertAccessible(["the embed of E at 7 s", embed], ["an embed at its end", ended], ["patterns.html", page]);
  assert.deepEqual([...embed.errors, ...ended.errors, ...page.errors], []);
});

/** What has the focus: its tag, id, classes and data-entity / data-scenario, and whether it shows it. */
function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const css = getComputedStyle(el);
    const outline = css.outlineStyle !== "none" && parseFloat(css.outlineWidth) > 0;
    // A drawing node shows its focus as the frame of its box (an outline would not follow
    // its shape): the frame's stroke turns to the accent colour.
    const frame = el.matches(".node, .group-box") ? el.querySelector(":scope > rect") : null;
    const accent = getComputedStyle(document.documentElement).getPropertyValue("--accent").trim();
    const toRgb = (hex) => `rgb(${[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(", ")})`;
    const ring = frame !== null && getComputedStyle(frame).stroke === toRgb(accent);
    return {
      what: `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""}${[...el.classList].map((c) => `.${c}`).join("")}`,
      entity: el.dataset?.entity,
      scenario: el.dataset?.scenario,
      shown: outline || ring,
      how: frame ? `stroke ${frame && getComputedStyle(frame).stroke}` : `outline ${css.outlineStyle} ${css.outlineWidth}`,
    };
  });
}

test("keyboard: Tab reaches the picker, Build, Share, a node, Play and the guide's Next, always visibly; Enter inspects a node", async () => {
  // At a guide step, so that some nodes are highlighted while they take the focus.
  const page = await openAt(browser, "a", 3100);
  const seen = [];
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press("Tab");
    const f = await focused(page);
    if (!f) continue;
    seen.push(f);
    if (f.what.startsWith("button#guide-next")) break;
  }
  const reached = (test) => seen.some(test);
  assert.ok(reached((f) => f.scenario === "a" && f.what.includes(".scenario")), "the picker");
  assert.ok(reached((f) => f.what === "button#mode-build"), "Build");
  assert.ok(reached((f) => f.what === "button#mode-share"), "Share");
  assert.ok(reached((f) => f.entity === "consumer:worker-2"), "a node of the drawing");
  assert.ok(reached((f) => f.what.startsWith("button#play")), "Play");
  assert.ok(reached((f) => f.what.startsWith("button#guide-next")), "the guide's Next");
  const hidden = seen.filter((f) => !f.shown);
  assert.deepEqual(hidden.map((f) => `${f.what} ${f.entity ?? ""} (${f.how})`), [], "focus not shown");

  // Back to a node with Shift+Tab, then Enter opens the inspector on it.
  for (let i = 0; i < 60; i++) {
    const f = await focused(page);
    if (f?.entity === "consumer:worker-1") break;
    await page.keyboard.press("Shift+Tab");
  }
  assert.equal((await focused(page))?.entity, "consumer:worker-1");
  await page.keyboard.press("Enter");
  await page.locator('.inspector[data-entity="consumer:worker-1"]').waitFor();
  assert.deepEqual(page.errors, []);
});
