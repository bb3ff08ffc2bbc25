// Issue #5 in real Chromium: the X-TNGO-CONTEXT-* headers (config, setContext, setActivityId,
// init.context, init.headers) and their validation, correlation ids, fetchJson with api_error,
// paginate over _meta.hrefNext, and no token in any error. After a real sign-in callback,
// globalThis.fetch in the page is a recorder that answers with canned Responses; every
// assertion is on the Request the recorder received.
import { test } from "node:test";
import assert from "node:assert/strict";
import { config, goto, openPage, useServerAndBrowser } from "./harness.mjs";

const TOKEN = "tok.SECRET-7f3a_~+/=";
const API = "https://api.example.test/mobproc/v1";
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const CORRELATION = "x-tngo-context-correlationid";
let cfg;

const shared = useServerAndBrowser(({ server }) => {
  cfg = config(server.origin);
});

/** In the page: signs in from the callback, then replaces fetch with a recorder (`calls`, `reply`). */
async function install(cfg) {
  const client = await window.mobproc.createClient(cfg);
  await client.handleRedirectCallback();
  if (!client.isAuthenticated()) throw new Error("the sign-in callback did not sign in");
  Object.assign(window, { client, calls: [] });
  window.json = (body, status = 200, headers = {}) =>
    new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
  window.reply = () => window.json({ ok: true });
  globalThis.fetch = async (request) => {
    const body = await request.clone().text();
    window.calls.push({ url: request.url, method: request.method, redirect: request.redirect, headers: Object.fromEntries(request.headers), body });
    return window.reply(request, new URL(request.url));
  };
  // The outcome of `fn` as plain data: `{ value }` or `{ error }` with the error's own fields.
  window.attempt = async (fn) => {
    try {
      return { value: await fn() };
    } catch (e) {
      const cause = e.cause && String(e.cause);
      return { error: { ...e, name: e.name, message: e.message, stack: e.stack, mobproc: e instanceof window.mobproc.MobprocError, cause, causeStack: e.cause?.stack } };
    }
  };
  // The pages of `client.paginate(path, options)` until its end or error, at most 11 (no endless loop).
  window.drain = async (path, options, pages = []) => {
    for await (const p of window.client.paginate(path, options)) if (pages.push(p) > 10) break;
    return pages;
  };
  // A walk of `path` against `reply`: how many pages came, how many requests went, the error.
  window.walkWith = async (reply, path = "/employees", options = undefined) => {
    window.calls.length = 0;
    window.reply = reply;
    const pages = [];
    const { error } = await window.attempt(() => window.drain(path, options, pages));
    return { pages: pages.length, sent: window.calls.length, error };
  };
}

/** A page signed in through the real callback, with a client made from `extra` and the recorder. */
async function signedIn(extra = {}) {
  const { page, context } = await openPage(shared.browser, `${shared.server.origin}/app/`);
  const authorize = await page.evaluate(async (cfg) => (await window.mobproc.createClient(cfg)).authorizeUrl(), cfg);
  const state = new URL(authorize).searchParams.get("state");
  const fragment = new URLSearchParams({ access_token: TOKEN, token_type: "Bearer", expires_in: "3600", state });
  await goto(page, `${shared.server.origin}/app/callback#${fragment}`);
  await page.evaluate(install, { ...cfg, ...extra });
  return { page, context };
}

/** The context headers of a recorded call, without the correlation id. */
const ctx = (call) => Object.fromEntries(Object.entries(call.headers).filter(([k]) => k.startsWith("x-tngo-context-") && k !== CORRELATION));
const hdr = (e = {}) => Object.fromEntries(Object.entries(e).map(([k, v]) => [`x-tngo-context-${k}`, v]));

test("context: config values on every call; setContext replaces, null removes; setActivityId(null) stops", async () => {
  const context = { employeeId: "E1005", companyEmployeeId: "jane@xyz.example", hierarchyId: "H1" };
  const { page, context: browserContext } = await signedIn({ context, activityId: "batch-7" });
  const calls = await page.evaluate(async () => {
    await client.fetch("/me");
    await client.fetch("employees", { method: "POST", body: "x" });
    // `null` for one id of the actor: as the signed-in user, not as the other id.
    await client.fetch("/me", { context: { employeeId: null } });
    await client.fetch("/me", { context: { companyEmployeeId: null } });
    for (const change of [() => client.setContext({ hierarchyId: "H2" }), () => client.setContext(null), () => client.setActivityId(null), () => client.setActivityId("batch-8")]) {
      change();
      await client.fetch("/me");
    }
    return calls;
  });
  const all = hdr({ employeeid: "E1005", companyemployeeid: "jane@xyz.example", hierarchyid: "H1", activityid: "batch-7" });
  const asSelf = hdr({ hierarchyid: "H1", activityid: "batch-7" });
  assert.deepEqual(calls.map(ctx), [all, all, asSelf, asSelf, hdr({ hierarchyid: "H2", activityid: "batch-7" }), hdr({ activityid: "batch-7" }), {}, hdr({ activityid: "batch-8" })]);
  for (const call of calls) assert.equal(call.headers.authorization, `Bearer ${TOKEN}`);
  await browserContext.close();
});

