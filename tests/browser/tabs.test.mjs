// Tabs sharing one session (issue 13) in real Chromium: the tabs of one browser context share
// BroadcastChannel and Web Locks. A new tab is signed in by the open ones, sign-out reaches
// every tab, `shareSessionAcrossTabs: false` keeps a tab apart, and tabs on an expiring token
// make one token request between them (the token endpoint and the API are routed by the test,
// on the page's own origin, so one counter sees every tab). Messages on the channel from other
// clients or tenants, or malformed, change nothing. No token in a URL, localStorage or console.
import { test } from "node:test";
import assert from "node:assert/strict";
import { config, goto, useServerAndBrowser } from "./harness.mjs";

const KEY = "mobproc-auth:portal-demo:XYZ";
const shared = useServerAndBrowser();

/** Every token value issued in this file, to look for in URLs, storage and console output. */
const issued = new Set();

/** A tab of `context` on /app/, its console collected. */
async function newTab(context, path = "/app/") {
  const page = await context.newPage();
  const logs = [];
  page.on("console", (m) => logs.push(m.text()));
  page.on("pageerror", (e) => logs.push(`pageerror: ${e}`));
  await goto(page, `${shared.server.origin}${path}`);
  return { page, logs };
}

/** A config whose token endpoint and API are on the test server's origin (routed per test). */
function cfg(extra = {}) {
  const origin = shared.server.origin;
  return config(origin, { tokenUrl: `${origin}/token`, revokeUrl: `${origin}/revoke`, apiBaseUrl: `${origin}/api`, ...extra });
}

/**
 * Routes the token, revocation and API endpoints of `context` to a scripted Tangoe that
 * rotates refresh tokens (a rotated-away one gets `invalid_grant`) and counts everything.
 * Token answers wait for `t.hold` while it is a promise.
 */
async function tangoe(context, { delayMs = 0, rotate = true, expiresIn = 3600 } = {}) {
  const t = { refreshes: [], revocations: [], api: [], live: new Map(), access: new Set(), n: 0, hold: null };
  t.grant = (refresh, access) => {
    t.live.set(refresh, true);
    t.access.add(access);
    issued.add(refresh).add(access);
  };
  await context.route(`${shared.server.origin}/token`, async (route) => {
    const form = new URLSearchParams(route.request().postData() ?? "");
    const old = form.get("refresh_token");
    t.refreshes.push({ ...Object.fromEntries(form), alive: t.live.get(old) === true });
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    if (t.hold) await t.hold;
    if (form.get("grant_type") !== "refresh_token" || !t.live.get(old)) {
      return route.fulfill({ status: 400, contentType: "application/json", body: JSON.stringify({ error: "invalid_grant" }) });
    }
    t.n++;
    const access = `acc-rotated-${t.n}-${Math.random().toString(36).slice(2)}`;
    if (!rotate) {
      // The refresh token stays; the answer leaves it out (RFC 6749 §6).
      t.grant(old, access);
      return route.fulfill({ contentType: "application/json", body: JSON.stringify({ access_token: access, token_type: "Bearer", expires_in: 3600 }) });
    }
    t.live.set(old, false);
    const refresh = `ref-rotated-${t.n}-${Math.random().toString(36).slice(2)}`;
    t.grant(refresh, access);
    return route.fulfill({ contentType: "application/json", body: JSON.stringify({ access_token: access, token_type: "Bearer", expires_in: expiresIn, refresh_token: refresh }) });
  });
  await context.route(`${shared.server.origin}/revoke`, (route) => {
    t.revocations.push(route.request().postData());
    return route.fulfill({ status: 200, body: "" });
  });
  await context.route(`${shared.server.origin}/api/**`, (route) => {
    const bearer = (route.request().headers().authorization ?? "").replace(/^Bearer /, "");
    t.api.push(bearer);
    const ok = t.access.has(bearer);
    return route.fulfill({ status: ok ? 200 : 401, contentType: "application/json", body: JSON.stringify({ ok }) });
  });
  return t;
}

/** Signs `page` in through the redirect (a fragment with these tokens); `window.client` is its client. */
async function signIn(page, config, { access, refresh, expiresIn = 3600 }) {
  issued.add(access).add(refresh);
  // One client for the page, kept across the fragment's same-document navigation: a second
  // one would answer other tabs' asks too, for as long as it is not garbage-collected.
  const url = await page.evaluate(async (c) => {
    window.client = await window.mobproc.createClient(c);
    return window.client.authorizeUrl();
  }, config);
  const state = new URL(url).searchParams.get("state");
  await goto(page, `${shared.server.origin}/app/#access_token=${access}&token_type=Bearer&expires_in=${expiresIn}&refresh_token=${refresh}&state=${state}`);
  await page.evaluate(async (c) => {
    window.client ??= await window.mobproc.createClient(c);
    await window.client.handleRedirectCallback();
    window.events = [];
    window.client.on("sessionChanged", (s) => window.events.push(s && { expiresAt: s.expiresAt }));
    window.client.on("error", (e) => window.events.push({ error: e.code }));
  }, config);
}

/** Opens the client in `page` as a new tab would (`createClient`); returns how long it took. */
async function connect(page, config) {
  return page.evaluate(async (c) => {
    const started = performance.now();
    window.client = await window.mobproc.createClient(c);
    window.resolvedAt = performance.now();
    const ms = window.resolvedAt - started;
    window.events = [];
    window.client.on("sessionChanged", (s) => window.events.push(s && { expiresAt: s.expiresAt }));
    window.client.on("error", (e) => window.events.push({ error: e.code }));
    return ms;
  }, config);
}

/** What a tab holds: its stored record (raw), whether signed in, its events, its storages. */
function look(page) {
  return page.evaluate((key) => ({
    raw: sessionStorage.getItem(key),
    record: JSON.parse(sessionStorage.getItem(key) ?? "null"),
    signedIn: window.client.isAuthenticated(),
    events: window.events,
    local: localStorage.length,
    cookies: document.cookie,
    url: location.href,
  }), KEY);
}

/** No token value in any URL, localStorage, cookie or console line of these tabs. */
async function assertNoTokenLeaks(tabs) {
  for (const { page, logs } of tabs) {
    if (page.isClosed()) continue;
    const seen = await page.evaluate(async () => ({
      url: location.href,
      local: JSON.stringify({ ...localStorage }),
      cookies: document.cookie,
      history: history.length,
      idb: (await indexedDB.databases()).map((d) => d.name),
    }));
    for (const token of issued) {
      assert.ok(!seen.url.includes(token), `token in URL ${seen.url}`);
      for (const line of logs) assert.ok(!line.includes(token), `token in console: ${line}`);
    }
    assert.equal(seen.local, "{}", "nothing in localStorage");
    assert.equal(seen.cookies, "", "no cookies");
    assert.deepEqual(seen.idb, [], "no IndexedDB");
  }
}

/**
 * A context with the scripted Tangoe (`options` of `tangoe`), tab `a` signed in with
 * `access`/`refresh` (live at the token endpoint) and tab `b` sharing its session.
 */
async function twoTabs(access, refresh, options) {
  const context = await shared.browser.newContext();
  const t = await tangoe(context, options);
  const a = await newTab(context);
  await signIn(a.page, cfg(), { access, refresh });
  t.grant(refresh, access);
  const b = await newTab(context);
  await connect(b.page, cfg());
  return { context, t, a, b };
}

test("a new tab is signed in by an open one: no request to the authorize URL, the same record, at once", async () => {
  const context = await shared.browser.newContext();
  const t = await tangoe(context);
  const a = await newTab(context);
  await signIn(a.page, cfg(), { access: "acc-new-tab-A", refresh: "ref-new-tab-A" });
  t.grant("ref-new-tab-A", "acc-new-tab-A");
  const authorizeBefore = shared.server.requests.get("/authorize") ?? 0;
  const held = await look(a.page);

  const b = await newTab(context);
  // When the answer came, seen by a channel of the page's own (the module loads first, which
  // takes a slow machine more than the 150 ms a wait may last).
  await b.page.evaluate(() => {
    const probe = new BroadcastChannel("mobproc-auth");
    probe.onmessage = (e) => {
      if (e.data?.mobprocAuth === "session") window.answeredAt ??= performance.now();
    };
  });
  await connect(b.page, cfg());
  const afterAnswer = await b.page.evaluate(() => window.resolvedAt - window.answeredAt);
  const got = await look(b.page);
  assert.equal(got.signedIn, true, "the new tab is signed in");
  assert.equal(got.raw, held.raw, "with the open tab's record, byte for byte");
  assert.ok(afterAnswer < 100, `createClient resolved as soon as a tab answered (${afterAnswer.toFixed(0)} ms after), not when its wait ended`);
  const call = await b.page.evaluate(async () => (await window.client.fetch("/api/me")).status);
  assert.equal(call, 200);
  assert.deepEqual(t.api, ["acc-new-tab-A"], "the new tab's call carries the shared token");
  assert.equal(shared.server.requests.get("/authorize") ?? 0, authorizeBefore, "no request to the authorize URL");
  assert.deepEqual(t.refreshes, [], "and none to the token endpoint");

  // Another new tab: every open tab answers with the same record; nobody hears of a change.
  const b3 = await newTab(context);
  await connect(b3.page, cfg());
  assert.equal((await look(b3.page)).raw, held.raw);
  assert.deepEqual((await look(a.page)).events, [], "no sessionChanged for the same session");
  assert.deepEqual((await look(b.page)).events, []);

  // A third tab of the same origin that shares nothing: shareSessionAcrossTabs false.
  const c = await newTab(context);
  await connect(c.page, cfg({ shareSessionAcrossTabs: false }));
  assert.equal((await look(c.page)).signedIn, false, "shareSessionAcrossTabs: false asks nobody");
  // Another client id or tenant on the same origin is not answered either.
  for (const other of [{ clientId: "other-portal" }, { tenant: "ABC" }]) {
    const d = await newTab(context);
    await connect(d.page, cfg(other));
    assert.equal((await look(d.page)).signedIn, false, JSON.stringify(other));
    assert.deepEqual(await d.page.evaluate(() => Object.keys(sessionStorage)), [], JSON.stringify(other));
  }
  await assertNoTokenLeaks([a, b, b3, c]);
  await context.close();
});

