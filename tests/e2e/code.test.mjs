// The authorization code grant with PKCE (issue 13) end to end, through the emulator's sign-in
// page, on a bare app page (tests/e2e/apppage.mjs) whose redirect page calls
// handleRedirectCallback() three times at once from two clients: one result, one token record,
// ONE code exchange (counted at the emulator as `authorization_code`); `code` and `state` leave
// the URL, the app's own query parameter stays. A replayed callback URL is `state_mismatch`
// without a request; a replayed code that reaches Tangoe is refused (and, as RFC 6749 §4.1.2
// has it, revokes what it bought); a wrong verifier and a `plain` challenge are refused. The
// emulator's own refusals are covered in emulator/tests/code_grant.rs; these show what the app
// sees. The implicit grant's callback is also run three times at once.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { startStack } from "./harness.mjs";
import { appConfig, assertNoLeaks, heldTokens, openApp, startApp, STORAGE_KEY, submitSignIn, watchedContext } from "./apppage.mjs";

/** @type {import("./harness.mjs").Stack} */
let stack;
/** @type {Awaited<ReturnType<typeof startApp>>} */
let app;
/** @type {import("playwright-core").Browser} */
let browser;

before(async () => {
  app = await startApp(["/t13/callback", "/t13/callback?tab=orders"]);
  stack = await startStack({ emulatorArgs: app.emulatorArgs });
  browser = await stack.launchBrowser();
});

after(async () => {
  await stack?.stop();
  await app?.close();
});

const codeConfig = () => appConfig(stack, app, { responseType: "code", redirectUri: `${app.origin}/t13/callback?tab=orders` });

/** The emulator's counters that matter here. */
async function counts() {
  const s = await stack.emulatorStats();
  return { exchanges: s.token_requests.authorization_code, signIns: s.sign_ins, refreshes: s.token_requests.refresh_token };
}

/** What the tab holds after its callback page ran. */
function state(page) {
  return page.evaluate((key) => ({ callback: window.callback, url: location.href, keys: Object.keys(sessionStorage), raw: sessionStorage.getItem(key) }), STORAGE_KEY);
}

/**
 * Signs the tab in through Tangoe's page (authorizeUrl, then the sign-in form) and waits for the
 * callback page to have run. Returns the authorize request's parameters.
 * @param {import("playwright-core").Page} page on the app
 */
async function signIn(page, returnTo) {
  // authorizeUrl() stores the pending sign-in as login() does; the test then navigates itself,
  // so the evaluate returns before the page goes away (login() raced it).
  const { url, pending } = await page.evaluate(
    async ([returnTo, key]) => {
      const url = (await window.mobproc.createClient(window.config)).authorizeUrl({ returnTo });
      return { url, pending: JSON.parse(sessionStorage.getItem(`${key}.pending`)) };
    },
    [returnTo, STORAGE_KEY],
  );
  await page.goto(url);
  await page.waitForURL((u) => u.origin === stack.emulator.origin);
  const authorize = new URL(page.url()).searchParams;
  await submitSignIn(page);
  await page.waitForURL((u) => u.origin === app.origin);
  await page.waitForFunction(() => window.mobprocReady === true);
  return { authorize, pending };
}

test("code grant end to end: three concurrent callbacks, one exchange, one record, the app's query kept; a replayed URL and a replayed code are refused", async () => {
  app.config = codeConfig();
  const { context, seen } = await watchedContext(browser);
  const page = await openApp(context, app);
  const before = await counts();
  const { authorize, pending } = await signIn(page, "/t13/orders?id=1");
  assert.equal(authorize.get("response_type"), "code");
  assert.equal(authorize.get("code_challenge_method"), "S256", "never plain");
  assert.equal(createHash("sha256").update(pending.verifier).digest("base64url"), authorize.get("code_challenge"));
  assert.equal(authorize.get("code_verifier"), null);
  const callbackUrl = app.documents.findLast((d) => d.includes("code="));
  assert.match(callbackUrl, /^\/t13\/callback\?tab=orders&code=[0-9a-f]{64}&state=/, "Tangoe answered in the query, after the app's own parameter");

  const done = await state(page);
  for (const r of done.callback) assert.deepEqual(r, { value: { returnTo: "/t13/orders?id=1" } });
  assert.equal(done.url, `${app.origin}/t13/callback?tab=orders`, "code and state gone, tab=orders kept");
  assert.deepEqual(done.keys, [STORAGE_KEY], "one record; the pending sign-in and its verifier gone");
  const after = await counts();
  assert.equal(after.exchanges - before.exchanges, 1, "ONE code exchange for three callbacks");
  assert.equal(after.signIns - before.signIns, 1);
  assert.equal(await page.evaluate(async () => (await window.client.fetchJson("me")).user.username), "demo");
  const good = done.raw;

  // The same callback URL again (reload, restored tab): the pending sign-in is used up, so the
  // answer is refused before anything is sent.
  await page.goto(`${app.origin}${callbackUrl}`);
  await page.waitForFunction(() => window.mobprocReady === true);
  const replayed = await state(page);
  for (const r of replayed.callback) assert.equal(r.code, "state_mismatch", JSON.stringify(r));
  assert.equal(replayed.url, `${app.origin}/t13/callback?tab=orders`);
  assert.equal(replayed.raw, good, "the good session is kept");
  assert.equal((await counts()).exchanges, after.exchanges, "nothing sent to Tangoe");
  assert.equal(await page.evaluate(async () => (await window.client.fetchJson("me")).user.username), "demo");

  // The used code under a new sign-in's state reaches Tangoe, which refuses it: a typed error,
  // the stored record untouched. (Tangoe then revokes what the code bought, RFC 6749 §4.1.2:
  // the session ends at its next call.)
  const code = new URLSearchParams(callbackUrl.split("?")[1]).get("code");
  const url = await page.evaluate(async () => (await window.mobproc.createClient(window.config)).authorizeUrl());
  const newState = new URL(url).searchParams.get("state");
  await page.goto(`${app.origin}/t13/callback?tab=orders&code=${code}&state=${newState}`);
  await page.waitForFunction(() => window.mobprocReady === true);
  const refused = await state(page);
  for (const r of refused.callback) {
    assert.equal(r.code, "authorization_denied", JSON.stringify(r));
    assert.equal(r.oauthError, "invalid_grant");
    assert.match(r.description, /already used/);
  }
  assert.equal((await counts()).exchanges - after.exchanges, 1, "one exchange for the three callbacks");
  assert.equal(refused.raw, good, "the stored record is untouched");
  assert.deepEqual(refused.keys, [STORAGE_KEY]);
  const ended = await page.evaluate(async () => {
    const response = await window.client.fetch("ping");
    return { status: response.status, signedIn: window.client.isAuthenticated() };
  });
  assert.deepEqual(ended, { status: 401, signedIn: false }, "the replay revoked the code's tokens at Tangoe");
  // The code itself travels in the callback URL's query, as the grant does; tokens and verifier never.
  const record = JSON.parse(good);
  await assertNoLeaks(context, seen, [record.accessToken, record.refreshToken, pending.verifier], assert);
  await context.close();
});

