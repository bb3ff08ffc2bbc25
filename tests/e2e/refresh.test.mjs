// End-to-end: the token lifecycle through the portal. Tangoe's refresh tokens keep a session
// alive across access-token expiries without a second sign-in; faults at the token endpoint
// leave the stored session exactly as it was; a dead refresh token ends the session; sign out
// revokes both tokens (RFC 7009). No token value ever reaches a log. Tangoe's refresh answers
// name no scope: the session keeps the one its sign-in was given.
//
// Two stacks: `short` issues 4-second access tokens, and its portal refreshes 1 s before expiry
// (`--refresh-skew 1`) with a 1.5 s timeout on token calls (`--timeout-ms 1500`, for the hang
// fault); `long` has the default hour-long tokens, so that "401 after sign out" can only mean
// "revoked", never "expired".

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { clickAndRead as call, clickThreeCards, CLIENT_ID, newPortalContext, pageErrorLine, signInThroughTangoe, startStack, STORAGE_KEY, TENANT } from "./harness.mjs";

const LIFETIME_S = 4;
const SKEW_S = 1;
const TIMEOUT_MS = 1500;

/** @type {import("./harness.mjs").Stack} */
let short;
/** @type {import("./harness.mjs").Stack} */
let long;
/** @type {import("playwright-core").Browser} */
let browser;

/** Every token value seen: sessionStorage, the sign-in callback URL, token-endpoint answers. */
const tokens = new Set();
/** Reading the token-endpoint answers (settled before the leak check). @type {Promise<void>[]} */
const pendingReads = [];
/** Console messages and page errors of every page. @type {string[]} */
const consoleLines = [];
/** Main-frame URLs, marked when Tangoe's redirect brought `#access_token=…`. @type {{ url: string, callback: boolean }[]} */
const navigations = [];
/** Visits of Tangoe's sign-in page, per stack. */
const signInPages = new Map();
/** The keys of each token-endpoint answer that issued tokens. @type {string[][]} */
const issuedKeys = [];

const TIMEOUT = { timeout: 120_000 };

before(async () => {
  [short, long] = await Promise.all([
    startStack({ tokenLifetime: LIFETIME_S, portalArgs: ["--refresh-skew", String(SKEW_S), "--timeout-ms", String(TIMEOUT_MS)] }),
    startStack(),
  ]);
  // One browser for both stacks: each test gets its own context (own sessionStorage).
  browser = await short.launchBrowser();
});

after(async () => {
  await Promise.all([short?.stop(), long?.stop()]);
});

/**
 * A fresh context on `stack`'s portal, its page wired to the collectors.
 * @param {import("./harness.mjs").Stack} stack
 */
async function freshPage(stack) {
  const context = await newPortalContext(browser);
  const page = await context.newPage();
  page.on("console", (m) => consoleLines.push(`[console.${m.type()}] ${m.text()}`));
  page.on("pageerror", (e) => consoleLines.push(pageErrorLine(e)));
  let previous = "";
  page.on("framenavigated", (frame) => {
    if (frame !== page.mainFrame()) return;
    const url = frame.url();
    const callback = previous.startsWith(stack.emulator.origin) && url.includes("#access_token=");
    if (callback) {
      const fragment = new URLSearchParams(url.slice(url.indexOf("#") + 1));
      for (const k of ["access_token", "refresh_token"]) if (fragment.get(k)) tokens.add(/** @type {string} */ (fragment.get(k)));
    }
    if (url.startsWith(`${stack.emulator.origin}/as/authorization.oauth2`)) signInPages.set(stack, (signInPages.get(stack) ?? 0) + 1);
    navigations.push({ url, callback });
    previous = url;
  });
  page.on("response", (response) => {
    if (!response.url().startsWith(`${stack.emulator.origin}/as/token.oauth2`)) return;
    pendingReads.push(
      response.json().then(
        (body) => {
          for (const k of ["access_token", "refresh_token"]) if (typeof body?.[k] === "string") tokens.add(body[k]);
          if (typeof body?.access_token === "string") issuedKeys.push(Object.keys(body).sort());
        },
        () => {}, // the garbage fault: not JSON
      ),
    );
  });
  await page.goto(stack.portal.origin + "/");
  await page.waitForSelector("body[data-ready=true]", { state: "attached" });
  return { context, page };
}