test("context: init.context overrides, null removes for one call, missing keys inherit (but a call naming one actor id inherits neither), init.headers counts", async () => {
  const { page, context } = await signedIn({ context: { employeeId: "E1", hierarchyId: "H1" }, activityId: "A1" });
  const calls = await page.evaluate(async () => {
    const own = { "X-TNGO-CONTEXT-EMPLOYEEID": "E9" };
    await client.fetch("/1", { context: { employeeId: "E2" } });
    await client.fetch("/2", { context: { hierarchyId: null } });
    await client.fetch("/3");
    await client.fetch("/4", { context: { companyEmployeeId: "c@x.example", employeeId: null } });
    await client.fetch("/5", { headers: own });
    await client.fetch("/6", { headers: own, context: { employeeId: "E3" } });
    await client.fetch("/7", { headers: own, context: { employeeId: null } });
    await client.fetch("/8", { headers: own, context: { hierarchyId: "H8" } });
    await client.fetch(new Request("https://api.example.test/mobproc/v1/9", { headers: own }));
    // The other id of the actor: the client's employee id would win over it at Tangoe.
    await client.fetch("/10", { context: { companyEmployeeId: "c@x.example" } });
    await client.fetch("/11", { headers: { "X-TNGO-CONTEXT-COMPANYEMPLOYEEID": "d@x.example" } });
    // init.context's actor wins over the request's own header for the other id.
    await client.fetch("/12", { headers: own, context: { companyEmployeeId: "e@x.example" } });
    await client.fetch(new Request("https://api.example.test/mobproc/v1/13", { headers: own }), { context: { companyEmployeeId: "f@x.example" } });
    return calls;
  });
  const a = { activityid: "A1" };
  assert.deepEqual(calls.map(ctx), [
    hdr({ employeeid: "E2", hierarchyid: "H1", ...a }),
    hdr({ employeeid: "E1", ...a }),
    hdr({ employeeid: "E1", hierarchyid: "H1", ...a }),
    hdr({ companyemployeeid: "c@x.example", hierarchyid: "H1", ...a }),
    hdr({ employeeid: "E9", hierarchyid: "H1", ...a }),
    hdr({ employeeid: "E3", hierarchyid: "H1", ...a }),
    hdr({ hierarchyid: "H1", ...a }),
    hdr({ employeeid: "E9", hierarchyid: "H8", ...a }),
    hdr({ employeeid: "E9", hierarchyid: "H1", ...a }),
    hdr({ companyemployeeid: "c@x.example", hierarchyid: "H1", ...a }),
    hdr({ companyemployeeid: "d@x.example", hierarchyid: "H1", ...a }),
    hdr({ companyemployeeid: "e@x.example", hierarchyid: "H1", ...a }),
    hdr({ companyemployeeid: "f@x.example", hierarchyid: "H1", ...a }),
  ]);
  await context.close();
});

test("context: bad values are config_invalid naming the field; the old context stays and nothing is sent", async () => {
  const { page, context } = await signedIn({ context: { employeeId: "E1" }, activityId: "A1" });
  const out = await page.evaluate(async () => {
    const bad = ["a\r\nX-Evil: 1", "a\nb", "", "x".repeat(257), " lead", "trail ", "café", "tab\there", 42];
    const fields = ["employeeId", "companyEmployeeId", "hierarchyId"];
    const results = [];
    for (const [i, value] of bad.entries()) {
      const field = fields[i % 3];
      const set = await attempt(() => client.setContext({ [field]: value }));
      const activity = await attempt(() => client.setActivityId(value));
      const before = calls.length;
      const call = await attempt(() => client.fetch("/x", { context: { [field]: value } }));
      const sentForBadCall = calls.length - before;
      await client.fetch("/after");
      results.push({ field, set: set.error, activity: activity.error, call: call.error, sentForBadCall, after: calls.at(-1) });
    }
    const more = [
      client.setContext.bind(client, { employeeId: "E5", hierarchyId: "bad\r" }), // all or nothing
      client.setContext.bind(client, { employeeID: "E5" }),
      client.setContext.bind(client, "E5"),
      client.fetch.bind(client, "/x", { context: { employeeID: "E5" } }),
      client.fetch.bind(client, "/x", { headers: { "X-TNGO-CONTEXT-HIERARCHYID": "h\u00e9" } }),
    ];
    const before = calls.length;
    const errors = [];
    for (const fn of more) errors.push((await attempt(fn)).error);
    const sent = calls.length - before;
    await client.fetch("/after");
    const longest = await attempt(() => client.setContext({ employeeId: "x".repeat(256) }));
    return { results, errors, sent, after: calls.at(-1), longest };
  });
  for (const r of out.results) {
    const what = JSON.stringify(r.set?.message ?? r);
    assert.equal(r.set?.code, "config_invalid", what);
    assert.equal(r.set.mobproc, true);
    assert.equal(r.set.field, `context.${r.field}`, what);
    assert.equal(r.activity?.code, "config_invalid", what);
    assert.equal(r.activity.field, "activityId", what);
    assert.equal(r.call?.code, "config_invalid", what);
    assert.equal(r.call.field, `init.context.${r.field}`, what);
    assert.equal(r.sentForBadCall, 0, "a call with a bad init.context is not sent");
    assert.deepEqual(ctx(r.after), hdr({ employeeid: "E1", activityid: "A1" }), "the previous context stays");
  }
  // The last one: a context header in init.headers is checked like init.context.
  const fields = ["context.hierarchyId", "context.employeeID", "context", "init.context.employeeID", "init.context.hierarchyId"];
  assert.deepEqual(out.errors.map((e) => [e?.code, e?.field]), fields.map((f) => ["config_invalid", f]));
  assert.equal(out.sent, 0);
  assert.deepEqual(ctx(out.after), hdr({ employeeid: "E1", activityid: "A1" }), "all or nothing: E5 was not taken");
  assert.equal(out.longest.error, undefined, "256 characters are allowed");
  await context.close();
});

