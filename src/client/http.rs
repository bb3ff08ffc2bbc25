//! The API `fetch`: only to allowed origins, never following redirects, signed with the
//! Tangoe headers, the context and a fresh correlation id; a refresh first when the token is
//! about to expire, and on a 401 one refresh and one replay of a clone.

use super::value::{cause, message_of};
use super::Client;
use crate::context::{self, Override, CORRELATION_ID};
use crate::error::{Error, ErrorKind, Result};
use crate::headers::api_header_parts;
use crate::token::TokenRecord;
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestInit, RequestRedirect, Response};

#[wasm_bindgen]
extern "C" {
    /// The global `fetch`, looked up at each call (browsers, workers and Node alike; a page
    /// that wraps `fetch` is honoured). What it returns is not assumed to be a promise (a
    /// test's synchronous mock).
    #[wasm_bindgen(catch, js_name = fetch)]
    fn global_fetch(request: &Request) -> Result<JsValue, JsValue>;

    /// web-sys's `Headers` with values as JavaScript strings: the headers of every call are
    /// set without copying them out of the module's memory again.
    #[wasm_bindgen(js_name = Headers)]
    type StringHeaders;
    #[wasm_bindgen(method, catch, js_name = set)]
    fn set(this: &StringHeaders, name: &str, value: &JsValue) -> Result<(), JsValue>;
    #[wasm_bindgen(method, catch, js_name = set)]
    fn set_named(this: &StringHeaders, name: &JsValue, value: &JsValue) -> Result<(), JsValue>;
    #[wasm_bindgen(method, catch, js_name = delete)]
    fn delete(this: &StringHeaders, name: &JsValue) -> Result<(), JsValue>;
    #[wasm_bindgen(method, catch, js_name = get)]
    fn get(this: &StringHeaders, name: &str) -> Result<JsValue, JsValue>;

    /// `crypto.randomUUID()`, kept a JavaScript string; throws where it is missing (no
    /// `crypto`, or a plain-http page).
    #[wasm_bindgen(catch, js_namespace = crypto, js_name = randomUUID)]
    fn random_uuid() -> Result<JsValue, JsValue>;

    /// A `Request`, `Response` or `URL` seen through the getters read on every call, as
    /// JavaScript values: web-sys's copy each string out (or map an enum) in glue of their
    /// own, and `Reflect.get` would make its key string anew on each call. A value is copied
    /// into Rust only where Rust needs it.
    type Props;
    #[wasm_bindgen(method, getter)]
    fn mode(this: &Props) -> JsValue;
    #[wasm_bindgen(method, getter)]
    fn redirect(this: &Props) -> JsValue;
    #[wasm_bindgen(method, getter)]
    fn headers(this: &Props) -> StringHeaders;
    #[wasm_bindgen(method, getter)]
    fn origin(this: &Props) -> JsValue;
}

/// The getters of [`Props`] on `object`.
fn props(object: &JsValue) -> &Props {
    object.unchecked_ref()
}

/// The headers of a `Request` or `Response`, read and written as JavaScript strings.
fn headers_of(message: &JsValue) -> StringHeaders {
    props(message).headers()
}

/// Sets one header of a new `Request` (its headers take any allowed name).
pub fn set_header(message: &JsValue, name: &str, value: &str) {
    let _ = headers_of(message).set(name, &JsValue::from_str(value));
}

/// What one call says about the context: its overrides of the client's three context values,
/// and whether the caller set its own activity or correlation id.
#[derive(Clone, Debug)]
pub struct CallContext {
    /// `None`: inherit; `Some(None)`: no header for this call; `Some(Some(v))`: this value.
    pub overrides: [Option<Option<String>>; 3],
    /// The caller set `X-TNGO-CONTEXT-ACTIVITYID` itself.
    pub own_activity: bool,
    /// The caller set `X-TNGO-CONTEXT-CORRELATIONID` itself.
    pub own_correlation: bool,
    /// The request can hold no header of the caller's (a URL and an init without `headers`):
    /// they are not read.
    pub no_own_headers: bool,
    /// The caller gave a `Request`, whose relative URL resolved against the page's base URL
    /// (not the API base): a refusal of that origin says so.
    pub from_request: bool,
    /// The record the call was last sent with: what its answer says is quoted without the
    /// token (a server or proxy may echo the request's headers).
    pub sent_with: Option<Rc<TokenRecord>>,
    /// The client's context and activity id when the call was made (its replay too): a
    /// `set_context` afterwards is for later calls, not this one.
    pub context: Rc<ClientContext>,
}

