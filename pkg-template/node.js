// mobproc-auth for Node 20+ (package.json's "node" condition): Node's fetch cannot read a file:
// URL, so the module is read from disk: where bundlers emit it (`new URL`), or beside this file
// where one hands back its own stand-in (webpack with a publicPath, as in Next.js).
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { clientFactory } from "./client.js";

export { MobprocClient, MobprocError } from "./client.js";

const wasm = new URL("./mobproc_auth_bg.wasm", import.meta.url);
const path = () => (wasm.protocol === "file:" ? wasm : fileURLToPath(import.meta.url).replace(/[^\\/]*$/, "mobproc_auth_bg.wasm"));
/** `createClient(config)`: a client; `startClient(config)`: one per storage key per page load. */
export const { createClient, startClient } = clientFactory(() => readFile(path()));
