// End-to-end: the portal against Tangoe as its pages document it (issue #12). The portal's
// client is confidential at the emulator (`MOBPROC_EMU_CLIENT=portal-demo:SECRET`): refreshing,
// validating and revoking need the client secret, which a page cannot hold. `mobproc-relay`,
// on its own loopback port (a third origin), adds it.
//
// Three stacks, one browser:
// - `relayed`: 4-second tokens, the portal refreshes 2 s before expiry (`--refresh-skew 2`) with
//   tokenUrl / revokeUrl at the relay: refreshes over time, single flight per storm, sign out;
// - `direct`: the same confidential client, the portal calling the emulator's token endpoint
//   itself: `refresh_failed` naming Tangoe's `invalid_client`, the session kept until expiry;
// - `noRefreshToken`: the sign-in brings no refresh token (`--no-implicit-refresh-token`): the
//   "Your session ends in …" notice before the expiry, and "Sign in again" with returnTo.
// Throughout, every request the pages send, every answer they read, their console, DOM, reachable
// globals, storage and cookies are searched for the secret.

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import { BROWSER, clickAndRead as call, clickThreeCards, CLIENT_ID, newPortalContext, pageErrorLine, signInThroughTangoe, startStack, STORAGE_KEY } from "./harness.mjs";

/** The portal client's secret: only the emulator's and the relay's environment hold it. */
const SECRET = `e2e-relay-secret-${randomBytes(16).toString("hex")}`;
const LIFETIME_S = 4;
const SKEW_S = 2;
const TIMEOUT = { timeout: 120_000 };

/** @type {import("./harness.mjs").Stack} */
let relayed;
/** @type {import("./harness.mjs").Stack} */
let direct;
/** @type {import("./harness.mjs").Stack} */
let noRefreshToken;
/** @type {import("playwright-core").Browser} */
let browser;

/** What the pages sent: URL, method, every header, the body. @type {Promise<{ url: string, method: string, headers: Record<string, string>, postData: string | null }>[]} */
const requests = [];
/** What the pages received (text bodies; empty for redirects and bodiless answers). @type {Promise<string>[]} */
const bodies = [];
/** Console messages and page errors. @type {string[]} */
const consoleLines = [];
/** The page's own state as a page script could read it, gathered before each context closes. @type {string[]} */
const pageStates = [];

before(async () => {
  [relayed, direct, noRefreshToken] = await Promise.all([
    startStack({ tokenLifetime: LIFETIME_S, clientSecret: SECRET, relay: true, portalArgs: ["--refresh-skew", String(SKEW_S)] }),
    startStack({ tokenLifetime: 5, clientSecret: SECRET, portalArgs: ["--refresh-skew", "4"] }),
    startStack({ tokenLifetime: 10, clientSecret: SECRET, relay: true, noImplicitRefreshToken: true, portalArgs: ["--refresh-skew", "5"] }),
  ]);
  browser = await relayed.launchBrowser();
});

after(async () => {
  await Promise.all([relayed?.stop(), direct?.stop(), noRefreshToken?.stop()]);
});

/**
 * A fresh context on `stack`'s portal, its page recorded.
 * @param {import("./harness.mjs").Stack} stack
 */
async function freshPage(stack) {
  const context = await newPortalContext(browser);
  const page = await context.newPage();
  page.on("console", (m) => consoleLines.push(`[console.${m.type()}] ${m.text()}`));
  page.on("pageerror", (e) => consoleLines.push(pageErrorLine(e)));
  page.on("request", (r) => {
    requests.push(r.allHeaders().then((headers) => ({ url: r.url(), method: r.method(), headers, postData: r.postData() })));
  });
  page.on("response", (r) => bodies.push(r.text().catch(() => "")));
  await page.goto(stack.portalUrl);
  await page.waitForSelector("body[data-ready=true]", { state: "attached" });
  return { context, page };
}

/** @param {import("./harness.mjs").Stack} stack */
async function signedIn(stack) {
  const { context, page } = await freshPage(stack);
  await signInThroughTangoe(page, stack);
  return { context, page };
}

