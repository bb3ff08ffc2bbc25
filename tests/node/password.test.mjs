// Server-side JavaScript against the emulator: the password grant with client authentication,
// refresh with rotation, validation both ways (and a client not allowed to validate),
// revocation on sign-out, and a token endpoint failure that must leave the session alone.
import { test } from "node:test";
import assert from "node:assert/strict";
import { pkg, useEmulator } from "./emulator.mjs";

const { createClient, MobprocError } = pkg;
const emu = useEmulator();
const { log, stats, control, config } = emu;
const tokenLines = () => log.filter((line) => line.includes("POST /as/token.oauth2"));
/** The emulator's log line of the token request after the `seen` first ones (it names the client authentication); its stdout is read asynchronously, so it is waited for. */
async function tokenLineAfter(seen) {
  for (let i = 0; i < 200 && tokenLines().length <= seen; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  const line = tokenLines()[seen];
  assert.ok(line, "the emulator logged the token request");
  return line;
}

/**
 * Holds the token endpoint's answers (the global `fetch` the package calls) until `release()`;
 * `asked` resolves once one is held; `restore()` puts the real `fetch` back.
 */
function holdTokenAnswers() {
  const real = globalThis.fetch;
  let release, answered;
  const held = new Promise((r) => (release = r));
  const asked = new Promise((r) => (answered = r));
  globalThis.fetch = async (input, init) => {
    const response = await real(input, init);
    if (String(input.url ?? input).endsWith("/as/token.oauth2")) {
      answered();
      await held;
    }
    return response;
  };
  return { asked, release, restore: () => (globalThis.fetch = real) };
}

test("password grant with HTTP Basic, then API calls carry the Tangoe headers", async () => {
  const seen = tokenLines().length;
  const client = await createClient(config());
  const session = await client.signInWithPassword({ username: "demo", password: "demo" });
  assert.equal(session.hasRefreshToken, true);
  assert.ok(session.expiresAt > Date.now());
  // Tangoe's answer names no scope: the token has the one asked for (RFC 6749 §5.1).
  assert.equal(session.scope, "MOBPROC");
  const me = await client.fetch("/me");
  assert.equal(me.status, 200);
  assert.equal((await me.json()).user.employeeId, "E1000");
  const last = (await stats()).requests.at(-1);
  assert.equal(last.path, "/mobproc/v1/me");
  for (const header of ["X-TNGO-TENANT", "client_id", "Authorization"]) assert.ok(last.headers_present.includes(header), header);
  // The default clientAuth: the emulator's log line of the grant names the scheme.
  assert.match(await tokenLineAfter(seen), / basic\b/, "the secret went as HTTP Basic");
});

test("body client authentication and Tangoe's command:// user form; validation both ways", async () => {
  const client = await createClient(config({ clientAuth: "body", validateUrl: `${emu.origin}/validate` }));
  const seen = tokenLines().length;
  await client.signInWithPassword({ username: "command://jdoe", password: "jdoe-pass" });
  assert.doesNotMatch(await tokenLineAfter(seen), / basic\b/, "clientAuth body: no Authorization header");
  const viaValidator = await client.validate();
  assert.equal(viaValidator.platform, "command");
  assert.equal(viaValidator.identifier, "jdoe");
  assert.equal(viaValidator.tenant, "XYZ");
  assert.equal(viaValidator.multitenant, false);
  assert.equal(viaValidator.clientId, "server-demo");
  const viaTokenEndpoint = await (await createClient(config())).validate().catch((e) => e.code);
  assert.equal(viaTokenEndpoint, "not_authenticated", "a new client has no session");
  const before = (await stats()).token_requests.validate_bearer ?? 0;
  const second = await createClient(config());
  await second.signInWithPassword({ username: "demo", password: "demo" });
  assert.equal((await second.validate()).identifier, "demo");
  assert.equal((await stats()).token_requests.validate_bearer, before + 1);
});

test("a client not allowed to validate (Tangoe: not every client id is): authorization_denied with unauthorized_client and 400; the session kept", async () => {
  const lacking = { clientId: "server-novalidate", clientSecret: "server-novalidate-secret" };
  const client = await createClient(config(lacking));
  await client.signInWithPassword({ username: "demo", password: "demo" });
  const before = (await stats()).token_requests.validate_bearer;
  const error = await client.validate().catch((e) => e);
  assert.ok(error instanceof MobprocError, String(error));
  assert.deepEqual([error.code, error.oauthError, error.status], ["authorization_denied", "unauthorized_client", 400]);
  assert.equal((await stats()).token_requests.validate_bearer, before + 1, "asked once, at the token endpoint");
  assert.equal(client.isAuthenticated(), true, "the refusal says nothing about the token");
  assert.equal((await client.fetch("/ping")).status, 200);
  // Tangoe's validator service does not ask who is calling.
  const viaValidator = await createClient(config({ ...lacking, validateUrl: `${emu.origin}/validate` }));
  await viaValidator.signInWithPassword({ username: "demo", password: "demo" });
  assert.equal((await viaValidator.validate()).clientId, "server-novalidate");
});

test("wrong password or secret: authorization_denied with the server's error", async () => {
  const wrongPassword = await createClient(config());
  await assert.rejects(wrongPassword.signInWithPassword({ username: "demo", password: "nope" }), (e) => e instanceof MobprocError && e.code === "authorization_denied" && e.oauthError === "invalid_grant");
  const wrongSecret = await createClient(config({ clientSecret: "wrong" }));
  await assert.rejects(wrongSecret.signInWithPassword({ username: "demo", password: "demo" }), (e) => e.code === "authorization_denied" && e.oauthError === "invalid_client" && e.status === 401);
  assert.equal(wrongPassword.isAuthenticated(), false);
  await assert.rejects(wrongPassword.signInWithPassword({ username: "", password: "x" }), (e) => e.code === "config_invalid" && e.field === "username");
});

test("a token endpoint that fails (5xx), or a tokenUrl that answers no OAuth error (404), is network_error with its status, not authorization_denied or token_invalid: nothing was refused", async () => {
  const client = await createClient(config());
  await control("fail-next?count=1&mode=500");
  await assert.rejects(client.signInWithPassword({ username: "demo", password: "demo" }), (e) => e instanceof MobprocError && e.code === "network_error" && e.status === 500 && /HTTP 500/.test(e.message));
  assert.equal(client.isAuthenticated(), false);
  await client.signInWithPassword({ username: "demo", password: "demo" });
  await control("fail-next?count=1&mode=500");
  await assert.rejects(client.validate(), (e) => e.code === "network_error" && e.status === 500);
  assert.equal(client.isAuthenticated(), true, "a validator that is down ends nothing");
  assert.equal((await client.validate()).identifier, "demo");
  // A wrong tokenUrl (a 404 that is no OAuth answer) refused no password either.
  const misdirected = await createClient(config({ tokenUrl: `${emu.origin}/as/token`, storageKey: "misdirected" }));
  await assert.rejects(misdirected.signInWithPassword({ username: "demo", password: "demo" }), (e) => e.code === "network_error" && e.status === 404 && /HTTP 404, not an OAuth error: is tokenUrl right\?/.test(e.message));
});

test("a token endpoint that echoes the request in its refusal (a proxy's page, a careless description): no error carries the password, the client secret (as sent in the body or in Basic) or the refresh token; a token answer that gives the same refresh token back keeps it", async () => {
  const { inspect } = await import("node:util");
  // A quote, a backslash and a letter beyond ASCII: JSON escapes them, a form percent-encodes them.
  const password = 'Pw-Se"cr\\et+9/q~xä';
  const real = globalThis.fetch;
  // Answers `status` with the request's body and Authorization echoed in the description.
  const echo = (status, error) => async (input, init) => {
    const request = new Request(input, init);
    if (!request.url.endsWith("/as/token.oauth2")) return real(input, init);
    const body = await request.text();
    const said = `got ${body} with ${request.headers.get("authorization")}; as read: ${decodeURIComponent(body.replaceAll("+", " "))}`;
    // ASCII-only JSON, as Python's json.dumps and Jackson write it: ä as \u00e4.
    // "echo": the code itself echoes the request (a server that puts its text in `error`).
    const ascii = JSON.stringify({ error: error === "echo" ? said : error, error_description: said }).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
    return new Response(ascii, { status, headers: { "content-type": "application/json" } });
  };
  const leaks = (error, secrets) => {
    const shown = [inspect(error, { depth: 5 }), JSON.stringify(error), error.message, String(error.oauthErrorDescription)].join("\n");
    return secrets.filter((secret) => shown.includes(secret));
  };
  const basic = Buffer.from("server-demo:server-demo-secret").toString("base64");
  const secrets = [password, new URLSearchParams({ p: password }).toString().slice(2), "server-demo-secret", basic];
  const seen = {};
  try {
    for (const clientAuth of ["basic", "body"]) {
      const client = await createClient(config({ clientAuth }));
      globalThis.fetch = echo(400, "invalid_grant");
      const refused = await client.signInWithPassword({ username: "demo", password }).catch((e) => e);
      assert.equal(refused.code, "authorization_denied");
      assert.equal(refused.oauthErrorDescription, "[redacted: it quoted what was sent]");
      seen[clientAuth] = leaks(refused, secrets);
      globalThis.fetch = echo(400, "echo");
      const coded = await client.signInWithPassword({ username: "demo", password }).catch((e) => e);
      assert.equal(coded.code, "authorization_denied");
      assert.equal(coded.oauthError, "[redacted: it quoted what was sent]");
      seen[`${clientAuth} in the code`] = leaks(coded, secrets);
    }
    // A password that is a word of Tangoe's message and of the error code: the code stays, the
    // message goes whole (replacing the word alone would give it away).
    globalThis.fetch = async (input, init) => {
      if (!new Request(input, init).url.endsWith("/as/token.oauth2")) return real(input, init);
      return Response.json({ error: "invalid_grant", error_description: "The provided authorization grant is invalid" }, { status: 400 });
    };
    const word = await (await createClient(config())).signInWithPassword({ username: "demo", password: "grant" }).catch((e) => e);
    assert.deepEqual([word.code, word.oauthError, word.oauthErrorDescription], ["authorization_denied", "invalid_grant", "[redacted: it quoted what was sent]"]);
    // A code-shaped `error` that is not OAuth's own but the password itself, or quotes it.
    for (const error of ["swordfish", "invalid_swordfish"]) {
      globalThis.fetch = async (input, init) => {
        if (!new Request(input, init).url.endsWith("/as/token.oauth2")) return real(input, init);
        return Response.json({ error, error_description: "Bad credentials" }, { status: 400 });
      };
      const coded = await (await createClient(config())).signInWithPassword({ username: "demo", password: "swordfish" }).catch((e) => e);
      assert.deepEqual([coded.code, coded.oauthError, coded.message.includes("swordfish")], ["authorization_denied", "[redacted: it quoted what was sent]", false], error);
    }
    globalThis.fetch = real;
    const client = await createClient(config());
    await client.signInWithPassword({ username: "demo", password: "demo" });
    // The refresh token is not in the session: capture it from the request the refresh sends.
    let sent;
    globalThis.fetch = async (input, init) => {
      const request = new Request(input, init);
      if (request.url.endsWith("/as/token.oauth2")) sent = new URLSearchParams(await request.clone().text()).get("refresh_token");
      return echo(401, "unauthorized_client")(request);
    };
    const failed = await client.refresh().catch((e) => e);
    assert.equal(failed.code, "refresh_failed");
    assert.ok(sent, "a refresh token was sent");
    seen.refresh = leaks(failed, [sent, "server-demo-secret", basic]);
    // A token answer is not searched: the same refresh token given back is kept.
    globalThis.fetch = async (input, init) => {
      const request = new Request(input, init);
      if (!request.url.endsWith("/as/token.oauth2")) return real(input, init);
      const again = new URLSearchParams(await request.text()).get("refresh_token");
      return Response.json({ access_token: "same-refresh", token_type: "Bearer", expires_in: 3600, refresh_token: again });
    };
    await client.refresh();
    let resent;
    globalThis.fetch = async (input, init) => {
      const request = new Request(input, init);
      resent = new URLSearchParams(await request.text()).get("refresh_token");
      return Response.json({ error: "temporarily_unavailable" }, { status: 503 });
    };
    await client.refresh().catch(() => {});
    assert.equal(resent, sent, "the refresh token given back is sent again, not [redacted]");
  } finally {
    globalThis.fetch = real;
  }
  assert.deepEqual(seen, { basic: [], "basic in the code": [], body: [], "body in the code": [], refresh: [] });
});

test("fetch and fetchJson handed on alone (a library's `fetch` option) still work: they are the client's own, bound", async () => {
  const client = await createClient(config());
  await client.signInWithPassword({ username: "demo", password: "demo" });
  const { fetch: fetchWithToken, fetchJson } = client;
  assert.equal((await fetchWithToken("/ping?echoText=x")).status, 200);
  assert.equal((await fetchJson("/me")).user.employeeId, "E1000");
  assert.equal(client.fetch, fetchWithToken, "the same function each time it is read");
  const { startClient } = pkg;
  const started = await startClient(config({ storageKey: "bound-start" }));
  assert.equal((await startClient(config({ storageKey: "bound-start" }))).client.fetch, started.client.fetch, "startClient's one client keeps its functions");
  await assert.rejects(started.client.fetch.call(undefined, "/ping"), (e) => e.code === "not_authenticated");
});

test("refresh rotates the refresh token; a token endpoint failure keeps the session", async () => {
  const client = await createClient(config());
  const first = await client.signInWithPassword({ username: "demo", password: "demo" });
  const firstToken = client.accessToken();
  await control("fail-next?count=1&mode=500");
  await assert.rejects(client.refresh(), (e) => e.code === "refresh_failed" && e.status === 500);
  assert.equal(client.accessToken(), firstToken, "session unchanged");
  const refreshed = await client.refresh();
  assert.notEqual(client.accessToken(), firstToken);
  assert.ok(refreshed.expiresAt >= first.expiresAt);
  assert.equal(refreshed.scope, "MOBPROC", "kept across a refresh whose answer names none");
  assert.equal((await client.fetch("/ping?echoText=x")).status, 200);
});

test("a token answer whose scope is no scope (empty, malformed) counts as naming none: the session has the scope asked for, never null", async () => {
  const real = globalThis.fetch;
  let scope = "";
  globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    if (!request.url.endsWith("/as/token.oauth2")) return real(input, init);
    return Response.json({ access_token: "t", token_type: "Bearer", expires_in: 3600, refresh_token: "r", scope });
  };
  try {
    const client = await createClient(config());
    const scopes = [(await client.signInWithPassword({ username: "demo", password: "demo" })).scope];
    scope = 'bad"scope';
    scopes.push((await client.refresh()).scope);
    scope = "A  B";
    scopes.push((await client.signInWithPassword({ username: "demo", password: "demo" })).scope);
    scope = "MOBPROC.READ";
    scopes.push((await client.refresh()).scope);
    assert.deepEqual(scopes, ["MOBPROC", "MOBPROC", "MOBPROC", "MOBPROC.READ"]);
  } finally {
    globalThis.fetch = real;
  }
});

