// The package in real Chromium: config checks, sign-in callback against real location,
// history and sessionStorage, and client.fetch with globalThis.fetch replaced by a recorder.
import { test } from "node:test";
import assert from "node:assert/strict";
import { config, goto, openPage, useServerAndBrowser } from "./harness.mjs";

const KEY = "mobproc-auth:portal-demo:XYZ";
const TOKEN = "tok.A-1_~+/=";
const enc = encodeURIComponent;
let cfg;

const shared = useServerAndBrowser(({ server }) => {
  cfg = config(server.origin);
});

/** Starts a sign-in in `page` and returns the state the client remembered. */
async function startSignIn(page, options) {
  const url = await page.evaluate(async ([cfg, options]) => (await window.mobproc.createClient(cfg)).authorizeUrl(options), [cfg, options]);
  return new URL(url).searchParams.get("state");
}

/** A callback URL carrying `fields` in the fragment. */
const callbackUrl = (fields, query = "") =>
  `${shared.server.origin}/app/callback${query}#${Object.entries(fields).map(([k, v]) => `${k}=${enc(v)}`).join("&")}`;

const goodFields = (state) => ({ access_token: TOKEN, token_type: "Bearer", expires_in: "3600", refresh_token: "r1", scope: "MOBPROC", state });

/** Runs handleRedirectCallback in the page and reports everything a test may check. */
function callback(page) {
  return page.evaluate(async ([cfg, key]) => {
    const client = await window.mobproc.createClient(cfg);
    const lengthBefore = history.length;
    let result, error;
    try {
      result = await client.handleRedirectCallback();
    } catch (e) {
      error = { isMobprocError: e instanceof window.mobproc.MobprocError, code: e.code, message: e.message, oauthError: e.oauthError, oauthErrorDescription: e.oauthErrorDescription };
    }
    return {
      result, error, href: location.href, lengthBefore, lengthAfter: history.length,
      keys: Object.keys(sessionStorage), record: sessionStorage.getItem(key),
      localStorage: localStorage.length, cookie: document.cookie,
      authenticated: client.isAuthenticated(), session: client.session(),
    };
  }, [cfg, KEY]);
}

async function signedInPage() {
  const opened = await openPage(shared.browser, `${shared.server.origin}/app/`);
  const state = await startSignIn(opened.page);
  await goto(opened.page, callbackUrl(goodFields(state)));
  const out = await callback(opened.page);
  assert.equal(out.authenticated, true, JSON.stringify(out));
  return opened;
}

test("createClient loads the module once, validates the config and survives bad input", async () => {
  const before = shared.server.requests.get("/pkg/mobproc_auth_bg.wasm") ?? 0;
  const { page, context } = await openPage(shared.browser, `${shared.server.origin}/app/`);
  const out = await page.evaluate(async (cfg) => {
    const { createClient, MobprocError } = window.mobproc;
    await Promise.all([createClient(cfg), createClient({ ...cfg, tenant: "ABC" }), createClient(cfg)]);
    const bad = [null, 42, "x", [], { ...cfg, clientId: undefined }, { ...cfg, tenant: 7 }, { ...cfg, clientId: "a b" },
      { ...cfg, apiBaseUrl: "http://api.example.test/v1" }, { ...cfg, apiBaseUrl: "/relative" }, { ...cfg, allowedOrigins: "https://x.test" },
      { ...cfg, allowedOrigins: ["https://ok.test", "https://x.test/path"] }, { ...cfg, allowedOrigns: [] },
      { ...cfg, redirectUri: "https://p.test/cb#frag" }, { ...cfg, scope: "" }, { ...cfg, tenant: "X".repeat(100000) },
      { ...cfg, allowedOrigins: ["https://ok.test", "x".repeat(1 << 23)] }, { ...cfg, allowedOrigins: ["https://\ud800.test"] }];
    const errors = [];
    for (const config of bad) {
      try {
        await createClient(config);
        errors.push("accepted");
      } catch (e) {
        errors.push({ mobproc: e instanceof MobprocError && e instanceof Error, name: e.name, code: e.code, field: e.field, message: e.message });
      }
    }
    Object.prototype.clientId = "polluted";
    let polluted;
    try {
      await createClient({ tenant: "XYZ", apiBaseUrl: cfg.apiBaseUrl });
    } catch (e) {
      polluted = e.field;
    } finally {
      delete Object.prototype.clientId;
    }
    const stillWorks = (await createClient(cfg)).isAuthenticated();
    return { errors, polluted, stillWorks };
  }, cfg);
  assert.equal((shared.server.requests.get("/pkg/mobproc_auth_bg.wasm") ?? 0) - before, 1, "the wasm is fetched once per page");
  const fields = ["config", "config", "config", "config", "clientId", "tenant", "clientId", "apiBaseUrl", "apiBaseUrl", "allowedOrigins", "allowedOrigins[1]", "allowedOrigns", "redirectUri", "scope", "tenant", "allowedOrigins[1]", "allowedOrigins[0]"];
  assert.deepEqual(out.errors.map((e) => e.field), fields);
  for (const e of out.errors) {
    assert.equal(e.mobproc, true);
    assert.equal(e.name, "MobprocError");
    assert.equal(e.code, "config_invalid");
    assert.match(e.message, new RegExp(`\`${e.field.replace(/[[\]]/g, "\\$&")}\``));
  }
  assert.equal(out.polluted, "clientId", "a polluted prototype does not supply config");
  assert.equal(out.stillWorks, false);
  await context.close();
});