/**
 * Everything a script in the page can read: the DOM, the globals reachable from `window` (three
 * levels deep), the portal's `/config.js`, sessionStorage, localStorage, `document.cookie`; and
 * the context's cookies for every origin. Kept for the final check, then the context is closed.
 * @param {import("playwright-core").BrowserContext} context
 * @param {import("playwright-core").Page} page
 */
async function closeScanned(context, page) {
  const state = await page.evaluate(async () => {
    /** @type {string[]} */
    const found = [];
    const seen = new Set();
    /** @param {unknown} value @param {number} depth */
    const walk = (value, depth) => {
      if (typeof value === "string") return void found.push(value);
      if (typeof value !== "object" || value === null || seen.has(value) || depth > 3 || found.length > 200_000) return;
      if (value instanceof Node) return; // the DOM is read as HTML below
      seen.add(value);
      for (const key of Object.getOwnPropertyNames(value)) {
        found.push(key);
        try {
          walk(/** @type {Record<string, unknown>} */ (value)[key], depth + 1);
        } catch {
          // a getter that throws (cross-origin, deprecated APIs)
        }
      }
    };
    walk(window, 0);
    const { default: config } = await import("/config.js");
    const storage = (/** @type {Storage} */ s) => JSON.stringify(Object.entries(s));
    return [
      document.documentElement.outerHTML,
      JSON.stringify(config),
      storage(sessionStorage),
      storage(localStorage),
      document.cookie,
      found.join("\n"),
    ].join("\n");
  });
  const cookies = await context.cookies();
  pageStates.push(state, JSON.stringify(cookies));
  await context.close();
}

/** The stored token record. @param {import("playwright-core").Page} page @returns {Promise<{ accessToken: string, refreshToken?: string, expiresAt: number }>} */
async function record(page) {
  const raw = await page.evaluate((key) => sessionStorage.getItem(key), STORAGE_KEY);
  assert.ok(raw, "a token record is stored");
  return JSON.parse(raw);
}

/** @param {import("playwright-core").Page} page */
async function errorCode(page) {
  return (await page.isVisible("#error-panel")) ? (await page.textContent("#error-code"))?.trim() : null;
}

/** The error panel's `data-field` values. @param {import("playwright-core").Page} page */
const errorFields = (page) =>
  page.$$eval("#error-details dd[data-field]", (dds) => Object.fromEntries(dds.map((dd) => [/** @type {HTMLElement} */ (dd).dataset.field, dd.textContent])));

/** @param {import("playwright-core").Page} page @param {string} echoText */
async function ping(page, echoText) {
  await page.fill("#echo-text", echoText);
  return call(page, "#ping-button", "#ping-result");
}

/** @param {import("./harness.mjs").Stack} stack */
const refreshGrants = async (stack) => (await stack.emulatorStats()).token_requests.refresh_token;

/** The relay's request lines (stderr) for refreshes. @param {import("./harness.mjs").Stack} stack */
const relayRefreshLines = (stack) => (stack.relay?.stderr ?? []).filter((l) => l.startsWith("POST /token ") && l.includes(" grant=refresh_token "));

/** Waits until `ms` since the epoch. @param {number} ms */
const until = (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms - Date.now())));

