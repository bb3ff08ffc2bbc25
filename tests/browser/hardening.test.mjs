// Hardening (issue 7) through the real package in Chromium: hostile sign-in responses and token
// endpoint answers leave nothing stored and an existing session untouched; every export called
// with garbage throws a MobprocError and never a wasm trap or a stray TypeError; a sessionStorage
// that throws keeps the session in memory and says so once. The same response rows are checked
// natively, code by code, in tests/hostile_input.rs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { config, goto, openPage, useServerAndBrowser } from "./harness.mjs";

const KEY = "mobproc-auth:portal-demo:XYZ";
const TOKEN_URL = "https://oauth.example.test/as/token.oauth2";

const shared = useServerAndBrowser();

/** `STATE` in a row is replaced by the state of a sign-in started just before. */
const GOOD = "access_token=tok.A-1&token_type=Bearer&expires_in=3600";
const HUGE = "a".repeat(100 * 1024);
const ROWS = [
  ["missing access_token", "token_type=Bearer&expires_in=3600&state=STATE", "invalid_callback"],
  ["access_token with CR LF", "access_token=a%0D%0AX-Evil:%201&token_type=Bearer&expires_in=3600&state=STATE", "invalid_callback"],
  ["expires_in absent", "access_token=tok&token_type=Bearer&state=STATE", "invalid_callback"],
  ["expires_in zero", "access_token=tok&token_type=Bearer&expires_in=0&state=STATE", "invalid_callback"],
  ["expires_in negative", "access_token=tok&token_type=Bearer&expires_in=-60&state=STATE", "invalid_callback"],
  ["expires_in fractional", "access_token=tok&token_type=Bearer&expires_in=59.5&state=STATE", "invalid_callback"],
  ["expires_in not a number", "access_token=tok&token_type=Bearer&expires_in=soon&state=STATE", "invalid_callback"],
  ["token_type missing", "access_token=tok&expires_in=3600&state=STATE", "invalid_callback"],
  ["token_type mac", "access_token=tok&token_type=mac&expires_in=3600&state=STATE", "invalid_callback"],
  ["access_token twice", "access_token=a&access_token=b&token_type=Bearer&expires_in=3600&state=STATE", "invalid_callback"],
  ["state twice", `${GOOD}&state=STATE&state=STATE`, "invalid_callback"],
  ["bad percent-encoding", "access_token=%zz&token_type=Bearer&expires_in=3600&state=STATE", "invalid_callback"],
  ["percent-encoded non-ASCII", "access_token=tok%C3%A9&token_type=Bearer&expires_in=3600&state=STATE", "invalid_callback"],
  ["a 100 KB fragment", `access_token=${HUGE}&token_type=Bearer&expires_in=3600&state=STATE`, "invalid_callback"],
  ["state missing", GOOD, "state_mismatch"],
  ["state empty", `${GOOD}&state=`, "state_mismatch"],
  ["state unknown", `${GOOD}&state=someone-elses-state`, "state_mismatch"],
  ["state with a suffix", `${GOOD}&state=STATEx`, "state_mismatch"],
  ["error, state unknown", "error=access_denied&state=other", "state_mismatch"],
  ["error without description", "error=access_denied&state=STATE", "authorization_denied"],
  ["error with description", "error=access_denied&error_description=The+user+cancelled&state=STATE", "authorization_denied"],
  ["error with a 100 KB description", `error=access_denied&error_description=${HUGE}&state=STATE`, "authorization_denied"],
];

/** A page signed in through a real callback, with a refresh token, and `window.client`. */
async function signedIn(extra = {}) {
  const cfg = config(shared.server.origin, { tokenUrl: TOKEN_URL, ...extra });
  const opened = await openPage(shared.browser, `${shared.server.origin}/app/`);
  const url = await opened.page.evaluate(async (cfg) => (await window.mobproc.createClient(cfg)).authorizeUrl(), cfg);
  const state = new URL(url).searchParams.get("state");
  await goto(opened.page, `${shared.server.origin}/app/#access_token=old.token&token_type=Bearer&expires_in=3600&refresh_token=r1&state=${state}`);
  await opened.page.evaluate(async (cfg) => {
    window.client = await window.mobproc.createClient(cfg);
    await window.client.handleRedirectCallback();
  }, cfg);
  return { ...opened, cfg };
}

test("hostile sign-in responses: the documented code, nothing stored, the existing session untouched", async () => {
  const { page, context } = await signedIn();
  const out = await page.evaluate(
    async ([rows, key]) => {
      const { client } = window;
      const before = sessionStorage.getItem(key);
      const results = [];
      for (const [what, template, expected] of rows) {
        const events = [];
        const off = client.on("sessionChanged", (s) => events.push(s));
        const state = new URL(client.authorizeUrl({ returnTo: "/orders" })).searchParams.get("state");
        history.replaceState(null, "", `/app/callback?q=1#${template.replaceAll("STATE", state)}`);
        let code = "ok", isMobprocError = null, description;
        try {
          await client.handleRedirectCallback();
        } catch (e) {
          code = e.code;
          isMobprocError = e instanceof window.mobproc.MobprocError;
          description = e.oauthErrorDescription?.length;
        }
        off();
        results.push({
          what, expected, code, isMobprocError, description, events: events.length,
          href: location.pathname + location.search + location.hash,
          record: sessionStorage.getItem(key) === before,
          keys: Object.keys(sessionStorage),
          localStorage: localStorage.length, cookie: document.cookie,
          token: client.accessToken(),
        });
      }
      return results;
    },
    [ROWS, KEY],
  );
  for (const r of out) {
    assert.equal(r.code, r.expected, r.what);
    assert.equal(r.isMobprocError, true, r.what);
    assert.equal(r.events, 0, `${r.what}: no sessionChanged`);
    assert.equal(r.record, true, `${r.what}: the stored record is untouched`);
    assert.equal(r.token, "old.token", `${r.what}: the session still works`);
    // An answer that does not name the pending state (another, none, or a fragment that cannot
    // be read for it) leaves the pending sign-in for its own answer.
    const unread = ["state twice", "bad percent-encoding", "percent-encoded non-ASCII"];
    const pending = r.expected === "state_mismatch" || unread.includes(r.what) ? [KEY, `${KEY}.pending`] : [KEY];
    assert.deepEqual(r.keys.sort(), pending, `${r.what}: the pending sign-in is used up only by its own answer, nothing else is stored`);
    assert.equal(r.localStorage, 0, r.what);
    assert.equal(r.cookie, "", r.what);
    assert.equal(r.href, "/app/callback?q=1", `${r.what}: the response is gone from the URL, path and query kept`);
    if (r.what.includes("100 KB description")) assert.ok(r.description <= 500, "the description is cut");
  }
  await context.close();
});

