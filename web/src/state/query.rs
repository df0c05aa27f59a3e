//! The URL query the playground reads when it opens: `?s=d&t=4000&seed=9&speed=10` loads
//! scenario D with seed 9 at speed 10× and runs it, paused, to 4 s of logical time. Tests use
//! it to reach a moment without waiting on the clock.
//!
//! Embedding adds `embed=1` (minimal chrome for an iframe, the drawing filling the frame),
//! `autoplay=1`, `controls=0` (no playback controls) and `loop=0` (a finished run stays on
//! its last moment instead of starting over). `height=360` is read for older embed codes; the
//! drawing now fills whatever height the frame has.

/// What the query asks for; absent or unreadable parameters are `None`.
#[derive(Debug, Clone, PartialEq)]
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
    /// `height`: the drawing's height asked for by older embed codes, in CSS pixels; the
    /// drawing fills the frame whatever it says.
    pub height: Option<u32>,
    /// `loop`: whether an embedded run starts over when it ends (default yes; `loop=0`).
    pub looping: bool,
}

fn flag(v: &str) -> bool {
    matches!(v, "" | "1" | "true" | "yes")
}

impl Default for Query {
    fn default() -> Query {
        Query {
            scenario: None,
            t_ms: None,
            seed: None,
            speed: None,
            embed: false,
            autoplay: false,
            hide_controls: false,
            height: None,
            looping: true,
        }
    }
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
                "loop" => q.looping = flag(v),
                "height" => q.height = v.parse().ok().map(|h: u32| h.clamp(120, 2_000)),
                _ => {}
            }
        }
        q
    }
}
