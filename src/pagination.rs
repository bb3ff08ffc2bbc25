//! Following Tangoe's `_meta.hrefNext` links: only to origins that may receive the token, and
//! never in a circle. The link is parsed by the browser (the parser `fetch` will use); the
//! decision is made here.

use crate::config::ValidConfig;
use crate::error::{ErrorKind, Result};
use crate::prelude::*;

/// Whether the page at `href` (Tangoe's `_meta.hrefNext`, as the browser's URL parser
/// resolved it, with its `origin`) may be fetched after the pages in `seen`: only from an
/// origin that may receive the token, and never a page already fetched.
pub fn check_next<'a>(
    config: &ValidConfig,
    origin: &str,
    href: &str,
    mut seen: impl Iterator<Item = &'a str>,
) -> Result<()> {
    if !config.is_allowed_origin(origin) {
        return Err(ErrorKind::OriginNotAllowed {
            origin: origin.to_owned(),
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
        let api = "https://api.example.com";
        assert_eq!(
            check_next(
                &config(),
                api,
                "https://api.example.com/mobproc/v1/employees?offset=10",
                [].into_iter()
            ),
            Ok(())
        );
        assert_eq!(
            check_next(
                &config(),
                "https://mirror.example.com",
                "https://mirror.example.com/e?offset=20",
                [].into_iter()
            ),
            Ok(())
        );
    }

    #[test]
    fn refuses_foreign_origins_and_loops() {
        let evil = check_next(
            &config(),
            "https://evil.example",
            "https://evil.example/mobproc/v1/employees",
            [].into_iter(),
        );
        assert_eq!(evil.unwrap_err().code(), "origin_not_allowed");
        let lookalike = check_next(
            &config(),
            "https://api.example.com.evil.example",
            "https://api.example.com.evil.example/",
            [].into_iter(),
        );
        assert_eq!(lookalike.unwrap_err().code(), "origin_not_allowed");
        let seen = [
            "https://api.example.com/e?offset=0",
            "https://api.example.com/e?offset=10",
        ];
        let again = check_next(
            &config(),
            "https://api.example.com",
            "https://api.example.com/e?offset=0",
            seen.into_iter(),
        );
        assert_eq!(again.unwrap_err().code(), "pagination_loop");
    }
}
