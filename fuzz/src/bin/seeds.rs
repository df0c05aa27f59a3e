//! Writes the generated seeds of the fuzz corpora into `fuzz/corpus/<target>/seed-*`:
//! real share links, the ready-made scenarios, the export fixtures' RabbitMQ definitions,
//! files written by a real `FileStorage` (whole, torn and damaged), and topic cases.
//!
//! `cargo run -p brokerlab-fuzz --bin seeds` writes them again (same bytes for the same code);
//! inputs that found bugs (`crash-*`, `hang-*`) are kept as they are.

use std::path::{Path, PathBuf};

use brokerlab::sim::{self, ScriptStep, ready};
use brokerlab::storage::FileStorage;
use brokerlab::{
    Broker, ConsumerConfig, ExchangeKind, GroupConfig, Instant, Publish, QueueConfig, Retention,
    StreamConfig,
};
use brokerlab_fuzz::file_storage::{FIX_BATCHES, FIX_INDEXES, FIX_META, OPTIONS, ROOT, input_of};
use brokerlab_fuzz::mem_fs::MemFs;
use brokerlab_web::share::{self, Shared};

type Seeds = Vec<(String, Vec<u8>)>;

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let corpus = root.join("corpus");
    let all: [(&str, Seeds); 5] = [
        ("share_link", share_links()),
        ("scenario_json", scenarios()),
        ("rabbitmq_import", definitions(&root)),
        ("file_storage", storages()),
        ("topic_match", topics()),
    ];
    for (target, seeds) in all {
        let dir = corpus.join(target);
        std::fs::create_dir_all(&dir).expect("create the corpus folder");
        for entry in std::fs::read_dir(&dir).expect("list the corpus folder") {
            let path = entry.expect("an entry").path();
            let generated = path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("seed-"));
            if generated {
                std::fs::remove_file(&path).expect("remove an old seed");
            }
        }
        for (name, bytes) in &seeds {
            std::fs::write(dir.join(format!("seed-{name}")), bytes).expect("write a seed");
        }
        println!("{target}: {} seeds", seeds.len());
    }
}

fn t(ms: u64) -> Instant {
    Instant::from_millis(ms)
}

