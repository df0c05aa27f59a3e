//! A running private node: [`Node`] starts it (waiting for it by polling epmd and
//! `rabbitmqctl await_startup`), stops it, and stops it when dropped; the polling and
//! log-excerpt helpers, the private epmd's handling, and [`sweep_leftovers`], which stops
//! and deletes what killed runs left.

use std::fs;
use std::io;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use super::Scripts;
use super::layout::{Layout, definitions_path, node_env, prepare};
use crate::command::{self, Failure};

/// How long the node may take to boot, and `rabbitmqctl await_startup` to say so.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(90);
/// How long `rabbitmqctl stop` may take to answer.
const STOP_COMMAND_TIMEOUT: Duration = Duration::from_secs(30);
/// How long the node's process may take to exit after `rabbitmqctl stop`, before a kill.
const EXIT_TIMEOUT: Duration = Duration::from_secs(20);
/// How long the private epmd may refuse to stop (a killed node still registered).
const EPMD_TIMEOUT: Duration = Duration::from_secs(10);
/// How often a wait looks again.
const POLL_INTERVAL: Duration = Duration::from_millis(100);
/// How many lines of each log a failed start prints from its end…
const LOG_TAIL_LINES: usize = 40;
/// …and at most how many `[error]` lines from before them.
const ERROR_LINES: usize = 10;

/// A running private RabbitMQ node; stopped by [`Node::stop`], or when dropped.
#[derive(Debug)]
pub(crate) struct Node {
    layout: Layout,
    scripts: Scripts,
    epmd: PathBuf,
    /// The `rabbitmq-server` process; `None` once stopped.
    server: Option<Child>,
}

impl Node {
    /// Boots a private node in `target/rabbitmq/node-PID/` and waits until RabbitMQ runs in
    /// it. A node that exits or does not come up in 90 s prints its logs' last lines and is
    /// a [`Failure`]; either way nothing of it is left running.
    pub(crate) fn start(root: &Path, scripts: &Scripts) -> Result<Self, Failure> {
        let step = "rabbitmq: start";
        let definitions = definitions_path(root);
        if !definitions.is_file() {
            return Err(Failure::new(
                step,
                format!(
                    "the definitions to boot with are missing: {}",
                    definitions.display()
                ),
            )
            .hint("it is a web export fixture, written by web/src/interop/tests.rs with BLESS=1"));
        }
        let layout = prepare(root, scripts).map_err(|error| {
            Failure::new(step, format!("cannot prepare the node's folder: {error}"))
        })?;
        command::announce(&format!(
            "rabbitmq: starting the private node {} (AMQP on 127.0.0.1:{}, epmd on {}, in {})",
            layout.node,
            layout.amqp_port,
            layout.epmd_port,
            layout.dir.display()
        ));
        let started = Instant::now();
        let server = spawn_server(&layout, scripts).map_err(|error| {
            let _ = fs::remove_dir_all(&layout.dir);
            Failure::new(step, format!("cannot run rabbitmq-server: {error}"))
        })?;
        let mut node = Self {
            layout,
            scripts: scripts.clone(),
            epmd: find_epmd(),
            server: Some(server),
        };
        if let Err(message) = node.await_startup(started + STARTUP_TIMEOUT) {
            node.print_logs();
            return Err(Failure::new(step, message).hint(
                "the node's logs end as printed above; `cargo xtask rabbitmq` starts it alone",
            ));
        }
        println!(
            "RabbitMQ node {} up in {:.1} s",
            node.layout.node,
            started.elapsed().as_secs_f64()
        );
        Ok(node)
    }

    /// The node's AMQP port on 127.0.0.1.
    pub(crate) fn amqp_port(&self) -> u16 {
        self.layout.amqp_port
    }

    /// The `rabbitmqctl` wrapper bound to this node (`$CTL list_queues -p /`).
    pub(crate) fn ctl_wrapper(&self) -> PathBuf {
        self.layout.file("rabbitmqctl")
    }

