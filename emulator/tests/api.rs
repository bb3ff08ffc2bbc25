//! The MOBPROC API: the checks every call passes, /me, /employees and helpers.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod common;

use common::s;

#[tokio::test]
async fn checks_run_in_tangoe_order() {
    let emu = common::start().await;
    let at = s(&emu.password_token().await["access_token"]);
    let bearer = format!("Bearer {at}");
    let r = emu
        .get(
            "/mobproc/v1/ping",
            &[("X-TNGO-TENANT", "XYZ"), ("client_id", "server-demo")],
        )
        .await;
    assert_eq!(r.status, 401);
    assert!(r.header("www-authenticate").unwrap().starts_with("Bearer"));
    let j = r.json();
    assert_eq!(j["status"], 401);
    assert!(j["id"].is_string() && j["errorCode"].as_str().unwrap().starts_with("401-"));
    let r = emu.api("/mobproc/v1/ping", "not-a-token", &[]).await;
    assert_eq!(r.status, 401);
    assert!(r
        .header("www-authenticate")
        .unwrap()
        .contains("error=\"invalid_token\""));
    let r = emu
        .get(
            "/mobproc/v1/ping",
            &[("Authorization", &bearer), ("client_id", "server-demo")],
        )
        .await;
    assert_eq!(r.status, 400, "missing tenant");
    let r = emu
        .get(
            "/mobproc/v1/ping",
            &[
                ("Authorization", &bearer),
                ("X-TNGO-TENANT", "ABC"),
                ("client_id", "server-demo"),
            ],
        )
        .await;
    assert_eq!(r.status, 403, "wrong tenant");
    let r = emu
        .get(
            "/mobproc/v1/ping",
            &[("Authorization", &bearer), ("X-TNGO-TENANT", "XYZ")],
        )
        .await;
    assert_eq!(r.status, 400, "missing client_id");
    assert_eq!(r.json()["status"], 400);
    let r = emu
        .get(
            "/mobproc/v1/ping",
            &[
                ("Authorization", &bearer),
                ("X-TNGO-TENANT", "XYZ"),
                ("client_id", "portal-demo"),
            ],
        )
        .await;
    assert_eq!(r.status, 403, "wrong client");
    let r = emu
        .api("/mobproc/v1/ping?echoText=hi%20there", &at, &[])
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["echoText"], "hi there");
}

#[tokio::test]
async fn tenant_abc_token_is_refused_for_xyz() {
    let emu = common::start().await;
    let f = emu.implicit("abc", "abc", "x").await;
    let b = format!("Bearer {}", f["access_token"]);
    let h = |t| {
        [
            ("Authorization", b.as_str()),
            ("X-TNGO-TENANT", t),
            ("client_id", "portal-demo"),
        ]
    };
    assert_eq!(emu.get("/mobproc/v1/me", &h("XYZ")).await.status, 403);
    let r = emu.get("/mobproc/v1/me", &h("ABC")).await;
    assert_eq!(r.json()["user"]["employeeId"], "A1000");
}

#[tokio::test]
async fn me_and_actor_switch() {
    let emu = common::start().await;
    let at = s(&emu.password_token().await["access_token"]);
    let me = emu.api("/mobproc/v1/me", &at, &[]).await.json();
    assert_eq!(me["user"]["employeeId"], "E1000");
    assert_eq!(me["user"]["name"], "Demo User");
    assert_eq!(me["user"]["email"], "demo@xyz.example");
    assert_eq!(me["user"]["username"], "demo");
    assert_eq!(me["actor"]["employeeId"], "E1000");
    let by_id = emu
        .api(
            "/mobproc/v1/me",
            &at,
            &[("X-TNGO-CONTEXT-EMPLOYEEID", "E1005")],
        )
        .await
        .json();
    assert_eq!(by_id["actor"]["employeeId"], "E1005");
    assert_eq!(by_id["user"]["employeeId"], "E1000");
    let mail = s(&by_id["actor"]["email"]).to_uppercase();
    let by_mail = emu
        .api(
            "/mobproc/v1/me",
            &at,
            &[("X-TNGO-CONTEXT-COMPANYEMPLOYEEID", &mail)],
        )
        .await
        .json();
    assert_eq!(by_mail["actor"]["employeeId"], "E1005");
    let both = [
        ("X-TNGO-CONTEXT-EMPLOYEEID", "E1010"),
        ("X-TNGO-CONTEXT-COMPANYEMPLOYEEID", mail.as_str()),
    ];
    assert_eq!(
        emu.api("/mobproc/v1/me", &at, &both).await.json()["actor"]["employeeId"],
        "E1010"
    );
    let r = emu
        .api(
            "/mobproc/v1/me",
            &at,
            &[("X-TNGO-CONTEXT-EMPLOYEEID", "E9999")],
        )
        .await;
    assert_eq!((r.status, r.json()["status"].clone()), (404, 404.into()));
}

