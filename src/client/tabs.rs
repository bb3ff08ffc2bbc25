//! The session shared between the tabs of one origin, client and tenant, without
//! localStorage: a new tab asks the open ones over a BroadcastChannel and copies a valid
//! session into its own sessionStorage; sign-in, refresh and sign-out are told to every tab;
//! a refresh runs under a Web Lock, so that however many tabs hold an expiring token, one
//! token request is made and every tab ends up with the rotated refresh token.
//!
//! Messages are plain objects naming the client, tenant and storage key; anything else on the
//! channel (another client, another tenant, a malformed or expired record) is ignored.

use super::events::Event;
use super::navigation::parse_record;
use super::value::{field, global, in_browser_page, run, sleep, string};
use super::{Client, Inner};
use crate::error::Result;
use crate::token::Session;
use js_sys::{Function, Object, Promise, Reflect};
use std::cell::Cell;
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// How long a tab waits for the others to answer: short enough not to delay a page that is
/// alone, long enough for a busy tab's event loop.
pub(super) const ASK_WAIT_MS: f64 = 150.0;

/// The channel every client of the package uses on this origin.
const CHANNEL: &str = "mobproc-auth";

#[wasm_bindgen]
extern "C" {
    /// `navigator.locks` (Web Locks).
    type LockManager;
    #[wasm_bindgen(method, catch)]
    fn request(
        this: &LockManager,
        name: &str,
        options: &JsValue,
        callback: &Function,
    ) -> std::result::Result<Promise, JsValue>;
}

/// This client's end of the channel, and the callers waiting for a session from another tab.
pub(super) struct Tabs {
    channel: web_sys::BroadcastChannel,
    waiting: Cell<Vec<Function>>,
}

impl Drop for Tabs {
    fn drop(&mut self) {
        self.channel.set_onmessage(None);
        self.channel.close();
    }
}

impl Tabs {
    /// The channel, when sharing is on and this is a browser page that has BroadcastChannel.
    pub(super) fn open(share: bool) -> Option<Tabs> {
        if !share || !in_browser_page() || !global("BroadcastChannel").is_function() {
            return None;
        }
        let channel = web_sys::BroadcastChannel::new(CHANNEL).ok()?;
        Some(Tabs {
            channel,
            waiting: Cell::new(Vec::new()),
        })
    }

    /// Wakes whoever waits for a session from another tab.
    fn wake(&self) {
        for resolve in self.waiting.take() {
            let _ = resolve.call0(&JsValue::NULL);
        }
    }
}

