//! Where the token record and the pending sign-in live: sessionStorage when the page has it,
//! memory otherwise (Node, sandboxed frames, storage that throws or is full).

use crate::prelude::*;

use crate::callback::PendingSignIn;
use crate::secret::State;
use crate::text::cat;
use crate::token::TokenRecord;
use core::cell::RefCell;
use js_sys::{Object, Reflect, JSON};
use wasm_bindgen::prelude::*;
use web_sys::Storage;

/// The token record and the pending sign-in, under `key` and `key + ".pending"`.
pub struct Store {
    token_key: String,
    pending_key: String,
    session: RefCell<Option<Storage>>,
    memory: RefCell<Vec<(String, String)>>,
    // The last record read, with the text it was parsed from, so a fetch does not re-parse.
    cache: RefCell<Option<(String, TokenRecord)>>,
}

impl Store {
    /// A store for one client and tenant.
    pub fn new(key: &str) -> Self {
        let session = super::browser::window().and_then(|w| w.session_storage().ok().flatten());
        Store {
            token_key: key.to_owned(),
            pending_key: cat(&[key, ".pending"]),
            session: RefCell::new(session),
            memory: RefCell::new(Vec::new()),
            cache: RefCell::new(None),
        }
    }

    /// The stored token record; a corrupted one is removed and reads as signed out.
    pub fn token(&self) -> Option<TokenRecord> {
        let raw = self.get(&self.token_key)?;
        if let Some((cached_raw, record)) = &*self.cache.borrow() {
            if *cached_raw == raw {
                return Some(record.clone());
            }
        }
        match decode_token(&raw) {
            Some(record) => {
                *self.cache.borrow_mut() = Some((raw, record.clone()));
                Some(record)
            }
            None => {
                self.remove(&self.token_key);
                None
            }
        }
    }

    /// Replaces the token record as a whole (one write: never half a record).
    pub fn save_token(&self, record: &TokenRecord) {
        if let Some(raw) = encode_token(record) {
            self.set(&self.token_key, &raw);
            *self.cache.borrow_mut() = Some((raw, record.clone()));
        }
    }

    /// Forgets the token.
    pub fn clear_token(&self) {
        self.remove(&self.token_key);
        *self.cache.borrow_mut() = None;
    }

    /// Remembers the sign-in this tab is starting.
    pub fn save_pending(&self, pending: &PendingSignIn) {
        let obj = Object::new();
        set(&obj, "state", &JsValue::from_str(pending.state.secret()));
        if let Some(r) = &pending.return_to {
            set(&obj, "returnTo", &JsValue::from_str(r));
        }
        if let Some(raw) = JSON::stringify(&obj).ok().and_then(|s| s.as_string()) {
            self.set(&self.pending_key, &raw);
        }
    }

    /// Takes the pending sign-in out: it can be checked once only.
    pub fn take_pending(&self) -> Option<PendingSignIn> {
        let raw = self.get(&self.pending_key)?;
        self.remove(&self.pending_key);
        let obj = JSON::parse(&raw).ok().filter(JsValue::is_object)?;
        let state = get_string(&obj, "state").filter(|s| !s.is_empty())?;
        Some(PendingSignIn {
            state: State::new(state),
            return_to: get_string(&obj, "returnTo")
                .and_then(|r| crate::authorize::sanitize_return_to(&r)),
        })
    }

    /// Forgets any pending sign-in.
    pub fn clear_pending(&self) {
        self.remove(&self.pending_key);
    }

    fn get(&self, key: &str) -> Option<String> {
        if let Some(session) = self.session() {
            match session.get_item(key) {
                Ok(value) => return value,
                Err(_) => self.degrade(),
            }
        }
        let memory = self.memory.borrow();
        memory
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    }

    fn set(&self, key: &str, value: &str) {
        if let Some(session) = self.session() {
            if session.set_item(key, value).is_ok() {
                return;
            }
            // Quota or a storage that throws: keep it for this page's life in memory instead,
            // and leave no stale copy behind.
            let _ = session.remove_item(key);
            self.degrade();
        }
        let mut memory = self.memory.borrow_mut();
        memory.retain(|(k, _)| k != key);
        memory.push((key.to_owned(), value.to_owned()));
    }

    fn remove(&self, key: &str) {
        if let Some(session) = self.session() {
            let _ = session.remove_item(key);
        }
        self.memory.borrow_mut().retain(|(k, _)| k != key);
    }

    fn session(&self) -> Option<Storage> {
        self.session.borrow().clone()
    }

    fn degrade(&self) {
        *self.session.borrow_mut() = None;
    }
}

fn encode_token(record: &TokenRecord) -> Option<String> {
    let obj = Object::new();
    set(
        &obj,
        "accessToken",
        &JsValue::from_str(record.access_token().secret()),
    );
    if let Some(r) = record.refresh_token() {
        set(&obj, "refreshToken", &JsValue::from_str(r.secret()));
    }
    set(
        &obj,
        "expiresAt",
        &JsValue::from_f64(record.expires_at_ms() as f64),
    );
    if let Some(s) = record.scope() {
        set(&obj, "scope", &JsValue::from_str(s));
    }
    JSON::stringify(&obj).ok()?.as_string()
}

fn decode_token(raw: &str) -> Option<TokenRecord> {
    let obj = JSON::parse(raw).ok().filter(JsValue::is_object)?;
    let access = get_string(&obj, "accessToken")?;
    let expires_at = Reflect::get(&obj, &JsValue::from_str("expiresAt"))
        .ok()?
        .as_f64()?;
    if !(expires_at.is_finite() && expires_at >= 0.0) {
        return None;
    }
    let refresh = optional_string(&obj, "refreshToken")?;
    let scope = optional_string(&obj, "scope")?;
    TokenRecord::restore(
        &access,
        refresh.as_deref(),
        expires_at as u64,
        scope.as_deref(),
    )
    .ok()
}

fn set(obj: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

fn get_string(obj: &JsValue, key: &str) -> Option<String> {
    Reflect::get(obj, &JsValue::from_str(key)).ok()?.as_string()
}

/// `Some(None)` when absent, `None` when present with the wrong type (a corrupted record).
fn optional_string(obj: &JsValue, key: &str) -> Option<Option<String>> {
    let value = Reflect::get(obj, &JsValue::from_str(key)).ok()?;
    if value.is_undefined() {
        Some(None)
    } else {
        value.as_string().map(Some)
    }
}
