//! The session shared between the tabs of one origin, client and tenant, without
//! localStorage: a new tab asks the open ones over a BroadcastChannel and copies a valid
//! session into its own sessionStorage; sign-in, refresh and sign-out are told to every tab;
//! a refresh runs under a Web Lock, so that however many tabs hold an expiring token, one
//! token request is made and every tab ends up with the rotated refresh token; and a tab
//! that missed a refresh (a reload during it, a copy of a tab's storage) does not send the
//! refresh token it rotated away while a tab holding the newer one is open: each client
//! holds a Web Lock naming its record's generation (`presence.rs`), and a refresh that finds
//! a newer one held waits for that record instead (or, not heard, drops its own).
//!
//! Each client holds the shared Web Lock `mobproc-auth:tab:<storage key>` while it lives and
//! its page is shown (`presence.rs`): a new client that finds nobody holding it still asks,
//! but does not wait for an answer (a tab of a version before the lock answers after
//! `createClient` resolved, and is still heard).
//!
//! Messages are plain objects naming the client, tenant and storage key; anything else on the
//! channel (another client, another tenant, a malformed or expired record) is ignored.
//!
//! A sign-out names the session it ends (the record's [`SessionId`], kept across refreshes).
//! A tab removes its record only if it is of that session, the page remembers the id (in
//! memory, for its life, up to 64 before the list starts again) and adopts no record of it
//! again: a refresh that crossed the sign-out cannot sign anyone back in, and a late sign-out
//! cannot end a session begun since. A tab that removed a record tells the sign-out again (for
//! a tab that took the record from it meanwhile, which never heard the first), and revokes it
//! if it is not the one the signing-out tab revoked. A tab that missed the sign-out (reloaded
//! during it, opened with a copy of sessionStorage, asleep) is told by the tabs that heard it:
//! when it loads with a record ("check": an expired one before anything refreshes it, a usable
//! one without waiting), and when it shares one. A sign-out no open tab heard of is not known.
//! A sign-in over another sign-in's record ends that one (`Client::save_sign_in`): the tabs
//! are told with the new record and move to it, and nothing is revoked (the two may share a
//! grant at the server). A sign-in in a tab that held nothing is told as one ("signin"): every
//! tab takes it, whichever record expires first, and remembers the session it held as
//! replaced, unless that is a later sign-in (session ids start with their sign-in's time, so
//! two sign-ins whose messages crossed settle on the later one everywhere) or the told record
//! has expired while the held one is usable (told late, its refresh token may be dead: the
//! tab keeps its session, and the tabs that moved tell it when it shares it). The same holds
//! for a sign-in over another session told late (a "signout" with a record) when the held id
//! says when its sign-in was; a previous version's id (random only) cannot, and is kept. A
//! refresh, or an answer to a new tab ("session"), is taken only by a tab that holds no usable
//! record of another sign-in: a refresh of one user's session never switches a tab signed in
//! as another. (A tab of a version before "signin" ignores it and keeps its session.)
//!
//! Records stored before ids existed keep none through refreshes: a sign-out naming no session
//! (what such a tab, or an older version, sends) ends any record, and a named one also ends a
//! record without an id, unrevoked (it may be another sign-in's). A tab holding nothing tells
//! nothing when it signs out.

use super::events::Event;
use super::navigation::parse_record;
use super::presence::{newer_held, nobody_holds, nobody_present, Presence};
use super::value::{
    deferred, delay, field, first_of, global, in_browser_page, is_text, keyed_get, run, set_field,
    set_text, sleep, with_page_list, Keyed,
};
use super::{Client, Inner};
use crate::error::{ErrorKind, Result};
use crate::token::{SessionId, TokenRecord};
use js_sys::{Function, Object, Promise};
use std::cell::Cell;
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;

/// How long a tab waits for the others to answer: short enough not to delay a page that is
/// alone, long enough for a busy tab's event loop.
pub(super) const ASK_WAIT_MS: f64 = 150.0;

