//! Tenants, users and clients added by `--tenant`, `--user` and `--client`, and the
//! consistency check run at startup.

use std::collections::HashSet;

use crate::seed::builtin::{FIRST, LAST};
use crate::seed::model::{Client, ClientKind, Employee, Seed, User};
use crate::seed::spec::{ClientSpec, Spec, UserSpec};

/// How many employees the directory of a tenant added by `--tenant` gets.
pub const EXTRA_TENANT_EMPLOYEES: usize = 3;

/// The directory of an added tenant `CODE`: `CODE1001` Alice Anders, `CODE1002` Bruno Baker,
/// `CODE1003` Chloe Costa, e-mail `first.last@code.example`.
pub fn tenant_directory(code: &str) -> Vec<Employee> {
    let domain = code.to_lowercase();
    FIRST
        .iter()
        .zip(LAST.iter())
        .take(EXTRA_TENANT_EMPLOYEES)
        .enumerate()
        .map(|(i, (first, last))| {
            let email = format!(
                "{}.{}@{domain}.example",
                first.to_lowercase(),
                last.to_lowercase()
            );
            Employee::new(
                &format!("{code}{}", 1001 + i),
                &format!("{first} {last}"),
                &email,
            )
        })
        .collect()
}

/// The user of a `--user` value at position `n` (from 1), defaults filled in.
fn user(spec: &UserSpec, n: usize) -> User {
    let bare = spec
        .login
        .split_once("://")
        .map_or(spec.login.as_str(), |(_, u)| u);
    let id = spec.employee_id.clone().unwrap_or_else(|| format!("U{n}"));
    let name = spec.name.clone().unwrap_or_else(|| bare.to_string());
    let email = spec
        .email
        .clone()
        .unwrap_or_else(|| format!("{bare}@{}.example", spec.tenant.to_lowercase()));
    User::new(
        &spec.login,
        &spec.password,
        &spec.tenant,
        Employee::new(&id, &name, &email),
    )
}

/// Adds the spec's tenants, users and clients to `seed`.
pub fn add(seed: &mut Seed, spec: &Spec) {
    for code in spec.tenants {
        seed.tenants.push(code.clone());
        let people = tenant_directory(code).into_iter();
        seed.directory.extend(people.map(|e| (code.clone(), e)));
    }
    for (i, u) in spec.users.iter().enumerate() {
        seed.users.push(user(u, i + 1));
    }
    for c in spec.clients {
        add_client(seed, c, spec.redirect_uris);
    }
}

/// Adds a `--client ID[:SECRET]`: without a secret a public portal client with the redirect
/// URIs; with a secret, either a secret for the public portal client `ID` that already exists
/// (seeded `portal-demo` or an earlier `--client ID`), which becomes a confidential portal
/// client and keeps its redirect URIs, or else a new service client. Anything else that
/// reuses an id is left for [`check`] to report.
fn add_client(seed: &mut Seed, c: &ClientSpec, redirect_uris: &[String]) {
    let public_portal = seed
        .clients
        .iter_mut()
        .find(|k| k.id == c.id && k.kind == ClientKind::Portal && !k.is_confidential());
    if let (Some(portal), Some(secret)) = (public_portal, &c.secret) {
        portal.secret = Some(secret.clone());
        return;
    }
    let (kind, redirect_uris) = match c.secret {
        Some(_) => (ClientKind::Service, Vec::new()),
        None => (ClientKind::Portal, redirect_uris.to_vec()),
    };
    seed.clients.push(Client {
        id: c.id.clone(),
        secret: c.secret.clone(),
        redirect_uris,
        kind,
        may_validate: true,
    });
}

fn no_twice<'a>(what: &str, names: impl Iterator<Item = &'a str>) -> Result<(), String> {
    let mut seen = HashSet::new();
    for name in names {
        if !seen.insert(name) {
            return Err(format!(
                "{what} {name} is defined twice (seeded data counts; see --no-seed)"
            ));
        }
    }
    Ok(())
}

/// Checks that every user's tenant is known and that tenants, usernames, client ids and
/// the employee ids of each tenant are unique.
pub fn check(seed: &Seed) -> Result<(), String> {
    no_twice("tenant", seed.tenants.iter().map(String::as_str))?;
    no_twice("user", seed.users.iter().map(|u| u.login.as_str()))?;
    no_twice("client", seed.clients.iter().map(|c| c.id.as_str()))?;
    if let Some(u) = seed
        .users
        .iter()
        .find(|u| !seed.tenants.contains(&u.tenant))
    {
        let known = seed.tenants.join(", ");
        return Err(format!(
            "user {}: unknown tenant {} (known: {}); add it with --tenant {} or MOBPROC_EMU_TENANT",
            u.login,
            u.tenant,
            if known.is_empty() { "none" } else { &known },
            u.tenant
        ));
    }
    for t in &seed.tenants {
        let people = seed.users.iter().filter(|u| &u.tenant == t);
        let ids = people
            .map(|u| u.employee.id.as_str())
            .chain(seed.employees(t).into_iter().map(|e| e.id.as_str()));
        no_twice(&format!("employee id in tenant {t}:"), ids)?;
    }
    Ok(())
}
