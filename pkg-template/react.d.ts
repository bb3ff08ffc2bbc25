import type { ReactElement, ReactNode } from "react";
import type { HandlerEvent, LoginOptions, MobprocClient, MobprocConfig, MobprocError, MobprocSession } from "./index.js";

/** Props of `<MobprocProvider>`. */
export interface MobprocProviderProps {
  /**
   * The `createClient` config. Read once per page load for its clientId, tenant and storageKey:
   * one provider per config per page (a new object with the same values on every render is fine;
   * another clientId, tenant or storageKey makes another client). Until there is a client (a
   * refused config, `config_invalid`, or `wasm_load_failed`), a config with other values is
   * tried again.
   */
  config: MobprocConfig;
  children?: ReactNode | undefined;
}

/** What `useMobproc()` returns. */
export interface MobprocState {
  /** The client, once created; `null` while loading or when `createClient` failed (see `error`). */
  readonly client: MobprocClient | null;
  /** `client.session()`: the session without token values, or `null` (signed out, loading, or the access token expired). */
  readonly session: MobprocSession | null;
  /** `session !== null`. */
  readonly isAuthenticated: boolean;
  /** True until the client is created, the redirect callback handled and (with `tokenUrl`) an expired session's refresh tried. */
  readonly isLoading: boolean;
  /** `client.login(options)`: goes to Tangoe's sign-in page. Throws `error`, or `unsupported`, while there is no client. */
  readonly login: (options?: LoginOptions | HandlerEvent | undefined) => void;
  /** `client.logout()`; does nothing while there is no client. */
  readonly logout: () => void;
  /** The same-origin path given to `login({ returnTo })`, handed back by this page load's redirect callback; else `null`. Navigate there with your router. */
  readonly returnTo: string | null;
  /** A `MobprocError` from `createClient`, the redirect callback (e.g. `state_mismatch`, `authorization_denied`) or the refresh on load; else `null`. Background errors: `client.on("error", …)`. */
  readonly error: MobprocError | null;
}

/**
 * Creates one client per page load for `config`, handles the redirect callback once (StrictMode
 * safe), and gives both to `useMobproc()` below it.
 */
export function MobprocProvider(props: MobprocProviderProps): ReactElement;

/** The nearest `<MobprocProvider>`'s client and session; throws a `MobprocError` (`unsupported`) when there is none. */
export function useMobproc(): MobprocState;