/// Links to every ready-made scenario, as text (mode byte 0) and as the JSON inside (mode 1),
/// with actions, a selection and a moved node on some; and a few broken ones.
fn share_links() -> Seeds {
    let mut seeds = Seeds::new();
    for (i, (id, _, _)) in ready::all().into_iter().enumerate() {
        let scenario = ready::load(id).expect("a ready-made scenario");
        let consumer = scenario.consumers.first().map(|c| c.name.clone());
        let shared = Shared {
            id: id.to_owned(),
            scenario,
            actions: consumer
                .map(|consumer| ScriptStep {
                    at_ms: 1_500,
                    action: sim::Action::Crash { consumer },
                })
                .into_iter()
                .collect(),
            t_ms: 1_000 * i as u64,
            speed: 0.5 + i as f64,
            selected: (i % 2 == 0).then(|| "queue:jobs".to_owned()),
            positions: if i % 3 == 0 {
                vec![("producer:p".to_owned(), 10.0, 20.5)]
            } else {
                Vec::new()
            },
            fork: (i % 4 == 1).then(|| share::SharedFork {
                scenario: None,
                actions: Vec::new(),
                at_ms: 1_500,
                this_label: "crashed by hand at 1.5 s".to_owned(),
                other_label: "as it was".to_owned(),
            }),
        };
        let link = share::encode(&shared);
        let mut text = vec![0];
        text.extend_from_slice(format!("#{link}").as_bytes());
        seeds.push((format!("link-{id}"), text));
        let mut json = vec![1];
        json.extend(serde_json::to_vec(&shared).expect("serializes"));
        seeds.push((format!("json-{id}"), json));
    }
    for (name, text) in [
        ("empty", ""),
        ("other-version", "v2.AAAA"),
        ("not-base64", "v1.!!!!"),
        ("not-deflate", "v1.AAAA"),
        ("not-a-link", "hello"),
    ] {
        let mut bytes = vec![0];
        bytes.extend_from_slice(text.as_bytes());
        seeds.push((name.to_owned(), bytes));
    }
    seeds.push((
        "json-missing-fields".to_owned(),
        [&[1u8][..], br#"{"id":"a","t_ms":0}"#].concat(),
    ));
    seeds
}

/// The ready-made scenarios' JSON, and small edits of one that break a rule each.
fn scenarios() -> Seeds {
    let mut seeds: Seeds = ready::all()
        .into_iter()
        .map(|(id, _, json)| (format!("ready-{id}.json"), json.as_bytes().to_vec()))
        .collect();
    let a = ready::load("a").expect("a");
    let mut small = a.clone();
    small.duration_ms = 2_000;
    seeds.push(("a-short.json".to_owned(), small.to_json().into_bytes()));
    let mut no_producers = a.clone();
    no_producers.producers.clear();
    seeds.push((
        "a-no-producers.json".to_owned(),
        no_producers.to_json().into_bytes(),
    ));
    let json = a.to_json();
    seeds.push((
        "a-unknown-field.json".to_owned(),
        json.replacen('{', "{\"extra\": 1,", 1).into_bytes(),
    ));
    seeds.push((
        "a-cut.json".to_owned(),
        json.as_bytes()[..json.len() / 2].to_vec(),
    ));
    seeds
}

/// The export fixtures' RabbitMQ definitions, and a few small hand-written ones.
fn definitions(root: &Path) -> Seeds {
    let fixtures = root.join("../web/tests/fixtures/export");
    let mut names: Vec<String> = std::fs::read_dir(&fixtures)
        .expect("the export fixtures")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    let mut seeds: Seeds = names
        .iter()
        .map(|n| {
            let bytes = std::fs::read(fixtures.join(n)).expect("a fixture");
            (n.clone(), bytes)
        })
        .collect();
    let small = [
        ("empty.json", "{}"),
        ("not-json.json", "queues: []"),
        (
            "one-queue.json",
            r#"{"queues":[{"name":"q","vhost":"/","durable":true,"arguments":{"x-max-length":10,"x-overflow":"reject-publish","x-message-ttl":"5000"}}]}"#,
        ),
        (
            "topic.json",
            r##"{"exchanges":[{"name":"t","vhost":"/","type":"topic"}],"queues":[{"name":"q","arguments":{"x-dead-letter-exchange":"","x-dead-letter-routing-key":"dlq"}},{"name":"dlq"}],"bindings":[{"source":"t","vhost":"/","destination":"q","destination_type":"queue","routing_key":"a.*.#"}]}"##,
        ),
        (
            "super-stream.json",
            r#"{"exchanges":[{"name":"s","type":"direct","arguments":{"x-super-stream":true}}],"queues":[{"name":"s-0","arguments":{"x-queue-type":"stream","x-max-age":"1D","x-max-length-bytes":100000}},{"name":"s-1","arguments":{"x-queue-type":"stream"}}],"bindings":[{"source":"s","destination":"s-0","destination_type":"queue","routing_key":"0","arguments":{"x-stream-partition-order":0}},{"source":"s","destination":"s-1","destination_type":"queue","routing_key":"1","arguments":{"x-stream-partition-order":1}}]}"#,
        ),
        (
            "other-vhost.json",
            r#"{"vhosts":[{"name":"v"}],"queues":[{"name":"q","vhost":"v"}],"exchanges":[{"name":"h","vhost":"v","type":"headers"}]}"#,
        ),
    ];
    seeds.extend(
        small
            .into_iter()
            .map(|(n, json)| (n.to_owned(), json.as_bytes().to_vec())),
    );
    seeds
}

/// What a real broker leaves in a `FileStorage`: a work queue with deliveries acked, a topic
/// exchange, a keyed stream with retention and a group that committed; flushed and closed.
fn written_storage() -> Vec<(PathBuf, Vec<u8>)> {
    let fs = MemFs::default();
    let (storage, _) = FileStorage::open_in(fs.clone(), ROOT, OPTIONS).expect("open");
    let mut b = Broker::new(storage);
    b.declare_queue(t(0), "jobs", QueueConfig::default())
        .expect("queue");
    for i in 0..90 {
        b.publish(
            t(1 + i),
            Publish::to_queue("jobs", format!("job {i}: resize image")),
        )
        .expect("publish");
    }
    let w = b
        .consume(
            t(40),
            "jobs",
            "w",
            ConsumerConfig::default().with_prefetch(8),
        )
        .expect("consume");
    let mut deliveries = Vec::new();
    b.poll_deliveries(usize::MAX, &mut deliveries);
    for d in deliveries.iter().step_by(2) {
        b.ack(t(101), w, d.delivery).expect("ack");
    }
    b.declare_exchange(t(110), "events", ExchangeKind::Topic)
        .expect("exchange");
    b.declare_queue(t(110), "audit", QueueConfig::default())
        .expect("queue");
    b.bind(t(110), "events", "audit", "order.*.#")
        .expect("bind");
    for (i, key) in ["order.created.eu", "order.paid", "user.signup"]
        .into_iter()
        .enumerate()
    {
        b.publish(
            t(111 + i as u64),
            Publish::new("events", key, format!("event {i}")).with_header("source", "shop"),
        )
        .expect("publish");
    }
    b.flush().expect("flush");
    let retention = Retention::default().with_max_records(20);
    b.declare_stream(
        t(60),
        "clicks",
        StreamConfig::new(2).with_retention(retention),
    )
    .expect("stream");
    for i in 0..60u64 {
        let key = format!("user-{}", i % 5);
        b.produce(
            t(61 + i),
            "clicks",
            Some(key.as_bytes()),
            format!("click {i}"),
        )
        .expect("produce");
        if i % 16 == 15 {
            b.flush().expect("flush");
        }
    }
    let member = b
        .join_group(t(290), "stats", "m1", &["clicks"], GroupConfig::default())
        .expect("join");
    b.poll(t(291), member, 25).expect("poll");
    b.commit_positions(t(292), "stats", "m1").expect("commit");
    b.flush().expect("flush");
    while b.poll_event().is_some() {}
    drop(b);
    fs.files().into_iter().collect()
}

/// Real storages (whole, with every repair flag, torn, damaged, without indexes or metadata)
/// in the `file_storage` input format.
fn storages() -> Seeds {
    let files = written_storage();
    let is = |p: &PathBuf, ext: &str| p.to_string_lossy().ends_with(ext);
    let mut seeds = vec![
        ("whole".to_owned(), input_of(0, &files)),
        (
            "whole-fix-all".to_owned(),
            input_of(FIX_BATCHES | FIX_INDEXES | FIX_META, &files),
        ),
    ];
    let edited = |edit: &dyn Fn(&PathBuf, &mut Vec<u8>) -> bool| -> Vec<(PathBuf, Vec<u8>)> {
        files
            .iter()
            .filter_map(|(p, bytes)| {
                let mut bytes = bytes.clone();
                edit(p, &mut bytes).then(|| (p.clone(), bytes))
            })
            .collect()
    };
    let torn = edited(&|p, b| {
        if is(p, ".seg") {
            b.truncate(b.len().saturating_sub(7));
        }
        true
    });
    seeds.push(("torn-segments".to_owned(), input_of(0, &torn)));
    let flipped = edited(&|p, b| {
        if is(p, ".seg") && b.len() > 40 {
            b[40] ^= 0x10;
        }
        true
    });
    seeds.push(("flipped-byte".to_owned(), input_of(0, &flipped)));
    seeds.push((
        "flipped-byte-fix-batches".to_owned(),
        input_of(FIX_BATCHES, &flipped),
    ));
    let no_indexes = edited(&|p, _| !is(p, ".idx"));
    seeds.push(("no-indexes".to_owned(), input_of(0, &no_indexes)));
    let no_meta = edited(&|p, _| !p.to_string_lossy().contains("/meta/"));
    seeds.push(("no-meta".to_owned(), input_of(0, &no_meta)));
    let torn_journal = edited(&|p, b| {
        if p.to_string_lossy().contains("journal.") {
            b.extend_from_slice(&[7, 0, 0, 0, 200, 0, 0, 0, 1]);
        }
        true
    });
    seeds.push(("torn-journal".to_owned(), input_of(FIX_META, &torn_journal)));
    let old_format = edited(&|p, b| {
        if is(p, ".seg") && b.len() > 4 {
            b[3] = b'1';
        }
        true
    });
    seeds.push(("old-format".to_owned(), input_of(0, &old_format)));
    // The journal's entries as a snapshot of the next generation (the same format), with an
    // empty journal: what compaction leaves.
    let mut compacted: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    for (p, b) in &files {
        if p.to_string_lossy().ends_with("meta/journal.0") {
            compacted.push((p.with_file_name("snapshot.1"), b.clone()));
            compacted.push((p.with_file_name("journal.1"), Vec::new()));
        } else {
            compacted.push((p.clone(), b.clone()));
        }
    }
    seeds.push(("compacted-meta".to_owned(), input_of(0, &compacted)));
    for (path, bytes) in &files {
        if let Some(name) = path.file_name().and_then(|n| n.to_str()) {
            let log = path
                .parent()
                .and_then(|p| p.file_name())
                .and_then(|n| n.to_str())
                .unwrap_or("meta");
            let single = [(path.clone(), bytes.clone())];
            seeds.push((
                format!("only-{log}-{name}"),
                input_of(FIX_BATCHES | FIX_INDEXES | FIX_META, &single),
            ));
        }
    }
    seeds.push(("empty".to_owned(), Vec::new()));
    seeds
}

/// Patterns and keys (`pattern \0 key`) with RabbitMQ's subtle cases.
fn topics() -> Seeds {
    let cases = [
        ("a.b.c", "a.b.c"),
        ("a.*.c", "a.b.c"),
        ("a.b.*", "a.b"),
        ("a.#", "a"),
        ("#", ""),
        ("*", ""),
        ("a.*.b", "a..b"),
        ("a#b", "axb"),
        ("#.#.a", "a"),
        ("*.#.*", "a.b"),
        ("#.a.#.b.#", "x.a.y.b.z"),
        ("stock.*.nyse", "stock.ibm.nyse"),
        ("", ""),
        (".", ".."),
    ];
    let mut seeds: Seeds = cases
        .iter()
        .enumerate()
        .map(|(i, (p, k))| (format!("case-{i:02}"), format!("{p}\0{k}").into_bytes()))
        .collect();
    let long_pattern = ["a"; 130].join(".") + ".#";
    let long_key = ["a"; 140].join(".");
    seeds.push((
        "long".to_owned(),
        format!("{long_pattern}\0{long_key}").into_bytes(),
    ));
    let hashes = "#.a.".repeat(20) + "#";
    seeds.push((
        "many-hashes".to_owned(),
        format!("{hashes}\0{}", "a.b.".repeat(30)).into_bytes(),
    ));
    seeds
}
