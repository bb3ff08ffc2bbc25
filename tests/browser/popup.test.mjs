// Popup sign-in (issue 13) in real Chromium against the test server's stand-in sign-in page:
// the popup opens on the authorize URL with the pending sign-in copied into its sessionStorage,
// is sent back to the app's redirectUri by the test (as Tangoe would), hands the answer to the
// opener over the `state`'s BroadcastChannel and closes itself; the opener stores the token
// (or exchanges the code with its PKCE verifier). Blocked, closed, timed out, denied, an opener
// that is gone, hostile messages on the popup channel, and garbage options. No token in the
// opener's URL, history, localStorage or console.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { config, goto, openPage, recordRevocations, useServerAndBrowser } from "./harness.mjs";

const KEY = "mobproc-auth:portal-demo:XYZ";
const shared = useServerAndBrowser();

const cfg = (extra = {}) => config(shared.server.origin, { tokenUrl: `${shared.server.origin}/token`, ...extra });

/** The opener: a page whose client is `window.client`, its console collected. */
async function opener(extra) {
  const opened = await openPage(shared.browser, `${shared.server.origin}/app/?tab=orders`);
  const c = cfg(extra);
  await opened.page.evaluate(async (c) => {
    window.client = await window.mobproc.createClient(c);
    window.historyAtStart = history.length;
    window.events = [];
    window.client.on("sessionChanged", (s) => window.events.push(s && s.expiresAt));
  }, c);
  return { ...opened, cfg: c };
}

/** Starts `loginPopup(options)` in the opener; returns the popup page and the pending outcome. */
async function startPopup(page, options) {
  const [popup] = await Promise.all([
    page.waitForEvent("popup"),
    page.evaluate((options) => {
      window.outcome = window.client.loginPopup(options).then(
        (session) => ({ session }),
        (e) => ({ code: e.code, message: e.message, isMobprocError: e instanceof window.mobproc.MobprocError }),
      );
    }, options),
  ]);
  await popup.waitForLoadState();
  const popupLogs = [];
  popup.on("console", (m) => popupLogs.push(m.text()));
  return { popup, popupLogs };
}

/**
 * Makes `page` say whether it has the focus as a desktop browser would, from
 * `window.pageFocus`: Playwright tells every page it has it. Not to begin with (the popup is in
 * front); a test sets it back.
 */
async function desktopFocus(page) {
  await page.evaluate(() => {
    window.pageFocus = false;
    Document.prototype.hasFocus = () => window.pageFocus;
  });
}

/** In the popup, what the app's redirect page does: `handleRedirectCallback()`. */
function callbackIn(popup, c) {
  return popup
    .evaluate(async (c) => {
      const client = await window.mobproc.createClient(c);
      return { returned: await client.handleRedirectCallback() };
    }, c)
    .catch((e) => ({ closedDuring: String(e.message).slice(0, 80) }));
}

/**
 * Tangoe sends the popup back with `answer` (`#…` or `?…`): its page runs the callback, which
 * hands the answer to the opener; resolves what the callback did once the popup has closed.
 */
async function handOver(popup, answer, c) {
  await popup.goto(`${shared.server.origin}/app/callback${answer}`);
  await popup.waitForFunction(() => window.mobprocReady === true);
  const closed = popup.waitForEvent("close");
  const handed = await callbackIn(popup, c);
  await closed;
  return handed;
}

/** The opener's URL, history length, storages and console hold no token value. */
async function assertOpenerClean(page, logs, tokens) {
  const seen = await page.evaluate(() => ({ url: location.href, history: history.length, local: localStorage.length }));
  assert.equal(seen.url, `${shared.server.origin}/app/?tab=orders`, "the opener's URL never changed");
  assert.equal(seen.history, await page.evaluate(() => window.historyAtStart), "no history entry was added");
  assert.equal(seen.local, 0, "nothing in localStorage");
  for (const token of tokens) for (const line of logs) assert.ok(!line.includes(token), `token in console: ${line}`);
}

test("implicit grant: the popup's callback hands the token to the opener over the state's channel and closes; loginPopup resolves the session", async () => {
  const { page, context, console: logs, cfg: c } = await opener();
  const { popup, popupLogs } = await startPopup(page, { returnTo: "/orders?id=7" });
  const authorize = new URL(popup.url());
  assert.equal(`${authorize.origin}${authorize.pathname}`, `${shared.server.origin}/authorize`);
  assert.equal(authorize.searchParams.get("response_type"), "token");
  assert.equal(authorize.searchParams.get("redirect_uri"), c.redirectUri);
  const state = authorize.searchParams.get("state");
  assert.ok(state.length >= 22);
  // The popup has a copy of the opener's sessionStorage: the pending sign-in, marked as a popup's.
  const pending = await popup.evaluate((key) => JSON.parse(sessionStorage.getItem(`${key}.pending`)), KEY);
  assert.deepEqual([pending.state, pending.returnTo, pending.popup], [state, "/orders?id=7", "true"]);
  assert.equal(pending.verifier, undefined, "no verifier for the implicit grant");

  const handed = await handOver(popup, `#access_token=acc-popup-1&token_type=Bearer&expires_in=3600&refresh_token=ref-popup-1&scope=MOBPROC&state=${state}`, c);
  assert.ok(handed.closedDuring !== undefined || handed.returned === null, JSON.stringify(handed));
  const outcome = await page.evaluate(() => window.outcome);
  assert.equal(outcome.code, undefined, outcome.message);
  assert.equal(outcome.session.hasRefreshToken, true);
  const held = await page.evaluate((key) => ({ record: JSON.parse(sessionStorage.getItem(key)), keys: Object.keys(sessionStorage), events: window.events.length, authenticated: window.client.isAuthenticated() }), KEY);
  assert.equal(held.record.accessToken, "acc-popup-1");
  assert.deepEqual(held.keys, [KEY], "the pending sign-in is gone");
  assert.equal(held.events, 1);
  assert.equal(held.authenticated, true);
  await assertOpenerClean(page, [...logs, ...popupLogs], ["acc-popup-1", "ref-popup-1"]);
  await context.close();
});

