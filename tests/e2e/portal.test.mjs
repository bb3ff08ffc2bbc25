// End-to-end: www-example (the portal) against the Tangoe emulator, in real Chromium.
// The portal and the emulator run on different loopback origins, so CORS and the library's
// origin allowlist are exercised for real. Run: `node --test tests/e2e/`.

import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { ARTIFACTS, BROWSER, newPortalContext, pageErrorLine, ROOT, signInThroughTangoe, startStack, STORAGE_KEY, TENANT } from "./harness.mjs";

/** @type {import("./harness.mjs").Stack} */
let stack;
/** @type {import("playwright-core").Browser} */
let browser;

/** Every real token value seen in sessionStorage during the run (access and refresh). */
const tokens = new Set();
/** Console messages and page errors of every page, for the final leak check. */
const consoleLines = [];
/**
 * Main-frame navigations of every page: `callback` marks the one document Tangoe's redirect
 * loaded with `#access_token=…` (the only URL allowed to hold a token, until the library removes it).
 * @type {{ url: string, callback: boolean }[]}
 */
const navigations = [];
/** The Referer of every API call the pages made (empty when none was sent). */
const referers = [];

const SCREENSHOT = path.join(ROOT, "docs", "portal-signed-in.png");
const TIMEOUT = { timeout: 45_000 };

before(async () => {
  stack = await startStack();
  browser = await stack.launchBrowser();
});

after(async () => {
  await stack?.stop();
});

/** A fresh browser context (own cookies and storage) with a page wired to the collectors. */
async function freshPage() {
  const context = await newPortalContext(browser);
  // Runs before any page script: remembers history.length as the callback document starts,
  // to prove later that removing the fragment did not add (or leave) a history entry.
  await context.addInitScript(() => {
    if (location.hash.includes("access_token=")) {
      Object.defineProperty(window, "__e2eArrivalHistoryLength", { value: history.length });
    }
  });
  const page = await context.newPage();
  watch(page);
  return { context, page };
}

/** @param {import("playwright-core").Page} page */
function watch(page) {
  page.on("console", (m) => consoleLines.push(`[console.${m.type()}] ${m.text()}`));
  page.on("pageerror", (e) => consoleLines.push(pageErrorLine(e)));
  page.on("request", (r) => {
    if (r.url().startsWith(`${stack.emulator.origin}/mobproc/`)) referers.push(r.headers()["referer"] ?? "");
  });
  let previous = "";
  page.on("framenavigated", (frame) => {
    if (frame !== page.mainFrame()) return;
    const url = frame.url();
    const fromTangoe = previous.startsWith(stack.emulator.origin);
    navigations.push({ url, callback: fromTangoe && url.includes("#access_token=") });
    previous = url;
  });
}

/** @param {import("playwright-core").Page} page */
async function openPortal(page, url = stack.portalUrl) {
  await page.goto(url);
  await waitReady(page);
}

/** Waits for the portal's script to finish starting; on timeout says what the page was doing. */
async function waitReady(/** @type {import("playwright-core").Page} */ page) {
  try {
    await page.waitForSelector("body[data-ready=true]", { state: "attached" });
  } catch (error) {
    throw new Error(
      `portal not ready at ${page.url().replace(/access_token=[^&]*/, "access_token=…")}\n` +
        `console:\n${consoleLines.slice(-15).join("\n")}\nportal server:\n${stack.portal.lines.slice(-15).join("\n")}` +
        `\nemulator:\n${stack.emulator.lines.slice(-10).join("\n")}\n${error}`,
    );
  }
}

/** A fresh context, signed in. */
async function signedInPage() {
  const { context, page } = await freshPage();
  await openPortal(page);
  await signInThroughTangoe(page, stack);
  await collectTokens(page);
  return { context, page };
}

/**
 * Reads the token record from sessionStorage (the test may; the page never prints it).
 * @param {import("playwright-core").Page} page
 * @returns {Promise<{ accessToken: string, refreshToken?: string, expiresAt: number } | null>}
 */
async function collectTokens(page) {
  const raw = await page.evaluate((key) => sessionStorage.getItem(key), STORAGE_KEY);
  if (raw === null) return null;
  const record = JSON.parse(raw);
  if (typeof record.accessToken === "string") tokens.add(record.accessToken);
  if (typeof record.refreshToken === "string") tokens.add(record.refreshToken);
  return record;
}

