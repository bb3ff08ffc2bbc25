// Calls to PingFederate's token, validation and revocation endpoints: form bodies (RFC 6749
// §4.3, §6, RFC 7009), client authentication (§2.3.1), a timeout on every call.

/** `application/x-www-form-urlencoded` encoding of one value, as RFC 6749 §2.3.1 needs it. */
const formEncode = (value) => new URLSearchParams({ v: value }).toString().slice(2);

/**
 * POSTs `params` as a form to `url`, with client authentication when the client has a secret.
 * Throws only when no answer came (network error, timeout).
 * @param {{ clientId: string, clientSecret?: string, clientAuth: "basic" | "body", timeoutMs: number }} options
 * @returns {Promise<{ status: number, ok: boolean, body: object | null, error?: string, description?: string }>}
 */
export async function postForm(url, params, options) {
  const body = new URLSearchParams(params);
  const headers = { "content-type": "application/x-www-form-urlencoded", accept: "application/json" };
  if (options.clientSecret !== undefined) {
    if (options.clientAuth === "body") {
      body.set("client_id", options.clientId);
      body.set("client_secret", options.clientSecret);
    } else {
      headers.authorization = `Basic ${btoa(`${formEncode(options.clientId)}:${formEncode(options.clientSecret)}`)}`;
    }
  }
  return answerOf(await globalThis.fetch(url, { method: "POST", body, headers, signal: AbortSignal.timeout(options.timeoutMs), credentials: "omit" }));
}

/** GET with the timeout; for Tangoe's validator service. */
export async function getJson(url, options) {
  return answerOf(await globalThis.fetch(url, { headers: { accept: "application/json" }, signal: AbortSignal.timeout(options.timeoutMs), credentials: "omit" }));
}

/**
 * The answer of an OAuth endpoint: status, the JSON body when it is an object (else null), and
 * its OAuth error fields.
 */
async function answerOf(response) {
  let body = null;
  try {
    body = JSON.parse(await response.text());
  } catch {
    // Not JSON: the caller reports the status.
  }
  body = body !== null && typeof body === "object" ? body : null;
  const text = (v) => (typeof v === "string" ? v : undefined);
  return { status: response.status, ok: response.ok, body, error: text(body?.error), description: text(body?.error_description) };
}
