//! The page Tangoe sends the browser back to: the answer (a token in the fragment, or a code
//! in the query) leaves the address bar with `history.replaceState` before anything else,
//! is checked against the pending sign-in, and becomes the stored token. In a sign-in popup
//! the answer is handed to the page that opened it instead. Once per page load: a second
//! call (React StrictMode, a second client) gets the first one's outcome.

use super::navigation::new_session_id;
use super::value::{
    call_method, delay, field, first_of, global, in_browser_page, is_text, now_ms, page_entry,
    page_keep, set_text, string, Shared,
};
use super::{Callback, Client};
use crate::callback::{self, PendingSignIn};
use crate::config::ResponseType;
use crate::error::{Error, ErrorKind, Result};
use crate::text::cat;
use js_sys::{Object, Promise};
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// How long a popup's page waits for its opener to take the answer.
pub(super) const HANDOVER_WAIT_MS: f64 = 1000.0;

/// A sign-in answer taken out of the URL: a fragment (implicit grant) or a query (code
/// grant), without its `#` or `?`.
#[derive(Clone)]
pub(super) struct SignInAnswer(pub(super) String);

/// A callback's outcome, shared by every call of the page load.
type Outcome = Shared;

thread_local! {
    /// The callbacks handled on this page: storage key, the URL they left (a JavaScript
    /// string), the outcome (a `PageList`, see `with_page_list`).
    static HANDLED: Cell<Vec<(String, JsValue, Outcome)>> = const { Cell::new(Vec::new()) };
}

