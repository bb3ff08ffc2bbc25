//! The npm package's surface: `MobprocClient`, a thin `#[wasm_bindgen]` skin over
//! [`Client`]. It reads JavaScript values into Rust types, hands the work to the
//! client, and turns results into JavaScript values and errors into `MobprocError`. No rules
//! live here. Built with the `js` feature (the npm package); a Rust front-end leaves it off.

mod config;
mod error;
mod listeners;
pub(crate) mod number;
mod output;
mod read;
mod request;
mod start;
mod watch;

use crate::client::{CallContext, Client, Event, EventKind, PageOptions, Pages};
use crate::context::Context;
use crate::error::Error;
use crate::token::Session;
use error::{throw, to_js};
use js_sys::{Function, Map, Promise, WeakRef};
use output::{object, optional};
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

// talc: binned free lists, so a free costs the same with 20 000 clients alive as with one
// (lol_alloc's single list made a Node server dropping 10 000 clients stall for a minute), at
// a third of std's dlmalloc's size. Only in the npm build: a Rust front-end keeps its own.
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// A MOBPROC client; `createClient` makes one after loading the module.
#[wasm_bindgen]
pub struct MobprocClient {
    client: Client,
    shown: Rc<SessionView>,
    listeners: listeners::Listeners,
}

/// The session object last handed out, kept while the session stays the same, so that
/// `session()` is a stable snapshot (`useSyncExternalStore` compares with `Object.is`).
///
/// Boxed, so that `show` moves a pointer in and out of the cell rather than the session.
#[derive(Default)]
struct SessionView(Cell<Option<Box<(Session, JsValue)>>>);

impl SessionView {
    /// `session` as a frozen JavaScript object: the same object as last time if unchanged.
    fn show(&self, session: Option<&Session>) -> JsValue {
        let Some(session) = session else {
            return JsValue::NULL;
        };
        let mut last = self.0.take();
        let value = match &last {
            Some(shown) if shown.0 == *session => shown.1.clone(),
            _ => {
                let fresh: js_sys::Object = object(session, true).unchecked_into();
                let value: JsValue = js_sys::Object::freeze(&fresh).into();
                last = Some(Box::new((session.clone(), value.clone())));
                value
            }
        };
        self.0.set(last);
        value
    }
}

/// The work of an async method.
type Work = std::pin::Pin<Box<dyn std::future::Future<Output = Result<JsValue, Error>>>>;

/// Runs `work` as a Promise: its value, or a rejected `MobprocError`. Boxed, so that one
/// promise adapter serves every method instead of a copy per method (smaller module).
///
/// `listeners`, the client's, are held until the work ends: an app that let go of the client
/// during the call (a promise it returns, a call it fires and forgets) still hears its events.
fn promise(work: Work, listeners: Option<Map>) -> Promise {
    crate::client::run(Box::pin(async move {
        let outcome = throw(work.await);
        drop(listeners);
        outcome
    }))
}

/// An async method without arguments.
#[derive(Clone, Copy)]
enum Ask {
    Redirect,
    Refresh,
    Validate,
}

impl MobprocClient {
    /// Runs `ask` as a Promise: one async body for these methods, so that the module holds
    /// one state machine for them instead of one each.
    fn call(&self, ask: Ask) -> Promise {
        let (client, shown) = (self.client.clone(), self.shown.clone());
        // Now, not at the promise's first poll: a `logout()` in the same tick ends a callback.
        let signouts = client.signouts(false);
        let work = Box::pin(async move {
            match ask {
                Ask::Redirect => match client.redirect_callback(signouts).await {
                    Ok(back) => Ok(optional(&back)),
                    Err(error) => Err(error),
                },
                Ask::Refresh => match client.refresh().await {
                    Ok(session) => Ok(shown.show(session.as_ref())),
                    Err(error) => Err(error),
                },
                Ask::Validate => match client.validate().await {
                    Ok(validation) => Ok(object(&validation, true)),
                    Err(error) => Err(error),
                },
            }
        });
        promise(work, self.listeners.held())
    }

    /// The npm skin of `client`.
    fn wrap(client: Client) -> MobprocClient {
        MobprocClient {
            client,
            shown: Rc::default(),
            listeners: listeners::Listeners::new(),
        }
    }

    /// The client's JavaScript object, which from now on holds its listeners.
    fn into_js(self) -> JsValue {
        let map = self.listeners.take();
        let object = JsValue::from(self);
        if let Some(map) = map {
            listeners::give(&object, &map);
        }
        object
    }
}