    /// Stops the node, its epmd, and deletes its folder; a [`Failure`] if any of it went
    /// wrong (it has still done all it could).
    pub(crate) fn stop(mut self) -> Result<(), Failure> {
        let problems = self.shut_down();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Failure::new("rabbitmq: stop", problems.join("; ")))
        }
    }

    /// A `rabbitmqctl -n NODE` with the node's environment.
    fn ctl(&self) -> Command {
        let mut ctl = Command::new(&self.scripts.ctl);
        ctl.envs(node_env(&self.layout))
            .arg("-n")
            .arg(&self.layout.node);
        ctl.stdin(Stdio::null());
        ctl
    }

    /// Waits until the node is registered with its epmd, then for `rabbitmqctl await_startup`
    /// (which fails at once on a node not yet registered); gives up as soon as the node's
    /// process exits.
    fn await_startup(&mut self, deadline: Instant) -> Result<(), String> {
        self.await_registration(deadline)?;
        let seconds = deadline
            .saturating_duration_since(Instant::now())
            .as_secs()
            .max(1);
        let mut await_startup = self.ctl();
        await_startup.args(["await_startup", "--timeout", &seconds.to_string()]);
        let mut waiter = await_startup
            .spawn()
            .map_err(|error| format!("cannot run rabbitmqctl await_startup: {error}"))?;
        let outcome = self.poll_while_running(deadline, || {
            exited(&mut waiter).map(|status| {
                if status.success() {
                    Ok(())
                } else {
                    Err(format!("`rabbitmqctl await_startup` failed ({status})"))
                }
            })
        });
        let _ = waiter.kill();
        let _ = waiter.wait();
        outcome.unwrap_or_else(|| Err(timeout_message("to start")))
    }

    /// Waits until the node's private epmd lists it (`epmd -names`: cheap to ask often).
    fn await_registration(&mut self, deadline: Instant) -> Result<(), String> {
        let short_name = self.layout.short_name().to_owned();
        let mut names = Command::new(&self.epmd);
        names.args(["-port", &self.layout.epmd_port.to_string(), "-names"]);
        let registered = self.poll_while_running(deadline, || {
            let listed = command::output(&mut names).unwrap_or_default();
            epmd_lists(&listed, &short_name).then_some(Ok(()))
        });
        registered.unwrap_or_else(|| Err(timeout_message("to register with epmd")))
    }

    /// [`poll`]s `check` until `deadline`, or an error as soon as the node's process exits.
    fn poll_while_running(
        &mut self,
        deadline: Instant,
        mut check: impl FnMut() -> Option<Result<(), String>>,
    ) -> Option<Result<(), String>> {
        let server = self.server.as_mut()?;
        poll(
            deadline.saturating_duration_since(Instant::now()),
            || match exited(server) {
                Some(status) => Some(Err(format!(
                    "the node's process exited before RabbitMQ started ({status})"
                ))),
                None => check(),
            },
        )
    }

    /// Prints the last lines of what the node wrote to its console and to its log file.
    fn print_logs(&self) {
        for path in [self.layout.file("server.out"), self.layout.log_file()] {
            println!(
                "\n--- {}: its first errors and last {LOG_TAIL_LINES} lines ---",
                path.display()
            );
            println!("{}", tail(&path, LOG_TAIL_LINES));
        }
        println!("---");
    }

    /// Stops everything (at most once) and says what went wrong, if anything.
    fn shut_down(&mut self) -> Vec<String> {
        let Some(mut server) = self.server.take() else {
            return Vec::new();
        };
        say(format_args!(
            "Stopping the RabbitMQ node {}",
            self.layout.node
        ));
        let started = Instant::now();
        let mut problems = Vec::new();
        if exited(&mut server).is_none() {
            // A node that does not answer `rabbitmqctl stop` is killed at once.
            let stopped = self.ctl_stop();
            let grace = if stopped {
                EXIT_TIMEOUT
            } else {
                Duration::ZERO
            };
            if poll(grace, || exited(&mut server)).is_none() {
                self.kill(&mut server);
                problems.push(if stopped {
                    format!(
                        "the node was still running {} s after `rabbitmqctl stop`: killed",
                        EXIT_TIMEOUT.as_secs()
                    )
                } else {
                    "`rabbitmqctl stop` failed: the node was killed".to_owned()
                });
            }
        }
        // Collects the exit status, so no zombie is left behind.
        let _ = server.wait();
        let port = self.layout.epmd_port.to_string();
        if !kill_epmd(&self.epmd, &port) {
            problems.push(format!("its epmd on port {port} still runs"));
        }
        if let Err(error) = fs::remove_dir_all(&self.layout.dir) {
            problems.push(format!(
                "cannot delete {}: {error}",
                self.layout.dir.display()
            ));
        }
        say(format_args!(
            "RabbitMQ node stopped in {:.1} s",
            started.elapsed().as_secs_f64()
        ));
        problems
    }

    /// `rabbitmqctl stop`, given [`STOP_COMMAND_TIMEOUT`]; whether it succeeded.
    fn ctl_stop(&self) -> bool {
        let mut stop = self.ctl();
        stop.arg("stop").stdout(Stdio::null()).stderr(Stdio::null());
        run_for(&mut stop, STOP_COMMAND_TIMEOUT)
    }

    /// Kills the Erlang VM (its pid file says which; killing the script alone would leave
    /// it running) and the script that started it.
    fn kill(&self, server: &mut Child) {
        let pid = fs::read_to_string(self.layout.file("node.pid")).unwrap_or_default();
        let pid = pid.trim();
        if !pid.is_empty() && pid.bytes().all(|byte| byte.is_ascii_digit()) {
            let _ = command::output(Command::new("kill").args(["-KILL", pid]));
        }
        let _ = server.kill();
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        for problem in self.shut_down() {
            say(format_args!("warning [rabbitmq: stop]: {problem}"));
        }
    }
}