/** @param {import("playwright-core").Page} page */
async function errorPanel(page) {
  await page.waitForSelector("#error-panel:not([hidden])");
  return {
    code: (await page.textContent("#error-code"))?.trim(),
    message: (await page.textContent("#error-message"))?.trim(),
    details: (await page.textContent("#error-details"))?.trim(),
  };
}

/** @param {import("playwright-core").Page} page */
async function errorPanelHidden(page) {
  return page.$eval("#error-panel", (el) => /** @type {HTMLElement} */ (el).hidden);
}

/** @param {import("playwright-core").Page} page */
async function storageSnapshot(page) {
  return page.evaluate(() => ({
    session: Object.fromEntries(Object.keys(sessionStorage).map((k) => [k, sessionStorage.getItem(k)])),
    localLength: localStorage.length,
    cookie: document.cookie,
  }));
}

/** Clicks "Who am I" and returns the parsed /me answer. @param {import("playwright-core").Page} page */
async function whoAmI(page) {
  await page.$eval("#me-result", (el) => (el.textContent = ""));
  await page.click("#whoami-button");
  await page.waitForFunction(
    () => document.querySelector("#me-result")?.textContent || !document.querySelector("#error-panel")?.hidden,
  );
  const text = await page.textContent("#me-result");
  return text ? JSON.parse(text) : null;
}

/** @param {import("playwright-core").Page} page @param {string} echoText */
async function ping(page, echoText) {
  await page.$eval("#ping-result", (el) => (el.textContent = ""));
  await page.fill("#echo-text", echoText);
  await page.click("#ping-button");
  await page.waitForFunction(
    () => document.querySelector("#ping-result")?.textContent || !document.querySelector("#error-panel")?.hidden,
  );
  const text = await page.textContent("#ping-result");
  return text ? JSON.parse(text) : null;
}

/** Employee ids in the table. @param {import("playwright-core").Page} page @returns {Promise<string[]>} */
function tableIds(page) {
  return page.$$eval("#employees-body tr[data-employee-id]", (rows) =>
    rows.map((r) => /** @type {HTMLElement} */ (r).dataset.employeeId ?? ""),
  );
}

/** Clicks a pager button and waits until the table shows another page (or an error). */
async function turnPage(/** @type {import("playwright-core").Page} */ page, /** @type {string} */ button) {
  const first = (await tableIds(page))[0] ?? "";
  await page.click(button);
  await page.waitForFunction(
    (before) =>
      document.querySelector("#employees-card")?.getAttribute("data-state") === "ready" &&
      ((document.querySelector("#employees-body tr[data-employee-id]")?.getAttribute("data-employee-id") ?? "") !==
        before ||
        !document.querySelector("#error-panel")?.hidden),
    first,
  );
  assert.ok(await errorPanelHidden(page), `error while paging: ${await page.textContent("#error-panel")}`);
}