test("a popup that stays open after handing its answer over (a refused close) keeps no used sign-in state or verifier", async () => {
  const { page, context, cfg: c } = await opener({ responseType: "code", tokenUrl: `${shared.server.origin}/token` });
  await context.route(`${shared.server.origin}/token`, (route) =>
    route.fulfill({ contentType: "application/json", body: JSON.stringify({ access_token: "acc-open", token_type: "Bearer", expires_in: 3600 }) }),
  );
  const { popup } = await startPopup(page);
  const state = new URL(popup.url()).searchParams.get("state");
  await popup.goto(`${shared.server.origin}/app/callback?code=code-open&state=${state}`);
  await popup.waitForFunction(() => window.mobprocReady === true);
  const left = await popup.evaluate(async (c) => {
    window.close = () => {}; // the browser refused it, or the user restored the window
    const client = await window.mobproc.createClient(c);
    const returned = await client.handleRedirectCallback();
    return { returned, keys: Object.keys(sessionStorage) };
  }, c);
  assert.deepEqual(left, { returned: null, keys: [] }, "handed over: nothing of the sign-in left in the popup");
  assert.equal((await page.evaluate(() => window.outcome)).session?.hasRefreshToken, false, "the opener signed in");
  await context.close();
});

test("login, loginPopup, logout and refresh handed on alone (a click listener, onClick={client.login}) are bound to their client: the click event counts as no options", async () => {
  const { page, context } = await opener();
  const click = (method) => {
    const button = document.createElement("button");
    document.body.append(button);
    button.addEventListener("click", window.client[method]);
    button.click();
  };
  const [popup] = await Promise.all([page.waitForEvent("popup"), page.evaluate(click, "loginPopup")]);
  await popup.waitForLoadState();
  assert.match(popup.url(), /\/authorize\?response_type=token&/);
  await popup.close();
  const out = await page.evaluate(async () => {
    const { logout, refresh } = window.client;
    logout();
    return { refreshed: await refresh().then((s) => s, (e) => e.code), signedIn: window.client.isAuthenticated(), keys: Object.keys(sessionStorage) };
  });
  assert.deepEqual(out, { refreshed: "not_authenticated", signedIn: false, keys: [] }, "bound: a typed error, not a TypeError; logout forgot the pending sign-in");
  await Promise.all([page.waitForURL(/\/authorize\?response_type=token&/), page.evaluate(click, "login")]);
  await context.close();
});