test("a forged answer (another state) does not use up the pending sign-in: the real answer that follows still signs in", async () => {
  const { page, context } = await openPage(shared.browser, `${shared.server.origin}/app/`);
  const out = await page.evaluate(async (cfg) => {
    const client = await window.mobproc.createClient(cfg);
    const state = new URL(client.authorizeUrl({ returnTo: "/orders" })).searchParams.get("state");
    const answer = (s) => history.replaceState(null, "", `/app/callback#access_token=tok.${s}&token_type=Bearer&expires_in=3600&state=${s}`);
    answer("forged-state");
    const forged = await client.handleRedirectCallback().then(() => "resolved", (e) => e.code);
    answer(state);
    const real = await client.handleRedirectCallback().then((v) => v, (e) => e.code);
    return { forged, real, token: client.accessToken(), state };
  }, config(shared.server.origin));
  assert.deepEqual(out, { forged: "state_mismatch", real: { returnTo: "/orders" }, token: `tok.${out.state}`, state: out.state });
  await context.close();
});

test("a replayed response and returnTo tricks", async () => {
  const { page, context } = await signedIn();
  const out = await page.evaluate(
    async ([good, key]) => {
      const { client } = window;
      const run = async () => {
        try {
          return { result: await client.handleRedirectCallback() };
        } catch (e) {
          return { code: e.code };
        }
      };
      // A good response, used once, then replayed: the second use finds no pending sign-in.
      const state = new URL(client.authorizeUrl()).searchParams.get("state");
      const fragment = `${good.replace("tok.A-1", "fresh")}&state=${state}`;
      history.replaceState(null, "", `/app/callback#${fragment}`);
      const first = await run();
      const afterFirst = sessionStorage.getItem(key);
      history.replaceState(null, "", `/app/callback#${fragment}`);
      const replay = await run();
      const replayUntouched = sessionStorage.getItem(key) === afterFirst && client.accessToken() === "fresh";
      // A replay after a newer sign-in started: still refused, and the newer pending one is kept
      // for its own answer (the replay names the old state).
      client.authorizeUrl();
      const newer = sessionStorage.getItem(`${key}.pending`);
      history.replaceState(null, "", `/app/callback#${fragment}`);
      const replayAfterNewer = await run();
      const newerKept = newer !== null && sessionStorage.getItem(`${key}.pending`) === newer;
      // returnTo tricks are dropped at authorizeUrl; the sign-in itself still works.
      const tricks = [];
      for (const returnTo of ["//evil.example", "https://evil.example", "javascript:alert(1)", "/\\evil.example", "/orders?id=7"]) {
        const s = new URL(client.authorizeUrl({ returnTo })).searchParams.get("state");
        const pending = JSON.parse(sessionStorage.getItem(`${key}.pending`));
        history.replaceState(null, "", `/app/callback#${good}&state=${s}`);
        tricks.push({ returnTo, pending: pending.returnTo, result: await run() });
      }
      // Tampered pending record (returnTo written straight into storage): sanitised again on use.
      const s = new URL(client.authorizeUrl()).searchParams.get("state");
      sessionStorage.setItem(`${key}.pending`, JSON.stringify({ state: s, returnTo: "//evil.example" }));
      history.replaceState(null, "", `/app/callback#${good}&state=${s}`);
      const tampered = await run();
      return { first, replay, replayUntouched, replayAfterNewer, newerKept, tricks, tampered, keys: Object.keys(sessionStorage) };
    },
    [GOOD, KEY],
  );
  assert.deepEqual(out.first, { result: { returnTo: null } });
  assert.deepEqual(out.replay, { code: "state_mismatch" });
  assert.equal(out.replayUntouched, true);
  assert.deepEqual(out.replayAfterNewer, { code: "state_mismatch" });
  assert.equal(out.newerKept, true, "the newer pending sign-in waits for its own answer");
  for (const t of out.tricks) {
    const kept = t.returnTo === "/orders?id=7" ? t.returnTo : null;
    assert.equal(t.pending, kept, t.returnTo);
    assert.deepEqual(t.result, { result: { returnTo: kept } }, t.returnTo);
  }
  assert.deepEqual(out.tampered, { result: { returnTo: null } });
  assert.deepEqual(out.keys, [KEY]);
  await context.close();
});

