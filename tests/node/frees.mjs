// Counts what wasm-bindgen's finalizers free: imported before the package, whose glue makes its
// FinalizationRegistry as it loads. Also exposes the collector (`gc`) to the test file.
import v8 from "node:v8";
import vm from "node:vm";

v8.setFlagsFromString("--expose-gc");
/** A full collection. */
export const gc = vm.runInNewContext("gc");
/** Rust values freed by the package's finalizers so far: `client` for clients, `other` for
 * the rest (closures, page walks). */
export const frees = {};
const Registry = globalThis.FinalizationRegistry;
globalThis.FinalizationRegistry = class extends Registry {
  #of;
  constructor(cleanup) {
    const of = { name: "" };
    super((held) => {
      cleanup(held);
      frees[of.name] = (frees[of.name] ?? 0) + 1;
    });
    this.#of = of;
  }
  register(target, held, token) {
    this.#of.name = typeof target?.isAuthenticated === "function" ? "client" : "other";
    return super.register(target, held, token);
  }
};

const tick = () => new Promise((resolve) => setTimeout(resolve, 10));

/** Collects until `done()` holds, at most `ms`. A task boundary before each collection: a
 * `WeakRef`'s `deref()` (in `done`) keeps its object alive until the task ends; and one
 * after it, where finalizers run. */
export async function collectUntil(done, ms = 5000) {
  const end = Date.now() + ms;
  do {
    await tick();
    gc();
    await tick();
  } while (!done() && Date.now() < end);
  return done();
}
