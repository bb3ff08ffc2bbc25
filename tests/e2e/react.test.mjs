// End-to-end: mobproc-auth/react in the React example (www-example/react), as a stranger's app
// gets it. In a temp dir: the example's files and the package as its README installs it
// (pkg/mobproc-auth.tgz, the tarball `cargo xtask build` packs, so `files` and the `./react`
// export are tested too), with `--offline`; React 19, Vite 7, React's types and jsdom are the
// workspace's own, pinned in package-lock.json and linked into the app (vite.mjs
// `linkFromWorkspace`): no test reaches the registry.
// Against the emulator, with both app origins registered, Chromium signs in through Tangoe's page:
//   (a) `vite dev`, where StrictMode runs every effect twice: one client, one callback, the
//       `returnTo` of the sign-in reaches the live tree, no `state_mismatch`;
//   (b) `vite build`, dist/ served on 127.0.0.1 under a strict CSP.
// Each: the session shown (expiry), /ping answered, exactly one token record in sessionStorage,
// nothing in localStorage, a reload stays signed in, sign-out revokes; no token in the console.
// Also: react.d.ts type-checks a TSX consumer under strict + exactOptionalPropertyTypes;
// react.js opens with "use client" (React Server Components); under jsdom, the provider tries
// a refused config again once it is fixed, and useMobproc() without a provider throws a
// MobprocError; the package README's App keeps Sign in beside a cancelled sign-in's error.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import path from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { freePort, linkFromWorkspace, startViteDev, VITE_BIN } from "./vite.mjs";
import { EMULATOR_BIN, launchBrowser, pageErrorLine, ROOT, snapshotPkg, startServer, STORAGE_KEY } from "./harness.mjs";

const run = promisify(execFile);
const EXAMPLE = path.join(ROOT, "www-example", "react");
const TIMEOUT = { timeout: 600_000 };
const NPM_ENV = { npm_config_fund: "false", npm_config_audit: "false", npm_config_update_notifier: "false" };

/**
 * Clicks the app's Sign in, signs in on the emulator's page as demo / demo and waits to be
 * back on the app.
 * @param {import("playwright-core").Page} page @param {string} emulatorOrigin @param {string} appOrigin
 */
async function signInAt(page, emulatorOrigin, appOrigin) {
  await page.click("#sign-in");
  await page.waitForURL((u) => u.origin === emulatorOrigin);
  await page.fill("#username", "demo");
  await page.fill("#password", "demo");
  await page.click("#sign-in");
  await page.waitForURL((u) => u.origin === appOrigin);
}

/**
 * Runs a command in `cwd`; a failure carries its output.
 * @param {string} cwd @param {string} program @param {string[]} args @param {number} timeout ms
 * @param {Record<string, string>} [env]
 */
async function sh(cwd, program, args, timeout, env = {}) {
  try {
    return await run(program, args, { cwd, timeout, maxBuffer: 16 << 20, env: { ...process.env, ...NPM_ENV, ...env } });
  } catch (error) {
    const e = /** @type {any} */ (error);
    throw new Error(`\`${program} ${args.join(" ")}\` failed: ${e.message}\n${e.stdout ?? ""}\n${e.stderr ?? ""}`);
  }
}

const MIME = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
};

/**
 * Serves a built dist/ on 127.0.0.1:`port`: app paths without an extension get index.html
 * (so `/orders?…` works after a reload), under a CSP as strict as the package README asks for.
 * @param {string} dir @param {number} port @param {string} tangoe the emulator's origin (connect-src)
 * @returns {Promise<{ server: import("node:http").Server, origin: string }>}
 */