test("1. sign-in through Tangoe's page stores only the token, in sessionStorage, and removes the fragment", TIMEOUT, async () => {
  const { context, page } = await freshPage();
  await openPortal(page);
  assert.ok(await page.isVisible("#sign-in"), "signed out at first");
  assert.equal((await storageSnapshot(page)).localLength, 0);

  await page.click("#sign-in");
  await page.waitForURL((u) => u.origin === stack.emulator.origin);
  const authorize = new URL(page.url());
  assert.equal(authorize.pathname, "/as/authorization.oauth2");
  assert.equal(authorize.searchParams.get("response_type"), "token");
  assert.equal(authorize.searchParams.get("client_id"), "portal-demo");
  assert.equal(authorize.searchParams.get("redirect_uri"), stack.portalUrl);
  assert.ok((authorize.searchParams.get("state") ?? "").length >= 22, "state carries >= 128 bits");

  await page.fill("#username", "demo");
  await page.fill("#password", "demo");
  await page.click("#sign-in");
  await page.waitForURL((u) => u.origin === stack.portal.origin);
  await waitReady(page);
  await page.waitForSelector("#signed-in:not([hidden])");
  assert.ok(await errorPanelHidden(page), "no error after sign-in");

  // The fragment is gone, without a new history entry, from every entry Chromium keeps.
  const href = await page.evaluate(() => location.href);
  assert.equal(href, stack.portalUrl, "back on the main page, fragment removed");
  assert.doesNotMatch(page.url(), /access_token|#/);
  const lengths = await page.evaluate(() => ({
    now: history.length,
    // @ts-ignore set by the init script when the callback document started
    arrival: window.__e2eArrivalHistoryLength,
  }));
  assert.equal(typeof lengths.arrival, "number", "the callback document was seen with its fragment");
  if (BROWSER === "chromium") {
    // Firefox counts a new document's entry in history.length only after the document has
    // started (its session history lives in the parent process), and has no CDP: there the
    // entries are checked by going back and forward, below.
    assert.equal(lengths.now, lengths.arrival, "removing the fragment did not push a history entry");
    const cdp = await context.newCDPSession(page);
    const { entries } = await cdp.send("Page.getNavigationHistory");
    for (const entry of entries) {
      assert.doesNotMatch(entry.url, /access_token/, `history entry ${entry.url}`);
      assert.doesNotMatch(entry.userTypedURL ?? "", /access_token/);
    }
  }

  // sessionStorage holds exactly the token record; nothing else anywhere.
  const record = await collectTokens(page);
  assert.ok(record, "token record stored");
  assert.match(record.accessToken, /^[0-9a-f]{64}$/);
  assert.ok(record.expiresAt > Date.now() + 60_000, "expiresAt is absolute, in ms, in the future");
  const snap = await storageSnapshot(page);
  assert.deepEqual(Object.keys(snap.session), [STORAGE_KEY], "only the token record in sessionStorage");
  assert.equal(snap.localLength, 0, "localStorage empty");
  assert.equal(snap.cookie, "", "no cookies visible to the page");
  const cookies = await context.cookies();
  for (const c of cookies) {
    for (const t of tokens) assert.ok(!c.value.includes(t) && !c.name.includes(t), `cookie ${c.name} holds a token`);
  }
  assert.deepEqual(
    cookies.filter((c) => stack.portal.origin.includes(c.domain)),
    [],
    "no cookies for the portal",
  );

  // The page shows the session, never the token.
  const html = await page.content();
  for (const t of tokens) assert.ok(!html.includes(t), "token printed on the page");
  assert.equal(await page.textContent("#session-refresh"), "yes");
  assert.equal(await page.textContent("#identity-tenant"), TENANT);
  assert.equal(await page.textContent("#identity-client"), "portal-demo");

  // One entry back is Tangoe's sign-in page, not the callback with its fragment (a pushed
  // clean URL would leave that entry behind); forward is the clean URL again.
  await page.goBack();
  assert.equal(new URL(page.url()).origin, stack.emulator.origin, `back from the portal: ${page.url()}`);
  await page.goForward();
  assert.equal(page.url(), stack.portalUrl);
  await context.close();
});

test("2. ping and /me succeed, and the calls carried tenant, client_id and the bearer", TIMEOUT, async () => {
  const { context, page } = await signedInPage();
  const before = (await stack.emulatorStats()).requests.length;

  const pong = await ping(page, "hello from the portal & co");
  assert.ok(await errorPanelHidden(page), "no error after ping");
  assert.equal(pong.echoText, "hello from the portal & co");
  assert.match(pong.timestamp, /^\d{4}-\d\d-\d\dT/);

  const me = await whoAmI(page);
  assert.ok(await errorPanelHidden(page), "no error after /me");
  assert.equal(me.user.employeeId, "E1000");
  assert.equal(me.user.username, "demo");
  assert.equal(me.actor.employeeId, "E1000", "acting as oneself by default");
  assert.match(await page.textContent("#me-user"), /Demo User/);

  const calls = (await stack.emulatorStats()).requests.slice(before);
  for (const p of ["/mobproc/v1/ping", "/mobproc/v1/me"]) {
    const call = calls.find((r) => r.path === p && r.method === "GET");
    assert.ok(call, `${p} reached the emulator`);
    assert.equal(call.status, 200);
    assert.equal(call.tenant, TENANT);
    for (const h of ["X-TNGO-TENANT", "client_id", "Authorization"]) {
      assert.ok(call.headers_present.includes(h), `${p} carried ${h} (had ${call.headers_present})`);
    }
    assert.ok(!call.headers_present.includes("X-TNGO-CONTEXT-EMPLOYEEID"), `${p} had no context header`);
  }
  const log = await stack.emulatorLog();
  assert.match(log, /^GET \/mobproc\/v1\/ping 200 tenant client_id bearer/m);
  assert.match(log, /^GET \/mobproc\/v1\/me 200 tenant client_id bearer/m);

  // The session panel counts down every second.
  const first = await page.textContent("#session-countdown");
  await page.waitForFunction((t) => document.querySelector("#session-countdown")?.textContent !== t, first, {
    timeout: 3_000,
  });

  // A screenshot for docs/: the employees table filled, the /me answer shown. Written when
  // missing or when MOBPROC_E2E_SCREENSHOT=1 (so runs do not churn the committed file).
  await page.click("#employees-load");
  await page.waitForSelector("#employees-body tr[data-employee-id]");
  const shot = existsSync(SCREENSHOT) && process.env.MOBPROC_E2E_SCREENSHOT !== "1"
    ? path.join(ARTIFACTS, "portal-signed-in.png")
    : SCREENSHOT;
  mkdirSync(path.dirname(shot), { recursive: true });
  await page.screenshot({ path: shot, fullPage: true });
  await context.close();
});

test("3. a reload keeps the session, sign out ends it, a fresh context starts signed out", TIMEOUT, async () => {
  const { context, page } = await signedInPage();
  const record = await collectTokens(page);

  await page.reload();
  await waitReady(page);
  assert.ok(await page.isVisible("#signed-in"), "still signed in after reload");
  assert.equal((await collectTokens(page))?.accessToken, record?.accessToken, "same token after reload");
  assert.equal((await ping(page, "after reload")).echoText, "after reload");

  await page.click("#sign-out");
  await page.waitForSelector("#sign-in");
  assert.ok(await page.isVisible("#sign-in"));
  assert.ok(!(await page.isVisible("#signed-in")));
  const snap = await storageSnapshot(page);
  assert.ok(!(STORAGE_KEY in snap.session), "token record removed on sign out");
  assert.deepEqual(Object.keys(snap.session), [], "sessionStorage empty after sign out");

  await page.reload();
  await waitReady(page);
  assert.ok(await page.isVisible("#sign-in"), "still signed out after reload");

  const other = await freshPage();
  await openPortal(other.page);
  assert.ok(await other.page.isVisible("#sign-in"), "a fresh context is signed out");
  assert.deepEqual((await storageSnapshot(other.page)).session, {});
  await other.context.close();
  await context.close();
});

test("4. Cancel on Tangoe's sign-in page shows authorization_denied", TIMEOUT, async () => {
  const { context, page } = await freshPage();
  await openPortal(page);
  await page.click("#sign-in");
  await page.waitForURL((u) => u.origin === stack.emulator.origin);
  await page.click("#cancel");
  await page.waitForURL((u) => u.origin === stack.portal.origin);
  await waitReady(page);
  const error = await errorPanel(page);
  assert.equal(error.code, "authorization_denied");
  assert.match(error.details ?? "", /access_denied/, "the OAuth error is shown");
  assert.ok(await page.isVisible("#sign-in"), "still signed out");
  assert.deepEqual((await storageSnapshot(page)).session, {}, "nothing stored");
  assert.doesNotMatch(await page.evaluate(() => location.href), /#|error=/, "fragment removed");
  await context.close();
});

test("5. a forged callback is refused with state_mismatch and does not replace a good session", TIMEOUT, async () => {
  const forged = `${stack.portalUrl}#access_token=x&token_type=Bearer&expires_in=3600&state=wrong`;

  const { context, page } = await freshPage();
  await openPortal(page, forged);
  assert.equal((await errorPanel(page)).code, "state_mismatch");
  assert.ok(await page.isVisible("#sign-in"), "not signed in by a forged response");
  assert.deepEqual((await storageSnapshot(page)).session, {}, "nothing stored");
  assert.equal(await page.evaluate(() => location.href), stack.portalUrl, "fragment removed");
  await context.close();

  const good = await signedInPage();
  const record = await collectTokens(good.page);
  await good.page.goto("about:blank");
  await openPortal(good.page, forged);
  assert.equal((await errorPanel(good.page)).code, "state_mismatch");
  assert.equal(await good.page.evaluate(() => location.href), stack.portalUrl, "fragment removed");
  assert.ok(await good.page.isVisible("#signed-in"), "the good session survives");
  assert.deepEqual(await collectTokens(good.page), record, "the stored record is unchanged");
  assert.equal((await ping(good.page, "still here")).echoText, "still here");
  await good.context.close();
});

test("6. paging with Next visits all 72 employees once, in order", TIMEOUT, async () => {
  const { context, page } = await signedInPage();
  await page.click("#employees-load");
  await page.waitForSelector("#employees-body tr[data-employee-id]");
  assert.ok(await page.isDisabled("#employees-prev"), "no Previous on the first page");

  const seen = [...(await tableIds(page))];
  let pages = 1;
  while (!(await page.isDisabled("#employees-next"))) {
    assert.ok(pages < 20, "runaway paging");
    await turnPage(page, "#employees-next");
    seen.push(...(await tableIds(page)));
    pages++;
    assert.ok(!(await page.isDisabled("#employees-prev")), "Previous enabled after the first page");
  }
  const expected = Array.from({ length: 72 }, (_, i) => `E${1001 + i}`);
  assert.deepEqual(seen, expected);
  assert.equal(pages, 8);
  assert.equal(await page.textContent("#employees-range"), "71–72 of 72");

  await turnPage(page, "#employees-prev");
  assert.deepEqual(await tableIds(page), expected.slice(60, 70), "Previous goes back one page");

  // The pages were fetched from the absolute `_meta` links, with the Tangoe headers.
  const calls = (await stack.emulatorStats()).requests.filter((r) => r.path === "/mobproc/v1/employees");
  assert.ok(calls.length >= 9);
  for (const c of calls) assert.ok(c.status === 200 && c.headers_present.includes("Authorization"));
  await context.close();
});

test("7. the act-as field (client.setContext) changes the actor /me reports", TIMEOUT, async () => {
  const { context, page } = await signedInPage();
  const before = (await stack.emulatorStats()).requests.length;

  await page.fill("#act-as", "E1042");
  assert.match(await page.textContent("#act-as-status"), /E1042/);
  let me = await whoAmI(page);
  assert.equal(me.user.employeeId, "E1000", "the user stays the signed-in one");
  assert.equal(me.actor.employeeId, "E1042", "the actor is the employee acted for");
  assert.match(await page.textContent("#me-actor"), /E1042/);

  await page.click("#act-as-clear");
  me = await whoAmI(page);
  assert.equal(me.actor.employeeId, "E1000", "acting as oneself again");

  // An unknown employee: Tangoe's 404 is shown as fetchJson's api_error, with status and errorCode.
  await page.fill("#act-as", "E9999");
  assert.equal(await whoAmI(page), null);
  const error = await errorPanel(page);
  assert.equal(error.code, "api_error");
  assert.match(error.details ?? "", /status404/);
  assert.match(error.details ?? "", /errorCode404-Employee-Not-Found/);

  const calls = (await stack.emulatorStats()).requests.slice(before).filter((r) => r.path === "/mobproc/v1/me");
  assert.deepEqual(
    calls.map((c) => c.headers_present.includes("X-TNGO-CONTEXT-EMPLOYEEID")),
    [true, false, true],
    "the context header is sent exactly while the field is set",
  );
  await context.close();
});

test("8. no token in console output, page errors, server logs, API Referers or URLs after the callback", TIMEOUT, async () => {
  assert.ok(tokens.size >= 2, `token values were collected during the run (${tokens.size})`);
  /** @param {string} where @param {string} text */
  const clean = (where, text) => {
    for (const t of tokens) assert.ok(!text.includes(t), `a token value appears in ${where}`);
  };
  clean("the browser console / page errors", consoleLines.join("\n"));
  assert.deepEqual(
    consoleLines.filter((l) => l.startsWith("[pageerror]")),
    [],
    "no uncaught page errors",
  );
  clean("the emulator's /__emulator/log", await stack.emulatorLog());
  clean("the emulator's stdout", stack.emulator.lines.join("\n"));
  clean("the emulator's stderr", stack.emulator.stderr.join("\n"));
  clean("the portal server's output", [...stack.portal.lines, ...stack.portal.stderr].join("\n"));
  assert.ok(referers.length >= 5, `API calls were observed (${referers.length})`);
  clean("the Referer of an API call", referers.join("\n"));
  const callbacks = navigations.filter((n) => n.callback);
  assert.ok(callbacks.length >= 5, `the sign-in callbacks were observed (${callbacks.length})`);
  for (const n of navigations.filter((n) => !n.callback)) {
    clean(`a navigated URL (${n.url.slice(0, 60)}…)`, n.url);
    if (n.url.startsWith(stack.portal.origin)) assert.doesNotMatch(n.url, /access_token=[0-9a-f]{64}/);
  }
});