/// Prints a line where a panic must not happen: stopping runs while unwinding, when the
/// output may be a closed pipe (`println!` would panic again and abort, leaving the node).
fn say(line: std::fmt::Arguments<'_>) {
    let _ = writeln!(io::stdout().lock(), "{line}");
}

/// Why a start gave up after [`STARTUP_TIMEOUT`].
fn timeout_message(what: &str) -> String {
    format!(
        "the node took more than {} s {what}",
        STARTUP_TIMEOUT.as_secs()
    )
}

/// Runs `rabbitmq-server` in the foreground, its console output to `server.out`.
fn spawn_server(layout: &Layout, scripts: &Scripts) -> io::Result<Child> {
    let out = fs::File::create(layout.file("server.out"))?;
    Command::new(&scripts.server)
        .envs(node_env(layout))
        .current_dir(&layout.dir)
        .stdin(Stdio::null())
        .stdout(out.try_clone()?)
        .stderr(out)
        .spawn()
}

/// Polls `check` until it returns something or `timeout` has passed.
fn poll<T>(timeout: Duration, mut check: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = check() {
            return Some(value);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(POLL_INTERVAL);
    }
}

/// Whether `child` has exited (and how); `None` while it runs.
fn exited(child: &mut Child) -> Option<ExitStatus> {
    child.try_wait().ok().flatten()
}

/// The last `count` lines of the file at `path`, or why there are none.
fn tail(path: &Path, count: usize) -> String {
    match fs::read_to_string(path) {
        Ok(text) => excerpt(&text, count),
        Err(error) => format!("(cannot read it: {error})"),
    }
}

/// The last `count` lines of `text`, after the first few `[error]` lines above them: a
/// failed boot logs its cause first, then a long report.
fn excerpt(text: &str, count: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.len().saturating_sub(count);
    let mut shown: Vec<&str> = lines[..start]
        .iter()
        .copied()
        .filter(|line| line.contains("[error]"))
        .take(ERROR_LINES)
        .collect();
    if !shown.is_empty() {
        shown.push("…");
    }
    shown.extend(&lines[start..]);
    shown.join("\n")
}

/// Finds epmd: Erlang's own under `/usr/lib/erlang/erts-*/bin/`, else the one on `PATH`.
fn find_epmd() -> PathBuf {
    let erts = fs::read_dir("/usr/lib/erlang")
        .into_iter()
        .flatten()
        .flatten();
    erts.map(|entry| entry.path().join("bin").join("epmd"))
        .filter(|path| {
            path.parent().and_then(Path::parent).is_some_and(|dir| {
                dir.file_name()
                    .is_some_and(|name| name.to_string_lossy().starts_with("erts-"))
            })
        })
        .find(|path| path.is_file())
        .unwrap_or_else(|| PathBuf::from("epmd"))
}

/// Whether `epmd -names` output lists the node `short_name`.
fn epmd_lists(names: &str, short_name: &str) -> bool {
    names.lines().any(|line| {
        line.strip_prefix("name ")
            .and_then(|rest| rest.split(" at port ").next())
            == Some(short_name)
    })
}

