//! A consumer: idle, busy, crashed (or not started / removed), and how much it processed.

use yew::prelude::*;

use super::layout::Rect;
use super::{colour, select_handlers};
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
    let selected = app.selected.as_ref() == Some(&entity);
    let state = c.state.word();
    let detail = match c.state {
        ConsumerState::Crashed => format!("\u{2715} crashed \u{b7} {} done", c.processed),
        _ => format!("{state} \u{b7} {} done", c.processed),
    };
    html! {
        <g class={classes!("node", "consumer", state, selected.then_some("selected"))}
            data-entity={entity.key()} data-state={state} data-processed={c.processed.to_string()}
            tabindex="0" role="button" aria-label={format!("consumer {}, {state}, {} processed", c.name, c.processed)}
            {onclick} {onkeydown}>
            <rect x={r.x.to_string()} y={r.y.to_string()} width={r.w.to_string()} height={r.h.to_string()} rx="6" />
            <circle cx={(r.x + 12.0).to_string()} cy={(r.y + 14.0).to_string()} r="5" fill={colour(c.index)} />
            <text class="name" x={(r.x + 22.0).to_string()} y={(r.y + 18.0).to_string()}>{ c.name.clone() }</text>
            <text class="detail" x={(r.x + 8.0).to_string()} y={(r.y + 35.0).to_string()}>{ detail }</text>
        </g>
    }
}
