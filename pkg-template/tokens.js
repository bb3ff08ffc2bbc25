// Calls to PingFederate's token, validation and revocation endpoints: form bodies (RFC 6749
// §4.3, §6, RFC 7009), client authentication (§2.3.1), a timeout on every call.

/** The answer of an OAuth endpoint: status, parsed JSON body (or null), OAuth error fields. */
export class OAuthAnswer {
  constructor(status, body) {
    this.status = status;
    this.ok = status >= 200 && status < 300;
    this.body = body !== null && typeof body === "object" ? body : null;
    this.error = typeof this.body?.error === "string" ? this.body.error : undefined;
    this.description = typeof this.body?.error_description === "string" ? this.body.error_description : undefined;
  }
}

/** `application/x-www-form-urlencoded` encoding of one value, as RFC 6749 §2.3.1 needs it. */
const formEncode = (value) => new URLSearchParams({ v: value }).toString().slice(2);

/**
 * POSTs `params` as a form to `url`, with client authentication when the client has a secret.
 * Throws only when no answer came (network error, timeout).
 * @param {{ clientId: string, clientSecret?: string, clientAuth: "basic" | "body", timeoutMs: number }} options
 * @returns {Promise<OAuthAnswer>}
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

async function answerOf(response) {
  let body = null;
  try {
    body = JSON.parse(await response.text());
  } catch {
    // Not JSON: the caller reports the status.
  }
  return new OAuthAnswer(response.status, body);
}
