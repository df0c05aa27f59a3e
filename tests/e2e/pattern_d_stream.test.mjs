// Pattern D: reading keeps records; the replay reader reads the offsets live read before,
// with the same payloads.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { launch, openAt, logTexts, screenshot } from "./browser.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test("D: replay passes live's old offsets and reads identical payloads", async () => {
  const page = await openAt(browser, "d", 4000);
  const reads = async (who) => {
    await page.getByLabel("Entity").selectOption(who);
    await page.getByLabel("Kind").selectOption("read");
    await page.locator(`.log .row[data-entities~="${who}"]`).first().waitFor();
    const map = new Map();
    for (const t of await logTexts(page, ".read")) {
      const m = t.match(/offset (\d+): (.*)$/);
      if (m) map.set(Number(m[1]), m[2]);
    }
    return map;
  };
  const live = await reads("live");
  const replay = await reads("replay");
  assert.ok(replay.size >= 5, `replay read ${replay.size} records`);
  for (const [offset, payload] of replay) {
    assert.equal(payload, live.get(offset), `offset ${offset}`);
  }
  assert.equal(replay.get(0), "“click 0”");
  await screenshot(page, "pattern-d");
  assert.deepEqual(page.errors, []);
});
