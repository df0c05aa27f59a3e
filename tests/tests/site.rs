//! The static site and the web crate agree on how the app is loaded, and the web crate's
//! demo gives the same result as the core used directly.

use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn index_loads_the_bundle_wasm_bindgen_writes_and_calls_start() {
    let index = std::fs::read_to_string(repo().join("www/index.html")).unwrap();
    assert!(
        index.contains("./pkg/brokerlab_web.js"),
        "index.html imports the glue"
    );
    assert!(
        index.contains("brokerlab_web_bg.wasm"),
        "index.html names the module"
    );
    assert!(index.contains("start()"), "index.html mounts the app");
    assert!(
        index.contains(r#"id="app""#),
        "index.html has the mount point"
    );
}

#[test]
fn the_demo_is_deterministic() {
    let first = brokerlab_web::demo::run(40).unwrap();
    let second = brokerlab_web::demo::run(40).unwrap();
    assert_eq!(first, second);
    assert_eq!(first.deliveries.len(), 40);
}
