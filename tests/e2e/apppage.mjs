// A bare app for the end-to-end tests of issue 13 (popup, tabs, code grant) on its own
// loopback origin, so the test decides its config and the portal's page stays out of it
// (Playwright's routing cannot serve it: a page reached through Tangoe's 302 is not routed).
// Start it before the stack and register it with the emulator:
//   const app = await startApp();
//   const stack = await startStack({ emulatorArgs: app.emulatorArgs });
//
// On /t13/callback the page does what an app does on its redirect page, unless the tab's
// sessionStorage has `t13:manual`: two clients, the first calling handleRedirectCallback()
// twice at once, the second once (React StrictMode, a second client), the outcomes in
// `window.callback`. In a sign-in popup the first call hands the answer over and closes it.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { CLIENT_ID, TENANT, snapshotPkg } from "./harness.mjs";

export const STORAGE_KEY = `mobproc-auth:${CLIENT_ID}:${TENANT}`;

/**
 * The app's config against `stack`'s emulator.
 * @param {import("./harness.mjs").Stack} stack
 * @param {{ origin: string }} app
 * @param {Record<string, unknown>} [extra]
 */
export function appConfig(stack, app, extra = {}) {
  const tangoe = stack.emulator.origin;
  return {
    clientId: CLIENT_ID,
    tenant: TENANT,
    apiBaseUrl: `${tangoe}/mobproc/v1`,
    authorizeUrl: `${tangoe}/as/authorization.oauth2`,
    tokenUrl: `${tangoe}/as/token.oauth2`,
    revokeUrl: `${tangoe}/as/revoke_token.oauth2`,
    redirectUri: `${app.origin}/t13/callback`,
    ...extra,
  };
}

/** @param {Record<string, unknown>} config */
function html(config) {
  const json = JSON.stringify(config).replaceAll("<", "\\u003c");
  return `<!doctype html><meta charset="utf-8"><title>t13 app</title>
<script type="module">
import * as mobproc from "/pkg/index.js";
window.mobproc = mobproc;
window.config = ${json};
if (location.pathname === "/t13/callback" && !sessionStorage.getItem("t13:manual")) {
  const describe = (p) => p.then((value) => ({ value }), (e) => ({ code: e.code, oauthError: e.oauthError, description: e.oauthErrorDescription, message: e.message }));
  const first = await mobproc.createClient(window.config);
  const second = await mobproc.createClient(window.config);
  window.client = first;
  window.callback = await Promise.all([describe(first.handleRedirectCallback()), describe(first.handleRedirectCallback()), describe(second.handleRedirectCallback())]);
}
window.mobprocReady = true;
</script><p>t13 app</p>`;
}

const TYPES = { ".js": "text/javascript", ".wasm": "application/wasm" };

/**
 * Starts the app's server on 127.0.0.1 (a snapshot of the package at /pkg/, the page at every
 * /t13/ path). `app.config` is what the page gets (set it before a page loads);
 * `app.emulatorArgs` registers the app's origin and redirect URIs with the emulator.
 * @param {string[]} [redirectPaths] paths (with their query) registered as redirect URIs
 */
export async function startApp(redirectPaths = ["/t13/callback"]) {
  const pkg = await snapshotPkg();
  const app = { config: /** @type {Record<string, unknown>} */ ({}), documents: /** @type {string[]} */ ([]), origin: "", emulatorArgs: /** @type {string[]} */ ([]), close: async () => {} };
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname.startsWith("/pkg/") && !url.pathname.includes("..")) {
      try {
        const body = await readFile(path.join(pkg, url.pathname.slice(5)));
        res.writeHead(200, { "content-type": TYPES[path.extname(url.pathname)] ?? "application/octet-stream" });
        return res.end(body);
      } catch {
        res.writeHead(404);
        return res.end();
      }
    }
    if (!url.pathname.startsWith("/t13/")) {
      res.writeHead(404);
      return res.end();
    }
    app.documents.push(req.url ?? "");
    // /t13/cacheable may go into the back/forward cache, which `no-store` keeps a page out of.
    const cache = url.pathname === "/t13/cacheable" ? {} : { "cache-control": "no-store" };
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", ...cache });
    res.end(html(app.config));
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", () => ok(undefined)));
  const address = /** @type {import("node:net").AddressInfo} */ (server.address());
  app.origin = `http://127.0.0.1:${address.port}`;
  app.emulatorArgs = ["--app-origin", app.origin, ...redirectPaths.flatMap((p) => ["--redirect-uri", `${app.origin}${p}`])];
  app.close = () => new Promise((ok) => server.close(() => ok(undefined)));
  return app;
}

