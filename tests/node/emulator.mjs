// The Tangoe emulator for the Node tests: started on a free loopback port before the file's
// tests, stopped after; its stdout lines (the request log) are kept for the no-secret checks.
import { after, before } from "node:test";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const ROOT = resolve(import.meta.dirname, "../..");
const PKG = process.env.MOBPROC_PKG_DIR ?? join(ROOT, "pkg");
const BIN = process.env.MOBPROC_EMULATOR_BIN ?? join(ROOT, "target/debug/mobproc-emulator");

/** The built package, as a consumer imports it. */
export const pkg = await import(pathToFileURL(join(PKG, "node.js")).href);

/**
 * Starts the emulator around the calling file's tests; `origin` is set once it listens.
 * @returns {{ origin: string, log: string[], stats: () => Promise<any>, control: (path: string) => Promise<Response>, config: (extra?: object) => object }}
 */
export function useEmulator() {
  const emu = { origin: "", log: [] };
  let child;
  before(async () => {
    child = spawn(BIN, ["--port", "0"], { stdio: ["ignore", "pipe", "inherit"] });
    const lines = createInterface({ input: child.stdout });
    emu.origin = await new Promise((ok, fail) => {
      child.on("exit", (code) => fail(new Error(`emulator exited (${code})`)));
      lines.on("line", (line) => {
        emu.log.push(line);
        const m = line.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
        if (m) ok(m[1]);
      });
    });
  });
  after(() => child?.kill());
  emu.stats = async () => (await fetch(`${emu.origin}/__emulator/stats`)).json();
  emu.control = (path) => fetch(`${emu.origin}/__emulator/${path}`, { method: "POST" });
  /** The server-side client of the seed, with the password grant. */
  emu.config = (extra = {}) => ({
    clientId: "server-demo",
    clientSecret: "server-demo-secret",
    tenant: "XYZ",
    apiBaseUrl: `${emu.origin}/mobproc/v1`,
    tokenUrl: `${emu.origin}/as/token.oauth2`,
    revokeUrl: `${emu.origin}/as/revoke_token.oauth2`,
    ...extra,
  });
  return emu;
}