test("token endpoint answers that are not a token: refresh_failed, the session unchanged", async () => {
  const { page, context } = await signedIn();
  const out = await page.evaluate(
    async ([key, tokenUrl]) => {
      const { client } = window;
      const answers = {
        "HTML instead of JSON": () => new Response("<!doctype html><title>Sign in</title><p>maintenance</p>", { status: 200, headers: { "content-type": "text/html" } }),
        "JSON without access_token": () => Response.json({ token_type: "Bearer", expires_in: 3600, refresh_token: "r2" }),
        "JSON with token_type mac": () => Response.json({ access_token: "new", token_type: "mac", expires_in: 3600 }),
        "JSON with expires_in as text": () => Response.json({ access_token: "new", token_type: "Bearer", expires_in: "soon" }),
        // Digits in a string are taken (the next test); anything else in one is not.
        "JSON with expires_in \"0\"": () => Response.json({ access_token: "new", token_type: "Bearer", expires_in: "0" }),
        "JSON with expires_in \"1.5\"": () => Response.json({ access_token: "new", token_type: "Bearer", expires_in: "1.5" }),
        "JSON with expires_in \"-60\"": () => Response.json({ access_token: "new", token_type: "Bearer", expires_in: "-60" }),
        // Read only up to 64 characters (a hostile answer's megabytes stay out of the module).
        "JSON with expires_in of 65 digits": () => Response.json({ access_token: "new", token_type: "Bearer", expires_in: "1".repeat(65) }),
        "JSON with a header-breaking token": () => Response.json({ access_token: "new\r\nX-Evil: 1", token_type: "Bearer", expires_in: 3600 }),
        "JSON array": () => Response.json([{ access_token: "new" }]),
        "JSON null": () => Response.json(null),
        "empty 200": () => new Response("", { status: 200 }),
        "HTML 500": () => new Response("<h1>Internal Server Error</h1>", { status: 500, headers: { "content-type": "text/html" } }),
        "huge garbage": () => new Response("{".repeat(1 << 20), { status: 200 }),
      };
      const before = sessionStorage.getItem(key);
      const events = [];
      client.on("sessionChanged", (s) => events.push(s));
      const results = [];
      const realFetch = globalThis.fetch;
      for (const [what, answer] of Object.entries(answers)) {
        let sent = 0;
        globalThis.fetch = async (input, init) => {
          const request = new Request(input, init);
          if (request.url !== tokenUrl) throw new Error(`unexpected request to ${request.url}`);
          sent++;
          return answer();
        };
        let code = "ok", isMobprocError = null, message;
        try {
          await client.refresh();
        } catch (e) {
          code = e.code;
          isMobprocError = e instanceof window.mobproc.MobprocError;
          message = e.message;
        }
        results.push({ what, code, isMobprocError, sent, message, same: sessionStorage.getItem(key) === before, token: client.accessToken(), keys: Object.keys(sessionStorage) });
      }
      globalThis.fetch = realFetch;
      return { results, events: events.length };
    },
    [KEY, TOKEN_URL],
  );
  for (const r of out.results) {
    assert.equal(r.code, "refresh_failed", `${r.what}: ${r.message}`);
    assert.equal(r.isMobprocError, true, r.what);
    assert.equal(r.sent, 1, r.what);
    assert.equal(r.same, true, `${r.what}: the stored record is unchanged`);
    assert.equal(r.token, "old.token", r.what);
    assert.deepEqual(r.keys, [KEY], r.what);
    assert.doesNotMatch(r.message, /old\.token|r1\b/, `${r.what}: no token in the message`);
  }
  assert.equal(out.events, 0, "no sessionChanged");
  await context.close();
});

test("a token answer whose expires_in is digits in a string (\"7199\", as some gateways send it) is taken: the rotated refresh token is not lost", async () => {
  const { page, context } = await signedIn();
  const out = await page.evaluate(async ([key, tokenUrl]) => {
    const realFetch = globalThis.fetch;
    globalThis.fetch = async (input, init) => {
      if (new Request(input, init).url !== tokenUrl) return realFetch(input, init);
      return Response.json({ token_type: "Bearer", expires_in: "7199", refresh_token: "r2", access_token: "new" });
    };
    const before = Date.now();
    const session = await window.client.refresh();
    globalThis.fetch = realFetch;
    const record = JSON.parse(sessionStorage.getItem(key));
    return { left: Math.round((session.expiresAt - before) / 1000), token: window.client.accessToken(), refreshToken: record.refreshToken };
  }, [KEY, TOKEN_URL]);
  assert.ok(out.left >= 7198 && out.left <= 7200, `expires in 7199 s (${out.left})`);
  assert.deepEqual([out.token, out.refreshToken], ["new", "r2"]);
  await context.close();
});

