//! The client's events. A listener that throws does not stop the others or the client.

use super::value::{cause, message_of};
use crate::client::Session;
use crate::error::{Error, ErrorKind};
use crate::text::cat;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::JsValue;

/// What a listener hears.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// Sign-in, refresh or sign-out: the new session, or `None`.
    SessionChanged(Option<Session>),
    /// The server no longer accepts the session (a 401, a dead refresh token).
    SessionExpired,
    /// The session cannot be refreshed and ends at `expires_at` (ms since the epoch): said
    /// once, `refresh_skew_seconds` before, so the app can save its state and sign in again.
    SessionExpiring {
        /// When the access token expires.
        expires_at: u64,
    },
    /// An error raised in the background (a refresh before a call, revocation, storage, a
    /// listener).
    Error(Error),
}

/// The kinds of [`Event`], to subscribe to one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// [`Event::SessionChanged`].
    SessionChanged,
    /// [`Event::SessionExpired`].
    SessionExpired,
    /// [`Event::SessionExpiring`].
    SessionExpiring,
    /// [`Event::Error`].
    Error,
}

impl EventKind {
    /// The JavaScript name, as `client.on` takes it.
    pub fn name(self) -> &'static str {
        match self {
            EventKind::SessionChanged => "sessionChanged",
            EventKind::SessionExpired => "sessionExpired",
            EventKind::SessionExpiring => "sessionExpiring",
            EventKind::Error => "error",
        }
    }

    /// The kind of a JavaScript event name.
    pub fn from_name(name: &str) -> Option<Self> {
        // A match, not a search of the kinds by `name` (an iterator's code in the module).
        Some(match name {
            "sessionChanged" => EventKind::SessionChanged,
            "sessionExpired" => EventKind::SessionExpired,
            "sessionExpiring" => EventKind::SessionExpiring,
            "error" => EventKind::Error,
            _ => return None,
        })
    }
}

impl Event {
    /// Its kind.
    pub fn kind(&self) -> EventKind {
        match self {
            Event::SessionChanged(_) => EventKind::SessionChanged,
            Event::SessionExpired => EventKind::SessionExpired,
            Event::SessionExpiring { .. } => EventKind::SessionExpiring,
            Event::Error(_) => EventKind::Error,
        }
    }
}

/// A subscription of [`Client::on`](super::Client::on), for
/// [`Client::off`](super::Client::off): a type of its own, so that no other number is taken for
/// one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ListenerId(u32);

/// A listener: `Err` with what it threw, when it threw (a JavaScript listener can).
pub type Listener = Rc<dyn Fn(&Event) -> Result<(), JsValue>>;

/// The listeners of one client.
#[derive(Default)]
pub struct Events {
    listeners: RefCell<Vec<(u32, EventKind, Listener)>>,
    next_id: Cell<u32>,
    /// Counts `sessionChanged` emissions: one emitted by a listener (a sign-out) supersedes
    /// the one being told, which the listeners after it then do not hear.
    changes: Cell<u32>,
}

impl Events {
    /// Adds a listener; returns the id that [`Events::off`] takes.
    pub fn on(&self, kind: EventKind, listener: Listener) -> ListenerId {
        let id = self.next_id.get().wrapping_add(1);
        self.next_id.set(id);
        self.listeners.borrow_mut().push((id, kind, listener));
        ListenerId(id)
    }

    /// Removes a listener; removing one twice does nothing.
    pub fn off(&self, ListenerId(id): ListenerId) {
        // `retain` (ids are unique), not `remove(position)`: that keeps a formatted bounds
        // panic in the module.
        self.listeners.borrow_mut().retain(|(i, _, _)| *i != id);
    }

    /// Tells every listener of the event's kind; one that throws is reported as
    /// `listener_failed` to the `error` listeners. A `sessionChanged` that a listener's own
    /// `sessionChanged` (a sign-out, a sign-in) supersedes reaches no further listener: they
    /// heard the newer one already, and would otherwise end on the stale session.
    pub fn emit(&self, event: &Event) {
        let kind = event.kind();
        let change = self.changes.get().wrapping_add(1);
        if kind == EventKind::SessionChanged {
            self.changes.set(change);
        }
        // A copy: listeners may subscribe, unsubscribe or emit while we call them.
        let mut listeners: Vec<(u32, Listener)> = Vec::new();
        {
            let all = self.listeners.borrow();
            let mut at = 0;
            while let Some((id, k, listener)) = all.get(at) {
                if *k == kind {
                    listeners.push((*id, listener.clone()));
                }
                at += 1;
            }
        }
        // An index loop: `Vec`'s owning iterator would bring its own code and drop glue.
        let mut at = 0;
        while let Some((id, listener)) = listeners.get(at) {
            if kind == EventKind::SessionChanged && self.changes.get() != change {
                break;
            }
            at += 1;
            // One that an earlier listener removed is not called, as `EventTarget` does.
            if !self.listeners.borrow().iter().any(|(i, _, _)| i == id) {
                continue;
            }
            if let Err(thrown) = listener(event) {
                if kind != EventKind::Error {
                    self.emit_error(
                        ErrorKind::ListenerFailed {
                            why: cat(&[kind.name(), " listener threw: ", &message_of(&thrown)]),
                            cause: cause(thrown),
                        }
                        .into(),
                    );
                }
            }
        }
    }

    /// Emits [`Event::Error`].
    pub fn emit_error(&self, error: Error) {
        self.emit(&Event::Error(error));
    }
}