/// How long the lock stays held after a refresh, for the rotated token to reach every tab.
const HOLD_MS: f64 = 100.0;

/// How many ended sessions the page remembers (then the list starts again): sign-outs are
/// rare, and one page life sees few.
const ENDED_KEPT: usize = 64;

/// What came of asking for the refresh lock.
enum Locked {
    /// The work ran under the lock: its result.
    Done(Result<Option<Rc<TokenRecord>>>),
    /// Web Locks refused the request (an opaque origin) or dropped it.
    Refused,
}

/// A session id from a message: a string of at most 64 characters (a longer one is not copied
/// into the module), well formed.
fn session_id_of(value: &JsValue) -> Option<SessionId> {
    let text = value.dyn_ref::<js_sys::JsString>()?;
    if text.length() > 64 {
        return None;
    }
    SessionId::new(&String::from(text))
}

/// How long a refresh waits for a newer record of its session that a live client holds
/// (its generation lock says so) to reach it: a tab busy with a long task answers late.
const NEWER_WAIT_MS: f64 = 2000.0;

/// `refresh_failed` for a refresh whose token a live client has rotated already, and whose
/// newer record did not reach this one in time.
fn newer_unheard() -> crate::error::Error {
    super::grant::refresh_failed_because(
        "another tab holds a newer refresh token of this session and did not answer in time; \
         this one, rotated away, was not sent, and is dropped: the session keeps its access \
         token until it expires, or until that tab answers",
        None,
    )
}

/// A snapshot of the origin's locks (`undefined` where it cannot be had).
async fn locks_now() -> JsValue {
    let locks: LockManager = lock_manager().unchecked_into();
    let Ok(query) = locks.query() else {
        return JsValue::UNDEFINED;
    };
    // Adopted: a stand-in `locks` (a polyfill, a test's stub) must not throw through the
    // module, which would leave the refresh waiting on it, shared by every caller, pending
    // for good.
    let snapshot = wasm_bindgen_futures::JsFuture::from(super::value::adopt(&query)).await;
    snapshot.unwrap_or_default()
}

/// The name of the refresh lock of the storage `key`.
fn refresh_lock(key: &str) -> String {
    crate::text::cat(&["mobproc-auth:refresh:", key])
}

/// The channel every client of the package uses on this origin.
const CHANNEL: &str = "mobproc-auth";

#[wasm_bindgen]
extern "C" {
    /// `navigator.locks` (Web Locks).
    pub(super) type LockManager;
    /// A snapshot of the origin's locks, held and pending.
    #[wasm_bindgen(method, catch)]
    pub(super) fn query(this: &LockManager) -> std::result::Result<Promise, JsValue>;
    #[wasm_bindgen(method, catch)]
    pub(super) fn request(
        this: &LockManager,
        name: &str,
        options: &JsValue,
        callback: &Function,
    ) -> std::result::Result<Promise, JsValue>;
}

/// `navigator.locks`, read where it is used: nothing is kept across an await.
pub(super) fn lock_manager() -> JsValue {
    field(&global("navigator"), "locks")
}

/// This client's end of the channel, and the callers waiting for a session from another tab.
pub(super) struct Tabs {
    channel: web_sys::BroadcastChannel,
    waiting: Cell<Vec<Function>>,
    /// Whether no other client of the key was open when this one was made: a promise of the
    /// origin's locks just before ([`nobody_present`] reads it), taken by the first
    /// [`Client::ask_other_tabs`] (later calls must not trust it). `None` without Web Locks
    /// (a new tab then always waits).
    alone: Cell<Option<Promise>>,
    /// The shared Web Lock this client holds while it lives and its page is shown.
    pub(super) presence: Presence,
}

thread_local! {
    /// The sessions this page signed out or heard were signed out: their records are not
    /// adopted. Page-wide, not per client: a client made again (a React remount) still knows.
    /// Ids are random, so one list serves every client and storage key.
    /// Keyed by the id (the value unused): the list type of the page's other lists, whose
    /// code is in the module already.
    static ENDED: Cell<Keyed> = const { Cell::new(Vec::new()) };
}

