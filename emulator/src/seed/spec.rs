//! What the data is built from: the built-in seed or not, the redirect URIs of the portal
//! clients, and the tenants, users and clients added by flags. Plain values: the command line
//! (`crate::cli`) fills them in, this folder never reads flags.

/// A user added by `--user`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserSpec {
    /// The login name, possibly `SOURCE://name`.
    pub login: String,
    /// The password.
    pub password: String,
    /// The tenant code; it must be seeded or added by `--tenant`.
    pub tenant: String,
    /// The user's employee id (default `U<n>`, n = position among the users, from 1).
    pub employee_id: Option<String>,
    /// Display name (default: the username without `SOURCE://`).
    pub name: Option<String>,
    /// E-mail (default `<name without SOURCE://>@<tenant in lower case>.example`).
    pub email: Option<String>,
}

/// A client added by `--client ID[:SECRET]`: public without a secret, confidential with one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientSpec {
    /// The client id.
    pub id: String,
    /// The secret (everything after the first `:`), `None` for a public client.
    pub secret: Option<String>,
}

/// Everything [`Seed::new`](crate::seed::model::Seed) needs.
#[derive(Clone, Copy, Debug)]
pub struct Spec<'a> {
    /// Load the built-in tenants, users and clients.
    pub builtin: bool,
    /// Redirect URIs of `portal-demo` and of every public client added by flag.
    pub redirect_uris: &'a [String],
    /// Tenants added by flags.
    pub tenants: &'a [String],
    /// Users added by flags.
    pub users: &'a [UserSpec],
    /// Clients added by flags, in order.
    pub clients: &'a [ClientSpec],
}
