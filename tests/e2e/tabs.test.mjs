// Tabs sharing one session (issue 13) end to end, the tabs of one browser context on a bare app
// page (tests/e2e/apppage.mjs) against the emulator: a second tab is signed in without any
// request to the authorize URL; sign-out in one tab reaches the others and only that tab
// revokes; shareSessionAcrossTabs: false keeps a tab apart; two and five tabs on an expiring
// token (10-second tokens refreshed 5 s ahead) or an expired one (expire-all, then a 401 each)
// make ONE token request between them, counted at the emulator, and every tab ends with the
// live rotated refresh token (each can refresh again, none is refused). No token in a request
// URL, localStorage or the console.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { launchBrowser, startStack } from "./harness.mjs";
import { appConfig, assertNoLeaks, heldTokens, openApp, startApp, STORAGE_KEY, submitSignIn, watchedContext } from "./apppage.mjs";

/** @type {import("./harness.mjs").Stack} */
let stack;
/** @type {Awaited<ReturnType<typeof startApp>>} */
let app;
/** @type {import("playwright-core").Browser} */
let browser;

before(async () => {
  app = await startApp();
  stack = await startStack({ tokenLifetime: 10, emulatorArgs: app.emulatorArgs });
  browser = await stack.launchBrowser();
});

after(async () => {
  await stack?.stop();
  await app?.close();
});

/** Signs a new tab of `context` in through Tangoe's page (the redirect); returns the tab. */
async function signInTab(context) {
  const page = await openApp(context, app);
  // authorizeUrl() stores the pending sign-in as login() does, and the test navigates: a
  // login() inside the evaluate could destroy the context before the evaluate returns.
  const url = await page.evaluate(async () => (await window.mobproc.createClient(window.config)).authorizeUrl({ returnTo: "/t13/home" }));
  await page.goto(url);
  await submitSignIn(page);
  await page.waitForURL(`${app.origin}/t13/callback`);
  await page.waitForFunction(() => window.mobprocReady === true);
  const callback = await page.evaluate(() => window.callback);
  assert.deepEqual(callback[0], { value: { returnTo: "/t13/home" } });
  await listen(page);
  return page;
}

/** A new tab of `context` that opens the app (at `path`) and makes its client (`createClient`). */
async function connectTab(context, path = undefined) {
  const page = await openApp(context, app, path);
  await page.evaluate(async () => {
    window.client = await window.mobproc.createClient(window.config);
  });
  await listen(page);
  return page;
}

/** @param {import("playwright-core").Page} page */
function listen(page) {
  return page.evaluate(() => {
    window.events = [];
    window.client.on("sessionChanged", (s) => window.events.push(s && s.expiresAt));
    window.client.on("error", (e) => window.events.push(`error ${e.code}`));
  });
}

/** @param {import("playwright-core").Page} page */
function look(page) {
  return page.evaluate((key) => ({ raw: sessionStorage.getItem(key), signedIn: window.client.isAuthenticated(), events: window.events }), STORAGE_KEY);
}

/** Lines of the emulator's log that are requests for the sign-in page. */
async function authorizeGets() {
  return (await stack.emulatorLog()).split("\n").filter((l) => l.startsWith("GET /as/authorization.oauth2 ")).length;
}

test("a second tab is signed in by the first without any request to the authorize URL; sign-out in one tab signs out the others, which do not revoke", async () => {
  app.config = appConfig(stack, app, { refreshSkewSeconds: 1 });
  const { context, seen } = await watchedContext(browser);
  const first = await signInTab(context);
  const [getsBefore, statsBefore] = [await authorizeGets(), await stack.emulatorStats()];
  const requestsBefore = seen.requests.length;

  const second = await connectTab(context);
  const got = await look(second);
  assert.equal(got.signedIn, true, "signed in by the first tab");
  assert.equal(got.raw, (await look(first)).raw);
  assert.equal(await second.evaluate(async () => (await window.client.fetchJson("me")).user.username), "demo");
  const newRequests = seen.requests.slice(requestsBefore);
  assert.deepEqual(newRequests.filter((u) => u.includes("/as/")), [], "no request to Tangoe's sign-in page or token endpoint");
  assert.equal(await authorizeGets(), getsBefore, "the emulator saw no sign-in page request");
  assert.equal((await stack.emulatorStats()).sign_ins, statsBefore.sign_ins);

  // A tab that does not share stays signed out.
  app.config = appConfig(stack, app, { refreshSkewSeconds: 1, shareSessionAcrossTabs: false });
  const apart = await connectTab(context);
  assert.equal((await look(apart)).signedIn, false, "shareSessionAcrossTabs: false");
  app.config = appConfig(stack, app, { refreshSkewSeconds: 1 });

  const tokens = await heldTokens(context);
  const revocationsBefore = (await stack.emulatorStats()).revocations;
  await second.evaluate(() => window.client.logout());
  await first.waitForFunction(() => !window.client.isAuthenticated());
  const out = await look(first);
  assert.equal(out.raw, null, "the first tab's storage is empty");
  assert.deepEqual(out.events, [null], "sessionChanged with null");
  await second.waitForTimeout(500);
  assert.equal((await stack.emulatorStats()).revocations - revocationsBefore, 2, "both tokens revoked once, by the tab that signed out");
  const refused = await first.evaluate(async () => {
    try {
      await window.client.fetch("ping");
      return "sent";
    } catch (e) {
      return e.code;
    }
  });
  assert.equal(refused, "not_authenticated");
  await assertNoLeaks(context, seen, tokens, assert);
  await context.close();
});

