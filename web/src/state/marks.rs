//! The moments that matter on the timeline: crashes and restarts, members joining and
//! leaving, rebalances, dead-letterings, retention and compaction, taken from the event log's
//! rows as the run reaches them, and kept while the run seeks back and forth (the future
//! they describe is the same until the user changes something).

use super::log::LogRow;

/// The most marks kept (the earliest stay: a long run's later marks are left out).
pub const MARKS_KEPT: usize = 400;

/// One moment on the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    /// Logical time in ms.
    pub at_ms: u64,
    /// The event log's kind of it (`crashed`, `rebalanced`, …).
    pub kind: &'static str,
    /// What happened, in words.
    pub text: String,
}

/// The marks of the run so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Marks {
    list: Vec<Mark>,
    /// The run has been seen up to here: rows at or before it are marked already.
    seen_ms: Option<u64>,
}

/// Whether rows of this kind mark a moment that matters.
fn marks(kind: &str) -> bool {
    matches!(
        kind,
        "crashed"
            | "restarted"
            | "added"
            | "removed"
            | "joined"
            | "left"
            | "rebalanced"
            | "rejoined"
            | "dead-lettered"
            | "retention"
            | "compacted"
            | "lock-expired"
            | "archived"
    )
}

impl Marks {
    /// Marks `row` if it matters and is later than what was seen.
    pub fn observe(&mut self, row: &LogRow) {
        if !marks(row.kind) || self.seen_ms.is_some_and(|s| row.at_ms <= s) {
            return;
        }
        if self.list.len() < MARKS_KEPT {
            self.list.push(Mark {
                at_ms: row.at_ms,
                kind: row.kind,
                text: row.text.clone(),
            });
        }
    }

    /// The latest moment the run was seen at.
    #[must_use]
    pub fn seen_ms(&self) -> Option<u64> {
        self.seen_ms
    }

    /// The run was seen up to `t`: later rows at or before it are not marked again.
    pub fn seen_to(&mut self, t: u64) {
        self.seen_ms = Some(self.seen_ms.map_or(t, |s| s.max(t)));
    }

    /// Forgets what happened after `t` (the user changed the run there).
    pub fn truncate_after(&mut self, t: u64) {
        self.list.retain(|m| m.at_ms <= t);
        self.seen_ms = self.seen_ms.map(|s| s.min(t));
    }

    /// The marks, in time order.
    pub fn iter(&self) -> impl Iterator<Item = &Mark> {
        self.list.iter()
    }
}
