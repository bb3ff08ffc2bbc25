//! `--coop` (and `MOBPROC_EMU_COOP`): every answer of the sign-in page carries
//! `Cross-Origin-Opener-Policy: same-origin`, as an identity provider's page may, so that a
//! sign-in popup is severed from the app that opened it (the library's popup sign-in must
//! still complete). Nothing else changes.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod common;

use common::{run_config as config, start_args as start};

use common::{form, Emu};
use mobproc_emulator::USAGE;

const OK: &str = "response_type=token&client_id=portal-demo&redirect_uri=http%3A%2F%2F127.0.0.1%3A8080%2F&scope=MOBPROC&state=s";
const CODE: &str = "response_type=code&client_id=portal-demo&redirect_uri=http%3A%2F%2F127.0.0.1%3A8080%2F&scope=MOBPROC&state=s\
&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256";

/// Every kind of answer of `/as/authorization.oauth2`: the page, the page again, the
/// redirects (tokens, code, Cancel, an error) and the 400 page; with the COOP header each.
async fn sign_in_answers(emu: &Emu) -> Vec<(u16, Option<String>)> {
    let path = "/as/authorization.oauth2";
    let mut answers = Vec::new();
    let mut note = |r: common::Resp| {
        answers.push((
            r.status,
            r.header("cross-origin-opener-policy").map(String::from),
        ));
    };
    note(emu.get(&format!("{path}?{OK}"), &[]).await);
    note(emu.get(&format!("{path}?{CODE}"), &[]).await);
    for extra in [
        "&username=demo&password=nope&action=sign-in",
        "&username=demo&password=demo&action=sign-in",
        "&action=cancel",
    ] {
        note(emu.post_form(path, &[], &format!("{OK}{extra}")).await);
    }
    let code = format!("{CODE}&username=demo&password=demo&action=sign-in");
    note(emu.post_form(path, &[], &code).await);
    note(
        emu.get(&format!("{path}?response_type=token&client_id=nobody"), &[])
            .await,
    );
    note(
        emu.get(
            &format!("{path}?{OK}").replace("scope=MOBPROC", "scope=other"),
            &[],
        )
        .await,
    );
    answers
}

#[tokio::test]
async fn with_the_flag_every_sign_in_answer_has_the_header() {
    let emu = start(&["--coop"]).await;
    let answers = sign_in_answers(&emu).await;
    let statuses: Vec<u16> = answers.iter().map(|(s, _)| *s).collect();
    assert_eq!(statuses, [200, 200, 200, 302, 302, 302, 400, 302]);
    for (status, coop) in &answers {
        assert_eq!(coop.as_deref(), Some("same-origin"), "{status}");
    }
}

#[tokio::test]
async fn without_it_none_has_it_and_other_endpoints_never_do() {
    let emu = start(&[]).await;
    for (status, coop) in sign_in_answers(&emu).await {
        assert_eq!(coop, None, "{status}");
    }
    let emu = start(&["--coop"]).await;
    let f = emu.implicit("demo", "demo", "s").await;
    let body = form(&[
        ("grant_type", "refresh_token"),
        ("scope", "MOBPROC"),
        ("refresh_token", &f["refresh_token"]),
        ("client_id", "portal-demo"),
    ]);
    let token = emu.post_form("/as/token.oauth2", &[], &body).await;
    assert_eq!(token.status, 200, "{}", token.body);
    let auth = format!("Bearer {}", f["access_token"]);
    let h = [
        ("Authorization", auth.as_str()),
        ("X-TNGO-TENANT", "XYZ"),
        ("client_id", "portal-demo"),
    ];
    let api = emu.get("/mobproc/v1/ping", &h).await;
    assert_eq!(api.status, 200);
    for r in [token, api] {
        assert_eq!(r.header("cross-origin-opener-policy"), None);
    }
}

#[test]
fn flag_and_variable() {
    assert!(!config(&[], &[]).unwrap().coop);
    let flag = config(&["--coop"], &[]).unwrap();
    assert!(flag.coop);
    for on in ["1", "true"] {
        assert_eq!(config(&[], &[("MOBPROC_EMU_COOP", on)]).unwrap(), flag);
    }
    for off in ["0", "false", ""] {
        assert!(!config(&[], &[("MOBPROC_EMU_COOP", off)]).unwrap().coop);
    }
    let e = config(&[], &[("MOBPROC_EMU_COOP", "yes")]).unwrap_err();
    assert!(e.contains("MOBPROC_EMU_COOP"), "{e}");
    let e = config(&["--coop=1"], &[]).unwrap_err();
    assert!(e.contains("takes no value"), "{e}");
    assert!(USAGE.contains("--coop") && USAGE.contains("MOBPROC_EMU_COOP"));
}
