//! RabbitMQ's side: the node `cargo xtask` started (found through the environment), the
//! workloads' definitions imported once, and each workload played by `tests/rabbitmq/driver.py`
//! (pika), which reads the steps as JSON on stdin and writes an [`Observed`] on stdout.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use serde_json::{Value, json};

use brokerlab_web::interop::export::rabbitmq;

use super::engine::{Expect, Run};
use super::observed::Observed;
use super::workload::{Step, Workload};

/// How long RabbitMQ may take to reach Brokerlab's state after a step.
const SETTLE_TIMEOUT_MS: u64 = 3_000;

/// The node, as `cargo xtask rabbitmq` (and `cargo xtask test`) describe it.
pub(crate) struct Node {
    port: u16,
    python: PathBuf,
    rabbitmqctl: PathBuf,
}

impl Node {
    /// The node from `BROKERLAB_AMQP_PORT`, `BROKERLAB_AMQP_PYTHON` and
    /// `BROKERLAB_RABBITMQCTL`; panics with what to run when they are missing.
    pub(crate) fn from_env() -> Node {
        let var = |name: &str| {
            std::env::var_os(name).unwrap_or_else(|| {
                panic!(
                    "{name} is not set: these tests need a RabbitMQ node; run them with \
                     `cargo xtask rabbitmq` (or `cargo xtask test`), which starts one"
                )
            })
        };
        Node {
            port: var("BROKERLAB_AMQP_PORT")
                .to_str()
                .and_then(|p| p.parse().ok())
                .expect("BROKERLAB_AMQP_PORT is a port number"),
            python: var("BROKERLAB_AMQP_PYTHON").into(),
            rabbitmqctl: var("BROKERLAB_RABBITMQCTL").into(),
        }
    }

    /// Imports every workload's definitions, once per test process: the exporter's file for
    /// each, moved into the workload's own vhost (`vhost` fields rewritten, the vhost and
    /// guest's permissions on it added; the file's user is the node's own `guest`).
    pub(crate) fn import_once(&self, workloads: &[Workload]) {
        static IMPORTED: OnceLock<Result<(), String>> = OnceLock::new();
        let result = IMPORTED.get_or_init(|| self.import(workloads));
        if let Err(e) = result {
            panic!("importing the workloads' definitions failed: {e}");
        }
    }

    fn import(&self, workloads: &[Workload]) -> Result<(), String> {
        let mut all =
            json!({"vhosts": [], "permissions": [], "queues": [], "exchanges": [], "bindings": []});
        for w in workloads {
            let vhost = w.vhost();
            let export = rabbitmq::export(&w.scenario);
            let defs: Value = serde_json::from_str(&export.text).map_err(|e| e.to_string())?;
            push(&mut all, "vhosts", json!({"name": vhost}));
            push(
                &mut all,
                "permissions",
                json!({"user": "guest", "vhost": vhost, "configure": ".*", "write": ".*", "read": ".*"}),
            );
            for section in ["queues", "exchanges", "bindings"] {
                for mut item in defs[section].as_array().cloned().unwrap_or_default() {
                    item["vhost"] = json!(vhost);
                    push(&mut all, section, item);
                }
            }
        }
        let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("rabbitmq-workloads.json");
        std::fs::write(&path, all.to_string()).map_err(|e| e.to_string())?;
        let out = Command::new(&self.rabbitmqctl)
            .arg("import_definitions")
            .arg(&path)
            .output()
            .map_err(|e| format!("{}: {e}", self.rabbitmqctl.display()))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "rabbitmqctl import_definitions: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }

    /// Plays `workload` on RabbitMQ in `vhost`, waiting after each step for the state
    /// Brokerlab reached (`run`).
    pub(crate) fn play(&self, workload: &Workload, vhost: &str, run: &Run) -> Observed {
        let mut ops = Vec::new();
        let mut listening = BTreeMap::new();
        for (step, expect) in workload.steps.iter().zip(&run.expects) {
            let mut translated = ops_for(step, &mut listening);
            let last = translated.len() - 1;
            for (j, op) in translated.iter_mut().enumerate() {
                op["expect"] = if j == last {
                    expect_json(expect)
                } else {
                    json!({})
                };
            }
            ops.extend(translated);
        }
        let input = json!({
            "port": self.port,
            "vhost": vhost,
            "settle_timeout_ms": SETTLE_TIMEOUT_MS,
            "drain": run.drain,
            "steps": ops,
        });
        let driver = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("rabbitmq/driver.py");
        let mut child = Command::new(&self.python)
            .arg(&driver)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{}: {e}", self.python.display()));
        child
            .stdin
            .take()
            .expect("stdin is piped")
            .write_all(input.to_string().as_bytes())
            .expect("the driver reads its input");
        let out = child.wait_with_output().expect("the driver runs");
        assert!(
            out.status.success(),
            "the driver failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "the driver's output is not an observation ({e}): {}",
                String::from_utf8_lossy(&out.stdout)
            )
        })
    }
}

