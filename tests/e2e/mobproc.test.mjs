// End-to-end: the MOBPROC specifics of issue #5 against the Tangoe emulator, in real Chromium.
// Acting as another employee (`setContext`, per-call `init.context`), `paginate` over
// `/employees`, `fetchJson`'s `api_error` with Tangoe's fields, and the correlation and activity
// ids the emulator logged. Through the portal's UI where it has the feature; otherwise with the
// package itself, imported into the signed-in portal page (`page.evaluate`).
// Run: `node --test tests/e2e/mobproc.test.mjs`.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { clickAndRead as call, newPortalContext, pageErrorLine, signInThroughTangoe, startStack, STORAGE_KEY } from "./harness.mjs";

/** @type {import("./harness.mjs").Stack} */
let stack;
/** @type {import("playwright-core").Browser} */
let browser;

/** Every token value seen in sessionStorage, for the final leak check. */
const tokens = new Set();
/** Console messages and page errors of every page. @type {string[]} */
const consoleLines = [];

const TIMEOUT = { timeout: 45_000 };
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** The seed's directory of tenant XYZ, in `/employees` order (the user, E1000, is not in it). */
const DIRECTORY = Array.from({ length: 72 }, (_, i) => `E${1001 + i}`);
const EMPLOYEE_HEADER = "X-TNGO-CONTEXT-EMPLOYEEID";
const COMPANY_HEADER = "X-TNGO-CONTEXT-COMPANYEMPLOYEEID";

before(async () => {
  stack = await startStack();
  browser = await stack.launchBrowser();
});

after(async () => {
  await stack?.stop();
});

/** A fresh context on the portal, signed in through Tangoe's page as demo / demo. */
async function signedIn() {
  const context = await newPortalContext(browser);
  const page = await context.newPage();
  page.on("console", (m) => consoleLines.push(`[console.${m.type()}] ${m.text()}`));
  page.on("pageerror", (e) => consoleLines.push(pageErrorLine(e)));
  await page.goto(stack.portalUrl);
  await page.waitForSelector("body[data-ready=true]", { state: "attached" });
  await signInThroughTangoe(page, stack);
  const raw = await page.evaluate((key) => sessionStorage.getItem(key), STORAGE_KEY);
  const record = JSON.parse(raw ?? "{}");
  for (const k of ["accessToken", "refreshToken"]) if (typeof record[k] === "string") tokens.add(record[k]);
  return { context, page };
}

/** How many API requests the emulator has recorded so far (`requests` grows by one per call). */
const recordCount = async () => (await stack.emulatorStats()).requests.length;

/** The emulator's records of API requests after `since`, optionally of one path below /mobproc/v1. */
async function recordsSince(/** @type {number} */ since, /** @type {string} */ path = "") {
  const all = (await stack.emulatorStats()).requests.slice(since);
  return path ? all.filter((r) => r.path === `/mobproc/v1/${path}`) : all;
}

/** @param {import("playwright-core").Page} page */
const whoAmI = (page) => call(page, "#whoami-button", "#me-result");

/**
 * Pings through the portal and returns the answer with the correlation id the page shows.
 * @param {import("playwright-core").Page} page @param {string} echoText
 */
async function ping(page, echoText) {
  await page.fill("#echo-text", echoText);
  const body = await call(page, "#ping-button", "#ping-result");
  assert.ok(body, `ping failed: ${await page.textContent("#error-panel")}`);
  assert.ok(await page.isVisible("#ping-trace"), "the correlation id is shown");
  return { body, correlationId: (await page.textContent("#ping-correlation")) ?? "" };
}

/**
 * The error panel: code, message and each field (`<dd data-field>`; a correlation id's `<code>`).
 * @param {import("playwright-core").Page} page
 */
async function errorPanel(page) {
  await page.waitForSelector("#error-panel:not([hidden])");
  return page.evaluate(() => {
    const fields = /** @type {Record<string, string>} */ ({});
    for (const dd of document.querySelectorAll("#error-details dd")) {
      const el = /** @type {HTMLElement} */ (dd);
      fields[el.dataset.field ?? ""] = (el.querySelector("code") ?? el).textContent ?? "";
    }
    return {
      code: document.querySelector("#error-code")?.textContent ?? "",
      message: document.querySelector("#error-message")?.textContent ?? "",
      fields,
      hint: document.querySelector("#error-details dd[data-field=correlationId] .hint")?.textContent ?? "",
    };
  });
}

