"use client";
// mobproc-auth/react: <MobprocProvider> and useMobproc() for React 18 and 19. Plain ES module
// (no JSX, no build step); React is the package's optional peer dependency, nothing else is
// imported but the package's own entry. "use client": React Server Components (a Next.js App
// Router layout) take it as a client component; their react-server React has no createContext.
//
// StrictMode mounts, unmounts and remounts in development, so effects run twice: the client,
// its redirect callback and the refresh on load come from `startClient`, which does them once
// per storage key per page load (in Rust), so `returnTo` reaches the tree that stays mounted.
import { createContext, createElement, useCallback, useContext, useEffect, useMemo, useState, useSyncExternalStore } from "react";
// By name, not "./index.js": in Node (a test runner's jsdom) that is node.js, the entry an app's
// own `import … from "mobproc-auth"` gets, so one module, one MobprocError and one client list.
import { MobprocError, startClient } from "mobproc-auth";

/** @typedef {import("./index.js").MobprocClient} MobprocClient */
/** @typedef {{ client: MobprocClient | null, returnTo: string | null, error: MobprocError | null }} Started */
/** @typedef {Started & { key: string, tried: string }} Outcome `tried`: the config's values */

/** @type {import("react").Context<import("./react.d.ts").MobprocState | null>} */
const Context = createContext(/** @type {import("./react.d.ts").MobprocState | null} */ (null));
Context.displayName = "Mobproc";

/** The sessionStorage key the config's token lives under: one client per key per page. @param {import("./index.js").MobprocConfig} config */
function storageKeyOf(config) {
  const { clientId, tenant, storageKey } = config ?? {};
  return typeof storageKey === "string" ? storageKey : `mobproc-auth:${clientId}:${tenant}`;
}

/** @param {unknown} config */
function valuesOf(config) {
  try {
    return JSON.stringify(config) ?? "";
  } catch {
    return ""; // a BigInt or a cycle: startClient refuses it
  }
}

/**
 * Provides one `mobproc-auth` client to the tree below. One provider per config per page: the
 * client and the redirect callback are shared by every provider (and every StrictMode effect
 * run) with the same clientId, tenant and storageKey, and the first config given for them wins.
 * @param {import("./react.d.ts").MobprocProviderProps} props
 */
export function MobprocProvider({ config, children }) {
  const key = storageKeyOf(config);
  const values = valuesOf(config);
  /** @type {[Outcome | null, (s: Outcome) => void]} */
  const [state, setState] = useState(/** @type {Outcome | null} */ (null));
  // The key's client; until there is one (a refused config, a failed load), the outcome of these
  // very values: a config with other values is tried again.
  const current = state?.key === key && (state.client || state.tried === values) ? state : null;
  const tried = current?.client ? current.tried : values;
  useEffect(() => {
    let live = true;
    startClient(config)
      .catch((/** @type {MobprocError} */ error) => ({ client: null, returnTo: null, error })) // wasm_load_failed
      .then((/** @type {Started} */ s) => live && setState({ ...s, key, tried }));
    return () => {
      live = false;
    };
    // Not the config object (one per render is fine); startClient gives a key one client.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, tried]);
  const client = current?.client ?? null;
  const subscribe = useCallback((/** @type {() => void} */ onChange) => (client ? client.subscribe(onChange) : () => {}), [client]);
  const getSession = useCallback(() => (client ? client.session() : null), [client]);
  // Also the server's (and hydration's) snapshot: no client there, so null.
  const session = useSyncExternalStore(subscribe, getSession, getSession);
  const error = current?.error ?? null;
  const login = useCallback(
    (/** @type {import("./index.js").LoginOptions | import("./index.js").HandlerEvent | undefined} */ options) => {
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
  if (value === null) throw new MobprocError("unsupported", "mobproc-auth/react: useMobproc() outside a <MobprocProvider config={…}>; render it below one");
  return value;
}
