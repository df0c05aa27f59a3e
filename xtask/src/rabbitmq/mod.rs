//! The RabbitMQ differential suite's broker: a real, private RabbitMQ node started for one
//! run and always stopped.
//!
//! - [`ensure_rabbitmq`] finds the node scripts of RabbitMQ 3.10 or newer
//!   (`/usr/lib/rabbitmq/bin/`, or the folder in `BROKERLAB_RABBITMQ_SBIN`), installs Debian's
//!   `rabbitmq-server` when running as root on Debian, and otherwise says the suite is skipped
//!   and what to install. Debian's `/usr/sbin/rabbitmq-server` is not used: it switches to
//!   the `rabbitmq` user and its home.
//! - [`Node::start`] boots a node that shares nothing with a system RabbitMQ: its own folder
//!   (`target/rabbitmq/node-PID/`: database, logs, configuration, Erlang cookie as `HOME`),
//!   free loopback ports for AMQP, Erlang distribution and a private epmd, no plugins, and
//!   the definitions of `web/tests/fixtures/export/comparison.rabbitmq.json` loaded at boot.
//!   It waits for the node with `rabbitmqctl await_startup`, never a fixed sleep.
//! - Dropping the [`Node`] (after a failed suite, or on a panic) stops it the way
//!   [`Node::stop`] does: `rabbitmqctl stop`, a kill if it is still running 20 s later, the
//!   private epmd stopped, the folder deleted.
//! - A run that was killed cannot do that. Ctrl-C reaches the node too (its script stops it)
//!   but leaves its epmd and folder; the next start stops and deletes what such runs left.
//!
//! The tests reach the node through `BROKERLAB_AMQP_PORT` and a `rabbitmqctl` wrapper
//! script bound to it ([`Node::ctl_wrapper`]).

mod layout;
mod node;

use std::path::{Path, PathBuf};

use crate::command::Failure;
use crate::setup;

pub(crate) use node::Node;

/// The variable naming a folder that holds `rabbitmq-server` and `rabbitmqctl`.
const SBIN_VARIABLE: &str = "BROKERLAB_RABBITMQ_SBIN";
/// Where Debian's package keeps the node scripts that run as the calling user.
const DEFAULT_SBIN: &str = "/usr/lib/rabbitmq/bin";

/// The two scripts of a RabbitMQ installation that run a node as the calling user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Scripts {
    /// `rabbitmq-server`: runs a node in the foreground.
    server: PathBuf,
    /// `rabbitmqctl`: the command-line tool that talks to a running node.
    ctl: PathBuf,
}

impl Scripts {
    /// The two scripts in `folder`, whether or not they are there.
    fn in_folder(folder: &Path) -> Self {
        Self {
            server: folder.join("rabbitmq-server"),
            ctl: folder.join("rabbitmqctl"),
        }
    }

    /// Whether both scripts are there.
    fn exist(&self) -> bool {
        self.server.is_file() && self.ctl.is_file()
    }
}

/// Finds RabbitMQ's node scripts. Installs Debian's `rabbitmq-server` package when they are
/// missing and this is Debian, as root; `None` (after printing a `skipped: no RabbitMQ` line
/// saying what to install) when RabbitMQ is not there and cannot be installed here.
pub(crate) fn ensure_rabbitmq() -> Result<Option<Scripts>, Failure> {
    let step = "setup: rabbitmq";
    if let Some(folder) = std::env::var_os(SBIN_VARIABLE) {
        let scripts = Scripts::in_folder(Path::new(&folder));
        return if scripts.exist() {
            Ok(Some(scripts))
        } else {
            Err(Failure::new(
                step,
                format!(
                    "{SBIN_VARIABLE} is {folder:?}, which does not hold both rabbitmq-server \
                     and rabbitmqctl"
                ),
            )
            .hint(format!(
                "point {SBIN_VARIABLE} at the folder of RabbitMQ's node scripts, or unset it"
            )))
        };
    }
    let scripts = Scripts::in_folder(Path::new(DEFAULT_SBIN));
    if scripts.exist() {
        return Ok(Some(scripts));
    }
    if !setup::can_apt_install() {
        println!("{}", skipped_line());
        return Ok(None);
    }
    println!("Installing Debian's rabbitmq-server (apt-get; its own service start may fail here)");
    setup::apt_install(step, &["rabbitmq-server"])?;
    if scripts.exist() {
        Ok(Some(scripts))
    } else {
        Err(Failure::new(
            step,
            format!(
                "apt-get finished but {DEFAULT_SBIN}/rabbitmq-server or rabbitmqctl is missing"
            ),
        ))
    }
}

/// What a run without RabbitMQ prints: that the suite is skipped, and what to install.
fn skipped_line() -> String {
    format!(
        "skipped: no RabbitMQ ({DEFAULT_SBIN}/rabbitmq-server and rabbitmqctl not found), so \
         the RabbitMQ differential suite does not run. On Debian or Ubuntu: `sudo apt-get \
         install rabbitmq-server`; elsewhere install RabbitMQ 3.10 or newer and set \
         {SBIN_VARIABLE} to the folder holding its rabbitmq-server and rabbitmqctl scripts."
    )
}

/// Reads the arguments of `cargo xtask rabbitmq`: nothing, or `--` and what goes on to the
/// test binary (a test name filter, `--nocapture`, …).
pub(crate) fn parse(args: &[String]) -> Result<Vec<String>, Failure> {
    match args {
        [] => Ok(Vec::new()),
        [separator, rest @ ..] if separator == "--" => Ok(rest.to_vec()),
        [extra, ..] => Err(Failure::usage(format!(
            "unexpected argument `{extra}` (arguments for the tests go after `--`)"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn the_skip_line_says_what_to_install() {
        let line = skipped_line();
        assert!(line.starts_with("skipped: no RabbitMQ"), "{line}");
        assert!(line.contains("apt-get install rabbitmq-server"), "{line}");
        assert!(line.contains(SBIN_VARIABLE), "{line}");
    }

    #[test]
    fn test_arguments_come_after_a_separator() {
        assert_eq!(parse(&[]).unwrap(), Vec::<String>::new());
        assert_eq!(
            parse(&strings(&["--", "queues", "--nocapture"])).unwrap(),
            strings(&["queues", "--nocapture"])
        );
        assert!(parse(&strings(&["queues"])).is_err());
    }
}
