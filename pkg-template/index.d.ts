/** Configuration of `createClient`. Unknown fields are refused (`config_invalid`). */
export interface MobprocConfig {
  /** OAuth client_id; also sent as the `client_id` header. 1 to 256 visible ASCII characters, no spaces (as `tenant` and `clientSecret`). */
  clientId: string;
  /** Tenant code, sent as `X-TNGO-TENANT`. */
  tenant: string;
  /** Base URL of the MOBPROC API, e.g. `https://tngo-mobproc.cloudhub.io/mobproc/v1`. */
  apiBaseUrl: string;
  /** PingFederate's `/as/authorization.oauth2`. Required for sign-in. */
  authorizeUrl?: string | undefined;
  /** Where Tangoe sends the browser back after sign-in. Required for sign-in. */
  redirectUri?: string | undefined;
  /**
   * `"token"` (default): Tangoe's documented implicit grant, the token comes back in the URL
   * fragment. `"code"`: the authorization code grant with PKCE (S256); the code is exchanged at
   * `tokenUrl`, which is then required (`config_invalid` without it).
   */
  responseType?: "token" | "code" | undefined;
  /** OAuth scope; default `"MOBPROC"`. */
  scope?: string | undefined;
  /** Extra origins (`https://host[:port]`, at most 64) that may receive the token; the API's origin always may. */
  allowedOrigins?: readonly string[] | undefined;
  /** sessionStorage key of the token record (1 to 200 characters); default `mobproc-auth:<clientId>:<tenant>`. In Node each client keeps its token in its own memory whatever the key (`startClient` keeps one client per key). */
  storageKey?: string | undefined;
  /** PingFederate's `/as/token.oauth2`: enables refresh, the password grant and validation. In a page, the relay's URL: Tangoe refuses a refresh without the client secret. */
  tokenUrl?: string | undefined;
  /** Tangoe's token validator service (`GET …?access_token=`); else `tokenUrl` validates. Server-side JavaScript only: refused in a browser page or worker (`config_invalid`), whose console shows the URL, token included, of a request that fails; a page validates through `tokenUrl`, the relay (Tangoe asks for the client secret). */
  validateUrl?: string | undefined;
  /** RFC 7009 revocation endpoint: `logout()` revokes both tokens there, in the background. */
  revokeUrl?: string | undefined;
  /** Refresh before a call when the token expires within this many seconds (0 to 86400); default 60. Keep it well below the token's lifetime: a token that lives no longer is refreshed before every call. */
  refreshSkewSeconds?: number | undefined;
  /** Abort token, validation and revocation calls after this many ms (1 to 600000); default 30000. A call cut short is `network_error` (`refresh_failed` for a refresh) whose `cause` is named `TimeoutError`; `timeout` is `loginPopup`'s code only. */
  timeoutMs?: number | undefined;
  /** A confidential client's secret. Server-side JavaScript only: refused in a browser page or worker. */
  clientSecret?: string | undefined;
  /** How the secret is sent: HTTP Basic (default) or form body parameters. */
  clientAuth?: "basic" | "body" | undefined;
  /** Act for another employee, or in a hierarchy, on every call; `client.setContext` changes it. */
  context?: MobprocContext | null | undefined;
  /** `X-TNGO-CONTEXT-ACTIVITYID` on every call, to group them for Tangoe support; `client.setActivityId` changes it. */
  activityId?: string | null | undefined;
  /**
   * Default true: a new tab of the same origin, client and tenant gets the session from an open
   * tab over a `BroadcastChannel` (never localStorage); signing out in one tab signs out all;
   * tabs refresh the token once between them (Web Locks). False keeps each tab on its own.
   */
  shareSessionAcrossTabs?: boolean | undefined;
}

/**
 * On whose behalf calls act (Tangoe's context headers). Each value: 1 to 256 printable ASCII
 * characters without surrounding spaces, else `config_invalid` naming the field.
 */