test("every export called with garbage: a MobprocError or a documented result, never a trap or a TypeError; the module keeps working", async () => {
  const { page, context, cfg } = await signedIn();
  // login() navigates; a 204 answer makes the browser stay on the page (an aborted navigation
  // would show Chromium's error page, which may commit before the test's evaluate returns).
  await page.route(/\/authorize/, (route) => route.fulfill({ status: 204 }));
  const out = await page.evaluate(
    async ([cfg, key]) => {
      const { createClient, MobprocError } = window.mobproc;
      const huge = "x".repeat(1 << 20);
      const thrower = (what) => new Proxy({}, Object.fromEntries(["get", "has", "ownKeys", "getOwnPropertyDescriptor", "getPrototypeOf", "apply", "construct"].map((t) => [t, () => { throw what; }])));
      const revoked = Proxy.revocable({}, {});
      revoked.revoke();
      const garbage = {
        undefined: undefined, null: null, true: true, zero: 0, negative: -1, NaN: NaN, Infinity: Infinity, bigint: 10n,
        empty: "", huge, hugeUnicode: "é".repeat(1 << 19), nul: "a\0b", crlf: "a\r\nb", lone: "\uD800",
        symbol: Symbol("s"), function: () => "x", array: [], arrayOfHuge: [huge], date: new Date(0), regexp: /x/,
        object: {}, nullProto: Object.create(null), map: new Map([["clientId", "x"]]),
        getterThrowsError: { get clientId() { throw new Error("getter"); }, get returnTo() { throw new Error("getter"); } },
        getterThrowsSymbol: { get clientId() { throw Symbol("boom"); }, get returnTo() { throw Symbol("boom"); } },
        proxyThrowsError: thrower(new Error("trap")),
        proxyThrowsNull: thrower(null),
        revokedProxy: revoked.proxy,
        toStringThrows: { toString() { throw new Error("toString"); }, valueOf() { throw new Error("valueOf"); } },
        toPrimitiveSymbol: { [Symbol.toPrimitive]() { return Symbol("p"); } },
        url: new URL("https://evil.example/x"),
        request: new Request("https://evil.example/x"),
      };
      const describe = (e) => ({ mobproc: e instanceof MobprocError, name: e?.constructor?.name ?? typeof e, code: e?.code, message: String(e?.message ?? "").slice(0, 200) });
      const bad = [];
      const seen = new Map();
      const call = async (label, fn) => {
        let outcome;
        try {
          const value = await fn();
          outcome = value === null || ["undefined", "string", "boolean", "function"].includes(typeof value) || value instanceof Response || typeof value === "object" ? "ok" : `returned ${typeof value}`;
        } catch (e) {
          const d = describe(e);
          outcome = d.mobproc ? d.code : `${d.name}: ${d.message}`;
          if (!d.mobproc) bad.push(`${label}: ${d.name}: ${d.message}`);
        }
        seen.set(outcome, (seen.get(outcome) ?? 0) + 1);
        return outcome;
      };

      // createClient: the whole config, then each field in turn.
      for (const [name, value] of Object.entries(garbage)) await call(`createClient(${name})`, () => createClient(value));
      // A config whose field getter throws (an Error, a Symbol, null) or that is a Proxy around a good one.
      for (const [name, thrown] of [["Error", new Error("getter")], ["Symbol", Symbol("boom")], ["null", null]]) {
        await call(`createClient({...cfg, get clientId() throws ${name}})`, () => createClient({ ...cfg, get clientId() { throw thrown; } }));
      }
      await call("createClient(Proxy(cfg))", () => createClient(new Proxy({ ...cfg }, {})));
      const fields = ["clientId", "tenant", "apiBaseUrl", "authorizeUrl", "redirectUri", "scope", "allowedOrigins", "storageKey", "tokenUrl", "validateUrl", "revokeUrl", "clientSecret", "clientAuth", "refreshSkewSeconds", "timeoutMs", "context", "activityId", "unknownOption"];
      for (const field of fields) {
        for (const [name, value] of Object.entries(garbage)) await call(`createClient({${field}: ${name}})`, () => createClient({ ...cfg, [field]: value }));
      }

      // Every method of the client, signed in and signed out, with garbage in each argument.
      const signedIn = window.client;
      const signedOut = await createClient({ ...cfg, storageKey: "other-key" });
      globalThis.fetch = async (input, init) => {
        const r = new Request(input, init);
        if (!r.url.startsWith("https://api.example.test/")) throw new Error(`sent to ${r.url}`);
        return new Response("{}", { status: 200 });
      };
      const proto = Object.getPrototypeOf(signedIn);
      // loginPopup opens a window and waits for it (tests/browser/popup.test.mjs has its own garbage checks).
      const methods = Object.getOwnPropertyNames(proto).filter((m) => m !== "constructor" && typeof proto[m] === "function" && m !== "logout" && m !== "loginPopup");
      const values = Object.entries(garbage);
      for (const client of [signedOut, signedIn]) {
        for (const method of methods) {
          await call(`${method}()`, () => client[method]());
          for (const [name, value] of values) {
            await call(`${method}(${name})`, () => client[method](value));
            await call(`${method}("/ping", ${name})`, () => client[method]("/ping", value));
            await call(`${method}("sessionChanged", ${name})`, () => client[method]("sessionChanged", value));
            await call(`${method}(${name}, ${name})`, () => client[method](value, value));
          }
        }
      }
      // logout with garbage on the signed-out client (on the signed-in one it would end the session under test).
      for (const [name, value] of values) await call(`logout(${name})`, () => signedOut.logout(value));

      // A polluted Object.prototype neither configures nor steers anything.
      const pollution = { x: 1, clientId: "polluted", tenant: "EVIL", apiBaseUrl: "https://evil.example", tokenUrl: "https://evil.example/t", returnTo: "//evil.example", storageKey: "evil", allowedOrigins: ["https://evil.example"], headers: { authorization: "Bearer evil", "x-tngo-tenant": "EVIL", "x-tngo-context-employeeid": "EVIL" }, context: { employeeId: "EVIL" }, activityId: "evil", json: { evil: true }, limit: 1, offset: 5 };
      for (const [k, v] of Object.entries(pollution)) Object.prototype[k] = v;
      const polluted = {};
      try {
        polluted.partial = await call("createClient(polluted, no clientId)", () => createClient({ tenant: "XYZ", apiBaseUrl: cfg.apiBaseUrl }));
        const c = await createClient({ ...cfg });
        polluted.storageKey = Object.keys(sessionStorage).filter((k) => k.includes("evil"));
        const state = new URL(c.authorizeUrl({})).searchParams.get("state");
        polluted.pendingReturnTo = JSON.parse(sessionStorage.getItem(`${key}.pending`)).returnTo;
        sessionStorage.removeItem(`${key}.pending`);
        let sent;
        globalThis.fetch = async (input, init) => {
          const r = new Request(input, init);
          sent = { url: r.url, method: r.method, authorization: r.headers.get("authorization"), tenant: r.headers.get("x-tngo-tenant"), context: [...r.headers.keys()].filter((h) => /^x-tngo-context-(?!correlationid)/.test(h)) };
          return new Response("{}");
        };
        // The garbage above left an activity id ("sessionChanged") on the client.
        signedIn.setActivityId(null);
        signedIn.setContext(null);
        await signedIn.fetch("/ping", {});
        polluted.sent = sent;
        try { await signedIn.fetchJson("/ping", {}); } catch (e) { polluted.jsonError = String(e) + e.stack; }
        polluted.sentJson = sent;
        try { for await (const page of signedIn.paginate("/employees", {})) polluted.page = page; } catch (e) { polluted.pageError = String(e) + e.stack; }
        polluted.sentPage = sent;
        // An own `__proto__` key (JSON.parse makes one) is a plain key of the init, not its prototype.
        await signedIn.fetch("/ping", JSON.parse('{"__proto__":{"headers":{"X-TNGO-CONTEXT-HIERARCHYID":"h\u00e9"},"redirect":"follow"}}'));
        polluted.sentProto = sent;
        polluted.state = typeof state;
      } finally {
        for (const k of Object.keys(pollution)) delete Object.prototype[k];
      }

      // Still alive: the wasm core answers and a fresh client signs in.
      const fresh = await createClient(cfg);
      const url = fresh.authorizeUrl({ returnTo: "/after" });
      const state = new URL(url).searchParams.get("state");
      history.replaceState(null, "", `/app/#access_token=after&token_type=Bearer&expires_in=60&state=${state}`);
      const signedInAgain = await fresh.handleRedirectCallback();
      return { bad, seen: Object.fromEntries(seen), methods, polluted, alive: { url: url.startsWith(cfg.authorizeUrl), signedInAgain, token: fresh.accessToken() } };
    },
    [cfg, KEY],
  );
  console.log(`  outcomes: ${JSON.stringify(out.seen)}`, JSON.stringify(out.polluted));
  for (const m of ["authorizeUrl", "login", "handleRedirectCallback", "fetch", "refresh", "validate", "on", "signInWithPassword", "session", "accessToken", "isAuthenticated", "fetchJson", "paginate", "setContext", "setActivityId", "correlationId"]) {
    assert.ok(out.methods.includes(m), `${m} is a method of the client`);
  }
  assert.deepEqual(out.bad, [], "only MobprocError escapes");
  assert.ok(out.seen.config_invalid > 500, "config_invalid is the usual answer");
  assert.equal(out.polluted.partial, "config_invalid");
  assert.deepEqual(out.polluted.storageKey, [], "an inherited storageKey is ignored");
  assert.equal(out.polluted.pendingReturnTo, null, "an inherited returnTo is ignored");
  const sent = (path) => ({ url: `https://api.example.test/mobproc/v1/${path}`, method: "GET", authorization: "Bearer old.token", tenant: "XYZ", context: [] });
  assert.deepEqual(out.polluted.sent, sent("ping"));
  assert.deepEqual(out.polluted.sentJson, sent("ping"), "an inherited json or context is ignored");
  assert.deepEqual(out.polluted.sentPage, sent("employees"), "inherited limit and offset are ignored");
  assert.deepEqual(out.polluted.sentProto, sent("ping"), "an init's own __proto__ steers nothing");
  assert.deepEqual(out.alive, { url: true, signedInAgain: { returnTo: "/after" }, token: "after" });
  await context.close();
});

