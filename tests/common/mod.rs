//! Helpers of the browser suites (tests/client_browser.rs): a recording `fetch`, the page's
//! storage and URL put back between tests, small readers of requests and storage.
//!
//! The tests of one binary share one page and run one at a time; a failed test aborts the
//! wasm instance's stack without running destructors, so [`setup`] (first in every test)
//! puts back whatever the previous test changed.

use js_sys::{Array, Promise, Reflect};
use mobproc_auth::{Config, Event};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, Response, ResponseInit};

/// The MOBPROC API the test clients talk to (never reached: `fetch` is stubbed).
pub const API: &str = "https://api.example.test/mobproc/v1";
/// PingFederate's endpoints in the test configs.
pub const AUTHORIZE: &str = "https://sso.example.test/as/authorization.oauth2";
pub const TOKEN: &str = "https://sso.example.test/as/token.oauth2";
pub const REDIRECT: &str = "https://portal.example.test/callback";
pub const TENANT: &str = "XYZ";

thread_local! {
    /// The page's own `fetch` and URL, as they were before the first test.
    static ORIGINAL: RefCell<Option<(JsValue, String)>> = const { RefCell::new(None) };
}

pub fn window() -> web_sys::Window {
    web_sys::window().expect("a browser page")
}

pub fn session_storage() -> web_sys::Storage {
    window().session_storage().unwrap().expect("sessionStorage")
}

pub fn local_storage() -> web_sys::Storage {
    window().local_storage().unwrap().expect("localStorage")
}

/// First thing in every test: the page's `fetch`, `sessionStorage` and URL back, both
/// storages empty.
pub fn setup() {
    restore_session_storage();
    let (fetch, url) = ORIGINAL.with(|original| {
        original
            .borrow_mut()
            .get_or_insert_with(|| {
                let location = window().location();
                let url = location.pathname().unwrap() + &location.search().unwrap();
                (global_fetch(), url)
            })
            .clone()
    });
    Reflect::set(&js_sys::global(), &"fetch".into(), &fetch).unwrap();
    set_url(&url);
    session_storage().clear().unwrap();
    local_storage().clear().unwrap();
}

fn global_fetch() -> JsValue {
    Reflect::get(&js_sys::global(), &"fetch".into()).unwrap()
}

/// Replaces the address bar's path, query and fragment (same document, no navigation).
pub fn set_url(path_query_fragment: &str) {
    window()
        .history()
        .unwrap()
        .replace_state_with_url(&JsValue::NULL, "", Some(path_query_fragment))
        .unwrap();
}

/// A valid configuration for `client_id` at [`API`], with sign-in configured.
pub fn config(client_id: &str) -> Config {
    Config {
        client_id: client_id.into(),
        tenant: TENANT.into(),
        api_base_url: API.into(),
        authorize_url: Some(AUTHORIZE.into()),
        redirect_uri: Some(REDIRECT.into()),
        ..Config::default()
    }
}

/// The default storage key of `client_id`'s record.
pub fn record_key(client_id: &str) -> String {
    format!("mobproc-auth:{client_id}:{TENANT}")
}