export interface MobprocContext {
  /** `X-TNGO-CONTEXT-EMPLOYEEID`: Tangoe's id of the employee to act for; wins over `companyEmployeeId`. */
  employeeId?: string | null | undefined;
  /** `X-TNGO-CONTEXT-COMPANYEMPLOYEEID`: the customer's id (e.g. e-mail) of the employee to act for. */
  companyEmployeeId?: string | null | undefined;
  /** `X-TNGO-CONTEXT-HIERARCHYID`: the organisational hierarchy to use. */
  hierarchyId?: string | null | undefined;
}

/** `init` of `client.fetch`: fetch's, plus this call's context. `redirect` is `"error"` unless you say `"manual"`: a followed redirect would take the headers to any origin. */
export interface MobprocRequestInit extends RequestInit {
  /** Overrides the client's context for this call: a value replaces, `null` removes the header, a missing field inherits; a call that gives `employeeId` or `companyEmployeeId` (a value or `null`) inherits neither of the client's, nor the request's own header for the other (they name one actor). */
  context?: MobprocContext | undefined;
}

/** `init` of `client.fetchJson`. */
export interface MobprocJsonInit extends MobprocRequestInit {
  /** Sent as the JSON body (`Content-Type: application/json`; the method defaults to POST). Not with `body`. */
  json?: unknown;
}

/** Options of `client.paginate`. */
export interface PaginateOptions {
  /** Page size (`limit` query parameter), at least 1; Tangoe's default otherwise. */
  limit?: number | undefined;
  /** Index of the first item (`offset`), at least 0. */
  offset?: number | undefined;
  /** Stop with `pagination_loop` after this many pages; default 1000. */
  maxPages?: number | undefined;
  /** Overrides the client's context for every page, as `init.context` does for a call (a shared server client's per-employee walk). */
  context?: MobprocContext | undefined;
}

/** A page of a MOBPROC collection: the items under their own key, and Tangoe's `_meta` links. */
export interface MobprocPage {
  _meta?: { href?: string; hrefNext?: string; hrefPrevious?: string; hrefStart?: string; hrefEnd?: string; limit?: number; offset?: number; totalCount?: number };
  [items: string]: unknown;
}

/** Tangoe's answer to `validate()`. */
export interface MobprocValidation {
  scope: string | null;
  /** Seconds the token has left. */
  expiresIn: number | null;
  clientId: string | null;
  tenant: string | null;
  platform: string | null;
  multitenant: boolean;
  /** The domain the token is good for (`"*"` in Tangoe's example). */
  domain: string | null;
  identityProvider: string | null;
  identifier: string | null;
}

/** Events of `client.on`. */
export interface MobprocEvents {
  /** Sign-in, refresh or sign-out: the new session, or null. */
  sessionChanged: MobprocSession | null;
  /** The session ended because the server no longer accepts it (a 401, or a dead refresh token once the access token expired). */
  sessionExpired: null;
  /** The session cannot be refreshed (no refresh token, no `tokenUrl`, or the token endpoint refused this client a refresh) and ends at `expiresAt` (ms since the epoch): said once, `refreshSkewSeconds` before, so the app can save its state and call `login({ returnTo })`. */
  sessionExpiring: { expiresAt: number };
  /** An error raised in the background (a refresh before a call, revocation, storage, a listener). */
  error: MobprocError;
}

/** What the application may see of a session: no token values. A frozen snapshot. */
export interface MobprocSession {
  /** Expiry of the access token, in ms since the epoch. */
  readonly expiresAt: number;
  /** Granted scope: the server's; when its answer names none (or one that is no scope), the one asked for (a refresh keeps the session's). `null` only for a session stored by an older version. */
  readonly scope: string | null;
  /** Whether a refresh token is held. */
  readonly hasRefreshToken: boolean;
}

