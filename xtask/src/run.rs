//! Running child processes: plainly, capturing output, or as long-lived services that
//! are stopped when their guard is dropped.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// The result of an xtask step; the error is a message for the developer.
pub type XResult<T = ()> = Result<T, String>;

fn describe(command: &Command) -> String {
    let mut text = command.get_program().to_string_lossy().into_owned();
    for arg in command.get_args() {
        text.push(' ');
        text.push_str(&arg.to_string_lossy());
    }
    text
}

/// Runs a command to completion with inherited output; fails on a non-zero exit.
pub fn run(command: &mut Command) -> XResult {
    let status = command
        .status()
        .map_err(|e| format!("could not start `{}`: {e}", describe(command)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", describe(command)))
    }
}

/// Runs a command and returns its standard output, or `None` if it could not run or failed.
pub fn capture(command: &mut Command) -> Option<String> {
    let output = command.stderr(Stdio::null()).output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Test counts read from runners' closing lines.
#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    /// Tests that passed.
    pub passed: u64,
    /// Tests that failed.
    pub failed: u64,
}

impl Counts {
    /// Adds another step's counts.
    pub fn add(&mut self, other: Counts) {
        self.passed += other.passed;
        self.failed += other.failed;
    }

    /// Reads `test result: ok. 3 passed; 0 failed; …` (cargo test and the wasm runner)
    /// and `ℹ pass 3` / `ℹ fail 0` (node's test runner).
    fn scan(&mut self, line: &str) {
        let line = line.trim();
        if let Some(rest) = line.split_once("test result:").map(|(_, rest)| rest) {
            for part in rest.split([';', '.']) {
                let mut words = part.split_whitespace();
                if let (Some(n), Some(what)) = (words.next(), words.next()) {
                    if let Ok(n) = n.parse::<u64>() {
                        match what {
                            "passed" => self.passed += n,
                            "failed" => self.failed += n,
                            _ => {}
                        }
                    }
                }
            }
        } else if let Some(rest) = line.strip_prefix("ℹ pass ") {
            self.passed += rest.trim().parse().unwrap_or(0);
        } else if let Some(rest) = line.strip_prefix("ℹ fail ") {
            self.failed += rest.trim().parse().unwrap_or(0);
        }
    }
}

/// Runs a test command, echoing its output and counting the tests its runner reports.
pub fn run_counting(command: &mut Command) -> (XResult, Counts) {
    let mut counts = Counts::default();
    let child = command.stdout(Stdio::piped()).spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) => {
            return (
                Err(format!("could not start `{}`: {e}", describe(command))),
                counts,
            )
        }
    };
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            println!("{line}");
            counts.scan(&line);
        }
    }
    let result = match child.wait() {
        Ok(status) if status.success() => Ok(()),
        Ok(status) => Err(format!("`{}` failed ({status})", describe(command))),
        Err(e) => Err(format!("`{}` did not finish: {e}", describe(command))),
    };
    (result, counts)
}

/// A background process that is killed when dropped.
pub struct Service {
    name: &'static str,
    child: Child,
}

impl Service {
    /// Starts `command` in the background.
    pub fn spawn(name: &'static str, command: &mut Command) -> XResult<Service> {
        let child = command
            .spawn()
            .map_err(|e| format!("could not start the {name}: {e}"))?;
        Ok(Service { name, child })
    }

    /// Starts a server and waits for the first line of its standard output, which it
    /// prints once it listens, ending with its address (`sandbox listening on URL`); returns
    /// the service and that address. Later output is forwarded with the service's name in
    /// front.
    pub fn spawn_listening(
        name: &'static str,
        command: &mut Command,
        within: Duration,
    ) -> XResult<(Service, String)> {
        let (service, line) = Service::spawn_and_read_line(name, command, within)?;
        let url = line
            .rsplit(' ')
            .next()
            .filter(|url| url.starts_with("http://"))
            .ok_or_else(|| format!("the {name} said `{line}` instead of its address"))?
            .to_owned();
        Ok((service, url))
    }

    fn spawn_and_read_line(
        name: &'static str,
        command: &mut Command,
        within: Duration,
    ) -> XResult<(Service, String)> {
        let mut child = command
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("could not start the {name}: {e}"))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let (sender, receiver) = mpsc::channel();
        thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let first = lines.next().and_then(Result::ok);
            let _ = sender.send(first);
            for line in lines.map_while(Result::ok) {
                println!("[{name}] {line}");
            }
        });
        let mut service = Service { name, child };
        match receiver.recv_timeout(within) {
            Ok(Some(line)) => Ok((service, line)),
            Ok(None) => Err(format!(
                "the {name} exited before it was ready{}",
                service.exit_note()
            )),
            Err(_) => Err(format!("the {name} was not ready within {within:?}")),
        }
    }

    /// Whether the process has exited.
    pub fn has_exited(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(Some(_)))
    }

    fn exit_note(&mut self) -> String {
        let _ = self.child.wait();
        let mut stderr = String::new();
        if let Some(mut err) = self.child.stderr.take() {
            let _ = err.read_to_string(&mut stderr);
        }
        if stderr.is_empty() {
            String::new()
        } else {
            format!(": {stderr}")
        }
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        if !self.has_exited() {
            let _ = self.child.kill();
            let _ = self.child.wait();
            eprintln!("xtask: stopped the {}", self.name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_cargo_and_node_summaries() {
        let mut counts = Counts::default();
        counts.scan("test result: ok. 31 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s");
        counts.scan("test result: FAILED. 2 passed; 1 failed; 0 ignored");
        counts.scan("ℹ pass 4");
        counts.scan("ℹ fail 1");
        counts.scan("something passed");
        assert_eq!((counts.passed, counts.failed), (37, 2));
    }
}
