//! [`Client::subscribe`]: a call whenever `session()` may read differently: on
//! `SessionChanged` (sign-in, refresh, sign-out, another tab), and when the access token
//! expires, which turns `session()` to `None` without an event. What a UI's "signed in" state
//! (a Leptos signal, a Yew state, React's `useSyncExternalStore`) needs.

use super::value::{clear_timeout, set_timeout, unref};
use super::{Client, EventKind, WeakClient};
use std::cell::Cell;
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;

/// One subscription's listener and the timer set for the current token's expiry. It holds the
/// client weakly: the client's listener holds it, and a client it held would never be freed
/// (nor let go of its Web Lock and channel) when the app forgot to unsubscribe.
pub(crate) struct Watch {
    client: WeakClient,
    on_change: Box<dyn Fn()>,
    timer: Cell<Option<JsValue>>,
}

/// What [`Client::subscribe`] returns. Dropping it does not unsubscribe (a handle JavaScript
/// drops when it pleases must not end a subscription): call [`Subscription::unsubscribe`].
#[must_use = "keep it to unsubscribe: dropping it does not end the subscription"]
pub struct Subscription {
    /// The client's listener id.
    pub(crate) id: super::ListenerId,
    /// The expiry timer's owner.
    pub(crate) watch: Rc<Watch>,
}

impl Subscription {
    /// Ends the subscription; twice does nothing.
    pub fn unsubscribe(&self) {
        if let Some(client) = self.watch.client.upgrade() {
            client.off(self.id);
        }
        self.watch.cancel();
    }
}

impl Client {
    /// Calls `on_change` whenever [`Client::session`] may read differently: sign-in,
    /// refresh, sign-out (here or in another tab), and the access token's expiry, which no
    /// event announces. `on_change` reads the session itself. A listener that holds a clone of
    /// the client keeps it alive until [`Subscription::unsubscribe`].
    pub fn subscribe(&self, on_change: impl Fn() + 'static) -> Subscription {
        let watch = Rc::new(Watch {
            client: self.downgrade(),
            on_change: Box::new(on_change),
            timer: Cell::new(None),
        });
        let listener = watch.clone();
        let id = self.on(EventKind::SessionChanged, move |_| {
            listener.plan();
            (listener.on_change)();
        });
        watch.plan();
        Subscription { id, watch }
    }
}

impl Drop for Watch {
    /// Clears the expiry timer of a subscription dropped with its client, rather than leaving
    /// it to wake up to nothing up to a minute later.
    fn drop(&mut self) {
        self.cancel();
    }
}

impl Watch {
    /// Sets the timer for the current session's expiry, replacing any earlier one. It wakes
    /// at least once a minute to read the clock again (`expiry::MAX_DELAY_MS`: timers stop
    /// while the machine sleeps), and calls `on_change` only once the expiry has passed.
    fn plan(self: &Rc<Self>) {
        self.cancel();
        let Some(session) = self.client.upgrade().and_then(|client| client.session()) else {
            return;
        };
        let expires_at = session.expires_at as f64;
        let delay =
            (expires_at - js_sys::Date::now() + 1.0).clamp(0.0, super::expiry::MAX_DELAY_MS as f64);
        let watch: Weak<Watch> = Rc::downgrade(self);
        // `FnMut` rather than `once_into_js`: that glue is in the module already; JavaScript's
        // collector frees it.
        let wake = Closure::<dyn FnMut()>::new(move || {
            if let Some(watch) = watch.upgrade() {
                watch.timer.set(None);
                // Planned first: an `on_change` that unsubscribes cancels it.
                watch.plan();
                if js_sys::Date::now() >= expires_at {
                    (watch.on_change)();
                }
            }
        })
        .into_js_value();
        let timer = set_timeout(&wake, delay);
        unref(&timer);
        self.timer.set(Some(timer));
    }

    /// Stops the expiry timer.
    pub(crate) fn cancel(&self) {
        if let Some(timer) = self.timer.take() {
            clear_timeout(&timer);
        }
    }
}
