#!/usr/bin/env node
// A tiny static server for the example portal (node:http only, no dependencies).
//
//   node www-example/serve.mjs --port 8080 --pkg pkg --api-origin http://127.0.0.1:8081 \
//        [--client-id portal-demo] [--tenant XYZ] [--timeout-ms N] [--refresh-skew S] [--no-refresh]
//        [--token-url URL] [--revoke-url URL] [--response-type token|code] [--rust DIR]
//
// Serves www-example/ at `/`, the npm package directory at `/pkg/`, and a generated
// `/config.js`; with `--rust`, the built Rust example (www-example/rust/) at `/rust/`. Binds 127.0.0.1 only. The first stdout line is always
// `portal listening on http://127.0.0.1:PORT` (so `--port 0` can be used by a harness),
// then one line per request: `METHOD PATH STATUS` (the query string is never logged).

import { createHash } from "node:crypto";
import { createServer } from "node:http";
import { readFile, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const USAGE = `usage: node www-example/serve.mjs --port N --pkg DIR --api-origin ORIGIN [--client-id ID] [--tenant CODE]
                     [--timeout-ms N] [--refresh-skew S] [--no-refresh] [--token-url URL] [--revoke-url URL]
                     [--response-type token|code] [--rust DIR]

  --port N            port on 127.0.0.1 (0 = any free port)          default 8080
  --pkg DIR           the built npm package (cargo xtask build → pkg/) default <repo>/pkg
  --api-origin ORIGIN Tangoe (or the emulator), e.g. http://127.0.0.1:8081
  --client-id ID      OAuth client id                                 default portal-demo
  --tenant CODE       tenant code (X-TNGO-TENANT)                     default XYZ
  --timeout-ms N      config timeoutMs: token/revoke call timeout      default the library's (30000)
  --refresh-skew S    config refreshSkewSeconds: refresh S seconds before expiry
                                                                      default the library's (60)
  --no-refresh        leave tokenUrl and revokeUrl out of the config: no refresh, no revocation
  --token-url URL     config tokenUrl (refresh and validate), e.g. a relay's http://127.0.0.1:8082/token
                                                                      default <api-origin>/as/token.oauth2
  --revoke-url URL    config revokeUrl (sign out), e.g. a relay's http://127.0.0.1:8082/revoke
                                                                      default <api-origin>/as/revoke_token.oauth2
                      The origins of both are added to the page's CSP connect-src.
  --response-type T   config responseType: token (the implicit grant, Tangoe's documented one)
                      or code (authorization code with PKCE; needs tokenUrl) default token
  --rust DIR          also serve the built Rust example (www-example/rust/, cargo xtask demo
                      builds it into target/rust-example) at /rust/`;

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** @type {Record<string, string>} */
const MIME = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".wasm": "application/wasm",
  ".ts": "text/plain; charset=utf-8",
  ".md": "text/markdown; charset=utf-8",
};

/** Extensions served from www-example/ itself (serve.mjs and the README are not part of the site). */
const SITE_EXTENSIONS = new Set([".html", ".css", ".js", ".json", ".svg", ".png", ".ico"]);

/**
 * @param {string[]} argv
 * @returns {{ port: number, pkg: string, apiOrigin: string, clientId: string, tenant: string, timeoutMs?: number, refreshSkewSeconds?: number, refresh: boolean, tokenUrl?: string, revokeUrl?: string, responseType: "token" | "code", rust?: string }}
 */
