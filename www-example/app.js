// The developer portal: signs in with mobproc-auth and tries a few MOBPROC calls.
// Plain ES module, no framework, no build step. The token itself is never read here:
// the library keeps it in sessionStorage and adds it to `client.fetch` calls.

import { createClient, MobprocError } from "mobproc-auth";
import config from "/config.js";

/** Items per page of the employees table (Previous / Next). */
const PAGE_SIZE = 10;
/** Items per request of "Load all" (`client.paginate`). */
const LOAD_ALL_LIMIT = 25;
/**
 * This page load's activity id: the library sends it as `X-TNGO-CONTEXT-ACTIVITYID` on every
 * call, so Tangoe support can find all of them from one id.
 */
const ACTIVITY_ID = `portal-${randomHex(6)}`;

/** @template {HTMLElement} T @param {string} id @returns {T} */
const $ = (id) => /** @type {T} */ (document.getElementById(id));

/** @type {import("mobproc-auth").MobprocClient | null} */
let client = null;
/** The employee the calls act as (`client.setContext`), or null for oneself. Memory only. */
let actAs = null;
/** Why the act-as field's value was refused (the library's `config_invalid` message), or null. */
let actAsRefused = null;
/** @type {ReturnType<typeof setInterval> | undefined} */
let ticker;
/**
 * The session on screen, or null when signed out. It outlives the access token when a refresh
 * token is held and the config has `tokenUrl`: then the next call refreshes (the library's
 * `session()` reads null for an expired token, refreshable or not).
 * @type {import("mobproc-auth").MobprocSession | null}
 */
let shown = null;
/** True while a popup sign-in is under way: its new session is not a refresh. */
let signingIn = false;
/** When the session that `sessionExpiring` announced ends (ms), or null. */
let ending = null;
/** Refreshes seen since this page loaded (`sessionChanged` with a session), and the last one's time. */
let refreshes = { count: 0, /** @type {number | null} */ last: null };

