//! Answers to an authorization request that go back to the app: a 302 to the registered
//! redirect URI with form-encoded parameters in the fragment (implicit grant, RFC 6749
//! §4.2.2) or in the query (authorization code grant, §4.1.2).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// Where the parameters of a redirect go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResponseMode {
    /// `redirect_uri#…`: the implicit grant, and errors of requests whose flow is unknown.
    Fragment,
    /// `redirect_uri?…` (or `…&…` when the URI has a query): the code grant.
    Query,
}

/// Where the answers to a checked authorization request go.
#[derive(Clone, Debug)]
pub struct Back {
    /// The registered redirect URI the request named.
    pub redirect_uri: String,
    /// The request's `state`, echoed exactly.
    pub state: Option<String>,
    /// Fragment or query.
    pub mode: ResponseMode,
}

impl Back {
    /// A 302 to the redirect URI with `pairs`, then `state`.
    pub fn with(&self, pairs: &[(&str, &str)]) -> Response {
        let mut ser = form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs {
            ser.append_pair(k, v);
        }
        if let Some(s) = &self.state {
            ser.append_pair("state", s);
        }
        let uri = &self.redirect_uri;
        let sep = match self.mode {
            ResponseMode::Fragment => "#",
            ResponseMode::Query if uri.ends_with(['?', '&']) => "",
            ResponseMode::Query if uri.contains('?') => "&",
            ResponseMode::Query => "?",
        };
        let location = format!("{uri}{sep}{}", ser.finish());
        let mut resp = StatusCode::FOUND.into_response();
        let h = resp.headers_mut();
        if let Ok(v) = HeaderValue::from_str(&location) {
            h.insert(header::LOCATION, v);
        }
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        h.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
        resp
    }

    /// A 302 with `error` and `error_description` (RFC 6749 §4.1.2.1, §4.2.2.1).
    pub fn error(&self, code: &str, description: &str) -> Response {
        self.with(&[("error", code), ("error_description", description)])
    }
}
