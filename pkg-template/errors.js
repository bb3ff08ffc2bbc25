// MobprocError and the small helpers that create it.

/** Every error this package throws: `instanceof MobprocError`, with a stable `code`. */
export class MobprocError extends Error {
  /**
   * @param {string} code stable error code, e.g. "state_mismatch"
   * @param {string} message what went wrong
   * @param {Record<string, unknown>} [details] `cause` and code-specific fields (`field`, `origin`, `oauthError`, …)
   */
  constructor(code, message, details = {}) {
    super(message, "cause" in details ? { cause: details.cause } : undefined);
    for (const key in details) if (details[key] !== undefined && key !== "cause") this[key] = details[key];
    this.name = "MobprocError";
    this.code = code;
  }
}

/** A `config_invalid` error naming the field. */
export const configError = (field, reason) => new MobprocError("config_invalid", `invalid config: \`${field}\` ${reason}`, { field });

/** The message of whatever was thrown, even a Symbol or an object whose toString throws. */
export function messageOf(cause) {
  try {
    return typeof cause?.message === "string" ? cause.message : String(cause);
  } catch {
    return typeof cause;
  }
}

/** `network_error`: fetch itself failed, with the original error as `cause`. */
export const networkError = (cause, details) => new MobprocError("network_error", `network error: ${messageOf(cause)}`, { cause, ...details });

/** True inside a browser page (not Node, not a worker). */
export const inBrowserPage = () => typeof window === "object" && typeof document === "object";
