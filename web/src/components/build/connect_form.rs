//! The key of a pending connection: a binding key (exchange → queue or subscriber) or a
//! routing key (producer → exchange), asked for before the connection is made.

use yew::prelude::*;

use crate::components::actions::value_of;
use crate::state::{Action, use_app};

/// The key form, shown while a connection waits for its key.
#[component]
pub fn ConnectForm() -> Html {
    let app = use_app();
    let input = use_node_ref();
    let Some((from, to)) = app.pending_connect.clone() else {
        return html! {};
    };
    let what = if matches!(from, crate::state::Entity::Producer(_)) {
        "Routing key"
    } else {
        "Binding key"
    };
    let onsubmit = {
        let (app, input) = (app.clone(), input.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            app.dispatch(Action::ConfirmConnect(value_of(&input)));
        })
    };
    let cancel = {
        let app = app.clone();
        Callback::from(move |_: MouseEvent| app.dispatch(Action::ConnectFrom(None)))
    };
    html! {
        <form class="connect-form" aria-label="Connection key" {onsubmit}>
            <p>{ format!("Connect {} \u{2192} {}", from.name(), to.name()) }</p>
            <label for="connect-key">{ what }</label>
            <input id="connect-key" ref={input} type="text" maxlength="1024" autocomplete="off"
                placeholder="e.g. orders.* or eu.#" />
            <button type="submit" id="connect-go">{ "Connect" }</button>
            <button type="button" class="link" onclick={cancel}>{ "Cancel" }</button>
        </form>
    }
}
