//! `cargo xtask build`: the npm package in pkg/.

use crate::sh::{self, cmd, root, Result};
use crate::tools;
use std::fs;
use std::path::PathBuf;

/// Files copied from pkg-template/ next to wasm-bindgen's output (its ES modules are bundled
/// into index.js below).
const TEMPLATE: &[&str] = &["index.d.ts", "README.md"];

/// Builds pkg/ and returns its path. The package is assembled in target/pkg-staging-<pid> and moved
/// into place at the end, so a failed build or a running demo never sees half a package.
pub fn run() -> Result<PathBuf> {
    tools::wasm_target()?;
    tools::wasm_bindgen_cli()?;
    tools::npm_packages()?;
    let root = root();
    let target = sh::target_dir();
    let pkg = target.join(format!("pkg-staging-{}", std::process::id()));
    sh::run(&mut cmd(
        "cargo",
        &[
            "build",
            "-p",
            "mobproc-auth",
            "--lib",
            "--features",
            "js",
            "--target",
            "wasm32-unknown-unknown",
            "--profile",
            "wasm",
        ],
    ))?;
    if pkg.exists() {
        fs::remove_dir_all(&pkg).map_err(|e| format!("removing {}: {e}", pkg.display()))?;
    }
    let wasm = target.join("wasm32-unknown-unknown/wasm/mobproc_auth.wasm");
    sh::run(&mut cmd(
        "wasm-bindgen",
        &[
            &wasm.to_string_lossy(),
            "--out-dir",
            &pkg.to_string_lossy(),
            "--target",
            "web",
            "--no-typescript",
            "--remove-name-section",
            "--remove-producers-section",
        ],
    ))?;
    let bg = pkg.join("mobproc_auth_bg.wasm");
    let bg = bg.to_string_lossy();
    // binaryen from npm: Debian's wasm-opt 108 writes modules that fail to instantiate.
    sh::run(&mut cmd(
        &tools::npm_bin("wasm-opt").to_string_lossy(),
        &[
            "-Oz",
            "--converge",
            "--zero-filled-memory",
            "--strip-target-features",
            &bg,
            "-o",
            &bg,
        ],
    ))?;
    for file in TEMPLATE {
        fs::copy(root.join("pkg-template").join(file), pkg.join(file))
            .map_err(|e| format!("copying pkg-template/{file}: {e}"))?;
    }
    let modules =
        fs::read_dir(root.join("pkg-template")).map_err(|e| format!("pkg-template/: {e}"))?;
    let mut sources = Vec::new();
    for entry in modules.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".js") {
            fs::copy(entry.path(), pkg.join(&name))
                .map_err(|e| format!("copying pkg-template/{name}: {e}"))?;
            sources.push(name);
        }
    }
    share_snippets(&pkg)?;
    // One minified ES module: the entry, its modules and wasm-bindgen's glue.
    let entry = pkg.join("index.js");
    let entry = entry.to_string_lossy();
    sh::run(&mut cmd(
        &tools::npm_bin("esbuild").to_string_lossy(),
        &[
            &entry,
            "--bundle",
            "--minify",
            "--format=esm",
            "--target=es2022",
            "--platform=neutral",
            "--allow-overwrite",
            &format!("--outfile={entry}"),
        ],
    ))?;
    sources.push("mobproc_auth.js".into());
    let snippets = pkg.join("snippets");
    if snippets.exists() {
        fs::remove_dir_all(&snippets).map_err(|e| format!("removing pkg/snippets: {e}"))?;
    }
    for name in sources.iter().filter(|n| n.as_str() != "index.js") {
        fs::remove_file(pkg.join(name))
            .map_err(|e| format!("removing the bundled pkg/{name}: {e}"))?;
    }
    let manifest = fs::read_to_string(root.join("pkg-template/package.json"))
        .map_err(|e| format!("pkg-template/package.json: {e}"))?
        .replace("0.0.0-set-by-xtask", &library_version()?);
    fs::write(pkg.join("package.json"), manifest).map_err(|e| format!("pkg/package.json: {e}"))?;
    let published = root.join("pkg");
    if published.exists() {
        fs::remove_dir_all(&published).map_err(|e| format!("removing pkg/: {e}"))?;
    }
    if fs::rename(&pkg, &published).is_err() {
        // A CARGO_TARGET_DIR on another filesystem: copy (pkg/ is flat), then drop the staging.
        fs::create_dir_all(&published).map_err(|e| format!("creating pkg/: {e}"))?;
        let files = fs::read_dir(&pkg).map_err(|e| format!("{}: {e}", pkg.display()))?;
        for file in files.flatten() {
            fs::copy(file.path(), published.join(file.file_name()))
                .map_err(|e| format!("copying {} to pkg/: {e}", file.path().display()))?;
        }
        fs::remove_dir_all(&pkg).map_err(|e| format!("removing {}: {e}", pkg.display()))?;
    }
    eprintln!("built {}", published.display());
    Ok(published)
}

/// wasm-bindgen copies each `#[wasm_bindgen(module = "/pkg-template/…")]` file into
/// `snippets/<crate>-<hash>/pkg-template/`. The entry imports the same file from pkg-template;
/// two copies would make two `MobprocError` classes and break `instanceof`, so each snippet
/// becomes a re-export of the one copy, and the bundle holds it once.
fn share_snippets(pkg: &std::path::Path) -> Result {
    let Ok(crates) = fs::read_dir(pkg.join("snippets")) else {
        return Ok(());
    };
    for dir in crates.flatten() {
        let Ok(files) = fs::read_dir(dir.path().join("pkg-template")) else {
            continue;
        };
        for file in files.flatten() {
            let name = file.file_name().to_string_lossy().into_owned();
            let shared = format!("export * from \"../../../{name}\";\n");
            fs::write(file.path(), shared).map_err(|e| format!("snippet {name}: {e}"))?;
        }
    }
    Ok(())
}

/// The library's version from the root Cargo.toml, so the npm package carries the same one.
fn library_version() -> Result<String> {
    let manifest =
        fs::read_to_string(root().join("Cargo.toml")).map_err(|e| format!("Cargo.toml: {e}"))?;
    manifest
        .lines()
        .find_map(|l| l.strip_prefix("version = \""))
        .map(|v| v.trim_end_matches('"').to_owned())
        .ok_or_else(|| "no version in Cargo.toml".into())
}