test("authorizeUrl: implicit-grant parameters, a fresh 256-bit state, returnTo kept only as a same-origin path", async () => {
  const { page, context } = await openPage(shared.browser, `${shared.server.origin}/app/`);
  const out = await page.evaluate(async ([cfg, key]) => {
    const client = await window.mobproc.createClient(cfg);
    const first = client.authorizeUrl({ returnTo: "/orders?id=7" });
    const firstPending = JSON.parse(sessionStorage.getItem(`${key}.pending`));
    const urls = [client.authorizeUrl({ returnTo: "//evil.example" }), client.authorizeUrl({ returnTo: "https://evil.example/" }), client.authorizeUrl({ returnTo: "javascript:alert(1)" })];
    const lastPending = JSON.parse(sessionStorage.getItem(`${key}.pending`));
    let badOption;
    try {
      client.authorizeUrl({ returnTo: 5 });
    } catch (e) {
      badOption = e.code;
    }
    return { first, firstPending, urls, lastPending, badOption, keys: Object.keys(sessionStorage) };
  }, [cfg, KEY]);
  const url = new URL(out.first);
  assert.equal(`${url.origin}${url.pathname}`, `${shared.server.origin}/authorize`);
  assert.deepEqual([...url.searchParams.keys()], ["response_type", "client_id", "redirect_uri", "scope", "state"]);
  assert.equal(url.searchParams.get("response_type"), "token");
  assert.equal(url.searchParams.get("client_id"), "portal-demo");
  assert.equal(url.searchParams.get("redirect_uri"), cfg.redirectUri);
  assert.equal(url.searchParams.get("scope"), "MOBPROC");
  const state = url.searchParams.get("state");
  assert.match(state, /^[A-Za-z0-9_-]{43}$/);
  assert.deepEqual(out.firstPending, { state, returnTo: "/orders?id=7" });
  const states = new Set([state, ...out.urls.map((u) => new URL(u).searchParams.get("state"))]);
  assert.equal(states.size, 4, "every sign-in gets a new state");
  assert.equal(out.lastPending.returnTo, null, "javascript: is dropped");
  assert.equal(out.badOption, "config_invalid");
  assert.deepEqual(out.keys, [`${KEY}.pending`], "only the pending sign-in is stored");
  await context.close();
});

