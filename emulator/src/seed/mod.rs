//! Seed data: the tenants, clients, users and employee directories the emulator knows,
//! built once at start from the built-in seed and what the flags add (see README.md).
//!
//! - [`model`]: the records and the lookups handlers use (`Seed::client`, `Seed::user`, …).
//! - [`builtin`]: the built-in seed (`portal-demo`, `server-demo`, `demo`, the XYZ directory…).
//! - [`spec`]: the plain inputs (`Spec`, `UserSpec`, `ClientSpec`) the command line fills in.
//! - [`extra`]: how flag tenants, users and clients are added, and the startup consistency check.

pub mod builtin;
pub mod extra;
pub mod model;
pub mod spec;

pub use extra::check;
pub use model::{Client, ClientKind, Employee, Seed, User};
pub use spec::{ClientSpec, Spec, UserSpec};

impl Seed {
    /// Builds the data: the built-in seed (unless `spec.builtin` is off), then the tenants,
    /// users and clients of the flags. `portal-demo` and every public client added by flag
    /// get `spec.redirect_uris`.
    pub fn new(spec: &Spec) -> Seed {
        let mut seed = if spec.builtin {
            builtin::builtin(spec.redirect_uris)
        } else {
            Seed::default()
        };
        extra::add(&mut seed, spec);
        seed
    }
}