/// A client's context and activity id.
pub type ClientContext = (crate::context::Context, Option<String>);

impl CallContext {
    /// The context of a call that `client` makes now.
    pub(crate) fn made_by(client: &Client) -> Self {
        CallContext {
            no_own_headers: false,
            from_request: true,
            ..CallContext::for_url(client.context())
        }
    }

    /// The context of a call made from a URL with `context` (the client's): no header of a
    /// caller's to read.
    pub(crate) fn for_url(context: Rc<ClientContext>) -> Self {
        CallContext {
            overrides: Default::default(),
            own_activity: false,
            own_correlation: false,
            no_own_headers: true,
            from_request: false,
            sent_with: None,
            context,
        }
    }

    fn is_usual(&self) -> bool {
        !self.own_activity && matches!(self.overrides, [None, None, None])
    }

    /// The overrides as the core's context policy takes them.
    fn each_override(&self) -> [Override<'_>; 3] {
        fn each(o: &Option<Option<String>>) -> Override<'_> {
            match o {
                None => Override::Inherit,
                Some(None) => Override::Remove,
                Some(Some(v)) => Override::Set(v.as_str()),
            }
        }
        let [x, y, z] = &self.overrides;
        [each(x), each(y), each(z)]
    }
}

/// The headers of calls that change nothing, kept until the token or the client's context
/// changes: the same question always gets the same answer, and most calls ask it.
#[derive(Default)]
// Keyed by the record and the context (4 bytes each, no copy of the token; the context compared
// by pointer: a call may hold an older one): the entry moved in and out is 12 bytes.
pub struct HeaderCache(Cell<Option<CachedHeaders>>);

/// The record and the context the headers were made for, and the headers.
type CachedHeaders = (Rc<TokenRecord>, Rc<ClientContext>, SignedHeaders);

/// Header names and their values as JavaScript strings (`None`: remove the header): made
/// once per token and context, not on every call.
type SignedHeaders = Rc<Vec<(JsValue, Option<JsValue>)>>;

impl HeaderCache {
    /// Forgets the cached headers (new token, new context, sign-out).
    pub fn clear(&self) {
        self.0.set(None);
    }

    /// The headers cached for `token` and `context`, if any.
    fn get(&self, token: &str, context: &Rc<ClientContext>) -> Option<SignedHeaders> {
        let cache = self.0.take();
        let hit = match &cache {
            Some((cached, made_with, list))
                if cached.access_token().secret() == token && Rc::ptr_eq(made_with, context) =>
            {
                Some(list.clone())
            }
            _ => None,
        };
        self.0.set(cache);
        hit
    }
}

/// Sends `request` through the global `fetch`; `Err` is what fetch threw or rejected with.
pub async fn send_raw(request: &Request) -> Result<Response, JsValue> {
    let value = JsFuture::from(super::value::adopt(&global_fetch(request)?)).await?;
    value.dyn_into::<Response>().map_err(|_| {
        js_sys::TypeError::new("fetch resolved something that is not a Response").into()
    })
}

/// `network_error` for `request`, which `fetch` refused with `thrown` (or whose signal aborted
/// with that reason). Boxed here: no 48-byte `Result<_, ErrorKind>` for `?` to convert.
fn network_error(
    request: &Request,
    thrown: JsValue,
    correlation_id: &JsValue,
    token: &str,
) -> Error {
    // The signal's reason is the app's own value, kept as it is; what `fetch` threw is copied
    // without what Node hangs on it (`thrown.rs`), the call's token hidden.
    let reason = super::value::field(&super::value::field(request, "signal"), "reason");
    let thrown = match thrown == reason {
        true => thrown,
        false => super::thrown::scrubbed(&thrown, &[token.into()]),
    };
    Error::from(ErrorKind::NetworkError {
        why: crate::error::network_why(
            &message_of(&thrown),
            &origin_of(&request.url()),
            page_origin().as_deref(),
        ),
        correlation_id: correlation_id.as_string(),
        status: None,
        cause: cause(thrown),
    })
}

