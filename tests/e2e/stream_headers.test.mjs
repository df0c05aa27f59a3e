// A stream record produced by hand carries its headers: the stream's inspector and the event
// log's "appended" row show them, as a queue message's inspector does.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { launch, openAt, logTexts, screenshot } from "./browser.mjs";

const select = (page, key) => page.locator(`.node[data-entity="${key}"]`).first().click();

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test("D: a record produced by hand with headers shows them in the inspector and the log", async () => {
  const page = await openAt(browser, "d", 1000);
  await select(page, "stream:clicks");
  assert.equal(await page.locator("#publish-target").inputValue(), "stream:clicks");
  await page.locator("#publish-key").fill("u-e2e");
  await page.locator("#publish-payload").fill("by hand");
  await page.locator("#publish-headers").fill("source=e2e, trace=42");
  await page.locator("#publish-send").click();
  assert.equal(await page.locator("#notice").count(), 0, "nothing refused");

  await page.getByLabel("Kind").selectOption("appended");
  const row = page.locator(".log .row.appended .text", { hasText: "by hand" });
  await row.first().waitFor();
  assert.match(await row.first().textContent(), /“by hand” \[source=e2e, trace=42\]$/);
  const appended = await logTexts(page, ".appended");
  assert.ok(appended.some((t) => t.includes("[source=e2e, trace=42]")), appended.join("\n"));

  const item = page.locator(".inspector ul.items li", { hasText: /^p\d+ @\d+: “by hand”/ });
  await item.waitFor();
  assert.match(await item.textContent(), /“by hand” \[source=e2e, trace=42\]/);
  await screenshot(page, "stream-headers");
  assert.deepEqual(page.errors, []);
});
