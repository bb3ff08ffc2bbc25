//! Pages of a MOBPROC collection, following `_meta.hrefNext`: only to origins that may receive
//! the token, never a page twice, never more than `max_pages`.

use super::http::CallContext;
use super::value::{self, field, message_of};
use super::Client;
use crate::error::{ApiError, Error, ErrorKind, Result};
use crate::pagination::check_next;
use crate::text::{cat, decimal};
use wasm_bindgen::{JsCast, JsValue};

/// The longest link a walk keeps or follows, in UTF-16 units: Tangoe's are far shorter, and
/// each is kept for the walk, in module memory that never shrinks.
const MAX_LINK: u32 = 8192;

/// Where a walk starts and how far it may go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageOptions {
    /// Page size (`limit`), at least 1; Tangoe's default otherwise.
    pub limit: Option<u64>,
    /// Index of the first item (`offset`).
    pub offset: Option<u64>,
    /// Stop with `pagination_loop` after this many pages (at least 1).
    pub max_pages: u32,
}

impl Default for PageOptions {
    fn default() -> Self {
        PageOptions {
            limit: None,
            offset: None,
            max_pages: 1000,
        }
    }
}

/// A walk through the pages of a collection; [`Pages::next`] until it gives `None`.
pub struct Pages {
    client: Client,
    next: Option<String>,
    /// Why the walk must stop, found on the page before (handed out after that page).
    stop: Option<Error>,
    seen: Vec<String>,
    count: u32,
    max_pages: u32,
    /// The client's context when the walk was made: every page is sent with it.
    context: std::rc::Rc<super::ClientContext>,
    /// The walk's own context overrides (the npm `paginate`'s `options.context`), as a call's.
    pub(crate) overrides: [Option<Option<String>>; 3],
}

impl Client {
    /// The pages of the collection at `path` (joined onto the API base URL). A `limit` or
    /// `max_pages` of 0 is `config_invalid`, as the npm `paginate` says.
    pub fn pages(&self, path: &str, options: PageOptions) -> Result<Pages> {
        if options.limit == Some(0) {
            return Err(crate::error::Error::config("limit", "must be at least 1"));
        }
        if options.max_pages == 0 {
            return Err(crate::error::Error::config(
                "maxPages",
                "must be at least 1",
            ));
        }
        Ok(*self.pages_at(&self.resolve(path)?, options)?)
    }

    /// [`Client::pages`] of a URL resolved already (the npm `pages`, whose `resolve` made an
    /// absolute http(s) URL: resolving that again, as `pages` would, parses it to the same URL).
    /// Boxed, as the npm walk keeps it: made in place rather than moved into a box.
    pub(crate) fn pages_at(&self, url: &str, options: PageOptions) -> Result<Box<Pages>> {
        let url = web_sys::Url::new(url).map_err(super::http::invalid_thrown)?;
        let params: web_sys::UrlSearchParams = field(&url, "searchParams").unchecked_into();
        let set = |key: &str, value: Option<u64>| {
            if let Some(value) = value {
                params.set(key, &decimal(value));
            }
        };
        set("limit", options.limit);
        set("offset", options.offset);
        // Without its fragment, as every link the walk compares.
        value::set_text(&url, "hash", "");
        Ok(Box::new(Pages {
            client: self.clone(),
            next: Some(value::href(&url)),
            stop: None,
            seen: Vec::new(),
            count: 0,
            max_pages: options.max_pages,
            context: self.context(),
            overrides: Default::default(),
        }))
    }
}

impl Pages {
    /// A page's call: the walk's context, and its overrides.
    pub(crate) fn call(&self) -> CallContext {
        let mut call = CallContext::for_url(self.context.clone());
        call.overrides = self.overrides.clone();
        call
    }

    /// The next page (parsed JSON), or `None` after the last.
    pub async fn next(&mut self) -> Result<Option<JsValue>> {
        let mut call = self.call();
        Ok(self.advance(&mut call).await?.map(|(page, _)| page))
    }

