//! `cargo xtask bench [--quick] [--no-build] [--against DIR]`: size, per-call overhead, refresh
//! storms, start-up, memory and refreshes through the token relay, written to BENCHMARKS.md; or,
//! `--against`, the per-call time of this build against another one's in the same page.
//!
//! Builds the npm package, the emulator and the relay (debug builds, as `demo` does), installs the bench's own npm
//! packages (the libraries compared, pinned in bench/package-lock.json) with `npm ci --prefix
//! bench` when they are missing or older than the lockfile, then runs `node bench/run.mjs`,
//! which does the measuring in Debian's Chromium against the emulator on 127.0.0.1.

use crate::sh::{self, cmd, root, Result};
use crate::tools;
use std::path::{Path, PathBuf};

const USAGE: &str = "usage: cargo xtask bench [--quick] [--no-build] [--against DIR]

  --quick        small workloads, a smoke run written to target/BENCHMARKS.quick.md
  --no-build     use pkg/ and the emulator and relay binaries as they are
  --against DIR  only client.fetch of this build against that of the package in DIR (a copy
                 of an earlier pkg/), alternating call by call in one page; printed, nothing
                 written";

/// Runs the bench and writes BENCHMARKS.md at the workspace root.
pub fn run(args: &[String]) -> Result {
    let mut quick = false;
    let mut build = true;
    let mut against = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => quick = true,
            "--no-build" => build = false,
            "--against" => match args.next() {
                Some(dir) => against = Some(std::path::absolute(dir).map_err(|e| e.to_string())?),
                None => return Err(USAGE.into()),
            },
            "-h" | "--help" => return Err(USAGE.into()),
            _ => return Err(format!("bench: unknown argument {arg}\n\n{USAGE}")),
        }
    }
    tools::chromium()?;
    tools::npm_packages()?;
    bench_packages()?;
    let pkg = if build {
        crate::build::run()?
    } else {
        root().join("pkg")
    };
    let emulator = server("mobproc-emulator", build)?;
    let relay = server("mobproc-relay", build)?;
    let script = root().join("bench").join("run.mjs");
    // A smoke run must not overwrite the published figures.
    let out = if quick {
        sh::target_dir().join("BENCHMARKS.quick.md")
    } else {
        root().join("BENCHMARKS.md")
    };
    let mut node = cmd("node", &[]);
    node.arg(&script)
        .arg("--pkg")
        .arg(&pkg)
        .arg("--emulator")
        .arg(&emulator)
        .arg("--relay")
        .arg(&relay)
        .arg("--out")
        .arg(&out);
    if quick {
        node.arg("--quick");
    }
    if let Some(dir) = &against {
        node.arg("--against").arg(dir);
        return sh::run(&mut node);
    }
    sh::run(&mut node)?;
    eprintln!("wrote {}", out.display());
    Ok(())
}

/// The debug binary of the workspace package `name`, built first unless `--no-build`.
fn server(name: &str, build: bool) -> Result<PathBuf> {
    if build {
        sh::run(&mut cmd("cargo", &["build", "-p", name]))?;
    }
    sh::debug_bin(name).ok_or_else(|| format!("bench: no {name} binary (run without --no-build)"))
}

/// `npm ci --prefix bench` when bench/node_modules is missing or older than the lockfile.
fn bench_packages() -> Result {
    let dir = root().join("bench");
    let fresh = match (
        modified(&dir.join("node_modules/.package-lock.json")),
        modified(&dir.join("package-lock.json")),
    ) {
        (Some(m), Some(l)) => m >= l,
        _ => false,
    };
    if fresh {
        return Ok(());
    }
    // bench/.npmrc sets legacy-peer-deps: angular-oauth2-oidc's Angular peers are not installed.
    sh::run(&mut cmd(
        "npm",
        &["ci", "--prefix", "bench", "--no-audit", "--no-fund"],
    ))
}

fn modified(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).ok()?.modified().ok()
}
