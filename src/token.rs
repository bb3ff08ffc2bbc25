//! The token record: what is stored, its absolute expiry, and what may be shown of it.

use crate::prelude::*;

use crate::secret::{AccessToken, RefreshToken};
use crate::text::{every_byte, json_object, JsonValue};

/// The latest instant JavaScript's `Date` can hold (ms since the epoch); expiries are capped
/// here so a huge `expires_in` can neither overflow nor lose precision as a JS number.
pub const MAX_TIME_MS: u64 = 8_640_000_000_000_000;

/// Longest access or refresh token accepted, in bytes.
pub const MAX_TOKEN_LEN: usize = 8192;

/// The one thing the library stores: the tokens and when the access token expires.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenRecord {
    access_token: AccessToken,
    refresh_token: Option<RefreshToken>,
    expires_at_ms: u64,
    scope: Option<String>,
    session: Option<SessionId>,
    /// How many refreshes of its sign-in made this record; `None` in one written before
    /// the count existed (or by an older version of the package in another tab).
    refreshes: Option<u32>,
}

/// Names one sign-in across its refreshes, so that a sign-out told to the other tabs ends that
/// session and never one begun since. The client makes it of the sign-in's time and random
/// characters ([`SessionId::starting`]), so that ids sort by sign-in time. Not a secret: it
/// grants nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionId(String);

/// Hex digits of the sign-in time (ms) an id starts with: up to 2^48 ms, the year 10889.
const TIME_DIGITS: u32 = 12;

/// The length of an id [`SessionId::starting`] makes: the time, then 43 random characters.
const TIMED_LEN: usize = TIME_DIGITS as usize + 43;

impl SessionId {
    /// A new sign-in's id: its time `now_ms` as 12 upper-case hex digits, then `random` (the
    /// client's: 43 base64url characters of 32 random bytes).
    pub fn starting(now_ms: u64, random: &str) -> Option<Self> {
        let mut text = String::new();
        let mut shift = TIME_DIGITS * 4;
        while shift > 0 {
            shift -= 4;
            text.push(crate::encode::hex_digit((now_ms >> shift) as u8));
        }
        text.push_str(random);
        Self::new(&text)
    }

    /// Whether a sign-in of this id replaces the `held` one in a tab that heard of it: the
    /// later sign-in wins, in every tab alike, also when the two tabs' messages crossed (by
    /// the time the ids start with, then by their random rest). An id not made by
    /// [`SessionId::starting`] (an earlier version's) gives way, and replaces none that was.
    pub fn replaces(&self, held: Option<&SessionId>) -> bool {
        held.is_none_or(|held| !held.is_timed() || (self.is_timed() && self.0 > held.0))
    }

    /// Whether [`SessionId::starting`] made it, told by its length: an earlier version's ids
    /// are 43 characters. (A page of the origin could forge one; it could read the tokens too.)
    pub fn is_timed(&self) -> bool {
        self.0.len() == TIMED_LEN
    }

    /// The id, if `text` is 1 to 64 base64url characters (what the client makes, from 32
    /// random bytes: 43).
    pub fn new(text: &str) -> Option<Self> {
        let fits = !text.is_empty()
            && text.len() <= 64
            && every_byte(text, |b| {
                b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
            });
        fits.then(|| SessionId(text.to_owned()))
    }
    /// The id as stored and told to the other tabs.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `expires_in` (seconds) after `now_ms`, as an absolute expiry (ms), capped at [`MAX_TIME_MS`].
fn expires_at(now_ms: u64, expires_in_secs: u64) -> u64 {
    now_ms
        .saturating_add(expires_in_secs.saturating_mul(1000))
        .min(MAX_TIME_MS)
}

/// What the application may see of a session: no token values.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    /// Absolute expiry of the access token, ms since the epoch.
    #[cfg_attr(
        all(target_arch = "wasm32", feature = "js"),
        serde(serialize_with = "crate::js::number::whole")
    )]
    pub expires_at: u64,
    /// The granted scope: the server's; when an answer names none (or one that is no scope),
    /// the one asked for (a refresh keeps the session's). `None` only for a record stored by
    /// an older version.
    pub scope: Option<String>,
    /// Whether a refresh token is held.
    pub has_refresh_token: bool,
}