/** @param {import("playwright-core").Page} page */
const errorShown = async (page) => !(await page.$eval("#error-panel", (el) => /** @type {HTMLElement} */ (el).hidden));

/** Employee ids in the table. @param {import("playwright-core").Page} page @returns {Promise<string[]>} */
function tableIds(page) {
  return page.$$eval("#employees-body tr[data-employee-id]", (rows) =>
    rows.map((r) => /** @type {HTMLElement} */ (r).dataset.employeeId ?? ""),
  );
}

/** Clicks "Load all" and waits for its summary line. @param {import("playwright-core").Page} page */
async function loadAll(page) {
  await page.$eval("#employees-loaded", (el) => el.removeAttribute("data-count"));
  await page.click("#employees-load-all");
  await page.waitForSelector("#employees-loaded[data-count]");
  await page.waitForSelector("#employees-card[data-state=ready]", { state: "attached" });
}

test("16. actor switching: setContext through the act-as field, back to oneself, per-call init.context", TIMEOUT, async () => {
  const { context, page } = await signedIn();
  let since = await recordCount();

  // The portal's act-as field: client.setContext({ employeeId }) / setContext(null).
  await page.fill("#act-as", "E1005");
  assert.equal(await page.textContent("#act-as-status"), "Calls act as E1005.");
  let me = await whoAmI(page);
  assert.equal(me.user.employeeId, "E1000", "the user stays the signed-in one");
  assert.equal(me.actor.employeeId, "E1005", "the actor is the employee acted for");
  assert.equal(await page.textContent("#me-actor"), "Emma Anders (E1005) emma.anders@xyz.example");
  await page.click("#act-as-clear");
  assert.equal(await page.textContent("#act-as-status"), "Calls act as yourself.");
  me = await whoAmI(page);
  assert.equal(me.actor.employeeId, "E1000", "acting as oneself again");

  // A value the library refuses (not ASCII) is never sent: the status says why, calls act as oneself.
  await page.fill("#act-as", "E1005é");
  assert.match((await page.textContent("#act-as-status")) ?? "", /^Not sent: invalid config: `context\.employeeId` .*Calls act as yourself\.$/);
  me = await whoAmI(page);
  assert.equal(me.actor.employeeId, "E1000");
  assert.ok(!(await errorShown(page)));

  const meCalls = await recordsSince(since, "me");
  assert.deepEqual(
    meCalls.map((r) => [r.status, r.headers_present.includes(EMPLOYEE_HEADER)]),
    [[200, true], [200, false], [200, false]],
    "the context header exactly while acting as E1005",
  );

  // Per call, with the package in the page: init.context overrides the client's context for one
  // call; null removes a header for that call; a missing key inherits; a bad value sends nothing.
  since = await recordCount();
  const actors = await page.evaluate(async () => {
    const { createClient } = await import("mobproc-auth");
    const { default: config } = await import("/config.js");
    const client = await createClient({ ...config, context: { employeeId: "E1005" } });
    /** @param {any} [init] */
    const actor = async (init) => {
      try {
        return (await client.fetchJson("me", init)).actor.employeeId;
      } catch (/** @type {any} */ e) {
        return { code: e.code, field: e.field };
      }
    };
    const out = {
      configured: await actor(),
      override: await actor({ context: { employeeId: "E1042" } }),
      removed: await actor({ context: { employeeId: null } }),
      byCompanyId: await actor({ context: { employeeId: null, companyEmployeeId: "grace.anders@xyz.example" } }),
      byCompanyIdAlone: await actor({ context: { companyEmployeeId: "grace.anders@xyz.example" } }),
      inherited: await actor({ context: {} }),
      invalid: await actor({ context: { employeeId: "E1042\r\nX-Evil: 1" } }),
      unknownKey: await actor({ context: { employee: "E1042" } }),
      cleared: "",
    };
    client.setContext(null);
    out.cleared = await actor();
    return out;
  });
  assert.deepEqual(actors, {
    configured: "E1005",
    override: "E1042",
    removed: "E1000",
    byCompanyId: "E1007",
    byCompanyIdAlone: "E1007",
    inherited: "E1005",
    invalid: { code: "config_invalid", field: "init.context.employeeId" },
    unknownKey: { code: "config_invalid", field: "init.context.employee" },
    cleared: "E1000",
  });
  const perCall = await recordsSince(since, "me");
  assert.deepEqual(
    perCall.map((r) => [r.headers_present.includes(EMPLOYEE_HEADER), r.headers_present.includes(COMPANY_HEADER)]),
    [[true, false], [true, false], [false, false], [false, true], [false, true], [true, false], [false, false]],
    "seven calls reached the emulator (the two refused ones did not), with exactly these context headers: a call naming the company employee id carries no employee id",
  );
  await context.close();
});

