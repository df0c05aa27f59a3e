//! Move a stream reader or group member: to the beginning, the end, an offset or the first
//! record at or after a time; in one partition or all it holds.

use brokerlab::sim::{self, SeekSpec};
use yew::prelude::*;

use super::value_of;
use crate::state::{Action, use_app};

/// Properties: who seeks, and in which partitions it can.
#[derive(Properties, PartialEq)]
pub struct SeekFormProps {
    /// The consumer.
    pub consumer: String,
    /// The partitions it holds.
    pub partitions: Vec<u32>,
}

/// The seek form.
#[component]
pub fn SeekForm(props: &SeekFormProps) -> Html {
    let app = use_app();
    let partition = use_node_ref();
    let to = use_node_ref();
    let value = use_node_ref();
    let needs_value = use_state(|| false);
    let onchange = {
        let to = to.clone();
        let needs_value = needs_value.clone();
        Callback::from(move |_: Event| {
            needs_value.set(matches!(value_of(&to).as_str(), "offset" | "timestamp"));
        })
    };
    let onsubmit = {
        let (app, partition, to, value) =
            (app.clone(), partition.clone(), to.clone(), value.clone());
        let consumer = props.consumer.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let n = value_of(&value).trim().parse::<u64>();
            let spec = match (value_of(&to).as_str(), n) {
                ("beginning", _) => SeekSpec::Beginning,
                ("end", _) => SeekSpec::End,
                ("offset", Ok(o)) => SeekSpec::Offset(o),
                ("timestamp", Ok(t)) => SeekSpec::TimestampMs(t),
                _ => {
                    app.dispatch(Action::Notice("seek: enter a whole number".to_owned()));
                    return;
                }
            };
            app.dispatch(Action::Apply(sim::Action::Seek {
                consumer: consumer.clone(),
                partition: value_of(&partition).parse().ok(),
                to: spec,
            }));
        })
    };
    html! {
        <form class="seek" aria-label="Seek" {onsubmit}>
            <label for="seek-partition">{ "Seek" }</label>
            <select id="seek-partition" ref={partition} aria-label="partition">
                // Every option states `selected`: Yew leaves the last one chosen otherwise.
                <option value="all" selected=true>{ "all partitions" }</option>
                { for props.partitions.iter().map(|p| html! { <option value={p.to_string()} selected=false>{ format!("p{p}") }</option> }) }
            </select>
            <select id="seek-to" ref={to} aria-label="to" {onchange}>
                <option value="beginning" selected=true>{ "to the beginning" }</option>
                <option value="end" selected=false>{ "to the end" }</option>
                <option value="offset" selected=false>{ "to offset" }</option>
                <option value="timestamp" selected=false>{ "to time (ms)" }</option>
            </select>
            <input id="seek-value" ref={value} type="number" min="0" inputmode="numeric" aria-label="offset or time in ms"
                disabled={!*needs_value} />
            <button type="submit" id="seek-go">{ "Seek" }</button>
        </form>
    }
}
