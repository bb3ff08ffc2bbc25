// mobproc-auth's entry module. The WebAssembly core makes every decision (configuration,
// authorize URL, callback checks, the token record, which headers go where); this module does
// the browser work around it: storage, location and history, randomness, fetch.
import init, { Engine, checkRecord, isOAuthResponse, newState, sanitizeReturnTo } from "./mobproc_auth.js";

/** Detail fields a MobprocError may carry. */
const DETAILS = ["field", "origin", "oauthError", "oauthErrorDescription", "status", "errorCode", "id", "correlationId", "retryAfter"];

/** Every error this package throws: `instanceof MobprocError`, with a stable `code`. */
export class MobprocError extends Error {
  /**
   * @param {string} code stable error code, e.g. "state_mismatch"
   * @param {string} message what went wrong
   * @param {Record<string, unknown>} [details] `cause` and code-specific fields
   */
  constructor(code, message, details = {}) {
    super(message, "cause" in details ? { cause: details.cause } : undefined);
    this.name = "MobprocError";
    this.code = code;
    for (const key of DETAILS) if (details[key] !== undefined) this[key] = details[key];
  }
}

const CONFIG_FIELDS = ["clientId", "tenant", "apiBaseUrl", "authorizeUrl", "redirectUri", "scope", "allowedOrigins", "storageKey"];

const configError = (field, reason) => new MobprocError("config_invalid", `invalid config: \`${field}\` ${reason}`, { field });

/** Runs a call into the core, turning its JSON errors into MobprocError. */
function core(fn) {
  try {
    return fn();
  } catch (error) {
    if (typeof error === "string" && error.startsWith("{")) {
      const wire = JSON.parse(error);
      throw new MobprocError(wire.code, wire.message, wire);
    }
    throw error;
  }
}

const isNode = typeof process === "object" && typeof process.versions?.node === "string" && typeof window === "undefined";
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

/** Own, typed fields of the config object, in the order the core takes them. */
function readConfig(config) {
  if (config === null || typeof config !== "object" || Array.isArray(config)) throw configError("config", "must be an object");
  try {
    for (const key of Object.keys(config)) {
      if (!CONFIG_FIELDS.includes(key)) throw configError(key.slice(0, 64), `is not a known option (known: ${CONFIG_FIELDS.join(", ")})`);
    }
    // Own properties only: a polluted Object.prototype must not inject configuration.
    const own = (key) => (Object.prototype.hasOwnProperty.call(config, key) ? config[key] : undefined);
    const text = (key, required) => {
      const value = own(key);
      if (value === undefined && required) throw configError(key, "is required");
      if (value !== undefined && typeof value !== "string") throw configError(key, "must be a string");
      return value;
    };
    const origins = own("allowedOrigins") ?? [];
    if (!Array.isArray(origins) || origins.length > 64) throw configError("allowedOrigins", "must be an array of at most 64 origin strings");
    origins.forEach((origin, i) => {
      if (typeof origin !== "string" || /[\r\n]/.test(origin)) throw configError(`allowedOrigins[${i}]`, "must be an origin string");
    });
    return [text("clientId", true), text("tenant", true), text("apiBaseUrl", true), text("authorizeUrl"), text("redirectUri"), text("scope"), origins.join("\n"), text("storageKey")];
  } catch (error) {
    if (error instanceof MobprocError) throw error;
    throw configError("config", `could not be read: ${error}`);
  }
}

function readReturnTo(options) {
  if (options === undefined || options === null) return undefined;
  if (typeof options !== "object") throw configError("options", "must be an object");
  const returnTo = Object.prototype.hasOwnProperty.call(options, "returnTo") ? options.returnTo : undefined;
  if (returnTo !== undefined && typeof returnTo !== "string") throw configError("returnTo", "must be a string");
  return returnTo;
}

/** sessionStorage when the page has a working one; memory otherwise (Node, sandboxed frames, full or throwing storage). */
class Store {
  #session = null;
  #memory = new Map();

  constructor() {
    try {
      this.#session = globalThis.sessionStorage ?? null;
      this.#session?.getItem("mobproc-auth:probe");
    } catch {
      this.#session = null;
    }
  }

  get(key) {
    if (this.#session) {
      try {
        return this.#session.getItem(key);
      } catch {
        this.#session = null;
      }
    }
    return this.#memory.get(key) ?? null;
  }

  set(key, value) {
    if (this.#session) {
      try {
        this.#session.setItem(key, value);
        return;
      } catch {
        // Quota or a storage that throws: memory for the rest of this page's life, no stale copy.
        this.remove(key);
        this.#session = null;
      }
    }
    this.#memory.set(key, value);
  }

  remove(key) {
    try {
      this.#session?.removeItem(key);
    } catch {
      this.#session = null;
    }
    this.#memory.delete(key);
  }
}

const notAuthenticated = () =>
  new MobprocError("not_authenticated", "not signed in (no unexpired token); the request was not sent");

/** A MOBPROC client; make one with `createClient`. */
export class MobprocClient {
  #engine;
  #store = new Store();
  #key;
  #pendingKey;
  #cachedRaw = null;
  #cached = null;

  /** @param {Engine} engine */
  constructor(engine) {
    this.#engine = engine;
    this.#key = engine.storageKey();
    this.#pendingKey = `${this.#key}.pending`;
  }

