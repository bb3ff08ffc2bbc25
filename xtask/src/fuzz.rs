//! `cargo xtask fuzz [--seconds N]`: runs each cargo-fuzz target of fuzz/ for a bounded time
//! (default 60 s each) and prints how many inputs each tried. Not part of `cargo xtask test`:
//! it needs the nightly toolchain and minutes, not seconds. Installs cargo-fuzz if missing.
//!
//! A crash stops the run with the failing input saved under fuzz/artifacts/<target>/; replay
//! it with `cargo +nightly fuzz run <target> <file>`. New interesting inputs accumulate in
//! fuzz/corpus/<target>/ (not committed); fuzz/seeds/<target>/ holds the committed seeds.

use crate::sh::{cmd, output, root, run, Result};
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::Instant;

/// The targets and the dictionary each uses, if any.
const TARGETS: [(&str, Option<&str>); 2] = [
    ("fragment", Some("fuzz/fragment.dict")),
    ("token_response", None),
];

/// Runs every target for `--seconds` (default 60) each.
pub fn run_all(args: &[String]) -> Result {
    let seconds = match args {
        [] => 60,
        [flag, n] if flag == "--seconds" => n
            .parse::<u64>()
            .ok()
            .filter(|&n| n > 0)
            .ok_or_else(|| format!("--seconds wants a positive whole number, not {n:?}"))?,
        _ => return Err("usage: cargo xtask fuzz [--seconds N]".into()),
    };
    nightly()?;
    cargo_fuzz()?;
    let mut report = Vec::new();
    for (target, dict) in TARGETS {
        report.push(run_target(target, dict, seconds)?);
    }
    eprintln!("\nfuzzing finished, no crash:");
    for line in &report {
        eprintln!("  {line}");
    }
    Ok(())
}

/// The nightly toolchain must be there already: rustup fetches toolchains from outside the
/// package registries, so this only says how.
fn nightly() -> Result {
    if output(&mut cmd("cargo", &["+nightly", "--version"])).is_some() {
        return Ok(());
    }
    Err("cargo-fuzz needs the nightly toolchain: `rustup toolchain install nightly`".into())
}

/// `cargo install cargo-fuzz` unless `cargo fuzz` already works.
fn cargo_fuzz() -> Result {
    if output(&mut cmd("cargo", &["fuzz", "--version"])).is_some() {
        return Ok(());
    }
    eprintln!("installing cargo-fuzz (about a minute)");
    if run(&mut cmd("cargo", &["install", "cargo-fuzz", "--locked"])).is_err() {
        run(&mut cmd("cargo", &["install", "cargo-fuzz"]))?;
    }
    Ok(())
}

/// Runs one target, streaming libFuzzer's output, and returns its summary line.
fn run_target(target: &str, dict: Option<&str>, seconds: u64) -> Result<String> {
    let corpus = format!("fuzz/corpus/{target}");
    std::fs::create_dir_all(root().join(&corpus)).map_err(|e| format!("{corpus}: {e}"))?;
    let seeds = format!("fuzz/seeds/{target}");
    let mut args = vec!["+nightly", "fuzz", "run", target, corpus.as_str()];
    if root().join(&seeds).is_dir() {
        args.push(&seeds);
    }
    let max_time = format!("-max_total_time={seconds}");
    let dict_arg = dict.map(|d| format!("-dict={d}"));
    args.extend(["--", max_time.as_str(), "-print_final_stats=1"]);
    if let Some(d) = &dict_arg {
        args.push(d);
    }
    eprintln!("\n== fuzz {target} for {seconds} s");
    let mut c = cmd("cargo", &args);
    eprintln!("$ cargo {}", args.join(" "));
    let started = Instant::now();
    let mut child = c
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not start cargo fuzz: {e}"))?;
    let mut runs = None;
    if let Some(stderr) = child.stderr.take() {
        for line in BufReader::new(stderr).lines().map_while(|l| l.ok()) {
            // libFuzzer's last words: "Done 1234567 runs in 61 second(s)".
            if let Some(n) = line
                .strip_prefix("Done ")
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|n| n.parse::<u64>().ok())
            {
                runs = Some(n);
            }
            eprintln!("{line}");
        }
    }
    let status = child
        .wait()
        .map_err(|e| format!("cargo fuzz {target}: {e}"))?;
    if !status.success() {
        return Err(format!(
            "fuzz target `{target}` failed ({status}): the input is in fuzz/artifacts/{target}/"
        ));
    }
    let elapsed = started.elapsed().as_secs_f64();
    let corpus_size = std::fs::read_dir(root().join(&corpus)).map_or(0, |d| d.count());
    Ok(match runs {
        Some(n) => format!(
            "{target}: {n} inputs in {seconds} s ({:.0}/s), corpus {corpus_size} ({elapsed:.0} s with the build)",
            n as f64 / seconds as f64
        ),
        None => format!("{target}: finished in {elapsed:.0} s, corpus {corpus_size}"),
    })
}
