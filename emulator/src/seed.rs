//! Seeded tenants, clients, users and employees (see README.md).

use crate::config::Config;

/// An employee record of a tenant's directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Employee {
    /// Tangoe-assigned employee id, e.g. `E1001`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// E-mail address, also the customer-assigned id.
    pub email: String,
}

/// An OAuth client known to the authorization server.
#[derive(Clone, Debug)]
pub struct Client {
    /// The client id.
    pub id: String,
    /// The secret of a confidential client; `None` for a public client.
    pub secret: Option<String>,
    /// Redirect URIs registered for the implicit grant (empty: no implicit grant).
    pub redirect_uris: Vec<String>,
}

impl Client {
    /// True for clients that have a secret (password grant, validation).
    pub fn is_confidential(&self) -> bool {
        self.secret.is_some()
    }
}

/// A user who can sign in.
#[derive(Clone, Debug)]
pub struct User {
    /// The login name typed on the sign-in page or sent in the password grant.
    pub login: String,
    /// The password.
    pub password: String,
    /// The tenant the user belongs to.
    pub tenant: String,
    /// The source platform reported by validation (`command`).
    pub platform: String,
    /// The identifier reported by validation (the login without `<source>://`).
    pub identifier: String,
    /// The user's own employee record.
    pub employee: Employee,
}

/// Everything the emulator knows at start.
#[derive(Clone, Debug)]
pub struct Seed {
    /// Registered clients.
    pub clients: Vec<Client>,
    /// Users who can sign in.
    pub users: Vec<User>,
    /// Directory entries as (tenant, employee), listed by `/employees`.
    pub directory: Vec<(String, Employee)>,
}

const FIRST: [&str; 8] = [
    "Alice", "Bruno", "Chloe", "Diego", "Emma", "Farid", "Grace", "Hiro",
];
const LAST: [&str; 9] = [
    "Anders", "Baker", "Costa", "Dubois", "Evans", "Fischer", "Garcia", "Hansen", "Ito",
];

fn emp(id: &str, name: &str, email: &str) -> Employee {
    Employee {
        id: id.into(),
        name: name.into(),
        email: email.into(),
    }
}

fn user(login: &str, password: &str, tenant: &str, employee: Employee) -> User {
    let identifier = login.split_once("://").map_or(login, |(_, u)| u);
    let platform = login.split_once("://").map_or("command", |(p, _)| p);
    User {
        login: login.into(),
        password: password.into(),
        tenant: tenant.into(),
        platform: platform.into(),
        identifier: identifier.into(),
        employee,
    }
}

impl Seed {
    /// Builds the seeded data; `portal-demo` gets the configured redirect URIs.
    pub fn new(config: &Config) -> Seed {
        let clients = vec![
            Client {
                id: "portal-demo".into(),
                secret: None,
                redirect_uris: config.redirect_uris.clone(),
            },
            Client {
                id: "server-demo".into(),
                secret: Some("server-demo-secret".into()),
                redirect_uris: Vec::new(),
            },
        ];
        let users = vec![
            user(
                "demo",
                "demo",
                "XYZ",
                emp("E1000", "Demo User", "demo@xyz.example"),
            ),
            user(
                "command://jdoe",
                "jdoe-pass",
                "XYZ",
                emp("E0999", "John Doe", "jdoe@xyz.example"),
            ),
            user(
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
            clients,
            users,
            directory,
        }
    }

    /// The client with this id.
    pub fn client(&self, id: &str) -> Option<&Client> {
        self.clients.iter().find(|c| c.id == id)
    }

    /// The user with this login and password.
    pub fn user(&self, login: &str, password: &str) -> Option<&User> {
        self.users
            .iter()
            .find(|u| u.login == login && crate::random::same(&u.password, password))
    }

    /// The directory of a tenant (what `/employees` lists).
    pub fn employees(&self, tenant: &str) -> Vec<&Employee> {
        self.directory
            .iter()
            .filter(|(t, _)| t == tenant)
            .map(|(_, e)| e)
            .collect()
    }

    /// Every person of a tenant: users and directory entries.
    fn people(&self, tenant: &str) -> Vec<&Employee> {
        let users = self.users.iter().filter(|u| u.tenant == tenant);
        users
            .map(|u| &u.employee)
            .chain(self.employees(tenant))
            .collect()
    }

    /// Finds a person of a tenant by Tangoe employee id.
    pub fn by_id(&self, tenant: &str, id: &str) -> Option<&Employee> {
        self.people(tenant).into_iter().find(|e| e.id == id)
    }

    /// Finds a person of a tenant by customer-assigned id (the e-mail, case-insensitive).
    pub fn by_email(&self, tenant: &str, email: &str) -> Option<&Employee> {
        self.people(tenant)
            .into_iter()
            .find(|e| e.email.eq_ignore_ascii_case(email))
    }
}
