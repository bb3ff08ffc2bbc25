// End-to-end: the npm package as a stranger's app gets it. A throwaway Vite app installs the
// packed package (the tarball `npm pack` makes, so the `files` list is tested too) and Vite 7
// from the registry, imports `mobproc-auth`, is built with `vite build`, served from dist/ and
// opened in Chromium. Skipped only when the npm registry cannot be reached, with the reason.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { chromium } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS, snapshotPkg } from "./harness.mjs";

const run = promisify(execFile);
const VITE = "vite@7";

/**
 * Runs a command in `cwd`; a failure carries its output.
 * @param {string} cwd @param {string} program @param {string[]} args @param {number} timeout ms
 */
async function sh(cwd, program, args, timeout) {
  try {
    return await run(program, args, { cwd, timeout, maxBuffer: 16 << 20, env: { ...process.env, npm_config_fund: "false", npm_config_audit: "false", npm_config_update_notifier: "false" } });
  } catch (error) {
    const e = /** @type {any} */ (error);
    throw new Error(`\`${program} ${args.join(" ")}\` failed: ${e.message}\n${e.stdout ?? ""}\n${e.stderr ?? ""}`);
  }
}

/** Why the registry cannot be used, or null when it answers. @param {string} cwd */
async function registryUnreachable(cwd) {
  try {
    const { stdout } = await run("npm", ["view", VITE, "version", "--json"], { cwd, timeout: 60_000 });
    return stdout.trim() ? null : "npm view returned nothing";
  } catch (error) {
    const e = /** @type {any} */ (error);
    return `\`npm view ${VITE} version\` failed: ${(e.stderr || e.message || String(e)).trim().split("\n").slice(0, 4).join(" | ")}`;
  }
}

const MIME = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
};

/** Serves `dir` on a free loopback port. @param {string} dir */
function serveDir(dir) {
  const server = createServer(async (req, res) => {
    const rel = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    const file = path.join(dir, rel === "/" ? "index.html" : rel);
    if (!file.startsWith(dir + path.sep)) return res.writeHead(404).end();
    try {
      const body = await readFile(file);
      res.writeHead(200, { "Content-Type": MIME[/** @type {keyof MIME} */ (path.extname(file))] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve({ server, origin: `http://127.0.0.1:${server.address().port}` })),
  );
}

test("9. a throwaway Vite 7 app installs the package, builds, and shows an authorize URL", { timeout: 600_000 }, async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "mobproc-consumer-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));

  const unreachable = await registryUnreachable(dir);
  if (unreachable) {
    const why = `SKIPPED test 9: the npm registry is unreachable, so Vite cannot be installed.\n  ${unreachable}`;
    console.log(why);
    t.diagnostic(why);
    t.skip(why);
    return;
  }

  await sh(dir, "npm", ["init", "-y"], 60_000);
  // The tarball a registry would serve: proves the package's `files` list is complete.
  const { stdout: packed } = await sh(dir, "npm", ["pack", await snapshotPkg(), "--pack-destination", dir, "--json"], 60_000);
  const tarball = path.join(dir, JSON.parse(packed)[0].filename);
  await sh(dir, "npm", ["install", tarball, VITE], 480_000);

  const authorizeUrl = "http://127.0.0.1:9/as/authorization.oauth2";
  writeFileSync(
    path.join(dir, "index.html"),
    `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>consumer</title><link rel="icon" href="data:,"></head>
<body>
  <p>Sign in at: <a id="authorize-url"></a></p>
  <script type="module" src="/main.js"></script>
</body>
</html>
`,
  );
  writeFileSync(
    path.join(dir, "main.js"),
    `import { createClient, MobprocError } from "mobproc-auth";

const out = document.getElementById("authorize-url");
async function main() {
  try {
    const client = await createClient({
      clientId: "portal-demo",
      tenant: "XYZ",
      apiBaseUrl: "http://127.0.0.1:9/mobproc/v1",
      authorizeUrl: ${JSON.stringify(authorizeUrl)},
      redirectUri: location.origin + "/",
    });
    const url = client.authorizeUrl();
    out.href = url;
    out.textContent = url;
    out.dataset.state = "ok";
  } catch (error) {
    out.textContent = error instanceof MobprocError ? error.code + ": " + error.message : String(error);
    out.dataset.state = "error";
  }
}
main();
`,
  );
  await sh(dir, path.join(dir, "node_modules", ".bin", "vite"), ["build"], 120_000);
  const dist = path.join(dir, "dist");
  const assets = readdirSync(path.join(dist, "assets"));
  assert.ok(assets.some((f) => f.endsWith(".wasm")), `vite emitted the .wasm asset (${assets})`);

  const { server, origin } = await serveDir(dist);
  t.after(() => server.close());
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  t.after(() => browser.close());
  const page = await browser.newPage();
  /** @type {string[]} */
  const problems = [];
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("console", (m) => m.type() === "error" && problems.push(`console.error: ${m.text()}`));
  await page.goto(`${origin}/`);
  await page.waitForSelector("#authorize-url[data-state]", { state: "attached", timeout: 15_000 });
  const text = (await page.textContent("#authorize-url")) ?? "";
  assert.equal(await page.getAttribute("#authorize-url", "data-state"), "ok", text);
  assert.ok(text.startsWith(`${authorizeUrl}?`), `the authorize URL: ${text}`);
  const url = new URL(text);
  assert.equal(url.searchParams.get("response_type"), "token");
  assert.equal(url.searchParams.get("client_id"), "portal-demo");
  assert.equal(url.searchParams.get("redirect_uri"), `${origin}/`);
  assert.equal(url.searchParams.get("scope"), "MOBPROC");
  assert.ok(url.searchParams.get("state"), "a state is sent");
  assert.deepEqual(problems, []);
});