/** @param {number} bytes @returns {string} `bytes` random bytes as hex */
function randomHex(bytes) {
  return [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

// ---------------------------------------------------------------------------------------
// Errors

/**
 * The MobprocError fields the error panel lists, in this order. `api_error` brings the HTTP
 * `status`, Tangoe's `errorCode`, `id` and message (`apiMessage`), `retryAfter` (seconds) or the
 * `body` of a non-Tangoe answer; every call's error brings its `correlationId`.
 */
const ERROR_FIELDS = [
  "status", "errorCode", "id", "apiMessage", "retryAfter", "body",
  "field", "origin", "href", "oauthError", "oauthErrorDescription", "correlationId",
];

/**
 * Shows an error: a MobprocError's code, message and fields, or anything else as `unexpected`.
 * @param {unknown} error
 */
function showError(error) {
  if (error instanceof MobprocError) {
    /** @type {Record<string, unknown>} */
    const details = {};
    for (const key of ERROR_FIELDS) {
      const value = /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (error))[key];
      if (value !== undefined && value !== null) details[key] = value;
    }
    renderError(error.code, error.message, details);
  } else {
    renderError("unexpected", error instanceof Error ? error.message : String(error), {});
  }
}

/**
 * @param {string} code
 * @param {string} message
 * @param {Record<string, unknown>} details one `<dt>`/`<dd>` pair each; the `<dd>` has `data-field`
 */
function renderError(code, message, details) {
  $("error-code").textContent = code;
  $("error-message").textContent = message;
  const list = $("error-details");
  list.replaceChildren();
  for (const [key, value] of Object.entries(details)) {
    const dt = document.createElement("dt");
    dt.textContent = key;
    const dd = document.createElement("dd");
    dd.dataset.field = key;
    if (key === "correlationId") dd.append(...supportId(String(value)));
    else dd.textContent = String(value);
    list.append(dt, dd);
  }
  $("error-panel").hidden = false;
}

/** A correlation id with the hint to quote it. @param {string} id */
function supportId(id) {
  const code = document.createElement("code");
  code.textContent = id;
  const hint = document.createElement("span");
  hint.className = "hint";
  hint.textContent = "quote this to Tangoe support";
  return [code, " ", hint];
}

function clearError() {
  $("error-panel").hidden = true;
  $("error-code").textContent = "";
  $("error-message").textContent = "";
  $("error-details").replaceChildren();
}

// ---------------------------------------------------------------------------------------
// Calling the API

/**
 * Runs one card's API work: clears the error panel first and shows any failure in it.
 * @template T
 * @param {(client: import("mobproc-auth").MobprocClient) => Promise<T>} work
 * @returns {Promise<T | null>} the work's result, or null after an error
 */
async function attempt(work) {
  if (!client) return null;
  clearError();
  try {
    return await work(client);
  } catch (error) {
    reportCallError(error);
    return null;
  }
}

/** @param {unknown} error a failed call's error */
function reportCallError(error) {
  if (endedSession(error)) return;
  showError(error);
  if (error instanceof MobprocError && error.code === "not_authenticated") {
    shown = null;
    render();
  }
}

/**
 * Whether the error ended the session on screen: the sessionExpired listener has already signed
 * out and said so. That is a refresh that found the refresh token dead (`session_expired`), or a
 * 401 that a refresh could not cure (`api_error` 401).
 * @param {unknown} error
 */
function endedSession(error) {
  if (!(error instanceof MobprocError) || shown !== null) return false;
  return error.code === "session_expired" || (error.code === "api_error" && error.status === 401);
}

/**
 * GETs JSON with `client.fetchJson`: the parsed body, or an `api_error` (shown) for a non-2xx
 * answer. The library adds tenant, client_id, the bearer, the context, the activity id and a
 * fresh correlation id.
 * @param {string} input a path relative to apiBaseUrl (`me`) or an absolute API URL (`_meta` links)
 * @returns {Promise<any | null>} the parsed body, or null after an error
 */
const getJson = (input) => attempt((c) => c.fetchJson(input));

/**
 * GET /ping with plain `client.fetch`, to show `client.correlationId(response)`: the id a
 * successful call was made with. (`fetchJson` rejects with it; a Response carries it here.)
 * @param {string} echoText
 * @returns {Promise<{ body: any, correlationId: string | null } | null>}
 */
function ping(echoText) {
  return attempt(async (c) => {
    const response = await c.fetch(`ping?${new URLSearchParams({ echoText })}`, { headers: { Accept: "application/json" } });
    const correlationId = c.correlationId(response);
    if (response.ok) return { body: await response.json(), correlationId };
    // A 401 that ended the session is told by the sessionExpired listener.
    if (!(response.status === 401 && shown === null)) {
      renderError(`HTTP ${response.status}`, response.statusText || "request failed", { status: response.status, correlationId });
    }
    return null;
  });
}

/** @param {HTMLButtonElement} button @param {() => Promise<void>} work */
async function busy(button, work) {
  button.disabled = true;
  try {
    await work();
  } finally {
    button.disabled = false;
  }
}

// ---------------------------------------------------------------------------------------
// Views

function render() {
  $("loading").hidden = true;
  shown = client?.session() ?? (refreshable() ? shown : null);
  const signedIn = shown !== null;
  $("signed-out").hidden = signedIn;
  $("signed-in").hidden = !signedIn;
  $("identity").hidden = !signedIn;
  clearInterval(ticker);
  ticker = undefined;
  if (signedIn) {
    renderSession();
    ticker = setInterval(renderSession, 1000);
  } else {
    resetSignedInViews();
  }
}

/** Whether the session on screen survives its access token: a refresh token and a token endpoint. */
function refreshable() {
  return shown?.hasRefreshToken === true && typeof config.tokenUrl === "string";
}

function renderSession() {
  const session = client?.session() ?? null;
  if (session) shown = session;
  if (!shown || (!session && !refreshable())) {
    // Only reached while signed in (render and the ticker): the token has just expired and
    // cannot be refreshed.
    shown = null;
    render();
    renderError("session_expired", "The access token has expired: sign in again.", {});
    return;
  }
  const left = Math.max(0, Math.floor((shown.expiresAt - Date.now()) / 1000));
  const countdown = $("session-countdown");
  countdown.textContent = formatDuration(left);
  countdown.classList.toggle("soon", left < 300);
  countdown.classList.toggle("expired", !session);
  const status = $("session-status");
  status.hidden = session !== null;
  status.textContent = session ? "" : "The access token has expired; the next call refreshes it.";
  $("session-expires-at").textContent = new Date(shown.expiresAt).toLocaleTimeString();
  $("session-scope").textContent = shown.scope ?? "–";
  $("session-refresh").textContent = shown.hasRefreshToken ? "yes" : "no";
  $("session-refreshes").textContent =
    refreshes.last === null
      ? "not yet"
      : `${refreshes.count} ${refreshes.count === 1 ? "time" : "times"}, last at ${new Date(refreshes.last).toLocaleTimeString()}`;
  /** @type {HTMLButtonElement} */ ($("session-refresh-now")).hidden = typeof config.tokenUrl !== "string" || !shown.hasRefreshToken;
  const notice = $("session-ending");
  notice.hidden = ending !== shown.expiresAt;
  $("session-ending-in").textContent = formatDuration(left);
}

/** @param {number} seconds */
function formatDuration(seconds) {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const mmss = `${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}`;
  return h > 0 ? `${h}:${mmss}` : mmss;
}

function resetSignedInViews() {
  /** @type {HTMLInputElement} */ ($("act-as")).value = "";
  applyActAs();
  $("ping-result").textContent = "";
  renderPingCorrelation(null);
  $("me-result").textContent = "";
  for (const id of ["me-user", "me-actor"]) {
    $(id).textContent = "–";
    $(id).classList.add("muted");
  }
  renderEmployees(null);
}

// ---------------------------------------------------------------------------------------
// Act as employee: the library's context

/**
 * Hands the act-as field to `client.setContext`, which checks the value (no CR/LF, no
 * surrounding spaces, ASCII, at most 256 characters) before any call carries it. A refused
 * value acts as oneself, and the status says why.
 */
function applyActAs() {
  const value = /** @type {HTMLInputElement} */ ($("act-as")).value.trim();
  actAsRefused = null;
  try {
    client?.setContext(value ? { employeeId: value } : null);
    actAs = value || null;
  } catch (error) {
    client?.setContext(null);
    actAs = null;
    actAsRefused = error instanceof Error ? error.message : String(error);
  }
  renderActAs();
}

function renderActAs() {
  const status = $("act-as-status");
  status.classList.toggle("active", actAs !== null);
  if (actAsRefused) status.textContent = `Not sent: ${actAsRefused}. Calls act as yourself.`;
  else if (actAs) status.textContent = `Calls act as ${actAs}.`;
  else status.textContent = "Calls act as yourself.";
}

// ---------------------------------------------------------------------------------------
// Ping and /me

/** @param {string | null} correlationId the last successful ping's, or null to hide it */
function renderPingCorrelation(correlationId) {
  $("ping-trace").hidden = correlationId === null;
  $("ping-correlation").textContent = correlationId ?? "";
}

/** @param {{ employeeId?: string, name?: string, email?: string } | undefined} person */
function describePerson(person) {
  if (!person) return "–";
  return [person.name, person.employeeId && `(${person.employeeId})`, person.email].filter(Boolean).join(" ");
}

/** @param {{ user?: object, actor?: object } | null} data the /me answer, or null after an error */
function renderMe(data) {
  $("me-result").textContent = data ? JSON.stringify(data, null, 2) : "";
  for (const [id, person] of [["me-user", data?.user], ["me-actor", data?.actor]]) {
    $(id).textContent = describePerson(/** @type {any} */ (person));
    $(id).classList.toggle("muted", !person);
  }
}

// ---------------------------------------------------------------------------------------
// Employees: one page at a time (Previous / Next) or all of them (client.paginate)

/**
 * @typedef {{ employeeId: string, name: string, email: string }} Employee
 * @typedef {{ hrefPrevious?: string, hrefNext?: string, offset?: number, limit?: number, totalCount?: number }} PageMeta
 * @typedef {{ employees: Employee[], _meta: PageMeta }} EmployeesPage
 */

/** Links of the page on screen (empty after "Load all"). @type {PageMeta} */
let page = {};

/** @param {Employee[] | null} employees the table's rows, or null for "Not loaded yet." */
function renderRows(employees) {
  const body = /** @type {HTMLTableSectionElement} */ ($("employees-body"));
  body.replaceChildren();
  if (!employees) {
    const row = body.insertRow();
    row.className = "empty";
    const cell = row.insertCell();
    cell.colSpan = 3;
    cell.textContent = "Not loaded yet.";
    return;
  }
  for (const employee of employees) appendRow(employee);
}

/** @param {Employee} employee */
function appendRow(employee) {
  const row = /** @type {HTMLTableSectionElement} */ ($("employees-body")).insertRow();
  row.dataset.employeeId = employee.employeeId;
  for (const value of [employee.employeeId, employee.name, employee.email]) row.insertCell().textContent = value;
}

/** @param {EmployeesPage | null} data one page, or null for none */
function renderEmployees(data) {
  renderRows(data?.employees ?? null);
  page = data?._meta ?? {};
  /** @type {HTMLButtonElement} */ ($("employees-prev")).disabled = !page.hrefPrevious;
  /** @type {HTMLButtonElement} */ ($("employees-next")).disabled = !page.hrefNext;
  const count = data?.employees.length ?? 0;
  $("employees-range").textContent =
    data && typeof page.offset === "number"
      ? count > 0
        ? `${page.offset + 1}–${page.offset + count} of ${page.totalCount ?? "?"}`
        : `none of ${page.totalCount ?? "?"}`
      : "";
  renderLoaded("", null);
}

/**
 * The "Load all" line.
 * @param {string} text
 * @param {number | null} count employees loaded, kept in `data-count` (none: no attribute)
 */
function renderLoaded(text, count) {
  const status = $("employees-loaded");
  status.textContent = text;
  if (count === null) delete status.dataset.count;
  else status.dataset.count = String(count);
}

/**
 * Disables the employee buttons while `work` runs. `work` returns whether it replaced the table:
 * then Previous / Next are as it left them, else as they were before.
 * @param {() => Promise<boolean>} work
 */
async function whileLoading(work) {
  const buttons = ["employees-load", "employees-load-all", "employees-prev", "employees-next"].map(
    (id) => /** @type {HTMLButtonElement} */ ($(id)),
  );
  const before = buttons.map((b) => b.disabled);
  const card = $("employees-card");
  card.dataset.state = "loading";
  buttons.forEach((b) => (b.disabled = true));
  try {
    if (!(await work())) buttons.forEach((b, i) => (b.disabled = before[i]));
  } finally {
    buttons[0].disabled = buttons[1].disabled = false;
    card.dataset.state = "ready";
  }
}

/** One page: the first, or a `_meta` link (absolute; fetchJson takes it as it is). @param {string} input */
function loadPage(input) {
  return whileLoading(async () => {
    const data = await getJson(input);
    if (data) renderEmployees(data);
    return data !== null;
  });
}

/**
 * "Load all": `for await` over `client.paginate`, which follows `_meta.hrefNext` (only to the
 * allowed origins, never the same link twice). Rows appear page by page.
 */
function loadAll() {
  return whileLoading(async () => {
    renderEmployees({ employees: [], _meta: {} }); // an empty table, no pager links
    let count = 0;
    let pages = 0;
    const all = await attempt(async (c) => {
      const walk = /** @type {AsyncGenerator<EmployeesPage>} */ (c.paginate("/employees", { limit: LOAD_ALL_LIMIT }));
      for await (const data of walk) {
        for (const employee of data.employees) appendRow(employee);
        count += data.employees.length;
        pages++;
        renderLoaded(`Loading… ${count} so far`, null);
      }
      return true;
    });
    $("employees-range").textContent = count > 0 ? `1–${count} of ${count}` : "";
    const summary = `${count} ${count === 1 ? "employee" : "employees"} in ${pages} ${pages === 1 ? "page" : "pages"} of ${LOAD_ALL_LIMIT}`;
    renderLoaded(all ? `Loaded all: ${summary}.` : `Stopped after ${summary}.`, count);
    return true;
  });
}

// ---------------------------------------------------------------------------------------
// Wiring

function wire() {
  $("env-api").textContent = config.apiBaseUrl;
  $("env-tenant").textContent = config.tenant;
  $("env-client").textContent = config.clientId;
  $("env-grant").textContent = config.responseType === "code" ? "authorization code + PKCE" : "implicit grant";
  $("identity-tenant").textContent = config.tenant;
  $("identity-client").textContent = config.clientId;
  $("session-activity").textContent = ACTIVITY_ID;

  $("error-dismiss").addEventListener("click", clearError);
  renderActAs();

  $("sign-in").addEventListener("click", () => {
    clearError();
    try {
      client?.login({ returnTo: location.pathname + location.search });
    } catch (error) {
      showError(error);
    }
  });

  // The page stays (and so does anything typed into it): Tangoe's sign-in opens in a popup,
  // whose page is this portal again; its handleRedirectCallback hands the answer back here.
  $("sign-in-popup").addEventListener("click", (event) => {
    clearError();
    busy(/** @type {HTMLButtonElement} */ (event.currentTarget), async () => {
      signingIn = true;
      try {
        shown = (await client?.loginPopup()) ?? null;
      } catch (error) {
        showError(error);
      } finally {
        signingIn = false;
      }
      render();
    });
  });

  $("sign-out").addEventListener("click", () => {
    // With revokeUrl in the config, the library also revokes both tokens in the background.
    client?.logout();
    shown = null;
    clearError();
    render();
  });

  $("session-sign-in-again").addEventListener("click", () => {
    try {
      client?.login({ returnTo: location.pathname + location.search });
    } catch (error) {
      showError(error);
    }
  });
  $("session-refresh-now").addEventListener("click", (event) => {
    busy(/** @type {HTMLButtonElement} */ (event.currentTarget), async () => {
      clearError();
      try {
        await client?.refresh();
      } catch (error) {
        if (!endedSession(error)) showError(error);
      }
    });
  });

  $("act-as-form").addEventListener("submit", (event) => event.preventDefault());
  $("act-as").addEventListener("input", applyActAs);
  $("act-as-clear").addEventListener("click", () => {
    /** @type {HTMLInputElement} */ ($("act-as")).value = "";
    applyActAs();
  });

  $("ping-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const echoText = /** @type {HTMLInputElement} */ ($("echo-text")).value;
    busy(/** @type {HTMLButtonElement} */ ($("ping-button")), async () => {
      const result = await ping(echoText);
      $("ping-result").textContent = result ? JSON.stringify(result.body, null, 2) : "";
      renderPingCorrelation(result?.correlationId ?? null);
    });
  });

  $("whoami-button").addEventListener("click", (event) => {
    busy(/** @type {HTMLButtonElement} */ (event.currentTarget), async () => renderMe(await getJson("me")));
  });

  $("employees-load").addEventListener("click", () => loadPage(`employees?limit=${PAGE_SIZE}&offset=0`));
  $("employees-load-all").addEventListener("click", loadAll);
  $("employees-prev").addEventListener("click", () => page.hrefPrevious && loadPage(page.hrefPrevious));
  $("employees-next").addEventListener("click", () => page.hrefNext && loadPage(page.hrefNext));
}