test("callback: token stored, fragment removed with path and query kept, history not lengthened", async () => {
  const { page, context } = await openPage(shared.browser, `${shared.server.origin}/app/`);
  const state = await startSignIn(page, { returnTo: "/orders?id=7" });
  const started = Date.now();
  await goto(page, callbackUrl(goodFields(state), "?keep=1"));
  const out = await callback(page);
  assert.equal(out.error, undefined);
  assert.deepEqual(out.result, { returnTo: "/orders?id=7" });
  assert.equal(out.href, `${shared.server.origin}/app/callback?keep=1`);
  assert.equal(out.lengthAfter, out.lengthBefore);
  assert.deepEqual(out.keys, [KEY], "the pending sign-in is used up; only the token record remains");
  const record = JSON.parse(out.record);
  assert.deepEqual(Object.keys(record).sort(), ["accessToken", "expiresAt", "refreshToken", "refreshes", "scope", "session"]);
  assert.equal(record.refreshes, 0, "the sign-in itself: no refresh yet (orders the records of one session across tabs)");
  assert.match(record.session, /^[0-9A-F]{12}[A-Za-z0-9_-]{43}$/, "the sign-in's id (its time, then random), which a sign-out in another tab names");
  assert.equal(record.accessToken, TOKEN);
  assert.equal(record.refreshToken, "r1");
  assert.ok(record.expiresAt >= started + 3_600_000 && record.expiresAt <= Date.now() + 3_600_000, "absolute expiry");
  assert.deepEqual(out.session, { expiresAt: record.expiresAt, scope: "MOBPROC", hasRefreshToken: true });
  assert.equal(out.localStorage, 0);
  assert.equal(out.cookie, "");
  assert.deepEqual(await context.cookies(), []);
  // The history entry itself was rewritten: back and forward again shows no token.
  await page.goBack();
  await page.goForward();
  assert.equal(page.url(), `${shared.server.origin}/app/callback?keep=1`);
  await context.close();
});

test("callback: replayed, forged or missing state is refused and a good session survives", async () => {
  const { page, context } = await signedInPage();
  const record = await page.evaluate((key) => sessionStorage.getItem(key), KEY);
  const state = await startSignIn(page);
  // The same good state twice: the second use is a replay.
  await goto(page, callbackUrl(goodFields(state)));
  const first = await callback(page);
  assert.equal(first.error, undefined);
  const after = first.record;
  for (const fields of [goodFields(state), goodFields("wrong"), { access_token: "x", token_type: "Bearer", expires_in: "60" }, { error: "access_denied", state: "wrong" }]) {
    await goto(page, callbackUrl({ ...fields, access_token: fields.access_token && "forged" }));
    const out = await callback(page);
    assert.equal(out.error?.code, "state_mismatch", JSON.stringify(fields));
    assert.equal(out.error.isMobprocError, true);
    assert.equal(out.href, `${shared.server.origin}/app/callback`, "fragment removed");
    assert.equal(out.record, after, "the existing session is untouched");
    assert.equal(out.authenticated, true);
  }
  assert.notEqual(record, after);
  await context.close();
});

test("callback: an OAuth error or a malformed response stores nothing", async () => {
  const { page, context } = await openPage(shared.browser, `${shared.server.origin}/app/`);
  let state = await startSignIn(page);
  await goto(page, callbackUrl({ error: "access_denied", error_description: "The user cancelled", state }));
  const denied = await callback(page);
  assert.equal(denied.error.code, "authorization_denied");
  assert.equal(denied.error.oauthError, "access_denied");
  assert.equal(denied.error.oauthErrorDescription, "The user cancelled");
  assert.equal(denied.href, `${shared.server.origin}/app/callback`);
  assert.deepEqual(denied.keys, []);
  for (const broken of [{ token_type: undefined }, { expires_in: "0" }, { expires_in: "1.5" }, { token_type: "mac" }, { access_token: "a b" }]) {
    state = await startSignIn(page);
    const fields = { ...goodFields(state), ...broken };
    for (const k of Object.keys(fields)) if (fields[k] === undefined) delete fields[k];
    await goto(page, callbackUrl(fields));
    const out = await callback(page);
    assert.equal(out.error?.code, "invalid_callback", JSON.stringify(broken));
    assert.deepEqual(out.keys, [], "nothing stored");
    assert.equal(out.href, `${shared.server.origin}/app/callback`);
  }
  await context.close();
});