test("correlation ids: fresh UUID per call, reported by correlationId(), caller's kept, also without randomUUID", async () => {
  const { page, context } = await signedIn({ activityId: "A1" });
  const out = await page.evaluate(async (cfg) => {
    const responses = [];
    for (const path of ["/a", "/b", "/c"]) responses.push(await client.fetch(path));
    await client.fetchJson("/d");
    const reported = responses.map((r) => client.correlationId(r));
    const own = await client.fetch("/e", { headers: { "X-TNGO-CONTEXT-CORRELATIONID": "mine-1", "X-TNGO-CONTEXT-ACTIVITYID": "mine-A" } });
    const other = await window.mobproc.createClient(cfg);
    const body = await client.fetchJson("/f");
    const foreign = [client.correlationId(new Response("x")), other.correlationId(responses[0]), other.correlationId(body), client.correlationId({})];
    window.reply = () => {
      throw new TypeError("Failed to fetch");
    };
    const network = await attempt(() => client.fetch("/g"));
    window.reply = () => window.json({});
    crypto.randomUUID = () => "11111111-2222-4333-8444-555555555555";
    await client.fetch("/h");
    Object.defineProperty(crypto, "randomUUID", { value: undefined });
    await client.fetch("/i");
    await client.fetch("/j");
    // fetchJson reads the caller's own headers too (its init copy always has headers).
    const ownJson = await client.fetchJson("/k", { headers: { "X-TNGO-CONTEXT-CORRELATIONID": "mine-2" } });
    return { calls, reported, ownReported: client.correlationId(own), ownJsonReported: client.correlationId(ownJson), bodyId: client.correlationId(body), foreign, network: network.error };
  }, cfg);
  const ids = out.calls.map((c) => c.headers[CORRELATION]);
  for (const id of [...ids.slice(0, 4), ids[5], ids[6], ...ids.slice(8, 10)]) assert.match(id, UUID_V4);
  assert.deepEqual(out.reported, ids.slice(0, 3));
  assert.equal(ids[4], "mine-1");
  assert.equal(out.calls[4].headers["x-tngo-context-activityid"], "mine-A", "a caller-set activity id is kept");
  assert.equal(out.ownReported, "mine-1");
  assert.equal(out.bodyId, ids[5], "correlationId() of a fetchJson body");
  assert.deepEqual(out.foreign, [null, null, null, null]);
  assert.equal(out.network.code, "network_error");
  assert.equal(out.network.cause, "TypeError: Failed to fetch");
  assert.equal(out.network.correlationId, ids[6]);
  assert.equal(ids[7], "11111111-2222-4333-8444-555555555555", "crypto.randomUUID is used when present");
  assert.notEqual(ids[8], ids[9]);
  assert.equal(ids[10], "mine-2", "a caller-set correlation id is kept by fetchJson");
  assert.equal(out.ownJsonReported, "mine-2");
  assert.equal(new Set(ids).size, ids.length, "every call has its own id");
  await context.close();
});

