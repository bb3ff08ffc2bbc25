// mobproc-auth for Node 20+ (package.json's "node" condition): Node's fetch cannot read a file:
// URL, so the module is read from disk: where bundlers emit it (`new URL`), or, where one hands
// back a stand-in (webpack with a publicPath: Next.js), as installed where the app runs.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { clientFactory } from "./client.js";

export { MobprocClient, MobprocError } from "./client.js";

const wasm = async () => {
  const beside = new URL("./mobproc_auth_bg.wasm", import.meta.url); // `async`: a throw rejects
  return readFile(beside.protocol === "file:" ? beside : createRequire(`${process.cwd()}/`).resolve("mobproc-auth/mobproc_auth_bg.wasm"));
};
/** `createClient(config)`: a client; `startClient(config)`: one per storage key per page load. */
export const { createClient, startClient } = clientFactory(wasm);
