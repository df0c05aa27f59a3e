//! The share bar: "Copy link" (the address that reopens this moment, also shown to select
//! by hand), "Export JSON" (the scenario as a file) and "Import JSON".

use gloo::file::callbacks::FileReader;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::persist;
use crate::state::{Action, use_app};

/// Offers `text` as a file download named `name`.
fn download(name: &str, text: &str) -> Option<()> {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/json");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).ok()?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).ok()?;
    let document = web_sys::window()?.document()?;
    let a: web_sys::HtmlAnchorElement = document.create_element("a").ok()?.dyn_into().ok()?;
    a.set_href(&url);
    a.set_download(name);
    a.click();
    web_sys::Url::revoke_object_url(&url).ok()
}

/// The share bar.
#[component]
pub fn ShareBar() -> Html {
    let app = use_app();
    let link = use_state(String::new);
    let reader = use_mut_ref(|| None::<FileReader>);
    let copy = {
        let (app, link) = (app.clone(), link.clone());
        Callback::from(move |_: MouseEvent| {
            let text = persist::link(&app);
            if let Some(w) = web_sys::window() {
                let promise = w.navigator().clipboard().write_text(&text);
                // A refused clipboard is fine: the link is shown to copy by hand.
                wasm_bindgen_futures::spawn_local(async move {
                    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
                });
            }
            link.set(text);
        })
    };
    let export = {
        let app = app.clone();
        Callback::from(move |_: MouseEvent| {
            let mut scenario = (*app.scenario).clone();
            scenario.seed = app.seed;
            if download("brokerlab-scenario.json", &scenario.to_json()).is_none() {
                app.dispatch(Action::Notice(
                    "the browser refused the download".to_owned(),
                ));
            }
        })
    };
    let import = {
        let app = app.clone();
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            let Some(file) = input.files().and_then(|f| f.get(0)) else {
                return;
            };
            input.set_value("");
            let app = app.clone();
            let task = gloo::file::callbacks::read_as_text(&file.into(), move |text| {
                app.dispatch(match text {
                    Ok(text) => Action::ImportJson(text),
                    Err(e) => Action::Notice(format!("the file could not be read: {e}")),
                });
            });
            *reader.borrow_mut() = Some(task);
        })
    };
    html! {
        <section class="share" aria-label="Share">
            <button type="button" id="copy-link" onclick={copy}>{ "Copy link" }</button>
            <button type="button" id="export-json" onclick={export}>{ "Export JSON" }</button>
            <label class="file-button" for="import-json">{ "Import JSON" }</label>
            <input type="file" id="import-json" accept=".json,application/json" class="visually-hidden" onchange={import} />
            if !link.is_empty() {
                <input type="text" id="share-link" readonly=true value={(*link).clone()} aria-label="Link to this moment" />
                <span class="hint" role="status">{ "Link copied" }</span>
            }
        </section>
    }
}
