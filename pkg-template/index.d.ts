/** Configuration of `createClient`. Unknown fields are refused (`config_invalid`). */
export interface MobprocConfig {
  /** OAuth client_id; also sent as the `client_id` header. */
  clientId: string;
  /** Tenant code, sent as `X-TNGO-TENANT`. */
  tenant: string;
  /** Base URL of the MOBPROC API, e.g. `https://tngo-mobproc.cloudhub.io/mobproc/v1`. */
  apiBaseUrl: string;
  /** PingFederate's `/as/authorization.oauth2`. Required for sign-in. */
  authorizeUrl?: string;
  /** Where Tangoe sends the browser back after sign-in. Required for sign-in. */
  redirectUri?: string;
  /** OAuth scope; default `"MOBPROC"`. */
  scope?: string;
  /** Extra origins (`https://host[:port]`) that may receive the token; the API's origin always may. */
  allowedOrigins?: string[];
  /** sessionStorage key of the token record; default `mobproc-auth:<clientId>:<tenant>`. */
  storageKey?: string;
}

/** What the application may see of a session: no token values. */
export interface MobprocSession {
  /** Expiry of the access token, in ms since the epoch. */
  expiresAt: number;
  /** Granted scope, when the server said. */
  scope: string | null;
  /** Whether a refresh token is held. */
  hasRefreshToken: boolean;
}

/** Options of `login` and `authorizeUrl`. */
export interface LoginOptions {
  /** A same-origin path (`/orders?id=1`) handed back by `handleRedirectCallback`; anything else is dropped. */
  returnTo?: string;
}

/** Stable error codes. */
export type MobprocErrorCode =
  | "config_invalid"
  | "state_mismatch"
  | "authorization_denied"
  | "invalid_callback"
  | "not_authenticated"
  | "origin_not_allowed"
  | "invalid_request"
  | "network_error"
  | "unsupported"
  | "wasm_load_failed";

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
  /** `authorization_denied`: the server's `error`. */
  readonly oauthError?: string;
  /** `authorization_denied`: the server's `error_description`. */
  readonly oauthErrorDescription?: string;
  /** The underlying error (e.g. fetch's `TypeError` for `network_error`). */
  readonly cause?: unknown;
}

/** A MOBPROC client; make one with `createClient`. */
export class MobprocClient {
  private constructor();
  /** Starts a sign-in and returns the authorization URL without navigating. */
  authorizeUrl(options?: LoginOptions): string;
  /** Starts a sign-in and navigates to Tangoe's sign-in page. */
  login(options?: LoginOptions): void;
  /** On every page load: `null` without an OAuth response in the URL, else `{ returnTo }`. */
  handleRedirectCallback(): Promise<{ returnTo: string | null } | null>;
  /** True when an unexpired token is stored. */
  isAuthenticated(): boolean;
  /** The session without token values, or `null`. */
  session(): MobprocSession | null;
  /** The raw access token, for the rare caller that must place it elsewhere. */
  accessToken(): string | null;
  /** `fetch` with `X-TNGO-TENANT`, `client_id` and the bearer added; relative URLs join `apiBaseUrl`. */
  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  /** Forgets the token and any pending sign-in. */
  logout(): void;
}

/** Loads the WebAssembly module once and returns a client for `config`. */
export function createClient(config: MobprocConfig): Promise<MobprocClient>;
