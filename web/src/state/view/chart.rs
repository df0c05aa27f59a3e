//! The chart of the selection: one metric over time and the run's throughput.

use brokerlab::sim::{self, Simulation};

use super::ViewModel;
use crate::state::Entity;

/// Samples the chart shows (the most recent).
const CHART_SAMPLES: usize = 150;

/// A small time chart: one metric of the selection and the run's throughput.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Chart {
    /// What the first line is (`depth of email`, `lag of analytics`, `published per second`).
    pub title: String,
    /// `(time ms, value)` of the metric.
    pub metric: Vec<(u64, u64)>,
    /// `(time ms, processed per second)` over the whole run.
    pub throughput: Vec<(u64, u64)>,
}

pub(super) fn chart(sim: &Simulation, view: &ViewModel, selected: Option<&Entity>) -> Chart {
    let series = sim.series();
    let per_sec = |v: u64| v * 1000 / series.interval_ms.max(1);
    let skip = series.samples.len().saturating_sub(CHART_SAMPLES);
    let samples = || series.samples.iter().skip(skip);
    let throughput = samples()
        .map(|s| (s.at.as_millis(), per_sec(s.processed)))
        .collect();
    // One entity's column of the samples (0 where the entity has no value yet).
    let column = |i: Option<usize>, values: fn(&sim::Sample) -> &[u64]| -> Vec<(u64, u64)> {
        samples()
            .map(|s| {
                let v = i.and_then(|i| values(s).get(i)).copied();
                (s.at.as_millis(), v.unwrap_or(0))
            })
            .collect()
    };
    let (title, metric) = match selected {
        Some(Entity::Queue(q)) => (
            format!("depth of {q}"),
            column(view.queues.iter().position(|x| x.name == *q), |s| {
                &s.queue_depth
            }),
        ),
        Some(Entity::Group(g)) => (
            format!("lag of {g}"),
            column(view.groups.iter().position(|x| x.name == *g), |s| {
                &s.group_lag
            }),
        ),
        Some(Entity::Consumer(c)) => (
            format!("lag of {c}"),
            column(view.consumers.iter().position(|x| x.name == *c), |s| {
                &s.consumer_lag
            }),
        ),
        _ => (
            "published per second".to_owned(),
            samples()
                .map(|s| (s.at.as_millis(), per_sec(s.published)))
                .collect(),
        ),
    };
    Chart {
        title,
        metric,
        throughput,
    }
}
