// The redirect callback (issue 13) in real Chromium, for both grants: called twice at once, by
// two clients of the page, and again later, it resolves the same result, stores one token and
// exchanges a code once (the token endpoint is routed by the test and counted). The code grant's
// callback removes `code` and `state` (and `iss`, `session_state`) from the query with
// history.replaceState and keeps the app's own parameters and fragment; a replayed callback
// URL, a refused exchange and a code for a token sign-in are typed errors that keep a good
// session.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { config, goto, openPage, recordRevocations, useServerAndBrowser } from "./harness.mjs";

const KEY = "mobproc-auth:portal-demo:XYZ";
const shared = useServerAndBrowser();

const cfg = (extra = {}) => config(shared.server.origin, { tokenUrl: `${shared.server.origin}/token`, ...extra });

/** A page with a token endpoint routed to `answer` (default: a fresh token per request); requests counted. */
async function setUp(answer) {
  const opened = await openPage(shared.browser, `${shared.server.origin}/app/`);
  const exchanges = [];
  await opened.context.route(`${shared.server.origin}/token`, async (route) => {
    const form = Object.fromEntries(new URLSearchParams(route.request().postData()));
    exchanges.push(form);
    await new Promise((r) => setTimeout(r, 150)); // long enough for every caller to be waiting
    if (answer) return answer(route, form);
    return route.fulfill({ contentType: "application/json", body: JSON.stringify({ access_token: `acc-code-${exchanges.length}`, token_type: "Bearer", expires_in: 3600, refresh_token: `ref-code-${exchanges.length}` }) });
  });
  return { ...opened, exchanges };
}

/** Starts a sign-in on the page; returns the authorize URL's parameters and the pending verifier. */
async function startSignIn(page, c, returnTo) {
  const url = await page.evaluate(async ([c, returnTo]) => (await window.mobproc.createClient(c)).authorizeUrl({ returnTo }), [c, returnTo]);
  const params = new URL(url).searchParams;
  const pending = await page.evaluate((key) => JSON.parse(sessionStorage.getItem(`${key}.pending`)), KEY);
  return { params, state: params.get("state"), pending };
}

/**
 * On the page (already at the callback URL): two clients, the first calling
 * handleRedirectCallback twice at once, the second once, then the first again later.
 */
function callbackStorm(page, c) {
  return page.evaluate(async (c) => {
    const describe = (p) => p.then((v) => ({ value: v }), (e) => ({ code: e.code, message: e.message, oauthError: e.oauthError }));
    const first = await window.mobproc.createClient(c);
    const second = await window.mobproc.createClient(c);
    const events = [];
    first.on("sessionChanged", (s) => events.push(["first", s && s.expiresAt]));
    second.on("sessionChanged", (s) => events.push(["second", s && s.expiresAt]));
    const together = await Promise.all([describe(first.handleRedirectCallback()), describe(first.handleRedirectCallback()), describe(second.handleRedirectCallback())]);
    const later = await describe(first.handleRedirectCallback());
    window.client = first;
    return { together, later, events, url: location.href, history: history.length, keys: Object.keys(sessionStorage), stored: sessionStorage.getItem(c.storageKey ?? "mobproc-auth:portal-demo:XYZ") };
  }, c);
}

test("implicit grant: handleRedirectCallback twice at once, by a second client and again later: one result, one token stored, the fragment gone", async () => {
  const { page, context, exchanges, console: logs } = await setUp();
  const c = cfg();
  const { state } = await startSignIn(page, c, "/orders?id=1");
  await goto(page, `${shared.server.origin}/app/callback?tab=2#access_token=acc-twice&token_type=Bearer&expires_in=3600&refresh_token=ref-twice&state=${state}`);
  const out = await callbackStorm(page, c);
  for (const r of [...out.together, out.later]) assert.deepEqual(r, { value: { returnTo: "/orders?id=1" } });
  assert.equal(out.url, `${shared.server.origin}/app/callback?tab=2`, "the fragment is gone, the query kept");
  assert.deepEqual(out.keys, [KEY], "one record, no pending sign-in");
  assert.equal(JSON.parse(out.stored).accessToken, "acc-twice");
  assert.equal(out.events.filter(([who]) => who === "first").length, 1, "sessionChanged once for the client that stored it");
  assert.equal(out.events.filter(([who]) => who === "second").length <= 1, true);
  assert.equal(exchanges.length, 0);
  // A call after the app moved on (its own URL) is a page without an answer: null.
  const moved = await page.evaluate(async () => {
    history.pushState(null, "", "/app/orders");
    return window.client.handleRedirectCallback();
  });
  assert.equal(moved, null);
  for (const line of logs) assert.ok(!/acc-twice|ref-twice/.test(line), line);
  await context.close();
});

