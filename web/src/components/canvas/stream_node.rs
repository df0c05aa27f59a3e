//! A stream: one row per partition, drawn so its offsets read at a glance. Each row shows
//! the partition's owners (one per group, in the member's colour), the log as offset cells
//! between its start (after retention; a flash when retention removes records) and its end,
//! each reader's position as a labelled flag above the log (name, offset, how far behind the
//! end) with that distance as a span in its colour up to the end, and each committed offset
//! as a labelled tick below (with the lag, log end minus commit, as the group tables and
//! Kafka count it). Under the log, each share group reading the stream shows its window
//! (see [`share_window`](super::share_window)).
//! Labels that would overlap go to another lane. In the editor build a click on a log cell
//! opens the story of its record.

use yew::prelude::*;

use super::layout::{CELLS_H, LANE, Rect, Rows, SHARE_H};
use super::{colour, marks, select_handlers, share_window};
use crate::number::num;
use crate::state::{
    AppHandle, Entity, Marker, PartitionNode, StreamNode as Stream, ViewModel, use_app,
};

/// Offsets a row shows at least (the most recent ones, or from the reader furthest behind).
pub const WINDOW: u64 = 40;
/// Offsets a row read by share groups alone shows at least: fewer, so that each record's
/// state is large enough to read.
pub const SHARE_WINDOW: u64 = 24;
/// Above this many offsets in view the log (and each share window) is drawn as a bar instead
/// of cells.
pub const MAX_CELLS: u64 = 80;
/// The left column (partition number and owners) of a row.
const LABELS_W: f64 = 92.0;
/// Room right of the log for its end offset.
const END_W: f64 = 56.0;
/// The average width of a label character at the labels' font size, in drawing units.
const CHAR_W: f64 = 6.1;

/// Properties of [`StreamNode`].
#[derive(Properties, PartialEq)]
pub struct StreamNodeProps {
    /// The stream.
    pub stream: Stream,
    /// Where.
    pub rect: Rect,
}

/// The offsets a row shows, `lo..hi`, and how to place them between `left` and `right`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale {
    /// The first offset in view.
    pub lo: u64,
    /// One past the last offset in view.
    pub hi: u64,
    /// The x of offset `lo`.
    pub left: f64,
    /// The x of offset `hi`.
    pub right: f64,
}

impl Scale {
    /// The window of partition `p` drawn inside stream rectangle `r`: from the reader,
    /// commit or share group start furthest behind (but at least the last [`WINDOW`]
    /// offsets, [`SHARE_WINDOW`] when only share groups read it), never before the log
    /// start.
    #[must_use]
    pub fn of(p: &PartitionNode, r: &Rect) -> Scale {
        let behind = p
            .markers
            .iter()
            .flat_map(|m| [m.position, m.committed])
            .flatten()
            .chain(p.shares.iter().map(|w| w.start))
            .min()
            .unwrap_or(p.end);
        let least = if p.markers.is_empty() && !p.shares.is_empty() {
            SHARE_WINDOW
        } else {
            WINDOW
        };
        let lo = behind.min(p.end.saturating_sub(least)).max(p.start);
        let hi = p.end.max(lo + least);
        Scale {
            lo,
            hi,
            left: r.x + LABELS_W,
            right: r.x + r.w - END_W,
        }
    }

    /// The x of the left edge of offset `o` (clamped to the window).
    #[must_use]
    pub fn x(&self, o: u64) -> f64 {
        let o = o.clamp(self.lo, self.hi);
        self.left + (self.right - self.left) * (o - self.lo) as f64 / (self.hi - self.lo) as f64
    }

    /// The width of one offset.
    #[must_use]
    pub fn cell(&self) -> f64 {
        (self.right - self.left) / (self.hi - self.lo) as f64
    }
}

/// A label to place: its anchor x, text, colour and what it says in full.
struct Label {
    x: f64,
    text: String,
    colour: &'static str,
    title: String,
}

