// The token lifecycle in real Chromium, with globalThis.fetch replaced by a scripted Tangoe:
// refresh (single flight, skew, rotation), 401 replay, failures that must keep the session,
// events, revocation on sign-out, and the grants refused inside a page.
import { test } from "node:test";
import assert from "node:assert/strict";
import { config, goto, openPage, useServerAndBrowser } from "./harness.mjs";

const KEY = "mobproc-auth:portal-demo:XYZ";
const TOKEN_URL = "https://oauth.example.test/as/token.oauth2";
const REVOKE_URL = "https://oauth.example.test/as/revoke_token.oauth2";

const shared = useServerAndBrowser();

/** A page signed in with `expiresIn` seconds left, and a scripted Tangoe installed as `window.tangoe`. */
async function signedIn(expiresIn, extra = {}) {
  const cfg = config(shared.server.origin, { tokenUrl: TOKEN_URL, revokeUrl: REVOKE_URL, ...extra });
  const opened = await openPage(shared.browser, `${shared.server.origin}/app/`);
  const url = await opened.page.evaluate(async (cfg) => (await window.mobproc.createClient(cfg)).authorizeUrl(), cfg);
  const state = new URL(url).searchParams.get("state");
  await goto(opened.page, `${shared.server.origin}/app/#access_token=old&token_type=Bearer&expires_in=${expiresIn}&refresh_token=r1&scope=MOBPROC&state=${state}`);
  await opened.page.evaluate(async (cfg) => {
    const client = await window.mobproc.createClient(cfg);
    await client.handleRedirectCallback();
    window.client = client;
    // Polls `ok` for up to 4 s, then throws: a test waits for a call to be on its way.
    window.until = async (ok) => {
      for (let i = 0; i < 800 && !ok(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
      if (!ok()) throw new Error("timed out waiting for a call to start");
    };
    // Tangoe refuses "old"; `start()` is sent and held until `release()`, once it is on its way.
    window.holdOld = async (start) => {
      tangoe.rejected.add("old");
      let release;
      tangoe.gate = new Promise((resolve) => (release = resolve));
      const pending = start();
      await window.until(() => tangoe.apiCalls.length > 0);
      return { pending, release };
    };
    // The scripted Tangoe: token endpoint answers from `tokenAnswers` (last one repeats),
    // the API answers 401 to tokens in `rejected`, 200 otherwise, holding calls with the
    // token "old" while `gate` is a pending promise. Everything sent is recorded.
    const tangoe = { tokenRequests: [], revocations: [], apiCalls: [], rejected: new Set(), tokenAnswer: null, issued: 0, gate: null };
    window.tangoe = tangoe;
    globalThis.fetch = async (input, init) => {
      const request = new Request(input, init);
      const body = await request.clone().text();
      if (request.url === cfg.tokenUrl) {
        tangoe.tokenRequests.push({ body, contentType: request.headers.get("content-type"), authorization: request.headers.get("authorization"), referrerPolicy: request.referrerPolicy, redirect: request.redirect, credentials: request.credentials });
        const answer = tangoe.tokenAnswer ?? (() => {
          tangoe.issued++;
          return Response.json({ access_token: `new${tangoe.issued}`, token_type: "Bearer", expires_in: 3600, refresh_token: `r${tangoe.issued + 1}` });
        });
        return answer(request);
      }
      if (request.url === cfg.revokeUrl) {
        tangoe.revocations.push(body);
        return new Response(null, { status: 200 });
      }
      const authorization = request.headers.get("authorization");
      tangoe.apiCalls.push({ url: request.url, authorization, body });
      const token = authorization?.replace("Bearer ", "");
      if (token === "old" && tangoe.gate) await tangoe.gate;
      return new Response(JSON.stringify({ ok: true }), { status: tangoe.rejected.has(token) ? 401 : 200 });
    };
  }, cfg);
  return opened;
}

test("single flight: 200 concurrent calls with an expiring token make one refresh, then all use the new token", async () => {
  const { page, context } = await signedIn(30);
  const out = await page.evaluate(async (key) => {
    const signedInAs = JSON.parse(sessionStorage.getItem(key)).session;
    const responses = await Promise.all(Array.from({ length: 200 }, () => window.client.fetch("/ping")));
    return {
      signedInAs,
      statuses: [...new Set(responses.map((r) => r.status))],
      refreshes: window.tangoe.tokenRequests,
      authorizations: [...new Set(window.tangoe.apiCalls.map((c) => c.authorization))],
      calls: window.tangoe.apiCalls.length,
      record: JSON.parse(sessionStorage.getItem(key)),
      keys: Object.keys(sessionStorage),
      scope: window.client.session()?.scope,
    };
  }, KEY);
  assert.deepEqual(out.statuses, [200]);
  assert.equal(out.refreshes.length, 1, "exactly one refresh request");
  // Tangoe's token endpoint names no scope: a refresh keeps the sign-in's (RFC 6749 §6).
  assert.equal(out.scope, "MOBPROC");
  assert.equal(out.refreshes[0].body, "grant_type=refresh_token&refresh_token=r1&client_id=portal-demo&scope=MOBPROC");
  assert.equal(out.refreshes[0].contentType, "application/x-www-form-urlencoded");
  assert.equal(out.refreshes[0].authorization, null, "a public client sends no secret");
  // Origin (not null) even from a `no-referrer` page, for a relay on the portal's origin; no
  // redirect may carry the refresh token elsewhere; no cookies.
  assert.deepEqual([out.refreshes[0].referrerPolicy, out.refreshes[0].redirect, out.refreshes[0].credentials], ["strict-origin", "error", "omit"]);
  assert.equal(out.calls, 200);
  assert.deepEqual(out.authorizations, ["Bearer new1"]);
  assert.equal(out.record.accessToken, "new1");
  assert.equal(out.record.refreshToken, "r2", "the rotated refresh token is kept");
  assert.ok(out.signedInAs);
  assert.equal(out.record.session, out.signedInAs, "a refresh continues the sign-in's session");
  assert.deepEqual(out.keys, [KEY]);
  await context.close();
});

test("single flight without tab sharing (no Web Lock to serialise refreshes): 200 concurrent calls, one refresh", async () => {
  const { page, context } = await signedIn(30, { shareSessionAcrossTabs: false });
  const out = await page.evaluate(async () => {
    const responses = await Promise.all(Array.from({ length: 200 }, () => window.client.fetch("/ping")));
    return {
      statuses: [...new Set(responses.map((r) => r.status))],
      refreshes: window.tangoe.tokenRequests.length,
      authorizations: [...new Set(window.tangoe.apiCalls.map((c) => c.authorization))],
    };
  });
  assert.deepEqual(out, { statuses: [200], refreshes: 1, authorizations: ["Bearer new1"] });
  await context.close();
});

test("skew: no refresh while the token has longer than refreshSkewSeconds; a refresh first when it has less", async () => {
  const { page, context } = await signedIn(3600);
  const calm = await page.evaluate(async () => {
    await window.client.fetch("/ping");
    return window.tangoe.tokenRequests.length;
  });
  assert.equal(calm, 0);
  await context.close();
  const skewed = await signedIn(3600, { refreshSkewSeconds: 3700 });
  const refreshed = await skewed.page.evaluate(async () => {
    await window.client.fetch("/ping");
    return [window.tangoe.tokenRequests.length, window.tangoe.apiCalls[0].authorization];
  });
  assert.deepEqual(refreshed, [1, "Bearer new1"]);
  await skewed.context.close();
});

test("401: one refresh and one replay with the body intact; a second 401 ends the session", async () => {
  const { page, context } = await signedIn(3600);
  const out = await page.evaluate(async (key) => {
    const { tangoe, client } = window;
    const events = [];
    client.on("sessionExpired", () => events.push("expired"));
    tangoe.rejected.add("old");
    const replayed = await client.fetch("/orders", { method: "POST", body: "x=1" });
    const first = { status: replayed.status, calls: tangoe.apiCalls.map((c) => [c.authorization, c.body]), refreshes: tangoe.tokenRequests.length };
    // A storm: every call 401 once, at the same time: still one refresh, one replay each.
    tangoe.apiCalls.length = 0;
    tangoe.rejected.add("new1");
    const storm = await Promise.all(Array.from({ length: 20 }, () => client.fetch("/ping")));
    const second = { statuses: [...new Set(storm.map((r) => r.status))], calls: tangoe.apiCalls.length, refreshes: tangoe.tokenRequests.length };
    // Every token refused: the 401 comes back, the session ends.
    tangoe.apiCalls.length = 0;
    tangoe.rejected.add("new2");
    tangoe.rejected.add("new3");
    const refused = await client.fetch("/ping");
    return { first, second, last: { status: refused.status, calls: tangoe.apiCalls.length, authenticated: client.isAuthenticated(), record: sessionStorage.getItem(key), events } };
  }, KEY);
  assert.equal(out.first.status, 200);
  assert.deepEqual(out.first.calls, [["Bearer old", "x=1"], ["Bearer new1", "x=1"]]);
  assert.equal(out.first.refreshes, 1);
  assert.deepEqual(out.second.statuses, [200]);
  assert.equal(out.second.calls, 40, "20 calls, 20 replays");
  assert.equal(out.second.refreshes, 2, "one refresh for the whole storm");
  assert.deepEqual(out.last, { status: 401, calls: 2, authenticated: false, record: null, events: ["expired"] });
  await context.close();
});

test("401 without a way to refresh: the session ends and the 401 is returned", async () => {
  const { page, context } = await signedIn(3600, { tokenUrl: undefined });
  const out = await page.evaluate(async () => {
    const events = [];
    window.client.on("sessionExpired", () => events.push("expired"));
    window.tangoe.rejected.add("old");
    const response = await window.client.fetch("/ping");
    return { status: response.status, calls: window.tangoe.apiCalls.length, refreshes: window.tangoe.tokenRequests.length, events, authenticated: window.client.isAuthenticated() };
  });
  assert.deepEqual(out, { status: 401, calls: 1, refreshes: 0, events: ["expired"], authenticated: false });
  await context.close();
});

test("a late 401 of an older token keeps the session that replaced it", async () => {
  // No way to refresh: while a call signed with "old" is on its way, another client of the
  // tab stores a new session; the old call's 401 must not end it.
  const { page, context } = await signedIn(3600, { tokenUrl: undefined });
  const out = await page.evaluate(async (key) => {
    const { client } = window;
    const events = [];
    client.on("sessionExpired", () => events.push("expired"));
    const slow = await window.holdOld(() => client.fetch("/slow"));
    sessionStorage.setItem(key, JSON.stringify({ accessToken: "fresh", expiresAt: Date.now() + 3600000 }));
    slow.release();
    const response = await slow.pending;
    const stored = JSON.parse(sessionStorage.getItem(key))?.accessToken ?? null;
    return { status: response.status, stored, events, authenticated: client.isAuthenticated() };
  }, KEY);
  assert.deepEqual(out, { status: 401, stored: "fresh", events: [], authenticated: true });
  await context.close();
});

test("a call in flight when another sign-in replaced the session: its 401 is returned, not replayed as the other user", async () => {
  const { page, context } = await signedIn(3600);
  const out = await page.evaluate(async (key) => {
    const { tangoe, client } = window;
    const events = [];
    client.on("sessionExpired", () => events.push("expired"));
    const slow = await window.holdOld(() => client.fetch("/orders", { method: "POST", body: "x=1" }));
    // Another sign-in (another session id) stored by a second client of the page.
    sessionStorage.setItem(key, JSON.stringify({ accessToken: "someone-else", refreshToken: "r-else", expiresAt: Date.now() + 3600000, session: "another-sign-in" }));
    slow.release();
    const response = await slow.pending;
    const firstCalls = tangoe.apiCalls.map((c) => c.authorization);
    const kept = [JSON.parse(sessionStorage.getItem(key)).accessToken, client.isAuthenticated(), [...events]];
    // The same for a refresh of the same session (the id kept): replayed with its token.
    tangoe.apiCalls.length = 0;
    sessionStorage.setItem(key, JSON.stringify({ accessToken: "old", refreshToken: "r-else", expiresAt: Date.now() + 3600000, session: "another-sign-in" }));
    const again = await window.holdOld(() => client.fetch("/orders", { method: "POST", body: "x=2" }));
    sessionStorage.setItem(key, JSON.stringify({ accessToken: "refreshed", refreshToken: "r-next", expiresAt: Date.now() + 3600000, session: "another-sign-in" }));
    again.release();
    const replayed = await again.pending;
    return { status: response.status, firstCalls, kept, second: replayed.status, calls: tangoe.apiCalls.map((c) => c.authorization), refreshes: tangoe.tokenRequests.length };
  }, KEY);
  assert.deepEqual([out.status, out.firstCalls], [401, ["Bearer old"]], "the first call's answer is its 401; nothing sent as the other user");
  assert.deepEqual(out.kept, ["someone-else", true, []], "the other sign-in is kept, not expired");
  assert.deepEqual([out.second, out.calls], [200, ["Bearer old", "Bearer refreshed"]], "a refresh of the same session is replayed");
  assert.equal(out.refreshes, 0);
  await context.close();
});

test("a 401 that comes back after the token's expiry: still that session's answer (refreshed and replayed, or ended)", async () => {
  // A 2 s token, no refresh before the call (skew 0); the call is held until the token has
  // expired, then gets 401. The stored record is still the one the call was signed with.
  const held = async (extra) => {
    const { page, context } = await signedIn(2, { refreshSkewSeconds: 0, ...extra });
    const out = await page.evaluate(async (key) => {
      const { tangoe, client } = window;
      const events = [];
      client.on("sessionExpired", () => events.push("expired"));
      const call = await window.holdOld(() => client.fetch("/orders", { method: "POST", body: "x=1" }));
      await window.until(() => !client.isAuthenticated());
      call.release();
      const response = await call.pending;
      return { status: response.status, calls: tangoe.apiCalls.map((c) => c.authorization), refreshes: tangoe.tokenRequests.length, stored: sessionStorage.getItem(key) && JSON.parse(sessionStorage.getItem(key)).accessToken, events };
    }, KEY);
    await context.close();
    return out;
  };
  assert.deepEqual(await held({}), { status: 200, calls: ["Bearer old", "Bearer new1"], refreshes: 1, stored: "new1", events: [] });
  assert.deepEqual(await held({ tokenUrl: undefined }), { status: 401, calls: ["Bearer old"], refreshes: 0, stored: null, events: ["expired"] });
});

test("a 401 on a call that cannot be replayed refreshes the session instead of ending it", async () => {
  const { page, context } = await signedIn(3600);
  // A stream body is sent once: no replay, but the refresh token still works.
  const first = await page.evaluate(async (key) => {
    const { tangoe, client } = window;
    window.expiredEvents = [];
    client.on("sessionExpired", () => window.expiredEvents.push("expired"));
    tangoe.rejected.add("old");
    window.stream = () => new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode("x=1")); c.close(); } });
    const alone = await client.fetch("/upload", { method: "POST", body: window.stream(), duplex: "half" });
    const record = JSON.parse(sessionStorage.getItem(key));
    return { status: alone.status, refreshes: tangoe.tokenRequests.length, record: [record?.accessToken, record?.refreshToken], events: [...window.expiredEvents] };
  }, KEY);
  assert.deepEqual(first, { status: 401, refreshes: 1, record: ["new1", "r2"], events: [] }, "the 401 is the call's answer; the session is refreshed");
  // A call signed with "old" again (put back in storage) is held; meanwhile another gets 401,
  // refreshes to "new2" and is replayed; the held call's late 401 leaves "new2" alone.
  const late = await page.evaluate(async (key) => {
    const { tangoe, client } = window;
    tangoe.apiCalls.length = 0;
    sessionStorage.setItem(key, JSON.stringify({ ...JSON.parse(sessionStorage.getItem(key)), accessToken: "old" }));
    const held = await window.holdOld(() => client.fetch("/upload", { method: "POST", body: window.stream(), duplex: "half" }));
    tangoe.gate = null;
    const replayed = await client.fetch("/ping");
    held.release();
    const answer = await held.pending;
    return { statuses: [replayed.status, answer.status], refreshes: tangoe.tokenRequests.length, stored: JSON.parse(sessionStorage.getItem(key)).accessToken, events: window.expiredEvents };
  }, KEY);
  assert.deepEqual(late, { statuses: [200, 401], refreshes: 2, stored: "new2", events: [] });
  // The refresh fails (Tangoe answers 503): the call still gets its 401, the session stays
  // as it was, and the failure reaches the `error` listeners.
  const failed = await page.evaluate(async (key) => {
    const { tangoe, client } = window;
    const errors = [];
    client.on("error", (e) => errors.push(e.code));
    tangoe.rejected.add("new2");
    tangoe.tokenAnswer = () => new Response("busy", { status: 503 });
    const before = sessionStorage.getItem(key);
    const answer = await client.fetch("/upload", { method: "POST", body: window.stream(), duplex: "half" });
    return { status: answer.status, unchanged: sessionStorage.getItem(key) === before, errors, events: window.expiredEvents };
  }, KEY);
  assert.deepEqual(failed, { status: 401, unchanged: true, errors: ["refresh_failed"], events: [] });
  await context.close();
});

