//! The URL query the playground reads when it opens: `?s=d&t=4000&seed=9&speed=10` loads
//! scenario D with seed 9 at speed 10× and runs it, paused, to 4 s of logical time. Tests use
//! it to reach a moment without waiting on the clock.

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
}

impl Query {
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
                "speed" => q.speed = v.parse().ok(),
                _ => {}
            }
        }
        q
    }
}
