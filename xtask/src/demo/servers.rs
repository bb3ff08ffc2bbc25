//! Running the demo's servers (and `cargo xtask emulator`'s one): each started so that it dies
//! with the xtask where the OS can arrange it, its output forwarded line by line with a `[name]`
//! prefix, its listening line awaited, and all of them stopped when one stops.

use crate::sh::{self, root, Result};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// How long a server may take to print its listening line.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// A command for `program` that dies with this process where the OS can arrange it
/// (`setpriv --pdeathsig TERM`, Linux util-linux), run from the workspace root.
pub(crate) fn guarded(program: &str) -> Command {
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
pub(crate) enum Event {
    FirstLine(&'static str, String),
}

/// The running servers; dropping this kills and reaps whatever still runs.
pub(crate) struct Servers {
    /// The xtask command, for messages (`demo`, `emulator`).
    command: &'static str,
    /// The flags that choose the ports, for the message when a server cannot start.
    port_flags: &'static str,
    children: Vec<(&'static str, Child)>,
    /// The threads forwarding each server's stderr, by server name.
    stderr: Vec<(&'static str, JoinHandle<()>)>,
}

impl Servers {
    /// No servers yet; messages start with `command:` and name `port_flags`.
    pub(crate) fn new(command: &'static str, port_flags: &'static str) -> Self {
        Servers {
            command,
            port_flags,
            children: Vec::new(),
            stderr: Vec::new(),
        }
    }

    /// Starts `command`, forwarding its stdout and stderr line by line as `[name] …`.
    pub(crate) fn spawn(
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
                "{}: could not start the {name} server ({:?}): {e}",
                self.command,
                command.get_program()
            )
        })?;
        if let Some(out) = child.stdout.take() {
            forward(name, out, Some(tx), false);
        }
        if let Some(err) = child.stderr.take() {
            self.stderr.push((name, forward(name, err, None, true)));
        }
        self.children.push((name, child));
        Ok(())
    }

    /// Waits for every server's listening line; fails if one exits or takes too long.
    pub(crate) fn wait_ready(&mut self, rx: &Receiver<Event>) -> Result {
        let deadline = Instant::now() + START_TIMEOUT;
        let mut waiting: Vec<&'static str> = self.children.iter().map(|(n, _)| *n).collect();
        let who = self.command;
        while !waiting.is_empty() {
            if let Some((name, status)) = self.exited()? {
                // Its last words (e.g. the emulator's reason for refusing a flag) first.
                self.drain_stderr(name);
                return Err(if status.code() == Some(2) {
                    format!("{who}: the {name} server refused its command line ({status}): see [{name}] above")
                } else {
                    format!(
                        "{who}: the {name} server stopped while starting ({status}); is its port already in use? \
                         (see {})",
                        self.port_flags
                    )
                });
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "{who}: {} did not start within {}s",
                    waiting.join(" and "),
                    START_TIMEOUT.as_secs()
                ));
            }
            match rx.recv_timeout(Duration::from_millis(100)) {
                Ok(Event::FirstLine(name, line)) => {
                    if !line.contains("listening on http://") {
                        return Err(format!("{who}: unexpected first line from {name}: {line}"));
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
    pub(crate) fn wait_any(mut self) -> Result {
        let who = self.command;
        loop {
            if let Some((name, status)) = self.exited()? {
                let others = if self.children.len() > 1 {
                    "; the others were stopped too"
                } else {
                    ""
                };
                self.stop_all();
                return if status.success() {
                    eprintln!("{who}: the {name} server stopped{others}");
                    Ok(())
                } else {
                    Err(format!(
                        "{who}: the {name} server stopped ({status}){others}"
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
                .map_err(|e| format!("{}: waiting for {name}: {e}", self.command))?
            {
                return Ok(Some((*name, status)));
            }
        }
        Ok(None)
    }

    /// Waits (up to a second) until the stderr of `name`, which has exited, is all printed.
    fn drain_stderr(&mut self, name: &str) {
        let deadline = Instant::now() + Duration::from_secs(1);
        for (_, handle) in self.stderr.iter().filter(|(n, _)| *n == name) {
            while !handle.is_finished() && Instant::now() < deadline {
                thread::sleep(Duration::from_millis(10));
            }
        }
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
/// goes to `first`. The thread ends at the end of the stream.
fn forward(
    name: &'static str,
    stream: impl Read + Send + 'static,
    first: Option<Sender<Event>>,
    to_stderr: bool,
) -> JoinHandle<()> {
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
    })
}
