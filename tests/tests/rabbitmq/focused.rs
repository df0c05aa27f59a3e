//! Focused workloads: one exported feature each, with its edge cases.

use super::differences::Difference;
use super::workload::*;

/// Every focused workload.
pub(crate) fn all() -> Vec<Workload> {
    vec![
        direct_exchange(),
        fanout_exchange(),
        topic_rules(),
        default_exchange(),
        fair_dispatch(),
        nack_and_reject(),
        delivery_limit_dead_letters(),
        delivery_limit_drops(),
        delivery_limit_connection_dies(),
        queue_ttl(),
        message_ttl(),
        drop_head(),
        reject_publish(),
        quorum_limits(),
        redelivery_after_connection_death(),
        dead_letter_chain(),
        auto_delete_subscriber(),
        subscriber_inbox(),
    ]
}

fn direct_exchange() -> Workload {
    Workload::new(
        "direct",
        "a direct exchange routes on the exact key, to every queue bound with it",
        r#"{"exchanges": [{"name": "tasks", "kind": "direct"}],
            "queues": [{"name": "q-a"}, {"name": "q-b"}],
            "bindings": [{"exchange": "tasks", "queue": "q-a", "key": "a"},
                         {"exchange": "tasks", "queue": "q-b", "key": "b"},
                         {"exchange": "tasks", "queue": "q-b", "key": "a"}]}"#,
    )
    .steps([
        publish("tasks", "a", "m1"),
        publish("tasks", "b", "m2"),
        publish("tasks", "c", "m3"),
        publish("tasks", "", "m4"),
        publish("tasks", "A", "m5"),
    ])
}

fn fanout_exchange() -> Workload {
    Workload::new(
        "fanout",
        "a fanout exchange copies every message to every bound queue, whatever the key",
        r#"{"exchanges": [{"name": "orders", "kind": "fanout"}],
            "queues": [{"name": "email"}, {"name": "stock"}, {"name": "idle"}],
            "bindings": [{"exchange": "orders", "queue": "email"},
                         {"exchange": "orders", "queue": "stock", "key": "ignored"}]}"#,
    )
    .steps([
        publish("orders", "", "m1"),
        publish("orders", "eu.de", "m2"),
        consume("email-worker", "email", 1),
        ack("email-worker", "m1"),
        publish("orders", "x", "m3"),
    ])
}