function parseArgs(argv) {
  const opts = {
    port: "8080",
    pkg: path.resolve(HERE, "..", "pkg"),
    "api-origin": "",
    "client-id": "portal-demo",
    tenant: "XYZ",
    "timeout-ms": "",
    "refresh-skew": "",
    "token-url": "",
    "revoke-url": "",
    "response-type": "",
    rust: "",
  };
  let refresh = true;
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    if (arg === "--help" || arg === "-h") {
      console.log(USAGE);
      process.exit(0);
    }
    if (arg === "--no-refresh") {
      refresh = false;
      continue;
    }
    let value;
    const eq = arg.indexOf("=");
    if (arg.startsWith("--") && eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const key = arg.replace(/^--/, "");
    if (!arg.startsWith("--") || !(key in opts)) fail(`unknown argument ${arg}`);
    if (value === undefined) {
      if (i + 1 >= argv.length) fail(`${arg} needs a value`);
      value = argv[++i];
    }
    opts[/** @type {keyof typeof opts} */ (key)] = value;
  }
  const port = Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`bad --port ${opts.port}`);
  if (!opts["api-origin"]) fail("--api-origin is required");
  let apiOrigin;
  try {
    apiOrigin = new URL(opts["api-origin"]).origin;
  } catch {
    fail(`bad --api-origin ${opts["api-origin"]}`);
  }
  if (apiOrigin === "null") fail(`bad --api-origin ${opts["api-origin"]}`);
  /** The integer value of an optional flag, or undefined when not given. @param {keyof typeof opts} key @param {number} min @param {number} max */
  const optionalInt = (key, min, max) => {
    if (opts[key] === "") return undefined;
    const n = Number(opts[key]);
    if (!/^\d+$/.test(opts[key]) || n < min || n > max) fail(`bad --${key} ${opts[key]} (an integer from ${min} to ${max})`);
    return n;
  };
  /** An optional http(s) URL flag (its own value, normalised), or undefined when not given. @param {"token-url" | "revoke-url"} key */
  const optionalUrl = (key) => {
    if (opts[key] === "") return undefined;
    if (!refresh) fail(`--${key} cannot be combined with --no-refresh`);
    let url;
    try {
      url = new URL(opts[key]);
    } catch {
      fail(`bad --${key} ${opts[key]} (an absolute http(s) URL)`);
    }
    if (!["http:", "https:"].includes(url.protocol) || url.username || url.password || url.hash) {
      fail(`bad --${key} ${opts[key]} (an absolute http(s) URL, no credentials or fragment)`);
    }
    return url.href;
  };
  return {
    port,
    pkg: path.resolve(opts.pkg),
    apiOrigin,
    clientId: opts["client-id"],
    tenant: opts.tenant,
    timeoutMs: optionalInt("timeout-ms", 1, 600000),
    refreshSkewSeconds: optionalInt("refresh-skew", 0, 86400),
    refresh,
    tokenUrl: optionalUrl("token-url"),
    revokeUrl: optionalUrl("revoke-url"),
    responseType: responseType(opts["response-type"], refresh),
    rust: opts.rust === "" ? undefined : path.resolve(opts.rust),
  };
}

/** `--response-type`: "token" (also when not given) or "code", which needs a token URL. @param {string} value @param {boolean} refresh */
function responseType(value, refresh) {
  if (value === "" || value === "token") return "token";
  if (value !== "code") fail(`bad --response-type ${value} (token or code)`);
  if (!refresh) fail("--response-type code cannot be combined with --no-refresh (the code is exchanged at the token URL)");
  return "code";
}

/** @param {string} message @returns {never} */
function fail(message) {
  console.error(`serve.mjs: ${message}\n\n${USAGE}`);
  process.exit(2);
}

const opts = parseArgs(process.argv.slice(2));
const SITE_ROOT = await realpath(HERE);
let PKG_ROOT;
try {
  PKG_ROOT = await realpath(opts.pkg);
  await stat(path.join(PKG_ROOT, "index.js"));
} catch {
  fail(`no package at ${opts.pkg} (build it with \`cargo xtask build\`)`);
}
/** The built Rust example (wasm-bindgen's output and its index.html), when `--rust` is given. */
let RUST_ROOT;
if (opts.rust !== undefined) {
  try {
    RUST_ROOT = await realpath(opts.rust);
    await stat(path.join(RUST_ROOT, "index.html"));
  } catch {
    fail(`no Rust example at ${opts.rust} (build it with \`cargo xtask demo\`)`);
  }
}

