//! Where the token record and the pending sign-in live: sessionStorage when the page has a
//! working one, memory otherwise (Node, sandboxed frames, full or throwing storage).

use super::events::Events;
use super::value::{cause, global, keyed_get, keyed_remove, message_of, Keyed};
use crate::error::ErrorKind;
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};

/// A string key-value store (the Web Storage shape), as gloo's `Storage` trait models it.
/// Values stay JavaScript strings: the record is read on every call, and comparing it with the
/// last one read then costs no copy into the module's memory.
pub trait Storage {
    /// The string under `key`, or `null`.
    fn get(&self, key: &str) -> Result<JsValue, JsValue>;
    /// Stores the string `value` under `key`.
    fn set(&self, key: &str, value: &JsValue) -> Result<(), JsValue>;
    /// Forgets `key`.
    fn remove(&self, key: &str) -> Result<(), JsValue>;
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// web-sys's `Storage` with `getItem`/`setItem` on JavaScript strings (web-sys copies them).
    #[wasm_bindgen(js_name = Storage)]
    type StringStorage;
    #[wasm_bindgen(method, catch, js_name = getItem)]
    fn get_item(this: &StringStorage, key: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch, js_name = setItem)]
    fn set_item(this: &StringStorage, key: &str, value: &JsValue) -> Result<(), JsValue>;
}

/// The tab's `sessionStorage`.
#[derive(Clone)]
pub struct SessionStorage(web_sys::Storage);

impl SessionStorage {
    fn strings(&self) -> &StringStorage {
        self.0.unchecked_ref()
    }
}

impl Storage for SessionStorage {
    fn get(&self, key: &str) -> Result<JsValue, JsValue> {
        self.strings().get_item(key)
    }
    fn set(&self, key: &str, value: &JsValue) -> Result<(), JsValue> {
        self.strings().set_item(key, value)
    }
    fn remove(&self, key: &str) -> Result<(), JsValue> {
        self.0.remove_item(key)
    }
}

/// Memory for this page's (or process's) life: the fallback. A client keeps two keys, so a
/// list is enough (and smaller than a hash map in the module).
#[derive(Default)]
pub struct MemoryStorage(Cell<Keyed>);

impl Storage for MemoryStorage {
    fn get(&self, key: &str) -> Result<JsValue, JsValue> {
        let entries = self.0.take();
        let value = keyed_get(&entries, key);
        self.0.set(entries);
        Ok(value.unwrap_or(JsValue::NULL))
    }
    fn set(&self, key: &str, value: &JsValue) -> Result<(), JsValue> {
        self.remove(key)?;
        let mut entries = self.0.take();
        entries.push((key.into(), value.clone()));
        self.0.set(entries);
        Ok(())
    }
    fn remove(&self, key: &str) -> Result<(), JsValue> {
        // Keys are unique: `set` removes before it adds.
        let mut entries = self.0.take();
        keyed_remove(&mut entries, key);
        self.0.set(entries);
        Ok(())
    }
}

/// sessionStorage while it works; what it refuses, in memory. The first failure is reported
/// once, as `storage_unavailable`, to the client's `error` listeners.
pub struct Store {
    session: Cell<Probe>,
    memory: MemoryStorage,
    events: Rc<Events>,
}

/// What is known of the page's sessionStorage.
#[derive(Clone, Default)]
enum Probe {
    /// Not looked at yet: probing lazily lets a failure reach listeners added after the client
    /// was made.
    #[default]
    NotYet,
    /// It works.
    Working(SessionStorage),
    /// It failed; the handle, if there was one, is still used (best effort): keys a failed
    /// write did not touch are read from it, writes are tried again, and a sign-out after a
    /// failure does not leave an older session behind for the next load.
    Failed(Option<SessionStorage>),
}

impl Store {
    /// A store reporting to `events`.
    pub fn new(events: Rc<Events>) -> Self {
        Store {
            session: Cell::new(Probe::NotYet),
            memory: MemoryStorage::default(),
            events,
        }
    }

