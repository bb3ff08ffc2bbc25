//! `client.subscribe(onChange)`: calls `onChange` whenever `session()` may read differently:
//! on `sessionChanged` (sign-in, refresh, sign-out, another tab), and when the access token
//! expires, which changes `session()` to `null` without an event. What
//! `useSyncExternalStore(client.subscribe, client.session)` needs.

use crate::client::{clear_timeout, set_timeout, unref, Client, EventKind, WeakClient};
use js_sys::Function;
use std::cell::Cell;
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;

/// One subscription: its listener, and the timer set for the current token's expiry. It holds
/// the client weakly: the client's listener holds it, and a client it held would never be
/// freed (nor let go of its Web Lock and channel) when the app forgot to unsubscribe.
pub struct Watch {
    client: WeakClient,
    on_change: Function,
    timer: Cell<Option<JsValue>>,
}

impl Watch {
    /// Sets the timer for the current session's expiry (setTimeout holds at most 2^31 − 1 ms:
    /// a longer wait wakes up and plans again), replacing any earlier one.
    fn plan(self: &Rc<Self>) {
        self.cancel();
        let Some(session) = self.client.upgrade().and_then(|client| client.session()) else {
            return;
        };
        let now = js_sys::Date::now();
        let delay = (session.expires_at as f64 - now + 1.0).clamp(0.0, 2_147_483_647.0);
        let watch: Weak<Watch> = Rc::downgrade(self);
        // `FnMut` rather than `once_into_js`: that glue is in the module already; JavaScript's
        // collector frees it.
        let wake = Closure::<dyn FnMut()>::new(move || {
            if let Some(watch) = watch.upgrade() {
                watch.timer.set(None);
                // Planned first: an `onChange` that unsubscribes cancels it.
                watch.plan();
                watch.changed();
            }
        })
        .into_js_value();
        let timer = set_timeout(&wake, delay);
        unref(&timer);
        self.timer.set(Some(timer));
    }

    fn cancel(&self) {
        if let Some(timer) = self.timer.take() {
            clear_timeout(&timer);
        }
    }

    fn changed(&self) {
        let _ = self.on_change.call0(&JsValue::NULL);
    }
}

/// Subscribes `on_change`; returns the function that unsubscribes.
pub fn subscribe(client: &Client, on_change: Function) -> Function {
    let watch = Rc::new(Watch {
        client: client.downgrade(),
        on_change,
        timer: Cell::new(None),
    });
    let listener = watch.clone();
    let id = client.on(EventKind::SessionChanged, move |_| {
        listener.plan();
        listener.changed();
    });
    watch.plan();
    unsubscribe(client, id, Some(watch))
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