test("logout revokes both tokens; the old access token no longer works", async () => {
  const client = await createClient(config());
  await client.signInWithPassword({ username: "demo", password: "demo" });
  const token = client.accessToken();
  const before = (await stats()).revocations;
  client.logout();
  assert.equal(client.isAuthenticated(), false);
  for (let i = 0; i < 50 && (await stats()).revocations < before + 2; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal((await stats()).revocations, before + 2);
  const direct = await fetch(`${emu.origin}/mobproc/v1/ping`, { headers: { authorization: `Bearer ${token}`, "x-tngo-tenant": "XYZ", client_id: "server-demo" } });
  assert.equal(direct.status, 401);
});

test("logout while the password grant is on its way: nothing stored, not_authenticated, and the tokens it brings are revoked", async () => {
  const client = await createClient(config());
  const before = (await stats()).revocations;
  // The token endpoint's answer is held until the client has signed out.
  const { asked, release, restore } = holdTokenAnswers();
  let signing;
  try {
    signing = client.signInWithPassword({ username: "demo", password: "demo" }).then(() => "resolved", (e) => `${e.code}: ${e.message}`);
    await asked;
    client.logout();
    release();
    await signing;
  } finally {
    restore();
  }
  // Not "the request was not sent": it was, and what it brought was revoked.
  assert.equal(await signing, "not_authenticated: signed out (or signed in again) while this was under way; nothing it brought was kept");
  assert.equal(client.isAuthenticated(), false);
  for (let i = 0; i < 50 && (await stats()).revocations < before + 2; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal((await stats()).revocations, before + 2, "both tokens the grant brought");
});

test("logout in the same tick as signInWithPassword ends it before the password is sent, though its work starts after the sign-out", async () => {
  const client = await createClient(config());
  const before = await stats();
  const signing = client.signInWithPassword({ username: "demo", password: "demo" }).then(() => "resolved", (e) => e.code);
  client.logout();
  assert.equal(await signing, "not_authenticated");
  assert.equal(client.isAuthenticated(), false);
  assert.equal(client.session(), null);
  await new Promise((r) => setTimeout(r, 200)); // a grant or revocation sent in the background would be counted by now
  const after = await stats();
  assert.equal(after.token_requests.password ?? 0, before.token_requests.password ?? 0, "no password grant sent");
  assert.equal(after.revocations, before.revocations, "no tokens issued, none to revoke");
});

test("in Node, one client's logout ends only its own sign-in: another user's password grant under way is not touched", async () => {
  const bob = await createClient(config());
  await bob.signInWithPassword({ username: "demo", password: "demo" });
  const alice = await createClient(config());
  const { asked, release, restore } = holdTokenAnswers();
  let signing;
  try {
    signing = alice.signInWithPassword({ username: "command://jdoe", password: "jdoe-pass" }).then((s) => s.hasRefreshToken, (e) => e.code);
    await asked;
    bob.logout();
    release();
    await signing;
  } finally {
    restore();
  }
  assert.equal(await signing, true);
  assert.deepEqual([alice.isAuthenticated(), bob.isAuthenticated()], [true, false]);
});

test("no password or token in the emulator's log", async () => {
  const text = await (await fetch(`${emu.origin}/__emulator/log`)).text();
  for (const secret of ["jdoe-pass", "server-demo-secret", "server-novalidate-secret"]) assert.ok(!text.includes(secret), secret);
  assert.ok(!log.join("\n").includes("server-demo-secret"));
});

test("single flight against the emulator's counter: 200 concurrent calls with an expiring token, one refresh", async () => {
  // A skew longer than the token's life: every call finds it expiring.
  const client = await createClient(config({ refreshSkewSeconds: 7200 }));
  await client.signInWithPassword({ username: "demo", password: "demo" });
  const before = (await stats()).token_requests.refresh_token ?? 0;
  const responses = await Promise.all(Array.from({ length: 200 }, () => client.fetch("/ping?echoText=storm")));
  assert.deepEqual([...new Set(responses.map((r) => r.status))], [200]);
  assert.equal((await stats()).token_requests.refresh_token - before, 1);
});

test("an API 401 storm: one refresh, one replay per call, then the session ends; no loop", async () => {
  const client = await createClient(config());
  await client.signInWithPassword({ username: "demo", password: "demo" });
  const expired = [];
  client.on("sessionExpired", () => expired.push(1));
  const s0 = await stats();
  await control("api-fail-next?count=1000&status=401");
  try {
    const responses = await Promise.all(Array.from({ length: 10 }, () => client.fetch("/ping")));
    assert.deepEqual([...new Set(responses.map((r) => r.status))], [401]);
  } finally {
    await control("api-fail-next?count=0&status=401");
  }
  const s1 = await stats();
  // Each call replayed once, after the one refresh; on a loaded machine a call's first 401 can
  // come back after a replay's 401 ended the session, and that call is (rightly) not replayed.
  const sent = s1.api_requests - s0.api_requests;
  assert.ok(sent >= 11 && sent <= 20, `each call sent once and replayed at most once: ${sent}`);
  assert.equal(s1.token_requests.refresh_token - (s0.token_requests.refresh_token ?? 0), 1);
  assert.equal(client.isAuthenticated(), false);
  assert.equal(expired.length, 1);
});

test("a global fetch that hands back a promise whose then throws, or a Response whose getters throw: each call settles with a typed outcome (nothing thrown uncaught, no refresh left pending) and the client keeps working", async () => {
  const real = globalThis.fetch;
  const uncaught = [];
  const onUncaught = (e) => uncaught.push(String(e?.message ?? e));
  process.on("uncaughtException", onUncaught);
  // A skew longer than the token's life: every call refreshes first.
  const client = await createClient(config({ refreshSkewSeconds: 7200 }));
  await client.signInWithPassword({ username: "demo", password: "demo" });
  const within = (p) => Promise.race([p.then((r) => (r instanceof Response ? r.status : "resolved"), (e) => e.code), new Promise((r) => setTimeout(() => r("still pending"), 3000))]);
  const outcomes = {};
  // The URL alone: a Request made of the client's would take its body (sent then without one).
  const isToken = (input) => String(input instanceof Request ? input.url : input).endsWith("/as/token.oauth2");
  try {
    let once = true;
    globalThis.fetch = (input, init) => {
      if (!once || !isToken(input)) return real(input, init);
      // Not sent on: the server's refresh token stays the one the session holds.
      once = false;
      const p = Promise.resolve(Response.json({ error: "temporarily_unavailable" }, { status: 503 }));
      p.then = () => { throw new Error("then threw"); };
      return p;
    };
    // The refresh fails (network_error inside refresh_failed, reported); the token still lasts.
    outcomes.tamperedPromise = await within(client.fetch("/me"));
    const throwing = (token) => async (input, init) => {
      const response = await real(input, init);
      if (isToken(input) !== token) return response;
      for (const name of ["status", "ok", "headers"]) Object.defineProperty(response, name, { get() { throw new Error(`${name} threw`); } });
      return response;
    };
    globalThis.fetch = throwing(false);
    outcomes.throwingGetters = await within(client.fetchJson("/me"));
    globalThis.fetch = real;
    outcomes.refreshAfter = await within(client.refresh());
    outcomes.callAfter = await within(client.fetch("/me"));
    // The token endpoint's answer unreadable: a failed refresh, not one left pending.
    globalThis.fetch = throwing(true);
    outcomes.refreshWithGetters = await within(client.refresh());
  } finally {
    globalThis.fetch = real;
    process.off("uncaughtException", onUncaught);
  }
  assert.deepEqual(uncaught, [], "nothing thrown through the module");
  assert.deepEqual(outcomes, { tamperedPromise: 200, throwingGetters: "api_error", refreshAfter: "resolved", callAfter: 200, refreshWithGetters: "refresh_failed" });
});

test("a call's 401 that comes back after the refresh token was refused meanwhile ends the session: the API refused the access token the session kept", async () => {
  const client = await createClient(config());
  await client.signInWithPassword({ username: "demo", password: "demo" });
  const real = globalThis.fetch;
  let sent, open;
  const onItsWay = new Promise((r) => (sent = r));
  const gate = new Promise((r) => (open = r));
  globalThis.fetch = async (input, init) => {
    if (String(input instanceof Request ? input.url : input).includes("echoText=held")) {
      sent();
      await gate;
    }
    return real(input, init);
  };
  const expired = [];
  client.on("sessionExpired", () => expired.push(1));
  try {
    const call = client.fetch("/ping?echoText=held").then((r) => r.status, (e) => e.code);
    await onItsWay;
    await control("revoke-all"); // both tokens dead at the server
    const refreshed = await client.refresh().then(() => "resolved", (e) => e);
    assert.deepEqual([refreshed.code, refreshed.oauthError], ["refresh_failed", "invalid_grant"], "the access token still lasts: kept, without the refresh token");
    assert.match(refreshed.message, /is dropped; the session keeps its access token until it expires, then sign in again$/);
    const again = await client.refresh().catch((e) => e);
    assert.match(again.message, /one the token endpoint refused is dropped/, "a second refresh says why there is no refresh token");
    assert.equal(client.isAuthenticated(), true);
    open();
    assert.equal(await call, 401, "the 401 is the answer");
  } finally {
    globalThis.fetch = real;
  }
  assert.equal(client.isAuthenticated(), false, "the session the API refused has ended");
  assert.equal(expired.length, 1);
});

test("a token endpoint whose answer cannot be read (the connection cut after the headers) is network_error for validate(), not token_invalid; a refusal that quotes a one-character password sixty million times still settles, redacted", async () => {
  const client = await createClient(config());
  await client.signInWithPassword({ username: "demo", password: "demo" });
  const real = globalThis.fetch;
  try {
    const cutAfter = (status) => async () => new Response(new ReadableStream({ start: (c) => c.error(new TypeError("terminated")) }), { status });
    globalThis.fetch = cutAfter(200);
    const cut = await client.validate().catch((e) => e);
    assert.deepEqual([cut.code, cut.status], ["network_error", 200], cut.message);
    globalThis.fetch = cutAfter(503);
    const down = await client.refresh().catch((e) => e);
    assert.deepEqual([down.code, down.status], ["refresh_failed", 503], "the status that came is kept");
    // A revocation answered 200 is done, whatever its body.
    const errors = [];
    client.on("error", (e) => errors.push(e.code));
    globalThis.fetch = cutAfter(200);
    client.logout();
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(errors, [], "no revoke_failed for a revocation answered 200");
    // Each of 60 million "a"s becomes "[redacted]": past what a string may hold (RangeError).
    globalThis.fetch = async () => Response.json({ error: "invalid_grant", error_description: "a".repeat(60_000_000) }, { status: 400 });
    const refused = await Promise.race([
      (await createClient(config())).signInWithPassword({ username: "demo", password: "a" }).catch((e) => e),
      new Promise((r) => setTimeout(() => r("still pending"), 20_000)),
    ]);
    assert.equal(refused.code, "authorization_denied");
    assert.equal(refused.oauthErrorDescription, "[redacted: it quoted what was sent]");
  } finally {
    globalThis.fetch = real;
  }
});

test("connection refused at the token endpoint: refresh_failed, the session kept", async () => {
  // A forwarder to the emulator's token endpoint, closed after sign-in.
  const { createServer } = await import("node:http");
  const forwarder = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const answer = await fetch(`${emu.origin}${req.url}`, { method: req.method, headers: { "content-type": req.headers["content-type"], authorization: req.headers.authorization ?? "" }, body: Buffer.concat(chunks) });
    res.writeHead(answer.status, { "content-type": "application/json" }).end(await answer.text());
  });
  await new Promise((ok) => forwarder.listen(0, "127.0.0.1", ok));
  const client = await createClient(config({ tokenUrl: `http://127.0.0.1:${forwarder.address().port}/as/token.oauth2` }));
  await client.signInWithPassword({ username: "demo", password: "demo" });
  const token = client.accessToken();
  forwarder.closeAllConnections?.();
  await new Promise((ok) => forwarder.close(ok));
  await assert.rejects(client.refresh(), (e) => e instanceof MobprocError && e.code === "refresh_failed" && e.cause instanceof Error);
  assert.equal(client.accessToken(), token, "the session is exactly as it was");
  assert.equal((await client.fetch("/ping")).status, 200);
});

