// End-to-end: the npm package as a stranger's app gets it. A throwaway Vite 7 app installs the
// package exactly as the package README's "Install" says (its `npm install …/pkg/mobproc-auth.tgz`
// line, the tarball `cargo xtask build` packs, so the `files` list is tested too, and its
// vite.config.js), imports `mobproc-auth`, and is opened in Chromium twice: built with
// `vite build` (which must not warn about `node:` modules: the browser entry has no Node code)
// and served from dist/, then under `vite dev`. Node imports the same installed package by name
// (the `node` export condition). The package installs from its tarball with `--offline`; Vite
// and webpack are the workspace's own, pinned in package-lock.json and linked into the app
// (vite.mjs `linkFromWorkspace`): no test reaches the npm registry.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { freePort, linkFromWorkspace, startViteDev, VITE_BIN } from "./vite.mjs";
import { launchBrowser, snapshotPkg } from "./harness.mjs";

const run = promisify(execFile);
const AUTHORIZE_URL = "http://127.0.0.1:9/as/authorization.oauth2";
const NPM_ENV = { ...process.env, npm_config_fund: "false", npm_config_audit: "false", npm_config_update_notifier: "false" };

/**
 * Runs a command in `cwd`; a failure carries its output.
 * @param {string} cwd @param {string} program @param {string[]} args @param {number} timeout ms
 */
async function sh(cwd, program, args, timeout) {
  try {
    return await run(program, args, { cwd, timeout, maxBuffer: 16 << 20, env: NPM_ENV });
  } catch (error) {
    const e = /** @type {any} */ (error);
    throw new Error(`\`${program} ${args.join(" ")}\` failed: ${e.message}\n${e.stdout ?? ""}\n${e.stderr ?? ""}`);
  }
}

/**
 * What the package README's "Install" section tells an app to do: its `npm install` line
 * (with the clone's path as written there) and the line it adds to vite.config.
 * @param {string} readme
 */
