//! A box with a name and one line under it: producers, exchanges and subscription inboxes.

use yew::prelude::*;

use super::layout::Rect;
use super::{marks, select_handlers};
use crate::number::num;
use crate::state::{Entity, use_app};

/// Properties of [`LabelNode`].
#[derive(Properties, PartialEq)]
pub struct LabelNodeProps {
    /// What it is.
    pub entity: Entity,
    /// Where.
    pub rect: Rect,
    /// The second line (kind, rate, inbox).
    pub detail: AttrValue,
}

/// A selectable labelled box.
#[component]
pub fn LabelNode(props: &LabelNodeProps) -> Html {
    let app = use_app();
    let (onclick, onkeydown) = select_handlers(&app, &props.entity);
    let (kind, name) = props.entity.parts();
    let r = props.rect;
    html! {
        <g class={classes!("node", kind, marks(&app, &props.entity))} data-entity={props.entity.key()}
            tabindex="0" role="button" aria-label={format!("{kind} {name} {}", props.detail)} {onclick} {onkeydown}>
            <rect x={num(r.x)} y={num(r.y)} width={num(r.w)} height={num(r.h)} rx="6" />
            <text class="name" x={num(r.x + 8.0)} y={num(r.y + 18.0)}>{ name.to_owned() }</text>
            { " " }
            <text class="detail" x={num(r.x + 8.0)} y={num(r.y + 35.0)}>{ props.detail.clone() }</text>
        </g>
    }
}
