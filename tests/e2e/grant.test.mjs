// End-to-end: the portal's switch for the code grant with PKCE (`serve.mjs --response-type code`,
// `cargo xtask demo --code`), signed in through its own "Sign in with Tangoe" button against
// the emulator: the authorize request asks for a code with an S256 challenge, the callback
// exchanges it once and leaves no code in the address bar, and the API answers.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { STORAGE_KEY, clickAndRead, newPortalContext, signInThroughTangoe, startStack } from "./harness.mjs";

/** @type {import("./harness.mjs").Stack} */
let stack;
/** @type {import("playwright-core").Browser} */
let browser;

before(async () => {
  stack = await startStack({ portalArgs: ["--response-type", "code"] });
  browser = await stack.launchBrowser();
});

after(async () => {
  await stack?.stop();
});

test("the portal with --response-type code signs in with the code grant and PKCE, and calls the API", async () => {
  const context = await newPortalContext(browser);
  const page = await context.newPage();
  /** @type {URL[]} */
  const authorizeRequests = [];
  page.on("request", (r) => {
    const url = new URL(r.url());
    if (url.pathname.endsWith("/as/authorization.oauth2")) authorizeRequests.push(url);
  });
  await page.goto(`${stack.portal.origin}/`);
  await page.waitForSelector("body[data-ready=true]", { state: "attached" });
  assert.equal(await page.textContent("#env-grant"), "authorization code + PKCE");
  await signInThroughTangoe(page, stack);

  const [authorize] = authorizeRequests;
  assert.ok(authorize, "the sign-in went through the authorize URL");
  assert.equal(authorize.searchParams.get("response_type"), "code");
  assert.equal(authorize.searchParams.get("code_challenge_method"), "S256");
  assert.match(authorize.searchParams.get("code_challenge") ?? "", /^[A-Za-z0-9_-]{43}$/);
  assert.equal(authorize.searchParams.get("code_verifier"), null, "the verifier never leaves the tab");

  const url = new URL(page.url());
  assert.equal(url.searchParams.get("code"), null, "the code left the address bar");
  assert.equal(url.searchParams.get("state"), null);
  const stats = await stack.emulatorStats();
  assert.equal(/** @type {any} */ (stats.token_requests).authorization_code, 1, "the code was exchanged once");

  const stored = await page.evaluate(() => Object.keys(sessionStorage));
  assert.deepEqual(stored, [STORAGE_KEY], "only the token record (the pending sign-in and its verifier are gone)");
  const ping = await clickAndRead(page, "#ping-button", "#ping-result");
  assert.ok(ping, "/ping answered");
  await context.close();
});