test("17. Load all (client.paginate, limit 25): all 72 employees once, in order, in 3 requests", TIMEOUT, async () => {
  const { context, page } = await signedIn();
  /** @type {URL[]} */
  const requested = [];
  page.on("request", (r) => {
    const url = new URL(r.url());
    if (url.pathname === "/mobproc/v1/employees" && r.method() === "GET") requested.push(url);
  });
  const since = await recordCount();

  await loadAll(page);
  assert.ok(!(await errorShown(page)), `no error: ${await page.textContent("#error-panel")}`);
  assert.deepEqual(await tableIds(page), DIRECTORY, "E1001..E1072, each once, in the seed's order");
  assert.equal(await page.textContent("#employees-loaded"), "Loaded all: 72 employees in 3 pages of 25.");
  assert.equal(await page.getAttribute("#employees-loaded", "data-count"), "72");
  assert.equal(await page.textContent("#employees-range"), "1–72 of 72");
  assert.ok(await page.isDisabled("#employees-prev"), "no pager links after Load all");
  assert.ok(await page.isDisabled("#employees-next"));
  assert.ok(!(await page.isDisabled("#employees-load-all")));

  // The browser sent three GETs, limit=25 each, the 2nd and 3rd from Tangoe's absolute hrefNext.
  assert.deepEqual(
    requested.map((u) => [u.origin, u.searchParams.get("limit"), u.searchParams.get("offset")]),
    [
      [stack.emulator.origin, "25", null],
      [stack.emulator.origin, "25", "25"],
      [stack.emulator.origin, "25", "50"],
    ],
  );
  const calls = await recordsSince(since, "employees");
  assert.equal(calls.length, 3, "the emulator saw three /employees requests");
  for (const c of calls) {
    assert.equal(c.status, 200);
    assert.equal(c.method, "GET");
    assert.ok(c.headers_present.includes("Authorization") && c.headers_present.includes("X-TNGO-TENANT"));
  }

  // Back to one page at a time: "Load first page" brings the pager back.
  await page.click("#employees-load");
  await page.waitForFunction(() => document.querySelectorAll("#employees-body tr[data-employee-id]").length === 10);
  await page.waitForSelector("#employees-card[data-state=ready]", { state: "attached" });
  assert.equal(await page.textContent("#employees-loaded"), "");
  assert.ok(!(await page.isDisabled("#employees-next")), "Next is back");

  // With the package: an offset, a page size that does not divide the rest, and a bad limit.
  const walked = await page.evaluate(async () => {
    const { createClient } = await import("mobproc-auth");
    const { default: config } = await import("/config.js");
    const client = await createClient(config);
    const ids = [];
    const sizes = [];
    for await (const p of client.paginate("employees", { limit: 30, offset: 10 })) {
      ids.push(...p.employees.map((/** @type {any} */ e) => e.employeeId));
      sizes.push(p.employees.length);
    }
    let bad = null;
    try {
      client.paginate("employees", { limit: 0 });
    } catch (/** @type {any} */ e) {
      bad = { code: e.code, field: e.field };
    }
    return { ids, sizes, bad };
  });
  assert.deepEqual(walked.ids, DIRECTORY.slice(10));
  assert.deepEqual(walked.sizes, [30, 30, 2]);
  assert.deepEqual(walked.bad, { code: "config_invalid", field: "limit" }, "a bad limit throws at once");
  await context.close();
});

