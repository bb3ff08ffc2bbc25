//! `cargo xtask build`: the npm package in pkg/.

use crate::sh::{self, cmd, root, Result};
use crate::tools;
use std::fs;
use std::path::PathBuf;

/// Files copied from pkg-template/ into the package as they are. Its other `.js` files are the
/// sources of the two entries (`ENTRIES`), bundled with wasm-bindgen's glue below.
/// react.js and react.d.ts are the `mobproc-auth/react` subpath: it imports `mobproc-auth` by
/// name, so it is not bundled.
const TEMPLATE: &[&str] = &["index.d.ts", "README.md", "react.js", "react.d.ts"];

/// The package's entries: each is one ES module holding wasm-bindgen's glue, esbuild's platform
/// for it and how it is minified. index.js (package.json's `browser` and `default` conditions)
/// has no Node path, and `neutral` makes esbuild refuse any `node:` import in it; it is fully
/// minified, since browsers download it. node.js (the `node` condition) reads the module with
/// node:fs; it keeps its lines and names, because Node prints the source line of an uncaught
/// error (one 13 KB line, minified) and its stack traces name functions.
const ENTRIES: &[(&str, &str, &str)] = &[
    ("index.js", "neutral", "--minify"),
    ("node.js", "node", "--minify-syntax"),
];

/// wasm-opt's optimisation of the module (`cargo xtask size` measures with the same).
pub const WASM_OPT: &[&str] = &[
    // Measured with LTO and the flags below (gzip(1)): -Os, -Oz and -O3 give the same
    // module, 39 B smaller than -O2 (without LTO, -O2 had been 0.26 KB smaller than -Os).
    "-Os",
    // Only functions of at most 32 bytes are inlined into their one caller (the default
    // inlines all): the module grows, but its gzip shrinks. Measured with LTO (gzip(1)): 32
    // is the least, 24 and 40 within 50 B, 16 +75 B, 0 +286 B, 200 +437 B.
    "--one-caller-inline-max-function-size=32",
    // Rust links the 1 MiB stack first, growing down towards 0, and the data above it:
    // addresses below 1024 are only reached by a stack about to overflow, so wasm-opt may
    // fold constant offsets into pointers (−0.1 KB).
    "--low-memory-unused",
    "--converge",
    "--zero-filled-memory",
    // Passes -O2 does not run (-O3 and -Os do). Each measured on top of the above, on the
    // shipped module (names shortened), together −125 B: constant additions folded into load
    // and store offsets (sound for the reason `--low-memory-unused` is); identical code tails
    // merged; whole-program value flow (GUFA); locals merged. Not kept: `--dealign` (−149 B:
    // every alignment hint 1, but SpiderMonkey on 32-bit ARM then loads byte by byte),
    // `--untee` (−101 B before the names are shortened, +467 B after),
    // `--merge-similar-functions`, `--local-cse`, `--monomorphize` (larger).
    "--optimize-added-constants-propagate",
    "--code-folding",
    "--gufa-optimizing",
    "--merge-locals",
    // Only bodies of a single expression are always inlined (the default is two, which
    // includes one-call forwarders): −15 B.
    "--always-inline-max-function-size=1",
];

/// The installable tarball (`npm pack` of the package), in pkg/ under a name that does not
/// change with the version, so the README's `npm install …/pkg/mobproc-auth.tgz` stays right.
pub const TARBALL: &str = "mobproc-auth.tgz";