#[wasm_bindgen]
impl MobprocClient {
    /// Checks `config` and makes a client (`config_invalid` names the first bad field).
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue) -> Result<MobprocClient, JsValue> {
        throw(
            config::read_config(&config)
                .and_then(Client::new)
                .map(MobprocClient::wrap),
        )
    }

    /// `createClient`'s client: in a tab without a session, with the session of another open
    /// tab of this origin, client and tenant (waiting at most 150 ms for one, and not at all
    /// when no other client is open).
    pub fn create(config: JsValue) -> Promise {
        // The shared `promise` path, not an `async fn`: that would add a second copy of
        // wasm-bindgen-futures' promise adapter.
        promise(
            Box::pin(async move {
                let built = config::read_config(&config).and_then(Client::build);
                let client = built?.joined().await?;
                Ok(MobprocClient::wrap(client).into_js())
            }),
            None,
        )
    }

    /// `startClient`: `{ client, returnTo, error }`, made once per storage key per page load
    /// (the client, its redirect callback, and a refresh when the stored token has expired),
    /// however many times it is called: for hosts whose effects run twice.
    pub fn start(config: JsValue) -> Promise {
        start::start(&config)
    }

    /// Calls `onChange` whenever `session()` may read differently (`sessionChanged`, and the
    /// access token's expiry); returns the function that unsubscribes.
    pub fn subscribe(&self, on_change: JsValue) -> Result<Function, JsValue> {
        let on_change: Function = on_change
            .dyn_into()
            .map_err(|_| to_js(&Error::config("onChange", "must be a function")))?;
        Ok(watch::subscribe(
            &self.client,
            self.listeners.hold(&on_change),
        ))
    }

    /// Opens Tangoe's sign-in in a popup (call it from a click handler) and resolves the new
    /// session when the popup's page (the app's `redirectUri`) hands the answer back.
    #[wasm_bindgen(js_name = loginPopup)]
    pub fn login_popup(&self, options: JsValue) -> Promise {
        let (client, shown) = (self.client.clone(), self.shown.clone());
        // Now, not in the promise: the popup must open within the click's user activation.
        // Boxed: the promise's future holds a pointer, not the sign-in's future.
        let mut read = crate::client::PopupOptions::default();
        let signed_in = config::read_popup_options(&options, &mut read)
            .map(|()| Box::pin(client.login_popup(&read)));
        let work = Box::pin(async move {
            let session = signed_in?.await?;
            Ok(shown.show(Some(&session)))
        });
        promise(work, self.listeners.held())
    }

    /// Starts a sign-in and returns the authorization URL without navigating.
    #[wasm_bindgen(js_name = authorizeUrl)]
    pub fn authorize_url(&self, options: JsValue) -> Result<JsValue, JsValue> {
        // A JavaScript string made here: a `String` return would add its own glue.
        throw(
            config::read_login_options(&options)
                .and_then(|options| self.client.authorize_url(&options))
                .map(JsValue::from),
        )
    }

    /// Starts a sign-in and navigates to Tangoe's sign-in page.
    pub fn login(&self, options: JsValue) -> Result<(), JsValue> {
        let options = match crate::client::in_browser_page() {
            true => config::read_login_options(&options),
            false => Err(Error::unsupported(
                "login needs a browser page (in Node, sign in with signInWithPassword)",
            )),
        };
        throw(options.and_then(|options| self.client.login(&options)))
    }

    /// On every page load: `null` without an OAuth response in the URL, else `{ returnTo }`.
    #[wasm_bindgen(js_name = handleRedirectCallback)]
    pub fn handle_redirect_callback(&self) -> Promise {
        self.call(Ask::Redirect)
    }

    /// Server-side JavaScript only: the password grant with the client's secret.
    #[wasm_bindgen(js_name = signInWithPassword)]
    pub fn sign_in_with_password(&self, credentials: JsValue) -> Promise {
        let (client, shown) = (self.client.clone(), self.shown.clone());
        // Now, not at the promise's first poll: a `logout()` in the same tick ends this
        // sign-in. (Reading the credentials now too cost 147 B.)
        let signed_out = client.own_signouts();
        let work = Box::pin(async move {
            client.password_grant_ready()?;
            let (username, password) = config::read_credentials(&credentials)?;
            match client
                .password_sign_in(&username, &password, signed_out)
                .await
            {
                Ok(session) => Ok(shown.show(session.as_ref())),
                Err(error) => Err(error),
            }
        });
        promise(work, self.listeners.held())
    }

    /// A new access token (and Tangoe's rotated refresh token); one request however many wait.
    pub fn refresh(&self) -> Promise {
        self.call(Ask::Refresh)
    }

    /// True when an unexpired token is stored.
    #[wasm_bindgen(js_name = isAuthenticated)]
    pub fn is_authenticated(&self) -> bool {
        self.client.is_authenticated()
    }

    /// The session without token values, or `null`.
    pub fn session(&self) -> JsValue {
        self.shown.show(self.client.session().as_ref())
    }

    /// The raw access token, for the rare caller that must place it elsewhere.
    #[wasm_bindgen(js_name = accessToken)]
    pub fn access_token(&self) -> JsValue {
        let token = self.client.access_token();
        token.map_or(JsValue::NULL, |t| t.secret().into())
    }

    /// Asks Tangoe whether the access token is valid, and for what.
    pub fn validate(&self) -> Promise {
        self.call(Ask::Validate)
    }

    /// `fetch` with the Tangoe headers; relative URLs join `apiBaseUrl`.
    pub fn fetch(&self, input: JsValue, init: JsValue) -> Promise {
        fetch(&self.client, input, init, false, self.listeners.held())
    }

    /// `fetch` for JSON: the parsed body on 2xx (`null` when empty), else `api_error`.
    #[wasm_bindgen(js_name = fetchJson)]
    pub fn fetch_json(&self, input: JsValue, init: JsValue) -> Promise {
        fetch(&self.client, input, init, true, self.listeners.held())
    }

    /// The pages of a collection, one `next()` at a time; `paginate` wraps it for `for await`.
    pub fn pages(&self, path: JsValue, options: JsValue) -> Result<PageWalk, JsValue> {
        let mut read = PageOptions::default();
        let mut overrides = Default::default();
        let pages = request::resolve(&self.client, &path, "path").and_then(|url| {
            page_options(&options, &mut read, &mut overrides)?;
            let mut pages = self.client.pages_at(&url, read)?;
            pages.overrides = overrides;
            Ok(pages)
        });
        let listeners = self.listeners.weak();
        throw(pages).map(|pages| PageWalk(Rc::new(Cell::new(Some(pages))), listeners))
    }

    /// The `X-TNGO-CONTEXT-CORRELATIONID` a call was sent with, or `null`.
    #[wasm_bindgen(js_name = correlationId)]
    pub fn correlation_id(&self, response: JsValue) -> JsValue {
        let id = self.client.correlation_id_value(&response);
        if id.is_string() {
            id
        } else {
            JsValue::NULL
        }
    }

    /// Replaces the context of later calls; `null` to act as the signed-in user.
    #[wasm_bindgen(js_name = setContext)]
    pub fn set_context(&self, context: JsValue) -> Result<(), JsValue> {
        let mut read = Context::default();
        throw(
            config::read_context(&context, "context", &mut read)
                .and_then(|()| self.client.set_context(read)),
        )
    }

    /// `X-TNGO-CONTEXT-ACTIVITYID` on later calls; `null` to stop.
    #[wasm_bindgen(js_name = setActivityId)]
    pub fn set_activity_id(&self, activity_id: JsValue) -> Result<(), JsValue> {
        throw(config::read_activity_id(&activity_id).and_then(|id| self.client.set_activity_id(id)))
    }

    /// Forgets the token and any pending sign-in; revokes in the background when configured.
    pub fn logout(&self) {
        let revocations = self.client.sign_out();
        if revocations.is_empty() {
            return;
        }
        // The listeners held until the revocations end, as by a call: a `revoke_failed`, the
        // only sign that the tokens stay valid, is heard though the app let go of the client.
        let work = Box::pin(async move {
            for revocation in revocations {
                let _ = wasm_bindgen_futures::JsFuture::from(revocation).await;
            }
            Ok(JsValue::UNDEFINED)
        });
        let _ = promise(work, self.listeners.held());
    }

    /// Subscribes to `sessionChanged`, `sessionExpired`, `sessionExpiring` or `error`; returns
    /// the unsubscribe
    /// function.
    pub fn on(&self, name: JsValue, listener: JsValue) -> Result<Function, JsValue> {
        // Copied only when short enough to be a name: a hostile megabyte string stays out of
        // the module's memory, which never shrinks.
        let kind = name
            .dyn_ref::<js_sys::JsString>()
            .filter(|name| name.length() <= 20)
            .and_then(|name| EventKind::from_name(&String::from(name)));
        let kind = kind.ok_or_else(|| {
            to_js(&Error::config(
                "event",
                "must be one of sessionChanged, sessionExpired, sessionExpiring, error",
            ))
        })?;
        let listener: Function = listener
            .dyn_into()
            .map_err(|_| to_js(&Error::config("listener", "must be a function")))?;
        let shown = self.shown.clone();
        let held = self.listeners.hold(&listener);
        let function = held.function;
        let id = self.client.on_fallible(
            kind,
            Rc::new(move |event| match function.deref() {
                Some(listener) => listener
                    .call1(&JsValue::NULL, &event_value(event, &shown))
                    .map(drop),
                None => Ok(()),
            }),
        );
        Ok(watch::unsubscribe(&self.client, id, held.key, None))
    }
}