test("refresh failures: 5xx, network error, garbage and timeout keep the session exactly; invalid_grant drops the refresh token and keeps the access token while it lasts", async () => {
  const { page, context } = await signedIn(3600, { timeoutMs: 300 });
  const out = await page.evaluate(async (key) => {
    const { tangoe, client } = window;
    const before = sessionStorage.getItem(key);
    const attempt = async (answer) => {
      tangoe.tokenAnswer = answer;
      try {
        await client.refresh();
        return "refreshed";
      } catch (e) {
        return { code: e.code, cause: e.cause?.name === "MobprocError" ? e.cause.code : e.cause?.name, unchanged: sessionStorage.getItem(key) === before };
      }
    };
    const results = {
      serverError: await attempt(() => new Response("oops", { status: 500 })),
      network: await attempt(() => Promise.reject(new TypeError("Failed to fetch"))),
      garbage: await attempt(() => new Response("<html>not json</html>", { status: 200 })),
      noToken: await attempt(() => Response.json({ token_type: "Bearer", expires_in: 60 })),
      hang: await attempt((request) => new Promise((_, reject) => request.signal.addEventListener("abort", () => reject(request.signal.reason)))),
    };
    const events = [];
    client.on("sessionExpired", () => events.push("expired"));
    client.on("sessionChanged", (s) => events.push(s));
    results.invalidGrant = await attempt(() => Response.json({ error: "invalid_grant", error_description: "revoked" }, { status: 400 }));
    const refused = await client.refresh().catch((e) => ({ code: e.code, oauthError: e.oauthError, message: e.message }));
    const record = JSON.parse(sessionStorage.getItem(key));
    return { results, events: events.map((s) => (s && typeof s === "object" ? { hasRefreshToken: s.hasRefreshToken } : s)), record: { accessToken: record.accessToken, refreshToken: record.refreshToken ?? null, expiresAt: record.expiresAt === JSON.parse(before).expiresAt }, authenticated: client.isAuthenticated(), refused, sent: tangoe.tokenRequests.length };
  }, KEY);
  const kept = (cause) => ({ code: "refresh_failed", cause, unchanged: true });
  assert.deepEqual(out.results.serverError, kept(undefined));
  assert.deepEqual(out.results.network, kept("TypeError"));
  assert.deepEqual(out.results.garbage, kept("invalid_token_response"));
  assert.deepEqual(out.results.noToken, kept("invalid_token_response"));
  assert.deepEqual(out.results.hang, kept("TimeoutError"));
  // The access token (an hour left) is kept until it expires; only the dead refresh token goes.
  assert.deepEqual(out.results.invalidGrant, { code: "refresh_failed", cause: undefined, unchanged: false });
  assert.deepEqual(out.events, [{ hasRefreshToken: false }]);
  assert.deepEqual(out.record, { accessToken: "old", refreshToken: null, expiresAt: true });
  assert.equal(out.authenticated, true);
  // Without a refresh token refresh() says so and sends nothing.
  assert.equal(out.refused.code, "refresh_failed");
  assert.equal(out.sent, 6, "the five failures and invalid_grant; nothing after it");
  await context.close();
});

