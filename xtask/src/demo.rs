//! `cargo xtask demo`: the example portal against the local Tangoe emulator.
//!
//! Builds the npm package, the Rust example (`www-example/rust/`) and the emulator, starts the
//! emulator (Tangoe) on 127.0.0.1:8081 and `www-example/serve.mjs` (the portal, and the Rust
//! example at `/rust/`) on 127.0.0.1:8080, forwards both logs with a prefix, and stops both when
//! either stops or on Ctrl-C.
//!
//! Stopping: Ctrl-C sends SIGINT to the whole foreground process group, so both servers get it
//! and exit by themselves. On Linux the servers are also started under `setpriv --pdeathsig TERM`
//! when util-linux's `setpriv` is there, so even a `kill` of this process alone leaves no orphan.
//! Any other way out of `run` (an error, one server exiting) kills and reaps both.

use crate::sh::{self, cmd, root, Result};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread;
use std::time::{Duration, Instant};

const USAGE: &str = "usage: cargo xtask demo [--portal-port N] [--api-port N] [--token-lifetime SECS] [--refresh-skew S]

  --portal-port N        the portal (www-example) on http://127.0.0.1:N      default 8080
  --api-port N           the Tangoe emulator on http://127.0.0.1:N           default 8081
  --token-lifetime SECS  access-token lifetime at the emulator, to watch refresh live
                                                                             default 3600
  --refresh-skew S       the portal refreshes S seconds before expiry (refreshSkewSeconds)
                                                                             default the library's 60

  e.g. cargo xtask demo --token-lifetime 20 --refresh-skew 5";

/// What `cargo xtask demo` was asked for.
struct Options {
    portal_port: u16,
    api_port: u16,
    token_lifetime: Option<u32>,
    refresh_skew: Option<u32>,
}