/// A walk through a collection's pages (`MobprocClient.pages`); boxed, so that `next` moves a
/// pointer in and out of the cell rather than the walk. Each `next` holds the client's
/// listeners while it runs, as a call does; the walk itself only weakly (held from Rust, they
/// would pin a client whose listener reaches the walk).
#[wasm_bindgen]
pub struct PageWalk(Rc<Cell<Option<Box<Pages>>>>, WeakRef<Map>);

#[wasm_bindgen]
impl PageWalk {
    /// The next page, or `undefined` after the last.
    pub fn next(&self) -> Promise {
        let cell = self.0.clone();
        let work = Box::pin(async move {
            let taken = cell.take();
            let mut pages = taken
                .ok_or_else(|| Error::invalid_request("the previous page is still loading"))?;
            // `advance` rather than `Pages::next`, whose own future would wrap it.
            let page = pages.advance(&mut pages.call()).await;
            cell.set(Some(pages));
            Ok(page?.map_or(JsValue::UNDEFINED, |(page, _)| page))
        });
        promise(work, self.1.deref())
    }
}

/// The `sessionExpiring` event's value.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Expiring {
    #[serde(serialize_with = "number::whole")]
    expires_at: u64,
}

/// What a JavaScript listener receives.
fn event_value(event: &Event, shown: &SessionView) -> JsValue {
    match event {
        Event::SessionChanged(session) => shown.show(session.as_ref()),
        Event::SessionExpired => JsValue::NULL,
        Event::SessionExpiring { expires_at } => object(
            &Expiring {
                expires_at: *expires_at,
            },
            true,
        ),
        Event::Error(error) => to_js(error),
    }
}

