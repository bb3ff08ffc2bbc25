//! Small reads of JavaScript values through js-sys: the clock, globals, thrown values.

use crate::error::Cause;
use js_sys::Reflect;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `Object.create(null)`: an object a polluted `Object.prototype` adds nothing to, for
    /// what a dictionary reader (the `Request` constructor) reads.
    #[wasm_bindgen(js_namespace = Object, js_name = create)]
    pub fn bare_object(prototype: &JsValue) -> js_sys::Object;

    /// The global `setTimeout` (browsers and Node).
    #[wasm_bindgen(js_name = setTimeout)]
    pub fn set_timeout(handler: &JsValue, ms: f64) -> JsValue;
    /// The global `clearTimeout`.
    #[wasm_bindgen(js_name = clearTimeout)]
    pub fn clear_timeout(timer: &JsValue);
    /// `JSON.parse`, which [`parse_json`] calls only for text that may be JSON.
    #[wasm_bindgen(catch, js_namespace = JSON, js_name = parse)]
    fn json_parse(text: &JsValue) -> Result<JsValue, JsValue>;
    /// `String(value)`, which may throw (a `toString` that throws).
    #[wasm_bindgen(catch, js_name = String)]
    fn to_text(value: &JsValue) -> Result<JsValue, JsValue>;
}

/// `JSON.parse` of a JavaScript string (it stays one: nothing is copied into the module);
/// `Err` for text that is no JSON. Text that cannot be JSON (empty, as a revocation's answer;
/// HTML; `404 page not found`) is not handed to it: each `catch` import that throws keeps a
/// slot of wasm-bindgen's value table (0.2.130 never frees the return value's), and a server
/// makes such calls by the thousand.
pub fn parse_json(text: &JsValue) -> Result<JsValue, JsValue> {
    match text.dyn_ref::<js_sys::JsString>() {
        Some(text) if !may_be_json(text) => Err(JsValue::UNDEFINED),
        _ => json_parse(text),
    }
}

/// Whether `text` may be JSON: an object, array or string by its first and last characters
/// (after white space), a number or literal whole. The last: a body cut short (a proxy's
/// timeout) is not handed to `JSON.parse`, which would throw and keep a slot.
fn may_be_json(text: &js_sys::JsString) -> bool {
    let text = text.trim();
    let last = text.char_code_at(text.length().saturating_sub(1)) as u32;
    match text.char_code_at(0) as u32 {
        0x7B => last == 0x7D,
        0x5B => last == 0x5D,
        // `"` alone is no JSON string either.
        0x22 => last == 0x22 && text.length() > 1,
        // Nothing at all: no JSON (`isFinite("")` would say 0).
        _ if text.length() == 0 => false,
        // `isFinite` reads text as a number (`404 page not found` is none).
        _ => {
            // A literal is short: only then copied to be compared.
            js_sys::is_finite(&text)
                || (text.length() <= 5
                    && matches!(String::from(text).as_str(), "true" | "false" | "null"))
        }
    }
}

/// Work for the event loop: a boxed future that settles with a JavaScript value.
pub type Task = std::pin::Pin<Box<dyn std::future::Future<Output = Result<JsValue, JsValue>>>>;

/// The closure type of the crate's event handlers (channel messages): the signature of
/// js-sys's own future callbacks, so the module carries its glue once. Always `Ok(())`.
pub type Handler = dyn FnMut(JsValue) -> Result<(), wasm_bindgen::JsError>;

/// Runs `task` as a Promise. Whatever the crate runs in the background or hands to JavaScript
/// goes through here as this one boxed type, so wasm-bindgen-futures' adapter (the Promise
/// executor closure and the spawned task) is in the module once.
pub fn run(task: Task) -> js_sys::Promise {
    wasm_bindgen_futures::future_to_promise(task)
}

/// What shared work ends with: the usable record (the refresh, a popup sign-in; a `Session`
/// is made from it for the caller) or a completed redirect callback. One type for all, so
/// the single flight is in the module once. Behind an `Rc`: 8 bytes rather than 40 to move
/// through the flight and to each waiter.
pub type Outcome = crate::error::Result<
    std::rc::Rc<(
        Option<std::rc::Rc<crate::token::TokenRecord>>,
        Option<super::Callback>,
    )>,
>;

/// Async work that several callers wait for: it runs once, and each caller gets a clone of
/// its outcome (the single-flight refresh, a popup sign-in, a page's one redirect callback).
#[derive(Clone)]
pub struct Shared {
    done: js_sys::Promise,
    outcome: std::rc::Rc<std::cell::Cell<Option<Outcome>>>,
}

impl Shared {
    /// Starts `work` now.
    pub fn start(work: std::pin::Pin<Box<dyn std::future::Future<Output = Outcome>>>) -> Self {
        let outcome = std::rc::Rc::new(std::cell::Cell::new(None));
        let slot = outcome.clone();
        let done = run(Box::pin(async move {
            slot.set(Some(work.await));
            Ok(JsValue::UNDEFINED)
        }));
        Shared { done, outcome }
    }