test("fetchJson: Accept, json bodies, 204, api_error with Tangoe's fields, HTML bodies and Retry-After", async () => {
  const { page, context } = await signedIn();
  const out = await page.evaluate(async () => {
    const inThirty = new Date(Date.now() + 30_000).toUTCString();
    const tangoe = { status: 400, id: "err-42", errorCode: "400-Bad-Employee", message: "Employee id is not valid" };
    window.reply = (request, url) => {
      const route = url.pathname.split("/").at(-1);
      if (route === "none") return new Response(null, { status: 204 });
      if (route === "bad") return window.json(tangoe, 400);
      if (route === "gateway") return new Response("<html><body>Bad Gateway</body></html>", { status: 502, headers: { "content-type": "text/html" } });
      if (route === "busy") return window.json({}, 429, { "retry-after": "7" });
      if (route === "later") return new Response("", { status: 503, headers: { "retry-after": inThirty } });
      if (route === "text") return new Response("not json", { status: 200 });
      if (route === "negative") return window.json({}, 429, { "retry-after": "-5" });
      if (route === "fraction") return window.json({}, 429, { "retry-after": "1.5" });
      return window.json({ route, n: [1, 2] }, route === "create" ? 201 : 200);
    };
    const r = {};
    for (const [name, path, init] of [
      ["get", "/me"], ["accept", "/me", { headers: { Accept: "application/vnd.x+json" } }],
      ["create", "/create", { json: { name: "Ann", tags: ["a"] } }], ["put", "/put", { method: "PUT", json: [1] }],
      ["none", "/none"], ["bad", "/bad"], ["gateway", "/gateway"], ["busy", "/busy"], ["later", "/later"], ["text", "/text"],
      ["negative", "/negative"], ["fraction", "/fraction"],
      // A Request (GET by default) with `json`: POST, as for a path; its own PUT stays.
      ["request", new Request("https://api.example.test/mobproc/v1/create"), { json: { a: 1 } }],
      ["requestPut", new Request("https://api.example.test/mobproc/v1/put", { method: "PUT" }), { json: [2] }],
    ]) {
      const before = calls.length;
      r[name] = { ...(await attempt(() => client.fetchJson(path, init))), call: calls[before] };
    }
    const sent = calls.length;
    r.both = await attempt(() => client.fetchJson("/create", { json: {}, body: "x" }));
    r.bothSent = calls.length - sent;
    return r;
  });
  const sent = (name) => [out[name].call.method, out[name].call.body, out[name].call.headers["content-type"], out[name].call.headers.accept];
  assert.deepEqual(out.get.value, { route: "me", n: [1, 2] });
  assert.deepEqual(sent("get"), ["GET", "", undefined, "application/json"]);
  assert.equal(sent("accept")[3], "application/vnd.x+json", "the caller's Accept is kept");
  assert.deepEqual(out.create.value, { route: "create", n: [1, 2] });
  assert.deepEqual(sent("create"), ["POST", '{"name":"Ann","tags":["a"]}', "application/json", "application/json"]);
  assert.deepEqual(sent("put"), ["PUT", "[1]", "application/json", "application/json"]);
  assert.deepEqual(sent("request"), ["POST", '{"a":1}', "application/json", "application/json"]);
  assert.deepEqual(sent("requestPut"), ["PUT", "[2]", "application/json", "application/json"]);
  assert.deepEqual([out.none.value, out.none.error], [null, undefined], "204 resolves null");
  const bad = out.bad.error;
  assert.equal(bad?.code, "api_error");
  assert.deepEqual([bad.status, bad.errorCode, bad.id, bad.apiMessage], [400, "400-Bad-Employee", "err-42", "Employee id is not valid"]);
  assert.equal(bad.message, "Tangoe API error: HTTP 400: Employee id is not valid (400-Bad-Employee)");
  assert.equal(bad.correlationId, out.bad.call.headers[CORRELATION]);
  assert.match(bad.correlationId, UUID_V4);
  const gateway = out.gateway.error;
  assert.deepEqual([gateway?.code, gateway.status, gateway.body, gateway.errorCode], ["api_error", 502, "<html><body>Bad Gateway</body></html>", undefined]);
  assert.equal(gateway.correlationId, out.gateway.call.headers[CORRELATION]);
  assert.deepEqual([out.busy.error?.code, out.busy.error.status, out.busy.error.retryAfter], ["api_error", 429, 7]);
  assert.equal(out.later.error?.status, 503);
  assert.ok(out.later.error.retryAfter >= 28 && out.later.error.retryAfter <= 31, `retryAfter ${out.later.error.retryAfter}`);
  assert.deepEqual([out.text.error?.code, out.text.error.status], ["api_error", 200], "a 2xx that is not JSON is an api_error");
  assert.deepEqual([out.negative.error?.status, out.negative.error.retryAfter], [429, undefined], "Retry-After -5 is no date");
  assert.deepEqual([out.fraction.error?.status, out.fraction.error.retryAfter], [429, undefined], "Retry-After 1.5 is no date");
  assert.equal(out.both.error?.code, "invalid_request");
  assert.equal(out.bothSent, 0, "json with body is not sent");
  await context.close();
});

test("fetchJson: json that JSON.stringify refuses (BigInt, a cycle) is invalid_request and nothing is sent", async () => {
  const { page, context } = await signedIn();
  const out = await page.evaluate(async () => {
    const circular = {};
    circular.self = circular;
    const outcomes = [await attempt(() => client.fetchJson("/create", { json: 1n })), await attempt(() => client.fetchJson("/create", { json: circular }))];
    return { errors: outcomes.map((o) => [o.error?.mobproc, o.error?.code, o.error?.message]), sent: calls.length };
  });
  assert.deepEqual(out.errors.map((e) => e.slice(0, 2)), [[true, "invalid_request"], [true, "invalid_request"]], JSON.stringify(out.errors));
  assert.equal(out.sent, 0);
  await context.close();
});

/** Runs `paginate` over a stub serving /employees pages of 2, `links[offset]` as each one's hrefNext. */
const walk = (page, links, options = { limit: 2, offset: 0 }) =>
  page.evaluate(
    async ([links, options]) => {
      calls.length = 0;
      window.reply = (request, url) => {
        const offset = Number(url.searchParams.get("offset") ?? 0);
        const employees = [offset, offset + 1].map((i) => ({ id: `E${1000 + i}` }));
        const href = `${url.origin}${url.pathname}?limit=2&offset=${offset}`; // Tangoe's canonical form
        return window.json({ _meta: { href, offset, hrefNext: links[offset] }, employees });
      };
      const pages = [];
      const { error } = await attempt(() => drain("/employees", options, pages));
      const ids = pages.map((p) => client.correlationId(p));
      return { pages, error, ids, urls: calls.map((c) => c.url), accept: calls.map((c) => c.headers.accept), sentIds: calls.map((c) => c.headers["x-tngo-context-correlationid"]) };
    },
    [links, options],
  );
const at = (offset) => `${API}/employees?limit=2&offset=${offset}`;

