//! Renders the app in a real browser (wasm-bindgen-test, headless Chromium) and checks the
//! DOM it produces.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

/// Lets the browser run one turn of its event loop (a zero-delay task, not a sleep), so
/// Yew's scheduler can render before the condition is checked again.
async fn next_tick() {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        web_sys::window()
            .expect("a window")
            .set_timeout_with_callback(&resolve)
            .expect("setTimeout works");
    });
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .expect("a resolved promise resolves");
}

/// Yields until `selector` matches at least `count` elements under `root`, or fails after a
/// bounded number of turns.
async fn wait_for(root: &Element, selector: &str, count: u32) {
    for _ in 0..1_000 {
        let found = root
            .query_selector_all(selector)
            .expect("valid selector")
            .length();
        if found >= count {
            return;
        }
        next_tick().await;
    }
    panic!("`{selector}` never matched {count} elements");
}

fn mount() -> Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<brokerlab_web::app::App>::with_root(root.clone()).render();
    root
}

#[wasm_bindgen_test]
async fn renders_who_got_which_message() {
    let root = mount();
    let expected = brokerlab_web::app::INITIAL_COUNT as u32;
    wait_for(&root, "tr.delivery", expected).await;

    let rows = root.query_selector_all("tr.delivery").unwrap();
    assert_eq!(rows.length(), expected);
    let mut consumers = Vec::new();
    for index in 0..rows.length() {
        let row: Element = wasm_bindgen::JsCast::dyn_into(rows.item(index).unwrap()).unwrap();
        let name = row
            .query_selector(".consumer-name")
            .unwrap()
            .unwrap()
            .text_content()
            .unwrap();
        consumers.push(name);
    }
    assert_eq!(consumers, ["alice", "bob", "alice", "bob", "alice", "bob"]);

    let left = root
        .query_selector("#deliveries")
        .unwrap()
        .unwrap()
        .get_attribute("data-left-in-queue");
    assert_eq!(left.as_deref(), Some("0"));
}

#[wasm_bindgen_test]
async fn payloads_are_text_not_markup() {
    let root = mount();
    wait_for(&root, "tr.delivery", 1).await;
    let first = root
        .query_selector("tr.delivery td:nth-child(2)")
        .unwrap()
        .unwrap();
    assert_eq!(first.text_content().as_deref(), Some("order #1"));
    assert_eq!(first.child_element_count(), 0);
}
