// mobproc-auth/react: <MobprocProvider> and useMobproc() for React 18 and 19. Plain ES module
// (no JSX, no build step); React is the package's optional peer dependency, nothing else is
// imported but the package's own entry.
//
// StrictMode mounts, unmounts and remounts in development, so effects run twice. The client and
// its handleRedirectCallback() therefore live in a module-level cache, one entry per storage key
// (clientId, tenant, storageKey) per page load: every effect run, kept or discarded, awaits the
// same promise, the callback runs once, and its `returnTo` reaches the tree that stays mounted.
import { createContext, createElement, useCallback, useContext, useEffect, useMemo, useState, useSyncExternalStore } from "react";
import { createClient, MobprocError } from "./index.js";

/** @typedef {import("./index.js").MobprocClient} MobprocClient */
/** @typedef {import("./index.js").MobprocConfig} MobprocConfig */
/** @typedef {import("./index.js").MobprocSession} MobprocSession */
/** @typedef {{ client: MobprocClient | null, returnTo: string | null, error: MobprocError | null }} Started */

/** @type {import("react").Context<import("./react.d.ts").MobprocState | null>} */
const Context = createContext(/** @type {import("./react.d.ts").MobprocState | null} */ (null));
Context.displayName = "Mobproc";

/** What each storage key started this page load: one client, one callback. @type {Map<string, Promise<Started>>} */
const started = new Map();

/** The sessionStorage key the config's token lives under: one client per key per page. @param {MobprocConfig} config */
function storageKeyOf(config) {
  const { clientId, tenant, storageKey } = config ?? {};
  return typeof storageKey === "string" ? storageKey : `mobproc-auth:${clientId}:${tenant}`;
}

/** @param {unknown} error */
function asMobprocError(error) {
  return error instanceof MobprocError
    ? error
    : new MobprocError("unsupported", `mobproc-auth/react: ${String(error)}`, { cause: error });
}

/**
 * Creates the client, finishes a sign-in if Tangoe just redirected back, and, when the stored
 * access token has expired but `tokenUrl` is set, tries its refresh token once. Once per key
 * per page load; a failed createClient is forgotten so a later mount (a fixed config) tries again.
 * @param {string} key @param {MobprocConfig} config @returns {Promise<Started>}
 */
function start(key, config) {
  let promise = started.get(key);
  if (promise) return promise;
  promise = (async () => {
    /** @type {MobprocClient} */
    let client;
    try {
      client = await createClient(config);
    } catch (error) {
      started.delete(key);
      return { client: null, returnTo: null, error: asMobprocError(error) };
    }
    try {
      const result = await client.handleRedirectCallback();
      /** @type {MobprocError | null} */
      let error = null;
      if (!result && config.tokenUrl && !client.isAuthenticated()) {
        // A reload after the access token expired: the refresh token may still carry the
        // session. Nothing stored (or no refresh token): not_authenticated, i.e. signed out.
        await client.refresh().catch((/** @type {unknown} */ e) => {
          if (!(e instanceof MobprocError && e.code === "not_authenticated")) error = asMobprocError(e);
        });
      }
      return { client, returnTo: result?.returnTo ?? null, error };
    } catch (error) {
      return { client, returnTo: null, error: asMobprocError(error) };
    }
  })();
  started.set(key, promise);
  return promise;
}

/** @returns {() => void} */
const nothing = () => () => {};
const noSession = () => null;

/**
 * Subscribes `onChange` to the client's session: `sessionChanged`, and the moment the current
 * access token expires (`session()` reads null then, without an event).
 * @param {MobprocClient} client @param {() => void} onChange
 */
function watchSession(client, onChange) {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  const plan = () => {
    clearTimeout(timer);
    const session = client.session();
    if (!session) return;
    // setTimeout holds at most 2^31 - 1 ms; a longer wait simply wakes up and plans again.
    const delay = Math.min(Math.max(session.expiresAt - Date.now() + 1, 0), 0x7fffffff);
    timer = setTimeout(() => {
      onChange();
      plan();
    }, delay);
  };
  const off = client.on("sessionChanged", () => {
    plan();
    onChange();
  });
  plan();
  return () => {
    off();
    clearTimeout(timer);
  };
}

/**
 * Provides one `mobproc-auth` client to the tree below. One provider per config per page: the
 * client and the redirect callback are shared by every provider (and every StrictMode effect
 * run) with the same clientId, tenant and storageKey, and the first config given for them wins.
 * @param {import("./react.d.ts").MobprocProviderProps} props
 */
export function MobprocProvider({ config, children }) {
  const key = storageKeyOf(config);
  /** @type {[Started & { key: string } | null, (s: Started & { key: string }) => void]} */
  const [state, setState] = useState(/** @type {Started & { key: string } | null} */ (null));
  useEffect(() => {
    let live = true;
    start(key, config).then((s) => live && setState({ ...s, key }));
    return () => {
      live = false;
    };
    // The key alone decides which client this is; a new config object per render is fine.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  const current = state?.key === key ? state : null;
  const client = current?.client ?? null;
  const subscribe = useCallback((/** @type {() => void} */ onChange) => (client ? watchSession(client, onChange) : nothing()), [client]);
  const getSession = useCallback(() => (client ? client.session() : null), [client]);
  const session = useSyncExternalStore(subscribe, getSession, noSession);
  const error = current?.error ?? null;
  const login = useCallback(
    (/** @type {import("./index.js").LoginOptions | undefined} */ options) => {
      if (client) return client.login(options);
      throw error ?? new MobprocError("unsupported", "mobproc-auth/react: login() before the client is ready; wait until isLoading is false");
    },
    [client, error],
  );
  const logout = useCallback(() => client?.logout(), [client]);
  const value = useMemo(
    () => ({
      client,
      session,
      isAuthenticated: session !== null,
      isLoading: current === null,
      login,
      logout,
      returnTo: current?.returnTo ?? null,
      error,
    }),
    [client, session, current, login, logout, error],
  );
  return createElement(Context.Provider, { value }, children);
}

/**
 * The client and session of the nearest `<MobprocProvider>`.
 * @returns {import("./react.d.ts").MobprocState}
 */
export function useMobproc() {
  const value = useContext(Context);
  if (value === null) throw new Error("useMobproc() must be used inside <MobprocProvider config={…}> (from mobproc-auth/react)");
  return value;
}
