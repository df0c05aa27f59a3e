//! Automatic layout: producers | exchanges | queues, subscriptions and streams | consumers
//! (group and share-group members inside their group's box, beside the stream it reads). Nodes in a column follow the order of what feeds
//! them, so most edges run straight across. In a window narrower than [`NARROW`] (a phone, a
//! narrow embed) the same columns become rows wrapped at a readable width and messages flow
//! down ([`layout_vertical`]). [`Rows`] is a stream's partition-row geometry. Plain Rust,
//! tested natively.

use std::collections::BTreeMap;

use crate::state::{Attachment, Entity, StreamNode, ViewModel};

mod vertical;
pub use vertical::layout_vertical;

/// A rectangle in SVG user units.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Rect {
    /// Left.
    pub x: f64,
    /// Top.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
}

impl Rect {
    /// The middle of the right edge.
    #[must_use]
    pub fn right(&self) -> (f64, f64) {
        (self.x + self.w, self.y + self.h / 2.0)
    }
    /// The middle of the left edge.
    #[must_use]
    pub fn left(&self) -> (f64, f64) {
        (self.x, self.y + self.h / 2.0)
    }
    /// The middle of the top edge.
    #[must_use]
    pub fn top(&self) -> (f64, f64) {
        (self.x + self.w / 2.0, self.y)
    }
    /// The middle of the bottom edge.
    #[must_use]
    pub fn bottom(&self) -> (f64, f64) {
        (self.x + self.w / 2.0, self.y + self.h)
    }
}

/// Where everything goes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Layout {
    /// The drawing's width.
    pub width: f64,
    /// The drawing's height.
    pub height: f64,
    /// Every node.
    pub nodes: BTreeMap<Entity, Rect>,
    /// Group boxes: [`Entity::Group`] or [`Entity::ShareGroup`] and the box around its
    /// members.
    pub groups: Vec<(Entity, Rect)>,
    /// Whether messages flow down (rows) instead of to the right (columns).
    pub vertical: bool,
}

impl Layout {
    /// Where edges leave `r`: its right edge, or its bottom in a vertical layout.
    #[must_use]
    pub fn exit_of(&self, r: &Rect) -> (f64, f64) {
        if self.vertical { r.bottom() } else { r.right() }
    }

    /// Where edges enter `r`: its left edge, or its top in a vertical layout.
    #[must_use]
    pub fn entry_of(&self, r: &Rect) -> (f64, f64) {
        if self.vertical { r.top() } else { r.left() }
    }
}

/// Below this width (CSS pixels) the drawing flows down instead of across, so that a phone
/// or a narrow embed shows it at a readable size.
pub const NARROW: f64 = 600.0;
/// The widest row of a vertical layout, in drawing units (a stream is 460).
const ROW_W: f64 = 470.0;
/// The gap between the rows of a vertical layout.
const ROW_GAP: f64 = 46.0;

const PAD: f64 = 12.0;
const GAP: f64 = 14.0;
const COL_GAP: f64 = 64.0;
const PRODUCER: (f64, f64) = (124.0, 44.0);
const EXCHANGE: (f64, f64) = (132.0, 48.0);
const QUEUE: (f64, f64) = (190.0, 56.0);
const SUBSCRIPTION: (f64, f64) = (190.0, 44.0);
const STREAM_W: f64 = 460.0;
const CONSUMER: (f64, f64) = (140.0, 44.0);
/// Height of a stream's title.
pub const STREAM_HEAD: f64 = 22.0;
/// The height of a partition row's log.
pub const CELLS_H: f64 = 16.0;
/// The height of one lane of marker labels.
pub const LANE: f64 = 13.0;
/// The most label lanes above (and below) a partition's log.
pub const MAX_LANES: usize = 4;

/// The height of one share group's window under a partition's log: its cells and a line
/// of words.
pub const SHARE_H: f64 = 28.0;
/// The height of the key to share windows' colours.
pub const LEGEND_H: f64 = 18.0;

/// The geometry of a stream's partition rows: label lanes above the log (readers' positions)
/// and below it (commits), as many as the partition with the most readers needs (at least
/// two, one for a stream only share groups read; at most [`MAX_LANES`]), so labels at the same offset never overprint; and between
/// the log and the commits, one window per share group reading the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rows {
    /// Label lanes above and below the log.
    pub lanes: usize,
    /// Share groups' windows under the log.
    pub shares: usize,
}

