//! A private node's folder and how it is reached: the [`Layout`] (folder, node name, ports,
//! definitions), the `rabbitmq.conf` text, the environment of the node and of every
//! `rabbitmqctl`, the `rabbitmqctl` wrapper script, free loopback ports, the Erlang cookie,
//! and [`prepare`], which makes the folder afresh and writes those files.

use std::collections::hash_map::RandomState;
use std::fmt::Write as _;
use std::fs;
use std::hash::{BuildHasher, Hasher};
use std::io;
use std::net::TcpListener;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use super::Scripts;
use super::node::sweep_leftovers;
use crate::setup;

/// Where a private node lives and how it is reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Layout {
    /// The node's folder: its `HOME`, configuration, database and logs.
    pub(super) dir: PathBuf,
    /// The Erlang node name, `brokerlab-PID@localhost`.
    pub(super) node: String,
    /// The AMQP 0-9-1 listener, on 127.0.0.1.
    pub(super) amqp_port: u16,
    /// The Erlang distribution listener (`rabbitmqctl` talks to the node through it).
    dist_port: u16,
    /// The private epmd, so that a system epmd is never touched.
    pub(super) epmd_port: u16,
    /// The definitions file imported at boot.
    definitions: PathBuf,
}

impl Layout {
    /// A file in the node's folder.
    pub(super) fn file(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// The node name's part before `@`, as epmd lists it.
    pub(super) fn short_name(&self) -> &str {
        self.node.split('@').next().unwrap_or(&self.node)
    }

    /// The node's own log file (RabbitMQ names it after the node).
    pub(super) fn log_file(&self) -> PathBuf {
        self.file("log").join(format!("{}.log", self.node))
    }
}

/// The definitions the node boots with: the RabbitMQ export of the comparison scenario.
pub(super) fn definitions_path(root: &Path) -> PathBuf {
    root.join("web/tests/fixtures/export/comparison.rabbitmq.json")
}

/// The node's `rabbitmq.conf`: loopback only, the definitions, logs to a file only.
fn config_text(layout: &Layout) -> String {
    format!(
        "# Written by `cargo xtask` for a private test node; deleted when it stops.\n\
         listeners.tcp.default = 127.0.0.1:{}\n\
         load_definitions = {}\n\
         log.console = false\n\
         log.file.level = info\n",
        layout.amqp_port,
        layout.definitions.display()
    )
}

/// The environment of the node and of every `rabbitmqctl` talking to it. Every file the
/// scripts would otherwise read from `/etc/rabbitmq/` or `~` is one of the node's own.
pub(super) fn node_env(layout: &Layout) -> Vec<(&'static str, String)> {
    let path = |name: &str| layout.file(name).display().to_string();
    vec![
        ("HOME", layout.dir.display().to_string()),
        ("ERL_EPMD_PORT", layout.epmd_port.to_string()),
        ("ERL_EPMD_ADDRESS", "127.0.0.1".to_owned()),
        ("RABBITMQ_NODENAME", layout.node.clone()),
        ("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1".to_owned()),
        ("RABBITMQ_NODE_PORT", layout.amqp_port.to_string()),
        ("RABBITMQ_DIST_PORT", layout.dist_port.to_string()),
        (
            "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS",
            "-kernel inet_dist_use_interface {127,0,0,1}".to_owned(),
        ),
        ("RABBITMQ_MNESIA_BASE", path("mnesia")),
        ("RABBITMQ_LOG_BASE", path("log")),
        ("RABBITMQ_PID_FILE", path("node.pid")),
        ("RABBITMQ_CONFIG_FILE", path("rabbitmq.conf")),
        ("RABBITMQ_ADVANCED_CONFIG_FILE", path("advanced.config")),
        ("RABBITMQ_ENABLED_PLUGINS_FILE", path("enabled_plugins")),
        ("RABBITMQ_CONF_ENV_FILE", path("rabbitmq-env.conf")),
    ]
}

/// `text` as one word for `sh`.
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// A `rabbitmqctl` for this node alone: its environment, then `rabbitmqctl -n NODE "$@"`.
fn wrapper_script(ctl: &Path, layout: &Layout) -> String {
    let mut script = format!(
        "#!/bin/sh\n# rabbitmqctl for the private test node {} (written by `cargo xtask`).\n",
        layout.node
    );
    for (name, value) in node_env(layout) {
        let _ = writeln!(script, "export {name}={}", shell_quote(&value));
    }
    let _ = writeln!(
        script,
        "exec {} -n {} \"$@\"",
        shell_quote(&ctl.display().to_string()),
        shell_quote(&layout.node)
    );
    script
}

/// Loopback ports free right now: each bound to 127.0.0.1:0 at once, so they differ.
fn free_ports<const N: usize>() -> io::Result<[u16; N]> {
    let listeners = (0..N)
        .map(|_| TcpListener::bind("127.0.0.1:0"))
        .collect::<io::Result<Vec<_>>>()?;
    let mut ports = [0; N];
    for (port, listener) in ports.iter_mut().zip(&listeners) {
        *port = listener.local_addr()?.port();
    }
    Ok(ports)
}

/// An Erlang cookie nobody can guess: 128 bits from std's per-process random hash keys.
fn random_cookie() -> String {
    (0..2)
        .map(|_| format!("{:016x}", RandomState::new().build_hasher().finish()))
        .collect()
}

/// Writes the node's files: configuration, no plugins, an empty environment file, the
/// Erlang cookie (owner only), the `rabbitmqctl` wrapper (executable) and the epmd port
/// (for cleaning up after a killed run).
fn write_files(layout: &Layout, scripts: &Scripts) -> io::Result<()> {
    fs::write(layout.file("epmd.port"), layout.epmd_port.to_string())?;
    fs::write(layout.file("rabbitmq.conf"), config_text(layout))?;
    fs::write(layout.file("advanced.config"), "[].\n")?;
    fs::write(layout.file("enabled_plugins"), "[].\n")?;
    fs::write(layout.file("rabbitmq-env.conf"), "")?;
    let mut cookie = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(layout.file(".erlang.cookie"))?;
    io::Write::write_all(&mut cookie, random_cookie().as_bytes())?;
    let wrapper = layout.file("rabbitmqctl");
    fs::write(&wrapper, wrapper_script(&scripts.ctl, layout))?;
    fs::set_permissions(&wrapper, fs::Permissions::from_mode(0o755))
}

/// Makes the node's folder afresh with its configuration, cookie and `rabbitmqctl`
/// wrapper, on free ports, after cleaning up after runs that were killed.
pub(super) fn prepare(root: &Path, scripts: &Scripts) -> io::Result<Layout> {
    let pid = std::process::id();
    let base = setup::target_dir(root).join("rabbitmq");
    sweep_leftovers(&base);
    let dir = base.join(format!("node-{pid}"));
    // A folder of the same name is left over from a killed run of the same pid.
    match fs::remove_dir_all(&dir) {
        Err(error) if error.kind() != io::ErrorKind::NotFound => return Err(error),
        _ => {}
    }
    fs::create_dir_all(&dir)?;
    let dir = dir.canonicalize()?;
    let [amqp_port, dist_port, epmd_port] = free_ports()?;
    let layout = Layout {
        dir,
        node: format!("brokerlab-{pid}@localhost"),
        amqp_port,
        dist_port,
        epmd_port,
        definitions: definitions_path(root),
    };
    write_files(&layout, scripts)?;
    Ok(layout)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout() -> Layout {
        Layout {
            dir: PathBuf::from("/work/target/rabbitmq/node-42"),
            node: "brokerlab-42@localhost".to_owned(),
            amqp_port: 5000,
            dist_port: 5001,
            epmd_port: 5002,
            definitions: PathBuf::from("/work/web/defs.json"),
        }
    }

    #[test]
    fn the_config_listens_on_loopback_and_loads_the_definitions() {
        let config = config_text(&layout());
        assert!(
            config.contains("\nlisteners.tcp.default = 127.0.0.1:5000\n"),
            "{config}"
        );
        assert!(
            config.contains("\nload_definitions = /work/web/defs.json\n"),
            "{config}"
        );
        assert!(config.contains("\nlog.console = false\n"), "{config}");
        assert!(!config.contains("management"), "{config}");
    }

    #[test]
    fn the_environment_keeps_everything_in_the_node_folder() {
        let env = node_env(&layout());
        let get = |name: &str| {
            env.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.as_str())
        };
        assert_eq!(get("HOME"), Some("/work/target/rabbitmq/node-42"));
        assert_eq!(get("ERL_EPMD_PORT"), Some("5002"));
        assert_eq!(get("RABBITMQ_NODENAME"), Some("brokerlab-42@localhost"));
        assert_eq!(get("RABBITMQ_NODE_PORT"), Some("5000"));
        assert_eq!(get("RABBITMQ_DIST_PORT"), Some("5001"));
        for (name, value) in &env {
            if name.ends_with("_FILE") || name.ends_with("_BASE") {
                assert!(
                    value.starts_with("/work/target/rabbitmq/node-42/"),
                    "{name}={value}"
                );
            }
        }
        assert_eq!(
            get("RABBITMQ_CONF_ENV_FILE"),
            Some("/work/target/rabbitmq/node-42/rabbitmq-env.conf")
        );
    }