/// Stops the epmd on `port` (ours alone). epmd refuses while a node is registered, and a
/// killed node's registration goes a moment later: tries again until it is gone, for at
/// most [`EPMD_TIMEOUT`]. Whether no epmd runs there any more.
fn kill_epmd(epmd: &Path, port: &str) -> bool {
    let epmd_does = |action: &str| {
        let mut command = Command::new(epmd);
        command.args(["-port", port, action]).stdin(Stdio::null());
        command::output(&mut command).is_some()
    };
    poll(EPMD_TIMEOUT, || {
        (epmd_does("-kill") || !epmd_does("-names")).then_some(())
    })
    .is_some()
}

/// Runs `command` for at most `timeout` (then kills it); whether it succeeded.
fn run_for(command: &mut Command, timeout: Duration) -> bool {
    let Ok(mut child) = command.spawn() else {
        return false;
    };
    let status = poll(timeout, || exited(&mut child));
    if status.is_none() {
        let _ = child.kill();
        let _ = child.wait();
    }
    status.is_some_and(|status| status.success())
}

/// The process that owns a node folder `node-PID`.
fn folder_owner(dir: &Path) -> Option<u32> {
    dir.file_name()?
        .to_str()?
        .strip_prefix("node-")?
        .parse()
        .ok()
}

/// Whether a process `pid` exists (`kill -0`).
fn process_exists(pid: &str) -> bool {
    command::output(Command::new("kill").args(["-0", pid])).is_some()
}

/// Stops and deletes what runs that were killed left in `base`: folders whose owner is
/// gone, with the node still running after a SIGKILL, or its epmd after a Ctrl-C.
pub(super) fn sweep_leftovers(base: &Path) {
    let folders = fs::read_dir(base).into_iter().flatten().flatten();
    for dir in folders.map(|entry| entry.path()) {
        let Some(owner) = folder_owner(&dir) else {
            continue;
        };
        if owner == std::process::id() || process_exists(&owner.to_string()) {
            continue;
        }
        say(format_args!(
            "Cleaning up after a killed run: {}",
            dir.display()
        ));
        let beam = fs::read_to_string(dir.join("node.pid")).unwrap_or_default();
        let beam = beam.trim();
        if !beam.is_empty() && process_exists(beam) {
            // By node name, never by pid: the pid may be another process's by now.
            let mut stop = Command::new(dir.join("rabbitmqctl"));
            let stop = stop.arg("stop").stdin(Stdio::null()).stdout(Stdio::null());
            if !run_for(stop.stderr(Stdio::null()), STOP_COMMAND_TIMEOUT) && process_exists(beam) {
                say(format_args!(
                    "warning: could not stop that node; its Erlang VM may still run (pid {beam})"
                ));
                continue;
            }
        }
        if let Ok(port) = fs::read_to_string(dir.join("epmd.port")) {
            let _ = kill_epmd(&find_epmd(), port.trim());
        }
        let _ = fs::remove_dir_all(&dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_epmd_names() {
        let names = "epmd: up and running on port 4369 with data:\n\
                     name brokerlab-42 at port 40021\nname rabbit at port 25672";
        assert!(epmd_lists(names, "brokerlab-42"));
        assert!(epmd_lists(names, "rabbit"));
        assert!(!epmd_lists(names, "brokerlab-4"));
        assert!(!epmd_lists("epmd: Cannot connect to local epmd", "rabbit"));
    }

    #[test]
    fn node_folders_name_their_owner() {
        assert_eq!(folder_owner(Path::new("/t/rabbitmq/node-42")), Some(42));
        assert_eq!(folder_owner(Path::new("/t/rabbitmq/notes")), None);
        assert_eq!(folder_owner(Path::new("/t/rabbitmq/node-x")), None);
    }

    #[test]
    fn excerpts_keep_the_first_errors_before_the_last_lines() {
        let text = "info a\n[error] cause\ninfo b\n[error] report\nend";
        assert_eq!(excerpt(text, 2), "[error] cause\n…\n[error] report\nend");
        assert_eq!(excerpt(text, 9), text);
    }

    #[test]
    fn tails_keep_the_last_lines() {
        let dir = std::env::temp_dir().join(format!("xtask-tail-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let file = dir.join("log");
        fs::write(&file, "1\n2\n3\n").unwrap();
        assert_eq!(tail(&file, 2), "2\n3");
        assert_eq!(tail(&file, 9), "1\n2\n3");
        assert!(tail(&dir.join("none"), 2).starts_with("(cannot read it"));
        fs::remove_dir_all(&dir).unwrap();
    }
}