test("a tab alone asks but does not wait; a client beside another waits at most about 150 ms for an answer; a tab with its own session does not wait", async () => {
  const context = await shared.browser.newContext();
  // Another tab of the origin on the channel, not a client: it hears every ask.
  const ear = await newTab(context);
  await ear.page.evaluate(() => {
    window.heard = [];
    new BroadcastChannel("mobproc-auth").onmessage = (e) => window.heard.push(e.data.mobprocAuth);
  });
  const heard = () => ear.page.evaluate(() => window.heard);
  const a = await newTab(context);
  // The wasm module loaded by a client that shares nothing (and holds no presence lock).
  await connect(a.page, cfg({ shareSessionAcrossTabs: false }));
  const alone = await connect(a.page, cfg()); // the first sharing client of the context
  // Below the 150 ms a wait would take, with room for a loaded machine.
  assert.ok(alone < 140, `alone: ${alone.toFixed(0)} ms`);
  await ear.page.waitForFunction(() => window.heard.length > 0);
  assert.deepEqual(await heard(), ["ask"], "it asks all the same (a tab of an older version answers late)");
  // A second client (a remount; another tab alike) beside the first, which has no session.
  const beside = await connect(a.page, cfg());
  await ear.page.waitForFunction(() => window.heard.length > 1);
  assert.deepEqual(await heard(), ["ask", "ask"]);
  assert.ok(beside >= 140 && beside < 1000, `beside another client, waiting for an answer that does not come: ${beside.toFixed(0)} ms`);
  // Web Locks that never answer (a prerendered page's wait for activation): the same bound.
  const stuck = await newTab(context);
  await stuck.page.evaluate(() => { navigator.locks.request = navigator.locks.query = () => new Promise(() => {}); });
  const waited = await connect(stuck.page, cfg());
  assert.ok(waited >= 140 && waited < 1000, `locks that never answer: ${waited.toFixed(0)} ms`);
  await stuck.page.close(); // it would take the session below and answer with it
  await signIn(a.page, cfg(), { access: "acc-alone", refresh: "ref-alone" });
  const own = await connect(a.page, cfg());
  assert.ok(own < 140, `with its own session: ${own.toFixed(0)} ms`);
  // A tab holding an expired record asks (and, with nobody to answer, keeps it for a refresh).
  await a.page.evaluate((key) => {
    const r = JSON.parse(sessionStorage.getItem(key));
    sessionStorage.setItem(key, JSON.stringify({ ...r, expiresAt: Date.now() - 1000 }));
  }, KEY);
  const expired = await connect(a.page, cfg());
  assert.ok(expired >= 140, `with an expired session: ${expired.toFixed(0)} ms`);
  await context.close();
});

test("a tab of an older version (on the channel, without the presence lock) still signs a new tab in: its answer is adopted when it comes, after createClient resolved", async () => {
  const context = await shared.browser.newContext();
  const old = await newTab(context);
  await signIn(old.page, cfg(), { access: "acc-old-version", refresh: "ref-old-version" });
  const raw = (await look(old.page)).raw;
  // The same tab, now a page without a client (none holds the lock), answering as an older
  // version of the package did; here when the test says (a busy tab, late).
  await goto(old.page, `${shared.server.origin}/app/older`);
  await old.page.evaluate(([key, raw]) => {
    const channel = new BroadcastChannel("mobproc-auth");
    window.asked = 0;
    channel.onmessage = (e) => { if (e.data?.mobprocAuth === "ask") window.asked++; };
    window.answer = () => channel.postMessage({ mobprocAuth: "session", clientId: "portal-demo", tenant: "XYZ", key, record: raw });
  }, [KEY, raw]);
  const b = await newTab(context);
  // The module loaded first by a client that shares nothing: the time below is the wait's.
  await connect(b.page, cfg({ shareSessionAcrossTabs: false }));
  const ms = await connect(b.page, cfg());
  assert.ok(ms < 140, `nobody holds the lock: no wait (${ms.toFixed(0)} ms)`);
  assert.equal((await look(b.page)).signedIn, false, "signed out when createClient resolves");
  await old.page.waitForFunction(() => window.asked === 1);
  await old.page.evaluate(() => window.answer());
  await b.page.waitForFunction(() => window.client.isAuthenticated());
  const got = await look(b.page);
  assert.equal(got.raw, raw);
  assert.equal(got.events.length, 1, "told with sessionChanged");
  assert.equal(got.events[0]?.expiresAt, JSON.parse(raw).expiresAt);
  await assertNoTokenLeaks([b]);
  await context.close();
});

test("sign-out in one tab signs out every sharing tab (sessionChanged null, storage empty); only that tab revokes", async () => {
  const { context, t, a, b } = await twoTabs("acc-out-A", "ref-out-A");
  const b2 = await newTab(context);
  await connect(b2.page, cfg());
  // A second client on b2's page (React StrictMode makes two): it hears the other tabs too,
  // even where the first client of the page has already changed their shared storage.
  await b2.page.evaluate(async (c) => {
    window.second = await window.mobproc.createClient(c);
    window.secondEvents = [];
    window.second.on("sessionChanged", (s) => window.secondEvents.push(s && { expiresAt: s.expiresAt }));
  }, cfg());
  // A tab that does not share, signed in on its own.
  const c = await newTab(context);
  await signIn(c.page, cfg({ shareSessionAcrossTabs: false }), { access: "acc-out-C", refresh: "ref-out-C" });
  assert.equal((await look(b.page)).signedIn, true);
  assert.equal((await look(c.page)).record.accessToken, "acc-out-C", "the unshared tab kept its own sign-in");
  assert.equal((await look(a.page)).record.accessToken, "acc-out-A", "and told nobody about it");

  await b.page.evaluate(() => window.client.logout());
  for (const tab of [a, b2]) {
    await tab.page.waitForFunction(() => !window.client.isAuthenticated());
    const got = await look(tab.page);
    assert.equal(got.raw, null, "the record is gone");
    assert.deepEqual(got.events, [null], `one sessionChanged with null in ${tab === a ? "a" : "b2"}`);
  }
  assert.deepEqual((await look(b.page)).events, [null]);
  assert.deepEqual(await b2.page.evaluate(() => [window.second.isAuthenticated(), window.secondEvents]), [false, [null]], "the page's second client too");
  const kept = await look(c.page);
  assert.equal(kept.signedIn, true, "the tab that does not share stays signed in");
  assert.deepEqual(kept.events, []);
  await b.page.waitForTimeout(300);
  assert.equal(t.revocations.length, 2, "both tokens revoked once, by the tab that signed out");
  assert.ok(t.revocations.every((body) => !body.includes("acc-out-C") && !body.includes("ref-out-C")));

  // A sign-in in one tab reaches the others that share.
  await signIn(a.page, cfg(), { access: "acc-again-A", refresh: "ref-again-A" });
  await b.page.waitForFunction(() => window.client.isAuthenticated());
  assert.equal((await look(b.page)).record.accessToken, "acc-again-A");
  await b2.page.waitForFunction(() => window.secondEvents.length === 2);
  const second = await b2.page.evaluate(() => [window.first = window.events.length, window.second.isAuthenticated(), window.secondEvents[1]?.expiresAt > 0]);
  assert.deepEqual(second, [2, true, true], "both clients of b2 heard of the new session, once each");
  assert.equal((await look(c.page)).record.accessToken, "acc-out-C", "the unshared tab did not take it");
  // And sign-out in the tab that does not share tells nobody.
  await c.page.evaluate(() => window.client.logout());
  await c.page.waitForTimeout(200);
  assert.equal((await look(b.page)).signedIn, true);
  assert.equal((await look(a.page)).signedIn, true);
  await assertNoTokenLeaks([a, b, b2, c]);
  await context.close();
});

/** `n` sharing tabs on one expiring token (30 s left, refreshed 60 s ahead); `t` the scripted Tangoe. */
async function expiringTabs(n, options) {
  const context = await shared.browser.newContext();
  const t = await tangoe(context, options);
  const tabs = [await newTab(context)];
  await signIn(tabs[0].page, cfg(), { access: `acc-exp-${n}`, refresh: `ref-exp-${n}`, expiresIn: 30 });
  t.grant(`ref-exp-${n}`, `acc-exp-${n}`);
  for (let i = 1; i < n; i++) {
    const tab = await newTab(context);
    await connect(tab.page, cfg());
    tabs.push(tab);
  }
  for (const tab of tabs) assert.equal((await look(tab.page)).record.refreshToken, `ref-exp-${n}`);
  return { context, t, tabs };
}

/** Every tab calls the API at the same moment (`calls` each); returns the statuses. */
async function callTogether(tabs, calls = 1) {
  const at = Date.now() + 300;
  return (
    await Promise.all(
      tabs.map(({ page }) =>
        page.evaluate(
          async ([at, calls]) => {
            await new Promise((r) => setTimeout(r, at - Date.now()));
            const responses = await Promise.all(Array.from({ length: calls }, () => window.client.fetch("/api/ping")));
            return responses.map((r) => r.status);
          },
          [at, calls],
        ),
      ),
    )
  ).flat();
}