    #[test]
    fn the_wrapper_sets_the_environment_and_names_the_node() {
        let script = wrapper_script(Path::new("/usr/lib/rabbitmq/bin/rabbitmqctl"), &layout());
        assert!(script.starts_with("#!/bin/sh\n"), "{script}");
        assert!(
            script.contains("\nexport ERL_EPMD_PORT='5002'\n"),
            "{script}"
        );
        assert!(
            script.contains("\nexport HOME='/work/target/rabbitmq/node-42'\n"),
            "{script}"
        );
        assert!(
            script.ends_with(
                "\nexec '/usr/lib/rabbitmq/bin/rabbitmqctl' -n 'brokerlab-42@localhost' \"$@\"\n"
            ),
            "{script}"
        );
    }

    #[test]
    fn quotes_for_the_shell() {
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(
            shell_quote("-kernel x {127,0,0,1}"),
            "'-kernel x {127,0,0,1}'"
        );
    }

    #[test]
    fn the_short_name_is_before_the_host() {
        assert_eq!(layout().short_name(), "brokerlab-42");
    }

    #[test]
    fn the_definitions_are_the_comparison_export() {
        assert_eq!(
            definitions_path(Path::new("/r")),
            PathBuf::from("/r/web/tests/fixtures/export/comparison.rabbitmq.json")
        );
    }

    #[test]
    fn free_ports_differ() {
        let [a, b, c] = free_ports().unwrap();
        assert!(a != b && b != c && a != c && a != 0);
    }

    #[test]
    fn cookies_are_long_and_differ() {
        let (a, b) = (random_cookie(), random_cookie());
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
    }
}
