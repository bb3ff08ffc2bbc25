// Shared by the package's browser tests: a static server for pkg/ and a test page on
// 127.0.0.1, and Debian's Chromium (or Firefox ESR) driven by playwright-core. Nothing
// leaves loopback.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, resolve } from "node:path";
import { after, before } from "node:test";
import { launchBrowser } from "../chromium.mjs";

const ROOT = resolve(import.meta.dirname, "../..");
export const PKG = process.env.MOBPROC_PKG_DIR ?? join(ROOT, "pkg");
const TYPES = { ".js": "text/javascript", ".wasm": "application/wasm", ".html": "text/html", ".json": "application/json" };

const PAGE = `<!doctype html><meta charset="utf-8"><title>mobproc-auth test page</title>
<script type="importmap">{"imports":{"mobproc-auth":"/pkg/index.js"}}</script>
<script type="module">import * as m from "mobproc-auth"; window.mobproc = m; window.mobprocReady = true;</script>
<p>test page</p>`;

/** Starts the server; `requests` counts requests per path. */
export async function startServer() {
  const requests = new Map();
  const server = createServer(async (req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    requests.set(path, (requests.get(path) ?? 0) + 1);
    if (path.startsWith("/pkg/") && !path.includes("..")) {
      try {
        const body = await readFile(join(PKG, path.slice(5)));
        res.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream" });
        return res.end(body);
      } catch {
        res.writeHead(404);
        return res.end();
      }
    }
    res.writeHead(200, { "content-type": "text/html" });
    res.end(path.startsWith("/authorize") ? "<p>sign-in stand-in</p>" : PAGE);
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return { origin, requests, close: () => new Promise((ok) => server.close(ok)) };
}

/** The browser of ../chromium.mjs: Debian's Chromium, or Firefox ESR with MOBPROC_BROWSER=firefox. */
export function launch() {
  return launchBrowser();
}

/** A fresh context and page on `url`, waiting until the package is imported. */
export async function openPage(browser, url) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const console = [];
  page.on("console", (m) => console.push(m.text()));
  page.on("pageerror", (e) => console.push(String(e)));
  await page.goto(url);
  await page.waitForFunction(() => window.mobprocReady === true);
  return { context, page, console };
}

/** Navigates `page` and waits for the package again. */
export async function goto(page, url) {
  await page.goto(url);
  await page.waitForFunction(() => window.mobprocReady === true);
}

/**
 * Routes `origin`'s `/revoke` in `context` to a 200 and records the tokens revoked.
 * `revoked(count)` waits up to 5 s for `count` of them (2: both of a sign-in's tokens), then
 * gives what came, sorted.
 * @param {import("playwright-core").BrowserContext} context
 * @param {string} origin
 */
export async function recordRevocations(context, origin) {
  const tokens = [];
  await context.route(`${origin}/revoke`, (route) => {
    tokens.push(new URLSearchParams(route.request().postData()).get("token"));
    return route.fulfill({ status: 200, body: "" });
  });
  return async (count = 2) => {
    const deadline = Date.now() + 5000;
    while (tokens.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return [...tokens].sort();
  };
}

/** A config for the test server's origin (API on another, never-contacted origin). */
export function config(origin, extra = {}) {
  return {
    clientId: "portal-demo",
    tenant: "XYZ",
    apiBaseUrl: "https://api.example.test/mobproc/v1",
    authorizeUrl: `${origin}/authorize`,
    redirectUri: `${origin}/app/callback`,
    ...extra,
  };
}

/**
 * Registers the file's before/after hooks: one server and one browser for all its tests.
 * The returned object is filled in by `before`, which then calls `ready(shared)`.
 * @param {(shared: object) => void} [ready]
 * @returns {{ server: Awaited<ReturnType<typeof startServer>>, browser: import("playwright-core").Browser }}
 */
export function useServerAndBrowser(ready) {
  const shared = {};
  before(async () => {
    shared.server = await startServer();
    shared.browser = await launch();
    ready?.(shared);
  });
  after(async () => {
    await shared.browser?.close();
    await shared.server?.close();
  });
  return shared;
}