impl Rows {
    /// The rows of `stream`.
    #[must_use]
    pub fn of(stream: &StreamNode) -> Rows {
        let most = |f: fn(&crate::state::PartitionNode) -> usize| {
            stream.partitions.iter().map(f).max().unwrap_or(0)
        };
        let (readers, shares) = (most(|p| p.markers.len()), most(|p| p.shares.len()));
        Rows {
            // Read by share groups alone, no label needs a second lane.
            lanes: readers.clamp(if readers == 0 && shares > 0 { 1 } else { 2 }, MAX_LANES),
            shares,
        }
    }

    /// The top of a row's log, from the row's top.
    #[must_use]
    pub fn cells_top(self) -> f64 {
        6.0 + LANE * self.lanes as f64
    }

    /// The room under the log that share groups' windows take.
    #[must_use]
    pub fn under(self) -> f64 {
        SHARE_H * self.shares as f64
    }

    /// The height of the key to share windows' colours under the last row (none without
    /// share groups).
    #[must_use]
    pub fn legend(self) -> f64 {
        if self.shares > 0 { LEGEND_H } else { 0.0 }
    }

    /// The height of one row: position lanes, the log, share windows, its start line, commit
    /// lanes.
    #[must_use]
    pub fn height(self) -> f64 {
        self.cells_top() + CELLS_H + self.under() + 11.0 + LANE * self.lanes as f64 + 7.0
    }

    /// The top of row `index` in a stream whose top is `stream_top`.
    #[must_use]
    pub fn top(self, stream_top: f64, index: usize) -> f64 {
        stream_top + STREAM_HEAD + self.height() * index as f64
    }

    /// The y of the middle of row `index`'s log.
    #[must_use]
    pub fn mid(self, stream_top: f64, index: usize) -> f64 {
        self.top(stream_top, index) + self.cells_top() + CELLS_H / 2.0
    }
}
const GROUP_HEAD: f64 = 32.0;
/// The width of a character of a box's title (11 px, semibold), rounded up.
const TITLE_CHAR_W: f64 = 6.8;
const GROUP_PAD: f64 = 8.0;

struct Column {
    items: Vec<(Entity, f64, f64)>,
}

impl Column {
    fn new() -> Column {
        Column { items: Vec::new() }
    }
    fn push(&mut self, e: Entity, (w, h): (f64, f64)) {
        if !self.items.iter().any(|(x, _, _)| *x == e) {
            self.items.push((e, w, h));
        }
    }
    fn height(&self) -> f64 {
        let n = self.items.len() as f64;
        self.items.iter().map(|i| i.2).sum::<f64>() + GAP * (n - 1.0).max(0.0)
    }
    fn width(&self) -> f64 {
        self.items.iter().map(|i| i.1).fold(0.0, f64::max)
    }
}

/// Lays out the view model (in rows when `vertical`), then puts the nodes the user moved
/// where they were dropped; a group's box follows its members, and the drawing grows to hold
/// everything.
#[must_use]
pub fn layout_with(
    view: &ViewModel,
    moved: &BTreeMap<Entity, (f64, f64)>,
    vertical: bool,
) -> Layout {
    let mut out = if vertical {
        layout_vertical(view)
    } else {
        layout(view)
    };
    if moved.is_empty() {
        return out;
    }
    for (e, (x, y)) in moved {
        if let Some(r) = out.nodes.get_mut(e) {
            r.x = *x;
            r.y = *y;
        }
    }
    for (group, rect) in &mut out.groups {
        let members: Vec<Rect> = members_of(view, group)
            .iter()
            .filter_map(|m| out.nodes.get(m).copied())
            .collect();
        if members.is_empty() {
            continue;
        }
        let left = members.iter().map(|r| r.x).fold(f64::MAX, f64::min) - GROUP_PAD;
        let top = members.iter().map(|r| r.y).fold(f64::MAX, f64::min) - GROUP_HEAD - GROUP_PAD;
        let right = members.iter().map(|r| r.x + r.w).fold(0.0, f64::max) + GROUP_PAD;
        let bottom = members.iter().map(|r| r.y + r.h).fold(0.0, f64::max) + GROUP_PAD;
        *rect = Rect {
            x: left.max(0.0),
            y: top.max(0.0),
            w: right - left.max(0.0),
            h: bottom - top.max(0.0),
        };
    }
    let all = out.nodes.values().chain(out.groups.iter().map(|(_, r)| r));
    for r in all.collect::<Vec<_>>() {
        out.width = out.width.max(r.x + r.w + PAD);
        out.height = out.height.max(r.y + r.h + PAD);
    }
    out
}

