#!/usr/bin/env node
// `cargo xtask bench` runs this (after building the package and the emulator):
//
//   node bench/run.mjs --pkg pkg --emulator target/debug/mobproc-emulator \
//        --relay target/debug/mobproc-relay --out BENCHMARKS.md
//
// 1. size of the package (wasm + JS entry) and of five browser OAuth libraries bundled here
//    with esbuild; 2. per-call overhead of client.fetch against plain fetch in headless Chromium,
//    against the Tangoe emulator on loopback; 3. refresh storms; 4. start-up and callback;
// 5. memory over 10 000 calls; 6. refreshes through mobproc-relay against the same refreshes
// straight to the emulator (latency and refreshes per second); 7. a Node server's clients:
// 10 000 made, then freed (bench/clients.mjs). Writes the Markdown report to --out. Talks to
// 127.0.0.1 only.

import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";
import * as esbuild from "esbuild";
import { chromium } from "playwright-core";
import { startServer } from "./server.mjs";
import { CHROMIUM, CHROMIUM_ARGS } from "../tests/chromium.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "..");
const CLIENT_ID = "portal-demo";
const TENANT = "XYZ";

/** The workloads; `--quick` shrinks them for a smoke run (the report then says so). */
const FULL = {
  seqBlocks: 20, seqPerBlock: 100, warmup: 50, concRounds: 20, conc: 200,
  bdRounds: 10, bdPerRound: 50, stubBatches: 20, perBatch: 500, profileCalls: 20_000, phaseCalls: 1000,
  storm: 500, stormRounds: 5, memCalls: 10_000, startups: 25, callbacks: 20, callbackPauseMs: 1000,
  relayBlocks: 10, relayPerBlock: 100, relayWarmup: 50, relayRounds: 6, relayChains: 16, relayPerChain: 50,
  nodeClients: 10_000,
};
const QUICK = {
  seqBlocks: 4, seqPerBlock: 50, warmup: 10, concRounds: 4, conc: 200,
  bdRounds: 2, bdPerRound: 25, stubBatches: 4, perBatch: 200, profileCalls: 2_000, phaseCalls: 100,
  storm: 500, stormRounds: 2, memCalls: 1_000, startups: 5, callbacks: 3, callbackPauseMs: 1000,
  relayBlocks: 4, relayPerBlock: 25, relayWarmup: 10, relayRounds: 2, relayChains: 8, relayPerChain: 10,
  nodeClients: 1_000,
};

/** The competitors: npm package, the one named import, and the esbuild externals. */
const LIBRARIES = [
  { pkg: "oidc-client-ts", name: "UserManager", note: "OpenID Connect, code + PKCE (no implicit grant since v2)" },
  { pkg: "angular-oauth2-oidc", name: "OAuthService", external: ["@angular/*", "rxjs", "rxjs/*"], note: "implicit and code flow; Angular and rxjs left external" },
  { pkg: "@azure/msal-browser", name: "PublicClientApplication", note: "Microsoft identity platform, code + PKCE" },
  { pkg: "@auth0/auth0-spa-js", name: "Auth0Client", note: "Auth0, code + PKCE" },
  { pkg: "@badgateway/oauth2-client", name: "OAuth2Client", note: "a small OAuth2 client and fetch wrapper; no implicit grant, no token storage" },
];

// ---------------------------------------------------------------- helpers

function parseArgs(argv) {
  const opts = {
    pkg: path.join(ROOT, "pkg"),
    emulator: path.join(ROOT, "target", "debug", "mobproc-emulator"),
    relay: path.join(ROOT, "target", "debug", "mobproc-relay"),
    out: path.join(ROOT, "BENCHMARKS.md"),
    quick: false,
    against: null,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--quick") opts.quick = true;
    else if (["--pkg", "--emulator", "--relay", "--out", "--against"].includes(arg) && i + 1 < argv.length) opts[arg.slice(2)] = path.resolve(argv[++i]);
    else {
      console.error(`usage: node bench/run.mjs [--pkg DIR] [--emulator BIN] [--relay BIN] [--out FILE] [--quick] [--against DIR]\nunknown argument ${arg}`);
      process.exit(2);
    }
  }
  return opts;
}

const log = (...a) => console.error(...a);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const summary = (xs) => ({ n: xs.length, median: median(xs), min: Math.min(...xs), max: Math.max(...xs), p90: [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)] });
const ms = (x, digits = 3) => x.toFixed(digits);
const range = (s, digits = 3) => `${ms(s.median, digits)} (${ms(s.min, digits)}–${ms(s.max, digits)})`;
const kb = (bytes) => (bytes / 1000).toFixed(1);

/** `gzip -9 -n` of `bytes` (the system gzip, the figure people quote and `cargo xtask size` uses). */
function gzip9(bytes) {
  const out = spawnSync("gzip", ["-9", "-n", "-c"], { input: bytes, maxBuffer: 64 << 20 });
  if (out.status !== 0) throw new Error(`gzip failed: ${out.stderr}`);
  return out.stdout.length;
}

