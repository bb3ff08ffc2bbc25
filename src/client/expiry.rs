//! The warning before a session that cannot be refreshed ends: `sessionExpiring` once,
//! `refreshSkewSeconds` before the access token expires, so the app can save its state and
//! sign in again. PingFederate may issue no refresh token to an implicit client, and without
//! the relay a portal cannot refresh at all.

use super::events::Event;
use super::value::{clear_timeout, now_ms, set_timeout, unref};
use super::{Client, Inner};
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;

/// A wait is done in steps of at most a minute, each checking the clock again: timers stop
/// while the machine sleeps (a laptop's lid, a phone), and one long timer would wake up as
/// late as the sleep was long. (`setTimeout` also holds at most 2^31 − 1 ms.)
pub(super) const MAX_DELAY_MS: u64 = 60_000;

impl Drop for Inner {
    /// Clears the warning's timer: its closure, and this allocation its `Weak` holds, go
    /// with the client rather than up to a minute later.
    fn drop(&mut self) {
        if let Some(timer) = self.expiry_timer.take() {
            clear_timeout(&timer);
        }
    }
}

impl Client {
    /// Plans the warning for the stored session (after a sign-in, a refresh, a page load),
    /// replacing any earlier plan.
    pub(super) fn plan_expiry_warning(&self) {
        self.cancel_expiry_warning();
        let Some(record) = self.record() else { return };
        let expires_at = record.expires_at_ms();
        let now = now_ms();
        // Ended already (stored expired): nothing to warn of. A warning planned before the end
        // is given even late (a throttled or sleeping page).
        if now >= expires_at {
            return;
        }
        let warn_at = expires_at.saturating_sub(self.0.config.refresh_skew_ms());
        let delay = warn_at.saturating_sub(now).min(MAX_DELAY_MS);
        let timer = self.timer(Some(expires_at), delay as f64);
        self.0.expiry_timer.set(Some(timer));
    }

    /// [`Client::plan_expiry_warning`] in a moment: a new client reads storage only after the
    /// app had the chance to add its listeners (a storage failure is reported to them).
    pub(super) fn plan_expiry_warning_later(&self) {
        self.timer(None, 0.0);
    }

    /// A timer (unref'd: it does not keep Node running) that, if the client still exists
    /// then, plans the warning (`None`) or gives it for the session ending at `expires_at`.
    /// One closure for both, so the module carries its glue once.
    fn timer(&self, expires_at: Option<u64>, ms: f64) -> JsValue {
        let inner: Weak<Inner> = Rc::downgrade(&self.0);
        // `FnMut` rather than `once_into_js`: its glue is in the module already (the npm
        // binding's closures); JavaScript's collector frees it.
        let handler = Closure::<dyn FnMut()>::new(move || {
            if let Some(inner) = inner.upgrade() {
                match expires_at {
                    Some(expires_at) => Client(inner).expiry_timer_fired(expires_at),
                    None => Client(inner).plan_expiry_warning(),
                }
            }
        })
        .into_js_value();
        let timer = set_timeout(&handler, ms);
        unref(&timer);
        timer
    }

    /// Forgets the planned warning (sign-out, session ended).
    pub(super) fn cancel_expiry_warning(&self) {
        if let Some(timer) = self.0.expiry_timer.take() {
            clear_timeout(&timer);
        }
    }

    fn expiry_timer_fired(&self, expires_at: u64) {
        self.0.expiry_timer.take();
        let Some(record) = self.record() else { return };
        // Another record meanwhile (another client of the page refreshed or signed in, which
        // nothing tells this one): planned for it.
        if record.expires_at_ms() != expires_at {
            self.plan_expiry_warning();
            return;
        }
        let warn_at = expires_at.saturating_sub(self.0.config.refresh_skew_ms());
        if now_ms() < warn_at {
            // One step of a longer wait; whether it can be refreshed is asked at its end
            // (another client of the page may drop the refresh token meanwhile).
            self.plan_expiry_warning();
            return;
        }
        if self.can_refresh() {
            // Refreshable still: asked again each minute until a second before the end (a
            // warning at the end would come as the session ends), for another client of the
            // page may drop a refused refresh token meanwhile (nothing tells this one).
            let now = now_ms();
            let next = expires_at
                .saturating_sub(1000)
                .min(now.saturating_add(MAX_DELAY_MS));
            if next > now {
                let timer = self.timer(Some(expires_at), (next - now) as f64);
                self.0.expiry_timer.set(Some(timer));
            }
            return;
        }
        if self.0.warned_expiry.replace(expires_at) != expires_at {
            self.0.events.emit(&Event::SessionExpiring { expires_at });
        }
    }
}
