// Building a share group (KIP-932) from an empty canvas: the palette adds a stream and a share
// group with one member; a dragged connection gives it a second member; its box is selected by
// click and keyboard; the spec editor changes its lock duration and refuses a bad value;
// played, its members process records and the inspector shows each share-partition's window.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { launch, open, openDrawer, screenshot } from "./browser.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const GROUP = "share-group:share-group-1";
const box = (page) => page.locator(`.group-box[data-entity="${GROUP}"]`);
const node = (page, key) => page.locator(`.node[data-entity="${key}"]`);
const fact = (page, label) => page.locator(`.inspector [data-fact="${label}"]`);

/** Drags `from`'s connect handle onto the share group box's title (above its members). */
async function connectToBox(page, fromKey) {
  const a = await page.locator(`.handle[data-connect="${fromKey}"]`).boundingBox();
  const b = await box(page).boundingBox();
  const [x, y] = [a.x + a.width / 2, a.y + a.height / 2];
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + 10, y + 5, { steps: 3 });
  await page.mouse.move(b.x + 20, b.y + 6, { steps: 8 });
  await page.mouse.up();
}

/** Fails unless the box's title and summary lie within its frame. */
async function assertTitleFits(page) {
  const frame = await box(page).locator(":scope > rect").boundingBox();
  for (const text of ["name", "summary"]) {
    const t = await box(page).locator(`:scope > text.${text}`).boundingBox();
    assert.ok(t.x >= frame.x && t.x + t.width <= frame.x + frame.width, `${text} fits: ${JSON.stringify([t, frame])}`);
  }
}

/** Opens the spec editor of the selected node unless it is open. */
async function openSpecEditor(page) {
  if (!(await page.locator(".spec-editor").evaluate((d) => d.open))) {
    await page.locator(".spec-editor summary").click();
  }
}

test("a share group built from the palette is edited, refuses a bad value and its members process records", async () => {
  const page = await open(browser, "?s=a");
  await openDrawer(page, "build");
  await page.locator("#new-empty").click();
  await page.waitForFunction(() => document.querySelectorAll(".node").length === 0);

  // No stream yet: refused in words.
  await page.locator("#add-share-group").click();
  await page.locator("#notice", { hasText: "add a stream first" }).waitFor();

  await page.locator("#add-stream").click();
  await page.locator("#add-share-group").click();
  await box(page).waitFor();
  assert.match(await box(page).textContent(), /share group share-group-1/);
  await assertTitleFits(page);
  await node(page, "consumer:share-group-1-1").waitFor();
  await page.locator(`.inspector[data-entity="${GROUP}"]`).waitFor();
  assert.equal(await fact(page, "record lock duration").textContent(), "30000 ms");
  assert.equal(await fact(page, "delivery count limit").textContent(), "5");

  // A second member, connected by dragging onto the box.
  await page.locator("#add-consumer").click();
  await connectToBox(page, "consumer:consumer-1");
  await box(page).locator(".summary", { hasText: "2 members" }).waitFor();
  const [outer, inner] = [await box(page).boundingBox(), await node(page, "consumer:consumer-1").boundingBox()];
  assert.ok(inner.x >= outer.x && inner.y >= outer.y && inner.y + inner.height <= outer.y + outer.height + 1,
    "the new member sits in the box");
  await page.locator("#add-producer").click();
  await node(page, "producer:producer-1").waitFor();

  // Selected by keyboard: focus the box, press Enter.
  await box(page).focus();
  await page.keyboard.press("Enter");
  await page.locator(`.inspector[data-entity="${GROUP}"]`).waitFor();
  assert.ok(await box(page).evaluate((g) => g.classList.contains("selected")));

  // The spec editor changes the lock duration; a bad value is refused and changes nothing.
  await openSpecEditor(page);
  const json = await page.locator("#spec-json").inputValue();
  assert.match(json, /"record_lock_duration_ms": 30000/);
  await page.locator("#spec-json").fill(json.replace("30000", "2000"));
  await page.locator("#spec-apply").click();
  await fact(page, "record lock duration").filter({ hasText: "2000 ms" }).waitFor();
  await openSpecEditor(page);
  const edited = await page.locator("#spec-json").inputValue();
  await page.locator("#spec-json").fill(edited.replace(/"delivery_count_limit": \d+/, '"delivery_count_limit": 0'));
  await page.locator("#spec-apply").click();
  await page.locator("#notice", { hasText: "delivery_count_limit" }).waitFor();
  assert.equal(await fact(page, "delivery count limit").textContent(), "5");
  assert.equal(await fact(page, "record lock duration").textContent(), "2000 ms");

  // 30 records a second, 100 ms each: more than one member can take, so both work.
  await node(page, "producer:producer-1").click();
  await openSpecEditor(page);
  const producer = await page.locator("#spec-json").inputValue();
  assert.match(producer, /"rate_per_sec": 2\b/);
  await page.locator("#spec-json").fill(producer.replace(/"rate_per_sec": 2\b/, '"rate_per_sec": 30'));
  await page.locator("#spec-apply").click();
  await page.locator('.node[data-entity="producer:producer-1"]', { hasText: "30/s" }).waitFor();
  await box(page).click({ position: { x: 30, y: 8 } });
  await page.locator(`.inspector[data-entity="${GROUP}"]`).waitFor();

  // Played: both members process records; the inspector shows the windows.
  await page.locator("#play").click();
  await page.waitForFunction(() => ["share-group-1-1", "consumer-1"].every((c) =>
    Number(document.querySelector(`.node[data-entity="consumer:${c}"]`)?.dataset.processed) > 0));
  await page.locator("#play").click();
  await fact(page, "stream-1/0").waitFor();
  assert.match(await fact(page, "stream-1/0").textContent(),
    /^SPSO \d+ → SPEO \d+: \d+ available, \d+ acquired, \d+ acknowledged, \d+ archived$/);
  const members = await page.locator(".inspector ul.items:not(.recent) li").allTextContents();
  assert.ok(members.some((m) => /^share-group-1-1: /.test(m)), members.join(" | "));
  await screenshot(page, "build-share-group");

  // Deleted with its members; the stream and the producer stay.
  await page.locator("#delete").click();
  await page.waitForFunction((g) => !document.querySelector(`[data-entity="${g}"]`), GROUP);
  assert.equal(await page.locator(".node.consumer").count(), 0);
  await node(page, "stream:stream-1").waitFor();
  assert.deepEqual(page.errors, []);
});

test("on a phone, a built share group's box holds its member below the stream", async () => {
  const page = await open(browser, "?s=a", { width: 390, height: 844 });
  await openDrawer(page, "build");
  await page.locator("#new-empty").click();
  await page.locator("#add-stream").click();
  await page.locator("#add-share-group").click();
  await page.locator("#add-producer").click();
  await node(page, "producer:producer-1").waitFor();
  const [stream, outer, member] = [
    await node(page, "stream:stream-1").boundingBox(),
    await box(page).boundingBox(),
    await node(page, "consumer:share-group-1-1").boundingBox(),
  ];
  assert.ok(outer.y >= stream.y + stream.height, "the box is below its stream");
  assert.ok(member.y >= outer.y && member.y + member.height <= outer.y + outer.height + 1, "its member is inside");
  await assertTitleFits(page);
  await screenshot(page, "build-share-group-phone");
  assert.deepEqual(page.errors, []);
});
