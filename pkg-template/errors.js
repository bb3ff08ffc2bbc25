// MobprocError: every error the package throws. The Rust side builds it (src/js/error.rs) from
// the error's code, message and details; it lives here because a Rust type cannot extend Error.

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