/** Brotli at maximum quality (11) and window (24), from Node's zlib. */
function brotli(bytes) {
  return zlib.brotliCompressSync(bytes, {
    params: {
      [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY,
      [zlib.constants.BROTLI_PARAM_LGWIN]: zlib.constants.BROTLI_MAX_WINDOW_BITS,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  }).length;
}

const measure = (bytes) => ({ raw: bytes.length, gzip: gzip9(bytes), brotli: brotli(bytes) });

/** 7: bench/clients.mjs, in a Node of its own (`--expose-gc`): a server's clients. */
function nodeClients(pkg, W) {
  log(`node: ${W.nodeClients} signed-in clients, then dropped`);
  const args = ["--expose-gc", path.join(HERE, "clients.mjs"), pkg, String(W.nodeClients)];
  const run = spawnSync(process.execPath, args, { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`bench/clients.mjs failed (${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split("\n").pop());
}

/** Copies the package so a concurrent `cargo xtask build` cannot change it under the bench. */
function snapshotPkg(dir) {
  for (const f of ["index.js", "mobproc_auth_bg.wasm"]) {
    if (!existsSync(path.join(dir, f))) throw new Error(`no ${f} in ${dir}: run \`cargo xtask build\``);
  }
  const copy = mkdtempSync(path.join(os.tmpdir(), "mobproc-bench-pkg-"));
  process.on("exit", () => rmSync(copy, { recursive: true, force: true }));
  cpSync(dir, copy, { recursive: true });
  for (const f of readdirSync(copy).filter((f) => f.endsWith(".wasm"))) {
    if (!WebAssembly.validate(readFileSync(path.join(copy, f)))) throw new Error(`${dir}/${f} does not validate (being rebuilt?)`);
  }
  return copy;
}

/**
 * Starts the emulator and returns its origin, child process and a stop function.
 * @param {Record<string, string>} [env] added to the environment (MOBPROC_EMU_CLIENT: a secret
 *   stays out of the command line)
 */
function startEmulator(bin, appOrigin, env = {}) {
  const args = ["--port", "0", "--app-origin", appOrigin, "--redirect-uri", `${appOrigin}/`, "--redirect-uri", `${appOrigin}/callback.html`];
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
    process.on("exit", () => child.kill("SIGKILL"));
    const timer = setTimeout(() => reject(new Error("the emulator did not start within 15 s")), 15_000);
    child.once("error", (e) => reject(new Error(`could not start ${bin}: ${e.message}`)));
    child.stderr.resume();
    const lines = createInterface({ input: child.stdout });
    lines.once("line", (line) => {
      clearTimeout(timer);
      const m = /^mobproc-emulator listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
      if (!m) return reject(new Error(`emulator: unexpected first line ${JSON.stringify(line)}`));
      lines.on("line", () => {}); // one line per request: drained, not kept
      const exited = new Promise((done) => child.once("exit", done));
      resolve({
        origin: m[1],
        async stop() {
          if (child.exitCode === null && child.signalCode === null) {
            child.kill("SIGTERM");
            await exited;
          }
        },
      });
    });
  });
}

async function emulatorStats(origin) {
  const res = await fetch(`${origin}/__emulator/stats`);
  if (!res.ok) throw new Error(`stats: HTTP ${res.status}`);
  const stats = await res.json();
  const t = stats.token_requests;
  return { token: t.password + t.refresh_token + t.validate_bearer + t.other + t.missing, refresh: t.refresh_token, api: stats.api_requests };
}

async function emulatorControl(origin, what) {
  const res = await fetch(`${origin}/__emulator/${what}`, { method: "POST" });
  if (!res.ok) throw new Error(`${what}: HTTP ${res.status}`);
}

/** Drives the emulator's sign-in page (demo / demo) from a page already at the authorize URL. */
async function signIn(page, authorizeUrl, landing) {
  await page.goto(authorizeUrl);
  await page.fill("#username", "demo");
  await page.fill("#password", "demo");
  await Promise.all([page.waitForURL(landing), page.click("#sign-in")]);
}

// ---------------------------------------------------------------- 1. size

async function sizes(pkg) {
  const ours = {
    wasm: measure(readFileSync(path.join(pkg, "mobproc_auth_bg.wasm"))),
    js: measure(readFileSync(path.join(pkg, "index.js"))),
    version: JSON.parse(readFileSync(path.join(pkg, "package.json"), "utf8")).version,
  };
  const tmp = mkdtempSync(path.join(os.tmpdir(), "mobproc-bench-bundles-"));
  process.on("exit", () => rmSync(tmp, { recursive: true, force: true }));
  const libraries = [];
  for (const lib of LIBRARIES) {
    const manifest = JSON.parse(readFileSync(path.join(HERE, "node_modules", lib.pkg, "package.json"), "utf8"));
    const outfile = path.join(tmp, `${lib.pkg.replace(/[@/]/g, "_")}.js`);
    await esbuild.build({
      stdin: { contents: `export { ${lib.name} } from "${lib.pkg}";\n`, resolveDir: HERE, sourcefile: "entry.js" },
      bundle: true,
      minify: true,
      format: "esm",
      platform: "browser",
      external: lib.external ?? [],
      outfile,
      logLevel: "error",
    });
    libraries.push({ ...lib, version: manifest.version, ...measure(readFileSync(outfile)) });
  }
  return { ours, libraries, esbuild: esbuild.version };
}

// ---------------------------------------------------------------- 2.–5. in the browser

/**
 * `--against DIR`: that package's entry and module beside ours in the snapshot, as
 * `against.index.js` (loading `against.mobproc_auth_bg.wasm`).
 */
function addAgainst(pkg, dir) {
  const entry = readFileSync(path.join(dir, "index.js"), "utf8");
  if (!entry.includes('"mobproc_auth_bg.wasm"')) throw new Error(`${dir}/index.js does not load mobproc_auth_bg.wasm`);
  writeFileSync(path.join(pkg, "against.index.js"), entry.replace('"mobproc_auth_bg.wasm"', '"against.mobproc_auth_bg.wasm"'));
  cpSync(path.join(dir, "mobproc_auth_bg.wasm"), path.join(pkg, "against.mobproc_auth_bg.wasm"));
}

/**
 * `--against DIR`: plain fetch, this build's client.fetch and the other build's, rotating call
 * by call in one signed-in page (3 rounds); prints the medians and the paired differences.
 */
async function againstBench(browser, server, dir, W) {
  const { context, page } = await signedInPage(browser, server);
  const n = W.seqBlocks * W.seqPerBlock;
  console.log(`client.fetch("/ping"), this build (pkg) against ${dir}: ${n} calls of each kind per round, rotating call by call\n`);
  console.log("| round | plain ms | this: added µs (ratio) | against: added µs (ratio) | median of this − against, paired |");
  console.log("|---|---:|---:|---:|---:|");
  for (let round = 1; round <= 3; round++) {
    const t = await page.evaluate(([k, w]) => window.bench.against(k, w), [n, W.warmup]);
    const [p, a, b] = [median(t.plain), median(t.client), median(t.against)];
    const added = (x) => `${((x - p) * 1000).toFixed(0)} (${(x / p).toFixed(3)})`;
    const paired = median(t.client.map((x, i) => x - t.against[i])) * 1000;
    console.log(`| ${round} | ${p.toFixed(3)} | ${added(a)} | ${added(b)} | ${paired.toFixed(0)} µs |`);
  }
  await context.close();
}

/** A fresh context with the bench page (bench/pages/app.html), signed in through the emulator. */
async function signedInPage(browser, server) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on("pageerror", (e) => log(`page error: ${e.message}`));
  await page.goto(`${server.origin}/`);
  await page.waitForFunction(() => window.benchReady === true);
  await signIn(page, await page.evaluate(() => window.bench.authorizeUrl()), `${server.origin}/`);
  await page.waitForFunction(() => window.benchReady === true);
  return { context, page };
}

