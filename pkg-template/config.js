// Reads the createClient config: own fields only, JavaScript types checked here, values checked
// by the core.
import { configError, inBrowserPage, messageOf, MobprocError } from "./errors.js";
import { opt } from "./wasm.js";

const FIELDS = ["clientId", "tenant", "apiBaseUrl", "authorizeUrl", "redirectUri", "scope", "allowedOrigins", "storageKey", "tokenUrl", "validateUrl", "revokeUrl", "clientSecret", "clientAuth", "refreshSkewSeconds", "timeoutMs", "context", "activityId"];

/**
 * @returns {{ coreConfig: string[], options: { clientId: string, scope: string, tokenUrl?: string, validateUrl?: string, revokeUrl?: string, clientSecret?: string, clientAuth: "basic" | "body", refreshSkewMs: number, timeoutMs: number, context: unknown, activityId: unknown } }}
 */
export function readConfig(config) {
  if (config === null || typeof config !== "object") throw configError("config", "must be an object");
  try {
    // Inside the try: Array.isArray throws for a revoked Proxy.
    if (Array.isArray(config)) throw configError("config", "must be an object");
    for (const key of Object.keys(config)) {
      if (!FIELDS.includes(key)) throw configError(key.slice(0, 64), `is not a known option (known: ${FIELDS.join(", ")})`);
    }
    // Own properties only: a polluted Object.prototype must not inject configuration.
    const own = (key) => (Object.prototype.hasOwnProperty.call(config, key) ? config[key] : undefined);
    const text = (key, required) => {
      const value = own(key);
      if (value === undefined && required) throw configError(key, "is required");
      if (value !== undefined && typeof value !== "string") throw configError(key, "must be a string");
      return value;
    };
    const whole = (key, fallback, max) => {
      const value = own(key) ?? fallback;
      if (!Number.isInteger(value) || value < 0 || value > max) throw configError(key, `must be an integer from 0 to ${max}`);
      return value;
    };
    const origins = own("allowedOrigins") ?? [];
    if (!Array.isArray(origins) || origins.length > 64) throw configError("allowedOrigins", "must be an array of at most 64 origin strings");
    origins.forEach((origin, i) => {
      if (typeof origin !== "string" || /[\r\n]/.test(origin)) throw configError(`allowedOrigins[${i}]`, "must be an origin string");
    });
    const clientSecret = text("clientSecret");
    if (clientSecret !== undefined && inBrowserPage()) {
      throw new MobprocError("insecure_grant", "a clientSecret is refused in a browser page, where it cannot stay secret: use login() (the implicit grant)");
    }
    const clientAuth = own("clientAuth") ?? "basic";
    if (clientAuth !== "basic" && clientAuth !== "body") throw configError("clientAuth", 'must be "basic" or "body"');
    const options = {
      clientId: text("clientId", true),
      scope: text("scope") ?? "MOBPROC",
      tokenUrl: text("tokenUrl"),
      validateUrl: text("validateUrl"),
      revokeUrl: text("revokeUrl"),
      clientSecret,
      clientAuth,
      refreshSkewMs: whole("refreshSkewSeconds", 60, 86400) * 1000,
      timeoutMs: whole("timeoutMs", 30000, 600000) || 30000,
      context: own("context"),
      activityId: own("activityId"),
    };
    const coreConfig = [options.clientId, text("tenant", true), text("apiBaseUrl", true), ...[text("authorizeUrl"), text("redirectUri"), text("scope"), text("storageKey"), options.tokenUrl, options.validateUrl, options.revokeUrl, clientSecret].map(opt), ...origins];
    return { coreConfig, options };
  } catch (error) {
    if (error instanceof MobprocError) throw error;
    throw configError("config", `could not be read: ${messageOf(error)}`);
  }
}

/** `{ returnTo? }` of login and authorizeUrl. */
export function readReturnTo(options) {
  if (options === undefined || options === null) return undefined;
  if (typeof options !== "object") throw configError("options", "must be an object");
  let returnTo;
  try {
    returnTo = Object.prototype.hasOwnProperty.call(options, "returnTo") ? options.returnTo : undefined;
  } catch (error) {
    throw configError("options", `could not be read: ${messageOf(error)}`);
  }
  if (returnTo !== undefined && typeof returnTo !== "string") throw configError("returnTo", "must be a string");
  return returnTo;
}