impl Drop for Tabs {
    fn drop(&mut self) {
        self.channel.set_onmessage(None);
        super::value::call_method(&self.channel, "close");
    }
}

impl Tabs {
    /// The channel, when sharing is on and this is a browser page that has BroadcastChannel,
    /// and the presence lock for the storage `key`.
    pub(super) fn open(share: bool, key: &str) -> Option<Tabs> {
        if !share || !in_browser_page() {
            return None;
        }
        let channel = super::value::channel(CHANNEL)?;
        let (alone, presence) = Presence::take(key);
        Some(Tabs {
            channel,
            waiting: Cell::new(Vec::new()),
            alone: Cell::new(alone),
            presence,
        })
    }

    /// Wakes whoever waits for a session from another tab.
    fn wake(&self) {
        // An index loop: `Vec`'s owning iterator would bring its own code and drop glue.
        let waiting = self.waiting.take();
        let mut at = 0;
        while let Some(resolve) = waiting.get(at) {
            let _ = resolve.call0(&JsValue::NULL);
            at += 1;
        }
    }
}

impl Client {
    /// Starts listening to the other tabs (from [`Client::new`]). The handler holds the
    /// client weakly: a dropped client stops listening.
    pub(super) fn listen_to_tabs(&self) {
        let Some(tabs) = &self.0.tabs else { return };
        let inner: Weak<Inner> = Rc::downgrade(&self.0);
        let handler = Closure::<super::value::Handler>::new(move |event: JsValue| {
            if let Some(inner) = inner.upgrade() {
                Client(inner)
                    .on_tab_message(&event.unchecked_ref::<web_sys::MessageEvent>().data());
            }
            Ok(())
        });
        tabs.channel
            .set_onmessage(Some(handler.into_js_value().unchecked_ref()));
    }

    /// A new tab: asks the open ones for their session and waits at most 150 ms (`ASK_WAIT_MS`) for
    /// one; at the first call, not at all when no other client was open when this one was
    /// made (a late answer is still adopted). Does not wait for the tabs when this tab
    /// already has a session (it reads the start-up snapshot of the locks, to ask for a newer
    /// record of it one shows held), nor ask when sharing is off.
    pub async fn ask_other_tabs(&self) {
        let Some(tabs) = &self.0.tabs else { return };
        // Peeked, not read: a storage failure is reported at first use, after the app has
        // had the chance to listen for it.
        let held = parse_record(&self.0.store.peek(self.key()));
        // A reload, or a page opened from one, may have missed a sign-out: the tabs that heard
        // it say so. Not awaited for a usable record (good until then); an expired one is
        // asked about before anything would refresh it, within the wait for the tabs. With no
        // other client open there is no wait: a tab of an older version (no presence lock)
        // answers after the refresh began, which may then meet `invalid_grant` and recover
        // through `rotated_elsewhere`.
        if let Some(id) = held.as_ref().and_then(|held| held.session_id()) {
            self.tell_tabs("check", Some(id), None, None);
        }
        // Taken whether or not this call waits: later calls must not trust it.
        let alone = tabs.alone.take();
        match held.filter(|held| !held.is_expired(super::value::now_ms())) {
            None => self.wait_for_tabs(alone, ASK_WAIT_MS).await,
            // A reload during another tab's refresh holds the record it rotated away, which
            // that tab's generation lock shows: asked for the newer one (not waited for), so
            // that it is had even if that tab has gone when this one refreshes.
            Some(held) => {
                let Some(alone) = alone else { return };
                if let Ok(snapshot) = first_of(&alone, &delay(ASK_WAIT_MS)).await {
                    if newer_held(&snapshot, &held) {
                        self.tell_tabs("ask", None, None, None);
                    }
                }
            }
        }
    }