/// Puts each label (sorted by x) in the first of `count` lanes where it does not overlap the
/// previous one; returns `(lane, left x)` per label, in the input order. Labels that fit
/// nowhere share the last lane.
fn lanes(labels: &[Label], count: usize, left: f64, right: f64) -> Vec<(usize, f64)> {
    let mut order: Vec<usize> = (0..labels.len()).collect();
    order.sort_by(|a, b| labels[*a].x.total_cmp(&labels[*b].x));
    let mut ends = vec![f64::MIN; count];
    let mut placed = vec![(0, 0.0); labels.len()];
    for i in order {
        let w = labels[i].text.chars().count() as f64 * CHAR_W;
        let x = (labels[i].x - 4.0).clamp(left, (right - w).max(left));
        let lane = (0..count)
            .find(|l| ends[*l] + 6.0 <= x)
            .unwrap_or(count - 1);
        ends[lane] = ends[lane].max(x + w);
        placed[i] = (lane, x);
    }
    placed
}

/// The owners of partition `index` of `stream`: per group, the member and its colour.
fn owners(view: &ViewModel, stream: &str, index: u32) -> Vec<(String, &'static str)> {
    view.groups
        .iter()
        .flat_map(|g| &g.rows)
        .filter(|row| row.stream == stream && row.partition == index)
        .filter_map(|row| row.owner.clone())
        .map(|owner| {
            let c = view
                .consumers
                .iter()
                .find(|c| c.name == owner)
                .map_or("#6c757d", |c| colour(c.index));
            (owner, c)
        })
        .collect()
}

/// What a commit tick is labelled with: the group for group members, else the reader.
fn committer(view: &ViewModel, m: &Marker) -> String {
    view.groups
        .iter()
        .find(|g| g.members.iter().any(|(name, _)| *name == m.consumer))
        .map_or_else(|| m.consumer.clone(), |g| g.name.clone())
}

/// The cell of the record at offset `o` of `stream`'s partition `index`, at `(x, y)` and
/// `w` wide: a click opens the record's story.
#[cfg(feature = "editor")]
fn record_cell(
    app: &AppHandle,
    stream: &str,
    index: u32,
    o: u64,
    (x, y, w): (f64, f64, f64),
) -> Html {
    use super::{Drawn, why_on_click};
    let onclick = why_on_click(app, Drawn::Record(stream.to_owned(), index, o));
    html! {
        <rect class="cell" x={num(x)} y={num(y)} width={num(w)} height={num(CELLS_H)}
            data-offset={o.to_string()} {onclick}>
            <title>{ "Click for this record's story" }</title>
        </rect>
    }
}

/// The cell of a record (the viewer build keeps no stories: nothing to open).
#[cfg(not(feature = "editor"))]
fn record_cell(
    _app: &AppHandle,
    _stream: &str,
    _index: u32,
    _o: u64,
    (x, y, w): (f64, f64, f64),
) -> Html {
    html! { <rect class="cell" x={num(x)} y={num(y)} width={num(w)} height={num(CELLS_H)} /> }
}

