// Loads the WebAssembly core once per page or process, in browsers (with or without a bundler)
// and in Node.
import init from "./mobproc_auth.js";
import { MobprocError } from "./errors.js";

export { Engine, checkRecord, isOAuthResponse, sanitizeReturnTo } from "./mobproc_auth.js";

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
