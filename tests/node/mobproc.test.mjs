// Issue #5 in server-side JavaScript against the emulator: acting for an employee, the activity
// and correlation ids the emulator logged, Tangoe's error body as api_error, and pagination.
import { test } from "node:test";
import assert from "node:assert/strict";
import { pkg, useEmulator } from "./emulator.mjs";

const { createClient, MobprocError } = pkg;
const emu = useEmulator();
const lastRecord = async () => (await emu.stats()).requests.at(-1);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

async function signedIn(extra) {
  const client = await createClient(emu.config(extra));
  await client.signInWithPassword({ username: "demo", password: "demo" });
  return client;
}

test("the actor follows the config, setContext and one call's init.context", async () => {
  const client = await signedIn({ context: { employeeId: "E1005" } });
  const actor = async (init) => (await client.fetchJson("/me", init)).actor.employeeId;
  assert.equal(await actor(), "E1005");
  assert.equal(await actor({ context: { employeeId: null } }), "E1000");
  assert.equal(await actor({ context: { employeeId: "E1010" } }), "E1010");
  assert.equal(await actor(), "E1005", "an override lasts one call");
  client.setContext({ companyEmployeeId: "demo@xyz.example" });
  assert.equal(await actor(), "E1000");
  assert.throws(() => client.setContext({ employeeId: "E1\r\nX-Evil: 1" }), (e) => e instanceof MobprocError && e.code === "config_invalid" && e.field === "context.employeeId");
  assert.equal(await actor(), "E1000", "a refused context leaves the previous one");
  client.setContext(null);
  assert.equal(await actor(), "E1000");
  assert.ok(!(await lastRecord()).headers_present.some((h) => h.startsWith("X-TNGO-CONTEXT-") && !/CORRELATION/.test(h)));
});

test("every call has its own correlation id, logged by the emulator; the activity id groups them", async () => {
  const client = await signedIn({ activityId: "nightly-sync-42" });
  const ids = [];
  for (let i = 0; i < 3; i++) {
    const response = await client.fetch("/ping?echoText=x");
    const id = client.correlationId(response);
    assert.match(id, UUID);
    const logged = await lastRecord();
    assert.equal(logged.correlation_id, id);
    assert.equal(logged.activity_id, "nightly-sync-42");
    ids.push(id);
  }
  assert.equal(new Set(ids).size, 3);
  const me = await client.fetchJson("/me");
  assert.equal(client.correlationId(me), (await lastRecord()).correlation_id, "also for what fetchJson resolved");
  client.setActivityId(null);
  const own = await client.fetch("/ping", { headers: { "X-TNGO-CONTEXT-CORRELATIONID": "ticket-1234" } });
  assert.equal(client.correlationId(own), "ticket-1234");
  const logged = await lastRecord();
  assert.equal(logged.correlation_id, "ticket-1234");
  assert.equal(logged.activity_id, null);
});

test("Tangoe's error body becomes api_error; 429 carries retryAfter", async () => {
  const client = await signedIn();
  const error = await client.fetchJson("/me", { context: { employeeId: "E9999" } }).catch((e) => e);
  assert.ok(error instanceof MobprocError, String(error));
  assert.equal(error.code, "api_error");
  assert.equal(error.status, 404);
  assert.equal(error.errorCode, "404-Employee-Not-Found");
  assert.equal(error.apiMessage, "The context employee does not exist.");
  assert.match(error.id, /^\w+$/);
  assert.equal(error.correlationId, (await lastRecord()).correlation_id);
  assert.match(error.message, /HTTP 404: The context employee does not exist\. \(404-Employee-Not-Found\)/);
  await emu.control("api-fail-next?count=1&status=429");
  const limited = await client.fetchJson("/ping").catch((e) => e);
  assert.equal(limited.code, "api_error");
  assert.equal(limited.status, 429);
  assert.equal(limited.retryAfter, 7);
  assert.equal((await client.fetchJson("/ping?echoText=ok")).echoText, "ok");
});

