//! `cargo xtask build | test | demo | emulator | size | bench | fuzz`: the only commands a newcomer needs.
//! Each installs what it is missing first (see `tools.rs`).

mod bench;
mod build;
mod demo;
mod emulator;
mod example;
mod fuzz;
mod sh;
mod size;
mod test;
mod tools;
mod wasm_names;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <command>

  build   build the npm package into pkg/ (wasm, wasm-bindgen, wasm-opt, pkg-template)
  test    every test: lint, native, wasm in Node, size budget, types, package in Node and Chromium, end-to-end
  demo    the example portal against the local Tangoe emulator
  emulator  the local Tangoe emulator alone for your app (--app URL), with its createClient config
  size    print the package's size figures
  bench   size, per-call overhead, refresh storms, start-up, memory -> BENCHMARKS.md
  fuzz    run the cargo-fuzz targets, [--seconds N] each (default 60; nightly)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("build") => build::run().map(|_| ()),
        Some("test") => test::run(&args[1..]),
        Some("demo") => demo::run(&args[1..]),
        Some("emulator") => emulator::run(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        Some("fuzz") => fuzz::run_all(&args[1..]),
        Some("size") => size::run(),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\nxtask: {e}");
            ExitCode::FAILURE
        }
    }
}