test("an answer that is not HTTP from a proxy that echoes the request: network_error and refresh_failed whose cause chain quotes no password, secret, token or refresh token", async () => {
  // Forwards to the emulator until `broken`; then answers malformed HTTP (a control byte in a
  // header) quoting the request, which Node's fetch keeps on its error (`HTTPParserError.data`).
  const { createServer } = await import("node:http");
  const { inspect } = await import("node:util");
  let broken = false;
  let refreshToken;
  const proxy = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks).toString();
    if (broken) {
      const echo = `${req.method} ${req.url}\r\n${Object.entries(req.headers).map(([k, v]) => `${k}: ${v}`).join("\r\n")}\r\n\r\n${body}`;
      return req.socket.end(`HTTP/1.1 502 Bad Gateway\r\nX-Proxy: \x01\r\n\r\n${echo}`);
    }
    const answer = await fetch(`${emu.origin}${req.url}`, { method: req.method, headers: { "content-type": req.headers["content-type"], authorization: req.headers.authorization ?? "" }, body });
    const text = await answer.text();
    refreshToken = JSON.parse(text).refresh_token ?? refreshToken;
    res.writeHead(answer.status, { "content-type": "application/json" }).end(text);
  });
  await new Promise((ok) => proxy.listen(0, "127.0.0.1", ok));
  const origin = `http://127.0.0.1:${proxy.address().port}`;
  const everything = (e) => inspect(e, { depth: Infinity, showHidden: true });
  try {
    const client = await createClient(config({ tokenUrl: `${origin}/as/token.oauth2`, allowedOrigins: [origin], storageKey: "echoing-proxy" }));
    await client.signInWithPassword({ username: "demo", password: "demo" });
    const token = client.accessToken();
    assert.ok(refreshToken, "the sign-in brought a refresh token");
    broken = true;
    const secret = config().clientSecret;
    const basic = Buffer.from(`${config().clientId}:${secret}`).toString("base64");
    const signIn = await createClient(config({ tokenUrl: `${origin}/as/token.oauth2`, storageKey: "echoing-proxy-2" }))
      .then((c) => c.signInWithPassword({ username: "demo", password: "pass-word-that-is-echoed" }))
      .then(() => null, (e) => e);
    const refresh = await client.refresh().then(() => null, (e) => e);
    const call = await client.fetch(`${origin}/echo`).then(() => null, (e) => e);
    for (const [name, error, code] of [["sign-in", signIn, "network_error"], ["refresh", refresh, "refresh_failed"], ["call", call, "network_error"]]) {
      assert.ok(error instanceof MobprocError && error.code === code, `${name}: ${error?.code}`);
      // What Node's fetch says is kept for debugging, as a copy: names, messages and codes.
      assert.equal(error.cause?.name, "TypeError", name);
      assert.ok(error.cause instanceof TypeError, `${name}: a TypeError stays one`);
      assert.ok(!(error.cause.cause instanceof TypeError) && error.cause.cause instanceof Error, `${name}: anything else is a plain Error`);
      assert.equal(error.cause?.cause?.code, "HPE_INVALID_HEADER_TOKEN", name);
      assert.equal(error.cause.stack, "TypeError: fetch failed", `${name}: what a console prints`);
      const shown = everything(error);
      for (const [what, value] of [["password", "pass-word-that-is-echoed"], ["secret", secret], ["Basic", basic], ["token", token], ["refresh token", refreshToken]]) {
        assert.ok(!shown.includes(value), `${name}: the ${what} is in the error:\n${shown}`);
      }
    }
    assert.equal(client.accessToken(), token, "the session is exactly as it was");
    // A weak password that is a word of the message: the message is replaced whole, not
    // `[redacted] failed`, which would tell it.
    const weak = await createClient(config({ tokenUrl: `${origin}/as/token.oauth2`, storageKey: "echoing-proxy-3" }))
      .then((c) => c.signInWithPassword({ username: "demo", password: "fetch" }))
      .then(() => null, (e) => e);
    assert.equal(weak.cause.message, "[redacted: it quoted what was sent]");
    assert.doesNotMatch(everything(weak), /\[redacted\] failed/);
    // A wrapped fetch (the app's, a library's) that rejects with a function or a Symbol
    // carrying the request: neither reaches the error raw.
    const real = globalThis.fetch;
    try {
      for (const make of [(echo) => Object.assign(() => {}, { data: echo }), (echo) => Symbol(echo), (echo) => Object.assign(new TypeError("x"), { cause: Object.assign(() => {}, { data: echo }) })]) {
        globalThis.fetch = async (input) => {
          throw make(`echo of ${input.headers.get("authorization")}`);
        };
        const odd = await client.fetch("/ping").then(() => null, (e) => e);
        assert.equal(odd?.code, "network_error");
        const shown = everything(odd);
        assert.ok(!shown.includes(token), `the token is in the error:\n${shown}`);
      }
    } finally {
      globalThis.fetch = real;
    }
  } finally {
    proxy.closeAllConnections?.();
    proxy.close();
  }
});

