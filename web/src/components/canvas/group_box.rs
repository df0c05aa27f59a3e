//! The box around a group's or a share group's members: selectable by click and keyboard,
//! named with the group, and saying where the group stands.

use yew::prelude::*;

use super::layout::Rect;
use super::{marks, select_handlers};
use crate::number::num;
use crate::state::{AppHandle, Entity};

/// The box of `group` ([`Entity::Group`] or [`Entity::ShareGroup`]) at `r`.
pub fn group_box(app: &AppHandle, group: &Entity, r: Rect) -> Html {
    match group {
        Entity::Group(name) => consumer_group_box(app, group, name, r),
        Entity::ShareGroup(name) => share_group_box(app, group, name, r),
        _ => html! {},
    }
}

/// A consumer group's box: its name and generation, its state beside it.
fn consumer_group_box(app: &AppHandle, entity: &Entity, name: &str, r: Rect) -> Html {
    let (onclick, onkeydown) = select_handlers(app, entity);
    let g = app.view.groups.iter().find(|g| g.name == name);
    let label = g.map_or_else(
        || name.to_owned(),
        |g| format!("group {name} \u{b7} gen {}", g.generation),
    );
    let state = g.map(|g| g.state).unwrap_or_default();
    // The state sits beside the focusable box, not in it: the box's accessible name then
    // holds all of its visible text.
    let rebalancing = state.is_rebalancing().then_some("rebalancing");
    html! {
        <>
            <g class={classes!("group-box", marks(app, entity), rebalancing)}
                data-entity={entity.key()} data-state={state.name()}
                tabindex="0" role="button" aria-label={format!("{label}, {state}")} {onclick} {onkeydown}>
                <rect x={num(r.x)} y={num(r.y)} width={num(r.w)} height={num(r.h)} rx="8" />
                <text class="name" x={num(r.x + 8.0)} y={num(r.y + 14.0)}>{ label }</text>
            </g>
            <text class={classes!("group-box-state", rebalancing)} x={num(r.x + 8.0)} y={num(r.y + 27.0)}>
                <title>{ state.explain() }</title>
                { state.name() }
            </text>
        </>
    }
}

/// A share group's box: its name, and how many members it has and how many are busy. Its
/// accessible name is its visible text, word for word.
fn share_group_box(app: &AppHandle, entity: &Entity, name: &str, r: Rect) -> Html {
    let (onclick, onkeydown) = select_handlers(app, entity);
    let label = format!("share group {name}");
    let members = app
        .view
        .share_groups
        .iter()
        .find(|g| g.name == name)
        .map_or(0, |g| g.members.len());
    let busy = app
        .view
        .consumers
        .iter()
        .filter(|c| {
            c.state == crate::state::ConsumerState::Busy
                && matches!(&c.attach, crate::state::Attachment::ShareGroup { group, .. } if group == name)
        })
        .count();
    let plural = if members == 1 { "" } else { "s" };
    let summary = format!("{members} member{plural} \u{b7} {busy} busy");
    html! {
        <g class={classes!("group-box", "share-group-box", marks(app, entity))}
            data-entity={entity.key()}
            tabindex="0" role="button" aria-label={format!("{label} {summary}")} {onclick} {onkeydown}>
            <rect x={num(r.x)} y={num(r.y)} width={num(r.w)} height={num(r.h)} rx="8" />
            <text class="name" x={num(r.x + 8.0)} y={num(r.y + 14.0)}>{ label }</text>
            { " " }
            <text class="summary" x={num(r.x + 8.0)} y={num(r.y + 27.0)}>{ summary }</text>
        </g>
    }
}