test("18. API errors with Tangoe's fields: unknown employee 404, injected 429 with retryAfter 7 and without Retry-After, a 503 in the middle of Load all", TIMEOUT, async () => {
  const { context, page } = await signedIn();

  // Act as an employee who does not exist: the emulator answers 404 with Tangoe's error body.
  let since = await recordCount();
  await page.fill("#act-as", "E9999");
  assert.equal(await whoAmI(page), null);
  let error = await errorPanel(page);
  let [record] = await recordsSince(since, "me");
  assert.equal(record.status, 404);
  assert.equal(error.code, "api_error");
  assert.equal(error.message, "Tangoe API error: HTTP 404: The context employee does not exist. (404-Employee-Not-Found)");
  assert.equal(error.fields.status, "404");
  assert.equal(error.fields.errorCode, "404-Employee-Not-Found");
  assert.match(error.fields.id, /^\S{4,}$/, "Tangoe's error id");
  assert.equal(error.fields.apiMessage, "The context employee does not exist.", "Tangoe's message, verbatim");
  assert.equal(error.fields.correlationId, record.correlation_id, "the id the emulator logged for this call");
  assert.match(error.fields.correlationId, UUID_V4);
  assert.equal(error.hint, "quote this to Tangoe support");
  assert.equal(error.fields.retryAfter, undefined, "no Retry-After on a 404");
  assert.match((await page.textContent("#me-actor")) ?? "", /^–$/, "no actor shown after the error");

  // A rate limit: 429 with Retry-After: 7 from the emulator's control surface; then without the
  // header, which Tangoe does not promise on its 429: no retryAfter.
  await page.click("#act-as-clear");
  for (const [fault, retryAfter] of [["api-fail-next?count=1&status=429", "7"], ["api-fail-next?count=1&status=429&retryAfter=none", undefined]]) {
    await stack.emulatorControl(fault);
    since = await recordCount();
    assert.equal(await whoAmI(page), null);
    error = await errorPanel(page);
    [record] = await recordsSince(since, "me");
    assert.equal(record.status, 429);
    assert.equal(error.code, "api_error");
    assert.equal(error.fields.status, "429");
    assert.equal(error.fields.errorCode, "429-Injected");
    assert.equal(error.fields.apiMessage, "Failure injected by the emulator control surface.");
    assert.equal(error.fields.retryAfter, retryAfter, `${fault}: Retry-After in seconds, or none`);
    assert.equal(error.fields.correlationId, record.correlation_id);
    // The fault is used up: the next call succeeds and clears the panel.
    assert.equal((await whoAmI(page))?.actor?.employeeId, "E1000");
    assert.ok(!(await errorShown(page)));
  }

  // The same with the package in the page: the MobprocError fetchJson throws.
  /** @param {string} fault */
  const thrown = async (fault) => {
    await stack.emulatorControl(fault);
    return page.evaluate(async () => {
      const { createClient, MobprocError } = await import("mobproc-auth");
      const { default: config } = await import("/config.js");
      const client = await createClient(config);
      try {
        return await client.fetchJson("ping");
      } catch (/** @type {any} */ e) {
        const retryAfter = e.retryAfter === undefined ? "undefined" : e.retryAfter;
        return { mobprocError: e instanceof MobprocError, code: e.code, status: e.status, retryAfter };
      }
    });
  };
  const limited = { mobprocError: true, code: "api_error", status: 429 };
  assert.deepEqual(await thrown("api-fail-next?count=1&status=429"), { ...limited, retryAfter: 7 });
  assert.deepEqual(await thrown("api-fail-next?count=1&status=429&retryAfter=none"), { ...limited, retryAfter: "undefined" });

  // Load all, with the second page answered 503 (injected as the browser asks for it): the
  // first 25 rows stay, the portal says where it stopped, and the error carries retryAfter.
  await page.route(
    (url) => url.pathname === "/mobproc/v1/employees" && url.searchParams.get("offset") === "25",
    async (route) => {
      await stack.emulatorControl("api-fail-next?count=1&status=503");
      await route.continue();
    },
    { times: 1 },
  );
  since = await recordCount();
  await loadAll(page);
  error = await errorPanel(page);
  const calls = await recordsSince(since, "employees");
  assert.deepEqual(calls.map((c) => c.status), [200, 503], "the walk stopped at the failed page");
  assert.deepEqual(await tableIds(page), DIRECTORY.slice(0, 25));
  assert.equal(await page.textContent("#employees-loaded"), "Stopped after 25 employees in 1 page of 25.");
  assert.equal(error.code, "api_error");
  assert.equal(error.fields.status, "503");
  assert.equal(error.fields.errorCode, "503-Injected");
  assert.equal(error.fields.retryAfter, "7");
  assert.equal(error.fields.correlationId, calls[1].correlation_id);

  // Answers that are not Tangoe's (a proxy's page, a 200 that is not JSON): still api_error,
  // with the status and the body's text. Substituted in the browser (page.route).
  /** @param {string} path @param {number} status @param {string} body */
  const substitute = (path, status, body) =>
    page.route(
      (url) => url.pathname === `/mobproc/v1/${path}`,
      async (route) => {
        const response = await route.fetch();
        await route.fulfill({ response, status, body, contentType: "text/html" });
      },
      { times: 1 },
    );
  await substitute("me", 502, "<h1>Bad gateway</h1>");
  assert.equal(await whoAmI(page), null);
  error = await errorPanel(page);
  assert.equal(error.code, "api_error");
  assert.equal(error.fields.status, "502");
  assert.equal(error.fields.body, "<h1>Bad gateway</h1>", "the text of a non-Tangoe body");
  assert.equal(error.fields.errorCode, undefined);
  assert.match(error.fields.correlationId, UUID_V4);
  await substitute("me", 200, "surprise");
  assert.equal(await whoAmI(page), null);
  error = await errorPanel(page);
  assert.equal(error.code, "api_error");
  assert.equal(error.fields.status, "200");
  assert.equal(error.fields.body, "surprise");

  // A call that never got an answer: network_error, still with its correlation id.
  await page.route((url) => url.pathname === "/mobproc/v1/ping", (route) => route.abort(), { times: 1 });
  await page.fill("#echo-text", "lost");
  await page.click("#ping-button");
  error = await errorPanel(page);
  assert.equal(error.code, "network_error");
  assert.match(error.fields.correlationId, UUID_V4);
  assert.equal(error.hint, "quote this to Tangoe support");
  await context.close();
});