/**
 * The CSP source (`'sha256-…'`) of every inline `<script>` in index.html: the import map.
 * Computed from the page being served, so the page and its policy cannot drift apart.
 * @param {string} html
 */
function inlineScriptHashes(html) {
  return [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)]
    .filter((m) => !/\bsrc\s*=/.test(m[1]))
    .map((m) => `'sha256-${createHash("sha256").update(m[2], "utf8").digest("base64")}'`);
}
let INLINE_SCRIPT_HASHES = inlineScriptHashes(await readFile(path.join(SITE_ROOT, "index.html"), "utf8"));

/** Where the page may connect besides itself: the API, and a relay's origin when tokenUrl/revokeUrl point at one. */
const CONNECT_ORIGINS = [
  ...new Set([opts.apiOrigin, ...[opts.tokenUrl, opts.revokeUrl].filter((u) => u !== undefined).map((u) => new URL(u).origin)]),
];

function csp() {
  return [
    "default-src 'none'",
    // 'self' for the app and the package; wasm compilation; the inline import map by hash.
    `script-src 'self' 'wasm-unsafe-eval' ${INLINE_SCRIPT_HASHES.join(" ")}`.trim(),
    "style-src 'self'",
    "img-src 'self'",
    // The package fetches its .wasm from 'self'; the API lives on Tangoe's origin (and a relay,
    // if any, on its own).
    `connect-src 'self' ${CONNECT_ORIGINS.join(" ")}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** @param {string} ownOrigin */
function configModule(ownOrigin) {
  /** @type {Record<string, unknown>} */
  const config = {
    clientId: opts.clientId,
    tenant: opts.tenant,
    apiBaseUrl: `${opts.apiOrigin}/mobproc/v1`,
    authorizeUrl: `${opts.apiOrigin}/as/authorization.oauth2`,
    redirectUri: `${ownOrigin}/`,
  };
  if (opts.refresh) {
    // PingFederate's token endpoint (refresh) and RFC 7009 revocation (sign out), or a relay
    // that adds the client secret to them (mobproc-relay's /token and /revoke).
    config.tokenUrl = opts.tokenUrl ?? `${opts.apiOrigin}/as/token.oauth2`;
    config.revokeUrl = opts.revokeUrl ?? `${opts.apiOrigin}/as/revoke_token.oauth2`;
  }
  if (opts.responseType === "code") config.responseType = "code";
  if (opts.timeoutMs !== undefined) config.timeoutMs = opts.timeoutMs;
  if (opts.refreshSkewSeconds !== undefined) config.refreshSkewSeconds = opts.refreshSkewSeconds;
  return `// Generated by serve.mjs for this run.\nexport default ${JSON.stringify(config, null, 2)};\n`;
}

/**
 * Maps a URL path to a file under `root`, or null when it would leave `root` or is not allowed.
 * @param {string} root real path of the directory served
 * @param {string} rel the URL path below the mount point, still percent-encoded
 * @param {(ext: string) => boolean} allowed
 */
async function resolveFile(root, rel, allowed) {
  let decoded;
  try {
    decoded = decodeURIComponent(rel);
  } catch {
    return null;
  }
  if (decoded.includes("\0") || decoded.includes("\\")) return null;
  const segments = decoded.split("/").filter((s) => s !== "");
  if (segments.some((s) => s === ".." || s === "." || s.startsWith("."))) return null;
  const candidate = path.join(root, ...segments);
  if (!allowed(path.extname(candidate).toLowerCase())) return null;
  try {
    const real = await realpath(candidate);
    if (real !== root && !real.startsWith(root + path.sep)) return null;
    const info = await stat(real);
    return info.isFile() ? real : null;
  } catch {
    return null;
  }
}

const server = createServer(async (req, res) => {
  const ownOrigin = `http://127.0.0.1:${server.address().port}`;
  const url = new URL(req.url ?? "/", ownOrigin);
  const send = (/** @type {number} */ status, /** @type {string} */ type, /** @type {Buffer|string} */ body) => {
    res.writeHead(status, {
      "Content-Type": type,
      "Content-Length": Buffer.byteLength(body),
      "Content-Security-Policy": csp(),
      "Referrer-Policy": "no-referrer",
      "X-Content-Type-Options": "nosniff",
      // Not `same-origin`: that would sever the sign-in popup from the portal at once, and the
      // library could then not tell when the user closes it (popup_closed).
      "Cross-Origin-Opener-Policy": "same-origin-allow-popups",
      "Cache-Control": "no-store",
    });
    res.end(req.method === "HEAD" ? undefined : body);
    console.log(`${req.method} ${url.pathname} ${status}`);
  };

  if (req.method !== "GET" && req.method !== "HEAD") {
    res.setHeader("Allow", "GET, HEAD");
    return send(405, "text/plain; charset=utf-8", "method not allowed\n");
  }
  // One origin: the redirect URI registered with Tangoe names 127.0.0.1, and a page opened as
  // localhost would keep its sign-in state in another origin's sessionStorage (state_mismatch
  // on the way back). Another Host (DNS rebinding, a typed name) is sent to this origin.
  if (req.headers.host !== new URL(ownOrigin).host) {
    res.writeHead(308, { Location: `${ownOrigin}${url.pathname}${url.search}`, "Content-Length": 0 });
    res.end();
    console.log(`${req.method} ${url.pathname} 308 (Host ${JSON.stringify(req.headers.host ?? "")})`);
    return;
  }
  const p = url.pathname;
  if (p === "/config.js") return send(200, MIME[".js"], configModule(ownOrigin));

  let file = null;
  if (RUST_ROOT && p === "/rust") {
    // The Rust example's redirect URI is `/rust/`: send the short form there.
    res.writeHead(308, { Location: "/rust/", "Content-Length": 0 });
    res.end();
    console.log(`${req.method} ${p} 308`);
    return;
  }
  if (RUST_ROOT && p.startsWith("/rust/")) {
    const rel = p.slice("/rust/".length);
    file = rel === "" ? path.join(RUST_ROOT, "index.html") : await resolveFile(RUST_ROOT, rel, (ext) => ext in MIME);
  } else if (p.startsWith("/pkg/")) {
    file = await resolveFile(PKG_ROOT, p.slice("/pkg/".length), (ext) => ext in MIME);
  } else if (p === "/" || p === "/index.html") {
    file = path.join(SITE_ROOT, "index.html");
  } else {
    // The portal's own files only (`/app.js`, `/style.css`): not the React and Rust examples'
    // sources below it, nor their node_modules or builds, which 'self' would make scripts of.
    file = p.indexOf("/", 1) === -1 ? await resolveFile(SITE_ROOT, p.slice(1), (ext) => SITE_EXTENSIONS.has(ext)) : null;
    // Hash-free app routes (`/anything` without an extension) get the page itself.
    if (!file && /^(\/[A-Za-z0-9_-]+)+\/?$/.test(p)) {
      file = path.join(SITE_ROOT, "index.html");
    }
  }
  if (!file) return send(404, "text/plain; charset=utf-8", "not found\n");
  try {
    const body = await readFile(file);
    if (file === path.join(SITE_ROOT, "index.html")) INLINE_SCRIPT_HASHES = inlineScriptHashes(body.toString("utf8"));
    return send(200, MIME[path.extname(file).toLowerCase()] ?? "application/octet-stream", body);
  } catch {
    return send(404, "text/plain; charset=utf-8", "not found\n");
  }
});

server.on("error", (e) => {
  console.error(`serve.mjs: ${e.message}`);
  process.exit(1);
});
server.listen(opts.port, "127.0.0.1", () => {
  console.log(`portal listening on http://127.0.0.1:${server.address().port}`);
});

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  });
}