/// Stores a record the way the client does, expiring `expires_in_ms` from now.
pub fn store_record(key: &str, access: &str, refresh: Option<&str>, expires_in_ms: f64) -> f64 {
    let expires_at = (js_sys::Date::now() + expires_in_ms).floor();
    let refresh = refresh
        .map(|r| format!(r#","refreshToken":"{r}""#))
        .unwrap_or_default();
    let json = format!(r#"{{"accessToken":"{access}"{refresh},"expiresAt":{expires_at}}}"#);
    session_storage().set_item(key, &json).unwrap();
    expires_at
}

/// Every key of a storage, in its order.
pub fn keys(storage: &web_sys::Storage) -> Vec<String> {
    (0..storage.length().unwrap())
        .filter_map(|i| storage.key(i).unwrap())
        .collect()
}

/// A field of a JSON object given as text.
pub fn json_field(text: &str, key: &str) -> JsValue {
    let value = js_sys::JSON::parse(text).expect("JSON");
    Reflect::get(&value, &key.into()).unwrap()
}

/// Every header of a request, names lower-cased (as `Headers` keeps them).
pub fn headers(request: &Request) -> BTreeMap<String, String> {
    js_sys::try_iter(&request.headers())
        .unwrap()
        .expect("Headers is iterable")
        .map(|entry| {
            let pair: Array = entry.unwrap().unchecked_into();
            (
                pair.get(0).as_string().unwrap(),
                pair.get(1).as_string().unwrap(),
            )
        })
        .collect()
}

/// A request's body as text.
pub async fn body(request: &Request) -> String {
    JsFuture::from(request.text().unwrap())
        .await
        .unwrap()
        .as_string()
        .unwrap()
}

/// `8-4-4-4-12` lower-case hex with version 4 and the RFC 9562 variant.
pub fn is_uuid_v4(id: &str) -> bool {
    let groups: Vec<&str> = id.split('-').collect();
    let lengths: Vec<usize> = groups.iter().map(|g| g.len()).collect();
    lengths == [8, 4, 4, 4, 12]
        && id
            .bytes()
            .all(|b| b == b'-' || b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        && groups[2].starts_with('4')
        && groups[3].starts_with(['8', '9', 'a', 'b'])
}

/// What the stubbed `fetch` answers to one request.
pub struct Reply {
    pub status: u16,
    pub body: String,
    /// Resolve after this many ms (0: at once).
    pub delay_ms: i32,
}

impl Reply {
    /// `fetch` rejects with a `TypeError`, as on a network failure or a CORS refusal.
    pub fn network_failure() -> Reply {
        Reply::json(0, "")
    }

    pub fn json(status: u16, body: &str) -> Reply {
        Reply {
            status,
            body: body.into(),
            delay_ms: 0,
        }
    }

    pub fn after(mut self, delay_ms: i32) -> Reply {
        self.delay_ms = delay_ms;
        self
    }
}

type Handler = Rc<dyn Fn(&Request) -> Reply>;

/// `globalThis.fetch` replaced by a recorder: every request (a clone, as sent) is kept, and
/// `handler` says what to answer. Dropping it puts the page's `fetch` back.
pub struct Recorder {
    seen: Rc<RefCell<Vec<Request>>>,
    _stub: Closure<dyn FnMut(JsValue, JsValue) -> Promise>,
    previous: JsValue,
}

impl Recorder {
    pub fn install(handler: impl Fn(&Request) -> Reply + 'static) -> Recorder {
        let handler: Handler = Rc::new(handler);
        let seen = Rc::new(RefCell::new(Vec::new()));
        let log = seen.clone();
        let stub = Closure::<dyn FnMut(JsValue, JsValue) -> Promise>::new(
            move |input: JsValue, init: JsValue| {
                let request = match input.dyn_into::<Request>() {
                    Ok(request) if init.is_undefined() => request,
                    Ok(request) => {
                        Request::new_with_request_and_init(&request, init.unchecked_ref()).unwrap()
                    }
                    Err(url) => Request::new_with_str_and_init(
                        &url.as_string().unwrap_or_default(),
                        init.unchecked_ref(),
                    )
                    .unwrap(),
                };
                log.borrow_mut().push(request.clone().unwrap());
                let reply = handler(&request);
                respond(&reply)
            },
        );
        let previous = global_fetch();
        Reflect::set(&js_sys::global(), &"fetch".into(), stub.as_ref()).unwrap();
        Recorder {
            seen,
            _stub: stub,
            previous,
        }
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Request> {
        self.seen.borrow().clone()
    }

    /// The requests whose URL starts with `prefix`.
    pub fn to(&self, prefix: &str) -> Vec<Request> {
        self.requests()
            .into_iter()
            .filter(|r| r.url().starts_with(prefix))
            .collect()
    }

    pub fn count(&self) -> usize {
        self.seen.borrow().len()
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        let _ = Reflect::set(&js_sys::global(), &"fetch".into(), &self.previous);
    }
}

fn respond(reply: &Reply) -> Promise {
    if reply.status == 0 {
        return Promise::reject(&js_sys::TypeError::new("Failed to fetch").into());
    }
    let init = ResponseInit::new();
    init.set_status(reply.status);
    let headers = web_sys::Headers::new().unwrap();
    headers.set("content-type", "application/json").unwrap();
    init.set_headers(&headers);
    // 204 and the like take no body.
    let body = (!reply.body.is_empty()).then_some(reply.body.as_str());
    let response = Response::new_with_opt_str_and_init(body, &init).unwrap();
    if reply.delay_ms == 0 {
        return Promise::resolve(&JsValue::from(response));
    }
    let delay = reply.delay_ms;
    Promise::new(&mut |resolve, _reject| {
        window()
            .set_timeout_with_callback_and_timeout_and_arguments_1(&resolve, delay, &response)
            .unwrap();
    })
}

/// Waits `ms` on the event loop.
pub async fn sleep(ms: i32) {
    let promise = Promise::new(&mut |resolve, _reject| {
        window()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

/// Records every event a listener hears.
pub fn listen(
    client: &mobproc_auth::Client,
    kind: mobproc_auth::EventKind,
) -> Rc<RefCell<Vec<Event>>> {
    let heard = Rc::new(RefCell::new(Vec::new()));
    let log = heard.clone();
    client.on(kind, move |event| log.borrow_mut().push(event.clone()));
    heard
}

thread_local! {
    /// `window`'s own `sessionStorage` property while a test replaced it (`undefined` when it
    /// lives on the prototype).
    static STORAGE_DESCRIPTOR: RefCell<Option<JsValue>> = const { RefCell::new(None) };
}

/// Makes reading `window.sessionStorage` throw a `SecurityError`, as in a sandboxed frame or
/// with storage blocked, until [`restore_session_storage`].
pub fn break_session_storage() {
    let global: js_sys::Object = js_sys::global().unchecked_into();
    let own = js_sys::Object::get_own_property_descriptor(&global, &"sessionStorage".into());
    STORAGE_DESCRIPTOR.with(|saved| {
        saved.borrow_mut().get_or_insert(own);
    });
    let throws = js_sys::Function::new_no_args(
        "throw new DOMException('The operation is insecure.', 'SecurityError')",
    );
    let descriptor = js_sys::Object::new();
    Reflect::set(&descriptor, &"get".into(), &throws).unwrap();
    Reflect::set(&descriptor, &"configurable".into(), &JsValue::TRUE).unwrap();
    js_sys::Object::define_property(&global, &"sessionStorage".into(), &descriptor);
}

/// Puts back what [`break_session_storage`] replaced.
pub fn restore_session_storage() {
    let Some(own) = STORAGE_DESCRIPTOR.with(|saved| saved.borrow_mut().take()) else {
        return;
    };
    let global: js_sys::Object = js_sys::global().unchecked_into();
    if own.is_undefined() {
        Reflect::delete_property(&global, &"sessionStorage".into()).unwrap();
    } else {
        js_sys::Object::define_property(&global, &"sessionStorage".into(), own.unchecked_ref());
    }
}
