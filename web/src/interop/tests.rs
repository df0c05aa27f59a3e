//! The exporters against fixed expected files, and a RabbitMQ definitions file imported and
//! exported again.
//!
//! Expected files live in `web/tests/fixtures/export/`: `<scenario>.<format>` for the text and
//! `<scenario>.<format>.notes.txt` for the notes, one a line. After a deliberate change to an
//! exporter, regenerate them with `BLESS=1 cargo test -p brokerlab-web export` and review the
//! diff.

use std::path::PathBuf;

use brokerlab::sim::{self, ready};
use serde_json::Value;

use super::export::*;
use super::import::{ImportError, import, parse_max_age};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/export")
}

/// Compares `actual` with the fixture `name` byte for byte, or writes it under `BLESS=1`.
fn check(name: &str, actual: &str) {
    let path = fixtures().join(name);
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(&path, actual).expect("the fixtures folder is writable");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "{} is missing: run `BLESS=1 cargo test -p brokerlab-web export`",
            path.display()
        )
    });
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(e, a)| e != a)
            .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
        panic!(
            "{name} differs from the export, first at line {}:\n  expected: {:?}\n  actual:   {:?}\n\
             (after a deliberate change: `BLESS=1 cargo test -p brokerlab-web export`)",
            line + 1,
            expected.lines().nth(line).unwrap_or("<end>"),
            actual.lines().nth(line).unwrap_or("<end>"),
        );
    }
}

fn check_export(id: &str, scenario: &sim::Scenario) {
    for (format, ext) in [
        (Format::RabbitMq, "rabbitmq.json"),
        (Format::Kafka, "kafka.sh"),
        (Format::Aws, "aws.sh"),
    ] {
        let export = format.export(scenario);
        check(&format!("{id}.{ext}"), &export.text);
        let mut notes = export.notes.join("\n");
        notes.push('\n');
        check(&format!("{id}.{ext}.notes.txt"), &notes);
    }
}

#[test]
fn scenario_c_exports_as_fixed() {
    check_export("c", &ready::load("c").expect("ready-made"));
}

#[test]
fn scenario_e_exports_as_fixed() {
    check_export("e", &ready::load("e").expect("ready-made"));
}

#[test]
fn scenario_f_exports_as_fixed() {
    check_export("f", &ready::load("f").expect("ready-made"));
}

#[test]
fn the_comparison_exports_as_fixed() {
    check_export(
        "comparison",
        &ready::load("comparison").expect("ready-made"),
    );
}

/// Every property an exporter reads, and names that need quoting or renaming.
fn everything() -> sim::Scenario {
    let json = r##"{
      "version": 1, "title": "Every property; it's \"quoted\"", "duration_ms": 10000,
      "topology": {
        "exchanges": [
          { "name": "orders", "kind": "fanout" },
          { "name": "billing", "kind": "direct" },
          { "name": "events", "kind": "topic" }
        ],
        "queues": [
          { "name": "email", "max_length": 100, "overflow": "reject_publish",
            "message_ttl_ms": 5500 },
          { "name": "work", "max_deliveries": 3, "dead_letter_queue": "work.dlq",
            "visibility_timeout_ms": 30000, "message_ttl_ms": 60000 },
          { "name": "work.dlq" },
          { "name": "it's", "dead_letter_queue": "work.dlq", "max_deliveries": 1000 },
          { "name": "audit", "max_deliveries": 2 }
        ],
        "bindings": [
          { "exchange": "orders", "queue": "email" },
          { "exchange": "orders", "queue": "work" },
          { "exchange": "billing", "queue": "it's", "key": "in'voice" },
          { "exchange": "events", "queue": "audit", "key": "order.#" },
          { "exchange": "events", "queue": "audit", "key": "#" },
          { "exchange": "events", "queue": "work", "key": "*.created" },
          { "exchange": "events", "queue": "email", "key": "user.signed-up" }
        ],
        "streams": [
          { "name": "clicks", "partitions": 1,
            "retention": { "max_records": 500, "max_bytes": 1048576, "max_age_ms": 90500 } },
          { "name": "page views", "partitions": 4, "keyless": "sticky",
            "retention": { "max_age_ms": 86400000 } }
        ],
        "groups": [
          { "name": "sessions", "streams": ["page views"], "assignor": "cooperative_sticky",
            "session_timeout_ms": 45000, "auto_offset_reset": "latest" },
          { "name": "both", "streams": ["clicks", "page views"], "assignor": "round_robin",
            "session_timeout_ms": 2000000 }
        ]
      },
      "producers": [
        { "name": "web", "target": { "stream": "page views" }, "rate_per_sec": 1 }
      ],
      "consumers": [
        { "name": "mailer", "attach": { "queue": "email" }, "prefetch": 0, "ack": "auto" },
        { "name": "worker", "attach": { "queue": "work" }, "prefetch": 10,
          "ack": { "every": 5 } },
        { "name": "listener", "attach": { "subscription": { "exchange": "events",
          "key": "user.*", "capacity": 16 } } },
        { "name": "email", "attach": { "subscription": { "exchange": "orders" } } },
        { "name": "s1", "attach": { "group": "sessions" }, "ack": "manual", "prefetch": 0 },
        { "name": "reader", "attach": { "stream": { "stream": "clicks",
          "auto_offset_reset": "latest" } } }
      ],
      "script": [
        { "at_ms": 1000, "action": { "add_consumer": { "name": "s2",
          "attach": { "group": "sessions" } } } },
        { "at_ms": 2000, "action": { "unbind": { "exchange": "orders", "queue": "work" } } }
      ]
    }"##;
    sim::Scenario::from_json(json).expect("a valid scenario")
}