async function browserBenches(browser, server, emulator, W) {
  const { context, page } = await signedInPage(browser, server);
  const status = await page.evaluate(() => window.bench.status());
  if (!status.signedIn) throw new Error("the sign-in did not leave a session");
  if (!status.isolated) log("warning: the bench page is not cross-origin isolated (timer resolution 100 µs)");

  log(`per-call: ${W.seqBlocks * W.seqPerBlock} sequential pairs of calls, alternating`);
  let t = Date.now();
  const seq = await page.evaluate(([b, n, w]) => window.bench.sequential(b, n, w), [W.seqBlocks, W.seqPerBlock, W.warmup]);
  log(`  ${((Date.now() - t) / 1000).toFixed(1)} s`);
  log(`concurrent: ${W.concRounds} rounds × ${W.conc} calls of each kind`);
  t = Date.now();
  const conc = await page.evaluate(([r, n]) => window.bench.concurrent(r, n), [W.concRounds, W.conc]);
  log(`  ${((Date.now() - t) / 1000).toFixed(1)} s`);

  log(`breakdown: ${W.bdRounds} rounds × ${W.bdPerRound} calls of 5 kinds, then stubbed`);
  t = Date.now();
  const breakdown = await page.evaluate(([r, n, b, m]) => window.bench.breakdown(r, n, b, m), [W.bdRounds, W.bdPerRound, W.stubBatches, W.perBatch]);
  const phases = await page.evaluate((n) => window.bench.phases(n), W.phaseCalls);
  const cdp = await context.newCDPSession(page);
  const profile = await profileClientFetch(page, cdp, W.profileCalls);
  log(`  ${((Date.now() - t) / 1000).toFixed(1)} s`);

  log(`refresh storms: ${W.stormRounds} rounds × 2 kinds × ${W.storm} calls`);
  const storms = { expiring: [], expired: [] };
  for (let r = 0; r < W.stormRounds; r++) {
    for (const kind of ["expiring", "expired"]) {
      const before = await emulatorStats(emulator.origin);
      if (kind === "expired") await emulatorControl(emulator.origin, "expire-all");
      const result = await page.evaluate(([k, n]) => (k === "expiring" ? window.bench.stormExpiring(n) : window.bench.storm401(n)), [kind, W.storm]);
      const after = await emulatorStats(emulator.origin);
      storms[kind].push({ ...result, token: after.token - before.token, refresh: after.refresh - before.refresh, api: after.api - before.api });
    }
  }

  log(`memory: ${W.memCalls} sequential calls of each kind`);
  const memory = {};
  for (const kind of ["client", "plain"]) {
    const before = await memorySnapshot(cdp);
    t = Date.now();
    const elapsed = await page.evaluate(([k, n]) => window.bench.loop(k, n), [kind, W.memCalls]);
    log(`  ${kind}: ${((Date.now() - t) / 1000).toFixed(1)} s`);
    const after = await memorySnapshot(cdp);
    memory[kind] = { before, after, elapsed };
  }
  await context.close();
  return { seq, conc, breakdown, phases, profile, storms, memory, isolated: status.isolated };
}

/**
 * A CPU profile (CDP Profiler, 50 µs sampling) of `n` client.fetch calls with fetch stubbed:
 * self time grouped into the package's JavaScript, its wasm, each browser built-in, and GC.
 */
async function profileClientFetch(page, cdp, n) {
  await page.evaluate((k) => window.bench.stubLoop(k), Math.min(n, 2000));
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 50 });
  await cdp.send("Profiler.start");
  const perCall = await page.evaluate((k) => window.bench.stubLoop(k), n);
  const { profile } = await cdp.send("Profiler.stop");
  await cdp.send("Profiler.disable");
  const nodes = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const groups = new Map();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const frame = nodes.get(id);
    const dt = profile.timeDeltas[i] ?? 0;
    const name = frame.functionName;
    let group;
    if (name === "(idle)" || name === "(root)") return;
    if (frame.url.endsWith(".wasm")) group = "mobproc-auth: wasm (the Rust client)";
    else if (frame.url.includes("/pkg/")) group = "mobproc-auth: JavaScript (index.js)";
    else if (name === "(garbage collector)") group = "garbage collector";
    else if (name === "(program)") group = "V8 / Blink, not attributed to a function (program)";
    else if (frame.url === "") group = `built-in: ${name || "(anonymous)"}`;
    else group = "bench page (loop, stub)";
    groups.set(group, (groups.get(group) ?? 0) + dt);
    total += dt;
  });
  const rows = [...groups.entries()].sort((a, b) => b[1] - a[1]).map(([group, t]) => ({ group, share: t / total }));
  return { perCall, rows, samples: profile.samples.length };
}

/** JS heap after two full collections (CDP), and the byteLength of every WebAssembly.Memory. */
async function memorySnapshot(cdp) {
  await cdp.send("HeapProfiler.collectGarbage");
  await cdp.send("HeapProfiler.collectGarbage");
  const heap = await cdp.send("Runtime.getHeapUsage");
  const proto = await cdp.send("Runtime.evaluate", { expression: "WebAssembly.Memory.prototype", objectGroup: "bench" });
  const found = await cdp.send("Runtime.queryObjects", { prototypeObjectId: proto.result.objectId, objectGroup: "bench" });
  const sizes = await cdp.send("Runtime.callFunctionOn", {
    objectId: found.objects.objectId,
    functionDeclaration: "function () { return this.map((m) => m.buffer.byteLength); }",
    returnByValue: true,
  });
  await cdp.send("Runtime.releaseObjectGroup", { objectGroup: "bench" });
  return { heapUsed: heap.usedSize, wasm: sizes.result.value };
}

/** Start-up in fresh contexts (empty cache), and the callback after a real sign-in. */
async function startupBenches(browser, server, W) {
  log(`start-up: ${W.startups} fresh contexts`);
  const startups = [];
  for (let i = 0; i < W.startups; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.origin}/startup.html`);
    const r = await page.waitForFunction(() => window.__result).then((h) => h.jsonValue());
    if (!r.ready) throw new Error("start-up page: unexpected client state");
    startups.push(r);
    await context.close();
  }
  log(`callback: ${W.callbacks} sign-ins, each in a fresh context`);
  const callbacks = [];
  const landing = new RegExp(`^${server.origin.replace(/[.]/g, "\\.")}/callback\\.html`);
  for (let i = 0; i < W.callbacks; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.origin}/callback.html`);
    await page.waitForFunction(() => window.__result);
    await page.waitForTimeout(W.callbackPauseMs);
    const url = await page.evaluate(() => window.client.authorizeUrl());
    await signIn(page, url, landing);
    const r = await page.waitForFunction(() => window.__result?.handled && window.__result).then((h) => h.jsonValue());
    if (!r.signedIn || !r.cleanUrl) throw new Error(`callback page: ${JSON.stringify(r)}`);
    callbacks.push(r);
    await context.close();
  }
  return { startups, callbacks };
}