/**
 * `n` tabs sharing one fresh session; returns them once the token is inside the 5 s skew.
 * @param {number} n
 */
async function tabsOnOneToken(n, { expire = false } = {}) {
  // Expired at the emulator: the tabs' own clocks see a fresh token, and each call gets a 401.
  app.config = appConfig(stack, app, { refreshSkewSeconds: expire ? 1 : 5 });
  const { context, seen } = await watchedContext(browser);
  const tabs = [await signInTab(context)];
  while (tabs.length < n) tabs.push(await connectTab(context));
  const records = new Set(await Promise.all(tabs.map(async (t) => (await look(t)).raw)));
  assert.equal(records.size, 1, "every tab holds the same record");
  if (expire) {
    await stack.emulatorControl("expire-all");
  } else {
    // Inside the skew: less than 5 s left of the 10 (already, on a slow machine).
    const wait = JSON.parse([...records][0]).expiresAt - 4700 - Date.now();
    if (wait > 0) await tabs[0].waitForTimeout(wait);
  }
  return { context, seen, tabs, before: [...records][0] };
}

/** Every tab makes `calls` API calls at the same moment; the statuses. */
async function callTogether(tabs, calls) {
  const at = Date.now() + 300;
  const statuses = await Promise.all(
    tabs.map((page) =>
      page.evaluate(
        async ([at, calls]) => {
          await new Promise((r) => setTimeout(r, at - Date.now()));
          return Promise.all(Array.from({ length: calls }, async () => (await window.client.fetch("ping")).status));
        },
        [at, calls],
      ),
    ),
  );
  return [...new Set(statuses.flat())];
}

/** Token endpoint refusals in the emulator's log (a rotated-away refresh token is one). */
async function tokenRefusals() {
  return (await stack.emulatorLog()).split("\n").filter((l) => /^POST \/as\/token\.oauth2 [45]\d\d/.test(l)).length;
}

for (const [n, expire] of [[2, false], [5, false], [5, true]]) {
  const how = expire ? "an expired token (expire-all: a 401 in each tab)" : "an expiring token (inside the refresh skew)";
  test(`${n} tabs on ${how}: one token request in total; every tab ends with the live rotated refresh token`, async () => {
    const { context, seen, tabs, before } = await tabsOnOneToken(n, { expire });
    const [statsBefore, refusalsBefore] = [await stack.emulatorStats(), await tokenRefusals()];
    assert.deepEqual(await callTogether(tabs, 3), [200]);
    const statsAfter = await stack.emulatorStats();
    assert.equal(statsAfter.token_requests.refresh_token - statsBefore.token_requests.refresh_token, 1, "ONE token request between the tabs");
    assert.equal(await tokenRefusals(), refusalsBefore, "none refused");
    const records = await Promise.all(tabs.map(async (t) => (await look(t)).raw));
    assert.equal(new Set(records).size, 1, "every tab holds the same record");
    assert.notEqual(records[0], before);
    assert.notEqual(JSON.parse(records[0]).refreshToken, JSON.parse(before).refreshToken, "the refresh token rotated");
    for (const t of tabs) assert.deepEqual((await look(t)).events.filter((e) => typeof e === "string"), [], "no error event");
    // A further call works in every tab, and each tab in turn can refresh with what it holds.
    assert.deepEqual(await callTogether(tabs, 1), [200]);
    const refreshesBefore = (await stack.emulatorStats()).token_requests.refresh_token;
    for (const t of tabs) {
      assert.equal(await t.evaluate(async () => (await window.client.refresh())?.hasRefreshToken), true);
      await t.waitForTimeout(50);
    }
    assert.equal((await stack.emulatorStats()).token_requests.refresh_token - refreshesBefore, n, "one request per refresh()");
    assert.equal(await tokenRefusals(), refusalsBefore, "no tab held a rotated-away refresh token");
    await assertNoLeaks(context, seen, await heldTokens(context), assert);
    await context.close();
  });
}