test("19. Load all stops rather than follow a hrefNext to another origin, or the same page twice", TIMEOUT, async () => {
  const { context, page } = await signedIn();
  /** @type {string[]} */
  const requested = [];
  page.on("request", (r) => requested.push(r.url()));
  /**
   * Rewrites the first page's `_meta.hrefNext` (the emulator's answer otherwise as it is).
   * @param {(requested: string) => string} next from the URL the first page was requested with
   */
  const rewriteNext = (next) =>
    page.route(
      (url) => url.pathname === "/mobproc/v1/employees" && !url.searchParams.has("offset"),
      async (route) => {
        const response = await route.fetch();
        const body = await response.json();
        body._meta.hrefNext = next(route.request().url());
        await route.fulfill({ response, json: body });
      },
      { times: 1 },
    );

  await rewriteNext(() => "https://elsewhere.example/mobproc/v1/employees?limit=25&offset=25");
  await loadAll(page);
  let error = await errorPanel(page);
  assert.equal(error.code, "origin_not_allowed");
  assert.equal(error.fields.origin, "https://elsewhere.example");
  assert.deepEqual(await tableIds(page), DIRECTORY.slice(0, 25), "the first page stays");
  assert.equal(await page.textContent("#employees-loaded"), "Stopped after 25 employees in 1 page of 25.");
  assert.ok(!requested.some((u) => u.includes("elsewhere.example")), "nothing was sent to the other origin");

  // The very URL the first page was fetched from (not Tangoe's `href` of it, which adds offset=0).
  /** @type {string} */
  let first = "";
  requested.length = 0;
  await rewriteNext((requested) => (first = requested));
  await loadAll(page);
  error = await errorPanel(page);
  assert.equal(error.code, "pagination_loop");
  assert.ok(error.message.includes(`(${first})`), `the message names the link: ${error.message}`);
  assert.deepEqual(await tableIds(page), DIRECTORY.slice(0, 25));
  assert.equal(requested.filter((u) => u === first).length, 1, "the first page was fetched once");
  assert.equal(error.fields.href, first, "the pagination_loop error carries the link");
  await context.close();
});