    /// The next page parsed into the caller's own type, or `None` after the last; a page that
    /// does not fit `T` is `api_error` saying why, and the walk goes on after it.
    pub async fn next_as<T: serde::de::DeserializeOwned>(&mut self) -> Result<Option<T>> {
        let mut call = self.call();
        match self.advance(&mut call).await? {
            Some((page, id)) => super::api::shaped(page, 0, &id, &call).map(Some),
            None => Ok(None),
        }
    }

    /// The next page and its correlation id, sent as `call` ([`Pages::call`]).
    pub(crate) async fn advance(
        &mut self,
        call: &mut CallContext,
    ) -> Result<Option<(JsValue, JsValue)>> {
        if let Some(error) = self.stop.take() {
            self.next = None;
            return Err(error);
        }
        let Some(href) = self.next.take() else {
            return Ok(None);
        };
        self.count += 1;
        // A server that makes up new links forever is a loop too.
        if self.count > self.max_pages {
            return Err(ErrorKind::PaginationLoop {
                href,
                max_pages: Some(self.max_pages),
            }
            .into());
        }
        self.seen.push(href.clone());
        let (page, correlation_id) = self.client.fetch_json_value(&href, call).await?;
        if !page.is_object() || js_sys::Array::is_array(&page) {
            return Err(api_error("a page is not a JSON object", &correlation_id));
        }
        self.client.remember(&page, &correlation_id);
        let meta = field(&page, "_meta");
        // Tangoe's own name for this page (e.g. with `offset=0` added) counts as fetched too.
        if let Some(own) = text(field(&meta, "href")) {
            if let Some(own) = web_sys::Url::new_with_base(&own, &href).ok().and_then(link) {
                self.seen.push(own);
            }
        }
        match self.follow(&href, field(&meta, "hrefNext"), &correlation_id) {
            Ok(next) => self.next = next,
            Err(error) => self.stop = Some(error),
        }
        Ok(Some((page, correlation_id)))
    }

    /// The page after `href`, from its `hrefNext`; `Err` when it must not be fetched (with the
    /// `correlation_id` of the page that named it).
    fn follow(
        &self,
        href: &str,
        next: JsValue,
        correlation_id: &JsValue,
    ) -> Result<Option<String>> {
        // `===` on the JavaScript value: nothing copied into Rust for the test.
        if next.is_undefined() || next.is_null() || next == "" {
            return Ok(None);
        }
        let not_url = |why: &str| {
            api_error(
                &cat(&["`_meta.hrefNext` is not a URL", why]),
                correlation_id,
            )
        };
        // Measured before it is copied into the module, and again once parsed (percent-encoded).
        let too_long = |kind: &str| not_url(&cat(&[" of at most 8192 characters (", kind, ")"]));
        let Some(next) = text(next.clone()) else {
            return Err(too_long(&next.js_typeof().as_string().unwrap_or_default()));
        };
        let url = web_sys::Url::new_with_base(&next, href)
            .map_err(|thrown| not_url(&cat(&[": ", &message_of(&thrown)])))?;
        let href = link(url).ok_or_else(|| too_long("string"))?;
        check_next(
            &self.client.0.config,
            &href,
            self.seen.iter().map(String::as_str),
        )?;
        Ok(Some(href))
    }
}

/// `api_error` saying `why` of a page Tangoe sent with `correlation_id`.
fn api_error(why: &str, correlation_id: &JsValue) -> Error {
    // Filled in place, as `read_json`'s: no ApiError copied into the allocation.
    let mut error = Box::<ApiError>::default();
    error.summary = why.into();
    error.correlation_id = correlation_id.as_string();
    ErrorKind::ApiError(error).into()
}

/// `value` copied into the module if it is a string of at most [`MAX_LINK`] units.
fn text(value: JsValue) -> Option<String> {
    let text: js_sys::JsString = value.dyn_into().ok()?;
    (text.length() <= MAX_LINK).then(|| text.into())
}

/// `url` without its fragment (the same page: `fetch` drops it), if at most [`MAX_LINK`] long.
fn link(url: web_sys::Url) -> Option<String> {
    value::set_text(&url, "hash", "");
    text(field(&url, "href"))
}
