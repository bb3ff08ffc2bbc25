// mobproc-auth for Node 20+ (package.json's "node" condition): Node's fetch cannot read a file:
// URL, so the module is read from disk: beside this file or the CommonJS bundle it is in (no
// `import.meta` there), or as installed where the app runs if a bundler hands back a stand-in (webpack with a publicPath: Next.js).
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { clientFactory } from "./client.js";

export { MobprocClient, MobprocError } from "./client.js";

const wasm = async () => {
  const beside = new URL("./mobproc_auth_bg.wasm", import.meta.url ?? require("node:url").pathToFileURL(__filename)); // `async`: a throw rejects
  return readFile(beside.protocol === "file:" ? beside : createRequire(`${process.cwd()}/`).resolve("mobproc-auth/mobproc_auth_bg.wasm"));
};
/** `createClient(config)`: a client; `startClient(config)`: one per storage key per page load. */
export const { createClient, startClient } = clientFactory(wasm);