// The token endpoint answering at once is the hard case: the winner may release the lock before
// its broadcast of the rotated token reached the others.
for (const [n, delayMs] of [[2, 0], [5, 0], [2, 100], [5, 100]]) {
  test(`${n} tabs on an expiring token (token endpoint answering in ${delayMs} ms): one token request in total, every tab ends with the rotated refresh token`, async () => {
    const { context, t, tabs } = await expiringTabs(n, { delayMs });
    const statuses = await callTogether(tabs, 3);
    assert.deepEqual([...new Set(statuses)], [200]);
    assert.equal(t.refreshes.length, 1, `one token request, not ${JSON.stringify(t.refreshes.map((r) => r.refresh_token))}`);
    assert.equal(t.refreshes[0].refresh_token, `ref-exp-${n}`);
    const latest = [...t.live].filter(([, alive]) => alive).map(([token]) => token);
    assert.equal(latest.length, 1);
    for (const tab of tabs) {
      const got = await look(tab.page);
      assert.equal(got.record.refreshToken, latest[0], "no tab is left with a rotated-away refresh token");
      assert.deepEqual(got.events.filter((e) => e?.error), [], "no error event");
    }
    // Each tab, in turn, can still refresh: its refresh token is the live one.
    for (const tab of tabs) {
      const session = await tab.page.evaluate(async () => (await window.client.refresh())?.hasRefreshToken);
      assert.equal(session, true);
      await tab.page.waitForTimeout(50);
    }
    assert.equal(t.refreshes.length, 1 + n);
    assert.deepEqual(t.refreshes.filter((r) => !r.alive), [], "no refresh with a rotated-away token");
    assert.deepEqual([...new Set(await callTogether(tabs))], [200], "a further call in each tab works");
    await assertNoTokenLeaks(tabs);
    await context.close();
  });
}

test("a token endpoint that keeps the refresh token (no rotation): tabs on an expiring token still make one token request and share its access token", async () => {
  const { context, t, tabs } = await expiringTabs(3, { rotate: false });
  const statuses = await callTogether(tabs, 3);
  assert.deepEqual([...new Set(statuses)], [200]);
  assert.equal(t.refreshes.length, 1, `one token request, not ${t.refreshes.length}`);
  const records = await Promise.all(tabs.map(async (tab) => (await look(tab.page)).record));
  assert.equal(new Set(records.map((r) => r.accessToken)).size, 1, "every tab has the one new access token");
  assert.deepEqual([...new Set(records.map((r) => r.refreshToken))], ["ref-exp-3"], "and the refresh token it kept");
  await assertNoTokenLeaks(tabs);
  await context.close();
});

