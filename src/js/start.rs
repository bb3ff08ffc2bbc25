//! `MobprocClient.start(config)`: one client, one redirect callback and one refresh-on-load per
//! storage key per page load, for hosts whose effects run twice (React StrictMode mounts,
//! unmounts and remounts): every caller gets the same promise, so the callback's `returnTo`
//! reaches whichever tree stays mounted. `mobproc-auth/react` is built on it.

use super::error::to_js;
use super::{config, MobprocClient};
use crate::client::{keyed_get, keyed_remove, run, with_page_list, Client, Keyed};
use crate::error::{Error, ErrorKind};
use crate::text::cat;
use js_sys::{Object, Promise, Reflect};
use std::cell::Cell;
use wasm_bindgen::{JsCast, JsValue};

thread_local! {
    /// What each storage key started this page load (see `with_page_list`).
    static STARTED: Cell<Keyed> = const { Cell::new(Vec::new()) };
}

/// `{ client, returnTo, error }` for `config`, started once per storage key per page load; a
/// config that is refused or a client that could not be made is not kept, so a later call
/// (with a fixed config) tries again.
pub fn start(value: &JsValue) -> Promise {
    let config = match config::read_config(value) {
        Ok(config) => config,
        Err(error) => return Promise::resolve(&outcome(None, None, Some(&error))),
    };
    let key = config
        .storage_key
        .clone()
        .unwrap_or_else(|| cat(&["mobproc-auth:", &config.client_id, ":", &config.tenant]));
    if let Some(promise) = started(&key) {
        return promise;
    }
    let token_url = config.token_url.is_some();
    // Built here, not in the future: a refused config is not kept, and the future holds the
    // client rather than the 212-byte `Config`.
    let built = match Client::build(config) {
        Ok(built) => built,
        Err(error) => return Promise::resolve(&outcome(None, None, Some(&error))),
    };
    let forget = key.clone();
    let promise = run(Box::pin(async move {
        let client = match built.joined().await {
            Ok(client) => client,
            Err(error) => {
                forget_started(&forget);
                return Ok(outcome(None, None, Some(&error)));
            }
        };
        let (return_to, mut error) = match client.handle_redirect_callback().await {
            Ok(back) => (back.and_then(|b| b.return_to), None),
            Err(error) => (None, Some(error)),
        };
        // A reload after the access token expired: the refresh token may still carry the
        // session; nothing to refresh (not_authenticated) is simply signed out.
        if error.is_none() && token_url && !client.is_authenticated() {
            error = client.refresh().await.err().filter(|e| {
                !matches!(
                    e.kind(),
                    ErrorKind::NotAuthenticated | ErrorKind::EndedMeanwhile
                )
            });
        }
        let client = MobprocClient::wrap(client);
        Ok(outcome(Some(client.into_js()), return_to, error.as_ref()))
    }));
    with_page_list(&STARTED, |list| list.push((key, promise.clone().into())));
    promise
}

fn started(key: &str) -> Option<Promise> {
    let promise = with_page_list(&STARTED, |list| keyed_get(list, key));
    promise.flatten().map(JsCast::unchecked_into)
}

fn forget_started(key: &str) {
    with_page_list(&STARTED, |list| keyed_remove(list, key));
}

/// `{ client, returnTo, error }`, each `null` when absent.
fn outcome(client: Option<JsValue>, return_to: Option<String>, error: Option<&Error>) -> JsValue {
    let object = Object::new();
    let set = |key: &str, value: JsValue| {
        let _ = Reflect::set(&object, &key.into(), &value);
    };
    set("client", client.unwrap_or(JsValue::NULL));
    set("returnTo", return_to.map_or(JsValue::NULL, JsValue::from));
    set("error", error.map_or(JsValue::NULL, to_js));
    object.into()
}