impl TokenRecord {
    /// Builds a record from a grant received at `now_ms`, turning `expires_in` (seconds) into
    /// an absolute expiry. Checks the token values so they are safe to put in a header.
    pub fn from_grant(
        access_token: &str,
        refresh_token: Option<&str>,
        expires_in_secs: u64,
        scope: Option<&str>,
        now_ms: u64,
    ) -> Result<Self, &'static str> {
        Self::build(
            access_token,
            refresh_token,
            expires_at(now_ms, expires_in_secs),
            scope,
            None,
            Some(0),
        )
    }

    /// Checks the fields of a token response, from the redirect (RFC 6749 §4.2.2) or the token
    /// endpoint (§5.1), and builds the record. `expires_in_secs` is `None` when absent or not a
    /// positive integer. The error says what is wrong, for the caller's error variant.
    pub fn from_response(
        access_token: Option<&str>,
        token_type: Option<&str>,
        expires_in_secs: Option<u64>,
        refresh_token: Option<&str>,
        scope: Option<&str>,
        now_ms: u64,
    ) -> Result<Self, &'static str> {
        let access_token = access_token.ok_or("no access_token")?;
        match token_type {
            Some(t) if t.eq_ignore_ascii_case("bearer") => {}
            Some(_) => return Err("token_type is not Bearer"),
            None => return Err("no token_type"),
        }
        let expires_in =
            expires_in_secs.ok_or("expires_in is missing or not a positive integer")?;
        // `build` directly, not through `from_grant`: one hop fewer for the 48-byte result.
        Self::build(
            access_token,
            refresh_token,
            expires_at(now_ms, expires_in),
            scope,
            None,
            Some(0),
        )
    }

    /// Rebuilds a record read back from storage, with the same checks as [`Self::from_grant`];
    /// its refresh count is unknown until [`Self::with_refreshes`] says it.
    pub fn restore(
        access_token: &str,
        refresh_token: Option<&str>,
        expires_at_ms: u64,
        scope: Option<&str>,
        session: Option<SessionId>,
    ) -> Result<Self, &'static str> {
        Self::build(
            access_token,
            refresh_token,
            expires_at_ms,
            scope,
            session,
            None,
        )
    }

    /// A record from its checked fields: a grant's (`refreshes` 0) or a stored one's.
    fn build(
        access_token: &str,
        refresh_token: Option<&str>,
        expires_at_ms: u64,
        scope: Option<&str>,
        session: Option<SessionId>,
        refreshes: Option<u32>,
    ) -> Result<Self, &'static str> {
        if !is_b64token(access_token) {
            return Err(
                "access_token is empty, too long or has characters a bearer token cannot have",
            );
        }
        let refresh_token = match refresh_token {
            Some(r)
                if r.is_empty()
                    || r.len() > MAX_TOKEN_LEN
                    || !every_byte(r, |b| b.is_ascii_graphic()) =>
            {
                return Err("refresh_token is empty, too long or not visible ASCII")
            }
            Some(r) => Some(RefreshToken::new(r)),
            None => None,
        };
        Ok(TokenRecord {
            access_token: AccessToken::new(access_token),
            refresh_token,
            expires_at_ms: expires_at_ms.min(MAX_TIME_MS),
            // Only shown to the application: a malformed one is dropped, not worth a sign-in.
            scope: scope.filter(|s| is_scope(s)).map(str::to_owned),
            session,
            refreshes,
        })
    }

    /// The record as part of the sign-in `session` (a new one's id, or the refreshed one's).
    pub fn in_session(mut self, session: Option<SessionId>) -> Self {
        self.session = session;
        self
    }

    /// The record with `requested` as its scope when the answer named none: an authorization
    /// server leaves the scope out when it granted the one asked for (RFC 6749 §4.2.2).
    pub fn or_scope(mut self, requested: &str) -> Self {
        if self.scope.is_none() {
            self.scope = Some(requested.to_owned());
        }
        self
    }

    /// The record without its refresh token, which the token endpoint refused: its access
    /// token may still last (a rotation whose answer was lost to a timeout or a reload).
    pub fn without_refresh_token(mut self) -> Self {
        self.refresh_token = None;
        self
    }

    /// The record as its sign-in's `refreshes`-th refresh (0: the sign-in itself).
    pub fn with_refreshes(mut self, refreshes: Option<u32>) -> Self {
        self.refreshes = refreshes;
        self
    }

    /// How many refreshes of its sign-in made this record, where it says.
    pub fn refreshes(&self) -> Option<u32> {
        self.refreshes
    }

    /// Whether this record of the same sign-in as `held` came after it: by the refresh count
    /// where both have one and they differ, else (a record of an older version, or two tabs
    /// that refreshed apart) by the later expiry. A refresh may well bring a shorter lifetime
    /// than the token it replaces had left.
    pub fn is_newer_than(&self, held: &TokenRecord) -> bool {
        match (self.refreshes, held.refreshes) {
            (Some(a), Some(b)) if a != b => a > b,
            _ => self.expires_at_ms > held.expires_at_ms,
        }
    }

    /// The access token.
    pub fn access_token(&self) -> &AccessToken {
        &self.access_token
    }
    /// The refresh token, when the server issued one.
    pub fn refresh_token(&self) -> Option<&RefreshToken> {
        self.refresh_token.as_ref()
    }
    /// Absolute expiry, ms since the epoch.
    pub fn expires_at_ms(&self) -> u64 {
        self.expires_at_ms
    }
    /// The granted scope, if the server said.
    pub fn scope(&self) -> Option<&str> {
        self.scope.as_deref()
    }
    /// The sign-in this record belongs to; `None` for a record stored before ids existed.
    pub fn session_id(&self) -> Option<&SessionId> {
        self.session.as_ref()
    }
    /// Whether both records are of one sign-in (or both without an id).
    pub fn same_session(&self, other: &TokenRecord) -> bool {
        self.session == other.session
    }

    /// The stored form: one JSON object with an absolute expiry,
    /// `{"accessToken","refreshToken"?,"expiresAt","scope"?,"session"?,"refreshes"?}`.
    pub fn to_json(&self) -> String {
        json_object(&[
            ("accessToken", JsonValue::Str(self.access_token.secret())),
            (
                "refreshToken",
                JsonValue::Opt(self.refresh_token.as_ref().map(|r| r.secret())),
            ),
            ("expiresAt", JsonValue::Num(Some(self.expires_at_ms))),
            ("scope", JsonValue::Opt(self.scope.as_deref())),
            (
                "session",
                JsonValue::Opt(self.session.as_ref().map(SessionId::as_str)),
            ),
            ("refreshes", JsonValue::Num(self.refreshes.map(u64::from))),
        ])
    }

    /// True once the access token may no longer be used.
    pub fn is_expired(&self, now_ms: u64) -> bool {
        now_ms >= self.expires_at_ms
    }

    /// True when the token expires within `skew_ms` of `now_ms` (time to refresh).
    pub fn expires_within(&self, now_ms: u64, skew_ms: u64) -> bool {
        now_ms.saturating_add(skew_ms) >= self.expires_at_ms
    }

    /// The part of the record the application may see.
    pub fn session(&self) -> Session {
        Session {
            expires_at: self.expires_at_ms,
            scope: self.scope.clone(),
            has_refresh_token: self.refresh_token.is_some(),
        }
    }
}

