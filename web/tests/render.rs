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

/// Mounts a fresh app. Tests share one page, and a paused app writes its moment to the
/// address's fragment and to the autosave, so both are cleared first: every test starts from
/// the plain address.
fn mount() -> Element {
    let window = web_sys::window().unwrap();
    let location = window.location();
    let plain = format!(
        "{}{}",
        location.pathname().unwrap(),
        location.search().unwrap()
    );
    window
        .history()
        .unwrap()
        .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&plain))
        .unwrap();
    if let Some(storage) = window.local_storage().unwrap() {
        storage
            .remove_item(brokerlab_web::persist::AUTOSAVE_KEY)
            .unwrap();
    }
    let document = window.document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<brokerlab_web::app::App>::with_root(root.clone()).render();
    root
}

fn find(root: &Element, selector: &str) -> web_sys::HtmlElement {
    let el = root.query_selector(selector).unwrap().expect(selector);
    wasm_bindgen::JsCast::dyn_into(el).unwrap()
}

fn now_ms(root: &Element) -> String {
    find(root, "#clock")
        .get_attribute("data-now-ms")
        .unwrap_or_default()
}

/// Yields until the clock shows `ms`.
async fn wait_for_time(root: &Element, ms: &str) {
    for _ in 0..1_000 {
        if now_ms(root) == ms {
            return;
        }
        next_tick().await;
    }
    panic!("the clock never showed {ms} ms (shows {})", now_ms(root));
}

async fn run_to(root: &Element, ms: &str) {
    let input: web_sys::HtmlInputElement =
        wasm_bindgen::JsCast::dyn_into(find(root, "#run-to")).unwrap();
    input.set_value(ms);
    find(root, "#run-to-go").click();
    wait_for_time(root, ms).await;
}

#[wasm_bindgen_test]
async fn draws_scenario_a_and_steps_time() {
    let root = mount();
    wait_for(&root, ".node.consumer", 2).await;
    assert!(
        root.query_selector("[data-entity='queue:jobs']")
            .unwrap()
            .is_some()
    );
    assert!(
        root.query_selector("[data-entity='producer:api']")
            .unwrap()
            .is_some()
    );
    assert_eq!(
        find(&root, "#play")
            .get_attribute("aria-pressed")
            .as_deref(),
        Some("true"),
        "a first visit plays scenario A"
    );
    run_to(&root, "100").await;
    find(&root, "#step-100").click();
    wait_for_time(&root, "200").await;
    run_to(&root, "3600").await;
    wait_for(&root, ".node.consumer[data-state='crashed']", 1).await;
    wait_for(&root, ".log .row.delivered.again", 1).await;
}

#[wasm_bindgen_test]
async fn payloads_are_text_not_markup() {
    let root = mount();
    wait_for(&root, ".node.consumer", 2).await;
    run_to(&root, "1000").await;
    wait_for(&root, ".log .row.delivered", 1).await;
    let rows = root
        .query_selector_all(".log .row.delivered .text")
        .unwrap();
    let mut texts = Vec::new();
    for i in 0..rows.length() {
        let el: Element = wasm_bindgen::JsCast::dyn_into(rows.item(i).unwrap()).unwrap();
        assert_eq!(el.child_element_count(), 0, "a payload is a text node");
        texts.push(el.text_content().unwrap_or_default());
    }
    assert!(
        texts.iter().any(|t| t.contains("\u{201c}job 0\u{201d}")),
        "{texts:?}"
    );
}
