//! `--tenant`, `--user`, `--client`, `--no-seed` and their `MOBPROC_EMU_*` variables.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::parse;
use mobproc_emulator::{ClientSpec, Command, Config, Seed, UserSpec, USAGE};

fn run(args: &[&str], env: &[(&str, &str)]) -> Config {
    match parse(args, env) {
        Ok(Command::Run(c)) => c,
        other => panic!("{other:?}"),
    }
}

fn err(args: &[&str], env: &[(&str, &str)]) -> String {
    match parse(args, env) {
        Err(e) => e,
        other => panic!("accepted: {other:?}"),
    }
}

fn spec(login: &str, password: &str, tenant: &str) -> UserSpec {
    UserSpec {
        login: login.into(),
        password: password.into(),
        tenant: tenant.into(),
        employee_id: None,
        name: None,
        email: None,
    }
}

#[test]
fn user_syntax_keeps_source_prefix_in_the_username() {
    let c = run(
        &[
            "--user",
            "command://kim:pw:XYZ",
            "--user=rivermine://lee:p//w:ABC:R7:Lee Ray:lee@abc.example",
            "--user",
            "bob:secret:XYZ::Bob Smith",
        ],
        &[],
    );
    let mut lee = spec("rivermine://lee", "p//w", "ABC");
    lee.employee_id = Some("R7".into());
    lee.name = Some("Lee Ray".into());
    lee.email = Some("lee@abc.example".into());
    let mut bob = spec("bob", "secret", "XYZ");
    bob.name = Some("Bob Smith".into());
    assert_eq!(c.users, [spec("command://kim", "pw", "XYZ"), lee, bob]);
    let seed = Seed::new(&c.seed_spec());
    let kim = seed.user("command://kim", "pw").unwrap();
    assert_eq!(
        (kim.platform.as_str(), kim.identifier.as_str()),
        ("command", "kim")
    );
    assert_eq!(kim.employee.id, "U1");
    assert_eq!(kim.employee.name, "kim");
    assert_eq!(kim.employee.email, "kim@xyz.example");
    let bob = seed.user("bob", "secret").unwrap();
    assert_eq!(
        (bob.employee.id.as_str(), bob.employee.name.as_str()),
        ("U3", "Bob Smith")
    );
    // The seeded users are still there.
    assert!(seed.user("demo", "demo").is_some());
}

#[test]
fn bad_user_syntax_is_rejected_with_the_expected_form() {
    for bad in [
        "bob",
        "bob:pw",
        ":pw:XYZ",
        "bob::XYZ",
        "bob:pw:",
        "bob:pw:X Y",
        "bob:pw:XYZ:E1:Name:mail:extra",
        "bob:pw:XYZ:E 1",
        "bob:pw:XYZ::Bob:not-an-email",
        "command://:pw:XYZ",
    ] {
        let e = err(&["--user", bad], &[]);
        assert!(e.contains("USERNAME:PASSWORD:TENANT"), "{bad}: {e}");
        assert!(e.contains(bad), "{bad}: {e}");
    }
}

#[test]
fn unknown_tenant_duplicates_and_bad_clients_are_rejected() {
    let e = err(&["--user", "bob:pw:FOO"], &[]);
    assert!(e.contains("unknown tenant FOO"), "{e}");
    assert!(e.contains("--tenant FOO"), "{e}");
    // With --no-seed even XYZ is unknown.
    let e = err(&["--no-seed", "--user", "bob:pw:XYZ"], &[]);
    assert!(e.contains("unknown tenant XYZ"), "{e}");
    assert!(err(&["--user", "demo:other:XYZ"], &[]).contains("user demo is defined twice"));
    assert!(err(&["--tenant", "XYZ"], &[]).contains("tenant XYZ is defined twice"));
    assert!(err(&["--client", "server-demo"], &[]).contains("client server-demo"));
    assert!(err(&["--user", "bob:pw:XYZ:E1001"], &[]).contains("E1001 is defined twice"));
    assert!(err(&["--client", "svc:"], &[]).contains("empty secret"));
    assert!(err(&["--client", ":s"], &[]).contains("ID[:SECRET]"));
    assert!(err(&["--tenant", "a b"], &[]).contains("tenant"));
    assert!(err(&["--no-seed=1"], &[]).contains("no value"));
}