test("paginate walks /employees: all 72 once, in order, 25 per page", async () => {
  const client = await signedIn();
  const before = (await emu.stats()).requests.length;
  const ids = [];
  for await (const page of client.paginate("/employees", { limit: 25 })) {
    assert.ok(page.employees.length <= 25);
    assert.match(client.correlationId(page), UUID);
    ids.push(...page.employees.map((e) => e.employeeId));
  }
  const expected = Array.from({ length: 72 }, (_, i) => `E${1001 + i}`);
  assert.deepEqual(ids, expected);
  const pages = (await emu.stats()).requests.slice(before);
  assert.deepEqual(pages.map((r) => `${r.path} ${r.status}`), Array(3).fill("/mobproc/v1/employees 200"));
  const fromOffset = [];
  for await (const page of client.paginate("employees", { limit: 50, offset: 60 })) fromOffset.push(...page.employees);
  assert.equal(fromOffset.length, 12);
  assert.throws(() => client.paginate("/employees", { limit: 0 }), (e) => e.code === "config_invalid" && e.field === "limit");
  // A typo is refused, not walked with Tangoe's default page size.
  assert.throws(() => client.paginate("/employees", { limt: 5 }), (e) => e.code === "config_invalid" && e.field === "options.limt" && /known: limit, offset, maxPages/.test(e.message));
});

test("a redirect is refused: the Tangoe and context headers never reach the other origin", async (t) => {
  const { createServer } = await import("node:http");
  const listen = (handler) => new Promise((ok) => {
    const server = createServer(handler).listen(0, "127.0.0.1", () => ok(server));
    t.after(() => server.close());
  });
  const elsewhere = [];
  const other = await listen((req, res) => {
    elsewhere.push(req.headers);
    res.end("{}");
  });
  const api = await listen((req, res) => {
    res.writeHead(302, { location: `http://127.0.0.1:${other.address().port}/stolen` }).end();
  });
  const client = await signedIn({ allowedOrigins: [`http://127.0.0.1:${api.address().port}`], context: { companyEmployeeId: "jane@xyz.example" } });
  const target = `http://127.0.0.1:${api.address().port}/v1/redir`;
  const error = await client.fetch(target).catch((e) => e);
  assert.equal(error.code, "network_error");
  assert.deepEqual(elsewhere, [], "nothing reached the redirect's target");
  const manual = await client.fetch(target, { redirect: "manual" });
  assert.equal(manual.status, 302, "redirect: manual hands the redirect to the caller");
  assert.deepEqual(elsewhere, []);
});

test("the replay after a 401: a new token and its own correlation id, with the call's context (a setContext meanwhile is for later calls)", async () => {
  const client = await signedIn({ context: { employeeId: "E1005" }, activityId: "batch-1" });
  // The refresh that the 401 triggers announces itself before the replay: change the context there.
  const off = client.on("sessionChanged", () => {
    client.setContext(null);
    client.setActivityId(null);
  });
  const before = (await emu.stats()).requests.length;
  await emu.control("api-fail-next?count=1&status=401");
  const me = await client.fetchJson("/me");
  off();
  const [first, replay, later] = [...(await emu.stats()).requests.slice(before), null];
  assert.deepEqual([first.status, replay.status, later], [401, 200, null]);
  assert.deepEqual([first.activity_id, replay.activity_id], ["batch-1", "batch-1"]);
  assert.notEqual(first.correlation_id, replay.correlation_id);
  assert.equal(client.correlationId(me), replay.correlation_id);
  assert.equal(me.actor.employeeId, "E1005", "the replay acts for whom the call was made");
  const after = await client.fetchJson("/me");
  assert.equal(after.actor.employeeId, "E1000", "a later call has the new context");
  assert.equal((await lastRecord()).activity_id, null);
});

