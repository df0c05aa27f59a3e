//! The whole drawing: group boxes, edges (labelled with binding and routing keys), nodes.

use yew::prelude::*;

use super::colour;
use super::consumer_node::ConsumerNode;
use super::drag::use_drag;
use super::follow::use_follow_highlight;
use super::group_box::group_box;
use super::label_node::LabelNode;
use super::layout::{NARROW, Rect, Rows, layout_with};
use super::queue_node::QueueNode;
use super::stream_node::StreamNode;
use crate::number::num;
use crate::state::{AppHandle, Attachment, Entity, Hop, use_app};

struct Edge {
    from: (f64, f64),
    to: (f64, f64),
    label: String,
    class: &'static str,
    colour: Option<&'static str>,
}

fn edge_html(e: &Edge, vertical: bool) -> Html {
    let (x1, y1) = e.from;
    let (x2, y2) = e.to;
    let [_, (c1x, c1y), (c2x, c2y), _] = curve(e.from, e.to, vertical);
    let d = format!(
        "M{} {} C{} {} {} {} {} {}",
        num(x1),
        num(y1),
        num(c1x),
        num(c1y),
        num(c2x),
        num(c2y),
        num(x2),
        num(y2)
    );
    let label = (!e.label.is_empty()).then(|| {
        html! {
            <text class="edge-label" x={num((x1 + x2) / 2.0)} y={num((y1 + y2) / 2.0 - 4.0)}
                text-anchor="middle">{ e.label.clone() }</text>
        }
    });
    html! {
        <g class={classes!("edge", e.class)}>
            <path d={d} stroke={e.colour.unwrap_or("")} marker-end="url(#arrow)" />
            { for label }
        </g>
    }
}

/// The cubic Bézier of an edge from `a` to `b`: start, two control points, end; leaving
/// and arriving horizontally, or vertically in a vertical layout.
fn curve(a: (f64, f64), b: (f64, f64), vertical: bool) -> [(f64, f64); 4] {
    if vertical {
        let dy = ((b.1 - a.1) / 2.0).max(20.0);
        [a, (a.0, a.1 + dy), (b.0, b.1 - dy), b]
    } else {
        let dx = ((b.0 - a.0) / 2.0).max(20.0);
        [a, (a.0 + dx, a.1), (b.0 - dx, b.1), b]
    }
}

/// The point at `t` (0 to 1) along an edge from `a` to `b`.
fn along(a: (f64, f64), b: (f64, f64), t: f64, vertical: bool) -> (f64, f64) {
    let [p0, p1, p2, p3] = curve(a, b, vertical);
    let u = 1.0 - t;
    let mix = |f: fn((f64, f64)) -> f64| {
        u * u * u * f(p0) + 3.0 * u * u * t * f(p1) + 3.0 * u * t * t * f(p2) + t * t * t * f(p3)
    };
    (mix(|p| p.0), mix(|p| p.1))
}

/// Colours for message dots, picked by key (or message) hash.
const KEY_COLOURS: [&str; 10] = [
    "#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42a5b3", "#f032e6", "#9a6324",
    "#808000", "#000075",
];

/// A message's dot at `(x, y)`: a click opens the message's story (by keyboard, the event
/// log's "why?" buttons lead there). It has no title, so the drawing's text stays that of
/// the run's state, whichever way the run got there.
#[cfg(feature = "editor")]
fn dot(app: &AppHandle, m: brokerlab::MessageId, (x, y): (f64, f64), fill: &'static str) -> Html {
    let onclick = super::why_on_click(app, super::Drawn::Dot(m));
    html! {
        <circle class="dot" cx={num(x)} cy={num(y)} r="4.5" {fill} data-message={m.to_string()} {onclick} />
    }
}

/// A message's dot (the viewer build keeps no stories: nothing to open).
#[cfg(not(feature = "editor"))]
fn dot(_app: &AppHandle, _m: brokerlab::MessageId, (x, y): (f64, f64), fill: &'static str) -> Html {
    html! { <circle class="dot" cx={num(x)} cy={num(y)} r="4.5" {fill} /> }
}

/// Whether the window is narrower than [`NARROW`] (a phone, a narrow embed): the drawing
/// then flows down. Follows the window's size.
#[hook]
fn use_narrow() -> bool {
    let width = || {
        web_sys::window()
            .and_then(|w| w.inner_width().ok())
            .and_then(|w| w.as_f64())
            .unwrap_or(NARROW)
    };
    let narrow = use_state_eq(|| width() < NARROW);
    {
        let narrow = narrow.setter();
        use_effect_with((), move |()| {
            let listener = web_sys::window().map(|window| {
                gloo::events::EventListener::new(&window, "resize", move |_| {
                    narrow.set(width() < NARROW);
                })
            });
            move || drop(listener)
        });
    }
    *narrow
}

