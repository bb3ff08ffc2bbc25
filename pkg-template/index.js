// The package entry: loads the WebAssembly module once per page (or Node process), and
// presents it as `createClient` and `MobprocError`.
import init, { WasmClient } from "./mobproc_auth.js";

/** Detail fields a MobprocError may carry, copied from the error raised in the wasm module. */
const DETAILS = [
  "field",
  "origin",
  "oauthError",
  "oauthErrorDescription",
  "status",
  "errorCode",
  "id",
  "correlationId",
  "retryAfter",
];

/** Every error this package throws: `instanceof MobprocError`, with a stable `code`. */
export class MobprocError extends Error {
  /**
   * @param {string} code stable error code, e.g. "state_mismatch"
   * @param {string} message what went wrong
   * @param {Record<string, unknown>} [details] cause and code-specific fields
   */
  constructor(code, message, details = {}) {
    super(message, "cause" in details ? { cause: details.cause } : undefined);
    this.name = "MobprocError";
    this.code = code;
    for (const key of DETAILS) {
      if (details[key] !== undefined) this[key] = details[key];
    }
  }
}

/** Turns the plain errors the wasm module throws into MobprocError; leaves others alone. */
function lift(error) {
  if (error instanceof MobprocError) return error;
  if (error instanceof Error && error.name === "MobprocError" && typeof error.code === "string") {
    return new MobprocError(error.code, error.message, error);
  }
  return error;
}

const isNode =
  typeof process === "object" && typeof process.versions?.node === "string" && typeof window === "undefined";

let loading;

/** Instantiates the wasm module the first time only; later calls share the same promise. */
function load() {
  loading ??= (async () => {
    const wasm = new URL("./mobproc_auth_bg.wasm", import.meta.url);
    if (isNode) {
      // Hidden from bundlers: this branch never runs in a browser.
      const fs = "node:fs/promises";
      const { readFile } = await import(/* @vite-ignore */ fs);
      await init({ module_or_path: await readFile(wasm) });
    } else {
      await init({ module_or_path: wasm });
    }
  })().catch((cause) => {
    loading = undefined;
    throw new MobprocError("wasm_load_failed", `could not load mobproc-auth's WebAssembly module: ${cause}`, { cause });
  });
  return loading;
}

/**
 * A signed-in (or not yet signed-in) MOBPROC client. Make one with `createClient`.
 */
export class MobprocClient {
  #inner;

  /** @param {WasmClient} inner */
  constructor(inner) {
    this.#inner = inner;
  }

  /** @param {{ returnTo?: string }} [options] @returns {string} */
  authorizeUrl(options) {
    return call(() => this.#inner.authorizeUrl(options));
  }

  /** @param {{ returnTo?: string }} [options] */
  login(options) {
    call(() => this.#inner.login(options));
  }

  /** @returns {Promise<{ returnTo: string | null } | null>} */
  async handleRedirectCallback() {
    return call(() => this.#inner.handleRedirectCallback());
  }

  /** @returns {boolean} */
  isAuthenticated() {
    return this.#inner.isAuthenticated();
  }

  /** @returns {{ expiresAt: number, scope: string | null, hasRefreshToken: boolean } | null} */
  session() {
    return this.#inner.session();
  }

  /** @returns {string | null} */
  accessToken() {
    return this.#inner.accessToken() ?? null;
  }

  /**
   * `fetch` with the MOBPROC headers added; a relative URL joins onto `apiBaseUrl`.
   * @param {RequestInfo | URL} input
   * @param {RequestInit} [init]
   * @returns {Promise<Response>}
   */
  async fetch(input, init) {
    const request = call(() => this.#inner.prepare(input, init));
    try {
      return await globalThis.fetch(request);
    } catch (cause) {
      throw new MobprocError("network_error", `network error: ${cause?.message ?? cause}`, { cause });
    }
  }

  logout() {
    this.#inner.logout();
  }
}

function call(fn) {
  try {
    return fn();
  } catch (error) {
    throw lift(error);
  }
}

/**
 * Loads the module (once) and returns a client for `config`.
 * @param {import("./index.d.ts").MobprocConfig} config
 * @returns {Promise<MobprocClient>}
 */
export async function createClient(config) {
  await load();
  return new MobprocClient(call(() => new WasmClient(config)));
}