    /// The outcome, once the work is done.
    pub async fn wait(&self) -> Option<Outcome> {
        let _ = wasm_bindgen_futures::JsFuture::from(self.done.clone()).await;
        let value = self.outcome.take();
        self.outcome.set(value.clone());
        value
    }
}

/// A new promise and the function that resolves it. The crate's one executor closure, so
/// that its glue is in the module once; `new_typed`, the constructor wasm-bindgen-futures
/// imports, rather than a second import of the same one.
pub fn deferred() -> (js_sys::Promise, js_sys::Function) {
    let mut resolver = None;
    let promise = js_sys::Promise::new_typed::<JsValue>(&mut |resolve, _| {
        resolver = Some(resolve.unchecked_into())
    });
    // The executor runs at once; were it not to, calling `undefined` throws, which the
    // callers ignore as they ignore any throw of `resolve`.
    let resolve = resolver.unwrap_or_else(|| JsValue::UNDEFINED.unchecked_into());
    (promise, resolve)
}

/// `value` adopted by a new promise of the module's own: whatever `fetch` or `text()` handed
/// back (a promise whose `then` or `constructor` was tampered with, a thenable that throws)
/// settles it, and a throw rejects it, rather than throwing through the module, which would
/// leave the call, and a refresh it is part of, pending for the page's life.
pub fn adopt(value: &JsValue) -> js_sys::Promise {
    let (promise, resolve) = deferred();
    let _ = resolve.call1(&JsValue::UNDEFINED, value);
    promise
}

/// A promise that resolves with `undefined` after `ms` (the timer unref'd in Node).
pub fn delay(ms: f64) -> js_sys::Promise {
    let (promise, resolve) = deferred();
    unref(&set_timeout(&resolve, ms));
    promise
}

/// `promise.then(handler)` or `promise.catch(handler)` (`method`), read from the promise and
/// called as its own method: no web-sys binding for each.
pub fn chain(
    promise: &js_sys::Promise,
    method: &str,
    handler: &JsValue,
) -> Option<js_sys::Promise> {
    let method: js_sys::Function = field(promise, method).unchecked_into();
    Some(method.call1(promise, handler).ok()?.unchecked_into())
}

/// Whichever of `a` and `b` settles first (`Promise.race`), as a future.
pub fn first_of(a: &js_sys::Promise, b: &js_sys::Promise) -> wasm_bindgen_futures::JsFuture {
    js_sys::Promise::race(&js_sys::Array::of2(a, b)).into()
}

/// Waits `ms`.
pub async fn sleep(ms: f64) {
    let _ = wasm_bindgen_futures::JsFuture::from(delay(ms)).await;
}

/// A list keyed by name: the memory storage, the clients `startClient` made, the page's ended
/// sessions.
pub type Keyed = Vec<(String, JsValue)>;

/// The value of `key` in `list`, if any (the last, where keys repeat). One copy of the
/// search for both kinds of list.
pub fn keyed_get(list: &Keyed, key: &str) -> Option<JsValue> {
    let mut value = None;
    // An index loop: smaller in the module than `find` and `map`.
    let mut at = 0;
    while let Some((k, v)) = list.get(at) {
        if k == key {
            value = Some(v.clone());
        }
        at += 1;
    }
    value
}

/// Removes `key`'s entries from `list`: one `retain` for both kinds of list (`retain`, not
/// `remove(position)`: that keeps a formatted bounds panic in the module).
pub fn keyed_remove(list: &mut Keyed, key: &str) {
    list.retain(|(k, _)| k != key);
}

/// Runs `work` on a page-wide list kept in a thread-local `Cell` (taken and put back): a
/// `RefCell` borrow or `LocalKey::with` would each keep a formatted panic in the module.
/// `try_with` fails (`None`) only while the thread's locals are destroyed, which a page never sees.
pub fn with_page_list<T, R>(
    list: &'static std::thread::LocalKey<std::cell::Cell<Vec<T>>>,
    work: impl FnOnce(&mut Vec<T>) -> R,
) -> Option<R> {
    list.try_with(|cell| {
        let mut items = cell.take();
        let result = work(&mut items);
        cell.set(items);
        result
    })
    .ok()
}

/// A page-wide list of shared work (the popup sign-ins, the redirect callbacks): storage key,
/// a JavaScript value that tells the runs of one key apart (a popup window, the page's URL),
/// the outcome. One type and the three functions below, so that their code is in the module
/// once.
pub type PageList = std::thread::LocalKey<std::cell::Cell<Vec<(String, JsValue, Shared)>>>;

/// The entry of `key` in `list` (whose value is `tag`, when given): that value and its outcome.
pub fn page_entry(
    list: &'static PageList,
    key: &str,
    tag: Option<&JsValue>,
) -> Option<(JsValue, Shared)> {
    let found = with_page_list(list, |list| {
        list.iter()
            .find(|(k, t, _)| k == key && tag.is_none_or(|tag| t == tag))
            .map(|(_, t, outcome)| (t.clone(), outcome.clone()))
    });
    found.flatten()
}

