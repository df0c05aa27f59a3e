//! Reset a group's committed offsets, as `kafka-consumer-groups --reset-offsets` does: to the
//! earliest or latest offset, an offset, a time or shifted by N, for every partition or one.
//! "Preview" is Kafka's `--dry-run` (new offset and lag per partition, or why it is refused:
//! only a group without members can be reset); "Reset" is `--execute`.

use brokerlab::sim::{self, ResetSpec};
use yew::prelude::*;

use crate::components::actions::value_of;
use crate::state::{Action, ResetLine, use_app};

/// Properties: the group and its partitions (`stream`, `partition`).
#[derive(Properties, PartialEq)]
pub(super) struct ResetFormProps {
    /// The group.
    pub(super) group: String,
    /// Its partitions.
    pub(super) partitions: Vec<(String, u32)>,
}

/// What the form asks for, read from its fields.
fn read(
    scope: &NodeRef,
    to: &NodeRef,
    value: &NodeRef,
) -> Result<(Option<(String, u32)>, ResetSpec), String> {
    let n = value_of(value).trim().to_owned();
    let whole = || {
        n.parse::<u64>()
            .map_err(|_| "enter a whole number".to_owned())
    };
    let spec = match value_of(to).as_str() {
        "earliest" => ResetSpec::Earliest,
        "latest" => ResetSpec::Latest,
        "offset" => ResetSpec::Offset(whole()?),
        "timestamp" => ResetSpec::TimestampMs(whole()?),
        _ => ResetSpec::ShiftBy(
            n.parse::<i64>()
                .map_err(|_| "enter a whole number, negative to go back".to_owned())?,
        ),
    };
    let scope = value_of(scope);
    let one = scope
        .rsplit_once('/')
        .and_then(|(s, p)| Some((s.to_owned(), p.parse().ok()?)));
    Ok((one, spec))
}

/// The reset form of one group.
#[component]
pub(super) fn ResetForm(props: &ResetFormProps) -> Html {
    let app = use_app();
    let scope = use_node_ref();
    let to = use_node_ref();
    let value = use_node_ref();
    let needs_value = use_state(|| false);
    let preview = use_state(|| None::<Result<Vec<ResetLine>, String>>);
    let onchange = {
        let (to, needs_value, preview) = (to.clone(), needs_value.clone(), preview.clone());
        Callback::from(move |_: Event| {
            needs_value.set(!matches!(value_of(&to).as_str(), "earliest" | "latest"));
            preview.set(None);
        })
    };
    let on_preview = {
        let (app, scope, to, value, preview) = (
            app.clone(),
            scope.clone(),
            to.clone(),
            value.clone(),
            preview.clone(),
        );
        let group = props.group.clone();
        Callback::from(move |_: MouseEvent| {
            preview.set(Some(read(&scope, &to, &value).and_then(|(one, spec)| {
                let (stream, partition) = one.map_or((None, None), |(s, p)| (Some(s), Some(p)));
                app.plan_offset_reset(&group, stream.as_deref(), partition, spec)
            })));
        })
    };
    let onsubmit = {
        let (app, scope, to, value, preview) = (
            app.clone(),
            scope.clone(),
            to.clone(),
            value.clone(),
            preview.clone(),
        );
        let group = props.group.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            match read(&scope, &to, &value) {
                Ok((one, spec)) => {
                    let (stream, partition) = one.map_or((None, None), |(s, p)| (Some(s), Some(p)));
                    preview.set(None);
                    app.dispatch(Action::Apply(sim::Action::ResetOffsets {
                        group: group.clone(),
                        stream,
                        partition,
                        to: spec,
                    }));
                }
                Err(e) => app.dispatch(Action::Notice(format!("reset offsets: {e}"))),
            }
        })
    };
    let id = |what: &str| format!("reset-{what}-{}", props.group);
    html! {
        <details class="reset-offsets">
            <summary>{ "Reset offsets\u{2026}" }</summary>
            <form aria-label={format!("Reset the offsets of {}", props.group)} {onsubmit}>
                <select id={id("scope")} ref={scope} aria-label="partitions">
                    <option value="all" selected=true>{ "all partitions" }</option>
                    { for props.partitions.iter().map(|(s, p)| html! {
                        <option value={format!("{s}/{p}")} selected=false>{ format!("{s}/{p}") }</option>
                    }) }
                </select>
                <select id={id("to")} ref={to} aria-label="reset to" {onchange}>
                    <option value="earliest" selected=true>{ "to earliest" }</option>
                    <option value="latest" selected=false>{ "to latest" }</option>
                    <option value="offset" selected=false>{ "to offset" }</option>
                    <option value="timestamp" selected=false>{ "to time (ms)" }</option>
                    <option value="shift" selected=false>{ "shift by" }</option>
                </select>
                <input id={id("value")} ref={value} type="number" inputmode="numeric"
                    aria-label="offset, time in ms or shift" disabled={!*needs_value} />
                <button type="button" class="preview" onclick={on_preview}>{ "Preview" }</button>
                <button type="submit" class="apply">{ "Reset" }</button>
            </form>
            { match &*preview {
                None => html! {},
                Some(Err(why)) => html! { <p class="refused" role="status">{ why.clone() }</p> },
                Some(Ok(lines)) => html! {
                    <table class="reset-preview" aria-label={format!("Reset preview of {}", props.group)}>
                        <thead><tr>
                            <th scope="col">{ "partition" }</th><th scope="col">{ "committed" }</th>
                            <th scope="col">{ "new offset" }</th><th scope="col">{ "lag after" }</th>
                        </tr></thead>
                        <tbody>
                            { for lines.iter().map(|l| html! {
                                <tr>
                                    <td>{ l.partition.clone() }</td>
                                    <td>{ l.previous.map_or_else(|| "\u{2013}".to_owned(), |o| o.to_string()) }</td>
                                    <td class="new-offset">{ l.offset.to_string() }</td>
                                    <td>{ l.lag.to_string() }</td>
                                </tr>
                            }) }
                        </tbody>
                    </table>
                },
            } }
        </details>
    }
}