/// The body of a response as a JavaScript string; `None` when it cannot be read. (gloo-net's
/// `text()` would panic on a synchronous failure: a panic kills the module.)
pub async fn body_value(response: &Response) -> Option<js_sys::JsString> {
    let promise = response.text().ok()?;
    JsFuture::from(super::value::adopt(&promise))
        .await
        .ok()?
        .dyn_into()
        .ok()
}

/// A response's status, read through `Reflect`: the global `fetch` may be anyone's, and a
/// getter that throws must not throw through the module. 0 when it is no number.
pub fn status_of(response: &Response) -> u16 {
    super::value::field(response, "status")
        .as_f64()
        .map_or(0, |status| status as u16)
}

/// Whether `status` is a success (2xx), as `Response.ok` says.
pub fn is_ok(status: u16) -> bool {
    (200..300).contains(&status)
}

/// One header of a response, read as [`status_of`] reads the status.
pub fn response_header(response: &Response, name: &str) -> Option<String> {
    let headers: web_sys::Headers = super::value::field(response, "headers").dyn_into().ok()?;
    headers.get(name).ok()?
}

impl Client {
    /// `fetch` with `X-TNGO-TENANT`, `client_id` and the bearer added, for a request to an
    /// allowed origin. Redirects are refused unless the request says `manual` (a followed one
    /// would take the headers to any origin). HTTP errors are responses, not `Err`.
    ///
    /// A copy of `request` is sent (its referrer and referrer policy kept), so the token is
    /// never written into it; a request whose body was already read cannot be copied and is
    /// `invalid_request`.
    pub async fn fetch(&self, request: Request) -> Result<Response> {
        // Sent as a copy: the token is never written into a Request the caller still holds.
        // Read through `Reflect` (a throwing getter is not thrown through the module).
        let manual = super::value::field(&request, "redirect") == "manual";
        let request = redirect_copy(&request, manual)?;
        self.fetch_with(request, &mut CallContext::made_by(self), true)
            .await
    }

    /// [`Client::fetch`] with what the call says about its context (borrowed: the caller's
    /// future holds it, not a copy in this one's); a request whose body is a caller's stream
    /// is not `replayable`.
    pub(crate) async fn fetch_with(
        &self,
        request: Request,
        call: &mut CallContext,
        replayable: bool,
    ) -> Result<Response> {
        // Refused before the refresh: a call that will not be sent must not end the session.
        let request = no_redirects(request)?;
        self.check(&request, call)?;
        // An aborted call is refused here, as `fetch` would refuse it: nothing is sent, and no
        // refresh is spent on it (`not_authenticated` first, as for any call without a session).
        let signal = super::value::field(&request, "signal");
        if super::value::field(&signal, "aborted") == JsValue::TRUE {
            self.record().ok_or(ErrorKind::NotAuthenticated)?;
            let reason = super::value::field(&signal, "reason");
            return Err(network_error(&request, reason, &JsValue::NULL, ""));
        }
        self.refresh_if_expiring().await?;
        self.send_signed(request, call, replayable).await
    }

    /// Completes the call's context `call` from the request's own headers (in place: no
    /// context moved in and out); refuses what must not be sent. A context header the caller
    /// put on the request is that call's value.
    pub(crate) fn check(&self, request: &Request, call: &mut CallContext) -> Result<()> {
        // web-sys's `url` (a copy): gloo-net imports it anyway. Serialised by the URL parser:
        // for http(s) the text up to the path is `URL.origin`, and anything else (another
        // scheme, a user name a Request made from another may carry) matches no allowed origin.
        let href = request.url();
        if !self
            .0
            .config
            .is_allowed_origin(crate::url::serialized_origin(&href))
        {
            let origin: String = crate::url::refused_origin(&href).into();
            let own_page = call.from_request && base_origin() == origin;
            return Err(ErrorKind::OriginNotAllowed { origin, own_page }.into());
        }
        // Compared as JavaScript strings (`===`): nothing copied into Rust.
        if props(request).mode() == "no-cors" {
            return Err(Error::invalid_request(
                "mode \"no-cors\" cannot carry the Authorization header",
            ));
        }
        if call.no_own_headers {
            return self.context_headers(call, None);
        }
        // `init.context` naming one id of the actor: the request's own header for the other
        // would win at Tangoe (EMPLOYEEID over COMPANYEMPLOYEEID), so it goes.
        if let [other @ None, Some(_), _] | [Some(_), other @ None, _] = &mut call.overrides {
            *other = Some(None);
        }
        let headers = headers_of(request);
        let own = |name: &str| headers.get(name).ok().filter(|v| !v.is_null());
        for ((_, header), slot) in context::FIELDS.iter().zip(call.overrides.iter_mut()) {
            if slot.is_none() {
                *slot = own(header).map(|v| v.as_string());
            }
        }
        call.own_activity = own(context::ACTIVITY_ID).is_some();
        call.own_correlation = own(CORRELATION_ID).is_some();
        // Checked now, so a bad value is refused before anything is sent.
        self.context_headers(call, None)
    }