impl Client {
    /// On every page load: `None` without a sign-in answer in the URL, else where to go.
    /// An answer that fails its checks stores nothing and leaves a good session as it was.
    /// Called again on the same page and URL, it gives the first call's outcome. A
    /// [`logout`](Client::logout) after this call, even before the future is first polled,
    /// ends it: nothing is stored.
    pub fn handle_redirect_callback(
        &self,
    ) -> impl std::future::Future<Output = Result<Option<Callback>>> + '_ {
        self.redirect_callback(self.signouts(false))
    }

    /// [`Client::handle_redirect_callback`], ended by a sign-out of the page after its
    /// `signouts`.
    pub(crate) async fn redirect_callback(&self, signouts: u32) -> Result<Option<Callback>> {
        if !in_browser_page() {
            return Ok(None);
        }
        let outcome = match self.take_answer_from_url()? {
            Some(answer) => {
                let outcome = Shared::start(Box::pin(self.clone().complete(answer, signouts)));
                self.page_callback(Some(outcome.clone()));
                outcome
            }
            None => match self.page_callback(None) {
                Some(outcome) => outcome,
                None => return Ok(None),
            },
        };
        match outcome.wait().await {
            Some(outcome) => outcome.map(|done| done.1.clone()),
            None => Ok(None),
        }
    }

    /// Whether the URL carries an answer for this client's grant; if so its text and the URL
    /// without it go to `out` (in place: no 24-byte `Option` to return).
    fn answer_in_url(&self, out: &mut (String, String)) -> bool {
        let location = global("location");
        let part = |key| string(&location, key).unwrap_or_default();
        let (path, search, hash) = (part("pathname"), part("search"), part("hash"));
        match self.0.config.response_type() {
            ResponseType::Token => {
                let fragment = crate::text::strip_byte(&hash, b'#').unwrap_or(&hash);
                let found = callback::is_oauth_response(fragment);
                if found {
                    *out = (fragment.into(), path + &search);
                }
                found
            }
            ResponseType::Code => {
                let query = crate::text::strip_byte(&search, b'?').unwrap_or(&search);
                let rest = cat(&[&path, &callback::without_response(query), &hash]);
                let found = callback::is_code_response(query);
                if found {
                    *out = (query.into(), rest);
                }
                found
            }
        }
    }

    /// True when the URL carries a sign-in answer for this client.
    pub(super) fn has_answer_in_url(&self) -> bool {
        in_browser_page() && self.answer_in_url(&mut Default::default())
    }

    /// The answer, once removed from the address bar and the history entry.
    fn take_answer_from_url(&self) -> Result<Option<SignInAnswer>> {
        let mut found = Default::default();
        if !self.answer_in_url(&mut found) {
            return Ok(None);
        }
        // `found`'s two strings used where they are, not taken apart (no 24-byte move).
        let history: web_sys::History = global("history").unchecked_into();
        let removed = history
            .state()
            .and_then(|state| history.replace_state_with_url(&state, "", Some(&found.1)));
        if removed.is_err() {
            return Err(Error::unsupported(
                "could not remove the sign-in response from the URL",
            ));
        }
        Ok(Some(SignInAnswer(found.0)))
    }

    /// The outcome of this page's earlier callback for this client and URL (`outcome`
    /// `None`), or remembers `outcome` as this client's (and gives `None`). One function for
    /// both: the list and the URL are read in one place.
    fn page_callback(&self, outcome: Option<Outcome>) -> Option<Outcome> {
        // A JavaScript string, compared with `===`: nothing is copied into the module.
        let href = field(&global("location"), "href");
        match outcome {
            Some(outcome) => {
                page_keep(&HANDLED, self.key(), href, outcome);
                None
            }
            None => page_entry(&HANDLED, self.key(), Some(&href)).map(|(_, outcome)| outcome),
        }
    }

    /// The callback's work, as the page's one outcome. Owns the client: no async block
    /// around it (one state machine fewer).
    async fn complete(self, answer: SignInAnswer, signouts: u32) -> super::value::Outcome {
        let found = self.pending();
        let pending = found.as_deref().map(|(pending, _)| pending);
        let popup = found.as_deref().map(|(_, popup)| *popup);
        let claimed = callback::claimed_state(&answer.0);
        let ours = pending
            .zip(claimed.as_deref())
            .is_some_and(|(pending, state)| pending.state.matches(state));
        // A popup's answer goes to the page that opened it; if that page is gone, the popup
        // completes the sign-in itself. Only an answer to this tab's own popup sign-in is
        // handed on: any same-origin page can listen on the channel an unknown `state` names.
        if ours && popup == Some(true) {
            if let Some(state) = &claimed {
                if hand_to_opener(state, &answer).await {
                    // Used: not left in this window's storage should it stay open.
                    self.forget_pending();
                    call_method(&global("window"), "close");
                    return Ok(Rc::new((None, None)));
                }
            }
        }
        // A `state` is good for one answer; one that names another (forged, or a stale tab's)
        // leaves this sign-in waiting for its own.
        if ours {
            self.forget_pending();
        }
        let return_to = self.accept_answer(&answer, pending, signouts).await?;
        Ok(Rc::new((None, Some(Callback { return_to }))))
    }

    /// Checks `answer` against `pending` and stores its token: the fragment's own, or the one
    /// the code is exchanged for. Shared by the redirect and the popup. Returns `returnTo`.
    /// `not_authenticated` when the page signed out (`logout`) since the sign-in started
    /// (`signouts`, its count then): the tokens it brought are revoked, not stored.
    pub(super) async fn accept_answer(
        &self,
        answer: &SignInAnswer,
        pending: Option<&PendingSignIn>,
        signouts: u32,
    ) -> Result<Option<String>> {
        match self.0.config.response_type() {
            ResponseType::Token => {
                let signed_in = callback::evaluate(&answer.0, pending, now_ms())?;
                if self.signouts(false) != signouts {
                    self.revoke(&signed_in.record);
                    return Err(ErrorKind::EndedMeanwhile.into());
                }
                let scope = self.0.config.scope().as_str();
                self.save_sign_in(
                    &signed_in
                        .record
                        .in_session(new_session_id())
                        .or_scope(scope),
                );
                Ok(signed_in.return_to)
            }
            ResponseType::Code => {
                let grant = callback::evaluate_code(&answer.0, pending)?;
                // Signed out already: the code is left unused (nothing to revoke).
                if self.signouts(false) != signouts {
                    return Err(ErrorKind::EndedMeanwhile.into());
                }
                let record = self.exchange_code(&grant).await?;
                if self.signouts(false) != signouts {
                    self.revoke(&record);
                    return Err(ErrorKind::EndedMeanwhile.into());
                }
                self.save_sign_in(&record);
                Ok(grant.return_to)
            }
        }
    }
}

