//! `cargo xtask test`: every test, cheapest first, each step timed.

use crate::sh::{cmd, root, Result};
use crate::{build, size, tools};
use std::process::Command;
use std::time::Instant;

const WASM: &str = "wasm32-unknown-unknown";

/// Runs everything; stops at the first failing step.
pub fn run(_args: &[String]) -> Result {
    let started = Instant::now();
    tools::rust_components()?;
    tools::wasm_target()?;
    tools::wasm_bindgen_cli()?;
    tools::npm_packages()?;
    tools::browsers()?;
    let geckodriver = tools::geckodriver()?;
    let mut report = Vec::new();
    step(
        &mut report,
        "format",
        &mut cmd("cargo", &["fmt", "--all", "--check"]),
    )?;
    // Warnings are errors everywhere: natively, for wasm32 (the Rust API), for the npm build
    // (the `js` feature) and for the Rust example.
    let clippy: [(&str, &[&str]); 4] = [
        ("clippy (native)", &["--workspace", "--all-targets"]),
        (
            "clippy (wasm32, the Rust API)",
            &["-p", "mobproc-auth", "--target", WASM, "--all-targets"],
        ),
        (
            "clippy (wasm32, the npm build)",
            &["-p", "mobproc-auth", "--features", "js", "--target", WASM],
        ),
        (
            "clippy (wasm32, the Rust example)",
            &["-p", "mobproc-portal-rust", "--target", WASM],
        ),
    ];
    for (name, args) in clippy {
        let args = [&["clippy"], args, &["--", "-D", "warnings"]].concat();
        step(&mut report, name, &mut cmd("cargo", &args))?;
    }
    // The API docs where the API is (wasm32, with the npm skin): a broken or private link, or
    // a bare `[x]` rustdoc takes for one, fails.
    let mut docs = cmd(
        "cargo",
        &[
            "doc",
            "--no-deps",
            "-p",
            "mobproc-auth",
            "--features",
            "js",
            "--target",
            WASM,
        ],
    );
    docs.env("RUSTDOCFLAGS", "-D warnings");
    step(
        &mut report,
        "API docs (wasm32, rustdoc warnings denied)",
        &mut docs,
    )?;
    step(
        &mut report,
        "native tests: core, emulator, xtask",
        &mut cmd("cargo", &["test", "--workspace"]),
    )?;
    // tests/client_browser.rs through wasm-bindgen-test-runner, which takes geckodriver when
    // GECKODRIVER is set, else chromedriver; the browsers' flags (Chromium as root needs
    // --no-sandbox, no background traffic; Firefox headless) are in webdriver.json.
    let wasm_tests = |driver: &str, path: &str| {
        let mut c = cmd("cargo", &["test", "-p", "mobproc-auth", "--target", WASM]);
        c.env(
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
            "wasm-bindgen-test-runner",
        )
        .env_remove("CHROMEDRIVER")
        .env_remove("GECKODRIVER")
        // The runner's limits (20 s for a whole file, about 4 s here; 5 s for the driver to
        // listen) are raised for a slow, busy CI machine.
        .env("WASM_BINDGEN_TEST_TIMEOUT", "120")
        .env("WASM_BINDGEN_TEST_DRIVER_TIMEOUT", "30")
        .env(driver, path);
        c
    };
    step(
        &mut report,
        "wasm tests: the Rust client in Chromium",
        &mut wasm_tests("CHROMEDRIVER", tools::CHROMEDRIVER),
    )?;
    step(
        &mut report,
        "wasm tests: the Rust client in Firefox",
        &mut wasm_tests("GECKODRIVER", geckodriver),
    )?;
    let t = Instant::now();
    let pkg = build::run()?;
    size::check_budget(&pkg)?;
    report.push(format!(
        "{:>7.1}s  build pkg/ and check the size budget",
        t.elapsed().as_secs_f64()
    ));
    step(
        &mut report,
        "build the emulator",
        &mut cmd("cargo", &["build", "-p", "mobproc-emulator"]),
    )?;
    let emulator = crate::sh::target_dir().join("debug/mobproc-emulator");
    // The token relay, between the portal and the emulator in tests/e2e/relay.test.mjs.
    step(
        &mut report,
        "build the relay",
        &mut cmd("cargo", &["build", "-p", "mobproc-relay"]),
    )?;
    let relay = crate::sh::target_dir().join("debug/mobproc-relay");
    // www-example/rust, served at /rust/ by tests/e2e/rust.test.mjs.
    let rust_example = crate::example::build()?;
    // The test files of a directory, named one by one: Node 21 and later load a directory given
    // to `--test` as a module instead of searching it. Every test has a time limit, and the run
    // ends when the tests do, even if a failed setup left a server running.
    let node_test = |dir: &str| -> Result<Command> {
        let mut files: Vec<String> = std::fs::read_dir(root().join(dir))
            .map_err(|e| format!("{dir}: {e}"))?
            .flatten()
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(".test.mjs"))
            .map(|name| format!("{}/{name}", dir.trim_end_matches('/')))
            .collect();
        files.sort();
        let args = [
            &[
                "--test",
                "--test-reporter=spec",
                "--test-force-exit",
                "--test-timeout=300000",
            ][..],
            &files.iter().map(String::as_str).collect::<Vec<_>>(),
        ]
        .concat();
        let mut c = cmd("node", &args);
        c.env("MOBPROC_BROWSER", "chromium")
            .env("MOBPROC_PKG_DIR", &pkg)
            .env("CHROMIUM", tools::CHROMIUM)
            .env("MOBPROC_EMULATOR_BIN", &emulator)
            .env("MOBPROC_RELAY_BIN", &relay)
            .env("MOBPROC_RUST_EXAMPLE_DIR", &rust_example);
        Ok(c)
    };
    step(
        &mut report,
        "TypeScript: a consumer type-checks against index.d.ts",
        &mut cmd(
            &tools::npm_bin("tsc").to_string_lossy(),
            &["-p", "tests/types"],
        ),
    )?;
    step(
        &mut report,
        "TypeScript: a Node-only consumer (lib es2022, @types/node, no DOM) type-checks",
        &mut cmd(
            &tools::npm_bin("tsc").to_string_lossy(),
            &["-p", "tests/types/tsconfig.node.json"],
        ),
    )?;
    no_any(&pkg.join("index.d.ts"))?;
    glue_lines()?;
    step(
        &mut report,
        "package in Node, against the emulator",
        &mut node_test("tests/node/")?,
    )?;
    step(
        &mut report,
        "package in Chromium",
        &mut node_test("tests/browser/")?,
    )?;
    step(
        &mut report,
        "end-to-end in Chromium against the emulator",
        &mut node_test("tests/e2e/")?,
    )?;
    // The same suite in Firefox; tests/browser/ stays Chromium-only: its fake token endpoint
    // reads request bodies, which playwright-core's Firefox (WebDriver BiDi) does not report.
    step(
        &mut report,
        "end-to-end in Firefox against the emulator",
        node_test("tests/e2e/")?
            .env("MOBPROC_BROWSER", "firefox")
            .env("FIREFOX", tools::FIREFOX),
    )?;
    eprintln!(
        "\nall tests passed in {:.0}s:",
        started.elapsed().as_secs_f64()
    );
    for line in &report {
        eprintln!("{line}");
    }
    Ok(())
}

