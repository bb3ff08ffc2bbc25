//! Sign-in in a popup, so the app's page (and its unsaved work) stays. The popup opens
//! Tangoe's sign-in; Tangoe sends it back to the app's `redirect_uri`, whose
//! `handle_redirect_callback` hands the answer over a same-origin BroadcastChannel named by
//! the sign-in's `state` (never `postMessage` to `"*"`, and it works when a
//! `Cross-Origin-Opener-Policy` severed `window.opener`). This page checks and stores it.

use super::redirect::{popup_channel, popup_reply, SignInAnswer, HANDOVER_WAIT_MS};
use super::value::{
    call_method, delay, first_of, global, in_browser_page, is_closed, now_ms, page_entry,
    page_forget, page_keep, Shared,
};
use super::Client;
use crate::callback::PendingSignIn;
use crate::error::{Error, ErrorKind, Result};
use crate::token::{Session, TokenRecord};
use std::cell::Cell;
use std::future::Future;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// Options of [`Client::login_popup`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PopupOptions {
    /// As [`LoginOptions::return_to`](super::LoginOptions), for the one case where it is
    /// used: this page is gone (reloaded, closed) when the sign-in ends, so the popup's own
    /// page completes it and `handle_redirect_callback` there hands `return_to` back.
    pub return_to: Option<String>,
    /// Give up (`timeout`) after this many ms; `None` is 5 minutes.
    pub timeout_ms: Option<u32>,
}

const DEFAULT_TIMEOUT_MS: u32 = 300_000;
/// How often the popup is looked at (closed by the user?).
const POLL_MS: f64 = 250.0;
/// A COOP on Tangoe's page severs the popup from this page as it loads, and the browser then
/// reports it closed: a popup "closed" this early is taken as severed, not closed by the user
/// (who has not seen it yet), and its answer is awaited until the timeout, unless this page
/// gets back the focus it lost to the popup at once (a closed one gives it back; a severed
/// one keeps it).
const SEVERANCE_WINDOW_MS: u64 = 3000;
/// How soon after a popup looks closed the focus must be back on this page for the popup to
/// count as closed by the user.
const FOCUS_BACK_MS: u64 = 2000;
/// How long a popup that looked closed only after the first 3 s, while the focus stays away
/// from this page, is still waited for (its redirect page, which a COOP cut off, may be
/// loading).
const LATE_SEVERANCE_MS: u64 = 15_000;

/// A popup sign-in under way.
struct OpenPopup {
    popup: web_sys::Window,
    channel: web_sys::BroadcastChannel,
    pending: PendingSignIn,
    opened_at: u64,
    timeout_ms: u64,
    /// The page's sign-outs when it opened (`Client::signouts`): a later one ends it.
    signouts: u32,
}

/// A popup sign-in's outcome, shared by the calls that wait for it.
type Flight = Shared;

thread_local! {
    /// The popup sign-ins under way on this page: storage key, popup window, outcome (a
    /// `PageList`, see `with_page_list`). The window as a plain `JsValue`: the list then has
    /// the type of the redirect's, and their code is in the module once.
    static UNDER_WAY: Cell<Vec<(String, JsValue, Flight)>> =
        const { Cell::new(Vec::new()) };
}