    /// Asks the other tabs and waits until a session newer than this tab's is adopted (an
    /// answer with the same or an older one does not end the wait), or `ms`; with
    /// `alone` (the start-up snapshot), not at all if it shows no other client. The snapshot
    /// only races the same deadline: a prerendered page's Web Locks wait for it to be shown.
    async fn wait_for_tabs(&self, alone: Option<Promise>, ms: f64) {
        let Some(tabs) = &self.0.tabs else { return };
        let (adopted, resolve) = deferred();
        let mut waiting = tabs.waiting.take();
        // Resolvers of waits that timed out stay until a session is adopted: bounded.
        if waiting.len() >= 16 {
            waiting.clear();
        }
        waiting.push(resolve);
        tabs.waiting.set(waiting);
        self.tell_tabs("ask", None, None, None);
        let deadline = delay(ms);
        if let Some(alone) = alone {
            if let Ok(snapshot) = first_of(&alone, &deadline).await {
                if nobody_present(&snapshot, self.key()) {
                    return;
                }
            }
        }
        let _ = first_of(&adopted, &deadline).await;
    }

    /// Tells the other tabs that the session `id` ended (any session, without one: a record
    /// stored before ids existed), and remembers it here. `expires_at`, of the record this tab
    /// revoked, tells a tab holding another record of it (a refresh this tab had not seen)
    /// that its tokens are still alive; without it, whatever a receiver holds is.
    pub(super) fn tell_signout(&self, id: Option<&SessionId>, expires_at: Option<u64>) {
        self.remember_ended(id, false);
        self.tell_tabs("signout", id, expires_at, None);
    }

    /// Answers a tab that still holds the ended session `id`: a plain sign-out, or, when a
    /// sign-in replaced it, the sign-out with this tab's record (the new session) to move to,
    /// `null` if it holds none (so that the receiver knows not to revoke).
    fn tell_ended(&self, id: &SessionId) {
        let raw = self.0.store.get(self.key());
        let replaced = !self.signed_out(Some(id));
        self.tell_tabs("signout", Some(id), None, replaced.then_some(&raw));
    }

    /// Posts `{ mobprocAuth: kind, clientId, tenant, key, session?, expiresAt?, record? }` to
    /// the other tabs.
    fn tell_tabs(
        &self,
        kind: &str,
        id: Option<&SessionId>,
        expires_at: Option<u64>,
        record: Option<&JsValue>,
    ) {
        let Some(tabs) = &self.0.tabs else { return };
        let config = &self.0.config;
        let message = Object::new();
        let set = |key: &str, value: &str| set_text(&message, key, value);
        set("mobprocAuth", kind);
        set("clientId", config.client_id().as_str());
        set("tenant", config.tenant().as_str());
        set("key", self.key());
        if let Some(record) = record {
            set_field(&message, "record", record);
        }
        if let Some(id) = id {
            set_text(&message, "session", id.as_str());
        }
        if let Some(at) = expires_at {
            set_field(&message, "expiresAt", &(at as f64).into());
        }
        let _ = tabs.channel.post_message(&message);
    }

    /// Remembers that the session `id` ended: signed out, or `replaced` by another sign-in.
    pub(super) fn remember_ended(&self, id: Option<&SessionId>, replaced: bool) {
        // `null`: signed out; `true`: replaced (told apart with `is_null`, already imported).
        let how = if replaced {
            JsValue::TRUE
        } else {
            JsValue::NULL
        };
        self.ended_list(id, Some(&how));
    }

    /// Whether `id` is of a session signed out or replaced on this page or heard of.
    pub(super) fn ended(&self, id: Option<&SessionId>) -> bool {
        self.ended_list(id, None).is_some()
    }

    /// Whether `id` is of a session signed out (not replaced by another sign-in).
    pub(super) fn signed_out(&self, id: Option<&SessionId>) -> bool {
        self.ended_list(id, None).is_some_and(|how| how.is_null())
    }

