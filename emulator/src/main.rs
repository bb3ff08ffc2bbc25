//! The `mobproc-emulator` binary: parses flags, binds 127.0.0.1, prints the
//! `listening on` line and serves until SIGINT or SIGTERM.

use std::io::Write;
use std::process::ExitCode;

use mobproc_emulator::{Command, Config, USAGE};

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let env = std::env::vars().collect();
    let config = match Config::from_args(std::env::args().skip(1), &env) {
        Ok(Command::Run(c)) => c,
        Ok(Command::Help) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("mobproc-emulator: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let (listener, state) = match mobproc_emulator::bind(config).await {
        Ok(x) => x,
        Err(e) => {
            eprintln!("mobproc-emulator: cannot bind 127.0.0.1: {e}");
            return ExitCode::FAILURE;
        }
    };
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "mobproc-emulator listening on {}", state.base_url);
        let _ = out.flush();
    }
    match mobproc_emulator::serve(listener, state, shutdown_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mobproc-emulator: {e}");
            ExitCode::FAILURE
        }
    }
}
