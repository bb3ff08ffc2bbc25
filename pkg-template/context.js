// The acting context of MOBPROC calls and the troubleshooting ids, as the JavaScript gives them.
// Their values are checked, and the headers decided, by the core (src/context.rs).
import { configError, messageOf, MobprocError } from "./errors.js";

/** The context fields, in the core's order. */
const FIELDS = ["employeeId", "companyEmployeeId", "hierarchyId"];

/** Tangoe's context header of `name` (lower case, as `Headers` prints it). */
export const header = (name) => `x-tngo-context-${name.toLowerCase()}`;

/**
 * Reads a context object: own fields only, each a string or null/undefined.
 * @param {unknown} value `{ employeeId?, companyEmployeeId?, hierarchyId? }`, or null/undefined for none
 * @param {string} name how the caller knows it, for errors
 * @returns {(string | null | undefined)[]} the three values in the core's order
 */
export function readContext(value, name) {
  if (value === undefined || value === null) return [undefined, undefined, undefined];
  try {
    // Inside the try: Array.isArray throws for a revoked Proxy.
    if (typeof value !== "object" || Array.isArray(value)) throw configError(name, "must be an object or null");
    for (const key of Object.keys(value)) {
      if (!FIELDS.includes(key)) throw configError(`${name}.${key.slice(0, 64)}`, `is not a context field (known: ${FIELDS.join(", ")})`);
    }
    return FIELDS.map((key) => {
      const v = Object.prototype.hasOwnProperty.call(value, key) ? value[key] : undefined;
      if (v !== undefined && v !== null && typeof v !== "string") throw configError(`${name}.${key}`, "must be a string or null");
      return v;
    });
  } catch (error) {
    if (error instanceof MobprocError) throw error;
    throw configError(name, `could not be read: ${messageOf(error)}`);
  }
}

/** An id option (`activityId`): a string, or null/undefined for none. */
export function readId(value, name) {
  if (value !== undefined && value !== null && typeof value !== "string") throw configError(name, "must be a string or null");
  return value ?? undefined;
}

/** A fresh correlation id: a random UUID, also where `crypto.randomUUID` is missing (plain http). */
export function newCorrelationId() {
  const c = globalThis.crypto;
  if (typeof c?.randomUUID === "function") return c.randomUUID();
  if (typeof c?.getRandomValues !== "function") throw new MobprocError("unsupported", "unsupported here: crypto.getRandomValues is not available");
  const b = c.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 15) | 64; // version 4
  b[8] = (b[8] & 63) | 128; // RFC 9562 variant
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
