//! The chart of the selection: one metric over time and the run's throughput.

use brokerlab::sim::Simulation;

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
    let (title, metric): (String, Vec<(u64, u64)>) = match selected {
        Some(Entity::Queue(q)) => {
            let i = view.queues.iter().position(|x| x.name == *q);
            (
                format!("depth of {q}"),
                samples()
                    .map(|s| {
                        let v = i.and_then(|i| s.queue_depth.get(i)).copied();
                        (s.at.as_millis(), v.unwrap_or(0))
                    })
                    .collect(),
            )
        }
        Some(Entity::Group(g)) => {
            let i = view.groups.iter().position(|x| x.name == *g);
            (
                format!("lag of {g}"),
                samples()
                    .map(|s| {
                        let v = i.and_then(|i| s.group_lag.get(i)).copied();
                        (s.at.as_millis(), v.unwrap_or(0))
                    })
                    .collect(),
            )
        }
        Some(Entity::Consumer(c)) => {
            let i = view.consumers.iter().position(|x| x.name == *c);
            (
                format!("lag of {c}"),
                samples()
                    .map(|s| {
                        let v = i.and_then(|i| s.consumer_lag.get(i)).copied();
                        (s.at.as_millis(), v.unwrap_or(0))
                    })
                    .collect(),
            )
        }
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
