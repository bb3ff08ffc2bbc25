//! The redirect back from the authorization server (RFC 6749 §4.2.2): tell an OAuth response
//! apart from an app's own hash route, check `state`, and turn the rest into a token or an error.

use crate::prelude::*;

use crate::encode::{parse_form, DecodeError};
use crate::error::{Error, ErrorKind, Result};
use crate::secret::{CodeVerifier, State};
use crate::text::{cat, split_byte, split_once_byte};
use crate::token::{seconds_from_text, TokenRecord};

/// Longest error text kept from the server, in bytes.
const MAX_ERROR_TEXT: usize = 500;

/// The sign-in this tab started: its `state` and where to go afterwards.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingSignIn {
    /// The `state` sent with the authorization request.
    pub state: State,
    /// The sanitised `returnTo`, if any.
    pub return_to: Option<String>,
    /// The PKCE verifier when the sign-in asked for a code; `None` for the implicit grant.
    pub verifier: Option<CodeVerifier>,
}

/// A successful callback: the token to store and where the app wanted to go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedIn {
    /// The token record to store.
    pub record: TokenRecord,
    /// The `returnTo` given to `login`, already sanitised.
    pub return_to: Option<String>,
}

/// True when the fragment (without `#`) is an OAuth response rather than the app's own hash
/// route: it has an `access_token`, `error` or `state` parameter. `#/orders` is not one.
pub fn is_oauth_response(fragment: &str) -> bool {
    has_key(fragment, "access_token") || has_key(fragment, "error") || has_key(fragment, "state")
}

/// True when the query (without `?`) is a code grant's answer (RFC 6749 §4.1.2): `state`
/// with `code` or `error`. An app's own `?state=` alone is not one.
pub fn is_code_response(query: &str) -> bool {
    has_key(query, "state") && (has_key(query, "code") || has_key(query, "error"))
}

/// Whether a segment of the `&`-separated `query` has the key `name`.
fn has_key(query: &str, name: &str) -> bool {
    for segment in split_byte(query, b'&') {
        if split_once_byte(segment, b'=').map_or(segment, |(k, _)| k) == name {
            return true;
        }
    }
    false
}

/// The query without the code grant's answer (`code`, `state`, `error…`, `iss`,
/// `session_state`), keeping the app's own parameters as they were: `""` or `?…`.
pub fn without_response(query: &str) -> String {
    let mut kept = String::new();
    for segment in split_byte(query, b'&') {
        let key = split_once_byte(segment, b'=').map_or(segment, |(k, _)| k);
        let ours = matches!(
            key,
            "code"
                | "state"
                | "error"
                | "error_description"
                | "error_uri"
                | "iss"
                | "session_state"
        );
        if !ours && !segment.is_empty() {
            kept.push(if kept.is_empty() { '?' } else { '&' });
            kept.push_str(segment);
        }
    }
    kept
}

/// The `state` an answer claims (unchecked): the key of the channel a popup hands it over on.
pub fn claimed_state(answer: &str) -> Option<String> {
    let pairs = parse_form(answer).ok()?;
    let state = param(&pairs, "state").ok()??;
    (!state.is_empty()).then(|| state.to_owned())
}

/// A code grant's answer that passed its checks: what to send to the token endpoint. Its
/// `Debug` prints the code as `[redacted]`: it is a credential until it is exchanged.
#[derive(Clone, PartialEq, Eq)]
pub struct CodeGrant {
    /// The one-time authorization code.
    pub code: String,
    /// The pending sign-in's PKCE verifier.
    pub verifier: CodeVerifier,
    /// The `returnTo` given to `login`, already sanitised.
    pub return_to: Option<String>,
}

impl core::fmt::Debug for CodeGrant {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CodeGrant")
            .field("code", &"[redacted]")
            .field("verifier", &self.verifier)
            .field("return_to", &self.return_to)
            .finish()
    }
}

type Pairs = Vec<(String, String)>;