// ---------------------------------------------------------------- 6. the token relay

/** The emulator's confidential client for the relay bench (a service client: password grant, refresh). */
const RELAY_CLIENT = "bench-relay";
/** Its secret, new at every run, in the emulator's and the relay's environment only. */
const RELAY_SECRET = randomBytes(16).toString("hex");

/**
 * Starts mobproc-relay in front of the emulator's token endpoint (client `bench-relay`, Basic
 * auth, the default) and counts its log lines: refreshes answered 200 with Tangoe's 200, and the rest.
 */
function startRelay(bin, emulatorOrigin, allowOrigin) {
  const args = ["--listen", "127.0.0.1:0", "--token-url", `${emulatorOrigin}/as/token.oauth2`, "--client-id", RELAY_CLIENT, "--allow-origin", allowOrigin];
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, MOBPROC_RELAY_CLIENT_SECRET: RELAY_SECRET } });
    process.on("exit", () => child.kill("SIGKILL"));
    const timer = setTimeout(() => reject(new Error("the relay did not start within 15 s")), 15_000);
    child.once("error", (e) => reject(new Error(`could not start ${bin}: ${e.message}`)));
    const counts = { refreshed: 0, other: [] };
    createInterface({ input: child.stderr }).on("line", (line) => {
      if (/^POST \/token .*grant=refresh_token status=200 upstream=200 /.test(line)) counts.refreshed++;
      else counts.other.push(line);
    });
    createInterface({ input: child.stdout }).once("line", (line) => {
      clearTimeout(timer);
      const m = /^mobproc-relay listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
      if (!m) return reject(new Error(`relay: unexpected first line ${JSON.stringify(line)}\n${counts.other.join("\n")}`));
      const exited = new Promise((done) => child.once("exit", done));
      resolve({
        origin: m[1],
        counts,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) {
            child.kill("SIGTERM");
            await exited;
          }
        },
      });
    });
  });
}

/**
 * Refreshes through the relay against the same refreshes sent straight to the emulator, from
 * Node (fetch, keep-alive), both with the portal's `Origin`. Same emulator, same client, same
 * grant and form; the direct call carries the client's Basic credentials itself, the relay adds
 * them. Sequential latency in interleaved blocks, then refreshes per second with
 * `relayChains` refresh-token chains running at once.
 */
async function relayBench(relayBin, emulator, appOrigin, W) {
  const relay = await startRelay(relayBin, emulator.origin, appOrigin);
  try {
    const basic = `Basic ${Buffer.from(`${encodeURIComponent(RELAY_CLIENT)}:${encodeURIComponent(RELAY_SECRET)}`).toString("base64")}`;
    const form = { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json", Origin: appOrigin };
    const ways = {
      direct: { url: `${emulator.origin}/as/token.oauth2`, headers: { ...form, Authorization: basic } },
      relay: { url: `${relay.origin}/token`, headers: form },
    };
    /** One refresh; returns its milliseconds and the rotated refresh token. */
    const refresh = async (way, refreshToken) => {
      const t0 = performance.now();
      const res = await fetch(ways[way].url, {
        method: "POST",
        headers: ways[way].headers,
        body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken, scope: "MOBPROC" }).toString(),
      });
      const body = await res.json();
      const dt = performance.now() - t0;
      if (res.status !== 200 || typeof body.refresh_token !== "string") throw new Error(`${way} refresh: HTTP ${res.status} ${JSON.stringify(body)}`);
      return { dt, refreshToken: body.refresh_token };
    };
    /** A fresh refresh token for `bench-relay` (password grant, straight to the emulator, not timed). */
    const chain = async () => {
      const res = await fetch(ways.direct.url, {
        method: "POST",
        headers: ways.direct.headers,
        body: new URLSearchParams({ grant_type: "password", username: "demo", password: "demo", scope: "MOBPROC" }).toString(),
      });
      const body = await res.json();
      if (res.status !== 200 || typeof body.refresh_token !== "string") throw new Error(`password grant: HTTP ${res.status} ${JSON.stringify(body)}`);
      return { token: body.refresh_token };
    };
    const before = await emulatorStats(emulator.origin);
    const done = { direct: 0, relay: 0 };
    const seqChain = { direct: await chain(), relay: await chain() };
    const run = async (way, n, into) => {
      for (let i = 0; i < n; i++) {
        const r = await refresh(way, seqChain[way].token);
        seqChain[way].token = r.refreshToken;
        into?.push(r.dt);
      }
      done[way] += n;
    };

    log(`relay: ${W.relayWarmup} warm-up refreshes each way, then ${W.relayBlocks} blocks × ${W.relayPerBlock} sequential refreshes`);
    let t = Date.now();
    for (const way of ["direct", "relay"]) await run(way, W.relayWarmup);
    const seq = { direct: [], relay: [] };
    const blockRatios = [];
    for (let b = 0; b < W.relayBlocks; b++) {
      const order = b % 2 ? ["relay", "direct"] : ["direct", "relay"];
      const block = {};
      for (const way of order) {
        block[way] = [];
        await run(way, W.relayPerBlock, block[way]);
        seq[way].push(...block[way]);
      }
      blockRatios.push(median(block.relay) / median(block.direct));
    }
    log(`  ${((Date.now() - t) / 1000).toFixed(1)} s`);

    log(`relay: ${W.relayRounds} rounds × ${W.relayChains} chains at once × ${W.relayPerChain} refreshes each way`);
    t = Date.now();
    const chains = { direct: [], relay: [] };
    for (const way of ["direct", "relay"]) for (let c = 0; c < W.relayChains; c++) chains[way].push(await chain());
    const rates = { direct: [], relay: [] };
    for (let r = 0; r < W.relayRounds; r++) {
      for (const way of r % 2 ? ["relay", "direct"] : ["direct", "relay"]) {
        const t0 = performance.now();
        await Promise.all(
          chains[way].map(async (c) => {
            for (let i = 0; i < W.relayPerChain; i++) c.token = (await refresh(way, c.token)).refreshToken;
          }),
        );
        rates[way].push((W.relayChains * W.relayPerChain) / ((performance.now() - t0) / 1000));
        done[way] += W.relayChains * W.relayPerChain;
      }
    }
    log(`  ${((Date.now() - t) / 1000).toFixed(1)} s`);

    // Every refresh reached the emulator once; every relayed one is in the relay's log.
    const after = await emulatorStats(emulator.origin);
    const deadline = Date.now() + 5_000;
    while (relay.counts.refreshed < done.relay && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const counted = { emulator: after.refresh - before.refresh, relayLog: relay.counts.refreshed, sent: done.direct + done.relay, relayed: done.relay };
    if (counted.emulator !== counted.sent) throw new Error(`relay bench: the emulator counted ${counted.emulator} refreshes, the bench sent ${counted.sent}`);
    if (counted.relayLog !== done.relay) throw new Error(`relay bench: the relay logged ${counted.relayLog} refreshes, ${done.relay} went through it\n${relay.counts.other.slice(0, 5).join("\n")}`);
    return { seq, blockRatios, rates, counted };
  } finally {
    await relay.stop();
  }
}