test("a call keeps the context of the moment it was made: a setContext right after it, or while it waits for a refresh, is for later calls (one server client acting for many employees); paginate's pages keep the one of the moment paginate was called", async () => {
  const client = await signedIn();
  client.setContext({ employeeId: "E1001" });
  const first = client.fetchJson("/me");
  client.setContext({ employeeId: "E1002" });
  const second = client.fetchJson("/me");
  client.setContext(null);
  assert.deepEqual((await Promise.all([first, second])).map((me) => me.actor.employeeId), ["E1001", "E1002"]);
  // Both made while the token must be refreshed first: the refresh is awaited after the call was made.
  const expiring = await signedIn({ refreshSkewSeconds: 7200 });
  expiring.setContext({ employeeId: "E1003" });
  const third = expiring.fetchJson("/me");
  expiring.setContext({ employeeId: "E1004" });
  const fourth = expiring.fetchJson("/me", { method: "GET" });
  expiring.setContext(null);
  assert.deepEqual((await Promise.all([third, fourth])).map((me) => me.actor.employeeId), ["E1003", "E1004"]);
  // paginate: every page with the context of the moment paginate was called.
  client.setActivityId("walk-1");
  const walk = client.paginate("/employees", { limit: 25 });
  client.setActivityId("later");
  const before = (await emu.stats()).requests.length;
  let pages = 0;
  for await (const page of walk) {
    void page;
    pages++;
    client.setActivityId(`during-${pages}`);
  }
  const sent = (await emu.stats()).requests.slice(before).map((r) => r.activity_id);
  assert.deepEqual(sent, ["walk-1", "walk-1", "walk-1"], "three pages, each with the walk's activity id");
});

test("paginate's options.context: a shared server client walks a collection as one employee without setContext; a bad value is config_invalid before anything is sent", async () => {
  const client = await signedIn();
  client.setContext({ companyEmployeeId: "bruno.anders@xyz.example" });
  const before = (await emu.stats()).requests.length;
  let pages = 0;
  for await (const page of client.paginate("/employees", { limit: 25, context: { employeeId: "E1001", companyEmployeeId: null } })) {
    void page;
    pages++;
  }
  const sent = (await emu.stats()).requests.slice(before).map((r) => r.headers_present.filter((h) => h.includes("EMPLOYEEID")));
  assert.deepEqual(sent, Array(3).fill(["X-TNGO-CONTEXT-EMPLOYEEID"]), "every page as E1001, the client's companyEmployeeId removed");
  assert.equal(pages, 3);
  // The client's own context is untouched.
  assert.equal((await client.fetchJson("/me")).actor.employeeId, "E1002");
  assert.throws(() => client.paginate("/employees", { context: { employee: "E1" } }), (e) => e.code === "config_invalid" && e.field === "options.context.employee");
  const bad = client.paginate("/employees", { context: { employeeId: "bad\r\n" } });
  const count = (await emu.stats()).requests.length;
  await assert.rejects(bad.next(), (e) => e.code === "config_invalid");
  assert.equal((await emu.stats()).requests.length, count, "nothing sent");
});

test("hostile arguments are typed errors that name what is wrong: a listener removed by an earlier one is not called for that event; a Map as a context, a string as credentials, a lone surrogate in a setting, an init whose getter throws", async () => {
  const client = await signedIn();
  const heard = [];
  let offB;
  client.on("sessionChanged", () => {
    heard.push("A");
    offB();
  });
  offB = client.on("sessionChanged", () => heard.push("B"));
  client.on("sessionChanged", () => heard.push("C"));
  await client.refresh();
  assert.deepEqual(heard, ["A", "C"], "as EventTarget: B was removed before its turn");
  assert.throws(() => client.setContext(new Map([["employeeId", "E1001"]])), (e) => e.code === "config_invalid" && e.field === "context");
  await assert.rejects(client.signInWithPassword("demo"), (e) => e.code === "config_invalid" && e.field === "credentials" && /must be an object/.test(e.message));
  // A lone surrogate would become U+FFFD in Rust: two storage keys (or passwords) would be one.
  for (const [name, config] of [["storageKey", emu.config({ storageKey: "\uD800" })], ["tenant", emu.config({ tenant: "X\uDBFF" })]]) {
    await assert.rejects(createClient(config), (e) => e.code === "config_invalid" && e.field === name, name);
  }
  await assert.rejects(client.signInWithPassword({ username: "demo", password: "pw\uDC00" }), (e) => e.code === "config_invalid" && e.field === "password");
  const init = { get headers() { throw new Error("getter threw"); } };
  for (const call of [client.fetch, client.fetchJson]) {
    await assert.rejects(call("/me", init), (e) => e.code === "config_invalid" && e.field === "init" && /getter threw/.test(e.message));
  }
});
