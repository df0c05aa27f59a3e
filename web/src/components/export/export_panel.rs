//! The export panel: "RabbitMQ", "Kafka" and "AWS" show the current scenario as that
//! broker's definitions or commands in a read-only text area, with what does not map listed
//! under it and a "Download" button; "Import RabbitMQ definitions" opens a
//! `definitions.json` as a new scenario and lists what it could not simulate.

use gloo::file::callbacks::FileReader;
use yew::prelude::*;

use crate::components::download::download;
use crate::interop::export::Format;
use crate::state::{Action, use_app};

/// The export panel.
#[component]
pub fn ExportPanel() -> Html {
    let app = use_app();
    let shown = use_state(|| None::<Format>);
    let reader = use_mut_ref(|| None::<FileReader>);
    let export = use_memo((app.scenario.clone(), *shown), |(scenario, format)| {
        format.map(|f| f.export(scenario))
    });
    let buttons = Format::ALL.iter().map(|&format| {
        let shown = shown.clone();
        let active = *shown == Some(format);
        let onclick = Callback::from(move |_: MouseEvent| {
            shown.set(if active { None } else { Some(format) });
        });
        html! {
            <button type="button" id={format!("export-{}", format.id())}
                aria-pressed={active.to_string()} {onclick}>
                { format.label() }
            </button>
        }
    });
    let import = {
        let app = app.clone();
        let shown = shown.clone();
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            let Some(file) = input.files().and_then(|f| f.get(0)) else {
                return;
            };
            input.set_value("");
            shown.set(None);
            let app = app.clone();
            let task = gloo::file::callbacks::read_as_text(&file.into(), move |text| {
                app.dispatch(match text {
                    Ok(text) => Action::ImportRabbitMq(text),
                    Err(e) => Action::Notice(format!("the file could not be read: {e}")),
                });
            });
            *reader.borrow_mut() = Some(task);
        })
    };
    let output = (*export).as_ref().zip(*shown).map(|(export, format)| {
        let ondownload = {
            let (app, text) = (app.clone(), export.text.clone());
            Callback::from(move |_: MouseEvent| {
                if download(format.file_name(), format.media_type(), &text).is_none() {
                    app.dispatch(Action::Notice(
                        "the browser refused the download".to_owned(),
                    ));
                }
            })
        };
        html! {
            <div class="export-output" data-format={format.id()}>
                <textarea id="export-text" readonly=true rows="14" spellcheck="false"
                    aria-label={format!("{} for this scenario", format.label())}
                    value={export.text.clone()} />
                <button type="button" id="export-download" onclick={ondownload}>
                    { format!("Download {}", format.file_name()) }
                </button>
                if !export.notes.is_empty() {
                    <h3>{ "Does not map" }</h3>
                    <ul class="export-notes" id="export-notes">
                        { for export.notes.iter().map(|n| html! { <li>{ n.clone() }</li> }) }
                    </ul>
                }
            </div>
        }
    });
    html! {
        <section class="export" aria-label="Export to a real broker">
            <div class="export-bar">
                <span class="hint">{ "Export to" }</span>
                { for buttons }
                <input type="file" id="import-rabbitmq" accept=".json,application/json"
                    class="visually-hidden" onchange={import} />
                <label class="file-button" for="import-rabbitmq">{ "Import RabbitMQ definitions" }</label>
            </div>
            { for output }
            if !app.import_notes.is_empty() {
                <div class="import-notes" id="import-notes">
                    <h3>{ "Imported from RabbitMQ; not simulated" }</h3>
                    <ul>
                        { for app.import_notes.iter().map(|n| html! { <li>{ n.clone() }</li> }) }
                    </ul>
                </div>
            }
        </section>
    }
}