/// How long a server may take to print its listening line.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// Builds and starts both servers; stops on Ctrl-C.
pub fn run(args: &[String]) -> Result {
    let Options {
        portal_port,
        api_port,
        token_lifetime,
        refresh_skew,
    } = parse_args(args)?;
    if portal_port == api_port {
        return Err(format!(
            "demo: the portal and the emulator cannot share port {portal_port}"
        ));
    }
    let node = sh::output(&mut cmd("node", &["--version"])).ok_or(
        "demo: Node.js (18 or newer) is needed for the portal's static server: https://nodejs.org/",
    )?;
    eprintln!("using node {}", node.trim());

    let pkg = crate::build::run()?;
    let rust_example = crate::example::build()?;
    sh::run(&mut cmd("cargo", &["build", "-p", "mobproc-emulator"]))?;
    let emulator_bin = sh::target_dir()
        .join("debug")
        .join(format!("mobproc-emulator{}", std::env::consts::EXE_SUFFIX));
    if !emulator_bin.exists() {
        return Err(format!(
            "demo: the emulator was built but {} is missing",
            emulator_bin.display()
        ));
    }

    let portal_origin = format!("http://127.0.0.1:{portal_port}");
    let api_origin = format!("http://127.0.0.1:{api_port}");
    let (tx, rx) = mpsc::channel();
    let mut servers = Servers::default();

    let mut emulator = guarded(&emulator_bin.to_string_lossy());
    emulator.args([
        "--port",
        &api_port.to_string(),
        "--app-origin",
        &portal_origin,
        "--redirect-uri",
    ]);
    emulator.arg(format!("{portal_origin}/"));
    // The Rust example's redirect URI, registered for portal-demo too.
    emulator.args(["--redirect-uri", &format!("{portal_origin}/rust/")]);
    if let Some(secs) = token_lifetime {
        emulator.args(["--token-lifetime", &secs.to_string()]);
    }
    servers.spawn("tangoe", emulator, tx.clone())?;

    let mut portal = guarded("node");
    portal.arg(root().join("www-example").join("serve.mjs"));
    portal.args([
        "--port",
        &portal_port.to_string(),
        "--api-origin",
        &api_origin,
        "--pkg",
    ]);
    portal.arg(&pkg);
    portal.args(["--client-id", "portal-demo", "--tenant", "XYZ", "--rust"]);
    portal.arg(&rust_example);
    if let Some(secs) = refresh_skew {
        portal.args(["--refresh-skew", &secs.to_string()]);
    }
    servers.spawn("portal", portal, tx)?;

    servers.wait_ready(&rx)?;
    let lifetime = match token_lifetime {
        Some(secs) => format!(
            "{secs} s, refreshed {} s before expiry by the next call (watch the session panel)",
            refresh_skew.unwrap_or(60)
        ),
        None => "one hour (try --token-lifetime 20 --refresh-skew 5 to watch refresh)".into(),
    };
    println!(
        "
  MOBPROC developer portal demo
  ─────────────────────────────
  portal   {portal_origin}/
  in Rust  {portal_origin}/rust/   (www-example/rust: the crate's Rust API, wasm-bindgen)
  Tangoe   {api_origin}   (local emulator: sign-in page, token endpoint, API under /mobproc/v1)
  sign in  demo / demo       (tenant XYZ, client portal-demo)
  tokens   {lifetime}

  Logs follow ([portal] static files, [tangoe] sign-in and API calls). Ctrl-C stops both.
"
    );
    servers.wait_any()
}

fn parse_args(args: &[String]) -> Result<Options> {
    let mut o = Options {
        portal_port: 8080,
        api_port: 8081,
        token_lifetime: None,
        refresh_skew: None,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) => (f, Some(v.to_owned())),
            None => (arg.as_str(), None),
        };
        if matches!(flag, "-h" | "--help") {
            return Err(USAGE.into());
        }
        if !matches!(
            flag,
            "--portal-port" | "--api-port" | "--token-lifetime" | "--refresh-skew"
        ) {
            return Err(format!("demo: unknown argument {arg}\n\n{USAGE}"));
        }
        let value = inline
            .or_else(|| it.next().cloned())
            .ok_or_else(|| format!("demo: {flag} needs a value\n\n{USAGE}"))?;
        match flag {
            "--portal-port" => o.portal_port = port(flag, &value)?,
            "--api-port" => o.api_port = port(flag, &value)?,
            "--token-lifetime" => o.token_lifetime = Some(seconds(flag, &value, 1)?),
            _ => o.refresh_skew = Some(seconds(flag, &value, 0)?),
        }
    }
    Ok(o)
}

fn port(flag: &str, value: &str) -> Result<u16> {
    value
        .parse::<u16>()
        .ok()
        .filter(|p| *p != 0)
        .ok_or_else(|| format!("demo: {flag} wants a port 1..65535, not {value:?}"))
}

fn seconds(flag: &str, value: &str, min: u32) -> Result<u32> {
    value
        .parse::<u32>()
        .ok()
        .filter(|s| (min..=86_400).contains(s))
        .ok_or_else(|| format!("demo: {flag} wants whole seconds {min}..86400, not {value:?}"))
}

/// A command for `program` that dies with this process where the OS can arrange it
/// (`setpriv --pdeathsig TERM`, Linux util-linux), run from the workspace root.
fn guarded(program: &str) -> Command {
    const SETPRIV: &str = "/usr/bin/setpriv";
    let supported = cfg!(target_os = "linux")
        && Path::new(SETPRIV).exists()
        && sh::output(Command::new(SETPRIV).arg("--help"))
            .is_some_and(|h| h.contains("--pdeathsig"));
    let mut c = if supported {
        let mut c = Command::new(SETPRIV);
        c.args(["--pdeathsig", "TERM", "--", program]);
        c
    } else {
        Command::new(program)
    };
    c.current_dir(root());
    c
}

