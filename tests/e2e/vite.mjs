// Shared by the e2e tests: a free loopback port (the harness, the Vite apps), the workspace's
// pinned tools linked into a throwaway app, and `vite` (the dev server) started on a port
// (consumer.test.mjs, react.test.mjs).

import { spawn } from "node:child_process";
import { existsSync, mkdirSync, symlinkSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Vite's command line, from the workspace's own pinned install (package-lock.json). */
export const VITE_BIN = path.join(ROOT, "node_modules", "vite", "bin", "vite.js");

/**
 * Links each of `names` into `app`'s node_modules from the workspace's own, which `cargo xtask
 * test` installs from package-lock.json before any test runs: no test reaches the npm registry
 * or takes a version nobody pinned, and the app (in the system's temp dir) reaches nothing else
 * of the workspace, so an undeclared import of the package still fails there. Call it after
 * `npm install`, which would remove links it does not know.
 * @param {string} app @param {string[]} names
 */
export function linkFromWorkspace(app, names) {
  for (const name of names) {
    const from = path.join(ROOT, "node_modules", name);
    if (!existsSync(path.join(from, "package.json"))) throw new Error(`${name} is not in the workspace's node_modules: run \`npm ci\` (cargo xtask test does)`);
    const to = path.join(app, "node_modules", name);
    mkdirSync(path.dirname(to), { recursive: true });
    symlinkSync(from, to, "dir");
  }
}

/** A loopback port that was free a moment ago. @returns {Promise<number>} */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = /** @type {import("node:net").AddressInfo} */ (srv.address());
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts `vite` (the dev server) of the app in `dir` on `port` (a free one if not given) and
 * waits until it serves the page.
 * @param {string} dir @param {number} [port] @param {Record<string, string>} [env] added to the environment
 * @returns {Promise<{ origin: string, output: string[], stop: () => Promise<void> }>}
 */
export async function startViteDev(dir, port, env = {}) {
  port ??= await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [VITE_BIN, "--host", "127.0.0.1", "--port", String(port), "--strictPort"], {
    cwd: dir,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env, NO_COLOR: "1" },
  });
  process.on("exit", () => child.kill("SIGKILL"));
  /** @type {string[]} */
  const output = [];
  child.stdout.on("data", (d) => output.push(String(d)));
  child.stderr.on("data", (d) => output.push(String(d)));
  const exited = new Promise((done) => child.once("exit", done));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(killer);
    }
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`vite dev exited (${child.exitCode}):\n${output.join("")}`);
    try {
      if ((await fetch(`${origin}/`)).ok) return { origin, output, stop };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`vite dev did not answer on ${origin} within 60 s:\n${output.join("")}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