/// Runs one step, echoing its name and recording how long it took.
fn step(report: &mut Vec<String>, name: &str, c: &mut Command) -> Result {
    eprintln!("\n== {name}");
    let t = Instant::now();
    crate::sh::run(c)?;
    report.push(format!("{:>7.1}s  {name}", t.elapsed().as_secs_f64()));
    Ok(())
}

/// The public types promise no `any`: refuse the word outside comments.
fn no_any(types: &std::path::Path) -> Result {
    let text = std::fs::read_to_string(types).map_err(|e| format!("{}: {e}", types.display()))?;
    let mut code = String::new();
    let mut rest = text.as_str();
    while let Some(start) = rest.find("/*") {
        code.push_str(&rest[..start]);
        rest = rest[start..]
            .find("*/")
            .map_or("", |end| &rest[start + end + 2..]);
    }
    code.push_str(rest);
    if code
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .any(|w| w == "any")
    {
        return Err(format!("{} uses `any`", types.display()));
    }
    eprintln!("no `any` in {}", types.display());
    Ok(())
}

/// Issue #11: the package's hand-written JavaScript is glue, at most this many lines in all.
const GLUE_LINES: usize = 200;

/// Refuses more than [`GLUE_LINES`] lines of JavaScript in pkg-template/ (every line counts).
fn glue_lines() -> Result {
    let dir = root().join("pkg-template");
    let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut total = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|ext| ext == "js") {
            let text =
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            total += text.lines().count();
        }
    }
    if total > GLUE_LINES {
        return Err(format!(
            "pkg-template/ holds {total} lines of JavaScript, over the {GLUE_LINES} of issue #11: behaviour belongs in the Rust crate"
        ));
    }
    eprintln!("pkg-template/: {total} lines of JavaScript (at most {GLUE_LINES})");
    Ok(())
}
