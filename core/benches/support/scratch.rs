//! [`Scratch`]: the folder a bench writes its files in, removed at the end.

#![allow(dead_code, unreachable_pub)]

use std::fs;
use std::path::PathBuf;

/// A folder under `BROKERLAB_BENCH_DIR` (default: the target directory's `tmp`), removed when
/// dropped (also on a panic).
pub struct Scratch(pub PathBuf);

impl Scratch {
    /// A new, empty folder named after `bench` and the process.
    pub fn new(bench: &str) -> Scratch {
        let base = std::env::var_os("BROKERLAB_BENCH_DIR")
            .map_or_else(|| PathBuf::from(env!("CARGO_TARGET_TMPDIR")), PathBuf::from);
        let dir = base.join(format!("{bench}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("create the bench folder");
        Scratch(dir)
    }

    /// A fresh, empty subfolder.
    pub fn fresh(&self, name: &str) -> PathBuf {
        let dir = self.0.join(name);
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("create a case folder");
        dir
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}
