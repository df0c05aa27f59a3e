//! A group's lag over time: the trend of its total lag over the last seconds of simulated
//! time, and what it says about the future: caught up, clearing in about N seconds at the
//! recent net rate (consumption minus production), keeping up, or growing.

use brokerlab::sim::TimeSeries;

use crate::number::num;

/// How much simulated time the trend covers.
pub(crate) const TREND_MS: u64 = 10_000;

/// How much of the trend the outlook's rate is taken over: the recent rate, so that a burst
/// a few seconds ago (a member down, then catching up) does not hide where the lag is going.
pub(crate) const RATE_MS: u64 = 3_000;

/// What the recent trend says about a group's lag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LagOutlook {
    /// No lag.
    CaughtUp,
    /// Neither rising nor falling by a whole record over the trend: the group keeps up.
    Steady,
    /// Falling: gone in about this many milliseconds at the recent rate.
    Clears {
        /// The estimate.
        in_ms: u64,
    },
    /// Rising: it will not clear at this rate.
    Growing,
}

impl LagOutlook {
    /// In words, for the group's table.
    #[must_use]
    pub fn text(self) -> String {
        match self {
            LagOutlook::CaughtUp => "caught up".to_owned(),
            LagOutlook::Steady => "keeping up".to_owned(),
            LagOutlook::Clears { in_ms } => {
                let s = in_ms.div_ceil(1_000).max(1);
                format!("clears in ~{s} s")
            }
            LagOutlook::Growing => "growing".to_owned(),
        }
    }
}

/// Group `index`'s total lag in the samples of the last [`TREND_MS`], oldest first, with the
/// time each was taken.
#[must_use]
pub(crate) fn trend(series: &TimeSeries, index: usize, now_ms: u64) -> Vec<(u64, u64)> {
    let from = now_ms.saturating_sub(TREND_MS);
    series
        .samples
        .iter()
        .filter(|s| s.at.as_millis() >= from)
        .filter_map(|s| Some((s.at.as_millis(), *s.group_lag.get(index)?)))
        .collect()
}

/// The outlook of a lag of `lag` at `now_ms`, from its `trend`: the net rate (consumption
/// minus production) is the least-squares slope of the trend's last [`RATE_MS`], so that the
/// ups and downs of a group that keeps up (a record arrives, is read, is committed) do not
/// read as a trend.
#[must_use]
pub(crate) fn outlook(lag: u64, trend: &[(u64, u64)], now_ms: u64) -> LagOutlook {
    if lag == 0 {
        return LagOutlook::CaughtUp;
    }
    let from = now_ms.saturating_sub(RATE_MS);
    let trend = &trend[trend.partition_point(|&(t, _)| t < from)..];
    let n = trend.len() as f64;
    if trend.len() < 2 {
        return LagOutlook::Steady;
    }
    let mean_t = trend.iter().map(|&(t, _)| t as f64).sum::<f64>() / n;
    let mean_l = trend.iter().map(|&(_, l)| l as f64).sum::<f64>() / n;
    let (mut cov, mut var) = (0.0, 0.0);
    for &(t, l) in trend {
        cov += (t as f64 - mean_t) * (l as f64 - mean_l);
        var += (t as f64 - mean_t).powi(2);
    }
    let span = (trend[trend.len() - 1].0 - trend[0].0) as f64;
    if var == 0.0 || span == 0.0 {
        return LagOutlook::Steady;
    }
    // Records per millisecond; a change of less than one record over the trend is no trend.
    let slope = cov / var;
    if (slope * span).abs() < 1.0 {
        LagOutlook::Steady
    } else if slope > 0.0 {
        LagOutlook::Growing
    } else {
        LagOutlook::Clears {
            in_ms: (lag as f64 / -slope).round() as u64,
        }
    }
}

/// The trend as an SVG polyline's points in a `width` × `height` box (time across, lag up,
/// scaled to the trend's largest lag).
#[must_use]
pub(crate) fn sparkline(trend: &[(u64, u64)], now_ms: u64, width: f64, height: f64) -> String {
    let max = trend.iter().map(|&(_, l)| l).max().unwrap_or(0).max(1) as f64;
    let from = now_ms.saturating_sub(TREND_MS) as f64;
    trend
        .iter()
        .map(|&(t, l)| {
            let x = (t as f64 - from) / TREND_MS as f64 * width;
            let y = height - l as f64 / max * height;
            // `num`, not `{:.1}`: float formatting would add ~10 KB to the bundle.
            format!("{},{}", num(x), num(y))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_lag_is_caught_up() {
        assert_eq!(
            outlook(0, &[(0, 50), (1_000, 20)], 1_000),
            LagOutlook::CaughtUp
        );
    }

    #[test]
    fn a_falling_lag_clears_at_the_recent_rate() {
        // 90 → 60 over the last 3 s: 10 a second, so 60 more take 6 s; the rise before the
        // last 3 s does not count.
        let trend = [
            (5_000, 10),
            (7_000, 90),
            (8_000, 80),
            (9_000, 70),
            (10_000, 60),
        ];
        let o = outlook(60, &trend, 10_000);
        assert_eq!(o, LagOutlook::Clears { in_ms: 6_000 });
        assert_eq!(o.text(), "clears in ~6 s");
    }

    #[test]
    fn a_rising_lag_is_growing() {
        assert_eq!(
            outlook(90, &[(3_000, 40), (5_000, 90)], 5_000),
            LagOutlook::Growing
        );
    }

    #[test]
    fn a_lag_going_up_and_down_is_steady() {
        let trend = [(0, 1), (100, 2), (200, 0), (300, 1), (400, 2), (500, 1)];
        assert_eq!(outlook(1, &trend, 500), LagOutlook::Steady);
        assert_eq!(outlook(1, &trend, 500).text(), "keeping up");
        assert_eq!(outlook(5, &[], 500), LagOutlook::Steady);
    }

    #[test]
    fn the_sparkline_spans_the_box() {
        let pts = sparkline(&[(0, 0), (10_000, 8)], 10_000, 60.0, 16.0);
        assert_eq!(pts, "0,16 60,0");
    }
}