/// Builds pkg/ and returns its path. The package is assembled in target/pkg-staging-<pid> and moved
/// into place at the end, so a failed build or a running demo never sees half a package.
pub fn run() -> Result<PathBuf> {
    tools::wasm_target()?;
    tools::wasm_bindgen_cli()?;
    tools::npm_packages()?;
    let root = root();
    let target = sh::target_dir();
    let pkg = target.join(format!("pkg-staging-{}", std::process::id()));
    sh::run(
        cmd(
            "cargo",
            &[
                "rustc",
                "-p",
                "mobproc-auth",
                "--lib",
                // The module: only this build makes one (a Rust app depending on the crate
                // does not link a second, unused, .wasm).
                "--crate-type",
                "cdylib",
                "--features",
                "js",
                "--target",
                "wasm32-unknown-unknown",
                "--profile",
                "wasm",
                "--",
                // For the crate, and so for its link-time optimisation of the whole module:
                // LLVM inlines only calls that cost nothing. Measured with LTO (gzip(1) of the
                // package): 0 is 12 B smaller than opt-level "z"'s own (which 2 and 5 equal),
                // 8 is +0.6 KB, 12 +1.2 KB, 25 +1.6 KB. Without LTO, 12 had been the best.
                "-Cllvm-args=-inline-threshold=0",
            ],
        )
        .env("CARGO_ENCODED_RUSTFLAGS", rustflags().join("\u{1f}")),
    )?;
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
    let args = [WASM_OPT, &[&bg, "-o", &bg]].concat();
    sh::run(&mut cmd(
        &tools::npm_bin("wasm-opt").to_string_lossy(),
        &args,
    ))?;
    short_names(&pkg)?;
    names_no_machine_path(&pkg.join("mobproc_auth_bg.wasm"))?;
    for file in TEMPLATE {
        fs::copy(root.join("pkg-template").join(file), pkg.join(file))
            .map_err(|e| format!("copying pkg-template/{file}: {e}"))?;
    }
    // The licence texts go with every copy (MIT asks it), from the repository's root.
    for file in ["LICENSE-MIT", "LICENSE-APACHE"] {
        fs::copy(root.join(file), pkg.join(file)).map_err(|e| format!("copying {file}: {e}"))?;
    }
    let modules =
        fs::read_dir(root.join("pkg-template")).map_err(|e| format!("pkg-template/: {e}"))?;
    let mut sources = Vec::new();
    for entry in modules.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".js") && !TEMPLATE.contains(&name.as_str()) {
            fs::copy(entry.path(), pkg.join(&name))
                .map_err(|e| format!("copying pkg-template/{name}: {e}"))?;
            sources.push(name);
        }
    }
    share_snippets(&pkg)?;
    // Per entry, one minified ES module: the entry, its modules and wasm-bindgen's glue. The
    // entries share their sources, not a chunk: a browser loads index.js alone.
    // Run in the staging folder, by relative names: the path comments esbuild leaves in node.js
    // then name the file alone, not the staging folder (whose name holds this process's id and
    // would change the tarball, and its integrity in an app's lockfile, on every build).
    for (name, platform, minify) in ENTRIES {
        sh::run(
            cmd(
                &tools::npm_bin("esbuild").to_string_lossy(),
                &[
                    name,
                    "--bundle",
                    minify,
                    "--format=esm",
                    "--target=es2022",
                    &format!("--platform={platform}"),
                    "--allow-overwrite",
                    &format!("--outfile={name}"),
                ],
            )
            .current_dir(&pkg),
        )?;
    }
    sources.push("mobproc_auth.js".into());
    let snippets = pkg.join("snippets");
    if snippets.exists() {
        fs::remove_dir_all(&snippets).map_err(|e| format!("removing pkg/snippets: {e}"))?;
    }
    let bundled = sources
        .iter()
        .filter(|n| !ENTRIES.iter().any(|(entry, _, _)| entry == n));
    for name in bundled {
        fs::remove_file(pkg.join(name))
            .map_err(|e| format!("removing the bundled pkg/{name}: {e}"))?;
    }
    let manifest = fs::read_to_string(root.join("pkg-template/package.json"))
        .map_err(|e| format!("pkg-template/package.json: {e}"))?
        .replace("0.0.0-set-by-xtask", &library_version()?);
    fs::write(pkg.join("package.json"), manifest).map_err(|e| format!("pkg/package.json: {e}"))?;
    pack(&pkg)?;
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
    eprintln!(
        "built {} (install it in an app with `npm install {}`)",
        published.display(),
        published.join(TARBALL).display()
    );
    Ok(published)
}