/// `fetch` and, when `json`, `fetchJson`: one async body for both, so that the module holds
/// one state machine around `prepare` and `fetch_with` instead of two.
fn fetch(
    client: &Client,
    input: JsValue,
    init: JsValue,
    json: bool,
    listeners: Option<Map>,
) -> Promise {
    let client = client.clone();
    // Now, as `fetch` reads its arguments, not at the promise's first poll: a `setContext`
    // right after the call is for later calls.
    let mut call = CallContext::made_by(&client);
    let prepared = request::prepare(&client, &input, &init, json, &mut call);
    let work = Box::pin(async move {
        let p = prepared?;
        let response = client
            .fetch_with(p.request, &mut call, p.replayable)
            .await?;
        if !json {
            return Ok(response.into());
        }
        let (body, correlation_id) = client.read_json(response, &call).await?;
        client.remember(&body, &correlation_id);
        Ok(body)
    });
    promise(work, listeners)
}

/// `{ limit?, offset?, maxPages?, context? }` of `paginate`, into `options` (the defaults)
/// and `overrides`: in place, no 40-byte `Result` to return.
fn page_options(
    value: &JsValue,
    options: &mut PageOptions,
    overrides: &mut [Option<Option<String>>; 3],
) -> Result<(), Error> {
    if value.is_undefined() || value.is_null() {
        return Ok(());
    }
    if !read::is_object(value) {
        return Err(Error::config("options", "must be an object"));
    }
    config::only_page_options(value)?;
    let read = |key: &'static str, min: f64| -> Result<Option<u64>, Error> {
        let v = read::own_in(value, key, "options")?;
        match read::whole(&v, min, 9_007_199_254_740_991.0) {
            None => Ok(None),
            Some(Ok(n)) => Ok(Some(n as u64)),
            Some(Err(())) if min == 0.0 => {
                Err(Error::config(key, "must be an integer of at least 0"))
            }
            Some(Err(())) => Err(Error::config(key, "must be an integer of at least 1")),
        }
    };
    options.limit = read("limit", 1.0)?;
    options.offset = read("offset", 0.0)?;
    if let Some(n) = read("maxPages", 1.0)? {
        options.max_pages = u32::try_from(n).unwrap_or(u32::MAX);
    }
    let context = read::own_in(value, "context", "options")?;
    config::read_overrides(&context, "options.context", overrides)
}
