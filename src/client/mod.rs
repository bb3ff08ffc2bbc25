//! The browser client: sign-in, the session and MOBPROC calls, on web-sys, js-sys and gloo-net.
//! Every rule comes from the pure core (`crate::config`, `callback`, `token`, `headers`,
//! `context`, `pagination`); this module does the I/O around it. The npm package's
//! `MobprocClient` (`crate::js`) is a thin skin over [`Client`].

mod api;
mod events;
mod expiry;
mod grant;
mod http;
mod navigation;
mod pages;
mod popup;
mod presence;
mod redirect;
mod storage;
mod tabs;
mod thrown;
mod value;
mod watch;

pub use events::{Event, EventKind, Listener, ListenerId};
pub use grant::Validation;
#[cfg(feature = "js")]
pub(crate) use http::CallContext;
use http::ClientContext;
#[cfg(feature = "js")]
pub(crate) use http::{invalid_thrown, keep_referrer, no_userinfo};
pub use pages::{PageOptions, Pages};
pub use popup::PopupOptions;
#[cfg(feature = "js")]
pub(crate) use value::{
    bare_object, field, in_browser_page, keyed_get, keyed_remove, message_of, run, set_field,
    with_page_list, Keyed,
};
pub use watch::Subscription;
#[cfg(feature = "js")]
pub(crate) use watch::Watch;

use crate::config::{Config, ValidConfig};
use crate::context::Context;
use crate::error::{ErrorKind, Result};
use crate::secret::AccessToken;
use crate::text::cat;
use crate::token::{Session, SessionId, TokenRecord};
use events::Events;
use http::HeaderCache;
use serde::Serialize;
use std::cell::RefCell;
use std::rc::Rc;
use storage::Store;
use wasm_bindgen::JsValue;

/// Options of [`Client::login`] and [`Client::authorize_url`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoginOptions {
    /// A same-origin path (`/orders?id=1`) handed back by
    /// [`Client::handle_redirect_callback`]; anything else is dropped (no open redirect).
    pub return_to: Option<String>,
}

/// A completed sign-in: where the app asked to go afterwards.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Callback {
    /// The sanitised `return_to` of the sign-in, if any.
    pub return_to: Option<String>,
}

/// What a browser (page or worker) refuses of a config, checked by [`Client::new`] and the npm
/// config reader before anything else is read: a client secret (`insecure_grant`: it cannot
/// stay secret there) and a `validate_url` (Tangoe's validator takes the token in its URL,
/// which the browser writes to its console when the request fails, and may cache).
pub(crate) fn refused_in_browser(
    secret: &Option<String>,
    validate_url: &Option<String>,
) -> Result<()> {
    if !value::in_browser() {
        return Ok(());
    }
    if secret.is_some() {
        return Err(ErrorKind::InsecureGrant(
            "a clientSecret is refused in a browser (a page or a worker), where it cannot stay \
             secret: use login() (the implicit grant)",
        )
        .into());
    }
    if validate_url.is_some() {
        return Err(crate::Error::config(
            "validateUrl",
            "is refused in a browser (a page or a worker): Tangoe's validator takes the token \
             in its URL, which the browser writes to its console when the request fails; \
             without it, validate() posts the token to tokenUrl, which in a page is the relay \
             (Tangoe asks for the client secret to validate)",
        ));
    }
    Ok(())
}

/// A MOBPROC client: sign-in, the session in sessionStorage, and calls with the Tangoe
/// headers. Cheap to clone (one shared state), so it can move into async blocks. Clones are
/// equal (`==`: the same client), as a UI framework's context or props need.
#[derive(Clone)]
pub struct Client(Rc<Inner>);

impl PartialEq for Client {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for Client {}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let config = &self.0.config;
        f.debug_struct("Client")
            .field("client_id", &config.client_id().as_str())
            .field("tenant", &config.tenant().as_str())
            .field("storage_key", &config.storage_key().as_str())
            .finish_non_exhaustive()
    }
}

/// A client held without keeping it alive: for what the client's own listeners hold, which
/// would otherwise keep it (its Web Lock, its channel) for the page's life.
pub(crate) struct WeakClient(std::rc::Weak<Inner>);

impl WeakClient {
    /// The client, if the app still holds it.
    pub(crate) fn upgrade(&self) -> Option<Client> {
        self.0.upgrade().map(Client)
    }
}