#[test]
fn every_property_exports_as_fixed() {
    check_export("everything", &everything());
}

#[test]
fn the_rabbitmq_export_is_definitions_json() {
    let export = Format::RabbitMq.export(&ready::load("c").expect("ready-made"));
    let defs: Value = serde_json::from_str(&export.text).expect("JSON");
    let bound: Vec<&str> = defs["bindings"]
        .as_array()
        .expect("bindings")
        .iter()
        .filter(|b| b["source"] == "orders")
        .map(|b| b["destination"].as_str().expect("a name"))
        .collect();
    assert_eq!(bound, ["email", "inventory", "analytics"]);
    assert_eq!(defs["exchanges"][0]["type"], "fanout");
    assert_eq!(defs["queues"][0]["arguments"]["x-max-length"], 1000);
}

#[test]
fn shell_words_are_quoted() {
    assert_eq!(shell_quote("orders"), "'orders'");
    assert_eq!(shell_quote("it's"), r"'it'\''s'");
    assert_eq!(shell_quote("$(rm -rf /)"), "'$(rm -rf /)'");
    assert_eq!(comment_line("a\nb\tc"), "a b c");
}

#[test]
fn ages_convert_both_ways() {
    assert_eq!(rabbitmq::max_age(7 * 86_400_000), "7D");
    assert_eq!(rabbitmq::max_age(7_200_000), "2h");
    assert_eq!(rabbitmq::max_age(90_000), "90s");
    assert_eq!(rabbitmq::max_age(120_000), "2m");
    assert_eq!(rabbitmq::max_age(1), "1s");
    assert_eq!(parse_max_age("7D"), Some(7 * 86_400_000));
    assert_eq!(parse_max_age("12h"), Some(12 * 3_600_000));
    assert_eq!(parse_max_age("1Y"), Some(365 * 86_400_000));
    assert_eq!(parse_max_age("5x"), None);
    assert_eq!(parse_max_age(""), None);
    assert_eq!(parse_max_age("D"), None);
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(fixtures().join(name)).expect("fixture")
}

