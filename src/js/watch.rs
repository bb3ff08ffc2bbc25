//! `client.subscribe(onChange)` and the functions that unsubscribe: `Client::subscribe` with
//! a JavaScript listener. What `useSyncExternalStore((f) => client.subscribe(f), () =>
//! client.session())` needs.

use super::listeners::{self, Held};
use crate::client::{Client, Watch};
use js_sys::{Function, Map, WeakRef};
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;

/// Subscribes the `on_change` that `held` holds (what it throws is ignored); returns the
/// function that unsubscribes.
pub fn subscribe(client: &Client, held: Held) -> Function {
    let on_change = held.function;
    let subscription = client.subscribe(move || {
        if let Some(on_change) = on_change.deref() {
            let _ = on_change.call0(&JsValue::NULL);
        }
    });
    let watch = Rc::downgrade(&subscription.watch);
    unsubscribe(client, subscription.id, held.key, Some(watch))
}

/// The function that unsubscribes listener `id`, lets go of the function kept under `key`
/// (and stops `watch`'s timer): one closure type for `on` and `subscribe`, so that its glue
/// is in the module once. It holds the client and the watch weakly: one the app keeps does
/// not keep a client the app let go of (the client's listener owns the watch).
pub fn unsubscribe(
    client: &Client,
    id: crate::client::ListenerId,
    key: (WeakRef<Map>, u32),
    watch: Option<Weak<Watch>>,
) -> Function {
    // Weakly: an unsubscribe function the app keeps does not keep a client it let go of.
    let client = client.downgrade();
    let off = Closure::<dyn FnMut()>::new(move || {
        if let Some(client) = client.upgrade() {
            client.off(id);
        }
        listeners::release(&key);
        if let Some(watch) = watch.as_ref().and_then(Weak::upgrade) {
            watch.cancel();
        }
    });
    off.into_js_value().unchecked_into()
}
