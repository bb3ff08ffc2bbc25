// mobproc-auth: sign in to Tangoe MOBPROC and call its API. The client is Rust compiled to
// WebAssembly (src/client, src/js); this file only loads the module once, in browsers and in
// Node, and adapts what wasm-bindgen cannot express.
import init, { MobprocClient } from "./mobproc_auth.js";
import { MobprocError } from "./errors.js";

export { MobprocClient, MobprocError };

const isNode = typeof process === "object" && typeof process.versions?.node === "string" && typeof window === "undefined";
let loading;

/** Instantiates the module the first time only; later calls share the same promise. */
function load() {
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

/**
 * Loads the WebAssembly module once and returns a client for `config`.
 * @param {import("./index.d.ts").MobprocConfig} config
 * @returns {Promise<MobprocClient>}
 */
export async function createClient(config) {
  await load();
  return new MobprocClient(config);
}

const proto = MobprocClient.prototype;

/** The pages of a collection for `for await`; bad options throw here, at once. */
proto.paginate = function paginate(path, options) {
  const walk = this.pages(path, options);
  return (async function* () {
    for (let page; (page = await walk.next()) !== undefined; ) yield page;
  })();
};

// The client lives as long as the page holds it (wasm-bindgen frees it on garbage collection);
// a manual free() would leave a client whose every call fails.
delete proto.free;
delete proto.__destroy_into_raw;
if (typeof Symbol.dispose === "symbol") delete proto[Symbol.dispose];
