// Soak (issue 7): 10 000 calls and 50 refreshes in one page, with globalThis.fetch replaced by a
// scripted Tangoe so it runs in seconds. All succeed, the WebAssembly memory stays flat, and
// listeners removed by their unsubscribe function are never called again.
import { test } from "node:test";
import assert from "node:assert/strict";
import { config, goto, openPage, useServerAndBrowser } from "./harness.mjs";

const TOKEN_URL = "https://oauth.example.test/as/token.oauth2";
const CALLS = 10_000;
const REFRESHES = 50;
/** Allowed growth of the module's memory over the soak: one 64 KiB wasm page. */
const MAX_GROWTH = 64 * 1024;

const shared = useServerAndBrowser();

/** The byte length of every WebAssembly.Memory in the page, found through the DevTools protocol. */
async function wasmMemories(cdp) {
  const { result: proto } = await cdp.send("Runtime.evaluate", { expression: "WebAssembly.Memory.prototype" });
  const { objects } = await cdp.send("Runtime.queryObjects", { prototypeObjectId: proto.objectId });
  const { result } = await cdp.send("Runtime.callFunctionOn", {
    objectId: objects.objectId,
    functionDeclaration: "function () { return this.map((m) => m.buffer.byteLength); }",
    returnByValue: true,
  });
  await cdp.send("Runtime.releaseObject", { objectId: objects.objectId });
  await cdp.send("Runtime.releaseObject", { objectId: proto.objectId });
  return result.value;
}

test(`soak: ${CALLS} calls and ${REFRESHES} refreshes, memory flat, removed listeners silent`, async () => {
  const started = Date.now();
  const cfg = config(shared.server.origin, { tokenUrl: TOKEN_URL });
  const { page, context } = await openPage(shared.browser, `${shared.server.origin}/app/`);
  const url = await page.evaluate(async (cfg) => (await window.mobproc.createClient(cfg)).authorizeUrl(), cfg);
  const state = new URL(url).searchParams.get("state");
  await goto(page, `${shared.server.origin}/app/#access_token=t0&token_type=Bearer&expires_in=3600&refresh_token=r0&state=${state}`);
  await page.evaluate(async (cfg) => {
    const client = await window.mobproc.createClient(cfg);
    await client.handleRedirectCallback();
    window.client = client;
    const tangoe = { issued: 0, calls: 0, wrong: [] };
    window.tangoe = tangoe;
    globalThis.fetch = async (input, init) => {
      const request = new Request(input, init);
      if (request.url === cfg.tokenUrl) {
        tangoe.issued++;
        return Response.json({ access_token: `t${tangoe.issued}`, token_type: "Bearer", expires_in: 3600, refresh_token: `r${tangoe.issued}` });
      }
      tangoe.calls++;
      const expected = `Bearer t${tangoe.issued}`;
      if (request.headers.get("authorization") !== expected || request.headers.get("x-tngo-tenant") !== "XYZ") tangoe.wrong.push(request.headers.get("authorization"));
      return new Response('{"ok":true}', { status: 200, headers: { "content-type": "application/json" } });
    };
  }, cfg);
  const cdp = await context.newCDPSession(page);

  /** Runs `calls` fetches in batches of 100 and `refreshes` refreshes spread among them. */
  const soak = (calls, refreshes) =>
    page.evaluate(
      async ([calls, refreshes]) => {
        const { client, tangoe } = window;
        const every = Math.max(1, Math.floor(calls / 100 / Math.max(refreshes, 1)));
        const statuses = new Map();
        let done = 0, refreshed = 0, batch = 0;
        while (done < calls) {
          const n = Math.min(100, calls - done);
          const responses = await Promise.all(Array.from({ length: n }, (_, i) => client.fetch(`/orders/${done + i}?page=1`, { headers: { accept: "application/json" } })));
          for (const r of responses) {
            statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
            await r.text();
          }
          done += n;
          batch++;
          if (refreshed < refreshes && batch % every === 0) {
            await client.refresh();
            refreshed++;
          }
        }
        while (refreshed < refreshes) {
          await client.refresh();
          refreshed++;
        }
        return { statuses: Object.fromEntries(statuses), refreshed, issued: tangoe.issued, calls: tangoe.calls, wrong: tangoe.wrong.length, token: client.accessToken() };
      },
      [calls, refreshes],
    );

  // Warm up (the allocator reaches its working size), then measure across the soak.
  await soak(500, 2);
  const before = await wasmMemories(cdp);
  const listeners = await page.evaluate(() => {
    const { client } = window;
    const counts = { kept: 0, removed: 0, removedError: 0, removedTwice: 0 };
    client.on("sessionChanged", () => counts.kept++);
    const off = client.on("sessionChanged", () => counts.removed++);
    const offError = client.on("error", () => counts.removedError++);
    const offTwice = client.on("sessionChanged", () => counts.removedTwice++);
    off();
    offError();
    offTwice();
    offTwice();
    window.counts = counts;
    return true;
  });
  assert.equal(listeners, true);
  const t = Date.now();
  const out = await soak(CALLS, REFRESHES);
  const soakMs = Date.now() - t;
  const afterSoak = await wasmMemories(cdp);
  const counts = await page.evaluate(() => window.counts);

  assert.deepEqual(out.statuses, { 200: CALLS }, "every call succeeded");
  assert.equal(out.refreshed, REFRESHES);
  assert.equal(out.issued, REFRESHES + 2, "one token request per refresh");
  assert.equal(out.calls, CALLS + 500, "one API request per call, no replays");
  assert.equal(out.wrong, 0, "every call carried the current token and the tenant");
  assert.equal(out.token, `t${REFRESHES + 2}`);
  assert.equal(counts.kept, REFRESHES, "the kept listener heard every refresh");
  assert.deepEqual([counts.removed, counts.removedError, counts.removedTwice], [0, 0, 0], "removed listeners are never called");
  assert.ok(before.length >= 1, "the module's memory was found");
  assert.equal(afterSoak.length, before.length, "no new memories");
  const growth = afterSoak.reduce((a, b) => a + b, 0) - before.reduce((a, b) => a + b, 0);
  console.log(`  wasm memory ${before} -> ${afterSoak} bytes (growth ${growth}, bound ${MAX_GROWTH}); soak ${soakMs} ms, test ${Date.now() - started} ms`);
  assert.ok(growth <= MAX_GROWTH, `wasm memory grew by ${growth} bytes, more than ${MAX_GROWTH}`);
  assert.ok(Date.now() - started < 60_000, "the soak stays under a minute");
  await context.close();
});