test("a tab that reloads while another refreshes never sends the refresh token rotated away meanwhile, though the other tab is busy when it asks: it waits for the newer record (the generation lock the other tab holds says there is one)", async () => {
  app.config = appConfig(stack, app, { refreshSkewSeconds: 1 });
  const { context, seen } = await watchedContext(browser);
  const a = await signInTab(context);
  const b = await connectTab(context);
  assert.equal((await look(b)).raw, (await look(a)).raw);
  // b reloads: no client there while a refreshes, so b's storage keeps the record a rotates away.
  await b.goto(`${app.origin}/t13/app`);
  await b.waitForFunction(() => window.mobprocReady === true);
  const [statsBefore, refusalsBefore] = [await stack.emulatorStats(), await tokenRefusals()];
  assert.equal(await a.evaluate(async () => (await window.client.refresh())?.hasRefreshToken), true);
  await a.waitForTimeout(300); // past the refresh lock's hold
  const rotated = (await look(a)).raw;
  assert.notEqual(await b.evaluate((key) => sessionStorage.getItem(key), STORAGE_KEY), rotated, "b holds the record rotated away");
  // a is busy for 0.8 s (a long task), past the 150 ms a tab waits for answers to its ask.
  await a.evaluate(() => setTimeout(() => { const end = Date.now() + 800; while (Date.now() < end); }, 0));
  const refreshed = await b.evaluate(async () => {
    window.client = await window.mobproc.createClient(window.config);
    return window.client.refresh().then((s) => s && s.hasRefreshToken, (e) => e.code);
  });
  assert.equal(refreshed, true);
  const statsAfter = await stack.emulatorStats();
  assert.equal(statsAfter.token_requests.refresh_token - statsBefore.token_requests.refresh_token, 1, "a's refresh alone");
  assert.equal(await tokenRefusals(), refusalsBefore, "no rotated-away refresh token was sent");
  assert.equal(await b.evaluate((key) => sessionStorage.getItem(key), STORAGE_KEY), rotated, "b took a's record");
  await assertNoLeaks(context, seen, await heldTokens(context), assert);
  await context.close();
});