/// One partition's row.
fn partition_row(
    app: &AppHandle,
    view: &ViewModel,
    stream: &str,
    p: &PartitionNode,
    r: &Rect,
    rows: Rows,
    top: f64,
) -> Html {
    let s = Scale::of(p, r);
    let row_h = rows.height();
    let cells_y = top + rows.cells_top();
    let under = rows.under();
    let shares = p.shares.iter().enumerate().map(|(k, w)| {
        share_window::window(
            w,
            &s,
            cells_y + CELLS_H + 4.0 + SHARE_H * k as f64,
            r.x + 12.0,
        )
    });
    let owners = owners(view, stream, p.index);
    let strip = owners.iter().enumerate().map(|(i, (_, c))| {
        let h = (row_h - 8.0) / owners.len() as f64;
        html! {
            <rect class="owner-strip" x={num(r.x + 3.0)} y={num(top + 2.0 + h * i as f64)} width="4"
                height={num(h - 1.0)} fill={*c} />
        }
    });
    let owner_names = owners.iter().enumerate().map(|(i, (name, c))| {
        html! {
            <text class="owner" x={num(r.x + 12.0)} y={num(cells_y + 8.0 + 13.0 * i as f64)} fill={*c}>
                { name.clone() }
            </text>
        }
    });
    let tint = owners.first().map(|(_, c)| {
        html! {
            <rect class="owner-tint" x={num(r.x + 2.0)} y={num(top + 1.0)} width={num(r.w - 4.0)}
                height={num(row_h - 4.0)} fill={*c} />
        }
    });

    let n = s.hi - s.lo;
    let log = if n <= MAX_CELLS {
        let cw = s.cell();
        html! { <>
            { for (s.lo.max(p.start)..p.end).map(|o| {
                // A gap compaction left: the offset stays, its record is gone.
                let gap = p.gaps.binary_search(&o).is_ok();
                let (x, w) = (s.x(o) + 0.5, (cw - 1.0).max(1.0));
                if gap {
                    html! { <rect class="cell gap" x={num(x)} y={num(cells_y)} width={num(w)} height={num(CELLS_H)} /> }
                } else {
                    record_cell(app, stream, p.index, o, (x, cells_y, w))
                }
            }) }
        </> }
    } else {
        html! {
            <rect class="cell" x={num(s.x(p.start))} y={num(cells_y)} width={num(s.x(p.end) - s.x(p.start))}
                height={num(CELLS_H)} />
        }
    };
    let free = html! {
        <rect class="cells-free" x={num(s.x(p.end))} y={num(cells_y)}
            width={num((s.right - s.x(p.end)).max(0.0))} height={num(CELLS_H)} />
    };
    // Retention: a flash at the log start each time it moves (a new key restarts it).
    let trimmed = (p.start > 0).then(|| {
        html! {
            <g class="trims">
                { for std::iter::once(html! {
                    <rect key={p.start.to_string()} class="trim-flash" x={num(s.left - 4.0)} y={num(cells_y - 3.0)}
                        width="8" height={num(CELLS_H + 6.0)} />
                }) }
            </g>
        }
    });

    // Positions above the log, with their lag spans.
    let readers: Vec<(&Marker, u64)> = p
        .markers
        .iter()
        .filter_map(|m| m.position.map(|o| (m, o)))
        .collect();
    let pos_labels: Vec<Label> = readers
        .iter()
        .map(|(m, o)| {
            let behind = p.end.saturating_sub(*o);
            Label {
                x: s.x(*o) + s.cell().min(12.0) / 2.0,
                text: format!("{} @{o} \u{b7} {behind} behind", m.consumer),
                colour: colour(m.colour),
                title: format!(
                    "{} reads offset {o} next; {behind} behind the log end {}",
                    m.consumer, p.end
                ),
            }
        })
        .collect();
    let pos_lanes = lanes(
        &pos_labels,
        rows.lanes,
        r.x + LABELS_W - 20.0,
        r.x + r.w - 4.0,
    );
    let positions = readers.iter().zip(&pos_labels).zip(&pos_lanes).enumerate().map(
        |(k, (((m, o), label), (lane, lx)))| {
            let x = label.x;
            let text_y = cells_y - 10.0 - LANE * *lane as f64;
            let span_y = cells_y - 3.0 - 3.5 * k as f64;
            html! {
                <g class="reader" data-consumer={m.consumer.clone()} data-position={o.to_string()}>
                    <title>{ label.title.clone() }</title>
                    <rect class="lag" x={num(x)} y={num(span_y - 1.5)} width={num((s.x(p.end) - x).max(0.0))}
                        height="3" fill={label.colour} />
                    <line class="flag" x1={num(x)} y1={num(text_y + 2.0)} x2={num(x)} y2={num(cells_y + CELLS_H)}
                        stroke={label.colour} />
                    <path fill={label.colour} d={format!("M{} {} l-4 -6 h8 z", num(x), num(cells_y))} />
                    <text class="marker-label" x={num(*lx)} y={num(text_y)} fill={label.colour}>{ label.text.clone() }</text>
                </g>
            }
        },
    );

    // Commits below the log.
    let commits: Vec<(&Marker, u64)> = p
        .markers
        .iter()
        .filter_map(|m| m.committed.map(|o| (m, o)))
        .collect();
    let commit_labels: Vec<Label> = commits
        .iter()
        .map(|(m, o)| {
            let who = committer(view, m);
            Label {
                x: s.x(*o),
                text: format!("{who} \u{2713}{o} \u{b7} lag {}", m.lag),
                colour: colour(m.colour),
                title: format!(
                    "{who} committed offset {o}: a lag of {} records to the log end {}",
                    m.lag, p.end
                ),
            }
        })
        .collect();
    let commit_lanes = lanes(
        &commit_labels,
        rows.lanes,
        r.x + LABELS_W - 20.0,
        r.x + r.w - 4.0,
    );
    let ticks = commits.iter().zip(&commit_labels).zip(&commit_lanes).map(
        |(((m, o), label), (lane, lx))| {
            let text_y = cells_y + CELLS_H + under + 11.0 + LANE * (1 + *lane) as f64;
            html! {
                <g class="commit" data-consumer={m.consumer.clone()} data-committed={o.to_string()}>
                    <title>{ label.title.clone() }</title>
                    <rect class="committed" fill={label.colour} x={num(label.x - 1.0)} y={num(cells_y - 2.0)}
                        width="2.5" height={num(CELLS_H + under + 6.0 + LANE * *lane as f64)} />
                    <text class="marker-label" x={num(*lx)} y={num(text_y)} fill={label.colour}>{ label.text.clone() }</text>
                </g>
            }
        },
    );

    let removed = if p.start > 0 {
        format!("start {} \u{b7} 0\u{2013}{} removed", p.start, p.start - 1)
    } else {
        "start 0".to_owned()
    };
    let window_note = (s.lo > p.start).then(|| format!("\u{2026}{}", s.lo));
    let summary = format!(
        "partition {}: offsets {} to {} kept{}",
        p.index,
        p.start,
        p.end,
        if owners.is_empty() {
            String::new()
        } else {
            format!(
                ", owned by {}",
                owners
                    .iter()
                    .map(|(o, _)| o.as_str())
                    .collect::<Vec<_>>()
                    .join(" and ")
            )
        }
    );
    html! {
        <g class="partition" data-partition={p.index.to_string()} data-start={p.start.to_string()} data-end={p.end.to_string()}>
            <title>{ summary }</title>
            { for tint }
            { for strip }
            <text class="partition-name" x={num(r.x + 12.0)} y={num(cells_y - 8.0)}>{ format!("p{}", p.index) }</text>
            { for owner_names }
            { log }
            { free }
            { for trimmed }
            <text class="offset start" x={num(s.x(p.start.max(s.lo)))} y={num(cells_y + CELLS_H + under + 11.0)}>
                { window_note.unwrap_or(removed) }
            </text>
            <text class="offset end" x={num(s.right + 5.0)} y={num(cells_y + CELLS_H - 4.0)}>
                { format!("end {}", p.end) }
            </text>
            { for shares }
            { for positions }
            { for ticks }
        </g>
    }
}

