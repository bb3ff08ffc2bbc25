//! Property tests of the pure core (issue 7, "Hostile and malformed input"): thousands of
//! generated inputs per property, through the crate's public API only.
//!
//! `cargo test --test properties`; `PROPTEST_CASES=100000` runs more of each.
// Native only: proptest is a native dev-dependency, and the wasm test runner runs only
// wasm_bindgen_test functions.
#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use mobproc_auth::callback::{evaluate, is_oauth_response, PendingSignIn, SignedIn};
use mobproc_auth::config::{Config, ValidConfig};
use mobproc_auth::encode::{form_decode, form_encode, parse_form, DecodeError};
use mobproc_auth::secret::State;
use mobproc_auth::token::{
    is_b64token, seconds_from_number, seconds_from_text, TokenRecord, MAX_TIME_MS,
};
use mobproc_auth::url::HttpUrl;
use mobproc_auth::{authorize, headers, Error, ErrorKind};
use proptest::prelude::*;
use proptest::test_runner::{TestCaseError, TestRunner};
use std::cell::RefCell;
use std::collections::BTreeMap;

/// Cases per property unless `PROPTEST_CASES` says otherwise.
const CASES: u32 = 4096;
/// For the cheapest properties.
const MANY: u32 = 5_000;

fn cases(n: u32) -> ProptestConfig {
    let from_env = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok());
    ProptestConfig {
        cases: from_env.unwrap_or(n),
        // Failures are reported with their minimal input; nothing is written next to the tests.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

const PENDING_STATE: &str = "Zm9vYmFyYmF6cXV4LXN0YXRlLW9mLTQzLWNoYXJzXw";

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

/// Any string, weighted towards the characters that matter to a form parser.
fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[a-zA-Z0-9._~+/=%&#? -]{0,40}",
        2 => "(%[0-9a-fA-FgG]{0,2}|[&=+]|[a-z]{1,4}){0,20}",
        1 => any::<String>(),
        1 => "[\\x00-\\x7f]{0,60}",
    ]
}

/// A value that may or may not be a usable response parameter.
fn param_value() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[A-Za-z0-9._~+/-]{1,30}={0,2}",
        2 => "[0-9]{1,25}",
        1 => Just(PENDING_STATE.to_owned()),
        1 => Just("Bearer".to_owned()),
        1 => Just("bEaReR".to_owned()),
        1 => "-?[0-9]{1,3}(\\.[0-9]{1,3})?",
        2 => hostile_text(),
    ]
}

fn param_key() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => prop::sample::select(vec![
            "access_token", "token_type", "expires_in", "state", "error",
            "error_description", "refresh_token", "scope", "error_uri",
        ])
        .prop_map(str::to_owned),
        1 => "[a-z_]{0,15}",
        1 => hostile_text(),
    ]
}

/// A fragment: mostly `key=value&…` with OAuth keys, sometimes plain noise.
fn fragment() -> BoxedStrategy<String> {
    let pairs = prop::collection::vec(
        (
            param_key(),
            param_value(),
            any::<bool>(),
            prop_oneof![Just("="), Just(""), Just("==")],
        ),
        0..10,
    )
    .prop_map(|pairs| {
        pairs
            .into_iter()
            .map(|(k, v, encode, eq)| {
                let v = if encode { form_encode(&v) } else { v };
                format!("{k}{eq}{v}")
            })
            .collect::<Vec<_>>()
            .join("&")
    });
    prop_oneof![4 => response(), 1 => pairs.boxed(), 1 => hostile_text().boxed()].boxed()
}

