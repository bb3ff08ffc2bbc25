// Where the token record and the pending sign-in live: sessionStorage when the page has a
// working one, memory otherwise (Node, sandboxed frames, full or throwing storage).

export class Store {
  // undefined until first used: probing lazily lets the failure reach listeners added after
  // createClient resolved.
  #session = undefined;
  #memory = new Map();
  #onFailure;

  /** @param {(cause: unknown) => void} onFailure called once, when sessionStorage stops working */
  constructor(onFailure) {
    this.#onFailure = onFailure;
  }

  get(key) {
    if (this.#storage()) {
      try {
        return this.#session.getItem(key);
      } catch (cause) {
        this.#fail(cause);
      }
    }
    return this.#memory.get(key) ?? null;
  }

  set(key, value) {
    if (this.#storage()) {
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
      this.#storage()?.removeItem(key);
    } catch (cause) {
      this.#fail(cause);
    }
    this.#memory.delete(key);
  }

  #storage() {
    if (this.#session === undefined) {
      try {
        this.#session = globalThis.sessionStorage ?? null;
        this.#session?.getItem("mobproc-auth:probe");
      } catch (cause) {
        this.#fail(cause);
      }
    }
    return this.#session;
  }

  #fail(cause) {
    this.#session = null;
    const report = this.#onFailure;
    this.#onFailure = null;
    report?.(cause);
  }
}