fn topic_rules() -> Workload {
    let patterns = [
        ("t-hash", "#"),
        ("t-star", "*"),
        ("t-a-hash", "a.#"),
        ("t-hash-z", "#.z"),
        ("t-a-star-c", "a.*.c"),
        ("t-a-hash-c", "a.#.c"),
        ("t-empty-word", "a..c"),
        ("t-empty", ""),
        ("t-star-star", "*.*"),
        ("t-exact", "a.b"),
    ];
    let queues: Vec<String> = patterns
        .iter()
        .map(|(q, _)| format!(r#"{{"name": "{q}"}}"#))
        .collect();
    let bindings: Vec<String> = patterns
        .iter()
        .map(|(q, k)| format!(r#"{{"exchange": "logs", "queue": "{q}", "key": "{k}"}}"#))
        .collect();
    let topology = format!(
        r#"{{"exchanges": [{{"name": "logs", "kind": "topic"}}], "queues": [{}], "bindings": [{}]}}"#,
        queues.join(","),
        bindings.join(",")
    );
    let keys = [
        "", "a", "a.b", "a.c", "a.b.c", "a..c", "a.b.b.c", "z", "x.z", "a.z", ".", "a.", ".c",
        "b.a", "a.b.c.z",
    ];
    Workload::new(
        "topic",
        "topic patterns: # matches zero or more words, * exactly one, empty words and the \
         empty key",
        &topology,
    )
    .steps(
        keys.iter()
            .enumerate()
            .map(|(i, k)| publish("logs", k, &format!("m{}[{k}]", i + 1))),
    )
}

fn default_exchange() -> Workload {
    Workload::new(
        "default-exchange",
        "the default exchange routes to the queue named by the key",
        r#"{"queues": [{"name": "jobs"}, {"name": "other"}]}"#,
    )
    .steps([
        send("jobs", "m1"),
        send("other", "m2"),
        send("nowhere", "m3"),
        send("jobs", "m4"),
    ])
    .differs(Difference::DefaultExchangeUnknownQueue)
}

fn fair_dispatch() -> Workload {
    Workload::new(
        "fair-dispatch",
        "prefetch 1: a busy consumer gets nothing more until it acks; prefetch 2 holds two",
        r#"{"queues": [{"name": "work"}]}"#,
    )
    .steps(send_many("work", "m", 4))
    .steps([
        consume("fast", "work", 1),
        consume("slow", "work", 2),
        ack("fast", "m1"),
        ack("fast", "m4"),
    ])
    .steps(send_many("work", "n", 4))
    .steps([ack("fast", "n1"), ack("slow", "m2"), ack("fast", "n2")])
}

fn nack_and_reject() -> Workload {
    Workload::new(
        "nack-reject",
        "nack and reject, with and without requeue, with a dead-letter queue",
        r#"{"queues": [{"name": "work", "dead_letter_queue": "dead"}, {"name": "dead"}]}"#,
    )
    .steps(send_many("work", "m", 4))
    .steps([
        consume("c", "work", 2),
        nack("c", "m1", true),
        reject("c", "m2", true),
        ack("c", "m1"),
        nack("c", "m2", false),
        reject("c", "m3", false),
        nack("c", "m4", true),
    ])
}

fn delivery_limit_dead_letters() -> Workload {
    Workload::new(
        "delivery-limit-dlq",
        "max_deliveries 3: the third unacked delivery dead-letters the message",
        r#"{"queues": [{"name": "work", "max_deliveries": 3, "dead_letter_queue": "dead"},
                       {"name": "dead"}]}"#,
    )
    .steps([
        send("work", "m1"),
        send("work", "m2"),
        consume("c", "work", 1),
        nack("c", "m1", true),
        nack("c", "m1", true),
        nack("c", "m1", true),
        nack("c", "m2", true),
        ack("c", "m2"),
    ])
}

fn delivery_limit_drops() -> Workload {
    Workload::new(
        "delivery-limit-drop",
        "max_deliveries 2 without a dead-letter queue: the message is dropped",
        r#"{"queues": [{"name": "work", "max_deliveries": 2}]}"#,
    )
    .steps([
        send("work", "m1"),
        send("work", "m2"),
        consume("c", "work", 1),
        reject("c", "m1", true),
        reject("c", "m1", true),
        ack("c", "m2"),
    ])
}

fn delivery_limit_connection_dies() -> Workload {
    Workload::new(
        "delivery-limit-dies",
        "max_deliveries 2: a consumer dying with the message counts as a delivery",
        r#"{"queues": [{"name": "work", "max_deliveries": 2, "dead_letter_queue": "dead"},
                       {"name": "dead"}]}"#,
    )
    .steps([
        send("work", "m1"),
        consume("c", "work", 1),
        die("c"),
        consume("c", "work", 1),
        die("c"),
        send("work", "m2"),
        consume("c", "work", 1),
        ack("c", "m2"),
    ])
}

fn queue_ttl() -> Workload {
    Workload::new(
        "queue-ttl",
        "a queue's message TTL dead-letters unconsumed messages (reason expired)",
        r#"{"queues": [{"name": "work", "message_ttl_ms": 200, "dead_letter_queue": "dead"},
                       {"name": "dead"}]}"#,
    )
    .steps([
        send("work", "m1"),
        send("work", "m2"),
        wait(300),
        send("work", "m3"),
    ])
}

fn message_ttl() -> Workload {
    Workload::new(
        "message-ttl",
        "per-message TTL: the expired head is dead-lettered; a message with a TTL behind one \
         without waits until it reaches the head",
        r#"{"queues": [{"name": "work", "dead_letter_queue": "dead"}, {"name": "dead"}]}"#,
    )
    .steps([
        send_with_ttl("work", "m1", 150),
        send("work", "m2"),
        send_with_ttl("work", "m3", 150),
        wait(250),
        consume("c", "work", 1),
        ack("c", "m2"),
        wait(10),
    ])
}