/// The topology canvas.
#[component]
pub fn TopologyCanvas() -> Html {
    let app = use_app();
    let view = &app.view;
    let l = layout_with(view, &app.moved, use_narrow());
    let svg = use_node_ref();
    let drag = use_drag(&app, &svg, &l);
    use_follow_highlight(
        &svg,
        app.guided
            .then(|| app.guide_step())
            .flatten()
            .and_then(|(g, i)| Some((g.id, i, *g.steps.get(i)?.look.first()?))),
    );
    let at = |e: &Entity| l.nodes.get(e).copied();
    let mut edges: Vec<Edge> = Vec::new();
    let mut link = |from: Option<Rect>, to: Option<Rect>, label: String, class, colour| {
        if let (Some(a), Some(b)) = (from, to) {
            edges.push(Edge {
                from: l.exit_of(&a),
                to: l.entry_of(&b),
                label,
                class,
                colour,
            });
        }
    };
    for p in &view.producers {
        let label = if p.routing_key.is_empty() {
            String::new()
        } else {
            format!("key {}", p.routing_key)
        };
        link(
            at(&Entity::Producer(p.name.clone())),
            at(&p.target),
            label,
            "publish",
            None,
        );
    }
    for b in &view.bindings {
        let label = if b.key.is_empty() {
            String::new()
        } else {
            format!("\u{201c}{}\u{201d}", b.key)
        };
        link(
            at(&Entity::Exchange(b.exchange.clone())),
            at(&b.target),
            label,
            "binding",
            None,
        );
    }
    for q in &view.queues {
        if let Some(d) = &q.dead_letter_queue {
            link(
                at(&Entity::Queue(q.name.clone())),
                at(&Entity::Queue(d.clone())),
                "dead letters".into(),
                "dead-letter",
                None,
            );
        }
    }
    for c in &view.consumers {
        let me = at(&Entity::Consumer(c.name.clone()));
        let col = Some(colour(c.index));
        match &c.attach {
            Attachment::Queue(q) => link(
                at(&Entity::Queue(q.clone())),
                me,
                String::new(),
                "consume",
                col,
            ),
            Attachment::Subscription(_) => {
                link(
                    at(&Entity::Subscription(c.name.clone())),
                    me,
                    String::new(),
                    "consume",
                    col,
                );
            }
            Attachment::Stream(s) => link(
                at(&Entity::Stream(s.clone())),
                me,
                String::new(),
                "consume",
                col,
            ),
            Attachment::ShareGroup { stream, .. } => link(
                at(&Entity::Stream(stream.clone())),
                me,
                String::new(),
                "consume",
                col,
            ),
            Attachment::Group(_) => {}
        }
    }
    // Group members: an edge from each partition row to its owner.
    for g in &view.groups {
        for row in &g.rows {
            let (Some(owner), Some(s)) = (&row.owner, at(&Entity::Stream(row.stream.clone())))
            else {
                continue;
            };
            let Some(m) = at(&Entity::Consumer(owner.clone())) else {
                continue;
            };
            let Some(stream) = view.streams.iter().find(|x| x.name == row.stream) else {
                continue;
            };
            let index = stream
                .partitions
                .iter()
                .position(|p| p.index == row.partition)
                .unwrap_or(0);
            let y = Rows::of(stream).mid(s.y, index);
            let col = view
                .consumers
                .iter()
                .find(|c| c.name == *owner)
                .map(|c| colour(c.index));
            edges.push(Edge {
                from: (s.x + s.w, y),
                to: l.entry_of(&m),
                label: String::new(),
                class: "owns",
                colour: col,
            });
        }
    }

    let partition_y = |stream: &str, index: u32| {
        let s = at(&Entity::Stream(stream.to_owned()))?;
        let stream = view.streams.iter().find(|x| x.name == stream)?;
        let row = stream.partitions.iter().position(|p| p.index == index)?;
        Some((s.x + s.w, Rows::of(stream).mid(s.y, row)))
    };
    let dots = app.flights.dots.iter().filter_map(|f| {
        let t = f.progress(app.wall_ms);
        if !(0.0..1.0).contains(&t) {
            return None;
        }
        let from = match &f.from {
            Hop::Node(e) => l.exit_of(&at(e)?),
            Hop::Partition(s, p) => partition_y(s, *p)?,
        };
        let to = match &f.to {
            Hop::Node(e) => l.entry_of(&at(e)?),
            Hop::Partition(s, p) => partition_y(s, *p)?,
        };
        let (x, y) = along(from, to, t, l.vertical);
        let fill = KEY_COLOURS[(f.colour % KEY_COLOURS.len() as u64) as usize];
        Some(dot(&app, f.message, (x, y), fill))
    });

    let group_boxes = l.groups.iter().map(|(e, r)| group_box(&app, e, *r));
    let node = |e: Entity| -> Html {
        let Some(rect) = at(&e) else { return html! {} };
        match &e {
            Entity::Producer(n) => {
                let p = view.producers.iter().find(|p| p.name == *n);
                let detail = p.map_or_else(String::new, |p| {
                    format!("producer \u{b7} {}/s", p.rate_per_sec)
                });
                html! { <LabelNode entity={e.clone()} {rect} detail={detail} /> }
            }
            Entity::Exchange(n) => {
                let kind = view
                    .exchanges
                    .iter()
                    .find(|x| x.name == *n)
                    .map_or("", |x| x.kind.as_str());
                html! { <LabelNode entity={e.clone()} {rect} detail={format!("{kind} exchange")} /> }
            }
            Entity::Subscription(n) => {
                let s = view.subscriptions.iter().find(|s| s.name == *n);
                let detail = s.map_or_else(String::new, |s| {
                    if s.connected {
                        format!("inbox \u{b7} {} of {}", s.inbox, s.capacity)
                    } else {
                        "inbox \u{b7} not subscribed".to_owned()
                    }
                });
                html! { <LabelNode entity={e.clone()} {rect} detail={detail} /> }
            }
            Entity::Queue(n) => match view.queues.iter().find(|q| q.name == *n) {
                Some(q) => html! { <QueueNode queue={q.clone()} {rect} /> },
                None => html! {},
            },
            Entity::Stream(n) => match view.streams.iter().find(|s| s.name == *n) {
                Some(s) => html! { <StreamNode stream={s.clone()} {rect} /> },
                None => html! {},
            },
            Entity::Consumer(n) => match view.consumers.iter().find(|c| c.name == *n) {
                Some(c) => html! { <ConsumerNode consumer={c.clone()} {rect} /> },
                None => html! {},
            },
            Entity::Group(_) | Entity::ShareGroup(_) => html! {},
        }
    };
    // Each node: drag to move it; drag its handle (the dot on its right edge) to connect.
    let placed = |e: Entity| -> Html {
        let Some(r) = at(&e) else { return html! {} };
        let down = {
            let (f, e) = (drag.node_down.clone(), e.clone());
            Callback::from(move |ev: PointerEvent| f(&e, ev))
        };
        let handle_down = {
            let (f, e) = (drag.handle_down.clone(), e.clone());
            Callback::from(move |ev: PointerEvent| f(&e, ev))
        };
        let (hx, hy) = r.right();
        html! {
            <g class="placed" key={e.key()} onpointerdown={down}>
                { node(e.clone()) }
                <circle class="handle" cx={num(hx)} cy={num(hy)} r="5"
                    data-connect={e.key()} onpointerdown={handle_down}>
                    <title>{ "Drag to another node to connect" }</title>
                </circle>
            </g>
        }
    };
    let rubber = drag.line.map(|((x1, y1), (x2, y2))| {
        html! {
            <line class="connecting" x1={num(x1)} y1={num(y1)} x2={num(x2)} y2={num(y2)} />
        }
    });
    html! {
        <svg class="canvas" role="group" aria-label="Topology" viewBox={format!("0 0 {} {}", num(l.width.round()), num(l.height.round()))}
            style={format!("--w: {w}px; --h: {h}px; --aspect: {w} / {h}", w = num(l.width.round()), h = num(l.height.round()))}
            preserveAspectRatio="xMidYMid meet" ref={svg}
            onpointermove={drag.onpointermove.clone()} onpointerup={drag.onpointerup.clone()}
            onpointercancel={drag.onpointerup.clone()}>
            <defs>
                <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                    <path d="M0 0 L10 5 L0 10 z" />
                </marker>
            </defs>
            { for group_boxes }
            { for edges.iter().map(|e| edge_html(e, l.vertical)) }
            <g class="flights" aria-hidden="true">{ for dots }</g>
            { for l.nodes.keys().cloned().map(placed) }
            { for rubber }
        </svg>
    }
}