test("relay 1. confidential client through the relay: refreshes over time, one token request per storm, sign out revokes", TIMEOUT, async () => {
  const before = await relayed.emulatorStats();
  const { context, page } = await signedIn(relayed);
  const first = await record(page);
  assert.equal(typeof first.refreshToken, "string", "the implicit grant brought a refresh token");

  // About 8 s of calls, one every ~0.6 s: each token is refreshed once it has 2 s or less left.
  // On a slow machine the calls are further apart: then on until 3 refreshes (at most 30 s).
  const start = Date.now();
  const refreshes = async () => (await refreshGrants(relayed)) - before.token_requests.refresh_token;
  let calls = 0;
  while (Date.now() - start < 8_000 || ((await refreshes()) < 3 && Date.now() - start < 30_000)) {
    const answer = await ping(page, `call ${calls}`);
    if (answer?.echoText !== `call ${calls}`) assert.fail(`ping ${calls}: ${await errorCode(page)} ${await page.textContent("#error-message")}`);
    calls++;
    await page.waitForTimeout(600);
  }
  const elapsed = Date.now() - start;
  const mid = await relayed.emulatorStats();
  const refreshed = mid.token_requests.refresh_token - before.token_requests.refresh_token;
  const most = Math.floor(elapsed / ((LIFETIME_S - SKEW_S) * 1000)) + 2;
  assert.ok(refreshed >= 3, `at least 3 refreshes in ${elapsed} ms (${refreshed})`);
  assert.ok(refreshed <= most && refreshed < calls, `one refresh per token, not per call: ${refreshed} for ${calls} calls (at most ${most})`);
  assert.equal(relayRefreshLines(relayed).length, refreshed, "every refresh the emulator saw came through the relay");
  for (const line of relayRefreshLines(relayed)) {
    assert.match(line, new RegExp(`^POST /token origin=${relayed.portal.origin.replace(/\./g, "\\.")} grant=refresh_token status=200 upstream=200 ms=\\d+$`));
  }
  assert.match((await page.textContent("#session-refreshes")) ?? "", new RegExp(`^${refreshed} times?, last at `));
  assert.ok(await page.isVisible("#signed-in"));
  assert.equal(await errorCode(page), null);

  // Storms: 30 client.fetch calls started together on a token inside the skew, from the package
  // imported into the page (one client for all three storms), then the portal's own three cards.
  await page.evaluate(async () => {
    const { createClient } = await import("mobproc-auth");
    const { default: config } = await import("/config.js");
    /** @type {any} */ (window).__storm = await createClient(config);
  });
  for (let storm = 0; storm < 4; storm++) {
    const { expiresAt } = await record(page);
    await until(expiresAt - SKEW_S * 1000 + 200); // inside the skew, still valid
    const grants = await refreshGrants(relayed);
    const lines = relayRefreshLines(relayed).length;
    const startedAt = Date.now();
    if (storm < 3) {
      const statuses = await page.evaluate(async () => {
        const client = /** @type {any} */ (window).__storm;
        const responses = await Promise.all(Array.from({ length: 30 }, (_, i) => client.fetch(`ping?echoText=storm${i}`)));
        return responses.map((/** @type {Response} */ r) => r.status);
      });
      assert.deepEqual(statuses, Array(30).fill(200), `storm ${storm}: every call answered`);
    } else {
      await clickThreeCards(page);
      assert.equal(await errorCode(page), null, "the portal's three concurrent calls succeeded");
    }
    assert.ok(startedAt < expiresAt, `storm ${storm} started on a live token`);
    assert.equal((await refreshGrants(relayed)) - grants, 1, `storm ${storm}: one token request at the emulator`);
    assert.equal(relayRefreshLines(relayed).length - lines, 1, `storm ${storm}: one refresh through the relay`);
  }
  const last = await record(page);
  assert.notEqual(last.refreshToken, first.refreshToken, "the refresh token was rotated");
  assert.ok(last.expiresAt > first.expiresAt);
  assert.deepEqual(await page.evaluate(() => Object.keys(sessionStorage)), [STORAGE_KEY], "one record in sessionStorage");

  // Every call that reached Tangoe's token endpoint carried the client's credentials (Basic);
  // the page's own requests to the relay carried none.
  const tokenLines = relayed.emulator.lines.filter((l) => l.startsWith("POST /as/token.oauth2 "));
  assert.ok(tokenLines.length >= 7);
  assert.deepEqual([...new Set(tokenLines)], ["POST /as/token.oauth2 200 basic"], "Tangoe saw only authenticated refreshes");
  const toRelay = (await Promise.all(requests)).filter((r) => r.url.startsWith(`${relayed.relay?.origin}/token`));
  assert.equal(toRelay.length, (await refreshGrants(relayed)) - before.token_requests.refresh_token, "the page's refreshes all went to the relay");
  for (const r of toRelay) {
    assert.equal(r.method, "POST");
    assert.equal(r.headers.origin, relayed.portal.origin, "the relay's origin gate sees the portal");
    assert.match(r.headers["content-type"] ?? "", /^application\/x-www-form-urlencoded/);
    assert.equal(r.headers.authorization, undefined, "no credentials from the page");
    assert.equal(r.headers.cookie, undefined);
    // playwright-core's Firefox (WebDriver BiDi) reports no request bodies: there the form is
    // checked where it arrives (the relay's and the emulator's logs above).
    if (BROWSER === "firefox" && r.postData === null) continue;
    const form = new URLSearchParams(r.postData ?? "");
    assert.deepEqual([...form.keys()].sort(), ["client_id", "grant_type", "refresh_token", "scope"]);
    assert.equal(form.get("grant_type"), "refresh_token");
    assert.equal(form.get("client_id"), CLIENT_ID);
  }

  // Sign out: both tokens revoked through the relay's /revoke.
  const revoked = (await relayed.emulatorStats()).revocations;
  await page.click("#sign-out");
  await page.waitForSelector("#sign-in", { state: "visible" });
  const deadline = Date.now() + 10_000;
  while ((await relayed.emulatorStats()).revocations - revoked < 2 && Date.now() < deadline) await page.waitForTimeout(100);
  assert.equal((await relayed.emulatorStats()).revocations - revoked, 2, "refresh and access token revoked");
  assert.equal(relayed.relay?.stderr.filter((l) => /^POST \/revoke .* status=200 upstream=200 /.test(l)).length, 2);
  assert.equal(await errorCode(page), null, "no revoke_failed");
  await closeScanned(context, page);
});

