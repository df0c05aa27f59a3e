//! Keeping the guide's subject in view: when the guided tour moves to a step that highlights
//! nodes, and the drawing is larger than its box (the box scrolls), the box scrolls just
//! enough to bring the first node the step names into view. The page itself never moves.

use yew::prelude::*;

/// Scrolls the box around the drawing `svg` to the first node a guide step names whenever
/// `step` changes: the guide's id, the step's index and that node's key (`kind:name`).
#[hook]
pub fn use_follow_highlight(svg: &NodeRef, step: Option<(&'static str, usize, &'static str)>) {
    let svg = svg.clone();
    use_effect_with(step, move |step| {
        if let Some((_, _, key)) = step {
            bring_into_view(&svg, key);
        }
    });
}

/// Scrolls the drawing's box so that the node `key` is inside it, centred on the axis where
/// it was outside.
fn bring_into_view(svg: &NodeRef, key: &str) -> Option<()> {
    let svg = svg.cast::<web_sys::Element>()?;
    let area = svg.parent_element()?;
    let node = svg
        .query_selector(&format!("[data-entity=\"{key}\"]"))
        .ok()??;
    let (a, n) = (
        area.get_bounding_client_rect(),
        node.get_bounding_client_rect(),
    );
    // How far the node sticks out of the box, per axis (0 when it is inside).
    let shift = |start: f64, size: f64, box_start: f64, box_size: f64| {
        let inside = start >= box_start && start + size <= box_start + box_size;
        if inside {
            0.0
        } else {
            (start - box_start) - (box_size - size.min(box_size)) / 2.0
        }
    };
    let dy = shift(n.top(), n.height(), a.top(), a.height());
    let dx = shift(n.left(), n.width(), a.left(), a.width());
    if dy != 0.0 {
        area.set_scroll_top(area.scroll_top() + dy.round() as i32);
    }
    if dx != 0.0 {
        area.set_scroll_left(area.scroll_left() + dx.round() as i32);
    }
    Some(())
}