/// A response close to a real one: each parameter usually present and usually well-formed,
/// sometimes missing, bad, duplicated, reordered, with extra parameters.
fn response() -> BoxedStrategy<String> {
    fn field(name: &'static str, good: BoxedStrategy<String>) -> BoxedStrategy<Vec<String>> {
        prop_oneof![
            12 => good.clone().prop_map(move |v| vec![format!("{name}={v}")]),
            1 => Just(vec![]),
            1 => param_value().prop_map(move |v| vec![format!("{name}={}", form_encode(&v))]),
            1 => (good.clone(), good).prop_map(move |(a, b)| vec![format!("{name}={a}"), format!("{name}={b}")]),
        ]
        .boxed()
    }
    let token = "[A-Za-z0-9._~-]{1,40}(%2B|%2F|%3D){0,2}".boxed();
    let ok = (
        field("access_token", token.clone()),
        field("token_type", "[bB][eE][aA][rR][eE][rR]".boxed()),
        field(
            "expires_in",
            prop_oneof!["[1-9][0-9]{0,5}", "[1-9][0-9]{15,30}"].boxed(),
        ),
        prop::option::of(field("refresh_token", token)),
        prop::option::of(field("scope", Just("MOBPROC".to_owned()).boxed())),
    )
        .prop_map(|(a, t, e, r, s)| {
            [a, t, e, r.unwrap_or_default(), s.unwrap_or_default()].concat()
        })
        .boxed();
    let denied = (
        field("error", "[a-z_]{1,20}".boxed()),
        prop::option::of(field("error_description", "[A-Za-z+%0-9]{0,40}".boxed())),
    )
        .prop_map(|(e, d)| [e, d.unwrap_or_default()].concat())
        .boxed();
    (
        prop_oneof![3 => ok, 1 => denied],
        field("state", Just(PENDING_STATE.to_owned()).boxed()),
        prop::collection::vec((param_key(), param_value()), 0..2),
        any::<prop::sample::Index>(),
    )
        .prop_map(|(mut pairs, state, extra, at)| {
            pairs.extend(state);
            pairs.extend(
                extra
                    .into_iter()
                    .map(|(k, v)| format!("{k}={}", form_encode(&v))),
            );
            if !pairs.is_empty() {
                let i = at.index(pairs.len());
                pairs.swap(0, i);
            }
            pairs.join("&")
        })
        .boxed()
}

fn now_ms() -> impl Strategy<Value = u64> {
    prop_oneof![
        Just(0),
        Just(u64::MAX),
        Just(MAX_TIME_MS),
        Just(1_700_000_000_000),
        any::<u64>(),
    ]
}

/// A token that passes the crate's own checks: built and then checked, so the property also
/// covers what the checks let through.
fn token_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[A-Za-z0-9._~+/-]{1,64}={0,3}",
        1 => any::<String>(),
        1 => "[\\x00-\\x7f]{1,80}",
    ]
}

/// Visible ASCII or anything: what `clientId`/`tenant` may be given.
fn header_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[!-~]{1,80}",
        1 => "[\\x00-\\x7f]{0,40}",
        1 => any::<String>(),
    ]
}

fn host() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-z][a-z0-9-]{0,10}(\\.[a-z][a-z0-9-]{0,10}){0,3}",
        1 => Just("localhost".to_owned()),
        1 => Just("127.0.0.1".to_owned()),
        1 => Just("[::1]".to_owned()),
    ]
}

/// An https URL (or http on loopback) that the configuration accepts, built from parts.
fn base_url(query: bool) -> impl Strategy<Value = String> {
    (
        host(),
        prop::option::of(1u16..),
        "(/[A-Za-z0-9._~%!$'()*+,;=:@-]{0,12}){0,4}",
        if query {
            prop::option::of("[a-z]{1,5}=[A-Za-z0-9]{0,5}(&[a-z]{1,5}=[A-Za-z0-9]{0,5}){0,2}")
                .boxed()
        } else {
            Just(None).boxed()
        },
    )
        .prop_map(|(host, port, path, query)| {
            let scheme = if matches!(host.as_str(), "localhost" | "127.0.0.1" | "[::1]") {
                "http"
            } else {
                "https"
            };
            let port = port.map(|p| format!(":{p}")).unwrap_or_default();
            let query = query.map(|q| format!("?{q}")).unwrap_or_default();
            format!("{scheme}://{host}{port}{path}{query}")
        })
}

fn raw_config() -> impl Strategy<Value = Config> {
    (
        header_text(),
        header_text(),
        base_url(false),
        base_url(true),
        base_url(true),
        prop::option::of("[!#-\\[\\]-~]{1,10}( [!#-\\[\\]-~]{1,10}){0,3}"),
    )
        .prop_map(
            |(client_id, tenant, api, authorize, redirect, scope)| Config {
                client_id,
                tenant,
                api_base_url: api,
                authorize_url: Some(authorize),
                redirect_uri: Some(redirect),
                scope,
                ..Config::default()
            },
        )
}

// ---------------------------------------------------------------------------------------------
// Fragment parsing
// ---------------------------------------------------------------------------------------------

