// mobproc-auth for browsers (package.json's "browser" and "default" conditions): wasm-bindgen's
// init fetches mobproc_auth_bg.wasm next to this file. No Node path: bundlers see none.
import { clientFactory } from "./client.js";

export { MobprocClient, MobprocError } from "./client.js";

/** `createClient(config)`: a client; `startClient(config)`: one per storage key per page load. */
export const { createClient, startClient } = clientFactory();