function serveDist(dir, port, tangoe) {
  const csp = `default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; connect-src 'self' ${tangoe}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
  const server = createServer(async (req, res) => {
    const rel = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    const file = path.extname(rel) ? path.join(dir, rel) : path.join(dir, "index.html");
    if (!file.startsWith(dir + path.sep)) return res.writeHead(404).end();
    try {
      const body = await readFile(file);
      const type = MIME[/** @type {keyof MIME} */ (path.extname(file))] ?? "application/octet-stream";
      res.writeHead(200, { "Content-Type": type, "Content-Security-Policy": csp, "Cache-Control": "no-store" });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve({ server, origin: `http://127.0.0.1:${port}` }));
  });
}

/** @param {string} origin */
async function emulatorStats(origin) {
  const res = await fetch(`${origin}/__emulator/stats`);
  if (!res.ok) throw new Error(`stats: HTTP ${res.status}`);
  return /** @type {Promise<{ sign_ins: number, revocations: number, token_requests: { refresh_token: number }, api_requests: number, requests: { method: string, path: string, status: number }[] }>} */ (res.json());
}

/** @param {string} origin */
async function emulatorLog(origin) {
  const res = await fetch(`${origin}/__emulator/log`);
  if (!res.ok) throw new Error(`log: HTTP ${res.status}`);
  return res.text();
}

/** How many times the emulator's sign-in page was asked for (`GET`; the form `POST`s to it). @param {string} origin */
async function authorizeRequests(origin) {
  return (await emulatorLog(origin)).split("\n").filter((l) => l.startsWith("GET /as/authorization.oauth2")).length;
}

/**
 * Signs in with the example at `origin` in a fresh context and checks everything the example
 * promises; returns the token values seen (for the leak check).
 * @param {import("playwright-core").Browser} browser @param {string} origin the app
 * @param {import("./harness.mjs").Server} emulator @param {string} what "vite dev" or "vite build"
 */