    /// How `id` ended (`true`: replaced), if it is in the page's list of ended sessions; with
    /// `add`, it is from now on. One body for the questions and the addition, so the list's
    /// code is in the module once.
    fn ended_list(&self, id: Option<&SessionId>, add: Option<&JsValue>) -> Option<JsValue> {
        let id = id?;
        with_page_list(&ENDED, |ended| {
            let known = keyed_get(ended, id.as_str());
            if let (Some(how), None) = (add, &known) {
                // A bound for a page that floods the channel; a portal never signs out this
                // often.
                if ended.len() >= ENDED_KEPT {
                    ended.clear();
                }
                ended.push((id.as_str().into(), how.clone()));
            }
            known
        })
        .flatten()
    }

    /// Tells the other tabs about the stored record: a refresh or an answer to `ask` as
    /// "session" (taken only by a tab holding no usable record of another sign-in), a
    /// `sign_in` as "signin" (taken by every tab: the newest sign-in is the session); for a
    /// sign-in that `replaced` another sign-in's session, as that one's end, so that the tabs
    /// holding it move to the new one rather than sign out.
    pub(super) fn share_record(&self, replaced: Option<&SessionId>, sign_in: bool) {
        if self.0.tabs.is_some() {
            let raw = self.0.store.get(self.key());
            if raw.is_string() {
                let kind = if replaced.is_some() {
                    "signout"
                } else if sign_in {
                    "signin"
                } else {
                    "session"
                };
                self.tell_tabs(kind, replaced, None, Some(&raw));
            }
        }
    }

    fn on_tab_message(&self, data: &JsValue) {
        let config = &self.0.config;
        let ours = is_text(data, "clientId", config.client_id().as_str())
            && is_text(data, "tenant", config.tenant().as_str())
            && is_text(data, "key", self.key());
        if !ours {
            return;
        }
        // Compared in JavaScript (`===`): the kind is not copied into the module.
        let kind = |name| is_text(data, "mobprocAuth", name);
        if kind("ask") {
            // Any record: the asking tab takes only a usable one, or an expired one it can
            // refresh (and the rotated tokens then reach this tab).
            if self.record().is_some() {
                self.share_record(None, false);
            }
        } else if kind("signout") {
            self.signed_out_elsewhere(data);
        } else if kind("check") {
            if let Some(id) = session_id_of(&field(data, "session")) {
                if self.ended(Some(&id)) {
                    self.tell_ended(&id);
                }
            }
        } else {
            let sign_in = kind("signin");
            if sign_in || kind("session") {
                self.adopt(&field(data, "record"), self.seen(), sign_in);
            }
        }
    }

    /// Stores another tab's record when it is valid, unexpired or refreshable, of a session
    /// not ended, and this tab holds nothing, an older record of the same sign-in, an expired
    /// one that cannot be refreshed (and the incoming one is not expired), or, for a `sign_in`,
    /// one of an earlier sign-in (unless the incoming record expired and the held one is
    /// usable), which is then remembered as replaced: a refresh of another user's session must
    /// not switch this tab to it. Tells this client's listeners when what it last saw changed:
    /// another client of the same page (same sessionStorage) may have stored the record first.
    /// `seen` is what this client last read of the stored record, taken before anything read
    /// it again.
    fn adopt(&self, raw: &JsValue, seen: Option<JsValue>, sign_in: bool) {
        let now = super::value::now_ms();
        let Some(incoming) = parse_record(raw) else {
            return;
        };
        let expired = incoming.is_expired(now);
        if expired && incoming.refresh_token().is_none() {
            return;
        }
        if let Some(id) = incoming.session_id().filter(|id| self.ended(Some(id))) {
            // A tab that missed the sign-out (frozen, or its message lost) is told again.
            self.tell_ended(id);
            return;
        }
        let newer = match self.record() {
            None => true,
            Some(held) if held.same_session(&incoming) => incoming.is_newer_than(&held),
            // Another sign-in's expired record that cannot be refreshed gives way to a usable one.
            Some(held) if held.is_expired(now) && held.refresh_token().is_none() && !expired => {
                true
            }
            Some(held) => {
                // An expired one (a tab's current record, told late) never displaces a usable one.
                let take = sign_in
                    && (!expired || held.is_expired(now))
                    && incoming
                        .session_id()
                        .is_some_and(|id| id.replaces(held.session_id()));
                if take {
                    self.remember_ended(held.session_id(), true);
                }
                take
            }
        };
        if newer {
            self.0.store.set_value(self.key(), raw);
        }
        let stored = self.0.store.get(self.key());
        // A client reads storage a moment after it is made (the expiry plan), so `None` here
        // is "saw no session" rather than "never looked". An expired record a sibling stored
        // changes no `session()` and is what a new client waits to see bettered.
        let sibling_stored_it = !expired && seen.as_ref() != Some(&stored) && stored == *raw;
        if !(newer || sibling_stored_it) {
            return; // the same session, or an older one: nothing to tell, nobody to wake
        }
        self.record_changed();
        self.0.events.emit(&Event::SessionChanged(self.session()));
        if let Some(tabs) = &self.0.tabs {
            tabs.wake();
        }
    }