    /// Signs and sends a checked request; on a 401, refreshes once and replays a clone made
    /// before signing (signed with the token current then and the call's own context), when
    /// `replayable`. A 401 speaks
    /// only of the token the call was signed with: a session that replaced it meanwhile is
    /// kept, and a refreshable one is refreshed, not ended, when the call cannot be replayed.
    /// A replay stays within the call's sign-in (its session id): under another, the 401.
    pub(crate) async fn send_signed(
        &self,
        request: Request,
        call: &mut CallContext,
        replayable: bool,
    ) -> Result<Response> {
        let mut replay = None;
        // Only the first pass may refresh (and keep a clone for a replay, when `replayable`).
        let mut first = true;
        // One loop for the call and its replay: one `send` await in the state machine.
        let mut request = request;
        loop {
            // The record the call is signed with, read once: whether a replay could refresh
            // is its question too.
            let sent_with = self.signing_record()?;
            let refreshable = std::mem::take(&mut first)
                && self.may_refresh()
                && sent_with.refresh_token().is_some();
            if replayable && refreshable {
                replay = request.clone().ok();
            }
            let correlation_id = self.sign(&request, call, &sent_with)?;
            let token = sent_with.access_token().secret();
            let response = self.send(&request, correlation_id, token).await?;
            call.sent_with = Some(sent_with.clone());
            if status_of(&response) != 401 {
                return Ok(response);
            }
            let next = replay.take();
            // Stored, expired or not: a late 401 of an older token must not end a newer
            // session (another tab's, a new sign-in, another call's refresh).
            let current = self.record();
            if let Some(now) = current.filter(|now| now.access_token() == sent_with.access_token())
            {
                // Without a refresh token now (refused meanwhile), as without one before.
                if !refreshable || now.refresh_token().is_none() {
                    self.expire();
                    return Ok(response);
                }
                match self.refresh().await {
                    // The session ended, or another sign-in replaced it: the 401 is the answer.
                    Err(e)
                        if matches!(
                            e.kind(),
                            ErrorKind::SessionExpired { .. }
                                | ErrorKind::NotAuthenticated
                                | ErrorKind::EndedMeanwhile
                        ) =>
                    {
                        return Ok(response)
                    }
                    // The refresh token refused too: the session kept its access token, which
                    // the API has just refused. It ends.
                    Err(e)
                        if matches!(e.kind(), ErrorKind::RefreshFailed { oauth, .. }
                            if oauth.error.as_deref() == Some("invalid_grant")) =>
                    {
                        let same =
                            |now: Rc<TokenRecord>| now.access_token() == sent_with.access_token();
                        if self.record().is_some_and(same) {
                            self.expire();
                        }
                        return Ok(response);
                    }
                    Err(error) => match next {
                        Some(_) => return Err(error),
                        // Without a replay the 401 is the answer; the failure (which left
                        // the session as it was) goes to the `error` listeners.
                        None => self.0.events.emit_error(error),
                    },
                    Ok(_) => {}
                }
            }
            // Calls in flight while another one refreshed just replay with the new token; not
            // under another sign-in: a call made as one user is not sent as another.
            let same_session = self
                .record()
                .is_some_and(|now| now.same_session(&sent_with));
            match next {
                Some(next) if same_session => request = next,
                _ => return Ok(response),
            }
        }
    }

