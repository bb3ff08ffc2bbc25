//! The token endpoint's answer: `TokenRecord::from_response` with every field taken from the
//! input, `expires_in` both as a JSON number and as redirect text, at any clock.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mobproc_auth::token::{seconds_from_number, seconds_from_text, TokenRecord, MAX_TIME_MS};

type Answer<'a> = (
    Option<&'a str>,
    Option<&'a str>,
    f64,
    &'a str,
    Option<&'a str>,
    Option<&'a str>,
    u64,
);

fuzz_target!(|answer: Answer<'_>| {
    let (access, kind, expires_number, expires_text, refresh, scope, now) = answer;
    for expires_in in [
        seconds_from_number(expires_number),
        seconds_from_text(expires_text),
    ] {
        if let Some(s) = expires_in {
            assert!(s >= 1);
        }
        let Ok(record) = TokenRecord::from_response(access, kind, expires_in, refresh, scope, now)
        else {
            continue;
        };
        assert!(kind.is_some_and(|k| k.eq_ignore_ascii_case("bearer")));
        assert_eq!(Some(record.access_token().secret()), access);
        assert!(record.expires_at_ms() <= MAX_TIME_MS);
        let header = format!("Bearer {}", record.access_token().secret());
        assert!(header.bytes().all(|b| b == b' ' || b.is_ascii_graphic()));
        if let Some(r) = record.refresh_token() {
            assert!(r.secret().bytes().all(|b| b.is_ascii_graphic()));
        }
        // What is stored comes back as the same record.
        let restored = TokenRecord::restore(
            record.access_token().secret(),
            record.refresh_token().map(|r| r.secret()),
            record.expires_at_ms(),
            record.scope(),
            record.session_id().cloned(),
        );
        assert_eq!(restored.as_ref(), Ok(&record));
        assert!(!record.to_json().bytes().any(|b| b < 0x20));
    }
});
