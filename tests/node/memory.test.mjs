// A server's long life: what a client does thousands of times (sign in, sign out, calls whose
// answers are not JSON) must leave the module's memory and wasm-bindgen's table of JavaScript
// values flat. Its own file: the module is instantiated once per process, here under watch.
import { test } from "node:test";
import assert from "node:assert/strict";
import { pkg, useEmulator } from "./emulator.mjs";

// Captured as the package instantiates its module (at the first createClient below).
let instance;
const instantiate = WebAssembly.instantiate;
WebAssembly.instantiate = async (...args) => {
  const result = await instantiate.apply(WebAssembly, args);
  instance = result.instance ?? result;
  return result;
};

const emu = useEmulator();
const ROUNDS = 300;

/** Slots of the module's tables that hold a value (a free one holds `null`; a leaked one, even
 * `undefined`), and the memory's size. */
function usage() {
  const exports = Object.values(instance.exports);
  const tables = exports.filter((e) => e instanceof WebAssembly.Table);
  let held = 0;
  for (const table of tables) for (let i = 0; i < table.length; i++) if (table.get(i) !== null) held++;
  const memory = exports.find((e) => e instanceof WebAssembly.Memory);
  return { held, bytes: memory.buffer.byteLength };
}

test(`${ROUNDS} sign-ins and sign-outs (revoked: empty answers) and calls answered with empty, HTML or text bodies (some beginning as JSON could) or JSON cut short keep the value table and memory flat`, async () => {
  const client = await pkg.createClient(emu.config());
  const round = async () => {
    await client.signInWithPassword({ username: "demo", password: "demo" });
    client.logout();
  };
  await round();
  await new Promise((resolve) => setTimeout(resolve, 200));
  const before = usage();
  for (let i = 0; i < ROUNDS; i++) await round();
  // The revocations run in the background.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const afterSignOuts = usage();

  await client.signInWithPassword({ username: "demo", password: "demo" });
  const real = globalThis.fetch;
  // Bodies of proxies and servers that are not JSON, though some begin as JSON could.
  const text = (status, body, type = "text/plain") => () => new Response(body, { status, headers: { "content-type": type } });
  const apiAnswers = [
    text(500, ""),
    text(502, "<html><body>Bad gateway</body></html>", "text/html"),
    text(503, "Service Unavailable"),
    text(404, "404 page not found"),
    text(503, "no healthy upstream"),
    text(403, "forbidden"),
    text(200, "not json"),
    text(200, "true story"),
    // JSON cut short (a proxy's timeout), which JSON.parse would throw on.
    text(200, '{"employees": [', "application/json"),
    text(502, '{"error": "bad gate', "application/json"),
  ];
  const tokenAnswers = [text(500, ""), text(503, "no healthy upstream"), text(502, "502 Bad Gateway"), text(504, "-"), text(502, '{"error": "temporarily_unav', "application/json")];
  let answers = apiAnswers;
  let next = 0;
  globalThis.fetch = async () => answers[next++ % answers.length]();
  try {
    for (let i = 0; i < ROUNDS; i++) {
      answers = apiAnswers;
      await assert.rejects(client.fetchJson("/ping"), (e) => e.code === "api_error");
      answers = tokenAnswers;
      await assert.rejects(client.validate(), (e) => e.code === "network_error");
    }
  } finally {
    globalThis.fetch = real;
  }
  const afterCalls = usage();
  // A few slots move with the event loop's timing; a leak holds one or two a round.
  assert.ok(afterSignOuts.held - before.held < 30, `sign-outs: ${before.held} → ${afterSignOuts.held} values held`);
  assert.ok(afterCalls.held - afterSignOuts.held < 30, `failed calls: ${afterSignOuts.held} → ${afterCalls.held} values held`);
  assert.ok(afterCalls.bytes - before.bytes <= 64 * 1024, `memory: ${before.bytes} → ${afterCalls.bytes} bytes`);
});

test("hostile strings of megabytes (an event name, an unknown option, a listener's error message, a config value, a token endpoint's error_description) are refused or quoted short without being copied into the module's memory, which never shrinks", async () => {
  const client = await pkg.createClient(emu.config());
  const huge = "x".repeat(20_000_000);
  const before = usage().bytes;
  assert.throws(() => client.on(huge, () => {}), (e) => e.code === "config_invalid" && e.field === "event");
  assert.throws(() => client.paginate("/employees", { [huge]: 1 }), (e) => e.code === "config_invalid" && e.field.length <= 80);
  const errors = [];
  client.on("error", (e) => errors.push(e));
  client.on("sessionChanged", () => {
    throw new Error(huge);
  });
  await client.signInWithPassword({ username: "demo", password: "demo" });
  assert.equal(errors[0]?.code, "listener_failed");
  assert.ok(errors[0].message.length < 2100, `the message quotes ${errors[0].message.length} characters`);
  // Beyond the 4194304 characters a string may have: the field is named.
  const long = "x".repeat(5_000_000);
  await assert.rejects(pkg.createClient(emu.config({ clientId: long })), (e) => e.code === "config_invalid" && e.field === "clientId");
  assert.throws(() => client.setActivityId(long), (e) => e.code === "config_invalid" && e.field === "activityId");
  await assert.rejects(client.signInWithPassword({ username: long, password: "demo" }), (e) => e.code === "config_invalid" && e.field === "username");
  // A token endpoint's refusal of megabytes: searched for the secrets, then kept short.
  const real = globalThis.fetch;
  globalThis.fetch = async () => Response.json({ error: "temporarily_unavailable", error_description: huge }, { status: 400 });
  try {
    const refused = await pkg.createClient(emu.config()).then((c) => c.signInWithPassword({ username: "demo", password: "demo" })).catch((e) => e);
    assert.equal(refused.oauthErrorDescription?.length, 1000);
  } finally {
    globalThis.fetch = real;
  }
  client.logout();
  const grown = usage().bytes - before;
  assert.ok(grown < 4 * 1024 * 1024, `memory grew ${grown} bytes`);
});