  /** Starts a sign-in and returns the authorization URL without navigating. */
  authorizeUrl(options) {
    const returnTo = readReturnTo(options);
    if (typeof globalThis.crypto?.getRandomValues !== "function") {
      throw new MobprocError("unsupported", "unsupported here: crypto.getRandomValues is not available");
    }
    const state = core(() => newState(globalThis.crypto.getRandomValues(new Uint8Array(32))));
    const url = core(() => this.#engine.authorizeUrl(state));
    const safeReturnTo = returnTo === undefined ? null : sanitizeReturnTo(returnTo) ?? null;
    this.#store.set(this.#pendingKey, JSON.stringify({ state, returnTo: safeReturnTo }));
    return url;
  }

  /** Starts a sign-in and navigates to Tangoe's sign-in page. */
  login(options) {
    if (typeof window === "undefined" || !window.location) {
      throw new MobprocError("unsupported", "unsupported here: login needs a browser page; use authorizeUrl");
    }
    window.location.assign(this.authorizeUrl(options));
  }

  /** On every page load: `null` without an OAuth response in the URL, else `{ returnTo }`. */
  async handleRedirectCallback() {
    if (typeof window === "undefined" || !window.location) return null;
    const fragment = window.location.hash.slice(1);
    if (!isOAuthResponse(fragment)) return null;
    // Before anything else: the response leaves the address bar and the history entry.
    try {
      window.history.replaceState(window.history.state, "", window.location.pathname + window.location.search);
    } catch (cause) {
      throw new MobprocError("unsupported", "unsupported here: could not remove the sign-in response from the URL", { cause });
    }
    const pending = this.#takePending();
    const record = core(() => this.#engine.signIn(fragment, pending?.state, Date.now()));
    this.#store.set(this.#key, record);
    return { returnTo: pending?.returnTo ?? null };
  }

  /** True when an unexpired token is stored. */
  isAuthenticated() {
    return this.#usable() !== null;
  }

  /** The session without token values, or `null`. */
  session() {
    const record = this.#usable();
    return record && { expiresAt: record.expiresAt, scope: record.scope ?? null, hasRefreshToken: record.refreshToken !== undefined };
  }

  /** The raw access token, for the rare caller that must place it elsewhere. */
  accessToken() {
    return this.#usable()?.accessToken ?? null;
  }

  /**
   * `fetch` with `X-TNGO-TENANT`, `client_id` and the bearer added; a relative URL joins onto `apiBaseUrl`.
   * @param {RequestInfo | URL} input
   * @param {RequestInit} [init]
   * @returns {Promise<Response>}
   */
  async fetch(input, init) {
    const request = this.#prepare(input, init);
    try {
      return await globalThis.fetch(request);
    } catch (cause) {
      throw new MobprocError("network_error", `network error: ${cause?.message ?? cause}`, { cause });
    }
  }

  /** Forgets the token and any pending sign-in. */
  logout() {
    this.#store.remove(this.#key);
    this.#store.remove(this.#pendingKey);
  }

  /** The Request `fetch(input, init)` would send, with the headers set; throws when it must not be sent. */
  #prepare(input, init) {
    if (init !== undefined && init !== null && typeof init !== "object") throw configError("init", "must be an object (fetch's RequestInit)");
    let request;
    try {
      if (input instanceof Request) {
        request = new Request(input, init ?? undefined);
      } else if (typeof input === "string" || input instanceof URL) {
        const href = typeof input === "string" ? this.#engine.resolve(input) ?? new URL(input, this.#engine.apiBaseUrl()).href : input.href;
        request = new Request(href, init ?? undefined);
      } else {
        throw configError("input", "must be a string, URL or Request");
      }
    } catch (cause) {
      if (cause instanceof MobprocError) throw cause;
      throw new MobprocError("invalid_request", `invalid request: ${cause?.message ?? cause}; the request was not sent`, { cause });
    }
    core(() => this.#engine.checkOrigin(new URL(request.url).origin));
    const record = this.#usable();
    if (!record) throw notAuthenticated();
    if (request.mode === "no-cors") {
      throw new MobprocError("invalid_request", 'invalid request: mode "no-cors" cannot carry the Authorization header; the request was not sent');
    }
    const headers = this.#engine.apiHeaders(record.accessToken).split("\n");
    for (let i = 0; i + 1 < headers.length; i += 2) request.headers.set(headers[i], headers[i + 1]);
    return request;
  }

  #usable() {
    const record = this.#record();
    return record !== null && Date.now() < record.expiresAt ? record : null;
  }

  /** The stored record; a corrupted one is removed and reads as signed out. */
  #record() {
    const raw = this.#store.get(this.#key);
    if (raw === null) return null;
    if (raw === this.#cachedRaw) return this.#cached;
    let record = null;
    try {
      record = JSON.parse(raw);
    } catch {}
    const valid =
      record !== null &&
      typeof record === "object" &&
      typeof record.accessToken === "string" &&
      typeof record.expiresAt === "number" &&
      ["undefined", "string"].includes(typeof record.refreshToken) &&
      ["undefined", "string"].includes(typeof record.scope) &&
      checkRecord(record.accessToken, record.refreshToken, record.expiresAt, record.scope);
    if (!valid) {
      this.#store.remove(this.#key);
      return null;
    }
    this.#cachedRaw = raw;
    this.#cached = record;
    return record;
  }

  #takePending() {
    const raw = this.#store.get(this.#pendingKey);
    this.#store.remove(this.#pendingKey);
    try {
      const pending = JSON.parse(raw);
      if (typeof pending?.state !== "string" || pending.state === "") return null;
      const returnTo = typeof pending.returnTo === "string" ? sanitizeReturnTo(pending.returnTo) ?? null : null;
      return { state: pending.state, returnTo };
    } catch {
      return null;
    }
  }
}

/**
 * Loads the WebAssembly module once and returns a client for `config`.
 * @param {import("./index.d.ts").MobprocConfig} config
 * @returns {Promise<MobprocClient>}
 */
export async function createClient(config) {
  const args = readConfig(config);
  await load();
  return new MobprocClient(core(() => new Engine(...args)));
}