// ---------------------------------------------------------------- report

function machine(browserVersion) {
  const cpuinfo = existsSync("/proc/cpuinfo") ? readFileSync("/proc/cpuinfo", "utf8") : "";
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? "unknown";
  const cores = (cpuinfo.match(/^processor\s*:/gm) ?? []).length || os.cpus().length;
  return { model, cores, memGB: (os.totalmem() / 2 ** 30).toFixed(1), kernel: `${os.type()} ${os.release()}`, chromium: browserVersion, node: process.version };
}

function report(m, size, b, s, r, c, W, quick, runtime) {
  const seqP = summary(b.seq.plain);
  const seqC = summary(b.seq.client);
  const concP = summary(b.conc.plain);
  const concC = summary(b.conc.client);
  const seqRatio = seqC.median / seqP.median;
  const concRatio = concC.median / concP.median;
  // The ratio of each block of pairs, for a spread that machine noise does not inflate.
  const blockRatios = [];
  for (let i = 0; i < W.seqBlocks; i++) {
    const slice = (xs) => xs.slice(i * W.seqPerBlock, (i + 1) * W.seqPerBlock);
    blockRatios.push(median(slice(b.seq.client)) / median(slice(b.seq.plain)));
  }
  const concRatios = b.conc.client.map((c, i) => c / b.conc.plain[i]);
  const bdKinds = [
    ["plain", "plain `fetch(url, { headers })`"],
    ["request", "`fetch(new Request(url, { headers }))`"],
    ["requestClone", "the same + `request.clone()`"],
    ["requestRefuse", "the same + `redirect: \"error\"`"],
    ["client", "`client.fetch(\"/ping\")`"],
  ];
  const bdPlain = median(b.breakdown.network.plain);
  const bdRows = bdKinds
    .map(([k, label]) => {
      const net = summary(b.breakdown.network[k]);
      return `| ${label} | ${range(net)} | ${(net.median / bdPlain).toFixed(3)} | ${range(summary(b.breakdown.stubbed[k]), 1)} |`;
    })
    .join("\n");
  const stubC = summary(b.breakdown.stubbed.client);
  // Medians of each phase, in µs: [until fetch is called, fetch, after its response].
  const phaseMedians = (k) => [0, 1, 2].map((j) => 1000 * median(b.phases[k].map((row) => row[j])));
  const [phP, phB, phC] = [phaseMedians("plain"), phaseMedians("builtins"), phaseMedians("client")];
  const phaseRows = [["plain `fetch`", phP], ["client.fetch's built-in calls, from JavaScript", phB], ["`client.fetch`", phC]]
    .map(([label, m]) => `| ${label} | ${m.map((v) => v.toFixed(0)).join(" | ")} |`)
    .join("\n");
  const profRows = b.profile.rows
    .filter((r) => r.share >= 0.01)
    .map((r) => `| ${r.group} | ${(100 * r.share).toFixed(1)} % | ${(r.share * b.profile.perCall).toFixed(1)} |`)
    .join("\n");
  const named = b.profile.rows.filter((r) => !r.group.startsWith("V8") && !r.group.startsWith("bench"));
  const topNamed = named
    .slice(0, 4)
    .map((r) => `${r.group} ${(100 * r.share).toFixed(0)} %`)
    .join(", ");
  const clone = b.profile.rows.find((r) => r.group === "built-in: clone");
  const cloneNote = clone
    ? ` The clone kept for the 401 replay is ≈ ${(clone.share * b.profile.perCall).toFixed(1)} µs of it: rebuilding the request from \`(input, init)\` only when a 401 comes back (and the body is not a stream) would remove that.`
    : "";
  const total = size.ours.wasm.gzip + size.ours.js.gzip;
  const totalBr = size.ours.wasm.brotli + size.ours.js.brotli;
  const S = (k) => summary(s.startups.map((r) => r[k]));
  const C = (k) => summary(s.callbacks.map((r) => r[k]));
  const storm = (kind) => {
    const rows = b.storms[kind];
    return { time: summary(rows.map((r) => r.ms)), token: rows.map((r) => r.token), api: rows.map((r) => r.api), renewed: rows.every((r) => r.renewed) };
  };
  const se = storm("expiring");
  const sx = storm("expired");
  const mem = (kind) => {
    const { before, after } = b.memory[kind];
    const wb = before.wasm.reduce((a, x) => a + x, 0);
    const wa = after.wasm.reduce((a, x) => a + x, 0);
    return { heapBefore: before.heapUsed, heapAfter: after.heapUsed, wasmBefore: wb, wasmAfter: wa, memories: after.wasm.length, elapsed: b.memory[kind].elapsed };
  };
  const rSeqD = summary(r.seq.direct);
  const rSeqR = summary(r.seq.relay);
  const rRateD = summary(r.rates.direct);
  const rRateR = summary(r.rates.relay);
  const mc = mem("client");
  const mp = mem("plain");
  const kib = (x) => (x / 1024).toFixed(1);
  const signed = (x) => `${x >= 0 ? "+" : "−"}${kib(Math.abs(x))} KiB`;
  const perCall = (x) => `${x >= 0 ? "+" : "−"}${Math.abs(x / W.memCalls).toFixed(1)} B`;
  const pass = (ok) => (ok ? "**met**" : "**missed**");
  const allOne = (xs) => xs.every((x) => x === 1);
  const date = new Date().toISOString().replace(/\.\d+Z$/, " UTC").replace("T", " ");

  const rows = [
    `| **mobproc-auth ${size.ours.version}** (this package) | wasm + JS entry | ${kb(size.ours.wasm.raw + size.ours.js.raw)} | **${kb(total)}** | ${kb(totalBr)} | 1.00 | implicit grant, sessionStorage, fetch wrapper with the Tangoe headers, refresh |`,
    ...[...size.libraries]
      .sort((a, b2) => a.gzip - b2.gzip)
      .map((l) => `| ${l.pkg} ${l.version} | \`${l.name}\` | ${kb(l.raw)} | ${kb(l.gzip)} | ${kb(l.brotli)} | ${(l.gzip / total).toFixed(2)} | ${l.note} |`),
  ];
  const smaller = size.libraries.filter((l) => l.gzip < total).map((l) => l.pkg);

  return `# Benchmarks

Written by \`cargo xtask bench\` (bench/run.mjs) on ${date}${quick ? " with **--quick** (small workloads: a smoke run, not figures to quote)" : ""}.
Runtime of the run: ${runtime}.

| machine | |
|---|---|
| CPU | ${m.model}, ${m.cores} cores (/proc/cpuinfo) |
| memory | ${m.memGB} GiB |
| OS | ${m.kernel} |
| browser | Chromium ${m.chromium} (Debian), headless, driven by playwright-core |
| Node | ${m.node} |
| esbuild | ${size.esbuild} |

This is a shared machine: absolute times move from run to run, ratios much less. Every pair
(plain \`fetch\` vs \`client.fetch\`) is measured in the same page, interleaved, and reported as the
median with min–max.

## Targets

| target | result | |
|---|---|---|
| total gzip -9 (wasm + JS) ≤ 40 KB (issue #11) | ${kb(total)} KB (${total} bytes) | ${pass(total <= 40_000)} |
| per-call overhead ratio ≤ 1.05 (sequential, medians) | ${seqRatio.toFixed(3)} | ${pass(seqRatio <= 1.05)} |
| per-call overhead ratio, 200 concurrent | ${concRatio.toFixed(3)} | ${pass(concRatio <= 1.05)} |
| refresh storms: one token request per storm | ${[...se.token, ...sx.token].join(", ")} | ${pass(allOne(se.token) && allOne(sx.token))} |

## 1. Size

KB = 1000 bytes. gzip is the system \`gzip -9 -n\`; brotli is Node's \`zlib.brotliCompressSync\` at
quality 11, window 24 (no \`brotli\` binary is used). Our package is the optimised
\`mobproc_auth_bg.wasm\` plus \`index.js\` (the entry, its modules and wasm-bindgen's glue in one
minified ES module), as \`cargo xtask build\` writes them. Each library is installed from npm
(exact versions in bench/package.json, bench/package-lock.json) and bundled here by esbuild from
a one-line entry \`export { <name> } from "<package>"\`, \`--bundle --minify --format=esm
--platform=browser\`.

| file | raw | gzip -9 | brotli |
|---|---:|---:|---:|
| mobproc_auth_bg.wasm | ${size.ours.wasm.raw} | ${size.ours.wasm.gzip} | ${size.ours.wasm.brotli} |
| index.js (entry + glue) | ${size.ours.js.raw} | ${size.ours.js.gzip} | ${size.ours.js.brotli} |
| **total** | ${size.ours.wasm.raw + size.ours.js.raw} | **${total}** | ${totalBr} |

| library | named import | raw KB | gzip -9 KB | brotli KB | gzip vs ours | notes |
|---|---|---:|---:|---:|---:|---|
${rows.join("\n")}

${smaller.length ? `Smaller than us: ${smaller.join(", ")}.` : "Every library above is larger than us."} None of the others sends
Tangoe's \`X-TNGO-TENANT\` and \`client_id\` headers; each would need that code on top.

## 2. Per-call overhead

A page on one loopback origin (bench/server.mjs, cross-origin isolated${b.isolated ? "" : " — **not achieved in this run**"} so that
\`performance.now()\` resolves to 5 µs), the emulator (\`target/debug/mobproc-emulator\`, a debug
build) on another, so every call is a real CORS request (the preflight is cached, max-age 600).
Signed in once through the emulator's sign-in page (demo / demo, client portal-demo).
\`plain\` is \`fetch(apiBaseUrl + "/ping", { headers: { "X-TNGO-TENANT", client_id, Authorization,
"X-TNGO-CONTEXT-CORRELATIONID": crypto.randomUUID() } })\` with the token in a variable: what an
application sends by hand for what Tangoe asks on every call (client.fetch sends the same four
headers; the fourth alone costs this loopback about 0.2 ms a call, see issue #5's note);
\`client\` is \`client.fetch("/ping")\`. Both read the body and
check for 200. ${W.warmup} warm-up calls of each, then ${seqP.n} calls of each kind, the two
kinds alternating call by call (the order flipped every pair), so that both meet the same load
of this shared machine. Measured before 2026-11-29 in blocks of 100 calls per kind, the ratio
moved with the machine: four runs in one page gave 1.085 to 1.093 alternating, and 1.076 to
1.107 in blocks. A block below is ${W.seqPerBlock} pairs.

| | median ms per call (min–max) | p90 ms |
|---|---|---:|
| plain \`fetch\` | ${range(seqP)} | ${ms(seqP.p90)} |
| \`client.fetch\` | ${range(seqC)} | ${ms(seqC.p90)} |
| **ratio** (medians) | **${seqRatio.toFixed(3)}**, per block ${range(summary(blockRatios))} | |
| added per call | ${ms((seqC.median - seqP.median) * 1000, 0)} µs (median of the paired differences: ${ms(median(b.seq.client.map((c, i) => c - b.seq.plain[i])) * 1000, 0)} µs) | |

${W.concRounds} rounds of ${W.conc} calls at once (\`Promise.all\`), time until all resolved,
rounds interleaved:

| | median ms per round (min–max) |
|---|---|
| plain \`fetch\` | ${range(concP, 1)} |
| \`client.fetch\` | ${range(concC, 1)} |
| **ratio** (medians) | **${concRatio.toFixed(3)}**, per round ${range(summary(concRatios))} |

A round is ${W.conc} requests through Chromium's six connections per origin to one emulator, so
its time swings widely on a shared machine; a ratio below 1 is that noise, not a faster client.

### Where client.fetch's time goes

The same network calls, five kinds interleaved (${W.bdRounds} rounds × ${W.bdPerRound} calls each): plain
\`fetch\`; \`fetch(new Request(url, { headers }))\`; the same plus \`request.clone()\` (client.fetch keeps
a clone to replay once after a 401); the same with \`redirect: "error"\` (client.fetch refuses redirects:
that is the request it sends); \`client.fetch\`. Then with \`globalThis.fetch\` stubbed (it returns a
ready \`Response\`), so only the JavaScript and wasm work of one call is left: ${W.stubBatches} batches × ${W.perBatch} calls of each kind.

| kind | network: median ms per call (min–max) | ratio to plain | stubbed: median µs per call (min–max) |
|---|---|---:|---|
${bdRows}

Where the time of a call on the network sits: ${W.phaseCalls} calls of each kind, interleaved, with
\`globalThis.fetch\` wrapped to note when it is called and when its response comes (median µs).
The middle row makes, from plain JavaScript, the built-in calls client.fetch makes before it
sends (\`new Request\` with \`redirect: "error"\`, \`new URL\`, 4 \`sessionStorage.getItem\`, 5
\`headers.get\`, \`clone()\`, 4 \`headers.set\`): what would remain if its Rust side cost nothing.

| kind | until \`fetch\` is called | \`fetch\` until its response | after it, until the call resolves |
|---|---:|---:|---:|
${phaseRows}

The client's added time sits before \`fetch\` is called: ${(phC[0] - phP[0]).toFixed(0)} µs there, of which
the built-ins account for ${(phB[0] - phP[0]).toFixed(0)} µs and its wasm and glue for the other ${(phC[0] - phB[0]).toFixed(0)} µs, against
${ms(stubC.median, 1)} µs for its whole own work with \`fetch\` stubbed (table above). Between calls on the network
the page waits for the response, and the same work then runs several times slower than in a
tight loop (caches and predictors cold; the built-ins too: plain \`fetch\`'s own synchronous
call is part of its middle column).

CPU profile (CDP \`Profiler\`, 50 µs sampling, ${b.profile.samples} samples) of ${W.profileCalls} stubbed \`client.fetch\` calls at
${ms(b.profile.perCall, 1)} µs each (the profiler slows them down; the shares are what counts), self time by where it is spent:

| where | share | ≈ µs per call |
|---|---:|---:|
${profRows}

So about ${ms(stubC.median, 1)} µs of each call is client.fetch's own work (stubbed, median), ${(100 * (stubC.median / 1000) / seqP.median).toFixed(1)} % of a plain
call's ${ms(seqP.median, 2)} ms on this loopback. The largest named items in the profile: ${topNamed}.${cloneNote}

## 3. Refresh storms

${W.storm} \`client.fetch\` calls started at once, ${W.stormRounds} rounds of each kind, counted on the
emulator (\`/__emulator/stats\`, token endpoint requests of any grant, API requests):
- *expiring*: a client whose \`refreshSkewSeconds\` exceeds the token's remaining life, so every
  call must refresh first (\`tokenUrl\` = emulator \`/as/token.oauth2\`);
- *expired on the server*: \`POST /__emulator/expire-all\` first, so all ${W.storm} calls get 401,
  one refresh, and all are replayed.

| storm | token requests per round | API requests per round | median ms until all resolved (min–max) | token renewed |
|---|---|---|---|---|
| expiring | ${se.token.join(", ")} | ${se.api.join(", ")} | ${range(se.time, 1)} | ${se.renewed ? "yes" : "**no**"} |
| expired on the server | ${sx.token.join(", ")} | ${sx.api.join(", ")} | ${range(sx.time, 1)} | ${sx.renewed ? "yes" : "**no**"} |

## 4. Start-up

*Start-up*: bench/pages/startup.html, from \`import("/pkg/index.js")\` to \`createClient\` resolved
(fetching the entry, fetching and compiling the wasm, config checks). ${W.startups} page loads, each in a
new browser context: an empty HTTP cache and no compiled-code cache, as a first visit has it.
*Callback*: bench/pages/callback.html loaded once (its client's \`authorizeUrl()\` stores the
pending state) and left ${W.callbackPauseMs} ms, as a user stays on a page before signing in (Chromium
writes its cache of the compiled module in the background meanwhile; a page left at once makes
the callback's load compile it again, 10 to 30 ms more), then the real sign-in on the emulator's page, which redirects to
\`callback.html#access_token=…\`; from \`import\` to \`handleRedirectCallback\` resolved.
${W.callbacks} sign-ins, each in a new context. That load revalidates the package from the HTTP
cache of the first (every file is served with an ETag and \`Cache-Control: no-cache\`: 304s), as a
user returning from the sign-in page has it. "From HTML" also counts the time from the document's
\`responseEnd\` to the module script starting.

| | median ms (min–max) |
|---|---|
| start-up: import | ${range(S("import"), 1)} |
| start-up: createClient | ${range(S("create"), 1)} |
| **start-up: import → client ready** | **${range(S("total"), 1)}** |
| start-up: HTML received → client ready | ${range(S("fromHtml"), 1)} |
| callback: import → client ready | ${range(summary(s.callbacks.map((r) => r.import + r.create)), 1)} |
| callback: handleRedirectCallback | ${range(C("callback"), 2)} |
| **callback: import → handleRedirectCallback resolved** | **${range(C("total"), 1)}** |
| callback: HTML received → resolved | ${range(C("fromHtml"), 1)} |

## 5. Memory

${W.memCalls} sequential calls of each kind in the signed-in page (client first, then plain as the
reference for what Chromium's own fetch keeps). JS heap: CDP \`Runtime.getHeapUsage\` (usedSize)
after two \`HeapProfiler.collectGarbage\`. Wasm memory: every \`WebAssembly.Memory\` found with CDP
\`Runtime.queryObjects\` on \`WebAssembly.Memory.prototype\`, \`buffer.byteLength\` summed (${mc.memories} found).

| | before | after | growth | per call |
|---|---:|---:|---:|---:|
| wasm memory, ${W.memCalls} × \`client.fetch\` | ${kib(mc.wasmBefore)} KiB | ${kib(mc.wasmAfter)} KiB | ${signed(mc.wasmAfter - mc.wasmBefore)} | ${perCall(mc.wasmAfter - mc.wasmBefore)} |
| JS heap, ${W.memCalls} × \`client.fetch\` | ${kib(mc.heapBefore)} KiB | ${kib(mc.heapAfter)} KiB | ${signed(mc.heapAfter - mc.heapBefore)} | ${perCall(mc.heapAfter - mc.heapBefore)} |
| JS heap, ${W.memCalls} × plain \`fetch\` (reference) | ${kib(mp.heapBefore)} KiB | ${kib(mp.heapAfter)} KiB | ${signed(mp.heapAfter - mp.heapBefore)} | ${perCall(mp.heapAfter - mp.heapBefore)} |

Wasm memory only grows by whole 64 KiB pages, so "+0.0" means no page was added; the JS heap
figures move by a few KiB either way between collections.

## 6. Refreshing through the token relay

\`mobproc-relay\` (\`target/debug\`, a debug build like the emulator) on its own loopback port, in
front of the same emulator, for a confidential client (\`bench-relay\`, its secret in both
servers' environment). From Node (\`fetch\`, connections kept alive), the same refresh form
(\`grant_type=refresh_token\`, \`refresh_token\`, \`scope\`) and the portal's \`Origin\` both ways:
*direct* to the emulator's \`/as/token.oauth2\` with the client's Basic credentials, as a server
holding the secret would call Tangoe; *relay* to the relay's \`/token\` without credentials, as the
portal's page does, the relay adding them (Basic) and forwarding to the same endpoint. Each
refresh rotates its refresh token, so every chain is sequential. The emulator counted
${r.counted.emulator} refreshes, exactly the ${r.counted.sent} the bench sent; the relay logged ${r.counted.relayLog}
\`grant=refresh_token status=200 upstream=200\` lines for the ${r.counted.relayed} sent through it.

${W.relayWarmup} warm-up refreshes each way, then ${W.relayBlocks} blocks of ${W.relayPerBlock} sequential refreshes per way, the
order flipped every block: ${rSeqD.n} refreshes each way.

| | median ms per refresh (min–max) | p90 ms |
|---|---|---:|
| direct to the emulator | ${range(rSeqD)} | ${ms(rSeqD.p90)} |
| through the relay | ${range(rSeqR)} | ${ms(rSeqR.p90)} |
| **ratio** (medians) | **${(rSeqR.median / rSeqD.median).toFixed(2)}**, per block ${range(summary(r.blockRatios), 2)} | |
| added per refresh by the relay | ${ms((rSeqR.median - rSeqD.median) * 1000, 0)} µs | |

${W.relayChains} refresh-token chains at once, ${W.relayPerChain} refreshes each (${W.relayChains * W.relayPerChain} per round), ${W.relayRounds} rounds per way,
interleaved; refreshes per second of each round:

| | refreshes/s, median (min–max) |
|---|---|
| direct to the emulator | ${range(rRateD, 0)} |
| through the relay | ${range(rRateR, 0)} |
| **ratio** (medians) | **${(rRateR.median / rRateD.median).toFixed(2)}** |

The relay costs one more loopback HTTP hop per refresh (caller → relay → emulator instead of
caller → emulator) plus its origin and form checks and its log line; with two cores shared by
Node, the relay and the emulator, the concurrent figure is bounded by the machine, not by either
server.

## 7. A Node server's clients

A server makes one client per user (the password grant, the token in the client's memory). In a
Node of its own (\`node --expose-gc bench/clients.mjs\`), ${c.n} clients were made and signed in
(the token endpoint answered in the process, so that the package's work is timed, not HTTP):
${ms(c.makeMs, 0)} ms, ${ms(c.makeMs / c.n * 1000, 0)} µs a client. With them alive, one more client made and signed
in took ${ms(c.perClientMs * 1000, 0)} µs (200 timed). Then the app let go of all ${c.n}: ${c.freed} were freed by wasm-bindgen's
finalizers (the module's allocator freeing each client's memory) in ${ms(c.freeMs, 0)} ms, and the longest task the
event loop ran meanwhile was ${ms(c.longestTaskMs, 0)} ms. (lol_alloc, the allocator before talc, walked its
whole free list on each free: 29.6 s, all in one task, on the build of 2026-12-02.)

## Reproduce

\`\`\`sh
cargo xtask bench            # builds pkg/, the emulator and the relay, installs bench/ deps (npm ci), writes BENCHMARKS.md
cargo xtask bench --quick    # small workloads, a smoke run: target/BENCHMARKS.quick.md
\`\`\`
It needs Debian's Chromium (\`/usr/bin/chromium\`, installed with apt when missing) and Node 18+;
nothing is downloaded but npm packages, and everything runs on 127.0.0.1.
`;
}

