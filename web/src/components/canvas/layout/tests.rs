//! The layouts of every ready-made scenario: everything placed, nothing overlapping.

use super::*;
use crate::state::{Action, AppState};

fn overlaps(a: &Rect, b: &Rect) -> bool {
    a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h
}

#[test]
fn every_entity_of_every_ready_made_scenario_is_placed_without_overlap() {
    for (id, _, _) in brokerlab::sim::ready::all() {
        let mut s = AppState::new(id);
        s.update(Action::RunTo(s.view.end_ms));
        let v = &s.view;
        for l in [layout(v), layout_vertical(v)] {
            for c in &v.consumers {
                assert!(
                    l.nodes.contains_key(&Entity::Consumer(c.name.clone())),
                    "{id}: {}",
                    c.name
                );
            }
            for q in &v.queues {
                assert!(
                    l.nodes.contains_key(&Entity::Queue(q.name.clone())),
                    "{id}: {}",
                    q.name
                );
            }
            for st in &v.streams {
                assert!(l.nodes.contains_key(&Entity::Stream(st.name.clone())));
            }
            let rects: Vec<_> = l.nodes.values().collect();
            for (i, a) in rects.iter().enumerate() {
                assert!(a.x >= 0.0 && a.y >= 0.0 && a.x + a.w <= l.width && a.y + a.h <= l.height);
                for b in &rects[i + 1..] {
                    assert!(!overlaps(a, b), "{id}: {a:?} overlaps {b:?}");
                }
            }
        }
    }
}

#[test]
fn a_vertical_layout_is_narrow_and_flows_down_row_by_row() {
    for (id, _, _) in brokerlab::sim::ready::all() {
        let mut s = AppState::new(id);
        s.update(Action::RunTo(s.view.end_ms));
        let l = layout_vertical(&s.view);
        assert!(l.vertical);
        assert!(l.width <= ROW_W + 2.0 * PAD, "{id}: {} wide", l.width);
        let top_of = |e: &Entity| l.nodes.get(e).map(|r| r.y);
        for p in &s.view.producers {
            let producer = top_of(&Entity::Producer(p.name.clone())).expect("placed");
            let target = top_of(&p.target).expect("placed");
            assert!(producer < target, "{id}: {} above what it feeds", p.name);
        }
    }
}
