//! One line per request on stderr: method, path, origin, grant type, the relay's status,
//! Tangoe's status and milliseconds. Never a token, code or secret: the method, the path and
//! the grant type are reduced to fixed words (a path that is no route of the relay, which may
//! carry a token a caller put there, is `[other]`), and the origin is cleaned and capped, so
//! nothing the caller sends is copied whole.

use std::io::Write;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;

use crate::grant::{REFRESH, VALIDATE_BEARER};
use crate::Relay;

/// What happened upstream, for the log line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Upstreamed {
    /// Nothing was forwarded.
    #[default]
    No,
    /// Tangoe answered with this status.
    Status(u16),
    /// No usable answer (see [`crate::upstream::Failure::label`]).
    Failed(&'static str),
}

/// What a handler tells the log line, carried in the response's extensions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Note {
    /// The grant type as a fixed word (see [`grant_label`]), if a form was read.
    pub grant: Option<&'static str>,
    /// The upstream outcome.
    pub upstream: Upstreamed,
}

/// Attaches `note` to `resp` for the log line.
pub fn noted(mut resp: Response, note: Note) -> Response {
    resp.extensions_mut().insert(note);
    resp
}

/// The grant type as one of a fixed set of words, so an odd value cannot carry anything
/// into the log.
pub fn grant_label(grant: Option<&str>) -> &'static str {
    match grant {
        None => "none",
        Some(REFRESH) => "refresh_token",
        Some(VALIDATE_BEARER) => "validate_bearer",
        Some("password") => "password",
        Some("authorization_code") => "authorization_code",
        Some("client_credentials") => "client_credentials",
        Some(_) => "other",
    }
}

/// At most 64 characters of a caller-supplied value, anything unusual replaced by `?`.
fn clean(value: &str) -> String {
    let ok = |c: char| c.is_ascii_alphanumeric() || "-._:/[]".contains(c);
    value
        .chars()
        .take(64)
        .map(|c| if ok(c) { c } else { '?' })
        .collect()
}

/// The path as logged: one of the relay's routes, else `[other]` (a caller's path may carry
/// a token or a secret, even a prefix of which must not reach a log).
fn route_label(path: &str) -> &'static str {
    match path {
        "/token" => "/token",
        "/revoke" => "/revoke",
        "/healthz" => "/healthz",
        _ => "[other]",
    }
}

/// The method as logged: a standard one, else `other`.
fn method_label(method: &str) -> &'static str {
    const KNOWN: [&str; 7] = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"];
    KNOWN.into_iter().find(|m| *m == method).unwrap_or("other")
}

/// The line for one request.
pub fn line(
    method: &str,
    path: &str,
    origin: Option<&str>,
    status: u16,
    note: Note,
    ms: u128,
) -> String {
    let upstream = match note.upstream {
        Upstreamed::No => "-".to_string(),
        Upstreamed::Status(s) => s.to_string(),
        Upstreamed::Failed(why) => why.to_string(),
    };
    format!(
        "{} {} origin={} grant={} status={status} upstream={upstream} ms={ms}",
        method_label(method),
        route_label(path),
        origin.map_or("-".to_string(), clean),
        note.grant.unwrap_or("-"),
    )
}

/// The line of a request under way, written when it is dropped: with the answer's status
/// and note once known, else (the caller hung up, and the request was dropped) as
/// `status=499 upstream=abandoned`: Tangoe may have been asked, and may have rotated a refresh
/// token, so the call must show in the log all the same.
struct Pending {
    log: bool,
    started: Instant,
    method: String,
    path: String,
    origin: Option<String>,
    answered: Option<(u16, Note)>,
}

impl Drop for Pending {
    fn drop(&mut self) {
        if !self.log {
            return;
        }
        let (status, note) = self.answered.take().unwrap_or((
            499,
            Note {
                grant: None,
                upstream: Upstreamed::Failed("abandoned"),
            },
        ));
        let ms = self.started.elapsed().as_millis();
        let text = line(
            &self.method,
            &self.path,
            self.origin.as_deref(),
            status,
            note,
            ms,
        );
        // A closed stderr must not take the request down with it.
        let _ = writeln!(std::io::stderr().lock(), "{text}");
    }
}

/// Middleware: writes the line once the response is known, or once the caller has hung up
/// (`Pending`). The query string is never logged.
pub async fn middleware(State(relay): State<Arc<Relay>>, req: Request, next: Next) -> Response {
    let mut pending = Pending {
        log: relay.config.log,
        started: Instant::now(),
        method: req.method().to_string(),
        path: req.uri().path().to_string(),
        origin: req
            .headers()
            .get(header::ORIGIN)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()),
        answered: None,
    };
    let mut resp = next.run(req).await;
    let note = resp.extensions_mut().remove::<Note>().unwrap_or_default();
    pending.answered = Some((resp.status().as_u16(), note));
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_shape() {
        let note = Note {
            grant: Some("refresh_token"),
            upstream: Upstreamed::Status(200),
        };
        assert_eq!(
            line("POST", "/token", Some("http://127.0.0.1:8080"), 200, note, 12),
            "POST /token origin=http://127.0.0.1:8080 grant=refresh_token status=200 upstream=200 ms=12"
        );
        assert_eq!(
            line("GET", "/healthz", None, 200, Note::default(), 0),
            "GET /healthz origin=- grant=- status=200 upstream=- ms=0"
        );
        let failed = Note {
            grant: Some("validate_bearer"),
            upstream: Upstreamed::Failed("timeout"),
        };
        assert!(line("POST", "/token", None, 502, failed, 3).contains("upstream=timeout"));
    }

    #[test]
    fn caller_values_are_cleaned_and_capped() {
        let path = format!("/token/{}", "x y\"z".repeat(30));
        let l = line(
            "POST",
            &path,
            Some("http://e vil\n"),
            404,
            Note::default(),
            1,
        );
        assert!(l.starts_with("POST [other] "), "{l}");
        assert!(l.contains("origin=http://e?vil? "));
        assert!(!l.contains('\n') && !l.contains('"'));
        // A method is the caller's text too (any token characters, any length).
        let method = format!("RT-SECRET-{}", "A".repeat(200_000));
        let l = line(&method, "/token", None, 403, Note::default(), 1);
        assert!(l.starts_with("other /token "), "{l}");
        assert!(!l.contains("SECRET"));
        assert!(line("OPTIONS", "/revoke", None, 204, Note::default(), 1)
            .starts_with("OPTIONS /revoke "));
        assert_eq!(grant_label(Some("refresh_token")), "refresh_token");
        assert_eq!(grant_label(Some(VALIDATE_BEARER)), "validate_bearer");
        assert_eq!(grant_label(Some("a-secret-looking-thing")), "other");
        assert_eq!(grant_label(None), "none");
    }
}
