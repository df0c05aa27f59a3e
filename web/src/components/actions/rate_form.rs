//! Change the selected producer's rate (0 stops it).

use brokerlab::sim;
use yew::prelude::*;

use super::value_of;
use crate::state::{Action, use_app};

/// Properties: the producer and its rate now.
#[derive(Properties, PartialEq)]
pub struct RateFormProps {
    /// The producer.
    pub producer: String,
    /// Messages per second now.
    pub rate: u32,
}

/// A rate input and a button.
#[component]
pub fn RateForm(props: &RateFormProps) -> Html {
    let app = use_app();
    let input = use_node_ref();
    let onsubmit = {
        let (app, input) = (app.clone(), input.clone());
        let producer = props.producer.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            match value_of(&input).trim().parse::<u32>() {
                Ok(rate_per_sec) => app.dispatch(Action::Apply(sim::Action::SetRate {
                    producer: producer.clone(),
                    rate_per_sec,
                })),
                Err(_) => app.dispatch(Action::Notice(
                    "rate: enter a whole number of messages per second".to_owned(),
                )),
            }
        })
    };
    html! {
        <form class="field rate" {onsubmit}>
            <label for="rate">{ "Rate per second" }</label>
            <input id="rate" ref={input} type="number" min="0" step="1" inputmode="numeric"
                placeholder={props.rate.to_string()} />
            <button type="submit" id="rate-set">{ "Set" }</button>
        </form>
    }
}