/// `messages`: what a bad percent-encoding and a non-ASCII value say, as fixed texts (no
/// string building) for the URL part read.
fn parse(input: &str, messages: [&str; 2]) -> Result<Pairs> {
    parse_form(input).map_err(|e| {
        let [bad_percent, not_ascii] = messages;
        Error::callback(match e {
            DecodeError::BadPercent => bad_percent,
            DecodeError::NotAscii => not_ascii,
            DecodeError::TooManyPairs => "the sign-in response has more than 64 parameters",
        })
    })
}

/// The one value of `name`: RFC 6749 §3.1 says parameters MUST NOT be included more than once.
fn param<'a>(pairs: &'a Pairs, name: &str) -> Result<Option<&'a str>> {
    let mut found = None;
    for (key, value) in pairs {
        if key == name {
            if found.is_some() {
                return Err(ErrorKind::InvalidCallback(cat(&[
                    "`",
                    name,
                    "` appears more than once",
                ]))
                .into());
            }
            found = Some(value.as_str());
        }
    }
    Ok(found)
}

/// `state` first, then the server's `error`: nothing in a response is believed before its
/// `state` matches the pending sign-in.
fn accept<'a>(pairs: &Pairs, pending: Option<&'a PendingSignIn>) -> Result<&'a PendingSignIn> {
    let state = param(pairs, "state")?;
    let pending = pending.ok_or_else(|| Error::from(ErrorKind::StateMismatch))?;
    if !state.is_some_and(|s| pending.state.matches(s)) {
        return Err(ErrorKind::StateMismatch.into());
    }
    if let Some(error) = param(pairs, "error")? {
        return Err(ErrorKind::AuthorizationDenied {
            error: clip(error),
            description: param(pairs, "error_description")?.map(clip),
        }
        .into());
    }
    Ok(pending)
}

/// Checks an OAuth response fragment against the pending sign-in of this tab, received at
/// `now_ms`. The order matters: nothing in the response is believed before `state` matches.
pub fn evaluate(fragment: &str, pending: Option<&PendingSignIn>, now_ms: u64) -> Result<SignedIn> {
    let pairs = parse(
        fragment,
        [
            "bad percent-encoding in the URL fragment",
            "the URL fragment has non-ASCII values",
        ],
    )?;
    let pending = accept(&pairs, pending)?;
    // A sign-in that asked for a code takes no token in its place: PKCE would not guard it.
    if pending.verifier.is_some() {
        return Err(Error::callback(
            "a token came back for a sign-in that asked for a code (responseType)",
        ));
    }
    // In a loop: one error exit (and drop of `pairs`) instead of one per parameter.
    let mut values = [None; 5];
    for (at, name) in [
        "access_token",
        "token_type",
        "expires_in",
        "refresh_token",
        "scope",
    ]
    .iter()
    .enumerate()
    {
        if let Some(value) = values.get_mut(at) {
            *value = param(&pairs, name)?;
        }
    }
    // Read where they are: the array is not moved apart.
    let [access_token, token_type, expires_in, refresh_token, scope] = &values;
    let record = TokenRecord::from_response(
        *access_token,
        *token_type,
        expires_in.and_then(seconds_from_text),
        *refresh_token,
        *scope,
        now_ms,
    );
    // A match rather than `map_err` and `?`: the record is moved out of one `Result`, not two.
    match record {
        Ok(record) => Ok(SignedIn {
            record,
            return_to: pending.return_to.clone(),
        }),
        Err(why) => Err(Error::callback(why)),
    }
}

/// Checks a code grant's answer (the query, without `?`) against the pending sign-in, which
/// must have asked for a code (it holds the verifier).
pub fn evaluate_code(query: &str, pending: Option<&PendingSignIn>) -> Result<CodeGrant> {
    let pairs = parse(
        query,
        [
            "bad percent-encoding in the URL query",
            "the URL query has non-ASCII values",
        ],
    )?;
    let pending = accept(&pairs, pending)?;
    let verifier = pending.verifier.clone().ok_or_else(|| {
        Error::callback("a code came back for a sign-in that asked for a token (responseType)")
    })?;
    let code = param(&pairs, "code")?.filter(|c| !c.is_empty());
    let code = code.ok_or_else(|| Error::callback("the answer has no `code`"))?;
    Ok(CodeGrant {
        code: code.to_owned(),
        verifier,
        return_to: pending.return_to.clone(),
    })
}

