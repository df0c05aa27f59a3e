// Embedding: the embed code plays the same moment inside an iframe with minimal chrome; the
// patterns page runs live embedded playgrounds and is reachable from the app.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { launch, open, openAt, openDrawer, screenshot } from "./browser.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Waits until the clock inside the iframe `element` is past `ms`. */
async function runsPast(element, ms) {
  const frame = await (await element.elementHandle()).contentFrame();
  await frame.waitForFunction((t) => Number(document.querySelector("#clock")?.dataset.nowMs) > t, ms);
}

test("the patterns page is linked from the app and its six embedded playgrounds run", async () => {
  const page = await open(browser);
  await page.locator(".docs-link").click();
  await page.waitForURL(/patterns\.html$/);
  const frames = page.locator("section.pattern iframe");
  assert.equal(await frames.count(), 6);
  for (const i of [0, 1, 2, 3, 4, 5]) {
    await frames.nth(i).scrollIntoViewIfNeeded(); // they load lazily, when near the screen
    const frame = frames.nth(i).contentFrame();
    await frame.locator(".playground.embedded .node").first().waitFor();
    await runsPast(frames.nth(i), 500);
    assert.equal(await frame.locator(".picker, .event-log, .share").count(), 0, "minimal chrome");
    const open = frame.locator(".embed-head a");
    assert.equal(await open.getAttribute("target"), "_blank");
  }
  await page.evaluate(() => window.scrollTo(0, 0));
  await screenshot(page, "patterns-desktop");
  assert.deepEqual(page.errors, []);
});

test("the patterns page's share-group section plays scenario F and opens it in the playground", async () => {
  const page = await open(browser, "patterns.html");
  const section = page.locator("section.pattern#share-groups");
  const prose = await section.locator(".prose").textContent();
  for (const words of [/at least once/, /delivery count limit/, /lock expires/, /consumer group/, /A queue removes/, /order between records/]) {
    assert.match(prose, words);
  }
  const iframe = section.locator("iframe");
  assert.match(await iframe.getAttribute("src"), /[?&]s=f$/);
  await iframe.scrollIntoViewIfNeeded();
  const frame = iframe.contentFrame();
  await frame.locator('.playground.embedded .node[data-entity="consumer:worker-6"]').waitFor();
  await runsPast(iframe, 500);
  const [opened] = await Promise.all([
    page.context().waitForEvent("page"),
    frame.locator(".embed-head a").click(),
  ]);
  await opened.locator('main.playground[data-scenario="f"] .stage .node[data-entity="consumer:worker-6"]').waitFor();
  assert.equal(await opened.locator(".picker").count() > 0, true, "the full playground, not an embed");
  assert.deepEqual(page.errors, []);
  await opened.close();
});

test("the embed code embeds this moment, playing, sandboxed from its parent", async () => {
  const page = await openAt(browser, "c", 3000);
  await openDrawer(page, "share");
  await page.locator("#copy-embed").click();
  const code = await page.locator("#embed-code").inputValue();
  assert.match(code, /^<iframe src="[^"]+\?embed=1&amp;autoplay=1#v1\.[^"]+"/);
  assert.match(code, /sandbox="allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox"/);
  assert.doesNotMatch(code, /allow-top-navigation/);
  const host = await browser.newPage({ viewport: { width: 900, height: 700 } });
  const errors = [];
  host.on("pageerror", (e) => errors.push(e.message));
  await host.setContent(`<!doctype html><title>host</title><h1 id="host">Docs</h1>${code}`);
  const frame = host.locator("iframe").contentFrame();
  await frame.locator('.node[data-entity="queue:email"]').waitFor();
  await runsPast(host.locator("iframe"), 3000);
  assert.equal(await host.locator("#host").textContent(), "Docs", "the parent stays where it was");
  await screenshot(host, "embed-code-host");
  assert.deepEqual(errors, []);
});

