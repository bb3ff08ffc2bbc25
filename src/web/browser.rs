//! Small wrappers over the page's globals, each failing into a typed error instead of throwing.


use crate::error::Error;
use crate::text::cat;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Crypto, Window};

#[wasm_bindgen]
extern "C" {
    /// The global `fetch`, looked up at call time so a page (or a test) may replace it.
    #[wasm_bindgen(catch, js_name = fetch)]
    pub fn global_fetch(request: &web_sys::Request) -> Result<js_sys::Promise, JsValue>;
}

/// The page's `window`, or `None` in Node and workers.
pub fn window() -> Option<Window> {
    js_sys::global().dyn_into::<Window>().ok()
}

/// Milliseconds since the epoch; clamped at 0 for a clock before 1970.
pub fn now_ms() -> u64 {
    let now = js_sys::Date::now();
    if now.is_finite() && now > 0.0 {
        now as u64
    } else {
        0
    }
}

/// 32 bytes from `crypto.getRandomValues` (a CSPRNG): never `Math.random`.
pub fn random_32() -> Result<[u8; 32], Error> {
    let crypto = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("crypto"))
        .ok()
        .filter(|c| c.is_object())
        .map(JsCast::unchecked_into::<Crypto>)
        .ok_or_else(|| Error::unsupported("crypto.getRandomValues is not available"))?;
    let mut bytes = [0u8; 32];
    crypto
        .get_random_values_with_u8_array(&mut bytes)
        .map_err(|_| Error::unsupported("crypto.getRandomValues failed"))?;
    Ok(bytes)
}

/// Replaces the current history entry's URL with one without its fragment, keeping path,
/// query and `history.state`, so the token leaves the address bar and the history entry.
pub fn remove_fragment(window: &Window) -> Result<(), Error> {
    let failed =
        |_| Error::unsupported("could not remove the sign-in response from the URL");
    let location = window.location();
    let path = location.pathname().map_err(failed)?;
    let query = location.search().map_err(failed)?;
    let history = window.history().map_err(failed)?;
    let state = history.state().unwrap_or(JsValue::NULL);
    history
        .replace_state_with_url(&state, "", Some(&cat(&[&path, &query])))
        .map_err(failed)
}