fn clip(text: &str) -> String {
    // The values are ASCII (`form_decode` refuses the rest), so any cut is a char boundary.
    text.get(..text.len().min(MAX_ERROR_TEXT))
        .unwrap_or_default()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_700_000_000_000;

    fn pending() -> PendingSignIn {
        PendingSignIn {
            state: State::new("good-state"),
            return_to: Some("/orders".into()),
            verifier: None,
        }
    }

    fn code(fragment: &str) -> &'static str {
        match evaluate(fragment, Some(&pending()), NOW) {
            Ok(_) => "ok",
            Err(e) => e.code(),
        }
    }

    #[test]
    fn accepts_a_good_response() {
        let ok = evaluate(
            "access_token=a.b-c&token_type=Bearer&expires_in=7199&refresh_token=r%2B1&scope=MOBPROC&state=good-state",
            Some(&pending()),
            NOW,
        )
        .unwrap();
        assert_eq!(ok.record.access_token().secret(), "a.b-c");
        assert_eq!(ok.record.refresh_token().unwrap().secret(), "r+1");
        assert_eq!(ok.record.expires_at_ms(), NOW + 7_199_000);
        assert_eq!(ok.record.scope(), Some("MOBPROC"));
        assert_eq!(ok.return_to.as_deref(), Some("/orders"));
    }

    #[test]
    fn refuses_an_answer_of_more_than_64_parameters_before_reading_them_all() {
        let padding = "&a".repeat(40_000);
        let fragment = cat(&[
            "access_token=x&token_type=Bearer&expires_in=60&state=good-state",
            &padding,
        ]);
        assert_eq!(code(&fragment), "invalid_callback");
        assert_eq!(claimed_state(&fragment), None);
        let query = cat(&["code=c&state=good-state", &padding]);
        assert!(evaluate_code(&query, Some(&pending())).is_err());
        // At the limit, and with one long value, the same answer is read.
        let good = "access_token=x&token_type=Bearer&expires_in=60&state=good-state";
        let fits = cat(&[good, &"&a".repeat(60)]);
        assert_eq!(code(&fits), "ok");
        let fits = cat(&[good, "&a=", &"b".repeat(100_000)]);
        assert_eq!(code(&fits), "ok");
        assert_eq!(claimed_state(&fits).as_deref(), Some("good-state"));
    }

    #[test]
    fn tells_oauth_responses_from_hash_routes() {
        for ours in [
            "access_token=x",
            "error=access_denied",
            "a=1&state=s",
            "state",
        ] {
            assert!(is_oauth_response(ours), "{ours}");
        }
        for theirs in [
            "",
            "/orders",
            "/orders?state=1",
            "top",
            "x_access_token=1",
            "access_tokens=1",
        ] {
            assert!(!is_oauth_response(theirs), "{theirs}");
        }
    }

    #[test]
    fn state_is_checked_before_anything_else() {
        let base = "access_token=a&token_type=Bearer&expires_in=60";
        assert_eq!(code(base), "state_mismatch");
        assert_eq!(code(&format!("{base}&state=bad")), "state_mismatch");
        assert_eq!(code(&format!("{base}&state=")), "state_mismatch");
        assert_eq!(code("error=access_denied&state=bad"), "state_mismatch");
        assert_eq!(
            evaluate(&format!("{base}&state=good-state"), None, NOW)
                .unwrap_err()
                .into_kind(),
            ErrorKind::StateMismatch
        );
    }

    #[test]
    fn oauth_errors_keep_the_server_text() {
        let err = evaluate(
            "error=access_denied&error_description=The+user+cancelled&state=good-state",
            Some(&pending()),
            NOW,
        )
        .unwrap_err();
        assert_eq!(
            err.kind(),
            &ErrorKind::AuthorizationDenied {
                error: "access_denied".into(),
                description: Some("The user cancelled".into())
            }
        );
        assert_eq!(
            code("error=server_error&state=good-state"),
            "authorization_denied"
        );
    }

    #[test]
    fn malformed_responses() {
        let s = "&state=good-state";
        for fragment in [
            "token_type=Bearer&expires_in=60",
            "access_token=a&expires_in=60",
            "access_token=a&token_type=mac&expires_in=60",
            "access_token=a&token_type=Bearer",
            "access_token=a&token_type=Bearer&expires_in=0",
            "access_token=a&token_type=Bearer&expires_in=-5",
            "access_token=a&token_type=Bearer&expires_in=1.5",
            "access_token=a&token_type=Bearer&expires_in=soon",
            "access_token=a&access_token=b&token_type=Bearer&expires_in=60",
            "access_token=a%0D%0AX:1&token_type=Bearer&expires_in=60",
            "access_token=%zz&token_type=Bearer&expires_in=60",
        ] {
            assert_eq!(
                code(&format!("{fragment}{s}")),
                "invalid_callback",
                "{fragment}"
            );
        }
        assert_eq!(code("access_token=a&token_type=BEARER&expires_in=99999999999999999999999&state=good-state"), "ok");
        assert_eq!(
            code(
                "access_token=a&token_type=Bearer&expires_in=60&state=good-state&state=good-state"
            ),
            "invalid_callback"
        );
    }

    fn code_pending() -> PendingSignIn {
        PendingSignIn {
            verifier: Some(CodeVerifier::new("v".repeat(43))),
            ..pending()
        }
    }

    #[test]
    fn code_answers_are_told_from_app_queries() {
        for ours in [
            "code=c&state=s",
            "state=s&error=access_denied",
            "a=1&code=&state=",
        ] {
            assert!(is_code_response(ours), "{ours}");
        }
        for theirs in ["", "state=1", "code=1", "tab=2&error=1", "codes=1&state=2"] {
            assert!(!is_code_response(theirs), "{theirs}");
        }
    }

    #[test]
    fn the_answer_leaves_the_query_and_the_app_parameters_stay() {
        assert_eq!(without_response("code=c&state=s"), "");
        assert_eq!(
            without_response("tab=2&code=c&state=s&iss=x&q=a%20b"),
            "?tab=2&q=a%20b"
        );
        assert_eq!(
            without_response("error=access_denied&error_description=x&state=s&&keep"),
            "?keep"
        );
    }

    #[test]
    fn a_code_answer_is_checked_state_first() {
        let ok = evaluate_code("code=abc&state=good-state", Some(&code_pending())).unwrap();
        assert_eq!(ok.code, "abc");
        assert_eq!(ok.verifier.secret(), "v".repeat(43));
        assert_eq!(ok.return_to.as_deref(), Some("/orders"));
        let printed = format!("{ok:?}");
        assert!(
            !printed.contains("abc") && printed.contains("[redacted]"),
            "{printed}"
        );
        let codes =
            |query: &str, pending: Option<&PendingSignIn>| match evaluate_code(query, pending) {
                Ok(_) => "ok",
                Err(e) => e.code(),
            };
        let p = code_pending();
        assert_eq!(codes("code=abc&state=bad", Some(&p)), "state_mismatch");
        assert_eq!(codes("code=abc&state=good-state", None), "state_mismatch");
        assert_eq!(codes("error=x&code=abc", Some(&p)), "state_mismatch");
        assert_eq!(
            codes("error=access_denied&state=good-state", Some(&p)),
            "authorization_denied"
        );
        assert_eq!(codes("state=good-state", Some(&p)), "invalid_callback");
        assert_eq!(
            codes("code=&state=good-state", Some(&p)),
            "invalid_callback"
        );
        assert_eq!(
            codes("code=a&code=b&state=good-state", Some(&p)),
            "invalid_callback"
        );
        // A code for a pending sign-in that asked for a token: no verifier to send.
        assert_eq!(
            codes("code=abc&state=good-state", Some(&pending())),
            "invalid_callback"
        );
        // And a token for one that asked for a code, which PKCE would not have guarded.
        let token = "access_token=a&token_type=Bearer&expires_in=60&state=good-state";
        assert!(evaluate(token, Some(&pending()), NOW).is_ok());
        let refused = evaluate(token, Some(&code_pending()), NOW).unwrap_err();
        assert_eq!(refused.code(), "invalid_callback");
        assert!(
            refused.message().contains("asked for a code"),
            "{}",
            refused.message()
        );
    }
}
