//! The presence lock: each client that shares its session across tabs holds the shared Web
//! Lock `mobproc-auth:tab:<storage key>` while it lives and its page is shown, so that a new
//! client that finds nobody holding it asks the other tabs but does not wait for an answer
//! (`Client::ask_other_tabs`). Beside it, each holds the shared Web Lock
//! `mobproc-auth:gen:<session>:<refreshes>` of its stored record: a client about to refresh
//! an older record of the session (its tab reloaded during another's refresh, or started from
//! a copy of a tab's storage) finds it held, and waits for the newer record rather than send
//! a refresh token that was rotated away, which a server detecting reuse (RFC 9700 §4.14.2)
//! answers by revoking the session in every tab. It comes from the browser, so a tab busy
//! with a long task, or frozen, still shows it.
//!
//! The page lets them go at `beforeunload` (or `pagehide`, where that is the only one): Firefox
//! keeps a page that holds a Web Lock out of its back/forward cache, Chromium evicts one when
//! another tab queries or requests the origin's locks, and a cached page answers nobody (a
//! message evicts it). It takes them again on `pageshow` (back from that cache, where Safari
//! may have let it go itself), or [`RETAKE_MS`] later if the page is still there (a download,
//! a navigation the user cancelled, one slower than that: the page is then not cached in
//! Firefox).
//!
//! Whether another client is present is read with `locks.query()`, not asked with an
//! `ifAvailable` request: Firefox keeps a page whose such request was refused out of its
//! back/forward cache for the rest of its life.

use super::tabs::{lock_manager, LockManager};
use super::value::{
    clear_timeout, deferred, field, global, is_text, set_text, set_timeout, Handler,
};
use super::{Client, Inner};
use crate::token::TokenRecord;
use js_sys::{Function, Object, Promise};
use std::cell::Cell;
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;

/// The start of a presence lock's name; the storage key follows.
const PRESENCE: &str = "mobproc-auth:tab:";

/// The start of a generation lock's name; the session id, `:` and its refresh count follow.
const GENERATION: &str = "mobproc-auth:gen:";

/// The page events the presence follows: leaving (perhaps into the back/forward cache), and
/// shown again.
const PAGE_EVENTS: [&str; 3] = ["beforeunload", "pagehide", "pageshow"];

/// How long after `beforeunload` or `pagehide` a page that is still there takes its presence
/// again.
const RETAKE_MS: f64 = 3000.0;

/// This client's presence: what releases its lock while it holds it, and the page listener
/// that lets it go and takes it again.
pub(super) struct Presence {
    release: Cell<Option<Function>>,
    on_page: Cell<Option<JsValue>>,
    /// The timer that takes the lock again after the page let it go, while it runs.
    retake: Cell<Option<JsValue>>,
    /// What releases the generation lock while it is held.
    generation: Cell<Option<Function>>,
}

impl Presence {
    /// Takes the presence lock of the storage `key`. The promise is the origin's locks just
    /// before ([`nobody_present`] reads it; see [`take_lock`]).
    pub(super) fn take(key: &str) -> (Option<Promise>, Presence) {
        let (alone, release) = take_lock(&presence_lock(key), true);
        let presence = Presence {
            release: Cell::new(release),
            on_page: Cell::new(None),
            retake: Cell::new(None),
            generation: Cell::default(),
        };
        (alone, presence)
    }

    /// Lets the lock go, and the generation lock; true if the presence was held.
    fn let_go(&self) -> bool {
        release(self.generation.take());
        let held = self.release.take();
        let was = held.is_some();
        release(held);
        was
    }
}

/// Calls `release`, if any: a held lock goes.
fn release(release: Option<Function>) {
    if let Some(release) = release {
        let _ = release.call0(&JsValue::NULL);
    }
}

/// The name of the presence lock of the storage `key`.
fn presence_lock(key: &str) -> String {
    crate::text::cat(&[PRESENCE, key])
}

