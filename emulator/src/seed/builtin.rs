//! The built-in seed: tenants `XYZ` and `ABC`, clients `portal-demo`, `server-demo` and
//! `server-novalidate`, users `demo`, `command://jdoe` and `abc`, and the two directories
//! (see README.md).

use crate::seed::model::{Client, ClientKind, Employee, Seed, User};

/// First names of generated directories, in order.
pub const FIRST: [&str; 8] = [
    "Alice", "Bruno", "Chloe", "Diego", "Emma", "Farid", "Grace", "Hiro",
];
/// Last names of generated directories, in order.
pub const LAST: [&str; 9] = [
    "Anders", "Baker", "Costa", "Dubois", "Evans", "Fischer", "Garcia", "Hansen", "Ito",
];

fn emp(id: &str, name: &str, email: &str) -> Employee {
    Employee::new(id, name, email)
}

/// The built-in data; `portal-demo` gets the configured redirect URIs.
pub fn builtin(redirect_uris: &[String]) -> Seed {
    let clients = vec![
        Client {
            id: "portal-demo".into(),
            secret: None,
            redirect_uris: redirect_uris.to_vec(),
            kind: ClientKind::Portal,
            may_validate: true,
        },
        Client {
            id: "server-demo".into(),
            secret: Some("server-demo-secret".into()),
            redirect_uris: Vec::new(),
            kind: ClientKind::Service,
            may_validate: true,
        },
        // "Not every client id is allowed to validate" (Tangoe): a service client without it.
        Client {
            id: "server-novalidate".into(),
            secret: Some("server-novalidate-secret".into()),
            redirect_uris: Vec::new(),
            kind: ClientKind::Service,
            may_validate: false,
        },
    ];
    let users = vec![
        User::new(
            "demo",
            "demo",
            "XYZ",
            emp("E1000", "Demo User", "demo@xyz.example"),
        ),
        User::new(
            "command://jdoe",
            "jdoe-pass",
            "XYZ",
            emp("E0999", "John Doe", "jdoe@xyz.example"),
        ),
        User::new(
            "abc",
            "abc",
            "ABC",
            emp("A1000", "Abc User", "abc@abc.example"),
        ),
    ];
    let mut directory = Vec::new();
    for (l, last) in LAST.iter().enumerate() {
        for (f, first) in FIRST.iter().enumerate() {
            let e = Employee {
                id: format!("E{}", 1001 + l * FIRST.len() + f),
                name: format!("{first} {last}"),
                email: format!(
                    "{}.{}@xyz.example",
                    first.to_lowercase(),
                    last.to_lowercase()
                ),
            };
            directory.push(("XYZ".to_string(), e));
        }
    }
    for (i, name) in ["Ana Abbott", "Ben Abel", "Cleo Acosta"].iter().enumerate() {
        let email = format!("{}@abc.example", name.to_lowercase().replace(' ', "."));
        directory.push((
            "ABC".to_string(),
            emp(&format!("A{}", 1001 + i), name, &email),
        ));
    }
    Seed {
        tenants: vec!["XYZ".into(), "ABC".into()],
        clients,
        users,
        directory,
    }
}