/// The members of a group or share group, as the consumers the box holds.
fn members_of(view: &ViewModel, group: &Entity) -> Vec<Entity> {
    let of = |c: &&crate::state::ConsumerNode| match (group, &c.attach) {
        (Entity::Group(g), Attachment::Group(a))
        | (Entity::ShareGroup(g), Attachment::ShareGroup { group: a, .. }) => g == a,
        _ => false,
    };
    view.consumers
        .iter()
        .filter(of)
        .map(|c| Entity::Consumer(c.name.clone()))
        .collect()
}

/// A slot of the consumers' column: a consumer alone, or a group's or share group's box
/// with its members.
enum Slot {
    One(Entity),
    Group(Entity, Vec<Entity>),
}

impl Slot {
    /// Its width: a consumer's, a box around one, or a share group's box wide enough for its
    /// title ("share group NAME") within a row of the vertical layout.
    fn width(&self, has_groups: bool) -> f64 {
        let boxed = CONSUMER.0 + 2.0 * GROUP_PAD;
        match self {
            Slot::Group(Entity::ShareGroup(name), _) => {
                // Bytes, not characters: a little wider for a name beyond ASCII, no harm.
                let title = "share group ".len() + name.len();
                (title as f64 * TITLE_CHAR_W + 2.0 * GROUP_PAD)
                    .max(boxed)
                    .min(ROW_W)
            }
            Slot::Group(..) => boxed,
            Slot::One(_) if has_groups => boxed,
            Slot::One(_) => CONSUMER.0,
        }
    }

    fn height(&self) -> f64 {
        match self {
            Slot::One(_) => CONSUMER.1,
            Slot::Group(_, m) => {
                GROUP_HEAD + GROUP_PAD + (CONSUMER.1 + GROUP_PAD) * m.len().max(1) as f64
            }
        }
    }
}

/// The four columns in flow order: producers, exchanges, the middle (queues, subscriptions,
/// streams) and the consumers' slots.
struct Columns {
    producers: Column,
    exchanges: Column,
    middle: Column,
    slots: Vec<Slot>,
}

/// Lays out the view model in columns, messages flowing to the right.
#[must_use]
pub fn layout(view: &ViewModel) -> Layout {
    let Columns {
        producers,
        exchanges,
        middle,
        slots,
    } = columns(view);
    place_columns(&producers, &exchanges, &middle, &slots)
}

/// Puts a consumer, or a group's box and its members, with its top-left corner at `(x, y)`.
fn place_slot(out: &mut Layout, slot: &Slot, x: f64, y: f64, w: f64, has_groups: bool) {
    match slot {
        Slot::One(e) => {
            let dx = if has_groups { GROUP_PAD } else { 0.0 };
            out.nodes.insert(
                e.clone(),
                Rect {
                    x: x + dx,
                    y,
                    w: CONSUMER.0,
                    h: CONSUMER.1,
                },
            );
        }
        Slot::Group(group, members) => {
            out.groups.push((
                group.clone(),
                Rect {
                    x,
                    y,
                    w,
                    h: slot.height(),
                },
            ));
            let mut my = y + GROUP_HEAD + GROUP_PAD;
            for m in members {
                out.nodes.insert(
                    m.clone(),
                    Rect {
                        x: x + GROUP_PAD,
                        y: my,
                        w: CONSUMER.0,
                        h: CONSUMER.1,
                    },
                );
                my += CONSUMER.1 + GROUP_PAD;
            }
        }
    }
}