    /// The record to sign with: `not_authenticated` without a usable one.
    fn signing_record(&self) -> Result<Rc<TokenRecord>> {
        self.usable()
            .ok_or_else(|| Error::from(ErrorKind::NotAuthenticated))
    }

    /// Sets the Tangoe headers with `record`'s token; returns the correlation id sent (a
    /// JavaScript string, or `null`).
    fn sign(
        &self,
        request: &Request,
        call: &CallContext,
        record: &Rc<TokenRecord>,
    ) -> Result<JsValue> {
        let token = record.access_token();
        let usual = call.is_usual();
        let cached = usual.then(|| self.0.headers.get(token.secret(), &call.context));
        let list = match cached.flatten() {
            Some(list) => list,
            None => {
                // Taken apart, not iterated: an array's `IntoIter` brings its own drop glue.
                let [a, b, c] = api_header_parts(&self.0.config, token);
                let js = |(name, lead, value): (&'static str, &str, &str)| {
                    (
                        JsValue::from_str(name),
                        Some(JsValue::from_str(&crate::text::cat(&[lead, value]))),
                    )
                };
                // Pushed one by one (the `push` `context_headers` uses): no three-element
                // array copied into the new allocation.
                let mut list = Vec::new();
                list.push(js(a));
                list.push(js(b));
                list.push(js(c));
                self.context_headers(call, Some(&mut list))?;
                let list: SignedHeaders = Rc::new(list);
                if usual {
                    let context = call.context.clone();
                    self.0
                        .headers
                        .0
                        .set(Some((record.clone(), context, list.clone())));
                }
                list
            }
        };
        let headers = headers_of(request);
        let immutable = |_| Error::invalid_request("the request's headers are immutable");
        for (name, value) in list.iter() {
            match value {
                Some(value) => headers.set_named(name, value),
                None => headers.delete(name),
            }
            .map_err(immutable)?;
        }
        // Our own UUID needs no check; a caller's was checked by Headers.
        if call.own_correlation {
            return Ok(headers.get(CORRELATION_ID).unwrap_or(JsValue::NULL));
        }
        let id = correlation_id()?;
        headers.set(CORRELATION_ID, &id).map_err(immutable)?;
        Ok(id)
    }

    /// Checks the context headers of a call and adds them to `out`, if given (`None`: the
    /// header must go).
    fn context_headers(
        &self,
        call: &CallContext,
        out: Option<&mut Vec<(JsValue, Option<JsValue>)>>,
    ) -> Result<()> {
        let (context, activity) = &*call.context;
        let [a, b, c] = context.values();
        let client = [a, b, c, activity.as_deref().filter(|_| !call.own_activity)];
        let mut out = out;
        context::each_header(client, call.each_override(), None, |name, value| {
            if let Some(out) = &mut out {
                let value = (!value.is_empty()).then(|| JsValue::from_str(value));
                out.push((JsValue::from_str(name), value));
            }
        })
    }

    /// Sends, remembering the call's correlation id for `correlation_id(response)` and errors;
    /// `token`, which the request carries, is hidden from what a failure says.
    async fn send(
        &self,
        request: &Request,
        correlation_id: JsValue,
        token: &str,
    ) -> Result<Response> {
        let response = send_raw(request)
            .await
            .map_err(|thrown| network_error(request, thrown, &correlation_id, token))?;
        self.remember(&response, &correlation_id);
        Ok(response)
    }

    /// Notes the correlation id (a JavaScript string, or `null`) a response, or a body read
    /// from one, came with.
    pub(crate) fn remember(&self, object: &JsValue, correlation_id: &JsValue) {
        if correlation_id.is_string() && object.is_object() {
            let key: &js_sys::Object = object.unchecked_ref();
            self.0.correlation_ids.set(key, correlation_id);
        }
    }

    /// The `X-TNGO-CONTEXT-CORRELATIONID` a call was sent with: for its `Response`, or for the
    /// body or page read from it.
    pub fn correlation_id(&self, object: &JsValue) -> Option<String> {
        self.correlation_id_value(object).as_string()
    }