/// The values of `name` in a fragment, as the parser decodes them.
fn values_of(fragment: &str, name: &str) -> Vec<String> {
    parse_form(fragment)
        .map(|pairs| {
            pairs
                .into_iter()
                .filter(|(k, _)| k == name)
                .map(|(_, v)| v)
                .collect()
        })
        .unwrap_or_default()
}

/// Never panics; yields a record that passes every check, an OAuth error, or a typed
/// rejection, and only ever believes a response whose one `state` matches. Each of the four
/// outcomes must come up often enough that the generator is known to reach it.
#[test]
fn evaluate_never_panics_and_only_accepts_valid_records() {
    let seen = RefCell::new(BTreeMap::<&'static str, u32>::new());
    let strategy = (
        fragment(),
        prop::option::weighted(
            0.85,
            prop_oneof![4 => Just(PENDING_STATE.to_owned()), 1 => hostile_text()],
        ),
        prop::option::of("/[a-z]{0,8}"),
        now_ms(),
    );
    let config = cases(CASES);
    let total = config.cases;
    TestRunner::new(config)
        .run(&strategy, |(fragment, pending, return_to, now)| {
            let pending = pending.map(|s| PendingSignIn {
                state: State::new(s),
                return_to: return_to.clone(),
                verifier: None,
            });
            let result = evaluate(&fragment, pending.as_ref(), now);
            *seen
                .borrow_mut()
                .entry(result.as_ref().map_or_else(Error::code, |_| "ok"))
                .or_default() += 1;
            check_evaluated(&fragment, pending, now, result)
        })
        .unwrap();
    let seen = seen.into_inner();
    eprintln!("evaluate outcomes over {total} cases: {seen:?}");
    for outcome in [
        "ok",
        "state_mismatch",
        "authorization_denied",
        "invalid_callback",
    ] {
        let n = seen.get(outcome).copied().unwrap_or(0);
        assert!(
            n * 50 >= total,
            "only {n} of {total} cases were {outcome}: {seen:?}"
        );
    }
}

fn check_evaluated(
    fragment: &str,
    pending: Option<PendingSignIn>,
    now: u64,
    result: Result<SignedIn, Error>,
) -> Result<(), TestCaseError> {
    match result.map_err(Error::into_kind) {
        Ok(signed_in) => {
            let pending = pending.expect("accepted without a pending sign-in");
            let states = values_of(fragment, "state");
            prop_assert_eq!(states.len(), 1);
            prop_assert!(pending.state.matches(&states[0]));
            prop_assert!(values_of(fragment, "error").is_empty());
            let record = signed_in.record;
            let token = values_of(fragment, "access_token");
            prop_assert_eq!(token.len(), 1);
            prop_assert_eq!(record.access_token().secret(), token[0].as_str());
            prop_assert!(is_b64token(record.access_token().secret()));
            let kind = values_of(fragment, "token_type");
            prop_assert!(kind.len() == 1 && kind[0].eq_ignore_ascii_case("bearer"));
            let expires_in = values_of(fragment, "expires_in");
            prop_assert_eq!(expires_in.len(), 1);
            let secs = seconds_from_text(&expires_in[0]).expect("accepted a bad expires_in");
            let expected = (u128::from(now) + u128::from(secs) * 1000).min(u128::from(MAX_TIME_MS));
            prop_assert_eq!(u128::from(record.expires_at_ms()), expected);
            if let Some(r) = record.refresh_token() {
                prop_assert!(
                    !r.secret().is_empty() && r.secret().bytes().all(|b| b.is_ascii_graphic())
                );
            }
            prop_assert_eq!(signed_in.return_to, pending.return_to);
            // The stored form is one JSON object, control characters escaped (RFC 8259 §7).
            let json = record.to_json();
            prop_assert!(json.starts_with('{') && json.ends_with('}'), "{}", json);
            prop_assert!(!json.bytes().any(|b| b < 0x20), "{}", json);
        }
        Err(ErrorKind::StateMismatch) => {}
        Err(ErrorKind::AuthorizationDenied { error, description }) => {
            prop_assert!(pending.is_some());
            prop_assert!(error.len() <= 500);
            prop_assert!(description.is_none_or(|d| d.len() <= 500));
        }
        Err(ErrorKind::InvalidCallback(why)) => prop_assert!(!why.is_empty()),
        Err(other) => prop_assert!(false, "unexpected error {:?}", other),
    }
    Ok(())
}

proptest! {
    #![proptest_config(cases(CASES))]

    /// Without a pending sign-in nothing is ever accepted, whatever the fragment.
    #[test]
    fn evaluate_without_pending_is_always_state_mismatch_or_malformed(fragment in fragment(), now in now_ms()) {
        let code = evaluate(&fragment, None, now).map(|_| "ok").unwrap_or_else(|e| e.code());
        prop_assert!(matches!(code, "state_mismatch" | "invalid_callback"), "{}", code);
    }

    /// A well-formed response with the right state is always accepted, values intact.
    #[test]
    fn evaluate_accepts_every_well_formed_response(
        token in "[A-Za-z0-9._~+/-]{1,200}={0,2}",
        refresh in prop::option::of("[!-~]{1,100}"),
        kind in "[bB][eE][aA][rR][eE][rR]",
        secs in 1u64..,
        now in 0u64..MAX_TIME_MS,
        shuffle in any::<prop::sample::Index>(),
    ) {
        let mut pairs = vec![
            format!("access_token={}", form_encode(&token)),
            format!("token_type={kind}"),
            format!("expires_in={secs}"),
            format!("state={PENDING_STATE}"),
        ];
        if let Some(r) = &refresh {
            pairs.push(format!("refresh_token={}", form_encode(r)));
        }
        let at = shuffle.index(pairs.len());
        pairs.swap(0, at);
        let fragment = pairs.join("&");
        prop_assert!(is_oauth_response(&fragment));
        let pending = PendingSignIn { state: State::new(PENDING_STATE), return_to: None, verifier: None };
        let ok = evaluate(&fragment, Some(&pending), now).unwrap();
        prop_assert_eq!(ok.record.access_token().secret(), token.as_str());
        prop_assert_eq!(ok.record.refresh_token().map(|r| r.secret().to_owned()), refresh);
        prop_assert!(ok.record.expires_at_ms() > now && ok.record.expires_at_ms() <= MAX_TIME_MS);
    }
}

proptest! {
    #![proptest_config(cases(MANY))]

    /// Never panics, and says yes exactly when a segment's key is one of the three OAuth keys.
    #[test]
    fn is_oauth_response_never_panics(fragment in fragment()) {
        let expected = fragment.split('&').any(|segment| {
            let key = segment.split_once('=').map_or(segment, |(k, _)| k);
            matches!(key, "access_token" | "error" | "state")
        });
        prop_assert_eq!(is_oauth_response(&fragment), expected);
    }

    /// An app's own hash routes (`/orders`, `/a?state=1`) are never taken for a response.
    #[test]
    fn hash_routes_are_not_oauth_responses(route in "/[!-~]{0,60}") {
        prop_assume!(!route.contains("&access_token") && !route.contains("&error") && !route.contains("&state"));
        prop_assert!(!is_oauth_response(&route));
    }
}

// ---------------------------------------------------------------------------------------------
// The authorize URL
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(cases(CASES))]

    /// Whatever valid configuration and state, the authorize URL parses as a URL on the
    /// configured origin and path, and its query decodes back to exactly the parameters sent.
    #[test]
    fn authorize_url_round_trips(raw in raw_config(), state in "[\\x00-\\x7f]{1,64}") {
        let Ok(config) = ValidConfig::new(&raw) else { return Ok(()) };
        let url = authorize::authorize_url(&config, &State::new(state.clone()), None).unwrap();
        let parsed = HttpUrl::parse(&url).unwrap();
        let base = HttpUrl::parse(raw.authorize_url.as_deref().unwrap()).unwrap();
        prop_assert_eq!(parsed.origin(), base.origin());
        prop_assert_eq!(parsed.path(), base.path());
        prop_assert_eq!(parsed.fragment(), None);
        let pairs = parse_form(parsed.query().unwrap()).unwrap();
        let own = base.query().map(|q| parse_form(q).unwrap()).unwrap_or_default();
        prop_assert_eq!(&pairs[..own.len()], &own[..]);
        let redirect = config.redirect_uri().unwrap().as_str().to_owned();
        let expected = [
            ("response_type", "token"),
            ("client_id", config.client_id().as_str()),
            ("redirect_uri", redirect.as_str()),
            ("scope", config.scope().as_str()),
            ("state", state.as_str()),
        ];
        let got: Vec<(&str, &str)> = pairs[own.len()..].iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        prop_assert_eq!(got, expected);
        // The redirect URI itself survives the trip and still parses to the configured one.
        let reparsed = HttpUrl::parse(&redirect).unwrap();
        prop_assert_eq!(reparsed.as_str(), redirect.as_str());
    }

    /// `returnTo` that survives sanitising is a same-origin path: one leading `/`, no
    /// backslash, no control character, no space.
    #[test]
    fn sanitized_return_to_is_a_same_origin_path(return_to in prop_oneof![hostile_text(), "/[!-~]{0,30}", "[/\\\\]{1,3}[a-z.]{0,12}"]) {
        if let Some(kept) = authorize::sanitize_return_to(&return_to) {
            prop_assert_eq!(&kept, &return_to);
            prop_assert!(kept.starts_with('/') && !kept.starts_with("//") && !kept.starts_with("/\\"));
            prop_assert!(!kept.bytes().any(|b| b.is_ascii_control() || b == b'\\' || b == b' '));
            // Resolved against any page, it stays on that page's origin.
            let page = HttpUrl::parse("https://portal.example.com/app/").unwrap();
            if let Ok(joined) = HttpUrl::parse(&format!("{}{}", page.origin(), kept)) {
                prop_assert_eq!(joined.origin(), page.origin());
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Headers
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(cases(CASES))]

    /// Whatever the configuration and token that pass validation, every header value is a
    /// valid HTTP field value: visible ASCII and spaces, never CR, LF or NUL.
    #[test]
    fn header_values_never_contain_cr_or_lf(raw in raw_config(), token in token_text(), now in now_ms()) {
        let Ok(config) = ValidConfig::new(&raw) else { return Ok(()) };
        let Ok(record) = TokenRecord::from_grant(&token, None, 3600, None, now) else {
            prop_assert!(!is_b64token(&token));
            return Ok(());
        };
        for (name, value) in headers::api_headers(&config, record.access_token()) {
            prop_assert!(!name.is_empty() && name.bytes().all(|b| b.is_ascii_graphic()));
            prop_assert!(!value.contains('\r') && !value.contains('\n'), "{}: {:?}", name, value);
            prop_assert!(value.bytes().all(|b| b == b' ' || b.is_ascii_graphic()), "{}: {:?}", name, value);
            prop_assert!(!value.starts_with(' ') && !value.ends_with(' '));
        }
    }

    /// The same holds for tokens from the redirect: nothing `evaluate` accepts breaks a header.
    #[test]
    fn accepted_callback_tokens_are_header_safe(token in prop_oneof![token_text(), hostile_text()]) {
        let fragment = format!("access_token={}&token_type=Bearer&expires_in=60&state={PENDING_STATE}", form_encode(&token));
        let pending = PendingSignIn { state: State::new(PENDING_STATE), return_to: None, verifier: None };
        if let Ok(ok) = evaluate(&fragment, Some(&pending), 0) {
            let bearer = format!("Bearer {}", ok.record.access_token().secret());
            prop_assert!(bearer.bytes().all(|b| b == b' ' || b.is_ascii_graphic()));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Expiry arithmetic
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(cases(MANY))]

    /// `now + expires_in * 1000` never overflows and never passes `MAX_TIME_MS`, at the epoch,
    /// in the far future and anywhere between.
    #[test]
    fn expiry_never_overflows(
        expires_in in prop_oneof![Just(u64::MAX), Just(u64::MAX / 1000 + 1), 1u64..100_000, any::<u64>()],
        now in now_ms(),
        skew in any::<u64>(),
        later in any::<u64>(),
    ) {
        let record = TokenRecord::from_grant("tok", Some("r"), expires_in, None, now).unwrap();
        let exact = u128::from(now) + u128::from(expires_in) * 1000;
        prop_assert_eq!(u128::from(record.expires_at_ms()), exact.min(u128::from(MAX_TIME_MS)));
        prop_assert!(record.expires_at_ms() <= MAX_TIME_MS);
        // Representable exactly as a JavaScript number.
        prop_assert!(record.expires_at_ms() <= (1u64 << 53));
        let _ = (record.is_expired(later), record.expires_within(later, skew));
        if later >= record.expires_at_ms() {
            prop_assert!(record.is_expired(later) && record.expires_within(later, skew));
        }
        let json = record.to_json();
        let expected = format!("\"expiresAt\":{}", record.expires_at_ms());
        prop_assert!(json.contains(&expected), "{}", json);
        // Restoring the stored expiry (and refresh count) gives the same record.
        let restored = TokenRecord::restore("tok", Some("r"), record.expires_at_ms(), None, None).unwrap();
        prop_assert_eq!(restored.with_refreshes(record.refreshes()), record);
    }

    /// `expires_in` from text or a JSON number: never panics, `Some` only for positive integers.
    #[test]
    fn expires_in_parsing_never_panics(text in hostile_text(), number in any::<f64>(), now in now_ms()) {
        if let Some(s) = seconds_from_text(&text) {
            prop_assert!(s >= 1 && !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()));
        }
        match seconds_from_number(number) {
            Some(s) => prop_assert!(s >= 1 && number.is_finite() && number >= 1.0 && number.fract() == 0.0),
            None => prop_assert!(!(number.is_finite() && number >= 1.0 && number.fract() == 0.0)),
        }
        let from_text = TokenRecord::from_response(Some("a"), Some("Bearer"), seconds_from_text(&text), None, None, now);
        let from_number = TokenRecord::from_response(Some("a"), Some("Bearer"), seconds_from_number(number), None, None, now);
        for r in [from_text, from_number].into_iter().flatten() {
            prop_assert!(r.expires_at_ms() <= MAX_TIME_MS);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// URLs and form encoding
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(cases(MANY))]

    /// Never panics on any string; when it accepts, the parts put back together are the
    /// normalised URL, parsing that again changes nothing, and the origin parses to itself.
    #[test]
    fn http_url_parse_never_panics_and_round_trips(input in prop_oneof![
        any::<String>(),
        "[\\x00-\\x7f]{0,60}",
        "(?i:https?)://[a-zA-Z0-9.:@\\[\\]_-]{0,20}[/?#]?[!-~]{0,20}",
        base_url(true),
    ]) {
        let Ok(url) = HttpUrl::parse(&input) else { return Ok(()) };
        let mut rebuilt = format!("{}{}", url.origin(), url.path());
        if let Some(q) = url.query() {
            rebuilt.push('?');
            rebuilt.push_str(q);
        }
        if let Some(f) = url.fragment() {
            rebuilt.push('#');
            rebuilt.push_str(f);
        }
        prop_assert_eq!(rebuilt.as_str(), url.as_str());
        let again = HttpUrl::parse(url.as_str()).unwrap();
        prop_assert_eq!(&again, &url);
        let origin = HttpUrl::parse(url.origin()).unwrap();
        prop_assert_eq!(origin.origin(), url.origin());
        prop_assert_eq!(origin.path(), "/");
        prop_assert!(url.path().starts_with('/'));
        prop_assert!(url.origin().starts_with("https://") || url.origin().starts_with("http://"));
        prop_assert_eq!(url.host(), url.host().to_ascii_lowercase());
        prop_assert!(!url.host().is_empty() && !url.host().contains(['@', '/', '\\']));
        prop_assert!(url.as_str().bytes().all(|b| b.is_ascii_graphic() && b != b'\\'));
    }

    /// ASCII strings survive encoding and decoding; the encoded form is plain and unambiguous.
    #[test]
    fn form_encoding_round_trips_ascii(s in "[\\x00-\\x7f]{0,100}") {
        let encoded = form_encode(&s);
        prop_assert!(encoded.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~%+*".contains(&b)), "{}", encoded);
        prop_assert_eq!(form_decode(&encoded), Ok(s.clone()));
        let pairs = parse_form(&format!("k={encoded}&{encoded}={encoded}")).unwrap();
        prop_assert_eq!(&pairs[0].1, &s);
        if !s.is_empty() {
            prop_assert_eq!(&pairs[1], &(s.clone(), s.clone()));
        }
    }

    /// Anything else: never panics, and non-ASCII text is refused rather than mangled.
    #[test]
    fn form_decoding_never_panics(s in any::<String>(), noise in hostile_text()) {
        let decoded = form_decode(&form_encode(&s));
        if s.is_ascii() {
            prop_assert_eq!(decoded, Ok(s));
        } else {
            prop_assert_eq!(decoded, Err(DecodeError::NotAscii));
        }
        if let Ok(d) = form_decode(&noise) {
            prop_assert!(d.is_ascii());
        }
        let _ = parse_form(&noise);
    }
}
