// mobproc-auth: sign in to Tangoe MOBPROC and call its API. The WebAssembly core decides
// (configuration, authorize URL, callback checks, token records, which headers go where);
// the modules beside this one do the I/O around it.
import { MobprocClient } from "./client.js";
import { readConfig } from "./config.js";
import { Core, load } from "./wasm.js";

export { MobprocError } from "./errors.js";
export { MobprocClient };

/**
 * Loads the WebAssembly module once and returns a client for `config`.
 * @param {import("./index.d.ts").MobprocConfig} config
 * @returns {Promise<MobprocClient>}
 */
export async function createClient(config) {
  const { coreConfig, options } = readConfig(config);
  await load();
  return new MobprocClient(new Core(coreConfig), options);
}
