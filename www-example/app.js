// The developer portal: signs in with mobproc-auth and tries a few MOBPROC calls.
// Plain ES module, no framework, no build step. The token itself is never read here:
// the library keeps it in sessionStorage and adds it to `client.fetch` calls.

import { createClient, MobprocError } from "mobproc-auth";
import config from "/config.js";

/** Items per page of the employees table. */
const PAGE_SIZE = 10;
/** What an employee id typed into "Act as" may look like (sent as a header value). */
const EMPLOYEE_ID = /^[A-Za-z0-9._@-]{1,64}$/;

/** @template {HTMLElement} T @param {string} id @returns {T} */
const $ = (id) => /** @type {T} */ (document.getElementById(id));

/** @type {import("mobproc-auth").MobprocClient | null} */
let client = null;
/** Employee id for `X-TNGO-CONTEXT-EMPLOYEEID`, or null to act as oneself. Memory only. */
let actAs = null;
/** @type {ReturnType<typeof setInterval> | undefined} */
let ticker;
/**
 * The session on screen, or null when signed out. It outlives the access token when a refresh
 * token is held and the config has `tokenUrl`: then the next call refreshes (the library's
 * `session()` reads null for an expired token, refreshable or not).
 * @type {import("mobproc-auth").MobprocSession | null}
 */
let shown = null;
/** Refreshes seen since this page loaded (`sessionChanged` with a session), and the last one's time. */
let refreshes = { count: 0, /** @type {number | null} */ last: null };

// ---------------------------------------------------------------------------------------
// Errors

/**
 * Shows an error: a MobprocError's code and message, or anything else as `unexpected`.
 * @param {unknown} error
 */
function showError(error) {
  if (error instanceof MobprocError) {
    /** @type {Record<string, unknown>} */
    const details = {};
    for (const key of ["field", "origin", "oauthError", "oauthErrorDescription", "status", "errorCode", "id"]) {
      const value = /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (error))[key];
      if (value !== undefined && value !== null) details[key] = value;
    }
    renderError(error.code, error.message, details);
  } else {
    renderError("unexpected", error instanceof Error ? error.message : String(error), {});
  }
}

/**
 * Shows a non-2xx MOBPROC response: the HTTP status and Tangoe's errorCode / message.
 * @param {Response} response
 * @param {unknown} body parsed JSON, or text
 */
function showHttpError(response, body) {
  const tangoe = body && typeof body === "object" ? /** @type {Record<string, unknown>} */ (body) : {};
  const message = typeof tangoe.message === "string" ? tangoe.message : response.statusText || "request failed";
  /** @type {Record<string, unknown>} */
  const details = { status: response.status };
  if (tangoe.errorCode !== undefined) details.errorCode = tangoe.errorCode;
  if (tangoe.id !== undefined) details.id = tangoe.id;
  details.url = stripQuery(response.url);
  renderError(`HTTP ${response.status}`, message, details);
}

/**
 * @param {string} code
 * @param {string} message
 * @param {Record<string, unknown>} details
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
    dd.textContent = String(value);
    list.append(dt, dd);
  }
  $("error-panel").hidden = false;
}

function clearError() {
  $("error-panel").hidden = true;
  $("error-code").textContent = "";
  $("error-message").textContent = "";
  $("error-details").replaceChildren();
}

/** @param {string} url */
function stripQuery(url) {
  try {
    const u = new URL(url);
    return u.origin + u.pathname;
  } catch {
    return "";
  }
}

// ---------------------------------------------------------------------------------------
// Calling the API

/** The caller's own headers; the library adds tenant, client_id and the bearer. */
function contextHeaders() {
  /** @type {Record<string, string>} */
  const headers = { Accept: "application/json" };
  if (actAs) headers["X-TNGO-CONTEXT-EMPLOYEEID"] = actAs;
  return headers;
}

/**
 * GETs a MOBPROC resource with `client.fetch`; shows any failure in the error panel.
 * @param {string} input a path relative to apiBaseUrl (`ping?echoText=x`) or an absolute API URL
 * @returns {Promise<any | null>} the parsed body, or null after an error
 */
async function getJson(input) {
  if (!client) return null;
  clearError();
  let response;
  try {
    response = await client.fetch(input, { headers: contextHeaders() });
  } catch (error) {
    if (!endedSession(error)) showError(error);
    if (error instanceof MobprocError && error.code === "not_authenticated") {
      shown = null;
      render();
    }
    return null;
  }
  const text = await response.text();
  let body;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  if (!response.ok) {
    // A 401 that ended the session (the refresh failed too) is told by the sessionExpired listener.
    if (!(response.status === 401 && shown === null)) showHttpError(response, body);
    return null;
  }
  return body;
}

/**
 * A `session_expired` that ended the session on screen: the sessionExpired listener has already
 * signed out and said so.
 * @param {unknown} error
 */
function endedSession(error) {
  return error instanceof MobprocError && error.code === "session_expired" && shown === null;
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
  actAs = null;
  /** @type {HTMLInputElement} */ ($("act-as")).value = "";
  renderActAs();
  $("ping-result").textContent = "";
  $("me-result").textContent = "";
  for (const id of ["me-user", "me-actor"]) {
    $(id).textContent = "–";
    $(id).classList.add("muted");
  }
  renderEmployees(null);
}

