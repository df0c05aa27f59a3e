//! A share group's window on one partition (Kafka's share-partition, KIP-932), drawn under
//! the partition's log on the same offset scale: a pale bar for the settled records before
//! the start offset (SPSO), then one cell per record up to the end offset (SPEO), its state
//! shown by its shape and colour (available: hollow; acquired: filled in the holder's
//! colour; acknowledged: pale green; archived: struck through in red) with its delivery count
//! when it was delivered more than once (a plain bar when the log above is one, too long for
//! cells); under it the window in words. As records are
//! acknowledged the start moves up and the window slides along the log.

use brokerlab::sim::ShareRecordState;
use yew::prelude::*;

use super::colour;
use super::stream_node::{MAX_CELLS, Scale};
use crate::number::num;
use crate::state::{ShareCell, ShareWindow, share_state_word as word};

/// The height of a window's cells.
const CELL_H: f64 = 12.0;
/// Delivery counts are written in cells at least this wide.
const DIGIT_W: f64 = 5.0;
/// Longest group name shown left of the window, in characters.
const NAME_CHARS: usize = 13;

/// What a record's cell says when pointed at.
fn title(c: &ShareCell) -> String {
    let delivered = match c.delivery_count {
        0 => "never delivered".to_owned(),
        1 => "delivered once".to_owned(),
        n => format!("delivered {n} times"),
    };
    match (&c.holder, c.until_ms) {
        (Some((who, _)), Some(until)) => format!(
            "offset {}: acquired by {who}, {delivered}; its lock expires at {until} ms",
            c.offset
        ),
        _ => format!("offset {}: {}, {delivered}", c.offset, word(c.state)),
    }
}

/// The window in words: start, end and how many records are in each state.
#[must_use]
pub fn summary(w: &ShareWindow) -> String {
    let mut out = format!("{}: SPSO {} \u{b7} SPEO {}", w.group, w.start, w.end);
    // Acquired first: what is in flight matters most.
    let [available, acquired, acknowledged, archived] = w.counts();
    for (word, n) in [acquired, available, acknowledged, archived] {
        if n > 0 {
            out.push_str(&format!(" \u{b7} {n} {word}"));
        }
    }
    out
}

/// One record's cell at `x`, `w` wide, its top at `y`.
fn cell(c: &ShareCell, x: f64, y: f64, w: f64) -> Html {
    let fill = match (&c.holder, c.state) {
        (Some((_, i)), ShareRecordState::Acquired) => Some(colour(*i)),
        _ => None,
    };
    let strike = (c.state == ShareRecordState::Archived).then(|| {
        html! {
            <line class="share-strike" x1={num(x)} y1={num(y + CELL_H)} x2={num(x + w)} y2={num(y)} />
        }
    });
    let count = (c.delivery_count > 1 && w >= DIGIT_W).then(|| {
        html! {
            <text class="share-count" x={num(x + w / 2.0)} y={num(y + CELL_H - 3.0)} text-anchor="middle">
                { c.delivery_count.to_string() }
            </text>
        }
    });
    html! {
        <g class={classes!("share-record", word(c.state))} data-offset={c.offset.to_string()}
            data-state={word(c.state)} data-delivery={c.delivery_count.to_string()}
            data-holder={c.holder.as_ref().map(|(h, _)| h.clone())}>
            <title>{ title(c) }</title>
            <rect x={num(x)} y={num(y)} width={num(w)} height={num(CELL_H)} fill={fill} />
            { for strike }
            { for count }
        </g>
    }
}

