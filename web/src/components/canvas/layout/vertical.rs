//! The vertical layout for narrow windows: the columns of [`layout`](super::layout) as rows,
//! wrapped at a readable width, messages flowing down.

use crate::state::ViewModel;

use super::{Column, Columns, GAP, Layout, PAD, ROW_GAP, ROW_W, Rect, Slot, columns, place_slot};

/// Lays out the view model in rows, messages flowing down: each column of
/// [`layout`](super::layout) becomes
/// a row (wrapped at 470 drawing units), centred.
#[must_use]
pub fn layout_vertical(view: &ViewModel) -> Layout {
    let Columns {
        producers,
        exchanges,
        middle,
        slots,
    } = columns(view);
    let has_groups = slots.iter().any(|s| matches!(s, Slot::Group(..)));
    let consumers: Vec<(Option<&Slot>, f64, f64)> = slots
        .iter()
        .map(|s| (Some(s), s.width(has_groups), s.height()))
        .collect();
    let as_row = |c: &Column| -> Vec<(Option<&Slot>, f64, f64)> {
        c.items.iter().map(|(_, w, h)| (None, *w, *h)).collect()
    };
    let rows = [
        (Some(&producers), as_row(&producers)),
        (Some(&exchanges), as_row(&exchanges)),
        (Some(&middle), as_row(&middle)),
        (None, consumers),
    ];
    // Wrap each row into lines no wider than ROW_W (a wider item gets a line of its own).
    let mut lines: Vec<Vec<(usize, usize)>> = Vec::new();
    let mut sizes: Vec<Vec<(f64, f64)>> = Vec::new();
    for (r, (_, items)) in rows.iter().enumerate() {
        let mut line: Vec<(usize, usize)> = Vec::new();
        let mut width = 0.0;
        for (i, (_, w, _)) in items.iter().enumerate() {
            if !line.is_empty() && width + GAP + w > ROW_W {
                lines.push(std::mem::take(&mut line));
                width = 0.0;
            }
            width += if line.is_empty() { *w } else { GAP + w };
            line.push((r, i));
        }
        if !line.is_empty() {
            lines.push(line);
        }
        sizes.push(items.iter().map(|(_, w, h)| (*w, *h)).collect());
    }
    let line_w = |line: &[(usize, usize)]| {
        line.iter().map(|(r, i)| sizes[*r][*i].0).sum::<f64>()
            + GAP * (line.len() as f64 - 1.0).max(0.0)
    };
    let width = lines.iter().map(|l| line_w(l)).fold(0.0, f64::max) + 2.0 * PAD;
    let mut out = Layout {
        width,
        vertical: true,
        ..Layout::default()
    };
    let mut y = PAD;
    let mut previous_row = None;
    for line in &lines {
        let row = line[0].0;
        if previous_row.is_some_and(|p| p != row) {
            y += ROW_GAP - GAP;
        }
        previous_row = Some(row);
        let mut x = (width - line_w(line)) / 2.0;
        let mut tallest: f64 = 0.0;
        for (r, i) in line {
            let (w, h) = sizes[*r][*i];
            match &rows[*r] {
                (Some(column), _) => {
                    let e = column.items[*i].0.clone();
                    out.nodes.insert(e, Rect { x, y, w, h });
                }
                (None, items) => {
                    if let Some(slot) = items[*i].0 {
                        place_slot(&mut out, slot, x, y, w, has_groups);
                    }
                }
            }
            tallest = tallest.max(h);
            x += w + GAP;
        }
        y += tallest + GAP;
    }
    out.height = y - GAP + PAD;
    out
}