test("callback: an app's own hash route is not ours and is left alone", async () => {
  const { page, context } = await signedInPage();
  for (const hash of ["#/orders", "#/orders?state=1", "#top", ""]) {
    await goto(page, `${shared.server.origin}/app/page${hash}`);
    const out = await callback(page);
    assert.equal(out.result, null);
    assert.equal(out.href, `${shared.server.origin}/app/page${hash}`);
    assert.equal(out.authenticated, true);
  }
  await context.close();
});

test("fetch: exact headers and URL to allowed origins; nothing sent elsewhere or without a token", async () => {
  const { page, context } = await signedInPage();
  const out = await page.evaluate(async (cfg) => {
    const { createClient, MobprocError } = window.mobproc;
    const client = await createClient(cfg);
    const calls = [];
    globalThis.fetch = async (request) => {
      calls.push({ url: request.url, method: request.method, headers: [...request.headers], body: await request.clone().text(), isRequest: request instanceof Request, referrerPolicy: request.referrerPolicy });
      return new Response('{"ok":true}', { status: 201, headers: { "content-type": "application/json" } });
    };
    const outcome = async (fn) => {
      try {
        const r = await fn();
        return { status: r.status, isResponse: r instanceof Response };
      } catch (e) {
        return { mobproc: e instanceof MobprocError, code: e.code, origin: e.origin, cause: e.cause && String(e.cause) };
      }
    };
    const results = [
      await outcome(() => client.fetch("/ping?echoText=hello")),
      await outcome(() => client.fetch("employees", { method: "POST", body: "x=1", headers: { "X-Custom": "1", Authorization: "Basic not-this" } })),
      await outcome(() => client.fetch(new URL("https://api.example.test/mobproc/v1/me"))),
      await outcome(() => client.fetch(new Request("https://API.example.test:443/mobproc/v1/me", { headers: { Accept: "application/json" }, referrerPolicy: "no-referrer" }))),
    ];
    const sent = calls.length;
    const refused = [
      await outcome(() => client.fetch("https://evil.example/mobproc/v1/ping")),
      await outcome(() => client.fetch("//evil.example/x")),
      await outcome(() => client.fetch("https://api.example.test.evil.example/x")),
      await outcome(() => client.fetch("http://api.example.test/mobproc/v1/ping")),
      await outcome(() => client.fetch(new Request(`${location.origin}/same-origin-page`))),
      await outcome(() => client.fetch(42)),
      await outcome(() => client.fetch("/ping", "not an init")),
      await outcome(() => client.fetch("/ping", { mode: "no-cors" })),
    ];
    const sentAfterRefusals = calls.length;
    const extra = await createClient({ ...cfg, allowedOrigins: ["https://files.example.test"] });
    results.push(await outcome(() => extra.fetch("https://files.example.test/download/1")));
    globalThis.fetch = async () => {
      throw new TypeError("Failed to fetch");
    };
    const network = await outcome(() => client.fetch("/ping"));
    client.logout();
    const callsBefore = calls.length;
    const signedOut = await outcome(() => client.fetch("/ping"));
    return { results, refused, calls, sent, sentAfterRefusals, network, signedOut, callsAfterLogout: calls.length - callsBefore };
  }, cfg);
  for (const r of out.results) assert.deepEqual(r, { status: 201, isResponse: true });
  assert.equal(out.sent, 4);
  assert.equal(out.sentAfterRefusals, 4, "nothing was sent for refused requests");
  // Besides the three headers, each call carries its own correlation id (issue #5).
  const ids = out.calls.map((call) => call.headers.find(([name]) => name === "x-tngo-context-correlationid")?.[1]);
  for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(new Set(ids).size, ids.length, "a different correlation id on every call");
  for (const call of out.calls) call.headers = call.headers.filter(([name]) => name !== "x-tngo-context-correlationid");
  const tangoe = [["authorization", `Bearer ${TOKEN}`], ["client_id", "portal-demo"], ["x-tngo-tenant", "XYZ"]];
  const [ping, post, me, meRequest, files] = out.calls;
  assert.equal(ping.url, "https://api.example.test/mobproc/v1/ping?echoText=hello");
  assert.deepEqual(ping.headers, tangoe);
  assert.equal(ping.isRequest, true);
  assert.equal(post.url, "https://api.example.test/mobproc/v1/employees");
  assert.equal(post.method, "POST");
  assert.equal(post.body, "x=1");
  assert.deepEqual(post.headers, [...tangoe, ["content-type", "text/plain;charset=UTF-8"], ["x-custom", "1"]].sort());
  assert.equal(me.url, "https://api.example.test/mobproc/v1/me");
  assert.deepEqual(me.headers, tangoe);
  assert.deepEqual(meRequest.headers, [["accept", "application/json"], ...tangoe]);
  assert.equal(meRequest.referrerPolicy, "no-referrer", "a caller's Request keeps its referrer policy");
  assert.equal(ping.referrerPolicy, "");
  assert.equal(files.url, "https://files.example.test/download/1");
  assert.deepEqual(files.headers, tangoe);
  const codes = out.refused.map((r) => r.code);
  assert.deepEqual(codes, ["origin_not_allowed", "origin_not_allowed", "origin_not_allowed", "origin_not_allowed", "origin_not_allowed", "config_invalid", "config_invalid", "invalid_request"]);
  assert.equal(out.refused[0].origin, "https://evil.example");
  assert.ok(out.refused.every((r) => r.mobproc));
  assert.deepEqual(out.network, { mobproc: true, code: "network_error", origin: undefined, cause: "TypeError: Failed to fetch" });
  assert.equal(out.signedOut.code, "not_authenticated");
  assert.equal(out.callsAfterLogout, 0);
  await context.close();
});