test("a refresh the server made but the page lost (its answer after timeoutMs), then invalid_grant: calls go on with the access token until it expires or the API refuses it; then the session ends", async () => {
  // 30 s left and a skew of 60 s: every call refreshes first.
  const { page, context } = await signedIn(30, { timeoutMs: 300 });
  const out = await page.evaluate(async (key) => {
    const { tangoe, client } = window;
    const events = [];
    client.on("sessionExpired", () => events.push("expired"));
    client.on("sessionExpiring", () => events.push("expiring"));
    client.on("error", (e) => events.push(e.code));
    const status = (call) => call.then((r) => r.status, (e) => e.code);
    // The server rotates r1 but the answer comes too late: refresh_failed, the call goes on.
    tangoe.tokenAnswer = (request) => new Promise((_, reject) => request.signal.addEventListener("abort", () => reject(request.signal.reason)));
    const lost = await status(client.fetch("/x"));
    // r1 is dead now. The next call does not ask again so soon after a failure (the token
    // lasts); a refresh() does, and gets invalid_grant.
    tangoe.tokenAnswer = () => Response.json({ error: "invalid_grant" }, { status: 400 });
    const paused = await status(client.fetch("/x"));
    const askedWhilePaused = tangoe.tokenRequests.length;
    const refused = await status(client.refresh());
    await new Promise((r) => setTimeout(r, 50));
    const kept = { signedIn: client.isAuthenticated(), refreshToken: JSON.parse(sessionStorage.getItem(key)).refreshToken ?? null };
    const more = await status(client.fetch("/x"));
    const tokenRequests = tangoe.tokenRequests.length;
    // The API refuses the token (revoked with its grant): the session ends, the 401 is returned.
    tangoe.rejected.add("old");
    const last = await status(client.fetch("/x"));
    return { lost, paused, askedWhilePaused, refused, kept, more, tokenRequests, last, events, record: sessionStorage.getItem(key), tokens: tangoe.apiCalls.map((c) => c.authorization) };
  }, KEY);
  assert.deepEqual([out.lost, out.paused, out.refused, out.more, out.last], [200, 200, "refresh_failed", 200, 401]);
  assert.equal(out.askedWhilePaused, 1, "the call right after a failed refresh asked nothing");
  assert.deepEqual(out.kept, { signedIn: true, refreshToken: null });
  assert.equal(out.tokenRequests, 2, "no refresh once the refresh token was refused");
  assert.deepEqual(out.events, ["refresh_failed", "expiring", "expired"]);
  assert.equal(out.record, null);
  assert.deepEqual([...new Set(out.tokens)], ["Bearer old"]);
  await context.close();
});

