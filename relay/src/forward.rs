//! One upstream call: the browser's checked parameters plus the client's credentials to
//! Tangoe, and Tangoe's answer (or a 502) back.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::answer::{self, OAuthError};
use crate::client_auth::compose;
use crate::log::Upstreamed;
use crate::upstream::{Answer, Failure};
use crate::values::UpstreamUrl;
use crate::Relay;

/// The 502 for a call that got no usable answer. `temporarily_unavailable` because the
/// browser's best move is to try again later; the description says what went wrong.
fn bad_gateway(failure: Failure, endpoint: &str, relay: &Relay) -> Response {
    let why = match failure {
        Failure::Unreachable => format!("Tangoe's {endpoint} could not be reached"),
        Failure::Broken => format!("the connection to Tangoe's {endpoint} broke"),
        Failure::Timeout => format!(
            "Tangoe's {endpoint} did not answer within {} ms",
            relay.config.timeout.as_millis()
        ),
        Failure::Garbage => format!("Tangoe's {endpoint} did not answer with a JSON object"),
    };
    OAuthError::new(StatusCode::BAD_GATEWAY, "temporarily_unavailable", why).into_response()
}

/// POSTs `params` to `url` (named `endpoint` in errors); `empty_ok` accepts an empty 2xx.
pub async fn forward(
    relay: &Relay,
    url: &UpstreamUrl,
    params: &[(&str, &str)],
    endpoint: &str,
    empty_ok: bool,
) -> (Response, Upstreamed) {
    let out = compose(&relay.config, url, params);
    match relay.upstream.post(out, empty_ok).await {
        Ok(Answer::Json(status, body)) => (
            answer::json_bytes(status, body),
            Upstreamed::Status(status.as_u16()),
        ),
        Ok(Answer::Empty(status)) => (answer::empty(status), Upstreamed::Status(status.as_u16())),
        Err(f) => (
            bad_gateway(f, endpoint, relay),
            Upstreamed::Failed(f.label()),
        ),
    }
}
