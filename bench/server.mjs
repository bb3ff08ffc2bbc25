// The bench's own static server (node:http, loopback only): the pages in bench/pages/ at `/`,
// with `__CONFIG__` replaced by the createClient config of this run, and the package snapshot
// at `/pkg/`. Every answer has an ETag and `Cache-Control: no-cache` (what a plain static server
// sends for unhashed files): a fresh browser context loads everything, a later page load in the
// same context revalidates (304). Pages are cross-origin isolated (COOP + COEP).

import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";

const PAGES = path.join(path.dirname(fileURLToPath(import.meta.url)), "pages");
const MIME = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".wasm": "application/wasm", ".json": "application/json" };

/**
 * Starts the server on a free port of 127.0.0.1.
 * @param {{ pkg: string }} options the package directory
 * @returns {Promise<{ origin: string, config: Record<string, unknown>, close: () => Promise<void> }>}
 *   `config` is read at every page request: set it once the emulator's origin is known.
 */
export function startServer({ pkg }) {
  const state = { origin: "", config: {}, close: async () => {} };
  const server = createServer(async (req, res) => {
    try {
      const { pathname } = new URL(req.url ?? "/", "http://x");
      let body;
      let type;
      if (pathname.startsWith("/pkg/")) {
        const name = pathname.slice(5);
        if (!/^[\w.-]+$/.test(name)) throw new Error("bad name");
        body = await readFile(path.join(pkg, name));
        type = MIME[path.extname(name)];
      } else {
        const name = pathname === "/" ? "app.html" : pathname.slice(1);
        if (!/^[\w-]+\.html$/.test(name)) throw new Error("bad name");
        const html = await readFile(path.join(PAGES, name), "utf8");
        body = Buffer.from(html.replace("__CONFIG__", () => JSON.stringify(state.config)));
        type = MIME[".html"];
      }
      const etag = `"${createHash("sha1").update(body).digest("base64url")}"`;
      // Cross-origin isolated pages: performance.now() to 5 µs instead of 100 µs. The API calls
      // are CORS requests, which COEP allows.
      const headers = { "Cache-Control": "no-cache", ETag: etag, "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" };
      if (req.headers["if-none-match"] === etag) {
        res.writeHead(304, headers).end();
      } else {
        res.writeHead(200, { ...headers, "Content-Type": type ?? "application/octet-stream", "Content-Length": body.length }).end(body);
      }
    } catch {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("not found\n");
    }
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = /** @type {import("node:net").AddressInfo} */ (server.address());
      state.origin = `http://127.0.0.1:${address.port}`;
      state.close = () => new Promise((done) => {
        server.closeAllConnections();
        server.close(() => done());
      });
      resolve(state);
    });
  });
}