/// The stream in words for assistive technology: per partition the kept offsets, who owns
/// it, where each reader is and what each commit says.
fn spoken(view: &ViewModel, s: &Stream) -> String {
    let mut out = format!("{} stream", s.name);
    for p in &s.partitions {
        out.push_str(&format!(
            "; partition {}: offsets {} to {}",
            p.index, p.start, p.end
        ));
        for (owner, _) in owners(view, &s.name, p.index) {
            out.push_str(&format!(", owned by {owner}"));
        }
        for m in &p.markers {
            if let Some(o) = m.position {
                out.push_str(&format!(
                    ", {} reads at {o} ({} behind)",
                    m.consumer,
                    p.end.saturating_sub(o)
                ));
            }
            if let Some(o) = m.committed {
                out.push_str(&format!(
                    ", {} committed {o} (lag {})",
                    committer(view, m),
                    m.lag
                ));
            }
        }
        for w in &p.shares {
            out.push_str(&format!(", share group {}", share_window::summary(w)));
        }
    }
    out
}

/// A selectable stream drawing.
#[component]
pub fn StreamNode(props: &StreamNodeProps) -> Html {
    let app = use_app();
    let s = &props.stream;
    let entity = Entity::Stream(s.name.clone());
    let (onclick, onkeydown) = select_handlers(&app, &entity);
    let r = props.rect;
    let rows = Rows::of(s);
    // The button (focus, name in words) is the box and its title; the partition rows are
    // drawn beside it in the same clickable group, so their labels are not read as the
    // button's name (the name says it all in words).
    html! {
        <g class={classes!("node", "stream", marks(&app, &entity))} data-entity={entity.key()} {onclick}>
            <g class="stream-head" tabindex="0" role="button" aria-label={spoken(&app.view, s)} {onkeydown}>
                <rect x={num(r.x)} y={num(r.y)} width={num(r.w)} height={num(r.h)} rx="6" />
                <text class="name" x={num(r.x + 8.0)} y={num(r.y + 16.0)}>{ s.name.clone() }</text>
                { " " }
                <text class="kind" x={num(r.x + r.w - 8.0)} y={num(r.y + 16.0)} text-anchor="end">{ "stream" }</text>
            </g>
            <g class="rows" data-stream={s.name.clone()} aria-hidden="true">
                { for s.partitions.iter().enumerate().map(|(i, p)| {
                    partition_row(&app, &app.view, &s.name, p, &r, rows, rows.top(r.y, i))
                }) }
                if rows.shares > 0 {
                    { share_window::legend(r.x + 12.0, rows.top(r.y, s.partitions.len())) }
                }
            </g>
        </g>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(x: f64, text: &str) -> Label {
        Label {
            x,
            text: text.to_owned(),
            colour: "#000",
            title: String::new(),
        }
    }

    #[test]
    fn labels_at_one_offset_take_one_lane_each_and_never_overprint() {
        let labels = [
            label(100.0, "live @61 · lag 0"),
            label(100.0, "replay @61 · lag 0"),
            label(102.0, "audit @62 · lag 0"),
        ];
        let placed = lanes(&labels, 3, 0.0, 500.0);
        let mut used: Vec<usize> = placed.iter().map(|(lane, _)| *lane).collect();
        used.sort_unstable();
        assert_eq!(used, [0, 1, 2]);
    }

    #[test]
    fn labels_far_apart_share_the_first_lane_and_stay_inside_the_row() {
        let labels = [
            label(10.0, "a @1"),
            label(300.0, "b @30"),
            label(499.0, "c @49"),
        ];
        let placed = lanes(&labels, 2, 50.0, 500.0);
        assert!(placed.iter().all(|(lane, _)| *lane == 0), "{placed:?}");
        assert_eq!(placed[0].1, 50.0, "clamped to the left edge");
        let (_, right) = placed[2];
        assert!(
            right + 5.0 * CHAR_W <= 500.0,
            "ends inside the row: {right}"
        );
    }

    #[test]
    fn the_window_reaches_back_to_the_reader_furthest_behind_but_not_before_the_log() {
        let marker = |position, committed| Marker {
            consumer: "r".into(),
            colour: 0,
            position,
            committed,
            lag: 0,
        };
        let r = Rect {
            x: 0.0,
            y: 0.0,
            w: 460.0,
            h: 100.0,
        };
        let p = PartitionNode {
            index: 0,
            start: 100,
            end: 500,
            kept: 400,
            gaps: vec![],
            markers: vec![marker(Some(150), Some(140)), marker(Some(499), None)],
            shares: vec![],
        };
        let s = Scale::of(&p, &r);
        assert_eq!((s.lo, s.hi), (140, 500));
        assert!(s.x(140) < s.x(150) && s.x(499) < s.x(500));
        assert_eq!(s.x(10), s.left, "before the window: at its left edge");
        let p = PartitionNode {
            start: 0,
            end: 12,
            kept: 12,
            gaps: vec![],
            markers: vec![],
            shares: vec![],
            index: 0,
        };
        let s = Scale::of(&p, &r);
        assert_eq!((s.lo, s.hi), (0, WINDOW), "a short log leaves room to grow");
        let p = PartitionNode {
            start: 0,
            end: 100,
            kept: 100,
            shares: vec![crate::state::ShareWindow {
                group: "g".into(),
                start: 90,
                end: 95,
                records: vec![],
            }],
            ..p
        };
        let s = Scale::of(&p, &r);
        assert_eq!(
            (s.lo, s.hi),
            (100 - SHARE_WINDOW, 100),
            "read by a share group alone: fewer, larger cells"
        );
        let p = PartitionNode {
            shares: vec![crate::state::ShareWindow {
                group: "g".into(),
                start: 20,
                end: 95,
                records: vec![],
            }],
            ..p
        };
        assert_eq!(Scale::of(&p, &r).lo, 20, "back to the share group's start");
    }
}
