//! The share bar: "Copy link" (the address that reopens this moment), "Copy embed code"
//! (an `<iframe>` that plays it in another page), each also shown to select by hand;
//! "Export JSON" (the scenario as a file, with the actions taken by hand scripted at their
//! times) and "Import JSON".

use gloo::file::callbacks::FileReader;
use yew::prelude::*;

use crate::components::download::download;
use crate::persist;
use crate::state::{Action, use_app};

/// Writes `text` to the clipboard; a refused clipboard is fine (the text is shown too).
fn to_clipboard(text: &str) {
    if let Some(w) = web_sys::window() {
        let promise = w.navigator().clipboard().write_text(text);
        wasm_bindgen_futures::spawn_local(async move {
            let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
        });
    }
}

/// The share bar.
#[component]
pub fn ShareBar() -> Html {
    let app = use_app();
    let link = use_state(String::new);
    let embed = use_state(String::new);
    let reader = use_mut_ref(|| None::<FileReader>);
    let copy = {
        let (app, link, embed) = (app.clone(), link.clone(), embed.clone());
        Callback::from(move |_: MouseEvent| {
            let text = persist::link(&app);
            to_clipboard(&text);
            embed.set(String::new());
            link.set(text);
        })
    };
    let copy_embed = {
        let (app, link, embed) = (app.clone(), link.clone(), embed.clone());
        Callback::from(move |_: MouseEvent| {
            let text = persist::embed_code(&app);
            to_clipboard(&text);
            link.set(String::new());
            embed.set(text);
        })
    };
    let export = {
        let app = app.clone();
        Callback::from(move |_: MouseEvent| {
            let scenario = app.scenario_with_actions();
            if download(
                "brokerlab-scenario.json",
                "application/json",
                &scenario.to_json(),
            )
            .is_none()
            {
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
            <button type="button" id="copy-embed" onclick={copy_embed}>{ "Copy embed code" }</button>
            <button type="button" id="export-json" onclick={export}>{ "Export JSON" }</button>
            <label class="file-button" for="import-json">{ "Import JSON" }</label>
            <input type="file" id="import-json" accept=".json,application/json" class="visually-hidden" onchange={import} />
            if !link.is_empty() {
                <input type="text" id="share-link" readonly=true value={(*link).clone()} aria-label="Link to this moment" />
                <span class="hint" role="status">{ "Link copied" }</span>
            }
            if !embed.is_empty() {
                <textarea id="embed-code" readonly=true rows="3" aria-label="Embed code" value={(*embed).clone()} />
                <span class="hint" role="status">{ "Embed code copied" }</span>
            }
        </section>
    }
}