/** A fresh context, signed in through Tangoe's page as demo / demo. @param {import("./harness.mjs").Stack} stack */
async function signedIn(stack) {
  const { context, page } = await freshPage(stack);
  await signInThroughTangoe(page, stack);
  await rawRecord(page);
  return { context, page };
}

/**
 * The stored token record exactly as stored (the test may read it; the page never prints it).
 * @param {import("playwright-core").Page} page
 */
async function rawRecord(page) {
  const raw = await page.evaluate((key) => sessionStorage.getItem(key), STORAGE_KEY);
  if (raw !== null) {
    const record = JSON.parse(raw);
    for (const k of ["accessToken", "refreshToken"]) if (typeof record[k] === "string") tokens.add(record[k]);
  }
  return raw;
}

/** @param {import("playwright-core").Page} page */
const sessionKeys = (page) => page.evaluate(() => Object.keys(sessionStorage));

/** @param {import("playwright-core").Page} page */
async function errorCode(page) {
  return (await page.isVisible("#error-panel")) ? (await page.textContent("#error-code"))?.trim() : null;
}

/** @param {import("playwright-core").Page} page @param {string} echoText */
async function ping(page, echoText) {
  await page.fill("#echo-text", echoText);
  return call(page, "#ping-button", "#ping-result");
}

/** @param {import("playwright-core").Page} page */
const whoAmI = (page) => call(page, "#whoami-button", "#me-result");

/** Waits until the portal shows the access token expired (its 1 s ticker). @param {import("playwright-core").Page} page */
async function waitExpired(page) {
  await page.waitForSelector("#session-status:not([hidden])", { timeout: (LIFETIME_S + 3) * 1000 });
  assert.ok(await page.isVisible("#signed-in"), "still signed in while the token is expired but refreshable");
}

/** @param {import("./harness.mjs").Stack} stack */
const refreshGrants = async (stack) => (await stack.emulatorStats()).token_requests.refresh_token;

test("11. 4-second tokens: calls keep working across several expiries, refreshed in single flight, no second sign-in", TIMEOUT, async () => {
  const before = await short.emulatorStats();
  const pagesBefore = signInPages.get(short) ?? 0;
  const { context, page } = await signedIn(short);
  const first = JSON.parse(/** @type {string} */ (await rawRecord(page)));
  assert.equal(typeof first.refreshToken, "string", "Tangoe's implicit grant brought a refresh token");
  assert.equal(await page.textContent("#session-scope"), "MOBPROC", "the scope named by the sign-in redirect");

  // About 15 s of Ping / Who am I, every ~1.1 s: at least three 4-second tokens run out. On a
  // slow machine the calls are further apart: then on until 3 refreshes (at most 40 s).
  const start = Date.now();
  const refreshes = async () => (await short.emulatorStats()).token_requests.refresh_token - before.token_requests.refresh_token;
  let calls = 0;
  while (Date.now() - start < 15_000 || ((await refreshes()) < 3 && Date.now() - start < 40_000)) {
    const failed = async (what) => assert.fail(`${what} ${calls} failed: ${await errorCode(page)} ${await page.textContent("#error-message")}`);
    if (calls % 2 === 0) {
      const answer = await ping(page, `call ${calls}`);
      if (answer?.echoText !== `call ${calls}`) await failed("ping");
    } else {
      const me = await whoAmI(page);
      if (me?.user?.employeeId !== "E1000") await failed("/me");
    }
    assert.equal(await errorCode(page), null, "no error shown");
    calls++;
    await page.waitForTimeout(1_100);
  }
  const elapsed = Date.now() - start;
  const mid = await short.emulatorStats();
  const refreshed = mid.token_requests.refresh_token - before.token_requests.refresh_token;
  // A token is refreshed once it has at most SKEW_S left, so refreshes are >= 3 s apart.
  const most = Math.floor(elapsed / ((LIFETIME_S - SKEW_S) * 1000)) + 2;
  assert.ok(refreshed >= 3, `at least 3 refreshes in ${elapsed} ms of calls (${refreshed})`);
  assert.ok(refreshed <= most && refreshed < calls, `one refresh per expiry, not per call: ${refreshed} for ${calls} calls in ${elapsed} ms (at most ${most})`);

  // Single flight: three calls started in the same task after expiry share one refresh.
  await waitExpired(page);
  await clickThreeCards(page);
  assert.equal(await errorCode(page), null, "the three concurrent calls succeeded");
  const after = await short.emulatorStats();
  assert.equal(after.token_requests.refresh_token - mid.token_requests.refresh_token, 1, "three concurrent calls, one refresh request");
  const total = after.token_requests.refresh_token - before.token_requests.refresh_token;

  // Never sent back to Tangoe's sign-in page; the portal counted what the emulator counted.
  assert.equal((signInPages.get(short) ?? 0) - pagesBefore, 1, "Tangoe's sign-in page was shown once");
  assert.equal(after.sign_ins - before.sign_ins, 1, "one sign-in at the emulator");
  assert.match((await page.textContent("#session-refreshes")) ?? "", new RegExp(`^${total} times, last at `));
  assert.ok(await page.isVisible("#signed-in"));

  // Tangoe's refresh answers name no scope (TANGOE.md): the session keeps the sign-in's, as
  // rendered with the refresh count just checked.
  await Promise.allSettled(pendingReads);
  assert.equal(issuedKeys.length, total, "every refresh answer was read");
  assert.deepEqual(new Set(issuedKeys.map((k) => k.join())), new Set(["access_token,expires_in,refresh_token,token_type"]), "the emulator's refresh answers have no scope");
  assert.equal(await page.textContent("#session-scope"), "MOBPROC", "the scope is kept across refreshes");

  // Rotation: a new refresh token, still one record, nothing else stored.
  const last = JSON.parse(/** @type {string} */ (await rawRecord(page)));
  assert.notEqual(last.refreshToken, first.refreshToken, "the refresh token was rotated");
  assert.notEqual(last.accessToken, first.accessToken);
  assert.ok(last.expiresAt > first.expiresAt);
  assert.deepEqual(await sessionKeys(page), [STORAGE_KEY], "one record in sessionStorage");
  assert.equal(await page.evaluate(() => localStorage.length + document.cookie.length), 0, "nothing in localStorage or cookies");
  await context.close();
});

