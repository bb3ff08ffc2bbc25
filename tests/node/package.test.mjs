// The same npm package in Node 20+: createClient finds and loads the wasm, the token store
// falls back to memory, and browser-only calls say so.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { pathToFileURL } from "node:url";

const PKG = process.env.MOBPROC_PKG_DIR ?? join(resolve(import.meta.dirname, "../.."), "pkg");
const { createClient, MobprocError } = await import(pathToFileURL(join(PKG, "node.js")).href);

const config = {
  clientId: "server-demo",
  tenant: "XYZ",
  apiBaseUrl: "http://127.0.0.1:9/mobproc/v1",
  authorizeUrl: "http://127.0.0.1:9/as/authorization.oauth2",
  redirectUri: "http://127.0.0.1:9/",
};

test("createClient works in Node and builds a sign-in URL", async () => {
  const client = await createClient(config);
  const url = new URL(client.authorizeUrl());
  assert.equal(url.searchParams.get("client_id"), "server-demo");
  assert.match(url.searchParams.get("state"), /^[A-Za-z0-9_-]{43}$/);
  assert.equal(client.isAuthenticated(), false);
  assert.equal(client.session(), null);
  assert.equal(await client.handleRedirectCallback(), null, "no page, no callback");
});

test("browser-only and unauthenticated calls fail with typed errors", async () => {
  const client = await createClient(config);
  assert.throws(() => client.login(), (e) => e instanceof MobprocError && e.code === "unsupported" && /in Node, sign in with signInWithPassword/.test(e.message));
  let sent = 0;
  const realFetch = globalThis.fetch;
  globalThis.fetch = async () => {
    sent++;
    return new Response("{}");
  };
  try {
    await assert.rejects(client.fetch("/ping"), (e) => e instanceof MobprocError && e.code === "not_authenticated");
    await assert.rejects(client.fetch("https://evil.example/"), (e) => e.code === "origin_not_allowed" && e.origin === "https://evil.example");
  } finally {
    globalThis.fetch = realFetch;
  }
  assert.equal(sent, 0);
});

test("config errors name the field", async () => {
  await assert.rejects(createClient({ ...config, apiBaseUrl: "http://api.example.com/v1" }), (e) => e instanceof MobprocError && e.code === "config_invalid" && e.field === "apiBaseUrl");
  await assert.rejects(createClient(undefined), (e) => e.code === "config_invalid" && e.field === "config");
  // 0 is no limit in some libraries and the default in others: neither is guessed.
  await assert.rejects(createClient({ ...config, timeoutMs: 0 }), (e) => e.code === "config_invalid" && e.field === "timeoutMs" && /from 1 to 600000/.test(e.message));
  // The URL parser reads 010.0.0.5 as 8.0.0.5: the password would go to another host.
  await assert.rejects(createClient({ ...config, tokenUrl: "https://010.0.0.5/as/token.oauth2" }), (e) => e.code === "config_invalid" && e.field === "tokenUrl" && /IPv4 address the browser reads another way/.test(e.message));
});

test("an uncaught MobprocError in Node shows a readable source line and stack, not the whole entry on one line", async () => {
  const script = `const { createClient } = await import(${JSON.stringify(pathToFileURL(join(PKG, "node.js")).href)});
const client = await createClient(${JSON.stringify(config)});
await client.fetch("/x");`;
  const failed = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script]).then(
    () => null,
    (e) => e,
  );
  assert.ok(failed, "the script was to fail");
  const { stderr } = failed;
  assert.match(stderr, /MobprocError: not signed in/);
  assert.match(stderr, /code: 'not_authenticated'/);
  assert.ok(stderr.length < 4000, `${stderr.length} characters on stderr, starting ${stderr.slice(0, 300)}`);
});

test("a server bundled as CommonJS (esbuild's default for --platform=node) finds the .wasm copied beside it", async () => {
  const dir = await mkdtemp(join(tmpdir(), "mobproc-cjs-"));
  try {
    await writeFile(join(dir, "server.mjs"), `import { createClient } from ${JSON.stringify(join(PKG, "node.js"))};
// No top-level await: CommonJS has none.
createClient(${JSON.stringify(config)}).then((client) => console.log(client.authorizeUrl()));`);
    const esbuild = join(resolve(import.meta.dirname, "../.."), "node_modules/.bin/esbuild");
    await promisify(execFile)(esbuild, [join(dir, "server.mjs"), "--bundle", "--platform=node", `--outfile=${join(dir, "dist/server.cjs")}`, "--log-level=error"]);
    await copyFile(join(PKG, "mobproc_auth_bg.wasm"), join(dir, "dist/mobproc_auth_bg.wasm"));
    // Run from elsewhere, with no node_modules to fall back on.
    const { stdout } = await promisify(execFile)(process.execPath, [join(dir, "dist/server.cjs")], { cwd: tmpdir() });
    assert.ok(stdout.startsWith(`${config.authorizeUrl}?`), stdout);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
