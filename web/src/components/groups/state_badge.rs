//! A group's protocol state as a badge whose one-line explanation shows on hover and on
//! keyboard focus (a tooltip the badge is described by).

use brokerlab::GroupState;
use yew::prelude::*;

/// Properties of [`GroupStateBadge`].
#[derive(Properties, PartialEq, Clone)]
pub(super) struct GroupStateBadgeProps {
    /// The group.
    pub(super) group: AttrValue,
    /// Its state.
    pub(super) state: GroupState,
}

/// The state, e.g. "PreparingRebalance", focusable, with its explanation.
#[component]
pub(super) fn GroupStateBadge(props: &GroupStateBadgeProps) -> Html {
    let tip = format!("group-state-tip-{}", props.group);
    let state = props.state;
    html! {
        <span class={classes!("group-state", state.is_rebalancing().then_some("rebalancing"))}
            data-state={state.name()} tabindex="0" aria-describedby={tip.clone()}>
            { state.name() }
            <span class="tip" role="tooltip" id={tip}>{ state.explain() }</span>
        </span>
    }
}