/// Share group window `w` drawn on scale `s`, its top at `top`, its name at `name_x`.
pub fn window(w: &ShareWindow, s: &Scale, top: f64, name_x: f64) -> Html {
    let cw = s.cell();
    let inner = (cw - 1.0).max(1.0);
    let settled = (w.start > s.lo).then(|| {
        html! {
            <rect class="share-settled" x={num(s.x(s.lo))} y={num(top + CELL_H / 2.0 - 1.5)}
                width={num(s.x(w.start) - s.x(s.lo))} height="3">
                <title>{ format!("offsets before {}: all acknowledged or archived", w.start) }</title>
            </rect>
        }
    });
    let mut name: String = w.group.chars().take(NAME_CHARS).collect();
    if w.group.chars().count() > NAME_CHARS {
        name.push('\u{2026}');
    }
    let edge = |o: u64, class: &'static str| {
        let x = s.x(o);
        html! {
            <line class={classes!("share-edge", class)} x1={num(x)} y1={num(top - 2.0)}
                x2={num(x)} y2={num(top + CELL_H + 2.0)} />
        }
    };
    html! {
        <g class="share-window" data-group={w.group.clone()} data-start={w.start.to_string()}
            data-end={w.end.to_string()}>
            <text class="share-name" x={num(name_x)} y={num(top + CELL_H - 2.0)}>{ name }</text>
            { for settled }
            if s.hi - s.lo <= MAX_CELLS {
                { for w.records.iter().filter(|c| c.offset >= s.lo && c.offset < s.hi).map(|c| {
                    cell(c, s.x(c.offset) + 0.5, top, inner)
                }) }
            } else {
                // Too many offsets in view for cells (as the log above is a bar): one bar, its
                // counts in the words under it.
                <rect class="share-bar" x={num(s.x(w.start))} y={num(top)}
                    width={num(s.x(w.end) - s.x(w.start))} height={num(CELL_H)} />
            }
            { edge(w.start, "spso") }
            { edge(w.end, "speo") }
            <text class="share-words" x={num(s.x(s.lo))} y={num(top + CELL_H + 11.0)}>{ summary(w) }</text>
        </g>
    }
}

/// The key to the windows' states, its top left at `(x, y)`: a sample cell and a word each.
pub fn legend(x: f64, y: f64) -> Html {
    let mut at = x;
    let keys = ShareWindow::STATES.map(|state| {
        let text = word(state);
        // An acquired record takes its holder's colour: the key shows the first one.
        let fill = (state == ShareRecordState::Acquired).then(|| colour(0));
        let key = html! {
            <g class={classes!("share-record", word(state))}>
                <rect x={num(at)} y={num(y)} width="10" height="10" {fill} />
                if state == ShareRecordState::Archived {
                    <line class="share-strike" x1={num(at)} y1={num(y + 10.0)} x2={num(at + 10.0)} y2={num(y)} />
                }
                <text class="share-words" x={num(at + 13.0)} y={num(y + 9.0)}>{ text }</text>
            </g>
        };
        at += 13.0 + text.len() as f64 * 5.2 + 10.0;
        key
    });
    html! {
        <g class="share-legend">
            <title>{ "A share group's window: each record from its start (SPSO) to its end (SPEO); an acquired record is drawn in its holder's colour" }</title>
            { for keys }
            <text class="share-words" x={num(at)} y={num(y + 9.0)}>{ "2 = delivery count" }</text>
        </g>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(offset: u64, state: ShareRecordState, delivery_count: u32) -> ShareCell {
        ShareCell {
            offset,
            state,
            holder: None,
            until_ms: None,
            delivery_count,
        }
    }

    #[test]
    fn the_words_count_each_state_and_leave_out_the_empty_ones() {
        let w = ShareWindow {
            group: "fulfilment".into(),
            start: 4,
            end: 8,
            records: vec![
                ShareCell {
                    holder: Some(("worker-1".into(), 0)),
                    until_ms: Some(3_000),
                    ..record(4, ShareRecordState::Acquired, 2)
                },
                record(5, ShareRecordState::Acknowledged, 1),
                record(6, ShareRecordState::Archived, 5),
                record(7, ShareRecordState::Acquired, 1),
            ],
        };
        assert_eq!(
            summary(&w),
            "fulfilment: SPSO 4 \u{b7} SPEO 8 \u{b7} 2 acquired \u{b7} 1 acknowledged \u{b7} 1 archived"
        );
        assert_eq!(
            title(&w.records[0]),
            "offset 4: acquired by worker-1, delivered 2 times; its lock expires at 3000 ms"
        );
        assert_eq!(
            title(&w.records[2]),
            "offset 6: archived, delivered 5 times"
        );
    }
}
