//! The static site and the web crate agree on how the app is loaded, and the playground's
//! state is deterministic.

use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn index_loads_the_bundles_wasm_bindgen_writes_and_calls_start() {
    let index = std::fs::read_to_string(repo().join("www/index.html")).unwrap();
    for dir in ["\"./pkg/\"", "\"./pkg-embed/\""] {
        assert!(index.contains(dir), "index.html loads {dir}");
    }
    assert!(
        index.contains(r#""brokerlab_web.js""#),
        "index.html imports the glue"
    );
    assert!(
        index.contains(r#""brokerlab_web_bg.wasm""#),
        "index.html names the module"
    );
    assert!(index.contains("start()"), "index.html mounts the app");
    assert!(
        index.contains(r#"id="app""#),
        "index.html has the mount point"
    );
}

#[test]
fn the_playground_state_is_deterministic() {
    use brokerlab_web::state::{Action, AppState};
    let mut first = AppState::new("comparison");
    let mut second = AppState::new("comparison");
    first.update(Action::RunTo(9_000));
    second.update(Action::RunTo(9_000));
    assert_eq!(first.view, second.view);
    assert_eq!(first.log, second.log);
}
