//! A consumer: idle, busy, crashed (or not started / removed), and how much it processed.

use yew::prelude::*;

use super::layout::Rect;
use super::{colour, marks, select_handlers};
use crate::number::num;
use crate::state::{ConsumerNode as Consumer, ConsumerState, Entity, use_app};

/// Properties of [`ConsumerNode`].
#[derive(Properties, PartialEq)]
pub struct ConsumerNodeProps {
    /// The consumer.
    pub consumer: Consumer,
    /// Where.
    pub rect: Rect,
}

/// A selectable consumer box, coloured by state, with its colour swatch.
#[component]
pub fn ConsumerNode(props: &ConsumerNodeProps) -> Html {
    let app = use_app();
    let c = &props.consumer;
    let entity = Entity::Consumer(c.name.clone());
    let (onclick, onkeydown) = select_handlers(&app, &entity);
    let r = props.rect;
    let state = c.state.word();
    let detail = match c.state {
        ConsumerState::Crashed => format!("\u{2715} crashed \u{b7} {} done", c.processed),
        _ => format!("{state} \u{b7} {} done", c.processed),
    };
    html! {
        <g class={classes!("node", "consumer", state, marks(&app, &entity))}
            data-entity={entity.key()} data-state={state} data-processed={c.processed.to_string()}
            tabindex="0" role="button" aria-label={format!("consumer {} {detail}", c.name)}
            {onclick} {onkeydown}>
            <rect x={num(r.x)} y={num(r.y)} width={num(r.w)} height={num(r.h)} rx="6" />
            <circle cx={num(r.x + 12.0)} cy={num(r.y + 14.0)} r="5" fill={colour(c.index)} />
            <text class="name" x={num(r.x + 22.0)} y={num(r.y + 18.0)}>{ c.name.clone() }</text>
            { " " }
            <text class="detail" x={num(r.x + 8.0)} y={num(r.y + 35.0)}>{ detail }</text>
        </g>
    }
}
