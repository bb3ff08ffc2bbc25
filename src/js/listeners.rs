//! Where the functions given to `on` and `subscribe` are kept: in a `Map` on the client's
//! JavaScript object, which Rust reaches only through `WeakRef`s. A function kept from Rust
//! sits in wasm-bindgen's table, a root for JavaScript's collector, so one that uses its client
//! (`client.on("error", () => client.logout())`) would keep that client, its memory and its
//! timers for as long as the page or process lives. Kept by the object, the cycle is
//! JavaScript's own, which the collector frees.

use js_sys::{Function, Map, Object, Reflect, WeakRef};
use std::cell::Cell;
use wasm_bindgen::{JsCast, JsValue};

/// A client's listeners by key.
pub(super) struct Listeners {
    map: WeakRef<Map>,
    /// The map until [`Listeners::take`] hands it to the client's object. A client made by
    /// `new MobprocClient` (not the public API: its object is made by wasm-bindgen's glue,
    /// which Rust never sees) keeps it here.
    kept: Cell<Option<Map>>,
    next: Cell<u32>,
}

/// One kept listener: how to find it and how to let go of it.
pub(super) struct Held {
    /// The listener, while the client's object holds it.
    pub function: WeakRef<Function>,
    /// How [`release`] finds it.
    pub key: (WeakRef<Map>, u32),
}

impl Listeners {
    /// An empty map, kept from Rust until [`Listeners::take`].
    pub fn new() -> Listeners {
        let map = Map::new();
        Listeners {
            map: WeakRef::new(&map),
            kept: Cell::new(Some(map)),
            next: Cell::new(0),
        }
    }

    /// The map, held strongly by a call under way (see `promise`).
    pub fn held(&self) -> Option<Map> {
        self.map.deref()
    }

    /// The map, weakly, for what outlives a call (a page walk).
    pub fn weak(&self) -> WeakRef<Map> {
        self.map.clone()
    }

    /// The map, for [`give`]; from then on Rust holds it only weakly.
    pub fn take(&self) -> Option<Map> {
        self.kept.take()
    }

    /// Keeps `function` in the map, and gives what Rust holds of it.
    pub fn hold(&self, function: &Function) -> Held {
        let key = self.next.get();
        self.next.set(key.wrapping_add(1));
        // Called on a live client, so its object and map exist.
        if let Some(map) = self.map.deref() {
            map.set(&key.into(), function);
        }
        Held {
            function: WeakRef::new(function),
            key: (self.map.clone(), key),
        }
    }
}

/// Hands `map` to `object`, the client's JavaScript object, under a symbol property (not
/// enumerable, not writable): from then on the listeners live as long as the object does.
pub(super) fn give(object: &JsValue, map: &Map) {
    let descriptor = Object::new();
    let _ = Reflect::set(&descriptor, &"value".into(), map);
    let key = JsValue::symbol(Some("mobproc-auth listeners"));
    Object::define_property(object.unchecked_ref::<Object>(), &key, &descriptor);
}

/// Lets go of a listener (its unsubscribe function); twice does nothing.
pub(super) fn release((map, key): &(WeakRef<Map>, u32)) {
    if let Some(map) = map.deref() {
        map.delete(&JsValue::from(*key));
    }
}