    /// The string under `key` (a JavaScript string), or `null`, wherever it is kept: what a
    /// failed write left in memory first, else sessionStorage, which may still hold it (a
    /// write of another key failing must not hide a session stored before).
    pub fn get(&self, key: &str) -> JsValue {
        let kept = self.memory.get(key).unwrap_or(JsValue::NULL);
        if !kept.is_null() {
            return kept;
        }
        let (session, working) = self.handle();
        match session.map(|session| session.get(key)) {
            Some(Ok(value)) => value,
            Some(Err(thrown)) if working => {
                self.fail(thrown);
                JsValue::NULL
            }
            _ => JsValue::NULL,
        }
    }

    /// The string under `key` without probing sessionStorage: a failure found here is left
    /// for the first real use to report (to listeners the app adds after `createClient`).
    pub fn peek(&self, key: &str) -> JsValue {
        match self.probed() {
            Probe::NotYet => {
                let storage = global("sessionStorage");
                if !storage.is_object() || global("window").is_undefined() {
                    return JsValue::NULL;
                }
                let storage = SessionStorage(storage.unchecked_into());
                storage.get(key).unwrap_or(JsValue::NULL)
            }
            _ => self.get(key),
        }
    }

    /// Stores `value`; a storage that throws (quota) is left for memory, with no stale copy.
    /// True when sessionStorage kept it, false when only this page's memory holds it.
    pub fn set(&self, key: &str, value: &str) -> bool {
        self.set_value(key, &JsValue::from_str(value))
    }

    /// [`Store::set`] of a JavaScript string (another tab's record, as it came). After a
    /// failure sessionStorage is tried again: room may have been made.
    pub fn set_value(&self, key: &str, value: &JsValue) -> bool {
        let (session, working) = self.handle();
        if let Some(session) = session {
            match session.set(key, value) {
                Ok(()) => {
                    let _ = self.memory.remove(key);
                    return true;
                }
                Err(thrown) => {
                    let _ = session.remove(key);
                    if working {
                        self.fail(thrown);
                    }
                }
            }
        }
        let _ = self.memory.set(key, value);
        false
    }

    /// Forgets `key` everywhere.
    pub fn remove(&self, key: &str) {
        let (session, working) = self.handle();
        if let Some(session) = session {
            if let Err(thrown) = session.remove(key) {
                if working {
                    self.fail(thrown);
                }
            }
        }
        let _ = self.memory.remove(key);
    }

    /// sessionStorage if the page has one (probed on first use), and whether it has worked so
    /// far: after a failure it is still used, best effort, and nothing more is reported.
    fn handle(&self) -> (Option<SessionStorage>, bool) {
        match self.session() {
            Some(storage) => (Some(storage), true),
            None => (self.failed_handle(), false),
        }
    }

    /// A handle on sessionStorage if the page has a working one. A copy: the page's storage
    /// methods may call back into the client, so nothing stays borrowed while they run.
    fn session(&self) -> Option<SessionStorage> {
        if matches!(self.probed(), Probe::NotYet) {
            // Memory while probing: a listener told of a failure may use the store again.
            self.session.set(Probe::Failed(None));
            if let Some(storage) = self.probe() {
                self.session.set(Probe::Working(storage));
            }
        }
        match self.probed() {
            Probe::Working(storage) => Some(storage),
            _ => None,
        }
    }

    fn failed_handle(&self) -> Option<SessionStorage> {
        match self.probed() {
            Probe::Failed(handle) => handle,
            _ => None,
        }
    }

    /// A copy of what is known of sessionStorage.
    fn probed(&self) -> Probe {
        let probe = self.session.take();
        self.session.set(probe.clone());
        probe
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
                self.session.set(Probe::Failed(Some(storage)));
                self.report(thrown);
                None
            }
        }
    }

    fn fail(&self, thrown: JsValue) {
        let handle = match self.session.take() {
            Probe::Working(storage) => Some(storage),
            Probe::Failed(handle) => handle,
            Probe::NotYet => None,
        };
        self.session.set(Probe::Failed(handle));
        self.report(thrown);
    }

    fn report(&self, thrown: JsValue) {
        self.events.emit_error(
            ErrorKind::StorageUnavailable {
                why: message_of(&thrown),
                cause: cause(thrown),
            }
            .into(),
        );
    }
}