// Arguments are read inside a try, so what a getter or a Proxy trap throws (an Error, a
// Symbol, null, a revoked Proxy's TypeError) comes back as config_invalid.
test("a throwing getter or Proxy given to authorizeUrl/login/createClient is config_invalid", async () => {
  const { page, context } = await openPage(shared.browser, `${shared.server.origin}/app/`);
  const out = await page.evaluate(async (cfg) => {
    const { createClient, MobprocError } = window.mobproc;
    const client = await createClient(cfg);
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    const cases = [
      () => client.authorizeUrl({ get returnTo() { throw new Error("getter"); } }),
      () => client.authorizeUrl({ get returnTo() { throw Symbol("boom"); } }),
      () => client.authorizeUrl(new Proxy({}, { getOwnPropertyDescriptor() { throw null; } })),
      () => client.authorizeUrl(revoked.proxy),
      () => createClient(revoked.proxy),
      () => createClient({ ...cfg, get clientId() { throw Symbol("boom"); } }),
    ];
    const results = [];
    for (const fn of cases) {
      try {
        await fn();
        results.push("ok");
      } catch (e) {
        results.push(e instanceof MobprocError ? e.code : String(e?.constructor?.name ?? e));
      }
    }
    return results;
  }, config(shared.server.origin));
  assert.deepEqual(out, ["config_invalid", "config_invalid", "config_invalid", "config_invalid", "config_invalid", "config_invalid"]);
  await context.close();
});

test("an option of login, authorizeUrl or loginPopup spelt another way (returnto, return_to, returnUrl, returTo, timeout) is config_invalid naming it and starts nothing; other keys, as of an event or a UI library's handler payload, count as no options; a blocked popup's options may be handed to login", async () => {
  const { page, context } = await openPage(shared.browser, `${shared.server.origin}/app/`);
  const out = await page.evaluate(async ([cfg, key]) => {
    const { createClient } = window.mobproc;
    const client = await createClient(cfg);
    const pending = () => sessionStorage.getItem(`${key}.pending`);
    // Refused: the error, and whether the pending sign-in (its state) stayed as it was.
    const refused = (fn) => {
      client.authorizeUrl();
      const before = pending();
      try {
        fn();
        return "ok";
      } catch (e) {
        return { error: `${e.code} ${e.field}: ${e.message}`, startedNothing: pending() === before };
      }
    };
    const accepted = (options) => new URL(client.authorizeUrl(options)).searchParams.has("state");
    class SyntheticEvent {
      constructor(native) {
        Object.assign(this, { nativeEvent: native, type: native.type, target: null, isTrusted: native.isTrusted });
      }
    }
    const click = new MouseEvent("click");
    const before = pending();
    const popup = await client.loginPopup({ returnTo: "/x", timeout: 5 }).then(() => "resolved", (e) => `${e.code} ${e.field}`);
    const popupTypo = await client.loginPopup({ timoutMs: 5 }).then(() => "resolved", (e) => `${e.code} ${e.field}`);
    const popupStartedNothing = pending() === before;
    return {
      lowercase: refused(() => client.authorizeUrl({ returnto: "/orders" })),
      snake: refused(() => client.login({ return_to: "/orders" })),
      otherName: refused(() => client.authorizeUrl({ returnUrl: "/orders" })),
      typo: refused(() => client.authorizeUrl({ returTo: "/orders" })),
      swapped: refused(() => client.login({ retrunTo: "/orders" })),
      popup,
      popupTypo,
      popupStartedNothing,
      accepted: {
        bare: accepted(Object.assign(Object.create(null), { returnTo: "/bare" })),
        event: accepted(click),
        synthetic: accepted(new SyntheticEvent(click)),
        // antd's Menu onClick payload, PrimeReact's menu `command`, a `{ type }` literal (HandlerEvent).
        antd: accepted({ key: "signin", keyPath: ["signin"], item: {}, domEvent: click }),
        prime: accepted({ originalEvent: click, item: { label: "Sign in" } }),
        typed: accepted({ type: "click" }),
        // A blocked popup's options, handed to login as popup_blocked suggests: its timeout ignored.
        popupOptions: accepted({ returnTo: "/orders", timeoutMs: 5 }),
      },
    };
  }, [config(shared.server.origin), KEY]);
  const refusals = [["lowercase", "returnto"], ["snake", "return_to"], ["otherName", "returnUrl"], ["typo", "returTo"], ["swapped", "retrunTo"]];
  for (const [name, field] of refusals) {
    assert.equal(out[name].startedNothing, true, `${name}: ${JSON.stringify(out[name])}`);
    assert.match(out[name].error, new RegExp(`^config_invalid options\\.${field}: .*\\(known: returnTo, timeoutMs\\)$`), name);
  }
  assert.equal(out.popup, "config_invalid options.timeout");
  assert.equal(out.popupTypo, "config_invalid options.timoutMs");
  assert.equal(out.popupStartedNothing, true);
  assert.deepEqual(out.accepted, { bare: true, event: true, synthetic: true, antd: true, prime: true, typed: true, popupOptions: true });
  await context.close();
});