test("refresh() of a session without a refresh token (an implicit sign-in): refresh_failed that says so, nothing sent, the session unchanged; once expired, not_authenticated", async () => {
  const { page, context } = await openPage(shared.browser, `${shared.server.origin}/app/`);
  const out = await page.evaluate(async ([key, cfg]) => {
    let sent = 0;
    // The module itself is loaded with fetch: only the token endpoint is scripted.
    const real = globalThis.fetch;
    globalThis.fetch = async (input, init) => {
      if (new Request(input, init).url !== cfg.tokenUrl) return real(input, init);
      sent++;
      return Response.json({ access_token: "new", token_type: "Bearer", expires_in: 3600 });
    };
    const outcome = async (expiresAt) => {
      const stored = JSON.stringify({ accessToken: "tok", expiresAt, scope: "MOBPROC" });
      sessionStorage.setItem(key, stored);
      const client = await window.mobproc.createClient(cfg);
      const error = await client.refresh().then(() => null, (e) => e);
      return { code: error?.code, message: error?.message, kept: sessionStorage.getItem(key) === stored, signedIn: client.isAuthenticated() };
    };
    const live = await outcome(Date.now() + 3_600_000);
    const expired = await outcome(Date.now() - 1000);
    return { live, expired, sent };
  }, [KEY, config(shared.server.origin, { tokenUrl: TOKEN_URL })]);
  assert.equal(out.live.code, "refresh_failed");
  assert.match(out.live.message, /no refresh token.*sign in again/);
  assert.deepEqual([out.live.kept, out.live.signedIn], [true, true], "the session is unchanged");
  assert.equal(out.expired.code, "not_authenticated", "an expired token without a refresh token is no session");
  assert.equal(out.sent, 0, "no token request");
  await context.close();
});

test("a failed refresh before a call: the call goes on while the token lasts and the error is reported", async () => {
  const { page, context } = await signedIn(30);
  const out = await page.evaluate(async () => {
    const { tangoe, client } = window;
    const errors = [];
    client.on("error", (e) => errors.push(e.code));
    tangoe.tokenAnswer = () => new Response("down", { status: 503 });
    const response = await client.fetch("/ping");
    return { status: response.status, authorization: tangoe.apiCalls[0].authorization, errors };
  });
  assert.deepEqual(out, { status: 200, authorization: "Bearer old", errors: ["refresh_failed"] });
  await context.close();
});

test("a refresh that fails while the token lasts (503 without Retry-After): calls go on with the token and ask again only 5 s later, not on every call", async () => {
  const { page, context } = await signedIn(30);
  const out = await page.evaluate(async () => {
    const { tangoe, client } = window;
    const errors = [];
    client.on("error", (e) => errors.push([e.code, e.status, e.retryAfter ?? null]));
    tangoe.tokenAnswer = () => new Response("<h1>Service Unavailable</h1>", { status: 503 });
    await client.fetch("/ping");
    const failedAt = Date.now();
    for (let i = 0; i < 4; i++) await client.fetch("/ping");
    const during = tangoe.tokenRequests.length;
    await new Promise((resolve) => setTimeout(resolve, 5100 - (Date.now() - failedAt)));
    tangoe.tokenAnswer = null;
    await client.fetch("/ping");
    return { during, after: tangoe.tokenRequests.length, errors, tokens: tangoe.apiCalls.map((c) => c.authorization) };
  });
  assert.equal(out.during, 1, "one refresh for the five calls");
  assert.equal(out.after, 2, "asked again once the pause was over");
  assert.deepEqual(out.errors, [["refresh_failed", 503, null]], "reported once");
  assert.deepEqual(out.tokens, [...Array(5).fill("Bearer old"), "Bearer new1"]);
  await context.close();
});

test("a Retry-After longer than the token lasts: the pause ends 5 s before the token does, one more refresh is tried while it lasts, then none until the expiry", async () => {
  // 12 s: the first call comes well within the 7 s before the pause would end, on a slow machine too.
  const { page, context } = await signedIn(12);
  const out = await page.evaluate(async (key) => {
    const { tangoe, client } = window;
    const errors = [];
    client.on("error", (e) => errors.push([e.code, e.status, e.retryAfter]));
    tangoe.tokenAnswer = () => Response.json({ error: "temporarily_unavailable" }, { status: 429, headers: { "retry-after": "86400" } });
    await client.fetch("/ping");
    await client.fetch("/ping");
    const paused = tangoe.tokenRequests.length;
    // Until 5 s before the expiry: then it asks once more, and, refused again, not until the expiry.
    const expiresAt = JSON.parse(sessionStorage.getItem(key)).expiresAt;
    await new Promise((resolve) => setTimeout(resolve, expiresAt - 5000 - Date.now() + 200));
    await client.fetch("/ping");
    await client.fetch("/ping");
    const lastSeconds = tangoe.tokenRequests.length;
    await new Promise((resolve) => setTimeout(resolve, expiresAt - Date.now() + 200));
    tangoe.tokenAnswer = null;
    const status = (await client.fetch("/ping")).status;
    return { paused, lastSeconds, after: tangoe.tokenRequests.length, status, errors, last: tangoe.apiCalls.at(-1).authorization };
  }, KEY);
  assert.equal(out.paused, 1);
  assert.equal(out.lastSeconds, 2, "one more refresh in the last 5 s, not one per call");
  assert.deepEqual(out.errors, [["refresh_failed", 429, 86400], ["refresh_failed", 429, 86400]]);
  assert.deepEqual([out.after, out.status, out.last], [3, 200, "Bearer new1"], "refreshed at the expiry, whatever the pause");
  await context.close();
});