    /// [`Client::correlation_id`] as a JavaScript string, or `undefined`.
    pub(crate) fn correlation_id_value(&self, object: &JsValue) -> JsValue {
        if !object.is_object() {
            return JsValue::UNDEFINED;
        }
        self.0.correlation_ids.get(object.unchecked_ref())
    }
}

/// The request itself when it refuses or hands back redirects, else a copy that refuses them.
pub(crate) fn no_redirects(request: Request) -> Result<Request> {
    // Compared as JavaScript strings (`===`): nothing copied into Rust.
    let redirect = props(&request).redirect();
    // `"error"` first: what every call through `prepare` says (one comparison, not two).
    if redirect == "error" || redirect == "manual" {
        return Ok(request);
    }
    redirect_copy(&request, false)
}

/// A copy of `request` that refuses redirects, or hands them back to the caller when `manual`.
fn redirect_copy(request: &Request, manual: bool) -> Result<Request> {
    // Without a prototype: a polluted `Object.prototype` must not add headers or a mode.
    let init: RequestInit = super::value::bare_object(&JsValue::NULL).unchecked_into();
    init.set_redirect(match manual {
        true => RequestRedirect::Manual,
        false => RequestRedirect::Error,
    });
    keep_referrer(request, &init);
    Request::new_with_request_and_init(request, &init).map_err(invalid_thrown)
}

/// Gives `init` the referrer and referrer policy of `source` where it has none of its own: a
/// `Request` made from another with a non-empty init starts from the page's defaults (Fetch
/// standard), and a caller's `no-referrer` must stay.
pub(crate) fn keep_referrer(source: &Request, init: &JsValue) {
    keep(source, init, "referrer");
    keep(source, init, "referrerPolicy");
}

/// `init[key] = source[key]` unless `init` has it.
fn keep(source: &Request, init: &JsValue, key: &str) {
    if super::value::field(init, key).is_undefined() {
        super::value::set_field(init, key, &super::value::field(source, key));
    }
}

/// `invalid_request` saying what `thrown` says: one copy for the client's URL and Request
/// constructors.
pub fn invalid_thrown(thrown: JsValue) -> Error {
    Error::invalid_request(&message_of(&thrown))
}

/// Refuses an absolute `url` (as the URL parser serialises it) with a user name or password
/// before a `Request` is made from it, by a message that does not quote it (the constructor's
/// would).
pub fn no_userinfo(url: &str) -> Result<()> {
    match crate::url::has_userinfo(url) {
        true => Err(Error::invalid_request(crate::url::USERINFO_REFUSED)),
        false => Ok(()),
    }
}

/// A fresh random UUID (RFC 9562 v4): `crypto.randomUUID`, or one made from
/// `getRandomValues` where that is missing (plain-http pages).
// Not inlined into `sign` (−21 B gzip, with LTO).
#[inline(never)]
fn correlation_id() -> Result<JsValue> {
    // Called, not looked up first: one crossing into JavaScript on every call.
    if let Ok(id) = random_uuid() {
        return Ok(id);
    }
    let mut b = [0u8; 16];
    super::navigation::random_values(&mut b)?;
    Ok(JsValue::from_str(&crate::encode::uuid_v4(b)))
}

/// A `URL`'s `origin`, through the getter import rather than a `Reflect.get` with its key.
pub fn url_origin(url: &web_sys::Url) -> String {
    props(url).origin().as_string().unwrap_or_default()
}

/// The origin of an absolute URL (`""` if it does not parse).
fn origin_of(url: &str) -> String {
    match web_sys::Url::new(url) {
        Ok(url) => url_origin(&url),
        Err(_) => String::new(),
    }
}

/// The origin a relative URL in a `Request` resolves against: the document's base URL in a
/// page (`<base href>` included), the worker's own URL in a worker; `""` in Node, where a
/// `Request` needs an absolute URL.
fn base_origin() -> String {
    let document = super::value::global("document");
    let base = match document.is_object() {
        true => super::value::string(&document, "baseURI"),
        false => super::value::string(&super::value::global("location"), "href"),
    };
    base.map(|base| origin_of(&base)).unwrap_or_default()
}

/// This page's origin; `None` outside a browser page (Node has no CORS).
fn page_origin() -> Option<String> {
    if !super::value::in_browser_page() {
        return None;
    }
    super::value::string(&super::value::global("location"), "origin")
}