/** A page whose sessionStorage throws on every access, from before the package loads. */
async function pageWithoutStorage() {
  const context = await shared.browser.newContext();
  await context.addInitScript(() => {
    Object.defineProperty(window, "sessionStorage", {
      configurable: true,
      get() {
        throw new DOMException("denied", "SecurityError");
      },
    });
  });
  const page = await context.newPage();
  await page.goto(`${shared.server.origin}/app/`);
  await page.waitForFunction(() => window.mobprocReady === true);
  return { page, context };
}

// The Store probes sessionStorage on first use, not in the constructor, so the failure reaches
// a listener added after createClient resolved, once.
test("sessionStorage that throws on access: the error event reaches a listener added after createClient", async () => {
  const { page, context } = await pageWithoutStorage();
  const out = await page.evaluate(async (cfg) => {
    const client = await window.mobproc.createClient(cfg);
    const errors = [];
    client.on("error", (e) => errors.push(e.code));
    const state = new URL(client.authorizeUrl()).searchParams.get("state");
    history.replaceState(null, "", `/app/#access_token=mem&token_type=Bearer&expires_in=60&state=${state}`);
    await client.handleRedirectCallback();
    return errors;
  }, config(shared.server.origin));
  assert.deepEqual(out, ["storage_unavailable"]);
  await context.close();
});

test("sessionStorage that throws on access: the token lives in memory, sign-in and calls still work", async () => {
  const { page, context } = await pageWithoutStorage();
  const out = await page.evaluate(async (cfg) => {
    const client = await window.mobproc.createClient(cfg);
    const errors = [];
    client.on("error", (e) => errors.push(e.code));
    const state = new URL(client.authorizeUrl({ returnTo: "/orders" })).searchParams.get("state");
    history.replaceState(null, "", `/app/#access_token=mem&token_type=Bearer&expires_in=60&state=${state}`);
    const result = await client.handleRedirectCallback();
    let sent;
    globalThis.fetch = async (input, init) => {
      sent = new Request(input, init).headers.get("authorization");
      return new Response("{}");
    };
    const status = (await client.fetch("/ping")).status;
    return { result, token: client.accessToken(), status, sent, errors, localStorage: localStorage.length, cookie: document.cookie, href: location.href };
  }, config(shared.server.origin));
  assert.deepEqual(out.result, { returnTo: "/orders" });
  assert.equal(out.token, "mem");
  assert.equal(out.status, 200);
  assert.equal(out.sent, "Bearer mem");
  assert.equal(out.localStorage, 0, "no fallback to localStorage");
  assert.equal(out.cookie, "");
  assert.doesNotMatch(out.href, /mem/);
  assert.deepEqual(out.errors, ["storage_unavailable"], "reported once");
  await context.close();
});

test("sessionStorage that throws on write (quota): memory from then on, the error event exactly once", async () => {
  const { page, context } = await openPage(shared.browser, `${shared.server.origin}/app/`);
  const out = await page.evaluate(async ([cfg, key]) => {
    const client = await window.mobproc.createClient(cfg);
    const errors = [];
    client.on("error", (e) => errors.push({ code: e.code, mobproc: e instanceof window.mobproc.MobprocError, cause: e.cause?.name }));
    Storage.prototype.setItem = () => {
      throw new DOMException("full", "QuotaExceededError");
    };
    const first = client.authorizeUrl();
    const state = new URL(client.authorizeUrl()).searchParams.get("state");
    history.replaceState(null, "", `/app/#access_token=mem&token_type=Bearer&expires_in=60&state=${state}`);
    const result = await client.handleRedirectCallback();
    client.authorizeUrl();
    client.logout();
    const afterLogout = client.isAuthenticated();
    return { first: typeof first, result, errors, afterLogout, keys: Object.keys(sessionStorage) };
  }, [config(shared.server.origin), KEY]);
  assert.equal(out.first, "string");
  assert.deepEqual(out.result, { returnTo: null });
  assert.deepEqual(out.errors, [{ code: "storage_unavailable", mobproc: true, cause: "QuotaExceededError" }]);
  assert.equal(out.afterLogout, false);
  assert.deepEqual(out.keys, []);
  await context.close();
});

test("a sign-out after sessionStorage failed on write still clears the session stored before, so a reload is signed out", async () => {
  const { page, context } = await openPage(shared.browser, `${shared.server.origin}/app/`);
  const out = await page.evaluate(async ([cfg, key]) => {
    // Signed in as "older" in sessionStorage, then the storage starts refusing writes.
    sessionStorage.setItem(key, JSON.stringify({ accessToken: "older", expiresAt: Date.now() + 3600_000 }));
    const client = await window.mobproc.createClient(cfg);
    const setItem = Storage.prototype.setItem;
    Storage.prototype.setItem = () => {
      throw new DOMException("full", "QuotaExceededError");
    };
    const state = new URL(client.authorizeUrl()).searchParams.get("state");
    history.replaceState(null, "", `/app/#access_token=newer&token_type=Bearer&expires_in=60&state=${state}`);
    await client.handleRedirectCallback();
    const signedInAs = client.accessToken();
    client.logout();
    Storage.prototype.setItem = setItem;
    const reloaded = await window.mobproc.createClient(cfg);
    return { signedInAs, stored: sessionStorage.getItem(key), afterReload: reloaded.accessToken() };
  }, [config(shared.server.origin), KEY]);
  assert.equal(out.signedInAs, "newer");
  assert.equal(out.stored, null, "the older session is gone from sessionStorage too");
  assert.equal(out.afterReload, null);
  await context.close();
});