impl Client {
    /// Opens Tangoe's sign-in in a popup (at once, so call it from a click handler) and
    /// resolves the new session when the popup's page hands the answer back. Errors:
    /// `popup_blocked`, `popup_closed`, `timeout`, `storage_unavailable` (nothing opened),
    /// `unsupported` (no browser page), and those of the redirect sign-in.
    /// Called again while its popup is open (a double click), it focuses that popup and
    /// resolves with the same outcome, `options` unused. Once that popup is out of this
    /// page's sight (closed, or severed by a `Cross-Origin-Opener-Policy`), a call starts a
    /// new sign-in: the earlier one still completes if its popup answers. [`Client::logout`]
    /// ends it (`popup_closed`) and closes its popup; one a COOP severed stays open, and an
    /// answer it hands over afterwards is taken and dropped while this page is open, its
    /// tokens revoked (a code is left unused).
    pub fn login_popup(
        &self,
        options: &PopupOptions,
    ) -> impl Future<Output = Result<Session>> + 'static {
        let flight = match self.popup_under_way() {
            Some((window, flight)) if !is_closed(&window) => {
                call_method(&window, "focus");
                Ok(flight)
            }
            _ => self.open_popup(options),
        };
        async move {
            match flight {
                Ok(flight) => match flight.wait().await {
                    Some(outcome) => outcome.and_then(|done| {
                        done.0
                            .as_deref()
                            .map(TokenRecord::session)
                            .ok_or_else(|| Error::from(ErrorKind::NotAuthenticated))
                    }),
                    None => Err(ErrorKind::PopupClosed.into()),
                },
                Err(error) => Err(error),
            }
        }
    }

    /// The popup sign-in of this client's storage key under way on this page, if any.
    fn popup_under_way(&self) -> Option<(JsValue, Flight)> {
        page_entry(&UNDER_WAY, self.key(), None)
    }

    /// Waits for `open`'s answer in the background, known to later calls until it ends.
    fn start_popup(&self, open: OpenPopup) -> Flight {
        let (client, window) = (self.clone(), JsValue::from(&open.popup));
        let flight = Shared::start(Box::pin(async move {
            let result = client.finish_popup(&open).await;
            page_forget(&UNDER_WAY, client.key(), &open.popup);
            result.map(|record| Rc::new((Some(record), None)))
        }));
        page_keep(&UNDER_WAY, self.key(), window, flight.clone());
        flight
    }

    /// Opens the popup and starts waiting for it: the flight comes back, not the 64-byte
    /// `OpenPopup`, which goes straight into the flight's future.
    fn open_popup(&self, options: &PopupOptions) -> Result<Flight> {
        if !in_browser_page() {
            return Err(Error::unsupported("loginPopup needs a browser page"));
        }
        let (url, pending) = self.new_sign_in(options.return_to.as_deref())?;
        // Before the popup exists: it starts with a copy of this tab's sessionStorage.
        self.keep_pending(&pending, true)?;
        let window: web_sys::Window = global("window").unchecked_into();
        // A new window each time: a named one would be reused after this page reloads, and a
        // reused window keeps its first copy of the storage, so an older pending sign-in.
        let popup = window
            .open_with_url_and_target_and_features(&url, "_blank", "popup,width=520,height=680")
            .ok()
            .flatten();
        let Some(popup) = popup else {
            self.forget_pending_of(&pending.state);
            return Err(ErrorKind::PopupBlocked.into());
        };
        let Some(channel) = popup_channel(pending.state.secret()) else {
            call_method(&popup, "close");
            self.forget_pending_of(&pending.state);
            return Err(Error::unsupported("BroadcastChannel is not available"));
        };
        Ok(self.start_popup(OpenPopup {
            popup,
            channel,
            pending,
            opened_at: now_ms(),
            timeout_ms: u64::from(options.timeout_ms.unwrap_or(DEFAULT_TIMEOUT_MS)),
            signouts: self.signouts(false),
        }))
    }

    /// The usable record once the popup's answer is stored (a `Session` is made from it for
    /// the caller).
    async fn finish_popup(&self, open: &OpenPopup) -> Result<Rc<TokenRecord>> {
        let answered = popup_reply(&open.channel, "answer");
        let answer = wait_for_answer(self, open, &answered).await;
        // Ended by a sign-out before an answer was taken (one taken before the sign-out is
        // revoked by `accept_answer`).
        if answer.is_err() && self.signouts(false) != open.signouts {
            self.drop_answer(&answered, open);
        } else {
            close_channel(&open.channel);
        }
        self.forget_pending_of(&open.pending.state);
        // Signed out during the code exchange: as during the wait, `popup_closed`.
        self.accept_answer(&answer?, Some(&open.pending), open.signouts)
            .await
            .map_err(|error| match error.kind() {
                ErrorKind::NotAuthenticated | ErrorKind::EndedMeanwhile => {
                    ErrorKind::PopupClosed.into()
                }
                _ => error,
            })?;
        self.usable()
            .ok_or_else(|| Error::from(ErrorKind::NotAuthenticated))
    }

    /// After a sign-out, the channel stays open until the popup's answer comes (for the
    /// page's life if it never does): a popup a COOP severed (which `close()` does not reach)
    /// then hands it over, stores nothing and closes, instead of completing the sign-in
    /// itself. The tokens of an implicit answer are revoked; a code is left unused.
    fn drop_answer(&self, answered: &js_sys::Promise, open: &OpenPopup) {
        let (client, channel) = (self.clone(), open.channel.clone());
        let pending = open.pending.clone();
        let on_answer = Closure::<super::value::Handler>::new(move |answer: JsValue| {
            close_channel(&channel);
            // A code answer is no token answer: left unused, it expires.
            let answer = answer.as_string().unwrap_or_default();
            if let Ok(signed_in) = crate::callback::evaluate(&answer, Some(&pending), now_ms()) {
                client.revoke(&signed_in.record);
            }
            Ok(())
        });
        let _ = super::value::chain(answered, "then", &on_answer.into_js_value());
    }
}