/// `(name, type, arguments)` of a definitions section, sorted, for comparing sets.
fn entities(defs: &Value, section: &str) -> Vec<String> {
    let mut out: Vec<String> = defs[section]
        .as_array()
        .expect(section)
        .iter()
        .filter(|e| e.get("vhost").is_none_or(|v| v == "/"))
        .map(|e| {
            let e = e.as_object().expect("an object");
            let keep = [
                "name",
                "type",
                "durable",
                "source",
                "destination",
                "destination_type",
                "routing_key",
                "arguments",
            ];
            let kept: serde_json::Map<String, Value> = e
                .iter()
                .filter(|(k, _)| keep.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            Value::Object(kept).to_string()
        })
        .collect();
    out.sort();
    out
}

#[test]
fn imported_definitions_export_again_with_the_same_topology() {
    let original: Value = serde_json::from_str(&fixture("definitions.json")).expect("JSON");
    let imported = import(&fixture("definitions.json")).expect("imports");
    imported.scenario.validate().expect("valid");
    assert_eq!(
        imported.notes,
        [
            "Only vhost / is imported; vhost staging is skipped.",
            "Exchanges skipped, with their bindings: legacy (type headers is not simulated).",
            "Queue arguments not simulated: x-max-priority on audit, x-queue-mode on audit.",
            "Exchange-to-exchange bindings are skipped (the simulation binds queues only): \
             orders → events.",
            "Not imported: policies (1), users (1), permissions (1) and global parameters (1). \
             Policies in particular are not applied, so limits they set on queues are missing.",
        ]
    );
    let exported: Value =
        serde_json::from_str(&rabbitmq::export(&imported.scenario).text).expect("JSON");

    // What comes back: everything of vhost / but the headers exchange, its binding, the
    // exchange-to-exchange binding and the two arguments the simulation has no use for.
    let mut expected = original.clone();
    let exchanges = expected["exchanges"].as_array_mut().expect("exchanges");
    exchanges.retain(|x| x["name"] != "legacy");
    let bindings = expected["bindings"].as_array_mut().expect("bindings");
    bindings.retain(|b| b["source"] != "legacy" && b["destination_type"] == "queue");
    for q in expected["queues"].as_array_mut().expect("queues") {
        if q["name"] == "audit" {
            q["arguments"] = Value::Object(serde_json::Map::new());
        }
    }
    for section in ["exchanges", "queues", "bindings"] {
        assert_eq!(
            entities(&exported, section),
            entities(&expected, section),
            "{section}"
        );
    }
    assert_eq!(entities(&exported, "bindings").len(), 7);
    assert_eq!(entities(&exported, "queues").len(), 8);
}

/// A node booted with the file gets vhost `/` and a user; a subscriber that joins later
/// declares its own queue (a queue in the definitions would keep what it must miss).
#[test]
fn the_definitions_boot_a_node_and_leave_late_subscribers_out() {
    let b: sim::Scenario =
        serde_json::from_str(include_str!("../../../core/scenarios/b.json")).expect("B");
    let export = rabbitmq::export(&b);
    let defs: Value = serde_json::from_str(&export.text).expect("JSON");
    assert_eq!(defs["vhosts"][0]["name"], "/");
    assert_eq!(defs["users"][0]["name"], "guest");
    assert_eq!(defs["permissions"][0]["vhost"], "/");
    assert_eq!(entities(&defs, "queues").len(), 2, "{}", export.text);
    assert!(!export.text.contains("\"archive\""), "{}", export.text);
    let late = export
        .notes
        .iter()
        .find(|n| n.contains("join later"))
        .expect("a note on the late subscriber");
    assert!(late.contains("archive (queue archive, x-max-length 16, bound to prices with #)"));
    let bound = export
        .notes
        .iter()
        .any(|n| n.contains("declare the queue and bind it again"));
    assert!(bound, "{:?}", export.notes);
}

/// The limits RabbitMQ counts differently (checked against RabbitMQ 3.10 by
/// `tests/tests/rabbitmq/`) are translated on export and back on import.
#[test]
fn translated_limits_survive_a_round_trip() {
    let mut s = sim::Scenario {
        version: 1,
        duration_ms: 1_000,
        sample_interval_ms: 100,
        ..sim::Scenario::default()
    };
    s.topology.queues = vec![
        sim::QueueSpec {
            name: "refuse".into(),
            max_length: Some(3),
            overflow: sim::OverflowSpec::RejectPublish,
            max_deliveries: Some(4),
            ..sim::QueueSpec::default()
        },
        sim::QueueSpec {
            name: "classic".into(),
            max_length: Some(3),
            overflow: sim::OverflowSpec::RejectPublish,
            ..sim::QueueSpec::default()
        },
        sim::QueueSpec {
            name: "once".into(),
            max_deliveries: Some(1),
            ..sim::QueueSpec::default()
        },
    ];
    let export = rabbitmq::export(&s);
    let defs: Value = serde_json::from_str(&export.text).expect("JSON");
    let args = |i: usize| defs["queues"][i]["arguments"].clone();
    assert_eq!(
        args(0)["x-max-length"],
        2,
        "quorum, reject-publish: one less"
    );
    assert_eq!(
        args(0)["x-delivery-limit"],
        3,
        "four deliveries are three returns"
    );
    assert_eq!(
        args(1)["x-max-length"],
        3,
        "a classic queue keeps exactly its limit"
    );
    assert_eq!(args(2)["x-delivery-limit"], 0, "one delivery, no return");
    assert!(
        export
            .notes
            .iter()
            .any(|n| n.contains("refuse (x-max-length 2)"))
    );
    let back = import(&export.text).expect("imports");
    let queues = &back.scenario.topology.queues;
    assert_eq!(
        queues
            .iter()
            .map(|q| (q.name.as_str(), q.max_length, q.max_deliveries))
            .collect::<Vec<_>>(),
        [
            ("refuse", Some(3), Some(4)),
            ("classic", Some(3), None),
            ("once", None, Some(1))
        ]
    );
}

#[test]
fn the_imported_scenario_routes_what_the_definitions_route() {
    let imported = import(&fixture("definitions.json")).expect("imports");
    let s = &imported.scenario;
    assert_eq!(s.duration_ms, super::import::DURATION_MS);
    assert!(s.consumers.is_empty());
    let names: Vec<&str> = s.producers.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "orders-publisher",
            "events-publisher",
            "billing-publisher",
            "clicks-publisher"
        ]
    );
    assert_eq!(
        s.producers[1].keys,
        sim::KeySpec::RoundRobin(vec!["order.any".into(), "any.created".into()])
    );
    let inventory = &s.topology.queues[1];
    assert_eq!(
        inventory.dead_letter_queue.as_deref(),
        Some("inventory.dlq")
    );
    // x-delivery-limit 5 counts returns: five returns, so six deliveries.
    assert_eq!(inventory.max_deliveries, Some(6));
    assert_eq!(s.topology.queues[5].visibility_timeout_ms, Some(900_000));
    let clicks = &s.topology.streams[0];
    assert_eq!(
        (
            clicks.partitions,
            clicks.retention.max_bytes,
            clicks.retention.max_age_ms
        ),
        (1, Some(200_000_000), Some(7 * 86_400_000))
    );
    // It runs: the fanout copies every order into its three queues.
    let mut run = sim::Simulation::new(s).expect("runs");
    run.run_until(brokerlab::Instant::from_millis(2_000));
    let views = run.queue_views();
    for q in ["email", "inventory", "analytics"] {
        let view = views.iter().find(|v| v.name == q).expect("a queue");
        assert!(view.ready >= 4, "{q}: {view:?}");
    }
}

