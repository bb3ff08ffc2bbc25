//! The header policy: which Tangoe headers every MOBPROC call carries.
//!
//! Who may receive them is [`crate::config::ValidConfig::is_allowed_origin`]; this module only says
//! what they are, so the shell sets exactly these and nothing else.

use crate::prelude::*;

use crate::config::ValidConfig;
use crate::secret::AccessToken;
use crate::text::cat;

/// Tenant code header.
pub const TENANT: &str = "X-TNGO-TENANT";
/// Client id header; note the underscore, which some proxies drop.
pub const CLIENT_ID: &str = "client_id";
/// The bearer token header (RFC 6750 §2.1).
pub const AUTHORIZATION: &str = "Authorization";

/// The headers of an API call made with `token`, in the order they are set.
pub fn api_headers(config: &ValidConfig, token: &AccessToken) -> [(&'static str, String); 3] {
    let [a, b, c] = api_header_parts(config, token);
    let whole = |(name, lead, value): (&'static str, &str, &str)| (name, cat(&[lead, value]));
    [whole(a), whole(b), whole(c)]
}

/// [`api_headers`] with each value in two parts, to be joined (the shell makes each a
/// JavaScript string without a Rust copy of the first two).
pub(crate) fn api_header_parts<'a>(
    config: &'a ValidConfig,
    token: &'a AccessToken,
) -> [(&'static str, &'static str, &'a str); 3] {
    [
        (TENANT, "", config.tenant().as_str()),
        (CLIENT_ID, "", config.client_id().as_str()),
        (AUTHORIZATION, "Bearer ", token.secret()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    #[test]
    fn the_three_required_headers() {
        let config = ValidConfig::new(&Config {
            client_id: "0123abc".into(),
            tenant: "XYZ".into(),
            api_base_url: "https://api.example.com/v1".into(),
            ..Config::default()
        })
        .unwrap();
        let headers = api_headers(&config, &AccessToken::new("tok"));
        assert_eq!(
            headers,
            [
                ("X-TNGO-TENANT", "XYZ".to_string()),
                ("client_id", "0123abc".to_string()),
                ("Authorization", "Bearer tok".to_string()),
            ]
        );
    }
}