function renderActAs() {
  const status = $("act-as-status");
  const value = /** @type {HTMLInputElement} */ ($("act-as")).value.trim();
  if (value && !actAs) {
    status.textContent = "Not a valid employee id: letters, digits and . _ @ - only.";
    status.classList.remove("active");
  } else if (actAs) {
    status.textContent = `Calls act as ${actAs}.`;
    status.classList.add("active");
  } else {
    status.textContent = "Calls act as yourself.";
    status.classList.remove("active");
  }
}

/** @param {{ employeeId?: string, name?: string, email?: string } | undefined} person */
function describePerson(person) {
  if (!person) return "–";
  return [person.name, person.employeeId && `(${person.employeeId})`, person.email].filter(Boolean).join(" ");
}

/**
 * @typedef {{ employeeId: string, name: string, email: string }} Employee
 * @typedef {{ hrefPrevious?: string, hrefNext?: string, offset?: number, limit?: number, totalCount?: number }} PageMeta
 */

/** Links of the page on screen. @type {PageMeta} */
let page = {};

/** @param {{ employees: Employee[], _meta: PageMeta } | null} data */
function renderEmployees(data) {
  const body = $("employees-body");
  body.replaceChildren();
  page = data?._meta ?? {};
  if (!data) {
    const row = body.insertRow();
    row.className = "empty";
    const cell = row.insertCell();
    cell.colSpan = 3;
    cell.textContent = "Not loaded yet.";
  } else {
    for (const employee of data.employees) {
      const row = body.insertRow();
      row.dataset.employeeId = employee.employeeId;
      for (const value of [employee.employeeId, employee.name, employee.email]) {
        row.insertCell().textContent = value;
      }
    }
  }
  /** @type {HTMLButtonElement} */ ($("employees-prev")).disabled = !page.hrefPrevious;
  /** @type {HTMLButtonElement} */ ($("employees-next")).disabled = !page.hrefNext;
  const count = data?.employees.length ?? 0;
  $("employees-range").textContent =
    data && typeof page.offset === "number"
      ? count > 0
        ? `${page.offset + 1}–${page.offset + count} of ${page.totalCount ?? "?"}`
        : `none of ${page.totalCount ?? "?"}`
      : "";
}

/** @param {string} input */
async function loadEmployees(input) {
  const card = $("employees-card");
  const buttons = ["employees-load", "employees-prev", "employees-next"].map(
    (id) => /** @type {HTMLButtonElement} */ ($(id)),
  );
  const wasDisabled = buttons.map((b) => b.disabled);
  card.dataset.state = "loading";
  buttons.forEach((b) => (b.disabled = true));
  try {
    const data = await getJson(input);
    if (data) {
      renderEmployees(data);
      buttons[0].disabled = false;
    } else {
      buttons.forEach((b, i) => (b.disabled = wasDisabled[i]));
    }
  } finally {
    card.dataset.state = "ready";
  }
}

// ---------------------------------------------------------------------------------------
// Wiring

function wire() {
  $("env-api").textContent = config.apiBaseUrl;
  $("env-tenant").textContent = config.tenant;
  $("env-client").textContent = config.clientId;
  $("identity-tenant").textContent = config.tenant;
  $("identity-client").textContent = config.clientId;

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

  $("sign-out").addEventListener("click", () => {
    // With revokeUrl in the config, the library also revokes both tokens in the background.
    client?.logout();
    shown = null;
    clearError();
    render();
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
  $("act-as").addEventListener("input", () => {
    const value = /** @type {HTMLInputElement} */ ($("act-as")).value.trim();
    actAs = EMPLOYEE_ID.test(value) ? value : null;
    renderActAs();
  });
  $("act-as-clear").addEventListener("click", () => {
    /** @type {HTMLInputElement} */ ($("act-as")).value = "";
    actAs = null;
    renderActAs();
  });

  $("ping-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const echoText = /** @type {HTMLInputElement} */ ($("echo-text")).value;
    busy(/** @type {HTMLButtonElement} */ ($("ping-button")), async () => {
      const data = await getJson(`ping?${new URLSearchParams({ echoText })}`);
      $("ping-result").textContent = data ? JSON.stringify(data, null, 2) : "";
    });
  });

  $("whoami-button").addEventListener("click", (event) => {
    busy(/** @type {HTMLButtonElement} */ (event.currentTarget), async () => {
      const data = await getJson("me");
      $("me-result").textContent = data ? JSON.stringify(data, null, 2) : "";
      for (const [id, person] of [["me-user", data?.user], ["me-actor", data?.actor]]) {
        $(id).textContent = describePerson(person);
        $(id).classList.toggle("muted", !person);
      }
    });
  });

  $("employees-load").addEventListener("click", () => loadEmployees(`employees?limit=${PAGE_SIZE}&offset=0`));
  // The `_meta` links are absolute API URLs; client.fetch takes them as they are.
  $("employees-prev").addEventListener("click", () => page.hrefPrevious && loadEmployees(page.hrefPrevious));
  $("employees-next").addEventListener("click", () => page.hrefNext && loadEmployees(page.hrefNext));
}

async function main() {
  wire();
  try {
    client = await createClient(config);
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
    // A refresh (a new expiry: the countdown restarts) or the end of the session.
    if (session) refreshes = { count: refreshes.count + 1, last: Date.now() };
    shown = session;
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