#[test]
fn dead_letter_exchanges_resolve_to_one_queue_or_say_why_not() {
    let json = r#"{
      "exchanges": [
        { "name": "dlx", "type": "direct" },
        { "name": "fan", "type": "fanout" },
        { "name": "amq.rabbitmq.trace", "type": "topic", "arguments": { "alternate-exchange": "x" } }
      ],
      "queues": [
        { "name": "a", "arguments": { "x-dead-letter-exchange": "dlx", "x-dead-letter-routing-key": "dead" } },
        { "name": "b", "arguments": { "x-dead-letter-exchange": "fan" } },
        { "name": "c", "arguments": { "x-dead-letter-exchange": "" } },
        { "name": "d", "arguments": { "x-dead-letter-exchange": "nowhere" } },
        { "name": "dead-a", "arguments": { "x-max-length": "12", "x-message-ttl": 99999999999 } },
        { "name": "f1", "arguments": { "x-overflow": "reject-publish-dlx" } },
        { "name": "f2", "arguments": { "x-max-length": "lots" } }
      ],
      "bindings": [
        { "source": "dlx", "destination": "dead-a", "routing_key": "dead" },
        { "source": "dlx", "destination": "f1", "routing_key": "other" },
        { "source": "fan", "destination": "f1" },
        { "source": "fan", "destination": "f2" },
        { "source": "fan", "destination": "f2" }
      ]
    }"#;
    let imported = import(json).expect("imports");
    let q = &imported.scenario.topology.queues;
    assert_eq!(q[0].dead_letter_queue.as_deref(), Some("dead-a"));
    assert_eq!(q[1].dead_letter_queue, None);
    assert_eq!(q[4].max_length, Some(12));
    assert_eq!(q[4].message_ttl_ms, Some(sim::bounds::MAX_TIME_MS));
    assert_eq!(q[5].overflow, sim::OverflowSpec::RejectPublish);
    assert_eq!(
        imported.scenario.topology.bindings.len(),
        4,
        "a repeated binding counts once"
    );
    assert_eq!(
        imported.notes,
        [
            "Exchange arguments not simulated: alternate-exchange on amq.rabbitmq.trace.",
            "Queue dead-a's x-message-ttl 99999999999 is outside what the simulation allows; \
             1000000000 is used.",
            "Queue f2's x-max-length \"lots\" is not a whole number; it is ignored.",
            "x-overflow reject-publish-dlx on f1 is simulated as reject-publish: the refused \
             message is not dead-lettered.",
            "Queue b's dead letters reach 2 queues (f1 and f2); the simulation dead-letters \
             into one: no dead-letter queue.",
            "Queue c's dead letters go through the default exchange with their own routing \
             keys, which cannot be followed: no dead-letter queue.",
            "Queue d's dead-letter exchange nowhere is not imported: no dead-letter queue.",
        ]
    );
}