/// A server's first stdout line (its listening line), or its end.
enum Event {
    FirstLine(&'static str, String),
}

/// The running servers; dropping this kills and reaps whatever still runs.
#[derive(Default)]
struct Servers {
    children: Vec<(&'static str, Child)>,
}

impl Servers {
    /// Starts `command`, forwarding its stdout and stderr line by line as `[name] …`.
    fn spawn(&mut self, name: &'static str, mut command: Command, tx: Sender<Event>) -> Result {
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().map_err(|e| {
            format!(
                "demo: could not start the {name} server ({:?}): {e}",
                command.get_program()
            )
        })?;
        if let Some(out) = child.stdout.take() {
            forward(name, out, Some(tx), false);
        }
        if let Some(err) = child.stderr.take() {
            forward(name, err, None, true);
        }
        self.children.push((name, child));
        Ok(())
    }

    /// Waits for every server's listening line; fails if one exits or takes too long.
    fn wait_ready(&mut self, rx: &Receiver<Event>) -> Result {
        let deadline = Instant::now() + START_TIMEOUT;
        let mut waiting: Vec<&'static str> = self.children.iter().map(|(n, _)| *n).collect();
        while !waiting.is_empty() {
            if let Some((name, status)) = self.exited()? {
                return Err(format!(
                    "demo: the {name} server stopped while starting ({status}); is its port already in use? \
                     (see --portal-port / --api-port)"
                ));
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "demo: {} did not start within {}s",
                    waiting.join(" and "),
                    START_TIMEOUT.as_secs()
                ));
            }
            match rx.recv_timeout(Duration::from_millis(100)) {
                Ok(Event::FirstLine(name, line)) => {
                    if !line.contains("listening on http://") {
                        return Err(format!("demo: unexpected first line from {name}: {line}"));
                    }
                    waiting.retain(|n| *n != name);
                }
                Err(RecvTimeoutError::Timeout) => {}
                // Both readers gone: the next `exited` check says which server stopped.
                Err(RecvTimeoutError::Disconnected) => thread::sleep(Duration::from_millis(100)),
            }
        }
        Ok(())
    }

    /// Runs until one server exits (Ctrl-C stops both), then stops the other.
    fn wait_any(mut self) -> Result {
        loop {
            if let Some((name, status)) = self.exited()? {
                self.stop_all();
                return if status.success() {
                    eprintln!("demo: the {name} server stopped; the other one was stopped too");
                    Ok(())
                } else {
                    Err(format!(
                        "demo: the {name} server stopped ({status}); the other one was stopped too"
                    ))
                };
            }
            thread::sleep(Duration::from_millis(200));
        }
    }

    /// The first server that has exited, if any.
    fn exited(&mut self) -> Result<Option<(&'static str, ExitStatus)>> {
        for (name, child) in &mut self.children {
            if let Some(status) = child
                .try_wait()
                .map_err(|e| format!("demo: waiting for {name}: {e}"))?
            {
                return Ok(Some((*name, status)));
            }
        }
        Ok(None)
    }

    fn stop_all(&mut self) {
        for (_, child) in &mut self.children {
            if let Ok(None) = child.try_wait() {
                let _ = child.kill();
            }
            let _ = child.wait();
        }
        self.children.clear();
    }
}

impl Drop for Servers {
    fn drop(&mut self) {
        self.stop_all();
    }
}

/// Copies `stream` line by line to our stdout (or stderr) as `[name] line`; the first line also
/// goes to `first`.
fn forward(
    name: &'static str,
    stream: impl Read + Send + 'static,
    first: Option<Sender<Event>>,
    to_stderr: bool,
) {
    thread::spawn(move || {
        let mut first = first;
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            if let Some(tx) = first.take() {
                let _ = tx.send(Event::FirstLine(name, line.clone()));
            }
            if to_stderr {
                eprintln!("[{name}] {line}");
            } else {
                println!("[{name}] {line}");
            }
        }
    });
}