test("code grant: one exchange for concurrent and repeated callbacks, code and state gone from the query, the app's parameters and fragment kept", async () => {
  const { page, context, exchanges, console: logs } = await setUp();
  const c = cfg({ responseType: "code", redirectUri: `${shared.server.origin}/app/callback?tab=orders&q=a%20b` });
  const { params, state, pending } = await startSignIn(page, c, "/orders?id=2");
  assert.equal(params.get("response_type"), "code");
  assert.equal(params.get("code_challenge_method"), "S256");
  assert.match(pending.verifier, /^[A-Za-z0-9_-]{43}$/, "a 32-byte verifier, base64url");
  assert.equal(createHash("sha256").update(pending.verifier).digest("base64url"), params.get("code_challenge"));
  assert.equal(params.get("code_verifier"), null, "the verifier never leaves the page");
  await goto(page, `${shared.server.origin}/app/callback?tab=orders&q=a%20b&code=the-code&state=${state}&iss=https%3A%2F%2Fas.example&session_state=s#section-2`);
  const out = await callbackStorm(page, c);
  for (const r of [...out.together, out.later]) assert.deepEqual(r, { value: { returnTo: "/orders?id=2" } });
  assert.equal(exchanges.length, 1, "the code is exchanged once");
  assert.deepEqual(exchanges[0], { grant_type: "authorization_code", code: "the-code", redirect_uri: c.redirectUri, client_id: "portal-demo", code_verifier: pending.verifier });
  assert.equal(out.url, `${shared.server.origin}/app/callback?tab=orders&q=a%20b#section-2`);
  assert.deepEqual(out.keys, [KEY], "one record; the pending sign-in and its verifier are gone");
  assert.equal(JSON.parse(out.stored).accessToken, "acc-code-1");
  assert.equal(out.events.filter(([who]) => who === "first").length, 1);
  await page.goBack();
  const back = page.url();
  await page.goForward();
  assert.deepEqual([back, page.url()], [`${shared.server.origin}/app/`, out.url], "no history entry keeps the code");
  for (const line of logs) assert.ok(!/the-code|acc-code-1|ref-code-1/.test(line) && !line.includes(pending.verifier), line);
  await context.close();
});

test("code grant: logout while the code is being exchanged stores nothing, tells no tab, and revokes the tokens the exchange brings; handleRedirectCallback rejects with not_authenticated", async () => {
  let release;
  const held = new Promise((r) => (release = r));
  const answer = async (route) => {
    await held;
    return route.fulfill({ contentType: "application/json", body: JSON.stringify({ access_token: "acc-late", token_type: "Bearer", expires_in: 3600, refresh_token: "ref-late" }) });
  };
  const { page, context, exchanges } = await setUp(answer);
  const revoked = await recordRevocations(context, shared.server.origin);
  const c = cfg({ responseType: "code", revokeUrl: `${shared.server.origin}/revoke` });
  const { state } = await startSignIn(page, c, "/orders");
  await goto(page, `${shared.server.origin}/app/callback?code=code-late&state=${state}`);
  await page.evaluate(async (c) => {
    window.client = await window.mobproc.createClient(c);
    window.events = [];
    window.client.on("sessionChanged", (s) => window.events.push(s && s.expiresAt));
    window.tabs = [];
    new BroadcastChannel("mobproc-auth").onmessage = (e) => window.tabs.push(e.data);
    window.outcome = window.client.handleRedirectCallback().then((v) => ({ value: v }), (e) => ({ code: e.code }));
  }, c);
  while (exchanges.length === 0) await new Promise((r) => setTimeout(r, 20));
  await page.evaluate(() => window.client.logout());
  release();
  const out = await page.evaluate(async () => ({ outcome: await window.outcome, keys: Object.keys(sessionStorage), events: window.events, signedIn: window.client.isAuthenticated() }));
  assert.deepEqual(out, { outcome: { code: "not_authenticated" }, keys: [], events: [], signedIn: false });
  assert.deepEqual(await revoked(), ["acc-late", "ref-late"], "both tokens the exchange brought are revoked");
  assert.deepEqual(await page.evaluate(() => window.tabs.filter((m) => m.mobprocAuth === "signin")), [], "no tab hears of a sign-in");
  await context.close();
});

