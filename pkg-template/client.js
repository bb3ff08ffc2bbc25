// What wasm-bindgen cannot express, shared by the browser entry (index.js) and the Node entry
// (node.js): they differ only in where the WebAssembly module's bytes come from. The client
// itself is Rust (src/client, src/js).
import init, { MobprocClient } from "./mobproc_auth.js";
import { MobprocError } from "./errors.js";

export { MobprocClient, MobprocError };

/**
 * `createClient` and `startClient` for one platform. `source`: the module's bytes (Node); else
 * init fetches it by the `new URL(…, import.meta.url)` bundlers recognise. Instantiated once; a
 * failed load is tried again by the next call. @param {() => Promise<BufferSource>} [source]
 */
export function clientFactory(source) {
  let loading;
  const load = () =>
    (loading ??= init({ module_or_path: source?.() }).catch((cause) => {
      loading = undefined;
      throw new MobprocError("wasm_load_failed", `could not load mobproc-auth's WebAssembly module (mobproc_auth_bg.wasm, beside the package's JavaScript: see its README for bundlers): ${cause}`, { cause });
    }));
  return {
    // In a tab without a session: the session of another open tab (waiting up to 150 ms when one is open).
    createClient: async (config) => (await load(), own(await MobprocClient.create(config))),
    startClient: async (config) => (await load(), ownStarted(await MobprocClient.start(config))),
  };
}

/**
 * The methods apps hand on alone (`{ fetch: client.fetch }`, `onClick={client.login}`), bound
 * to their client. Once per client (`startClient` gives the same one again).
 * @param {MobprocClient | null | undefined} client
 */
function own(client) {
  if (client && !Object.hasOwn(client, "fetch")) {
    for (const name of ["fetch", "fetchJson", "paginate", "login", "loginPopup", "logout", "refresh"]) {
      Object.defineProperty(client, name, { value: proto[name].bind(client), writable: true, configurable: true });
    }
  }
  return client;
}

/** @param {{ client: MobprocClient | null }} started */
const ownStarted = (started) => (own(started.client), started);
const proto = MobprocClient.prototype;

/** The pages of a collection for `for await`; bad options throw here, at once. */
proto.paginate = function paginate(path, options) {
  const walk = this.pages(path, options);
  return (async function* () {
    for (let page; (page = await walk.next()) !== undefined; ) yield page;
  })();
};

// The client lives as long as the page holds it (wasm-bindgen frees it on garbage collection);
// a manual free() would leave a client whose every call fails.
delete proto.free;
delete proto.__destroy_into_raw;
if (typeof Symbol.dispose === "symbol") delete proto[Symbol.dispose];