test("a caller's AbortSignal is honoured on a slow response", async () => {
  const { createServer } = await import("node:http");
  const slow = createServer(() => {}); // never answers
  await new Promise((ok) => slow.listen(0, "127.0.0.1", ok));
  const slowOrigin = `http://127.0.0.1:${slow.address().port}`;
  try {
    const client = await createClient(config({ allowedOrigins: [slowOrigin] }));
    await client.signInWithPassword({ username: "demo", password: "demo" });
    const started = Date.now();
    await assert.rejects(client.fetch(`${slowOrigin}/slow`, { signal: AbortSignal.timeout(200) }), (e) => e instanceof MobprocError && e.code === "network_error" && ["TimeoutError", "AbortError"].includes(e.cause?.name));
    assert.ok(Date.now() - started < 5000, "aborted promptly");
    assert.equal(client.isAuthenticated(), true, "an aborted call does not touch the session");
  } finally {
    slow.closeAllConnections?.();
    slow.close();
  }
});

test("a token endpoint shedding load (429 with Retry-After) while the token lasts: calls go on with it and do not ask again before Retry-After; refresh_failed carries retryAfter; refresh() still asks", async () => {
  // A skew longer than the token's life: every call refreshes first.
  const client = await createClient(config({ refreshSkewSeconds: 7200, storageKey: "shed" }));
  await client.signInWithPassword({ username: "demo", password: "demo" });
  const errors = [];
  client.on("error", (e) => errors.push([e.code, e.status, e.retryAfter, e.oauthError]));
  const refreshes = async () => (await stats()).token_requests.refresh_token ?? 0;
  const before = await refreshes();
  await control("fail-next?count=100&mode=429");
  const statuses = [];
  for (let i = 0; i < 10; i++) statuses.push((await client.fetch("/ping")).status);
  assert.deepEqual(statuses, Array(10).fill(200), "the calls went on with the token, which lasts");
  assert.equal((await refreshes()) - before, 1, "one refresh asked, not one per call");
  assert.deepEqual(errors, [["refresh_failed", 429, 7, "temporarily_unavailable"]], "reported once, with the server's Retry-After");
  const asked = await client.refresh().catch((e) => [e.code, e.status, e.retryAfter]);
  assert.deepEqual(asked, ["refresh_failed", 429, 7], "refresh() asks whatever the pause");
  assert.equal((await refreshes()) - before, 2);
  await control("fail-next?count=0&mode=429");
  assert.equal(client.isAuthenticated(), true);
});

