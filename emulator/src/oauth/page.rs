//! The HTML of the sign-in page and the error page.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};

use crate::hint::LogNote;

/// Escapes text for HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:sans-serif;max-width:24rem;margin:4rem auto;padding:0 1rem}\
label,input,button{display:block;width:100%;margin:.3rem 0}input{padding:.4rem}\
button{padding:.5rem;margin-top:.8rem}#error{color:#b00020}p{overflow-wrap:anywhere}";

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{title}</title><style>{STYLE}</style></head><body>{body}</body></html>\n"
    );
    let mut resp = (status, Html(html)).into_response();
    let h = resp.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    resp
}

/// The sign-in form; `hidden` are the OAuth parameters carried to the POST.
pub fn sign_in(hidden: &[(&str, &str)], error: Option<&str>, username: &str) -> Response {
    let fields: String = hidden
        .iter()
        .map(|(k, v)| {
            let (k, v) = (escape(k), escape(v));
            format!("<input type=\"hidden\" name=\"{k}\" value=\"{v}\">")
        })
        .collect();
    let error = error
        .map(|e| format!("<p id=\"error\" role=\"alert\">{}</p>", escape(e)))
        .unwrap_or_default();
    let body = format!(
        "<h1>Tangoe sign-in</h1>{error}\
         <form method=\"post\" action=\"/as/authorization.oauth2\">{fields}\
         <label for=\"username\">Username</label>\
         <input id=\"username\" name=\"username\" autocomplete=\"username\" value=\"{}\" required autofocus>\
         <label for=\"password\">Password</label>\
         <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required>\
         <button id=\"sign-in\" type=\"submit\" name=\"action\" value=\"sign-in\">Sign in</button>\
         <button id=\"cancel\" type=\"submit\" name=\"action\" value=\"cancel\" formnovalidate>Cancel</button>\
         </form>",
        escape(username)
    );
    page(StatusCode::OK, "Tangoe sign-in", &body)
}

/// A 400 page for requests that cannot be redirected back (RFC 6749 §4.2.2.1): the first
/// sentence is the error (`#error`), the others what was received, what is registered and
/// how to fix it (`.hint`). The request's log line ends with all of them.
pub fn error_page(sentences: &[String]) -> Response {
    let mut body = String::from("<h1>Sign-in request rejected</h1>");
    for (i, s) in sentences.iter().enumerate() {
        let attr = if i == 0 {
            "id=\"error\""
        } else {
            "class=\"hint\""
        };
        body.push_str(&format!("<p {attr}>{}</p>", escape(s)));
    }
    let mut resp = page(StatusCode::BAD_REQUEST, "Tangoe sign-in error", &body);
    resp.extensions_mut().insert(LogNote(sentences.join(" ")));
    resp
}
