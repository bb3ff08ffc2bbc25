//! Installs what the project needs when it is missing, from the package registries only:
//! the wasm target (rustup), wasm-bindgen-cli at the pinned version (crates.io), npm packages
//! (the lockfile), rustfmt and clippy (rustup), Chromium and Firefox ESR (Debian, as root;
//! otherwise the exact command), geckodriver at the pinned version (crates.io). Node.js and
//! npm it cannot install: it says which version to get.

use crate::sh::{cmd, output, root, run, Result};
use std::path::{Path, PathBuf};

/// Debian's browser and its driver.
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// Debian's chromedriver, of the same build: wasm-bindgen-test-runner drives Chromium with it.
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Debian's Firefox ESR: the end-to-end suite and the wasm tests run in it too.
pub const FIREFOX: &str = "/usr/bin/firefox-esr";
/// geckodriver, from crates.io: wasm-bindgen-test-runner drives Firefox with it.
pub const GECKODRIVER_VERSION: &str = "0.37.1";

/// `rustup target add wasm32-unknown-unknown` unless installed.
pub fn wasm_target() -> Result {
    let installed =
        output(&mut cmd("rustup", &["target", "list", "--installed"])).unwrap_or_default();
    if installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        return Ok(());
    }
    run(&mut cmd(
        "rustup",
        &["target", "add", "wasm32-unknown-unknown"],
    ))
}

/// The wasm-bindgen version pinned in Cargo.lock; the CLI must match it exactly.
pub fn pinned_wasm_bindgen() -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|e| format!("Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\"" {
            if let Some(v) = lines.next().and_then(|l| l.strip_prefix("version = \"")) {
                return Ok(v.trim_end_matches('"').to_owned());
            }
        }
    }
    Err("wasm-bindgen is not in Cargo.lock".into())
}

/// `cargo install wasm-bindgen-cli --version <pinned>` unless that exact version is on PATH.
pub fn wasm_bindgen_cli() -> Result {
    let version = pinned_wasm_bindgen()?;
    if version_on_path("wasm-bindgen") == version {
        return Ok(());
    }
    eprintln!("installing wasm-bindgen-cli {version} (about 3 minutes on 2 cores)");
    let locked = run(&mut cmd(
        "cargo",
        &[
            "install",
            "wasm-bindgen-cli",
            "--version",
            &version,
            "--locked",
        ],
    ));
    if locked.is_err() {
        // The mirror once lacked a crate pinned by the CLI's own lockfile.
        run(&mut cmd(
            "cargo",
            &["install", "wasm-bindgen-cli", "--version", &version],
        ))?;
    }
    on_path_after_install("wasm-bindgen", &version)
}

/// The version of `program` on PATH (`wasm-bindgen 0.2.130`, `geckodriver 0.37.1 (…)`: the
/// second word of `--version`), or `""` when there is none.
fn version_on_path(program: &str) -> String {
    let said = output(&mut cmd(program, &["--version"])).unwrap_or_default();
    said.split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .to_owned()
}

/// After `cargo install`, which puts `program` into cargo's bin directory: another one earlier
/// on PATH would still be the one every later step runs.
fn on_path_after_install(program: &str, version: &str) -> Result {
    let now = version_on_path(program);
    if now == version {
        return Ok(());
    }
    let which =
        output(&mut cmd("sh", &["-c", &format!("command -v {program}")])).unwrap_or_default();
    Err(format!(
        "{program} {version} is installed in cargo's bin directory, but `{program}` on PATH is \
         version {now:?} ({}): put ~/.cargo/bin (or $CARGO_HOME/bin) first on PATH",
        which.trim()
    ))
}

/// Whether Node.js `major.minor` runs the commands: the test runner's `--test-force-exit` came
/// in 20.14 and 22.0 (not 21), and the end-to-end apps' Vite 7 asks for 20.19 or 22.12.
fn node_supported((major, minor): (u32, u32)) -> bool {
    (major == 20 && minor >= 19) || (major == 22 && minor >= 12) || major >= 23
}

/// Node.js that [`node_supported`] takes and npm on PATH, or an error saying what to install: they
/// are the one thing these commands cannot install themselves.
pub fn node_and_npm() -> Result {
    let get =
        "install Node.js 20.19+ or 22.12+ with npm (nodejs.org or NodeSource; Debian 12's own \
               `nodejs` is 18, without npm)";
    let said = output(&mut cmd("node", &["--version"]))
        .ok_or_else(|| format!("`node` is not on PATH: {get}"))?;
    if !node_version(&said).is_some_and(node_supported) {
        return Err(format!("Node.js {} is too old: {get}", said.trim()));
    }
    output(&mut cmd("npm", &["--version"]))
        .map(|_| ())
        .ok_or_else(|| format!("`npm` is not on PATH: {get}"))
}