test("a refresh refused to this client (invalid_client: a page without the relay): calls stop refreshing, sessionExpiring warns, the message says what to change; a refresh that works again (refresh()) resumes them", async () => {
  const { page, context } = await signedIn(30);
  const out = await page.evaluate(async () => {
    const { tangoe, client } = window;
    const errors = [];
    const expiring = [];
    client.on("error", (e) => errors.push(e.message));
    client.on("sessionExpiring", ({ expiresAt }) => expiring.push(expiresAt));
    tangoe.tokenAnswer = () => Response.json({ error: "invalid_client", error_description: "client authentication failed" }, { status: 401 });
    await client.fetch("/ping");
    await new Promise((resolve) => setTimeout(resolve, 50));
    await client.fetch("/ping");
    const refused = { requests: tangoe.tokenRequests.length, errors: [...errors], expiring: expiring.length };
    // Put right (the relay's secret fixed): an explicit refresh works, and calls refresh again.
    tangoe.tokenAnswer = null;
    await client.refresh();
    tangoe.tokenAnswer = () => Response.json({ access_token: "short", token_type: "Bearer", expires_in: 30, refresh_token: "r9" });
    await client.refresh();
    tangoe.tokenAnswer = null;
    await client.fetch("/ping");
    return { refused, requests: tangoe.tokenRequests.length, last: tangoe.apiCalls.at(-1).authorization };
  });
  assert.equal(out.refused.requests, 1, "the second call tried no refresh");
  assert.equal(out.refused.errors.length, 1);
  assert.match(out.refused.errors[0], /HTTP 401 refusing this client: in a page, tokenUrl must be the relay's \(which adds the client secret\), with the right secret; calls no longer refresh/);
  assert.equal(out.refused.expiring, 1, "warned: the session cannot be refreshed");
  assert.equal(out.requests, 4, "refresh(), refresh(), then the call's own refresh (30 s left, inside the skew)");
  assert.equal(out.last, "Bearer new2");
  await context.close();
});

test("events: sessionChanged on refresh and sign-out, unsubscribe, a throwing listener breaks nothing", async () => {
  const { page, context } = await signedIn(3600);
  const out = await page.evaluate(async () => {
    const { client } = window;
    const seen = [];
    const errors = [];
    client.on("error", (e) => errors.push(e.code));
    client.on("sessionChanged", () => {
      throw new Error("listener bug");
    });
    const off = client.on("sessionChanged", (s) => seen.push(s && s.hasRefreshToken));
    const session = await client.refresh();
    off();
    await client.refresh();
    const stillWorks = (await client.fetch("/ping")).status;
    let bad;
    try {
      client.on("nope", () => {});
    } catch (e) {
      bad = e.code;
    }
    return { seen, errors, session: Object.keys(session).sort(), stillWorks, bad };
  });
  assert.deepEqual(out.seen, [true], "one event before unsubscribing, none after");
  assert.deepEqual(out.errors, ["listener_failed", "listener_failed"]);
  assert.deepEqual(out.session, ["expiresAt", "hasRefreshToken", "scope"]);
  assert.equal(out.stillWorks, 200);
  assert.equal(out.bad, "config_invalid");
  await context.close();
});

test("events: a listener that signs out on sessionChanged: the listeners after it end on null, never on the stale session", async () => {
  const { page, context } = await signedIn(3600);
  const out = await page.evaluate(async () => {
    const { client } = window;
    const first = [];
    const second = [];
    client.on("sessionChanged", (s) => {
      first.push(s && "signed-in");
      if (s) client.logout();
    });
    client.on("sessionChanged", (s) => second.push(s && "signed-in"));
    await client.refresh();
    return { first, second, authenticated: client.isAuthenticated() };
  });
  assert.deepEqual(out.first, ["signed-in", null]);
  assert.deepEqual(out.second, [null], "the sign-out, not the refresh it superseded");
  assert.equal(out.authenticated, false);
  await context.close();
});

test("logout revokes both tokens in the background and never waits for it", async () => {
  const { page, context } = await signedIn(3600);
  const out = await page.evaluate(async (key) => {
    const { tangoe, client } = window;
    const result = client.logout();
    const immediately = { result: result === undefined, record: sessionStorage.getItem(key), authenticated: client.isAuthenticated() };
    await new Promise((r) => setTimeout(r, 50));
    return { immediately, revocations: tangoe.revocations };
  }, KEY);
  assert.deepEqual(out.immediately, { result: true, record: null, authenticated: false });
  assert.deepEqual(out.revocations.sort(), ["token=old&token_type_hint=access_token&client_id=portal-demo", "token=r1&token_type_hint=refresh_token&client_id=portal-demo"]);
  await context.close();
});

test("a refresh answered after logout: the session stays ended, the tokens it brought are revoked, and the next sign-in's refresh does not join it but makes its own", async () => {
  const { page, context } = await signedIn(3600);
  const out = await page.evaluate(async (key) => {
    const { tangoe, client } = window;
    let release;
    const gate = new Promise((resolve) => (release = resolve));
    tangoe.tokenAnswer = async () => {
      if (tangoe.tokenRequests.length > 1) return Response.json({ access_token: "acc-3", token_type: "Bearer", expires_in: 3600, refresh_token: "r-3" });
      await gate;
      return Response.json({ access_token: "late-access", token_type: "Bearer", expires_in: 3600, refresh_token: "late-refresh" });
    };
    const refreshing = client.refresh().then(() => "resolved", (e) => e.code);
    await window.until(() => tangoe.tokenRequests.length === 1);
    client.logout();
    // A new sign-in, then its refresh: it waits for the refresh lock the ended session's
    // refresh holds, then makes its own request.
    const state = new URL(client.authorizeUrl()).searchParams.get("state");
    history.replaceState(null, "", `/app/#access_token=acc-2&token_type=Bearer&expires_in=3600&refresh_token=r-2&state=${state}`);
    await client.handleRedirectCallback();
    const next = client.refresh().then((s) => s && s.hasRefreshToken, (e) => e.code);
    release();
    const [outcome, nextOutcome] = await Promise.all([refreshing, next]);
    await new Promise((r) => setTimeout(r, 50));
    return {
      outcome,
      nextOutcome,
      sent: tangoe.tokenRequests.map((r) => new URLSearchParams(r.body).get("refresh_token")),
      stored: JSON.parse(sessionStorage.getItem(key)).accessToken,
      revoked: tangoe.revocations.map((b) => new URLSearchParams(b).get("token")).sort(),
    };
  }, KEY);
  assert.equal(out.outcome, "not_authenticated");
  assert.deepEqual(out.revoked, ["late-access", "late-refresh", "old", "r1"], "the ended session's tokens and the ones its late refresh brought");
  assert.deepEqual([out.nextOutcome, out.sent, out.stored], [true, ["r1", "r-2"], "acc-3"], "the late answer signs nobody in; the next session refreshes with its own token");
  await context.close();
});

test("a refresh that crossed a sign-out does not free the next session's refresh: later callers join that one (without Web Locks, so none serialises them)", async () => {
  const { page, context } = await signedIn(3600, { shareSessionAcrossTabs: false });
  const out = await page.evaluate(async () => {
    Object.defineProperty(Navigator.prototype, "locks", { get: () => undefined });
    const { tangoe, client } = window;
    const gates = [];
    tangoe.tokenAnswer = async () => {
      const n = tangoe.tokenRequests.length;
      if (n <= 2) await new Promise((r) => gates.push(r)); // a third request (the bug) is answered at once
      return Response.json({ access_token: `acc-${n}`, token_type: "Bearer", expires_in: 3600, refresh_token: `r-${n}` });
    };
    const first = client.refresh().then(() => "resolved", (e) => e.code);
    await window.until(() => tangoe.tokenRequests.length === 1);
    client.logout();
    const state = new URL(client.authorizeUrl()).searchParams.get("state");
    history.replaceState(null, "", `/app/#access_token=acc-2&token_type=Bearer&expires_in=3600&refresh_token=r-2&state=${state}`);
    await client.handleRedirectCallback();
    const second = client.refresh().then((s) => s && s.hasRefreshToken, (e) => e.code);
    await window.until(() => tangoe.tokenRequests.length === 2);
    gates[0](); // the ended session's refresh ends while the new one's is on its way
    const firstOutcome = await first;
    const third = client.refresh().then((s) => s && s.hasRefreshToken, (e) => e.code);
    await new Promise((r) => setTimeout(r, 100));
    gates[1]();
    const outcomes = await Promise.all([second, third]);
    return { firstOutcome, outcomes, sent: tangoe.tokenRequests.map((r) => new URLSearchParams(r.body).get("refresh_token")) };
  });
  assert.deepEqual(out, { firstOutcome: "not_authenticated", outcomes: [true, true], sent: ["r1", "r-2"] }, "one request with the rotated token r-2, not two");
  await context.close();
});

for (const locks of [true, false]) test(`two clients of a page refreshing the same session at once (sharing off; they share sessionStorage): ${locks ? "one token request (the second would send the token the first rotated away), under the refresh lock" : "without Web Locks, the one that loses uses the winner's tokens and revokes nothing"}`, async () => {
  const { page, context } = await signedIn(3600, { shareSessionAcrossTabs: false });
  const out = await page.evaluate(async ([key, cfg, locks]) => {
    if (!locks) Object.defineProperty(Navigator.prototype, "locks", { get: () => undefined });
    const { tangoe, client } = window;
    const second = await window.mobproc.createClient(cfg);
    let release;
    const gate = new Promise((resolve) => (release = resolve));
    const issue = tangoe.tokenAnswer;
    tangoe.tokenAnswer = async () => {
      await gate;
      tangoe.issued++;
      return Response.json({ access_token: `new${tangoe.issued}`, token_type: "Bearer", expires_in: 7200, refresh_token: `r${tangoe.issued + 1}` });
    };
    const both = Promise.all([client.refresh(), second.refresh()].map((p) => p.then((s) => s && s.expiresAt > 0, (e) => e.code)));
    await window.until(() => tangoe.tokenRequests.length >= 1);
    await new Promise((r) => setTimeout(r, 100)); // time for a second request, were one sent
    const sentAtOnce = tangoe.tokenRequests.length;
    release();
    const outcomes = await both;
    tangoe.tokenAnswer = issue;
    await new Promise((r) => setTimeout(r, 50));
    return { outcomes, sentAtOnce, sent: tangoe.tokenRequests.length, record: JSON.parse(sessionStorage.getItem(key)), signedIn: [client.isAuthenticated(), second.isAuthenticated()], revocations: tangoe.revocations };
  }, [KEY, config(shared.server.origin, { tokenUrl: TOKEN_URL, revokeUrl: REVOKE_URL, shareSessionAcrossTabs: false }), locks]);
  assert.deepEqual([out.sentAtOnce, out.sent], locks ? [1, 1] : [2, 2]);
  assert.deepEqual(out.outcomes, [true, true], "both resolve with the session");
  assert.deepEqual(out.signedIn, [true, true]);
  assert.equal(out.record.accessToken, "new1", "the first answer's tokens are kept");
  assert.deepEqual(out.revocations, [], "no token of the live session is revoked");
  await context.close();
});

test("a record stored before session ids: a refresh keeps it without one", async () => {
  const { page, context } = await signedIn(3600);
  const out = await page.evaluate(async (key) => {
    const { session, ...legacy } = JSON.parse(sessionStorage.getItem(key));
    sessionStorage.setItem(key, JSON.stringify(legacy));
    await window.client.refresh();
    return { had: typeof session, record: JSON.parse(sessionStorage.getItem(key)) };
  }, KEY);
  assert.equal(out.had, "string");
  assert.equal(out.record.accessToken, "new1");
  assert.equal("session" in out.record, false, "two tabs refreshing it apart would otherwise give one grant two ids");
  await context.close();
});

test("validate maps Tangoe's answer; a refused token is token_invalid, a client refused the grant authorization_denied", async () => {
  const { page, context } = await signedIn(3600);
  const out = await page.evaluate(async () => {
    const { tangoe, client } = window;
    tangoe.tokenAnswer = () =>
      Response.json({ scope: "MOBPROC", expires_in: 7186, client_id: "portal-demo", access_token: { platform: "command", tenant: "XYZ", multitenant: "false", domain: "*", identityProvider: "pcv_edge", identifier: "api.account.xyz" } });
    const valid = await client.validate();
    const body = tangoe.tokenRequests.at(-1).body;
    tangoe.tokenAnswer = () => Response.json({ error: "invalid_grant" }, { status: 400 });
    let refused;
    try {
      await client.validate();
    } catch (e) {
      refused = [e.code, e.oauthError, e.status];
    }
    // A client that may not validate: not the token's fault.
    tangoe.tokenAnswer = () => Response.json({ error: "invalid_client", error_description: "client authentication failed" }, { status: 401 });
    let notAllowed;
    try {
      await client.validate();
    } catch (e) {
      notAllowed = [e.code, e.oauthError, e.status];
    }
    // Nor one that lacks the validation grant (RFC 6749 §5.2).
    const lacking = [];
    for (const error of ["unauthorized_client", "unsupported_grant_type"]) {
      tangoe.tokenAnswer = () => Response.json({ error }, { status: 400 });
      try {
        await client.validate();
      } catch (e) {
        lacking.push([e.code, e.oauthError, e.status]);
      }
    }
    // A 2xx JSON answer that is no validation (a validateUrl that is another endpoint).
    const notValidation = [];
    for (const answer of [{}, [], { ok: true }]) {
      tangoe.tokenAnswer = () => Response.json(answer);
      notValidation.push(await client.validate().then(() => "valid", (e) => e.code));
    }
    return { valid, body, refused, notAllowed, lacking, notValidation, stillSignedIn: client.isAuthenticated() };
  });
  assert.deepEqual(out.notValidation, ["invalid_token_response", "invalid_token_response", "invalid_token_response"]);
  assert.deepEqual(out.valid, { scope: "MOBPROC", expiresIn: 7186, clientId: "portal-demo", tenant: "XYZ", platform: "command", multitenant: false, domain: "*", identityProvider: "pcv_edge", identifier: "api.account.xyz" });
  assert.equal(out.body, "grant_type=urn%3Apingidentity.com%3Aoauth2%3Agrant_type%3Avalidate_bearer&token=old&client_id=portal-demo");
  assert.deepEqual(out.refused, ["token_invalid", "invalid_grant", 400]);
  assert.deepEqual(out.notAllowed, ["authorization_denied", "invalid_client", 401], "invalid_client is the client's refusal, not token_invalid");
  assert.deepEqual(out.lacking, [["authorization_denied", "unauthorized_client", 400], ["authorization_denied", "unsupported_grant_type", 400]]);
  assert.equal(out.stillSignedIn, true);
  await context.close();
});

test("in a browser page or worker the password grant, a clientSecret and a validateUrl (the token in a URL the console shows) are refused", async () => {
  const { page, context } = await openPage(shared.browser, `${shared.server.origin}/app/`);
  const out = await page.evaluate(async (cfg) => {
    const codes = [];
    try {
      await window.mobproc.createClient({ ...cfg, clientSecret: "s3cret" });
    } catch (e) {
      codes.push(e.code, e.message);
    }
    try {
      await window.mobproc.createClient({ ...cfg, validateUrl: "https://sso.example.test/validator" });
    } catch (e) {
      codes.push(e.code, e.field, e.message);
    }
    const client = await window.mobproc.createClient(cfg);
    try {
      await client.signInWithPassword({ username: "demo", password: "demo" });
    } catch (e) {
      codes.push(e.code);
    }
    return codes;
  }, config(shared.server.origin, { tokenUrl: TOKEN_URL }));
  assert.equal(out[0], "insecure_grant");
  assert.match(out[1], /login\(\)/);
  assert.deepEqual(out.slice(2, 4), ["config_invalid", "validateUrl"]);
  assert.match(out[4], /console.*tokenUrl/);
  assert.equal(out[5], "insecure_grant");
  // A module worker of the page: no window, no document, and still no place for a secret.
  // (Had the grant run, its request to the unreachable token URL would be network_error.)
  const inWorker = await page.evaluate(async (cfg) => {
    const source = `
      import { createClient } from "${location.origin}/pkg/index.js";
      self.onmessage = async ({ data: cfg }) => {
        const codes = [];
        try { await createClient({ ...cfg, clientSecret: "s3cret" }); codes.push("accepted"); } catch (e) { codes.push(e.code); }
        try { await createClient({ ...cfg, validateUrl: "https://sso.example.test/validator" }); codes.push("accepted"); } catch (e) { codes.push(e.code); }
        try { await (await createClient(cfg)).signInWithPassword({ username: "demo", password: "demo" }); codes.push("signed in"); } catch (e) { codes.push(e.code); }
        postMessage(codes);
      };`;
    const worker = new Worker(URL.createObjectURL(new Blob([source], { type: "text/javascript" })), { type: "module" });
    return new Promise((resolve) => {
      worker.onmessage = (e) => resolve(e.data);
      worker.onerror = (e) => resolve({ error: e.message });
      setTimeout(() => resolve({ error: "the worker did not answer within 10 s" }), 10000);
      worker.postMessage(cfg);
    });
  }, config(shared.server.origin, { tokenUrl: TOKEN_URL }));
  assert.deepEqual(inWorker, ["insecure_grant", "config_invalid", "insecure_grant"]);
  await context.close();
});

test("sessionExpiring: once, refreshSkewSeconds before the end of a session that cannot be refreshed; never when it can, nor once it ended", async () => {
  const { page, context } = await openPage(shared.browser, `${shared.server.origin}/app/`);
  const out = await page.evaluate(async ([key, base, tokenUrl]) => {
    const record = (ms, refreshToken) => JSON.stringify({ accessToken: "tok", ...(refreshToken ? { refreshToken } : {}), expiresAt: Date.now() + ms });
    const watch = async (cfg, ms, refreshToken, wait) => {
      sessionStorage.setItem(key, record(ms, refreshToken));
      const client = await window.mobproc.createClient({ ...base, refreshSkewSeconds: 1, ...cfg });
      const heard = [];
      client.on("sessionExpiring", (value) => heard.push({ ...value, left: value.expiresAt - Date.now() }));
      await new Promise((ok) => setTimeout(ok, wait));
      return { heard, authenticated: client.isAuthenticated(), client };
    };
    // The module is fetched and compiled first, so the timed client below starts at once.
    await window.mobproc.createClient({ ...base, storageKey: "warm-up" });
    const early = await watch({}, 1400, undefined, 150);
    const beforeWarning = early.heard.length;
    await new Promise((ok) => setTimeout(ok, 600));
    const warned = early.heard.map(({ left, expiresAt }) => ({ typeofExpiresAt: typeof expiresAt, soonAfter: left > 0 && left <= 1000 }));
    const stillSignedIn = early.client.isAuthenticated();
    await new Promise((ok) => setTimeout(ok, 1000));
    const total = early.heard.length;
    const refreshable = await watch({ tokenUrl }, 1200, "r1", 600);
    // Read now: the records stored below are other sessions, which every client of the key
    // plans for (one without a refresh token is warned of by this client too).
    const refreshableHeard = refreshable.heard.length;
    const wrongName = (() => {
      try {
        refreshable.client.on("sessionExpiringSoon", () => {});
        return "accepted";
      } catch (e) {
        return e.code;
      }
    })();
    // Stored already expired (a tab reopened an hour later): it ended, nothing to warn of.
    const ended = await watch({}, -60_000, undefined, 300);
    // refreshSkewSeconds 0: the warning at the very end, not never.
    const noSkew = await watch({ refreshSkewSeconds: 0 }, 400, undefined, 800);
    return { beforeWarning, warned, stillSignedIn, total, refreshable: refreshableHeard, wrongName, ended: ended.heard.length, noSkew: noSkew.heard.length };
  }, [KEY, config(shared.server.origin), TOKEN_URL]);
  assert.equal(out.ended, 0, "no warning for a session that ended before the page loaded");
  assert.equal(out.noSkew, 1, "with refreshSkewSeconds 0, at the end");
  assert.equal(out.beforeWarning, 0, "not while more than refreshSkewSeconds are left");
  assert.deepEqual(out.warned, [{ typeofExpiresAt: "number", soonAfter: true }]);
  assert.equal(out.stillSignedIn, true, "a warning, not the end");
  assert.equal(out.total, 1, "once per session");
  assert.equal(out.refreshable, 0, "a session that can be refreshed is renewed by the next call instead");
  assert.equal(out.wrongName, "config_invalid");
  await context.close();
});

test("session() is a stable snapshot: the same frozen object until the session changes, and the one sessionChanged gives", async () => {
  const { page, context } = await signedIn(3600);
  const out = await page.evaluate(async () => {
    const client = window.client;
    const first = client.session();
    const seen = [];
    client.on("sessionChanged", (s) => seen.push(s));
    const same = client.session() === first && client.session() === client.session();
    const refreshed = await client.refresh();
    const after = client.session();
    try { after.expiresAt = 0; } catch { /* strict mode throws; sloppy mode ignores it */ }
    const mutated = after.expiresAt === 0;
    client.logout();
    return { same, frozen: Object.isFrozen(first), changed: after !== first, resolved: refreshed === after, event: seen[0] === after, mutated, last: seen[1], gone: client.session() };
  });
  assert.equal(out.same, true, "repeated session() calls return the same object");
  assert.equal(out.frozen, true);
  assert.equal(out.changed, true, "a refresh makes a new object");
  assert.equal(out.resolved, true, "refresh() resolves the object session() then returns");
  assert.equal(out.event, true, "sessionChanged hands the same object");
  assert.equal(out.mutated, false, "the snapshot cannot be changed by the app");
  assert.equal(out.last, null);
  assert.equal(out.gone, null);
  await context.close();
});

test("subscribe: called on sessionChanged and when the access token expires (session() turns null without an event); unsubscribed, never again", async () => {
  const { page, context } = await signedIn(2);
  const out = await page.evaluate(async () => {
    const client = window.client;
    const calls = [];
    const off = client.subscribe(() => calls.push(client.session()?.expiresAt ?? null));
    const before = client.session() !== null;
    await new Promise((r) => setTimeout(r, 2600));
    const atExpiry = [...calls];
    off();
    await client.refresh();
    return { before, atExpiry, after: calls.length, afterExpected: atExpiry.length };
  });
  assert.equal(out.before, true);
  assert.deepEqual(out.atExpiry, [null], "one call, at the expiry, when session() reads null");
  assert.equal(out.after, out.afterExpected, "no call after unsubscribing");
  await context.close();
});

test("after the machine slept (timers stopped, the clock moved on): subscribe and sessionExpiring follow within a minute of waking, not as late as the sleep was long", async () => {
  const { page, context } = await openPage(shared.browser, `${shared.server.origin}/app/`);
  // Playwright's clock: `runFor` lets timers run; `setSystemTime` moves Date.now alone, as a
  // sleep does to a page (its timers' clock stops).
  await page.clock.install();
  const start = await page.evaluate(async ([key, base]) => {
    sessionStorage.setItem(key, JSON.stringify({ accessToken: "tok", expiresAt: Date.now() + 3_600_000 }));
    const client = await window.mobproc.createClient(base);
    window.heard = [];
    client.on("sessionExpiring", () => window.heard.push("expiring"));
    client.subscribe(() => window.heard.push(client.session() === null ? "ended" : "changed"));
    return Date.now();
  }, [KEY, config(shared.server.origin)]);
  await page.clock.runFor(30 * 60_000); // 30 minutes awake
  const awake = await page.evaluate(() => [...window.heard]);
  await page.clock.setSystemTime(start + 30 * 60_000 + 5 * 3_600_000); // five hours asleep
  await page.clock.runFor(61_000);
  const woken = await page.evaluate(() => [...window.heard]);
  await page.clock.runFor(10 * 60_000);
  const later = await page.evaluate(() => [...window.heard]);
  assert.deepEqual(awake, [], "nothing while the session lasts");
  assert.deepEqual(woken.toSorted(), ["ended", "expiring"], "within a minute of waking, in either order");
  assert.deepEqual(later, woken, "once each");
  await context.close();
});

/**
 * Stores a session of 10 minutes under the page's key, makes the token endpoint refuse every
 * refresh (`invalid_grant`), and makes two clients of the key without tab sharing,
 * `window.first` and `window.second`; each `sessionExpiring` goes onto `window.heard` as
 * `{ name, left, signedIn }`. The module is loaded first, with the page's own fetch.
 */
async function twoClientsOfOnePage(page, access) {
  await page.evaluate(async ([key, base, tokenUrl, access]) => {
    window.warmedUp ??= await window.mobproc.createClient({ ...base, storageKey: "warm-up" });
    sessionStorage.setItem(key, JSON.stringify({ accessToken: access, refreshToken: `${access}-r`, expiresAt: Date.now() + 600_000 }));
    globalThis.fetch = async () => Response.json({ error: "invalid_grant" }, { status: 400 });
    window.heard = [];
    for (const name of ["first", "second"]) {
      const client = await window.mobproc.createClient({ ...base, tokenUrl, shareSessionAcrossTabs: false });
      client.on("sessionExpiring", (v) => window.heard.push({ name, left: v.expiresAt - Date.now(), signedIn: client.isAuthenticated() }));
      window[name] = client;
    }
  }, [KEY, config(shared.server.origin), TOKEN_URL, access]);
}

/** Who was warned, in order of their names. */
const warned = (page) => page.evaluate(() => window.heard.map((h) => h.name).toSorted());

test("sessionExpiring reaches a second client of the page too once the first drops the refused refresh token (without tab sharing nothing tells the second)", async () => {
  const { page, context } = await openPage(shared.browser, `${shared.server.origin}/app/`);
  await page.clock.install();
  await twoClientsOfOnePage(page, "tok");
  await page.clock.runFor(120_000); // two of the warning's one-minute steps, refreshable then
  const refused = await page.evaluate(() => window.first.refresh().then(() => "resolved", (e) => `${e.code} ${e.oauthError}`));
  await page.clock.runFor(600_000);
  assert.equal(refused, "refresh_failed invalid_grant");
  assert.deepEqual(await warned(page), ["first", "second"]);
  // The usual timing: the refresh token refused by a call's refresh inside the skew, after
  // the time to warn has come and gone while it could still be refreshed.
  await twoClientsOfOnePage(page, "tok2");
  await page.clock.runFor(545_000); // past the time to warn (a minute before the end)
  await page.evaluate(() => window.first.fetch("/x").catch(() => {}));
  await page.clock.runFor(60_000);
  assert.deepEqual(await warned(page), ["first", "second"], "the second client is warned within a minute too");
  await context.close();
});

test("a sibling client's refresh token refused in the session's last minute: the other client is warned before the end, never as it ends", async () => {
  const { page, context } = await openPage(shared.browser, `${shared.server.origin}/app/`);
  await page.clock.install();
  await twoClientsOfOnePage(page, "tok");
  await page.clock.runFor(575_000);
  await page.evaluate(() => window.second.refresh().catch(() => {}));
  await page.clock.runFor(60_000);
  const heard = await page.evaluate(() => window.heard.filter((h) => h.name === "first"));
  assert.equal(heard.length, 1, JSON.stringify(heard));
  assert.ok(heard[0].left > 0 && heard[0].signedIn, `warned while the session lasts: ${JSON.stringify(heard)}`);
  await context.close();
});

test("a stand-in navigator.locks whose query hands back junk (a polyfill, a test's stub): the refresh still settles, nothing is thrown through the module, and the next refresh works", async () => {
  const opened = await signedIn(3600);
  const out = await opened.page.evaluate(async () => {
    const { client } = window;
    const within = (p) => Promise.race([p.then(() => "resolved", (e) => e.code), new Promise((r) => setTimeout(() => r("still pending"), 3000))]);
    const real = navigator.locks.query.bind(navigator.locks);
    const { proxy, revoke } = Proxy.revocable([], {});
    revoke();
    const tampered = () => {
      const p = Promise.resolve({ held: [] });
      p.then = () => {
        throw new Error("then threw");
      };
      return p;
    };
    const results = [];
    for (const junk of [() => ({}), tampered, async () => ({ held: proxy }), async () => ({ held: { length: 1e15 } })]) {
      navigator.locks.query = junk;
      results.push(await within(client.refresh()));
    }
    navigator.locks.query = real;
    results.push(await within(client.refresh()));
    return results;
  });
  assert.deepEqual(out, ["resolved", "resolved", "resolved", "resolved", "resolved"]);
  assert.deepEqual(opened.console.filter((line) => /threw|revoked|IsArray/.test(line)), [], "nothing thrown through the module");
  await opened.context.close();
});

test("subscribe: a client the app drops without unsubscribing is still freed, and lets go of its presence lock", async () => {
  const { page, context } = await openPage(shared.browser, `${shared.server.origin}/app/`);
  const cdp = await context.newCDPSession(page);
  const held = () => page.evaluate(async (key) => (await navigator.locks.query()).held.filter((l) => l.name === `mobproc-auth:tab:${key}`).length, KEY);
  await page.evaluate(async (cfg) => {
    for (const watch of [false, true]) {
      const client = await window.mobproc.createClient(cfg);
      client.on("sessionChanged", () => {});
      if (watch) client.subscribe(() => {});
    }
  }, config(shared.server.origin));
  assert.equal(await held(), 2, "each client holds the lock while it lives");
  let left = 2;
  for (let i = 0; i < 20 && left > 0; i++) {
    await cdp.send("HeapProfiler.collectGarbage");
    await page.waitForTimeout(100);
    left = await held();
  }
  assert.equal(left, 0, "both clients freed, the subscribed one too");
  await context.close();
});

test("startClient: one client, callback and outcome per storage key per page load; a refused config is not kept", async () => {
  const { page, context } = await openPage(shared.browser, `${shared.server.origin}/app/`);
  const cfg = config(shared.server.origin);
  const url = await page.evaluate(async (cfg) => (await window.mobproc.createClient(cfg)).authorizeUrl({ returnTo: "/orders" }), cfg);
  const state = new URL(url).searchParams.get("state");
  await goto(page, `${shared.server.origin}/app/#access_token=tok&token_type=Bearer&expires_in=3600&state=${state}`);
  const out = await page.evaluate(async (cfg) => {
    const { startClient } = window.mobproc;
    const [a, b] = await Promise.all([startClient(cfg), startClient(cfg)]);
    const c = await startClient({ ...cfg });
    const bad = await startClient({ ...cfg, storageKey: "other", apiBaseUrl: "http://evil.example" });
    const retried = await startClient({ ...cfg, storageKey: "other" });
    return {
      same: a === b && b === c,
      returnTo: a.returnTo,
      error: a.error,
      signedIn: a.client.isAuthenticated(),
      bad: [bad.client, bad.error?.code, bad.error?.field],
      retried: [retried.client !== null, retried.error, retried.returnTo],
      keys: Object.keys(sessionStorage),
    };
  }, cfg);
  assert.equal(out.same, true, "every call resolves the same object");
  assert.equal(out.returnTo, "/orders", "the callback ran once and its returnTo reached every caller");
  assert.equal(out.error, null);
  assert.equal(out.signedIn, true);
  assert.deepEqual(out.bad, [null, "config_invalid", "apiBaseUrl"]);
  assert.deepEqual(out.retried, [true, null, null], "a refused config was not kept: the fixed one starts");
  await context.close();
});
