//! Running commands: echo them, fail with a readable error.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The result type of every xtask step: a message for the user on failure.
pub type Result<T = (), E = String> = std::result::Result<T, E>;

/// The workspace root (the parent of xtask/).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Cargo's target directory: `CARGO_TARGET_DIR` (relative to the workspace root) or `target/`.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if Path::new(&dir).is_absolute() => PathBuf::from(dir),
        Some(dir) => root().join(dir),
        None => root().join("target"),
    }
}

/// The debug binary of the workspace package `name` (`target/debug/NAME`), if it is built.
pub fn debug_bin(name: &str) -> Option<PathBuf> {
    let bin = target_dir()
        .join("debug")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    bin.exists().then_some(bin)
}

/// A command run from the workspace root.
pub fn cmd(program: &str, args: &[&str]) -> Command {
    let mut c = Command::new(program);
    c.args(args).current_dir(root());
    c
}

/// Runs `c`, echoing it; an error names the command.
pub fn run(c: &mut Command) -> Result {
    eprintln!("$ {}", show(c));
    let status = c
        .status()
        .map_err(|e| format!("could not start `{}`: {e}", show(c)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", show(c)))
    }
}

/// Runs `c` quietly and returns its stdout, or `None` if it could not run or failed.
pub fn output(c: &mut Command) -> Option<String> {
    let out = c.output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn show(c: &Command) -> String {
    let mut s = c.get_program().to_string_lossy().into_owned();
    for a in c.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}