test("a session stored before sessionStorage refused a write stays signed in; login and loginPopup refuse to start a sign-in whose state could not be kept; writes go back to sessionStorage once it has room", async () => {
  const { page, context } = await signedIn();
  const out = await page.evaluate(async (key) => {
    const { client } = window;
    const errors = [];
    client.on("error", (e) => errors.push(e.code));
    const setItem = Storage.prototype.setItem;
    Storage.prototype.setItem = () => {
      throw new DOMException("full", "QuotaExceededError");
    };
    const url = client.authorizeUrl();
    const afterFailedWrite = { signedIn: client.isAuthenticated(), token: client.accessToken() };
    const outcome = async (fn) => {
      try {
        await fn();
        return "started";
      } catch (e) {
        return `${e.code} ${e instanceof window.mobproc.MobprocError}`;
      }
    };
    const login = await outcome(() => client.login());
    const opened = [];
    const open = window.open;
    window.open = (...args) => (opened.push(args[0]), null);
    const popup = await outcome(() => client.loginPopup());
    window.open = open;
    Storage.prototype.setItem = setItem;
    globalThis.fetch = async () => Response.json({ access_token: "new.token", token_type: "Bearer", expires_in: 3600, refresh_token: "r2" });
    const refreshed = await client.refresh().then(() => "ok", (e) => e.code);
    return { url: typeof url, afterFailedWrite, login, popup, opened: opened.length, href: location.href, errors, refreshed, stored: JSON.parse(sessionStorage.getItem(key)).accessToken, keys: Object.keys(sessionStorage).sort() };
  }, KEY);
  assert.equal(out.url, "string", "authorizeUrl still answers (its state lives in memory)");
  assert.deepEqual(out.afterFailedWrite, { signedIn: true, token: "old.token" }, "the stored session is not hidden");
  assert.equal(out.login, "storage_unavailable true");
  assert.equal(out.popup, "storage_unavailable true");
  assert.equal(out.opened, 0, "no popup was opened");
  assert.match(out.href, /\/app\/$/, "login did not navigate");
  assert.deepEqual(out.errors, ["storage_unavailable"], "the failed write reported once");
  assert.equal(out.refreshed, "ok");
  assert.deepEqual(out.keys, [KEY], "the refreshed record is in sessionStorage again, no pending sign-in left");
  assert.equal(out.stored, "new.token");
  await context.close();
});

test("a refreshed record that sessionStorage refuses leaves no stale copy there: a reload does not bring the replaced tokens back", async () => {
  const { page, context, cfg } = await signedIn();
  const out = await page.evaluate(async (key) => {
    const { client } = window;
    client.on("error", () => {});
    const setItem = Storage.prototype.setItem;
    Storage.prototype.setItem = () => {
      throw new DOMException("full", "QuotaExceededError");
    };
    globalThis.fetch = async () => Response.json({ access_token: "new.token", token_type: "Bearer", expires_in: 3600, refresh_token: "r2" });
    const refreshed = await client.refresh().then(() => "ok", (e) => e.code);
    Storage.prototype.setItem = setItem;
    return { refreshed, token: client.accessToken(), stored: sessionStorage.getItem(key) };
  }, KEY);
  assert.equal(out.refreshed, "ok");
  assert.equal(out.token, "new.token", "this page uses the refreshed token (from memory)");
  assert.equal(out.stored, null, "no stale copy of the replaced record in sessionStorage");
  await goto(page, `${shared.server.origin}/app/`);
  const after = await page.evaluate(async (cfg) => (await window.mobproc.createClient(cfg)).accessToken(), cfg);
  assert.notEqual(after, "old.token", "a reload does not restore the replaced (rotated-away) tokens");
  await context.close();
});

test("a call that will be refused (origin, no-cors, bad context) is refused before the refresh it would need: no token request, the session kept", async () => {
  const { page, context } = await signedIn({ refreshSkewSeconds: 7200 });
  const out = await page.evaluate(async (tokenUrl) => {
    const { client } = window;
    const sent = [];
    globalThis.fetch = async (input, init) => {
      const request = new Request(input, init);
      sent.push(request.url);
      return request.url === tokenUrl ? Response.json({ error: "invalid_grant" }, { status: 400 }) : new Response("{}");
    };
    const codes = [];
    for (const call of [
      () => client.fetch("https://evil.example/x"),
      () => client.fetch("/x", { mode: "no-cors" }),
      () => client.fetch("/x", { context: { employeeId: "bad\r\n" } }),
    ]) {
      codes.push(await call().then(() => "sent", (e) => e.code));
    }
    return { codes, sent, signedIn: client.isAuthenticated() };
  }, TOKEN_URL);
  assert.deepEqual(out.codes, ["origin_not_allowed", "invalid_request", "config_invalid"]);
  assert.deepEqual(out.sent, [], "nothing sent, not even the refresh");
  assert.equal(out.signedIn, true);
  await context.close();
});

test("validate(): a token endpoint that is down (5xx), shedding load (429) or timed out reading the request (408, the relay) is network_error with its status; a refusal is token_invalid; the session is kept", async () => {
  const { page, context } = await signedIn();
  const out = await page.evaluate(async () => {
    const { client } = window;
    const results = [];
    for (const [status, body] of [[503, "<h1>Service Unavailable</h1>"], [429, ""], [408, JSON.stringify({ error: "invalid_request" })], [500, JSON.stringify({ error: "server_error" })], [400, JSON.stringify({ error: "invalid_grant" })]]) {
      globalThis.fetch = async () => new Response(body, { status });
      results.push(await client.validate().then(() => "valid", (e) => `${e.code} ${e.status}`));
    }
    return { results, signedIn: client.isAuthenticated() };
  });
  assert.deepEqual(out.results, ["network_error 503", "network_error 429", "network_error 408", "network_error 500", "token_invalid 400"]);
  assert.equal(out.signedIn, true);
  await context.close();
});

