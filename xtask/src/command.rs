//! Running external programs with a step name, and the one error type of the xtask.

use std::fmt;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

/// Why a command stopped: which step, what went wrong, and what to do about it.
#[derive(Debug)]
pub(crate) struct Failure {
    step: String,
    message: String,
    hint: Option<String>,
}

impl Failure {
    pub(crate) fn new(step: &str, message: String) -> Self {
        Self {
            step: step.to_owned(),
            message,
            hint: None,
        }
    }

    pub(crate) fn usage(message: String) -> Self {
        Self::new("usage", message)
    }

    pub(crate) fn is_usage(&self) -> bool {
        self.step == "usage"
    }

    /// Adds what the user can do to fix it.
    pub(crate) fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error [{}]: {}", self.step, self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  help: {hint}")?;
        }
        Ok(())
    }
}

/// Prints a step header.
pub(crate) fn announce(step: &str) {
    println!("\n==> {step}");
}

fn describe(command: &Command) -> String {
    let mut text = command.get_program().to_string_lossy().into_owned();
    for arg in command.get_args() {
        text.push(' ');
        text.push_str(&arg.to_string_lossy());
    }
    text
}

fn spawn_error(step: &str, command: &Command, error: std::io::Error) -> Failure {
    let program = command.get_program().to_string_lossy().into_owned();
    if error.kind() == std::io::ErrorKind::NotFound {
        Failure::new(step, format!("`{program}` is not installed or not on PATH"))
    } else {
        Failure::new(
            step,
            format!("could not start `{}`: {error}", describe(command)),
        )
    }
}

/// Runs `command` with the terminal attached; a non-zero exit is a [`Failure`] of `step`.
pub(crate) fn run(step: &str, command: &mut Command) -> Result<(), Failure> {
    let status = command
        .status()
        .map_err(|error| spawn_error(step, command, error))?;
    if status.success() {
        Ok(())
    } else {
        Err(Failure::new(
            step,
            format!("`{}` failed ({status})", describe(command)),
        ))
    }
}

/// Runs `command` and returns its standard output (trimmed), or `None` if it cannot start or
/// exits non-zero. For probing installed tools.
pub(crate) fn output(command: &mut Command) -> Option<String> {
    let out = command.stderr(Stdio::null()).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Runs `command`, echoing its standard output line by line and handing each line to
/// `on_line`. Returns whether it exited successfully (a test runner that reports failed
/// tests exits non-zero; the caller still wants the counts).
pub(crate) fn run_echoing(
    step: &str,
    command: &mut Command,
    mut on_line: impl FnMut(&str),
) -> Result<bool, Failure> {
    command.stdout(Stdio::piped());
    let mut child = command
        .spawn()
        .map_err(|error| spawn_error(step, command, error))?;
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            println!("{line}");
            on_line(&line);
        }
    }
    let status = child
        .wait()
        .map_err(|error| Failure::new(step, format!("lost `{}`: {error}", describe(command))))?;
    Ok(status.success())
}