fn drop_head() -> Workload {
    Workload::new(
        "drop-head",
        "max_length 3, drop-head: the oldest ready messages are dead-lettered (maxlen)",
        r#"{"queues": [{"name": "work", "max_length": 3, "dead_letter_queue": "dead"},
                       {"name": "dead"}]}"#,
    )
    .steps(send_many("work", "m", 5))
    .steps([
        consume("c", "work", 1),
        send("work", "m6"),
        send("work", "m7"),
    ])
}

fn reject_publish() -> Workload {
    Workload::new(
        "reject-publish",
        "max_length 3, reject-publish: the fourth publish is refused (confirm nack)",
        r#"{"queues": [{"name": "work", "max_length": 3, "overflow": "reject_publish"}]}"#,
    )
    .steps(send_many("work", "m", 5))
    .steps([
        consume("c", "work", 1),
        send("work", "m6"),
        send("work", "m7"),
    ])
}

fn quorum_limits() -> Workload {
    Workload::new(
        "quorum-limits",
        "a queue with max_deliveries is a quorum queue: max_length with reject-publish and \
         with drop-head keep exactly max_length there too",
        r#"{"queues": [{"name": "refuse", "max_length": 3, "overflow": "reject_publish",
                        "max_deliveries": 5},
                       {"name": "drop", "max_length": 3, "max_deliveries": 5,
                        "dead_letter_queue": "dead"},
                       {"name": "dead"}]}"#,
    )
    .steps(send_many("refuse", "r", 5))
    .steps(send_many("drop", "d", 5))
}

fn redelivery_after_connection_death() -> Workload {
    Workload::new(
        "connection-dies",
        "a consumer's connection dies holding two messages: both are redelivered, flagged",
        r#"{"queues": [{"name": "work"}]}"#,
    )
    .steps(send_many("work", "m", 5))
    .steps([
        consume("c1", "work", 2),
        consume("c2", "work", 1),
        ack("c1", "m1"),
        die("c1"),
        ack("c2", "m3"),
        ack("c2", "m2"),
        consume("c1", "work", 2),
        ack("c2", "m4"),
        ack("c1", "m5"),
    ])
}

fn dead_letter_chain() -> Workload {
    Workload::new(
        "dead-letter-chain",
        "a dead-letter queue with its own TTL and dead-letter queue: the last x-death names \
         the last queue",
        r#"{"queues": [{"name": "first", "message_ttl_ms": 100, "dead_letter_queue": "second"},
                       {"name": "second", "message_ttl_ms": 100, "dead_letter_queue": "third"},
                       {"name": "third"}]}"#,
    )
    .steps([
        send("first", "m1"),
        wait(150),
        send("first", "m2"),
        wait(150),
        wait(150),
    ])
}

fn auto_delete_subscriber() -> Workload {
    Workload::new(
        "auto-delete",
        "a subscriber's auto-delete queue goes with its consumer, binding included: what is \
         published meanwhile is missed, and re-subscribing declares and binds it again",
        r#"{"exchanges": [{"name": "news", "kind": "fanout"}]}"#,
    )
    .steps([
        subscribe("s1", "news", "", 16, true),
        subscribe("s2", "news", "", 16, true),
        publish("news", "", "m1"),
        unsubscribe("s1"),
        publish("news", "", "m2"),
        subscribe("s1", "news", "", 16, true),
        publish("news", "", "m3"),
    ])
}

fn subscriber_inbox() -> Workload {
    Workload::new(
        "subscriber-inbox",
        "a subscriber's inbox of 2 (x-max-length 2, drop-head) keeps the newest two",
        r#"{"exchanges": [{"name": "prices", "kind": "topic"}]}"#,
    )
    .steps([subscribe("slow", "prices", "stock.*", 2, false)])
    .steps((1..=4).map(|i| publish("prices", "stock.acme", &format!("m{i}"))))
    .steps([receive("slow"), receive("slow"), receive("slow")])
    .steps([publish("prices", "stock.acme.eu", "m5"), receive("slow")])
}