/// Stops listening on a popup's channel.
fn close_channel(channel: &web_sys::BroadcastChannel) {
    channel.set_onmessage(None);
    call_method(channel, "close");
}

/// Forgets the page's popup sign-ins under way (`logout` ends them all, see
/// `Client::signouts`): a new `login_popup` then opens a new popup instead of joining one.
pub(super) fn forget_popups_under_way() {
    super::value::with_page_list(&UNDER_WAY, Vec::clear);
}

/// The popup's answer, or why there is none; a popup waited for until the timeout is closed,
/// and so is one whose page signed out (`logout`) since it opened. One that withdrew its
/// answer is left open: it is completing the sign-in itself.
async fn wait_for_answer(
    client: &Client,
    open: &OpenPopup,
    answered: &js_sys::Promise,
) -> Result<SignInAnswer> {
    // When (ms after it opened) the popup was first seen "closed": by the user, or cut off by
    // a COOP (Tangoe's page's at once, or the redirect page's when the popup comes back).
    let mut severed_at = None;
    // Whether this page was seen without the focus (the popup had it) since the popup opened.
    let mut left = false;
    loop {
        // The race alone is kept across the await (not the timer's promise).
        let race = first_of(answered, &delay(POLL_MS));
        let first = race.await.ok();
        // Checked before an answer is taken: one that comes after a sign-out signs nobody in.
        if client.signouts(false) != open.signouts {
            call_method(&open.popup, "close");
            return Err(ErrorKind::PopupClosed.into());
        }
        if let Some(answer) = first.as_ref().and_then(|v| v.as_string()) {
            return Ok(SignInAnswer(answer));
        }
        if first == Some(JsValue::FALSE) {
            return Err(ErrorKind::Timeout(
                "the popup completed the sign-in itself: this page, busy or asleep, did not take \
                 its answer within 1 s"
                    .into(),
            )
            .into());
        }
        let elapsed = now_ms().saturating_sub(open.opened_at);
        if elapsed >= open.timeout_ms {
            call_method(&open.popup, "close");
            let why = if severed_at.is_some_and(|at| at < SEVERANCE_WINDOW_MS) {
                "the sign-in popup did not finish within timeoutMs (it looked closed in its \
                 first 3 s: cut off by a Cross-Origin-Opener-Policy, or closed then)"
            } else {
                "the sign-in popup did not finish within timeoutMs"
            };
            return Err(ErrorKind::Timeout(why.into()).into());
        }
        // `Some` where the page can tell (not in Node; a test browser may say true always).
        let focused = call_method(&global("document"), "hasFocus").as_bool();
        left |= focused == Some(false);
        if !is_closed(&open.popup) {
            continue;
        }
        let at = *severed_at.get_or_insert(elapsed);
        // Gone, not cut off: the focus back on this page (after the popup had it) within 2 s
        // of the popup looking closed, as a closed popup gives it back at once (a severed one
        // keeps it while its page loads, and the user may come back here later while still
        // signing in there); or, looking closed only after the first 3 s, with the focus here
        // (or no way to tell), or still elsewhere 15 s on: a popup cut off as it came back to
        // the redirect page (a COOP there) has the focus while that page hands its answer over.
        let back = left && focused == Some(true) && elapsed.saturating_sub(at) <= FOCUS_BACK_MS;
        let late = at >= SEVERANCE_WINDOW_MS
            && (focused != Some(false) || elapsed.saturating_sub(at) >= LATE_SEVERANCE_MS);
        if back || late {
            // A popup that handed its answer over closes right after its `confirm`, which
            // may still be on its way.
            let last = first_of(answered, &delay(HANDOVER_WAIT_MS)).await.ok();
            if let Some(answer) = last.and_then(|v| v.as_string()) {
                return Ok(SignInAnswer(answer));
            }
            return Err(ErrorKind::PopupClosed.into());
        }
    }
}
