// Loads the WebAssembly core once per page or process, in browsers (with or without a bundler)
// and in Node, and speaks its one-string protocol (see src/wasm.rs).
import init, { Engine } from "./mobproc_auth.js";
import { messageOf, MobprocError } from "./errors.js";

const isNode = typeof process === "object" && typeof process.versions?.node === "string" && typeof window === "undefined";
let loading;

/** Instantiates the module the first time only; later calls share the same promise. */
export function load() {
  loading ??= (async () => {
    const wasm = new URL("./mobproc_auth_bg.wasm", import.meta.url);
    if (isNode) {
      // Hidden from bundlers: this branch never runs in a browser.
      const fs = "node:fs/promises";
      const { readFile } = await import(/* @vite-ignore */ fs);
      await init({ module_or_path: await readFile(wasm) });
    } else {
      await init({ module_or_path: wasm });
    }
  })().catch((cause) => {
    loading = undefined;
    throw new MobprocError("wasm_load_failed", `could not load mobproc-auth's WebAssembly module: ${cause}`, { cause });
  });
  return loading;
}

/** An optional field: `=value`, or empty when absent. */
export const opt = (value) => (value === undefined || value === null ? "" : `=${value}`);

/** The most characters one request may carry: far above any real one (a URL, a fragment). */
const MAX_REQUEST = 1 << 22;

// A line break inside a value becomes CR, which every field refuses: it cannot shift fields.
// An oversized request is refused here: in the core it could exhaust memory and trap.
function pack(fields) {
  const request = fields.map((field) => `${field}`.replace(/\n/g, "\r")).join("\n");
  if (request.length > MAX_REQUEST) throw new RangeError(`more than ${MAX_REQUEST} characters`);
  return request;
}

/** Runs `fn` on the core; whatever else than a MobprocError it throws becomes one. */
function guarded(fn) {
  try {
    return fn();
  } catch (cause) {
    if (cause instanceof MobprocError) throw cause;
    throw new MobprocError("invalid_request", `invalid request: the input could not be checked (${messageOf(cause)}); nothing was sent or stored`, { cause });
  }
}

/** One configuration in the core; every decision of a client is asked of it. */
export class Core {
  #engine;

  /** @param {unknown[]} config the fields `Engine::new` reads; throws `config_invalid`. */
  constructor(config) {
    this.#engine = guarded(() => new Engine(pack(config)));
    [this.storageKey, this.apiBaseUrl] = this.call("k").split("\n");
  }

  /**
   * Asks the core: the answer, `undefined` for none or false, or a thrown MobprocError.
   * @param {string} op @param {...unknown} fields
   * @returns {string | undefined}
   */
  call(op, ...fields) {
    const answer = guarded(() => this.#engine.call(pack([op, ...fields])));
    if (answer[0] === "!") {
      const wire = JSON.parse(answer.slice(1));
      throw new MobprocError(wire.code, wire.message, wire);
    }
    return answer[0] === "+" ? answer.slice(1) : undefined;
  }
}
