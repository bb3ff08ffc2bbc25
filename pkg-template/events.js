// The client's events. A listener that throws does not stop the others or the client.
import { configError, messageOf, MobprocError } from "./errors.js";

const NAMES = ["sessionChanged", "sessionExpired", "error"];

export class Events {
  #listeners = new Map(NAMES.map((name) => [name, new Set()]));

  /** Adds a listener; returns the function that removes it. */
  on(name, listener) {
    const set = this.#listeners.get(name);
    if (!set) throw configError("event", `must be one of ${NAMES.join(", ")}`);
    if (typeof listener !== "function") throw configError("listener", "must be a function");
    const entry = (value) => listener(value);
    set.add(entry);
    return () => set.delete(entry);
  }

  emit(name, value) {
    for (const listener of [...this.#listeners.get(name)]) {
      try {
        listener(value);
      } catch (error) {
        if (name !== "error") this.emit("error", new MobprocError("listener_failed", `a ${name} listener threw: ${messageOf(error)}`, { cause: error }));
      }
    }
  }
}
