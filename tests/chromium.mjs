// The browser the tests and the bench launch: Debian's Chromium by default; with
// MOBPROC_BROWSER=firefox, Debian's Firefox ESR, driven over WebDriver BiDi (`cargo xtask test`
// runs the end-to-end suite in both). Chromium's flags keep it off the network: without
// them it tries to reach Google at every start.
import { chromium, firefox } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
export const FIREFOX = process.env.FIREFOX || "/usr/bin/firefox-esr";

/** `"firefox"` or `"chromium"`: which browser `launchBrowser` starts. */
export const BROWSER = process.env.MOBPROC_BROWSER === "firefox" ? "firefox" : "chromium";

export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  // Still looked up at every start (accounts.google.com) despite the flags above: no name
  // resolves but 127.0.0.1's own, so nothing leaves the machine. Tests use 127.0.0.1 and
  // route the `.test` hosts they invent.
  "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
];

/** Firefox's own services (remote settings, captive-portal and connectivity checks) off. */
const FIREFOX_PREFS = {
  "services.settings.server": "data:,#remote-settings-dummy/v1",
  "network.captive-portal-service.enabled": false,
  "network.connectivity-service.enabled": false,
};

/**
 * Starts `BROWSER`, headless unless `options.headless` is false. Playwright turns Chromium's
 * back/forward cache off; `options.bfcache` keeps it on (Firefox's is on either way).
 * @param {{ headless?: boolean, bfcache?: boolean }} [options]
 */
export function launchBrowser(options = {}) {
  const headless = options.headless ?? true;
  if (BROWSER === "firefox") return firefox.launch({ channel: "moz-firefox", executablePath: FIREFOX, headless, firefoxUserPrefs: FIREFOX_PREFS });
  const ignoreDefaultArgs = options.bfcache ? ["--disable-back-forward-cache"] : [];
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless, ignoreDefaultArgs });
}

/**
 * A page error as a log line. Firefox reports the console messages it writes itself (a
 * request that failed, a Content-Security-Policy refusal such as Playwright's own screenshot
 * style) as page errors without a stack; Chromium writes them as console errors, and so does
 * this, so that `[pageerror]` means an exception the page's script did not catch.
 * @param {Error} e
 */
export function pageErrorLine(e) {
  const frames = (e.stack ?? "").replace(`${e.name}: ${e.message}`, "").trim();
  const fromBrowser = BROWSER === "firefox" && (frames === "" || frames === "undefined") && ["Cross-Origin Request Blocked", "Content-Security-Policy"].includes(e.name);
  return fromBrowser ? `[console.error] ${e.name}: ${e.message}` : `[pageerror] ${e.stack ?? e.message}`;
}
