//! The path of an example's binary, for tests that run an example as a user would.

#![allow(dead_code, unreachable_pub)]

use std::path::PathBuf;
use std::process::Command;

/// The binary of example `name`, built (or found up to date) by cargo into the test's own
/// target folder and profile (the folder's name: `debug` is `dev`): `cargo test` builds
/// examples beside the tests, but `cargo test --tests` and other runners do not, and a binary
/// left from an older build must not be run.
pub fn path(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test binary");
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target folder");
    let target = profile_dir.parent().expect("target folder");
    let profile = match profile_dir.file_name().and_then(|n| n.to_str()) {
        Some("debug") | None => "dev",
        Some(other) => other,
    };
    let mut cargo = Command::new(env!("CARGO"));
    // `--workspace`: features resolved as for `cargo test --workspace`, which built the
    // library the tests use, so nothing is compiled again with other features.
    cargo
        .args(["build", "--quiet", "--workspace", "--example", name])
        .args(["--profile", profile])
        .arg("--target-dir")
        .arg(target);
    let status = cargo.status().expect("run cargo");
    assert!(status.success(), "building the {name} example failed");
    profile_dir.join("examples").join(name)
}
