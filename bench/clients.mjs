// `node bench/clients.mjs <pkg dir> <n>`, run by bench/run.mjs: a Node server's
// clients, one per user. Makes n clients and signs each in (the token endpoint answered in
// process, so that the package's own work is timed, not HTTP), times one more client made and
// signed in with the n alive, then lets go of the n and times wasm-bindgen's finalizers freeing
// them (the allocator's frees), with the longest task the event loop ran meanwhile. Prints one
// JSON line.
import { frees, gc } from "../tests/node/frees.mjs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [dir, count = "10000"] = process.argv.slice(2);
const n = Number(count);
// The tests' counter of what the package's finalizers free (imported first: the package's
// glue makes its registries as it loads), and the collector.
const freedClients = () => frees.client ?? 0;
const pkg = await import(pathToFileURL(path.join(dir, "node.js")).href);
let issued = 0;
globalThis.fetch = async () =>
  Response.json({ access_token: `at-${++issued}`, token_type: "Bearer", expires_in: 3600, refresh_token: `rt-${issued}` });
const config = {
  clientId: "bench", clientSecret: "bench-secret", tenant: "XYZ",
  apiBaseUrl: "http://127.0.0.1:9/mobproc/v1", tokenUrl: "http://127.0.0.1:9/as/token.oauth2",
};
/** A client, signed in. */
async function signedIn() {
  const client = await pkg.createClient(config);
  await client.signInWithPassword({ username: "user", password: "password" });
  return client;
}
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

/** `count` signed-in clients, and the ms it took. A function of its own: a suspended
 * frame could keep the last client it awaited. */
async function make(count) {
  const started = performance.now();
  const clients = [];
  for (let i = 0; i < count; i++) {
    const client = await signedIn();
    clients.push(client);
  }
  return { clients, ms: performance.now() - started };
}

/** Collects until `count` more clients are freed (at most `limitMs`): the ms it took, and
 * the longest task the event loop ran meanwhile (the finalizers run as tasks). */
async function freeing(count, limitMs) {
  const target = freedClients() + count;
  let longestTaskMs = 0;
  let last = performance.now();
  const watch = setInterval(() => {
    const now = performance.now();
    longestTaskMs = Math.max(longestTaskMs, now - last);
    last = now;
  }, 1);
  const started = performance.now();
  while (freedClients() < target && performance.now() - started < limitMs) (await tick(), gc(), await tick());
  clearInterval(watch);
  return { freed: count - Math.max(0, target - freedClients()), ms: performance.now() - started, longestTaskMs };
}

let made = await make(n);
const makeMs = made.ms;
// One more client with the n alive, timed over 200 (then freed).
const extra = 200;
const perClientMs = (await make(extra)).ms / extra;
await freeing(extra, 60_000);
made = null;
const dropped = await freeing(n, 300_000);
console.log(JSON.stringify({ n, makeMs, perClientMs, freed: dropped.freed, freeMs: dropped.ms, longestTaskMs: dropped.longestTaskMs }));
