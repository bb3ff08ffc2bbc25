//! The Rust front-end example (`www-example/rust/`): built for the browser with wasm-bindgen
//! into `<target>/rust-example/`, which `www-example/serve.mjs --rust` serves at `/rust/`.

use crate::sh::{self, cmd, root, target_dir, Result};
use crate::tools;
use std::path::PathBuf;

/// The example's package name (`www-example/rust/Cargo.toml`).
const PACKAGE: &str = "mobproc-portal-rust";
/// The files of `www-example/rust/` that are served beside wasm-bindgen's output.
const PAGE_FILES: [&str; 2] = ["index.html", "boot.js"];

/// Builds the example (release, wasm32), runs `wasm-bindgen --target web` on it and adds its
/// page; returns the directory to serve at `/rust/`.
pub fn build() -> Result<PathBuf> {
    tools::wasm_target()?;
    tools::wasm_bindgen_cli()?;
    sh::run(&mut cmd(
        "cargo",
        &[
            "build",
            "-p",
            PACKAGE,
            "--target",
            "wasm32-unknown-unknown",
            "--release",
        ],
    ))?;
    let wasm = target_dir()
        .join("wasm32-unknown-unknown/release")
        .join(format!("{}.wasm", PACKAGE.replace('-', "_")));
    let out = target_dir().join("rust-example");
    let mut bindgen = cmd(
        "wasm-bindgen",
        &["--target", "web", "--no-typescript", "--out-dir"],
    );
    bindgen.arg(&out).arg(&wasm);
    sh::run(&mut bindgen)?;
    let source = root().join("www-example/rust");
    for file in PAGE_FILES {
        std::fs::copy(source.join(file), out.join(file))
            .map_err(|e| format!("example: copying {file} to {}: {e}", out.display()))?;
    }
    Ok(out)
}