test("a logout() in the same synchronous run as handleRedirectCallback, by another client of the page: the callback stores nothing (not_authenticated); an implicit answer's tokens are revoked, a code is not exchanged", async () => {
  for (const responseType of ["token", "code"]) {
    const { page, context, exchanges } = await setUp();
    const revoked = await recordRevocations(context, shared.server.origin);
    const c = cfg({ responseType, revokeUrl: `${shared.server.origin}/revoke` });
    const { state } = await startSignIn(page, c, "/orders");
    const answer = responseType === "code" ? `?code=code-tick&state=${state}` : `#access_token=acc-tick&token_type=Bearer&expires_in=3600&refresh_token=ref-tick&state=${state}`;
    await goto(page, `${shared.server.origin}/app/callback${answer}`);
    const out = await page.evaluate(async ([c, key]) => {
      const client = await window.mobproc.createClient(c);
      const other = await window.mobproc.createClient({ ...c, storageKey: "another-tenant" });
      const outcome = client.handleRedirectCallback().then((v) => ({ value: v }), (e) => ({ code: e.code }));
      other.logout();
      return { outcome: await outcome, signedIn: client.isAuthenticated(), stored: sessionStorage.getItem(key) };
    }, [c, KEY]);
    assert.deepEqual(out, { outcome: { code: "not_authenticated" }, signedIn: false, stored: null }, responseType);
    await page.waitForTimeout(300); // an exchange or a revocation sent in the background has been routed by now
    assert.equal(exchanges.length, 0, `${responseType}: no code exchanged`);
    assert.deepEqual(await revoked(responseType === "code" ? 0 : 2), responseType === "code" ? [] : ["acc-tick", "ref-tick"], responseType);
    await context.close();
  }
});

test("code grant: a query that only looks like an answer (the app's own ?state=) is left alone", async () => {
  const { page, context, exchanges } = await setUp();
  const c = cfg({ responseType: "code" });
  await goto(page, `${shared.server.origin}/app/callback?state=mine&view=list`);
  const out = await page.evaluate(async (c) => {
    const client = await window.mobproc.createClient(c);
    return { result: await client.handleRedirectCallback(), url: location.href };
  }, c);
  assert.deepEqual(out, { result: null, url: `${shared.server.origin}/app/callback?state=mine&view=list` });
  assert.equal(exchanges.length, 0);
  await context.close();
});

test("code grant failures are typed, remove the answer from the URL, store nothing and keep a good session", async () => {
  const refuse = (route) => route.fulfill({ status: 400, contentType: "application/json", body: JSON.stringify({ error: "invalid_grant", error_description: "authorization code was already used" }) });
  const { page, context, exchanges } = await setUp(refuse);
  const c = cfg({ responseType: "code" });
  // A good session first (an earlier sign-in).
  const first = await startSignIn(page, cfg(), undefined);
  await goto(page, `${shared.server.origin}/app/#access_token=acc-good&token_type=Bearer&expires_in=3600&refresh_token=ref-good&state=${first.state}`);
  await page.evaluate(async (c) => (await window.mobproc.createClient(c)).handleRedirectCallback(), cfg());
  const good = await page.evaluate((key) => sessionStorage.getItem(key), KEY);
  assert.equal(JSON.parse(good).accessToken, "acc-good");

  // 1. The exchange is refused (a replayed or expired code): both concurrent calls get the same typed error.
  const { state } = await startSignIn(page, c, undefined);
  await goto(page, `${shared.server.origin}/app/callback?keep=1&code=used-code&state=${state}`);
  const refused = await callbackStorm(page, c);
  for (const r of [...refused.together, refused.later]) {
    assert.equal(r.code, "authorization_denied", JSON.stringify(r));
    assert.equal(r.oauthError, "invalid_grant");
  }
  assert.equal(exchanges.length, 1, "one exchange, however many callers");
  assert.equal(refused.url, `${shared.server.origin}/app/callback?keep=1`);
  assert.equal(refused.stored, good, "the good session is kept, byte for byte");
  assert.deepEqual(refused.keys, [KEY], "the pending sign-in is used up");

  // 2. The same callback URL loaded again (a replay, a restored tab): no pending sign-in any more,
  // state_mismatch, and nothing sent.
  await page.goto(`${shared.server.origin}/app/callback?keep=1&code=used-code&state=${state}`);
  await page.waitForFunction(() => window.mobprocReady === true);
  const replayed = await callbackStorm(page, c);
  for (const r of [...replayed.together, replayed.later]) assert.equal(r.code, "state_mismatch", JSON.stringify(r));
  assert.equal(exchanges.length, 1, "no exchange for a replayed URL");
  assert.equal(replayed.stored, good);
  assert.equal(replayed.url, `${shared.server.origin}/app/callback?keep=1`);

  // 3. Tangoe's error in the query: authorization_denied, the query cleaned.
  const again = await startSignIn(page, c, undefined);
  await goto(page, `${shared.server.origin}/app/callback?error=access_denied&error_description=The+user+cancelled&state=${again.state}`);
  const denied = await callbackStorm(page, c);
  assert.equal(denied.together[0].code, "authorization_denied");
  assert.equal(denied.url, `${shared.server.origin}/app/callback`);
  assert.equal(denied.stored, good);

  // 4. A code for a sign-in that asked for a token (no verifier): invalid_callback, nothing sent.
  const token = await startSignIn(page, cfg(), undefined);
  await goto(page, `${shared.server.origin}/app/callback?code=c&state=${token.state}`);
  const mixed = await callbackStorm(page, c);
  assert.equal(mixed.together[0].code, "invalid_callback", JSON.stringify(mixed.together[0]));
  assert.equal(exchanges.length, 1);
  assert.equal(mixed.stored, good);
  await context.close();
});