test("20. correlation ids: shown by the page, logged by the emulator, fresh per call; one activity id per page load", TIMEOUT, async () => {
  const { context, page } = await signedIn();
  /** The correlation id each ping answer echoed back (the emulator returns the request's). */
  const echoed = [];
  page.on("response", (r) => {
    if (new URL(r.url()).pathname === "/mobproc/v1/ping") echoed.push(r.headers()["x-tngo-context-correlationid"]);
  });
  const activity = (await page.textContent("#session-activity")) ?? "";
  assert.match(activity, /^portal-[0-9a-f]{12}$/, "the page's activity id");
  const since = await recordCount();

  // Three pings through the portal: each shows client.correlationId(response).
  const shown = [];
  for (const text of ["one", "two", "three"]) {
    const { body, correlationId } = await ping(page, text);
    assert.equal(body.echoText, text);
    assert.match(correlationId, UUID_V4);
    shown.push(correlationId);
  }
  // And fetchJson calls (/me, a page of employees) and a paginate walk, from the same page load.
  assert.equal((await whoAmI(page))?.user?.employeeId, "E1000");
  await loadAll(page);

  const records = await recordsSince(since);
  assert.deepEqual(
    records.map((r) => r.path.replace("/mobproc/v1/", "")),
    ["ping", "ping", "ping", "me", "employees", "employees", "employees"],
  );
  assert.deepEqual(
    records.filter((r) => r.path === "/mobproc/v1/ping").map((r) => r.correlation_id),
    shown,
    "the ids the page shows are the ones the emulator received, call by call",
  );
  assert.deepEqual(echoed, shown, "and the ones it echoed back");
  const ids = records.map((r) => r.correlation_id);
  assert.equal(new Set(ids).size, ids.length, "a fresh correlation id for every call");
  for (const r of records) {
    assert.match(r.correlation_id ?? "", UUID_V4);
    assert.equal(r.activity_id, activity, `${r.path}: the page's activity id`);
    assert.ok(r.headers_present.includes("X-TNGO-CONTEXT-ACTIVITYID") && r.headers_present.includes("X-TNGO-CONTEXT-CORRELATIONID"));
  }
  const log = await stack.emulatorLog();
  for (const id of shown) {
    assert.match(log, new RegExp(`^GET /mobproc/v1/ping 200 tenant client_id bearer corr=${id} act=${activity}$`, "m"));
  }

  // A reload is a new page load: a new activity id, on every call from then on.
  await page.reload();
  await page.waitForSelector("#signed-in:not([hidden])");
  const next = (await page.textContent("#session-activity")) ?? "";
  assert.match(next, /^portal-[0-9a-f]{12}$/);
  assert.notEqual(next, activity);
  const afterReload = await recordCount();
  await ping(page, "reloaded");
  assert.equal((await recordsSince(afterReload, "ping"))[0].activity_id, next);

  // With the package: correlationId(response) for any Response of this client (null for others),
  // the caller's own correlation id kept, setActivityId(null) stops the header.
  const fromPackage = await page.evaluate(async () => {
    const { createClient } = await import("mobproc-auth");
    const { default: config } = await import("/config.js");
    const client = await createClient({ ...config, activityId: "e2e-activity-19" });
    const first = client.correlationId(await client.fetch("ping?echoText=a"));
    const own = client.correlationId(await client.fetch("ping?echoText=b", { headers: { "X-TNGO-CONTEXT-CORRELATIONID": "caller-chosen-id" } }));
    client.setActivityId(null);
    const last = client.correlationId(await client.fetch("ping?echoText=c"));
    return { first, own, last, foreign: client.correlationId(new Response("x")) };
  });
  const pkgRecords = (await recordsSince(afterReload, "ping")).slice(1);
  assert.deepEqual(
    pkgRecords.map((r) => [r.correlation_id, r.activity_id]),
    [
      [fromPackage.first, "e2e-activity-19"],
      ["caller-chosen-id", "e2e-activity-19"],
      [fromPackage.last, null],
    ],
  );
  assert.equal(fromPackage.own, "caller-chosen-id");
  assert.match(/** @type {string} */ (fromPackage.first), UUID_V4);
  assert.equal(fromPackage.foreign, null, "a Response that did not come from the client");
  assert.ok(!pkgRecords[2].headers_present.includes("X-TNGO-CONTEXT-ACTIVITYID"));
  await context.close();
});

test("21. no uncaught page errors; no token value in the console, the emulator's log or the page", TIMEOUT, async () => {
  assert.ok(tokens.size >= 4, `token values were collected during the run (${tokens.size})`);
  assert.deepEqual(consoleLines.filter((l) => l.startsWith("[pageerror]")), [], "no uncaught page errors");
  const log = await stack.emulatorLog();
  for (const t of tokens) {
    assert.ok(!consoleLines.join("\n").includes(t), "a token value in the console");
    assert.ok(!log.includes(t), "a token value in the emulator's log");
    assert.ok(!stack.portal.lines.join("\n").includes(t), "a token value in the portal server's output");
  }
  // The page shows ids, never the token: one more signed-in page, after calls, checked whole.
  const { context, page } = await signedIn();
  await ping(page, "leak check");
  await whoAmI(page);
  const html = await page.content();
  for (const t of tokens) assert.ok(!html.includes(t), "a token value on the page");
  await context.close();
});
