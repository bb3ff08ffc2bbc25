// mobproc-auth for Node 20+ (package.json's "node" condition): Node's fetch cannot read a file:
// URL, so the module's bytes are read from disk.
import { readFile } from "node:fs/promises";
import { clientFactory } from "./client.js";

export { MobprocClient, MobprocError } from "./client.js";

/** Loads the WebAssembly module once and returns a client for `config`. */
export const createClient = clientFactory(() => readFile(new URL("./mobproc_auth_bg.wasm", import.meta.url)));