#[test]
fn a_super_stream_imports_as_one_partitioned_stream() {
    let s = ready::load("e").expect("ready-made");
    let export = rabbitmq::export(&s);
    let imported = import(&export.text).expect("imports");
    let st = &imported.scenario.topology.streams;
    assert_eq!(st.len(), 1);
    assert_eq!((st[0].name.as_str(), st[0].partitions), ("orders", 3));
    assert!(imported.scenario.topology.exchanges.is_empty());
    assert_eq!(
        rabbitmq::export(&imported.scenario).text,
        export.text,
        "and exports the same again"
    );
}

#[test]
fn bad_files_are_refused_with_where_and_why() {
    let err = |json: &str| import(json).expect_err("refused").to_string();
    assert_eq!(
        err("{\n  \"queues\": [\n    { \"name\": \"a\", }\n  ]\n}"),
        "not valid JSON: line 3, column 20: trailing comma"
    );
    assert_eq!(
        err("{ \"queues\": 3 }"),
        "not a definitions file: line 1, column 13: invalid type: integer `3`, expected a sequence"
    );
    assert_eq!(
        err("{ \"users\": [] }"),
        "the file defines no exchange, queue or stream for vhost /"
    );
    let big = format!(
        "{{ \"queues\": [], \"pad\": \"{}\" }}",
        "x".repeat(sim::scenario::MAX_JSON_BYTES)
    );
    assert_eq!(
        err(&big),
        format!("the file is {} bytes; at most 1048576 are read", big.len())
    );
    let e: ImportError = import("[").expect_err("refused");
    assert!(e.to_string().contains("line 1"));
}

#[test]
fn only_one_vhost_is_imported() {
    let json = r#"{ "queues": [
        { "name": "a", "vhost": "prod" }, { "name": "b", "vhost": "test" },
        { "name": "c", "vhost": "prod" }
    ] }"#;
    let imported = import(json).expect("imports");
    let names: Vec<&str> = imported
        .scenario
        .topology
        .queues
        .iter()
        .map(|q| q.name.as_str())
        .collect();
    assert_eq!(names, ["a", "c"]);
    assert_eq!(
        imported.notes,
        ["Only vhost prod is imported; vhost test is skipped."]
    );
}

#[test]
fn the_playground_opens_imported_definitions_and_lists_what_was_skipped() {
    use std::rc::Rc;
    use yew::Reducible;

    use crate::state::{Action, AppState, CUSTOM};

    let reduce = |s: AppState, a: Action| Rc::unwrap_or_clone(Rc::new(s).reduce(a));
    let s = reduce(AppState::new("c"), Action::RunTo(3_000));
    let s = reduce(s, Action::ImportRabbitMq(fixture("definitions.json")));
    assert_eq!((s.scenario_id.as_str(), s.now_ms()), (CUSTOM, 0));
    assert!(s.view.queues.iter().any(|q| q.name == "inventory.dlq"));
    assert_eq!(s.import_notes.len(), 5);
    assert_eq!(s.notice, None);

    let before = s.view.clone();
    let s = reduce(s, Action::ImportRabbitMq("{ \"queues\": [".into()));
    assert_eq!(
        s.notice.as_deref(),
        Some(
            "That file is not RabbitMQ definitions: not valid JSON: line 1, column 13: EOF while parsing a list"
        )
    );
    assert_eq!(s.view, before, "a bad file changes nothing");
    let s = reduce(s, Action::Load("a".into()));
    assert!(s.import_notes.is_empty());
}