impl Drop for Presence {
    fn drop(&mut self) {
        if let Some(handler) = self.on_page.take() {
            page_listeners("removeEventListener", &handler);
        }
        self.let_go();
    }
}

/// `window.addEventListener` or `removeEventListener` (`method`) of `handler` for
/// [`PAGE_EVENTS`].
fn page_listeners(method: &str, handler: &JsValue) {
    let window = global("window");
    if let Ok(method) = field(&window, method).dyn_into::<Function>() {
        for event in PAGE_EVENTS {
            let _ = method.call2(&window, &JsValue::from_str(event), handler);
        }
    }
}

/// Whether `snapshot` (what `locks.query()` gave, else anything) shows no client of the storage
/// `key` holding the presence lock.
pub(super) fn nobody_present(snapshot: &JsValue, key: &str) -> bool {
    nobody_holds(snapshot, &presence_lock(key))
}

/// Whether `snapshot` (what `locks.query()` gave, else anything: false) shows the lock `name`
/// held by nobody. Its held locks only: a request for a lock waits only while one of that
/// name is held.
pub(super) fn nobody_holds(snapshot: &JsValue, name: &str) -> bool {
    any_held(snapshot, &|lock| is_text(lock, "name", name)) == Some(false)
}

/// Whether `snapshot` shows a held lock that `matches`; `None` where it cannot be read.
fn any_held(snapshot: &JsValue, matches: &dyn Fn(&JsValue) -> bool) -> Option<bool> {
    // Read through `Reflect` only: a stand-in `locks` may hand back anything (a revoked Proxy
    // throws on `Array.isArray`), and a throw through the module would leave the refresh or
    // `createClient` waiting on it pending for good.
    let held = field(snapshot, "held");
    let length = field(&held, "length").as_f64()?;
    let mut at = 0.0;
    // A real snapshot holds a few; a made-up length is not walked for ever.
    while at < length.min(1000.0) {
        let lock = js_sys::Reflect::get(&held, &JsValue::from(at)).unwrap_or_default();
        if matches(&lock) {
            return Some(true);
        }
        at += 1.0;
    }
    Some(false)
}

/// The generation lock of `record`: `mobproc-auth:gen:<session>:<refreshes>`, where it has
/// both (a record of an older version may not).
fn generation_lock(record: &TokenRecord) -> Option<String> {
    let (id, refreshes) = (record.session_id()?, record.refreshes()?);
    let count = crate::text::decimal(refreshes.into());
    Some(crate::text::cat(&[GENERATION, id.as_str(), ":", &count]))
}

/// Whether `snapshot` shows a generation lock of `record`'s session with more refreshes than
/// `record`: a live client holds a newer record of it, and `record`'s refresh token is dead.
pub(super) fn newer_held(snapshot: &JsValue, record: &TokenRecord) -> bool {
    let (Some(id), Some(refreshes)) = (record.session_id(), record.refreshes()) else {
        return false;
    };
    let prefix = crate::text::cat(&[GENERATION, id.as_str(), ":"]);
    let newer = |lock: &JsValue| {
        let Ok(name) = field(lock, "name").dyn_into::<js_sys::JsString>() else {
            return false;
        };
        // Only the count is copied into the module, and only a short one.
        let start = prefix.len() as u32;
        if !name.starts_with(&prefix, 0) || name.length() > start + 10 {
            return false;
        }
        let count = String::from(name.slice(start, name.length()));
        crate::text::digits(&count).is_some_and(|count| count > u64::from(refreshes))
    };
    any_held(snapshot, &newer) == Some(true)
}

/// `promise` with its rejection handled by `handler` (nothing logged), as a new promise.
fn quietly(promise: &Promise, handler: &JsValue) -> Option<Promise> {
    super::value::chain(promise, "catch", handler)
}

