//! The MOBPROC developer portal in Rust: a plain wasm-bindgen page (no framework) on
//! `mobproc-auth`'s Rust API. Sign in with Tangoe, see the session, call `GET /ping` and
//! `GET /me`, sign out.
//!
//! `boot.js` loads this module and calls [`start`] with the portal's `/config.js` (the same
//! settings the JavaScript portal uses); everything after that is Rust. Run it with
//! `cargo xtask demo` and open <http://127.0.0.1:8080/rust/>.
//!
//! Nothing here panics: every failure, the library's or the browser's, is shown in the page's
//! error panel as a code and a message.
// Browser-only: a native build (`cargo test --workspace`) compiles an empty crate.
#![cfg(target_arch = "wasm32")]

use mobproc_auth::{Client, Config, Error, LoginOptions, ResponseType, Session};
use serde::Deserialize;
use std::future::Future;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{Document, HtmlElement, HtmlInputElement, Request, Url};

/// Starts the page: finishes a sign-in when Tangoe has just sent the browser back, wires the
/// buttons and shows the session. `config` is the default export of `/config.js`.
#[wasm_bindgen]
pub async fn start(config: JsValue) {
    let Some(document) = web_sys::window().and_then(|window| window.document()) else {
        return;
    };
    let page = Page(document);
    if let Err(failure) = App::start(&page, config).await {
        page.show_error(&failure);
    }
    page.set_visible("loading", false);
    if let Some(body) = page.0.body() {
        // For the end-to-end test: the page has settled.
        let _ = body.set_attribute("data-ready", "true");
    }
}

/// The part of `/config.js` this page reads (`www-example/serve.mjs` writes it in camelCase).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PortalConfig {
    client_id: String,
    tenant: String,
    api_base_url: String,
    authorize_url: String,
    token_url: Option<String>,
    revoke_url: Option<String>,
    /// `"code"` for the authorization code grant with PKCE (`cargo xtask demo --code`).
    response_type: Option<String>,
    refresh_skew_seconds: Option<u32>,
    timeout_ms: Option<u32>,
}

/// `GET /ping?echoText=…` answers `{"echoText": "…", "timestamp": "<RFC 3339>"}`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Ping {
    echo_text: String,
    timestamp: String,
}

/// `GET /me` answers the signed-in user and the employee the calls act for.
#[derive(Deserialize)]
struct Me {
    user: Person,
    actor: Person,
}

/// An employee as `/me` describes one.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Person {
    employee_id: String,
    name: String,
    email: String,
    /// The user's sign-in name (the actor has none).
    username: Option<String>,
}

/// The running page: its elements, the client, and where `/ping` lives.
#[derive(Clone)]
struct App {
    page: Page,
    client: Client,
    ping_url: String,
}

impl App {
    /// Creates the client, finishes a pending sign-in, wires the buttons and renders.
    async fn start(page: &Page, config: JsValue) -> Result<(), Failure> {
        let config: PortalConfig = serde_wasm_bindgen::from_value(config)?;
        // Tangoe sends the browser back to this page: `/rust/` on our own origin. The URI must
        // be registered for the client exactly as written here.
        let redirect_uri = Url::new_with_base("/rust/", &page.0.url()?)?.href();
        page.set_text("env-api", &config.api_base_url);
        for id in ["env-tenant", "identity-tenant"] {
            page.set_text(id, &config.tenant);
        }
        for id in ["env-client", "identity-client"] {
            page.set_text(id, &config.client_id);
        }
        let app = App {
            page: page.clone(),
            ping_url: format!("{}/ping", config.api_base_url),
            // `connect`, not `new`: a second tab of the portal takes the session of an open one.
            client: Client::connect(Config {
                client_id: config.client_id,
                tenant: config.tenant,
                api_base_url: config.api_base_url,
                authorize_url: Some(config.authorize_url),
                redirect_uri: Some(redirect_uri),
                // Refresh before expiry, and revoke both tokens at sign out.
                token_url: config.token_url,
                revoke_url: config.revoke_url,
                response_type: match config.response_type.as_deref() {
                    Some("code") => ResponseType::Code,
                    _ => ResponseType::Token,
                },
                refresh_skew_seconds: config.refresh_skew_seconds,
                timeout_ms: config.timeout_ms,
                ..Config::default()
            })
            .await?,
        };

        // Back from Tangoe? The library checks `state`, keeps the token in sessionStorage and
        // removes `#access_token=…` from the address bar. Otherwise this does nothing.
        if let Err(error) = app.client.handle_redirect_callback().await {
            page.show_error(&error.into()); // e.g. access_denied when the user cancelled
        }

        app.on_click("sign-in", App::sign_in);
        app.on_click("sign-out", App::sign_out);
        app.on_click("ping-button", App::ping);
        app.on_click("whoami-button", App::who_am_i);
        app.on_click("error-dismiss", |app| async move {
            app.page.set_visible("error-panel", false);
            Ok(())
        });
        app.render();
        // Rendered again whenever `session()` may read differently: a sign-out in another
        // tab, a refresh, the token's expiry (which no event announces). The page lives as long
        // as the app, so the subscription is never ended.
        let view = app.clone();
        let _ = app.client.subscribe(move || view.render());
        Ok(())
    }

    /// Goes to Tangoe's sign-in page; Tangoe sends the browser back to `/rust/`.
    async fn sign_in(self) -> Result<(), Failure> {
        self.client.login(&LoginOptions::default())?;
        Ok(())
    }

    /// Forgets the token (and revokes it at Tangoe, in the background).
    async fn sign_out(self) -> Result<(), Failure> {
        self.client.logout();
        Ok(())
    }