struct Inner {
    config: ValidConfig,
    events: Rc<Events>,
    store: Store,
    pending_key: String,
    /// The last record read, and the stored text (a JavaScript string) it came from.
    cached: std::cell::Cell<Option<(JsValue, Rc<TokenRecord>)>>,
    /// The one refresh in flight, which every caller waits for.
    refreshing: std::cell::Cell<Option<grant::Flight>>,
    /// How many times this client signed out (`logout`): its refresh and password grant under
    /// way store nothing across one (the page's sign-ins compare the page's count instead).
    signed_out: std::cell::Cell<u32>,
    /// The client's context and activity id, applied to every call. Replaced, never changed
    /// in place: a call keeps the one that was current when it was made.
    context: RefCell<Rc<ClientContext>>,
    headers: HeaderCache,
    /// The correlation id of each `Response` (and each body `fetch_json` resolved).
    correlation_ids: js_sys::WeakMap,
    /// The timer of the `sessionExpiring` warning, and the expiry last warned of.
    expiry_timer: std::cell::Cell<Option<JsValue>>,
    warned_expiry: std::cell::Cell<u64>,
    /// The token endpoint refused this client a refresh (`invalid_client`: a browser needs
    /// the relay): until a record is stored again, calls do not refresh, and the session is
    /// one that cannot be refreshed (warned of).
    refresh_refused: std::cell::Cell<bool>,
    /// Until when (ms) calls do not refresh a token that still lasts: a refresh failed, and
    /// asking again on every call would only add load (a 429's `Retry-After`, or a few seconds).
    refresh_paused_until: std::cell::Cell<u64>,
    /// The channel to the other tabs, when the session is shared.
    tabs: Option<tabs::Tabs>,
}

impl Client {
    /// Checks `config` (the error names the first bad field) and makes a client. It does not
    /// ask the other tabs for their session: [`Client::connect`] does, as the npm package's
    /// `createClient`; with `new`, a new tab is signed out until a sign-in, or another tab's
    /// sign-in or refresh, reaches it.
    pub fn new(config: Config) -> Result<Client> {
        let client = Client::build(config)?;
        // Later, not now: storage is first read once the app had a chance to add listeners.
        client.plan_expiry_warning_later();
        Ok(client)
    }

    /// This client, held weakly.
    pub(crate) fn downgrade(&self) -> WeakClient {
        WeakClient(Rc::downgrade(&self.0))
    }

    pub(crate) fn build(config: Config) -> Result<Client> {
        refused_in_browser(&config.client_secret, &config.validate_url)?;
        let config = ValidConfig::new(&config)?;
        let events = Rc::new(Events::default());
        let pending_key = cat(&[config.storage_key().as_str(), ".pending"]);
        let context = (
            config.context().clone(),
            config.activity_id().map(Into::into),
        );
        let client = Client(Rc::new(Inner {
            store: Store::new(events.clone()),
            events,
            pending_key,
            cached: std::cell::Cell::new(None),
            refreshing: std::cell::Cell::new(None),
            signed_out: std::cell::Cell::new(0),
            context: RefCell::new(Rc::new(context)),
            headers: HeaderCache::default(),
            correlation_ids: js_sys::WeakMap::new(),
            expiry_timer: std::cell::Cell::new(None),
            warned_expiry: std::cell::Cell::new(0),
            refresh_refused: std::cell::Cell::new(false),
            refresh_paused_until: std::cell::Cell::new(0),
            tabs: tabs::Tabs::open(
                config.shares_session_across_tabs(),
                config.storage_key().as_str(),
            ),
            config,
        }));
        client.listen_to_tabs();
        client.follow_page();
        Ok(client)
    }

    /// [`Client::new`], then, in a tab without a session, the session of another open tab
    /// of this origin, client and tenant if one has it (waiting at most 150 ms, and not at
    /// all when no other client of the storage key is open). What the npm package's
    /// `createClient` does.
    pub async fn connect(config: Config) -> Result<Client> {
        Client::build(config)?.joined().await
    }

    /// The rest of [`Client::connect`] once the client is built: the npm package builds it
    /// first, so that no future holds the 212-byte `Config`.
    pub(crate) async fn joined(self) -> Result<Client> {
        if !self.has_answer_in_url() {
            self.ask_other_tabs().await;
        }
        self.plan_expiry_warning_later();
        Ok(self)
    }