/// The channel of the popup sign-in whose `state` is `state`.
pub(super) fn popup_channel(state: &str) -> Option<web_sys::BroadcastChannel> {
    super::value::channel(&cat(&["mobproc-auth:popup:", state]))
}

/// `{ mobprocAuth: kind, answer? }`, a message of the popup channel.
pub(super) fn popup_message(kind: &str, answer: Option<&str>) -> Object {
    let message = Object::new();
    set_text(&message, "mobprocAuth", kind);
    if let Some(answer) = answer {
        set_text(&message, "answer", answer);
    }
    message
}

/// A promise of what a popup channel decides. The page that opened the popup (`kind`
/// `"answer"`) replies `taken` to the answer and holds it until the popup says `confirm`
/// (then the promise gives the answer's text) or `withdrawn` (then `false`: the popup
/// completes the sign-in itself). The popup (`"taken"`) gets `true` on `taken`. So the popup
/// alone decides who uses an answer, and a code is never exchanged by both. One handler for
/// both pages, so that its glue is in the module once.
pub(super) fn popup_reply(channel: &web_sys::BroadcastChannel, kind: &'static str) -> Promise {
    let (promise, resolve) = super::value::deferred();
    let reply = channel.clone();
    let held = Cell::new(JsValue::UNDEFINED);
    let on_message = Closure::<super::value::Handler>::new(move |event: JsValue| {
        let data = event.unchecked_ref::<web_sys::MessageEvent>().data();
        let says = |what: &str| is_text(&data, "mobprocAuth", what);
        let value = match kind {
            "answer" if says("answer") => {
                // Handed on as the JavaScript string it is: no copy through the module.
                let answer = field(&data, "answer");
                if answer.is_string() {
                    held.set(answer);
                    let _ = reply.post_message(&popup_message("taken", None));
                }
                return Ok(());
            }
            "answer" if says("confirm") => held.take(),
            "answer" if says("withdrawn") => {
                held.take();
                JsValue::FALSE
            }
            "taken" if says("taken") => JsValue::TRUE,
            _ => return Ok(()),
        };
        if !value.is_undefined() {
            let _ = resolve.call1(&JsValue::NULL, &value);
        }
        Ok(())
    });
    channel.set_onmessage(Some(on_message.into_js_value().unchecked_ref()));
    promise
}

/// In a sign-in popup: offers the answer to the page that opened it, over the same-origin
/// channel of its `state` (which works when a `Cross-Origin-Opener-Policy` severed
/// `window.opener`). True when that page took it.
async fn hand_to_opener(state: &str, answer: &SignInAnswer) -> bool {
    let Some(channel) = popup_channel(state) else {
        return false;
    };
    let taken = popup_reply(&channel, "taken");
    let _ = channel.post_message(&popup_message("answer", Some(&answer.0)));
    let taken = first_of(&taken, &delay(HANDOVER_WAIT_MS)).await.ok() == Some(JsValue::TRUE);
    // The decision, which the opener waits for before it uses the answer: a `taken` that
    // comes after the wait is ignored, and this page completes the sign-in itself.
    let decision = if taken { "confirm" } else { "withdrawn" };
    let _ = channel.post_message(&popup_message(decision, None));
    channel.set_onmessage(None);
    call_method(&channel, "close");
    taken
}