test("paginate: follows hrefNext in order, refuses foreign origins and loops, checks limit and offset", async () => {
  const { page, context } = await signedIn();
  const all = await walk(page, { 0: at(2), 2: at(4) });
  assert.equal(all.error, undefined);
  assert.deepEqual(all.pages.map((p) => p._meta.offset), [0, 2, 4]);
  assert.deepEqual(all.pages.flatMap((p) => p.employees.map((e) => e.id)), ["E1000", "E1001", "E1002", "E1003", "E1004", "E1005"]);
  assert.deepEqual(all.urls, [at(0), at(2), at(4)]);
  assert.deepEqual(all.accept, ["application/json", "application/json", "application/json"]);
  assert.deepEqual(all.ids, all.sentIds, "correlationId(page) is the id that page was fetched with");
  for (const [href, origin] of [["https://evil.example/mobproc/v1/employees?offset=2", "https://evil.example"], ["http://api.example.test/mobproc/v1/employees?offset=2", "http://api.example.test"], ["//api.example.test.evil.example/e", "https://api.example.test.evil.example"]]) {
    const foreign = await walk(page, { 0: href });
    assert.equal(foreign.error?.code, "origin_not_allowed", href);
    assert.equal(foreign.error.origin, origin);
    assert.equal(foreign.pages.length, 1, "the first page is yielded before the check");
    assert.deepEqual(foreign.urls, [at(0)], "nothing was sent to the foreign origin");
  }
  const loop = await walk(page, { 0: at(2), 2: at(0) });
  assert.equal(loop.error?.code, "pagination_loop");
  assert.equal(loop.error.href, at(0));
  assert.equal(loop.pages.length, 2);
  assert.equal(loop.urls.length, 2, "the first page is not fetched again");
  // Asked for without offset, the first page is named by its _meta.href, which counts as fetched.
  const canonical = await walk(page, { 0: at(2), 2: at(0) }, { limit: 2 });
  assert.equal(canonical.error?.code, "pagination_loop");
  assert.deepEqual(canonical.urls, [`${API}/employees?limit=2`, at(2)], "page 1 is not fetched a second time by its canonical name");
  // A generator that threw only on next() would come back here as a value, not an error.
  const bad = await page.evaluate(async () => {
    const [before, out] = [calls.length, []];
    for (const options of [{ limit: 0 }, { limit: 1.5 }, { limit: "10" }, { offset: -1 }, { offset: 0.5 }]) {
      const { error } = await attempt(() => client.paginate("/employees", options));
      out.push([error?.code, error?.field]);
    }
    return { out, sent: calls.length - before };
  });
  const [limit, offset] = [["config_invalid", "limit"], ["config_invalid", "offset"]];
  assert.deepEqual(bad.out, [limit, limit, limit, offset, offset], "thrown by paginate() itself");
  assert.equal(bad.sent, 0);
  await context.close();
});

test("no error carries the access token", async () => {
  const { page, context } = await signedIn({ context: { employeeId: "E1" } });
  const errors = await page.evaluate(async (api) => {
    window.reply = (request, url) => {
      if (url.pathname.endsWith("/down")) throw new TypeError("Failed to fetch");
      if (url.pathname.endsWith("/html")) return new Response("<p>oops</p>", { status: 500 });
      return window.json({ status: 404, id: "i", errorCode: "404-Employee-Not-Found", message: "no such employee" }, 404, { "retry-after": "1" });
    };
    const outcomes = [
      await attempt(() => client.fetchJson("/missing")),
      await attempt(() => client.fetchJson("/html")),
      await attempt(() => client.fetch("/down")),
      await attempt(() => client.fetch("https://evil.example/x")),
      await attempt(() => client.fetch("/x", { context: { employeeId: "bad\r\n" } })),
      await attempt(() => client.fetch("/x", { headers: { "X-Bad": "a\nb" } })),
      await attempt(() => client.fetchJson("/x", { json: {}, body: "b" })),
      await attempt(() => client.setContext({ hierarchyId: "" })),
    ];
    window.reply = () => window.json({ _meta: { hrefNext: "https://evil.example/p2" } });
    outcomes.push(await attempt(() => drain("/employees")));
    window.reply = () => window.json({ _meta: { hrefNext: `${api}/employees` } });
    outcomes.push(await attempt(() => drain("/employees")));
    // A 401 without a refresh token: api_error, and the session is gone.
    window.reply = () => window.json({ message: "Unauthorized" }, 401);
    outcomes.push(await attempt(() => client.fetchJson("/gone")), await attempt(() => client.fetch("/after-expiry")));
    return outcomes.map((o) => o.error ?? "no error");
  }, API);
  const codes = errors.map((e) => e.code);
  assert.deepEqual(codes, ["api_error", "api_error", "network_error", "origin_not_allowed", "config_invalid", "invalid_request", "invalid_request", "config_invalid", "origin_not_allowed", "pagination_loop", "api_error", "not_authenticated"]);
  for (const e of errors) assert.ok(!JSON.stringify(e).includes(TOKEN), `token in ${e.code}: ${JSON.stringify(e)}`);
  await context.close();
});