test("12. token endpoint 500, hang and garbage: refresh_failed, the record unchanged byte for byte, the next call refreshes", TIMEOUT, async () => {
  const { context, page } = await signedIn(short);
  for (const mode of ["500", "hang", "garbage"]) {
    await waitExpired(page);
    const stored = await rawRecord(page);
    const grants = await refreshGrants(short);
    await short.emulatorControl(`fail-next?count=1&mode=${mode}`);

    const started = Date.now();
    assert.equal(await ping(page, `during ${mode}`), null, `${mode}: the call was not made`);
    const took = Date.now() - started;
    assert.equal(await errorCode(page), "refresh_failed", `${mode}: ${await page.textContent("#error-message")}`);
    assert.equal(await rawRecord(page), stored, `${mode}: the stored record is unchanged`);
    assert.deepEqual(await sessionKeys(page), [STORAGE_KEY]);
    assert.ok(await page.isVisible("#signed-in"), `${mode}: still signed in`);
    assert.equal((await refreshGrants(short)) - grants, 1, `${mode}: one refresh attempt`);
    if (mode === "hang") {
      assert.ok(took >= TIMEOUT_MS - 100 && took < TIMEOUT_MS + 5_000, `the hang was cut by timeoutMs (${took} ms)`);
    }

    // The fault is used up: the next call refreshes and succeeds.
    assert.equal((await ping(page, `after ${mode}`))?.echoText, `after ${mode}`);
    assert.equal(await errorCode(page), null);
    const fresh = JSON.parse(/** @type {string} */ (await rawRecord(page)));
    assert.notEqual(fresh.refreshToken, JSON.parse(/** @type {string} */ (stored)).refreshToken, `${mode}: refreshed after the fault`);
    assert.equal((await refreshGrants(short)) - grants, 2);
  }
  await context.close();
});

