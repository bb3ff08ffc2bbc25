// A client's life in a long-running process: the listeners the app gives it stay alive while
// the client does, and a client the app lets go of is freed, its Rust side too, even when its
// listeners use it (a cycle through wasm-bindgen's table would keep it for ever).
import { frees, gc, collectUntil } from "./frees.mjs";
import { test } from "node:test";
import assert from "node:assert/strict";
import { pkg, useEmulator } from "./emulator.mjs";

const emu = useEmulator();

// The package's timers of a second or more still to fire (the expiry warning and a
// subscription's expiry wake-up: steps of up to a minute).
const waiting = new Set();
const { setTimeout: set, clearTimeout: clear } = globalThis;
globalThis.setTimeout = (handler, ms, ...rest) => {
  const timer = set((...args) => (waiting.delete(timer), handler(...args)), ms, ...rest);
  if (ms >= 1000) waiting.add(timer);
  return timer;
};
globalThis.clearTimeout = (timer) => (waiting.delete(timer), clear(timer));
const signIn = (client) => client.signInWithPassword({ username: "demo", password: "demo" });

test("listeners given as inline functions outlive collections: kept by the client, not by the app", async () => {
  const client = await pkg.createClient(emu.config());
  let changed = 0;
  let subscribed = 0;
  client.on("sessionChanged", () => changed++);
  client.subscribe(() => subscribed++);
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await signIn(client);
  await client.refresh();
  assert.equal(changed, 2);
  assert.equal(subscribed, 2);
  // Unsubscribed: neither heard again.
  client.on("sessionChanged", () => changed++)();
  client.subscribe(() => subscribed++)();
  client.logout();
  assert.equal(changed, 3);
  assert.equal(subscribed, 3);
});

test("1000 signed-in clients whose listeners use them (on, subscribe) are collected and freed once the app lets go of them, though it keeps the unsubscribe functions, and their timers cleared", async () => {
  const N = 1000;
  // Earlier tests' clients first, so that only these are counted.
  await collectUntil(() => false, 300);
  const timers = waiting.size;
  const before = frees.client ?? 0;
  let clients = [];
  // Unsubscribe functions the app keeps, which keep no client.
  const offs = [];
  for (let i = 0; i < N; i++) {
    const client = await pkg.createClient(emu.config());
    client.on("sessionChanged", () => client.session());
    offs.push(client.on("error", () => client.logout()));
    offs.push(client.subscribe(() => client.isAuthenticated()));
    await signIn(client);
    clients.push(client);
  }
  const gone = clients.map((client) => new WeakRef(client));
  clients = null;
  const alive = () => gone.filter((ref) => ref.deref() !== undefined).length;
  const collected = await collectUntil(() => alive() === 0 && (frees.client ?? 0) - before >= N, 20_000);
  assert.ok(collected, `${alive()} of ${N} clients still alive; ${(frees.client ?? 0) - before} freed`);
  // Their timers are cleared with them, not left to wake up to nothing.
  assert.ok(await collectUntil(() => waiting.size <= timers, 20_000), `${waiting.size - timers} timers of dropped clients still set`);
  for (const off of offs) off(); // of a client that is gone: nothing to do, nothing thrown
});

test("a call under way keeps its client's listeners: an app that let go of the client (a promise it returns, a call it forgets) still hears the events the call causes", async () => {
  let open;
  const gate = new Promise((resolve) => (open = resolve));
  const real = globalThis.fetch;
  // The token endpoint answers only once the client has been collected.
  globalThis.fetch = async (...args) => (await gate, real(...args));
  const heard = [];
  try {
    const { client, signingIn } = await (async () => {
      const client = await pkg.createClient(emu.config());
      client.on("sessionChanged", (session) => heard.push(session ? "signed in" : "signed out"));
      client.subscribe(() => heard.push("subscriber"));
      return { client: new WeakRef(client), signingIn: signIn(client) };
    })();
    assert.ok(await collectUntil(() => client.deref() === undefined), "the app's client was not collected during the call");
    open();
    await signingIn;
  } finally {
    globalThis.fetch = real;
  }
  assert.deepEqual(heard, ["signed in", "subscriber"]);
});

test("a page walk the app keeps beside its client (a view holding both, read by a listener) does not pin the client", async () => {
  const make = async () => {
    const client = await pkg.createClient(emu.config());
    await signIn(client);
    const view = { client, walk: client.paginate("/employees") };
    client.on("sessionChanged", () => view.walk);
    return new WeakRef(client);
  };
  const gone = [];
  for (let i = 0; i < 20; i++) gone.push(await make());
  const alive = () => gone.filter((ref) => ref.deref() !== undefined).length;
  assert.ok(await collectUntil(() => alive() === 0, 20_000), `${alive()} of 20 clients still alive`);
});

test("a revocation that fails after logout() is heard (revoke_failed) though the app let go of the client at once", async () => {
  let open;
  const gate = new Promise((resolve) => (open = resolve));
  const real = globalThis.fetch;
  const heard = [];
  try {
    const client = await (async () => {
      const client = await pkg.createClient(emu.config());
      await signIn(client);
      client.on("error", (error) => heard.push(error.code));
      // The revocation endpoint answers 503, once the client has been collected.
      globalThis.fetch = async () => (await gate, new Response("down", { status: 503 }));
      client.logout();
      return new WeakRef(client);
    })();
    assert.ok(await collectUntil(() => client.deref() === undefined), "the app's client was not collected during the revocation");
    open();
    await collectUntil(() => heard.length === 2, 5000);
  } finally {
    globalThis.fetch = real;
  }
  assert.deepEqual(heard, ["revoke_failed", "revoke_failed"]);
});