impl Client {
    /// Starts listening to the other tabs (from [`Client::new`]). The handler holds the
    /// client weakly: a dropped client stops listening.
    pub(super) fn listen_to_tabs(&self) {
        let Some(tabs) = &self.0.tabs else { return };
        let inner: Weak<Inner> = Rc::downgrade(&self.0);
        let handler = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
            move |event: web_sys::MessageEvent| {
                if let Some(inner) = inner.upgrade() {
                    Client(inner).on_tab_message(&event.data());
                }
            },
        );
        tabs.channel
            .set_onmessage(Some(handler.into_js_value().unchecked_ref()));
    }

    /// A new tab: asks the open ones for their session and waits at most [`ASK_WAIT_MS`] for
    /// one. Does nothing when this tab already has a session or sharing is off.
    pub async fn ask_other_tabs(&self) {
        if self.0.tabs.is_none() {
            return;
        }
        // Peeked, not read: a storage failure is reported at first use, after the app has
        // had the chance to listen for it.
        let held = parse_record(&self.0.store.peek(self.key()));
        if held.is_some_and(|record| !record.is_expired(super::value::now_ms())) {
            return;
        }
        self.wait_for_tabs().await;
    }

    /// Asks the other tabs and waits until one's session is adopted, or [`ASK_WAIT_MS`].
    async fn wait_for_tabs(&self) {
        let Some(tabs) = &self.0.tabs else { return };
        let adopted = Promise::new(&mut |resolve, _| {
            let mut waiting = tabs.waiting.take();
            waiting.push(resolve);
            tabs.waiting.set(waiting);
        });
        self.tell_tabs("ask", None);
        let timeout = run(Box::pin(async {
            sleep(ASK_WAIT_MS).await;
            Ok(JsValue::UNDEFINED)
        }));
        let first = Promise::race(&js_sys::Array::of2(&adopted, &timeout));
        let _ = JsFuture::from(first).await;
    }

    /// Posts `{ mobprocAuth: kind, clientId, tenant, key, record? }` to the other tabs.
    pub(super) fn tell_tabs(&self, kind: &str, record: Option<&JsValue>) {
        let Some(tabs) = &self.0.tabs else { return };
        let config = &self.0.config;
        let message = Object::new();
        let set = |key: &str, value: &JsValue| {
            let _ = Reflect::set(&message, &key.into(), value);
        };
        set("mobprocAuth", &kind.into());
        set("clientId", &config.client_id().as_str().into());
        set("tenant", &config.tenant().as_str().into());
        set("key", &self.key().into());
        if let Some(record) = record {
            set("record", record);
        }
        let _ = tabs.channel.post_message(&message);
    }

    /// Tells the other tabs about the stored record (after a sign-in or a refresh).
    pub(super) fn share_record(&self) {
        if self.0.tabs.is_some() {
            let raw = self.0.store.get(self.key());
            if raw.is_string() {
                self.tell_tabs("session", Some(&raw));
            }
        }
    }

    fn on_tab_message(&self, data: &JsValue) {
        let config = &self.0.config;
        let ours = string(data, "clientId").as_deref() == Some(config.client_id().as_str())
            && string(data, "tenant").as_deref() == Some(config.tenant().as_str())
            && string(data, "key").as_deref() == Some(self.key());
        if !ours {
            return;
        }
        match string(data, "mobprocAuth").as_deref() {
            Some("ask") if self.usable().is_some() => self.share_record(),
            Some("session") => self.adopt(&field(data, "record")),
            Some("signout") => self.signed_out_elsewhere(),
            _ => {}
        }
    }

    /// Stores another tab's record when it is valid, unexpired and newer than this tab's.
    fn adopt(&self, raw: &JsValue) {
        let Some(incoming) = parse_record(raw) else {
            return;
        };
        let now = super::value::now_ms();
        if incoming.is_expired(now) {
            return;
        }
        let newer = match self.record() {
            None => true,
            Some(held) => held.is_expired(now) || incoming.expires_at_ms() > held.expires_at_ms(),
        };
        if newer {
            self.0.headers.clear();
            self.0.store.set_value(self.key(), raw);
            self.plan_expiry_warning();
            self.0.events.emit(&Event::SessionChanged(self.session()));
        }
        if let Some(tabs) = &self.0.tabs {
            if self.usable().is_some() {
                tabs.wake();
            }
        }
    }

    /// Another tab signed out: so does this one (the other tab revokes).
    fn signed_out_elsewhere(&self) {
        self.0.headers.clear();
        self.cancel_expiry_warning();
        if self.record().is_some() {
            self.0.store.remove(self.key());
            self.0.events.emit(&Event::SessionChanged(None));
        }
    }

    /// The refresh, under a Web Lock shared by the tabs when sharing is on. A tab that had to
    /// wait for the lock first looks whether the winner's rotated token reached it (asking
    /// the tabs if not) and only refreshes itself when no tab did.
    pub(super) async fn refresh_across_tabs(&self) -> Result<Option<Session>> {
        let locks = field(&global("navigator"), "locks");
        if self.0.tabs.is_none() || !locks.is_object() {
            return self.refresh_once().await;
        }
        let locks: LockManager = locks.unchecked_into();
        let before = self.refresh_token_text();
        let name = crate::text::cat(&["mobproc-auth:refresh:", self.key()]);
        let outcome: Rc<Cell<Option<Result<Option<Session>>>>> = Rc::default();
        let options = Object::new();
        let _ = Reflect::set(&options, &"ifAvailable".into(), &true.into());
        let first = self.locked(&locks, &name, &options, outcome.clone(), None);
        let _ = JsFuture::from(first).await;
        if let Some(result) = outcome.take() {
            return result;
        }
        // Another tab held the lock: it was refreshing.
        let then = self.locked(&locks, &name, &Object::new(), outcome.clone(), Some(before));
        let _ = JsFuture::from(then).await;
        outcome
            .take()
            .unwrap_or_else(|| self.session_or_not_signed_in())
    }

    /// Requests the lock; the work runs while it is held. `waited_from` is the refresh token
    /// seen before waiting: if it changed meanwhile another tab refreshed.
    fn locked(
        &self,
        locks: &LockManager,
        name: &str,
        options: &Object,
        outcome: Rc<Cell<Option<Result<Option<Session>>>>>,
        waited_from: Option<Option<String>>,
    ) -> Promise {
        let client = self.clone();
        let work = Closure::once_into_js(move |lock: JsValue| -> Promise {
            run(Box::pin(async move {
                if lock.is_null() {
                    return Ok(JsValue::UNDEFINED); // not available: the caller waits
                }
                if let Some(before) = waited_from {
                    if client.refresh_token_text() == before {
                        client.wait_for_tabs().await;
                    }
                    if client.refresh_token_text() != before {
                        outcome.set(Some(client.session_or_not_signed_in()));
                        return Ok(JsValue::UNDEFINED);
                    }
                }
                outcome.set(Some(client.refresh_once().await));
                Ok(JsValue::UNDEFINED)
            }))
        });
        match locks.request(name, options, work.unchecked_ref()) {
            Ok(promise) => promise,
            Err(_) => Promise::resolve(&JsValue::UNDEFINED),
        }
    }

    /// After `invalid_grant` on a refresh token another tab may just have rotated: true if a
    /// tab's newer session was adopted instead.
    pub(super) async fn rotated_elsewhere(&self, used: &str) -> bool {
        if self.0.tabs.is_none() {
            return false;
        }
        self.wait_for_tabs().await;
        self.refresh_token_text()
            .is_some_and(|current| current != used)
    }

    fn refresh_token_text(&self) -> Option<String> {
        let record = self.record()?;
        record.refresh_token().map(|t| t.secret().to_owned())
    }

    fn session_or_not_signed_in(&self) -> Result<Option<Session>> {
        match self.session() {
            Some(session) => Ok(Some(session)),
            None => Err(crate::error::Error::NotAuthenticated),
        }
    }
}
