// mobproc-auth for Node 20+ (package.json's "node" condition): Node's fetch cannot read a file: URL, so the module is read from disk:
// beside this file (or the CommonJS bundle it is in: no `import.meta` there), else as installed where the app runs (a bundler's stand-in URL: webpack's publicPath).
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { clientFactory } from "./client.js";

export { MobprocClient, MobprocError } from "./client.js";

const installed = () => readFile(createRequire(`${process.cwd()}/`).resolve("mobproc-auth/mobproc_auth_bg.wasm"));
const wasm = async () => {
  const beside = import.meta.url ? new URL("./mobproc_auth_bg.wasm", import.meta.url) : require("node:url").pathToFileURL(`${__dirname}/mobproc_auth_bg.wasm`); // `async`: a throw rejects; bundlers see `new URL(…)`
  return beside.protocol === "file:" ? readFile(beside).catch(installed) : installed();
};
/** `createClient(config)`: a client; `startClient(config)`: one per storage key per page load. */
export const { createClient, startClient } = clientFactory(wasm);