// ---------------------------------------------------------------- main

async function main() {
  const started = Date.now();
  const opts = parseArgs(process.argv.slice(2));
  const W = opts.quick ? QUICK : FULL;
  const pkg = snapshotPkg(opts.pkg);
  if (opts.against) addAgainst(pkg, opts.against);
  if (!existsSync(opts.emulator)) throw new Error(`no emulator at ${opts.emulator}: run \`cargo build -p mobproc-emulator\``);
  if (!existsSync(opts.relay)) throw new Error(`no relay at ${opts.relay}: run \`cargo build -p mobproc-relay\``);

  if (!opts.against) log("size: our package and the bundled libraries");
  const size = opts.against ? null : await sizes(pkg);

  const server = await startServer({ pkg });
  // portal-demo stays public for the browser benches; bench-relay is the relay's confidential client.
  const emulator = await startEmulator(opts.emulator, server.origin, { MOBPROC_EMU_CLIENT: `${RELAY_CLIENT}:${RELAY_SECRET}` });
  server.config = {
    clientId: CLIENT_ID,
    tenant: TENANT,
    apiBaseUrl: `${emulator.origin}/mobproc/v1`,
    authorizeUrl: `${emulator.origin}/as/authorization.oauth2`,
    tokenUrl: `${emulator.origin}/as/token.oauth2`,
  };
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  try {
    if (opts.against) return await againstBench(browser, server, opts.against, W);
    const m = machine(browser.version());
    const b = await browserBenches(browser, server, emulator, W);
    const s = await startupBenches(browser, server, W);
    const r = await relayBench(opts.relay, emulator, server.origin, W);
    const c = nodeClients(pkg, W);
    const secs = Math.round((Date.now() - started) / 1000);
    const runtime = `${Math.floor(secs / 60)} min ${secs % 60} s (bench/run.mjs, after the builds)`;
    writeFileSync(opts.out, report(m, size, b, s, r, c, W, opts.quick, runtime));
    log(`wrote ${opts.out} in ${secs} s`);
  } finally {
    await browser.close().catch(() => {});
    await emulator.stop();
    await server.close();
  }
}

main().catch((e) => {
  console.error(`bench: ${e.stack ?? e}`);
  process.exit(1);
});