    /// The stored text this client last read, if it held a record then.
    fn seen(&self) -> Option<JsValue> {
        let cached = self.0.cached.take();
        let text = cached.as_ref().map(|(text, _)| text.clone());
        self.0.cached.set(cached);
        text
    }

    /// Another tab signed out `data.session`: so does this one if its record is of that
    /// session. Without `session` (a tab of an older version) any record goes; with a
    /// malformed one, none. With `record` the session was replaced by that sign-in, which this
    /// tab takes instead (nothing revoked: the new sign-in may share the old one's grant).
    /// Told to this client's listeners also when another client of the page removed the
    /// record first.
    fn signed_out_elsewhere(&self, data: &JsValue) {
        let raw = field(data, "session");
        let named = if raw.is_undefined() {
            None
        } else {
            let Some(id) = session_id_of(&raw) else {
                return;
            };
            Some(id)
        };
        // A `record` (`null` when the sender holds none) says the session was replaced.
        let next = field(data, "record");
        let replaced = named.is_some() && !next.is_undefined();
        self.remember_ended(named.as_ref(), replaced);
        // Before `record()`, which updates what was seen.
        let seen = self.seen();
        let held = self.record();
        let other = held.as_ref().and_then(|record| record.session_id());
        if let (Some(named), Some(other)) = (&named, other) {
            if named.as_str() != other.as_str() {
                // As a sign-in, when the held one's id says when it began: the later one wins
                // (this tab may hold a newer one the sender missed, or an older one whose
                // message crossed this one). An earlier version's id cannot say: kept.
                if replaced {
                    self.adopt(&next, seen, other.is_timed());
                }
                return; // a late sign-out of an older session
            }
        }
        self.0.headers.clear();
        self.cancel_expiry_warning();
        self.0.cached.set(None);
        if let Some(record) = &held {
            self.0.store.remove(self.key());
            // For a tab that took the record from this one after the sign-out. Only a named
            // session: an unnamed repeat could end one begun since.
            if let Some(id) = record.session_id() {
                let next = replaced.then_some(&next);
                self.tell_tabs("signout", Some(id), Some(record.expires_at_ms()), next);
            }
            // Revoked only when known to be of the named session (a record without an id
            // may be another sign-in's), signed out (as this page first heard: not replaced),
            // and not the one the signing-out tab revoked.
            let revoked = field(data, "expiresAt").as_f64() == Some(record.expires_at_ms() as f64);
            if record.session_id().is_some() && self.signed_out(named.as_ref()) && !revoked {
                self.revoke(record);
            }
        }
        // Also when another client of the page removed the record first.
        self.hold_generation();
        let saw = seen.is_some();
        if replaced {
            self.adopt(&next, seen, true);
        }
        if (held.is_some() || saw) && self.record().is_none() {
            self.0.events.emit(&Event::SessionChanged(None));
        }
    }