/// Runs a generated script with `sh`, stub `aws`, `kafka-topics.sh` and `kafka-configs.sh`
/// commands on the PATH
/// that record their arguments; returns each call's arguments.
#[cfg(unix)]
fn run_script(name: &str, script: &str) -> Vec<Vec<String>> {
    use std::os::unix::fs::PermissionsExt;

    let dir = std::env::temp_dir().join(format!("brokerlab-export-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    let log = dir.join("calls");
    let stub = "#!/bin/sh\n\
        for a in \"$@\"; do printf '%s\\037' \"$a\" >> \"$STUB_LOG\"; done\n\
        printf '\\036' >> \"$STUB_LOG\"\n\
        case \"$1 $2\" in\n\
        'sqs create-queue') echo \"https://sqs.example/123/$4\" ;;\n\
        'sqs get-queue-attributes') echo \"arn:aws:sqs:r:123:${4##*/}\" ;;\n\
        'sns create-topic') echo \"arn:aws:sns:r:123:$4\" ;;\n\
        esac\n";
    for command in ["aws", "kafka-topics.sh", "kafka-configs.sh"] {
        let path = dir.join(command);
        std::fs::write(&path, stub).expect("a stub");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let _ = std::fs::remove_file(&log);
    let file = dir.join("script.sh");
    std::fs::write(&file, script).expect("the script");
    let path = format!(
        "{}:{}",
        dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let status = std::process::Command::new("sh")
        .arg(&file)
        .env("PATH", path)
        .env("STUB_LOG", &log)
        .status()
        .expect("sh runs");
    assert!(status.success(), "{name} failed: {status}");
    let calls = std::fs::read_to_string(&log).unwrap_or_default();
    let _ = std::fs::remove_dir_all(&dir);
    calls
        .split('\u{1e}')
        .filter(|call| !call.is_empty())
        .map(|call| {
            call.split('\u{1f}')
                .filter(|a| !a.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .collect()
}

#[cfg(unix)]
fn arg<'a>(call: &'a [String], flag: &str) -> &'a str {
    let i = call.iter().position(|a| a == flag).expect(flag);
    &call[i + 1]
}

#[test]
#[cfg(unix)]
fn the_aws_script_runs_and_hands_the_cli_valid_json() {
    let calls = run_script("aws", &aws::export(&everything()).text);
    let set: Vec<&Vec<String>> = calls
        .iter()
        .filter(|c| c[..2] == ["sqs", "set-queue-attributes"])
        .collect();
    let attributes = |queue: &str, key: &str| -> Value {
        let call = set
            .iter()
            .find(|c| {
                arg(c, "--queue-url").ends_with(&format!("/{queue}"))
                    && arg(c, "--attributes").contains(key)
            })
            .unwrap_or_else(|| panic!("{key} of {queue}"));
        let outer: Value = serde_json::from_str(arg(call, "--attributes")).expect("JSON");
        serde_json::from_str(outer[key].as_str().expect("a string")).expect("JSON inside")
    };
    let policy = attributes("email-2", "Policy");
    assert_eq!(
        policy["Statement"][0]["Resource"],
        "arn:aws:sqs:r:123:email-2"
    );
    assert_eq!(
        policy["Statement"][0]["Condition"]["ArnEquals"]["aws:SourceArn"],
        serde_json::json!(["arn:aws:sns:r:123:orders"])
    );
    let redrive = attributes("it-s", "RedrivePolicy");
    assert_eq!(
        redrive,
        serde_json::json!({
            "deadLetterTargetArn": "arn:aws:sqs:r:123:work-dlq",
            "maxReceiveCount": "1000"
        })
    );
    let subscribe: Vec<&Vec<String>> = calls.iter().filter(|c| c[1] == "subscribe").collect();
    assert_eq!(subscribe.len(), 8);
    let billing = subscribe
        .iter()
        .find(|c| arg(c, "--topic-arn").ends_with(":billing"))
        .expect("billing's subscription");
    let attributes: Value = serde_json::from_str(arg(billing, "--attributes")).expect("JSON");
    assert_eq!(attributes["RawMessageDelivery"], "true");
    let filter: Value =
        serde_json::from_str(attributes["FilterPolicy"].as_str().expect("a string")).expect("JSON");
    assert_eq!(filter, serde_json::json!({ "routing_key": ["in'voice"] }));
}

#[test]
#[cfg(unix)]
fn the_kafka_script_runs_and_creates_every_topic() {
    let calls = run_script("kafka", &kafka::export(&everything()).text);
    let topics: Vec<(&str, &str)> = calls
        .iter()
        .map(|c| (arg(c, "--topic"), arg(c, "--partitions")))
        .collect();
    assert_eq!(topics, [("clicks", "1"), ("page_views", "4")]);
    assert_eq!(arg(&calls[0], "--bootstrap-server"), "localhost:9092");
    let configs: Vec<&str> = calls[0]
        .windows(2)
        .filter(|w| w[0] == "--config")
        .map(|w| w[1].as_str())
        .collect();
    assert_eq!(configs, ["retention.ms=90500", "retention.bytes=1048576"]);
}

#[test]
fn the_kafka_notes_say_how_to_produce_a_scripted_record_with_headers() {
    let mut s = sim::ready::load("d").expect("ready-made");
    s.script.push(sim::ScriptStep {
        at_ms: 500,
        action: sim::Action::Publish {
            target: sim::TargetSpec::Stream("clicks".into()),
            key: Some("u1".into()),
            payload: "hello".into(),
            count: 1,
            headers: vec![
                ("source".into(), "web".into()),
                ("trace".into(), "7".into()),
            ],
        },
    });
    let notes = kafka::export(&s).notes.join("\n");
    assert!(
        notes.contains("--property parse.headers=true --property parse.key=true")
            && notes.contains(r#""source:web,trace:7\tu1\thello""#),
        "{notes}"
    );
}

#[test]
fn a_compacted_stream_exports_its_cleanup_policy_and_tombstone_retention() {
    let mut s = sim::ready::load("d").expect("ready-made");
    s.topology.streams[0].cleanup = sim::CleanupSpec::Compact;
    s.topology.streams[0].tombstone_retention_ms = Some(2_000);
    s.producers[0].keys = sim::KeySpec::Fixed("u1".into());
    let text = kafka::export(&s).text;
    assert!(
        text.contains("--config cleanup.policy=compact,delete --config delete.retention.ms=2000"),
        "{text}"
    );
    s.topology.streams[0].retention = sim::RetentionSpec::default();
    s.topology.streams[0].tombstone_retention_ms = None;
    let text = kafka::export(&s).text;
    assert!(
        text.contains("--config cleanup.policy=compact --config delete.retention.ms=86400000"),
        "{text}"
    );
}

/// A classic group with its timings set and two consumer-protocol groups, one with settings
/// the broker's defaults refuse.
fn group_protocols() -> sim::Scenario {
    let json = r#"{
      "version": 1, "title": "Group protocols", "duration_ms": 10000,
      "topology": {
        "streams": [ { "name": "orders", "partitions": 3 } ],
        "groups": [
          { "name": "billing", "streams": ["orders"], "assignor": "cooperative_sticky",
            "session_timeout_ms": 30000, "heartbeat_interval_ms": 3000,
            "rebalance_timeout_ms": 60000, "initial_rebalance_delay_ms": 3000 },
          { "name": "audit", "streams": ["orders"], "protocol": "consumer",
            "server_assignor": "range", "session_timeout_ms": 45000,
            "heartbeat_interval_ms": 5000, "auto_offset_reset": "earliest" },
          { "name": "fast", "streams": ["orders"], "protocol": "consumer",
            "assignor": "cooperative_sticky", "session_timeout_ms": 10000,
            "heartbeat_interval_ms": 2000, "rebalance_timeout_ms": 5000 }
        ]
      },
      "consumers": [
        { "name": "b1", "attach": { "group": "billing" } },
        { "name": "a1", "attach": { "group": "audit" }, "instance_id": "host-1" }
      ]
    }"#;
    sim::Scenario::from_json(json).expect("a valid scenario")
}

/// The lines of the script's block for `group`, from its heading to the next blank line.
fn group_block<'a>(text: &'a str, group: &str) -> Vec<&'a str> {
    text.lines()
        .skip_while(|l| !l.starts_with(&format!("# Consumer group {group} on")))
        .take_while(|l| !l.is_empty())
        .collect()
}

#[test]
fn group_protocols_export_as_fixed() {
    let export = kafka::export(&group_protocols());
    check("groups.kafka.sh", &export.text);
    check(
        "groups.kafka.sh.notes.txt",
        &(export.notes.join("\n") + "\n"),
    );
}

#[test]
fn the_kafka_export_carries_each_groups_protocol_and_timings() {
    let export = kafka::export(&group_protocols());
    let billing = group_block(&export.text, "billing");
    for line in [
        "#   group.protocol=classic",
        "#   partition.assignment.strategy=org.apache.kafka.clients.consumer.CooperativeStickyAssignor",
        "#   session.timeout.ms=30000",
        "#   heartbeat.interval.ms=3000",
        "#   max.poll.interval.ms=60000",
    ] {
        assert!(billing.contains(&line), "{line} in {billing:#?}");
    }
    assert!(
        billing
            .iter()
            .any(|l| l.contains("--consumer-property max.poll.interval.ms=60000")),
        "{billing:#?}"
    );
    assert!(
        !billing.iter().any(|l| l.starts_with("kafka-configs.sh")),
        "a classic group's timings are consumer configs"
    );
    let audit = group_block(&export.text, "audit");
    for line in [
        "#   group.protocol=consumer",
        "#   group.remote.assignor=range",
        "#   auto.offset.reset=earliest",
        "kafka-configs.sh --bootstrap-server \"$BOOTSTRAP\" --alter --entity-type groups \
         --entity-name 'audit' --add-config \
         consumer.session.timeout.ms=45000,consumer.heartbeat.interval.ms=5000",
    ] {
        assert!(audit.contains(&line), "{line} in {audit:#?}");
    }
    for client_side in [
        "partition.assignment.strategy",
        "session.timeout.ms=",
        "heartbeat.interval.ms=",
    ] {
        assert!(
            !audit
                .iter()
                .any(|l| l.starts_with('#') && l.contains(client_side) && !l.contains("consumer.")),
            "Kafka refuses {client_side} with group.protocol=consumer: {audit:#?}"
        );
    }
    assert!(
        export
            .text
            .contains("group.initial.rebalance.delay.ms=3000"),
        "{}",
        export.text
    );
    let notes = export.notes.join("\n");
    assert!(
        notes.contains("consumer.session.timeout.ms=10000 is below the broker's default group.consumer.min.session.timeout.ms (45000)")
            && notes.contains("consumer.heartbeat.interval.ms=2000 is below the broker's default group.consumer.min.heartbeat.interval.ms (5000)")
            && notes.contains("Group fast uses the consumer protocol: rebalance_timeout_ms applies to classic groups only"),
        "{notes}"
    );
    assert!(
        !notes.contains("Group audit") && !notes.contains("Group fast rebalances cooperatively"),
        "{notes}"
    );
}

#[test]
fn classic_groups_that_disagree_on_the_initial_delay_get_a_note() {
    let mut s = group_protocols();
    let mut other = s.topology.groups[0].clone();
    other.name = "reports".into();
    other.initial_rebalance_delay_ms = None;
    s.topology.groups.push(other);
    let export = kafka::export(&s);
    assert!(
        !export.text.contains("group.initial.rebalance.delay.ms"),
        "{}",
        export.text
    );
    let notes = export.notes.join("\n");
    assert!(
        notes.contains(
            "The initial rebalance delay does not map per group (billing 3000 ms and reports \
             0 ms)"
        ),
        "{notes}"
    );
}

#[test]
#[cfg(unix)]
fn the_kafka_script_sets_the_consumer_protocols_group_configs() {
    let calls = run_script("kafka-groups", &kafka::export(&group_protocols()).text);
    let configs: Vec<(&str, &str)> = calls
        .iter()
        .filter(|c| c.iter().any(|a| a == "--entity-type"))
        .map(|c| {
            assert_eq!(arg(c, "--entity-type"), "groups");
            assert!(c.iter().any(|a| a == "--alter"));
            (arg(c, "--entity-name"), arg(c, "--add-config"))
        })
        .collect();
    assert_eq!(
        configs,
        [
            (
                "audit",
                "consumer.session.timeout.ms=45000,consumer.heartbeat.interval.ms=5000"
            ),
            (
                "fast",
                "consumer.session.timeout.ms=10000,consumer.heartbeat.interval.ms=2000"
            ),
        ]
    );
}

/// Two share groups that disagree on the broker-level settings, one outside Kafka's ranges,
/// with a member that accepts on receipt.
#[test]
fn share_groups_say_what_is_broker_level() {
    let json = r#"{
      "version": 1, "title": "Two share groups", "duration_ms": 1000,
      "topology": {
        "streams": [{ "name": "jobs", "partitions": 2 }],
        "share_groups": [
          { "name": "a", "streams": ["jobs"], "record_lock_duration_ms": 90000,
            "delivery_count_limit": 1 },
          { "name": "b", "streams": ["jobs"], "max_record_locks": 50 },
          { "name": "c", "streams": ["jobs"], "record_lock_duration_ms": 500 }
        ]
      },
      "consumers": [
        { "name": "fast", "attach": { "share_group": "a" }, "ack": "auto" }
      ]
    }"#;
    let export = Format::Kafka.export(&sim::Scenario::from_json(json).expect("valid"));
    assert!(export.text.contains(
        "--entity-name 'a' --add-config share.auto.offset.reset=latest,\
         share.record.lock.duration.ms=90000\n"
    ));
    assert!(
        export
            .text
            .contains("#   group.share.delivery.count.limit=1\n")
    );
    assert!(export.text.contains("# Member fast: max.poll.records="));
    assert!(export.text.contains("share.acknowledgement.mode=implicit"));
    assert_eq!(
        export
            .text
            .matches("# Share groups must be enabled")
            .count(),
        1
    );
    let notes = export.notes.join("\n");
    for expected in [
        "above the broker's default group.share.max.record.lock.duration.ms (60000)",
        "a delivery count limit (group.share.delivery.count.limit) of 1 does not map",
        "(group.share.partition.max.record.locks) of 50 does not map: Kafka accepts 100 to 10000",
        "c: a record lock of 500 ms does not map: however the broker is set, Kafka accepts 1000 to 3600000 ms only",
        "do not map per group (a: delivery count limit 1, 200 record locks per partition, b:",
    ] {
        assert!(
            notes.contains(expected),
            "{expected:?} missing from {notes}"
        );
    }
    for format in [Format::RabbitMq, Format::Aws] {
        let notes = format
            .export(&sim::Scenario::from_json(json).expect("valid"))
            .notes;
        assert!(
            notes
                .iter()
                .any(|n| n.starts_with("Share groups do not map (a, b and c)"))
        );
    }
}