test("once the token has expired, a refresh answered with Retry-After: calls fail at once (refresh_failed with the seconds left) without asking before then; a later failure does not shorten the wait, a clock set back does not stretch it; refresh() still asks; Retry-After 0 or none pauses nothing", async () => {
  const client = await createClient(config({ storageKey: "expired-shed" }));
  const real = globalThis.fetch;
  const realNow = Date.now;
  let shift = 0;
  Date.now = () => realNow() + shift;
  let refreshes = 0;
  let retryAfter = "30";
  globalThis.fetch = async (input, init) => {
    const body = input instanceof Request ? await input.clone().text() : String(init?.body ?? "");
    if (body.includes("grant_type=password")) return Response.json({ access_token: "short-lived", token_type: "Bearer", expires_in: 60, refresh_token: "r1" });
    if (body.includes("grant_type=refresh_token")) {
      refreshes++;
      const headers = retryAfter ? { "retry-after": retryAfter } : {};
      return Response.json({ error: "temporarily_unavailable" }, { status: retryAfter ? 429 : 503, headers });
    }
    return real(input, init);
  };
  // Signed in, then an hour later: the token expired long ago.
  const expired = async () => {
    shift = 0;
    await client.signInWithPassword({ username: "demo", password: "demo" });
    shift = 3_600_000;
  };
  const call = () => client.fetch("/ping").then((r) => r.status, (e) => [e.code, e.status, e.retryAfter]);
  try {
    await expired();
    const outcomes = [];
    for (let i = 0; i < 5; i++) outcomes.push(await call());
    assert.equal(refreshes, 1, "one refresh asked, not one per call");
    assert.deepEqual(outcomes[0], ["refresh_failed", 429, 30], "the refresh's own failure");
    for (const [code, status, seconds] of outcomes.slice(1)) {
      assert.deepEqual([code, status], ["refresh_failed", undefined], "failed at once, nothing asked");
      assert.ok(seconds >= 29 && seconds <= 30, `retryAfter: the seconds left (${seconds})`);
    }
    // refresh() asks whatever the wait; its failure without Retry-After does not shorten it.
    retryAfter = "";
    assert.deepEqual(await client.refresh().catch((e) => [e.code, e.status, e.retryAfter]), ["refresh_failed", 503, undefined]);
    assert.equal(refreshes, 2);
    assert.deepEqual((await call()).slice(0, 2), ["refresh_failed", undefined], "still waiting");
    assert.equal(refreshes, 2);
    // Past the wait, each call asks again (nothing said when to, this time).
    shift += 31_000;
    await call();
    await call();
    assert.equal(refreshes, 4);
    // A clock set back a minute: a wait more than 5 minutes ahead is not waited for, and the
    // next Retry-After counts from the new time.
    retryAfter = "300";
    await call();
    assert.equal(refreshes, 5);
    shift -= 60_000;
    assert.deepEqual(await call(), ["refresh_failed", 429, 300], "asked again");
    assert.equal(refreshes, 6);
    assert.deepEqual((await call()).slice(0, 2), ["refresh_failed", undefined], "waiting the new 300 s");
    assert.equal(refreshes, 6);
    // A new sign-in ends the wait; Retry-After: 0 pauses nothing.
    retryAfter = "0";
    await expired();
    assert.deepEqual(await call(), ["refresh_failed", 429, 0]);
    assert.deepEqual(await call(), ["refresh_failed", 429, 0], "asked again: 0 s is no wait");
    assert.equal(refreshes, 8);
  } finally {
    globalThis.fetch = real;
    Date.now = realNow;
  }
});

