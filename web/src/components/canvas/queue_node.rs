//! A queue: its name and a depth bar split into ready and in-flight messages. In the
//! editor build each ready message of a short queue is a cell of the bar; clicking one opens
//! its story (those in flight open from their consumer's inspector).

use yew::prelude::*;

use super::layout::Rect;
use super::{marks, select_handlers};
use crate::number::num;
use crate::state::{AppHandle, Entity, QueueNode as Queue, use_app};

/// Above this many ready messages the bar has no cells to click.
pub const MESSAGE_CELLS: u64 = 40;

/// One clickable cell per ready message over the bar, oldest first, `w` wide each from `x`,
/// when the queue has at most [`MESSAGE_CELLS`] ready.
#[cfg(feature = "editor")]
fn message_cells(app: &AppHandle, q: &Queue, x: f64, y: f64, w: f64) -> Html {
    use super::{Drawn, why_on_click};
    if q.ready > MESSAGE_CELLS {
        return html! {};
    }
    html! { <g class="message-cells">
        { for (0..q.ready).map(|i| {
            let onclick = why_on_click(app, Drawn::QueueCell(q.name.clone(), i as usize));
            html! {
                <rect class="message-cell" data-index={i.to_string()} x={num(x + w * i as f64)} y={num(y)}
                    width={num(w)} height="10" {onclick}>
                    <title>{ "Click for this message's story" }</title>
                </rect>
            }
        }) }
    </g> }
}

/// The viewer build (embeds) keeps no stories: the bar has no cells to click.
#[cfg(not(feature = "editor"))]
fn message_cells(_app: &AppHandle, _q: &Queue, _x: f64, _y: f64, _w: f64) -> Html {
    html! {}
}

/// Properties of [`QueueNode`].
#[derive(Properties, PartialEq)]
pub struct QueueNodeProps {
    /// The queue.
    pub queue: Queue,
    /// Where.
    pub rect: Rect,
}

/// A selectable queue with its depth bar (the bar's scale grows with the depth, from 20).
#[component]
pub fn QueueNode(props: &QueueNodeProps) -> Html {
    let app = use_app();
    let q = &props.queue;
    let entity = Entity::Queue(q.name.clone());
    let (onclick, onkeydown) = select_handlers(&app, &entity);
    let r = props.rect;
    let scale = q.depth().max(20) as f64;
    let bar_w = r.w - 16.0;
    let ready_w = bar_w * q.ready as f64 / scale;
    let flight_w = bar_w * q.in_flight as f64 / scale;
    let bar_y = r.y + 26.0;
    let kind = if q.is_dead_letter_queue {
        "dead-letter queue"
    } else {
        "queue"
    };
    html! {
        <g class={classes!("node", "queue", q.is_dead_letter_queue.then_some("dlq"), marks(&app, &entity))}
            data-entity={entity.key()} data-depth={q.depth().to_string()} data-ready={q.ready.to_string()}
            data-in-flight={q.in_flight.to_string()}
            tabindex="0" role="button" aria-label={format!("{} {kind} {} ready \u{b7} {} in flight", q.name, q.ready, q.in_flight)}
            {onclick} {onkeydown}>
            <rect x={num(r.x)} y={num(r.y)} width={num(r.w)} height={num(r.h)} rx="6" />
            <text class="name" x={num(r.x + 8.0)} y={num(r.y + 17.0)}>{ q.name.clone() }</text>
            { " " }
            <text class="kind" x={num(r.x + r.w - 8.0)} y={num(r.y + 17.0)} text-anchor="end">{ kind }</text>
            { " " }
            <rect class="bar-bg" x={num(r.x + 8.0)} y={num(bar_y)} width={num(bar_w)} height="10" />
            <rect class="bar-ready" x={num(r.x + 8.0)} y={num(bar_y)} width={num(ready_w)} height="10" />
            <rect class="bar-flight" x={num(r.x + 8.0 + ready_w)} y={num(bar_y)} width={num(flight_w)} height="10" />
            { message_cells(&app, q, r.x + 8.0, bar_y, bar_w / scale) }
            <text class="detail" x={num(r.x + 8.0)} y={num(r.y + 50.0)}>
                { format!("{} ready \u{b7} {} in flight", q.ready, q.in_flight) }
            </text>
        </g>
    }
}
