// Where the token record and the pending sign-in live: sessionStorage when the page has a
// working one, memory otherwise (Node, sandboxed frames, full or throwing storage).

export class Store {
  #session = null;
  #memory = new Map();
  #onFailure;

  /** @param {(cause: unknown) => void} onFailure called once, when sessionStorage stops working */
  constructor(onFailure) {
    this.#onFailure = onFailure;
    try {
      this.#session = globalThis.sessionStorage ?? null;
      this.#session?.getItem("mobproc-auth:probe");
    } catch (cause) {
      this.#fail(cause);
    }
  }

  get(key) {
    if (this.#session) {
      try {
        return this.#session.getItem(key);
      } catch (cause) {
        this.#fail(cause);
      }
    }
    return this.#memory.get(key) ?? null;
  }

  set(key, value) {
    if (this.#session) {
      try {
        this.#session.setItem(key, value);
        return;
      } catch (cause) {
        // Quota or a storage that throws: memory for the rest of this page's life, no stale copy.
        this.remove(key);
        this.#fail(cause);
      }
    }
    this.#memory.set(key, value);
  }

  remove(key) {
    try {
      this.#session?.removeItem(key);
    } catch (cause) {
      this.#fail(cause);
    }
    this.#memory.delete(key);
  }

  #fail(cause) {
    this.#session = null;
    const report = this.#onFailure;
    this.#onFailure = null;
    report?.(cause);
  }
}