test("13. refresh token revoked: the next call ends the session (sessionExpired), signed out, record removed", TIMEOUT, async () => {
  const pagesBefore = signInPages.get(short) ?? 0;
  // `expired` finds its token expired (refresh first: invalid_grant); `current` has a live one
  // (the API answers 401, the refresh fails: invalid_grant).
  const expired = await signedIn(short);
  await waitExpired(expired.page);
  const current = await signedIn(short);
  await short.emulatorControl("revoke-all");

  for (const [name, { page }] of [["current", current], ["expired", expired]]) {
    assert.equal(await ping(page, "after revoke-all"), null, name);
    await page.waitForSelector("#sign-in", { state: "visible" });
    assert.ok(!(await page.isVisible("#signed-in")), `${name}: signed-out view`);
    assert.equal(await errorCode(page), "session_expired", `${name}: ${await page.textContent("#error-message")}`);
    assert.deepEqual(await sessionKeys(page), [], `${name}: record removed`);
  }
  assert.equal((signInPages.get(short) ?? 0) - pagesBefore, 2, "no sign-in page opened by itself");
  await expired.context.close();
  await current.context.close();
});

test("14. sign out revokes the refresh and the access token (RFC 7009); the old token gets 401", TIMEOUT, async () => {
  const { context, page } = await signedIn(long);
  const record = JSON.parse(/** @type {string} */ (await rawRecord(page)));
  const api = `${long.emulator.origin}/mobproc/v1/ping?echoText=direct`;
  const headers = { Authorization: `Bearer ${record.accessToken}`, "X-TNGO-TENANT": TENANT, client_id: CLIENT_ID };
  assert.equal((await fetch(api, { headers })).status, 200, "the token works before sign out");

  const before = (await long.emulatorStats()).revocations;
  await page.click("#sign-out");
  await page.waitForSelector("#sign-in", { state: "visible" });
  assert.deepEqual(await sessionKeys(page), []);
  // Revocation runs in the background: wait for it, then make sure nothing more came.
  const deadline = Date.now() + 10_000;
  while ((await long.emulatorStats()).revocations - before < 2 && Date.now() < deadline) await page.waitForTimeout(100);
  await page.waitForTimeout(300);
  assert.equal((await long.emulatorStats()).revocations - before, 2, "two revocations: refresh and access token");
  assert.equal(await errorCode(page), null, "no revoke_failed");

  const res = await fetch(api, { headers });
  assert.equal(res.status, 401, "the old access token is refused");
  assert.match(res.headers.get("www-authenticate") ?? "", /invalid_token/);
  const grant = await fetch(`${long.emulator.origin}/as/token.oauth2`, {
    method: "POST",
    body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: record.refreshToken, client_id: CLIENT_ID, scope: "MOBPROC" }),
  });
  assert.equal(grant.status, 400);
  assert.equal((await grant.json()).error, "invalid_grant", "the old refresh token is refused");
  await context.close();
});

test("15. no token in console output, page errors, server logs or URLs after the callback", TIMEOUT, async () => {
  await Promise.allSettled(pendingReads);
  // A sign-in per test (11, 12, 13 twice, 14) plus every refresh: many distinct values.
  assert.ok(tokens.size >= 20, `token values were collected during the run (${tokens.size})`);
  /** @param {string} where @param {string} text */
  const clean = (where, text) => {
    for (const t of tokens) assert.ok(!text.includes(t), `a token value appears in ${where}`);
  };
  clean("the browser console / page errors", consoleLines.join("\n"));
  assert.deepEqual(consoleLines.filter((l) => l.startsWith("[pageerror]")), [], "no uncaught page errors");
  for (const [name, stack] of [["short", short], ["long", long]]) {
    clean(`the ${name} emulator's /__emulator/log`, await stack.emulatorLog());
    clean(`the ${name} emulator's stdout`, stack.emulator.lines.join("\n"));
    clean(`the ${name} emulator's stderr`, stack.emulator.stderr.join("\n"));
    clean(`the ${name} portal server's output`, [...stack.portal.lines, ...stack.portal.stderr].join("\n"));
    assert.ok(stack.emulator.lines.some((l) => l.startsWith("POST /as/token.oauth2")), `${name}: token calls were logged`);
  }
  assert.ok(navigations.filter((n) => n.callback).length >= 5, "the sign-in callbacks were observed");
  for (const n of navigations.filter((n) => !n.callback)) clean(`a navigated URL (${n.url.slice(0, 60)}…)`, n.url);
});