/** Options of `login` and `authorizeUrl`. At run time, a key that names `returnTo` or `timeoutMs` another way (`return_to`, `returnUrl`, `returTo`, `timeout`) is `config_invalid` naming it; other keys are ignored. */
export interface LoginOptions {
  /** A same-origin path (`/orders?id=1`) handed back by `handleRedirectCallback`; anything else is dropped. */
  returnTo?: string | undefined;
  /** Ignored (a redirect has no timeout): taken so that a blocked `loginPopup`'s options can be handed to `login`. */
  timeoutMs?: number | undefined;
}

/** Options of `loginPopup`. At run time, a key that names `returnTo` or `timeoutMs` another way (`return_to`, `timoutMs`, `timeout`) is `config_invalid` naming it; other keys are ignored. */
export interface PopupOptions {
  /** A same-origin path (`/orders?id=1`), as for `login`; anything else is dropped. */
  returnTo?: string | undefined;
  /** Reject with `timeout` when the sign-in has not come back after this many ms (1 to 3600000); default 300000 (5 minutes). */
  timeoutMs?: number | undefined;
}

/** An event given to `login` or `loginPopup` used as a handler (`onClick={client.login}`): it counts as no options. */
export interface HandlerEvent {
  readonly type: string;
}

/** Stable error codes. */
export type MobprocErrorCode =
  | "config_invalid"
  | "state_mismatch"
  | "authorization_denied"
  | "invalid_callback"
  | "invalid_token_response"
  | "not_authenticated"
  | "origin_not_allowed"
  | "refresh_failed"
  | "session_expired"
  | "token_invalid"
  | "insecure_grant"
  | "revoke_failed"
  | "storage_unavailable"
  | "listener_failed"
  | "invalid_request"
  | "api_error"
  | "pagination_loop"
  | "network_error"
  | "unsupported"
  | "wasm_load_failed"
  /** `loginPopup`: the browser did not open the popup (call it from a click). */
  | "popup_blocked"
  /** `loginPopup`: the popup was closed before the sign-in came back. */
  | "popup_closed"
  /** `loginPopup`: no sign-in came back within `timeoutMs`. */
  | "timeout";

/** Every error the package throws. */
export class MobprocError extends Error {
  constructor(code: MobprocErrorCode, message: string, details?: Record<string, unknown>);
  readonly name: "MobprocError";
  /** Stable code to branch on. */
  readonly code: MobprocErrorCode;
  /** `config_invalid`: the config field (or argument) that is wrong. */
  readonly field?: string;
  /** `origin_not_allowed`: the refused origin. */
  readonly origin?: string;
  /** The OAuth `error` of a token endpoint or authorization answer: `authorization_denied`, `token_invalid`, `refresh_failed`, `session_expired`. */
  readonly oauthError?: string;
  /** Its `error_description`, where it gave one (replaced whole when it quoted what was sent). */
  readonly oauthErrorDescription?: string;
  /** HTTP status of the answer the error is about, where one came (none for a `paginate` page that is not an object or names a bad link). */
  readonly status?: number;
  /** The underlying error (for `network_error`, your signal's abort reason itself, or a plain `Error` (a `TypeError` where `fetch` threw one) copying the `name`, `message`, `code` and `syscall` of what `fetch` threw and of its `cause`s, secrets hidden; none when Tangoe's token endpoint or validator answered 5xx, 429 or 408, or a grant's answer was no OAuth error (a wrong `tokenUrl`'s 404): `network_error` with `status`). */
  readonly cause?: unknown;
  /** `api_error`, `network_error`: the call's `X-TNGO-CONTEXT-CORRELATIONID`, to quote to Tangoe support. */
  readonly correlationId?: string;
  /** `api_error`: Tangoe's `errorCode`, e.g. `400-Region_id-Account-Id-error`. */
  readonly errorCode?: string;
  /** `api_error`: Tangoe's error `id`. */
  readonly id?: string;
  /** `api_error`: Tangoe's `message`, verbatim (at most 1000 characters, as `errorCode` and `id`). */
  readonly apiMessage?: string;
  /** `api_error` when the body is not Tangoe's error shape: its text (at most 1000 characters). */
  readonly body?: string;
  /** `api_error` or `refresh_failed` with `Retry-After` (e.g. 429): seconds to wait. */
  readonly retryAfter?: number;
  /** `pagination_loop`: the link already fetched, or (after `maxPages` pages) the next one, not fetched. */
  readonly href?: string;
}

