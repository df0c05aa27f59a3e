//! Every committed input of `fuzz/corpus/<target>/` replayed through its target, one test per
//! target: the seeds and every input that once found a bug stay fixed.

use std::path::PathBuf;
use std::time::Instant;

fn replay(name: &str) {
    let target = crate::target(name).expect("a known target");
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join(name);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.is_file())
        .collect();
    paths.sort();
    assert!(
        paths.len() >= 10,
        "{} holds {} inputs; the corpus needs its seeds",
        dir.display(),
        paths.len()
    );
    let started = Instant::now();
    for path in &paths {
        let data =
            std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        eprintln!("{}", path.display());
        target(&data);
    }
    eprintln!(
        "{name}: {} inputs in {:.2?}",
        paths.len(),
        started.elapsed()
    );
}

#[test]
fn corpus_share_link() {
    replay("share_link");
}

#[test]
fn corpus_scenario_json() {
    replay("scenario_json");
}

#[test]
fn corpus_rabbitmq_import() {
    replay("rabbitmq_import");
}

#[test]
fn corpus_file_storage() {
    replay("file_storage");
}

#[test]
fn corpus_topic_match() {
    replay("topic_match");
}

#[test]
fn every_target_has_a_corpus_test() {
    let source = include_str!("corpus.rs");
    for (name, _) in crate::TARGETS {
        assert!(
            source.contains(&format!("fn corpus_{name}()")),
            "no test replays {name}"
        );
    }
}

#[test]
fn the_storage_seed_holds_a_real_broker() {
    use brokerlab::storage::FileStorage;
    use brokerlab::{Broker, Limits};

    use crate::file_storage::{OPTIONS, ROOT, files_of};

    let seed = std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus/file_storage/seed-whole"),
    )
    .expect("the seed");
    let fs = crate::mem_fs::MemFs::with_files(files_of(&seed));
    let (storage, report) = FileStorage::open_in(fs, ROOT, OPTIONS).expect("opens");
    assert!(report.is_clean(), "{report}");
    assert_eq!(report.logs.len(), 4, "{report:?}");
    assert!(
        report.logs.iter().all(|l| l.end.0 > l.start.0),
        "{report:?}"
    );
    let (broker, recovered) = Broker::recover(storage, Limits::default()).expect("recovers");
    assert!(!recovered.fresh);
    assert!(broker.queue_id("jobs").is_some());
}
