//! A stream: one row of offset cells per partition, the log start and end, and per consumer
//! a marker for its position (above) and its committed offset (below).

use yew::prelude::*;

use super::layout::{PARTITION_ROW, Rect, STREAM_HEAD};
use super::{colour, select_handlers};
use crate::number::num;
use crate::state::{Entity, StreamNode as Stream, use_app};

/// Offsets drawn per partition (the most recent ones).
pub const WINDOW: u64 = 30;

/// Properties of [`StreamNode`].
#[derive(Properties, PartialEq)]
pub struct StreamNodeProps {
    /// The stream.
    pub stream: Stream,
    /// Where.
    pub rect: Rect,
}

/// The x of the left edge of partition row cells and the cell width.
#[must_use]
pub fn cells(r: &Rect) -> (f64, f64) {
    let left = r.x + 30.0;
    (left, (r.x + r.w - 8.0 - left) / WINDOW as f64)
}

/// A selectable stream drawing.
#[component]
pub fn StreamNode(props: &StreamNodeProps) -> Html {
    let app = use_app();
    let s = &props.stream;
    let entity = Entity::Stream(s.name.clone());
    let (onclick, onkeydown) = select_handlers(&app, &entity);
    let r = props.rect;
    let selected = app.selected.as_ref() == Some(&entity);
    let (left, cw) = cells(&r);
    html! {
        <g class={classes!("node", "stream", selected.then_some("selected"))} data-entity={entity.key()}
            tabindex="0" role="button" aria-label={format!("stream {}", s.name)} {onclick} {onkeydown}>
            <rect x={num(r.x)} y={num(r.y)} width={num(r.w)} height={num(r.h)} rx="6" />
            <text class="name" x={num(r.x + 8.0)} y={num(r.y + 16.0)}>{ s.name.clone() }</text>
            <text class="kind" x={num(r.x + r.w - 8.0)} y={num(r.y + 16.0)} text-anchor="end">{ "stream" }</text>
            { for s.partitions.iter().enumerate().map(|(i, p)| {
                let top = r.y + STREAM_HEAD + PARTITION_ROW * i as f64;
                let cy = top + 10.0;
                let first = p.start.max(p.end.saturating_sub(WINDOW));
                let x_of = |o: u64| left + cw * (o.max(first) - first) as f64;
                html! {
                    <g class="partition" data-partition={p.index.to_string()} data-start={p.start.to_string()} data-end={p.end.to_string()}>
                        <title>{ format!("partition {}: offsets {} to {} kept", p.index, p.start, p.end) }</title>
                        <text class="detail" x={num(r.x + 6.0)} y={num(cy + 9.0)}>{ format!("p{}", p.index) }</text>
                        { for (first..p.end).map(|o| html! {
                            <rect class="cell" x={num(x_of(o) + 0.5)} y={num(cy)} width={num((cw - 1.0).max(1.0))} height="12" />
                        }) }
                        <rect class="cells-free" x={num(x_of(p.end))} y={num(cy)}
                            width={num((cw * (WINDOW - (p.end - first)) as f64).max(0.0))} height="12" />
                        <text class="offset" x={num(x_of(first))} y={num(cy + 22.0)}>
                            { if first > p.start { format!("\u{2026}{first}") } else { format!("start {first}") } }
                        </text>
                        // A short log: the end label goes right of the cells, clear of the start's.
                        <text class="offset" y={num(cy + 22.0)}
                            x={num(if x_of(p.end) - x_of(first) < 90.0 { (x_of(first) + 60.0).max(x_of(p.end) + 3.0) } else { x_of(p.end) - 1.0 })}
                            text-anchor={if x_of(p.end) - x_of(first) < 90.0 { "start" } else { "end" }}>
                            { format!("end {}", p.end) }
                        </text>
                        { for p.markers.iter().map(|m| {
                            let fill = colour(m.colour);
                            let pos = m.position.map(|o| {
                                let x = x_of(o) + if o < first { 0.0 } else { cw / 2.0 };
                                html! {
                                    <path class="position" fill={fill} d={format!("M{} {} l-4 -6 h8 z", num(x), num(cy))}>
                                        <title>{ format!("{} reads next at {o}", m.consumer) }</title>
                                    </path>
                                }
                            });
                            let com = m.committed.map(|o| {
                                let x = x_of(o);
                                html! {
                                    <rect class="committed" fill={fill} x={num(x - 1.0)} y={num(cy - 2.0)} width="2.5" height="16">
                                        <title>{ format!("{} committed {o} (lag {})", m.consumer, m.lag) }</title>
                                    </rect>
                                }
                            });
                            html! { <>{ for pos }{ for com }</> }
                        }) }
                    </g>
                }
            }) }
        </g>
    }
}