/** Polls `ok` (a test-side condition) every 20 ms for up to 10 s. */
async function until(ok) {
  for (let i = 0; i < 500 && !ok(); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(ok(), "timed out");
}

/** Posts `message` (with this client's identity) on the tabs' channel from `page`. */
function post(page, message) {
  return page.evaluate(([key, m]) => {
    const channel = new BroadcastChannel("mobproc-auth");
    channel.postMessage({ clientId: "portal-demo", tenant: "XYZ", key, ...m });
    channel.close();
  }, [KEY, message]);
}

/** Holds `t`'s token answers until the returned function is called. */
function holdTokens(t) {
  let release;
  t.hold = new Promise((r) => (release = r));
  return release;
}

/** Starts `client.refresh()` in `page`; `window.refreshing` becomes "resolved" or the error's code. */
function startRefresh(page) {
  return page.evaluate(() => { window.refreshing = window.client.refresh().then(() => "resolved", (e) => e.code); });
}

/** Waits until `page`'s stored record has the access token `access`. */
function holding(page, access) {
  return page.waitForFunction(([key, a]) => JSON.parse(sessionStorage.getItem(key) ?? "{}").accessToken === a, [KEY, access]);
}

/** Writes `raw` as `page`'s stored record, as a tab holding it would have (a reload, a copy). */
function store(page, raw) {
  return page.evaluate(([key, value]) => sessionStorage.setItem(key, value), [KEY, raw]);
}

/** A stored record of `session` whose tokens are `access`, `ref-<access>`, expiring `inMs` from now. */
function recordOf(session, access, inMs = 3600000) {
  issued.add(access).add(`ref-${access}`);
  return JSON.stringify({ accessToken: access, refreshToken: `ref-${access}`, expiresAt: Date.now() + inMs, session });
}

test("a refresh that brings a shorter lifetime than the token it replaces had left is still the newer record: every tab takes it, none takes the older one back when a new tab asks, and the session goes on", async () => {
  // Tangoe's access tokens may come back shorter (a lifetime capped by the session's end).
  const { context, t, a, b } = await twoTabs("acc-long-1", "ref-long-1", { expiresIn: 600 });
  const refreshed = await a.page.evaluate(() => window.client.refresh().then((s) => s && s.hasRefreshToken, (e) => e.code));
  assert.equal(refreshed, true);
  const rotated = (await look(a.page)).record;
  assert.equal(rotated.refreshes, 1);
  assert.ok(rotated.expiresAt < Date.now() + 700_000, "the shorter lifetime");
  await holding(b.page, rotated.accessToken);
  const c = await newTab(context);
  await connect(c.page, cfg());
  await holding(c.page, rotated.accessToken);
  await a.page.waitForTimeout(300); // every tab's answer to the new tab has been heard
  for (const tab of [a, b]) assert.equal((await look(tab.page)).record.accessToken, rotated.accessToken, "no tab took the older record back");
  const again = await b.page.evaluate(() => window.client.refresh().then((s) => s && s.hasRefreshToken, (e) => e.code));
  assert.equal(again, true, "the rotated refresh token was kept: the session goes on");
  assert.deepEqual(t.refreshes.map((r) => r.alive), [true, true]);
  await context.close();
});

test("a sign-out names its session: a record of it shared after (a refresh that crossed it) signs no tab in again, however late; a new session is adopted at once", async () => {
  const { context, a, b } = await twoTabs("acc-cross-A", "ref-cross-A");
  const { session } = (await look(a.page)).record;
  assert.match(session, /^[0-9A-F]{12}[A-Za-z0-9_-]{43}$/, "each sign-in gets an id: its time in hex, then 32 random bytes");
  assert.ok(Math.abs(parseInt(session.slice(0, 12), 16) - Date.now()) < 600_000, "the time it starts with is the sign-in's");
  assert.equal((await look(b.page)).record.session, session, "shared with the record");
  // What a tab whose refresh finished as the sign-out went out would send: a record of the
  // same session, right after the sign-out (here from a's page, so it follows it everywhere).
  await a.page.evaluate(([key, record]) => {
    window.client.logout();
    const channel = new BroadcastChannel("mobproc-auth");
    channel.postMessage({ mobprocAuth: "session", clientId: "portal-demo", tenant: "XYZ", key, record });
    channel.close();
  }, [KEY, recordOf(session, "acc-cross-1")]);
  await b.page.waitForFunction(() => window.events.includes(null));
  // And again well after the sign-out: a tab that was busy, or frozen.
  await b.page.waitForTimeout(600);
  // A client made on b after the sign-out (an app remounting) knows of it too.
  await b.page.evaluate(async (c) => {
    window.remade = await window.mobproc.createClient(c);
    window.remadeEvents = [];
    window.remade.on("sessionChanged", (s) => window.remadeEvents.push(s));
  }, cfg());
  const x = await newTab(context);
  await post(x.page, { mobprocAuth: "session", record: recordOf(session, "acc-cross-2") });
  await b.page.waitForTimeout(300);
  for (const tab of [a, b]) {
    const got = await look(tab.page);
    assert.deepEqual([got.raw, got.signedIn, got.events.at(-1)], [null, false, null], "no record of the ended session was adopted");
  }
  assert.deepEqual(await b.page.evaluate(() => window.remadeEvents), [], "not even for a moment, by the new client");
  // Another session (a new sign-in elsewhere) is adopted as before, with no wait.
  await post(x.page, { mobprocAuth: "session", record: recordOf("another-session", "acc-cross-new") });
  for (const tab of [a, b]) {
    await tab.page.waitForFunction(() => window.client.isAuthenticated());
    assert.equal((await look(tab.page)).record.accessToken, "acc-cross-new");
  }
  await assertNoTokenLeaks([a, b, x]);
  await context.close();
});

test("a late sign-out of an older session (a tab that was frozen) ends no session begun since; a sign-out naming none still ends any", async () => {
  const context = await shared.browser.newContext();
  const t = await tangoe(context);
  const a = await newTab(context);
  await signIn(a.page, cfg(), { access: "acc-late-1", refresh: "ref-late-1" });
  const first = (await look(a.page)).record;
  await a.page.evaluate(() => window.client.logout());
  await signIn(a.page, cfg(), { access: "acc-late-2", refresh: "ref-late-2" });
  const b = await newTab(context);
  await connect(b.page, cfg());
  const second = (await look(b.page)).record;
  assert.equal(second.accessToken, "acc-late-2");
  assert.notEqual(second.session, first.session, "a new sign-in is a new session");
  const x = await newTab(context);
  // (a's page also holds the clients of its first sign-in, whose listeners write here too:
  // what matters is that no sessionChanged says null.)
  await post(x.page, { mobprocAuth: "signout", session: first.session, expiresAt: first.expiresAt });
  await b.page.waitForTimeout(300);
  for (const tab of [a, b]) {
    const got = await look(tab.page);
    assert.deepEqual([got.signedIn, got.record.accessToken, got.events.includes(null)], [true, "acc-late-2", false], `the newer session is untouched in ${tab === a ? "a" : "b"}`);
  }
  // A tab that slept through the first sign-out, told of it when it wakes (here: on load), and
  // whose app then calls logout() with nothing held: that sign-out ends nobody's session.
  const y = await newTab(context);
  await store(y.page, JSON.stringify(first));
  await y.page.evaluate(async (c) => {
    window.client = await window.mobproc.createClient(c);
    window.client.on("sessionChanged", (s) => s === null && window.client.logout());
  }, cfg());
  await y.page.waitForFunction(() => !window.client.isAuthenticated());
  await y.page.waitForTimeout(300);
  for (const tab of [a, b]) {
    const got = await look(tab.page);
    assert.deepEqual([got.signedIn, got.record.accessToken, got.events.includes(null)], [true, "acc-late-2", false], `still untouched in ${tab === a ? "a" : "b"}`);
  }
  // A sign-out that names no session (an older version's) ends whatever is held, and revokes
  // nothing: the tab that sent it revoked what it held.
  const revocations = t.revocations.length;
  await post(x.page, { mobprocAuth: "signout" });
  for (const tab of [a, b]) {
    await tab.page.waitForFunction(() => !window.client.isAuthenticated());
    assert.equal((await look(tab.page)).raw, null);
  }
  await a.page.waitForTimeout(300);
  assert.equal(t.revocations.length, revocations, "no tab revoked on a sign-out that names no session");
  // A record stored before ids may be another sign-in's: a named sign-out ends it, unrevoked.
  await store(a.page, JSON.stringify({ accessToken: "acc-late-2", expiresAt: Date.now() + 3600000 }));
  await post(x.page, { mobprocAuth: "signout", session: second.session, expiresAt: 1 });
  await a.page.waitForFunction((key) => sessionStorage.getItem(key) === null, KEY);
  await a.page.waitForTimeout(300);
  assert.equal(t.revocations.length, revocations, "nor on a named one, for a record without an id");
  await assertNoTokenLeaks([a, b, x]);
  await context.close();
});

test("a tab holding a refresh of the session that the signing-out tab had not seen removes it, revokes its tokens, and tells the sign-out again", async () => {
  const { context, t, a, b } = await twoTabs("acc-seen-A", "ref-seen-A");
  const held = (await look(a.page)).record;
  // b's refresh, which a has not heard of yet: b alone holds its tokens.
  const refreshed = recordOf(held.session, "acc-seen-B", 7200000);
  await store(b.page, refreshed);
  const x = await newTab(context);
  await x.page.evaluate(() => {
    window.heard = [];
    const channel = new BroadcastChannel("mobproc-auth");
    channel.onmessage = (e) => window.heard.push(e.data);
  });
  await a.page.evaluate(() => window.client.logout());
  await b.page.waitForFunction(() => !window.client.isAuthenticated());
  await until(() => t.revocations.length >= 4);
  await b.page.waitForTimeout(200);
  assert.equal((await look(b.page)).raw, null);
  const signouts = await x.page.evaluate(() => window.heard.filter((m) => m.mobprocAuth === "signout").map((m) => [m.session, m.expiresAt]));
  assert.deepEqual(signouts, [[held.session, held.expiresAt], [held.session, JSON.parse(refreshed).expiresAt]], "a's sign-out, then b's, naming the same session with what each held");
  const revoked = t.revocations.map((body) => new URLSearchParams(body).get("token")).sort();
  assert.deepEqual(revoked, ["acc-seen-A", "acc-seen-B", "ref-acc-seen-B", "ref-seen-A"], "a revokes what it held, b the refresh a never saw");
  await assertNoTokenLeaks([a, b, x]);
  await context.close();
});

test("a page that missed a sign-out (reloaded during it, or opened from a signed-in tab with its sessionStorage) is told by the tabs that heard it", async () => {
  const context = await shared.browser.newContext();
  const t = await tangoe(context);
  const a = await newTab(context);
  await signIn(a.page, cfg(), { access: "acc-missed-A", refresh: "ref-missed-A" });
  const stale = (await look(a.page)).raw;
  await a.page.evaluate(() => window.client.logout());
  await a.page.waitForTimeout(100);
  const r = await newTab(context);
  await store(r.page, stale);
  await connect(r.page, cfg());
  await r.page.waitForFunction(() => !window.client.isAuthenticated());
  const got = await look(r.page);
  // Told before createClient resolved (it reads the origin's locks first), or after, with the event.
  assert.equal(got.raw, null);
  assert.ok(["[]", "[null]"].includes(JSON.stringify(got.events)), JSON.stringify(got.events));
  const revokedA = () => t.revocations.filter((body) => body.includes("token=acc-missed-A&")).length;
  await until(() => revokedA() === 2);
  // The same with the token expired (a page restored hours later): asked about before anything
  // refreshes it, so its first call makes no token request.
  t.grant("ref-missed-A", "acc-missed-A");
  const late = await newTab(context);
  await store(late.page, JSON.stringify({ ...JSON.parse(stale), expiresAt: Date.now() - 1000 }));
  await connect(late.page, cfg());
  const call = await late.page.evaluate(() => window.client.fetch("/api/ping").then((r) => r.status, (e) => e.code));
  assert.deepEqual([call, t.refreshes.length, (await look(late.page)).raw], ["not_authenticated", 0, null], "no refresh of the ended session");
  await until(() => revokedA() === 3);
  await late.page.close();
  await assertNoTokenLeaks([r]);
  // The same record where no open tab heard of the sign-out stays: a live session, as far as anyone knows.
  const fresh = await context.newPage();
  await a.page.close();
  await r.page.close();
  await goto(fresh, `${shared.server.origin}/app/`);
  await store(fresh, stale.replace("acc-missed-A", "acc-missed-B"));
  issued.add("acc-missed-B");
  await connect(fresh, cfg());
  await fresh.waitForTimeout(300);
  assert.equal((await look(fresh)).signedIn, true, "nobody says its session ended");
  assert.equal(revokedA(), 3, "by a when it signed out and by each page that missed it, not by this one");
  await context.close();
});

test("a sign-in over another sign-in's session ends that one: every tab moves to the new one (none signed out on the way, whatever the expiries), nothing is revoked, and the old one is never taken back", async () => {
  const context = await shared.browser.newContext();
  const t = await tangoe(context);
  const a = await newTab(context);
  await signIn(a.page, cfg(), { access: "acc-over-1", refresh: "ref-over-1" });
  const first = (await look(a.page)).record;
  const b = await newTab(context);
  await connect(b.page, cfg());
  // c holds the first session with a later expiry than the new sign-in will have (another
  // token lifetime): it does not take the new record for being newer, but for replacing its own.
  const c = await newTab(context);
  await store(c.page, JSON.stringify({ ...first, expiresAt: first.expiresAt + 36_000_000 }));
  await connect(c.page, cfg());
  // A second client on c's page (React StrictMode makes two) hears of the new session too.
  await c.page.evaluate(async (conf) => {
    window.second = await window.mobproc.createClient(conf);
    window.secondEvents = [];
    window.second.on("sessionChanged", (s) => window.secondEvents.push(s && s.expiresAt));
  }, cfg());
  const x = await newTab(context);
  await x.page.evaluate(() => {
    window.heard = [];
    const channel = new BroadcastChannel("mobproc-auth");
    channel.onmessage = (e) => e.data.mobprocAuth === "signout" && window.heard.push([e.data.session, JSON.parse(e.data.record ?? "{}").session ?? null]);
  });
  await signIn(b.page, cfg(), { access: "acc-over-2", refresh: "ref-over-2" });
  const second = (await look(b.page)).record;
  assert.notEqual(second.session, first.session);
  for (const tab of [a, c]) {
    await holding(tab.page, "acc-over-2");
    assert.equal((await look(tab.page)).events.includes(null), false, "moved to the new session without signing out on the way");
  }
  await x.page.waitForFunction(() => window.heard.length > 0);
  assert.deepEqual((await x.page.evaluate(() => window.heard))[0], [first.session, second.session], "the old session's end, bringing the new record");
  // A refresh of the old session (a tab that missed all this) signs nobody back into it.
  await post(x.page, { mobprocAuth: "session", record: recordOf(first.session, "acc-over-late") });
  await b.page.waitForTimeout(300);
  for (const tab of [a, b, c]) assert.equal((await look(tab.page)).record.accessToken, "acc-over-2");
  assert.deepEqual(t.revocations, [], "nothing revoked: the new sign-in may share the old one's grant");
  assert.deepEqual(await c.page.evaluate(() => window.secondEvents), [second.expiresAt], "c's second client was told of the new session, once");
  // Signed out of the new one too, then a page loads with a copy of the first: told that it
  // ended, by tabs that hold nothing now, and it revokes nothing (the first was replaced).
  await b.page.evaluate(() => window.client.logout());
  await until(() => t.revocations.length === 2);
  const r = await newTab(context);
  await store(r.page, JSON.stringify(first));
  await connect(r.page, cfg());
  await r.page.waitForFunction(() => !window.client.isAuthenticated());
  await r.page.waitForTimeout(300);
  assert.equal((await look(r.page)).raw, null);
  assert.deepEqual(t.revocations.map((body) => new URLSearchParams(body).get("token")).sort(), ["acc-over-2", "ref-over-2"], "only the signed-out session's tokens");
  await assertNoTokenLeaks([a, b, c, x, r]);
  await context.close();
});

test("a tab that missed a sign-out and refreshes its session is told by the tabs that refuse the record: it signs out and revokes what its refresh brought", async () => {
  const context = await shared.browser.newContext();
  const t = await tangoe(context);
  const a = await newTab(context);
  await signIn(a.page, cfg(), { access: "acc-frozen-A", refresh: "ref-frozen-A" });
  const { session } = (await look(a.page)).record;
  await a.page.evaluate(() => window.client.logout());
  // f connects signed out, then holds a record of the ended session as if it had slept through the sign-out.
  const f = await newTab(context);
  await connect(f.page, cfg());
  t.grant("ref-frozen-F", "acc-frozen-F");
  await store(f.page, JSON.stringify({ accessToken: "acc-frozen-F", refreshToken: "ref-frozen-F", expiresAt: Date.now() + 3600000, session }));
  const before = t.revocations.length;
  await f.page.evaluate(() => window.client.refresh());
  await f.page.waitForFunction(() => !window.client.isAuthenticated());
  const got = await look(f.page);
  assert.equal(got.raw, null);
  assert.equal(got.events.at(-1), null);
  const rotated = [...t.live.keys()].at(-1);
  const revoked = () => t.revocations.slice(before).map((body) => new URLSearchParams(body).get("token"));
  await until(() => revoked().includes(rotated));
  assert.equal((await look(a.page)).raw, null, "a did not adopt it");
  await assertNoTokenLeaks([a, f]);
  await context.close();
});

for (const signOut of [true, false]) test(`a refresh answered after its session was ${signOut ? "signed out elsewhere and another signed in: the new session stays, the late tokens are revoked" : "replaced by another sign-in elsewhere: the new session stays, the late tokens are dropped unrevoked (the sign-ins may share a grant)"}`, async () => {
  const { context, t, a, b } = await twoTabs("acc-lost-A", "ref-lost-A");
  const release = holdTokens(t);
  await startRefresh(b.page);
  await until(() => t.refreshes.length === 1);
  if (signOut) await a.page.evaluate(() => window.client.logout());
  await signIn(a.page, cfg(), { access: "acc-lost-Y", refresh: "ref-lost-Y" });
  await holding(b.page, "acc-lost-Y");
  // Only now does b's refresh get its answer: b holds another session, and its own ended.
  release();
  assert.equal(await b.page.evaluate(() => window.refreshing), "not_authenticated");
  const rotated = [...t.live.keys()].at(-1);
  assert.match(rotated, /^ref-rotated-/);
  const revokedRotated = () => t.revocations.some((body) => body.includes(`token=${rotated}&`));
  if (signOut) await until(revokedRotated);
  else {
    await b.page.waitForTimeout(300);
    assert.deepEqual(t.revocations, [], "nothing revoked");
  }
  for (const tab of [a, b]) assert.equal((await look(tab.page)).record.accessToken, "acc-lost-Y", "the new session is kept");
  await assertNoTokenLeaks([a, b]);
  await context.close();
});

test("a tab waiting for another's refresh while its session is signed out and another signed in: its refresh does not hand over the other sign-in", async () => {
  const { context, t, a, b } = await twoTabs("acc-wait-X", "ref-wait-X");
  // And a tab whose call gets 401 and waits for the same refresh.
  const d = await newTab(context);
  await connect(d.page, cfg());
  for (const tab of [b, d]) assert.equal((await look(tab.page)).record.accessToken, "acc-wait-X");
  const release = holdTokens(t);
  await startRefresh(a.page);
  await until(() => t.refreshes.length === 1);
  await startRefresh(b.page);
  t.access.delete("acc-wait-X");
  await d.page.evaluate(() => { window.calling = window.client.fetch("/ping").then((r) => r.status, (e) => e.code); });
  // b and d wait for the lock a holds while its refresh is out.
  await b.page.waitForFunction(async () => (await navigator.locks.query()).pending.length === 2);
  const c = await newTab(context);
  await connect(c.page, cfg());
  assert.equal((await look(c.page)).record.accessToken, "acc-wait-X");
  await c.page.evaluate(() => window.client.logout());
  await signIn(c.page, cfg(), { access: "acc-wait-Y", refresh: "ref-wait-Y" });
  for (const tab of [a, b, d]) await holding(tab.page, "acc-wait-Y");
  release();
  assert.equal(await a.page.evaluate(() => window.refreshing), "not_authenticated");
  assert.equal(await b.page.evaluate(() => window.refreshing), "not_authenticated", "b's refresh of the ended session does not resolve with the new one");
  assert.equal(await d.page.evaluate(() => window.calling), 401, "d's call gets its 401, not a replay as the other sign-in nor an error");
  assert.equal(t.refreshes.length, 1, "b made no token request of its own");
  for (const tab of [a, b, d]) assert.equal((await look(tab.page)).record.accessToken, "acc-wait-Y", "the new session is kept");
  await assertNoTokenLeaks([a, b, c, d]);
  await context.close();
});

test("five tabs calling refresh() at once: one token request; a tab whose refresh finds the token already rotated uses it", async () => {
  const { context, t, tabs } = await expiringTabs(5, { delayMs: 300 });
  const at = Date.now() + 300;
  const sessions = await Promise.all(
    tabs.map(({ page }) =>
      page.evaluate(async (at) => {
        await new Promise((r) => setTimeout(r, at - Date.now()));
        const s = await window.client.refresh();
        return s?.expiresAt ?? null;
      }, at),
    ),
  );
  assert.equal(t.refreshes.length, 1, `one token request, not ${t.refreshes.length}`);
  assert.equal(new Set(sessions).size, 1, "every tab resolves the same session");
  const records = await Promise.all(tabs.map(async (tab) => (await look(tab.page)).raw));
  assert.equal(new Set(records).size, 1, "one record in every tab");
  await context.close();
});

test("hardening: channel messages from another client or tenant, or malformed, change nothing and are not answered", async () => {
  const context = await shared.browser.newContext();
  const a = await newTab(context);
  await signIn(a.page, cfg(), { access: "acc-hard-A", refresh: "ref-hard-A" });
  const before = await look(a.page);
  const other = await newTab(context);
  const out = await other.page.evaluate(
    async ([key, raw]) => {
      const channel = new BroadcastChannel("mobproc-auth");
      const replies = [];
      channel.onmessage = (e) => replies.push(e.data);
      const record = JSON.parse(raw);
      const newer = (extra = {}) => JSON.stringify({ ...record, accessToken: "acc-forged", refreshToken: "ref-forged", expiresAt: record.expiresAt + 600_000, ...extra });
      const id = { clientId: "portal-demo", tenant: "XYZ", key };
      const huge = "x".repeat(1 << 20);
      const messages = [
        null, undefined, 0, 42, "session", "", true, [], [id], new Date(), new Uint8Array(8), { length: 3 },
        {}, { mobprocAuth: "signout" }, { mobprocAuth: "ask" },
        { ...id, mobprocAuth: "nonsense" }, { ...id, mobprocAuth: 7 }, { ...id, mobprocAuth: null }, { ...id, mobprocAuth: ["signout"] },
        // Another client, another tenant, another key, missing or mistyped identity.
        { ...id, mobprocAuth: "signout", clientId: "other-portal" },
        { ...id, mobprocAuth: "signout", tenant: "ABC" },
        { ...id, mobprocAuth: "signout", tenant: "xyz" },
        { ...id, mobprocAuth: "signout", key: "mobproc-auth:other" },
        { mobprocAuth: "signout", clientId: "portal-demo", tenant: "XYZ" },
        { mobprocAuth: "signout", tenant: "XYZ", key },
        { ...id, mobprocAuth: "signout", clientId: ["portal-demo"] },
        { ...id, mobprocAuth: "signout", tenant: { toString: "XYZ" } },
        { ...id, mobprocAuth: "signout", clientId: huge },
        { ...id, mobprocAuth: "signout", key: huge },
        { ...id, mobprocAuth: huge },
        { ...id, mobprocAuth: "session", clientId: "other-portal", record: newer() },
        { ...id, mobprocAuth: "session", tenant: "ABC", record: newer() },
        { ...id, mobprocAuth: "ask", clientId: "other-portal" },
        { ...id, mobprocAuth: "ask", tenant: "ABC" },
        { ...id, mobprocAuth: "ask", key: "mobproc-auth:other" },
        // Our identity, but a bad record.
        { ...id, mobprocAuth: "session" },
        { ...id, mobprocAuth: "session", record: null },
        { ...id, mobprocAuth: "session", record: 5 },
        { ...id, mobprocAuth: "session", record: JSON.parse(newer()) },
        { ...id, mobprocAuth: "session", record: "not json" },
        { ...id, mobprocAuth: "session", record: "null" },
        { ...id, mobprocAuth: "session", record: "[]" },
        { ...id, mobprocAuth: "session", record: huge },
        { ...id, mobprocAuth: "session", record: newer({ expiresAt: Date.now() - 1000 }) },
        { ...id, mobprocAuth: "session", record: newer({ expiresAt: String(record.expiresAt + 600_000) }) },
        { ...id, mobprocAuth: "session", record: newer({ expiresAt: record.expiresAt + 0.5 }) },
        { ...id, mobprocAuth: "session", record: newer({ expiresAt: -1 }) },
        { ...id, mobprocAuth: "session", record: newer({ accessToken: undefined }) },
        { ...id, mobprocAuth: "session", record: newer({ accessToken: "" }) },
        { ...id, mobprocAuth: "session", record: newer({ accessToken: 5 }) },
        { ...id, mobprocAuth: "session", record: newer({ accessToken: "has space" }) },
        { ...id, mobprocAuth: "session", record: newer({ accessToken: "a\nb" }) },
        { ...id, mobprocAuth: "session", record: newer({ accessToken: huge }) },
        { ...id, mobprocAuth: "session", record: newer({ refreshToken: 5 }) },
        { ...id, mobprocAuth: "session", record: newer({ scope: ["MOBPROC"] }) },
        { ...id, mobprocAuth: "session", record: JSON.stringify({ __proto__: null, accessToken: "acc-forged" }) },
        // Older than what the tab holds.
        { ...id, mobprocAuth: "session", record: newer({ expiresAt: record.expiresAt - 60_000 }) },
        // A sign-out naming a malformed session (one naming none is an older version's: obeyed, below).
        { ...id, mobprocAuth: "signout", session: 5 },
        { ...id, mobprocAuth: "signout", session: null },
        { ...id, mobprocAuth: "signout", session: {} },
        { ...id, mobprocAuth: "signout", session: "" },
        { ...id, mobprocAuth: "signout", session: "not valid!" },
        { ...id, mobprocAuth: "signout", session: "a".repeat(65) },
        { ...id, mobprocAuth: "signout", session: huge },
        { ...id, mobprocAuth: "signout", session: [record.session] },
        // Asking whether a live session (or a malformed one) ended: no answer.
        { ...id, mobprocAuth: "check", session: record.session },
        { ...id, mobprocAuth: "check", session: huge },
        { ...id, mobprocAuth: "check" },
      ];
      for (const m of messages) channel.postMessage(m);
      await new Promise((r) => setTimeout(r, 500));
      channel.close();
      return { sent: messages.length, replies: replies.map((r) => JSON.stringify(r).slice(0, 200)) };
    },
    [KEY, before.raw],
  );
  assert.ok(out.sent > 40);
  assert.deepEqual(out.replies, [], "no answer to an ask that is not for this client, tenant and key");
  const after = await look(a.page);
  assert.equal(after.raw, before.raw, "the record is unchanged");
  assert.equal(after.signedIn, true);
  assert.deepEqual(after.events, [], "no sessionChanged, no error");
  assert.deepEqual(await a.page.evaluate(() => Object.keys(sessionStorage)), [KEY]);

  // The same channel does work: our own ask is answered, a valid newer record adopted, a sign-out obeyed.
  const control = await other.page.evaluate(
    async ([key, raw]) => {
      const channel = new BroadcastChannel("mobproc-auth");
      const replies = [];
      channel.onmessage = (e) => replies.push(e.data);
      const id = { clientId: "portal-demo", tenant: "XYZ", key };
      channel.postMessage({ ...id, mobprocAuth: "ask" });
      await new Promise((r) => setTimeout(r, 200));
      const record = JSON.parse(raw);
      channel.postMessage({ ...id, mobprocAuth: "session", record: JSON.stringify({ ...record, accessToken: "acc-hard-newer", expiresAt: record.expiresAt + 60_000 }) });
      await new Promise((r) => setTimeout(r, 200));
      channel.close();
      return replies;
    },
    [KEY, before.raw],
  );
  issued.add("acc-hard-newer");
  assert.deepEqual(control.map((m) => [m.mobprocAuth, m.clientId, m.tenant, m.key, m.record]), [["session", "portal-demo", "XYZ", KEY, before.raw]]);
  const adopted = await look(a.page);
  assert.equal(adopted.record.accessToken, "acc-hard-newer");
  assert.equal(adopted.events.length, 1);
  await other.page.evaluate((key) => {
    const channel = new BroadcastChannel("mobproc-auth");
    channel.postMessage({ mobprocAuth: "signout", clientId: "portal-demo", tenant: "XYZ", key });
    channel.close();
  }, KEY);
  await a.page.waitForFunction(() => !window.client.isAuthenticated());
  await assertNoTokenLeaks([a, other]);
  await context.close();
});

test("hardening: a signed-out tab adopts nothing expired or malformed; a new tab is not signed in by a bad answer", async () => {
  const context = await shared.browser.newContext();
  const liar = await newTab(context);
  // A page of the origin that answers every ask with an expired record, then a malformed one.
  // It holds the presence lock, as a client does, so that a new tab asks.
  await liar.page.evaluate((key) => {
    navigator.locks.request(`mobproc-auth:tab:${key}`, { mode: "shared" }, () => new Promise(() => {}));
    const channel = new BroadcastChannel("mobproc-auth");
    const id = { clientId: "portal-demo", tenant: "XYZ", key };
    window.answers = 0;
    channel.onmessage = (e) => {
      if (e.data?.mobprocAuth !== "ask") return;
      window.answers++;
      channel.postMessage({ ...id, mobprocAuth: "session", record: JSON.stringify({ accessToken: "acc-expired", expiresAt: Date.now() - 1 }) });
      channel.postMessage({ ...id, mobprocAuth: "session", record: JSON.stringify({ accessToken: "acc-bad", expiresAt: "soon" }) });
      channel.postMessage({ ...id, mobprocAuth: "session", record: { accessToken: "acc-object", expiresAt: Date.now() + 1e6 } });
    };
  }, KEY);
  const b = await newTab(context);
  const ms = await connect(b.page, cfg());
  const got = await look(b.page);
  assert.equal(await liar.page.evaluate(() => window.answers), 1, "the new tab asked");
  assert.equal(got.signedIn, false);
  assert.equal(got.raw, null);
  assert.ok(ms >= 140, `it kept waiting for a good answer (${ms.toFixed(0)} ms)`);
  await context.close();
});

test("a tab whose access token expired but whose refresh token lives signs a new tab in: the new tab refreshes once, and both hold the rotated tokens", async () => {
  const context = await shared.browser.newContext();
  const t = await tangoe(context);
  const a = await newTab(context);
  // An hour idle: the access token expired a minute ago; the refresh token is good.
  await store(a.page, recordOf("Sess-idle-but-refreshable-000000000000000000", "acc-idle-1", -60_000));
  t.grant("ref-acc-idle-1", "acc-idle-1");
  await connect(a.page, cfg());
  const b = await newTab(context);
  const out = await b.page.evaluate(async (c) => {
    const { client, error } = await window.mobproc.startClient(c);
    window.client = client;
    return { signedIn: client.isAuthenticated(), error: error && error.code };
  }, cfg());
  assert.deepEqual(out, { signedIn: true, error: null });
  assert.deepEqual(t.refreshes.map((r) => r.refresh_token), ["ref-acc-idle-1"], "one refresh, of the shared refresh token");
  const rotated = (await look(b.page)).record.accessToken;
  assert.match(rotated, /^acc-rotated-/);
  await holding(a.page, rotated);
  assert.equal((await look(a.page)).record.session, "Sess-idle-but-refreshable-000000000000000000");
  await assertNoTokenLeaks([a, b]);
  await context.close();
});

test("a sign-in in a tab that held nothing reaches every tab, whatever the expiries; a refresh of the session it replaced signs no tab into it", async () => {
  const context = await shared.browser.newContext();
  const t = await tangoe(context);
  const a = await newTab(context);
  // a's session lives longer than the new sign-in will (Tangoe: implicit 3600 s, refreshed 7199 s).
  await signIn(a.page, cfg(), { access: "acc-first-1", refresh: "ref-first-1", expiresIn: 7200 });
  t.grant("ref-first-1", "acc-first-1");
  const first = (await look(a.page)).record;
  // b holds nothing when it signs in: a callback page whose client did not wait for the tabs.
  const b = await newTab(context);
  const url = await b.page.evaluate(async (c) => (await window.mobproc.createClient(c)).authorizeUrl(), cfg({ shareSessionAcrossTabs: false }));
  const state = new URL(url).searchParams.get("state");
  issued.add("acc-second-1").add("ref-second-1");
  await b.page.goto(`${shared.server.origin}/app/#access_token=acc-second-1&token_type=Bearer&expires_in=3600&refresh_token=ref-second-1&state=${state}`);
  await b.page.evaluate(async (c) => {
    window.client = await window.mobproc.createClient(c);
    await window.client.handleRedirectCallback();
    window.events = [];
    window.client.on("sessionChanged", (s) => window.events.push(s && { expiresAt: s.expiresAt }));
  }, cfg());
  t.grant("ref-second-1", "acc-second-1");
  const second = (await look(b.page)).record;
  assert.notEqual(second.session, first.session);
  await holding(a.page, "acc-second-1");
  assert.equal((await look(a.page)).events.includes(null), false, "a moved to the new sign-in without signing out on the way");
  // A tab that missed the sign-in shares a refresh of the first session, later than both.
  const x = await newTab(context);
  await post(x.page, { mobprocAuth: "session", record: recordOf(first.session, "acc-first-late", 9_000_000) });
  // a refreshes what it holds now: b's sign-in, not the first.
  await a.page.evaluate(() => window.client.refresh());
  await b.page.waitForTimeout(300);
  for (const tab of [a, b]) {
    const { record } = await look(tab.page);
    assert.equal(record.session, second.session, "still the second sign-in");
    assert.match(record.accessToken, /^acc-rotated-/);
  }
  assert.deepEqual(t.refreshes.map((r) => r.refresh_token), ["ref-second-1"]);
  assert.deepEqual(t.revocations, [], "nothing revoked: a sign-in replaces, it does not sign out");
  await assertNoTokenLeaks([a, b, x]);
  await context.close();
});

/** A session id as the client makes one: the sign-in's time (ms ago: `agoMs`) in 12 hex digits, then 43 characters. */
function timedId(agoMs, fill) {
  return (Date.now() - agoMs).toString(16).toUpperCase().padStart(12, "0") + fill.repeat(43);
}

/** The state of `page`'s next sign-in. */
const stateOf = (page) => page.evaluate(async () => new URL(await window.client.authorizeUrl()).searchParams.get("state"));

/** Holds this page's incoming channel messages while `window.gate` is true (a busy tab, a message in transit). */
function gateMessages(page) {
  return page.evaluate(() => {
    window.gate = false;
    window.queued = [];
    const orig = Object.getOwnPropertyDescriptor(BroadcastChannel.prototype, "onmessage");
    Object.defineProperty(BroadcastChannel.prototype, "onmessage", {
      configurable: true,
      get() { return orig.get.call(this); },
      set(fn) { orig.set.call(this, fn && ((e) => (window.gate ? window.queued.push([fn, e]) : fn(e)))); },
    });
    window.release = () => { window.gate = false; for (const [fn, e] of window.queued.splice(0)) fn(e); };
  });
}

/** The page's client, its pending sign-in's state. */
async function startSignIn(page, c) {
  const url = await page.evaluate(async (c) => {
    window.client = await window.mobproc.createClient(c);
    window.events = [];
    window.client.on("sessionChanged", (s) => window.events.push(s && { expiresAt: s.expiresAt }));
    return window.client.authorizeUrl();
  }, c);
  return new URL(url).searchParams.get("state");
}

/** Completes `page`'s sign-in of `state` with the tokens `access` and `ref-<access>`. */
async function finishSignIn(page, state, access) {
  issued.add(access).add(`ref-${access}`);
  await goto(page, `${shared.server.origin}/app/#access_token=${access}&token_type=Bearer&expires_in=3600&refresh_token=ref-${access}&state=${state}`);
  await page.evaluate(() => window.client.handleRedirectCallback());
}

test("two sign-ins whose messages cross: every tab ends on the same one, and keeps it through a refresh", async () => {
  const context = await shared.browser.newContext();
  const t = await tangoe(context);
  const a = await newTab(context);
  const b = await newTab(context);
  await gateMessages(a.page);
  await gateMessages(b.page);
  const sa = await startSignIn(a.page, cfg());
  const sb = await startSignIn(b.page, cfg());
  await a.page.evaluate(() => (window.gate = true));
  await b.page.evaluate(() => (window.gate = true));
  await finishSignIn(a.page, sa, "acc-cross-A");
  await finishSignIn(b.page, sb, "acc-cross-B");
  t.grant("ref-acc-cross-A", "acc-cross-A");
  t.grant("ref-acc-cross-B", "acc-cross-B");
  // Each tab hears of the other's sign-in only now, as messages still in transit would arrive.
  await a.page.evaluate(() => window.release());
  await b.page.evaluate(() => window.release());
  await a.page.waitForTimeout(300);
  for (const tab of [a, b]) assert.equal((await look(tab.page)).record.accessToken, "acc-cross-B", "the later sign-in in both tabs, not each the other's");
  await a.page.evaluate(() => window.client.refresh());
  await b.page.waitForTimeout(300);
  for (const tab of [a, b]) {
    const { record, signedIn } = await look(tab.page);
    assert.equal(signedIn, true, "neither tab signed out by the other");
    assert.match(record.accessToken, /^acc-rotated-/);
  }
  await context.close();
});

test("two sign-ins over one shared session whose messages cross: every tab ends on the later one", async () => {
  const context = await shared.browser.newContext();
  const t = await tangoe(context);
  const a = await newTab(context);
  await gateMessages(a.page);
  await signIn(a.page, cfg(), { access: "acc-over-S0", refresh: "ref-over-S0" });
  t.grant("ref-over-S0", "acc-over-S0");
  const b = await newTab(context);
  await gateMessages(b.page);
  await connect(b.page, cfg());
  const c = await newTab(context);
  await connect(c.page, cfg());
  const s0 = (await look(a.page)).record.session;
  for (const tab of [b, c]) assert.equal((await look(tab.page)).record.session, s0, "all share the first sign-in");
  const sa = await stateOf(a.page);
  const sb = await stateOf(b.page);
  await a.page.evaluate(() => (window.gate = true));
  await b.page.evaluate(() => (window.gate = true));
  await finishSignIn(a.page, sa, "acc-over-A");
  await a.page.waitForTimeout(20);
  await finishSignIn(b.page, sb, "acc-over-B"); // the later sign-in
  await a.page.evaluate(() => window.release());
  await b.page.evaluate(() => window.release());
  await a.page.waitForTimeout(400);
  for (const tab of [a, b, c]) assert.equal((await look(tab.page)).record?.accessToken, "acc-over-B", "the later sign-in everywhere");
  await context.close();
});

test("a refresh or a late sign-out of another sign-in's session never switches a tab off its own: an idle one that can refresh, or the newest sign-in; with ids of either format", async () => {
  // The previous version's ids are random only (43 characters); this one's start with the time.
  const formats = { random: (_agoMs, fill) => `Sess-${fill}`.padEnd(43, "0"), timed: timedId };
  for (const [format, id] of Object.entries(formats)) {
    const context = await shared.browser.newContext();
    await tangoe(context);
    // b: user Y, idle past the access token's end; its refresh token lives.
    const b = await newTab(context);
    const Y = id(3_600_000, "Y");
    await store(b.page, recordOf(Y, `acc-Y-${format}`, -60_000));
    await connect(b.page, cfg());
    // c: the newest sign-in, user Z, good for an hour.
    const c = await newTab(context);
    const Z = id(60_000, "Z");
    await store(c.page, recordOf(Z, `acc-Z-${format}`, 3_600_000));
    await connect(c.page, cfg());
    const x = await newTab(context);
    // A tab signed in as user X (it missed the others' sign-ins) shares a refresh of X's session.
    await post(x.page, { mobprocAuth: "session", record: recordOf(id(1_000, "X"), `acc-X-${format}`, 3_600_000) });
    // A tab that missed the later sign-ins (frozen, or an older version, which ignores "signin")
    // answers a reloaded tab's "check": V was replaced by W, an older sign-in than Y's and Z's.
    await post(x.page, { mobprocAuth: "signout", session: id(10_800_000, "V"), record: recordOf(id(7_200_000, "W"), `acc-W-${format}`, 1_800_000) });
    await b.page.waitForTimeout(300);
    assert.equal((await look(b.page)).record.session, Y, `${format}: b keeps user Y's session`);
    assert.equal((await look(c.page)).record.session, Z, `${format}: c keeps the newest sign-in`);
    // And one that tells, late, of a later sign-in whose access token has expired: a usable
    // session does not give way to it.
    await post(x.page, { mobprocAuth: "signout", session: id(10_900_000, "U"), record: recordOf(id(1_000, "T"), `acc-T-${format}`, -1_000) });
    await c.page.waitForTimeout(300);
    assert.equal((await look(c.page)).record.session, Z, `${format}: c keeps its usable session`);
    await context.close();
  }
});

test("subscribe on a second client of the page (sharing off): after the first refreshed, woken at the new expiry", async () => {
  const context = await shared.browser.newContext();
  await context.route(`${shared.server.origin}/token`, (route) =>
    route.fulfill({ contentType: "application/json", body: JSON.stringify({ access_token: "acc-short-2", token_type: "Bearer", expires_in: 3, refresh_token: "ref-short-2" }) }));
  const a = await newTab(context);
  issued.add("acc-short-1").add("ref-short-1").add("acc-short-2").add("ref-short-2");
  await store(a.page, JSON.stringify({ accessToken: "acc-short-1", refreshToken: "ref-short-1", expiresAt: Date.now() + 1500, session: "Sess-short-00000000000000000000000000000000" }));
  const out = await a.page.evaluate(async (c) => {
    const one = await window.mobproc.createClient(c);
    const two = await window.mobproc.createClient(c);
    const calls = [];
    two.subscribe(() => calls.push(two.session() ? "signed-in" : null));
    // One that unsubscribes at its first call (the old expiry, still signed in): never again.
    let once = 0;
    const off = two.subscribe(() => {
      once++;
      off();
    });
    await one.refresh(); // now expires 3 s from here
    await new Promise((r) => setTimeout(r, 4500));
    return { calls, once, signedIn: two.isAuthenticated() };
  }, cfg({ shareSessionAcrossTabs: false }));
  assert.equal(out.signedIn, false);
  assert.equal(out.calls.at(-1), null, "told when the refreshed session ended");
  assert.equal(out.once, 1, "an onChange that unsubscribed is not called again");
  await context.close();
});

test("Web Locks refused or missing: a tab still refreshes, once, on its own", async () => {
  // As an opaque origin's Web Locks do: every method refuses.
  for (const breakLocks of [
    () => { navigator.locks.request = navigator.locks.query = () => { throw new DOMException("opaque origin", "SecurityError"); }; },
    () => { navigator.locks.request = navigator.locks.query = () => Promise.reject(new DOMException("opaque origin", "SecurityError")); },
    () => { Object.defineProperty(Navigator.prototype, "locks", { get: () => undefined }); },
  ]) {
    const context = await shared.browser.newContext();
    const t = await tangoe(context);
    const a = await newTab(context);
    await signIn(a.page, cfg(), { access: "acc-nolocks", refresh: "ref-nolocks", expiresIn: 30 });
    t.grant("ref-nolocks", "acc-nolocks");
    await a.page.evaluate(breakLocks);
    const statuses = await callTogether([a], 5);
    assert.deepEqual([...new Set(statuses)], [200], String(breakLocks));
    assert.equal(t.refreshes.length, 1, String(breakLocks));
    assert.equal((await look(a.page)).record.refreshToken, [...t.live].find(([, alive]) => alive)[0]);
    // A new tab whose Web Locks are broken cannot see who is open: it asks, and is signed in
    // by the open tab, with nothing logged.
    const b = await newTab(context);
    await b.page.evaluate(breakLocks);
    await connect(b.page, cfg());
    assert.equal((await look(b.page)).raw, (await look(a.page)).raw, String(breakLocks));
    // A client built and never connected (as Rust's `Client::new`): its refused lock neither.
    await b.page.evaluate((c) => { window.built = new window.mobproc.MobprocClient(c); }, cfg());
    await b.page.waitForTimeout(50);
    assert.deepEqual(b.logs, [], String(breakLocks));
    await context.close();
    // Alone, it cannot know it is: it waits the whole 150 ms, and logs nothing.
    const lone = await shared.browser.newContext();
    const c = await newTab(lone);
    await c.page.evaluate(breakLocks);
    const ms = await connect(c.page, cfg());
    assert.ok(ms >= 140, `${String(breakLocks)}: ${ms.toFixed(0)} ms`);
    await c.page.waitForTimeout(50);
    assert.deepEqual(c.logs, [], String(breakLocks));
    await lone.close();
  }
});

test("invalid_grant on a refresh: the tab asks the others and takes a newer session, even when a tab holding the same old one answers first", async () => {
  const context = await shared.browser.newContext();
  const t = await tangoe(context); // ref-ig is not live there: its refresh gets invalid_grant
  const a = await newTab(context);
  await signIn(a.page, cfg(), { access: "acc-ig", refresh: "ref-ig" });
  await a.page.evaluate(() => window.client.on("sessionExpired", () => window.events.push("expired")));
  const raw = (await look(a.page)).raw;
  const others = await newTab(context);
  issued.add("acc-ig-new").add("ref-ig-new");
  await others.page.evaluate(([key, raw]) => {
    const channel = new BroadcastChannel("mobproc-auth");
    const id = { clientId: "portal-demo", tenant: "XYZ", key };
    const newer = JSON.stringify({ ...JSON.parse(raw), accessToken: "acc-ig-new", refreshToken: "ref-ig-new", expiresAt: JSON.parse(raw).expiresAt + 60_000 });
    channel.onmessage = (e) => {
      if (e.data?.mobprocAuth !== "ask") return;
      // A tab that missed the rotation answers first, then the tab that rotated: one channel
      // keeps their order, and a wait that ended at the first answer would miss the second.
      channel.postMessage({ ...id, mobprocAuth: "session", record: raw });
      channel.postMessage({ ...id, mobprocAuth: "session", record: newer });
    };
  }, [KEY, raw]);
  const out = await a.page.evaluate(async () => {
    const s = await window.client.refresh().then((s) => s && s.hasRefreshToken, (e) => e.code);
    return { s, signedIn: window.client.isAuthenticated() };
  });
  assert.deepEqual(out, { s: true, signedIn: true }, "the newer session was taken, the session did not end");
  assert.equal(t.refreshes.length, 1);
  const got = await look(a.page);
  assert.equal(got.record.refreshToken, "ref-ig-new");
  assert.ok(!got.events.includes("expired"));
  await context.close();
});

/** Keeps `page`'s event loop busy for `ms` from now (a long task: it answers nobody meanwhile). */
function busy(page, ms) {
  return page.evaluate((ms) => setTimeout(() => { const end = Date.now() + ms; while (Date.now() < end); }, 0), ms);
}

test("a tab that reloads while another rotates the refresh token never sends the rotated-away one (a server detecting its reuse would end the session): its refresh waits for the newer record, however busy the tab holding it, and fails rather than send it", async () => {
  const { context, t, a, b } = await twoTabs("acc-reload", "ref-reload");
  const sent = () => t.refreshes.map((r) => [r.refresh_token, r.alive]);
  /** b reloads, and while no client is there to hear it, a refreshes: b's storage keeps the record a rotated away. */
  const missRotation = async () => {
    await goto(b.page, `${shared.server.origin}/app/`);
    const refreshed = await a.page.evaluate(() => window.client.refresh().then((s) => s.hasRefreshToken, (e) => e.code));
    assert.equal(refreshed, true);
    await a.page.waitForTimeout(300); // past the lock's hold: b's refresh does not wait for it
    return (await look(a.page)).record;
  };
  /** b's client starts, and refreshes at once, as a page whose token is about to expire does. */
  const startAndRefresh = () => b.page.evaluate(async (c) => {
    window.client = await window.mobproc.createClient(c);
    const s = await window.client.refresh().then((s) => s && s.hasRefreshToken, (e) => e.code);
    return { s, signedIn: window.client.isAuthenticated() };
  }, cfg());
  const holdsRecordOf = async (page, record) => {
    const held = (await look(page)).record;
    assert.deepEqual([held.accessToken, held.refreshToken], [record.accessToken, record.refreshToken]);
  };

  /** The generation locks held on the origin, as `<session>:<refreshes>`, sorted. */
  const generations = () => a.page.evaluate(async () =>
    (await navigator.locks.query()).held.map((l) => l.name).filter((n) => n.startsWith("mobproc-auth:gen:")).map((n) => n.slice(17)).sort());
  const session = (await look(a.page)).record.session;
  assert.deepEqual(await generations(), [`${session}:0`, `${session}:0`], "each tab holds its record's");
  let rotated = await missRotation();
  assert.deepEqual(await generations(), [`${session}:1`], "a's moved on; b's went with its page");
  const stale = await b.page.evaluate((key) => JSON.parse(sessionStorage.getItem(key)).refreshToken, KEY);
  assert.equal(stale, "ref-reload", "b holds the stale record");
  assert.deepEqual(await startAndRefresh(), { s: true, signedIn: true });
  assert.deepEqual(sent(), [["ref-reload", true]], "no rotated-away refresh token was sent");
  await holdsRecordOf(b.page, rotated);

  // The tab holding the newer record is busy for 0.8 s: b waits for it, past the 150 ms asks take.
  rotated = await missRotation();
  await busy(a.page, 800);
  assert.deepEqual(await startAndRefresh(), { s: true, signedIn: true });
  assert.equal(sent().length, 2);
  assert.ok(sent().every(([, alive]) => alive), "no rotated-away refresh token was sent");
  await holdsRecordOf(b.page, rotated);

  // Busy longer than b waits (2 s): b's refresh fails, sending nothing; a's answer, once it
  // comes, still brings b the newer record.
  rotated = await missRotation();
  await busy(a.page, 3000);
  assert.deepEqual(await startAndRefresh(), { s: "refresh_failed", signedIn: true });
  assert.equal(sent().length, 3, "nothing sent");
  await holding(b.page, rotated.accessToken);
  await holdsRecordOf(b.page, rotated);

  // b starts while a holds a newer record, and a closes before b refreshes: b asked for it at
  // start-up (a's generation lock showed it), so it refreshes with the live token.
  rotated = await missRotation();
  await b.page.evaluate(async (c) => { window.client = await window.mobproc.createClient(c); }, cfg());
  await holding(b.page, rotated.accessToken);
  await a.page.close();
  const alone = await b.page.evaluate(() => window.client.refresh().then((s) => s && s.hasRefreshToken, (e) => e.code));
  assert.equal(alone, true);
  assert.deepEqual(sent().at(-1), [rotated.refreshToken, true]);
  assert.ok(sent().every(([, alive]) => alive), "no rotated-away refresh token was sent");
  // A sign-out lets its generation lock go.
  const held = () => b.page.evaluate(async () => (await navigator.locks.query()).held.filter((l) => l.name.startsWith("mobproc-auth:gen:")).length);
  assert.equal(await held(), 1);
  await b.page.evaluate(() => window.client.logout());
  assert.equal(await held(), 0);
  await assertNoTokenLeaks([b]);
  await context.close();
});

test("a newer generation lock held by a page that never answers (frozen, or a fake one on the origin): each tab's refresh fails after its own 2 s wait, side by side rather than one after another under the refresh lock, sending nothing, and drops its refresh token (dead, if that lock is true); the access token lasts", async () => {
  const { context, t, a, b } = await twoTabs("acc-fake", "ref-fake");
  const session = (await look(a.page)).record.session;
  const x = await newTab(context);
  await x.page.evaluate((name) => new Promise((held) => {
    navigator.locks.request(name, { mode: "shared" }, () => {
      held();
      return new Promise((r) => (window.letGo = r));
    });
  }), `mobproc-auth:gen:${session}:99`);
  const started = Date.now();
  const outcomes = await Promise.all([a, b].map(({ page }) => page.evaluate(() => window.client.refresh().then(() => "resolved", (e) => [e.code, e.message]))));
  const took = Date.now() - started;
  for (const [code, message] of outcomes) {
    assert.equal(code, "refresh_failed");
    assert.match(message, /newer refresh token of this session/);
  }
  assert.ok(took < 3500, `side by side: ${took} ms`);
  for (const { page } of [a, b]) {
    const got = await look(page);
    assert.deepEqual([got.signedIn, got.record.accessToken, "refreshToken" in got.record], [true, "acc-fake", false], "the access token kept, the refresh token dropped");
  }
  // Calls go on with the access token, and make no refresh (nothing to refresh with).
  assert.equal(await a.page.evaluate(() => window.client.fetch("/api/ping").then((r) => r.status, (e) => e.code)), 200);
  await x.page.evaluate(() => window.letGo());
  assert.equal(await a.page.evaluate(() => window.client.refresh().then(() => "resolved", (e) => e.code)), "refresh_failed");
  assert.equal(t.refreshes.length, 0, "nothing sent");
  await context.close();
});

test("a grant revoked at the server: each tab ends on its own 401, and a tab that ended is not signed back in with the refused token by another tab's refused refresh", async () => {
  const { context, t, a, b } = await twoTabs("acc-rv", "ref-rv");
  t.live.set("ref-rv", false); // both tokens revoked: the refresh gets invalid_grant, the API 401
  t.access.delete("acc-rv");
  for (const tab of [a, b]) await tab.page.evaluate(() => window.client.on("sessionExpired", () => window.events.push("expired")));
  const call = (tab) => tab.page.evaluate(() => window.client.fetch("/ping").then((r) => r.status, (e) => e.code));
  assert.equal(await call(b), 401);
  assert.equal((await look(b.page)).signedIn, false, "B ended on its 401");
  // A's call: 401, then its refresh is refused (the token still lasts, so it is kept without
  // the refresh token), then the 401 ends A too.
  assert.equal(await call(a), 401);
  await new Promise((r) => setTimeout(r, 300));
  const [la, lb] = [await look(a.page), await look(b.page)];
  assert.deepEqual([la.signedIn, lb.signedIn], [false, false]);
  assert.equal(lb.record, null, "B did not take the refused token back");
  assert.equal(lb.events.filter((e) => e === "expired").length, 1, "B ended once");
  assert.equal(await call(b), "not_authenticated", "B sends nothing more");
  await context.close();
});

test("two clients of one page refreshing a refused refresh token at once: both refresh_failed (neither resolves a refresh that did not happen), one token request", async () => {
  const context = await shared.browser.newContext();
  const t = await tangoe(context, { delayMs: 200 });
  const a = await newTab(context);
  await signIn(a.page, cfg(), { access: "acc-2c", refresh: "ref-2c" });
  t.access.add("acc-2c"); // ref-2c is not live: invalid_grant
  const out = await a.page.evaluate(async (c) => {
    const second = await window.mobproc.createClient(c);
    const refresh = (client) => client.refresh().then((s) => `resolved ${s?.hasRefreshToken}`, (e) => `${e.code} ${e.oauthError}`);
    return Promise.all([refresh(window.client), refresh(second)]);
  }, cfg());
  assert.deepEqual(out, ["refresh_failed invalid_grant", "refresh_failed invalid_grant"]);
  assert.equal(t.refreshes.length, 1);
  await context.close();
});