#[test]
fn clients_are_public_without_secret_and_get_the_redirect_uris() {
    let c = run(
        &[
            "--client",
            "spa",
            "--client",
            "svc:s3:cr:et",
            "--redirect-uri",
            "http://x.test/cb",
        ],
        &[],
    );
    assert_eq!(
        c.clients,
        [
            ClientSpec {
                id: "spa".into(),
                secret: None
            },
            ClientSpec {
                id: "svc".into(),
                secret: Some("s3:cr:et".into())
            },
        ]
    );
    let seed = Seed::new(&c.seed_spec());
    let spa = seed.client("spa").unwrap();
    assert!(!spa.is_confidential());
    assert_eq!(spa.redirect_uris, ["http://x.test/cb"]);
    let svc = seed.client("svc").unwrap();
    assert!(svc.is_confidential());
    assert!(svc.redirect_uris.is_empty());
    assert_eq!(
        seed.client("portal-demo").unwrap().redirect_uris,
        ["http://x.test/cb"]
    );
}

#[test]
fn tenants_get_three_employees() {
    let c = run(&["--tenant", "FOO", "--tenant=bar-2"], &[]);
    assert_eq!(c.tenants, ["FOO", "bar-2"]);
    let seed = Seed::new(&c.seed_spec());
    let foo: Vec<_> = seed.employees("FOO").iter().map(|e| e.id.clone()).collect();
    assert_eq!(foo, ["FOO1001", "FOO1002", "FOO1003"]);
    let bar = seed.employees("bar-2");
    assert_eq!(bar.len(), 3);
    assert_eq!(bar[0].name, "Alice Anders");
    assert_eq!(bar[2].email, "chloe.costa@bar-2.example");
    assert_eq!(seed.employees("XYZ").len(), 72);
}

#[test]
fn env_vars_work_like_flags_and_flags_replace_them() {
    let by_flags = run(
        &[
            "--tenant",
            "FOO",
            "--tenant",
            "BAR",
            "--user",
            "command://kim:pw:FOO",
            "--user",
            "bob:pw:BAR:B1:Bob B",
            "--client",
            "spa",
            "--client",
            "svc:sec",
            "--no-seed",
        ],
        &[],
    );
    let by_env = run(
        &[],
        &[
            ("MOBPROC_EMU_TENANT", "FOO, BAR"),
            (
                "MOBPROC_EMU_USER",
                "command://kim:pw:FOO; bob:pw:BAR:B1:Bob B;",
            ),
            ("MOBPROC_EMU_CLIENT", "spa,svc:sec"),
            ("MOBPROC_EMU_NO_SEED", "1"),
        ],
    );
    assert_eq!(by_flags, by_env);
    assert!(!by_env.seed);
    assert!(Seed::new(&by_env.seed_spec())
        .client("portal-demo")
        .is_none());
    // A flag replaces its variable's list.
    let c = run(
        &["--client", "other"],
        &[("MOBPROC_EMU_CLIENT", "spa"), ("MOBPROC_EMU_NO_SEED", "0")],
    );
    assert_eq!(
        c.clients,
        [ClientSpec {
            id: "other".into(),
            secret: None
        }]
    );
    assert!(c.seed);
    // Errors in variables are reported like flag errors.
    assert!(err(&[], &[("MOBPROC_EMU_USER", "bob:pw")]).contains("USERNAME:PASSWORD"));
    assert!(err(&[], &[("MOBPROC_EMU_USER", "bob:pw:FOO")]).contains("unknown tenant FOO"));
    assert!(err(&[], &[("MOBPROC_EMU_NO_SEED", "maybe")]).contains("MOBPROC_EMU_NO_SEED"));
}

#[test]
fn no_flags_leave_the_seed_as_it_was() {
    let c = run(&[], &[]);
    assert!(c.seed && c.tenants.is_empty() && c.users.is_empty() && c.clients.is_empty());
    let seed = Seed::new(&c.seed_spec());
    assert_eq!(seed.tenants, ["XYZ", "ABC"]);
    let logins: Vec<_> = seed.users.iter().map(|u| u.login.as_str()).collect();
    assert_eq!(logins, ["demo", "command://jdoe", "abc"]);
    let clients: Vec<_> = seed.clients.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(clients, ["portal-demo", "server-demo", "server-novalidate"]);
    assert_eq!(seed.directory.len(), 75);
}

#[test]
fn help_lists_the_new_flags() {
    assert_eq!(parse(&["--no-seed", "--help"], &[]), Ok(Command::Help));
    for needle in [
        "--tenant CODE",
        "--user SPEC",
        "USERNAME:PASSWORD:TENANT[:EMPLOYEEID[:NAME[:EMAIL]]]",
        "--client ID[:SECRET]",
        "--no-seed",
        "MOBPROC_EMU_TENANT",
        "MOBPROC_EMU_USER",
        "MOBPROC_EMU_CLIENT",
        "MOBPROC_EMU_NO_SEED",
    ] {
        assert!(USAGE.contains(needle), "{needle}");
    }
}