/// `npm pack` of the package into `TARBALL` inside it: what a registry would serve, with only
/// the files of package.json's `files` list. Installed from there, the package is a real
/// directory in the app's node_modules (not a symlink as `npm install ./pkg` makes it), so a
/// dev server such as Vite's serves its wasm.
fn pack(pkg: &std::path::Path) -> Result {
    let dir = pkg.to_string_lossy();
    let out = cmd("npm", &["pack", &dir, "--pack-destination", &dir, "--json"])
        .env("npm_config_update_notifier", "false")
        .output()
        .map_err(|e| format!("npm pack: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "`npm pack` of the package failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let packed = String::from_utf8_lossy(&out.stdout);
    // `[{ "filename": "mobproc-auth-<version>.tgz", … }]`
    let name = packed
        .split("\"filename\":")
        .nth(1)
        .and_then(|rest| rest.split('"').nth(1))
        .ok_or_else(|| format!("no filename in npm pack's answer: {packed}"))?;
    fs::rename(pkg.join(name), pkg.join(TARBALL))
        .map_err(|e| format!("renaming {name} to {TARBALL}: {e}"))
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

/// Renames the module's imports and exports to one or two letters (wasm-opt's
/// `--minify-imports-and-exports-and-modules`) and wasm-bindgen's glue to match. Its names
/// carry a 16-digit hash each (`__wbg_get_2080c49015e35254`), in the module and in the glue:
/// random digits do not compress (about 2 KB gzip).
fn short_names(pkg: &std::path::Path) -> Result {
    let wasm = pkg.join("mobproc_auth_bg.wasm");
    let path = wasm.to_string_lossy();
    let wasm_opt = tools::npm_bin("wasm-opt");
    let args = [
        &path,
        "--minify-imports-and-exports-and-modules",
        "--strip-target-features",
        "-o",
        &path,
    ];
    eprintln!("$ {} {}", wasm_opt.display(), args.join(" "));
    let map = sh::output(&mut cmd(&wasm_opt.to_string_lossy(), &args))
        .ok_or("wasm-opt could not shorten the import and export names")?;
    let bytes = fs::read(&wasm).map_err(|e| format!("{}: {e}", wasm.display()))?;
    let module = import_module(&bytes)?;
    let glue = pkg.join("mobproc_auth.js");
    let mut js = fs::read_to_string(&glue).map_err(|e| format!("{}: {e}", glue.display()))?;
    // The map has a line `["module", "import", "new"],` per import, `["export", "new"],` per
    // export.
    for line in map.lines() {
        let quoted: Vec<&str> = line.split('"').skip(1).step_by(2).collect();
        let (from, to) = match quoted[..] {
            [old_module, old, new] => {
                js = js.replace(&format!("\"{old_module}\":"), &format!("\"{module}\":"));
                (format!("{old}:"), format!("{new}:"))
            }
            [old, new] => (format!("wasm.{old}"), format!("wasm.{new}")),
            _ => continue,
        };
        js = replace_name(&js, &from, &to);
        if replace_name(&js, &from, "") != js {
            return Err(format!("the glue still uses `{from}` after renaming"));
        }
    }
    fs::write(&glue, js).map_err(|e| format!("{}: {e}", glue.display()))
}

/// `text` with each `from` that is a whole name (no letter, digit, `_` or `$` around it)
/// replaced by `to`.
fn replace_name(text: &str, from: &str, to: &str) -> String {
    let name =
        |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(from) {
        let (before, after) = (&rest[..at], &rest[at + from.len()..]);
        out.push_str(before);
        let whole = !name(before.chars().next_back()) && !name(after.chars().next());
        out.push_str(if whole { to } else { from });
        rest = after;
    }
    out.push_str(rest);
    out
}

/// The one module name the (renamed) module imports from.
fn import_module(wasm: &[u8]) -> Result<String> {
    let err = |e: wasmparser::BinaryReaderError| format!("reading the wasm module: {e}");
    let mut modules = std::collections::BTreeSet::new();
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        if let wasmparser::Payload::ImportSection(imports) = payload.map_err(err)? {
            for import in imports.into_imports() {
                modules.insert(import.map_err(err)?.module.to_owned());
            }
        }
    }
    match modules.len() {
        1 => Ok(modules.into_iter().next().unwrap_or_default()),
        n => Err(format!("the module imports from {n} modules, expected one")),
    }
}

/// The flags for every crate of the module: the developer's own (`CARGO_ENCODED_RUSTFLAGS`, or
/// else `RUSTFLAGS`; cargo then reads no `rustflags` of its config files), then
/// [`path_remaps`].
fn rustflags() -> Vec<String> {
    let mut flags: Vec<String> = match std::env::var("CARGO_ENCODED_RUSTFLAGS") {
        Ok(encoded) if !encoded.is_empty() => encoded.split('\u{1f}').map(String::from).collect(),
        _ => std::env::var("RUSTFLAGS")
            .map(|flags| flags.split_whitespace().map(String::from).collect())
            .unwrap_or_default(),
    };
    flags.extend(path_remaps());
    flags
}

/// `--remap-path-prefix` for the sources cargo downloaded. The panic locations the module
/// keeps (js-sys's futures, gloo-net, http) name their source files, which would start with
/// the builder's Cargo home (`/home/alice/.cargo/registry/src/`): the package would name its
/// builder's account, and its size would change with that path's length, which the size
/// budget check would see. They start at the registry's folder instead
/// (`index.crates.io-…/js-sys-0.3.107/src/…`); the crate's own paths are relative already.
fn path_remaps() -> Vec<String> {
    downloaded_sources()
        .iter()
        .map(|folder| format!("--remap-path-prefix={folder}="))
        .collect()
}

/// The folders of the sources cargo downloads, with a trailing separator.
fn downloaded_sources() -> Vec<String> {
    let Some(home) = cargo_home() else {
        return Vec::new();
    };
    [["registry", "src"], ["git", "checkouts"]]
        .iter()
        .map(|[a, b]| {
            let folder = home.join(a).join(b);
            format!("{}{}", folder.display(), std::path::MAIN_SEPARATOR)
        })
        .collect()
}

/// Where cargo keeps the crates it downloads, as cargo finds it (`USERPROFILE` on Windows).
fn cargo_home() -> Option<PathBuf> {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .or_else(|| std::env::var_os("USERPROFILE"))
                .map(|home| PathBuf::from(home).join(".cargo"))
        })
}

/// Fails when the module names a source folder of this machine (cargo's downloads, or the
/// checkout's `src`), which `path_remaps` is there to prevent: a panic location of a crate it
/// did not cover. The exact prefixes: a checkout at `/src` is no leak in `js-sys-…/src/`.
fn names_no_machine_path(module: &std::path::Path) -> Result {
    let bytes = fs::read(module).map_err(|e| format!("{}: {e}", module.display()))?;
    let checkout = root().join("src");
    let checkout = format!("{}{}", checkout.display(), std::path::MAIN_SEPARATOR);
    for folder in downloaded_sources().into_iter().chain([checkout]) {
        if bytes.windows(folder.len()).any(|w| w == folder.as_bytes()) {
            return Err(format!(
                "{} names {folder}, a folder of this machine: a source path `path_remaps` does not remap",
                module.display()
            ));
        }
    }
    Ok(())
}
