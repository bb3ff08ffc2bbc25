//! Tenants, clients, users and employees, and the lookups on them (see README.md).

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

/// What a client is registered for (PingFederate's "allowed grant types").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientKind {
    /// A portal in a browser: the implicit grant or the authorization code grant with PKCE,
    /// with its redirect URIs, then refresh and revocation. Public (`portal-demo` as seeded)
    /// or confidential once given a secret, as Tangoe's documentation describes it: then the
    /// code exchange, refresh, validate and revoke need the secret.
    Portal,
    /// A server-side service account: the password grant, refresh, validate (unless
    /// [`Client::may_validate`] is off) and revoke; always confidential, no redirect URIs.
    Service,
}

/// An OAuth client known to the authorization server.
#[derive(Clone, Debug)]
pub struct Client {
    /// The client id.
    pub id: String,
    /// The secret of a confidential client; `None` for a public client.
    pub secret: Option<String>,
    /// Redirect URIs registered for the sign-in page, implicit and code grants (empty: no
    /// sign-in page).
    pub redirect_uris: Vec<String>,
    /// What the client is registered for.
    pub kind: ClientKind,
    /// Whether its grant types include validate_bearer: Tangoe does not let every client
    /// validate, and one without the grant is refused with `unauthorized_client`.
    pub may_validate: bool,
}

impl Client {
    /// True for clients that have a secret: they must present it at the token and
    /// revocation endpoints, and only they may validate tokens.
    pub fn is_confidential(&self) -> bool {
        self.secret.is_some()
    }

    /// True for the clients registered for the password grant (service accounts).
    pub fn may_use_password(&self) -> bool {
        self.kind == ClientKind::Service && self.is_confidential()
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
#[derive(Clone, Debug, Default)]
pub struct Seed {
    /// Known tenant codes.
    pub tenants: Vec<String>,
    /// Registered clients.
    pub clients: Vec<Client>,
    /// Users who can sign in.
    pub users: Vec<User>,
    /// Directory entries as (tenant, employee), listed by `/employees`.
    pub directory: Vec<(String, Employee)>,
}

impl Employee {
    /// An employee record.
    pub fn new(id: &str, name: &str, email: &str) -> Employee {
        Employee {
            id: id.into(),
            name: name.into(),
            email: email.into(),
        }
    }
}

impl User {
    /// A user; platform and identifier come from a `<source>://<user>` login
    /// (platform `command` for a bare login).
    pub fn new(login: &str, password: &str, tenant: &str, employee: Employee) -> User {
        let (platform, identifier) = login.split_once("://").unwrap_or(("command", login));
        User {
            login: login.into(),
            password: password.into(),
            tenant: tenant.into(),
            platform: platform.into(),
            identifier: identifier.into(),
            employee,
        }
    }
}

impl Seed {
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