    /// The refresh, under a Web Lock in a browser page: shared by the tabs, and taken also
    /// when sharing is off, for the clients of the page (they share sessionStorage: two
    /// refreshes of one token would send it once rotated away; such tabs queue on it too). A client that had to wait for the lock first
    /// looks whether a rotated token reached it (asking the tabs if not), one that finds a
    /// newer record's generation lock held waits for that record, and only then does it
    /// refresh itself. Where Web Locks are missing or refused (an opaque origin), the
    /// client's single flight alone; in Node, too (its clients share nothing).
    pub(super) async fn refresh_across_tabs(&self) -> Result<Option<Rc<TokenRecord>>> {
        if in_browser_page() && lock_manager().is_object() {
            let mut before = self.record();
            let mut wait = false;
            if self.0.tabs.is_some() {
                let snapshot = locks_now().await;
                // Whether another tab holds the lock (it is refreshing) is read, not asked
                // with `ifAvailable`: Firefox keeps a page refused one out of its back/forward
                // cache.
                wait = !nobody_holds(&snapshot, &refresh_lock(self.key()));
                // A live client holding a newer record of the session (a reload, or a copy of
                // a tab's storage, missed its refresh): its refresh token is the live one, and
                // sending this one would tell a server that detects reuse (RFC 9700 §4.14.2)
                // that the session was stolen. Waited for, however busy that tab is, up to
                // `NEWER_WAIT_MS`, before the refresh lock (the other tabs' refreshes go on).
                let stale = before
                    .clone()
                    .filter(|held| held.refresh_token().is_some() && newer_held(&snapshot, held));
                if let Some(held) = stale {
                    if !self.moved_on(&before) {
                        self.wait_for_tabs(None, NEWER_WAIT_MS).await;
                    }
                    if !self.moved_on(&before) {
                        // Not heard (busy, frozen): this refresh token is dead, so it goes, as
                        // one the server refused would, and the access token lasts until it
                        // expires or that tab's answer brings the newer record.
                        self.keep_here(&held.as_ref().clone().without_refresh_token());
                        return Err(newer_unheard());
                    }
                    // The newer record, unless the tab holding it is refreshing it (expired,
                    // with a refresh token no newer one shown held has replaced): then
                    // refreshed under the lock as any other, once that tab has had time to
                    // tell its refresh.
                    let now = self.record();
                    let refreshable = now.as_deref().is_some_and(|now| {
                        now.same_session(&held)
                            && now.is_expired(super::value::now_ms())
                            && now.refresh_token().is_some()
                            && !newer_held(&snapshot, now)
                    });
                    if !refreshable {
                        return self.continued(before.as_deref());
                    }
                    before = now;
                    wait = true;
                }
            }
            if let Locked::Done(result) = self.locked(wait, &before).await {
                return result;
            }
        }
        self.refresh_once().await
    }

    /// Runs the refresh while holding this client's refresh lock (its name is built here,
    /// not kept across the caller's awaits), once it has it; with `wait` (another tab held
    /// it), first giving that tab's rotated token time to arrive. `before` is the record seen
    /// before asking: if the stored one is another meanwhile, another tab refreshed and its
    /// record is used (if it is still the same sign-in's), or the session ended.
    /// After a refresh the lock is kept [`HOLD_MS`] longer, so that a tab asking for it next
    /// has received the rotated token (the broadcast and the lock travel separately).
    async fn locked(&self, wait: bool, before: &Option<Rc<TokenRecord>>) -> Locked {
        // Whichever comes first; a rejected request (aborted, refused) rejects the race, which
        // is as good as settled: it leaves no outcome. (The race handles the rejection.)
        let Some((settled, outcome)) = self.request_lock(wait, before) else {
            return Locked::Refused;
        };
        let _ = settled.await;
        outcome.take().unwrap_or(Locked::Refused)
    }

