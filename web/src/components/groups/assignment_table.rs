//! One table per group: partition, owner, log end, committed, lag; the group's state (with
//! its explanation on hover or focus), protocol and assignor; the generation; the total
//! lag with its trend over the last seconds and when it clears at that rate; idle members;
//! its latest rebalance steps (revoked → assigned); a button to add a member, one to delete
//! an empty group, and the offset reset form.

use brokerlab::GroupState;
use brokerlab::sim;
use yew::prelude::*;

use super::reset_form::ResetForm;
use super::state_badge::GroupStateBadge;
use crate::state::{Action, Phase, TREND_MS, use_app};

/// The assignment tables of every group of the scenario (nothing when it has none).
#[component]
pub fn AssignmentTables() -> Html {
    let app = use_app();
    if app.view.groups.is_empty() {
        return html! {};
    }
    html! {
        <section class="groups" aria-label="Consumer groups">
            { for app.view.groups.iter().map(|g| {
                let add = {
                    let app = app.clone();
                    let group = g.name.clone();
                    Callback::from(move |_: MouseEvent| app.dispatch(Action::AddMember(group.clone())))
                };
                let delete = {
                    let app = app.clone();
                    let group = g.name.clone();
                    Callback::from(move |_: MouseEvent| {
                        app.dispatch(Action::Apply(sim::Action::DeleteGroup { group: group.clone() }));
                    })
                };
                let steps: Vec<_> = app.rebalances.steps(&g.name).take(4).cloned().collect();
                let idle: Vec<&str> = g.members.iter().filter(|(_, idle)| *idle).map(|(m, _)| m.as_str()).collect();
                html! {
                    <div class="group-table" data-group={g.name.clone()} data-generation={g.generation.to_string()}>
                        <h3>
                            { format!("Group {} \u{b7} ", g.name) }
                            <GroupStateBadge group={g.name.clone()} state={g.state} />
                            { " \u{b7} " }
                            // Keyed by generation: a new generation is a new element, so it flashes.
                            { for std::iter::once(html! {
                                <span class="generation" key={g.generation.to_string()}>{ format!("generation {}", g.generation) }</span>
                            }) }
                            { format!(" \u{b7} lag {}", g.lag) }
                        </h3>
                        <p class="protocol" data-protocol={g.protocol.name()}>
                            { format!("{} protocol \u{b7} {}", g.protocol, g.assigning) }
                        </p>
                        <p class="lag-outlook" data-outlook={g.outlook.text()}>
                            <svg class="lag-trend" viewBox="0 0 60 16" width="60" height="16" role="img"
                                aria-label={format!("total lag of {} over the last {} s", g.name, TREND_MS / 1000)}>
                                <polyline points={g.sparkline.clone()} />
                            </svg>
                            <span class="outlook">{ g.outlook.text() }</span>
                        </p>
                        <table>
                            <thead><tr>
                                <th scope="col">{ "partition" }</th><th scope="col">{ "owner" }</th>
                                <th scope="col">{ "log end" }</th><th scope="col">{ "committed" }</th><th scope="col">{ "lag" }</th>
                            </tr></thead>
                            <tbody>
                                { for g.rows.iter().map(|r| html! {
                                    <tr class="assignment" data-partition={r.partition.to_string()}>
                                        <td>{ format!("{}/{}", r.stream, r.partition) }</td>
                                        <td class="owner">
                                            { r.owner.clone().unwrap_or_else(|| "\u{2013}".to_owned()) }
                                            if let Some(to) = &r.moving_to {
                                                <span class="moving" title="the target assignment gives it to this member once its owner has given it up">
                                                    { format!(" \u{2192} {to}") }
                                                </span>
                                            }
                                        </td>
                                        <td>{ r.log_end.to_string() }</td>
                                        <td>{ r.committed.map_or_else(|| "\u{2013}".to_owned(), |c| c.to_string()) }</td>
                                        <td>{ r.lag.to_string() }</td>
                                    </tr>
                                }) }
                            </tbody>
                        </table>
                        <p class="members">
                            { format!("{} member(s)", g.members.len()) }
                            if !idle.is_empty() {
                                <span class="idle">{ format!(" \u{b7} idle: {}", idle.join(", ")) }</span>
                            }
                            if !g.statics.is_empty() {
                                <span class="static" title="Static members (group.instance.id): back within their session timeout, they take their partitions back with no rebalance">
                                    { format!(" \u{b7} static: {}", g.statics.iter().map(|(m, i)| format!("{m} ({i})")).collect::<Vec<_>>().join(", ")) }
                                </span>
                            }
                            <button type="button" class="add-member" onclick={add}
                                aria-label={format!("Add member to {}", g.name)}>{ "Add member" }</button>
                            if g.state == GroupState::Empty && g.generation > 0 {
                                <button type="button" class="delete-group" onclick={delete}
                                    title="kafka-consumer-groups --delete: the group and its committed offsets go"
                                    aria-label={format!("Delete group {}", g.name)}>{ "Delete group" }</button>
                            }
                        </p>
                        <ResetForm group={g.name.clone()}
                            partitions={g.rows.iter().map(|r| (r.stream.clone(), r.partition)).collect::<Vec<_>>()} />
                        if !steps.is_empty() {
                            <ol class="rebalances" aria-label={format!("rebalances of {}", g.name)}>
                                { for steps.iter().map(|st| {
                                    let phase = match st.phase {
                                        Phase::Revoked => "revoked",
                                        Phase::Assigned => "assigned",
                                        Phase::Rejoined => "rejoined",
                                    };
                                    html! {
                                        <li class={classes!("rebalance", phase)} data-generation={st.generation.to_string()}>
                                            <span class="at">{ format!("{} ms", st.at_ms) }</span>
                                            { st.text() }
                                        </li>
                                    }
                                }) }
                            </ol>
                        }
                    </div>
                }
            }) }
        </section>
    }
}