fn push(all: &mut Value, section: &str, item: Value) {
    if let Some(list) = all[section].as_array_mut() {
        list.push(item);
    }
}

fn expect_json(e: &Expect) -> Value {
    json!({"deliveries": e.deliveries, "ready": e.ready, "consumers": e.consumers})
}

/// The driver's operations for one step: a subscriber's join is a declare and a bind, and a
/// consumer if it listens; its leaving closes that consumer's connection (auto-delete then
/// removes the queue) or, when it takes messages with `basic.get` and so holds no consumer,
/// deletes the queue as auto-delete would. `listening` remembers which subscribers listen.
fn ops_for(step: &Step, listening: &mut BTreeMap<String, bool>) -> Vec<Value> {
    match step {
        Step::Publish {
            exchange,
            routing_key,
            body,
            ttl_ms,
        } => vec![
            json!({"op": "publish", "exchange": exchange, "routing_key": routing_key,
                         "body": body, "expiration_ms": ttl_ms}),
        ],
        Step::Consume {
            consumer,
            queue,
            prefetch,
            no_ack,
        } => vec![
            json!({"op": "consume", "consumer": consumer, "queue": queue,
                         "prefetch": prefetch, "no_ack": no_ack}),
        ],
        Step::Ack { consumer, body } => {
            vec![json!({"op": "ack", "consumer": consumer, "body": body, "multiple": false})]
        }
        Step::Nack {
            consumer,
            body,
            requeue,
        } => vec![json!({"op": "nack", "consumer": consumer, "body": body,
                         "requeue": requeue, "multiple": false})],
        Step::Reject {
            consumer,
            body,
            requeue,
        } => vec![json!({"op": "reject", "consumer": consumer, "body": body, "requeue": requeue})],
        Step::Die { consumer } => vec![json!({"op": "die", "consumer": consumer})],
        Step::Subscribe {
            subscriber,
            exchange,
            key,
            capacity,
            listen,
        } => {
            listening.insert(subscriber.clone(), *listen);
            let mut ops = vec![
                json!({"op": "declare_queue", "owner": subscriber, "queue": subscriber,
                       "auto_delete": true, "arguments": {"x-max-length": capacity}}),
                json!({"op": "bind", "owner": subscriber, "queue": subscriber,
                       "exchange": exchange, "routing_key": key}),
            ];
            if *listen {
                ops.push(json!({"op": "listen", "consumer": subscriber, "queue": subscriber}));
            }
            ops
        }
        Step::Receive { subscriber } => {
            vec![json!({"op": "get", "owner": subscriber, "queue": subscriber})]
        }
        Step::Unsubscribe { subscriber } => {
            if listening.get(subscriber).copied().unwrap_or(false) {
                vec![json!({"op": "die", "consumer": subscriber})]
            } else {
                vec![json!({"op": "delete_queue", "owner": subscriber, "queue": subscriber})]
            }
        }
        Step::Wait { ms } => vec![json!({"op": "wait", "ms": ms})],
    }
}
