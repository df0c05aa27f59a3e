//! Fuzz targets for every input Brokerlab reads from outside: one function per target, each
//! taking arbitrary bytes and returning normally whatever they hold. A panic, a hang or a
//! huge allocation is a bug in the code under test (or a broken property that the target
//! asserts).
//!
//! | target | what it reads |
//! | --- | --- |
//! | [`share_link`](mod@share_link) | a playground link (`v1.` + base64url of deflated JSON), [`brokerlab_web::share::decode`] |
//! | [`scenario_json`](mod@scenario_json) | scenario JSON, [`Scenario::from_json`](brokerlab::sim::Scenario::from_json), then a simulation of it |
//! | [`rabbitmq_import`](mod@rabbitmq_import) | a RabbitMQ `definitions.json`, [`brokerlab_web::interop::import::import`] |
//! | [`file_storage`](mod@file_storage) | segment, index, snapshot and journal files, [`FileStorage::open_in`](brokerlab::storage::FileStorage::open_in) and [`Broker::recover`](brokerlab::Broker::recover) |
//! | [`topic_match`](mod@topic_match) | a topic pattern and a routing key, [`brokerlab::topic_matches`] against a plain recursive matcher |
//!
//! The same functions run two ways:
//! - **as tests**: `cargo test -p brokerlab-fuzz` (and so `cargo xtask test`) replays every
//!   file of `fuzz/corpus/<target>/`: the seeds (real links, the ready-made scenarios, the
//!   export fixtures, files written by a real `FileStorage`; `cargo run -p brokerlab-fuzz
//!   --bin seeds` writes the generated ones again, as `seed-*`) and every input that once found
//!   a bug (`crash-*`, `hang-*`), so each stays fixed;
//! - **under AFL++**: `cargo xtask fuzz TARGET [--minutes M]` builds `src/bin/afl.rs` with
//!   `cargo afl build --features afl` and runs `afl-fuzz` on the corpus.

pub mod file_storage;
pub mod mem_fs;
pub mod rabbitmq_import;
pub mod scenario_json;
pub mod share_link;
pub mod topic_match;

pub use file_storage::file_storage;
pub use rabbitmq_import::rabbitmq_import;
pub use scenario_json::scenario_json;
pub use share_link::share_link;
pub use topic_match::topic_match;

/// A fuzz target: takes any bytes, returns normally.
pub type Target = fn(&[u8]);

/// Every target by name, the name being its corpus folder under `fuzz/corpus/`.
pub const TARGETS: [(&str, Target); 5] = [
    ("share_link", share_link),
    ("scenario_json", scenario_json),
    ("rabbitmq_import", rabbitmq_import),
    ("file_storage", file_storage),
    ("topic_match", topic_match),
];

/// The target named `name`.
#[must_use]
pub fn target(name: &str) -> Option<Target> {
    TARGETS.iter().find(|(n, _)| *n == name).map(|&(_, t)| t)
}

/// The text of `data` when it is UTF-8, as the JSON readers take text.
fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

#[cfg(test)]
mod corpus;
