//! Where the token record and the pending sign-in live: sessionStorage when the page has a
//! working one, memory otherwise (Node, sandboxed frames, full or throwing storage).

use super::events::Events;
use super::value::{cause, global, message_of};
use crate::error::Error;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};

/// A string key-value store (the Web Storage shape), as gloo's `Storage` trait models it.
pub trait Storage {
    /// The value under `key`.
    fn get(&self, key: &str) -> Result<Option<String>, JsValue>;
    /// Stores `value` under `key`.
    fn set(&self, key: &str, value: &str) -> Result<(), JsValue>;
    /// Forgets `key`.
    fn remove(&self, key: &str) -> Result<(), JsValue>;
}

/// The tab's `sessionStorage`.
pub struct SessionStorage(web_sys::Storage);

impl Storage for SessionStorage {
    fn get(&self, key: &str) -> Result<Option<String>, JsValue> {
        self.0.get_item(key)
    }
    fn set(&self, key: &str, value: &str) -> Result<(), JsValue> {
        self.0.set_item(key, value)
    }
    fn remove(&self, key: &str) -> Result<(), JsValue> {
        self.0.remove_item(key)
    }
}

/// Memory for this page's (or process's) life: the fallback. A client keeps two keys, so a
/// list is enough (and smaller than a hash map in the module).
#[derive(Default)]
pub struct MemoryStorage(RefCell<Vec<(String, String)>>);

impl Storage for MemoryStorage {
    fn get(&self, key: &str) -> Result<Option<String>, JsValue> {
        let entries = self.0.borrow();
        Ok(entries
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone()))
    }
    fn set(&self, key: &str, value: &str) -> Result<(), JsValue> {
        self.remove(key)?;
        self.0.borrow_mut().push((key.into(), value.into()));
        Ok(())
    }
    fn remove(&self, key: &str) -> Result<(), JsValue> {
        self.0.borrow_mut().retain(|(k, _)| k != key);
        Ok(())
    }
}

/// sessionStorage while it works, then memory; the first failure is reported once, as
/// `storage_unavailable`, to the client's `error` listeners.
pub struct Store {
    // None until first used: probing lazily lets the failure reach listeners added after the
    // client was made. Some(None) once there is no working sessionStorage.
    session: RefCell<Option<Option<SessionStorage>>>,
    memory: MemoryStorage,
    events: Rc<Events>,
}

impl Store {
    /// A store reporting to `events`.
    pub fn new(events: Rc<Events>) -> Self {
        Store {
            session: RefCell::new(None),
            memory: MemoryStorage::default(),
            events,
        }
    }

    /// The value under `key`, wherever it is kept.
    pub fn get(&self, key: &str) -> Option<String> {
        if let Some(result) = self.with_session(|s| s.get(key)) {
            match result {
                Ok(value) => return value,
                Err(thrown) => self.fail(thrown),
            }
        }
        self.memory.get(key).ok().flatten()
    }

    /// Stores `value`; a storage that throws (quota) is left for memory, with no stale copy.
    pub fn set(&self, key: &str, value: &str) {
        if let Some(result) = self.with_session(|s| s.set(key, value)) {
            match result {
                Ok(()) => return,
                Err(thrown) => {
                    let _ = self.with_session(|s| s.remove(key));
                    self.fail(thrown);
                }
            }
        }
        let _ = self.memory.set(key, value);
    }

    /// Forgets `key` everywhere.
    pub fn remove(&self, key: &str) {
        if let Some(Err(thrown)) = self.with_session(|s| s.remove(key)) {
            self.fail(thrown);
        }
        let _ = self.memory.remove(key);
    }

    /// Runs `f` on sessionStorage if the page has a working one.
    fn with_session<T>(
        &self,
        f: impl FnOnce(&SessionStorage) -> Result<T, JsValue>,
    ) -> Option<Result<T, JsValue>> {
        if self.session.borrow().is_none() {
            // Memory while probing: a listener told of a failure may use the store again.
            *self.session.borrow_mut() = Some(None);
            if let Some(storage) = self.probe() {
                *self.session.borrow_mut() = Some(Some(storage));
            }
        }
        let session = self.session.borrow();
        session.as_ref()?.as_ref().map(f)
    }

    fn probe(&self) -> Option<SessionStorage> {
        let storage = match js_sys::Reflect::get(&js_sys::global(), &"sessionStorage".into()) {
            Ok(value) => value,
            Err(thrown) => {
                self.report(thrown);
                return None;
            }
        };
        // Node has none: memory, and nothing to report.
        if storage.is_undefined() || storage.is_null() || global("window").is_undefined() {
            return None;
        }
        let storage = SessionStorage(storage.unchecked_into());
        match storage.get("mobproc-auth:probe") {
            Ok(_) => Some(storage),
            Err(thrown) => {
                self.report(thrown);
                None
            }
        }
    }

    fn fail(&self, thrown: JsValue) {
        *self.session.borrow_mut() = Some(None);
        self.report(thrown);
    }

    fn report(&self, thrown: JsValue) {
        self.events.emit_error(Error::StorageUnavailable {
            why: message_of(&thrown),
            cause: cause(thrown),
        });
    }
}
