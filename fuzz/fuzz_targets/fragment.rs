//! The redirect fragment: `is_oauth_response` and `callback::evaluate` on any bytes, with and
//! without a pending sign-in. Must never panic; what it accepts must be a usable record.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mobproc_auth::callback::{evaluate, is_oauth_response, PendingSignIn};
use mobproc_auth::error::ErrorKind;
use mobproc_auth::secret::State;
use mobproc_auth::token::{is_b64token, MAX_TIME_MS};

/// The state the seeds and the dictionary use.
const STATE: &str = "s";

fuzz_target!(|data: &[u8]| {
    // The first byte picks the pending sign-in and the clock; the rest is the fragment.
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let fragment = String::from_utf8_lossy(rest);
    let _ = is_oauth_response(&fragment);
    let pending = (mode & 1 == 1).then(|| PendingSignIn {
        state: State::new(STATE),
        return_to: Some("/orders".into()),
        verifier: None,
    });
    let now = match mode >> 1 & 3 {
        0 => 0,
        1 => u64::MAX,
        2 => MAX_TIME_MS,
        _ => 1_700_000_000_000,
    };
    match evaluate(&fragment, pending.as_ref(), now) {
        Ok(signed_in) => {
            assert!(pending.is_some(), "accepted without a pending sign-in");
            assert!(is_oauth_response(&fragment));
            let record = signed_in.record;
            assert!(is_b64token(record.access_token().secret()));
            assert!(record.expires_at_ms() <= MAX_TIME_MS);
            assert!(record.expires_at_ms() > now.min(MAX_TIME_MS - 1));
            assert!(!record.to_json().bytes().any(|b| b < 0x20));
        }
        Err(error) => match error.kind() {
            ErrorKind::AuthorizationDenied { error, description } => {
                assert!(pending.is_some());
                assert!(error.len() <= 500 && description.as_ref().is_none_or(|d| d.len() <= 500));
            }
            ErrorKind::StateMismatch | ErrorKind::InvalidCallback(_) => {}
            other => panic!("unexpected error {other:?}"),
        },
    }
});
