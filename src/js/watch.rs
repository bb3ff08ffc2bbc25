//! `client.subscribe(onChange)` and the functions that unsubscribe: `Client::subscribe` with
//! a JavaScript listener. What `useSyncExternalStore((f) => client.subscribe(f), () =>
//! client.session())` needs.

use crate::client::{Client, Watch};
use js_sys::Function;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// Subscribes `on_change` (what it throws is ignored); returns the function that
/// unsubscribes.
pub fn subscribe(client: &Client, on_change: Function) -> Function {
    let subscription = client.subscribe(move || {
        let _ = on_change.call0(&JsValue::NULL);
    });
    unsubscribe(client, subscription.id, Some(subscription.watch))
}

/// The function that unsubscribes listener `id` (and stops `watch`'s timer): one closure
/// type for `on` and `subscribe`, so that its glue is in the module once.
pub fn unsubscribe(client: &Client, id: u32, watch: Option<Rc<Watch>>) -> Function {
    let client = client.clone();
    let off = Closure::<dyn FnMut()>::new(move || {
        client.off(id);
        if let Some(watch) = &watch {
            watch.cancel();
        }
    });
    off.into_js_value().unchecked_into()
}
