//! The URL query the playground reads when it opens: `?s=d&t=4000&seed=9&speed=10` loads
//! scenario D with seed 9 at speed 10× and runs it, paused, to 4 s of logical time. Tests use
//! it to reach a moment without waiting on the clock.
//!
//! Embedding adds `embed=1` (minimal chrome for an iframe), `autoplay=1`, `controls=0` (no
//! playback controls) and `height=360` (the drawing's height in CSS pixels, 120 to 2000).

/// What the query asks for; absent or unreadable parameters are `None`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Query {
    /// `s`: the ready-made scenario id.
    pub scenario: Option<String>,
    /// `t`: run to this logical time (ms), paused.
    pub t_ms: Option<u64>,
    /// `seed`.
    pub seed: Option<u64>,
    /// `speed`.
    pub speed: Option<f64>,
    /// `embed=1`: the page is embedded in another one.
    pub embed: bool,
    /// `autoplay=1`: start playing.
    pub autoplay: bool,
    /// `controls=0`: hide the playback controls (embedded pages only).
    pub hide_controls: bool,
    /// `height`: the drawing's height in CSS pixels (embedded pages only).
    pub height: Option<u32>,
}

fn flag(v: &str) -> bool {
    matches!(v, "" | "1" | "true" | "yes")
}

impl Query {
    /// Whether the query asks for a particular moment (a scenario, a time, a seed).
    #[must_use]
    pub fn names_a_moment(&self) -> bool {
        self.scenario.is_some() || self.t_ms.is_some() || self.seed.is_some()
    }

    /// Parses `location.search` (with or without the leading `?`).
    #[must_use]
    pub fn parse(search: &str) -> Query {
        let mut q = Query::default();
        for pair in search.trim_start_matches('?').split('&') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            match k {
                "s" | "scenario" if !v.is_empty() => q.scenario = Some(v.to_owned()),
                "t" => q.t_ms = v.parse().ok(),
                "seed" => q.seed = v.parse().ok(),
                "speed" => q.speed = crate::number::parse_decimal(v),
                "embed" => q.embed = flag(v),
                "autoplay" => q.autoplay = flag(v),
                "controls" => q.hide_controls = !flag(v),
                "height" => q.height = v.parse().ok().map(|h: u32| h.clamp(120, 2_000)),
                _ => {}
            }
        }
        q
    }
}