/** A MOBPROC client; make one with `createClient` or `startClient` (they load the module, bind the methods apps hand on alone and join the other tabs' session: `new` does none of that). */
export class MobprocClient {
  private constructor();
  /** Starts a sign-in and returns the authorization URL without navigating. When sessionStorage refuses the sign-in's state (full, blocked, or Node), it is kept in this page's memory only: the answer must come back to this page (a popup or frame the app opens), or it is `state_mismatch`. */
  authorizeUrl(options?: LoginOptions): string;
  /**
   * Starts a sign-in and navigates to Tangoe's sign-in page. Throws `storage_unavailable`, and
   * does not navigate, when sessionStorage refuses the sign-in's state (full, or blocked): the
   * page Tangoe comes back to could not check the answer. Bound to the client, as `loginPopup`,
   * `logout` and `refresh`: `onClick={client.login}` works (an event is no options).
   */
  login(options?: LoginOptions | HandlerEvent): void;
  /**
   * Starts a sign-in in a popup and resolves with the session once it is back; the page stays.
   * The popup opens Tangoe's sign-in and comes back to `redirectUri`, whose page calls
   * `handleRedirectCallback()` as on every load: there it hands the response to this page (over
   * a same-origin `BroadcastChannel`) and closes the popup. Call it from a click, or the
   * browser may block the popup (`popup_blocked`); `popup_closed` and `timeout` (default 5
   * minutes) end a sign-in that does not come back, and so does `logout()` (`popup_closed`; it
   * closes the popup; one that a COOP severed stays open, and while this page is open a sign-in completed there is dropped and its tokens revoked). Called again while its popup is open (a
   * double click), it focuses that popup and resolves with the same outcome; once the popup is
   * out of sight (closed, or severed by a Cross-Origin-Opener-Policy) a new call starts a new
   * sign-in. `returnTo` is used only if this page is gone when the sign-in ends: the popup then
   * completes it itself and its `handleRedirectCallback()` resolves `{ returnTo }`; so it does
   * when this page, busy or asleep in the background, does not take the answer within 1 s
   * (`timeout` here, saying so; the session reaches this page through tab sharing). Rejects
   * with `storage_unavailable`, opening nothing, when sessionStorage refuses the sign-in's state
   * (the popup starts with a copy of it).
   */
  loginPopup(options?: PopupOptions | HandlerEvent): Promise<MobprocSession>;
  /**
   * On every page load: `null` without an OAuth response in the URL, else `{ returnTo }`.
   * Idempotent within a page load: a second call (e.g. React StrictMode's second effect)
   * resolves the same result as the first, and the response is handled once.
   */
  handleRedirectCallback(): Promise<{ returnTo: string | null } | null>;
  /** True when an unexpired token is stored. */
  isAuthenticated(): boolean;
  /** The session without token values, or `null`. */
  session(): MobprocSession | null;
  /** The raw access token, for the rare caller that must place it elsewhere. */
  accessToken(): string | null;
  /** `fetch` with `X-TNGO-TENANT`, `client_id` and the bearer added; relative URLs join `apiBaseUrl`. Bound to the client: it can be handed on alone (`{ fetch: client.fetch }`). */
  fetch(input: Request | string | URL, init?: MobprocRequestInit): Promise<Response>;
  /** `fetch` for JSON: the parsed body on 2xx (`null` when empty, as for 204), else `api_error` with Tangoe's fields. Bound to the client, as `fetch`. */
  fetchJson<T = unknown>(input: Request | string | URL, init?: MobprocJsonInit): Promise<T | null>;
  /** The pages of a collection, following `_meta.hrefNext` (allowed origins only, never twice): `for await`. Bound to the client, as `fetch`. */
  paginate<T = Record<string, unknown>>(path: string | URL, options?: PaginateOptions): AsyncGenerator<T & MobprocPage, void, undefined>;
  /** The `X-TNGO-CONTEXT-CORRELATIONID` a call was sent with: give `fetch`'s `Response`, or the object `fetchJson` or `paginate` resolved; else `null`. */
  correlationId(value: unknown): string | null;
  /** Replaces the context of the calls made from now on (one already made keeps its own, replay included, and so do the pages of a `paginate` already called); `null` to act as the signed-in user. Checked at once (`config_invalid`). A server client shared by many employees passes `init.context` per call (`{ context }` to `paginate`) instead. */
  setContext(context: MobprocContext | null): void;
  /** `X-TNGO-CONTEXT-ACTIVITYID` on the calls made from now on; `null` to stop. */
  setActivityId(activityId: string | null): void;
  /**
   * Forgets the token and any pending sign-in, and ends the sign-ins under way: the page's,
   * whichever client started them (a `loginPopup` rejects with `popup_closed` and its popup is
   * closed, or, if a COOP severed it, stays open and, while this page is open, has a sign-in
   * completed there dropped and its tokens revoked; a code exchange in `handleRedirectCallback` stores nothing and rejects with
   * `not_authenticated`), and this client's `signInWithPassword` (`not_authenticated`). In Node
   * the page is the process, whose other clients are other users: their work is untouched. Revokes
   * both tokens in the background when `revokeUrl` is set.
   */
  logout(): void;
  /** A new access token (and Tangoe's rotated refresh token); one request however many callers wait. `refresh_failed` for a session without a refresh token (an implicit sign-in), and for one whose refresh token is refused (`invalid_grant`) while its access token lasts: that is kept until it expires. `not_authenticated` without a session, or with an expired one that has no refresh token; `config_invalid` (`tokenUrl`) without `tokenUrl`. */
  refresh(): Promise<MobprocSession | null>;
  /** Asks Tangoe whether the access token is valid (`token_invalid` if not; `invalid_token_response` for a 2xx answer that is no validation, without `expires_in`). */
  validate(): Promise<MobprocValidation>;
  /** Server-side JavaScript only (`insecure_grant` in a browser page or worker): the password grant with `clientSecret`. Over a session it replaces that one without revoking it (the two may share a grant): `logout()` first to end it. */
  signInWithPassword(credentials: { username: string; password: string }): Promise<MobprocSession | null>;
  /** Subscribes to an event; returns the function that unsubscribes. */
  on<K extends keyof MobprocEvents>(name: K, listener: (value: MobprocEvents[K]) => void): () => void;
  /**
   * Calls `onChange` whenever `session()` may read differently: `sessionChanged`, and the
   * moment the access token expires (when `session()` turns `null` without an event). Returns the
   * function that unsubscribes. `useSyncExternalStore((f) => client.subscribe(f), () => client.session())`.
   */
  subscribe(onChange: () => void): () => void;
}

/** Loads the WebAssembly module once and returns a client for `config`. */
export function createClient(config: MobprocConfig): Promise<MobprocClient>;

/** What `startClient` resolves. */
export interface MobprocStart {
  /** The client; `null` when `createClient` would have failed (see `error`). */
  readonly client: MobprocClient | null;
  /** This page load's `handleRedirectCallback()` result: the `returnTo` of the sign-in, or `null`. */
  readonly returnTo: string | null;
  /** From the config, the redirect callback, or the refresh tried when the stored access token has expired (with `tokenUrl`). */
  readonly error: MobprocError | null;
}

/**
 * For hosts whose effects run twice (React StrictMode): the client, its redirect callback and,
 * with `tokenUrl`, one refresh when the stored access token has expired, done once per storage
 * key per page load however many times it is called; every call resolves the same object. A
 * refused config or a failed `createClient` is not kept, so a later call tries again.
 * `mobproc-auth/react` is built on it. Rejects only with `wasm_load_failed`.
 */
export function startClient(config: MobprocConfig): Promise<MobprocStart>;