/// `expires_in` as text (the redirect): a positive integer; too large for u64 saturates.
pub fn seconds_from_text(value: &str) -> Option<u64> {
    crate::text::digits(value).filter(|&seconds| seconds > 0)
}

/// `expires_in` as a JSON number (the token endpoint): a positive integer; huge saturates.
pub fn seconds_from_number(value: f64) -> Option<u64> {
    // Every f64 from 2^53 up is an integer; below, the round trip tells.
    let integer = value >= 9_007_199_254_740_992.0 || value == (value as u64) as f64;
    (value.is_finite() && value >= 1.0 && integer).then_some(value as u64)
}

/// RFC 6749 §3.3 `scope`: tokens of visible ASCII but `"` and `\`, one space between them.
/// The granted scope is shown to the application, so it must not carry control characters.
pub fn is_scope(value: &str) -> bool {
    value.len() <= MAX_TOKEN_LEN && scope_tokens(value)
}

/// One or more RFC 6749 §3.3 scope tokens, one space between them: one pass over the bytes
/// (a space may neither start, end nor follow another).
pub(crate) fn scope_tokens(value: &str) -> bool {
    let mut previous = b' ';
    for &b in value.as_bytes() {
        if !matches!(b, 0x21 | 0x23..=0x5b | 0x5d..=0x7e) && (b != b' ' || previous == b' ') {
            return false;
        }
        previous = b;
    }
    previous != b' '
}