test("relay 2. the same confidential client without the relay: refresh_failed with Tangoe's invalid_client saying tokenUrl must be the relay's; no refresh tried again, sessionExpiring warns, the session kept until expiry", TIMEOUT, async () => {
  const { context, page } = await signedIn(direct);
  const stored = await record(page);
  const raw = JSON.stringify(stored);
  assert.equal(typeof stored.refreshToken, "string");

  // Inside the skew, still valid: the refresh is refused, the call goes on with the current token.
  await until(stored.expiresAt - 4_000 + 200);
  const before = await direct.emulatorStats();
  // The failure comes as an `error` event while the call goes on: wait for the call's answer.
  await page.fill("#echo-text", "inside the skew");
  await page.click("#ping-button");
  await page.waitForFunction(() => document.querySelector("#ping-result")?.textContent);
  assert.equal(JSON.parse((await page.textContent("#ping-result")) ?? "null")?.echoText, "inside the skew", "the call was made with the current token");
  assert.equal(await errorCode(page), "refresh_failed");
  assert.match((await page.textContent("#error-message")) ?? "", /HTTP 401/);
  assert.deepEqual(await errorFields(page), { status: "401", oauthError: "invalid_client", oauthErrorDescription: "client authentication failed" });
  const now = await direct.emulatorStats();
  assert.equal(now.token_requests.refresh_token - before.token_requests.refresh_token, 1, "one refresh attempt");
  assert.equal(now.api_requests - before.api_requests, 1, "the ping reached the API");
  assert.equal(JSON.stringify(await record(page)), raw, "the stored record is unchanged");
  assert.match((await page.textContent("#error-message")) ?? "", /tokenUrl must be the relay's/, "the message says what to change");
  assert.ok(await page.isVisible("#signed-in"), "still signed in");
  // The client may not refresh: its session is one that cannot be refreshed, and is warned of.
  await page.waitForSelector("#session-ending:not([hidden])", { timeout: 2_000 });
  assert.ok(direct.emulator.lines.includes("POST /as/token.oauth2 401 -"), "Tangoe got a refresh without credentials and refused it");

  // Expired: the call is not sent and no refresh is tried again; the record stays.
  await until(stored.expiresAt + 300);
  await page.click("#error-dismiss");
  assert.equal(await ping(page, "after expiry"), null, "no answer after expiry");
  assert.equal(await errorCode(page), "not_authenticated");
  const later = await direct.emulatorStats();
  assert.equal(later.api_requests, now.api_requests, "the expired token was not sent to the API");
  assert.equal(later.token_requests.refresh_token - now.token_requests.refresh_token, 0, "no refresh tried again");
  assert.equal(JSON.stringify(await record(page)), raw, "the stored record is still unchanged");
  await closeScanned(context, page);
});

test("relay 3. no refresh token: 'Your session ends in …' before the expiry, and Sign in again comes back to returnTo", TIMEOUT, async () => {
  const { context, page } = await signedIn(noRefreshToken);
  const stored = await record(page);
  assert.equal(stored.refreshToken, undefined, "the implicit grant brought no refresh token");
  // An app route with a query: where "Sign in again" must bring the user back to.
  await page.goto(`${noRefreshToken.portal.origin}/reports?from=e2e`);
  await page.waitForSelector("body[data-ready=true]", { state: "attached" });
  assert.ok(await page.isVisible("#signed-in"), "the reload kept the session");
  assert.equal(await page.textContent("#session-refresh"), "no");
  assert.ok(await page.isHidden("#session-refresh-now"));
  assert.ok(await page.isHidden("#session-ending"), "no notice while more than refreshSkewSeconds are left");

  // refreshSkewSeconds (5) before the end of a 10-second token.
  await page.waitForSelector("#session-ending:not([hidden])", { timeout: 10_000 });
  const shownAt = Date.now();
  assert.ok(shownAt < stored.expiresAt, "shown before the expiry");
  const ahead = stored.expiresAt - shownAt;
  assert.ok(ahead > 3_000 && ahead <= 5_000, `shown about 5 s before the end (${ahead} ms)`);
  assert.match((await page.textContent("#session-ending")) ?? "", /Your session ends in 00:0[0-5]/);
  assert.ok(await page.isVisible("#signed-in"));
  assert.equal(await errorCode(page), null);

  await page.click("#session-sign-in-again");
  await page.waitForURL((u) => u.origin === noRefreshToken.emulator.origin);
  const authorize = new URL(page.url());
  assert.equal(authorize.pathname, "/as/authorization.oauth2");
  assert.equal(authorize.searchParams.get("client_id"), CLIENT_ID);
  assert.equal(authorize.searchParams.get("response_type"), "token");
  assert.equal(authorize.searchParams.get("redirect_uri"), `${noRefreshToken.portal.origin}/`);
  assert.ok((authorize.searchParams.get("state") ?? "").length >= 22, "a state");
  await page.fill("#username", "demo");
  await page.fill("#password", "demo");
  await page.click("#sign-in");
  await page.waitForURL(`${noRefreshToken.portal.origin}/reports?from=e2e`);
  await page.waitForSelector("#signed-in:not([hidden])");
  assert.ok(await page.isHidden("#session-ending"), "a new session, no notice");
  const fresh = await record(page);
  assert.ok(fresh.expiresAt > stored.expiresAt, "a new token");
  const stats = await noRefreshToken.emulatorStats();
  assert.equal(stats.sign_ins, 2);
  assert.equal(stats.token_requests.refresh_token, 0, "nothing to refresh, nothing tried");
  await closeScanned(context, page);
});

test("relay 4. the client secret appears nowhere the pages can see: requests, answers, console, DOM, globals, storage, cookies", TIMEOUT, async () => {
  const sent = await Promise.all(requests);
  const received = await Promise.all(bodies);
  assert.ok(sent.length >= 100, `requests were recorded (${sent.length})`);
  assert.ok(sent.some((r) => r.url.startsWith(`${relayed.relay?.origin}/revoke`)), "the revocations were recorded");
  assert.ok(pageStates.length === 6, "each test's page was scanned");
  assert.ok(pageStates.some((s) => s.includes("mobproc-auth:")), "the scans read the page's storage");
  /** @param {string} where @param {string} text */
  const clean = (where, text) => assert.ok(!text.includes(SECRET), `the client secret appears in ${where}`);
  // In Firefox `postData` is null (no bodies over WebDriver BiDi): URLs and headers only.
  for (const r of sent) {
    clean(`a request to ${r.url}`, `${r.url}\n${JSON.stringify(r.headers)}\n${r.postData ?? ""}`);
    assert.ok(!/client_secret/i.test(`${r.url}\n${r.postData ?? ""}`), `no client_secret parameter in ${r.url}`);
  }
  received.forEach((body, i) => clean(`answer ${i}`, body));
  clean("the console", consoleLines.join("\n"));
  assert.deepEqual(consoleLines.filter((l) => l.startsWith("[pageerror]")), [], "no uncaught page errors");
  pageStates.forEach((state, i) => clean(`the page state ${i}`, state));
  // Nor in what the servers print.
  for (const stack of [relayed, direct, noRefreshToken]) {
    clean("the emulator's log", await stack.emulatorLog());
    clean("a server's output", [stack.emulator, stack.portal, stack.relay].flatMap((s) => (s ? [...s.lines, ...s.stderr] : [])).join("\n"));
  }
});