/// With `look`, a snapshot of the origin's locks (the promise; `NaN` where Web Locks refuse,
/// as for an opaque origin), then the lock `name` (shared: every client of the key holds the
/// presence lock) until the returned function is called or the page goes away.
/// `None`s without Web Locks, or where asking throws; a refusal is handled quietly.
fn take_lock(name: &str, look: bool) -> (Option<Promise>, Option<Function>) {
    let locks = lock_manager();
    if !locks.is_object() {
        return (None, None);
    }
    let locks: LockManager = locks.unchecked_into();
    // Before this client's own request, which the snapshot must not show.
    let alone = match look {
        true => locks
            .query()
            .ok()
            .and_then(|q| quietly(&q, &global("Number"))),
        false => None,
    };
    let options = Object::new();
    set_text(&options, "mode", "shared");
    let (held, release) = deferred();
    // `held.then` bound to `held`: called with the lock, it returns a promise that settles
    // when `held` does, so the lock lasts until `release` (no closure in the module for it).
    let then: Function = field(&held, "then").unchecked_into();
    let request = locks.request(name, &options, &then.bind0(&held));
    let held = request.ok().and_then(|request| quietly(&request, &release));
    (alone, held.map(|_| release))
}

impl Client {
    /// Lets the presence go when the page may be leaving and takes it again when it is
    /// shown (from [`Client::new`]). The listener holds the client weakly; a dropped client
    /// removes it. Nothing without Web Locks.
    pub(super) fn follow_page(&self) {
        let Some(tabs) = &self.0.tabs else { return };
        let presence = &tabs.presence;
        let Some(release) = presence.release.take() else {
            return;
        };
        presence.release.set(Some(release));
        let inner: Weak<Inner> = Rc::downgrade(&self.0);
        let handler = Closure::<Handler>::new(move |event: JsValue| {
            if let Some(inner) = inner.upgrade() {
                Client(inner).on_page_event(&event);
            }
            Ok(())
        })
        .into_js_value();
        page_listeners("addEventListener", &handler);
        presence.on_page.set(Some(handler));
        self.hold_generation();
    }

    /// `beforeunload` or `pagehide`: lets the presence go, and takes it again [`RETAKE_MS`]
    /// later (the same handler, called with no event; a later leaving starts that time again).
    /// Anything else (`pageshow`, that call): takes it unless it is held.
    fn on_page_event(&self, event: &JsValue) {
        let Some(tabs) = &self.0.tabs else { return };
        let presence = &tabs.presence;
        let timer = presence.retake.take();
        if let Some(timer) = &timer {
            clear_timeout(timer);
        }
        if is_text(event, "type", "beforeunload") || is_text(event, "type", "pagehide") {
            if presence.let_go() || timer.is_some() {
                if let Some(handler) = presence.on_page.take() {
                    presence.retake.set(Some(set_timeout(&handler, RETAKE_MS)));
                    presence.on_page.set(Some(handler));
                }
            }
            return;
        }
        // Back from the back/forward cache, where the browser may have let it go itself.
        if field(event, "persisted") == JsValue::TRUE {
            presence.let_go();
        }
        let held = presence.release.take();
        presence
            .release
            .set(held.or_else(|| take_lock(&presence_lock(self.key()), false).1));
        self.hold_generation();
    }

    /// Holds the generation lock of the stored record while the presence is held, and no other:
    /// a client that is about to refresh an older record of the session finds it held
    /// ([`newer_held`]) and does not send a refresh token that was rotated away. Called when
    /// the record changes or goes, and when the page is shown.
    pub(super) fn hold_generation(&self) {
        let Some(tabs) = &self.0.tabs else { return };
        let presence = &tabs.presence;
        let shown = presence.release.take();
        let showing = shown.is_some();
        presence.release.set(shown);
        // Peeked: at start-up a storage failure is left for the first real use to report.
        let name = super::navigation::parse_record(&self.0.store.peek(self.key()))
            .and_then(|record| generation_lock(&record))
            .filter(|_| showing);
        // The new one taken before the old one goes (the same one, often: shared, it may be
        // held twice), so that no snapshot between misses it.
        let held = presence.generation.take();
        presence
            .generation
            .set(name.and_then(|name| take_lock(&name, false).1));
        release(held);
    }
}
