// Popup sign-in (issue 13) end to end: a bare app page (tests/e2e/apppage.mjs, on its own
// origin) calls loginPopup(); the popup shows the emulator's real sign-in page, the user signs
// in, Tangoe sends the popup to the app's redirectUri, whose handleRedirectCallback() hands the
// answer to the opener and closes the popup. Both grants, Cancel, and an emulator whose sign-in
// page sends Cross-Origin-Opener-Policy: same-origin (`--coop`), which severs the popup from
// its opener: window.opener is null and the opener sees the popup as closed; the sign-in still
// completes over the state's BroadcastChannel. No token in the opener's URL or history, in a
// request URL, localStorage or the console.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startStack } from "./harness.mjs";
import { appConfig, assertNoLeaks, heldTokens, openApp, startApp, STORAGE_KEY, submitSignIn, watchedContext } from "./apppage.mjs";

/** @type {import("./harness.mjs").Stack} */
let plain;
/** @type {import("./harness.mjs").Stack} */
let coop;
/** @type {import("playwright-core").Browser} */
let browser;
/** @type {Awaited<ReturnType<typeof startApp>>} */
let app;

before(async () => {
  app = await startApp();
  [plain, coop] = await Promise.all([startStack({ emulatorArgs: app.emulatorArgs }), startStack({ emulatorArgs: [...app.emulatorArgs, "--coop"] })]);
  browser = await plain.launchBrowser();
});

after(async () => {
  await plain?.stop();
  await coop?.stop();
  await app?.close();
});

/**
 * Opens the app in a new context, starts loginPopup() and signs in on Tangoe's page in the
 * popup (or presses Cancel). Returns what the opener got and what was seen on the way.
 * @param {import("./harness.mjs").Stack} stack
 */
async function popupSignIn(stack, { responseType = "token", cancel = false } = {}) {
  const { context, seen } = await watchedContext(browser);
  app.config = appConfig(stack, app, { responseType });
  const page = await openApp(context, app, "/t13/app?tab=orders");
  await page.evaluate(async () => {
    window.client = await window.mobproc.createClient(window.config);
    window.historyAtStart = history.length;
    // Keep the popup's WindowProxy, to see what the opener sees of it.
    const open = window.open;
    window.open = (...args) => (window.popupProxy = open.apply(window, args));
  });
  /** @type {import("playwright-core").Response[]} */
  const signInPages = [];
  context.on("response", (r) => {
    if (r.request().method() === "GET" && r.url().startsWith(`${stack.emulator.origin}/as/authorization.oauth2`)) signInPages.push(r);
  });
  const statsBefore = await stack.emulatorStats();
  const [popup] = await Promise.all([
    page.waitForEvent("popup"),
    page.evaluate(() => {
      window.outcome = window.client.loginPopup({ returnTo: "/t13/orders" }).then(
        (session) => ({ session }),
        (e) => ({ code: e.code, oauthError: e.oauthError, message: e.message }),
      );
    }),
  ]);
  await popup.waitForSelector("#username");
  assert.equal(signInPages.length, 1);
  const onSignInPage = {
    url: popup.url(),
    coopHeader: (await signInPages[0].allHeaders())["cross-origin-opener-policy"] ?? null,
    opener: await popup.evaluate(() => window.opener !== null),
    // What the opener sees of the popup meanwhile.
    seenClosed: await page.evaluate(() => window.popupProxy.closed),
  };
  const closed = popup.waitForEvent("close");
  if (cancel) await popup.click("#cancel");
  else await submitSignIn(popup);
  await closed;
  const outcome = await page.evaluate(() => window.outcome);
  const opener = await page.evaluate((key) => ({
    url: location.href,
    history: history.length,
    historyAtStart: window.historyAtStart,
    keys: Object.keys(sessionStorage),
    record: JSON.parse(sessionStorage.getItem(key) ?? "null"),
  }), STORAGE_KEY);
  const statsAfter = await stack.emulatorStats();
  return { context, seen, page, outcome, opener, onSignInPage, statsBefore, statsAfter };
}

/** The opener's session works: /me through client.fetchJson. */
async function me(page) {
  return page.evaluate(async () => (await window.client.fetchJson("me")).user.username);
}

for (const [name, getStack] of [["without COOP", () => plain], ["with COOP on Tangoe's page (the popup severed from its opener)", () => coop]]) {
  for (const responseType of ["token", "code"]) {
    test(`popup sign-in, ${responseType === "token" ? "implicit grant" : "code grant with PKCE"}, ${name}: the opener gets the session, the popup closes itself`, async () => {
      const stack = getStack();
      const r = await popupSignIn(stack, { responseType });
      const severed = stack === coop;
      assert.equal(new URL(r.onSignInPage.url).searchParams.get("response_type"), responseType);
      assert.equal(r.onSignInPage.coopHeader, severed ? "same-origin" : null);
      assert.equal(r.onSignInPage.opener, !severed, severed ? "COOP severed window.opener" : "the popup has its opener");
      assert.equal(r.onSignInPage.seenClosed, severed, severed ? "the opener sees the severed popup as closed" : "the opener sees the popup open");
      assert.equal(r.outcome.code, undefined, r.outcome.message);
      assert.equal(r.outcome.session.hasRefreshToken, true);
      assert.deepEqual(r.opener.keys, [STORAGE_KEY], "the token record only; the pending sign-in (and verifier) gone");
      assert.equal(r.opener.url, `${app.origin}/t13/app?tab=orders`, "the opener never left its page");
      assert.equal(r.opener.history, r.opener.historyAtStart, "and has no new history entry");
      assert.equal(await me(r.page), "demo");
      assert.equal(r.statsAfter.sign_ins - r.statsBefore.sign_ins, 1);
      const exchanges = r.statsAfter.token_requests.authorization_code - r.statsBefore.token_requests.authorization_code;
      assert.equal(exchanges, responseType === "code" ? 1 : 0);
      await assertNoLeaks(r.context, r.seen, await heldTokens(r.context), assert);
      await r.context.close();
    });
  }
}

test("Cancel in the popup (COOP on): authorization_denied in the opener, the popup closes, nothing stored", async () => {
  const r = await popupSignIn(coop, { cancel: true });
  assert.equal(r.outcome.code, "authorization_denied");
  assert.equal(r.outcome.oauthError, "access_denied");
  assert.deepEqual(r.opener.keys, []);
  assert.equal(r.statsAfter.sign_ins, r.statsBefore.sign_ins);
  await r.context.close();
});

test("the portal's own \"Sign in in a popup\" (www-example), COOP on Tangoe's page: signed in, the popup gone, the portal's URL untouched", async () => {
  const { context, seen } = await watchedContext(browser);
  const page = await context.newPage();
  await page.goto(coop.portalUrl);
  await page.waitForSelector("body[data-ready=true]", { state: "attached" });
  const [popup] = await Promise.all([page.waitForEvent("popup"), page.click("#sign-in-popup")]);
  const closed = popup.waitForEvent("close");
  await submitSignIn(popup);
  await closed;
  await page.waitForSelector("#signed-in:not([hidden])");
  assert.equal(page.url(), coop.portalUrl);
  await assertNoLeaks(context, seen, await heldTokens(context), assert);
  await context.close();
});
