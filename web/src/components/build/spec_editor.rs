//! Every property of the selected node, as its spec in the scenario's JSON format: edit and
//! apply (a refused edit keeps the text and says why); connect from it; delete it.

use yew::prelude::*;

use crate::state::{Action, Edit, Entity, spec_json, use_app};

/// Properties: what is edited.
#[derive(Properties, PartialEq)]
pub struct SpecEditorProps {
    /// The selected node.
    pub entity: Entity,
}

/// The spec editor.
#[component]
pub fn SpecEditor(props: &SpecEditorProps) -> Html {
    let app = use_app();
    let spec = spec_json(&app.scenario, &props.entity);
    // The user's text while editing; dropped when the spec itself changes, kept when an
    // edit is refused.
    let draft = use_state(|| None::<String>);
    {
        let draft = draft.clone();
        use_effect_with(spec.clone(), move |_| draft.set(None));
    }
    let Some(json) = spec else {
        return html! {};
    };
    let value = (*draft).clone().unwrap_or(json);
    let oninput = {
        let draft = draft.clone();
        Callback::from(move |e: InputEvent| {
            let t: web_sys::HtmlTextAreaElement = e.target_unchecked_into();
            draft.set(Some(t.value()));
        })
    };
    let apply = {
        let (app, entity, value) = (app.clone(), props.entity.clone(), value.clone());
        Callback::from(move |_: MouseEvent| {
            app.dispatch(Action::Edit(Edit::Replace {
                entity: entity.clone(),
                json: value.clone(),
            }));
        })
    };
    let send = |a: Action| {
        let app = app.clone();
        Callback::from(move |_: MouseEvent| app.dispatch(a.clone()))
    };
    html! {
        <details class="spec-editor">
            <summary>{ "Edit properties" }</summary>
            <label for="spec-json">{ "Spec (JSON, as in an exported scenario). Edits restart the run." }</label>
            <textarea id="spec-json" rows="10" spellcheck="false" {value} {oninput} />
            <div class="actions">
                <button type="button" id="spec-apply" onclick={apply}>{ "Apply" }</button>
                <button type="button" id="connect-from" onclick={send(Action::ConnectFrom(Some(props.entity.clone())))}>{ "Connect to\u{2026}" }</button>
                <button type="button" id="delete" onclick={send(Action::Edit(Edit::Delete(props.entity.clone())))}>{ "Delete" }</button>
            </div>
        </details>
    }
}