test("an answer that echoes the request (a proxy's or framework's error page): no error quotes the token, as it is or escaped (JSON, HTML references, percent-encoding, a reason phrase)", async () => {
  const { page, context } = await signedIn();
  const errors = await page.evaluate(async () => {
    const bearer = (request) => request.headers.get("authorization");
    const token = (request) => bearer(request).slice("Bearer ".length);
    window.reply = (request, url) => {
      switch (url.pathname.split("/").pop()) {
        case "html":
          return new Response(`<pre>GET ${url.pathname}\nauthorization: ${bearer(request)}</pre>`, { status: 400 });
        case "json":
          return window.json({ status: 400, id: token(request), errorCode: `E-${token(request)}`, message: `bad token ${token(request)}` }, 400);
        case "escaped":
          return new Response(`{"message":"bad token ${token(request).replaceAll("/", "\\/")}"}`, { status: 400 });
        case "unicode":
          return new Response(`{"message":"bad token ${token(request).replaceAll("+", "\\u002B").replaceAll("/", "\\u002F")}"}`, { status: 400 });
        case "other-shape":
          return new Response(`{"detail":"bad token ${token(request).replaceAll("+", "\\u002B")}"}`, { status: 400 });
        // Escaped as error pages outside JSON write it: Go's html/template (`&#43;`), an
        // encoder that writes hex or named references, percent-encoding, JSON quoted in JSON.
        case "entities":
          return new Response(`<p>bad token ${token(request).replaceAll("+", "&#43;")}</p>`, { status: 400 });
        case "hex-references":
          return new Response(`<p>bad token ${token(request).replace(/[+/=~]/g, (c) => `&#x${c.charCodeAt(0).toString(16)};`)}</p>`, { status: 400 });
        case "named-references":
          return new Response(`<p>bad token ${token(request).replaceAll("+", "&plus;").replaceAll("/", "&sol;").replaceAll("=", "&equals;")}</p>`, { status: 400 });
        case "percent":
          return new Response(`GET /x?access_token=${encodeURIComponent(token(request))}`, { status: 400 });
        case "nested":
          return new Response(JSON.stringify({ detail: JSON.stringify({ authorization: bearer(request) }).replaceAll("/", "\\/") }), { status: 400 });
        case "reason":
          return new Response(null, { status: 400, statusText: `Bad token ${token(request)}` });
        default:
          return new Response(`echo: ${bearer(request)}`, { status: 200 });
      }
    };
    const outcomes = [];
    for (const path of ["/html", "/json", "/escaped", "/unicode", "/other-shape", "/ok", "/entities", "/hex-references", "/named-references", "/percent", "/nested", "/reason"]) outcomes.push(await attempt(() => client.fetchJson(path)));
    window.reply = (request) => new Response(`denied for ${bearer(request)}`, { status: 403 });
    outcomes.push(await attempt(() => drain("/employees")));
    return outcomes.map((o) => o.error ?? "no error");
  });
  assert.deepEqual(errors.map((e) => e.code), Array(13).fill("api_error"));
  // And what any escaped form has: the token's text up to its first escapable character.
  const escaped = [TOKEN, TOKEN.replaceAll("/", "\\/"), TOKEN.replaceAll("+", "\\u002B").replaceAll("/", "\\u002F"), TOKEN.replaceAll("+", "\\u002B"), TOKEN.slice(0, TOKEN.indexOf("~"))];
  for (const e of errors) {
    for (const [field, value] of Object.entries(e)) {
      if (typeof value !== "string") continue;
      for (const form of escaped) assert.ok(!value.includes(form), `the token in ${field}: ${value}`);
    }
    assert.match(`${e.message} ${e.body}`, /\[redacted\]/, "what stood there is said");
  }
  assert.equal(errors[1].apiMessage, "bad token [redacted]");
  assert.equal(errors[1].id, "[redacted]");
  assert.equal(errors[3].apiMessage, "bad token [redacted]", "\\u-escaped in the JSON");
  assert.equal(errors[4].body, '{"detail":"bad token [redacted]"}', "quoted as JSON writes it plainly");
  assert.deepEqual(errors.slice(6, 10).map((e) => e.body), ["<p>bad token [redacted]</p>", "<p>bad token [redacted]</p>", "<p>bad token [redacted]</p>", "GET /x?access_token=[redacted]"]);
  assert.equal(errors[10].body, '{"detail":"{\\"authorization\\":\\"Bearer [redacted]\\"}"}');
  assert.match(errors[11].message, /HTTP 400: Bad token \[redacted\]$/);
  await context.close();
});

test("URLs that cannot carry the token: a user name or password is refused without quoting it, a blob: URL is named by its scheme, in fetch and in paginate", async () => {
  const { page, context } = await signedIn();
  const out = await page.evaluate(async (api) => {
    const credentials = `${api.replace("https://", "https://user:hunter2@")}/x`;
    const fetched = [await attempt(() => client.fetch(credentials)), await attempt(() => client.fetchJson(credentials)), await attempt(() => client.fetch(`blob:${api}/x`))];
    window.reply = () => window.json({ _meta: { hrefNext: credentials } });
    const walked = await attempt(() => drain("/employees"));
    window.reply = () => window.json({ _meta: { hrefNext: `blob:${api}/p2` } });
    const blob = await attempt(() => drain("/employees"));
    return { errors: [...fetched, walked, blob].map((o) => o.error), sent: calls.map((c) => c.url) };
  }, API);
  assert.deepEqual(out.errors.map((e) => e.code), ["invalid_request", "invalid_request", "origin_not_allowed", "invalid_request", "origin_not_allowed"]);
  for (const e of out.errors) assert.doesNotMatch(JSON.stringify(e), /hunter2/, e.message);
  assert.equal(out.errors[2].origin, "blob:", "not the API origin inside it, which is allowed");
  assert.equal(out.errors[4].origin, "blob:");
  assert.deepEqual(out.sent, [`${API}/employees`, `${API}/employees`], "only the first pages were sent");
  await context.close();
});

test("a Request made from a path resolves against the page: refused, and the message points at the string path rather than at allowing the page's origin", async () => {
  const { page, context } = await signedIn();
  const out = await page.evaluate(async () => {
    const relative = await attempt(() => client.fetch(new Request("/orders")));
    const foreign = await attempt(() => client.fetch("https://evil.example/orders"));
    const byPath = await attempt(() => client.fetch("/orders"));
    const pageUrl = await attempt(() => client.fetch(`${location.origin}/orders`));
    return { relative: relative.error, foreign: foreign.error, byPath: byPath.error ?? null, pageUrl: pageUrl.error, page: location.origin, sent: calls.map((c) => c.url) };
  });
  assert.equal(out.relative.code, "origin_not_allowed");
  assert.equal(out.relative.origin, out.page);
  assert.match(out.relative.message, /this page.s: .*give the path as a string.*only if it should receive the token/);
  assert.doesNotMatch(out.relative.message, /\(add it to/);
  assert.match(out.foreign.message, /\(add it to `allowedOrigins`/);
  // The page's origin given as a string URL is no Request's relative URL: the usual message.
  assert.equal(out.pageUrl.origin, out.page);
  assert.match(out.pageUrl.message, /\(add it to `allowedOrigins`/);
  assert.equal(out.byPath, null, "the same path as a string joins apiBaseUrl and is sent");
  assert.deepEqual(out.sent, [`${API}/orders`]);
  await context.close();
});

test("requests refuse redirects unless the caller asks for manual, and a redirect mode fetch would refuse is invalid_request; a fetch that resolves no Response is network_error; an oversized string is invalid_request for a request, config_invalid naming the field for a setting", async () => {
  const { page, context } = await signedIn();
  const out = await page.evaluate(async () => {
    const modes = [];
    for (const init of [undefined, { redirect: "follow" }, { redirect: "manual" }]) {
      await client.fetch("/ping", init);
      modes.push(calls.at(-1).redirect);
    }
    await client.fetch(new Request("https://api.example.test/mobproc/v1/x", { redirect: "manual" }));
    modes.push(calls.at(-1).redirect);
    // A value fetch itself would refuse is said, not taken as "error"; nothing is sent.
    const sentBefore = calls.length;
    const bad = [];
    for (const redirect of ["nope", null, "MANUAL"]) {
      bad.push((await attempt(() => client.fetch("/ping", { redirect }))).error);
    }
    bad.push((await attempt(() => client.fetchJson("/ping", { redirect: "nope" }))).error);
    const badModes = bad.map((e) => [e?.code, e?.mobproc, e?.message]);
    const badSent = calls.length - sentBefore;
    globalThis.fetch = async () => undefined;
    const notResponse = await attempt(() => client.fetch("/ping"));
    const huge = "x".repeat(1 << 23);
    const oversized = [await attempt(() => client.setContext({ employeeId: huge })), await attempt(() => client.fetch(huge)), await attempt(() => window.mobproc.createClient({ clientId: huge, tenant: "XYZ", apiBaseUrl: "https://a.example" }))];
    return { modes, badModes, badSent, notResponse: notResponse.error, oversized: oversized.map((o) => [o.error?.code, o.error?.field, o.error?.mobproc]) };
  });
  assert.deepEqual(out.modes, ["error", "error", "manual", "manual"], "a followed redirect would carry the headers to any origin");
  const refused = ["invalid_request", true, 'invalid request: init.redirect is not "follow", "error" or "manual"; the request was not sent'];
  assert.deepEqual(out.badModes, [refused, refused, refused, refused], "redirect: nope, null, MANUAL (fetch refuses each), and fetchJson's nope");
  assert.equal(out.badSent, 0, "nothing was sent for them");
  assert.deepEqual([out.notResponse?.code, out.notResponse?.mobproc], ["network_error", true]);
  assert.match(out.notResponse.correlationId, UUID_V4);
  assert.deepEqual(out.oversized, [["config_invalid", "context.employeeId", true], ["invalid_request", undefined, true], ["config_invalid", "clientId", true]]);
  await context.close();
});

test("paginate: a hrefNext that is not a string is api_error, an empty one ends the walk, maxPages stops a server that never ends", async () => {
  const { page, context } = await signedIn();
  const out = await page.evaluate(async () => {
    const walk = async (next, options) => {
      let n = 0;
      const reply = () => window.json({ _meta: { hrefNext: typeof next === "function" ? next(++n) : next }, employees: [] });
      const { pages, sent, error } = await walkWith(reply, "/employees", options);
      return { pages, sent, code: error?.code, href: error?.href };
    };
    return {
      notString: await walk({}),
      falsy: await walk(false),
      empty: await walk(""),
      endless: await walk((n) => `https://api.example.test/mobproc/v1/employees?page=${n}`, { maxPages: 5 }),
      badMax: (await attempt(() => client.paginate("/employees", { maxPages: 0 }))).error?.field,
    };
  });
  assert.deepEqual(out.notString, { pages: 1, sent: 1, code: "api_error", href: undefined });
  assert.deepEqual(out.falsy, { pages: 1, sent: 1, code: "api_error", href: undefined });
  assert.deepEqual(out.empty, { pages: 1, sent: 1, code: undefined, href: undefined });
  assert.deepEqual(out.endless, { pages: 5, sent: 5, code: "pagination_loop", href: "https://api.example.test/mobproc/v1/employees?page=5" });
  assert.equal(out.badMax, "maxPages");
  await context.close();
});

test("network_error on a cross-origin call without detail names CORS and both origins; a same-origin one does not", async () => {
  const { page, context } = await signedIn({ allowedOrigins: [shared.server.origin] });
  const out = await page.evaluate(async () => {
    globalThis.fetch = async () => { throw new TypeError("Failed to fetch"); };
    const cross = await window.attempt(() => window.client.fetch("/ping"));
    const same = await window.attempt(() => window.client.fetch(`${location.origin}/ping`));
    return { cross: cross.error, same: same.error, page: location.origin };
  });
  assert.equal(out.cross.code, "network_error");
  assert.match(out.cross.message, /^network error: Failed to fetch \(the browser gives no detail: if https:\/\/api\.example\.test is up, CORS is the likely cause/);
  assert.ok(out.cross.message.includes(out.page), "the page's origin is named");
  assert.ok(out.cross.correlationId, "the correlation id is kept");
  assert.equal(out.same.code, "network_error");
  assert.equal(out.same.message, "network error: Failed to fetch");
  await context.close();
});

test("paginate: a link that differs only by its #fragment is the same page (pagination_loop, also from a start path with one); a page that is not a JSON object (null, a number, an array), or a link longer than 8192 characters, is api_error with the page's correlation id; paginate is bound to its client", async () => {
  const { page, context } = await signedIn();
  const out = await page.evaluate(async () => {
    const walk = async (reply, path) => {
      const { pages, sent, error } = await walkWith(reply, path);
      return { pages, sent, code: error?.code, message: error?.message?.slice(0, 120), correlation: error?.correlationId === calls.at(-1)?.headers["x-tngo-context-correlationid"], status: error && "status" in error ? error.status : "none" };
    };
    const long = `${"https://api.example.test/mobproc/v1/employees?pad="}${"x".repeat(8200)}`;
    const result = {
      fragment: await walk((request, url) => window.json({ _meta: { hrefNext: `${url.origin}${url.pathname}#n${calls.length}` }, employees: [] })),
      startFragment: await walk((request, url) => window.json({ _meta: { hrefNext: `${url.origin}${url.pathname}` }, employees: [] }), "/employees#top"),
      nullPage: await walk(() => new Response(null, { status: 204 })),
      numberPage: await walk(() => window.json(5)),
      arrayPage: await walk(() => window.json([1, 2])),
      longNext: await walk(() => window.json({ _meta: { hrefNext: long }, employees: [] })),
      // Short as sent, over 8192 characters once parsed (each "é" percent-encoded to six).
      encodedNext: await walk(() => window.json({ _meta: { hrefNext: `/mobproc/v1/employees?q=${"é".repeat(1400)}` }, employees: [] })),
    };
    const { paginate } = client;
    window.reply = () => window.json({ _meta: {}, employees: [1] });
    result.unbound = await attempt(async () => {
      const counts = [];
      for await (const p of paginate("/employees")) counts.push(p.employees.length);
      return counts;
    });
    return result;
  });
  assert.deepEqual(out.fragment, { pages: 1, sent: 1, code: "pagination_loop", message: out.fragment.message, correlation: false, status: "none" });
  assert.match(out.fragment.message, /employees/);
  assert.deepEqual(out.startFragment, { ...out.fragment, message: out.startFragment.message }, "the start path's fragment is dropped too");
  // No status: the page answered 2xx, and an error's status is a refusal's.
  assert.deepEqual(out.nullPage, { pages: 0, sent: 1, code: "api_error", message: "Tangoe API error: a page is not a JSON object", correlation: true, status: "none" });
  assert.deepEqual(out.numberPage, { ...out.nullPage });
  assert.deepEqual(out.arrayPage, { ...out.nullPage }, "an array is no page object either");
  const tooLong = { pages: 1, sent: 1, code: "api_error", message: "Tangoe API error: `_meta.hrefNext` is not a URL of at most 8192 characters (string)", correlation: true, status: "none" };
  assert.deepEqual(out.longNext, tooLong);
  assert.deepEqual(out.encodedNext, tooLong);
  assert.deepEqual(out.unbound, { value: [1] }, "paginate handed on alone still walks its client's pages");
  await context.close();
});

test("fetchJson: Tangoe's message, errorCode and id are kept to their first 1000 characters (a hostile answer's megabytes stay out of the module and the error)", async () => {
  const { page, context } = await signedIn();
  const out = await page.evaluate(async () => {
    const big = "m".repeat(2_000_000);
    window.reply = () => window.json({ status: 500, id: `i${big}`, errorCode: `c${big}`, message: `M${big}` }, 500);
    const { error } = await attempt(() => client.fetchJson("/x"));
    return { code: error.code, lengths: [error.apiMessage.length, error.errorCode.length, error.id.length], message: error.message.length, starts: [error.apiMessage[0], error.errorCode[0], error.id[0]] };
  });
  assert.deepEqual(out, { code: "api_error", lengths: [1000, 1000, 1000], message: out.message, starts: ["M", "c", "i"] });
  assert.ok(out.message < 2200, `the message quotes the clipped fields (${out.message})`);
  await context.close();
});