#[tokio::test]
async fn employees_walk_all_pages() {
    let emu = common::start().await;
    let at = s(&emu.password_token().await["access_token"]);
    let prefix = format!("{}/mobproc/v1/employees", emu.base);
    let mut path = "/mobproc/v1/employees".to_string();
    let (mut ids, mut pages) = (Vec::new(), 0);
    loop {
        let j = emu.api(&path, &at, &[]).await.json();
        let m = &j["_meta"];
        assert_eq!(
            (m["totalCount"].clone(), m["limit"].clone()),
            (72.into(), 10.into())
        );
        let first = pages == 0;
        assert_eq!(m.get("hrefPrevious").is_none(), first);
        assert_eq!(m.get("hrefStart").is_none(), first);
        for e in j["employees"].as_array().unwrap() {
            let id = s(&e["employeeId"]);
            assert_eq!(s(&e["_meta"]["href"]), format!("{prefix}/{id}"));
            ids.push(id);
        }
        pages += 1;
        match m.get("hrefNext") {
            Some(next) => {
                assert!(m.get("hrefEnd").is_some());
                path = s(next).strip_prefix(&emu.base).unwrap().to_string();
            }
            None => {
                assert!(m.get("hrefEnd").is_none(), "the last page has no hrefEnd");
                assert_eq!(m["offset"], 70);
                break;
            }
        }
    }
    assert_eq!(pages, 8);
    let want: Vec<String> = (1001..=1072).map(|n| format!("E{n}")).collect();
    assert_eq!(ids, want);
}

#[tokio::test]
async fn employees_links_and_bad_numbers() {
    let emu = common::start().await;
    let at = s(&emu.password_token().await["access_token"]);
    let j = emu
        .api("/mobproc/v1/employees?limit=10&offset=30", &at, &[])
        .await
        .json();
    let link = |o: u32| format!("{}/mobproc/v1/employees?limit=10&offset={o}", emu.base);
    assert_eq!(j["_meta"]["href"], link(30));
    assert_eq!(j["_meta"]["hrefStart"], link(0));
    assert_eq!(j["_meta"]["hrefPrevious"], link(20));
    assert_eq!(j["_meta"]["hrefNext"], link(40));
    assert_eq!(j["_meta"]["hrefEnd"], link(70));
    let all = emu
        .api("/mobproc/v1/employees?limit=100", &at, &[])
        .await
        .json();
    assert_eq!(all["employees"].as_array().unwrap().len(), 72);
    assert_eq!(
        all["_meta"]
            .as_object()
            .unwrap()
            .keys()
            .filter(|k| k.starts_with("href"))
            .count(),
        1
    );
    for q in ["limit=0", "limit=101", "limit=x", "offset=-1", "limit=1.5"] {
        let r = emu
            .api(&format!("/mobproc/v1/employees?{q}"), &at, &[])
            .await;
        assert_eq!(
            (r.status, r.json()["status"].clone()),
            (400, 400.into()),
            "{q}"
        );
    }
    let one = emu
        .api("/mobproc/v1/employees/E1072", &at, &[])
        .await
        .json();
    assert_eq!(one["employeeId"], "E1072");
    assert_eq!(
        emu.api("/mobproc/v1/employees/E2000", &at, &[])
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn orders_status_and_unknown_paths() {
    let emu = common::start().await;
    let at = s(&emu.password_token().await["access_token"]);
    let auth = format!("Bearer {at}");
    let h = [
        ("Authorization", auth.as_str()),
        ("X-TNGO-TENANT", "XYZ"),
        ("client_id", "server-demo"),
        ("Content-Type", "application/json"),
    ];
    let r = emu
        .send("POST", "/mobproc/v1/orders", &h, r#"{"device":"phone"}"#)
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(r.json()["order"]["device"], "phone");
    assert!(r.json()["orderId"].is_string());
    assert_eq!(
        emu.send("POST", "/mobproc/v1/orders", &h, "nope")
            .await
            .status,
        400
    );
    let r = emu.api("/mobproc/v1/status/503", &at, &[]).await;
    assert_eq!(
        (
            r.status,
            r.json()["errorCode"].as_str().unwrap().starts_with("503-")
        ),
        (503, true)
    );
    assert_eq!(
        emu.api("/mobproc/v1/nothing-here", &at, &[]).await.status,
        404
    );
}