test("a refresh that fails after a sign-out (its answer late) does not pause the refreshes of the session signed in since", async () => {
  const client = await createClient(config({ refreshSkewSeconds: 7200, storageKey: "late-failure" }));
  await client.signInWithPassword({ username: "demo", password: "demo" });
  const refreshes = async () => (await stats()).token_requests.refresh_token ?? 0;
  // The first refresh's answer (a 429 with Retry-After: 7) is held until the next user signed in.
  const real = globalThis.fetch;
  let release, asked;
  const held = new Promise((r) => (release = r));
  const askedP = new Promise((r) => (asked = r));
  globalThis.fetch = async (input, init) => {
    const body = input instanceof Request ? await input.clone().text() : String(init?.body ?? "");
    const response = await real(input, init);
    if (body.includes("grant_type=refresh_token")) {
      globalThis.fetch = real;
      asked();
      await held;
    }
    return response;
  };
  await control("fail-next?count=1&mode=429");
  const late = client.refresh().catch((e) => [e.code, e.status]);
  await askedP;
  client.logout();
  await client.signInWithPassword({ username: "command://jdoe", password: "jdoe-pass" });
  release();
  assert.deepEqual(await late, ["refresh_failed", 429], "the ended session's refresh failed");
  const before = await refreshes();
  for (let i = 0; i < 3; i++) assert.equal((await client.fetch("/me")).status, 200);
  assert.equal((await refreshes()) - before, 3, "each call refreshed first, as the skew asks: no pause from the ended session's failure");
});
