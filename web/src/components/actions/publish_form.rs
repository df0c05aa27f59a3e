//! Publish a message by hand: target (a queue, exchange or stream), key or routing key,
//! payload and headers. The selected node, if it takes messages, is the default target.

use yew::prelude::*;

use super::value_of;
use crate::state::{Action, Entity, HandPublish, use_app};

/// The publish panel.
#[component]
pub fn PublishForm() -> Html {
    let app = use_app();
    let (target, key, payload, headers) = (
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
    );
    let view = &app.view;
    let mut targets: Vec<Entity> = Vec::new();
    targets.extend(
        view.exchanges
            .iter()
            .map(|x| Entity::Exchange(x.name.clone())),
    );
    targets.extend(view.queues.iter().map(|q| Entity::Queue(q.name.clone())));
    targets.extend(view.streams.iter().map(|s| Entity::Stream(s.name.clone())));
    let chosen = app
        .selected
        .clone()
        .filter(|e| targets.contains(e))
        .or_else(|| targets.first().cloned());
    let onsubmit = {
        let app = app.clone();
        let refs = (
            target.clone(),
            key.clone(),
            payload.clone(),
            headers.clone(),
        );
        let targets = targets.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let wanted = value_of(&refs.0);
            app.dispatch(Action::Publish(HandPublish {
                target: targets.iter().find(|t| t.key() == wanted).cloned(),
                key: value_of(&refs.1),
                payload: value_of(&refs.2),
                headers: value_of(&refs.3),
            }));
        })
    };
    html! {
        <section class="publish" aria-label="Publish by hand">
            <h2>{ "Publish by hand" }</h2>
            <form {onsubmit}>
                <label for="publish-target">{ "Target" }</label>
                <select id="publish-target" ref={target}>
                    { for targets.iter().map(|t| {
                        let (kind, name) = t.parts();
                        html! { <option value={t.key()} selected={chosen.as_ref() == Some(t)}>{ format!("{kind} {name}") }</option> }
                    }) }
                </select>
                <label for="publish-key">{ "Key or routing key" }</label>
                <input id="publish-key" ref={key} type="text" maxlength="1024" autocomplete="off" />
                <label for="publish-payload">{ "Payload" }</label>
                <input id="publish-payload" ref={payload} type="text" maxlength="1024" autocomplete="off" value="hello" />
                <label for="publish-headers">{ "Headers" }</label>
                <input id="publish-headers" ref={headers} type="text" maxlength="2048" autocomplete="off"
                    placeholder="name=value, name=value" />
                <button type="submit" id="publish-send">{ "Publish" }</button>
            </form>
        </section>
    }
}