test("code grant with PKCE: the opener exchanges the popup's code once, with the S256 verifier", async () => {
  const { page, context, console: logs, cfg: c } = await opener({ responseType: "code" });
  const exchanges = [];
  await context.route(`${shared.server.origin}/token`, (route) => {
    exchanges.push(Object.fromEntries(new URLSearchParams(route.request().postData())));
    return route.fulfill({ contentType: "application/json", body: JSON.stringify({ access_token: "acc-popup-code", token_type: "Bearer", expires_in: 3600, refresh_token: "ref-popup-code" }) });
  });
  const { popup, popupLogs } = await startPopup(page, { returnTo: "/done" });
  const authorize = new URL(popup.url()).searchParams;
  assert.equal(authorize.get("response_type"), "code");
  assert.equal(authorize.get("code_challenge_method"), "S256");
  const state = authorize.get("state");
  await handOver(popup, `?code=code-popup-1&state=${state}`, c);
  const outcome = await page.evaluate(() => window.outcome);
  assert.equal(outcome.code, undefined, outcome.message);
  assert.equal(exchanges.length, 1, "one exchange");
  const [x] = exchanges;
  assert.deepEqual([x.grant_type, x.code, x.redirect_uri, x.client_id], ["authorization_code", "code-popup-1", c.redirectUri, "portal-demo"]);
  assert.match(x.code_verifier, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(createHash("sha256").update(x.code_verifier).digest("base64url"), authorize.get("code_challenge"), "S256(verifier) is the challenge sent");
  assert.deepEqual(await page.evaluate(() => Object.keys(sessionStorage)), [KEY], "the verifier went with the pending sign-in");
  await assertOpenerClean(page, [...logs, ...popupLogs], ["acc-popup-code", "ref-popup-code", "code-popup-1", x.code_verifier]);
  await context.close();
});

test("code grant: an opener that does not take the answer within 1 s (busy, or a frozen background tab) leaves the sign-in to the popup: the code is exchanged once, loginPopup says what happened, and the session reaches the opener through tab sharing", async () => {
  const { page, context, cfg: c } = await opener({ responseType: "code" });
  const exchanges = [];
  await context.route(`${shared.server.origin}/token`, (route) => {
    exchanges.push(Object.fromEntries(new URLSearchParams(route.request().postData())));
    if (exchanges.length > 1) return route.fulfill({ status: 400, contentType: "application/json", body: JSON.stringify({ error: "invalid_grant" }) });
    return route.fulfill({ contentType: "application/json", body: JSON.stringify({ access_token: "acc-late", token_type: "Bearer", expires_in: 3600, refresh_token: "ref-late" }) });
  });
  // Tangoe's page with a COOP, as PingFederate may send: the popup gets a process of its own,
  // so it runs while the opener's main thread is blocked.
  await context.route(`${shared.server.origin}/authorize**`, (route) =>
    route.fulfill({ contentType: "text/html", headers: { "Cross-Origin-Opener-Policy": "same-origin" }, body: "<p>Tangoe</p>" }),
  );
  const { popup } = await startPopup(page, { timeoutMs: 60_000 });
  const state = new URL(popup.url()).searchParams.get("state");
  // The opener is blocked from just before the popup's callback runs until the popup has
  // completed the sign-in itself, however long its load, the exchange and the 1 s hand-over
  // take: it asks a gate the test opens, by synchronous XHR (at most 60 s).
  let gateOpen = false;
  let asked = 0;
  await context.route(`${shared.server.origin}/gate`, (route) => {
    asked += 1;
    return route.fulfill({ contentType: "text/plain", body: gateOpen ? "open" : "shut" });
  });
  await page.evaluate(() => {
    setTimeout(() => {
      const start = Date.now();
      while (Date.now() - start < 60_000) {
        const gate = new XMLHttpRequest();
        gate.open("GET", "/gate", false);
        gate.send();
        if (gate.responseText === "open") break;
      }
    }, 50);
  });
  await popup.goto(`${shared.server.origin}/app/callback?code=code-late&state=${state}`);
  await popup.waitForFunction(() => window.mobprocReady === true);
  const inPopup = await popup.evaluate(async (c) => {
    const client = await window.mobproc.createClient(c);
    const returned = await client.handleRedirectCallback();
    return { returned, token: client.accessToken() };
  }, c);
  gateOpen = true;
  assert.ok(asked > 0, "the opener was held at the gate");
  assert.deepEqual(inPopup, { returned: { returnTo: null }, token: "acc-late" }, "the popup completed the sign-in itself");
  const outcome = await page.evaluate(() => window.outcome);
  assert.equal(outcome.code, "timeout", outcome.message);
  assert.match(outcome.message, /completed the sign-in itself/);
  assert.deepEqual(exchanges.map((x) => x.code), ["code-late"], "the code is exchanged once");
  await page.waitForTimeout(300);
  assert.equal(popup.isClosed(), false, "the opener leaves the popup open: it holds the session now");
  await page.waitForFunction(() => window.client.accessToken() === "acc-late", null, { timeout: 5000 });
  await context.close();
});

test("a double click: the second loginPopup joins the first (one window, one sign-in, the same session for both)", async () => {
  const { page, context, cfg: c } = await opener();
  let popups = 0;
  context.on("page", () => popups++);
  const { popup } = await startPopup(page, { returnTo: "/first" });
  await page.evaluate(() => {
    window.second = window.client.loginPopup({ returnTo: "/second" }).then((s) => ({ session: s }), (e) => ({ code: e.code }));
  });
  const state = new URL(popup.url()).searchParams.get("state");
  assert.equal(await popup.evaluate((key) => JSON.parse(sessionStorage.getItem(`${key}.pending`)).state, KEY), state);
  assert.equal(await page.evaluate((key) => JSON.parse(sessionStorage.getItem(`${key}.pending`)).returnTo, KEY), "/first", "the pending sign-in is the first one");
  await handOver(popup, `#access_token=acc-double&token_type=Bearer&expires_in=3600&state=${state}`, c);
  const [first, second] = await page.evaluate(() => Promise.all([window.outcome, window.second]));
  assert.equal(first.code, undefined);
  assert.deepEqual(second, first);
  assert.equal(popups, 1);
  // Once it ended, a new call opens a new popup.
  const again = await startPopup(page, { timeoutMs: 500 });
  assert.equal((await page.evaluate(() => window.outcome)).code, "timeout");
  assert.equal(popups, 2);
  void again;
  await context.close();
});

test("Sign in clicked again once the popup is out of sight (closed early, as a severed one looks): a new popup and sign-in", async () => {
  const { page, context, cfg: c } = await opener();
  let popups = 0;
  context.on("page", () => popups++);
  const first = await startPopup(page, { timeoutMs: 4000 });
  await first.popup.close();
  await page.evaluate(() => void (window.firstOutcome = window.outcome));
  const { popup } = await startPopup(page, {});
  assert.equal(popups, 2, "a second window");
  const state = new URL(popup.url()).searchParams.get("state");
  assert.notEqual(state, new URL(first.popup.url()).searchParams.get("state"), "a new sign-in");
  await handOver(popup, `#access_token=acc-retry&token_type=Bearer&expires_in=3600&state=${state}`, c);
  const outcome = await page.evaluate(() => window.outcome);
  assert.equal(outcome.code, undefined, outcome.message);
  assert.equal(await page.evaluate((key) => JSON.parse(sessionStorage.getItem(key)).accessToken, KEY), "acc-retry");
  assert.equal((await page.evaluate(() => window.firstOutcome)).code, "timeout", "the first sign-in, never answered, ends on its own");
  await context.close();
});

test("logout while the popup is open, by any client of the page, ends that sign-in: the opener closes the popup within a poll, loginPopup rejects with popup_closed, nothing is stored; a loginPopup right after logout opens a new popup", async () => {
  const { page, context, cfg: c } = await opener();
  const { popup } = await startPopup(page);
  const closed = popup.waitForEvent("close", { timeout: 5000 });
  // Another client of the page (a widget beside the app's own) signs out.
  await page.evaluate(async (c) => (await window.mobproc.createClient(c)).logout(), c);
  await closed;
  const outcome = await page.evaluate(() => window.outcome);
  assert.deepEqual([outcome.code, outcome.isMobprocError], ["popup_closed", true], outcome.message);
  const left = await page.evaluate(() => ({ keys: Object.keys(sessionStorage), events: window.events.length, signedIn: window.client.isAuthenticated() }));
  assert.deepEqual(left, { keys: [], events: 0, signedIn: false });

  // A sign-out on the page (here by a client of another storage key), then at once a new popup
  // sign-in ("switch account"): the old one ends, the new one opens its own popup and signs in.
  const second = await startPopup(page);
  const [third] = await Promise.all([
    page.waitForEvent("popup"),
    page.evaluate(async (c) => {
      const other = await window.mobproc.createClient({ ...c, storageKey: "other-key" });
      window.secondOutcome = window.outcome;
      other.logout();
      window.outcome = window.client.loginPopup().then((session) => ({ session }), (e) => ({ code: e.code }));
    }, c),
  ]);
  assert.notEqual(third, second.popup, "a new window");
  await third.waitForLoadState();
  const state = new URL(third.url()).searchParams.get("state");
  await handOver(third, `#access_token=acc-after&token_type=Bearer&expires_in=3600&state=${state}`, c);
  assert.equal((await page.evaluate(() => window.outcome)).session?.hasRefreshToken, false);
  assert.equal((await page.evaluate(() => window.secondOutcome)).code, "popup_closed");
  assert.equal(await page.evaluate((key) => JSON.parse(sessionStorage.getItem(key)).accessToken, KEY), "acc-after");
  await context.close();
});

test("an implicit-grant answer handed over after logout (the popup out of sight, its late hand-over) signs nobody in, and its tokens are revoked", async () => {
  const { page, context } = await opener({ revokeUrl: `${shared.server.origin}/revoke` });
  const revoked = await recordRevocations(context, shared.server.origin);
  const { popup } = await startPopup(page, { timeoutMs: 20000 });
  const state = new URL(popup.url()).searchParams.get("state");
  await page.waitForTimeout(3200); // past the first 3 s, when a closed popup is taken as closed
  await popup.close();
  await page.waitForTimeout(400); // the opener has seen it closed (a 250 ms poll) and waits 1 s more
  // In the 1 s the opener waits for a late hand-over, the page signs out and then the answer comes.
  const out = await page.evaluate(async (state) => {
    window.client.logout();
    const channel = new BroadcastChannel(`mobproc-auth:popup:${state}`);
    channel.onmessage = (e) => e.data?.mobprocAuth === "taken" && channel.postMessage({ mobprocAuth: "confirm" });
    channel.postMessage({ mobprocAuth: "answer", answer: `access_token=acc-late&token_type=Bearer&expires_in=3600&refresh_token=ref-late&state=${state}` });
    const outcome = await window.outcome;
    return { code: outcome.code, keys: Object.keys(sessionStorage), signedIn: window.client.isAuthenticated() };
  }, state);
  assert.equal(out.signedIn, false, JSON.stringify(out));
  assert.deepEqual(out.keys, []);
  assert.ok(["popup_closed", "not_authenticated"].includes(out.code), out.code);
  assert.deepEqual(await revoked(), ["acc-late", "ref-late"]);
  await context.close();
});

test("logout while a popup that a COOP severed is open: the opener cannot close it, but a sign-in completed there afterwards is taken, dropped and its tokens revoked; the popup stores nothing and closes, no tab is signed in", async () => {
  const { page, context, cfg: c } = await opener({ revokeUrl: `${shared.server.origin}/revoke` });
  await context.route(`${shared.server.origin}/authorize**`, (route) =>
    route.fulfill({ contentType: "text/html", headers: { "Cross-Origin-Opener-Policy": "same-origin" }, body: "<p>Tangoe</p>" }),
  );
  const revoked = await recordRevocations(context, shared.server.origin);
  const { popup } = await startPopup(page, { timeoutMs: 60_000 });
  const state = new URL(popup.url()).searchParams.get("state");
  await page.evaluate(() => window.client.logout());
  assert.equal((await page.evaluate(() => window.outcome)).code, "popup_closed");
  assert.equal(await popup.evaluate(() => window.opener), null, "severed: the opener's close() does not reach it");
  // The user completes the sign-in in the popup anyway.
  await popup.goto(`${shared.server.origin}/app/callback#access_token=acc-severed&token_type=Bearer&expires_in=3600&refresh_token=ref-severed&state=${state}`);
  await popup.waitForFunction(() => window.mobprocReady === true);
  const closed = popup.waitForEvent("close", { timeout: 5000 }).then(() => true, () => false);
  const handed = await callbackIn(popup, c);
  assert.ok(handed.closedDuring !== undefined || handed.returned === null, JSON.stringify(handed));
  assert.equal(await closed, true, "the popup handed its answer over and closed, rather than completing the sign-in");
  await page.waitForTimeout(300); // a sign-in broadcast from the popup would have arrived by now
  const left = await page.evaluate(() => ({ keys: Object.keys(sessionStorage), events: window.events.length, signedIn: window.client.isAuthenticated() }));
  assert.deepEqual(left, { keys: [], events: 0, signedIn: false });
  assert.deepEqual(await revoked(), ["acc-severed", "ref-severed"]);
  await context.close();
});

test("logout while the opener exchanges the popup's code: popup_closed, nothing stored, and the tokens the exchange brings are revoked", async () => {
  const { page, context, cfg: c } = await opener({ responseType: "code", revokeUrl: `${shared.server.origin}/revoke` });
  let release, hit;
  const held = new Promise((r) => (release = r));
  const asked = new Promise((r) => (hit = r));
  await context.route(`${shared.server.origin}/token`, async (route) => {
    hit();
    await held;
    return route.fulfill({ contentType: "application/json", body: JSON.stringify({ access_token: "acc-late", token_type: "Bearer", expires_in: 3600, refresh_token: "ref-late" }) });
  });
  const revoked = await recordRevocations(context, shared.server.origin);
  const { popup } = await startPopup(page);
  const state = new URL(popup.url()).searchParams.get("state");
  await popup.goto(`${shared.server.origin}/app/callback?code=code-late&state=${state}`);
  await popup.waitForFunction(() => window.mobprocReady === true);
  void callbackIn(popup, c);
  await asked;
  await page.evaluate(() => window.client.logout());
  release();
  const outcome = await page.evaluate(() => window.outcome);
  assert.deepEqual([outcome.code, outcome.isMobprocError], ["popup_closed", true], outcome.message);
  const left = await page.evaluate(() => ({ keys: Object.keys(sessionStorage), events: window.events.length, signedIn: window.client.isAuthenticated() }));
  assert.deepEqual(left, { keys: [], events: 0, signedIn: false });
  assert.deepEqual(await revoked(), ["acc-late", "ref-late"]);
  await context.close();
});

test("a second loginPopup that fails (blocked) leaves the first sign-in waiting for its popup", async () => {
  const { page, context } = await opener();
  await page.evaluate(() => {
    const real = window.open;
    window.open = (...args) => (window.firstWindow = real.apply(window, args));
  });
  const first = await startPopup(page, { timeoutMs: 4000 });
  await first.popup.close(); // out of sight, as a popup severed by a COOP looks
  await page.waitForFunction(() => window.firstWindow.closed);
  const second = await page.evaluate(async () => {
    window.firstOutcome = window.outcome;
    window.open = () => null;
    return window.client.loginPopup().then(() => "resolved", (e) => e.code);
  });
  assert.equal(second, "popup_blocked");
  const soon = await page.evaluate(() => Promise.race([window.firstOutcome, new Promise((r) => setTimeout(() => r("waiting"), 1000))]));
  assert.equal(soon, "waiting", "the first sign-in still waits for its popup's answer");
  assert.equal((await page.evaluate(() => window.firstOutcome)).code, "timeout");
  await context.close();
});

test("Cancel on Tangoe's page: authorization_denied in the opener, the popup closes, nothing stored", async () => {
  const { page, context, cfg: c } = await opener();
  const { popup } = await startPopup(page);
  const state = new URL(popup.url()).searchParams.get("state");
  await handOver(popup, `#error=access_denied&error_description=The+user+cancelled&state=${state}`, c);
  const outcome = await page.evaluate(() => window.outcome);
  assert.deepEqual([outcome.code, outcome.isMobprocError], ["authorization_denied", true]);
  assert.deepEqual(await page.evaluate(() => Object.keys(sessionStorage)), []);
  await context.close();
});

test("popup_blocked: window.open refused (a stub, and a sandboxed frame without allow-popups); no window, no pending sign-in left", async () => {
  const { page, context } = await opener();
  let popups = 0;
  context.on("page", () => popups++);
  const stubbed = await page.evaluate(async () => {
    const real = window.open;
    window.open = () => null;
    try {
      return await window.client.loginPopup().then(() => "resolved", (e) => e.code);
    } finally {
      window.open = real;
    }
  });
  assert.equal(stubbed, "popup_blocked");
  assert.deepEqual(await page.evaluate(() => Object.keys(sessionStorage)), []);

  // The browser itself refuses: a sandboxed frame without allow-popups.
  await page.evaluate((src) => {
    const frame = document.createElement("iframe");
    frame.sandbox = "allow-scripts allow-same-origin";
    frame.src = src;
    document.body.append(frame);
  }, `${shared.server.origin}/app/framed`);
  const frame = await (await page.waitForSelector("iframe")).contentFrame();
  await frame.waitForFunction(() => window.mobprocReady === true);
  const framed = await frame.evaluate(async (c) => {
    const client = await window.mobproc.createClient(c);
    const code = await client.loginPopup().then(() => "resolved", (e) => e.code);
    return { code, keys: Object.keys(sessionStorage) };
  }, cfg());
  assert.deepEqual(framed, { code: "popup_blocked", keys: [] });
  assert.equal(popups, 0, "no window was opened");
  await context.close();
});

/**
 * The user closes the popup `after` ms (this page told it has the focus back, when `focus`):
 * popup_closed within a poll and the 1 s a hand-over that crossed the close gets, and the
 * pending sign-in forgotten.
 */
async function closedByTheUser(after, focus) {
  const { page, context } = await opener();
  if (focus) await desktopFocus(page);
  const { popup } = await startPopup(page);
  await page.waitForTimeout(after);
  const closedAt = Date.now();
  await popup.close();
  if (focus) await page.evaluate(() => (window.pageFocus = true));
  const outcome = await page.evaluate(() => window.outcome);
  const took = Date.now() - closedAt;
  assert.equal(outcome.code, "popup_closed", outcome.message);
  // A poll (250 ms), the 1 s for a hand-over, and 1.5 s of slack.
  assert.ok(took < 2750, `reported ${took} ms after the close`);
  assert.deepEqual(await page.evaluate(() => Object.keys(sessionStorage)), [], "the pending sign-in is forgotten");
  await context.close();
}

test("popup_closed: the user closes the popup after the first 3 s; the outcome comes within a poll and the 1 s a late hand-over gets", () => closedByTheUser(3200, false));

test("a popup that looks closed after the first 3 s while the focus stays away from this page (a COOP on the redirect page cuts it off as it comes back, and it is in front handing its answer over) is still waited for; popup_closed once the focus is back", async () => {
  const { page, context } = await opener();
  await desktopFocus(page);
  const { popup } = await startPopup(page);
  await page.waitForTimeout(3200);
  await popup.close();
  const early = await page.evaluate(() => Promise.race([window.outcome, new Promise((resolve) => setTimeout(() => resolve("waiting"), 2500))]));
  assert.equal(early, "waiting", "not taken for closed by the user while the focus is elsewhere");
  const backAt = Date.now();
  await page.evaluate(() => (window.pageFocus = true));
  const outcome = await page.evaluate(() => window.outcome);
  assert.equal(outcome.code, "popup_closed", outcome.message);
  assert.ok(Date.now() - backAt < 2750, "within a poll and the 1 s a late hand-over gets");
  await context.close();
});

test("closed by the user in its first 3 s: the page, which had lost the focus to the popup, has it back: popup_closed within a poll and the 1 s a late hand-over gets, not a wait until timeoutMs", () => closedByTheUser(600, true));

test("timeout: timeoutMs passes without an answer: `timeout`, and the opener closes the popup; a popup gone in the first 3 s (as a COOP severs it) while the focus does not come back at once is waited for until then, and the timeout says why", async () => {
  const { page, context } = await opener();
  const { popup } = await startPopup(page, { timeoutMs: 1000 });
  const closed = popup.waitForEvent("close");
  const outcome = await page.evaluate(() => window.outcome);
  assert.equal(outcome.code, "timeout", outcome.message);
  await closed;
  assert.deepEqual(await page.evaluate(() => Object.keys(sessionStorage)), []);

  // A severed popup keeps the focus while its page loads; the user may come back to this
  // page later while still signing in there (here 2.5 s after it looked closed): still waited for.
  await desktopFocus(page);
  const started = Date.now();
  const second = await startPopup(page, { timeoutMs: 4500 });
  await second.popup.close();
  await page.waitForTimeout(2500);
  await page.evaluate(() => (window.pageFocus = true));
  const late = await page.evaluate(() => window.outcome);
  assert.equal(late.code, "timeout", "a popup reported closed this early is taken as severed, not closed");
  assert.match(late.message, /looked closed in its first 3 s: cut off by a Cross-Origin-Opener-Policy, or closed then/);
  assert.ok(Date.now() - started >= 4400);
  await context.close();
});

/** A same-origin page that listens on the popup channel of `state` and takes whatever it hears. */
async function eavesdropper(context, state) {
  const spy = await context.newPage();
  await spy.goto(`${shared.server.origin}/app/?spy`);
  await spy.evaluate((state) => {
    window.heard = [];
    const channel = new BroadcastChannel(`mobproc-auth:popup:${state}`);
    channel.onmessage = (event) => {
      window.heard.push(event.data);
      if (event.data && event.data.mobprocAuth === "answer") channel.postMessage({ mobprocAuth: "taken" });
    };
  }, state);
  return spy;
}

/** Runs the callback of the page now on `url` with `c`: its result, or its error's code. */
async function callbackAt(page, url, c) {
  await page.goto(url);
  await page.waitForFunction(() => window.mobprocReady === true);
  return page.evaluate(async (c) => {
    const client = await window.mobproc.createClient(c);
    return client.handleRedirectCallback().then((returned) => ({ returned }), (e) => ({ code: e.code }));
  }, c);
}

test("an answer that is not this tab's own popup sign-in is never handed to a channel: a same-origin listener on the state it names hears nothing, and the tab reports state_mismatch", async () => {
  // Another page of the origin (not using the library) listens on the channel of a state it
  // chose, and has the victim's browser sent to Tangoe with that state; Tangoe's single sign-on
  // sends the tokens back to the portal's redirect URI.
  const known = "K".repeat(43);
  const { page, context, cfg: c } = await opener();
  const spy = await eavesdropper(context, known);
  const stolen = `#access_token=acc-stolen&token_type=Bearer&expires_in=3600&refresh_token=ref-stolen&state=${known}`;

  // A tab with no sign-in under way, sharing off or on.
  for (const share of [false, true]) {
    const victim = await context.newPage();
    const out = await callbackAt(victim, `${shared.server.origin}/app/callback${stolen}`, { ...c, shareSessionAcrossTabs: share });
    assert.deepEqual(out, { code: "state_mismatch" }, `shareSessionAcrossTabs: ${share}`);
    assert.deepEqual(await victim.evaluate(() => [Object.keys(sessionStorage), location.hash, window.closed]), [[], "", false]);
    await victim.close();
  }

  // A popup of this tab's own sign-in (its pending sign-in copied in, marked as a popup's),
  // sent back with the listener's state instead of its own.
  const { popup } = await startPopup(page, { timeoutMs: 3000 });
  const state = new URL(popup.url()).searchParams.get("state");
  assert.deepEqual(await callbackAt(popup, `${shared.server.origin}/app/callback${stolen}`, c), { code: "state_mismatch" });
  assert.equal(popup.isClosed(), false);

  // A window of the app with no opener and no copy of the sign-in, given the real state (a
  // link, or a browser that does not copy sessionStorage into popups): it cannot tell the
  // opener from any other listener, so it hands nothing on either.
  const real = await eavesdropper(context, state);
  const orphan = await context.newPage();
  const answer = `#access_token=acc-orphan&token_type=Bearer&expires_in=3600&state=${state}`;
  assert.deepEqual(await callbackAt(orphan, `${shared.server.origin}/app/callback${answer}`, c), { code: "state_mismatch" });
  assert.deepEqual(await orphan.evaluate(() => sessionStorage.length), 0);
  const outcome = await page.evaluate(() => window.outcome);
  assert.equal(outcome.code, "timeout", "the opener never received the orphan's answer");
  assert.deepEqual(await page.evaluate(() => Object.keys(sessionStorage)), []);

  assert.deepEqual(await spy.evaluate(() => window.heard), [], "nothing was posted on the listener's channel");
  assert.deepEqual(await real.evaluate(() => window.heard), [], "nothing was posted on the real state's channel");
  await context.close();
});

test("the opener reloaded while its popup was open: a second loginPopup opens a new window, whose answer signs in", async () => {
  const { page, context, cfg: c } = await opener();
  const { popup: first } = await startPopup(page, { timeoutMs: 20000 });
  await page.reload();
  await page.waitForFunction(() => window.mobprocReady === true);
  await page.evaluate(async (c) => {
    window.client = await window.mobproc.createClient(c);
  }, c);
  // A window reused by name would keep its first copy of the storage (the first sign-in).
  const { popup: second } = await startPopup(page, { timeoutMs: 20000 });
  assert.notEqual(second, first);
  assert.equal(first.isClosed(), false);
  const state = new URL(second.url()).searchParams.get("state");
  const pending = await second.evaluate((key) => JSON.parse(sessionStorage.getItem(`${key}.pending`)).state, KEY);
  assert.equal(pending, state);
  await handOver(second, `#access_token=acc-after-reload&token_type=Bearer&expires_in=3600&state=${state}`, c);
  const outcome = await page.evaluate(() => window.outcome);
  assert.equal(outcome.code, undefined, outcome.message);
  assert.equal(await page.evaluate((key) => JSON.parse(sessionStorage.getItem(key)).accessToken, KEY), "acc-after-reload");
  await context.close();
});

test("the opener is gone: the popup's page completes the sign-in itself after ~1 s, with its returnTo", async () => {
  const { page, context, cfg: c } = await opener();
  const { popup } = await startPopup(page, { returnTo: "/orders?from=popup" });
  const state = new URL(popup.url()).searchParams.get("state");
  await page.close();
  await popup.goto(`${shared.server.origin}/app/callback#access_token=acc-alone&token_type=Bearer&expires_in=3600&state=${state}`);
  await popup.waitForFunction(() => window.mobproc !== undefined);
  const started = Date.now();
  const result = await callbackIn(popup, c);
  assert.deepEqual(result, { returned: { returnTo: "/orders?from=popup" } });
  assert.ok(Date.now() - started >= 900, "it offered the answer to the opener first");
  const kept = await popup.evaluate((key) => ({ token: JSON.parse(sessionStorage.getItem(key)).accessToken, keys: Object.keys(sessionStorage), url: location.href }), KEY);
  assert.deepEqual(kept, { token: "acc-alone", keys: [KEY], url: `${shared.server.origin}/app/callback` });
  await context.close();
});

test("hostile messages on the popup channel are ignored; a forged answer with another state is refused and stores nothing", async () => {
  const { page, context, cfg: c } = await opener();
  const { popup } = await startPopup(page, { timeoutMs: 20000 });
  const state = new URL(popup.url()).searchParams.get("state");
  const before = await page.evaluate((state) => {
    const channel = new BroadcastChannel(`mobproc-auth:popup:${state}`);
    for (const m of [null, 5, "answer", [], {}, { mobprocAuth: "answer" }, { mobprocAuth: "answer", answer: 5 }, { mobprocAuth: "answer", answer: ["x"] }, { mobprocAuth: "taken" }, { mobprocAuth: "confirm" }, { mobprocAuth: "ANSWER", answer: "access_token=x" }]) {
      channel.postMessage(m);
    }
    channel.close();
    return new Promise((r) => setTimeout(() => r(Object.keys(sessionStorage)), 400));
  }, state);
  assert.equal(popup.isClosed(), false);
  const still = await Promise.race([page.evaluate(() => window.outcome), new Promise((r) => setTimeout(() => r("waiting"), 300))]);
  assert.equal(still, "waiting", "the opener still waits");
  assert.deepEqual(before, [`${KEY}.pending`]);
  // A same-origin script that knows the channel but not the state's value cannot sign the opener
  // in. An answer is used only once the popup confirms it: unconfirmed, it is held.
  const held = await page.evaluate((state) => {
    const channel = new BroadcastChannel(`mobproc-auth:popup:${state}`);
    channel.postMessage({ mobprocAuth: "answer", answer: "access_token=acc-forged&token_type=Bearer&expires_in=3600&state=not-the-state" });
    return new Promise((r) => setTimeout(() => (channel.close(), r(Object.keys(sessionStorage))), 400));
  }, state);
  assert.deepEqual(held, [`${KEY}.pending`], "an unconfirmed answer is not used");
  await page.evaluate((state) => {
    const channel = new BroadcastChannel(`mobproc-auth:popup:${state}`);
    channel.postMessage({ mobprocAuth: "confirm" });
    channel.close();
  }, state);
  const outcome = await page.evaluate(() => window.outcome);
  assert.equal(outcome.code, "state_mismatch");
  assert.deepEqual(await page.evaluate(() => Object.keys(sessionStorage)), []);
  await context.close();
  void c;
});

test("loginPopup with garbage options: config_invalid (a rejected promise, never a throw), and no window opened", async () => {
  const { page, context } = await opener();
  let popups = 0;
  context.on("page", () => popups++);
  const out = await page.evaluate(async () => {
    const thrower = new Proxy({}, { get() { throw new Error("trap"); }, has() { throw new Error("trap"); }, getOwnPropertyDescriptor() { throw new Error("trap"); }, ownKeys() { throw new Error("trap"); } });
    const bad = {
      string: "x", number: 5, true: true, function: () => {}, symbol: Symbol("s"), bigint: 1n,
      timeoutString: { timeoutMs: "1000" }, timeoutZero: { timeoutMs: 0 }, timeoutNegative: { timeoutMs: -1 },
      timeoutFraction: { timeoutMs: 1.5 }, timeoutNaN: { timeoutMs: NaN }, timeoutInfinity: { timeoutMs: Infinity },
      timeoutTooLong: { timeoutMs: 3_600_001 }, timeoutObject: { timeoutMs: {} }, timeoutBigint: { timeoutMs: 10n }, timeoutBool: { timeoutMs: true },
      returnToNumber: { returnTo: 5 }, returnToObject: { returnTo: {} }, returnToArray: { returnTo: ["/x"] }, returnToSymbol: { returnTo: Symbol("r") }, returnToUrl: { returnTo: new URL("https://127.0.0.1/") },
      getterThrows: { get timeoutMs() { throw new Error("getter"); } }, returnToGetterThrows: { get returnTo() { throw new Error("getter"); } },
      proxyThrows: thrower,
    };
    const opened = [];
    const real = window.open;
    window.open = (...args) => {
      opened.push(args[0]);
      return real.apply(window, args);
    };
    const results = {};
    for (const [name, value] of Object.entries(bad)) {
      let promise;
      try {
        promise = window.client.loginPopup(value);
      } catch (e) {
        results[name] = `threw ${e?.code ?? e}`;
        continue;
      }
      const settled = promise.then(() => "resolved", (e) => (e instanceof window.mobproc.MobprocError ? e.code : `not a MobprocError: ${e}`));
      results[name] = promise instanceof Promise ? await Promise.race([settled, new Promise((r) => setTimeout(() => r("still pending after 1 s"), 1000))]) : "not a promise";
    }
    window.open = real;
    return { results, opened: opened.length, keys: Object.keys(sessionStorage) };
  });
  for (const [name, result] of Object.entries(out.results)) assert.equal(result, "config_invalid", name);
  assert.equal(out.opened, 0);
  assert.equal(popups, 0);
  assert.deepEqual(out.keys, [], "no pending sign-in");
  await context.close();
});
