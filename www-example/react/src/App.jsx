import { useEffect, useState } from "react";
import { useMobproc } from "mobproc-auth/react";

export function App() {
  const { client, session, isAuthenticated, isLoading, login, logout, returnTo, error } = useMobproc();
  const [path, setPath] = useState(() => location.pathname + location.search);
  // What login() threw (storage_unavailable when sessionStorage refuses the sign-in's state):
  // an event handler's error never reaches the tree by itself.
  const [loginError, setLoginError] = useState(/** @type {import("mobproc-auth").MobprocError | null} */ (null));
  const signIn = () => {
    setLoginError(null);
    try {
      login({ returnTo: location.pathname + location.search });
    } catch (thrown) {
      setLoginError(/** @type {import("mobproc-auth").MobprocError} */ (thrown));
    }
  };

  // Back from Tangoe: go where the user was when they clicked "Sign in". With a router,
  // navigate(returnTo, { replace: true }) instead.
  useEffect(() => {
    if (returnTo) {
      history.replaceState(history.state, "", returnTo);
      setPath(returnTo);
    }
  }, [returnTo]);

  if (isLoading) return <main aria-busy="true">Loading…</main>;

  return (
    <main data-ready="true">
      <header>
        <h1>MOBPROC · React</h1>
        {isAuthenticated && (
          <button id="sign-out" onClick={() => logout()}>
            Sign out
          </button>
        )}
      </header>
      <p>
        Page: <code id="path">{path}</code>
      </p>
      {(error ?? loginError) && <ErrorPanel error={error ?? loginError} />}
      {isAuthenticated && client ? (
        <SignedIn client={client} session={session} />
      ) : (
        <section id="signed-out">
          <p>You are signed out.</p>
          {/* Comes back to this page after the sign-in (returnTo: a same-origin path). */}
          <button id="sign-in" onClick={signIn}>
            Sign in with Tangoe
          </button>
        </section>
      )}
    </main>
  );
}

/** @param {{ client: import("mobproc-auth").MobprocClient, session: import("mobproc-auth").MobprocSession | null }} props */
function SignedIn({ client, session }) {
  return (
    <section id="signed-in">
      <h2>Session</h2>
      {session && <SessionPanel session={session} />}
      <Call id="ping" label="GET /ping" run={() => client.fetchJson("/ping?echoText=hello%20from%20React")} />
      <Call id="me" label="GET /me" run={() => client.fetchJson("/me")} />
    </section>
  );
}

/** @param {{ session: import("mobproc-auth").MobprocSession }} props */
function SessionPanel({ session }) {
  const now = useNow();
  const left = Math.max(0, Math.round((session.expiresAt - now) / 1000));
  return (
    <dl id="session">
      <dt>Expires</dt>
      <dd id="expires-at" data-expires-at={session.expiresAt}>
        {new Date(session.expiresAt).toLocaleTimeString()} (in {Math.floor(left / 60)}:{String(left % 60).padStart(2, "0")})
      </dd>
      <dt>Scope</dt>
      <dd id="scope">{session.scope ?? "—"}</dd>
      <dt>Refresh token</dt>
      <dd id="refresh-token">{session.hasRefreshToken ? "yes" : "no"}</dd>
    </dl>
  );
}

/** A button that runs one API call and shows its JSON answer or its MobprocError. */
function Call({ id, label, run }) {
  const [result, setResult] = useState(/** @type {{ ok: unknown } | { error: any } | null} */ (null));
  const [busy, setBusy] = useState(false);
  const click = async () => {
    setBusy(true);
    try {
      setResult({ ok: await run() });
    } catch (error) {
      setResult({ error });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="call">
      <button id={`${id}-button`} onClick={click} disabled={busy}>
        {label}
      </button>
      {result && "ok" in result && <pre id={`${id}-result`}>{JSON.stringify(result.ok, null, 2)}</pre>}
      {result && "error" in result && <ErrorPanel error={result.error} />}
    </div>
  );
}

/** @param {{ error: any }} props */
function ErrorPanel({ error }) {
  return (
    <div className="error" role="alert" data-code={error?.code ?? "error"}>
      <strong>{error?.code ?? "error"}</strong>: {error?.message ?? String(error)}
      {error?.correlationId && (
        <div>
          correlation id (quote it to Tangoe support): <code>{error.correlationId}</code>
        </div>
      )}
    </div>
  );
}

/** The time, once a second. */
function useNow() {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}
