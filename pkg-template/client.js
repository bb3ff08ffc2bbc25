// MobprocClient: sign-in, the session, and calls. The core decides; this class does the I/O.
import { fetchJson, firstPage, pages } from "./api.js";
import { readReturnTo } from "./config.js";
import { header, newCorrelationId, readContext, readId } from "./context.js";
import { configError, inBrowserPage, messageOf, MobprocError, networkError } from "./errors.js";
import { Events } from "./events.js";
import { Store } from "./store.js";
import { getJson, postForm } from "./tokens.js";
import { opt } from "./wasm.js";

const invalidRequest = (cause) =>
  cause instanceof MobprocError ? cause : new MobprocError("invalid_request", `invalid request: ${messageOf(cause)}; the request was not sent`, { cause });
const notAuthenticated = () => new MobprocError("not_authenticated", "not signed in (no unexpired token); the request was not sent");
const refreshFailed = (cause, details = {}) =>
  new MobprocError("refresh_failed", `refreshing the token failed: ${messageOf(cause)}; the session is unchanged`, { cause, ...details });

/** A MOBPROC client; make one with `createClient`. */
export class MobprocClient {
  #core;
  #options;
  #events = new Events();
  #store = new Store((cause) =>
    this.#events.emit("error", new MobprocError("storage_unavailable", `sessionStorage is not usable here (${messageOf(cause)}); the session is kept in memory for this page`, { cause })),
  );
  #key;
  #pendingKey;
  #cachedRaw = null;
  #cached = null;
  #refreshing = null;
  /** The employee, company employee and hierarchy ids and the activity id of every call. */
  #context = [];
  #correlationIds = new WeakMap();
  #usualHeaders = null;
  #allowedOrigins = new Set();

  /** @param {import("./wasm.js").Core} core @param {ReturnType<typeof import("./config.js").readConfig>["options"]} options */
  constructor(core, options) {
    this.#core = core;
    this.#options = options;
    this.#key = core.storageKey;
    this.#pendingKey = `${this.#key}.pending`;
    this.setContext(options.context);
    this.setActivityId(options.activityId);
  }

  /**
   * Acts for another employee (or in another hierarchy) on every later call; `null` for the user's own.
   * @param {{ employeeId?: string | null, companyEmployeeId?: string | null, hierarchyId?: string | null } | null} context
   */
  setContext(context) {
    this.#setContext([...readContext(context, "context"), this.#context[3]]);
  }

  /** Sends `X-TNGO-CONTEXT-ACTIVITYID` on every later call; `null` to stop. */
  setActivityId(activityId) {
    this.#setContext([...this.#context.slice(0, 3), readId(activityId, "activityId")]);
  }

  /**
   * The `X-TNGO-CONTEXT-CORRELATIONID` a call was sent with, to quote to Tangoe support: give the
   * `Response` of `fetch`, or the object (body, page) `fetchJson` or `paginate` resolved.
   */
  correlationId(response) {
    return this.#correlationIds.get(response) ?? null;
  }

  /**
   * `fetch` for JSON: the parsed body on 2xx (`null` when empty, as for 204); `init.json` is sent as the body.
   * Other statuses reject with `api_error` carrying Tangoe's `errorCode`, `id` and message.
   */
  async fetchJson(input, init) {
    const { body, correlationId } = await fetchJson(this, input, init);
    this.#remember(body, correlationId);
    return body;
  }

  /** The pages of a collection (`for await`), following `_meta.hrefNext` to allowed origins only. */
  paginate(path, options) {
    const first = firstPage(this.#resolve(path, "path"), options);
    return pages(this, first, (next, seen) => this.#core.call("n", next.origin, next.href, ...seen));
  }

  /** Subscribes to `sessionChanged`, `sessionExpired` or `error`; returns the unsubscribe function. */
  on(name, listener) {
    return this.#events.on(name, listener);
  }

  /** Starts a sign-in and returns the authorization URL without navigating. */
  authorizeUrl(options) {
    const returnTo = readReturnTo(options);
    if (typeof globalThis.crypto?.getRandomValues !== "function") {
      throw new MobprocError("unsupported", "unsupported here: crypto.getRandomValues is not available");
    }
    // 256 bits from a CSPRNG, base64url: RFC 6749 §10.10 asks for at least 128.
    const random = globalThis.crypto.getRandomValues(new Uint8Array(32));
    const state = btoa(String.fromCharCode(...random)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    const url = this.#core.call("a", state);
    const safeReturnTo = returnTo === undefined ? null : this.#core.call("u", returnTo) ?? null;
    this.#store.set(this.#pendingKey, JSON.stringify({ state, returnTo: safeReturnTo }));
    return url;
  }

  /** Starts a sign-in and navigates to Tangoe's sign-in page. */
  login(options) {
    if (!inBrowserPage()) throw new MobprocError("unsupported", "unsupported here: login needs a browser page; use authorizeUrl");
    window.location.assign(this.authorizeUrl(options));
  }

  /** On every page load: `null` without an OAuth response in the URL, else `{ returnTo }`. */
  async handleRedirectCallback() {
    if (!inBrowserPage()) return null;
    const fragment = window.location.hash.slice(1);
    if (!this.#core.call("i", fragment)) return null;
    // Before anything else: the response leaves the address bar and the history entry.
    try {
      window.history.replaceState(window.history.state, "", window.location.pathname + window.location.search);
    } catch (cause) {
      throw new MobprocError("unsupported", "unsupported here: could not remove the sign-in response from the URL", { cause });
    }
    const pending = this.#takePending();
    this.#save(this.#core.call("s", fragment, opt(pending?.state), Date.now()));
    return { returnTo: pending?.returnTo ?? null };
  }

  /** Server-side JavaScript only: the resource owner password grant with the client's secret. */
  async signInWithPassword(credentials) {
    if (inBrowserPage()) {
      throw new MobprocError("insecure_grant", "the password grant is refused in a browser page: use login() (the implicit grant)");
    }
    const { tokenUrl, clientSecret, scope } = this.#options;
    if (tokenUrl === undefined) throw configError("tokenUrl", "is required for the password grant");
    if (clientSecret === undefined) throw configError("clientSecret", "is required for the password grant");
    let username, password;
    try {
      ({ username, password } = credentials ?? {});
    } catch (error) {
      throw configError("credentials", `could not be read: ${messageOf(error)}`);
    }
    if (typeof username !== "string" || username === "") throw configError("username", "must be a non-empty string");
    if (typeof password !== "string") throw configError("password", "must be a string");
    let answer;
    try {
      answer = await postForm(tokenUrl, { grant_type: "password", username, password, scope }, this.#options);
    } catch (cause) {
      throw networkError(cause);
    }
    if (!answer.ok) throw this.#denied(answer);
    this.#save(this.#tokenRecord(answer, undefined));
    return this.session();
  }

  /** Gets a new access token (and rotated refresh token); one request however many callers wait. */
  refresh() {
    this.#refreshing ??= this.#refresh().finally(() => {
      this.#refreshing = null;
    });
    return this.#refreshing;
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

  /** Asks Tangoe whether the access token is valid, and for what. */
  async validate() {
    const record = this.#usable();
    if (!record) throw notAuthenticated();
    const { validateUrl, tokenUrl } = this.#options;
    let answer;
    try {
      if (validateUrl !== undefined) {
        const url = new URL(validateUrl);
        url.searchParams.set("access_token", record.accessToken);
        answer = await getJson(url, this.#options);
      } else if (tokenUrl !== undefined) {
        const grant = { grant_type: "urn:pingidentity.com:oauth2:grant_type:validate_bearer", token: record.accessToken, client_id: this.#options.clientId };
        answer = await postForm(tokenUrl, grant, this.#options);
      } else {
        throw configError("validateUrl", "or `tokenUrl` is required to validate");
      }
    } catch (cause) {
      if (cause instanceof MobprocError) throw cause;
      throw networkError(cause);
    }
    const body = answer.body;
    if (!answer.ok || body === null) {
      throw new MobprocError("token_invalid", `Tangoe does not accept the token (HTTP ${answer.status}${answer.error ? `, ${answer.error}` : ""})`, {
        status: answer.status,
        oauthError: answer.error,
        oauthErrorDescription: answer.description,
      });
    }
    const about = body.access_token !== null && typeof body.access_token === "object" ? body.access_token : {};
    return {
      scope: body.scope ?? null,
      expiresIn: body.expires_in ?? null,
      clientId: body.client_id ?? null,
      tenant: about.tenant ?? null,
      platform: about.platform ?? null,
      multitenant: about.multitenant === true || about.multitenant === "true",
      identityProvider: about.identityProvider ?? null,
      identifier: about.identifier ?? null,
    };
  }

  /**
   * `fetch` with `X-TNGO-TENANT`, `client_id` and the bearer added; a relative URL joins onto
   * `apiBaseUrl`. Refreshes first when the token is about to expire, and once more on a 401.
   * @param {RequestInfo | URL} input
   * @param {RequestInit} [init]
   * @returns {Promise<Response>}
   */
  async fetch(input, init) {
    await this.#refreshIfExpiring();
    const [request, call] = this.#prepare(input, init);
    // A clone made before signing can be replayed after a refresh, signed with what is current
    // then (token, context, a new correlation id); a caller's stream cannot be replayed.
    const replay = this.#canRefresh() && !streamBody(init) ? request.clone() : null;
    const sentWith = this.#sign(request, call).headers.get("authorization");
    const response = await this.#send(request);
    if (response.status !== 401) return response;
    if (replay === null) {
      this.#expire();
      return response;
    }
    try {
      // Calls that were in flight when another one refreshed just replay with the new token.
      if (this.#bearer() === sentWith) await this.refresh();
    } catch (error) {
      if (error.code === "session_expired") return response;
      throw error;
    }
    const second = await this.#send(this.#sign(replay, call));
    if (second.status === 401) this.#expire();
    return second;
  }

  /** Forgets the token and any pending sign-in; revokes both tokens in the background when `revokeUrl` is set. */
  logout() {
    this.#usualHeaders = null;
    const record = this.#record();
    this.#store.remove(this.#key);
    this.#store.remove(this.#pendingKey);
    if (record === null) return;
    this.#events.emit("sessionChanged", null);
    const { revokeUrl, clientId } = this.#options;
    if (revokeUrl === undefined) return;
    for (const [token, hint] of [[record.refreshToken, "refresh_token"], [record.accessToken, "access_token"]]) {
      if (token === undefined) continue;
      postForm(revokeUrl, { token, token_type_hint: hint, client_id: clientId }, this.#options).then(
        (answer) => answer.ok || this.#events.emit("error", new MobprocError("revoke_failed", `revoking the ${hint} failed (HTTP ${answer.status})`, { status: answer.status })),
        (cause) => this.#events.emit("error", new MobprocError("revoke_failed", `revoking the ${hint} failed: ${messageOf(cause)}`, { cause })),
      );
    }
  }

  async #refresh() {
    const { tokenUrl, clientId, scope } = this.#options;
    if (tokenUrl === undefined) throw configError("tokenUrl", "is required to refresh");
    const record = this.#record();
    if (!record?.refreshToken) throw notAuthenticated();
    let answer;
    try {
      answer = await postForm(tokenUrl, { grant_type: "refresh_token", refresh_token: record.refreshToken, client_id: clientId, scope }, this.#options);
    } catch (cause) {
      throw refreshFailed(cause);
    }
    if (answer.error === "invalid_grant") {
      // The refresh token is dead (expired, revoked, rotated away): so is the session.
      if (this.#record()?.refreshToken === record.refreshToken) this.#expire();
      throw new MobprocError("session_expired", "the session has expired: sign in again", { oauthError: answer.error, oauthErrorDescription: answer.description });
    }
    if (!answer.ok) {
      throw refreshFailed(`the token endpoint answered HTTP ${answer.status}`, { status: answer.status, oauthError: answer.error, oauthErrorDescription: answer.description });
    }
    let raw;
    try {
      raw = this.#tokenRecord(answer, record.refreshToken);
    } catch (cause) {
      throw refreshFailed(cause);
    }
    // Signed out (or signed in anew) meanwhile: do not bring the old session back.
    if (this.#record()?.refreshToken !== record.refreshToken) throw notAuthenticated();
    this.#save(raw);
    return this.session();
  }

  async #refreshIfExpiring() {
    const record = this.#record();
    if (record === null || !this.#canRefresh() || record.expiresAt - Date.now() > this.#options.refreshSkewMs) return;
    try {
      await this.refresh();
    } catch (error) {
      // Not expired yet: carry on with the current token, and say what happened.
      if (error.code !== "refresh_failed" || Date.now() >= record.expiresAt) throw error;
      this.#events.emit("error", error);
    }
  }

  #tokenRecord(answer, previousRefreshToken) {
    const b = answer.body ?? {};
    const text = (v) => opt(typeof v === "string" ? v : undefined);
    // An integral JSON number as all its digits (1e21 too); anything else as absent.
    const expiresIn = opt(Number.isInteger(b.expires_in) && b.expires_in > 0 ? BigInt(b.expires_in) : undefined);
    return this.#core.call("t", text(b.access_token), text(b.token_type), expiresIn, text(b.refresh_token), text(b.scope), opt(previousRefreshToken), Date.now());
  }

  #denied(answer) {
    return new MobprocError("authorization_denied", `the token endpoint refused: HTTP ${answer.status}${answer.error ? `, ${answer.error}` : ""}`, {
      status: answer.status,
      oauthError: answer.error,
      oauthErrorDescription: answer.description,
    });
  }

  #canRefresh() {
    return this.#options.tokenUrl !== undefined && this.#record()?.refreshToken !== undefined;
  }

  #bearer() {
    const token = this.#usable()?.accessToken;
    return token === undefined ? null : `Bearer ${token}`;
  }

  /**
   * The Request `fetch(input, init)` would send, before its headers are set, and what the call
   * says about the context; throws when it must not be sent.
   */
  #prepare(input, init) {
    if (init !== undefined && init !== null && typeof init !== "object") throw configError("init", "must be an object (fetch's RequestInit)");
    let request, context;
    try {
      // Own properties only, as for the config: a polluted prototype must not steer the call.
      const options = { ...init };
      context = Object.hasOwn(options, "context") ? options.context : undefined;
      // A followed redirect would take the Tangoe and context headers to any origin.
      const redirect = options.redirect ?? (input instanceof Request ? input.redirect : undefined);
      options.redirect = redirect === "manual" ? redirect : "error";
      request = new Request(input instanceof Request ? input : this.#resolve(input), options);
    } catch (cause) {
      throw invalidRequest(cause);
    }
    this.#checkOrigin(new URL(request.url).origin);
    if (request.mode === "no-cors") {
      throw new MobprocError("invalid_request", 'invalid request: mode "no-cors" cannot carry the Authorization header; the request was not sent');
    }
    const own = (name) => request.headers.get(header(name));
    // A context header the caller set is this call's value (and is checked like one).
    const overrides = readContext(context, "init.context").map((v, i) => (v !== undefined ? v : own(["employeeId", "companyEmployeeId", "hierarchyId"][i]) ?? undefined));
    const call = { overrides, ownActivity: own("activityId") !== null, ownCorrelation: own("correlationId") !== null };
    return [request, call];
  }

  /** A relative reference joined onto `apiBaseUrl`, an absolute one as the browser parses it. */
  #resolve(input, field = "input") {
    try {
      if (input instanceof URL) return input.href;
      if (typeof input !== "string") throw configError(field, `must be a string${field === "input" ? ", URL or Request" : " or URL"}`);
      return this.#core.call("r", input) ?? new URL(input, this.#core.apiBaseUrl).href;
    } catch (cause) {
      throw invalidRequest(cause);
    }
  }

  /** Sets the MOBPROC headers with the current token, the context and a fresh correlation id. */
  #sign(request, call) {
    const record = this.#usable();
    if (!record) throw notAuthenticated();
    const headers = this.#headers(record.accessToken, call);
    for (let i = 0; i + 1 < headers.length; i += 2) {
      if (headers[i + 1]) request.headers.set(headers[i], headers[i + 1]);
      else request.headers.delete(headers[i]);
    }
    // Our own UUID needs no check; a caller's was checked by Headers.
    if (!call.ownCorrelation) request.headers.set(header("correlationId"), newCorrelationId());
    return request;
  }

  /**
   * The core's headers for `token` and this call, as name, value, name, value. The answer for
   * a call that changes nothing is kept until the token or the client's context changes: the
   * same question always gets the same answer, and most calls ask it.
   */
  #headers(token, call) {
    const usual = !call.ownActivity && call.overrides.every((v) => v === undefined);
    if (usual && this.#usualHeaders?.token === token) return this.#usualHeaders.headers;
    const context = [...this.#context];
    if (call.ownActivity) context[3] = undefined;
    const overrides = call.overrides.map((v) => (v === undefined ? "" : v === null ? "x" : `=${v}`));
    const headers = this.#core.call("h", token, ...context.map(opt), ...overrides).split("\n");
    if (usual) this.#usualHeaders = { token, headers };
    return headers;
  }

  /** Checks the context (all or nothing) before keeping it. */
  #setContext(context) {
    this.#core.call("v", ...context.map(opt));
    this.#context = context;
    this.#usualHeaders = null;
  }

  /** `origin_not_allowed` unless the core allows `origin` (remembered: the config never changes). */
  #checkOrigin(origin) {
    if (this.#allowedOrigins.has(origin)) return;
    this.#core.call("o", origin);
    this.#allowedOrigins.add(origin);
  }

  /** Sends, remembering the call's correlation id for `correlationId(response)` and for errors. */
  async #send(request) {
    const correlationId = request.headers.get(header("correlationId"));
    let response;
    try {
      response = await globalThis.fetch(request);
      if (typeof response?.status !== "number") throw new TypeError("fetch resolved something that is not a Response");
    } catch (cause) {
      throw networkError(cause, { correlationId });
    }
    this.#remember(response, correlationId);
    return response;
  }

  #remember(object, correlationId) {
    if (Object(object) === object) this.#correlationIds.set(object, correlationId);
  }

  /** Replaces the record in one write and tells the listeners. */
  #save(raw) {
    this.#usualHeaders = null;
    this.#store.set(this.#key, raw);
    this.#events.emit("sessionChanged", this.session());
  }

  #expire() {
    this.#usualHeaders = null;
    if (this.#record() === null) return;
    this.#store.remove(this.#key);
    this.#events.emit("sessionChanged", null);
    this.#events.emit("sessionExpired", null);
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
    } catch {
      // Corrupted: removed below.
    }
    const valid =
      record !== null &&
      typeof record === "object" &&
      typeof record.accessToken === "string" &&
      typeof record.expiresAt === "number" &&
      ["undefined", "string"].includes(typeof record.refreshToken) &&
      ["undefined", "string"].includes(typeof record.scope) &&
      this.#core.call("c", record.accessToken, opt(record.refreshToken), record.expiresAt, opt(record.scope));
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
      const returnTo = typeof pending.returnTo === "string" ? this.#core.call("u", pending.returnTo) ?? null : null;
      return { state: pending.state, returnTo };
    } catch {
      return null;
    }
  }
}

/** True when the caller gave a ReadableStream body (or a body that cannot even be looked at). */
function streamBody(init) {
  try {
    return init?.body instanceof ReadableStream;
  } catch {
    return true;
  }
}

