// Shared set-up for the end-to-end tests: launches the system Chromium headless through
// playwright-core, opens the served playground and records every console error.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

/** The URL of the served site (set by `cargo xtask test`). */
export const siteUrl = process.env.BROKERLAB_URL ?? "http://127.0.0.1:8080/";

const executablePath = process.env.BROKERLAB_CHROMIUM ?? "/usr/bin/chromium";
const screenshotDir = process.env.BROKERLAB_SCREENSHOTS ?? "target/site/screenshots";

/** Launches a fresh headless Chromium (playwright gives it a new empty profile). */
export async function launch() {
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/**
 * Opens `path` of the site in a new page of `browser` at the given viewport and collects
 * console errors and uncaught exceptions into `page.errors`.
 */
export async function open(browser, path = "", viewport = { width: 1280, height: 800 }) {
  const page = await browser.newPage({ viewport });
  page.errors = [];
  page.on("console", (message) => {
    if (message.type() === "error") page.errors.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => page.errors.push(`page: ${error.message}`));
  await page.goto(new URL(path, siteUrl).href);
  return page;
}

/** Saves a full-page screenshot under the build output and returns its path. */
export async function screenshot(page, name) {
  mkdirSync(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Opens the playground on scenario `id`, run (paused) to `t` ms, and waits for the drawing. */
export async function openAt(browser, id, t, viewport) {
  const page = await open(browser, `?s=${id}&t=${t}`, viewport);
  await page.locator(`#clock[data-now-ms="${t}"]`).waitFor();
  await page.locator(".node.consumer").first().waitFor();
  return page;
}

/** Moves the scrubber to `t` as a drag does, and waits for the run to get there. */
export async function scrub(page, t) {
  await page.locator("#timeline").evaluate((el, t) => {
    el.value = String(t);
    el.dispatchEvent(new Event("input", { bubbles: true }));
  }, t);
  await page.locator(`#clock[data-now-ms="${t}"]`).waitFor();
}

/** Runs the open playground (paused) to `t` ms with the "Run to" control. */
export async function runTo(page, t) {
  await page.getByLabel("Run to (ms)").fill(String(t));
  await page.getByLabel("Run to (ms)").press("Enter");
  await page.locator(`#clock[data-now-ms="${t}"]`).waitFor();
}

/**
 * Opens the header's "Build" or "Share" drawer (`which` is `"build"` or `"share"`) unless it
 * is open already, and waits for its tools.
 */
export async function openDrawer(page, which) {
  const button = page.locator(`#mode-${which}`);
  if ((await button.getAttribute("aria-expanded")) !== "true") await button.click();
  await page.locator(`#mode-${which}[aria-expanded="true"]`).waitFor();
  await page.locator(`#${which}-tools`).waitFor();
}

/** The texts of the event-log rows matching `selector` (newest first). */
export async function logTexts(page, selector) {
  return page.locator(`.log .row${selector} .text`).allTextContents();
}