test("bad context or activityId in the config is config_invalid at createClient, not at the first call", async () => {
  const { page, context } = await openPage(shared.browser, `${shared.server.origin}/app/`);
  const out = await page.evaluate(async (cfg) => {
    const attempt = async (extra) => {
      try {
        await window.mobproc.createClient({ ...cfg, ...extra });
        return "created";
      } catch (e) {
        return `${e.code} ${e.field}`;
      }
    };
    const throwing = ["https://a.example"];
    Object.defineProperty(throwing, 0, { get() { throw new Error("trap"); } });
    return [await attempt({ context: { employeeId: "a\r\nb" } }), await attempt({ activityId: "" }), await attempt({ allowedOrigins: throwing })];
  }, config(shared.server.origin));
  assert.deepEqual(out.slice(0, 2), ["config_invalid context.employeeId", "config_invalid activityId"]);
  assert.match(out[2], /^config_invalid /, "a throwing element is a MobprocError");
  await context.close();
});

test("a global fetch that returns no promise (a test's synchronous mock, undefined, a thenable whose then throws): every call and refresh settles, nothing is thrown uncaught, the session is kept, and the next ones work", async () => {
  const { page, context } = await signedIn({ refreshSkewSeconds: 7200 }); // every call refreshes first
  const out = await page.evaluate(async (key) => {
    const { client } = window;
    const uncaught = [];
    addEventListener("error", (e) => uncaught.push(String(e.message)));
    addEventListener("unhandledrejection", (e) => uncaught.push(String(e.reason)));
    const errors = [];
    client.on("error", (e) => errors.push(e.code));
    // Settled within 3 s, or "pending" (before the fix, for the rest of the page's life).
    const settle = (promise) =>
      Promise.race([promise.then((v) => `ok ${v instanceof Response ? v.status : client.accessToken()}`, (e) => e.code), new Promise((r) => setTimeout(() => r("pending"), 3000))]);
    const answer = (sync) => (input, init) => {
      const body = new Request(input, init).url.includes("/token") ? { access_token: sync, token_type: "Bearer", expires_in: 3600, refresh_token: "r-sync" } : {};
      return Response.json(body);
    };
    const results = {};
    globalThis.fetch = answer("sync.token");
    results.syncResponse = [await settle(client.refresh()), await settle(client.fetch("/x"))];
    const kept = sessionStorage.getItem(key);
    globalThis.fetch = () => undefined;
    results.undefined = [await settle(client.refresh()), await settle(client.fetch("/x"))];
    globalThis.fetch = () => ({ then() { throw new Error("broken mock"); } });
    results.throwingThen = [await settle(client.refresh()), await settle(client.fetch("/x"))];
    const unchanged = sessionStorage.getItem(key) === kept;
    const fetchOf = answer("async.token");
    globalThis.fetch = async (input, init) => fetchOf(input, init);
    results.after = [await settle(client.refresh()), await settle(client.fetch("/x"))];
    await new Promise((r) => setTimeout(r, 100));
    return { results, unchanged, errors, uncaught, signedIn: client.isAuthenticated() };
  }, KEY);
  assert.deepEqual(out.results, {
    syncResponse: ["ok sync.token", "ok 200"],
    undefined: ["refresh_failed", "network_error"],
    throwingThen: ["refresh_failed", "network_error"],
    after: ["ok async.token", "ok 200"],
  });
  assert.equal(out.unchanged, true, "the failed refreshes left the record byte for byte");
  // Each call came right after a refresh() that failed: it did not ask again (the pause after a
  // failed refresh), so no pre-call refresh failed and nothing went to the error listeners.
  assert.deepEqual(out.errors, [], "no pre-call refresh right after a failed one");
  assert.deepEqual(out.uncaught, []);
  assert.equal(out.signedIn, true);
  await context.close();
});

test("a call whose signal is already aborted is not sent and costs no refresh: network_error with the signal's reason as cause (not_authenticated without a session, as any call)", async () => {
  const { page, context } = await signedIn({ refreshSkewSeconds: 7200 }); // a call would refresh first
  const out = await page.evaluate(async (key) => {
    const { client } = window;
    const real = globalThis.fetch;
    const sent = [];
    globalThis.fetch = (input, init) => {
      const request = new Request(input, init);
      sent.push({ url: request.url, signed: request.headers.has("authorization") });
      return real(request);
    };
    const before = sessionStorage.getItem(key);
    const started = performance.now();
    const error = await client.fetch("/orders", { signal: AbortSignal.abort() }).then(() => null, (e) => e);
    const json = await client.fetchJson("/orders", { signal: AbortSignal.abort("left the page") }).then(() => "resolved", (e) => `${e.code} ${e.cause} ${e.message}`);
    const ms = performance.now() - started;
    const unchanged = sessionStorage.getItem(key) === before;
    client.logout();
    const signedOut = await client.fetch("/orders", { signal: AbortSignal.abort() }).then(() => "resolved", (e) => e.code);
    return { code: error?.code, mobproc: error instanceof window.mobproc.MobprocError, cause: error?.cause?.name, ms, json, sent, unchanged, signedOut };
  }, KEY);
  assert.deepEqual([out.code, out.mobproc, out.cause], ["network_error", true, "AbortError"]);
  assert.equal(out.json, "network_error left the page network error: left the page");
  assert.deepEqual(out.sent, [], "nothing sent: no token request, no call");
  assert.equal(out.unchanged, true);
  assert.equal(out.signedOut, "not_authenticated");
  assert.ok(out.ms < 1000, `at once (${out.ms.toFixed(0)} ms)`);
  await context.close();
});
