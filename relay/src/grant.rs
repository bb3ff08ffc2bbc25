//! `POST /token`: only the refresh grant and PingFederate's validate grant pass, with
//! exactly the parameters they need; everything else is refused here and never forwarded.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::answer::OAuthError;
use crate::form::{self, Form};
use crate::forward::forward;
use crate::log::{grant_label, noted, Note};
use crate::Relay;

/// The refresh grant.
pub const REFRESH: &str = "refresh_token";
/// PingFederate's grant type for token validation.
pub const VALIDATE_BEARER: &str = "urn:pingidentity.com:oauth2:grant_type:validate_bearer";

/// The parameters forwarded for `form`: `grant_type`, then `refresh_token` and `scope` (if
/// sent) for a refresh, or `token` for a validation. Anything else the browser sent is
/// dropped; the client's credentials are added later (see [`crate::client_auth`]).
pub fn forwarded<'a>(
    form: &'a Form,
    client_id: &str,
) -> Result<Vec<(&'static str, &'a str)>, OAuthError> {
    let grant = form
        .get("grant_type")
        .ok_or_else(|| OAuthError::invalid_request("grant_type is required"))?;
    let (grant, needed) = match grant {
        REFRESH => (REFRESH, "refresh_token"),
        VALIDATE_BEARER => (VALIDATE_BEARER, "token"),
        _ => {
            let why = format!("the relay forwards only the {REFRESH} and {VALIDATE_BEARER} grants");
            return Err(OAuthError::new(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                why,
            ));
        }
    };
    form.check_client(client_id)?;
    let value = form
        .get(needed)
        .ok_or_else(|| OAuthError::invalid_request(format!("{needed} is required")))?;
    let mut params = vec![("grant_type", grant), (needed, value)];
    if grant == REFRESH {
        if let Some(scope) = form.get("scope") {
            params.push(("scope", scope));
        }
    }
    Ok(params)
}

/// The handler.
pub async fn post(State(relay): State<Arc<Relay>>, req: Request) -> Response {
    let form = match form::read(req, relay.config.timeout).await {
        Ok(f) => f,
        Err(e) => return e.into_response(),
    };
    let mut note = Note {
        grant: Some(grant_label(form.get("grant_type"))),
        ..Note::default()
    };
    let params = match forwarded(&form, &relay.config.client_id) {
        Ok(p) => p,
        Err(e) => return noted(e.into_response(), note),
    };
    let (resp, upstream) = forward(
        &relay,
        &relay.config.token_url,
        &params,
        "token endpoint",
        false,
    )
    .await;
    note.upstream = upstream;
    noted(resp, note)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn fwd(body: &str) -> Result<Vec<(&'static str, String)>, (u16, &'static str)> {
        let form = Form::parse(body.as_bytes()).unwrap();
        forwarded(&form, "portal")
            .map(|v| v.into_iter().map(|(k, v)| (k, v.to_string())).collect())
            .map_err(|e| (e.status.as_u16(), e.code))
    }

    #[test]
    fn refresh_keeps_only_what_it_needs() {
        let p = fwd("grant_type=refresh_token&refresh_token=r1&scope=MOBPROC&client_id=portal&extra=1&username=u")
            .unwrap();
        let expected = [
            ("grant_type", "refresh_token"),
            ("refresh_token", "r1"),
            ("scope", "MOBPROC"),
        ];
        assert_eq!(p, expected.map(|(k, v)| (k, v.to_string())));
        let p = fwd("grant_type=refresh_token&refresh_token=r1").unwrap();
        assert_eq!(p.len(), 2);
    }

    #[test]
    fn validate_keeps_only_the_token() {
        let body = format!(
            "grant_type={}&token=t1&scope=MOBPROC",
            VALIDATE_BEARER.replace(':', "%3A")
        );
        let p = fwd(&body).unwrap();
        let expected = [("grant_type", VALIDATE_BEARER), ("token", "t1")];
        assert_eq!(p, expected.map(|(k, v)| (k, v.to_string())));
    }

    #[test]
    fn refusals() {
        let unsupported = Err((400, "unsupported_grant_type"));
        assert_eq!(
            fwd("grant_type=password&username=u&password=p"),
            unsupported
        );
        assert_eq!(fwd("grant_type=authorization_code&code=c"), unsupported);
        assert_eq!(fwd("grant_type=client_credentials"), unsupported);
        assert_eq!(fwd("grant_type=REFRESH_TOKEN&refresh_token=r"), unsupported);
        let invalid = Err((400, "invalid_request"));
        assert_eq!(fwd(""), invalid);
        assert_eq!(fwd("grant_type="), invalid);
        assert_eq!(fwd("grant_type=refresh_token"), invalid);
        assert_eq!(fwd("grant_type=refresh_token&refresh_token="), invalid);
        assert_eq!(
            fwd("grant_type=refresh_token&refresh_token=r&client_secret=s"),
            invalid
        );
        let body = format!("grant_type={VALIDATE_BEARER}");
        assert_eq!(fwd(&body), invalid);
        assert_eq!(
            fwd("grant_type=refresh_token&refresh_token=r&client_id=x"),
            Err((401, "invalid_client"))
        );
    }
}
