// End-to-end: the Rust example (www-example/rust, a plain wasm-bindgen page on the crate's Rust
// `Client`) against the Tangoe emulator, in real Chromium: sign in through Tangoe's page, the
// session, /ping and /me, storage, reload, an API error, sign out.
//
// Needs the built example: MOBPROC_RUST_EXAMPLE_DIR (default <repo>/target/rust-example; `cargo
// xtask test` builds it and sets the variable). The harness serves it at `/rust/` beside the portal.

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { ROOT, STORAGE_KEY, TENANT, newPortalContext, signInThroughTangoe, startStack } from "./harness.mjs";

const RUST_EXAMPLE_DIR = path.resolve(process.env.MOBPROC_RUST_EXAMPLE_DIR || path.join(ROOT, "target", "rust-example"));
const TIMEOUT = { timeout: 60_000 };

/** @type {import("./harness.mjs").Stack} */
let stack;
/** @type {import("playwright-core").Browser} */
let browser;

before(async () => {
  if (!existsSync(path.join(RUST_EXAMPLE_DIR, "index.html"))) {
    throw new Error(`no Rust example at ${RUST_EXAMPLE_DIR}: run \`cargo xtask demo\` once or set MOBPROC_RUST_EXAMPLE_DIR`);
  }
  stack = await startStack({ rustExample: RUST_EXAMPLE_DIR });
  browser = await stack.launchBrowser();
});

after(async () => {
  await stack?.stop();
});

/** @param {import("playwright-core").Page} page */
async function storage(page) {
  return page.evaluate(() => ({
    session: Object.fromEntries(Object.keys(sessionStorage).map((k) => [k, sessionStorage.getItem(k)])),
    localLength: localStorage.length,
  }));
}

/** @param {import("playwright-core").Page} page @param {string} id */
async function text(page, id) {
  return (await page.textContent(`#${id}`))?.trim();
}

/** @param {import("playwright-core").Page} page */
async function openExample(page) {
  await page.goto(`${stack.portal.origin}/rust/`);
  await page.waitForSelector("body[data-ready=true]", { state: "attached" });
}

