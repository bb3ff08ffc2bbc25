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
