//! Buttons for the selected consumer: crash, restart, remove (leave its queue, exchange or
//! group), commit now and call off its planned crash; a seek form for stream readers and
//! group members.

use brokerlab::sim;
use yew::prelude::*;

use super::{SeekForm, on_click};
use crate::state::{Action, Details, use_app};

/// Properties: the inspector's details of a consumer.
#[derive(Properties, PartialEq)]
pub struct ConsumerActionsProps {
    /// What the inspector shows.
    pub details: Details,
}

/// The consumer's action buttons.
#[component]
pub fn ConsumerActions(props: &ConsumerActionsProps) -> Html {
    let app = use_app();
    let d = &props.details;
    let name = d.entity.name().to_owned();
    let remove = Action::Apply(sim::Action::RemoveConsumer {
        consumer: name.clone(),
    });
    let spare = Action::Apply(sim::Action::CancelCrashes {
        consumer: name.clone(),
    });
    let commit = Action::Apply(sim::Action::Commit {
        consumer: name.clone(),
        offsets: None,
    });
    html! {
        <>
            <div class="actions" role="group" aria-label={format!("act on {name}")}>
                <button type="button" id="crash" disabled={!d.can_crash} onclick={on_click(&app, Action::Crash(name.clone()))}>{ "Crash" }</button>
                <button type="button" id="restart" disabled={!d.can_restart} onclick={on_click(&app, Action::Restart(name.clone()))}>{ "Restart" }</button>
                <button type="button" id="remove" disabled={!d.can_remove} onclick={on_click(&app, remove)}>{ "Remove" }</button>
                <button type="button" id="commit" disabled={!d.can_commit} onclick={on_click(&app, commit)}>{ "Commit now" }</button>
                if let Some(at) = d.planned_crash_ms {
                    <button type="button" id="cancel-crash" onclick={on_click(&app, spare)}
                        title="What if it had not crashed? Scrub back first to compare both futures">
                        { format!("Call off its crash at {:.1} s", at as f64 / 1_000.0) }
                    </button>
                }
            </div>
            if !d.seek_partitions.is_empty() {
                <SeekForm consumer={name} partitions={d.seek_partitions.clone()} />
            }
        </>
    }
}