test("login navigates to the authorization URL", async () => {
  const { page, context } = await openPage(shared.browser, `${shared.server.origin}/app/`);
  await Promise.all([
    page.waitForURL((u) => u.pathname === "/authorize"),
    // login() after evaluate has returned: a navigation committing first would destroy its context.
    page.evaluate(async (cfg) => {
      const client = await window.mobproc.createClient(cfg);
      setTimeout(() => client.login({ returnTo: "/orders" }));
    }, cfg),
  ]);
  const url = new URL(page.url());
  assert.equal(url.searchParams.get("response_type"), "token");
  assert.match(url.searchParams.get("state"), /^[A-Za-z0-9_-]{43}$/);
  await context.close();
});

test("storage: a corrupted or expired record reads as signed out and is removed", async () => {
  const { page, context } = await openPage(shared.browser, `${shared.server.origin}/app/`);
  const out = await page.evaluate(async ([cfg, key]) => {
    const client = await window.mobproc.createClient(cfg);
    const results = [];
    for (const raw of ["{bad json", "null", "[]", '{"accessToken":5,"expiresAt":9e15}', '{"accessToken":"a b","expiresAt":9e15}', '{"accessToken":"ok"}', '{"accessToken":"ok","expiresAt":9e15,"scope":7}']) {
      sessionStorage.setItem(key, raw);
      results.push([client.isAuthenticated(), client.session(), sessionStorage.getItem(key)]);
    }
    sessionStorage.setItem(key, JSON.stringify({ accessToken: "ok", expiresAt: Date.now() - 1 }));
    const expired = [client.isAuthenticated(), client.accessToken()];
    sessionStorage.setItem(key, JSON.stringify({ accessToken: "ok", expiresAt: 9e15 }));
    const valid = [client.isAuthenticated(), client.accessToken()];
    return { results, expired, valid };
  }, [cfg, KEY]);
  for (const r of out.results) assert.deepEqual(r, [false, null, null]);
  assert.deepEqual(out.expired, [false, null]);
  assert.deepEqual(out.valid, [true, "ok"]);
  await context.close();
});

test("storage: a sessionStorage that throws on write keeps the session in memory", async () => {
  const { page, context } = await openPage(shared.browser, `${shared.server.origin}/app/`);
  const state = await startSignIn(page);
  await goto(page, callbackUrl(goodFields(state)));
  await page.evaluate(() => {
    Storage.prototype.setItem = () => {
      throw new DOMException("full", "QuotaExceededError");
    };
  });
  const out = await callback(page);
  assert.equal(out.error, undefined);
  assert.equal(out.authenticated, true);
  assert.deepEqual(out.keys, [], "nothing half-written in sessionStorage");
  await context.close();
});
