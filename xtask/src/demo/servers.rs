//! Running the demo's servers: each started so that it dies with `cargo xtask demo` where the
//! OS can arrange it, its output forwarded line by line with a `[name]` prefix, its listening line
//! awaited, and all of them stopped when one stops.

use crate::sh::{self, root, Result};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::thread;
use std::time::{Duration, Instant};

/// How long a server may take to print its listening line.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// A command for `program` that dies with this process where the OS can arrange it
/// (`setpriv --pdeathsig TERM`, Linux util-linux), run from the workspace root.
pub(super) fn guarded(program: &str) -> Command {
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
pub(super) enum Event {
    FirstLine(&'static str, String),
}

/// The running servers; dropping this kills and reaps whatever still runs.
#[derive(Default)]
pub(super) struct Servers {
    children: Vec<(&'static str, Child)>,
}

impl Servers {
    /// Starts `command`, forwarding its stdout and stderr line by line as `[name] …`.
    pub(super) fn spawn(
        &mut self,
        name: &'static str,
        mut command: Command,
        tx: Sender<Event>,
    ) -> Result {
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
    pub(super) fn wait_ready(&mut self, rx: &Receiver<Event>) -> Result {
        let deadline = Instant::now() + START_TIMEOUT;
        let mut waiting: Vec<&'static str> = self.children.iter().map(|(n, _)| *n).collect();
        while !waiting.is_empty() {
            if let Some((name, status)) = self.exited()? {
                return Err(format!(
                    "demo: the {name} server stopped while starting ({status}); is its port already in use? \
                     (see --portal-port / --api-port / --relay-port)"
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

    /// Runs until one server exits (Ctrl-C stops them all), then stops the others.
    pub(super) fn wait_any(mut self) -> Result {
        loop {
            if let Some((name, status)) = self.exited()? {
                self.stop_all();
                return if status.success() {
                    eprintln!("demo: the {name} server stopped; the others were stopped too");
                    Ok(())
                } else {
                    Err(format!(
                        "demo: the {name} server stopped ({status}); the others were stopped too"
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
