// mobproc-auth for browsers (package.json's "browser" and "default" conditions): wasm-bindgen's
// init fetches mobproc_auth_bg.wasm next to this file. No Node path: bundlers see none.
import { clientFactory } from "./client.js";

export { MobprocClient, MobprocError } from "./client.js";

/** Loads the WebAssembly module once and returns a client for `config`. */
export const createClient = clientFactory();