    /// The checked configuration.
    pub fn config(&self) -> &ValidConfig {
        &self.0.config
    }

    /// True when an unexpired token is stored.
    pub fn is_authenticated(&self) -> bool {
        self.usable().is_some()
    }

    /// The session without token values, or `None`.
    pub fn session(&self) -> Option<Session> {
        self.usable().map(|record| record.session())
    }

    /// The raw access token, for the rare caller that must place it elsewhere.
    pub fn access_token(&self) -> Option<AccessToken> {
        self.usable().map(|record| record.access_token().clone())
    }

    /// Subscribes to one kind of event; returns the id [`Client::off`] takes. The client holds
    /// the listener until then: one that holds a clone of the client keeps it (its channel and
    /// Web Lock) alive until `off`. For "is the user signed in" state, [`Client::subscribe`]
    /// also hears the expiry no event announces.
    pub fn on(&self, kind: EventKind, listener: impl Fn(&Event) + 'static) -> ListenerId {
        self.0.events.on(
            kind,
            Rc::new(move |event| {
                listener(event);
                Ok(())
            }),
        )
    }

    /// Subscribes a listener that may fail (a JavaScript function that throws).
    pub fn on_fallible(&self, kind: EventKind, listener: Listener) -> ListenerId {
        self.0.events.on(kind, listener)
    }

    /// Unsubscribes; twice does nothing.
    pub fn off(&self, id: ListenerId) {
        self.0.events.off(id);
    }

    /// Acts for another employee (or in another hierarchy) on every later call;
    /// `Context::default()` for the user's own. All or nothing: a bad value keeps the old one.
    /// A call keeps the context current when its future is first polled, its replay after a
    /// 401 too (the npm `fetch` takes it when called).
    pub fn set_context(&self, context: Context) -> Result<()> {
        context.check("context.")?;
        let activity_id = self.context().1.clone();
        // No cache to clear: cached headers are keyed by the context they were made with.
        self.0.context.replace(Rc::new((context, activity_id)));
        Ok(())
    }

    /// Sends `X-TNGO-CONTEXT-ACTIVITYID` on every later call; `None` to stop.
    pub fn set_activity_id(&self, activity_id: Option<String>) -> Result<()> {
        if let Some(id) = &activity_id {
            crate::context::check_value("", "activityId", id)?;
        }
        let context = self.context().0.clone();
        // No cache to clear: cached headers are keyed by the context they were made with.
        self.0.context.replace(Rc::new((context, activity_id)));
        Ok(())
    }

    /// Forgets the token and any pending sign-in, and ends the sign-ins under way: the page's
    /// (whichever client started them) and this client's password grant. A popup sign-in ends
    /// with `popup_closed` within a poll and its popup is closed (one a COOP severed cannot
    /// be, but while the page is open an answer it hands over afterwards is taken, dropped
    /// and its tokens revoked, a code left unused); a code exchange or password grant stores
    /// nothing (`not_authenticated`; the tokens it brings are revoked). Revokes both tokens
    /// in the background when a revocation URL is configured.
    pub fn logout(&self) {
        self.sign_out();
    }

    /// [`Client::logout`], giving the revocations it started (they always fulfil).
    pub(crate) fn sign_out(&self) -> Vec<js_sys::Promise> {
        self.0.headers.clear();
        let record = self.record();
        self.0.store.remove(self.key());
        self.0.cached.set(None);
        self.hold_generation();
        self.0.store.remove(&self.0.pending_key);
        self.signouts(true);
        self.0
            .signed_out
            .set(self.0.signed_out.get().wrapping_add(1));
        // A refresh under way is the ended session's: a new sign-in's refresh does not join it,
        // nor a new popup sign-in an ended one (its poll closes it).
        self.0.refreshing.set(None);
        popup::forget_popups_under_way();
        self.cancel_expiry_warning();
        // Nothing to tell when nothing was held: a sign-out naming no session ends any.
        let Some(record) = record else {
            return Vec::new();
        };
        self.tell_signout(record.session_id(), Some(record.expires_at_ms()));
        self.0.events.emit(&Event::SessionChanged(None));
        self.revoke(&record)
    }

