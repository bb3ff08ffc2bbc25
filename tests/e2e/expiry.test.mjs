// End-to-end: the session panel counts down to the token's expiry, then the portal says so
// and shows the sign-in button again. Own stack: the emulator issues 6-second tokens here.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startStack } from "./harness.mjs";

/** @type {import("./harness.mjs").Stack} */
let stack;

before(async () => {
  stack = await startStack({ tokenLifetime: 6 });
  await stack.launchBrowser();
});

after(async () => {
  await stack?.stop();
});

test("10. the countdown reaches the expiry and the portal signs out with session_expired", { timeout: 45_000 }, async () => {
  const page = await /** @type {import("playwright-core").Browser} */ (stack.browser).newPage();
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
  await page.waitForSelector("#sign-in", { state: "visible", timeout: 12_000 });
  assert.equal(await page.textContent("#error-code"), "session_expired");
  assert.ok(!(await page.isVisible("#signed-in")));
  assert.deepEqual(pageErrors, []);
});
