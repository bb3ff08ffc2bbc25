//! Following Tangoe's `_meta.hrefNext` links: only to origins that may receive the token, and
//! never in a circle. The link is parsed by the browser (the parser `fetch` will use); the
//! decision is made here.

use crate::config::ValidConfig;
use crate::error::{Error, ErrorKind, Result};
use crate::prelude::*;
use crate::url::{has_userinfo, refused_origin, serialized_origin, USERINFO_REFUSED};

/// Whether the page at `href` (Tangoe's `_meta.hrefNext`, as the browser's URL parser
/// resolved it) may be fetched after the pages in `seen`: only from an origin that may
/// receive the token (read as the API `fetch` reads it), and never a page already fetched.
pub fn check_next<'a>(
    config: &ValidConfig,
    href: &str,
    mut seen: impl Iterator<Item = &'a str>,
) -> Result<()> {
    if has_userinfo(href) {
        return Err(Error::invalid_request(USERINFO_REFUSED));
    }
    if !config.is_allowed_origin(serialized_origin(href)) {
        return Err(ErrorKind::OriginNotAllowed {
            origin: refused_origin(href).into(),
            own_page: false,
        }
        .into());
    }
    if seen.any(|page| page == href) {
        return Err(ErrorKind::PaginationLoop {
            href: href.to_owned(),
            max_pages: None,
        }
        .into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn config() -> ValidConfig {
        ValidConfig::new(&Config {
            client_id: "c".into(),
            tenant: "XYZ".into(),
            api_base_url: "https://api.example.com/mobproc/v1".into(),
            allowed_origins: vec!["https://mirror.example.com".into()],
            ..Config::default()
        })
        .unwrap()
    }

    #[test]
    fn follows_links_to_allowed_origins() {
        for href in [
            "https://api.example.com/mobproc/v1/employees?offset=10",
            "https://mirror.example.com/e?offset=20",
        ] {
            assert_eq!(
                check_next(&config(), href, [].into_iter()),
                Ok(()),
                "{href}"
            );
        }
    }

    fn refused(href: &str) -> Error {
        check_next(&config(), href, [].into_iter()).unwrap_err()
    }

    #[test]
    fn refuses_foreign_origins_and_loops() {
        for (href, named) in [
            (
                "https://evil.example/mobproc/v1/employees",
                "https://evil.example",
            ),
            (
                "https://api.example.com.evil.example/",
                "https://api.example.com.evil.example",
            ),
            // The API's own origin inside: read as `fetch` reads it, and named by its scheme.
            ("blob:https://api.example.com/0b7c", "blob:"),
            ("data:text/plain,x", "data:"),
        ] {
            let error = refused(href);
            assert_eq!(error.code(), "origin_not_allowed", "{href}");
            assert_eq!(error.details().origin, Some(named), "{href}");
        }
        // As `fetch` would refuse it, and without quoting the password.
        let userinfo = refused("https://u:hunter2@api.example.com/e");
        assert_eq!(userinfo.code(), "invalid_request");
        assert!(!userinfo.message().contains("hunter2"));
        let seen = [
            "https://api.example.com/e?offset=0",
            "https://api.example.com/e?offset=10",
        ];
        let again = check_next(
            &config(),
            "https://api.example.com/e?offset=0",
            seen.into_iter(),
        );
        assert_eq!(again.unwrap_err().code(), "pagination_loop");
    }
}