    /// `GET /ping` with plain [`Client::fetch`]: a `web_sys::Request` in, the browser's own
    /// `Response` out, so an HTTP error is a response here, not an `Err`.
    async fn ping(self) -> Result<(), Failure> {
        let url = Url::new(&self.ping_url)?;
        url.search_params()
            .set("echoText", &self.page.input_value("echo-text"));
        let request = Request::new_with_str(&url.href())?;
        let response = self.client.fetch(request).await?;
        if !response.ok() {
            return Err(Failure {
                code: "http_error".into(),
                message: format!("GET /ping answered HTTP {}", response.status()),
            });
        }
        let ping: Ping = serde_wasm_bindgen::from_value(JsFuture::from(response.json()?).await?)?;
        self.page.set_text("ping-echo", &ping.echo_text);
        self.page.set_text("ping-timestamp", &ping.timestamp);
        Ok(())
    }

    /// `GET /me` with [`Client::fetch_json`]: the path joins `api_base_url`, the body arrives
    /// as a Rust type, and a non-2xx answer is an `Err` (`api_error`).
    async fn who_am_i(self) -> Result<(), Failure> {
        let Me { user, actor } = self.client.fetch_json("/me").await?;
        self.page.set_text("me-name", &user.name);
        self.page.set_text("me-employee-id", &user.employee_id);
        self.page.set_text("me-email", &user.email);
        self.page
            .set_text("me-username", user.username.as_deref().unwrap_or("–"));
        let actor = format!("{} ({}, {})", actor.name, actor.employee_id, actor.email);
        self.page.set_text("me-actor", &actor);
        Ok(())
    }

    /// Shows the signed-in or the signed-out view from the client's session.
    fn render(&self) {
        let session = self.client.session();
        for id in ["signed-in", "identity"] {
            self.page.set_visible(id, session.is_some());
        }
        self.page.set_visible("signed-out", session.is_none());
        if let Some(Session {
            expires_at,
            scope,
            has_refresh_token,
            ..
        }) = session
        {
            let expires = js_sys::Date::new(&JsValue::from_f64(expires_at as f64));
            self.page
                .set_text("session-expires-at", &String::from(expires.to_iso_string()));
            self.page
                .set_text("session-scope", scope.as_deref().unwrap_or("–"));
            let refresh = if has_refresh_token { "yes" } else { "no" };
            self.page.set_text("session-refresh", refresh);
        }
    }

    /// Runs `action` on every click of the button `id`, then renders again (a call may have
    /// ended the session); an `Err` goes to the error panel.
    fn on_click<F, Fut>(&self, id: &str, action: F)
    where
        F: Fn(App) -> Fut + 'static,
        Fut: Future<Output = Result<(), Failure>> + 'static,
    {
        let app = self.clone();
        self.page.on_click(id, move || {
            let app = app.clone();
            let done = action(app.clone());
            spawn_local(async move {
                match done.await {
                    Ok(()) => app.page.set_visible("error-panel", false),
                    Err(failure) => app.page.show_error(&failure),
                }
                app.render();
            });
        });
    }
}

/// An error as the page shows it: a stable code and a message.
struct Failure {
    code: String,
    message: String,
}

impl From<Error> for Failure {
    /// The library's errors carry a stable code, e.g. `not_authenticated`, `api_error`.
    fn from(error: Error) -> Self {
        Self {
            code: error.code().into(),
            message: error.message(),
        }
    }
}

impl From<JsValue> for Failure {
    /// A browser call that threw, such as `new URL(…)` or `Response.json()`.
    fn from(value: JsValue) -> Self {
        let message = match value.dyn_ref::<js_sys::Error>() {
            Some(error) => error.message().into(),
            None => value.as_string().unwrap_or_default(),
        };
        Self {
            code: "browser_error".into(),
            message,
        }
    }
}

impl From<serde_wasm_bindgen::Error> for Failure {
    /// JSON that does not have the shape this page expects (`/config.js` or an answer).
    fn from(error: serde_wasm_bindgen::Error) -> Self {
        Self {
            code: "unexpected_json".into(),
            message: error.to_string(),
        }
    }
}

/// The page's elements by id. A missing element is skipped: the HTML is ours.
#[derive(Clone)]
struct Page(Document);

impl Page {
    fn element(&self, id: &str) -> Option<HtmlElement> {
        self.0.get_element_by_id(id)?.dyn_into().ok()
    }

    fn set_text(&self, id: &str, text: &str) {
        if let Some(element) = self.element(id) {
            element.set_text_content(Some(text));
        }
    }

    fn set_visible(&self, id: &str, visible: bool) {
        if let Some(element) = self.element(id) {
            element.set_hidden(!visible);
        }
    }

    fn input_value(&self, id: &str) -> String {
        self.0
            .get_element_by_id(id)
            .and_then(|element| element.dyn_into::<HtmlInputElement>().ok())
            .map(|input| input.value())
            .unwrap_or_default()
    }

    fn show_error(&self, failure: &Failure) {
        self.set_text("error-code", &failure.code);
        self.set_text("error-message", &failure.message);
        self.set_visible("error-panel", true);
    }

    /// Calls `handler` on every click of `id`, for the life of the page.
    fn on_click(&self, id: &str, handler: impl FnMut() + 'static) {
        if let Some(element) = self.element(id) {
            let handler = Closure::<dyn FnMut()>::new(handler);
            element.set_onclick(Some(handler.as_ref().unchecked_ref()));
            handler.forget(); // the buttons live as long as the page
        }
    }
}
