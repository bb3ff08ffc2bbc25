//! The `mobproc-relay` binary: reads the command line and the secret's variable, binds,
//! prints the `listening on` line and serves until SIGINT or SIGTERM.

use std::io::Write;
use std::process::ExitCode;

use mobproc_relay::cli::{self, Command, SECRET_VAR};
use mobproc_relay::usage::USAGE;

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
    let launch = match cli::parse(std::env::args().skip(1), std::env::var_os(SECRET_VAR)) {
        Ok(Command::Run(l)) => l,
        Ok(Command::Help) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("mobproc-relay: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let timeout = launch.config.timeout();
    let app = match mobproc_relay::router(launch.config) {
        Ok(app) => app,
        Err(e) => {
            eprintln!("mobproc-relay: {e}");
            return ExitCode::FAILURE;
        }
    };
    let listener = match tokio::net::TcpListener::bind(launch.listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!(
                "mobproc-relay: --listen: cannot bind {}: {e}",
                launch.listen
            );
            return ExitCode::FAILURE;
        }
    };
    let addr = match listener.local_addr() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("mobproc-relay: --listen: {e}");
            return ExitCode::FAILURE;
        }
    };
    {
        // The demo and the tests wait for this line (stdout; request lines go to stderr).
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "mobproc-relay listening on http://{addr}");
        let _ = out.flush();
    }
    mobproc_relay::serve::serve(listener, app, timeout, shutdown_signal()).await;
    ExitCode::SUCCESS
}
