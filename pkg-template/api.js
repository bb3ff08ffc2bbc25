// JSON calls and Tangoe's `_meta` pagination, on top of MobprocClient.fetch.
import { configError, messageOf, MobprocError } from "./errors.js";

/**
 * `client.fetch` for JSON: the parsed body on 2xx (`null` when empty, as for 204) with the call's
 * correlation id, else `api_error`.
 * @param {import("./client.js").MobprocClient} client
 * @returns {Promise<{ body: unknown, correlationId?: string }>}
 */
export async function fetchJson(client, input, init) {
  if (init !== undefined && init !== null && typeof init !== "object") throw configError("init", "must be an object (fetch's RequestInit)");
  let json, rest, headers, isRequest;
  // Own properties only: a polluted prototype must not add a body or headers.
  const own = (key) => (Object.hasOwn(rest, key) ? rest[key] : undefined);
  try {
    rest = { ...init };
    isRequest = input instanceof Request;
    json = own("json");
    delete rest.json;
    // A Request's own headers, unless init replaces them (as fetch would).
    headers = new Headers(own("headers") ?? (isRequest ? input.headers : undefined));
  } catch (cause) {
    throw configError("init", `could not be read: ${messageOf(cause)}`);
  }
  if (!headers.has("accept")) headers.set("accept", "application/json");
  if (json !== undefined) {
    if (own("body") !== undefined && own("body") !== null) throw new MobprocError("invalid_request", "invalid request: give `json` or `body`, not both; the request was not sent");
    let body;
    try {
      body = JSON.stringify(json);
    } catch (cause) {
      // A BigInt, a cycle, a throwing toJSON.
      throw new MobprocError("invalid_request", `invalid request: \`json\` cannot be serialised as JSON (${messageOf(cause)}); the request was not sent`, { cause });
    }
    if (body === undefined) throw new MobprocError("invalid_request", "invalid request: `json` cannot be serialised as JSON; the request was not sent");
    rest.body = body;
    if (!isRequest && own("method") === undefined) rest.method = "POST";
    headers.set("content-type", "application/json");
  }
  rest.headers = headers;
  const response = await client.fetch(input, rest);
  const correlationId = client.correlationId(response) ?? undefined;
  let text;
  try {
    text = await response.text();
  } catch (cause) {
    throw new MobprocError("network_error", `network error: the response body could not be read: ${messageOf(cause)}`, { cause, status: response.status, correlationId });
  }
  // 204, or a 201/202 without a body.
  if (response.ok && text === "") return { body: null, correlationId };
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    if (response.ok) throw apiError(response, `HTTP ${response.status} with a body that is not JSON`, { correlationId, body: text.slice(0, 1000) });
  }
  if (response.ok) return { body, correlationId };
  const tangoe = body !== null && typeof body === "object" && typeof body.message === "string";
  const str = (v) => (typeof v === "string" ? v : undefined);
  const details = tangoe
    ? { errorCode: str(body.errorCode), id: str(body.id), apiMessage: body.message }
    : { body: text.slice(0, 1000) };
  const summary = tangoe ? `${body.message}${details.errorCode ? ` (${details.errorCode})` : ""}` : text.slice(0, 200) || response.statusText;
  throw apiError(response, `HTTP ${response.status}: ${summary}`, { ...details, correlationId, retryAfter: retryAfter(response) });
}

/**
 * Pages of a MOBPROC collection, following `_meta.hrefNext`.
 * @param {import("./client.js").MobprocClient} client
 * @param {string} first the first page's URL
 * @param {(next: URL, seen: string[]) => void} checkNext throws when `next` must not be fetched
 */
export async function* pages(client, [first, maxPages], checkNext) {
  const seen = [];
  for (let href = first, count = 0; ; ) {
    // A server that makes up new links forever is a loop too (and each check sends `seen`).
    if (++count > maxPages) throw new MobprocError("pagination_loop", `pagination stopped after ${maxPages} pages (\`maxPages\`); the next was ${href}`, { href });
    seen.push(href);
    const page = await client.fetchJson(href);
    // Tangoe's own name for this page (e.g. with `offset=0` added) counts as fetched too.
    const self = page?._meta?.href;
    try {
      if (typeof self === "string") seen.push(new URL(self, href).href);
    } catch {
      // Not a URL: nothing to remember.
    }
    yield page;
    const next = page?._meta?.hrefNext;
    if (next === undefined || next === null || next === "") return;
    let url;
    try {
      if (typeof next !== "string") throw new TypeError(`${typeof next} instead of a string`);
      url = new URL(next, href);
    } catch (cause) {
      throw new MobprocError("api_error", `Tangoe's \`_meta.hrefNext\` is not a URL: ${messageOf(cause)}`, { cause });
    }
    checkNext(url, seen);
    href = url.href;
  }
}

/** Reads `{ limit?, offset?, maxPages? }` of paginate: the first page's URL and the page cap. */
export function firstPage(href, options) {
  if (options !== undefined && options !== null && typeof options !== "object") throw configError("options", "must be an object");
  const url = new URL(href);
  let maxPages = 1000;
  for (const [key, min] of [["limit", 1], ["offset", 0], ["maxPages", 1]]) {
    let value;
    try {
      value = options && Object.prototype.hasOwnProperty.call(options, key) ? options[key] : undefined;
    } catch (cause) {
      throw configError("options", `could not be read: ${messageOf(cause)}`);
    }
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value < min) throw configError(key, `must be an integer of at least ${min}`);
    if (key === "maxPages") maxPages = value;
    else url.searchParams.set(key, String(value));
  }
  return [url.href, maxPages];
}

const apiError = (response, message, details) =>
  new MobprocError("api_error", `Tangoe API error: ${message}`, { status: response.status, ...details });

/** `Retry-After` in seconds (RFC 9110 §10.2.3: seconds or an HTTP date), when sent. */
function retryAfter(response) {
  const value = response.headers.get("retry-after")?.trim();
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  // A date names its day or month; "-5" or "1.5" (which Date.parse would take) is no date.
  if (!/[a-z]/i.test(value)) return undefined;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}
