//! `--no-implicit-refresh-token` (and `MOBPROC_EMU_NO_IMPLICIT_REFRESH_TOKEN`): the implicit
//! grant issues no refresh token, as PingFederate's guide describes implicit clients, so the
//! library's behaviour without one is exercised. The password grant and refresh are unchanged.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]
mod common;

use common::{run_config as config, start_args as start};

use common::{form, s};
use mobproc_emulator::USAGE;

#[tokio::test]
async fn the_fragment_has_a_refresh_token_only_without_the_flag() {
    let with = start(&[]).await.implicit("demo", "demo", "s1").await;
    assert!(with["refresh_token"].len() >= 43, "{with:?}");

    let emu = start(&["--no-implicit-refresh-token"]).await;
    let f = emu.implicit("demo", "demo", "s2").await;
    assert!(!f.contains_key("refresh_token"), "{f:?}");
    let mut keys: Vec<&str> = f.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        ["access_token", "expires_in", "scope", "state", "token_type"]
    );
    assert_eq!(f["expires_in"], "3600");
    assert_eq!(f["state"], "s2");
    // The access token itself works.
    let auth = format!("Bearer {}", f["access_token"]);
    let h = [
        ("Authorization", auth.as_str()),
        ("X-TNGO-TENANT", "XYZ"),
        ("client_id", "portal-demo"),
    ];
    assert_eq!(emu.get("/mobproc/v1/me", &h).await.status, 200);
    // And nothing stored could be used as this grant's refresh token.
    assert_eq!(
        emu.state.lock().tokens.all_values(),
        [f["access_token"].clone()]
    );
}

#[tokio::test]
async fn the_password_grant_and_refresh_still_issue_refresh_tokens() {
    let emu = start(&["--no-implicit-refresh-token"]).await;
    let j = emu.password_token().await;
    let rt = s(&j["refresh_token"]);
    let body = form(&[
        ("grant_type", "refresh_token"),
        ("refresh_token", &rt),
        ("client_id", "server-demo"),
        ("client_secret", "server-demo-secret"),
        ("scope", "MOBPROC"),
    ]);
    let r = emu.post_form("/as/token.oauth2", &[], &body).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.json()["refresh_token"].is_string(), "{}", r.body);
}

#[tokio::test]
async fn with_the_confidential_portal_client_too() {
    let emu = start(&["--client", "portal-demo:s", "--no-implicit-refresh-token"]).await;
    let f = emu.implicit("demo", "demo", "s").await;
    assert!(f.contains_key("access_token") && !f.contains_key("refresh_token"));
}

#[test]
fn flag_and_variable() {
    assert!(config(&[], &[]).unwrap().implicit_refresh_token);
    let flag = config(&["--no-implicit-refresh-token"], &[]).unwrap();
    assert!(!flag.implicit_refresh_token);
    for on in ["1", "true"] {
        let env = [("MOBPROC_EMU_NO_IMPLICIT_REFRESH_TOKEN", on)];
        assert_eq!(config(&[], &env).unwrap(), flag, "{on}");
    }
    for off in ["0", "false", ""] {
        let env = [("MOBPROC_EMU_NO_IMPLICIT_REFRESH_TOKEN", off)];
        assert!(config(&[], &env).unwrap().implicit_refresh_token, "{off}");
    }
    let env = [("MOBPROC_EMU_NO_IMPLICIT_REFRESH_TOKEN", "maybe")];
    assert!(config(&[], &env)
        .unwrap_err()
        .contains("MOBPROC_EMU_NO_IMPLICIT_REFRESH_TOKEN"));
    let e = config(&["--no-implicit-refresh-token=1"], &[]).unwrap_err();
    assert!(e.contains("takes no value"), "{e}");
    assert!(USAGE.contains("--no-implicit-refresh-token"));
    assert!(USAGE.contains("MOBPROC_EMU_NO_IMPLICIT_REFRESH_TOKEN=1"));
}
