// mobproc-auth for Node 20+ (package.json's "node" condition): Node's fetch cannot read a file:
// URL, so the module's bytes are read from disk.
import { readFile } from "node:fs/promises";
import { clientFactory } from "./client.js";

export { MobprocClient, MobprocError } from "./client.js";

/** `createClient(config)`: a client; `startClient(config)`: one per storage key per page load. */
export const { createClient, startClient } = clientFactory(() => readFile(new URL("./mobproc_auth_bg.wasm", import.meta.url)));