test("implicit grant end to end: three concurrent callbacks, one sign-in, one record, the fragment gone", async () => {
  app.config = appConfig(stack, app);
  const { context, seen } = await watchedContext(browser);
  const page = await openApp(context, app);
  const before = await counts();
  await signIn(page, "/t13/orders?id=2");
  const done = await state(page);
  for (const r of done.callback) assert.deepEqual(r, { value: { returnTo: "/t13/orders?id=2" } });
  assert.equal(done.url, `${app.origin}/t13/callback`);
  assert.deepEqual(done.keys, [STORAGE_KEY]);
  const after = await counts();
  assert.deepEqual([after.signIns - before.signIns, after.exchanges - before.exchanges], [1, 0]);
  assert.equal(await page.evaluate(async () => (await window.client.fetchJson("me")).user.username), "demo");
  await assertNoLeaks(context, seen, await heldTokens(context), assert);
  await context.close();
});

test("a wrong verifier is refused at the exchange: authorization_denied (invalid_grant), nothing stored, the code used up", async () => {
  app.config = codeConfig();
  const { context } = await watchedContext(browser);
  const page = await openApp(context, app);
  await page.evaluate(() => sessionStorage.setItem("t13:manual", "1"));
  const before = await counts();
  await signIn(page);
  // The pending sign-in's verifier replaced by another well-formed one before the callback runs.
  await page.evaluate((key) => {
    const pending = JSON.parse(sessionStorage.getItem(`${key}.pending`));
    sessionStorage.setItem(`${key}.pending`, JSON.stringify({ ...pending, verifier: "x".repeat(43) }));
  }, STORAGE_KEY);
  const out = await page.evaluate(async () => {
    const client = await window.mobproc.createClient(window.config);
    return client.handleRedirectCallback().then((v) => ({ value: v }), (e) => ({ code: e.code, oauthError: e.oauthError, message: e.message, description: e.oauthErrorDescription }));
  });
  assert.equal(out.code, "authorization_denied", JSON.stringify(out));
  assert.equal(out.oauthError, "invalid_grant");
  assert.match(out.description, /PKCE verifier does not match/);
  assert.equal((await counts()).exchanges - before.exchanges, 1);
  assert.deepEqual(await page.evaluate(() => Object.keys(sessionStorage).filter((k) => k !== "t13:manual")), [], "nothing stored, the pending sign-in used up");
  assert.equal(page.url(), `${app.origin}/t13/callback?tab=orders`);
  await context.close();
});

test("a `plain` challenge is refused by Tangoe in the query: authorization_denied (invalid_request), nothing exchanged", async () => {
  app.config = codeConfig();
  const { context } = await watchedContext(browser);
  const page = await openApp(context, app);
  const before = await counts();
  const url = new URL(await page.evaluate(async () => (await window.mobproc.createClient(window.config)).authorizeUrl()));
  const verifier = await page.evaluate((key) => JSON.parse(sessionStorage.getItem(`${key}.pending`)).verifier, STORAGE_KEY);
  url.searchParams.set("code_challenge_method", "plain");
  url.searchParams.set("code_challenge", verifier);
  await page.goto(url.href);
  await page.waitForURL((u) => u.origin === app.origin);
  await page.waitForFunction(() => window.mobprocReady === true);
  const out = await state(page);
  assert.equal(out.callback[0].code, "authorization_denied", JSON.stringify(out.callback[0]));
  assert.equal(out.callback[0].oauthError, "invalid_request");
  assert.equal(out.url, `${app.origin}/t13/callback?tab=orders`, "the error and state left the URL");
  assert.deepEqual(out.keys, []);
  assert.equal((await counts()).exchanges, before.exchanges);
  await context.close();
});
