// Debian's Chromium as the browser tests and the bench launch it. The flags keep it off the
// network (see ../shared/TOOLCHAIN.md): without them it tries to reach Google at every start.
export const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";

export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Experimental: MOBPROC_BROWSER=firefox runs the same tests in Debian's Firefox ESR (WebDriver BiDi). */
export async function launchBrowser(options = {}) {
  const pw = await import("playwright-core");
  if (process.env.MOBPROC_BROWSER === "firefox") {
    return pw.firefox.launch({ channel: "moz-firefox", executablePath: process.env.FIREFOX || "/usr/bin/firefox-esr", headless: options.headless ?? true });
  }
  return pw.chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, ...options });
}
