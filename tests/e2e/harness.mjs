// Shared harness of the end-to-end tests: starts the Tangoe emulator and the portal's static
// server on free loopback ports (two origins, so CORS and the origin allowlist are real),
// launches Debian's Chromium (or, with MOBPROC_BROWSER=firefox, Firefox ESR) through
// playwright-core, and tears everything down.
//
// Environment:
//   MOBPROC_EMULATOR_BIN  the emulator binary        (default <repo>/target/debug/mobproc-emulator)
//   MOBPROC_RELAY_BIN     the token relay binary     (default <repo>/target/debug/mobproc-relay)
//   MOBPROC_PKG_DIR       the built npm package      (default <repo>/pkg)
//   CHROMIUM              the Chromium executable    (default /usr/bin/chromium)
//   MOBPROC_BROWSER       `firefox` for Firefox ESR  (FIREFOX, default /usr/bin/firefox-esr)
//   MOBPROC_E2E_HEADED=1  show the browser (needs a display)

import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { freePort } from "./vite.mjs";
import { BROWSER, launchBrowser, pageErrorLine } from "../chromium.mjs";

export { BROWSER, launchBrowser, pageErrorLine };

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const ARTIFACTS = path.join(ROOT, "tests", "e2e", "artifacts");
export const EMULATOR_BIN = process.env.MOBPROC_EMULATOR_BIN || path.join(ROOT, "target", "debug", "mobproc-emulator");
export const RELAY_BIN = process.env.MOBPROC_RELAY_BIN || path.join(ROOT, "target", "debug", "mobproc-relay");
export const PKG_DIR = path.resolve(process.env.MOBPROC_PKG_DIR || path.join(ROOT, "pkg"));
export const CLIENT_ID = "portal-demo";
export const TENANT = "XYZ";
export const STORAGE_KEY = `mobproc-auth:${CLIENT_ID}:${TENANT}`;


/** Every child process started here, so an abrupt exit still stops them. */
const children = new Set();
process.on("exit", () => {
  for (const child of children) child.kill("SIGKILL");
});

/**
 * A started child process with its output lines collected.
 * @typedef {{ child: import("node:child_process").ChildProcess, lines: string[], stderr: string[], origin: string, stop: () => Promise<void> }} Server
 */

/**
 * Spawns `program`, waits for a stdout line matching `ready` and returns the origin it names.
 * @param {string} name for messages
 * @param {string} program
 * @param {string[]} args
 * @param {RegExp} ready first-line pattern with the origin as group 1
 * @param {Record<string, string>} [env] variables added to this process's environment (secrets
 *   go here, never in `args`: the command line shows in `ps`)
 * @returns {Promise<Server>}
 */
export function startServer(name, program, args, ready, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: env ? { ...process.env, ...env } : undefined });
    children.add(child);
    /** @type {string[]} */
    const lines = [];
    /** @type {string[]} */
    const stderr = [];
    let settled = false;
    const timer = setTimeout(() => fail(new Error(`${name} did not print its listening line within 15 s`)), 15_000);
    /** @param {Error} error */
    const fail = (error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`${error.message}\n${name} stderr:\n${stderr.join("\n")}`));
    };
    const exited = new Promise((done) => child.once("exit", done));
    child.once("exit", (code, signal) => {
      children.delete(child);
      fail(new Error(`${name} exited early (code ${code}, signal ${signal})`));
    });
    child.once("error", (e) => fail(new Error(`${name} could not start (${program}): ${e.message}`)));
    createInterface({ input: child.stderr }).on("line", (l) => stderr.push(l));
    createInterface({ input: child.stdout }).on("line", (line) => {
      lines.push(line);
      if (settled) return;
      const m = ready.exec(line);
      if (!m) return fail(new Error(`${name}: unexpected first line ${JSON.stringify(line)}`));
      settled = true;
      clearTimeout(timer);
      resolve({
        child,
        lines,
        stderr,
        origin: m[1],
        async stop() {
          if (child.exitCode === null && child.signalCode === null) {
            child.kill("SIGTERM");
            const killer = setTimeout(() => child.kill("SIGKILL"), 5_000);
            await exited;
            clearTimeout(killer);
          }
        },
      });
    });
  });
}

/**
 * Copies the built package to a temp dir and returns it, so a concurrent `cargo xtask build`
 * (which deletes and recreates pkg/) cannot pull files from under a running test. Waits up to
 * 90 s for a package that is being rebuilt (every file of its `files` list present).
 */