test("an embed's drawing fills its frame, wide or small, whatever height= says", async () => {
  for (const [width, height] of [[800, 360], [400, 300]]) {
    const page = await open(browser, "?embed=1&s=e&t=7000&height=9999", { width, height });
    await page.locator('main.playground.embedded[data-now-ms="7000"] .node.stream').waitFor();
    const fit = await page.evaluate(() => {
      const box = (s) => document.querySelector(s).getBoundingClientRect();
      const area = box(".canvas-area");
      const svg = box("svg.canvas");
      return {
        scroll: [document.documentElement.scrollWidth - innerWidth, document.documentElement.scrollHeight - innerHeight],
        below: innerHeight - area.bottom,
        svg: [svg.width / area.width, svg.height / area.height],
      };
    });
    assert.deepEqual(fit.scroll, [0, 0], `${width}×${height}: the frame does not scroll`);
    assert.ok(fit.below >= 0 && fit.below <= 12, `${width}×${height}: the drawing reaches the frame's bottom (${fit.below}px left)`);
    assert.ok(Math.max(...fit.svg) > 0.95, `${width}×${height}: the drawing fills its area ${fit.svg}`);
    await screenshot(page, `embed-${width}x${height}`);
    assert.deepEqual(page.errors, []);
    await page.close();
  }
});

test("an embed has playback controls unless controls=0; height= is read and changes nothing drawn", async () => {
  const viewport = { width: 640, height: 420 };
  const moment = "?embed=1&s=a&t=2000";
  const opened = async (query) => {
    const page = await open(browser, moment + query, viewport);
    await page.locator('main.playground.embedded[data-now-ms="2000"] .node.consumer').first().waitFor();
    return page;
  };
  const boxes = (page) => page.evaluate(() => {
    const box = (s) => {
      const b = document.querySelector(s).getBoundingClientRect();
      return [b.top, b.width, b.height].map(Math.round);
    };
    return { area: box(".canvas-area"), drawing: box("svg.canvas") };
  });

  // By default: the playback controls, and they work.
  const shown = await opened("");
  const controls = shown.locator("main.playground.embedded section.controls");
  assert.equal(await controls.count(), 1);
  for (const id of ["#play", "#speed", "#clock"]) {
    assert.ok(await controls.locator(id).isVisible(), `${id} shown`);
  }
  const withControls = await boxes(shown);
  await controls.locator("#play").click();
  await shown.waitForFunction(() => Number(document.querySelector("main.embedded").dataset.nowMs) > 2000);
  assert.deepEqual(shown.errors, []);
  await shown.close();

  // controls=0: none of them, the drawing takes their room; height= (older embed codes)
  // is accepted and changes nothing.
  const without = {};
  for (const query of ["&controls=0", "&controls=0&height=150", "&controls=0&height=9999"]) {
    const page = await opened(query);
    const left = await page.locator("section.controls, #play, #step-event, #reset, #speed, #clock").count();
    assert.equal(left, 0, `${query}: no playback controls`);
    without[query] = await boxes(page);
    if (query === "&controls=0") await screenshot(page, "embed-controls-0");
    assert.deepEqual(page.errors, []);
    await page.close();
  }
  assert.deepEqual(without["&controls=0&height=150"], without["&controls=0"], "height=150 changes nothing");
  assert.deepEqual(without["&controls=0&height=9999"], without["&controls=0"], "height=9999 changes nothing");
  const [top, , height] = without["&controls=0"].area;
  assert.ok(top < withControls.area[0] && height > withControls.area[2],
    `the drawing's area moves up and grows without the controls: ${without["&controls=0"].area} vs ${withControls.area}`);

  // Without controls an autoplaying embed still plays.
  const auto = await open(browser, "?embed=1&autoplay=1&controls=0&s=a", viewport);
  await auto.waitForFunction(() => Number(document.querySelector("main.embedded")?.dataset.nowMs) > 500);
  assert.equal(await auto.locator("section.controls").count(), 0);
  assert.deepEqual(auto.errors, []);
  await auto.close();
});

test("the patterns page fits a phone", async () => {
  const page = await open(browser, "patterns.html", { width: 390, height: 844 });
  const frame = page.locator("section.pattern iframe").first().contentFrame();
  await frame.locator(".playground.embedded .node").first().waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page scrolls sideways by ${overflow}px`);
  const widths = await page.locator("section.pattern iframe").evaluateAll((fs) => fs.map((f) => f.getBoundingClientRect().right));
  assert.ok(widths.every((r) => r <= 390), `iframes inside the screen: ${widths}`);
  await screenshot(page, "patterns-phone");
  assert.deepEqual(page.errors, []);
});
