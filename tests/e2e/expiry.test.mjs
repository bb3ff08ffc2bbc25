// End-to-end: what the session panel does when the access token runs out. The emulator issues
// 6-second tokens here. Without refresh configured (`serve.mjs --no-refresh`) the countdown ends
// the session; with it (the portal's default: tokenUrl in the config) the session outlives the
// token, and the next call, or a reload, refreshes it.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { STORAGE_KEY, startStack } from "./harness.mjs";

/** @type {import("./harness.mjs").Stack} */
let noRefresh;
/** @type {import("./harness.mjs").Stack} */
let refresh;
/** @type {import("playwright-core").Browser} */
let browser;

before(async () => {
  [noRefresh, refresh] = await Promise.all([
    startStack({ tokenLifetime: 6, portalArgs: ["--no-refresh"] }),
    startStack({ tokenLifetime: 6 }),
  ]);
  browser = await noRefresh.launchBrowser();
});

after(async () => {
  await Promise.all([noRefresh?.stop(), refresh?.stop()]);
});

/**
 * A fresh context signed in on `stack`'s portal; collects page errors.
 * @param {import("./harness.mjs").Stack} stack
 */
async function signedIn(stack) {
  const context = await browser.newContext();
  const page = await context.newPage();
  /** @type {string[]} */
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  await page.goto(stack.portalUrl);
  await page.waitForSelector("body[data-ready=true]", { state: "attached" });
  await page.click("#sign-in");
  await page.fill("#username", "demo");
  await page.fill("#password", "demo");
  await page.click("#sign-in");
  await page.waitForSelector("#signed-in:not([hidden])");
  const countdown = (await page.textContent("#session-countdown")) ?? "";
  assert.match(countdown, /^00:0[0-6]$/, `a 6 s token counts down from 00:06 (${countdown})`);
  return { context, page, pageErrors };
}

test("10. without refresh: the countdown reaches the expiry and the portal signs out with session_expired", { timeout: 45_000 }, async () => {
  const { context, page, pageErrors } = await signedIn(noRefresh);
  assert.ok(!(await page.isVisible("#session-refresh-now")), "no Refresh now without tokenUrl");
  await page.waitForSelector("#sign-in", { state: "visible", timeout: 12_000 });
  assert.equal(await page.textContent("#error-code"), "session_expired");
  assert.ok(!(await page.isVisible("#signed-in")));
  assert.deepEqual(pageErrors, []);
  await context.close();
});

test("10b. with refresh: the session outlives the token; a reload and a call refresh it, the countdown restarts", { timeout: 45_000 }, async () => {
  const { context, page, pageErrors } = await signedIn(refresh);
  const first = await page.evaluate((key) => sessionStorage.getItem(key), STORAGE_KEY);

  // Expired: still signed in, and the panel says what comes next.
  await page.waitForSelector("#session-status:not([hidden])", { timeout: 12_000 });
  assert.match((await page.textContent("#session-status")) ?? "", /next call refreshes/);
  assert.equal(await page.textContent("#session-countdown"), "00:00");
  assert.ok(await page.isVisible("#signed-in"));
  assert.ok(!(await page.isVisible("#error-panel")));
  assert.equal(await page.textContent("#session-refreshes"), "not yet");
  await page.waitForTimeout(1_500);
  assert.ok(await page.isVisible("#signed-in"), "the ticker does not sign out a refreshable session");

  // A reload with an expired token resumes the session with one refresh.
  await page.reload();
  await page.waitForSelector("body[data-ready=true]", { state: "attached" });
  assert.ok(await page.isVisible("#signed-in"), "signed in after the reload");
  assert.ok(await page.isHidden("#session-status"));
  assert.match((await page.textContent("#session-countdown")) ?? "", /^00:0[1-6]$/, "the countdown restarted");
  assert.match((await page.textContent("#session-refreshes")) ?? "", /^1 time, last at /);
  assert.notEqual(await page.evaluate((key) => sessionStorage.getItem(key), STORAGE_KEY), first, "a new record");

  // After the next expiry, a call refreshes first and succeeds; "Refresh now" works too.
  await page.waitForSelector("#session-status:not([hidden])", { timeout: 12_000 });
  await page.fill("#echo-text", "after expiry");
  await page.click("#ping-button");
  await page.waitForFunction(() => document.querySelector("#ping-result")?.textContent || !document.querySelector("#error-panel")?.hidden);
  assert.equal(JSON.parse((await page.textContent("#ping-result")) ?? "null")?.echoText, "after expiry");
  assert.match((await page.textContent("#session-refreshes")) ?? "", /^2 times, /);
  await page.click("#session-refresh-now");
  await page.waitForFunction(() => /^3 times, /.test(document.querySelector("#session-refreshes")?.textContent ?? ""));
  assert.ok(!(await page.isVisible("#error-panel")));
  assert.equal((await refresh.emulatorStats()).token_requests.refresh_token, 3);
  assert.deepEqual(pageErrors, []);
  await context.close();
});