/// RFC 6750 §2.1 `b64token`: `1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
/// Anything else could break or inject into the `Authorization` header.
pub fn is_b64token(value: &str) -> bool {
    let body = crate::text::trim_end_byte(value, b'=');
    !body.is_empty()
        && value.len() <= MAX_TOKEN_LEN
        && every_byte(body, |b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_ids_sort_by_sign_in_time() {
        let random = "A".repeat(43);
        let early = SessionId::starting(1_764_500_000_000, &random).unwrap();
        assert_eq!(early.as_str(), format!("019AD4654D00{random}"));
        let later = SessionId::starting(1_764_500_000_001, "_".repeat(43).as_str()).unwrap();
        // The later sign-in wins however its random rest compares, in either tab.
        assert!(!SessionId::starting(1_764_500_000_000, &"z".repeat(43))
            .unwrap()
            .replaces(Some(&later)));
        assert!(later.replaces(Some(&early)));
        assert!(!early.replaces(Some(&later)));
        // The same millisecond: the random rest decides, alike everywhere.
        let twin = SessionId::starting(1_764_500_000_000, &"B".repeat(43)).unwrap();
        assert!(twin.replaces(Some(&early)) && !early.replaces(Some(&twin)));
        // An earlier version's random id, or none, gives way to any new sign-in; it replaces
        // no timed one, however it compares.
        let random_only = SessionId::new(&"z".repeat(43)).unwrap();
        assert!(early.replaces(Some(&random_only)));
        assert!(early.replaces(None));
        assert!(!random_only.replaces(Some(&early)));
        assert!(early.is_timed() && !random_only.is_timed());
        // Ids of 2^48 ms and beyond keep 12 digits (the year 10889).
        assert_eq!(
            SessionId::starting(u64::MAX, &random)
                .unwrap()
                .as_str()
                .len(),
            55
        );
    }

    #[test]
    fn absolute_expiry_and_skew() {
        let r = TokenRecord::from_grant("abc", Some("r1"), 7199, Some("MOBPROC"), 1_000).unwrap();
        assert_eq!(r.expires_at_ms(), 1_000 + 7_199_000);
        assert!(!r.is_expired(7_199_999));
        assert!(r.is_expired(7_200_000));
        assert!(r.expires_within(7_200_000 - 60_000, 60_000));
        assert!(!r.expires_within(7_200_000 - 60_001, 60_000));
        assert_eq!(
            r.session(),
            Session {
                expires_at: 7_200_000,
                scope: Some("MOBPROC".into()),
                has_refresh_token: true
            }
        );
    }

    #[test]
    fn stored_form_is_one_json_object() {
        let r = TokenRecord::from_grant("a.b", Some("r1"), 60, Some("MOBPROC"), 1_000).unwrap();
        assert_eq!(
            r.to_json(),
            r#"{"accessToken":"a.b","refreshToken":"r1","expiresAt":61000,"scope":"MOBPROC","refreshes":0}"#
        );
        let bare = TokenRecord::from_grant("a", None, 1, None, 0).unwrap();
        let bare = bare.with_refreshes(None);
        assert_eq!(bare.to_json(), r#"{"accessToken":"a","expiresAt":1000}"#);
        let id = SessionId::new("s-1_A");
        assert_eq!(
            bare.in_session(id).with_refreshes(Some(3)).to_json(),
            r#"{"accessToken":"a","expiresAt":1000,"session":"s-1_A","refreshes":3}"#
        );
    }

    #[test]
    fn a_later_refresh_is_newer_whatever_its_expiry() {
        let record = |expires_at, refreshes| {
            TokenRecord::restore("a", None, expires_at, None, None)
                .unwrap()
                .with_refreshes(refreshes)
        };
        assert!(record(600, Some(2)).is_newer_than(&record(3600, Some(1))));
        assert!(!record(3600, Some(1)).is_newer_than(&record(600, Some(2))));
        // The same count (two tabs that refreshed apart), or a record without one: by expiry.
        assert!(record(3600, Some(1)).is_newer_than(&record(600, Some(1))));
        assert!(!record(600, Some(1)).is_newer_than(&record(600, Some(1))));
        assert!(record(3600, None).is_newer_than(&record(600, Some(5))));
        assert!(!record(600, Some(5)).is_newer_than(&record(3600, None)));
        // A grant's record is its sign-in's own; a restored one's count is unknown.
        let granted = TokenRecord::from_grant("a", None, 60, None, 0).unwrap();
        assert_eq!(granted.refreshes(), Some(0));
        assert_eq!(record(1, None).refreshes(), None);
    }

    #[test]
    fn without_its_refused_refresh_token_a_record_keeps_the_rest_and_is_no_newer() {
        let record = TokenRecord::restore("a", Some("r"), 600, Some("MOBPROC"), None)
            .unwrap()
            .with_refreshes(Some(2));
        let kept = record.clone().without_refresh_token();
        assert_eq!(kept.refresh_token(), None);
        assert_eq!(kept.access_token(), record.access_token());
        assert_eq!(
            (kept.expires_at_ms(), kept.scope(), kept.refreshes()),
            (600, Some("MOBPROC"), Some(2))
        );
        // Another tab holding the original keeps it: neither replaces the other.
        assert!(!kept.is_newer_than(&record) && !record.is_newer_than(&kept));
    }

    #[test]
    fn one_session_or_another() {
        let record = |id| TokenRecord::restore("a", None, 1, None, SessionId::new(id)).unwrap();
        assert!(record("s1").same_session(&record("s1")));
        assert!(!record("s1").same_session(&record("s2")));
        assert!(
            !record("s1").same_session(&record("")),
            "an id and none differ"
        );
        assert!(
            record("").same_session(&record("")),
            "two records stored before ids"
        );
    }

    #[test]
    fn session_ids() {
        let longest = "a".repeat(64);
        for ok in ["a", "Zz09-_", longest.as_str()] {
            assert_eq!(
                SessionId::new(ok).map(|id| id.as_str().len()),
                Some(ok.len())
            );
        }
        let too_long = "a".repeat(65);
        for bad in ["", "a b", "a.b", "a=", "ä", "a\"", too_long.as_str()] {
            assert_eq!(SessionId::new(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn expiry_arithmetic_saturates() {
        let r = TokenRecord::from_grant("abc", None, u64::MAX, None, u64::MAX - 5).unwrap();
        assert_eq!(r.expires_at_ms(), MAX_TIME_MS);
        assert!(!r.expires_within(u64::MAX, u64::MAX) || r.is_expired(u64::MAX));
        let epoch = TokenRecord::from_grant("abc", None, 1, None, 0).unwrap();
        assert_eq!(epoch.expires_at_ms(), 1000);
    }

    #[test]
    fn expires_in_forms() {
        assert_eq!(seconds_from_text("7199"), Some(7199));
        assert_eq!(seconds_from_text("99999999999999999999999"), Some(u64::MAX));
        for bad in ["", "0", "-5", "1.5", "soon", " 1", "+1"] {
            assert_eq!(seconds_from_text(bad), None, "{bad:?}");
        }
        assert_eq!(seconds_from_number(7199.0), Some(7199));
        assert_eq!(seconds_from_number(1e300), Some(u64::MAX));
        for bad in [0.0, -1.0, 0.5, 1.5, f64::NAN, f64::INFINITY] {
            assert_eq!(seconds_from_number(bad), None, "{bad}");
        }
    }

    #[test]
    fn response_fields() {
        let ok = TokenRecord::from_response(Some("a"), Some("BEARER"), Some(60), None, None, 0);
        assert_eq!(ok.map(|r| r.expires_at_ms()), Ok(60_000));
        let cases = [
            (None, Some("Bearer"), Some(60), "no access_token"),
            (Some("a"), None, Some(60), "no token_type"),
            (Some("a"), Some("mac"), Some(60), "token_type is not Bearer"),
            (
                Some("a"),
                Some("Bearer"),
                None,
                "expires_in is missing or not a positive integer",
            ),
        ];
        for (access, kind, expires, reason) in cases {
            assert_eq!(
                TokenRecord::from_response(access, kind, expires, None, None, 0),
                Err(reason)
            );
        }
    }

    #[test]
    fn token_characters() {
        for ok in ["abc", "a.b-c_d~e+f/g==", "Zm9v"] {
            assert!(is_b64token(ok), "{ok}");
        }
        for bad in ["", "===", "a b", "a\r\nX-Evil: 1", "ä", "a=b"] {
            assert!(!is_b64token(bad), "{bad:?}");
        }
        assert!(!is_b64token(&"a".repeat(MAX_TOKEN_LEN + 1)));
        assert!(TokenRecord::restore("ok", Some("bad refresh"), 1, None, None).is_err());
    }

    #[test]
    fn scope_tokens() {
        for ok in ["MOBPROC", "openid profile", "a:b/c!#[]~"] {
            assert!(is_scope(ok), "{ok}");
            assert!(TokenRecord::restore("ok", None, 1, Some(ok), None).is_ok());
        }
        for bad in [
            "", " ", "a  b", " a", "a ", "a\tb", "a\u{7f}", "a\"b", "a\\b", "ü", "a\r\nb",
        ] {
            assert!(!is_scope(bad), "{bad:?}");
            let record = TokenRecord::restore("ok", None, 1, Some(bad), None).unwrap();
            assert_eq!(record.scope(), None, "{bad:?} is dropped, the token kept");
        }
    }
}