async function signInWithTheExample(browser, origin, emulator, what) {
  const context = await browser.newContext();
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  /** @type {string[]} */
  const consoleLines = [];
  page.on("console", (m) => consoleLines.push(`[console.${m.type()}] ${m.text()}${m.type() === "error" ? ` (${m.location().url.split(/[?#]/)[0]})` : ""}`));
  page.on("pageerror", (e) => consoleLines.push(pageErrorLine(e)));
  page.on("response", (r) => r.status() >= 400 && consoleLines.push(`[http ${r.status()}] ${r.request().method()} ${r.url().split(/[?#]/)[0]}`));
  const tokens = new Set();
  const fail = async (/** @type {unknown} */ error) => {
    const body = await page.textContent("body").catch(() => "");
    throw new Error(`${what}: ${error instanceof Error ? error.message : error}\npage: ${page.url()}\n${body}\nconsole:\n${consoleLines.join("\n")}`);
  };
  try {
    const before = await emulatorStats(emulator.origin);
    const authorizeBefore = await authorizeRequests(emulator.origin);

    // Signed out, on an app route with a query: that is where the sign-in must come back to.
    await page.goto(`${origin}/orders?from=e2e`);
    await page.waitForSelector("main[data-ready=true]");
    await page.waitForSelector("#signed-out");
    assert.equal(await page.textContent("#path"), "/orders?from=e2e");

    await signInAt(page, emulator.origin, origin);
    await page.waitForSelector("main[data-ready=true]");
    await page.waitForSelector("#signed-in");

    // One callback, handled once, its returnTo in the live tree (StrictMode's discarded effect
    // did not take it), the fragment gone, no error (a second callback would be state_mismatch).
    await page
      .waitForFunction(() => document.querySelector("#path")?.textContent === "/orders?from=e2e", null, { timeout: 5_000 })
      .catch(() => assert.fail("returnTo /orders?from=e2e did not reach the live tree (was the callback handled by a discarded effect?)"));
    const url = new URL(page.url());
    assert.equal(url.pathname + url.search + url.hash, "/orders?from=e2e", "the URL is returnTo, without the fragment");
    assert.equal(await page.$$eval("[role=alert]", (els) => els.map((e) => e.textContent).join(" | ")), "", "no error shown");

    // The session: its expiry (the emulator's default token lifetime is an hour).
    const expiresAt = Number(await page.getAttribute("#expires-at", "data-expires-at"));
    const left = expiresAt - Date.now();
    assert.ok(left > 3_500_000 && left <= 3_600_000, `the session expires in about an hour (${left} ms)`);
    assert.equal(await page.textContent("#scope"), "MOBPROC");
    assert.equal(await page.textContent("#refresh-token"), "yes");

    // /ping through client.fetchJson, with the Tangoe headers (else the emulator says 401/400).
    await page.click("#ping-button");
    await page.waitForSelector("#ping-result, [role=alert]");
    const ping = JSON.parse((await page.textContent("#ping-result")) ?? "null");
    assert.equal(ping?.echoText, "hello from React");
    await page.click("#me-button");
    await page.waitForSelector("#me-result, [role=alert]");
    const me = JSON.parse((await page.textContent("#me-result")) ?? "null");
    assert.equal(me?.user?.username, "demo");

    // Storage: exactly the one token record (the pending sign-in is gone), nothing else anywhere.
    const storage = await page.evaluate(() => ({
      session: Object.keys(sessionStorage),
      local: localStorage.length,
      cookie: document.cookie,
    }));
    assert.deepEqual(storage.session, [STORAGE_KEY], "sessionStorage holds only the token record");
    assert.equal(storage.local, 0, "localStorage is empty");
    assert.equal(storage.cookie, "", "no cookies");
    const record = JSON.parse((await page.evaluate((key) => sessionStorage.getItem(key), STORAGE_KEY)) ?? "{}");
    for (const t of [record.accessToken, record.refreshToken]) if (typeof t === "string") tokens.add(t);
    assert.equal(tokens.size, 2, "an access and a refresh token are stored");

    const after = await emulatorStats(emulator.origin);
    assert.equal(after.sign_ins - before.sign_ins, 1, "one sign-in");
    assert.equal((await authorizeRequests(emulator.origin)) - authorizeBefore, 1, "one authorization request");

    // A reload: still signed in (sessionStorage), no callback this time, no returnTo.
    await page.reload();
    await page.waitForSelector("main[data-ready=true]");
    await page.waitForSelector("#signed-in");
    assert.equal(await page.textContent("#path"), "/orders?from=e2e");
    assert.equal(await page.$$eval("[role=alert]", (els) => els.length), 0, "no error after a reload");

    // Sign out: the record goes, the session is revoked (access and refresh token).
    await page.click("#sign-out");
    await page.waitForSelector("#signed-out");
    assert.equal(await page.evaluate(() => sessionStorage.length), 0, "nothing stored after sign-out");
    const deadline = Date.now() + 10_000;
    while ((await emulatorStats(emulator.origin)).revocations - before.revocations < 2 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal((await emulatorStats(emulator.origin)).revocations - before.revocations, 2, "both tokens revoked");
    assert.equal(await page.evaluate(() => localStorage.length), 0, "localStorage is still empty");

    // (The emulator's sign-in page has no favicon: Chromium's own 404 for it is not the app's.)
    const errors = consoleLines.filter((l) => /^\[(pageerror|console\.error)\]/.test(l) && !l.endsWith("/favicon.ico)"));
    assert.deepEqual(errors, [], "no page errors");
    const printed = consoleLines.join("\n");
    for (const t of tokens) assert.ok(!printed.includes(t), "no token value in the console");
  } catch (error) {
    await fail(error);
  } finally {
    await context.close();
  }
  return tokens;
}

/**
 * The session's end and the refresh on load, with the page's clock run forward: at the access
 * token's expiry the example shows the signed-out view (useMobproc's session turns null without
 * an event from the library); the record and its refresh token stay, and a reload refreshes
 * once (tokenUrl) and is signed in again.
 * @param {import("playwright-core").Browser} browser @param {string} origin the app
 * @param {import("./harness.mjs").Server} emulator
 */
async function expiryAndRefreshOnLoad(browser, origin, emulator) {
  const context = await browser.newContext();
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  /** @type {string[]} */
  const consoleLines = [];
  page.on("console", (m) => consoleLines.push(`[console.${m.type()}] ${m.text()}`));
  page.on("pageerror", (e) => consoleLines.push(pageErrorLine(e)));
  try {
    await page.clock.install();
    await page.goto(`${origin}/`);
    await page.waitForSelector("#signed-out");
    await signInAt(page, emulator.origin, origin);
    await page.waitForSelector("#signed-in");
    const before = await emulatorStats(emulator.origin);
    const expiresAt = Number(await page.getAttribute("#expires-at", "data-expires-at"));

    await page.clock.fastForward(expiresAt - (await page.evaluate(() => Date.now())) + 1_000);
    await page.waitForSelector("#signed-out");
    assert.ok(await page.evaluate((key) => sessionStorage.getItem(key) !== null, STORAGE_KEY), "the record (and its refresh token) stays");

    await page.reload();
    await page.waitForSelector("main[data-ready=true]");
    await page.waitForSelector("#signed-in");
    const later = Number(await page.getAttribute("#expires-at", "data-expires-at"));
    assert.ok(later > expiresAt, "a new access token after the refresh on load");
    const after = await emulatorStats(emulator.origin);
    assert.equal(after.token_requests.refresh_token - before.token_requests.refresh_token, 1, "one refresh");
    assert.equal(after.sign_ins, before.sign_ins, "no second sign-in");
    assert.equal(await page.$$eval("[role=alert]", (els) => els.length), 0, "no error");
    await page.click("#sign-out");
    await page.waitForSelector("#signed-out");
  } catch (error) {
    const body = await page.textContent("body").catch(() => "");
    throw new Error(`${error instanceof Error ? error.message : error}\npage: ${page.url()}\n${body}\nconsole:\n${consoleLines.join("\n")}`);
  } finally {
    await context.close();
  }
}


/**
 * The start of a script run under Node as a jsdom test environment runs an app: a document of
 * `body` at `url`, whose window's globals become Node's, with React's act() environment on.
 * @param {string} body @param {string} url
 */
function jsdomPrelude(body, url) {
  return `import { JSDOM } from "jsdom";
const dom = new JSDOM('<!doctype html>${body}', { url: ${JSON.stringify(url)} });
for (const key of Object.getOwnPropertyNames(dom.window)) {
  if (!(key in globalThis)) Object.defineProperty(globalThis, key, { value: dom.window[key], configurable: true, writable: true });
}
for (const key of ["window", "document", "navigator", "location"]) Object.defineProperty(globalThis, key, { value: dom.window[key], configurable: true, writable: true });
globalThis.IS_REACT_ACT_ENVIRONMENT = true;`;
}

/**
 * Whether `version` (x.y.z) satisfies the caret range `range` (^x.y.z), as npm reads it for a
 * major version above 0.
 * @param {string} version @param {string} range
 */
function satisfiesCaret(version, range) {
  const want = /^\^(\d+)\.(\d+)\.(\d+)$/.exec(range);
  const have = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
  assert.ok(want && have && want[1] !== "0", `a caret range (${range}) and a release (${version})`);
  const [a, b] = [want.slice(1).map(Number), have.slice(1).map(Number)];
  return a[0] === b[0] && (b[1] > a[1] || (b[1] === a[1] && b[2] >= a[2]));
}

test("22. the React example (mobproc-auth/react): sign-in in StrictMode with vite dev, and from vite build", TIMEOUT, async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "mobproc-react-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));

  // The example as committed (no node_modules, dist or lockfile), plus the packed package.
  const app = path.join(dir, "app");
  cpSync(EXAMPLE, app, {
    recursive: true,
    filter: (src) => !/[\\/](node_modules|dist)$|package-lock\.json$|\.tgz$|\.env\.local$/.test(src),
  });
  assert.match(readFileSync(path.join(app, "src", "main.jsx"), "utf8"), /<StrictMode>/, "the example renders in StrictMode");
  // The package as the package README installs it: the tarball `cargo xtask build` packs.
  const tarball = path.join(await snapshotPkg(), "mobproc-auth.tgz");
  assert.ok(existsSync(tarball), `${tarball}: run \`cargo xtask build\``);
  // The example depends on file:../../pkg/mobproc-auth.tgz (the clone's); here, on the snapshot's.
  const manifest = JSON.parse(readFileSync(path.join(app, "package.json"), "utf8"));
  assert.equal(manifest.dependencies["mobproc-auth"], "file:../../pkg/mobproc-auth.tgz", "the example installs the README's tarball");
  // Its other dependencies are exactly these, linked from the workspace's pinned install, whose
  // versions must satisfy the example's ranges; React's types and jsdom are the test's own.
  const declared = { ...manifest.dependencies, ...manifest.devDependencies };
  delete declared["mobproc-auth"];
  assert.deepEqual(Object.keys(declared).sort(), ["react", "react-dom", "vite"], "the example's dependencies");
  for (const [name, range] of Object.entries(declared)) {
    const { version } = JSON.parse(readFileSync(path.join(ROOT, "node_modules", name, "package.json"), "utf8"));
    assert.ok(satisfiesCaret(version, range), `the workspace's ${name} ${version} satisfies the example's ${range}`);
  }
  manifest.dependencies = { "mobproc-auth": `file:${tarball}` };
  delete manifest.devDependencies;
  writeFileSync(path.join(app, "package.json"), JSON.stringify(manifest, null, 2));
  // `--offline`: the package needs nothing from the registry.
  await sh(app, "npm", ["install", "--offline"], 120_000);
  linkFromWorkspace(app, [...Object.keys(declared), "@types/react", "@types/react-dom", "jsdom"]);

  await t.test('the installed react.js opens with the "use client" directive (a Next.js App Router layout may render the provider)', async () => {
    // Under the react-server condition React has no createContext: a React Server Components
    // bundler must take the module as a client reference, which only the directive, as the
    // module's first statement, tells it.
    const text = readFileSync(path.join(app, "node_modules", "mobproc-auth", "react.js"), "utf8");
    const ts = (await import("typescript")).default;
    const first = ts.createSourceFile("react.js", text, ts.ScriptTarget.Latest).statements[0];
    const directive = first && ts.isExpressionStatement(first) && ts.isStringLiteral(first.expression) ? first.expression.text : null;
    assert.equal(directive, "use client", "the first statement of react.js");
  });

  await t.test("react.d.ts: a TSX consumer type-checks under strict and exactOptionalPropertyTypes", async () => {
    writeFileSync(
      path.join(app, "consumer.tsx"),
      `import { StrictMode, type ReactElement } from "react";
import { MobprocProvider, useMobproc, type MobprocProviderProps, type MobprocState } from "mobproc-auth/react";
import type { MobprocClient, MobprocError, MobprocSession } from "mobproc-auth";

function Status(): ReactElement {
  const state: MobprocState = useMobproc();
  const { client, session, isAuthenticated, isLoading, login, logout, returnTo, error } = state;
  const c: MobprocClient | null = client;
  const s: MobprocSession | null = session;
  const e: MobprocError | null = error;
  const r: string | null = returnTo;
  const flags: [boolean, boolean] = [isAuthenticated, isLoading];
  void [c, s, e, r, flags];
  if (client) void client.fetchJson("/ping");
  return (
    <div>
      <button onClick={() => login({ returnTo: "/orders" })}>in</button>
      <button onClick={() => login()}>in</button>
      <button onClick={() => logout()}>out</button>
      {session ? new Date(session.expiresAt).toISOString() : "signed out"}
      {error?.code}
    </div>
  );
}

const props: MobprocProviderProps = {
  config: { clientId: "c", tenant: "T", apiBaseUrl: "https://api.example/mobproc/v1" },
  children: undefined,
};
export const tree = (
  <StrictMode>
    <MobprocProvider {...props}>
      <Status />
    </MobprocProvider>
  </StrictMode>
);
// @ts-expect-error the config is required
export const noConfig = <MobprocProvider />;
// @ts-expect-error session is read only
export const readOnly = (state: MobprocState) => (state.session = null);
`,
    );
    writeFileSync(
      path.join(app, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "es2022",
          module: "esnext",
          moduleResolution: "bundler",
          jsx: "react-jsx",
          strict: true,
          exactOptionalPropertyTypes: true,
          noUncheckedIndexedAccess: true,
          noEmit: true,
          skipLibCheck: false,
          lib: ["es2022", "dom", "dom.iterable"],
          types: [],
        },
        files: ["consumer.tsx"],
      }),
    );
    await sh(app, path.join(ROOT, "node_modules", ".bin", "tsc"), ["-p", "."], 120_000);
  });

  await t.test("the package README's React example (main.tsx and App.tsx) type-checks as given", async () => {
    const readme = readFileSync(path.join(path.dirname(tarball), "README.md"), "utf8");
    const blocks = [...readme.matchAll(/```tsx\n([\s\S]*?)```/g)].map((m) => m[1]);
    assert.equal(blocks.length, 2, "the README has main.tsx and App.tsx");
    const dir = path.join(app, "readme");
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "main.tsx"), blocks[0] ?? "");
    writeFileSync(path.join(dir, "App.tsx"), blocks[1] ?? "");
    writeFileSync(
      path.join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "es2022", module: "esnext", moduleResolution: "bundler", jsx: "react-jsx",
          strict: true, exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true,
          noUnusedLocals: true, noEmit: true, skipLibCheck: false, lib: ["es2022", "dom", "dom.iterable"], types: [],
        },
        files: ["main.tsx", "App.tsx"],
      }),
    );
    await sh(dir, path.join(ROOT, "node_modules", ".bin", "tsc"), ["-p", "."], 120_000);
  });

  await t.test("under Node with jsdom (a test runner's environment), the provider runs on the Node entry: a client, and errors that are the app's MobprocError", async () => {
    writeFileSync(
      path.join(app, "jsdom-provider.mjs"),
      `${jsdomPrelude('<div id="root"></div><div id="bad"></div><div id="retry"></div><div id="twin"></div><div id="outside"></div>', "http://127.0.0.1:5173/")}
const React = await import("react");
const { createRoot } = await import("react-dom/client");
const { MobprocProvider, useMobproc } = await import("mobproc-auth/react");
const { MobprocError } = await import("mobproc-auth");
const states = {};
const renders = {};
const Probe = ({ name }) => ((renders[name] = (renders[name] ?? 0) + 1), (states[name] = useMobproc()), null);
const mount = (name, config) =>
  React.act(async () => createRoot(document.getElementById(name)).render(React.createElement(MobprocProvider, { config }, React.createElement(Probe, { name }))));
await mount("root", { clientId: "portal-demo", tenant: "XYZ", apiBaseUrl: "http://127.0.0.1:9/mobproc/v1" });
await mount("bad", { clientId: "portal-demo", apiBaseUrl: "http://127.0.0.1:9/mobproc/v1" });
for (let i = 0; i < 200 && (states.root.isLoading || states.bad.isLoading); i++) await React.act(() => new Promise((r) => setTimeout(r, 10)));
const { root, bad } = states;

// A refused config (config_invalid), then a fixed one with the same clientId and tenant, in
// StrictMode: the provider tries again and gets the key's one client (a second provider with
// the same values shares it); with unchanged values it does not try again (no render loop).
const settle = async (name) => {
  for (let i = 0; i < 200 && states[name].isLoading; i++) await React.act(() => new Promise((r) => setTimeout(r, 10)));
};
const retryRoot = createRoot(document.getElementById("retry"));
const renderRetry = (config) =>
  React.act(async () => retryRoot.render(React.createElement(React.StrictMode, null, React.createElement(MobprocProvider, { config }, React.createElement(Probe, { name: "retry" })))));
const retryConfig = { clientId: "portal-demo", tenant: "RETRY", apiBaseUrl: "http://127.0.0.1:9/mobproc/v1" };
/** How often Probe renders for a new config object with \`config\`'s values (StrictMode: twice, and no more without a new try). */
const rendersFor = async (config) => {
  const before = renders.retry;
  await renderRetry({ ...config });
  await React.act(() => new Promise((r) => setTimeout(r, 100)));
  return renders.retry - before;
};
const refusedConfig = { ...retryConfig, apiBaseUrl: "ftp://127.0.0.1:9/mobproc/v1" };
await renderRetry(refusedConfig);
await settle("retry");
const refused = { loading: states.retry.isLoading, client: states.retry.client !== null, error: states.retry.error?.code, renders: await rendersFor(refusedConfig) };
await renderRetry(retryConfig);
await settle("retry");
const retried = { loading: states.retry.isLoading, client: states.retry.client !== null, error: states.retry.error?.code ?? null, renders: await rendersFor(retryConfig) };
await mount("twin", { ...retryConfig });
await settle("twin");

// useMobproc() without a provider: a MobprocError, as every error the package throws.
let outside = null;
const Outside = () => {
  try {
    useMobproc();
  } catch (error) {
    outside = error;
  }
  return null;
};
await React.act(async () => createRoot(document.getElementById("outside")).render(React.createElement(Outside)));

console.log(JSON.stringify({
  loading: [root.isLoading, bad.isLoading],
  client: root.client !== null,
  error: root.error && \`\${root.error.code}: \${root.error.message}\`,
  bad: bad.error?.code,
  badIsTheAppsMobprocError: bad.error instanceof MobprocError,
  refused,
  retried,
  oneClientForTheKey: states.twin.client !== null && states.twin.client === states.retry.client,
  outside: outside instanceof MobprocError && { code: outside.code, namesTheProvider: /<MobprocProvider/.test(outside.message) },
}));
process.exit(0);
`,
    );
    const { stdout } = await sh(app, process.execPath, ["jsdom-provider.mjs"], 120_000);
    const out = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}");
    assert.deepEqual(out, {
      loading: [false, false],
      client: true,
      error: null,
      bad: "config_invalid",
      badIsTheAppsMobprocError: true,
      refused: { loading: false, client: false, error: "config_invalid", renders: 2 },
      retried: { loading: false, client: true, error: null, renders: 2 },
      oneClientForTheKey: true,
      outside: { code: "unsupported", namesTheProvider: true },
    });
  });

  await t.test("the package README's App after a cancelled sign-in (authorization_denied): the error beside Sign in, so the user can try again", async () => {
    const readme = readFileSync(path.join(path.dirname(tarball), "README.md"), "utf8");
    const appTsx = [...readme.matchAll(/```tsx\n([\s\S]*?)```/g)].map((m) => m[1])[1] ?? "";
    const { transform } = await import("esbuild");
    const { code } = await transform(appTsx, { loader: "tsx", jsx: "automatic", format: "esm" });
    mkdirSync(path.join(app, "readme"), { recursive: true });
    writeFileSync(path.join(app, "readme", "App.mjs"), code);
    writeFileSync(
      path.join(app, "readme", "denied.mjs"),
      `${jsdomPrelude('<div id="root"></div>', "http://127.0.0.1:5173/orders")}
const React = await import("react");
const { createRoot } = await import("react-dom/client");
const { MobprocProvider } = await import("mobproc-auth/react");
const { createClient } = await import("mobproc-auth");
const { default: App } = await import("./App.mjs");
const tangoe = "http://127.0.0.1:9";
const config = { clientId: "portal-demo", tenant: "XYZ", apiBaseUrl: \`\${tangoe}/mobproc/v1\`, authorizeUrl: \`\${tangoe}/as/authorization.oauth2\`, redirectUri: "http://127.0.0.1:5173/" };
// A sign-in started on this page, then cancelled on Tangoe's: back with #error=access_denied.
const state = new URL((await createClient(config)).authorizeUrl({ returnTo: "/orders" })).searchParams.get("state");
history.replaceState(null, "", \`/#error=access_denied&error_description=cancelled&state=\${state}\`);
await React.act(async () =>
  createRoot(document.getElementById("root")).render(React.createElement(React.StrictMode, null, React.createElement(MobprocProvider, { config }, React.createElement(App)))),
);
for (let i = 0; i < 200 && document.body.textContent.includes("Loading"); i++) await React.act(() => new Promise((r) => setTimeout(r, 10)));
console.log(JSON.stringify({
  text: document.body.textContent,
  buttons: [...document.querySelectorAll("button")].map((b) => b.textContent),
}));
process.exit(0);
`,
    );
    const { stdout } = await sh(path.join(app, "readme"), process.execPath, ["denied.mjs"], 120_000);
    const out = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}");
    assert.match(out.text, /authorization_denied/, "the error is shown");
    assert.deepEqual(out.buttons, ["Sign in"], "and a Sign in button beside it");
  });

  // The emulator, with the dev and the build origins registered (redirect URI: origin + "/").
  const [devPort, buildPort] = [await freePort(), await freePort()];
  const [devOrigin, buildOrigin] = [`http://127.0.0.1:${devPort}`, `http://127.0.0.1:${buildPort}`];
  const emulator = await startServer(
    "mobproc-emulator",
    EMULATOR_BIN,
    ["--port", "0", "--app-origin", devOrigin, "--redirect-uri", `${devOrigin}/`, "--app-origin", buildOrigin, "--redirect-uri", `${buildOrigin}/`],
    /^mobproc-emulator listening on (http:\/\/127\.0\.0\.1:\d+)$/,
  );
  t.after(() => emulator.stop());
  const env = { VITE_TANGOE_ORIGIN: emulator.origin };
  const browser = await launchBrowser({ headless: process.env.MOBPROC_E2E_HEADED !== "1" });
  t.after(() => browser.close());
  /** @type {Set<string>} */
  const tokens = new Set();
  /** @type {string[]} */
  const serverOutput = [];

  await t.test("(a) vite dev, StrictMode: one client, one callback, returnTo reaches the live tree", async () => {
    const vite = await startViteDev(app, devPort, env);
    try {
      for (const token of await signInWithTheExample(browser, vite.origin, emulator, "vite dev")) tokens.add(token);
    } finally {
      await vite.stop();
      serverOutput.push(...vite.output);
    }
  });

  await t.test("(b) vite build, served from dist/ under a strict CSP; the session's end and the refresh on load", async () => {
    const { stdout, stderr } = await sh(app, process.execPath, [VITE_BIN, "build"], 120_000, env);
    serverOutput.push(stdout, stderr);
    const { server, origin } = await serveDist(path.join(app, "dist"), buildPort, emulator.origin);
    try {
      for (const token of await signInWithTheExample(browser, origin, emulator, "vite build")) tokens.add(token);
      await expiryAndRefreshOnLoad(browser, origin, emulator);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  await t.test("no token value in the emulator's or Vite's output", async () => {
    assert.ok(tokens.size >= 2, `token values were collected (${tokens.size})`);
    const outputs = [(await emulatorLog(emulator.origin)), emulator.lines.join("\n"), emulator.stderr.join("\n"), serverOutput.join("\n")];
    for (const text of outputs) for (const token of tokens) assert.ok(!text.includes(token), "a token value in a server's output");
  });
});