/**
 * A context whose pages' console lines, page errors and request URLs are collected.
 * @param {import("playwright-core").Browser} browser
 */
export async function watchedContext(browser) {
  const context = await browser.newContext();
  context.setDefaultTimeout(15_000);
  const seen = { console: /** @type {string[]} */ ([]), requests: /** @type {string[]} */ ([]) };
  context.on("console", (m) => seen.console.push(m.text()));
  context.on("weberror", (e) => seen.console.push(`pageerror: ${e.error()}`));
  context.on("request", (r) => seen.requests.push(r.url()));
  return { context, seen };
}

/**
 * Opens `path` of the app in a new tab of `context` and waits for the package (and, on the
 * callback, for its handling).
 * @param {import("playwright-core").BrowserContext} context
 * @param {{ origin: string }} app
 */
export async function openApp(context, app, path = "/t13/app") {
  const page = await context.newPage();
  await page.goto(`${app.origin}${path}`);
  await page.waitForFunction(() => window.mobprocReady === true);
  return page;
}

/**
 * Fills Tangoe's sign-in page (the emulator's) as demo / demo and submits it.
 * @param {import("playwright-core").Page} page on the sign-in page
 */
export async function submitSignIn(page) {
  await page.waitForSelector("#username");
  await page.fill("#username", "demo");
  await page.fill("#password", "demo");
  await page.click("#sign-in");
}

/**
 * The token values the emulator issued so far are not known to the tests; this reads the ones
 * every open tab of `context` holds (records), to look for them elsewhere.
 * @param {import("playwright-core").BrowserContext} context
 */
export async function heldTokens(context) {
  const tokens = new Set();
  for (const page of context.pages()) {
    if (page.isClosed()) continue;
    const record = await page.evaluate((key) => JSON.parse(sessionStorage.getItem(key) ?? "null"), STORAGE_KEY).catch(() => null);
    if (record?.accessToken) tokens.add(record.accessToken);
    if (record?.refreshToken) tokens.add(record.refreshToken);
  }
  return tokens;
}

/**
 * No token (nor code) in any request URL, console line, URL or localStorage of the context's tabs.
 * @param {import("playwright-core").BrowserContext} context
 * @param {{ console: string[], requests: string[] }} seen
 * @param {Iterable<string>} secrets
 * @param {typeof import("node:assert/strict")} assert
 */
export async function assertNoLeaks(context, seen, secrets, assert) {
  const values = [...secrets].filter(Boolean);
  assert.ok(values.length > 0, "there are secrets to look for");
  for (const page of context.pages()) {
    if (page.isClosed()) continue;
    const where = await page.evaluate(() => ({ url: location.href, local: JSON.stringify({ ...localStorage }), cookies: document.cookie }));
    assert.equal(where.local, "{}", "nothing in localStorage");
    assert.equal(where.cookies, "", "no cookies");
    for (const v of values) assert.ok(!where.url.includes(v), `a secret in the URL ${where.url}`);
  }
  for (const v of values) {
    for (const url of seen.requests) assert.ok(!url.includes(v), `a secret in a request URL ${url.slice(0, 80)}`);
    for (const line of seen.console) assert.ok(!line.includes(v), `a secret in the console: ${line.slice(0, 120)}`);
  }
}
