//! One log line per request (never a token, password or secret), written to stdout and to
//! the journal with an API request record. A refused sign-in or cross-origin request ends its
//! line with ` | ` and the reason and fix ([`LogNote`]).

use std::io::Write;

use crate::hint::LogNote;
use crate::journal::entries::ApiRecord;
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;

/// Keeps at most 64 safe characters of a header value meant for troubleshooting.
fn clean(v: &str) -> String {
    v.chars()
        .take(64)
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.:/@".contains(c) {
                c
            } else {
                '?'
            }
        })
        .collect()
}

fn header(h: &HeaderMap, name: &str) -> Option<String> {
    h.get(name)
        .map(|v| clean(&String::from_utf8_lossy(v.as_bytes())))
}

fn present(h: &HeaderMap) -> Vec<&'static str> {
    let names = [
        "X-TNGO-TENANT",
        "client_id",
        "Authorization",
        "X-TNGO-CONTEXT-EMPLOYEEID",
        "X-TNGO-CONTEXT-COMPANYEMPLOYEEID",
        "X-TNGO-CONTEXT-HIERARCHYID",
        "X-TNGO-CONTEXT-ACTIVITYID",
        "X-TNGO-CONTEXT-CORRELATIONID",
    ];
    names.into_iter().filter(|n| h.contains_key(*n)).collect()
}

/// Short names of the headers present, for the log line.
fn flags(h: &HeaderMap) -> String {
    let mut out = Vec::new();
    let simple = [
        ("X-TNGO-TENANT", "tenant"),
        ("client_id", "client_id"),
        ("X-TNGO-CONTEXT-EMPLOYEEID", "emp"),
        ("X-TNGO-CONTEXT-COMPANYEMPLOYEEID", "cemp"),
        ("X-TNGO-CONTEXT-HIERARCHYID", "hier"),
    ];
    for (name, short) in simple {
        if h.contains_key(name) {
            out.push(short.to_string());
        }
    }
    if let Some(v) = h.get("authorization") {
        let scheme = String::from_utf8_lossy(v.as_bytes());
        let scheme = scheme
            .split(' ')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        out.push(if scheme == "basic" { "basic" } else { "bearer" }.to_string());
    }
    if let Some(v) = header(h, "X-TNGO-CONTEXT-CORRELATIONID") {
        out.push(format!("corr={v}"));
    }
    if let Some(v) = header(h, "X-TNGO-CONTEXT-ACTIVITYID") {
        out.push(format!("act={v}"));
    }
    if out.is_empty() {
        "-".into()
    } else {
        out.join(" ")
    }
}

/// Middleware: writes the log line after the response is known.
pub async fn middleware(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let method = req.method().to_string();
    let path = req.uri().path().to_string();
    let headers = req.headers().clone();
    let preflight = req.method() == axum::http::Method::OPTIONS;
    let resp = next.run(req).await;
    let status = resp.status().as_u16();
    let mut line = format!("{method} {path} {status} {}", flags(&headers));
    // Why the emulator refused, and the flag that fixes it (a sign-in or CORS refusal).
    if let Some(LogNote(note)) = resp.extensions().get::<LogNote>() {
        line.push_str(" | ");
        line.push_str(note);
    }
    if state.config.print_log {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    }
    let mut inner = state.lock();
    inner.journal.push_line(line);
    if path.starts_with("/mobproc/") && !preflight {
        inner.journal.api_requests += 1;
        inner.journal.push_record(ApiRecord {
            method,
            path,
            status,
            headers_present: present(&headers),
            correlation_id: header(&headers, "X-TNGO-CONTEXT-CORRELATIONID"),
            activity_id: header(&headers, "X-TNGO-CONTEXT-ACTIVITYID"),
            tenant: header(&headers, "X-TNGO-TENANT"),
        });
    }
    resp
}