export async function snapshotPkg() {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const copy = mkdtempSync(path.join(os.tmpdir(), "mobproc-e2e-pkg-"));
    process.on("exit", () => rmSync(copy, { recursive: true, force: true }));
    try {
      cpSync(PKG_DIR, copy, { recursive: true });
      const manifest = JSON.parse(readFileSync(path.join(copy, "package.json"), "utf8"));
      const missing = (manifest.files ?? ["index.js"]).filter((/** @type {string} */ f) => !existsSync(path.join(copy, f)));
      if (missing.length > 0) throw new Error(`missing ${missing.join(", ")}`);
      // A module still being written (wasm-opt rewrites it in place) does not validate.
      for (const f of readdirSync(copy).filter((f) => f.endsWith(".wasm"))) {
        if (!WebAssembly.validate(readFileSync(path.join(copy, f)))) throw new Error(`${f} is not a valid module`);
      }
      return copy;
    } catch (error) {
      rmSync(copy, { recursive: true, force: true });
      if (Date.now() > deadline) {
        throw new Error(`no complete package at ${PKG_DIR} (${error}): run \`cargo xtask build\` or set MOBPROC_PKG_DIR`);
      }
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
}

/**
 * Starts the emulator and the portal, wired to each other (and the token relay between them).
 * @param {{ tokenLifetime?: number, emulatorArgs?: string[], portalArgs?: string[], rustExample?: string, clientSecret?: string, noImplicitRefreshToken?: boolean, relay?: boolean }} [options]
 *   `tokenLifetime`: the emulator's access-token lifetime in seconds; `emulatorArgs`: extra
 *   emulator flags (`--coop`; another app's `--app-origin` and `--redirect-uri`, added to the
 *   portal's); `portalArgs`: extra
 *   `serve.mjs` flags (`--refresh-skew 1`, `--timeout-ms 1500`, `--no-refresh`); `rustExample`:
 *   the built www-example/rust, served at `/rust/` (also registered as a redirect URI);
 *   `clientSecret`: makes the portal's client confidential at the emulator
 *   (`MOBPROC_EMU_CLIENT=portal-demo:SECRET`: refresh, validate and revoke need it);
 *   `noImplicitRefreshToken`: the sign-in issues no refresh token (`--no-implicit-refresh-token`);
 *   `relay`: also starts `mobproc-relay` on its own port with `clientSecret`
 *   (`MOBPROC_RELAY_CLIENT_SECRET`), the portal's origin allowed, and points the portal's
 *   `tokenUrl` / `revokeUrl` at its `/token` and `/revoke`
 */
export async function startStack(options = {}) {
  if (!existsSync(EMULATOR_BIN)) {
    throw new Error(`no emulator at ${EMULATOR_BIN}: run \`cargo build -p mobproc-emulator\` or set MOBPROC_EMULATOR_BIN`);
  }
  if (options.relay && !existsSync(RELAY_BIN)) {
    throw new Error(`no relay at ${RELAY_BIN}: run \`cargo build -p mobproc-relay\` or set MOBPROC_RELAY_BIN`);
  }
  if (options.relay && !options.clientSecret) throw new Error("startStack: relay needs clientSecret");
  mkdirSync(ARTIFACTS, { recursive: true });
  const pkgCopy = await snapshotPkg();
  let lastError;
  for (let attempt = 0; attempt < 3; attempt++) {
    const portalPort = await freePort();
    const portalOrigin = `http://127.0.0.1:${portalPort}`;
    const emuArgs = ["--port", "0", "--app-origin", portalOrigin, "--redirect-uri", `${portalOrigin}/`];
    if (options.tokenLifetime) emuArgs.push("--token-lifetime", String(options.tokenLifetime));
    if (options.rustExample) emuArgs.push("--redirect-uri", `${portalOrigin}/rust/`);
    if (options.noImplicitRefreshToken) emuArgs.push("--no-implicit-refresh-token");
    emuArgs.push(...(options.emulatorArgs ?? []));
    const emulator = await startServer(
      "mobproc-emulator",
      EMULATOR_BIN,
      emuArgs,
      /^mobproc-emulator listening on (http:\/\/127\.0\.0\.1:\d+)$/,
      // The secret by variable: a `--client` flag would show in `ps` (and replace the list).
      options.clientSecret ? { MOBPROC_EMU_CLIENT: `${CLIENT_ID}:${options.clientSecret}` } : undefined,
    );
    /** @type {Server | null} */
    let relay = null;
    try {
      /** @type {string[]} */
      const relayArgs = [];
      if (options.relay) {
        relay = await startServer(
          "mobproc-relay",
          RELAY_BIN,
          [
            "--listen",
            "127.0.0.1:0",
            "--token-url",
            `${emulator.origin}/as/token.oauth2`,
            "--revoke-url",
            `${emulator.origin}/as/revoke_token.oauth2`,
            "--client-id",
            CLIENT_ID,
            "--allow-origin",
            portalOrigin,
          ],
          /^mobproc-relay listening on (http:\/\/127\.0\.0\.1:\d+)$/,
          { MOBPROC_RELAY_CLIENT_SECRET: /** @type {string} */ (options.clientSecret) },
        );
        relayArgs.push("--token-url", `${relay.origin}/token`, "--revoke-url", `${relay.origin}/revoke`);
      }
      const portal = await startServer(
        "serve.mjs",
        process.execPath,
        [
          path.join(ROOT, "www-example", "serve.mjs"),
          "--port",
          String(portalPort),
          "--pkg",
          pkgCopy,
          "--api-origin",
          emulator.origin,
          "--client-id",
          CLIENT_ID,
          "--tenant",
          TENANT,
          ...relayArgs,
          ...(options.portalArgs ?? []),
          ...(options.rustExample ? ["--rust", options.rustExample] : []),
        ],
        /^portal listening on (http:\/\/127\.0\.0\.1:\d+)$/,
      );
      return new Stack(emulator, portal, relay);
    } catch (error) {
      // Most likely the port was taken between freePort() and the portal's listen: retry.
      lastError = error;
      await Promise.all([emulator.stop(), relay?.stop()]);
    }
  }
  throw lastError;
}

export class Stack {
  /** @param {Server} emulator @param {Server} portal @param {Server | null} [relay] `mobproc-relay`, when started */
  constructor(emulator, portal, relay = null) {
    this.emulator = emulator;
    this.portal = portal;
    this.relay = relay;
    /** @type {import("playwright-core").Browser | null} */
    this.browser = null;
  }

  /** The portal's main page. */
  get portalUrl() {
    return `${this.portal.origin}/`;
  }

  async launchBrowser() {
    this.browser = await launchBrowser({ headless: process.env.MOBPROC_E2E_HEADED !== "1" });
    return this.browser;
  }

  /** @returns {Promise<{ token_requests: { password: number, refresh_token: number, validate_bearer: number, other: number, missing: number }, api_requests: number, revocations: number, sign_ins: number, requests: { method: string, path: string, status: number, headers_present: string[] }[] }>} */
  async emulatorStats() {
    const res = await fetch(`${this.emulator.origin}/__emulator/stats`);
    if (!res.ok) throw new Error(`stats: HTTP ${res.status}`);
    return res.json();
  }

  /**
   * POSTs to the emulator's control surface, e.g. `fail-next?count=1&mode=500`, `revoke-all`.
   * @param {string} what the path below `/__emulator/`
   */
  async emulatorControl(what) {
    const res = await fetch(`${this.emulator.origin}/__emulator/${what}`, { method: "POST" });
    if (!res.ok) throw new Error(`${what}: HTTP ${res.status} ${await res.text()}`);
  }

  async emulatorLog() {
    const res = await fetch(`${this.emulator.origin}/__emulator/log`);
    if (!res.ok) throw new Error(`log: HTTP ${res.status}`);
    return res.text();
  }

  async stop() {
    await this.browser?.close().catch(() => {});
    await Promise.all([this.portal.stop(), this.relay?.stop(), this.emulator.stop()]);
  }
}

/** A fresh browser context (own cookies and storage) at the portal's usual size. */
export async function newPortalContext(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(15_000);
  return context;
}

/**
 * Signs in through the emulator's sign-in page as demo / demo and waits for the signed-in portal.
 * @param {import("playwright-core").Page} page on the portal, signed out
 * @param {Stack} stack
 */
export async function signInThroughTangoe(page, stack) {
  await page.click("#sign-in");
  await page.waitForURL((u) => u.origin === stack.emulator.origin);
  await page.fill("#username", "demo");
  await page.fill("#password", "demo");
  await page.click("#sign-in");
  await page.waitForURL((u) => u.origin === stack.portal.origin);
  await page.waitForSelector("body[data-ready=true]", { state: "attached" });
  await page.waitForSelector("#signed-in:not([hidden])");
}

/**
 * Clicks a button of the portal and waits for its result or for the error panel.
 * @param {import("playwright-core").Page} page
 * @param {string} button
 * @param {string} result the `<pre>` that receives the JSON answer
 * @returns {Promise<any>} the parsed JSON shown, or null after an error
 */
export async function clickAndRead(page, button, result) {
  await page.$eval(result, (el) => (el.textContent = ""));
  await page.click(button);
  await page.waitForFunction(
    (sel) => document.querySelector(sel)?.textContent || !document.querySelector("#error-panel")?.hidden,
    result,
  );
  const text = await page.textContent(result);
  return text ? JSON.parse(text) : null;
}

/**
 * Clicks Ping, Who am I and Load employees in one task (three concurrent calls) and waits for
 * their three results or the error panel.
 * @param {import("playwright-core").Page} page the signed-in portal
 */
export async function clickThreeCards(page) {
  for (const sel of ["#ping-result", "#me-result"]) await page.$eval(sel, (el) => (el.textContent = ""));
  await page.evaluate(() => {
    for (const id of ["ping-button", "whoami-button", "employees-load"]) /** @type {HTMLButtonElement} */ (document.getElementById(id)).click();
  });
  await page.waitForFunction(
    () =>
      (document.querySelector("#ping-result")?.textContent &&
        document.querySelector("#me-result")?.textContent &&
        document.querySelector("#employees-body tr[data-employee-id]")) ||
      !document.querySelector("#error-panel")?.hidden,
  );
}
