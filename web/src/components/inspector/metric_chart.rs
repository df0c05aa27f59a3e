//! A small SVG chart: the selection's depth or lag (or the publish rate) and the run's
//! processing rate over the last samples.

use yew::prelude::*;

use crate::number::num;
use crate::state::use_app;

const W: f64 = 320.0;
const H: f64 = 110.0;

fn points(data: &[(u64, u64)], t0: u64, t1: u64, max: u64) -> String {
    let span = (t1.saturating_sub(t0)).max(1) as f64;
    data.iter()
        .map(|&(t, v)| {
            let x = (t - t0) as f64 / span * W;
            let y = H - 4.0 - v as f64 / max as f64 * (H - 14.0);
            format!("{},{}", num(x), num(y))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The chart for the selection.
#[component]
pub fn MetricChart() -> Html {
    let app = use_app();
    let c = &app.view.chart;
    let t0 = c.metric.first().map_or(0, |p| p.0);
    let t1 = c.metric.last().map_or(0, |p| p.0);
    let max = c
        .metric
        .iter()
        .chain(&c.throughput)
        .map(|p| p.1)
        .max()
        .unwrap_or(0)
        .max(1);
    let last = c.metric.last().map_or(0, |p| p.1);
    html! {
        <figure class="chart" aria-label="Chart">
            <figcaption>
                <span class="metric-key">{ format!("{} (now {last})", c.title) }</span>
                <span class="throughput-key">{ "processed per second" }</span>
            </figcaption>
            <svg viewBox={format!("0 0 {} {}", num(W), num(H))} role="img" aria-label={c.title.clone()}>
                <line class="axis" x1="0" y1={num(H - 4.0)} x2={num(W)} y2={num(H - 4.0)} />
                <text class="axis-label" x="2" y="10">{ max.to_string() }</text>
                <polyline class="throughput" points={points(&c.throughput, t0, t1, max)} />
                <polyline class="metric" points={points(&c.metric, t0, t1, max)} />
            </svg>
        </figure>
    }
}