/// Keeps `(key, tag, outcome)` in `list`, in place of the key's earlier entry.
pub fn page_keep(list: &'static PageList, key: &str, tag: JsValue, outcome: Shared) {
    page_drop(list, key, None);
    with_page_list(list, |list| list.push((key.to_owned(), tag, outcome)));
}

/// Forgets the entry of `key` in `list` if its value is `tag` (`===`, which wasm-bindgen
/// imports anyway, rather than js-sys's `Object.is`: the same for windows).
pub fn page_forget(list: &'static PageList, key: &str, tag: &JsValue) {
    page_drop(list, key, Some(tag));
}

/// Forgets the entry of `key` (whose value is `tag`, when given): one `retain` for both.
fn page_drop(list: &'static PageList, key: &str, tag: Option<&JsValue>) {
    with_page_list(list, |list| {
        list.retain(|(k, t, _)| !(k == key && tag.is_none_or(|tag| t == tag)))
    });
}

/// The BroadcastChannel `name`, where there is BroadcastChannel.
pub fn channel(name: &str) -> Option<web_sys::BroadcastChannel> {
    if !global("BroadcastChannel").is_function() {
        return None;
    }
    web_sys::BroadcastChannel::new(name).ok()
}

/// In Node a pending timer keeps the process alive: `unref` it.
pub fn unref(timer: &JsValue) {
    call_method(timer, "unref");
}

/// `object[name]()` when it is a function: what it returns, `undefined` when it throws or is
/// no function. One import for every such call (`close`, `focus`, `unref`, `hasFocus`),
/// rather than one of web-sys's each.
pub fn call_method(object: &JsValue, name: &str) -> JsValue {
    match field(object, name).dyn_into::<js_sys::Function>() {
        Ok(method) => method.call0(object).unwrap_or(JsValue::UNDEFINED),
        Err(_) => JsValue::UNDEFINED,
    }
}

/// `object.closed` (a window, a popup): true unless it says `false`.
pub fn is_closed(window: &JsValue) -> bool {
    field(window, "closed").as_bool() != Some(false)
}

/// `Date.now()` as whole milliseconds.
pub fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

/// `globalThis[name]`, or `undefined` when absent or when its getter throws.
pub fn global(name: &str) -> JsValue {
    field(&js_sys::global(), name)
}

/// `value[key]` of an object, else `undefined`.
pub fn field(value: &JsValue, key: &str) -> JsValue {
    if !value.is_object() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(value, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// `object[key] = value`; a throw (a frozen object, a setter) is ignored. One copy of the
/// key conversion and the call for every object the crate builds.
pub fn set_field(object: &JsValue, key: &str, value: &JsValue) {
    let _ = Reflect::set(object, &JsValue::from_str(key), value);
}

/// `object[key] = text`, a string: [`set_field`] with the conversion in one place.
pub fn set_text(object: &JsValue, key: &str, text: &str) {
    set_field(object, key, &JsValue::from_str(text));
}

/// Whether `object[key]` is the string `text` (`===`): nothing is copied into the module.
pub fn is_text(object: &JsValue, key: &str, text: &str) -> bool {
    field(object, key) == JsValue::from_str(text)
}

/// `object[key]` if it is a string.
pub fn string(object: &JsValue, key: &str) -> Option<String> {
    field(object, key).as_string()
}

/// A `URL`'s `href`.
pub fn href(url: &web_sys::Url) -> String {
    string(url, "href").unwrap_or_default()
}

/// True inside a browser page (not Node, not a worker): sign-in needs one.
pub fn in_browser_page() -> bool {
    global("window").is_object() && global("document").is_object()
}

/// True in a browser page or a browser worker (dedicated, shared or service: each has
/// `WorkerGlobalScope`), where nothing stays secret from the page's users: the password
/// grant and a client secret are refused there. Node has neither.
pub fn in_browser() -> bool {
    in_browser_page() || global("WorkerGlobalScope").is_function()
}

/// What a thrown value says: its `message` when it has one, else the value as text.
pub fn message_of(thrown: &JsValue) -> String {
    let message = field(thrown, "message");
    let text = if thrown.is_string() {
        thrown.clone()
    } else if message.is_string() {
        message
    } else {
        to_text(thrown).unwrap_or_else(|_| thrown.js_typeof())
    };
    // At most 2000 characters copied: a hostile message of megabytes stays out of the
    // module's memory (which never shrinks) and out of the error.
    text.dyn_ref::<js_sys::JsString>()
        .map(|text| String::from(text.slice(0, 2000)))
        .unwrap_or_default()
}

/// A thrown value kept as an error's cause.
pub fn cause(thrown: JsValue) -> Cause {
    Cause::Js(thrown)
}