/// The columns of the view model, each in the order of what feeds it.
fn columns(view: &ViewModel) -> Columns {
    let mut producers = Column::new();
    let mut exchanges = Column::new();
    let mut middle = Column::new();
    let stream_size = |name: &str| {
        let (n, rows) = view.streams.iter().find(|s| s.name == name).map_or(
            (
                1,
                Rows {
                    lanes: 2,
                    shares: 0,
                },
            ),
            |s| (s.partitions.len().max(1), Rows::of(s)),
        );
        (
            STREAM_W,
            STREAM_HEAD + rows.height() * n as f64 + rows.legend() + 6.0,
        )
    };
    let add_middle = |middle: &mut Column, e: &Entity| match e {
        Entity::Queue(q) => {
            middle.push(e.clone(), QUEUE);
            if let Some(d) = view
                .queues
                .iter()
                .find(|x| x.name == *q)
                .and_then(|x| x.dead_letter_queue.clone())
            {
                middle.push(Entity::Queue(d), QUEUE);
            }
        }
        Entity::Subscription(_) => middle.push(e.clone(), SUBSCRIPTION),
        Entity::Stream(s) => middle.push(e.clone(), stream_size(s)),
        _ => {}
    };
    for p in &view.producers {
        producers.push(Entity::Producer(p.name.clone()), PRODUCER);
        match &p.target {
            Entity::Exchange(x) => {
                exchanges.push(p.target.clone(), EXCHANGE);
                for b in view.bindings.iter().filter(|b| b.exchange == *x) {
                    add_middle(&mut middle, &b.target);
                }
            }
            other => add_middle(&mut middle, other),
        }
    }
    for x in &view.exchanges {
        exchanges.push(Entity::Exchange(x.name.clone()), EXCHANGE);
        for b in view.bindings.iter().filter(|b| b.exchange == x.name) {
            add_middle(&mut middle, &b.target);
        }
    }
    for q in &view.queues {
        add_middle(&mut middle, &Entity::Queue(q.name.clone()));
    }
    for s in &view.subscriptions {
        add_middle(&mut middle, &Entity::Subscription(s.name.clone()));
    }
    for s in &view.streams {
        add_middle(&mut middle, &Entity::Stream(s.name.clone()));
    }

    // Consumers follow the middle column's order; group members sit in their group's box,
    // share-group members in theirs beside the first stream it reads.
    let mut slots: Vec<Slot> = Vec::new();
    let mut placed: Vec<&str> = Vec::new();
    for (e, _, _) in &middle.items {
        for c in &view.consumers {
            if placed.contains(&c.name.as_str()) {
                continue;
            }
            let here = match (&c.attach, e) {
                (Attachment::Queue(q), Entity::Queue(m)) => q == m,
                (Attachment::Subscription(_), Entity::Subscription(m)) => c.name == *m,
                (Attachment::Stream(s), Entity::Stream(m)) => s == m,
                _ => false,
            };
            if here {
                placed.push(&c.name);
                slots.push(Slot::One(Entity::Consumer(c.name.clone())));
            }
        }
        if let Entity::Stream(s) = e {
            let groups = view
                .groups
                .iter()
                .filter(|g| g.rows.iter().any(|r| r.stream == *s))
                .map(|g| Entity::Group(g.name.clone()));
            let shares = view
                .share_groups
                .iter()
                .filter(|g| g.streams.iter().any(|x| x == s))
                .map(|g| Entity::ShareGroup(g.name.clone()));
            for group in groups.chain(shares) {
                if !slots
                    .iter()
                    .any(|x| matches!(x, Slot::Group(n, _) if *n == group))
                {
                    let members = members_of(view, &group);
                    slots.push(Slot::Group(group, members));
                }
            }
        }
    }
    for c in &view.consumers {
        let grouped = matches!(
            c.attach,
            Attachment::Group(_) | Attachment::ShareGroup { .. }
        );
        if !grouped && !placed.contains(&c.name.as_str()) {
            slots.push(Slot::One(Entity::Consumer(c.name.clone())));
        }
    }
    Columns {
        producers,
        exchanges,
        middle,
        slots,
    }
}

/// Places the columns left to right, each centred vertically.
fn place_columns(
    producers: &Column,
    exchanges: &Column,
    middle: &Column,
    slots: &[Slot],
) -> Layout {
    let slot_h = Slot::height;
    let consumers_h: f64 =
        slots.iter().map(slot_h).sum::<f64>() + GAP * (slots.len() as f64 - 1.0).max(0.0);
    let has_groups = slots.iter().any(|s| matches!(s, Slot::Group(..)));
    let consumers_w = slots
        .iter()
        .map(|s| s.width(has_groups))
        .fold(0.0, f64::max);

    let height = [
        producers.height(),
        exchanges.height(),
        middle.height(),
        consumers_h,
    ]
    .into_iter()
    .fold(0.0, f64::max)
        + 2.0 * PAD;
    let mut out = Layout {
        height,
        ..Layout::default()
    };
    let mut x = PAD;
    for col in [producers, exchanges, middle] {
        if col.items.is_empty() {
            continue;
        }
        let mut y = (height - col.height()) / 2.0;
        for (e, w, h) in &col.items {
            out.nodes.insert(e.clone(), Rect { x, y, w: *w, h: *h });
            y += h + GAP;
        }
        x += col.width() + COL_GAP;
    }
    let mut y = (height - consumers_h) / 2.0;
    for s in slots {
        let h = slot_h(s);
        place_slot(&mut out, s, x, y, consumers_w, has_groups);
        y += h + GAP;
    }
    out.width = x + if slots.is_empty() { 0.0 } else { consumers_w } + PAD;
    out
}

#[cfg(test)]
mod tests;
