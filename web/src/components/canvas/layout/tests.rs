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

fn inside(inner: &Rect, outer: &Rect) -> bool {
    inner.x >= outer.x
        && inner.y >= outer.y
        && inner.x + inner.w <= outer.x + outer.w
        && inner.y + inner.h <= outer.y + outer.h
}

/// Every box holds its members, lies within the drawing and overlaps no other node or box.
fn assert_boxes_tidy(name: &str, v: &ViewModel, l: &Layout) {
    for (i, (group, r)) in l.groups.iter().enumerate() {
        let members = members_of(v, group);
        assert!(r.x >= 0.0 && r.y >= 0.0 && r.x + r.w <= l.width && r.y + r.h <= l.height);
        for (e, n) in &l.nodes {
            if members.contains(e) {
                assert!(inside(n, r), "{name}: {e:?} outside {group:?}'s box");
            } else {
                assert!(!overlaps(n, r), "{name}: {e:?} overlaps {group:?}'s box");
            }
        }
        for (other, o) in &l.groups[i + 1..] {
            assert!(!overlaps(r, o), "{name}: {group:?} overlaps {other:?}");
        }
    }
}

#[test]
fn every_group_box_of_every_ready_made_scenario_holds_its_members_alone() {
    for (id, _, _) in brokerlab::sim::ready::all() {
        let mut s = AppState::new(id);
        s.update(Action::RunTo(s.view.end_ms));
        for l in [layout(&s.view), layout_vertical(&s.view)] {
            assert_boxes_tidy(id, &s.view, &l);
        }
    }
}

#[test]
fn scenario_fs_share_group_box_holds_its_six_members_beside_its_stream() {
    let s = AppState::new("f");
    let group = Entity::ShareGroup(s.view.share_groups[0].name.clone());
    let stream = Entity::Stream(s.view.share_groups[0].streams[0].clone());
    for l in [layout(&s.view), layout_vertical(&s.view)] {
        let (_, r) = l.groups.iter().find(|(g, _)| *g == group).expect("a box");
        assert_eq!(members_of(&s.view, &group).len(), 6);
        let st = l.nodes[&stream];
        if l.vertical {
            assert!(r.y >= st.y + st.h, "below its stream");
        } else {
            assert!(r.x >= st.x + st.w, "right of its stream");
        }
    }
}

#[test]
fn a_built_share_groups_box_follows_a_moved_member() {
    use crate::state::{Edit, NewKind};
    let mut s = AppState::new("a");
    for a in [
        Action::NewEmpty,
        Action::Edit(Edit::Add(NewKind::Stream)),
        Action::Edit(Edit::Add(NewKind::ShareGroup)),
        Action::Edit(Edit::Add(NewKind::Consumer)),
        Action::Connect {
            from: Entity::Consumer("consumer-1".into()),
            to: Entity::ShareGroup("share-group-1".into()),
        },
        Action::Edit(Edit::Add(NewKind::Group)),
        Action::Edit(Edit::Add(NewKind::Producer)),
    ] {
        s.update(a);
        assert_eq!(s.notice, None);
    }
    for l in [layout(&s.view), layout_vertical(&s.view)] {
        assert_eq!(l.groups.len(), 2);
        assert_boxes_tidy("built", &s.view, &l);
    }
    let member = Entity::Consumer("consumer-1".into());
    let moved = BTreeMap::from([(member.clone(), (900.0, 700.0))]);
    let l = layout_with(&s.view, &moved, false);
    let share = Entity::ShareGroup("share-group-1".into());
    let (_, r) = l.groups.iter().find(|(g, _)| *g == share).expect("a box");
    assert!(inside(&l.nodes[&member], r));
    assert!(l.width >= 900.0 + CONSUMER.0 && l.height >= 700.0 + CONSUMER.1);
}