async function main() {
  wire();
  try {
    client = await createClient({ ...config, activityId: ACTIVITY_ID });
  } catch (error) {
    $("loading").hidden = true;
    showError(error);
    return;
  }
  try {
    // Every page load: finishes a sign-in if Tangoe just sent us back (and removes the
    // `#access_token=…` fragment from the URL), otherwise returns null.
    const result = await client.handleRedirectCallback();
    if (result?.returnTo) history.replaceState(history.state, "", result.returnTo);
  } catch (error) {
    showError(error);
  }
  listen(client);
  if (!client.isAuthenticated() && typeof config.tokenUrl === "string") {
    // A reload after the access token expired: the refresh token may still carry the session.
    try {
      await client.refresh();
    } catch (error) {
      // not_authenticated: nothing stored to refresh (the usual signed-out page load).
      if (!(error instanceof MobprocError && ["not_authenticated", "session_expired"].includes(error.code))) showError(error);
    }
  }
  render();
  document.body.dataset.ready = "true";
}

/**
 * The library's events, after the sign-in callback (so every new session seen here is a refresh).
 * @param {import("mobproc-auth").MobprocClient} client
 */
function listen(client) {
  client.on("sessionChanged", (session) => {
    // A refresh (a new expiry: the countdown restarts; also one made by another tab), a popup
    // sign-in, or the end of the session (here or in another tab).
    if (session && !signingIn) refreshes = { count: refreshes.count + 1, last: Date.now() };
    shown = session;
    render();
  });
  // No refresh token (or no tokenUrl): the library warns once, refreshSkewSeconds before the end.
  client.on("sessionExpiring", ({ expiresAt }) => {
    ending = expiresAt;
    render();
  });
  client.on("sessionExpired", () => {
    // The refresh token is dead (expired, revoked) or the API refused the token: signed out.
    shown = null;
    render();
    renderError("session_expired", "Your session has ended: Tangoe no longer accepts it. Sign in again.", {});
  });
  // Failures in the background: a refresh before expiry that failed (the call went on with the
  // current token), a revocation at sign out, storage trouble.
  client.on("error", showError);
}

main();