function readmeInstall(readme) {
  const section = readme.split(/^## /m).find((s) => s.startsWith("Install\n"));
  assert.ok(section, 'the package README has an "## Install" section');
  const blocks = [...section.matchAll(/^```(\w+)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1], body: m[2] }));
  const install = blocks.filter((b) => b.lang === "sh").flatMap((b) => b.body.split("\n")).filter((l) => l.startsWith("npm install "));
  assert.equal(install.length, 1, `one \`npm install\` line in the README's Install section: ${install}`);
  const tarball = /^npm install \S*\/pkg\/(mobproc-auth\.tgz)$/.exec(/** @type {string} */ (install[0]));
  assert.ok(tarball, `the README installs pkg/mobproc-auth.tgz: ${install[0]}`);
  // The line the README says to add to an existing vite.config (this app has no plugins).
  const added = blocks
    .filter((b) => b.lang === "js")
    .flatMap((b) => b.body.split("\n"))
    .filter((l) => l.includes("// add this"));
  assert.equal(added.length, 1, "the README's Install section shows the one line to add to vite.config");
  const line = /** @type {string} */ (added[0]).replace(/\/\/ add this.*$/, "").trim();
  const viteConfig = `import { defineConfig } from "vite";\n\nexport default defineConfig({\n  ${line}\n});\n`;
  return { tarball: /** @type {string} */ (tarball[1]), viteConfig };
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

/**
 * Opens the app at `origin` in `browser` and checks that the package loaded and `createClient`
 * built an authorize URL; returns the URLs of the .wasm responses.
 * @param {import("playwright-core").Browser} browser @param {string} origin
 */
async function checkApp(browser, origin) {
  const page = await browser.newPage();
  try {
    /** @type {string[]} */
    const problems = [];
    /** @type {string[]} */
    const wasm = [];
    page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
    page.on("console", (m) => m.type() === "error" && problems.push(`console.error: ${m.text()}`));
    page.on("response", (r) => {
      if (r.status() >= 400) problems.push(`HTTP ${r.status()} ${r.url()}`);
      if (new URL(r.url()).pathname.endsWith(".wasm")) wasm.push(r.url());
    });
    await page.goto(`${origin}/`);
    await page.waitForSelector("#authorize-url[data-state]", { state: "attached", timeout: 30_000 });
    const text = (await page.textContent("#authorize-url")) ?? "";
    assert.equal(await page.getAttribute("#authorize-url", "data-state"), "ok", text);
    assert.ok(text.startsWith(`${AUTHORIZE_URL}?`), `the authorize URL: ${text}`);
    const url = new URL(text);
    assert.equal(url.searchParams.get("response_type"), "token");
    assert.equal(url.searchParams.get("client_id"), "portal-demo");
    assert.equal(url.searchParams.get("redirect_uri"), `${origin}/`);
    assert.equal(url.searchParams.get("scope"), "MOBPROC");
    assert.ok(url.searchParams.get("state"), "a state is sent");
    assert.deepEqual(problems, []);
    return wasm;
  } finally {
    await page.close();
  }
}

test("9. a throwaway Vite 7 app installs the package as the README says; vite build and vite dev show an authorize URL; Node imports it", { timeout: 600_000 }, async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "mobproc-consumer-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));

  const pkg = await snapshotPkg();
  const readme = readmeInstall(readFileSync(path.join(pkg, "README.md"), "utf8"));
  assert.ok(existsSync(path.join(pkg, readme.tarball)), `cargo xtask build wrote pkg/${readme.tarball}`);
  await sh(dir, "npm", ["init", "-y"], 60_000);
  // The README's line, with this snapshot of pkg/ where it says the clone's pkg/.
  // `--offline`: the package needs nothing from the registry.
  await sh(dir, "npm", ["install", "--offline", path.join(pkg, readme.tarball)], 120_000);
  linkFromWorkspace(dir, ["vite", "webpack"]);
  writeFileSync(path.join(dir, "vite.config.js"), readme.viteConfig);

  const installed = path.join(dir, "node_modules", "mobproc-auth");
  const manifest = JSON.parse(readFileSync(path.join(installed, "package.json"), "utf8"));
  /** @param {unknown} target @returns {string[]} */
  const targets = (target) => (typeof target === "string" ? [target] : Object.values(/** @type {object} */ (target)).flatMap(targets));
  for (const file of targets(manifest.exports)) {
    assert.ok(existsSync(path.join(installed, file)), `the tarball holds ${file}, named in package.json's exports`);
  }

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
      authorizeUrl: ${JSON.stringify(AUTHORIZE_URL)},
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

  const browser = await launchBrowser();
  t.after(() => browser.close());

  await t.test("vite build: no node: warning, the .wasm is an asset, the built app works", async (t) => {
    const { stdout, stderr } = await sh(dir, process.execPath, [VITE_BIN, "build"], 120_000);
    const log = `${stdout}\n${stderr}`;
    assert.doesNotMatch(log, /node:|externalized for browser compatibility/, `vite build warns about Node modules:\n${log}`);
    const dist = path.join(dir, "dist");
    const assets = readdirSync(path.join(dist, "assets"));
    assert.ok(assets.some((f) => f.endsWith(".wasm")), `vite emitted the .wasm asset (${assets})`);
    for (const js of assets.filter((f) => f.endsWith(".js"))) {
      assert.doesNotMatch(readFileSync(path.join(dist, "assets", js), "utf8"), /node:/, `the browser bundle ${js} names no node: module`);
    }
    const { server, origin } = await serveDir(dist);
    t.after(() => server.close());
    const wasm = await checkApp(browser, origin);
    assert.equal(wasm.length, 1, `the .wasm is fetched once: ${wasm}`);
  });

  await t.test("vite dev: the package and its .wasm are served from node_modules, createClient works", async (t) => {
    const dev = await startViteDev(dir);
    t.after(dev.stop);
    const wasm = await checkApp(browser, dev.origin);
    assert.deepEqual(wasm, [`${dev.origin}/node_modules/mobproc-auth/mobproc_auth_bg.wasm`], "the .wasm comes from the installed package");
    assert.doesNotMatch(dev.output.join(""), /error/i, `vite dev reported an error:\n${dev.output.join("")}`);
  });

  await t.test("Node: `mobproc-auth` resolves to the Node entry and createClient works", async () => {
    const script = `const entry = import.meta.resolve("mobproc-auth");
const wasm = import.meta.resolve("mobproc-auth/mobproc_auth_bg.wasm");
const { createClient } = await import("mobproc-auth");
const client = await createClient({ clientId: "portal-demo", tenant: "XYZ", apiBaseUrl: "http://127.0.0.1:9/mobproc/v1", authorizeUrl: ${JSON.stringify(AUTHORIZE_URL)}, redirectUri: "http://127.0.0.1:9/" });
console.log(JSON.stringify({ entry, wasm, url: client.authorizeUrl() }));`;
    const { stdout } = await sh(dir, process.execPath, ["--input-type=module", "-e", script], 60_000);
    const { entry, wasm, url } = JSON.parse(stdout);
    assert.ok(entry.endsWith("/node_modules/mobproc-auth/node.js"), `Node resolves the node condition: ${entry}`);
    // What a bundler's copy step (esbuild) names, as the README says.
    assert.ok(wasm.endsWith("/node_modules/mobproc-auth/mobproc_auth_bg.wasm"), `the .wasm is exported: ${wasm}`);
    for (const licence of ["LICENSE-MIT", "LICENSE-APACHE"]) {
      assert.ok(existsSync(path.join(dir, "node_modules/mobproc-auth", licence)), `${licence} ships with the package`);
    }
    assert.ok(url.startsWith(`${AUTHORIZE_URL}?`), url);
  });

  await t.test("a webpack 5 server bundle (target node) runs where it is deployed, away from the node_modules it was built with", async () => {
    const server = `import { createClient } from "mobproc-auth";
createClient({ clientId: "portal-demo", tenant: "XYZ", apiBaseUrl: "http://127.0.0.1:9/mobproc/v1", authorizeUrl: ${JSON.stringify(AUTHORIZE_URL)}, redirectUri: "http://127.0.0.1:9/" })
  .then((client) => console.log(client.authorizeUrl()));`;
    writeFileSync(path.join(dir, "server.mjs"), server);
    // The README's rule: the .wasm is an asset, emitted beside the bundle.
    const build = `const webpack = require("webpack");
webpack({ mode: "production", target: "node", context: __dirname, entry: "./server.mjs", output: { path: require("node:path").join(__dirname, "dist-server") },
  module: { rules: [{ test: /\\.wasm$/, type: "asset/resource" }] } }, (error, stats) => { if (error || stats.hasErrors()) { console.error(error ?? stats.toString("errors-only")); process.exit(1); } });`;
    writeFileSync(path.join(dir, "build-server.cjs"), build);
    await sh(dir, process.execPath, ["build-server.cjs"], 120_000);
    const deployed = mkdtempSync(path.join(os.tmpdir(), "mobproc-deployed-"));
    t.after(() => rmSync(deployed, { recursive: true, force: true }));
    for (const file of readdirSync(path.join(dir, "dist-server"))) writeFileSync(path.join(deployed, file), readFileSync(path.join(dir, "dist-server", file)));
    // The build's node_modules out of reach, as on the machine it is deployed to.
    renameSync(path.join(dir, "node_modules"), path.join(dir, "node_modules.away"));
    try {
      const { stdout } = await sh(os.tmpdir(), process.execPath, [path.join(deployed, "main.js")], 60_000);
      assert.ok(stdout.startsWith(`${AUTHORIZE_URL}?`), stdout);
    } finally {
      renameSync(path.join(dir, "node_modules.away"), path.join(dir, "node_modules"));
    }
  });
});