/** Polls `read` until it gives `want`, for at most `ms`; returns how long that took. */
async function until(read, want, ms, what) {
  const started = Date.now();
  for (;;) {
    const got = await read();
    if (got === want) return Date.now() - started;
    if (Date.now() - started > ms) assert.fail(`${what}: ${got} after ${ms} ms, not ${want}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Back to /t13/cacheable, whether restored from the back/forward cache or loaded again. */
async function backToCacheable(page) {
  // Playwright's Firefox does not see a page come back from the cache as a navigation.
  await page.goBack({ waitUntil: "commit", timeout: 3000 }).catch(() => {});
  await until(() => page.evaluate(() => location.pathname).catch(() => ""), "/t13/cacheable", 5000, "back");
  await page.waitForFunction(() => window.mobprocReady === true);
}

test("Back to a page with a client is served from the back/forward cache, also beside another tab's client: the page lets its presence lock go as it leaves (Firefox keeps a page that holds a Web Lock, or was refused one, out of that cache) and takes it again when shown, or 3 s after a beforeunload that did not leave", async () => {
  app.config = appConfig(stack, app);
  const cached = await launchBrowser({ bfcache: true });
  try {
    const { context, seen } = await watchedContext(cached);
    // Another tab's client first: the page below is not alone when it starts.
    await connectTab(context);
    const page = await connectTab(context, "/t13/cacheable");
    const observer = await openApp(context, app);
    const name = `mobproc-auth:tab:${STORAGE_KEY}`;
    const holders = () => observer.evaluate(async (name) => (await navigator.locks.query()).held.filter((l) => l.name === name).length, name);
    await until(holders, 2, 2000, "both clients' presence");
    // Seen from the page: whether the client asked for its presence lock in the pageshow
    // listeners (the client's runs before this one, added later), not by its 3 s timer, and
    // who held the lock 300 ms later (Playwright's Firefox would only see it once its goBack
    // gave up).
    await page.evaluate((name) => {
      window.marker = "kept";
      const locks = navigator.locks;
      const request = locks.request.bind(locks);
      let asked = 0;
      locks.request = (lock, ...rest) => ((asked += lock === name ? 1 : 0), request(lock, ...rest));
      addEventListener("beforeunload", () => {
        asked = 0;
      });
      addEventListener("pageshow", (e) => {
        if (!e.persisted) return;
        const askedOnShow = asked;
        setTimeout(async () => {
          window.afterShow = { askedOnShow, held: (await navigator.locks.query()).held.filter((l) => l.name === name).length };
        }, 300);
      });
    }, name);

    await page.goto(`${stack.emulator.origin}/__emulator/stats`);
    await until(holders, 1, 2000, "the presence of a page in the back/forward cache");
    await backToCacheable(page);
    assert.equal(await page.evaluate(() => window.marker), "kept", "restored from the back/forward cache, not loaded again");
    await page.waitForFunction(() => window.afterShow !== undefined);
    const afterShow = await page.evaluate(() => window.afterShow);
    assert.deepEqual(afterShow, { askedOnShow: 1, held: 2 }, "taken again on pageshow, not by the 3 s timer");
    assert.deepEqual(await page.evaluate(() => [window.client.isAuthenticated(), window.events]), [false, []]);

    // A beforeunload the page outlives (a download, a navigation the user cancelled).
    await page.evaluate(() => dispatchEvent(new Event("beforeunload")));
    await until(holders, 1, 1000, "the presence after beforeunload");
    await new Promise((r) => setTimeout(r, 1500));
    // Leaving again (a download, then a link) starts the 3 s again (the first would end 1.5 s
    // after it). Timed from the page's dispatch, on the machine's one clock.
    const at = await page.evaluate(() => (dispatchEvent(new Event("beforeunload")), Date.now()));
    await until(holders, 2, 6000, "the presence taken again");
    const again = Date.now() - at;
    assert.ok(again >= 2800, `taken again ${again} ms after the second beforeunload`);
    assert.deepEqual(seen.console.filter((l) => l.startsWith("pageerror")), []);
  } finally {
    await cached.close();
  }
});

test("a refresh that waits for another tab's refresh lock leaves the page fit for the back/forward cache (Firefox keeps a page refused an ifAvailable lock out of it)", async () => {
  app.config = appConfig(stack, app);
  const cached = await launchBrowser({ bfcache: true });
  try {
    const { context, seen } = await watchedContext(cached);
    const page = await signInTab(context);
    await page.goto(`${app.origin}/t13/cacheable`);
    await page.waitForFunction(() => window.mobprocReady === true);
    await page.evaluate(async () => {
      window.client = await window.mobproc.createClient(window.config);
    });
    await listen(page);
    assert.equal((await look(page)).signedIn, true);
    // Another tab holds the refresh lock for 500 ms, as a tab that is refreshing does.
    const other = await openApp(context, app);
    await other.evaluate((name) => {
      navigator.locks.request(name, () => new Promise((r) => setTimeout(r, 500)));
    }, `mobproc-auth:refresh:${STORAGE_KEY}`);
    const before = (await look(page)).raw;
    const session = await page.evaluate(async () => (await window.client.refresh()) !== null);
    assert.equal(session, true);
    assert.notEqual((await look(page)).raw, before, "it refreshed once the lock was free");
    // The refresh keeps its lock 0.1 s more, for the rotated token to reach the other tabs: a
    // page that leaves in that time holds a lock, and Firefox does not cache it (CI did so once).
    const name = `mobproc-auth:refresh:${STORAGE_KEY}`;
    await page.waitForFunction(async (name) => !(await navigator.locks.query()).held.some((l) => l.name === name), name);
    await other.close();
    await page.evaluate(() => {
      window.marker = "kept";
    });

    await page.goto(`${stack.emulator.origin}/__emulator/stats`);
    await backToCacheable(page);
    assert.equal(await page.evaluate(() => window.marker), "kept", "restored from the back/forward cache, not loaded again");
    assert.deepEqual(seen.console.filter((l) => l.startsWith("pageerror")), []);
  } finally {
    await cached.close();
  }
});
