// Export to real brokers and import from RabbitMQ: the definitions of scenario C bind its three
// queues to `orders`; the Kafka and AWS texts show with what does not map; a RabbitMQ
// definitions file opens as the topology; a broken one says where it is broken.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { launch, open, openAt, openDrawer, screenshot } from "./browser.mjs";

const definitions = fileURLToPath(
  new URL("../../web/tests/fixtures/export/definitions.json", import.meta.url),
);

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test("scenario C exports as RabbitMQ definitions with its three queues bound to orders", async () => {
  const page = await open(browser, "?s=c&t=0");
  await page.locator('#clock[data-now-ms="0"]').waitFor();
  await openDrawer(page, "share");
  await page.locator("#export-rabbitmq").click();
  await page.locator('.export-output[data-format="rabbitmq"]').waitFor();
  const defs = JSON.parse(await page.locator("#export-text").inputValue());
  const bound = defs.bindings
    .filter((b) => b.source === "orders" && b.destination_type === "queue")
    .map((b) => b.destination)
    .sort();
  assert.deepEqual(bound, ["analytics", "email", "inventory"]);
  assert.deepEqual(defs.exchanges.map((x) => [x.name, x.type]), [["orders", "fanout"]]);
  assert.deepEqual(defs.queues.map((q) => q.arguments["x-max-length"]), [1000, 1000, 1000]);
  assert.match(await page.locator("#export-notes").textContent(), /prefetch 1/);

  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.locator("#export-download").click(),
  ]);
  assert.equal(download.suggestedFilename(), "definitions.json");
  await screenshot(page, "export-rabbitmq");

  await page.locator("#export-kafka").click();
  await page.locator('.export-output[data-format="kafka"]').waitFor();
  assert.match(await page.locator("#export-text").inputValue(), /no streams/);
  assert.match(await page.locator("#export-notes").textContent(), /Queues do not map to Kafka/);

  await page.locator("#export-aws").click();
  await page.locator('.export-output[data-format="aws"]').waitFor();
  const aws = await page.locator("#export-text").inputValue();
  assert.equal((aws.match(/aws sns subscribe /g) ?? []).length, 3);
  assert.match(aws, /aws sns create-topic --name 'orders'/);

  await page.locator("#export-aws").click();
  await page.locator("#export-text").waitFor({ state: "detached" });
  assert.deepEqual(page.errors, []);
});

test("RabbitMQ definitions import as the topology; a broken file changes nothing and says why", async () => {
  const page = await openAt(browser, "a", 1000);
  await openDrawer(page, "share");
  await page.locator("#import-rabbitmq").setInputFiles(definitions);
  await page.locator('#clock[data-now-ms="0"]').waitFor();
  for (const q of ["email", "inventory", "inventory.dlq", "analytics", "audit", "payments", "legacy-sink"]) {
    await page.locator(`.node[data-entity="queue:${q}"]`).waitFor();
  }
  await page.locator('.node[data-entity="stream:clicks"]').waitFor();
  await page.locator('.node[data-entity="exchange:orders"]').waitFor();
  assert.equal(await page.locator('.node[data-entity="queue:jobs"]').count(), 0);
  assert.match(await page.locator("#import-notes").textContent(), /legacy \(type headers is not simulated\)/);

  // The imported topology routes: the exported definitions bind what the file bound.
  await page.locator("#export-rabbitmq").click();
  const defs = JSON.parse(await page.locator("#export-text").inputValue());
  assert.equal(defs.bindings.filter((b) => b.source === "events").length, 2);
  await screenshot(page, "import-rabbitmq");

  const dir = mkdtempSync(join(tmpdir(), "brokerlab-"));
  const bad = join(dir, "broken.json");
  writeFileSync(bad, '{ "queues": [\n  { "name": "a" }\n');
  await page.locator("#import-rabbitmq").setInputFiles(bad);
  await page.locator("#notice").waitFor();
  assert.match(
    await page.locator("#notice").textContent(),
    /not RabbitMQ definitions: not valid JSON: line 3, column 0/,
  );
  await page.locator('.node[data-entity="queue:inventory.dlq"]').waitFor();
  assert.deepEqual(page.errors, []);
});
