//! Dragging on the canvas: a node moves where it is dropped; dragging from a node's handle
//! (the dot on its right edge) to another node connects them. A press that does not move is
//! left to the node's click (selection).

use std::cell::RefCell;
use std::rc::Rc;

use yew::prelude::*;

use super::layout::Layout;
use crate::state::{Action, AppHandle, Entity};

/// Pixels a press must travel before it is a drag.
const SLOP: f64 = 4.0;

#[derive(Debug, Clone)]
struct Drag {
    entity: Entity,
    connect: bool,
    /// Pointer minus the node's corner, in drawing units.
    grab: (f64, f64),
    /// Where the press was, in client pixels.
    start: (f64, f64),
    moving: bool,
}

/// What a press on a node or a handle starts.
pub type PressHandler = Rc<dyn Fn(&Entity, PointerEvent)>;

/// The canvas's drag handlers and the line drawn while connecting.
pub struct DragHandlers {
    /// Starts moving `entity` (on a node's `pointerdown`).
    pub node_down: PressHandler,
    /// Starts connecting from `entity` (on its handle's `pointerdown`).
    pub handle_down: PressHandler,
    /// On the drawing's `pointermove`.
    pub onpointermove: Callback<PointerEvent>,
    /// On the drawing's `pointerup` and `pointercancel`.
    pub onpointerup: Callback<PointerEvent>,
    /// While connecting: from the handle to the pointer, in drawing units.
    pub line: Option<((f64, f64), (f64, f64))>,
}

/// Client pixels to drawing units of `svg`, whose drawing is `width` × `height` units, fitted
/// into the element and centred (`preserveAspectRatio="xMidYMid meet"`).
fn to_drawing(svg: &NodeRef, (width, height): (f64, f64), e: &PointerEvent) -> Option<(f64, f64)> {
    let el = svg.cast::<web_sys::Element>()?;
    let r = el.get_bounding_client_rect();
    if r.width() <= 0.0 || r.height() <= 0.0 || width <= 0.0 || height <= 0.0 {
        return None;
    }
    let scale = (r.width() / width).min(r.height() / height);
    let left = r.left() + (r.width() - width * scale) / 2.0;
    let top = r.top() + (r.height() - height * scale) / 2.0;
    Some((
        (f64::from(e.client_x()) - left) / scale,
        (f64::from(e.client_y()) - top) / scale,
    ))
}

/// The entity of the node under the pointer, if any.
fn entity_at(e: &PointerEvent) -> Option<Entity> {
    let document = web_sys::window()?.document()?;
    let el = document.element_from_point(e.client_x() as f32, e.client_y() as f32)?;
    let node = el.closest("[data-entity]").ok()??;
    Entity::from_key(&node.get_attribute("data-entity")?)
}

/// The drag handlers of the canvas drawn from `layout` in the `svg` element.
#[hook]
pub fn use_drag(app: &AppHandle, svg: &NodeRef, layout: &Layout) -> DragHandlers {
    let drag: Rc<RefCell<Option<Drag>>> = use_mut_ref(|| None);
    let line = use_state(|| None::<((f64, f64), (f64, f64))>);
    let size = (layout.width.round(), layout.height.round());
    let corner = {
        let nodes = layout.nodes.clone();
        move |e: &Entity| nodes.get(e).map(|r| (r.x, r.y, r.w, r.h))
    };
    let begin = {
        let (drag, svg) = (Rc::clone(&drag), svg.clone());
        move |entity: &Entity, e: &PointerEvent, connect: bool| {
            let (Some(p), Some((x, y, w, h))) = (to_drawing(&svg, size, e), corner(entity)) else {
                return;
            };
            if connect {
                e.stop_propagation();
                e.prevent_default();
            }
            let grab = if connect {
                (x + w, y + h / 2.0)
            } else {
                (p.0 - x, p.1 - y)
            };
            *drag.borrow_mut() = Some(Drag {
                entity: entity.clone(),
                connect,
                grab,
                start: (f64::from(e.client_x()), f64::from(e.client_y())),
                moving: false,
            });
        }
    };
    let node_down: PressHandler = {
        let begin = begin.clone();
        Rc::new(move |entity: &Entity, e: PointerEvent| begin(entity, &e, false))
    };
    let handle_down: PressHandler =
        Rc::new(move |entity: &Entity, e: PointerEvent| begin(entity, &e, true));
    let onpointermove = {
        let (drag, svg, app, line) = (Rc::clone(&drag), svg.clone(), app.clone(), line.clone());
        Callback::from(move |e: PointerEvent| {
            let mut d = drag.borrow_mut();
            let Some(d) = d.as_mut() else { return };
            let (cx, cy) = (f64::from(e.client_x()), f64::from(e.client_y()));
            if !d.moving {
                if (cx - d.start.0).hypot(cy - d.start.1) < SLOP {
                    return;
                }
                d.moving = true;
                if let Some(el) = svg.cast::<web_sys::Element>() {
                    let _ = el.set_pointer_capture(e.pointer_id());
                }
            }
            let Some(p) = to_drawing(&svg, size, &e) else {
                return;
            };
            if d.connect {
                line.set(Some((d.grab, p)));
            } else {
                app.dispatch(Action::Move {
                    entity: d.entity.clone(),
                    x: p.0 - d.grab.0,
                    y: p.1 - d.grab.1,
                });
            }
        })
    };
    let onpointerup = {
        let (drag, app, line, svg) = (Rc::clone(&drag), app.clone(), line.clone(), svg.clone());
        Callback::from(move |e: PointerEvent| {
            let Some(d) = drag.borrow_mut().take() else {
                return;
            };
            line.set(None);
            if let Some(el) = svg.cast::<web_sys::Element>() {
                let _ = el.release_pointer_capture(e.pointer_id());
            }
            if d.connect {
                match entity_at(&e) {
                    Some(to) if to != d.entity => {
                        app.dispatch(Action::Connect { from: d.entity, to })
                    }
                    _ => {}
                }
            }
        })
    };
    DragHandlers {
        node_down,
        handle_down,
        onpointermove,
        onpointerup,
        line: *line,
    }
}