    fn key(&self) -> &str {
        self.0.config.storage_key().as_str()
    }

    /// The stored record if its access token has not expired.
    fn usable(&self) -> Option<Rc<TokenRecord>> {
        self.record()
            .filter(|record| !record.is_expired(value::now_ms()))
    }

    /// The stored record; a corrupted one is removed and reads as signed out.
    fn record(&self) -> Option<Rc<TokenRecord>> {
        let raw = self.0.store.get(self.key());
        if raw.is_null() {
            // What this client last saw: nothing (another client of the page may remove it).
            self.0.cached.set(None);
            return None;
        }
        let cached = self.0.cached.take();
        let hit = match &cached {
            Some((text, record)) if *text == raw => Some(record.clone()),
            _ => None,
        };
        self.0.cached.set(cached);
        if hit.is_some() {
            return hit;
        }
        match navigation::parse_record(&raw) {
            Some(record) => {
                self.0.cached.set(Some((raw, record.clone())));
                Some(record)
            }
            None => {
                self.0.store.remove(self.key());
                None
            }
        }
    }

    /// Replaces the record in one write and tells the listeners (and the other tabs) of it:
    /// a refresh of the held session, or a new sign-in.
    fn save(&self, record: &TokenRecord) {
        self.store_record(record, None, false);
    }

    /// Stores a new sign-in's record. Over another sign-in's record (this tab's, or one it
    /// took from another tab) that one ends: remembered, and told to the other tabs in the
    /// message that brings the new record, so that they move to it and none takes the old one
    /// back. Not revoked: the new sign-in may share its grant at the server (the same answer
    /// stored twice, or the same user again), and revoking a refresh token may revoke the
    /// grant's access tokens with it (RFC 7009 §2.1).
    fn save_sign_in(&self, record: &TokenRecord) {
        let held = self.record();
        let replaced = held.as_ref().and_then(|held| held.session_id());
        self.remember_ended(replaced, true);
        self.store_record(record, replaced, true);
    }

    /// After a new record is stored, here or by another tab: the token endpoint took a client
    /// (a relay or a secret may have been put right since one refused this one), so this one
    /// refreshes again, without waiting out a pause; the signed headers, the expiry warning
    /// and the generation lock follow the record.
    pub(super) fn record_changed(&self) {
        self.0.refresh_refused.set(false);
        self.0.refresh_paused_until.set(0);
        self.0.headers.clear();
        self.plan_expiry_warning();
        self.hold_generation();
    }

    /// Stores `record` for this client alone: the other tabs are not told.
    fn keep_here(&self, record: &TokenRecord) {
        self.0.store.set(self.key(), &record.to_json());
        self.record_changed();
        self.0.events.emit(&Event::SessionChanged(self.session()));
    }

    /// [`Client::save`] and [`Client::save_sign_in`]'s one write; `replaced` is the session
    /// the record replaces, if it is another sign-in's.
    fn store_record(&self, record: &TokenRecord, replaced: Option<&SessionId>, sign_in: bool) {
        self.0.store.set(self.key(), &record.to_json());
        self.record_changed();
        self.share_record(replaced, sign_in);
        self.0.events.emit(&Event::SessionChanged(self.session()));
    }

    /// The server no longer accepts the session: forget it and say so.
    fn expire(&self) {
        self.0.headers.clear();
        self.cancel_expiry_warning();
        // Not remembered as ended for the page: a dead refresh token here says nothing of a
        // newer one another tab may hold, nor does a 401 of one endpoint.
        if self.record().is_none() {
            return;
        }
        self.0.store.remove(self.key());
        self.0.cached.set(None);
        self.hold_generation();
        self.0.events.emit(&Event::SessionChanged(None));
        self.0.events.emit(&Event::SessionExpired);
    }

    fn can_refresh(&self) -> bool {
        self.may_refresh()
            && self
                .record()
                .is_some_and(|record| record.refresh_token().is_some())
    }

    /// Whether this client refreshes: it has a token URL that did not refuse it.
    pub(crate) fn may_refresh(&self) -> bool {
        self.0.config.token_url().is_some() && !self.0.refresh_refused.get()
    }

    /// The context and activity id current now (a call made now keeps them).
    pub(crate) fn context(&self) -> Rc<ClientContext> {
        self.0.context.borrow().clone()
    }
}