    /// Asks for the lock for [`Client::locked`]: the race of the work's end and the request,
    /// and where the work leaves its outcome. Not async: none of what it builds is kept across
    /// the await.
    fn request_lock(
        &self,
        wait: bool,
        before: &Option<Rc<TokenRecord>>,
    ) -> Option<(wasm_bindgen_futures::JsFuture, Rc<Cell<Option<Locked>>>)> {
        let outcome: Rc<Cell<Option<Locked>>> = Rc::default();
        let (ready, resolve_ready) = deferred();
        let mut state = Some((self.clone(), before.clone(), outcome.clone(), resolve_ready));
        // `FnMut` (called once: Web Locks calls it once) rather than `once_into_js`, whose glue
        // would be in the module for this closure alone.
        let work = Closure::<dyn FnMut(JsValue) -> Promise>::new(move |_lock: JsValue| {
            let Some((client, before, out, resolve_ready)) = state.take() else {
                return Promise::resolve(&JsValue::UNDEFINED);
            };
            run(Box::pin(async move {
                let done = |result| {
                    out.set(Some(Locked::Done(result)));
                    let _ = resolve_ready.call0(&JsValue::NULL);
                };
                if wait && !client.moved_on(&before) {
                    client.wait_for_tabs(None, ASK_WAIT_MS).await;
                }
                if client.moved_on(&before) {
                    done(client.continued(before.as_deref()));
                    return Ok(JsValue::UNDEFINED);
                }
                let result = client.refresh_once().await;
                let refreshed = result.is_ok();
                done(result);
                if refreshed {
                    sleep(HOLD_MS).await;
                }
                Ok(JsValue::UNDEFINED)
            }))
        })
        .into_js_value();
        let locks: LockManager = lock_manager().unchecked_into();
        let request = locks
            .request(
                &refresh_lock(self.key()),
                &Object::new(),
                work.unchecked_ref(),
            )
            .ok()?;
        Some((first_of(&ready, &request), outcome))
    }

    /// After `invalid_grant` on a refresh token another tab may just have rotated: true if a
    /// tab's newer session was adopted instead.
    pub(super) async fn rotated_elsewhere(&self, used: &str) -> bool {
        if self.0.tabs.is_none() {
            return false;
        }
        self.wait_for_tabs(None, ASK_WAIT_MS).await;
        self.record()
            .and_then(|now| now.refresh_token().map(|token| token.secret() != used))
            .unwrap_or(false)
    }

    /// Whether the stored record is no longer `before`: another tab refreshed, or the session
    /// changed. (`record()` hands out the same `Rc` while the stored text is the same.)
    fn moved_on(&self, before: &Option<Rc<TokenRecord>>) -> bool {
        match (&self.record(), before) {
            (Some(now), Some(before)) => !Rc::ptr_eq(now, before),
            (now, before) => now.is_some() != before.is_some(),
        }
    }

    /// The usable record after another tab (or client) refreshed `before`'s session;
    /// `not_authenticated` without one, or when it is another sign-in's: a refresh asked for
    /// one session does not hand over another. `refresh_failed` when the other found the
    /// refresh token refused and kept the access token without it.
    pub(super) fn continued(
        &self,
        before: Option<&TokenRecord>,
    ) -> Result<Option<Rc<TokenRecord>>> {
        let now = match self.record() {
            Some(now) if before.is_none_or(|before| now.same_session(before)) => now,
            _ => return Err(ErrorKind::EndedMeanwhile.into()),
        };
        let dropped = |before: &TokenRecord| {
            before.refresh_token().is_some()
                && now.refresh_token().is_none()
                && now.access_token() == before.access_token()
        };
        if before.is_some_and(dropped) {
            let oauth = crate::error::OAuthError {
                error: Some("invalid_grant".into()),
                description: None,
            };
            return Err(super::grant::refresh_refused(None, oauth));
        }
        if now.is_expired(super::value::now_ms()) {
            return Err(ErrorKind::NotAuthenticated.into());
        }
        Ok(Some(now))
    }
}