test("the Rust example signs in through Tangoe, shows the session, /ping and /me, and signs out", TIMEOUT, async () => {
  const context = await newPortalContext(browser);
  const page = await context.newPage();
  /** @type {string[]} */
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  // Failed loads are expected (the emulator has no favicon.ico; the 500 below is asked for).
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) pageErrors.push(m.text());
  });

  await openExample(page);
  assert.ok(await page.isVisible("#signed-out"), "starts signed out");
  assert.equal(await text(page, "env-tenant"), TENANT);
  assert.equal(await text(page, "env-api"), `${stack.emulator.origin}/mobproc/v1`);
  assert.deepEqual((await storage(page)).session, {}, "nothing stored before sign-in");

  // The harness's sign-in: #sign-in here, demo / demo on the emulator's page, back to the portal.
  await signInThroughTangoe(page, stack);
  assert.equal(page.url(), `${stack.portal.origin}/rust/`, "back on /rust/, the fragment removed");
  assert.equal(await page.evaluate(() => location.hash), "");
  assert.ok(await page.isHidden("#error-panel"), "no error after sign-in");
  assert.ok(await page.isVisible("#identity"), "tenant, client and Sign out in the header");

  // The session, from client.session(): absolute expiry about an hour ahead, the scope, a refresh token.
  const expiresAt = Date.parse(await text(page, "session-expires-at"));
  assert.ok(expiresAt > Date.now() + 50 * 60_000 && expiresAt <= Date.now() + 61 * 60_000, `expires at ${expiresAt}`);
  assert.equal(await text(page, "session-scope"), "MOBPROC");
  assert.equal(await text(page, "session-refresh"), "yes");

  // Only the token record, in sessionStorage; nothing in localStorage.
  const stored = await storage(page);
  assert.deepEqual(Object.keys(stored.session), [STORAGE_KEY], "only the token record in sessionStorage");
  const record = JSON.parse(stored.session[STORAGE_KEY] ?? "null");
  assert.match(record.accessToken, /^[0-9a-f]{64}$/);
  assert.equal(stored.localLength, 0, "localStorage empty");

  // GET /ping through client.fetch: the emulator echoes the text with its own timestamp.
  const before = (await stack.emulatorStats()).requests.length;
  await page.fill("#echo-text", "from Rust & wasm?");
  await page.click("#ping-button");
  await page.waitForFunction(() => document.querySelector("#ping-echo")?.textContent !== "–");
  assert.equal(await text(page, "ping-echo"), "from Rust & wasm?", "echoText round-trips, encoded");
  const stamp = Date.parse(await text(page, "ping-timestamp"));
  assert.ok(Math.abs(stamp - Date.now()) < 60_000, "the emulator's RFC 3339 timestamp, now");

  // GET /me through client.fetch_json: the seeded demo user, acting as itself.
  await page.click("#whoami-button");
  await page.waitForFunction(() => document.querySelector("#me-name")?.textContent !== "–");
  assert.equal(await text(page, "me-name"), "Demo User");
  assert.equal(await text(page, "me-employee-id"), "E1000");
  assert.equal(await text(page, "me-email"), "demo@xyz.example");
  assert.equal(await text(page, "me-username"), "demo");
  assert.equal(await text(page, "me-actor"), "Demo User (E1000, demo@xyz.example)");
  assert.ok(await page.isHidden("#error-panel"));

  // Both calls carried the Tangoe headers and the bearer.
  const calls = (await stack.emulatorStats()).requests.slice(before);
  for (const p of ["/mobproc/v1/ping", "/mobproc/v1/me"]) {
    const call = calls.find((r) => r.path === p && r.method === "GET");
    assert.ok(call, `${p} reached the emulator`);
    assert.equal(call.status, 200);
    for (const h of ["X-TNGO-TENANT", "client_id", "Authorization"]) {
      assert.ok(call.headers_present.includes(h), `${p} carried ${h} (had ${call.headers_present})`);
    }
  }

  // A failing call shows the library's error code in the page; the session stays.
  await stack.emulatorControl("api-fail-next?count=1&status=500");
  await page.click("#whoami-button");
  await page.waitForSelector("#error-panel:not([hidden])");
  assert.equal(await text(page, "error-code"), "api_error");
  assert.ok(await page.isVisible("#signed-in"), "still signed in after a 500");
  await page.click("#error-dismiss");
  assert.ok(await page.isHidden("#error-panel"));

  // A reload keeps the session (sessionStorage), without a second sign-in.
  await page.reload();
  await page.waitForSelector("body[data-ready=true]", { state: "attached" });
  assert.ok(await page.isVisible("#signed-in"), "still signed in after reload");
  assert.equal((await stack.emulatorStats()).sign_ins, 1, "one sign-in");

  // Sign out: the record is gone, the signed-out view is back, and stays so after reload.
  await page.click("#sign-out");
  await page.waitForSelector("#signed-out:not([hidden])");
  assert.ok(await page.isHidden("#signed-in"));
  const after = await storage(page);
  assert.deepEqual(after.session, {}, "sessionStorage empty after sign out");
  assert.equal(after.localLength, 0);
  await openExample(page);
  assert.ok(await page.isVisible("#signed-out"), "still signed out after reload");

  assert.deepEqual(pageErrors, [], "no page errors");
  await context.close();
});

test("the Rust example shows Tangoe's answer when the user cancels sign-in", TIMEOUT, async () => {
  const context = await newPortalContext(browser);
  const page = await context.newPage();
  await openExample(page);
  await page.click("#sign-in");
  await page.waitForURL((u) => u.origin === stack.emulator.origin);
  await page.click("#cancel");
  await page.waitForURL((u) => u.origin === stack.portal.origin);
  await page.waitForSelector("body[data-ready=true]", { state: "attached" });
  await page.waitForSelector("#error-panel:not([hidden])");
  assert.equal(await text(page, "error-code"), "authorization_denied");
  assert.match(await text(page, "error-message") ?? "", /access_denied/, "Tangoe's own error code in the message");
  assert.ok(await page.isVisible("#signed-out"), "signed out");
  assert.equal(await page.evaluate(() => location.hash), "", "the error fragment removed too");
  assert.deepEqual((await storage(page)).session, {}, "nothing stored");
  await context.close();
});