/// `(major, minor)` of `node --version`'s `v20.14.0`.
fn node_version(said: &str) -> Option<(u32, u32)> {
    let mut parts = said.trim().strip_prefix('v')?.split('.');
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

/// `rustup component add rustfmt clippy` unless both are installed (a `--profile minimal`
/// toolchain, as in the official Docker images, has neither).
pub fn rust_components() -> Result {
    let installed =
        output(&mut cmd("rustup", &["component", "list", "--installed"])).unwrap_or_default();
    let has = |name: &str| installed.lines().any(|l| l.starts_with(name));
    if has("rustfmt") && has("clippy") {
        return Ok(());
    }
    run(&mut cmd(
        "rustup",
        &["component", "add", "rustfmt", "clippy"],
    ))
}

/// `npm ci` when node_modules is missing or older than the lockfile.
pub fn npm_packages() -> Result {
    node_and_npm()?;
    let modules = root().join("node_modules/.package-lock.json");
    let lock = root().join("package-lock.json");
    let fresh = match (modified(&modules), modified(&lock)) {
        (Some(m), Some(l)) => m >= l,
        _ => false,
    };
    if fresh {
        return Ok(());
    }
    run(&mut cmd("npm", &["ci", "--no-audit", "--no-fund"]))
}

/// A binary installed by npm, e.g. `wasm-opt` from the `binaryen` package.
pub fn npm_bin(name: &str) -> PathBuf {
    root().join("node_modules/.bin").join(name)
}

/// Debian's Chromium (driven by playwright-core) and its chromedriver (driven by
/// wasm-bindgen-test-runner), and Debian's Firefox ESR (driven by playwright-core over
/// WebDriver BiDi, and by geckodriver): one apt command for all three. Nothing downloads a
/// browser from anywhere else.
pub fn browsers() -> Result {
    debian(
        &[CHROMIUM, CHROMEDRIVER, FIREFOX],
        "chromium chromium-driver firefox-esr",
        "Chromium, chromedriver and Firefox ESR",
    )
}

/// Debian's Chromium and chromedriver alone, for the bench.
pub fn chromium() -> Result {
    debian(
        &[CHROMIUM, CHROMEDRIVER],
        "chromium chromium-driver",
        "Chromium and chromedriver",
    )
}

/// Installs Debian `packages` with apt unless every file of `files` exists; as root only,
/// otherwise an error with the exact command.
fn debian(files: &[&str], packages: &str, what: &str) -> Result {
    if files.iter().all(|f| Path::new(f).exists()) {
        return Ok(());
    }
    let command = format!("apt-get update && apt-get install -y {packages}");
    let uid = output(&mut cmd("id", &["-u"])).unwrap_or_default();
    if uid.trim() != "0" {
        return Err(format!(
            "{what}: needed for the browser tests; install with:\n    sudo sh -c '{command}'"
        ));
    }
    run(&mut cmd("sh", &["-c", &command]))
}

/// `cargo install geckodriver --version <pinned>` unless that version is on PATH; returns the
/// command to run it by.
pub fn geckodriver() -> Result<&'static str> {
    if version_on_path("geckodriver") == GECKODRIVER_VERSION {
        return Ok("geckodriver");
    }
    eprintln!("installing geckodriver {GECKODRIVER_VERSION} (about 3 minutes on 2 cores)");
    let args = ["install", "geckodriver", "--version", GECKODRIVER_VERSION];
    if run(&mut cmd("cargo", &[&args[..], &["--locked"]].concat())).is_err() {
        run(&mut cmd("cargo", &args))?;
    }
    on_path_after_install("geckodriver", GECKODRIVER_VERSION)?;
    Ok("geckodriver")
}

fn modified(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).ok()?.modified().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_versions_are_read_and_compared() {
        assert_eq!(node_version("v20.14.0\n"), Some((20, 14)));
        assert_eq!(node_version("v22.3.1"), Some((22, 3)));
        assert_eq!(node_version("20.14.0"), None);
        assert_eq!(node_version("vx.y"), None);
        let supported = |v: &str| node_version(v).is_some_and(node_supported);
        assert!(supported("v20.19.0") && supported("v20.20.2") && supported("v22.12.0"));
        assert!(supported("v24.1.0"));
        assert!(!supported("v20.18.3") && !supported("v21.7.3") && !supported("v22.11.0"));
        assert!(!supported("v18.20.4"));
    }
}
